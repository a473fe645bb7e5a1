"""Score the detector on labelled sets, with the shared scorer's own output.

    python scripts/evaluate.py                 # every dev set, one summary line each
    python scripts/evaluate.py real-dev-2023 --errors

Sets still blind (tests.corpora.STILL_BLIND) are left out unless named: each is scored once,
when it is first recorded in docs/evaluation.md. Writes gold and predictions to a temporary
folder and runs shared/eval/score.py on them.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.corpora import SCORER, SETS, STILL_BLIND, load_set, predict


def score(name: str, errors: bool) -> str:
    items = load_set(name)
    with tempfile.TemporaryDirectory() as tmp:
        gold, pred = Path(tmp) / "gold.jsonl", Path(tmp) / "pred.jsonl"
        gold.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items))
        lines = (json.dumps(p, ensure_ascii=False) + "\n" for p in predict(items))
        pred.write_text("".join(lines))
        args = [sys.executable, str(SCORER), str(gold), str(pred), *(["--errors"] * errors)]
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603


def main(argv: list[str]) -> None:
    errors = "--errors" in argv
    names = [a for a in argv if not a.startswith("--")] or [
        n for n in SETS if n not in STILL_BLIND
    ]
    for name in names:
        out = score(name, errors)
        last = out.splitlines()[-1]
        print(f"== {name}\n{out}" if errors or len(names) == 1 else f"{name:18} {last}")


if __name__ == "__main__":
    main(sys.argv[1:])
