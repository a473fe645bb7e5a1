"""The database goes away mid-run (issue 11, item 5), on the real PostgreSQL test server.

The outage is real: the test database stops accepting connections and every session on it is
terminated (what a server restart or a network cut does to the bot), then it comes back. The
poller, the delivery worker and the webhook worker log one line, wait, resume, and nothing is
lost or sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

import asyncpg
import pytest
from telegram import Bot

from bot.config import Settings
from bot.frontend.delivery import DeliveryWorker, SendLimiter
from bot.model import Destination, NewStory, utc_now
from bot.outlets.webhooks import WebhookWorker
from bot.services import filters
from bot.services.outage import Outage
from bot.services.poller import Poller
from bot.store import PostgresStore
from feeds.detect import classify
from feeds.fetch import make_client
from feeds.model import Detection, Item, Level, Pair
from tests.fakes.webhook_receiver import WEBHOOK_SECRET
from tests.stores import eventually

STORY_A = "Armenia accuses Azerbaijan of breaking the ceasefire near the border"
STORY_B = "Georgia accuses Russia of breaching the truce with artillery fire"
SETTINGS = Settings(
    feed_allow_private=True,
    fetch_timeout=20.0,
    first_poll_max_age_hours=0,
    fetch_concurrency=1,
    poll_interval=300,
)


class Database:
    """Switches the test's database off and on, from a session on the server's own database."""

    def __init__(self, server_url: str, database_url: str) -> None:
        self._server_url = server_url
        self._name = urlsplit(database_url).path.lstrip("/")

    async def cut(self) -> None:
        """No new connections, and every open one terminated."""
        await self._run(f'ALTER DATABASE "{self._name}" ALLOW_CONNECTIONS false')
        await self._run(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            self._name,
        )

    async def restore(self) -> None:
        await self._run(f'ALTER DATABASE "{self._name}" ALLOW_CONNECTIONS true')

    async def _run(self, sql: str, *args: object) -> None:
        conn = await asyncpg.connect(self._server_url)
        try:
            await conn.execute(sql, *args)
        finally:
            await conn.close()


@pytest.fixture
async def database(postgres_server, postgres_url):
    switch = Database(postgres_server, postgres_url)
    yield switch
    await switch.restore()


def fast_outage(what: str) -> Outage:
    """The production backoff, scaled down so a test waits tenths of a second, not minutes."""
    return Outage(what, first_delay=0.02, max_delay=0.2)


def outage_lines(caplog, what: str) -> list[tuple[int, str]]:
    return [
        (r.levelno, r.getMessage())
        for r in caplog.records
        if r.name == "bot.services.outage" and r.levelno >= logging.INFO and what in r.message
    ]


async def test_poller_waits_out_an_outage_mid_cycle_and_loses_nothing(
    postgres_url, database, feed_server, caplog
):
    """The database goes away between one feed's alert and the rest of the cycle: one log
    line, retries, and once it is back every story is stored and routed exactly once."""
    caplog.set_level(logging.DEBUG, logger="bot.services.outage")
    # The first classification loads the lexicons (seconds, on the loop): not during the test.
    await asyncio.to_thread(classify, STORY_A, "", "en")
    store = await PostgresStore.open(postgres_url)
    now = utc_now()
    for chat in (1, 2):
        await store.subscribe(chat, chat_type="private", levels=[Level.BLAME], now=now)
    for path, title in (("/a.xml", STORY_A), ("/b.xml", STORY_B)):
        story = {"title": title, "guid": path, "link": f"https://news.example{path}"}
        url = feed_server.publish_rss(path, [story | {"published": now}])
        await store.add_feed(url, now=now)
    told: list[str] = []
    cut_done = asyncio.Event()

    async def on_alerts(alerts) -> None:
        # Called after the first feed's alert is stored, before its fetch is recorded and
        # while the other feed is still on its way: the cut lands mid-cycle.
        told.extend(a.title for a in alerts)
        if not cut_done.is_set():
            await database.cut()
            cut_done.set()

    outage = fast_outage("polling")
    async with make_client() as client:
        poller = Poller(
            store, client, SETTINGS, route=filters.route, on_alerts=on_alerts, outage=outage
        )
        task = asyncio.create_task(poller.run_forever())
        try:
            await asyncio.wait_for(cut_done.wait(), timeout=10)

            async def retried() -> bool:
                return outage.failures >= 3

            await eventually(retried)
            await database.restore()

            async def both_stored() -> bool:
                return outage.failures == 0 and (await store.stats(now)).alerts == 2

            await eventually(both_stored)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    try:
        alerts = await store.latest_alerts(10)
        assert sorted(a.title for a in alerts) == sorted([STORY_A, STORY_B])
        assert sorted(told) == sorted([STORY_A, STORY_B])  # each routed on once
        rows = await store._all("SELECT alert_id, chat_id, status FROM outbox")
        assert sorted(tuple(r) for r in rows) == sorted(
            (a.id, chat, "pending") for a in alerts for chat in (1, 2)
        )
        assert (await store.stats(now)).items == 2
        assert all(feed.last_ok is not None for feed in await store.list_feeds())
    finally:
        await store.close()
    lines = outage_lines(caplog, "polling")
    assert [level for level, _ in lines] == [logging.WARNING, logging.INFO]
    assert "PostgreSQL at 127.0.0.1" in lines[0][1]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback
    assert not [
        r for r in caplog.records if r.name == "bot.services.poller" and "failed" in r.message
    ]


async def queued_rows(store, chats, *, webhooks=()) -> None:
    """Two stored alerts, each queued for every chat and receiver (as ingest queues them)."""
    now = utc_now()
    for n, title in enumerate((STORY_A, STORY_B)):
        item = Item(
            key=f"k{n}",
            feed_url="https://feed.test/rss",
            title=title,
            summary="",
            link=f"https://feed.test/{n}",
            published=now,
            source_title="Feed Test",
        )
        detection = Detection(Level.BLAME, pairs=(Pair("Armenia", "Azerbaijan"),))
        recipients = tuple(Destination(chat) for chat in chats)
        story = NewStory(item, detection, recipients=recipients, webhooks=tuple(webhooks))
        await store.ingest(item.feed_url, [story], now=now)


class CutAfterSend:
    """The real store, except that the first `mark_sent` finds the database gone: Telegram
    has just accepted the message and the outage begins before it is recorded."""

    def __init__(self, store: PostgresStore, database: Database) -> None:
        self._store = store
        self._database = database
        self.is_cut = False

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    async def mark_sent(self, row_id: int, *, message_id: int | None, now) -> None:
        if not self.is_cut:
            self.is_cut = True
            await self._database.cut()
        await self._store.mark_sent(row_id, message_id=message_id, now=now)


async def test_delivery_waits_out_an_outage_and_sends_nothing_twice(
    postgres_url, database, telegram_api, caplog
):
    """The database goes away just after Telegram accepted a message: the worker waits, records
    it once the database is back, and then sends the rest; every chat gets every alert once."""
    caplog.set_level(logging.DEBUG, logger="bot.services.outage")
    chats = [101, 102, 103]
    store = await PostgresStore.open(postgres_url)
    await queued_rows(store, chats)
    cutting = CutAfterSend(store, database)
    outage = fast_outage("delivery")
    async with Bot("123:OUTAGE", base_url=telegram_api.base_url) as bot:
        worker = DeliveryWorker(
            bot,
            cutting,
            limiter=SendLimiter(per_second=0, chat_interval=0, group_per_minute=0),
            concurrency=1,
            outage=outage,
        )
        worker.start()
        try:

            async def retried() -> bool:
                return outage.failures >= 3

            await eventually(retried)
            assert len(telegram_api.sent) == 1  # nothing more goes out while it is unrecorded
            await database.restore()

            async def all_sent() -> bool:
                return (await store.outbox_counts()) == {"sent": 2 * len(chats)}

            await eventually(all_sent)
        finally:
            await worker.stop()
    await store.close()
    sent = Counter((m.chat_id, m.text) for m in telegram_api.sent)
    assert len(sent) == 2 * len(chats)
    assert set(sent.values()) == {1}
    lines = outage_lines(caplog, "delivery")
    assert [level for level, _ in lines] == [logging.WARNING, logging.INFO]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback


async def test_delivery_started_during_an_outage_sends_when_the_database_returns(
    postgres_url, database, telegram_api
):
    """A worker whose database is away from the start waits for it, then sends each row once."""
    store = await PostgresStore.open(postgres_url)
    await queued_rows(store, [201])
    await database.cut()
    outage = fast_outage("delivery")
    async with Bot("123:OUTAGE", base_url=telegram_api.base_url) as bot:
        worker = DeliveryWorker(
            bot,
            store,
            limiter=SendLimiter(per_second=0, chat_interval=0, group_per_minute=0),
            outage=outage,
        )
        worker.start()
        try:

            async def retried() -> bool:
                return outage.failures >= 2

            await eventually(retried)
            assert telegram_api.sent == []
            await database.restore()

            async def all_sent() -> bool:
                return (await store.outbox_counts()) == {"sent": 2}

            await eventually(all_sent)
        finally:
            await worker.stop()
    await store.close()
    assert [m.chat_id for m in telegram_api.sent] == [201, 201]


async def test_webhooks_wait_out_an_outage_and_post_nothing_twice(
    postgres_url, database, webhook_receiver, caplog
):
    """The database goes away while a receiver holds a post: once it answers 200 the worker
    waits to record it, then posts the rest; every alert reaches the receiver once."""
    caplog.set_level(logging.DEBUG, logger="bot.services.outage")
    store = await PostgresStore.open(postgres_url)
    await queued_rows(store, [], webhooks=[webhook_receiver.url])
    outage = fast_outage("webhooks")
    worker = WebhookWorker(
        store,
        [webhook_receiver.url],
        WEBHOOK_SECRET,
        timeout=10.0,
        pause_after=timedelta(hours=6),
        outage=outage,
    )
    webhook_receiver.hang()
    worker.start()
    try:
        await webhook_receiver.wait_for(lambda: len(webhook_receiver.held) == 1)
        await database.cut()
        webhook_receiver.release()  # the receiver takes the post while the database is away

        async def retried() -> bool:
            return outage.failures >= 3

        await eventually(retried)
        assert len(webhook_receiver.posts) == 1
        await database.restore()

        async def all_sent() -> bool:
            return (await store.webhook_counts()) == {"sent": 2}

        await eventually(all_sent)
    finally:
        await worker.stop()
        await store.close()
    delivered = Counter(post.payload["id"] for post in webhook_receiver.accepted)
    assert len(delivered) == 2
    assert set(delivered.values()) == {1}
    lines = outage_lines(caplog, "webhooks")
    assert [level for level, _ in lines] == [logging.WARNING, logging.INFO]
