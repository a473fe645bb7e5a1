"""The novelty line of a blame alert: what the stored history says about this accusation.

"First time Russia has blamed Azerbaijan in the 96 days on record", "3rd accusation by Armenia
against Azerbaijan in 24 h", "Azerbaijan also accused Armenia 2 h ago". Pure: no I/O, no clock
(the caller passes `now`). `novelty_for` reads a list of stored alerts; `novelty_from_record`
gives the same line from a per-pair summary and a recent window (what the poller uses, so a
cycle's cost does not grow with the age of the database). May import feeds.model and bot.store's
records only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from feeds.model import Pair

REPEAT_WINDOWS = (timedelta(hours=24), timedelta(days=7))
COUNTER_WINDOW = timedelta(hours=72)  # a reply older than three days is no longer a "reply"
# Counts and replies look this far back; anything older matters only as "the last one".
RECENT_WINDOW = max(*REPEAT_WINDOWS, COUNTER_WINDOW)
MAX_FACTS = 2  # one line: the two most newsworthy facts

# How newsworthy each kind of fact is; the line leads with the highest.
_FIRST, _COUNTER, _RETURN, _REPEAT = 4, 3, 2, 1


class Accusation(Protocol):
    """What the history needs of a stored alert (Alert satisfies it)."""

    @property
    def pairs(self) -> tuple[Pair, ...]: ...
    @property
    def published(self) -> datetime: ...
    @property
    def created(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class PendingAccusation:
    """A blame story of the current poll not yet stored, so later stories of the batch see it."""

    pairs: tuple[Pair, ...]
    published: datetime
    created: datetime


@dataclass(frozen=True, slots=True)
class _Fact:
    score: int
    text: str
    first: Pair | None = None  # set for "first time" facts, which merge into one clause


def event_time(alert: Accusation) -> datetime:
    """When the accusation was made: the feed's date, never later than when we stored it."""
    return min(alert.published, alert.created).astimezone(UTC)


