"""The store on both backends (a SQLite file, a PostgreSQL database): migrations, seen items,
alerts, subscriptions, outbox. PostgreSQL's own concerns are in test_store_postgres.py."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import StoreError
from bot.model import NewStory, WebhookTarget
from bot.store import postgres
from bot.store.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteStore
from feeds.model import Detection, Item, Level, Pair
from tests.stores import open_store_at

NOW = datetime(2021, 8, 13, 10, 0, tzinfo=UTC)
FEED = "https://example.org/feed.xml"
LEASE = timedelta(minutes=2)


def make_item(key: str, title: str = "Title", *, feed: str = FEED, link: str = "") -> Item:
    return Item(
        key=key,
        feed_url=feed,
        title=title,
        summary="Summary.",
        link=link or f"https://example.org/{key}",
        published=NOW,
        source_title="Example",
    )


BLAME = Detection(Level.BLAME, pairs=(Pair("Russia", "Azerbaijan"),), actors=("Russia",))


async def routed(store, story: NewStory) -> NewStory:
    """The story with the chats whose levels want it, as the poller routes before ingest."""
    chats = [
        s.destination
        for s in await store.active_subscriptions()
        if story.detection.level in s.levels
    ]
    return replace(story, recipients=tuple(chats))


async def test_fresh_database_has_current_schema_version(store):
    """A new database is migrated to the newest schema version, the same number on both."""
    assert await store.schema_version() == SCHEMA_VERSION == postgres.SCHEMA_VERSION


async def test_newer_database_is_refused(db_path):
    """A SQLite file written by a newer program is refused with a clear message."""
    con = sqlite3.connect(db_path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StoreError, match="newer than this program"):
        await SqliteStore.open(db_path)


async def test_migrated_v1_file_equals_fresh_schema(tmp_path):
    """Migrating an old file step by step gives the same schema as a fresh database."""
    old = tmp_path / "old.db"
    con = sqlite3.connect(old)
    con.executescript(MIGRATIONS[0])
    con.execute("PRAGMA user_version = 1")
    con.close()
    migrated = await SqliteStore.open(old)
    await migrated.close()
    fresh = await SqliteStore.open(tmp_path / "fresh.db")
    await fresh.close()

    def schema(path):
        con = sqlite3.connect(path)
        rows = con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        con.close()
        return rows

    assert schema(old) == schema(tmp_path / "fresh.db")


async def test_unseen_filters_known_items_across_restarts(store_target):
    """An item stored once is never new again, also after reopening the database."""
    store = await open_store_at(store_target)
    await store.add_feed(FEED, now=NOW)
    items = [make_item("a"), make_item("b")]
    fresh = await store.unseen(FEED, items, now=NOW)
    assert [i.key for i in fresh] == ["a", "b"]
    await store.ingest(FEED, [NewStory(i, BLAME) for i in fresh], now=NOW)
    await store.close()

    store = await open_store_at(store_target)
    again = await store.unseen(FEED, [*items, make_item("c")], now=NOW)
    assert [i.key for i in again] == ["c"]
    await store.close()


async def test_item_deleted_upstream_does_not_resurrect_older_items(store):
    """Seen is per key, not a checkpoint: dropping the newest item brings nothing back."""
    await store.add_feed(FEED, now=NOW)
    first = [make_item("1"), make_item("2"), make_item("3")]
    await store.ingest(FEED, [NewStory(i, BLAME) for i in first], now=NOW)
    assert await store.unseen(FEED, first[:2], now=NOW) == []


async def test_same_key_in_two_feeds_is_two_items(store):
    """Keys are unique per feed: two feeds may reuse a guid."""
    other = "https://other.example/rss"
    await store.ingest(FEED, [NewStory(make_item("x"), BLAME)], now=NOW)
    assert len(await store.unseen(other, [make_item("x", feed=other)], now=NOW)) == 1


async def test_ingest_creates_alert_and_outbox_rows_once(store):
    """An alert gets one outbox row per matching chat; ingesting again adds nothing."""
    await store.subscribe(1, chat_type="private", levels=[Level.BLAME], now=NOW)
    await store.subscribe(2, chat_type="private", levels=[Level.CEASEFIRE], now=NOW)
    story = NewStory(make_item("a"), BLAME)
    story = await routed(store, story)
    alerts = await store.ingest(FEED, [story], now=NOW)
    assert len(alerts) == 1
    assert alerts[0].pairs == (Pair("Russia", "Azerbaijan"),)
    assert await store.ingest(FEED, [story], now=NOW) == []
    rows = await store.next_outbox(NOW)
    assert [(r.chat_id, r.alert.id) for r in rows] == [(1, alerts[0].id)]


async def test_none_level_items_make_no_alert(store):
    """Plain news is remembered but never becomes an alert."""
    alerts = await store.ingest(FEED, [NewStory(make_item("n"), Detection(Level.NONE))], now=NOW)
    assert alerts == []
    assert (await store.stats(NOW)).items == 1


async def test_backlog_items_are_seen_without_alert(store):
    """Old items found on a feed's first poll are remembered silently."""
    story = NewStory(make_item("old"), BLAME, is_backlog=True)
    assert await store.ingest(FEED, [story], now=NOW) == []
    assert await store.unseen(FEED, [make_item("old")], now=NOW) == []


