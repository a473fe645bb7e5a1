"""The multilingual story-grouping set (tests/data/stories-ml) run as the poller would group it.

Each item goes, in publication order, through the real detector (feeds.detect.classify with the
item's language and the stream's record of truces in force) and, if it is alert-worthy, through
feeds.group.best_match against the stories already alerted; it joins that story or starts a new
one. Items the detector gives no alert stay alone. Used by scripts/evaluate_grouping.py and the
floor in tests/test_grouping.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path

from feeds.detect import classify
from feeds.group import Story, best_match
from feeds.model import Level
from feeds.truces import TruceTracker

STORIES_SET = Path(__file__).parent / "data" / "stories-ml" / "items.jsonl"


@dataclass(frozen=True, slots=True)
class Grouping:
    """What grouping made of the set: each item's story number, Story and detected level."""

    items: list[dict]
    story_of: dict[str, int]
    stories: dict[str, Story]
    levels: dict[str, Level]


@dataclass(frozen=True, slots=True)
class Score:
    gold_pairs: frozenset[tuple[str, str]]
    predicted_pairs: frozenset[tuple[str, str]]
    alerted_gold_pairs: frozenset[tuple[str, str]]  # both items alerted by the detector
    stories: int
    clusters: int

    @property
    def precision(self) -> float:
        right = self.gold_pairs & self.predicted_pairs
        return len(right) / len(self.predicted_pairs) if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return len(self.gold_pairs & self.predicted_pairs) / len(self.gold_pairs)

    @property
    def alerted_recall(self) -> float:
        found = self.alerted_gold_pairs & self.predicted_pairs
        return len(found) / len(self.alerted_gold_pairs)


def load_stories(path: Path = STORIES_SET) -> list[dict]:
    """The items in publication order, `published` as an aware datetime."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for item in items:
        item["published"] = datetime.fromisoformat(item["published"].replace("Z", "+00:00"))
    return sorted(items, key=lambda item: (item["published"], item["id"]))


def group_stories(items: list[dict]) -> Grouping:
    tracker = TruceTracker()
    alerts: list[Story] = []  # the first report of each story, as the poller remembers them
    story_of: dict[str, int] = {}
    stories: dict[str, Story] = {}
    levels: dict[str, Level] = {}
    for item in items:
        found = classify(
            item["title"], item["summary"], item["lang"], tracker.context(item["published"])
        )
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
    return Grouping(items, story_of, stories, levels)


def pairs_of(labels: dict[str, object]) -> frozenset[tuple[str, str]]:
    """Every pair of ids with the same label."""
    return frozenset((a, b) for a, b in combinations(sorted(labels), 2) if labels[a] == labels[b])


def score(grouping: Grouping) -> Score:
    gold = pairs_of({item["id"]: item["cluster"] for item in grouping.items})
    alerted = {i for i, level in grouping.levels.items() if level is not Level.NONE}
    return Score(
        gold_pairs=gold,
        predicted_pairs=pairs_of(grouping.story_of),
        alerted_gold_pairs=frozenset((a, b) for a, b in gold if a in alerted and b in alerted),
        stories=len(set(grouping.story_of.values())),
        clusters=len({item["cluster"] for item in grouping.items}),
    )