def ordinal(number: int) -> str:
    """1st 2nd 3rd 4th … 11th 12th 13th … 21st 22nd 23rd … 111th."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def ago(elapsed: timedelta) -> str:
    """'5 min ago', '2 h ago', '3 days ago' (never negative, never '0 min')."""
    minutes = max(1, int(elapsed.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} days ago"


def record_phrase(start: datetime, now: datetime) -> str:
    """'on record (since today)', '… (since yesterday)', 'in the 96 days on record'."""
    days = (now.astimezone(UTC).date() - start.astimezone(UTC).date()).days
    if days <= 0:
        return "on record (since today)"
    if days == 1:
        return "on record (since yesterday)"
    return f"in the {days} days on record"


def _record_start(
    earliest: datetime | None, now: datetime, on_record_since: datetime | None
) -> datetime:
    # The demo stores 2021 stories today: the record reaches back to the oldest event we hold.
    candidates = [now]
    if earliest is not None:
        candidates.append(earliest)
    if on_record_since is not None:
        candidates.append(on_record_since)
    return min(candidates)


def _pair_facts(pair: Pair, past: Sequence[tuple[datetime, Pair]], now: datetime) -> list[_Fact]:
    facts: list[_Fact] = []
    same = [when for when, p in past if p == pair]
    if not same:
        facts.append(_Fact(_FIRST, "", first=pair))
    else:
        for window in REPEAT_WINDOWS:
            recent = sum(1 for when in same if now - when <= window)
            if recent:
                span = "24 h" if window == REPEAT_WINDOWS[0] else "7 days"
                text = (
                    f"{ordinal(recent + 1)} accusation by {pair.accuser} against "
                    f"{pair.accused} in {span}"
                )
                facts.append(_Fact(_REPEAT, text))
                break
        else:
            gap = (now - max(same)).days
            text = f"First accusation by {pair.accuser} against {pair.accused} in {gap} days"
            facts.append(_Fact(_RETURN, text))
    reverse = Pair(pair.accused, pair.accuser)
    replies = [when for when, p in past if p == reverse and now - when <= COUNTER_WINDOW]
    if replies:
        text = f"{pair.accused} also accused {pair.accuser} {ago(now - max(replies))}"
        facts.append(_Fact(_COUNTER, text))
    return facts


def _blamed(firsts: Sequence[Pair]) -> str:
    if len(firsts) == 1:
        return f"{firsts[0].accuser} has blamed {firsts[0].accused}"
    a, b = firsts[0], firsts[1]
    if a == Pair(b.accused, b.accuser):
        return f"{a.accuser} and {a.accused} have blamed each other"
    if a.accuser == b.accuser:
        return f"{a.accuser} has blamed {a.accused} and {b.accused}"
    if a.accused == b.accused:
        return f"{a.accuser} and {b.accuser} have blamed {a.accused}"
    return f"{a.accuser} has blamed {a.accused} and {b.accuser} has blamed {b.accused}"


def _render(facts: Sequence[_Fact], record: str) -> str:
    firsts = [f.first for f in facts if f.first is not None]
    clauses: list[str] = []
    for fact in facts:
        if fact.first is None:
            clauses.append(fact.text)
        elif fact.first == firsts[0]:
            # Two "first time" facts share one clause and one record phrase.
            clauses.append(f"First time {_blamed(firsts)} {record}")
    line = "; ".join(clauses)
    return line[:1].upper() + line[1:]


def novelty_for(
    pairs: Sequence[Pair],
    history: Sequence[Accusation],
    *,
    now: datetime,
    on_record_since: datetime | None,
) -> str:
    """One short line for a blame alert with these pairs, from the blame alerts stored before it.

    `now` is when the new accusation was made (min of the item's date and the poll time);
    history events after `now` are ignored. The line leads with the most newsworthy facts:
    first time > counter-accusation within 72 h > first in a long while > nth in 24 h / 7 days.
    """
    wanted = _wanted(pairs)
    if not wanted:
        return ""
    now = now.astimezone(UTC)
    past = [
        (event_time(alert), pair)
        for alert in history
        if event_time(alert) <= now
        for pair in alert.pairs
    ]
    earliest = min((when for when, _ in past), default=None)
    return _line(wanted, past, now, _record_start(earliest, now, on_record_since))


def novelty_from_record(
    pairs: Sequence[Pair],
    recent: Sequence[tuple[datetime, Pair]],
    latest: Mapping[Pair, datetime],
    earliest: datetime | None,
    *,
    now: datetime,
    on_record_since: datetime | None,
) -> str:
    """The same line as `novelty_for`, from a summary instead of the whole history.

    `recent`: every accusation (event time, pair) in [now - RECENT_WINDOW, now]; others are
    ignored. `latest`: for each of `pairs`, its latest accusation at or before `now`, if any.
    `earliest`: the earliest accusation on record (of any pair), if any.
    """
    wanted = _wanted(pairs)
    if not wanted:
        return ""
    now = now.astimezone(UTC)
    start = now - RECENT_WINDOW
    past = [(when, pair) for when, pair in recent if start <= when <= now]
    # An older last accusation stands in for everything before the window: it answers
    # "first time?" and "in how many days?", and no count or reply reaches back that far.
    past.extend((when, pair) for pair, when in latest.items() if pair in wanted and when < start)
    if earliest is not None and earliest > now:
        earliest = None
    return _line(wanted, past, now, _record_start(earliest, now, on_record_since))


def _wanted(pairs: Sequence[Pair]) -> list[Pair]:
    return [p for p in dict.fromkeys(pairs) if p.accuser and p.accused]


def _line(
    wanted: Sequence[Pair], past: Sequence[tuple[datetime, Pair]], now: datetime, start: datetime
) -> str:
    facts = [fact for pair in wanted for fact in _pair_facts(pair, past, now)]
    # Stable sort: equal scores keep the order of the alert's pairs.
    facts.sort(key=lambda fact: -fact.score)
    top = facts[:MAX_FACTS]
    return _render(top, record_phrase(start, now))


def novelty_line(
    pair: Pair,
    history: Sequence[Accusation],
    *,
    now: datetime,
    on_record_since: datetime | None,
) -> str:
    """The novelty line for a single accuser → accused pair (see `novelty_for`)."""
    return novelty_for((pair,), history, now=now, on_record_since=on_record_since)