async def test_same_story_adds_report_not_alert(store):
    """A second feed's copy of a story counts as 'also reported', not a new alert."""
    (alert,) = await store.ingest(FEED, [NewStory(make_item("a"), BLAME)], now=NOW)
    other = "https://other.example/rss"
    copy = NewStory(make_item("z", feed=other), BLAME, same_as=alert.id)
    assert await store.ingest(other, [copy], now=NOW) == []
    stored = await store.get_alert(alert.id)
    assert stored is not None
    assert stored.also_reported == 1


async def test_reports_count_the_languages_of_the_other_feeds(store):
    """The alert's own language is not counted; unknown languages are not either."""
    (alert,) = await store.ingest(FEED, [NewStory(make_item("a"), BLAME, lang="en")], now=NOW)
    for number, lang in enumerate(["ru", "ar", "ru", None]):
        other = f"https://other{number}.example/rss"
        copy = NewStory(make_item("z", feed=other), BLAME, same_as=alert.id, lang=lang)
        await store.ingest(other, [copy], now=NOW)
    stored = await store.get_alert(alert.id)
    assert (stored.also_reported, stored.also_languages) == (4, 2)


async def test_outbox_sent_rows_are_never_returned_again(store):
    """mark_sent takes a row out of the queue for good."""
    await store.subscribe(1, chat_type="private", levels=[Level.BLAME], now=NOW)
    await store.ingest(FEED, [await routed(store, NewStory(make_item("a"), BLAME))], now=NOW)
    (row,) = await store.next_outbox(NOW)
    await store.mark_sent(row.id, message_id=10, now=NOW)
    assert await store.next_outbox(NOW) == []
    assert (await store.outbox_counts())["sent"] == 1


async def test_postponed_row_waits_until_its_time(store):
    """A flood-wait postpones a row without dropping it."""
    await store.subscribe(1, chat_type="private", levels=[Level.BLAME], now=NOW)
    await store.ingest(FEED, [await routed(store, NewStory(make_item("a"), BLAME))], now=NOW)
    (row,) = await store.next_outbox(NOW)
    later = NOW + timedelta(hours=3)
    await store.postpone(row.id, later, "429 retry after 10800")
    assert await store.next_outbox(NOW) == []
    assert await store.next_outbox_time() == later
    assert [r.id for r in await store.next_outbox(later)] == [row.id]


