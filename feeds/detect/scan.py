"""Lexicon scans of an item and its sentences, and the records every stage shares.

`_ItemScan` finds each lexicon category once per item and splits the matches by sentence;
`_Scan` is one sentence's view of it. `_Actor` (an actor mention with its role) and `_Sentence`
(text, actors, valid truce spans, scan) are what the later stages read.

Imports feeds.lexicon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from feeds.lexicon import Lexicon, fold, folds_as_lower

_TOKEN = re.compile(r"[^\W_][\w'’\-]*")

_WORD = re.compile(r"\w+")

_OPEN_QUOTES = frozenset("'\"«‘“„‹")

_CLOSE_QUOTES = frozenset("'\"»’”“›")

KIND_MONITOR = "monitor"
# A speaker named only by its institution ("the army said"): whose it is comes from the accused.
KIND_GENERIC = "generic"

ROLE_FREE = "free"

ROLE_MODIFIER = "modifier"  # "Russian-Turkish truce", "US-brokered", "announced by Moscow"

ROLE_PLACE = "place"  # "in south Lebanon", "between the two armies"

ROLE_VICTIM = "victim"  # "Ukrainian soldier killed", "two Thai civilians wounded"
ROLE_MEDIATOR = "mediator"  # "US-brokered truce", "with Russian mediation": not a party


@dataclass(frozen=True, slots=True)
class _Actor:
    name: str
    kind: str
    start: int
    end: int
    role: str


class _Hit:
    """A lexicon match found in folded text, with the span's text as written (re.Match-like)."""

    __slots__ = ("_end", "_start", "_text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self._start = start
        self._end = end
        self._text = text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def span(self) -> tuple[int, int]:
        return (self._start, self._end)

    def group(self, _index: int = 0) -> str:
        return self._text


class _ItemScan:
    """Lexicon matches in a whole item, found once per category and split by sentence.

    One scan of the item's folded text per category replaces one per sentence: most categories
    match nowhere, and the rest rarely straddle a sentence edge (then each sentence is scanned).
    """

    __slots__ = ("folded", "found", "lex", "odd", "sentences", "spans", "text")

    def __init__(
        self,
        lex: Lexicon,
        text: str,
        sentences: list[str],
        spans: list[tuple[int, int]] | None,
        folded: str | None = None,
    ) -> None:
        self.lex = lex
        self.text = text
        # What Lexicon.folded patterns read; the caller may have it already.
        self.folded = " " + fold(text) if folded is None else folded
        self.odd = not folds_as_lower(text)
        self.sentences = sentences
        self.spans = spans  # where each sentence lies in `text`; None if unknown
        self.found: dict[str, list[tuple]] = {}

    def any(self, category: str) -> bool:
        """Whether `category` matches anywhere in the item."""
        pattern = self.lex.folded[category]
        if pattern is None:
            return self.lex.patterns[category].search(self.text) is not None
        return pattern.search(self.folded) is not None

    def find(self, category: str) -> list[tuple]:
        """Per sentence, every match of `category` in it (offsets local to the sentence)."""
        hit = self.found.get(category)
        if hit is None:
            hit = self._split(category)
            if self.odd:
                hit = self._heads_filter(category, hit)
            self.found[category] = hit
        return hit

    def _split(self, category: str) -> list[tuple]:
        lex, spans = self.lex, self.spans
        pattern = lex.folded[category]
        if pattern is None:
            return [tuple(lex.patterns[category].finditer(t)) for t in self.sentences]
        found = [m.span("t") for m in pattern.finditer(self.folded)]
        if not found:
            return [()] * len(self.sentences)
        if spans is not None and category in lex.local:
            out: list[list[_Hit]] = [[] for _ in spans]
            text, i, n = self.text, 0, len(spans)
            for a, b in found:
                a, b = a - 1, b - 1  # the folded text has a leading space
                while i < n and spans[i][1] < b:
                    i += 1
                if i == n or a < spans[i][0]:
                    break  # the match straddles a sentence edge: scan sentence by sentence
                out[i].append(_Hit(a - spans[i][0], b - spans[i][0], text[a:b]))
            else:
                return [tuple(hits) for hits in out]
        each = []
        for t in self.sentences:
            local = [m.span("t") for m in pattern.finditer(" " + fold(t))]
            each.append(tuple(_Hit(a - 1, b - 1, t[a - 1 : b - 1]) for a, b in local))
        return each

    def _heads_filter(self, category: str, hits: list[tuple]) -> list[tuple]:
        """Drop hits in sentences no word of which starts like a term, as told by lower().

        That cheap test decided before folding existed; it differs from re.IGNORECASE only for
        "İ" and letters like "ı" or "ſ", so results stay as they were for such texts too.
        """
        wanted = self.lex.heads[category]
        if wanted is None:
            return hits
        return [
            found and (() if wanted.isdisjoint(_heads(t)) else found)
            for t, found in zip(self.sentences, hits, strict=True)
        ]


def _heads(text: str) -> frozenset[str]:
    """The first one, two and three letters of every word, lower case."""
    words = _WORD.findall(text.lower())
    return frozenset(w[:n] for w in words for n in (1, 2, 3))


class _Scan:
    """Lexicon matches in one sentence, found once per category and shared by every rule."""

    __slots__ = ("index", "item", "lex", "text")

    def __init__(self, item: _ItemScan, index: int) -> None:
        self.item = item
        self.index = index
        self.lex = item.lex
        self.text = item.sentences[index]

    def find(self, category: str) -> tuple:
        """Every match of `category` in the sentence."""
        hits = self.item.found.get(category)  # the hot path: no call when cached
        if hits is None:
            hits = self.item.find(category)
        return hits[self.index]

    def search(self, category: str, start: int = 0, end: int | None = None):
        """The first match of `category` lying inside text[start:end] (absolute offsets)."""
        stop = len(self.text) if end is None else end
        for m in self.item.find(category)[self.index]:
            if m.start() >= start and m.end() <= stop:
                return m
        return None


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    actors: tuple[_Actor, ...]
    truces: tuple[tuple[int, int], ...]  # spans of valid truce terms
    is_title: bool
    scan: _Scan
    # Truce spans by state (feeds.detect.truce_state): `real` truces exist or existed (any but a
    # proposal), so they can have been violated; `live` ones are in force, so fighting breaks them.
    real: tuple[tuple[int, int], ...] = ()
    live: tuple[tuple[int, int], ...] = ()


def _unique(values):
    seen: dict = {}
    for value in values:
        seen.setdefault(value, None)
    return tuple(seen)


def _full(lex: Lexicon, category: str, word: str) -> bool:
    return lex.is_word(category, word)


def _words_before(text: str, end: int, count: int) -> list[str]:
    return _TOKEN.findall(text[max(0, end - 60) : end])[-count:]


def _in_truce(s: _Sentence, start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in s.truces)
