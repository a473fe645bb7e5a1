"""Decide whether two reports are the same story (several feeds, one alert), in any language.

A report is reduced to what does not depend on its language: level, canonical accuser → accused
pairs and actors (feeds.detect), conflict area (feeds.conflicts), publication time, counts
(feeds.numbers) and place-name keys (feeds.places). Two reports are one story when nothing rules
it out and enough of that evidence agrees (`SAME_STORY`, weights in `story_score`).
Pure; imports the stdlib and feeds only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feeds.conflicts import OTHER, conflict_of
from feeds.lang import guess_lang
from feeds.model import Level, Pair
from feeds.numbers import counts
from feeds.places import place_keys, shares_place

# Tracking parameters differ between syndicated copies of one article.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|ocid|cmpid|ref|src|at_\w+|mc_\w+)$", re.I)
WINDOW = timedelta(hours=24)  # reports further apart in time are never one story
CLOSE = timedelta(hours=6)  # newsrooms follow each other within hours
SAME_STORY = 4  # score at or above which two reports are one story


@dataclass(frozen=True, slots=True)
class Story:
    """The parts of an alert that identify its story, prepared once for many comparisons."""

    link: str  # normalised
    level: Level  # BLAME only with a one-way pair; a mutual accusation tells no direction
    published: datetime
    pairs: frozenset[Pair] = frozenset()  # one-way: "A → B" where the report has no "B → A"
    actors: frozenset[str] = frozenset()
    conflict: str = OTHER
    places: frozenset[str] = frozenset()  # feeds.places keys
    numbers: frozenset[int] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        title: str,
        summary: str,
        link: str,
        level: Level,
        published: datetime,
        pairs: Iterable[Pair] = (),
        actors: Iterable[str] = (),
        lang: str | None = None,
    ) -> Story:
        pairs = tuple(pairs)
        lang = guess_lang(f"{title} {summary}", lang)  # the language the detector read
        named = [p.accuser for p in pairs] + [p.accused for p in pairs] + list(actors)
        one_way = frozenset(p for p in pairs if Pair(p.accused, p.accuser) not in pairs)
        if level is Level.BLAME and not one_way:
            level = Level.VIOLATION
        return cls(
            link=normalise_link(link) if link else "",
            level=level,
            published=published,
            pairs=one_way,
            actors=frozenset(named),
            conflict=_conflict(tuple(named)),
            places=place_keys(title, summary, lang),
            numbers=counts(title, summary, lang),
        )


@lru_cache(maxsize=4096)  # a few hundred actor combinations make up a news stream
def _conflict(named: tuple[str, ...]) -> str:
    return conflict_of(named)


def normalise_link(url: str) -> str:
    """Canonical form of an article URL: https, no www., no tracking query, no fragment."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        )
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))


def is_same_story(a: Story, b: Story, *, window: timedelta = WINDOW) -> bool:
    """Same article (normalised link), or the same event told by another feed."""
    if a.link and a.link == b.link:
        return True
    score = story_score(a, b, window=window)
    return score is not None and score >= SAME_STORY


def best_match(story: Story, known: Sequence[Story], *, window: timedelta = WINDOW) -> int | None:
    """Index in `known` of the story `story` belongs to: the same link, else the best score at
    or above SAME_STORY (the later one on a tie); None when it is a new story."""
    best: tuple[tuple[int, float], int] | None = None  # ((score, published), index)
    for index, other in enumerate(known):
        if story.link and story.link == other.link:
            return index
        score = story_score(story, other, window=window)
        if score is not None and score >= SAME_STORY:
            rank = (score, other.published.timestamp())
            if best is None or rank > best[0]:
                best = (rank, index)
    return None if best is None else best[1]


def story_score(a: Story, b: Story, *, window: timedelta = WINDOW) -> int | None:
    """How much two reports agree on their event; None when something rules it out."""
    if _rules_out(a, b, window):
        return None
    score = 0
    if a.pairs & b.pairs:
        score += 2  # the same accuser blames the same accused
    if a.conflict == b.conflict != OTHER:
        score += 1
    if a.actors and b.actors and len(a.actors & b.actors) * 2 >= len(a.actors | b.actors):
        score += 1
    if abs(a.published - b.published) <= CLOSE:
        score += 1
    return score + _level_score(a, b) + _detail_score(a, b)


def _rules_out(a: Story, b: Story, window: timedelta) -> bool:
    """Plain news, too far apart in time, other wars, or blame the other way round."""
    if Level.NONE in (a.level, b.level) or abs(a.published - b.published) > window:
        return True
    if a.pairs and b.pairs and not a.pairs & b.pairs:
        return True  # "A accuses B" and "B accuses A" the same day are two stories
    if not a.actors or not b.actors:
        return False  # "shelling killed three in the village of X": places and counts decide
    if not a.actors & b.actors:
        return a.conflict == OTHER or a.conflict != b.conflict
    # A report naming fewer parties has a weaker guess at the war ("Israel" alone is Gaza):
    # different areas rule it out only when each report names a party the other does not.
    is_nested = a.actors <= b.actors or b.actors <= a.actors
    return OTHER not in (a.conflict, b.conflict) and a.conflict != b.conflict and not is_nested


def _level_score(a: Story, b: Story) -> int:
    """Truce news of one war on one day is rarely two stories. Levels one step apart (a breach
    and a blame, a truce and a breach) may be one story in different wording, the detector
    seeing less in one of them; a truce and a blame two steps apart seldom are."""
    if a.level is Level.CEASEFIRE and b.level is Level.CEASEFIRE:
        return 2 if a.conflict == b.conflict != OTHER else 0
    return -abs(a.level.rank - b.level.rank)


def _detail_score(a: Story, b: Story) -> int:
    """Places and counts: shared ones confirm; different counts contradict. Different places do
    not: one feed names the village, another the district, a third only the region."""
    score = 0
    if a.places and b.places and shares_place(a.places, b.places):
        score += 2
    if a.numbers and b.numbers:
        score += 1 if a.numbers & b.numbers else -1
    return score
