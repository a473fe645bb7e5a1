"""Dump feeds.detect.classify's output for every item of the dev, holdout and realstream corpora.

    python scripts/dump_predictions.py OUT.jsonl

writes one JSON line per item (id, level, pairs, matched, evidence, summary, actors,
truce_state), in a fixed order, so that two runs (say, before and after a refactor) can be
compared with `cmp`.

    python scripts/dump_predictions.py OUT.jsonl --context

classifies every item as if the stream knew a truce in force in every conflict area, which
exercises the path that reads a headline attack as a breach without a truce word.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from feeds.conflicts import conflict_labels
from feeds.detect import classify
from feeds.model import StreamContext

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared/corpora"
SOURCES = [
    SHARED / "ceasefire/dev.jsonl",
    *sorted((ROOT / "tests/data").glob("holdout*/*.jsonl")),
    SHARED / "realstream-2023/items.jsonl.gz",
]


def _lines(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def main(out: str, context: StreamContext | None = None) -> None:
    count = 0
    with open(out, "w", encoding="utf-8") as f:
        for path in SOURCES:
            for item in _lines(path):
                d = classify(
                    item.get("title", ""), item.get("summary", ""), item.get("lang"), context
                )
                row = {
                    "id": item["id"],
                    "level": d.level.value,
                    "pairs": [[p.accuser, p.accused] for p in d.pairs],
                    "matched": list(d.matched),
                    "evidence": d.evidence,
                    "summary": d.summary,
                    "actors": list(d.actors),
                    "truce_state": d.truce_state,
                }
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    print(f"{count} items -> {out}", file=sys.stderr)


if __name__ == "__main__":
    every = StreamContext(truces_in_force=frozenset(conflict_labels()))
    main(sys.argv[1], every if "--context" in sys.argv[2:] else None)
