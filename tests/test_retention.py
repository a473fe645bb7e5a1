"""Issue 11, item 1 (first half), on both backends: the database stays bounded (outbox retention,
reports follow their items) and the novelty line reads a per-pair summary, with the same lines."""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from telegram import Bot

from bot.config import load_settings
from bot.frontend.delivery import DeliveryWorker, SendLimiter
from bot.model import NewStory
from bot.services.history import PendingAccusation, event_time, novelty_for, render_novelty
from bot.services.poller import _BlameRecord
from bot.store import Store, postgres
from bot.store.base import LAST_SEEN_STEP
from bot.store.sqlite import MIGRATIONS, SCHEMA_VERSION
from feeds.model import Detection, Item, Level, Pair
from tests.stores import open_store_at

NOW = datetime(2024, 3, 13, 12, 0, tzinfo=UTC)
FEED = "https://example.org/feed"
OTHER = "https://other.example/rss"
ACTORS = ("Armenia", "Azerbaijan", "Russia", "Turkey")


def item(key: str, *, published: datetime, feed: str = FEED) -> Item:
    return Item(
        key=key,
        feed_url=feed,
        title=f"Story {key}",
        summary="",
        link=f"https://example.org/{key}",
        published=published,
        source_title="Example",
    )


def blame(key: str, *pairs: Pair, published: datetime, feed: str = FEED, **kw) -> NewStory:
    return NewStory(
        item(key, published=published, feed=feed), Detection(Level.BLAME, pairs=pairs), **kw
    )


async def to_everyone(store, story: NewStory) -> NewStory:
    chats = tuple(s.destination for s in await store.active_subscriptions())
    return replace(story, recipients=chats)


def test_outbox_retention_setting():
    """OUTBOX_RETENTION_DAYS defaults to 30 and is read like the other day counts."""
    assert load_settings({}).outbox_retention_days == 30
    assert load_settings({"OUTBOX_RETENTION_DAYS": "90"}).outbox_retention_days == 90


async def test_retention_deletes_old_done_rows_and_keeps_pending_and_recent(store):
    """Prune drops sent/failed/dropped rows queued before the cutoff; pending rows always stay."""
    old, recent = NOW - timedelta(days=40), NOW - timedelta(days=2)
    for chat in (1, 2, 3, 4):
        await store.subscribe(chat, chat_type="private", levels=[Level.BLAME], now=old)
    pair = Pair("Armenia", "Azerbaijan")
    await store.ingest(FEED, [await to_everyone(store, blame("o", pair, published=old))], now=old)
    story = await to_everyone(store, blame("r", pair, published=recent))
    await store.ingest(FEED, [story], now=recent)
    rows = {(r.alert.item_key, r.chat_id): r.id for r in await store.next_outbox(NOW)}
    for key in ("o", "r"):
        await store.mark_sent(rows[key, 1], message_id=1, now=NOW)
        await store.mark_failed(rows[key, 2], "HTTP 400")
    await store.deactivate_chat(3, reason="blocked")  # chat 3's rows become 'dropped'
    # chat 4's rows stay pending, the old one included

    await store.prune(
        items_before=NOW - timedelta(days=30), outbox_before=NOW - timedelta(days=30)
    )

    left = await store._all(
        "SELECT a.item_key, o.chat_id, o.status FROM outbox o JOIN alerts a ON a.id = o.alert_id"
    )
    assert sorted(tuple(r) for r in left) == [
        ("o", 4, "pending"),
        ("r", 1, "sent"),
        ("r", 2, "failed"),
        ("r", 3, "dropped"),
        ("r", 4, "pending"),
    ]
    assert len(await store.recent_alerts(old - timedelta(days=1))) == 2  # alerts stay


async def test_reports_follow_their_items(store):
    """A report of an item that no feed carries any more goes when the item is pruned."""
    pair = Pair("Armenia", "Azerbaijan")
    (alert,) = await store.ingest(FEED, [blame("a", pair, published=NOW)], now=NOW)
    await store.ingest(
        OTHER, [blame("b", pair, published=NOW, feed=OTHER, same_as=alert.id)], now=NOW
    )
    assert (await store.get_alert(alert.id)).also_reported == 1
    later = NOW + timedelta(days=40)
    await store.unseen(FEED, [item("a", published=NOW)], now=later)  # FEED still carries "a"
    assert await store.prune(items_before=later - timedelta(days=30)) == 1
    reports = await store._all("SELECT feed_url, item_key FROM alert_reports")
    assert [tuple(r) for r in reports] == [(FEED, "a")]
    assert (await store.get_alert(alert.id)).also_reported == 0


