"""Alerts the detector raises over the whole real 2023 stream, and a sample of them to label.

    python scripts/realstream_alerts.py                 # counts by level, per 10,000 items
    python scripts/realstream_alerts.py --sample N OUT  # also N alerts, seeded, for annotators

The sample file holds id, title, summary, published and feed, never the detector's answer, so
annotators label the items as they would any others. The precision of the sample is recorded in
docs/evaluation.md.
"""

import json
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feeds.detect import classify
from tests.corpora import realstream

SEED = "realstream-alerts-2026-12-06"


def alerts() -> tuple[Counter, list[dict]]:
    levels: Counter = Counter()
    raised = []
    for item in realstream().values():
        found = classify(item["title"], item.get("summary") or "", item.get("lang"))
        levels[str(found.level)] += 1
        if found.level.is_alert:
            raised.append(item)
    return levels, raised


def main(argv: list[str]) -> None:
    levels, raised = alerts()
    total = sum(levels.values())
    per_10k = 10_000 * len(raised) / total
    print(f"items {total} | " + " | ".join(f"{k} {v}" for k, v in sorted(levels.items())))
    print(f"alerts {len(raised)} ({per_10k:.1f} per 10,000 items)")
    if "--sample" in argv:
        at = argv.index("--sample")
        count, out = int(argv[at + 1]), Path(argv[at + 2])
        picked = random.Random(SEED).sample(raised, min(count, len(raised)))  # noqa: S311
        keys = ("id", "title", "summary", "published", "feed")
        with open(out, "w", encoding="utf-8") as f:
            for item in sorted(picked, key=lambda i: i["id"]):
                f.write(json.dumps({k: item.get(k) for k in keys}, ensure_ascii=False) + "\n")
        print(f"sample of {len(picked)} written to {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
