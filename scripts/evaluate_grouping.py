"""Score story grouping on the multilingual labelled set (tests/data/stories-ml).

    python scripts/evaluate_grouping.py            # pairwise precision/recall, cluster counts
    python scripts/evaluate_grouping.py --errors   # also every wrong pair, with its evidence

Each item goes, in publication order, through what the poller does: the real detector
(feeds.detect.classify with the item's language and the stream's record of truces in force),
then, if it is alert-worthy, feeds.group.best_match against the stories already alerted within
the window; it joins that story or starts a new one. Items the detector finds no ceasefire news
in make no alert and stay alone. Pairwise: every pair of items placed in one story is a
predicted pair; a gold pair is two items of one cluster.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from feeds.detect import classify  # noqa: E402
from feeds.group import Story, best_match, story_score  # noqa: E402
from feeds.model import Level  # noqa: E402
from feeds.truces import TruceTracker  # noqa: E402

SET = ROOT / "tests" / "data" / "stories-ml" / "items.jsonl"


def load(path: Path = SET) -> list[dict]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for item in items:
        item["published"] = datetime.fromisoformat(item["published"].replace("Z", "+00:00"))
    return sorted(items, key=lambda item: (item["published"], item["id"]))


def group(items: list[dict]) -> tuple[dict[str, int], dict[str, Story], dict[str, Level]]:
    """Story number of each item id (as the poller would form them), its Story and level."""
    tracker = TruceTracker()
    alerts: list[Story] = []  # the first report of each story, as the poller remembers them
    story_of: dict[str, int] = {}
    stories: dict[str, Story] = {}
    levels: dict[str, Level] = {}
    for item in items:
        context = tracker.context(item["published"])
        found = classify(item["title"], item["summary"], item["lang"], context)
        tracker.observe(found, item["published"])
        levels[item["id"]] = found.level
        if found.level is Level.NONE:
            story_of[item["id"]] = -1 - len(story_of)  # no alert: alone
            continue
        story = Story.of(
            title=item["title"],
            summary=found.summary or item["summary"],
            link=item["link"],
            level=found.level,
            published=item["published"],
            pairs=found.pairs,
            actors=found.actors,
            lang=item["lang"],
        )
        stories[item["id"]] = story
        match = best_match(story, alerts)
        if match is None:
            alerts.append(story)
            match = len(alerts) - 1
        story_of[item["id"]] = match
    return story_of, stories, levels


def pairs_of(labels: dict[str, object]) -> set[tuple[str, str]]:
    return {(a, b) for a, b in combinations(sorted(labels), 2) if labels[a] == labels[b]}


def main(argv: list[str]) -> None:
    items = load()
    story_of, stories, levels = group(items)
    gold = pairs_of({item["id"]: item["cluster"] for item in items})
    predicted = pairs_of(story_of)
    right = gold & predicted
    precision = len(right) / len(predicted) if predicted else 1.0
    recall = len(right) / len(gold) if gold else 1.0
    print(
        f"items {len(items)}, gold clusters {len({i['cluster'] for i in items})}, "
        f"predicted stories {len(set(story_of.values()))}"
    )
    no_alert = sum(level is Level.NONE for level in levels.values())
    wrong_level = sum(levels[i["id"]] not in (Level.NONE, Level(i["level"])) for i in items)
    print(f"detector: {no_alert} items with no alert, {wrong_level} at another level than gold")
    print(f"pairs: gold {len(gold)}, predicted {len(predicted)}, right {len(right)}")
    alerted = {i for i, level in levels.items() if level is not Level.NONE}
    reachable = {(a, b) for a, b in gold if a in alerted and b in alerted}
    print(
        f"gold pairs of two alerted items {len(reachable)}: recall on them "
        f"{len(right & reachable) / max(1, len(reachable)):.3f}"
    )
    print(f"pairwise precision {precision:.3f}  recall {recall:.3f}")
    if "--errors" in argv:
        by_id = {item["id"]: item for item in items}
        for label, wrong in (("merged wrongly", predicted - gold), ("missed", gold - predicted)):
            print(f"\n== {label}: {len(wrong)}")
            for a, b in sorted(wrong):
                print_pair(by_id[a], by_id[b], stories, levels)


def print_pair(a: dict, b: dict, stories: dict[str, Story], levels: dict[str, Level]) -> None:
    sa, sb = stories.get(a["id"]), stories.get(b["id"])
    score = story_score(sa, sb) if sa and sb else None
    print(f"{a['id']} {a['cluster']} / {b['id']} {b['cluster']}  score {score}")
    for item, story in ((a, sa), (b, sb)):
        print(f"  [{item['lang']} {levels[item['id']]}] {item['title']}")
        if story is not None:
            pairs = sorted(f"{p.accuser}>{p.accused}" for p in story.pairs)
            print(
                f"     {story.published:%m-%d %H:%M} {story.conflict} {pairs} "
                f"actors={sorted(story.actors)} places={sorted(story.places)} "
                f"numbers={sorted(story.numbers)}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