async def test_carried_items_are_marked_hourly_and_never_pruned(store):
    """unseen rewrites last_seen at most hourly, and a carried item outlives any retention."""
    await store.ingest(FEED, [NewStory(item("a", published=NOW), Detection(Level.NONE))], now=NOW)

    async def last_seen() -> datetime:
        (row,) = await store._all("SELECT last_seen FROM items")
        seen = row[0]
        return seen if isinstance(seen, datetime) else datetime.fromisoformat(seen)

    for minutes in range(5, 48 * 60, 5):  # polled every 5 minutes for two days
        now = NOW + timedelta(minutes=minutes)
        assert await store.unseen(FEED, [item("a", published=NOW)], now=now) == []
        assert now - await last_seen() <= LAST_SEEN_STEP
        assert await store.prune(items_before=now - timedelta(days=1)) == 0
    marked = await last_seen()
    assert marked > NOW + timedelta(hours=47)
    await store.unseen(FEED, [item("a", published=NOW)], now=marked + timedelta(minutes=30))
    assert await last_seen() == marked  # not rewritten within the hour
    later = marked + LAST_SEEN_STEP + timedelta(minutes=1)
    await store.unseen(FEED, [item("a", published=NOW)], now=later)
    assert await last_seen() == later


def recount(alerts) -> dict[Pair, tuple[datetime, datetime, int]]:
    """The summary recomputed from the blame alerts themselves."""
    times: dict[Pair, list[datetime]] = {}
    for alert in alerts:
        for pair in alert.pairs:
            times.setdefault(pair, []).append(event_time(alert))
    return {p: (min(t), max(t), len(t)) for p, t in times.items()}


def day_recount(alerts) -> list[tuple[Pair, str, int]]:
    counts = Counter(
        (pair, event_time(alert).date().isoformat()) for alert in alerts for pair in alert.pairs
    )
    return sorted(
        ((p, d, n) for (p, d), n in counts.items()),
        key=lambda r: (r[0].accuser, r[0].accused, r[1]),
    )


def accusation_recount(alerts) -> list[tuple[str, str, datetime, int]]:
    return sorted(
        (pair.accuser, pair.accused, event_time(alert), alert.id)
        for alert in alerts
        for pair in alert.pairs
    )


async def accusations(store: Store) -> list[tuple[str, str, datetime, int]]:
    rows = await store._all("SELECT accuser, accused, made, alert_id FROM accusations")
    return sorted(
        (a, b, m if isinstance(m, datetime) else datetime.fromisoformat(m), i)
        for a, b, m, i in rows
    )


async def summary(store: Store) -> dict[Pair, tuple[datetime, datetime, int]]:
    return {
        p: (r.first_seen, r.last_seen, r.count) for p, r in (await store.pair_records()).items()
    }


def random_stories(rng: random.Random, count: int, start: datetime):
    """(now, stories) batches: blame stories, some late, some with two pairs, some not blame."""
    batches = []
    moment = start
    for n in range(count):
        moment += timedelta(minutes=rng.choice([7, 45, 200, 900, 3000, 20000]))
        stories = []
        for k in range(rng.choice([1, 1, 2])):
            accuser, accused = rng.sample(ACTORS, 2)
            pairs = (Pair(accuser, accused),)
            if rng.random() < 0.2:
                pairs += (Pair(accused, accuser),)
            published = moment - timedelta(hours=rng.choice([0, 0, 1, 30, 200]))
            if rng.random() < 0.1:
                published = moment + timedelta(hours=3)  # a feed dated in the future
            level = Level.BLAME if rng.random() < 0.9 else Level.VIOLATION
            key = f"{n}-{k}"
            stories.append(NewStory(item(key, published=published), Detection(level, pairs=pairs)))
        batches.append((moment, stories))
    return batches