async def test_deactivate_drops_pending_rows(store):
    """A blocked chat stops receiving and its queue is dropped."""
    await store.subscribe(1, chat_type="private", levels=[Level.BLAME], now=NOW)
    await store.ingest(FEED, [await routed(store, NewStory(make_item("a"), BLAME))], now=NOW)
    assert await store.deactivate_chat(1, reason="403 blocked")
    assert await store.next_outbox(NOW) == []
    assert await store.active_subscriptions() == []
    sub = await store.get_subscription(1)
    assert sub is not None
    assert not sub.is_active


async def test_move_chat_carries_subscription_and_pending_rows(store):
    """A group upgraded to a supergroup keeps its filter and its queue under the new id."""
    await store.subscribe(-1, chat_type="group", levels=[Level.BLAME], words=["armenia"], now=NOW)
    await store.ingest(FEED, [await routed(store, NewStory(make_item("a"), BLAME))], now=NOW)
    await store.move_chat(-1, -100123, now=NOW)
    assert await store.get_subscription(-1) is None
    moved = await store.get_subscription(-100123)
    assert moved is not None
    assert moved.words == ("armenia",)
    assert [r.chat_id for r in await store.next_outbox(NOW)] == [-100123]


async def test_chat_language_is_kept_joined_and_moved(store):
    """A chat's language: set and replaced, read with its subscription and its outbox rows,
    carried to the supergroup id, kept after /unsubscribe."""
    assert await store.get_chat_language(-1) is None
    await store.set_chat_language(-1, "ru", is_chosen=False, now=NOW)
    await store.set_chat_language(-1, "ar", is_chosen=True, now=NOW)
    chosen = await store.get_chat_language(-1)
    assert (chosen.language, chosen.is_chosen) == ("ar", True)
    sub = await store.subscribe(-1, chat_type="group", levels=[Level.BLAME], now=NOW)
    assert sub.language == "ar"
    await store.subscribe(2, chat_type="private", levels=[Level.BLAME], now=NOW)
    await store.ingest(FEED, [await routed(store, NewStory(make_item("a"), BLAME))], now=NOW)
    rows = {r.chat_id: r.language for r in await store.next_outbox(NOW)}
    assert rows == {-1: "ar", 2: None}
    await store.set_chat_language(-100123, "de", is_chosen=False, now=NOW)
    await store.move_chat(-1, -100123, now=NOW)
    assert await store.get_chat_language(-1) is None
    assert (await store.get_chat_language(-100123)).language == "ar"
    assert {s.chat_id: s.language for s in await store.active_subscriptions()} == {
        -100123: "ar",
        2: None,
    }
    await store.unsubscribe(-100123)
    assert (await store.get_chat_language(-100123)).language == "ar"


async def test_resubscribe_replaces_filter(store):
    """Subscribing again replaces levels and words and reactivates the chat."""
    await store.subscribe(1, chat_type="private", levels=[Level.BLAME], words=["gaza"], now=NOW)
    await store.unsubscribe(1)
    sub = await store.subscribe(
        1, chat_type="private", levels=[Level.BLAME, Level.VIOLATION], now=NOW
    )
    assert sub.is_active
    assert sub.words == ()
    assert sub.levels == (Level.BLAME, Level.VIOLATION)


async def test_prune_forgets_items_no_longer_carried(store):
    """Items not seen in a feed since the cutoff are pruned; carried ones stay."""
    await store.ingest(FEED, [NewStory(make_item("old"), BLAME)], now=NOW)
    await store.ingest(FEED, [NewStory(make_item("kept"), BLAME)], now=NOW)
    later = NOW + timedelta(days=40)
    await store.unseen(FEED, [make_item("kept")], now=later)  # still in the feed
    removed = await store.prune(items_before=later - timedelta(days=30))
    assert removed == 1
    assert [i.key for i in await store.unseen(FEED, [make_item("old")], now=later)] == ["old"]


