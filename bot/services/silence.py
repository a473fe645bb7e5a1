"""Which messages arrive without a sound, and `/quiet` hours.

Breaches ring; ceasefire news and digests never do; in a chat's quiet hours nothing does (it is
still delivered at once, only silently). Pure: no I/O. May import bot.model, bot.i18n and
feeds.model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, time

from bot.i18n import gettext_for
from bot.model import OutboxRow, QuietHours
from feeds.model import Level

_WINDOW = re.compile(
    r"(\d{1,2})(?:[:.h](\d{2}))?\s*(?:-|–|—|to)\s*(\d{1,2})(?:[:.h](\d{2}))?(?:\s*utc)?",
    re.IGNORECASE,
)
OFF_WORDS = frozenset({"off", "none", "stop", "no"})


class QuietHoursError(ValueError):
    """Not a window of hours; the message says what is allowed (already translated)."""


def rings(levels: Iterable[Level]) -> bool:
    """A message about a breach or an accusation makes a sound; ceasefire news does not."""
    return any(level.is_alert for level in levels)


def is_silent(row: OutboxRow, now: datetime) -> bool:
    """Send this row with disable_notification: quiet hours, ceasefire news, digests."""
    if row.quiet_hours is not None and row.quiet_hours.covers(now):
        return True
    if row.alert is not None:
        return not rings((row.alert.level,))
    return row.is_silent


def parse_quiet_hours(text: str, *, language: str | None = None) -> QuietHours | None:
    """'22:00-07:00', '22-7', '22.30 – 6.45 UTC' → QuietHours; 'off' → None.

    Anything else raises QuietHoursError with a sentence in `language`.
    """
    _ = gettext_for(language)
    cleaned = " ".join(text.split())
    if cleaned.casefold() in OFF_WORDS:
        return None
    match = _WINDOW.fullmatch(cleaned)
    if match is None:
        raise QuietHoursError(
            _(
                "“{text}” is not a window of hours: use HH:MM-HH:MM in UTC, "
                "e.g. /quiet 22:00-07:00."
            ).format(text=text[:30])
        )
    start_hour, start_minute, end_hour, end_minute = (int(g or 0) for g in match.groups())
    if max(start_hour, end_hour) > 23 or max(start_minute, end_minute) > 59:
        raise QuietHoursError(
            _("“{text}” is not a time of day: hours run from 00:00 to 23:59 UTC.").format(
                text=text[:30]
            )
        )
    start, end = time(start_hour, start_minute), time(end_hour, end_minute)
    if start == end:
        raise QuietHoursError(
            _("Quiet hours need a start and a different end, e.g. /quiet 22:00-07:00.")
        )
    return QuietHours(start, end)
