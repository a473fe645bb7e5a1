"""The daily digest: one message a day per chat with the breaches and accusations by conflict.

`build_digest`, `parse_digest_time`, `digest_slot` and `is_digest_due` are pure.
`enqueue_due_digests` is the job the JobQueue runs every minute: it reads the store and claims
each due chat's slot together with queueing its digest (one transaction, so a slot is never
queued twice), written in the chat's language; the delivery worker sends it. May import feeds,
bot.i18n, bot.model, bot.frontend.format,
bot.services.tally and bot.store.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.frontend.format import LEVEL_EMOJI, MAX_LINK_LENGTH, cut_text, is_web_link, short_date
from bot.i18n import conflict_label, gettext_for, isolate, ngettext_for, rtl_lines
from bot.model import OutboxKind, OutboxMessage
from bot.services.history import event_time
from bot.services.tally import alert_conflict, fit_sections, more_line, pair_label
from feeds.conflicts import OTHER
from feeds.model import Level

if TYPE_CHECKING:
    from bot.model import Alert, Subscription
    from bot.store import Store

log = logging.getLogger(__name__)

DEFAULT_DIGEST_TIME = "07:00"
DIGEST_WINDOW = timedelta(hours=24)
MAX_DIGEST_TITLE = 140  # one line per story on a phone
_TIME = re.compile(r"(\d{1,2})[:.h](\d{2})(?:\s*utc)?", re.IGNORECASE)

FilterFn = Callable[["Subscription", "Alert"], bool]


class DigestTimeError(ValueError):
    """Not a time of day; the message says what is allowed."""


def parse_digest_time(text: str | None, language: str | None = None) -> str:
    """'7:30', '07:30', '07.30 UTC' → '07:30'; empty → the default 07:00; else DigestTimeError."""
    if text is None or not text.strip():
        return DEFAULT_DIGEST_TIME
    _ = gettext_for(language)
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise DigestTimeError(
            _("“{text}” is not a time: use HH:MM in UTC, e.g. 07:30.").format(text=text[:20])
        )
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise DigestTimeError(
            _("“{text}” is not a time of day: 00:00 to 23:59 UTC.").format(text=text[:20])
        )
    return f"{hour:02d}:{minute:02d}"


def digest_slot(digest_time: str, now: datetime) -> datetime:
    """The latest scheduled moment at or before `now` (today's HH:MM, else yesterday's)."""
    hour, minute = (int(part) for part in digest_time.split(":"))
    now = now.astimezone(UTC)
    slot = datetime.combine(now.date(), time(hour, minute), tzinfo=UTC)
    return slot if slot <= now else slot - timedelta(days=1)


def is_digest_due(digest_time: str | None, last_digest: datetime | None, now: datetime) -> bool:
    """True once per scheduled slot: its time has come and no digest was sent since.

    After a restart a slot whose time passed without a digest is due; a chat that never had a
    digest is due at once (the /subscribe handler stamps last_digest to start tomorrow).
    """
    if not digest_time:
        return False
    try:
        slot = digest_slot(parse_digest_time(digest_time), now)
    except DigestTimeError:
        return False  # a bad stored value must not stop every other chat's digest
    return last_digest is None or last_digest < slot


def _clock(moment: datetime, start: datetime, end: datetime, language: str | None) -> str:
    # Inside a 24 h window the time of day names the moment; older stories get a date.
    if start <= moment <= end:
        return f"{moment.astimezone(UTC):%H:%M}"
    return f"{short_date(moment, language)} {moment.astimezone(UTC):%Y}"


def _story_line(alert: Alert, start: datetime, end: datetime, language: str | None) -> str:
    _ = gettext_for(language)
    emoji = LEVEL_EMOJI.get(alert.level, "⚪")
    when = _clock(event_time(alert), start, end, language)
    pairs = [pair_label(p, language) for p in alert.pairs] if alert.level is Level.BLAME else []
    title = html.escape(cut_text(alert.title.strip(), MAX_DIGEST_TITLE), quote=False)
    link = alert.link.strip()
    if is_web_link(link) and len(link) <= MAX_LINK_LENGTH and title:
        title = f'<a href="{html.escape(link, quote=True)}">{title}</a>'
    source = html.escape(cut_text(alert.source_title.strip(), 40), quote=False)
    parts = [f"{emoji} {when}"]
    if pairs:
        who = html.escape(_(", ").join(pairs), quote=False)
        parts.append(f"<b>{who}</b>:")
    # Translators: a news item without a headline.
    parts.append(isolate(title, language) or html.escape(_("(no title)")))
    if source:
        parts.append(f"— {isolate(source, language)}")
    return " ".join(parts)


def _counts(chosen: Sequence[Alert], language: str | None) -> str:
    """'3 accusations · 1 violation report · 2 ceasefire items'."""
    ngettext = ngettext_for(language)
    blames = sum(a.level is Level.BLAME for a in chosen)
    violations = sum(a.level is Level.VIOLATION for a in chosen)
    counts = [
        ngettext("{count} accusation", "{count} accusations", blames).format(count=blames),
        ngettext("{count} violation report", "{count} violation reports", violations).format(
            count=violations
        ),
    ]
    news = len(chosen) - blames - violations
    if news:
        counts.append(
            ngettext("{count} ceasefire item", "{count} ceasefire items", news).format(count=news)
        )
    return " · ".join(counts)


def build_digest(
    alerts: Sequence[Alert],
    *,
    day_start: datetime,
    day_end: datetime,
    language: str | None = None,
) -> str:
    """One Telegram HTML message (≤ 4096) with the window's alerts grouped by conflict area."""
    _ = gettext_for(language)
    period = _("{start} – {end} UTC").format(
        start=f"{short_date(day_start, language)} {day_start.astimezone(UTC):%H:%M}",
        end=f"{short_date(day_end, language)} {day_end.astimezone(UTC):%H:%M}",
    )
    title = html.escape(_("Daily digest"))
    head = [f"🗞 <b>{title}</b> · {html.escape(period)}"]
    chosen = sorted(
        (a for a in alerts if day_start <= a.created < day_end),
        key=lambda a: (event_time(a), a.id),
    )
    if not chosen:
        head.append(
            html.escape(_("No ceasefire breaches or accusations reported in these 24 hours."))
        )
        return rtl_lines("\n".join(head), language)
    head.append(_counts(chosen, language))
    groups: dict[str, list[Alert]] = {}
    for alert in chosen:
        groups.setdefault(alert_conflict(alert), []).append(alert)
    # The busiest conflict first; "Other" always last.
    order = sorted(groups, key=lambda label: (label == OTHER, -len(groups[label]), label))
    sections = [
        (
            f"<b>{html.escape(conflict_label(label, language), quote=False)}</b> "
            f"({len(groups[label])})",
            [_story_line(a, day_start, day_end, language) for a in groups[label]],
        )
        for label in order
    ]
    text = fit_sections(head, sections, more=lambda n: more_line(n, language))
    return rtl_lines(text, language)


