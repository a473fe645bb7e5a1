"""/tally: who blamed whom how often over a window, and violation reports per conflict area.

Pure: no I/O, no clock (the caller passes `now` and alerts already filtered for the chat).
May import feeds (model, conflicts), bot.frontend.format and bot.store's records only.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.frontend.format import MAX_LINK_LENGTH, MAX_MESSAGE_LENGTH, is_web_link
from feeds.conflicts import conflict_of
from feeds.model import Level, Pair

if TYPE_CHECKING:
    from bot.model import Alert

DEFAULT_DAYS = 7
MAX_DAYS = 365
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MORE_RESERVE = len("\n…and 100000 more")


@dataclass(frozen=True, slots=True)
class TallyRow:
    """One line of the tally: a pair or a conflict area, its count and its newest story."""

    label: str
    count: int
    latest_link: str
    latest_title: str
    latest_time: datetime


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts over [start, end]: accusations by pair, violation reports by conflict area."""

    days: int
    start: datetime
    end: datetime
    accusations: tuple[TallyRow, ...]
    violations: tuple[TallyRow, ...]


def split_days(
    args: Sequence[str], *, default: int = DEFAULT_DAYS, maximum: int = MAX_DAYS
) -> tuple[int, list[str]]:
    """`/tally 30 gaza` → (30, ["gaza"]); a leading number is the window in days.

    Raises ValueError with a sentence a user can act on when the number is out of range.
    """
    rest = list(args)
    days = default
    if rest and rest[0].strip().isdigit():
        days = int(rest.pop(0).strip())
        if not 1 <= days <= maximum:
            raise ValueError(f"The window is 1 to {maximum} days, got {days}.")
    return days, rest


def short_date(moment: date | datetime) -> str:
    """'13 Mar' (UTC) without depending on the process locale."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC)
    return f"{moment.day} {_MONTHS[moment.month - 1]}"


def alert_actors(alert: Alert) -> tuple[str, ...]:
    """Accusers and accused first, then every other actor named: conflict_of's input."""
    named = [name for pair in alert.pairs for name in (pair.accuser, pair.accused)]
    return tuple(dict.fromkeys([*named, *alert.actors]))


def alert_conflict(alert: Alert) -> str:
    """The conflict area an alert is about ("Other" if none is known)."""
    return conflict_of(alert_actors(alert))


def _rows(counts: dict[str, list[Alert]]) -> tuple[TallyRow, ...]:
    rows = []
    for label, alerts in counts.items():
        newest = max(alerts, key=lambda a: (a.created, a.id))
        rows.append(TallyRow(label, len(alerts), newest.link, newest.title, newest.created))
    # Most often first; among equals the most recently active.
    rows.sort(key=lambda r: (-r.count, -r.latest_time.timestamp(), r.label))
    return tuple(rows)


def pair_label(pair: Pair) -> str:
    """'Russia → Azerbaijan'."""
    return f"{pair.accuser} → {pair.accused}"


def build_tally(alerts: Sequence[Alert], *, days: int, now: datetime) -> Tally:
    """Count the alerts created in the last `days` days up to `now`."""
    start = now - timedelta(days=days)
    by_pair: dict[str, list[Alert]] = {}
    by_area: dict[str, list[Alert]] = {}
    for alert in alerts:
        if not start <= alert.created <= now:
            continue
        if alert.level is Level.BLAME and alert.pairs:
            for pair in dict.fromkeys(alert.pairs):
                by_pair.setdefault(pair_label(pair), []).append(alert)
        elif alert.level in (Level.BLAME, Level.VIOLATION):
            by_area.setdefault(alert_conflict(alert), []).append(alert)
    return Tally(days, start, now, _rows(by_pair), _rows(by_area))


def latest_link(row: TallyRow) -> str:
    """'<a href="…">latest 13 Mar</a>', or the plain words when the link is not a web link."""
    words = f"latest {short_date(row.latest_time)}"
    link = row.latest_link.strip()
    if is_web_link(link) and len(link) <= MAX_LINK_LENGTH:
        return f'<a href="{html.escape(link, quote=True)}">{words}</a>'
    return words


def fit_sections(
    head: Sequence[str],
    sections: Sequence[tuple[str, Sequence[str]]],
    *,
    limit: int = MAX_MESSAGE_LENGTH,
    more: Callable[[int], str] = lambda n: f"…and {n} more",
) -> str:
    """Join head lines and titled sections of lines, whole lines only, within `limit`.

    Lines that do not fit are counted and replaced by one "…and N more" line, so a cut never
    falls inside a tag or an entity. A section none of whose lines fit loses its title too.
    """
    out = "\n".join(head)
    total = sum(len(lines) for _, lines in sections)
    shown = 0
    for title, lines in sections:
        block = f"\n\n{title}" if title else "\n"
        added = 0
        for line in lines:
            piece = (block if added == 0 else "") + "\n" + line
            if len(out) + len(piece) + _MORE_RESERVE > limit:
                break
            out += piece
            added += 1
        shown += added
        if added < len(lines):
            break
    if shown < total:
        out += "\n" + more(total - shown)
    return out


def format_tally(tally: Tally) -> str:
    """The tally as Telegram HTML (escaped, at most 4096 characters)."""
    period = f"{short_date(tally.start)} – {short_date(tally.end)} {tally.end:%Y}, UTC"
    day_word = "day" if tally.days == 1 else f"{tally.days} days"
    head = [f"📊 <b>Tally, last {day_word}</b> ({period})"]
    if not tally.accusations and not tally.violations:
        head.append(f"No accusations or violation reports in the last {day_word}.")
        return "\n".join(head)
    width = len(str(max(r.count for r in (*tally.accusations, *tally.violations))))

    def line(row: TallyRow) -> str:
        label = html.escape(row.label, quote=False)
        return f"<code>{row.count:>{width}}</code> {label} · {latest_link(row)}"

    sections = []
    if tally.accusations:
        sections.append(("🔴 <b>Who blamed whom</b>", [line(r) for r in tally.accusations]))
    else:
        sections.append(("🔴 <b>Who blamed whom</b>", ["none"]))
    if tally.violations:
        sections.append(
            ("🟠 <b>Violation reports by conflict</b>", [line(r) for r in tally.violations])
        )
    return fit_sections(head, sections)
