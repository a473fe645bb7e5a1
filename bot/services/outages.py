"""Operator notices: a feed failing for hours is reported once to the operators, and so is its
recovery.

`due_notices` decides (pure); `report_feed_outages` claims each notice in the store together
with queueing it (one compare-and-set transaction on the feed's `outage_reported`), so every
outage is told exactly once, also across restarts. The notices go to the operators' private
chats through the outbox, like everything else the bot sends unasked.
May import bot.model, bot.i18n, bot.frontend.format and bot.store.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.frontend.format import format_time
from bot.i18n import gettext_for, ngettext_for
from bot.model import Destination, FeedState, OutboxKind, OutboxMessage

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

MAX_ERROR_SHOWN = 300


@dataclass(frozen=True, slots=True)
class FeedNotice:
    """One notice due: a feed's outage passed the threshold, or an outage told of is over."""

    feed: FeedState
    is_recovery: bool


def due_notices(
    feeds: Sequence[FeedState], *, now: datetime, after: timedelta
) -> list[FeedNotice]:
    """The notices to send now: outages older than `after` not told yet, and their ends.

    An outage told of is over when the feed works, or when the failure streak it belongs to
    ended and a new one began in between (a short recovery between two polls of this job).
    """
    notices = []
    for feed in feeds:
        reported, since = feed.outage_reported, feed.failing_since
        if reported is not None:
            if not feed.is_failing or (since is not None and since > reported):
                notices.append(FeedNotice(feed, is_recovery=True))
        elif feed.is_failing and since is not None and now - since >= after:
            notices.append(FeedNotice(feed, is_recovery=False))
    return notices


def _name(feed: FeedState) -> str:
    return html.escape(feed.title or feed.url, quote=False)


def outage_text(feed: FeedState, *, now: datetime, language: str | None = None) -> str:
    """The operators' notice of a feed failing for hours (Telegram HTML)."""
    _, ngettext = gettext_for(language), ngettext_for(language)
    since = feed.failing_since or now
    hours = int((now - since).total_seconds() // 3600)
    head = ngettext(
        "⚠️ <b>Feed failing for {hours} hour</b>: {name}",
        "⚠️ <b>Feed failing for {hours} hours</b>: {name}",
        hours,
    ).format(hours=hours, name=_name(feed))
    error = (feed.last_error or _("unknown error"))[:MAX_ERROR_SHOWN]
    return "\n".join(
        [
            head,
            html.escape(feed.url, quote=False),
            _("Last error: {error}").format(error=html.escape(error, quote=False)),
            _(
                "Failing since {since}. The bot keeps trying; "
                "one more message when it works again."
            ).format(since=format_time(since, language)),
        ]
    )


def recovery_text(feed: FeedState, *, language: str | None = None) -> str:
    """The operators' notice that a feed reported failing works again (Telegram HTML)."""
    _ = gettext_for(language)
    lines = [_("✅ <b>Feed working again</b>: {name}").format(name=_name(feed))]
    if feed.last_ok is not None:
        when = format_time(feed.last_ok, language)
        lines.append(_("Last successful check: {when}.").format(when=when))
    return "\n".join(lines)


async def report_feed_outages(
    store: Store, *, operators: Iterable[int], after: timedelta, now: datetime
) -> int:
    """Queue the due outage and recovery notices for the operators; returns how many feeds.

    Without operators (or with `after` of zero: notices off) nothing is claimed, so an outage
    is still told once operators are configured.
    """
    chats = sorted(set(operators))
    if not chats or after <= timedelta(0):
        return 0
    told = 0
    for notice in due_notices(await store.list_feeds(), now=now, after=after):
        feed = notice.feed
        text = recovery_text(feed) if notice.is_recovery else outage_text(feed, now=now)
        messages = [OutboxMessage(Destination(chat), OutboxKind.NOTICE, text) for chat in chats]
        claimed = await store.claim_feed_notice(
            feed.url,
            expected=feed.outage_reported,
            reported=None if notice.is_recovery else now,
            messages=messages,
            now=now,
        )
        if claimed:
            told += 1
            log.info(
                "operators told: feed %s %s",
                feed.url,
                "works again" if notice.is_recovery else "failing",
            )
    return told