async def test_summary_equals_a_recount_after_many_ingests(store):
    """blame_pairs and blame_pair_days always equal a recount from the alerts table."""
    rng = random.Random(11)  # noqa: S311 - a fixed test series
    for now, stories in random_stories(rng, 120, NOW - timedelta(days=60)):
        await store.ingest(FEED, stories, now=now)
    alerts = await store.blame_history(datetime.min.replace(tzinfo=UTC))
    assert len(alerts) > 100
    assert await summary(store) == recount(alerts)
    assert await store.pair_days() == day_recount(alerts)
    assert await store.first_blame_time() == min(event_time(a) for a in alerts)
    assert await accusations(store) == accusation_recount(alerts)


async def test_novelty_lines_equal_the_full_history_ones(store):
    """The record-based line is the full-history line, for every kind of story and timing."""
    rng = random.Random(7)  # noqa: S311 - a fixed test series
    seen: set[str] = set()
    late_lookups = 0
    for now, stories in random_stories(rng, 150, NOW - timedelta(days=90)):
        # The old recipe: every blame alert, the first alert time, and this batch's pending ones.
        history = list(await store.blame_history(datetime.min.replace(tzinfo=UTC)))
        since = await store.first_alert_time()
        record = await _BlameRecord.load(store)
        # Each story is stored before the next is looked at, as when they come from several
        # feeds of one cycle: what is stored during the cycle must not count twice.
        for story in sorted(stories, key=lambda s: s.item.published):
            pairs = story.detection.pairs
            made = min(story.item.published, now)
            expected = novelty_for(pairs, history, now=made, on_record_since=since)
            assert await record.novelty(store, pairs, made) == expected
            # And lookups further back (reading older alerts mid-cycle), and for pairs whose
            # last accusation is later than the story.
            for probe in (Pair(*reversed(ACTORS[:2])), Pair("Russia", "Turkey")):
                back = made - timedelta(days=rng.choice([3, 20]))
                old_line = novelty_for((probe,), history, now=back, on_record_since=since)
                assert await record.novelty(store, (probe,), back) == old_line
                seen.add(render_novelty(old_line))
                late_lookups += any(probe in a.pairs and event_time(a) > back for a in history)
            pending = PendingAccusation(pairs, story.item.published, now)
            history.append(pending)
            record.add(pending)
            seen.add(render_novelty(expected))
            await store.ingest(
                FEED, [NewStory(story.item, story.detection, novelty=expected.encode())], now=now
            )
    # The random series reached every kind of fact, late stories included.
    kinds = {
        "First time",
        "First accusation",
        "in 24 h",
        "in 7 days",
        "also accused",
    }
    assert {k for k in kinds if any(k in line for line in seen)} == kinds
    assert late_lookups  # pairs accused again after the moment looked at


async def test_windows_keep_their_meaning_between_whole_seconds(store):
    """Stored times are whole seconds, lookups are not: an accusation 24 h and half a second
    before counts in 7 days but not in 24 h, one 24 h minus half a second before counts in both,
    exactly as the full-history line has it."""
    pair = Pair("Armenia", "Azerbaijan")
    for n, hours in enumerate((24, 48, 72, 168)):
        at = NOW - timedelta(hours=hours)
        await store.ingest(FEED, [blame(f"b{n}", pair, published=at)], now=at)
        back = NOW - timedelta(hours=hours)
        reply = blame(f"r{n}", Pair(pair.accused, pair.accuser), published=back)
        await store.ingest(
            OTHER, [replace(reply, item=replace(reply.item, feed_url=OTHER))], now=back
        )
    history = await store.blame_history(datetime.min.replace(tzinfo=UTC))
    since = await store.first_alert_time()
    record = await _BlameRecord.load(store)
    lines = set()
    for offset in (-0.5, 0, 0.5):
        for hours in (24, 48, 72, 168):
            at = NOW + timedelta(hours=hours - 24, seconds=offset)
            expected = novelty_for((pair,), history, now=at, on_record_since=since)
            assert await record.novelty(store, (pair,), at) == expected
            lines.add(expected)
    assert len(lines) > 4


