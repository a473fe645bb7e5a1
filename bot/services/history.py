"""The novelty line of a blame alert: what the stored history says about this accusation.

"First time Russia has blamed Azerbaijan in the 96 days on record", "3rd accusation by Armenia
against Azerbaijan in 24 h", "Azerbaijan also accused Armenia 2 h ago". Pure: no I/O, no clock
(the caller passes `now`). `novelty_for` reads a list of stored alerts; `novelty_from_activity`
gives the same facts from what the store says of each pair (`PairActivity`: the latest
accusation, counts in the repeat windows, the latest reply), which the poller reads through an
index, so a cycle's cost does not grow with the age of the database. The facts (`Novelty`) are
stored with the alert and worded per chat by `render_novelty`, in the chat's language. May
import feeds.model, bot.i18n and bot.model only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.i18n import actor_name, gettext_for, isolate, ngettext_for, pgettext_for
from bot.model import PairActivity
from feeds.model import Pair

REPEAT_WINDOWS = (timedelta(hours=24), timedelta(days=7))
COUNTER_WINDOW = timedelta(hours=72)  # a reply older than three days is no longer a "reply"
MAX_FACTS = 2  # one line: the two most newsworthy facts


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


class FactKind(StrEnum):
    """What is new about an accusation, most newsworthy first."""

    FIRST = "first"  # never before on record
    COUNTER = "counter"  # the accused side accused this accuser within 72 h
    RETURN = "return"  # the first in a long while
    REPEAT = "repeat"  # the nth within 24 h or 7 days


# How newsworthy each kind of fact is; the line leads with the highest.
_SCORE = {FactKind.FIRST: 4, FactKind.COUNTER: 3, FactKind.RETURN: 2, FactKind.REPEAT: 1}


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact about one accuser → accused pair, in numbers, to be worded in any language."""

    kind: FactKind
    pair: Pair
    # REPEAT: this accusation's rank in the window; RETURN: days since the last one;
    # COUNTER: minutes since the other side's accusation.
    number: int = 0
    window_days: int = 0  # REPEAT: 1 (24 h) or 7


@dataclass(frozen=True, slots=True)
class Novelty:
    """The facts of a novelty line; stored with the alert and worded in each chat's language."""

    facts: tuple[Fact, ...] = ()
    record_days: int = 0  # the record's length in days, for "first time … on record"

    def encode(self) -> str:
        """The JSON stored in the alert's novelty column ('' when there is nothing new)."""
        if not self.facts:
            return ""
        facts = [
            [f.kind.value, f.pair.accuser, f.pair.accused, f.number, f.window_days]
            for f in self.facts
        ]
        return json.dumps({"facts": facts, "record_days": self.record_days}, ensure_ascii=False)

    @classmethod
    def decode(cls, text: str) -> Novelty | None:
        """The facts stored by `encode`; None for anything else (a line stored as text)."""
        if not text.startswith("{"):
            return None
        try:
            data = json.loads(text)
            facts = tuple(
                Fact(FactKind(kind), Pair(accuser, accused), int(number), int(window))
                for kind, accuser, accused, number, window in data["facts"]
            )
            return cls(facts, int(data["record_days"]))
        except (ValueError, KeyError, TypeError):
            return None


def event_time(alert: Accusation) -> datetime:
    """When the accusation was made: the feed's date, never later than when we stored it."""
    return min(alert.published, alert.created).astimezone(UTC)


def ordinal(number: int, language: str | None = None) -> str:
    """1st 2nd 3rd 4th … 11th 12th 13th … 21st 22nd 23rd … 111th; '3-е', '3e' elsewhere."""
    pgettext = pgettext_for(language)
    # Translators: the rank of an accusation ("3rd accusation…"); write the ordinal for your word
    # for "accusation", the same in all four forms if your language does not vary it (the number is
    # always 2 or more).
    if 10 <= number % 100 <= 20:
        pattern = pgettext("ordinal", "{number}th")
    else:
        pattern = {
            1: pgettext("ordinal", "{number}st"),
            2: pgettext("ordinal", "{number}nd"),
            3: pgettext("ordinal", "{number}rd"),
        }.get(number % 10) or pgettext("ordinal", "{number}th")
    return pattern.format(number=number)


