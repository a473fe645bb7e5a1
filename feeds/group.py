"""Decide whether two reports are the same story (several feeds, one alert). Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feeds.model import Level, Pair

# Tracking parameters differ between syndicated copies of one article.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|ocid|cmpid|ref|src|at_\w+|mc_\w+)$", re.I)
_WORD = re.compile(r"\w+", re.UNICODE)
_STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "for",
        "in",
        "on",
        "at",
        "to",
        "and",
        "or",
        "with",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "has",
        "have",
        "had",
        "after",
        "over",
        "into",
        "its",
        "it",
        "this",
        "that",
        "says",
        "said",
        "say",
        "amid",
        "new",
        "first",
    ]
)
SAME_TITLE = 0.5  # word overlap above which two titles tell the same story
SAME_PAIR_TITLE = 0.25  # lower bar when both name the same accuser → accused


@dataclass(frozen=True, slots=True)
class Story:
    """The parts of an alert that identify its story, prepared once for many comparisons."""

    words: frozenset[str]  # content words of the headline
    link: str  # normalised
    level: Level
    pairs: frozenset[Pair] = frozenset()

    @classmethod
    def of(cls, title: str, link: str, level: Level, pairs: Iterable[Pair] = ()) -> Story:
        return cls(
            title_words(title), normalise_link(link) if link else "", level, frozenset(pairs)
        )


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


def title_words(title: str) -> frozenset[str]:
    """Content words of a headline, lower-cased, for overlap comparisons."""
    return frozenset(
        w for w in _WORD.findall(title.casefold()) if len(w) > 2 and w not in _STOPWORDS
    )


def title_similarity(a: str, b: str) -> float:
    """Jaccard overlap of the two headlines' content words (0..1)."""
    return _overlap(title_words(a), title_words(b))


def _overlap(wa: frozenset[str], wb: frozenset[str]) -> float:
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def is_same_story(a: Story, b: Story) -> bool:
    """Same article (normalised link), or same level and pairs with clearly similar headlines."""
    if a.link and a.link == b.link:
        return True
    if a.level != b.level or a.pairs != b.pairs:
        return False
    bar = SAME_PAIR_TITLE if a.pairs else SAME_TITLE
    return _overlap(a.words, b.words) >= bar
