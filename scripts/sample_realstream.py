"""Draw the labelled samples of the real 2023 stream (shared/corpora/realstream-2023).

Each sample is stratified: items whose title or summary names a truce, and items with war
vocabulary but no truce (the "fighting where no truce is in force" false alarms). The draw is
seeded, so the same command always picks the same ids; samples never share an item.

    python scripts/sample_realstream.py OUT_DIR

writes, per sample, `<name>.items.jsonl` (id, title, summary, published, feed) for the
annotators. Only ids and labels are committed (tests/data/real-*/labels.jsonl): the text belongs
to its publishers and is read from the shared corpus at test time.
"""

import gzip
import json
import random
import re
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpora/realstream-2023/items.jsonl.gz"
TRUCE = re.compile(r"cease-?fire|truce|armistice|humanitarian pause", re.I)
WAR = re.compile(
    r"\b(strikes?|shell(ing|ed)?|attack(s|ed)?|fighting|killed|troops|rebels?|militants?"
    r"|missiles?|drones?|army|air ?raids?|offensive|clashes)\b",
    re.I,
)
ACCUSE = re.compile(r"accus|blam|violat|breach", re.I)
# name: (seed, items naming a truce, items with war words only, items naming a truce together
# with war or accusation words). The third stratum is drawn last, from what is left, to give the
# rare breach items of the real stream enough weight to measure recall.
SAMPLES = {
    "real-dev-2023": ("dev-2026-12-06", 240, 60, 0),
    "real-blind-2023": ("blind-2026-12-06", 240, 60, 0),
    "real-blind-2023b": ("blind-b-2026-12-06", 0, 0, 200),
    # Second round, for the detector after the first blind sets joined dev.
    "real-blind-2023c": ("blind-c-2026-12-06", 240, 60, 0),
    "real-blind-2023d": ("blind-d-2026-12-06", 0, 0, 200),
    # Third round, after the second joined dev.
    "real-blind-2023e": ("blind-e-2026-12-06", 240, 60, 0),
    "real-blind-2023f": ("blind-f-2026-12-06", 0, 0, 100),
    # Fourth round, for the detector at the end of the session.
    "real-blind-2023g": ("blind-g-2026-12-06", 240, 60, 0),
}


def load(path=CORPUS):
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def strata(items):
    truce, war, fighting = [], [], []
    for item in items:
        text = f"{item['title']} {item.get('summary') or ''}"
        if TRUCE.search(text):
            truce.append(item)
            if WAR.search(text) or ACCUSE.search(text):
                fighting.append(item)
        elif WAR.search(text):
            war.append(item)
    return truce, war, fighting


def draw(items):
    truce, war, fighting = strata(items)
    taken, samples = set(), {}
    for name, (seed, n_truce, n_war, n_fighting) in SAMPLES.items():
        rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
        picked = []
        for pool, n in ((truce, n_truce), (war, n_war), (fighting, n_fighting)):
            free = [item for item in pool if item["id"] not in taken]
            picked += rng.sample(free, n)
        taken.update(item["id"] for item in picked)
        samples[name] = sorted(picked, key=lambda item: item["id"])
    return samples


def main(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, picked in draw(load()).items():
        with open(out / f"{name}.items.jsonl", "w", encoding="utf-8") as f:
            for item in picked:
                keep = {k: item.get(k) for k in ("id", "title", "summary", "published", "feed")}
                f.write(json.dumps(keep, ensure_ascii=False) + "\n")
        print(name, len(picked))


if __name__ == "__main__":
    main(sys.argv[1])
