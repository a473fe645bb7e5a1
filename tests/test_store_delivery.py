"""The store's side of issue 12: migration 0006 of a SQLite file, and on both backends
topics, quiet hours, outage bookkeeping, bursts and text rows in the outbox."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time, timedelta

from bot.frontend.burst import burst_parts
from bot.model import Destination, NewStory, OutboxKind, OutboxMessage, QuietHours
from bot.store.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteStore
from feeds.model import Detection, Item, Level, Pair

NOW = datetime(2025, 2, 10, 12, 0, tzinfo=UTC)
FEED = "https://example.org/feed.xml"
OTHER_FEED = "https://example.org/other.xml"
NIGHT = QuietHours(time(22, 0), time(7, 0))


def blame_story(key: str, *recipients: Destination) -> NewStory:
    item = Item(
        key=key,
        feed_url=FEED,
        title=f"Story {key}",
        summary="",
        link=f"https://example.org/{key}",
        published=NOW,
        source_title="Example",
    )
    detection = Detection(Level.BLAME, pairs=(Pair("Russia", "Ukraine"),))
    return NewStory(item, detection, recipients=recipients)


def _version_5_file(path) -> None:
    """A file as schema 5 left it: subscriptions, a digest schedule, outbox rows, a failing
    feed and a healthy one."""
    con = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:5], start=1):
        con.executescript(script)
        con.execute(f"PRAGMA user_version = {number}")
    t = (NOW - timedelta(days=3)).isoformat()
    con.execute(
        "INSERT INTO feeds (url, added_at, last_ok, last_error, failures) "
        "VALUES (?, ?, ?, 'HTTP 503', 4), (?, ?, ?, NULL, 0)",
        (FEED, t, (NOW - timedelta(hours=9)).isoformat(), OTHER_FEED, t, t),
    )
    subscriptions = [
        (10, "private", "blame,violation", 1, None, None),
        (-20, "group", "blame", 1, "07:00", t),
        (30, "private", "blame", 0, None, None),  # unsubscribed before the upgrade
    ]
    for chat, kind, levels, active, digest, last in subscriptions:
        con.execute(
            "INSERT INTO subscriptions (chat_id, chat_type, levels, words, is_active, "
            "digest_time, last_digest, created, updated) VALUES (?, ?, ?, '[\"gaza\"]', ?, ?, "
            "?, ?, ?)",
            (chat, kind, levels, active, digest, last, t, t),
        )
    con.execute(
        "INSERT INTO alerts (id, feed_url, item_key, title, summary, link, published, "
        "source_title, level, pairs, evidence, matched, actors, created) VALUES "
        "(1, ?, 'a', 'Story a', '', 'https://example.org/a', ?, 'Example', 'blame', "
        "'[[\"Russia\", \"Ukraine\"]]', '', '[]', '[]', ?)",
        (FEED, t, t),
    )
    for chat, status, not_before in [(10, "pending", ""), (-20, "pending", t), (30, "sent", "")]:
        con.execute(
            "INSERT INTO outbox (alert_id, chat_id, status, attempts, not_before, created) "
            "VALUES (1, ?, ?, 2, ?, ?)",
            (chat, status, not_before, t),
        )
    con.commit()
    con.close()


async def test_schema_5_file_keeps_every_subscription_and_pending_row(db_path):
    """Upgrading a file of the previous schema: all of it kept, whole chats, alert rows."""
    _version_5_file(db_path)
    store = await SqliteStore.open(db_path)
    try:
        assert await store.schema_version() == SCHEMA_VERSION
        subs = {s.chat_id: s for s in await store.active_subscriptions()}
        assert sorted(subs) == [-20, 10]
        assert subs[-20].digest_time == "07:00"
        assert subs[-20].words == ("gaza",)
        assert all(s.thread_id is None and s.quiet_hours is None for s in subs.values())
        assert not (await store.get_subscription(30)).is_active
        pending = await store.next_outbox(NOW)
        assert [(r.chat_id, r.kind, r.alert.id, r.attempts) for r in pending] == [
            (10, OutboxKind.ALERT, 1, 2),
            (-20, OutboxKind.ALERT, 1, 2),
        ]
        assert await store.outbox_counts() == {"pending": 2, "sent": 1}
        feeds = {f.url: f for f in await store.list_feeds()}
        # The outage of the failing feed started at its last success.
        assert feeds[FEED].failing_since == NOW - timedelta(hours=9)
        assert feeds[OTHER_FEED].failing_since is None
        assert feeds[FEED].outage_reported is None
        # And it keeps working: the same alert for a topic of the group is a row of its own.
        assert await store.enqueue(1, [-20], now=NOW, thread_id=4) == 1
        assert await store.enqueue(1, [-20], now=NOW) == 0
    finally:
        await store.close()


async def test_migrated_schema_5_file_equals_fresh_schema(tmp_path):
    """Step by step from version 5 gives exactly the tables and indexes of a fresh file."""
    _version_5_file(tmp_path / "old.db")
    for name in ("old.db", "fresh.db"):
        await (await SqliteStore.open(tmp_path / name)).close()

    def schema(path):
        con = sqlite3.connect(path)
        rows = con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        con.close()
        return rows

    assert schema(tmp_path / "old.db") == schema(tmp_path / "fresh.db")


async def test_topics_of_one_group_are_subscriptions_of_their_own(store):
    """A group's topics keep separate filters; each one can leave without the others."""
    for thread, words in [(None, ()), (5, ("armenia",)), (6, ("gaza",))]:
        await store.subscribe(
            -100,
            chat_type="supergroup",
            levels=(Level.BLAME,),
            words=words,
            now=NOW,
            thread_id=thread,
        )
    await store.ingest(
        FEED, [blame_story("a", Destination(-100, 5), Destination(-100, 6))], now=NOW
    )
    assert {s.thread_id: s.words for s in await store.active_subscriptions()} == {
        None: (),
        5: ("armenia",),
        6: ("gaza",),
    }
    assert await store.unsubscribe(-100, thread_id=5)
    assert not await store.unsubscribe(-100, thread_id=5)  # already off
    assert [s.thread_id for s in await store.active_subscriptions()] == [None, 6]
    assert [r.thread_id for r in await store.next_outbox(NOW)] == [6]  # topic 5's row dropped
    assert await store.deactivate_topic(-100, 6, reason="message thread not found")
    assert [s.thread_id for s in await store.active_subscriptions()] == [None]
    assert await store.deactivate_chat(-100, reason="kicked")
    assert await store.active_subscriptions() == []


