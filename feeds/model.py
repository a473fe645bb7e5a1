"""Records that flow through the pipeline: Item, Level, Pair, Detection, StreamContext.

Imports nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Level(StrEnum):
    """How strongly an item reports a ceasefire breach; ordered blame > violation > ceasefire."""

    NONE = "none"
    CEASEFIRE = "ceasefire"
    VIOLATION = "violation"
    BLAME = "blame"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def is_alert(self) -> bool:
        """Breach levels are pushed to every subscriber; ceasefire news only on request."""
        return self in (Level.BLAME, Level.VIOLATION)


_RANKS = {Level.NONE: 0, Level.CEASEFIRE: 1, Level.VIOLATION: 2, Level.BLAME: 3}


class TruceState(StrEnum):
    """What an item says of a truce it names (feeds.detect.truce_state)."""

    PROPOSED = "proposed"
    ENDED = "ended"
    IN_FORCE = "in_force"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Pair:
    """One accusation: `accuser` says `accused` broke the truce (canonical English names)."""

    accuser: str
    accused: str


@dataclass(frozen=True, slots=True)
class Detection:
    """What `feeds.detect.classify` found in one item."""

    level: Level
    pairs: tuple[Pair, ...] = ()
    matched: tuple[str, ...] = ()  # the lexicon terms that fired, as written in the text
    evidence: str = ""  # the sentence that carries the breach or accusation
    summary: str = ""  # <= ~300 chars of the item's own sentences, evidence included
    actors: tuple[str, ...] = ()  # every canonical actor mentioned (used by chat filters)
    # What the item says of its truce, for the poller's record of truces in force: IN_FORCE
    # (took effect, holds, extended), ENDED (expired, over), or None.
    truce_state: TruceState | None = None
    # Computes (summary, actors) of a `deferred` detection on first read; None once they are set.
    _fill: Callable[[], tuple[str, tuple[str, ...]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def deferred(cls, level: Level, fill: Callable[[], tuple[str, tuple[str, ...]]]) -> Detection:
        """A detection with no pairs, terms or evidence whose summary and actors are computed
        by `fill` when first read.

        Most items are plain news: the bot stores only their level, so finding their actors
        (the costliest step for such an item) would be wasted; equality, hashing and repr read
        both fields and so see the same values as an eager detection.
        """
        found = object.__new__(cls)
        for name, value in (("level", level), ("pairs", ()), ("matched", ()), ("evidence", "")):
            object.__setattr__(found, name, value)
        object.__setattr__(found, "truce_state", None)
        object.__setattr__(found, "_fill", fill)
        return found

    @property
    def is_deferred(self) -> bool:
        """Summary and actors not computed yet (they will be on first read)."""
        return self._fill is not None

    def __getattr__(self, name: str):
        # Reached only when a slot is unset: the summary and actors of a deferred detection.
        if name not in ("summary", "actors") or self._fill is None:
            raise AttributeError(name)
        summary, actors = self._fill()
        object.__setattr__(self, "summary", summary)
        object.__setattr__(self, "actors", actors)
        object.__setattr__(self, "_fill", None)
        return summary if name == "summary" else actors


@dataclass(frozen=True, slots=True)
class StreamContext:
    """What the bot's own stream knows when it classifies an item: the conflict areas
    (feeds.conflicts labels) whose truce took effect and has not been reported over since."""

    truces_in_force: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Item:
    """One feed entry, normalised: plain text, UTC time, a key stable across polls."""

    key: str  # guid/id, else link, else sha256 of title+summary
    feed_url: str
    title: str
    summary: str
    link: str
    published: datetime  # aware UTC; first-seen time when the feed gives none
    source_title: str
    lang: str | None = None  # BCP-47-ish hint from the feed or entry, e.g. "ru", "en-GB"
