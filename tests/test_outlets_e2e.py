"""End to end: the running bot carries alerts to Telegram, the alerts feed and webhooks at once.

The real app factory against the fake Bot API, a loopback feed and a loopback webhook receiver;
a receiver that hangs or fails never holds up a chat's alert.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
from dataclasses import replace
from datetime import UTC, datetime

import feedparser
import httpx

from bot.model import NewStory
from bot.store import SqliteStore
from feeds.model import Detection, Item, Level
from tests.fakes.webhook_receiver import WEBHOOK_SECRET
from tests.test_telegram_e2e import (
    MOSCOW_TIMES,
    MT_LINK,
    WITHIN,
    alerts_to,
    running_bot,
    seed_subscribers,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_signed(body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


async def queue_webhook_only(settings, url: str) -> None:
    """An older alert waiting only for the webhook (no chat wanted it)."""
    store = await SqliteStore.open(settings.database_path)
    try:
        now = datetime.now(UTC)
        item = Item(
            key="earlier-1",
            feed_url="https://earlier.example/rss",
            title="Both sides report shelling along the contact line after talks stall",
            summary="",
            link="https://earlier.example/1",
            published=now,
            source_title="Earlier Example",
            lang="en",
        )
        detection = Detection(level=Level.VIOLATION, pairs=(), actors=("Armenia", "Azerbaijan"))
        await store.ingest(item.feed_url, [NewStory(item, detection, webhooks=(url,))], now=now)
    finally:
        await store.close()


async def test_alert_reaches_telegram_the_feed_and_the_webhook(
    settings, telegram_api, feed_server, webhook_receiver
):
    """One published story: one Telegram message, one feed entry, one signed webhook post."""
    settings = replace(
        settings,
        alerts_feed_port=free_port(),
        webhook_urls=(webhook_receiver.url,),
        webhook_secret=WEBHOOK_SECRET,
    )
    await seed_subscribers(settings, [601])
    async with running_bot(settings) as application:
        feed_server.publish_rss("/mt.xml", [MOSCOW_TIMES], title="The Moscow Times")
        await telegram_api.wait_for(lambda: alerts_to(telegram_api, 601), within=WITHIN)
        await webhook_receiver.wait_for(lambda: webhook_receiver.accepted, within=WITHIN)
        await application.bot_data["services"].poller.poll_once(force=True)  # nothing new
        feed_url = f"http://127.0.0.1:{settings.alerts_feed_port}/alerts.atom?q=azerbaijan"
        async with httpx.AsyncClient(timeout=WITHIN) as client:
            response = await client.get(feed_url)
    assert len(alerts_to(telegram_api, 601)) == 1
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0
    assert [entry.link for entry in parsed.entries] == [MT_LINK]
    (post,) = webhook_receiver.posts
    assert is_signed(post.body, post.headers["X-Ceasefire-Signature"])
    assert post.payload["link"] == MT_LINK
    assert post.payload["id"] == parsed.entries[0].id


async def test_a_hanging_webhook_does_not_delay_telegram(
    settings, telegram_api, feed_server, webhook_receiver
):
    """While a webhook post hangs, the chat's alert is delivered; the webhook gets it later."""
    settings = replace(
        settings,
        webhook_urls=(webhook_receiver.url,),
        webhook_secret=WEBHOOK_SECRET,
        webhook_timeout=WITHIN * 3,  # the hang outlasts the whole test unless released
    )
    await seed_subscribers(settings, [602])
    await queue_webhook_only(settings, webhook_receiver.url)
    webhook_receiver.hang()
    async with running_bot(settings):
        await webhook_receiver.wait_for(lambda: len(webhook_receiver.held) == 1, within=WITHIN)
        feed_server.publish_rss("/mt.xml", [MOSCOW_TIMES], title="The Moscow Times")
        await telegram_api.wait_for(lambda: alerts_to(telegram_api, 602), within=WITHIN)
        still_hanging = len(webhook_receiver.held)
        answered_before = list(webhook_receiver.posts)
        webhook_receiver.release()
        await webhook_receiver.wait_for(lambda: len(webhook_receiver.accepted) == 2, within=WITHIN)
    assert still_hanging == 1
    assert answered_before == []
    assert [post.payload["link"] for post in webhook_receiver.posts] == [
        "https://earlier.example/1",
        MT_LINK,
    ]


async def test_a_failing_webhook_is_reported_to_the_operators(settings, telegram_api, feed_server):
    """A receiver that keeps failing is paused and the operators get one plain message."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{probe.getsockname()[1]}/secret-path"
    settings = replace(
        settings,
        admin_user_ids=frozenset({9001}),
        webhook_urls=(dead_url,),
        webhook_secret=WEBHOOK_SECRET,
        webhook_pause_hours=0,  # pause at the first failure instead of after six hours
    )
    await seed_subscribers(settings, [603])
    async with running_bot(settings):
        feed_server.publish_rss("/mt.xml", [MOSCOW_TIMES], title="The Moscow Times")
        (report,) = await telegram_api.wait_for_messages(1, chat_id=9001, within=WITHIN)
        await telegram_api.wait_for(lambda: alerts_to(telegram_api, 603), within=WITHIN)
    assert "paused" in report.text
    assert "secret-path" not in report.text
    assert len(alerts_to(telegram_api, 603)) == 1