async def test_unsubscribing_keeps_operator_notices(store):
    """/unsubscribe in an operator's private chat does not drop the notices queued there."""
    await store.subscribe(7, chat_type="private", levels=(Level.BLAME,), now=NOW)
    await store.ingest(FEED, [blame_story("a", Destination(7))], now=NOW)
    await store.add_feed(FEED, now=NOW)
    notice = OutboxMessage(Destination(7), OutboxKind.NOTICE, "⚠️ feed failing")
    assert await store.claim_feed_notice(
        FEED, expected=None, reported=NOW, messages=[notice], now=NOW
    )
    await store.unsubscribe(7)
    (row,) = await store.next_outbox(NOW)
    assert (row.kind, row.text) == (OutboxKind.NOTICE, "⚠️ feed failing")


async def test_migration_moves_every_topic_and_waiting_row(store):
    """A group that became a supergroup takes its subscriptions and rows along."""
    await store.subscribe(-5, chat_type="group", levels=(Level.BLAME,), now=NOW)
    await store.set_quiet_hours(-5, NIGHT)
    await store.ingest(FEED, [blame_story("a", Destination(-5))], now=NOW)
    await store.move_chat(-5, -1005, now=NOW)
    (sub,) = await store.active_subscriptions()
    assert (sub.chat_id, sub.chat_type, sub.quiet_hours) == (-1005, "supergroup", NIGHT)
    assert [r.chat_id for r in await store.next_outbox(NOW)] == [-1005]