async def test_seeded_store_lines_through_the_summary(store):
    """The lines of test_history's seeded store, now read through the summary."""
    ago = lambda **d: NOW - timedelta(**d)  # noqa: E731
    am_az, az_am, ru_az = (
        Pair("Armenia", "Azerbaijan"),
        Pair("Azerbaijan", "Armenia"),
        Pair("Russia", "Azerbaijan"),
    )
    await store.ingest(FEED, [blame("old", ru_az, published=ago(days=96))], now=ago(days=96))
    await store.ingest(FEED, [blame("x1", am_az, published=ago(hours=20))], now=ago(hours=20))
    await store.ingest(FEED, [blame("x2", am_az, published=ago(hours=4))], now=ago(hours=4))
    await store.ingest(FEED, [blame("y", az_am, published=ago(hours=2))], now=ago(hours=2))
    record = await _BlameRecord.load(store)
    assert render_novelty(await record.novelty(store, (am_az,), NOW)) == (
        "Azerbaijan also accused Armenia 2 h ago; "
        "3rd accusation by Armenia against Azerbaijan in 24 h"
    )
    assert render_novelty(await record.novelty(store, (Pair("Turkey", "Armenia"),), NOW)) == (
        "First time Turkey has blamed Armenia in the 96 days on record"
    )
    assert render_novelty(await record.novelty(store, (ru_az,), NOW)) == (
        "First accusation by Russia against Azerbaijan in 96 days"
    )


# A database as the previous schema (migration 1 only) left it, with rows in every table.
V1_ALERTS = [  # (id, key, pairs, published and created as days before NOW, level)
    (1, "a1", [["Armenia", "Azerbaijan"]], 40, 40, "blame"),
    (2, "a2", [["Armenia", "Azerbaijan"], ["Azerbaijan", "Armenia"]], 12, 10, "blame"),
    (3, "a3", [["Russia", "Azerbaijan"]], 1, 2, "blame"),  # dated after it came
    (4, "a4", [], 3, 3, "violation"),
]
V1_OUTBOX = [(1, 10, "sent"), (2, 10, "pending"), (3, 10, "pending"), (3, 20, "failed")]
V1_OUTBOX += [(2, 30, "pending")]
Row = tuple[str, dict[str, object]]  # (table, column → value)


def _ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def _v1_item(feed: str, key: str, link: str, published: int, seen: int, level: str) -> Row:
    when, made = _ago(published), _ago(seen)
    return (
        "items",
        {"feed_url": feed, "key": key, "title": "t", "link": link, "published": when}
        | {"first_seen": made, "last_seen": made, "level": level},
    )


def _v1_report(alert_id: int, feed: str, link: str, seen: int) -> Row:
    return (
        "alert_reports",
        {"alert_id": alert_id, "feed_url": feed, "link": link, "seen": _ago(seen)},
    )


def _v1_rows() -> list[Row]:
    """The old database's rows, in the order they were written."""
    rows: list[Row] = [
        (
            "subscriptions",
            {"chat_id": chat, "chat_type": "private", "levels": "blame,violation"}
            | {"created": _ago(50), "updated": _ago(50)},
        )
        for chat in (10, 20, 30)
    ]
    for aid, key, pairs, published, created, level in V1_ALERTS:
        link = f"https://example.org/{key}"
        alert = {"id": aid, "feed_url": FEED, "item_key": key, "title": "t", "summary": "s"}
        alert |= {"link": link, "published": _ago(published), "source_title": "Example"}
        alert |= {"level": level, "pairs": pairs, "evidence": "", "matched": [], "actors": []}
        rows.append(_v1_item(FEED, key, link, published, created, level))
        rows.append(("alerts", alert | {"created": _ago(created)}))
        rows.append(_v1_report(aid, FEED, link, created))
    # Another feed carried story 2 (its item still held) and story 1 (its item already pruned).
    rows.append(_v1_item(OTHER, "b2", "https://other.example/b2", 10, 10, "blame"))
    rows.append(_v1_report(2, OTHER, "https://other.example/b2", 10))
    rows.append(_v1_report(1, OTHER, "https://other.example/gone", 40))
    for aid, chat, status in V1_OUTBOX:
        rows.append(
            ("outbox", {"alert_id": aid, "chat_id": chat, "status": status, "created": _ago(5)})
        )
    return rows