async def test_feed_error_and_recovery_are_recorded(store):
    """Failures count up and a success resets them; validators are kept verbatim."""
    await store.add_feed(FEED, now=NOW)
    await store.record_fetch_error(FEED, "HTTP 500", now=NOW, next_poll=NOW + timedelta(hours=1))
    (feed,) = await store.list_feeds()
    assert (feed.failures, feed.last_error) == (1, "HTTP 500")
    assert await store.claim_due_feeds("w1", NOW, limit=10, lease=LEASE) == []
    await store.record_fetch_ok(
        FEED, now=NOW, next_poll=NOW, title="T", etag='W/"x"', last_modified="Fri, 13 Aug 2021"
    )
    (feed,) = await store.claim_due_feeds("w1", NOW, limit=10, lease=LEASE)
    assert (feed.failures, feed.etag, feed.last_modified, feed.title) == (
        0,
        'W/"x"',
        "Fri, 13 Aug 2021",
        "T",
    )


async def test_claimed_feeds_are_leased_until_their_poll_is_recorded(store):
    """Claims hand out due feeds oldest first, each once, until a recorded poll releases it."""
    feeds = [f"https://example.org/{n}.xml" for n in range(3)]
    for url in feeds:
        await store.add_feed(url, now=NOW)
    await store.record_fetch_ok(feeds[2], now=NOW, next_poll=NOW - timedelta(hours=1))
    first = await store.claim_due_feeds("w1", NOW, limit=2, lease=LEASE)
    # Never polled comes first (due at once), then by URL; the one polled before is due last.
    assert [f.url for f in first] == feeds[:2]
    assert {(f.leased_by, f.lease_until) for f in first} == {("w1", NOW + LEASE)}
    (third,) = await store.claim_due_feeds("w1", NOW, limit=2, lease=LEASE)
    assert third.url == feeds[2]
    assert await store.claim_due_feeds("w1", NOW, limit=2, lease=LEASE) == []

    await store.record_fetch_ok(feeds[0], now=NOW, next_poll=NOW)
    await store.record_fetch_error(feeds[1], "HTTP 500", now=NOW, next_poll=NOW)
    released = {f.url: f for f in await store.list_feeds()}
    assert (released[feeds[0]].leased_by, released[feeds[0]].lease_until) == (None, None)
    assert released[feeds[1]].leased_by is None
    assert released[feeds[2]].leased_by == "w1"
    again = await store.claim_due_feeds("w1", NOW, limit=5, lease=LEASE)
    assert sorted(f.url for f in again) == feeds[:2]


async def test_a_lease_that_runs_out_is_claimed_again(store):
    """A worker that never records its poll (it died) loses the feed when the lease ends."""
    await store.add_feed(FEED, now=NOW)
    await store.claim_due_feeds("w1", NOW, limit=1, lease=LEASE)
    assert await store.claim_due_feeds("w1", NOW + LEASE / 2, limit=1, lease=LEASE) == []
    (feed,) = await store.claim_due_feeds("w2", NOW + LEASE, limit=1, lease=LEASE)
    assert (feed.leased_by, feed.lease_until) == ("w2", NOW + 2 * LEASE)


async def test_a_worker_gives_back_the_leases_it_could_not_record(store):
    """release_feeds frees a worker's leases (polls it could not record) for it to poll again."""
    for url in (FEED, "https://example.org/other.xml"):
        await store.add_feed(url, now=NOW)
    await store.claim_due_feeds("w1", NOW, limit=1, lease=LEASE)
    assert await store.release_feeds("w2") == 0
    assert await store.release_feeds("w1") == 1
    assert {f.leased_by for f in await store.list_feeds()} == {None}
    assert len(await store.claim_due_feeds("w1", NOW, limit=5, lease=LEASE)) == 2


async def test_sqlite_ignores_leases_a_finished_process_left(db_path):
    """One process uses a SQLite file: after a restart (a new worker name) due feeds are polled
    at once, as before leases existed, even if the old process died holding them."""
    store = await SqliteStore.open(db_path)
    try:
        await store.add_feed(FEED, now=NOW)
        await store.claim_due_feeds("host:1:old", NOW, limit=1, lease=LEASE)
        (feed,) = await store.claim_due_feeds("host:2:new", NOW, limit=1, lease=LEASE)
        assert feed.leased_by == "host:2:new"
    finally:
        await store.close()


