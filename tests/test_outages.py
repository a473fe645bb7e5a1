"""Operator notices: a feed failing longer than FEED_ALERT_HOURS is told once to the operators,
its recovery once more, also across restarts. The decision on its own, then the real poller on
a loopback feed, a real SQLite file, the delivery worker and the fake Bot API."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot

from bot.app import operator_notifier
from bot.frontend.delivery import DeliveryWorker, SendLimiter
from bot.model import FeedState
from bot.services.outages import due_notices, outage_text, report_feed_outages
from bot.services.poller import Poller
from bot.store import SqliteStore
from feeds.fetch import make_client
from tests.fakes.telegram_api import parse_telegram_html

TOKEN = "123456:OUTAGE-test"  # noqa: S105 - a fake token for the fake server
NOW = datetime(2025, 5, 6, 8, 0, tzinfo=UTC)
SIX_HOURS = timedelta(hours=6)
OPERATORS = (7001, 7002)


def feed(**changes) -> FeedState:
    state = FeedState(
        url="https://wire.example/rss",
        title="Wire & Co",
        lang="en",
        etag=None,
        last_modified=None,
        last_polled=NOW,
        last_ok=NOW - timedelta(hours=7),
        last_error="HTTP 503 <Service Unavailable>",
        failures=0,
        next_poll=NOW,
    )
    return replace(state, **changes)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (feed(), []),  # healthy, nothing told
        (feed(failures=3, failing_since=NOW - timedelta(hours=5)), []),  # not long enough yet
        (feed(failures=9, failing_since=NOW - SIX_HOURS), [False]),  # six hours: told
        (feed(failures=9, failing_since=NOW - SIX_HOURS, outage_reported=NOW), []),  # once
        (feed(outage_reported=NOW - timedelta(hours=1)), [True]),  # works again
        # Recovered and failing again between two runs: the old outage ended.
        (
            feed(failures=1, failing_since=NOW, outage_reported=NOW - timedelta(hours=1)),
            [True],
        ),
    ],
)
def test_due_notices(state, expected):
    notices = due_notices([state], now=NOW, after=SIX_HOURS)
    assert [n.is_recovery for n in notices] == expected


def test_outage_text_names_the_feed_the_error_and_the_hours():
    text = outage_text(
        feed(failures=9, failing_since=NOW - timedelta(hours=7, minutes=5)), now=NOW
    )
    visible = parse_telegram_html(text)
    assert visible.startswith("⚠️ Feed failing for 7 hours: Wire & Co")
    assert "Last error: HTTP 503 <Service Unavailable>" in visible
    assert "Failing since 6 May 2025 00:55 UTC" in visible


@pytest.fixture
async def bot(telegram_api):
    async with Bot(TOKEN, base_url=telegram_api.base_url) as bot:
        yield bot


class Steps:
    """One poll of every feed, the minute job and a delivery round, at a chosen time."""

    def __init__(self, db_path, settings, bot):
        self.db_path, self.settings, self.bot = db_path, settings, bot

    async def run(self, now: datetime, *, operators=OPERATORS) -> int:
        store = await SqliteStore.open(self.db_path)  # opened afresh: a restart every step
        try:
            async with make_client() as client:
                await Poller(store, client, self.settings, clock=lambda: now).poll_once(force=True)
            told = await report_feed_outages(store, operators=operators, after=SIX_HOURS, now=now)
            limiter = SendLimiter(per_second=0, chat_interval=0, group_per_minute=0)
            await DeliveryWorker(self.bot, store, limiter=limiter, clock=lambda: now).run_once()
            return told
        finally:
            await store.close()


async def test_an_outage_is_told_once_and_its_end_once(
    db_path, settings, bot, telegram_api, feed_server
):
    """Failing from 08:00: nothing at 13:00, one notice to each operator at 14:00, none after
    (restarts included); working again: one recovery notice; a second outage is told again."""
    feed_server.remove("/wire.xml")  # 404 from the start
    store = await SqliteStore.open(db_path)
    await store.add_feed(feed_server.url("/wire.xml"), now=NOW, title="Wire & Co")
    await store.close()
    steps = Steps(db_path, replace(settings, feeds_file=None), bot)

    assert await steps.run(NOW) == 0
    assert await steps.run(NOW + timedelta(hours=5)) == 0
    assert await steps.run(NOW + timedelta(hours=6, minutes=1), operators=()) == 0  # nobody
    assert await steps.run(NOW + timedelta(hours=6, minutes=2)) == 1
    assert await steps.run(NOW + timedelta(hours=6, minutes=3)) == 0
    assert await steps.run(NOW + timedelta(hours=9)) == 0
    feed_server.publish_rss("/wire.xml", [], title="Wire & Co")
    assert await steps.run(NOW + timedelta(hours=10)) == 1
    assert await steps.run(NOW + timedelta(hours=11)) == 0
    feed_server.remove("/wire.xml")
    assert await steps.run(NOW + timedelta(hours=12)) == 0
    assert await steps.run(NOW + timedelta(hours=18, minutes=1)) == 1

    for operator in OPERATORS:
        texts = [parse_telegram_html(m.text) for m in telegram_api.messages_to(operator)]
        assert [text.split(":")[0] for text in texts] == [
            "⚠️ Feed failing for 6 hours",
            "✅ Feed working again",
            "⚠️ Feed failing for 6 hours",
        ]
        assert "Last error: HTTP 404" in texts[0]
        assert all(not m.disable_notification for m in telegram_api.messages_to(operator))
    assert len(telegram_api.sent) == 6


async def test_other_operator_messages_also_go_through_the_outbox(
    db_path, bot, telegram_api, settings
):
    """The app's operator notifier (a paused webhook uses it) queues notices for the worker:
    plain text, escaped for Telegram HTML, once to each operator."""
    store = await SqliteStore.open(db_path)
    try:
        worker = DeliveryWorker(
            bot, store, limiter=SendLimiter(per_second=0, chat_interval=0, group_per_minute=0)
        )
        notify = operator_notifier(
            store, replace(settings, admin_user_ids=frozenset(OPERATORS)), worker
        )
        await notify("Webhook https://hooks.example/<x> paused: HTTP 500 & timeouts")
        assert await store.outbox_counts() == {"pending": 2}
        await worker.run_once()
    finally:
        await store.close()
    for operator in OPERATORS:
        (message,) = telegram_api.messages_to(operator)
        assert parse_telegram_html(message.text) == (
            "Webhook https://hooks.example/<x> paused: HTTP 500 & timeouts"
        )
