"""Score story grouping on the multilingual labelled set (tests/data/stories-ml).

    python scripts/evaluate_grouping.py            # pairwise precision/recall, story counts
    python scripts/evaluate_grouping.py --errors   # also every wrong pair, with its evidence

The items go through the detector and feeds.group as the poller would (tests/stories.py).
Pairwise: a predicted pair is two items placed in one story; a gold pair two items of one
cluster. Items the detector gives no alert stay alone, so their pairs count as missed; the
recall on pairs of two alerted items is printed too.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from feeds.group import story_score
from feeds.model import Level
from tests.stories import Grouping, group_stories, load_stories, score


def main(argv: list[str]) -> None:
    grouping = group_stories(load_stories())
    result = score(grouping)
    right = result.gold_pairs & result.predicted_pairs
    levels = grouping.levels
    print(
        f"items {len(grouping.items)}, gold clusters {result.clusters}, "
        f"predicted stories {result.stories}"
    )
    no_alert = sum(level is Level.NONE for level in levels.values())
    wrong_level = sum(
        levels[i["id"]] not in (Level.NONE, Level(i["level"])) for i in grouping.items
    )
    print(f"detector: {no_alert} items with no alert, {wrong_level} at another level than gold")
    print(
        f"pairs: gold {len(result.gold_pairs)}, predicted {len(result.predicted_pairs)}, "
        f"right {len(right)}"
    )
    print(
        f"gold pairs of two alerted items {len(result.alerted_gold_pairs)}: "
        f"recall on them {result.alerted_recall:.3f}"
    )
    print(f"pairwise precision {result.precision:.3f}  recall {result.recall:.3f}")
    if "--errors" in argv:
        wrong = (
            ("merged wrongly", result.predicted_pairs - result.gold_pairs),
            ("missed", result.gold_pairs - result.predicted_pairs),
        )
        for label, pairs in wrong:
            print(f"\n== {label}: {len(pairs)}")
            for a, b in sorted(pairs):
                print_pair(grouping, a, b)


def print_pair(grouping: Grouping, a: str, b: str) -> None:
    by_id = {item["id"]: item for item in grouping.items}
    sa, sb = grouping.stories.get(a), grouping.stories.get(b)
    found = story_score(sa, sb) if sa and sb else None
    print(f"{a} {by_id[a]['cluster']} / {b} {by_id[b]['cluster']}  score {found}")
    for item_id, story in ((a, sa), (b, sb)):
        item = by_id[item_id]
        print(f"  [{item['lang']} {grouping.levels[item_id]}] {item['title']}")
        if story is not None:
            pairs = sorted(f"{p.accuser}>{p.accused}" for p in story.pairs)
            print(
                f"     {story.published:%m-%d %H:%M} {story.conflict} {pairs} "
                f"actors={sorted(story.actors)} places={sorted(story.places)} "
                f"numbers={sorted(story.numbers)}"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