async def test_quiet_hours_are_kept_and_reach_the_outbox_rows(store):
    """Quiet hours live on the subscription, survive re-subscribing and travel with rows."""
    assert not await store.set_quiet_hours(9, NIGHT)  # not subscribed
    await store.subscribe(9, chat_type="private", levels=(Level.BLAME,), now=NOW)
    assert await store.set_quiet_hours(9, NIGHT)
    await store.subscribe(9, chat_type="private", levels=(Level.VIOLATION,), now=NOW)
    assert (await store.get_subscription(9)).quiet_hours == NIGHT
    await store.ingest(FEED, [blame_story("a", Destination(9))], now=NOW)
    (row,) = await store.next_outbox(NOW)
    assert row.quiet_hours == NIGHT
    assert await store.set_quiet_hours(9, None)
    (row,) = await store.next_outbox(NOW)
    assert row.quiet_hours is None


async def test_an_outage_starts_at_the_first_failure_and_ends_with_a_success(store):
    """failing_since is the first failure of a streak; a success clears it."""
    await store.add_feed(FEED, now=NOW)
    later = NOW + timedelta(hours=1)
    for moment in (NOW, later):
        await store.record_fetch_error(FEED, "HTTP 500", now=moment, next_poll=moment)
    (feed,) = await store.list_feeds()
    assert (feed.failures, feed.failing_since) == (2, NOW)
    await store.record_fetch_ok(FEED, now=later, next_poll=later, is_not_modified=True)
    (feed,) = await store.list_feeds()
    assert (feed.failures, feed.failing_since) == (0, None)


async def test_feed_notice_claim_is_a_compare_and_set(store):
    """Of two claims from the same state only one queues its notices."""
    await store.add_feed(FEED, now=NOW)
    notices = [OutboxMessage(Destination(chat), OutboxKind.NOTICE, "⚠️ failing") for chat in (1, 2)]
    assert await store.claim_feed_notice(
        FEED, expected=None, reported=NOW, messages=notices, now=NOW
    )
    assert not await store.claim_feed_notice(
        FEED, expected=None, reported=NOW, messages=notices, now=NOW
    )
    assert await store.outbox_counts() == {"pending": 2}
    (feed,) = await store.list_feeds()
    assert feed.outage_reported == NOW
    assert await store.claim_feed_notice(
        FEED, expected=NOW, reported=None, messages=notices[:1], now=NOW
    )
    assert await store.outbox_counts() == {"pending": 3}


async def test_merge_refuses_rows_that_are_no_longer_pending(store):
    """A row unsubscribed between reading and merging: nothing is merged, nothing lost."""
    await store.subscribe(7, chat_type="private", levels=(Level.BLAME,), now=NOW)
    for key in "abc":
        await store.ingest(FEED, [blame_story(key, Destination(7))], now=NOW)
    rows = await store.next_outbox(NOW)
    await store.unsubscribe(7)
    assert await store.merge_burst(Destination(7), burst_parts(rows), now=NOW) == []
    assert await store.outbox_counts() == {"dropped": 3}


async def test_burst_rows_go_first_and_settle_the_rows_they_cover(store):
    """A burst row is read before older rows of other chats; marking it sent (or failed)
    settles the alert rows it covers; a chat turned off drops them with it."""
    for key in "abcd":
        await store.ingest(FEED, [blame_story(key, Destination(-5), Destination(8))], now=NOW)
    group_rows = [r for r in await store.next_outbox(NOW) if r.chat_id == -5]
    (burst,) = await store.merge_burst(Destination(-5), burst_parts(group_rows), now=NOW)
    assert (burst.kind, burst.chat_id, burst.alert, burst.is_silent) == (
        OutboxKind.BURST,
        -5,
        None,
        False,
    )
    assert burst.text.startswith("⚡")
    assert (await store.next_outbox(NOW, limit=2))[0] == burst
    assert await store.pending_counts(NOW, [-5, 8, 9]) == {-5: 1, 8: 4}
    await store.mark_sent(burst.id, message_id=99, now=NOW)
    assert await store.outbox_counts() == {"sent": 5, "pending": 4}
    private_rows = await store.next_outbox(NOW, chat_id=8)
    (second,) = await store.merge_burst(Destination(8), burst_parts(private_rows[:2]), now=NOW)
    await store.mark_failed(second.id, "Bad Request: odd")
    assert await store.merge_burst(Destination(8), burst_parts(private_rows[2:]), now=NOW)
    await store.deactivate_chat(8, reason="blocked")
    assert await store.outbox_counts() == {"sent": 5, "failed": 3, "dropped": 3}