async def test_workers_heartbeats_are_listed_and_forgotten(store):
    """Heartbeats keep a worker's start and update when it was seen and if it was the sender."""
    await store.record_worker("host:1:aa", now=NOW, is_sender=False)
    await store.record_worker("host:2:bb", now=NOW, is_sender=False)
    later = NOW + timedelta(minutes=5)
    await store.record_worker("host:1:aa", now=later, is_sender=True)
    (recent,) = await store.recent_workers(later - timedelta(minutes=1))
    assert (recent.name, recent.started, recent.last_seen, recent.is_sender) == (
        "host:1:aa",
        NOW,
        later,
        True,
    )
    assert [w.name for w in await store.recent_workers(NOW)] == ["host:1:aa", "host:2:bb"]
    await store.record_worker("host:2:bb", now=NOW, is_sender=True)  # host 1 died sending
    assert [w.is_sender for w in await store.recent_workers(NOW)] == [False, True]
    assert await store.forget_workers(seen_before=later) == 1
    await store.forget_worker("host:1:aa")
    assert await store.recent_workers(NOW) == []


async def test_alerts_after_an_id_come_oldest_first(store):
    """What was stored after an alert id, in id order, a page at a time."""
    stored = []
    for key in ("a1", "a2", "a3"):
        stored += await store.ingest(FEED, [NewStory(make_item(key, key), BLAME)], now=NOW)
    ids = [a.id for a in stored]
    assert [a.id for a in await store.alerts_after(0)] == ids
    assert [a.id for a in await store.alerts_after(ids[0], limit=1)] == ids[1:2]
    assert await store.alerts_after(ids[-1]) == []


async def test_webhook_rows_are_queued_with_the_alert_and_tracked(store):
    """An alert gets one webhook row per receiver in its transaction; sent, refused and the
    receiver's health are kept; done rows go with the outbox retention, pending ones stay."""
    hook_a, hook_b = "https://hooks.example/a", "https://hooks.example/b"
    story = NewStory(make_item("w1"), BLAME, webhooks=(hook_a, hook_b, hook_a))
    (alert,) = await store.ingest(FEED, [story], now=NOW)
    await store.ingest(FEED, [NewStory(make_item("w2"), BLAME, webhooks=(hook_a,))], now=NOW)
    first, second = await store.next_webhooks(hook_a)
    assert (first.alert.id, first.url, first.attempts) == (alert.id, hook_a, 0)
    await store.mark_webhook_sent(first.id, now=NOW)
    await store.record_webhook_attempt(second.id, "HTTP 500")
    assert [r.attempts for r in await store.next_webhooks(hook_a)] == [1]
    await store.record_webhook_attempt(second.id, "HTTP 422", is_refused=True)
    assert await store.next_webhooks(hook_a) == []
    assert await store.webhook_counts() == {"sent": 1, "refused": 1, "pending": 1}

    assert await store.webhook_target(hook_b) == WebhookTarget(url=hook_b)
    failing = WebhookTarget(
        url=hook_b,
        failures=3,
        failing_since=NOW,
        next_attempt=NOW + timedelta(minutes=5),
        last_error="HTTP 503",
    )
    await store.save_webhook_target(failing)
    assert await store.webhook_target(hook_b) == failing
    paused = replace(failing, paused_at=NOW + timedelta(hours=6))
    await store.save_webhook_target(paused)
    assert (await store.webhook_target(hook_b)).is_paused

    later = NOW + timedelta(days=40)
    await store.prune(items_before=NOW - timedelta(days=1), outbox_before=later)
    assert await store.webhook_counts() == {"pending": 1}


