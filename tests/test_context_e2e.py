"""End to end for issue 7: /tally, /chart and the daily digest through `build_application`.

The real app factory talks to the fake Bot API over getUpdates long polling; the store is seeded
with alerts at chosen times through `SqliteStore.ingest`. The digest is driven with explicit `now`
values and once through the JobQueue job itself, across a restart of the bot.
"""

import struct
import zlib
from datetime import UTC, datetime, timedelta

from bot.frontend.context import SERVICES_KEY
from bot.model import NewStory
from bot.services.digest import digest_slot, enqueue_due_digests
from bot.services.filters import matches
from bot.store import SqliteStore
from feeds.model import Detection, Item, Level, Pair
from tests.fakes.telegram_api import parse_telegram_html
from tests.test_telegram_e2e import (  # settings: the same bot-on-the-fake-API fixture
    MOSCOW_TIMES,
    WITHIN,
    command,
    running_bot,
)

FEED = "https://agency.test/rss"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
AM_AZ = Pair("Armenia", "Azerbaijan")
AZ_AM = Pair("Azerbaijan", "Armenia")
RU_UA = Pair("Russia", "Ukraine")


async def seed_alerts(settings, now):
    """Alerts stored at chosen times before `now`, as the poller would have left them."""
    stories = [
        ("k1", Level.BLAME, (AM_AZ,), ("Armenia", "Azerbaijan"), timedelta(hours=1)),
        ("k2", Level.BLAME, (AM_AZ,), ("Armenia", "Azerbaijan"), timedelta(days=2)),
        ("k3", Level.BLAME, (AZ_AM,), ("Azerbaijan", "Armenia"), timedelta(days=3)),
        ("k4", Level.VIOLATION, (), ("Ukraine",), timedelta(hours=5)),
        ("k5", Level.CEASEFIRE, (), ("Ukraine",), timedelta(hours=6)),
        ("k6", Level.BLAME, (RU_UA,), ("Russia", "Ukraine"), timedelta(days=20)),
    ]
    store = await SqliteStore.open(settings.database_path)
    try:
        for key, level, pairs, actors, age in stories:
            created = now - age
            item = Item(
                key=key,
                feed_url=FEED,
                title=f"Story {key} & <more>",
                summary="",
                link=f"https://agency.test/{key}?a=1&b=2",
                published=created,
                source_title="Agency",
                lang="en",
            )
            detection = Detection(level=level, pairs=pairs, actors=actors)
            await store.ingest(FEED, [NewStory(item, detection)], now=created)
    finally:
        await store.close()


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking signature and CRC."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (kind, length) == (b"IHDR", 13)
    body = data[16:29]
    assert struct.unpack(">I", data[29:33])[0] == zlib.crc32(kind + body)
    return struct.unpack(">II", body[:8])


async def test_tally_end_to_end(settings, telegram_api):
    """/tally: counts by pair and by conflict, newest link per row, window and words apply."""
    await seed_alerts(settings, datetime.now(UTC))
    async with running_bot(settings):
        week = await command(telegram_api, 900, "/tally")
        month = await command(telegram_api, 900, "/tally 30 ukraine")
        wrong = await command(telegram_api, 900, "/tally 999")
    replies = telegram_api.messages_to(900)
    assert all(m.parse_mode == "HTML" for m in replies)
    assert all(m.link_preview_options == {"is_disabled": True} for m in replies)
    visible = parse_telegram_html(week)
    assert visible.startswith("📊 Tally, last 7 days")
    lines = visible.splitlines()
    assert any(line.startswith("2 Armenia → Azerbaijan · latest ") for line in lines)
    assert any(line.startswith("1 Azerbaijan → Armenia · latest ") for line in lines)
    assert any(line.startswith("1 Russia–Ukraine · latest ") for line in lines)  # violation
    assert "Russia → Ukraine" not in visible  # 20 days ago
    assert '<a href="https://agency.test/k1?a=1&amp;b=2">' in week  # the newest of the pair
    visible = parse_telegram_html(month)
    assert "1 Russia → Ukraine · latest" in visible
    assert "Armenia" not in visible
    assert wrong.startswith("The window is 1 to 365 days, got 999.")
    assert "Usage: /tally [days] [filter words]" in wrong


async def test_chart_end_to_end_sends_a_png(settings, telegram_api):
    """/chart: sendPhoto with a 1080×1200 PNG of sensible size; an empty window too."""
    await seed_alerts(settings, datetime.now(UTC))
    async with running_bot(settings):
        telegram_api.push_command(901, "/chart")
        await telegram_api.wait_for_messages(1, chat_id=901, within=WITHIN)
        telegram_api.push_command(901, "/chart 2 gaza")
        await telegram_api.wait_for_messages(2, chat_id=901, within=WITHIN)
        wrong = await command(telegram_api, 901, "/chart 0")
    busy, empty, _ = telegram_api.messages_to(901)
    for photo in (busy, empty):
        assert photo.method == "sendphoto"
        assert png_size(photo.photo) == (1080, 1200)
        assert 10_000 <= len(photo.photo) <= 1_000_000
    assert busy.photo != empty.photo
    assert busy.text.startswith("3 accusations in the last 7 days")
    assert empty.text == "No accusations mentioning “gaza” in the last 2 days."
    assert wrong.startswith("The window is 1 to 90 days, got 0.")