def _as_text(value: object) -> object:
    """How the old program wrote a value to SQLite: ISO times, JSON lists."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return json.dumps(value) if isinstance(value, list) else value


def _v1_sqlite(path) -> None:
    con = sqlite3.connect(path)
    con.executescript(MIGRATIONS[0])
    con.execute("PRAGMA user_version = 1")
    for table, row in _v1_rows():
        marks = ", ".join("?" * len(row))
        con.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})",  # noqa: S608
            [_as_text(v) for v in row.values()],
        )
    con.commit()
    con.close()


async def _v1_postgres(url: str) -> None:
    con = await asyncpg.connect(url)
    try:
        async with con.transaction():
            await con.execute(postgres.MIGRATIONS[0])
            await con.execute("CREATE TABLE schema_version (version integer NOT NULL)")
            await con.execute("INSERT INTO schema_version VALUES (1)")
            for table, row in _v1_rows():
                marks = ", ".join(f"${n}" for n in range(1, len(row) + 1))
                await con.execute(
                    f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})",  # noqa: S608
                    *[json.dumps(v) if isinstance(v, list) else v for v in row.values()],
                )
            # The alert ids were given above; the old program's inserts would have advanced them.
            await con.execute("SELECT setval(pg_get_serial_sequence('alerts', 'id'), 4)")
    finally:
        await con.close()


async def test_previous_schema_migrates_with_everything_kept(store_target, telegram_api):
    """A version-1 database: every subscription and pending row kept and still delivered once,
    the summary back-filled."""
    if isinstance(store_target, Path):
        _v1_sqlite(store_target)
    else:
        await _v1_postgres(store_target)
    store = await open_store_at(store_target)
    try:
        assert await store.schema_version() == SCHEMA_VERSION
        subs = await store.active_subscriptions()
        assert [s.chat_id for s in subs] == [10, 20, 30]
        pending = await store.next_outbox(NOW)
        assert sorted((r.alert.id, r.chat_id) for r in pending) == [(2, 10), (2, 30), (3, 10)]
        assert await store.outbox_counts() == {"pending": 3, "sent": 1, "failed": 1}
        alerts = await store.blame_history(datetime.min.replace(tzinfo=UTC))
        assert await summary(store) == recount(alerts)
        assert await store.pair_days() == day_recount(alerts)
        assert await accusations(store) == accusation_recount(alerts)
        assert (await store.pair_records([Pair("Armenia", "Azerbaijan")]))[
            Pair("Armenia", "Azerbaijan")
        ].count == 2
        reports = await store._all(
            "SELECT alert_id, feed_url, item_key FROM alert_reports ORDER BY alert_id, feed_url"
        )
        assert [tuple(r) for r in reports] == [
            (1, FEED, "a1"),
            (2, FEED, "a2"),
            (2, OTHER, "b2"),
            (3, FEED, "a3"),
            (4, FEED, "a4"),
        ]
        # The kept rows are still deliverable: each goes out once, through the real worker.
        limiter = SendLimiter(per_second=0, chat_interval=0, group_per_minute=0)
        async with Bot("123:MIGRATED", base_url=telegram_api.base_url) as bot:
            report = await DeliveryWorker(bot, store, limiter=limiter).run_once()
        assert report.sent == 3
        assert sorted(m.chat_id for m in telegram_api.sent) == [10, 10, 30]
        assert await store.outbox_counts() == {"sent": 4, "failed": 1}
        # And it keeps working: a new accusation updates the back-filled summary.
        await store.ingest(
            FEED, [blame("n", Pair("Armenia", "Azerbaijan"), published=NOW)], now=NOW
        )
        alerts = await store.blame_history(datetime.min.replace(tzinfo=UTC))
        assert await summary(store) == recount(alerts)
    finally:
        await store.close()


async def test_stories_stored_during_the_cycle_count_once(store):
    """A story stored mid-cycle is counted from the cycle's memory, not again from the file."""
    pair = Pair("Armenia", "Azerbaijan")
    await store.ingest(FEED, [blame("a", pair, published=NOW - timedelta(hours=5))], now=NOW)
    record = await _BlameRecord.load(store)  # the cycle starts; then a feed stores a story
    await store.ingest(OTHER, [blame("b", pair, published=NOW, feed=OTHER)], now=NOW)
    record.add(PendingAccusation((pair,), NOW, NOW))
    line = render_novelty(await record.novelty(store, (pair,), NOW))
    assert line == "3rd accusation by Armenia against Azerbaijan in 24 h"
