"""End to end: the real app factory (and `python -m bot run`) against the fake Bot API and a feed.

Chats talk to the bot through getUpdates long polling, a loopback feed publishes a story, the
poller finds it and the delivery worker sends it. Nothing of python-telegram-bot is replaced.
"""

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build_application
from bot.config import Settings
from bot.frontend.context import SERVICES_KEY
from bot.frontend.handlers import NOT_ADMIN
from bot.model import Alert, NewStory
from bot.services.filters import route
from bot.store import SqliteStore
from feeds.model import Detection, Item, Level, Pair
from tests.fakes.telegram_api import parse_telegram_html

log = logging.getLogger(__name__)

MT_LINK = (
    "https://www.themoscowtimes.com/2021/08/13/russia-for-the-first-time-blames-"
    "azerbaijan-for-breach-of-karabakh-truce-reports-a74782"
)
MOSCOW_TIMES = {
    "title": "Russia Blames Azerbaijan for Breach of Karabakh Truce in Post-Ceasefire First",
    "link": MT_LINK,
    "guid": MT_LINK,
    "published": datetime(2021, 8, 13, 10, 2, tzinfo=UTC),
    "description": (
        "Russia's Defence Ministry said Azerbaijani armed forces carried out two strikes with "
        "attack quadcopters on positions held by Nagorno-Karabakh armed formations, causing no "
        "casualties."
    ),
}
WITHIN = 20.0  # seconds any single wait may take before the test fails


@contextlib.asynccontextmanager
async def running_bot(settings):
    """What `run_polling` does, step by step, inside the test's event loop."""
    application = build_application(settings)
    await application.initialize()
    await application.post_init(application)
    await application.updater.start_polling(timeout=5)
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.post_stop(application)
        await application.shutdown()
        await application.post_shutdown(application)


async def command(telegram_api, chat_id, text, **kw):
    """Type a command in a chat and wait for the bot's reply to it."""
    before = len(telegram_api.messages_to(chat_id))
    telegram_api.push_command(chat_id, text, **kw)
    replies = await telegram_api.wait_for_messages(before + 1, chat_id=chat_id, within=WITHIN)
    return replies[before].text


def alerts_to(telegram_api, chat_id):
    """Alerts the delivery worker pushed (they preview the source link; replies preview none)."""
    return [
        m for m in telegram_api.messages_to(chat_id) if (m.link_preview_options or {}).get("url")
    ]


async def test_subscribe_publish_receive_and_latest(settings, telegram_api, feed_server):
    """/subscribe, a feed publishes the Moscow Times story, matching chats get one alert."""
    telegram_api.set_admins(-100900, 5)  # user 5 administers the group; user 6 does not
    async with running_bot(settings) as application:
        assert {c["command"] for c in telegram_api.commands} >= {"subscribe", "latest"}
        assert (await command(telegram_api, 100, "/subscribe")).startswith("Subscribed")
        assert (await command(telegram_api, 101, "/subscribe armenia")).startswith("Subscribed")
        assert (await command(telegram_api, 102, "/subscribe gaza")).startswith("Subscribed")
        refused = await command(telegram_api, -100900, "/subscribe", user_id=6)
        assert refused == NOT_ADMIN

        published = time.monotonic()
        feed_server.publish_rss("/mt.xml", [MOSCOW_TIMES], title="The Moscow Times")
        await telegram_api.wait_for(
            lambda: alerts_to(telegram_api, 100) and alerts_to(telegram_api, 101), within=WITHIN
        )
        pushed = alerts_to(telegram_api, 100) + alerts_to(telegram_api, 101)
        latency = max(m.time for m in pushed) - published
        log.warning(
            "alert latency: %.2f s after the feed published it (poll interval %g s)",
            latency,
            settings.poll_interval,
        )

        latest = await command(telegram_api, 100, "/latest")
        services = application.bot_data[SERVICES_KEY]
        await services.poller.poll_once(force=True)  # one more cycle: nothing new, nothing sent

    (alert,) = alerts_to(telegram_api, 100)
    assert alert.text.startswith("🔴 Ceasefire breach: Russia → Azerbaijan\n")
    assert f'<a href="{MT_LINK}">Read the source</a>' in alert.text
    assert "The Moscow Times · 13 Aug 2021 10:02 UTC" in alert.text
    assert alert.parse_mode == "HTML"
    assert alert.link_preview_options["url"] == MT_LINK
    parse_telegram_html(alert.text)
    assert len(alerts_to(telegram_api, 101)) == 1
    assert alerts_to(telegram_api, 102) == []
    assert [m.text for m in telegram_api.messages_to(-100900)] == [NOT_ADMIN]
    assert latest.split("\n")[:2] == alert.text.split("\n")[:2]