async def enqueue_due_digests(store: Store, *, now: datetime, filter_fn: FilterFn) -> int:
    """Queue every due digest once, for the delivery worker to send; returns how many.

    Claiming the slot and queueing the message are one transaction in the store, so a slot's
    digest is queued exactly once, also across restarts and concurrent runs. Sending it (flood
    waits, retries, blocked chats, migrated groups) is the delivery worker's job, as for alerts.
    Digests arrive without a sound.
    """
    due = [
        sub
        for sub in await store.active_subscriptions()
        if is_digest_due(sub.digest_time, sub.last_digest, now)
    ]
    if not due:
        return 0
    day_start = now - DIGEST_WINDOW
    alerts = await store.alerts_between(day_start, now)
    queued = 0
    for sub in due:
        assert sub.digest_time is not None  # noqa: S101 - is_digest_due checked it
        slot = digest_slot(parse_digest_time(sub.digest_time), now)
        text = build_digest(
            [a for a in alerts if filter_fn(sub, a)],
            day_start=day_start,
            day_end=now,
            language=sub.language,
        )
        message = OutboxMessage(sub.destination, OutboxKind.DIGEST, text, is_silent=True)
        queued += await store.claim_digest(message, slot=slot, now=now)
    if queued:
        log.info("%d daily digests queued", queued)
    return queued