def digests(telegram_api, chat_id):
    return [m for m in telegram_api.messages_to(chat_id) if m.text.startswith("🗞")]


def wanted(sub, alert):
    return matches(sub.levels, sub.words, alert)


async def digests_at(application, telegram_api, now, chats):
    """Run the digest job at `now`; wait until the delivery worker sent what it queued."""
    services = application.bot_data[SERVICES_KEY]
    before = sum(len(digests(telegram_api, chat)) for chat in chats)
    queued = await enqueue_due_digests(services.store, now=now, filter_fn=wanted)
    services.delivery.wake()
    await telegram_api.wait_for(
        lambda: sum(len(digests(telegram_api, chat)) for chat in chats) == before + queued,
        within=WITHIN,
    )
    return queued


async def test_digest_subscriptions_once_a_day_across_a_restart(
    settings, telegram_api, feed_server
):
    """Digest-only chats get no instant alert; each digest once per day, also after a restart."""
    # Half a day from now: no digest time passes while the test runs, whatever the hour.
    at = f"{datetime.now(UTC) + timedelta(hours=12):%H:%M}"
    async with running_bot(settings) as application:
        store = application.bot_data[SERVICES_KEY].store
        text = await command(telegram_api, 700, f"/subscribe digest {at}")
        assert f"as a daily digest at {at} UTC (no instant alerts)" in text
        text = await command(telegram_api, 701, f"/subscribe both {at} armenia")
        assert f"as instant alerts and a daily digest at {at} UTC" in text
        assert (await command(telegram_api, 702, "/subscribe")).startswith("Subscribed")
        assert "no instant alerts" in await command(telegram_api, 700, "/filters")

        feed_server.publish_rss("/mt.xml", [MOSCOW_TIMES], title="The Moscow Times")
        await telegram_api.wait_for(
            lambda: (
                len(telegram_api.messages_to(701)) == 2 and len(telegram_api.messages_to(702)) == 2
            ),
            within=WITHIN,
        )
        # One outbox row per instant chat, none for the digest-only one.
        assert sum((await store.outbox_counts()).values()) == 2
        assert len(telegram_api.messages_to(700)) == 2  # the two replies only

        subscribed = (await store.get_subscription(700)).last_digest
        first = digest_slot(at, subscribed) + timedelta(days=1)
        for now, sent in [
            (first - timedelta(minutes=1), 0),
            (first, 2),
            (first + timedelta(minutes=1), 0),
        ]:
            assert await digests_at(application, telegram_api, now, (700, 701, 702)) == sent

    async with running_bot(settings) as application:  # a restart
        for now, sent in [
            (first + timedelta(hours=2), 0),
            (first + timedelta(hours=23.9), 0),
            (first + timedelta(days=1), 2),
        ]:
            assert await digests_at(application, telegram_api, now, (700, 701, 702)) == sent

    assert len(digests(telegram_api, 700)) == 2
    assert len(digests(telegram_api, 701)) == 2
    assert digests(telegram_api, 702) == []
    day_one = parse_telegram_html(digests(telegram_api, 700)[0].text)
    assert "Armenia–Azerbaijan (1)" in day_one
    assert "Russia → Azerbaijan: Russia Blames Azerbaijan" in day_one
    assert "No ceasefire breaches" in digests(telegram_api, 700)[1].text


async def test_digest_job_sends_once_across_a_restart(settings, telegram_api):
    """The JobQueue job itself: a due chat gets one digest, not again after a restart."""
    async with running_bot(settings) as application:
        store = application.bot_data[SERVICES_KEY].store
        await command(telegram_api, 800, "/subscribe digest")
        # As if the bot had been down over the last two digest times.
        await store.set_last_digest(800, datetime.now(UTC) - timedelta(days=2))
        (job,) = application.job_queue.get_jobs_by_name("digests and notices")
        await job.run(application)
        await telegram_api.wait_for(lambda: digests(telegram_api, 800), within=WITHIN)
        await job.run(application)

    async with running_bot(settings) as application:  # a restart
        (job,) = application.job_queue.get_jobs_by_name("digests and notices")
        await job.run(application)
        sub = await application.bot_data[SERVICES_KEY].store.get_subscription(800)

    (digest,) = digests(telegram_api, 800)
    assert digest.parse_mode == "HTML"
    assert digest.disable_notification  # a digest never rings
    assert "No ceasefire breaches" in digest.text
    assert sub.last_digest > datetime.now(UTC) - timedelta(minutes=5)