RU_AZ = Pair("Russia", "Azerbaijan")
AM_AZ = Pair("Armenia", "Azerbaijan")
DAY = timedelta(hours=24)


async def test_mutes_are_per_chat_and_end_on_time(store):
    """A mute holds in its chat until `until`, then is no longer in force."""
    mute = await store.mute_pair(10, RU_AZ, until=NOW + DAY, now=NOW, muted_by=5)
    await store.mute_pair(-20, AM_AZ, until=NOW + 2 * DAY, now=NOW)
    assert (mute.chat_id, mute.pair, mute.until, mute.muted_by) == (10, RU_AZ, NOW + DAY, 5)
    assert [m.pair for m in await store.mutes_in_force(NOW, chat_id=10)] == [RU_AZ]
    assert [m.chat_id for m in await store.mutes_in_force(NOW)] == [10, -20]  # soonest end first
    assert [m.chat_id for m in await store.mutes_in_force(NOW + DAY)] == [-20]


async def test_muting_again_keeps_the_later_end_and_reuses_expired_rows(store):
    """Pressing twice never shortens a mute; after it ended a new press starts afresh."""
    first = await store.mute_pair(10, RU_AZ, until=NOW + DAY, now=NOW)
    again = await store.mute_pair(10, RU_AZ, until=NOW + DAY / 2, now=NOW)
    assert (again.id, again.until) == (first.id, NOW + DAY)
    later = NOW + 3 * DAY
    renewed = await store.mute_pair(10, RU_AZ, until=later + DAY / 2, now=later)
    assert (renewed.id, renewed.until) == (first.id, later + DAY / 2)


async def test_lifting_a_mute_needs_its_own_chat(store):
    """Another chat's mute id lifts nothing; an ended mute cannot be lifted again."""
    mute = await store.mute_pair(10, RU_AZ, until=NOW + DAY, now=NOW)
    assert await store.lift_mute(11, mute.id, now=NOW) is None
    lifted = await store.lift_mute(10, mute.id, now=NOW)
    assert lifted is not None
    assert lifted.pair == RU_AZ
    assert await store.lift_mute(10, mute.id, now=NOW) is None
    assert await store.mutes_in_force(NOW) == []


async def test_move_chat_carries_mutes(store):
    """A group upgraded to a supergroup keeps its mutes; a pair muted in both keeps one row."""
    await store.mute_pair(-1, RU_AZ, until=NOW + DAY, now=NOW)
    await store.mute_pair(-1, AM_AZ, until=NOW + DAY, now=NOW)
    await store.mute_pair(-100123, AM_AZ, until=NOW + 2 * DAY, now=NOW)
    await store.move_chat(-1, -100123, now=NOW)
    assert await store.mutes_in_force(NOW, chat_id=-1) == []
    moved = {m.pair: m.until for m in await store.mutes_in_force(NOW, chat_id=-100123)}
    assert moved == {RU_AZ: NOW + DAY, AM_AZ: NOW + 2 * DAY}


async def test_dropped_outbox_row_is_never_sent(store):
    """drop_outbox_row takes a pending row out of the queue for good."""
    await store.subscribe(1, chat_type="private", levels=[Level.BLAME], now=NOW)
    await store.ingest(FEED, [await routed(store, NewStory(make_item("a"), BLAME))], now=NOW)
    (row,) = await store.next_outbox(NOW)
    await store.drop_outbox_row(row.id, "pair muted in this chat")
    assert await store.next_outbox(NOW) == []
    assert (await store.outbox_counts())["dropped"] == 1


async def test_setdefault_meta_keeps_the_first_value(store_target):
    """The first value stored wins, also after reopening (the buttons' signing key)."""
    store = await open_store_at(store_target)
    assert await store.setdefault_meta("callback_key", "first") == "first"
    assert await store.setdefault_meta("callback_key", "second") == "first"
    await store.close()
    store = await open_store_at(store_target)
    assert await store.setdefault_meta("callback_key", "third") == "first"
    await store.close()