async def seed_subscribers(settings, chats, *, levels=(Level.BLAME, Level.VIOLATION)):
    """Subscribe chats directly in the database the bot will open."""
    store = await SqliteStore.open(settings.database_path)
    try:
        now = datetime.now(UTC)
        for chat_id in chats:
            await store.subscribe(
                chat_id, chat_type="private" if chat_id > 0 else "group", levels=levels, now=now
            )
    finally:
        await store.close()


async def test_fifty_chats_each_get_the_alert_exactly_once(settings, telegram_api, feed_server):
    """50 chats under Telegram-like limits turned down: each chat gets its alert once."""
    chats = [*range(2001, 2041), *range(-3010, -3000)]
    await seed_subscribers(settings, chats)
    telegram_api.set_limits(global_per_second=28, per_chat_per_second=1, per_group_per_minute=20)
    async with running_bot(settings):
        started = time.monotonic()
        feed_server.publish_rss("/mt.xml", [MOSCOW_TIMES], title="The Moscow Times")
        await telegram_api.wait_for_messages(len(chats), within=WITHIN)
        elapsed = max(m.time for m in telegram_api.sent) - started
    counts = Counter(m.chat_id for m in telegram_api.sent)
    assert counts == dict.fromkeys(chats, 1)
    log.warning(
        "50 chats: delivered in %.2f s after publishing, %d answers were 429",
        elapsed,
        telegram_api.rate_limited,
    )


async def test_blocked_chat_is_turned_off_and_migrated_group_moves(
    settings, telegram_api, feed_server
):
    """403 deactivates the subscription; an upgraded group's alerts go to the supergroup."""
    await seed_subscribers(settings, [301, -302, 303])
    telegram_api.block(301)
    telegram_api.migrate(-302, -100302)
    async with running_bot(settings) as application:
        feed_server.publish_rss("/mt.xml", [MOSCOW_TIMES], title="The Moscow Times")
        await telegram_api.wait_for(
            lambda: telegram_api.messages_to(-100302) and telegram_api.messages_to(303),
            within=WITHIN,
        )
        store = application.bot_data[SERVICES_KEY].store
        blocked = await store.get_subscription(301)
        moved = await store.get_subscription(-100302)
        old = await store.get_subscription(-302)
    assert not blocked.is_active
    assert moved.is_active
    assert old is None
    assert telegram_api.messages_to(301) == []
    assert len(telegram_api.messages_to(-100302)) == 1


async def test_hostile_feed_text_arrives_escaped(settings, telegram_api, feed_server):
    """<script>, </b>, < and & in a feed item: markup is dropped, the rest escaped and accepted."""
    await seed_subscribers(settings, [401])
    hostile = {
        "title": "</b><script>steal()</script> Armenia blames Azerbaijan for ceasefire "
        "violation & shelling",
        "description": "AT&T reports <i>unclosed x < y and 3 > 2 &amp;amp; more",
        "link": "https://news.example/a?b=1&c=2",
        "guid": "hostile-1",
        "published": datetime(2024, 5, 1, tzinfo=UTC),
    }
    async with running_bot(settings):
        feed_server.publish_rss("/mt.xml", [hostile], title="Hostile & <Co>")
        (message,) = await telegram_api.wait_for_messages(1, chat_id=401, within=WITHIN)
    visible = parse_telegram_html(message.text)  # what Telegram would show
    assert "Armenia blames Azerbaijan for ceasefire violation & shelling" in visible
    assert "AT&T reports" in visible
    assert "x < y" in visible
    assert "Hostile & · 1 May 2024" in visible
    assert "steal()" not in visible  # script content never reaches a chat
    assert "&amp; shelling" in message.text
    assert '<a href="https://news.example/a?b=1&amp;c=2">' in message.text
    assert all(call.status != 400 for call in telegram_api.calls_to("sendMessage"))