def ago(elapsed: timedelta, language: str | None = None) -> str:
    """'5 min ago', '2 h ago', '3 days ago' (never negative, never '0 min')."""
    ngettext = ngettext_for(language)
    minutes = max(1, int(elapsed.total_seconds() // 60))
    if minutes < 60:
        return ngettext("{count} min ago", "{count} min ago", minutes).format(count=minutes)
    hours = minutes // 60
    if hours < 48:
        return ngettext("{count} h ago", "{count} h ago", hours).format(count=hours)
    days = hours // 24
    return ngettext("{count} day ago", "{count} days ago", days).format(count=days)


def record_days(start: datetime, now: datetime) -> int:
    """Calendar days from the record's first UTC day to now's (0: since today)."""
    return max(0, (now.astimezone(UTC).date() - start.astimezone(UTC).date()).days)


def record_phrase(days: int, language: str | None = None) -> str:
    """'on record (since today)', '… (since yesterday)', 'in the 96 days on record'."""
    _, ngettext = gettext_for(language), ngettext_for(language)
    if days <= 0:
        return _("on record (since today)")
    if days == 1:
        return _("on record (since yesterday)")
    phrase = ngettext("in the {count} day on record", "in the {count} days on record", days)
    return phrase.format(count=days)


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


def _pair_facts(activity: PairActivity, now: datetime) -> list[Fact]:
    pair = activity.pair
    facts: list[Fact] = []
    if activity.latest is None:
        facts.append(Fact(FactKind.FIRST, pair))
    else:
        for window, recent in zip(REPEAT_WINDOWS, activity.counts, strict=True):
            if recent:
                facts.append(Fact(FactKind.REPEAT, pair, recent + 1, window.days or 1))
                break
        else:
            facts.append(Fact(FactKind.RETURN, pair, (now - activity.latest).days))
    if activity.reply is not None:
        minutes = int((now - activity.reply).total_seconds() // 60)
        facts.append(Fact(FactKind.COUNTER, pair, minutes))
    return facts


def activity_of(
    pair: Pair, events: Iterable[tuple[datetime, Pair]], now: datetime
) -> PairActivity:
    """What `events` (event time, pair) say of `pair` at `now`; events after `now` are ignored."""
    same: list[datetime] = []
    replies: list[datetime] = []
    reverse = Pair(pair.accused, pair.accuser)
    for when, found in events:
        if when > now:
            continue
        if found == pair:
            same.append(when)
        if found == reverse and now - when <= COUNTER_WINDOW:
            replies.append(when)
    return PairActivity(
        pair=pair,
        latest=max(same, default=None),
        counts=tuple(sum(1 for when in same if now - when <= w) for w in REPEAT_WINDOWS),
        reply=max(replies, default=None),
    )


def combined(a: PairActivity, b: PairActivity) -> PairActivity:
    """One pair's activity from two disjoint sets of accusations (stored and pending)."""
    return PairActivity(
        pair=a.pair,
        latest=max((t for t in (a.latest, b.latest) if t is not None), default=None),
        counts=tuple(x + y for x, y in zip(a.counts, b.counts, strict=True)),
        reply=max((t for t in (a.reply, b.reply) if t is not None), default=None),
    )


def _name(actor: str, language: str | None) -> str:
    return isolate(actor_name(actor, language), language)


def _blamed(firsts: Sequence[Pair], language: str | None) -> str:
    _ = gettext_for(language)
    a = firsts[0]
    accuser, accused = _name(a.accuser, language), _name(a.accused, language)
    if len(firsts) == 1:
        # Translators: the names are in the nominative and cannot be declined: prefer an arrow
        # ("{accuser} → {accused}") where a verb would need a case.
        return _("{accuser} has blamed {accused}").format(accuser=accuser, accused=accused)
    b = firsts[1]
    if a == Pair(b.accused, b.accuser):
        return _("{first} and {second} have blamed each other").format(
            first=accuser, second=accused
        )
    other_accuser, other_accused = _name(b.accuser, language), _name(b.accused, language)
    if a.accuser == b.accuser:
        text = _("{accuser} has blamed {accused} and {other_accused}")
    elif a.accused == b.accused:
        text = _("{accuser} and {other_accuser} have blamed {accused}")
    else:
        text = _("{accuser} has blamed {accused} and {other_accuser} has blamed {other_accused}")
    return text.format(
        accuser=accuser,
        accused=accused,
        other_accuser=other_accuser,
        other_accused=other_accused,
    )


def _fact_text(fact: Fact, language: str | None) -> str:
    """A fact other than 'first time' as a clause."""
    _, ngettext = gettext_for(language), ngettext_for(language)
    accuser, accused = _name(fact.pair.accuser, language), _name(fact.pair.accused, language)
    if fact.kind is FactKind.REPEAT:
        if fact.window_days == 1:
            text = _("{ordinal} accusation by {accuser} against {accused} in 24 h")
        else:
            text = _("{ordinal} accusation by {accuser} against {accused} in 7 days")
        nth = ordinal(fact.number, language)
        return text.format(ordinal=nth, accuser=accuser, accused=accused)
    if fact.kind is FactKind.RETURN:
        text = ngettext(
            "First accusation by {accuser} against {accused} in {count} day",
            "First accusation by {accuser} against {accused} in {count} days",
            fact.number,
        )
        return text.format(accuser=accuser, accused=accused, count=fact.number)
    # COUNTER: the accused of this story made its own accusation shortly before.
    # Translators: the accused of this alert had accused its accuser shortly before; {ago} is "2 h
    # ago".
    return _("{accused} also accused {accuser} {ago}").format(
        accused=accused, accuser=accuser, ago=ago(timedelta(minutes=fact.number), language)
    )


def render_novelty(novelty: Novelty, language: str | None = None) -> str:
    """The novelty line in a language: 'First time Russia has blamed Azerbaijan in …'."""
    _ = gettext_for(language)
    firsts = [f.pair for f in novelty.facts if f.kind is FactKind.FIRST]
    clauses: list[str] = []
    for fact in novelty.facts:
        if fact.kind is not FactKind.FIRST:
            clauses.append(_fact_text(fact, language))
        elif fact.pair == firsts[0]:
            # Two "first time" facts share one clause and one record phrase.
            blamed = _blamed(firsts, language)
            record = record_phrase(novelty.record_days, language)
            # Translators: {blamed} is "Russia has blamed Azerbaijan" (or two such pairs), {record}
            # "in the 96 days on record". Actor names come in the nominative: an arrow ("Россия →
            # Азербайджан") avoids declining them.
            clauses.append(_("First time {blamed} {record}").format(blamed=blamed, record=record))
    if len(clauses) > 1:
        # Translators: two facts of the novelty line in one line.
        line = _("{first}; {second}").format(first=clauses[0], second=clauses[1])
    else:
        line = "".join(clauses)
    return line[:1].upper() + line[1:]


def novelty_text(stored: str, language: str | None = None) -> str:
    """An alert's stored novelty in a language; a line stored as plain text stays as it is."""
    novelty = Novelty.decode(stored)
    return stored if novelty is None else render_novelty(novelty, language)


def novelty_for(
    pairs: Sequence[Pair],
    history: Sequence[Accusation],
    *,
    now: datetime,
    on_record_since: datetime | None,
) -> Novelty:
    """The facts for a blame alert with these pairs, from the blame alerts stored before it.

    `now` is when the new accusation was made (min of the item's date and the poll time);
    history events after `now` are ignored. The line leads with the most newsworthy facts:
    first time > counter-accusation within 72 h > first in a long while > nth in 24 h / 7 days.
    """
    wanted = wanted_pairs(pairs)
    if not wanted:
        return Novelty()
    now = now.astimezone(UTC)
    past = [
        (event_time(alert), pair)
        for alert in history
        if event_time(alert) <= now
        for pair in alert.pairs
    ]
    earliest = min((when for when, _ in past), default=None)
    activities = [activity_of(pair, past, now) for pair in wanted]
    return _line(activities, now, _record_start(earliest, now, on_record_since))


def novelty_from_activity(
    activities: Sequence[PairActivity],
    earliest: datetime | None,
    *,
    now: datetime,
    on_record_since: datetime | None,
) -> Novelty:
    """The same facts as `novelty_for`, from what the record says of each pair instead of the
    whole history: one `PairActivity` per pair of the alert (in the alert's order, repeats and
    empty names left out, see `wanted_pairs`) at `now`, and the earliest accusation on record
    of any pair.
    """
    if not activities:
        return Novelty()
    now = now.astimezone(UTC)
    if earliest is not None and earliest > now:
        earliest = None
    return _line(activities, now, _record_start(earliest, now, on_record_since))


def wanted_pairs(pairs: Sequence[Pair]) -> list[Pair]:
    """The pairs a line speaks of: repeats and pairs with an empty name left out."""
    return [p for p in dict.fromkeys(pairs) if p.accuser and p.accused]


def _line(activities: Sequence[PairActivity], now: datetime, start: datetime) -> Novelty:
    facts = [fact for activity in activities for fact in _pair_facts(activity, now)]
    # Stable sort: equal scores keep the order of the alert's pairs.
    facts.sort(key=lambda fact: -_SCORE[fact.kind])
    return Novelty(tuple(facts[:MAX_FACTS]), record_days(start, now))


def novelty_line(
    pair: Pair,
    history: Sequence[Accusation],
    *,
    now: datetime,
    on_record_since: datetime | None,
    language: str | None = None,
) -> str:
    """The novelty line for a single accuser → accused pair, worded (see `novelty_for`)."""
    novelty = novelty_for((pair,), history, now=now, on_record_since=on_record_since)
    return render_novelty(novelty, language)
