"""/tally: who blamed whom how often over a window, and violation reports per conflict area.

Pure: no I/O, no clock (the caller passes `now` and alerts already filtered for the chat).
Worded in the chat's language (`language`, None = English). May import feeds (model,
conflicts), bot.i18n, bot.frontend.format and bot.store's records only.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.frontend.format import MAX_LINK_LENGTH, MAX_MESSAGE_LENGTH, is_web_link, short_date
from bot.i18n import conflict_label, gettext_for, isolate, ngettext_for, pair_text, rtl_lines
from feeds.conflicts import conflict_of
from feeds.model import Level, Pair

if TYPE_CHECKING:
    from bot.model import Alert

DEFAULT_DAYS = 7
MAX_DAYS = 365
_MORE_RESERVE = 40  # room for the "…and 100000 more" line in any language


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
    args: Sequence[str],
    *,
    default: int = DEFAULT_DAYS,
    maximum: int = MAX_DAYS,
    language: str | None = None,
) -> tuple[int, list[str]]:
    """`/tally 30 gaza` → (30, ["gaza"]); a leading number is the window in days.

    Raises ValueError with a sentence a user can act on when the number is out of range.
    """
    rest = list(args)
    days = default
    if rest and rest[0].strip().isdigit():
        days = int(rest.pop(0).strip())
        if not 1 <= days <= maximum:
            _ = gettext_for(language)
            raise ValueError(
                _("The window is 1 to {maximum} days, got {days}.").format(
                    maximum=maximum, days=days
                )
            )
    return days, rest


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


def pair_label(pair: Pair, language: str | None = None) -> str:
    """'Russia → Azerbaijan', in the language ('Россия → Азербайджан')."""
    return pair_text(pair.accuser, pair.accused, language)


def build_tally(
    alerts: Sequence[Alert], *, days: int, now: datetime, language: str | None = None
) -> Tally:
    """Count the alerts created in the last `days` days up to `now`; labels in the language."""
    start = now - timedelta(days=days)
    by_pair: dict[str, list[Alert]] = {}
    by_area: dict[str, list[Alert]] = {}
    for alert in alerts:
        if not start <= alert.created <= now:
            continue
        if alert.level is Level.BLAME and alert.pairs:
            for pair in dict.fromkeys(alert.pairs):
                by_pair.setdefault(pair_label(pair, language), []).append(alert)
        elif alert.level in (Level.BLAME, Level.VIOLATION):
            area = conflict_label(alert_conflict(alert), language)
            by_area.setdefault(isolate(area, language), []).append(alert)
    return Tally(days, start, now, _rows(by_pair), _rows(by_area))


def latest_link(row: TallyRow, language: str | None = None) -> str:
    """'<a href="…">latest 13 Mar</a>', or the plain words when the link is not a web link."""
    _ = gettext_for(language)
    # Translators: a link to the newest story of a tally line; {date} is "13 Mar".
    words = html.escape(_("latest {date}").format(date=short_date(row.latest_time, language)))
    link = row.latest_link.strip()
    if is_web_link(link) and len(link) <= MAX_LINK_LENGTH:
        return f'<a href="{html.escape(link, quote=True)}">{words}</a>'
    return words


def more_line(count: int, language: str | None = None) -> str:
    """'…and 12 more': what a message cut to Telegram's limit leaves out."""
    ngettext = ngettext_for(language)
    return ngettext("…and {count} more", "…and {count} more", count).format(count=count)


def fit_sections(
    head: Sequence[str],
    sections: Sequence[tuple[str, Sequence[str]]],
    *,
    limit: int = MAX_MESSAGE_LENGTH,
    more: Callable[[int], str] = more_line,
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


def format_tally(tally: Tally, language: str | None = None) -> str:
    """The tally as Telegram HTML (escaped, at most 4096 characters), in the language."""
    _, ngettext = gettext_for(language), ngettext_for(language)
    period = _("{start} – {end} {year}, UTC").format(
        start=short_date(tally.start, language),
        end=short_date(tally.end, language),
        year=tally.end.year,
    )
    title = ngettext("Tally, last day", "Tally, last {count} days", tally.days)
    head = [f"📊 <b>{html.escape(title.format(count=tally.days))}</b> ({html.escape(period)})"]
    if not tally.accusations and not tally.violations:
        empty = ngettext(
            "No accusations or violation reports in the last day.",
            "No accusations or violation reports in the last {count} days.",
            tally.days,
        )
        head.append(html.escape(empty.format(count=tally.days)))
        return rtl_lines("\n".join(head), language)
    width = len(str(max(r.count for r in (*tally.accusations, *tally.violations))))

    def line(row: TallyRow) -> str:
        label = html.escape(row.label, quote=False)
        return f"<code>{row.count:>{width}}</code> {label} · {latest_link(row, language)}"

    who = "🔴 <b>{}</b>".format(html.escape(_("Who blamed whom")))
    # Translators: no accusations in the tally window.
    sections = [(who, [line(r) for r in tally.accusations] or [html.escape(_("none"))])]
    if tally.violations:
        by_conflict = "🟠 <b>{}</b>".format(html.escape(_("Violation reports by conflict")))
        sections.append((by_conflict, [line(r) for r in tally.violations]))
    text = fit_sections(head, sections, more=lambda n: more_line(n, language))
    return rtl_lines(text, language)