# -- the process: `python -m bot run`, killed mid-delivery and started again ------------------


async def start_process(
    settings: Settings, log_path: Path, *, log_level: str = "INFO"
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token,
        "TELEGRAM_API_URL": settings.telegram_api_url,
        "DATABASE_PATH": str(settings.database_path),
        "FEEDS_FILE": str(settings.feeds_file),
        "POLL_INTERVAL": "1",
        "FEED_ALLOW_PRIVATE": "true",
        "LOG_LEVEL": log_level,
    }
    output = log_path.open("ab")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--env-file",
            os.devnull,
            "run",
            env=env,
            stdout=output,
            stderr=output,
            cwd=Path(__file__).parent.parent,
        )
    finally:
        output.close()


async def sent_rows(settings):
    store = await SqliteStore.open(settings.database_path)
    try:
        return (await store.outbox_counts()).get("sent", 0)
    finally:
        await store.close()


async def wait_for_sent_rows(settings, count):
    """Wait until the database records `count` rows as sent (another process writes them)."""
    async with asyncio.timeout(WITHIN):
        # Another process writes the file: there is no event to await, so poll it.
        while await sent_rows(settings) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def queue_alert_for(settings, chats):
    """The state a poller leaves behind: one alert with an outbox row per subscribed chat."""
    await seed_subscribers(settings, chats)
    store = await SqliteStore.open(settings.database_path)
    try:
        now = datetime.now(UTC)
        item = Item(
            key="mt-1",
            feed_url="https://mt.test/rss",
            title=MOSCOW_TIMES["title"],
            summary=MOSCOW_TIMES["description"],
            link=MT_LINK,
            published=now,
            source_title="The Moscow Times",
            lang="en",
        )
        detection = Detection(
            level=Level.BLAME,
            pairs=(Pair("Russia", "Azerbaijan"),),
            actors=("Russia", "Azerbaijan"),
        )
        chats = route(Alert.of(item, detection, created=now), await store.active_subscriptions())
        story = NewStory(item, detection, recipients=tuple(chats))
        await store.ingest(item.feed_url, [story], now=now)
        assert (await store.outbox_counts()) == {"pending": len(chats)}
    finally:
        await store.close()


async def test_killed_mid_delivery_then_restarted_sends_the_rest_once(
    settings, telegram_api, tmp_path
):
    """kill -9 after k of n messages; the restarted process sends the other n-k, none twice."""
    chats = list(range(5001, 5013))
    k = 5
    await queue_alert_for(settings, chats)
    log_path = tmp_path / "bot.log"
    telegram_api.pause_sends(after=k)
    process = await start_process(settings, log_path)
    try:
        await telegram_api.wait_for(lambda: telegram_api.held_sends > 0, within=WITHIN)
        await wait_for_sent_rows(settings, k)
    finally:
        process.kill()
        await process.wait()
    assert len(telegram_api.sent) == k
    telegram_api.resume_sends()  # the held requests never reached "Telegram"

    process = await start_process(settings, log_path)
    try:
        await telegram_api.wait_for_messages(len(chats), within=WITHIN)
        await wait_for_sent_rows(settings, len(chats))
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(WITHIN):
            code = await process.wait()
    assert Counter(m.chat_id for m in telegram_api.sent) == dict.fromkeys(chats, 1)
    assert code == 0
    output = log_path.read_text(encoding="utf-8", errors="replace")
    assert "sendMessage" not in output  # httpx request lines (URL with token) are silenced
    assert settings.telegram_bot_token.split(":")[1] not in output


async def test_token_stays_out_of_debug_logs(settings, telegram_api, tmp_path):
    """Even at LOG_LEVEL=DEBUG the bot token never reaches the log."""
    log_path = tmp_path / "debug.log"
    process = await start_process(settings, log_path, log_level="DEBUG")
    try:
        await telegram_api.wait_for(lambda: telegram_api.held_polls > 0, within=WITHIN)
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(WITHIN):
            await process.wait()
    output = log_path.read_text(encoding="utf-8", errors="replace")
    assert "getUpdates" in output or "Bot API" in output  # DEBUG output really was written
    assert settings.telegram_bot_token.split(":")[1] not in output
