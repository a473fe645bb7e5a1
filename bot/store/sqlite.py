"""The SQLite store, the embedded default: feeds, seen items, alerts, subscriptions, the outbox.

One aiosqlite connection, numbered migrations kept in PRAGMA user_version, every multi-statement
write inside `async with self._tx()`. Rows become dataclasses here; a Row never leaves the module.
May import feeds.model, bot.model and bot.errors only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import aiosqlite

from bot.errors import StoreError
from bot.model import (
    Alert,
    BurstPart,
    ChatLanguage,
    Destination,
    FeedState,
    Mute,
    NewStory,
    OutboxKind,
    OutboxMessage,
    OutboxRow,
    PairActivity,
    PairRecord,
    QuietHours,
    StoreStats,
    Subscription,
    WebhookRow,
    WebhookTarget,
    WorkerState,
)
from bot.store.base import LAST_SEEN_STEP
from bot.store.migrations import load_migrations
from feeds.model import Item, Level, Pair

log = logging.getLogger(__name__)

# Never edit a shipped step: add a numbered file. Version = number, kept in PRAGMA user_version.
MIGRATIONS: tuple[str, ...] = load_migrations("sqlite")
SCHEMA_VERSION = len(MIGRATIONS)
EARLIEST = datetime.min.replace(tzinfo=UTC)  # '' in next_poll: never polled, due at once
_MAX_ID = 2**63 - 1  # SQLite's largest integer: "no bound" on an alert id


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the store")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _iso_ceil(moment: datetime) -> str:
    """`_iso` rounded up to the next whole second: a lower bound that keeps its meaning."""
    if moment.microsecond:
        moment += timedelta(microseconds=1_000_000 - moment.microsecond)
    return _iso(moment)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _thread(thread_id: int | None) -> int:
    """The stored form of a topic: 0 is the whole chat (see migration 0006)."""
    return thread_id or 0


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _statements(script: str) -> list[str]:
    """Split a migration into statements; executescript would COMMIT our transaction first."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


class SqliteStore:
    """The embedded database: `await SqliteStore.open(path)`, then `await store.close()`."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._lock = asyncio.Lock()

    # -- lifecycle -------------------------------------------------------------------------------

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStore:
        """Open (creating if needed) the database file and bring its schema up to date."""
        path = Path(path)
        try:
            if str(path) != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(path, isolation_level=None)
        except Exception as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        db.row_factory = aiosqlite.Row
        store = cls(db, path)
        try:
            await db.execute("PRAGMA busy_timeout = 5000")
            await db.execute("PRAGMA foreign_keys = ON")
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA synchronous = NORMAL")
            await store._migrate()
        except StoreError:
            await db.close()
            raise
        except Exception as exc:
            await db.close()
            raise StoreError(f"cannot use database {path}: {exc}") from exc
        return store

    async def close(self) -> None:
        """Close the connection; safe to call twice."""
        with contextlib.suppress(ValueError):  # aiosqlite: already closed
            await self._db.close()

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        version = await self.schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path} has schema version {version}, newer than this program "
                f"({SCHEMA_VERSION}); upgrade ceasefire-alerts"
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            async with self._tx():
                for statement in _statements(MIGRATIONS[number - 1]):
                    await self._db.execute(statement)
                await self._db.execute(f"PRAGMA user_version = {number}")
            log.info("database %s migrated to schema version %d", self.path, number)

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[aiosqlite.Connection]:
        # Coroutines interleave on one connection, so a transaction holds the lock throughout.
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def _all(self, sql: str, params: Sequence[object] = ()) -> list[aiosqlite.Row]:
        async with self._lock, self._db.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def _one(self, sql: str, params: Sequence[object] = ()) -> aiosqlite.Row | None:
        async with self._lock, self._db.execute(sql, params) as cur:
            return await cur.fetchone()

    async def _write(self, sql: str, params: Sequence[object] = ()) -> int:
        async with self._lock:
            cur = await self._db.execute(sql, params)
            return cur.rowcount

    # -- meta ------------------------------------------------------------------------------------

    async def set_meta(self, key: str, value: str) -> None:
        await self._write(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def get_meta(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else None

    async def setdefault_meta(self, key: str, value: str) -> str:
        """The stored value of `key`, storing `value` first if there is none (first one wins)."""
        async with self._tx() as db:
            await db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (key, value),
            )
            async with db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cur:
                row = await cur.fetchone()
        assert row is not None  # noqa: S101 - written in the same transaction
        return str(row["value"])

    # -- feeds -----------------------------------------------------------------------------------

    async def add_feed(
        self,
        url: str,
        *,
        now: datetime,
        title: str = "",
        lang: str | None = None,
        added_by: int | None = None,
    ) -> bool:
        """Start watching a feed; False if it was already watched."""
        count = await self._write(
            "INSERT INTO feeds (url, title, lang, added_at, added_by) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (url) DO NOTHING",
            (url, title, lang, _iso(now), added_by),
        )
        return count > 0

    async def remove_feed(self, url: str) -> bool:
        """Stop watching a feed (its seen items stay, so re-adding it alerts nothing old)."""
        return await self._write("DELETE FROM feeds WHERE url = ?", (url,)) > 0

    async def list_feeds(self) -> list[FeedState]:
        rows = await self._all("SELECT * FROM feeds ORDER BY title COLLATE NOCASE, url")
        return [_feed(row) for row in rows]

    async def count_feeds(self) -> int:
        row = await self._one("SELECT count(*) FROM feeds")
        return int(row[0]) if row else 0

    async def next_due_time(self) -> datetime | None:
        """When the next feed may be claimed: its next poll (None without feeds).

        Leases do not count here: one process uses a SQLite file, and it has released its own
        by the time it asks (those of a process that ended are ignored, see claim_due_feeds).
        """
        row = await self._one("SELECT min(next_poll) FROM feeds")
        if not row or row[0] is None:
            return None
        return _time(row[0]) or EARLIEST

    async def claim_due_feeds(
        self, worker: str, now: datetime, *, limit: int, lease: timedelta
    ) -> list[FeedState]:
        """Lease up to `limit` feeds whose next poll has come to `worker` until `now + lease`,
        oldest due first. record_fetch_ok and record_fetch_error release the lease.

        Only this worker's own leases hold a feed back: the run lock lets one process use the
        file, so a lease of another was left by a process that has ended, and today's rule
        (due feeds are polled at once after a restart) stands.
        """
        rows = await self._all(
            "UPDATE feeds SET leased_by = ?, lease_until = ? WHERE url IN ("
            "SELECT url FROM feeds WHERE next_poll <= ? "
            "AND (lease_until IS NULL OR lease_until <= ? OR leased_by <> ?) "
            "ORDER BY next_poll, url LIMIT ?) RETURNING *",
            (worker, _iso(now + lease), _iso(now), _iso(now), worker, limit),
        )
        return sorted((_feed(row) for row in rows), key=lambda f: (f.next_poll or EARLIEST, f.url))

    async def release_feeds(self, worker: str) -> int:
        """Give back every lease `worker` holds (a poll it could not record, the database being
        away); returns how many."""
        return await self._write(
            "UPDATE feeds SET leased_by = NULL, lease_until = NULL WHERE leased_by = ?", (worker,)
        )

    async def record_fetch_ok(
        self,
        url: str,
        *,
        now: datetime,
        next_poll: datetime,
        title: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        is_not_modified: bool = False,
    ) -> None:
        """Remember a successful poll and release the feed's lease; a 304 keeps the validators
        we already had."""
        if is_not_modified:
            await self._write(
                "UPDATE feeds SET last_polled = ?, last_ok = ?, last_error = NULL, failures = 0, "
                "failing_since = NULL, next_poll = ?, leased_by = NULL, lease_until = NULL "
                "WHERE url = ?",
                (_iso(now), _iso(now), _iso(next_poll), url),
            )
            return
        await self._write(
            "UPDATE feeds SET last_polled = ?, last_ok = ?, last_error = NULL, failures = 0, "
            "failing_since = NULL, next_poll = ?, etag = ?, last_modified = ?, "
            "leased_by = NULL, lease_until = NULL, "
            "title = CASE WHEN ? != '' THEN ? ELSE title END WHERE url = ?",
            (
                _iso(now),
                _iso(now),
                _iso(next_poll),
                etag,
                last_modified,
                title or "",
                title or "",
                url,
            ),
        )

    async def record_fetch_error(
        self, url: str, error: str, *, now: datetime, next_poll: datetime
    ) -> None:
        """Count a failure, push the next poll back and release the feed's lease; the first
        failure starts an outage."""
        await self._write(
            "UPDATE feeds SET last_polled = ?, last_error = ?, failures = failures + 1, "
            "failing_since = CASE WHEN failures = 0 OR failing_since IS NULL THEN ? "
            "ELSE failing_since END, next_poll = ?, leased_by = NULL, lease_until = NULL "
            "WHERE url = ?",
            (_iso(now), error[:500], _iso(now), _iso(next_poll), url),
        )

    async def claim_feed_notice(
        self,
        url: str,
        *,
        expected: datetime | None,
        reported: datetime | None,
        messages: Sequence[OutboxMessage],
        now: datetime,
    ) -> bool:
        """Move a feed's outage_reported from `expected` to `reported` and queue `messages`.

        A compare-and-set in one transaction: of two runs only one queues the notice, and a
        crash leaves either both changes or neither.
        """
        async with self._tx() as db:
            cur = await db.execute(
                "UPDATE feeds SET outage_reported = ? WHERE url = ? AND outage_reported IS ?",
                (_iso(reported) if reported else None, url, _iso(expected) if expected else None),
            )
            if cur.rowcount == 0:
                return False
            for message in messages:
                await self._insert_message(db, message, now)
        return True

    # -- items and alerts ------------------------------------------------------------------------

    async def unseen(self, feed_url: str, items: Sequence[Item], *, now: datetime) -> list[Item]:
        """Items of this feed not stored before; also marks the known ones as still carried
        (at most every LAST_SEEN_STEP)."""
        if not items:
            return []
        keys = list(dict.fromkeys(item.key for item in items))
        async with self._tx() as db:
            known = await self._known_keys(db, feed_url, keys)
            # last_seen keeps an item from being pruned while its feed still carries it.
            stale = _iso(now - LAST_SEEN_STEP)
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                await db.execute(
                    "UPDATE items SET last_seen = ? WHERE feed_url = ? AND last_seen < ? "  # noqa: S608
                    f"AND key IN ({marks})",
                    [_iso(now), feed_url, stale, *chunk],
                )
        fresh: dict[str, Item] = {}
        for item in items:
            if item.key not in known and item.key not in fresh:
                fresh[item.key] = item
        return list(fresh.values())

    async def ingest(
        self,
        feed_url: str,
        stories: Sequence[NewStory],
        *,
        now: datetime,
    ) -> list[Alert]:
        """Store new items; create alerts (or add a report to the same story) and outbox rows.

        One transaction: either the items, their alerts, every chat's outbox row and every
        webhook row exist, or none of them do, so a crash can neither lose an alert nor send
        one twice.
        """
        created: list[Alert] = []
        unique = list({story.item.key: story for story in stories}.values())
        async with self._tx() as db:
            known = await self._known_keys(db, feed_url, [s.item.key for s in unique])
            fresh = [story for story in unique if story.item.key not in known]
            # One round trip for all items; alerts (rare) go one by one below.
            await db.executemany(
                "INSERT INTO items (feed_url, key, title, link, published, first_seen, "
                "last_seen, level) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (feed_url, key) DO NOTHING",
                [
                    (
                        feed_url,
                        s.item.key,
                        s.item.title,
                        s.item.link,
                        _iso(s.item.published),
                        _iso(now),
                        _iso(now),
                        s.detection.level.value,
                    )
                    for s in fresh
                ],
            )
            for story in fresh:
                if story.is_backlog or story.detection.level is Level.NONE:
                    continue
                if story.same_as is not None:
                    await db.execute(
                        "INSERT INTO alert_reports (alert_id, feed_url, link, seen, item_key, "
                        "lang) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        (
                            story.same_as,
                            feed_url,
                            story.item.link,
                            _iso(now),
                            story.item.key,
                            story.lang,
                        ),
                    )
                    continue
                alert = await self._insert_alert(db, story, now)
                created.append(alert)
                await db.executemany(
                    "INSERT INTO outbox (alert_id, chat_id, thread_id, created) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [
                        (alert.id, to.chat_id, _thread(to.thread_id), _iso(now))
                        for to in story.recipients
                    ],
                )
                await db.executemany(
                    "INSERT INTO webhook_outbox (alert_id, url, created) VALUES (?, ?, ?) "
                    "ON CONFLICT (alert_id, url) DO NOTHING",
                    [(alert.id, url, _iso(now)) for url in story.webhooks],
                )
        return created

    async def _known_keys(
        self, db: aiosqlite.Connection, feed_url: str, keys: Sequence[str]
    ) -> set[str]:
        known: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            async with db.execute(
                f"SELECT key FROM items WHERE feed_url = ? AND key IN ({marks})",  # noqa: S608
                [feed_url, *chunk],
            ) as cur:
                known.update(row[0] for row in await cur.fetchall())
        return known

    async def _insert_alert(
        self, db: aiosqlite.Connection, story: NewStory, now: datetime
    ) -> Alert:
        alert = Alert.of(story.item, story.detection, created=now, novelty=story.novelty)
        cur = await db.execute(
            "INSERT INTO alerts (feed_url, item_key, title, summary, link, published, "
            "source_title, level, pairs, evidence, matched, actors, lang, novelty, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                alert.feed_url,
                alert.item_key,
                alert.title,
                alert.summary,
                alert.link,
                _iso(alert.published),
                alert.source_title,
                alert.level.value,
                json.dumps([[p.accuser, p.accused] for p in alert.pairs], ensure_ascii=False),
                alert.evidence,
                json.dumps(list(alert.matched), ensure_ascii=False),
                json.dumps(list(alert.actors), ensure_ascii=False),
                alert.lang,
                alert.novelty,
                _iso(now),
            ),
        )
        alert = replace(alert, id=int(cur.lastrowid or 0))
        await db.execute(
            "INSERT INTO alert_reports (alert_id, feed_url, link, seen, item_key, lang) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (alert.id, alert.feed_url, alert.link, _iso(now), alert.item_key, story.lang),
        )
        if alert.level is Level.BLAME and alert.pairs:
            await self._record_blame(db, alert)
        return alert

    async def _record_blame(self, db: aiosqlite.Connection, alert: Alert) -> None:
        """Keep accusations, blame_pairs and blame_pair_days in step with the alert (same
        transaction)."""
        when = _iso(min(alert.published, alert.created))
        await db.executemany(
            "INSERT INTO accusations (accuser, accused, made, alert_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [(pair.accuser, pair.accused, when, alert.id) for pair in alert.pairs],
        )
        for pair in alert.pairs:
            await db.execute(
                "INSERT INTO blame_pairs (accuser, accused, first_seen, last_seen, count) "
                "VALUES (?, ?, ?, ?, 1) ON CONFLICT (accuser, accused) DO UPDATE SET "
                "first_seen = min(first_seen, excluded.first_seen), "
                "last_seen = max(last_seen, excluded.last_seen), count = count + 1",
                (pair.accuser, pair.accused, when, when),
            )
            await db.execute(
                "INSERT INTO blame_pair_days (accuser, accused, day, count, last_seen) "
                "VALUES (?, ?, ?, 1, ?) ON CONFLICT (accuser, accused, day) DO UPDATE SET "
                "count = count + 1, last_seen = max(last_seen, excluded.last_seen)",
                (pair.accuser, pair.accused, when[:10], when),
            )

    async def recent_alerts(self, since: datetime, *, limit: int = 500) -> list[Alert]:
        """Alerts created at or after `since`, newest first."""
        rows = await self._all(
            f"{_ALERT_SELECT} WHERE a.created >= ? ORDER BY a.created DESC, a.id DESC LIMIT ?",
            (_iso(since), limit),
        )
        return [_alert(row) for row in rows]

    async def latest_alerts(
        self, limit: int, *, levels: Iterable[Level] | None = None
    ) -> list[Alert]:
        """The newest alerts of the given levels (all alert levels by default)."""
        wanted = [lv.value for lv in (levels or (Level.BLAME, Level.VIOLATION, Level.CEASEFIRE))]
        marks = ",".join("?" * len(wanted))
        rows = await self._all(
            f"{_ALERT_SELECT} WHERE a.level IN ({marks}) "
            "ORDER BY a.created DESC, a.id DESC LIMIT ?",
            (*wanted, limit),
        )
        return [_alert(row) for row in rows]

    @asynccontextmanager
    async def alert_turn(self) -> AsyncIterator[None]:
        """Nothing to wait for: one process uses a SQLite file (its poller takes turns itself)."""
        yield

    async def get_alert(self, alert_id: int) -> Alert | None:
        row = await self._one(f"{_ALERT_SELECT} WHERE a.id = ?", (alert_id,))
        return _alert(row) if row else None

    async def alerts_after(self, alert_id: int, *, limit: int = 1000) -> list[Alert]:
        """Alerts with ids above `alert_id`, oldest first (what other workers stored since)."""
        rows = await self._all(
            f"{_ALERT_SELECT} WHERE a.id > ? ORDER BY a.id LIMIT ?", (alert_id, limit)
        )
        return [_alert(row) for row in rows]

    async def first_alert_time(self) -> datetime | None:
        """When the history on record begins (the oldest alert or item we hold)."""
        row = await self._one(
            "SELECT min(t) FROM (SELECT min(created) AS t FROM alerts "
            "UNION ALL SELECT min(first_seen) FROM items)"
        )
        return _time(row[0]) if row and row[0] else None

    async def prune(
        self,
        *,
        items_before: datetime,
        outbox_before: datetime | None = None,
        alerts_before: datetime | None = None,
    ) -> int:
        """Forget items not carried by any feed since `items_before`; returns how many went.

        Their alert_reports go with them. With `outbox_before`, outbox rows that are done
        (sent, failed or dropped) and were queued before it go too; pending rows never do.
        """
        async with self._tx() as db:
            await db.execute(
                "DELETE FROM alert_reports WHERE (feed_url, item_key) IN "
                "(SELECT feed_url, key FROM items WHERE last_seen < ?)",
                (_iso(items_before),),
            )
            cur = await db.execute("DELETE FROM items WHERE last_seen < ?", (_iso(items_before),))
            removed = cur.rowcount
            if outbox_before is not None:
                await db.execute(
                    "DELETE FROM outbox WHERE status IN ('sent', 'failed', 'dropped') "
                    "AND created < ?",
                    (_iso(outbox_before),),
                )
                await db.execute(
                    "DELETE FROM webhook_outbox WHERE status != 'pending' AND created < ?",
                    (_iso(outbox_before),),
                )
            if alerts_before is not None:
                await db.execute(
                    "DELETE FROM alerts WHERE created < ? AND id NOT IN "
                    "(SELECT alert_id FROM outbox WHERE status IN ('pending', 'merged') "
                    "AND alert_id IS NOT NULL) AND id NOT IN "
                    "(SELECT alert_id FROM webhook_outbox WHERE status = 'pending')",
                    (_iso(alerts_before),),
                )
        return removed

    # -- subscriptions ---------------------------------------------------------------------------

    async def subscribe(
        self,
        chat_id: int,
        *,
        chat_type: str,
        levels: Iterable[Level],
        words: Iterable[str] = (),
        now: datetime,
        title: str = "",
        is_instant: bool = True,
        digest_time: str | None = None,
        thread_id: int | None = None,
    ) -> Subscription:
        """Create or replace a chat's (or topic's) subscription; quiet hours stay as they were.

        A digest schedule starts now: the first digest comes at the next `digest_time`.
        """
        level_text = ",".join(lv.value for lv in levels)
        words_json = json.dumps(list(words), ensure_ascii=False)
        await self._write(
            "INSERT INTO subscriptions (chat_id, thread_id, chat_type, title, levels, words, "
            "is_active, is_instant, digest_time, last_digest, created, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?) "
            "ON CONFLICT (chat_id, thread_id) DO UPDATE SET chat_type = excluded.chat_type, "
            "title = excluded.title, levels = excluded.levels, words = excluded.words, "
            "is_active = 1, is_instant = excluded.is_instant, "
            "digest_time = excluded.digest_time, last_digest = excluded.last_digest, "
            "updated = excluded.updated",
            (
                chat_id,
                _thread(thread_id),
                chat_type,
                title,
                level_text,
                words_json,
                int(is_instant),
                digest_time,
                _iso(now) if digest_time else None,
                _iso(now),
                _iso(now),
            ),
        )
        sub = await self.get_subscription(chat_id, thread_id=thread_id)
        assert sub is not None  # noqa: S101 - just written under the same connection
        return sub

    async def unsubscribe(self, chat_id: int, *, thread_id: int | None = None) -> bool:
        """Stop alerts for a chat (or one topic of it) and drop what was still waiting there."""
        return await self.deactivate_topic(chat_id, thread_id, reason="unsubscribed")

    async def get_subscription(
        self, chat_id: int, *, thread_id: int | None = None
    ) -> Subscription | None:
        row = await self._one(
            f"{_SUBSCRIPTION_SELECT} WHERE s.chat_id = ? AND s.thread_id = ?",
            (chat_id, _thread(thread_id)),
        )
        return _subscription(row) if row else None

    async def active_subscriptions(self) -> list[Subscription]:
        async with self._lock:
            return await self._active_subscriptions(self._db)

    async def _active_subscriptions(self, db: aiosqlite.Connection) -> list[Subscription]:
        async with db.execute(
            f"{_SUBSCRIPTION_SELECT} WHERE s.is_active = 1 ORDER BY s.chat_id, s.thread_id"
        ) as cur:
            return [_subscription(row) for row in await cur.fetchall()]

    async def set_quiet_hours(
        self, chat_id: int, quiet_hours: QuietHours | None, *, thread_id: int | None = None
    ) -> bool:
        """Set (None: clear) an active subscription's quiet hours; False if there is none."""
        count = await self._write(
            "UPDATE subscriptions SET quiet_hours = ? WHERE chat_id = ? AND thread_id = ? "
            "AND is_active = 1",
            (str(quiet_hours) if quiet_hours else None, chat_id, _thread(thread_id)),
        )
        return count > 0

    async def deactivate_chat(self, chat_id: int, *, reason: str) -> bool:
        """Turn off every subscription of a chat (blocked, kicked, left); drop its waiting rows."""
        async with self._tx() as db:
            cur = await db.execute(
                "UPDATE subscriptions SET is_active = 0 WHERE chat_id = ? AND is_active = 1",
                (chat_id,),
            )
            changed = cur.rowcount > 0
            await db.execute(
                "UPDATE outbox SET status = 'dropped', last_error = ? "
                "WHERE chat_id = ? AND status IN ('pending', 'merged')",
                (reason[:500], chat_id),
            )
        return changed

    async def deactivate_topic(self, chat_id: int, thread_id: int | None, *, reason: str) -> bool:
        """Turn off one topic's subscription (deleted topic, /unsubscribe); drop its alerts.

        Operator notices to the chat stay: they belong to no subscription.
        """
        async with self._tx() as db:
            cur = await db.execute(
                "UPDATE subscriptions SET is_active = 0 "
                "WHERE chat_id = ? AND thread_id = ? AND is_active = 1",
                (chat_id, _thread(thread_id)),
            )
            changed = cur.rowcount > 0
            await db.execute(
                "UPDATE outbox SET status = 'dropped', last_error = ? "
                "WHERE chat_id = ? AND thread_id = ? AND kind != 'notice' "
                "AND status IN ('pending', 'merged')",
                (reason[:500], chat_id, _thread(thread_id)),
            )
        return changed

    async def move_chat(self, old_chat_id: int, new_chat_id: int, *, now: datetime) -> None:
        """A group became a supergroup: its subscriptions, waiting rows and mutes follow."""
        async with self._tx() as db:
            await db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (new_chat_id,))
            await db.execute(
                "UPDATE subscriptions SET chat_id = ?, chat_type = 'supergroup', updated = ? "
                "WHERE chat_id = ?",
                (new_chat_id, _iso(now), old_chat_id),
            )
            # Rows the new id already has would collide on UNIQUE(alert_id, chat_id, thread_id).
            await db.execute(
                "DELETE FROM outbox WHERE chat_id = ? AND status = 'pending' AND alert_id IN "
                "(SELECT alert_id FROM outbox WHERE chat_id = ? AND alert_id IS NOT NULL)",
                (old_chat_id, new_chat_id),
            )
            await db.execute(
                "UPDATE outbox SET chat_id = ?, not_before = '' "
                "WHERE chat_id = ? AND status IN ('pending', 'merged')",
                (new_chat_id, old_chat_id),
            )
            # Mutes follow too; a pair the new id already muted keeps the new id's row.
            await db.execute(
                "UPDATE OR IGNORE mutes SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            await db.execute("DELETE FROM mutes WHERE chat_id = ?", (old_chat_id,))
            # The language goes with the subscription (replacing one the new id had).
            await db.execute(
                "UPDATE OR REPLACE chat_languages SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )

    async def get_chat_language(self, chat_id: int) -> ChatLanguage | None:
        row = await self._one(
            "SELECT chat_id, language, is_chosen FROM chat_languages WHERE chat_id = ?",
            (chat_id,),
        )
        if row is None:
            return None
        return ChatLanguage(row["chat_id"], row["language"], bool(row["is_chosen"]))

    async def set_chat_language(
        self, chat_id: int, language: str, *, is_chosen: bool, now: datetime
    ) -> None:
        """Remember a chat's interface language (`is_chosen`: set with /language)."""
        await self._write(
            "INSERT INTO chat_languages (chat_id, language, is_chosen, updated) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
            "language = excluded.language, is_chosen = excluded.is_chosen, "
            "updated = excluded.updated",
            (chat_id, language, int(is_chosen), _iso(now)),
        )

    async def set_last_digest(
        self, chat_id: int, when: datetime, *, thread_id: int | None = None
    ) -> None:
        await self._write(
            "UPDATE subscriptions SET last_digest = ? WHERE chat_id = ? AND thread_id = ?",
            (_iso(when), chat_id, _thread(thread_id)),
        )

    # -- mutes -----------------------------------------------------------------------------------

    async def mute_pair(
        self,
        chat_id: int,
        pair: Pair,
        *,
        until: datetime,
        now: datetime,
        muted_by: int | None = None,
    ) -> Mute:
        """Mute a pair in a chat until `until`; muting it again keeps the later end."""
        async with self._tx() as db:
            # An expired row is reused: its end is replaced, not extended.
            await db.execute(
                "INSERT INTO mutes (chat_id, accuser, accused, until, muted_by, created) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id, accuser, accused) DO UPDATE SET "
                "until = CASE WHEN until > ? THEN max(until, excluded.until) "
                "ELSE excluded.until END, muted_by = excluded.muted_by",
                (chat_id, pair.accuser, pair.accused, _iso(until), muted_by, _iso(now), _iso(now)),
            )
            async with db.execute(
                "SELECT * FROM mutes WHERE chat_id = ? AND accuser = ? AND accused = ?",
                (chat_id, pair.accuser, pair.accused),
            ) as cur:
                row = await cur.fetchone()
        assert row is not None  # noqa: S101 - written in the same transaction
        return _mute(row)

    async def lift_mute(self, chat_id: int, mute_id: int, *, now: datetime) -> Mute | None:
        """End a mute of this chat now; None if it had already ended or is another chat's."""
        async with (
            self._tx() as db,
            db.execute(
                "DELETE FROM mutes WHERE id = ? AND chat_id = ? AND until > ? RETURNING *",
                (mute_id, chat_id, _iso(now)),
            ) as cur,
        ):
            row = await cur.fetchone()
        return _mute(row) if row else None

    async def mutes_in_force(self, now: datetime, *, chat_id: int | None = None) -> list[Mute]:
        """Mutes not yet expired (of one chat if given), soonest end first."""
        sql = "SELECT * FROM mutes WHERE until > ?"
        params: list[object] = [_iso(now)]
        if chat_id is not None:
            sql += " AND chat_id = ?"
            params.append(chat_id)
        rows = await self._all(sql + " ORDER BY until, id", params)
        return [_mute(row) for row in rows]

    # -- outbox ----------------------------------------------------------------------------------

    async def enqueue(
        self,
        alert_id: int,
        chat_ids: Iterable[int],
        *,
        now: datetime,
        thread_id: int | None = None,
    ) -> int:
        """Queue an existing alert for chats (once per chat and topic); returns rows added."""
        added = 0
        async with self._tx() as db:
            for chat_id in chat_ids:
                cur = await db.execute(
                    "INSERT INTO outbox (alert_id, chat_id, thread_id, created) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (alert_id, chat_id, _thread(thread_id), _iso(now)),
                )
                added += cur.rowcount
        return added

    async def enqueue_messages(self, messages: Sequence[OutboxMessage], *, now: datetime) -> None:
        """Queue written messages (operator notices and the like) in one transaction."""
        async with self._tx() as db:
            for message in messages:
                await self._insert_message(db, message, now)

    async def _insert_message(
        self, db: aiosqlite.Connection, message: OutboxMessage, now: datetime
    ) -> int:
        cur = await db.execute(
            "INSERT INTO outbox (kind, chat_id, thread_id, text, is_silent, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                message.kind.value,
                message.destination.chat_id,
                _thread(message.destination.thread_id),
                message.text,
                int(message.is_silent),
                _iso(now),
            ),
        )
        return int(cur.lastrowid or 0)

    async def next_outbox(
        self, now: datetime, *, limit: int = 100, chat_id: int | None = None
    ) -> list[OutboxRow]:
        """Pending rows whose time has come (of one chat if given): bursts, then by queue order.

        A burst row is made after the rows it replaces were queued; it goes first so that
        those alerts keep their place instead of waiting behind everything queued since.
        """
        where = "o.status = 'pending' AND o.not_before <= ?"
        params: list[object] = [_iso(now)]
        if chat_id is not None:
            where += " AND o.chat_id = ?"
            params.append(chat_id)
        async with self._lock:
            # Two queries, each walking an index in order and stopping at its limit.
            bursts = await self._outbox_rows(
                self._db,
                f"{where} AND o.kind = 'burst' ORDER BY o.id LIMIT ?",
                [*params, limit],
            )
            rest = await self._outbox_rows(
                self._db,
                f"{where} AND o.kind != 'burst' ORDER BY o.id LIMIT ?",
                [*params, limit - len(bursts)],
            )
        return bursts + rest

    async def pending_counts(self, now: datetime, chat_ids: Sequence[int]) -> dict[int, int]:
        """How many rows of each chat are pending and due (chats without any are left out)."""
        counts: dict[int, int] = {}
        for start in range(0, len(chat_ids), 500):
            chunk = chat_ids[start : start + 500]
            rows = await self._all(
                "SELECT chat_id, count(*) AS n FROM outbox "  # noqa: S608 - placeholders only
                f"WHERE chat_id IN ({_marks(chunk)}) AND status = 'pending' AND not_before <= ? "
                "GROUP BY chat_id",
                [*chunk, _iso(now)],
            )
            counts.update({row["chat_id"]: row["n"] for row in rows})
        return counts

    async def _outbox_rows(
        self, db: aiosqlite.Connection, where: str, params: Sequence[object]
    ) -> list[OutboxRow]:
        async with db.execute(
            f"SELECT o.id AS outbox_id, o.kind AS outbox_kind, o.chat_id AS outbox_chat, "  # noqa: S608
            "o.thread_id AS outbox_thread, o.attempts AS outbox_attempts, "
            "o.text AS outbox_text, o.is_silent AS outbox_silent, "
            f"s.quiet_hours AS quiet_hours, l.language AS chat_language, {_ALERT_COLUMNS} "
            "FROM outbox o LEFT JOIN alerts a ON a.id = o.alert_id "
            "LEFT JOIN subscriptions s ON s.chat_id = o.chat_id AND s.thread_id = o.thread_id "
            "AND s.is_active = 1 LEFT JOIN chat_languages l ON l.chat_id = o.chat_id "
            f"WHERE {where}",
            params,
        ) as cur:
            rows = await cur.fetchall()
        return [
            OutboxRow(
                id=row["outbox_id"],
                chat_id=row["outbox_chat"],
                attempts=row["outbox_attempts"],
                alert=_alert(row) if row["id"] is not None else None,
                kind=OutboxKind(row["outbox_kind"]),
                text=row["outbox_text"] or "",
                thread_id=row["outbox_thread"] or None,
                is_silent=bool(row["outbox_silent"]),
                quiet_hours=_quiet_hours(row["quiet_hours"]),
                language=row["chat_language"],
            )
            for row in rows
        ]

    async def next_outbox_time(self) -> datetime | None:
        """When the earliest postponed pending row becomes due (None if nothing is pending)."""
        row = await self._one("SELECT min(not_before) FROM outbox WHERE status = 'pending'")
        if not row or row[0] is None:
            return None
        return _time(row[0]) or datetime.min.replace(tzinfo=UTC)

    async def merge_burst(
        self, destination: Destination, parts: Sequence[BurstPart], *, now: datetime
    ) -> list[OutboxRow]:
        """Replace pending alert rows of one destination by burst messages; returns those.

        One transaction: each part becomes a pending 'burst' row and the rows it covers wait
        as 'merged' under it, so every alert is in exactly one message. If any covered row is
        no longer pending (unsubscribed meanwhile), nothing changes and the result is empty.
        """
        chat, thread = destination.chat_id, _thread(destination.thread_id)
        created: list[int] = []
        try:
            async with self._tx() as db:
                for part in parts:
                    burst_id = await self._insert_message(
                        db,
                        OutboxMessage(destination, OutboxKind.BURST, part.text, part.is_silent),
                        now,
                    )
                    created.append(burst_id)
                    cur = await db.execute(
                        "UPDATE outbox SET status = 'merged', burst_id = ? "  # noqa: S608
                        f"WHERE id IN ({_marks(part.row_ids)}) AND status = 'pending' "
                        "AND kind = 'alert' AND chat_id = ? AND thread_id = ?",
                        (burst_id, *part.row_ids, chat, thread),
                    )
                    if cur.rowcount != len(part.row_ids):
                        raise _Stale
                return await self._outbox_rows(
                    db, f"o.id IN ({_marks(created)}) ORDER BY o.id", created
                )
        except _Stale:
            return []

    async def mark_sent(self, row_id: int, *, message_id: int | None, now: datetime) -> None:
        """The row was sent; so were the alert rows a burst row covers."""
        await self._settle(
            row_id,
            "status = 'sent', message_id = ?, sent_at = ?, attempts = attempts + 1",
            (message_id, _iso(now)),
        )

    async def mark_failed(self, row_id: int, error: str) -> None:
        """Telegram refused the row for good (and the alert rows a burst row covers)."""
        await self._settle(
            row_id, "status = 'failed', last_error = ?, attempts = attempts + 1", (error[:500],)
        )

    async def _settle(self, row_id: int, changes: str, params: Sequence[object]) -> None:
        async with self._tx() as db:
            await db.execute(f"UPDATE outbox SET {changes} WHERE id = ?", (*params, row_id))  # noqa: S608
            await db.execute(
                f"UPDATE outbox SET {changes} WHERE burst_id = ? AND status = 'merged'",  # noqa: S608
                (*params, row_id),
            )

    async def postpone(self, row_id: int, until: datetime, error: str) -> None:
        """Leave a row pending but not before `until` (flood wait, network trouble)."""
        await self._write(
            "UPDATE outbox SET not_before = ?, last_error = ?, attempts = attempts + 1 "
            "WHERE id = ?",
            (_iso(until), error[:500], row_id),
        )

    async def drop_outbox_row(self, row_id: int, reason: str) -> None:
        """Never send a pending row (its pair is muted in that chat, for one)."""
        await self._write(
            "UPDATE outbox SET status = 'dropped', last_error = ? "
            "WHERE id = ? AND status = 'pending'",
            (reason[:500], row_id),
        )

    async def outbox_counts(self) -> dict[str, int]:
        rows = await self._all("SELECT status, count(*) AS n FROM outbox GROUP BY status")
        return {row["status"]: row["n"] for row in rows}

    # -- webhooks --------------------------------------------------------------------------------

    async def next_webhooks(self, url: str, *, limit: int = 50) -> list[WebhookRow]:
        """Pending webhook rows of one receiver, oldest first."""
        rows = await self._all(
            f"SELECT w.id AS row_id, w.url AS row_url, w.attempts AS row_attempts, "  # noqa: S608
            f"{_ALERT_COLUMNS} FROM webhook_outbox w JOIN alerts a ON a.id = w.alert_id "
            "WHERE w.url = ? AND w.status = 'pending' ORDER BY w.id LIMIT ?",
            (url, limit),
        )
        return [
            WebhookRow(
                id=row["row_id"],
                url=row["row_url"],
                attempts=row["row_attempts"],
                alert=_alert(row),
            )
            for row in rows
        ]

    async def mark_webhook_sent(self, row_id: int, *, now: datetime) -> None:
        await self._write(
            "UPDATE webhook_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 "
            "WHERE id = ?",
            (_iso(now), row_id),
        )

    async def record_webhook_attempt(
        self, row_id: int, error: str, *, is_refused: bool = False
    ) -> None:
        """Count a failed post; a refused row (the receiver rejects this payload) is given up."""
        await self._write(
            "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?, "
            "status = CASE WHEN ? THEN 'refused' ELSE status END WHERE id = ?",
            (error[:500], int(is_refused), row_id),
        )

    async def webhook_target(self, url: str) -> WebhookTarget:
        """A receiver's health (a fresh record for one never tried)."""
        row = await self._one("SELECT * FROM webhook_targets WHERE url = ?", (url,))
        if row is None:
            return WebhookTarget(url=url)
        return WebhookTarget(
            url=url,
            failures=row["failures"],
            failing_since=_time(row["failing_since"]),
            next_attempt=_time(row["next_attempt"]),
            paused_at=_time(row["paused_at"]),
            last_error=row["last_error"],
        )

    async def save_webhook_target(self, target: WebhookTarget) -> None:
        def iso(moment: datetime | None) -> str | None:
            return _iso(moment) if moment is not None else None

        await self._write(
            "INSERT INTO webhook_targets (url, failures, failing_since, next_attempt, "
            "paused_at, last_error) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
            "failures = excluded.failures, failing_since = excluded.failing_since, "
            "next_attempt = excluded.next_attempt, paused_at = excluded.paused_at, "
            "last_error = excluded.last_error",
            (
                target.url,
                target.failures,
                iso(target.failing_since),
                iso(target.next_attempt),
                iso(target.paused_at),
                (target.last_error or "")[:500] or None,
            ),
        )

    async def webhook_counts(self) -> dict[str, int]:
        """Webhook rows by status."""
        rows = await self._all("SELECT status, count(*) AS n FROM webhook_outbox GROUP BY status")
        return {row["status"]: row["n"] for row in rows}

    # -- status ----------------------------------------------------------------------------------

    async def stats(self, since: datetime) -> StoreStats:
        """Counts for /status: totals and those since `since` (e.g. midnight UTC)."""
        row = await self._one(
            "SELECT (SELECT count(*) FROM feeds) AS feeds, "
            "(SELECT count(*) FROM feeds WHERE failures > 0) AS failing, "
            "(SELECT count(*) FROM items) AS items, "
            "(SELECT count(*) FROM items WHERE first_seen >= :since) AS items_since, "
            "(SELECT count(*) FROM alerts) AS alerts, "
            "(SELECT count(*) FROM alerts WHERE created >= :since) AS alerts_since, "
            "(SELECT count(*) FROM subscriptions WHERE is_active = 1) AS subs, "
            "(SELECT count(*) FROM outbox WHERE status = 'pending') AS pending",
            {"since": _iso(since)},  # type: ignore[arg-type]
        )
        assert row is not None  # noqa: S101 - an aggregate always returns one row
        return StoreStats(
            feeds=row["feeds"],
            failing_feeds=row["failing"],
            items=row["items"],
            items_since=row["items_since"],
            alerts=row["alerts"],
            alerts_since=row["alerts_since"],
            subscriptions=row["subs"],
            outbox_pending=row["pending"],
        )

    # -- history (issue 7) --

    async def blame_history(self, since: datetime) -> list[Alert]:
        """Blame alerts created at or after `since`, oldest first (the novelty line's record)."""
        rows = await self._all(
            f"{_ALERT_SELECT} WHERE a.created >= ? AND a.level = ? ORDER BY a.created, a.id",
            (_iso(since), Level.BLAME.value),
        )
        return [_alert(row) for row in rows]

    async def max_alert_id(self) -> int:
        """The newest alert id (0 without alerts): a snapshot bound for `pair_activity`."""
        row = await self._one("SELECT max(id) FROM alerts")
        return int(row[0]) if row and row[0] is not None else 0

    async def pair_activity(
        self,
        pair: Pair,
        *,
        at: datetime,
        windows: Sequence[timedelta],
        reply_window: timedelta,
        up_to_id: int | None = None,
    ) -> PairActivity:
        """The pair's accusations (of alerts with id ≤ up_to_id) made at or before `at`: the
        latest, how many within each window before `at`, the reverse pair's latest within
        `reply_window`.

        Every part is a seek or a range of the accusations index for one pair, so the cost
        does not grow with the history. Stored times are whole seconds: `at` rounds down and
        window starts round up, so the bounds mean what the same comparisons mean in Python.
        """
        params: dict[str, object] = {
            "a": pair.accuser,
            "b": pair.accused,
            "until": _iso(at),
            "id": up_to_id if up_to_id is not None else _MAX_ID,
            "reply": _iso_ceil(at - reply_window),
        }
        params.update({f"w{n}": _iso_ceil(at - window) for n, window in enumerate(windows)})
        row = await self._one(_activity_sql(len(windows)), params)  # type: ignore[arg-type]
        assert row is not None  # noqa: S101 - scalar subqueries always give one row
        return PairActivity(
            pair=pair,
            latest=_time(row[0]),
            counts=tuple(int(row[2 + n]) for n in range(len(windows))),
            reply=_time(row[1]),
        )

    async def pair_records(self, pairs: Iterable[Pair] | None = None) -> dict[Pair, PairRecord]:
        """The blame_pairs summary of these pairs (all pairs by default)."""
        if pairs is None:
            rows = await self._all("SELECT * FROM blame_pairs ORDER BY accuser, accused")
        else:
            wanted = list(dict.fromkeys(pairs))
            if not wanted:
                return {}
            clause = " OR ".join("(accuser = ? AND accused = ?)" for _ in wanted)
            rows = await self._all(
                f"SELECT * FROM blame_pairs WHERE {clause}",  # noqa: S608 - placeholders only
                [text for pair in wanted for text in (pair.accuser, pair.accused)],
            )
        return {
            Pair(row["accuser"], row["accused"]): PairRecord(
                pair=Pair(row["accuser"], row["accused"]),
                first_seen=datetime.fromisoformat(row["first_seen"]),
                last_seen=datetime.fromisoformat(row["last_seen"]),
                count=row["count"],
            )
            for row in rows
        }

    async def first_blame_time(self) -> datetime | None:
        """The earliest accusation on record (min first_seen of every pair)."""
        row = await self._one("SELECT min(first_seen) FROM blame_pairs")
        return _time(row[0]) if row and row[0] else None

    async def pair_days(self) -> list[tuple[Pair, str, int]]:
        """(pair, UTC day, accusations) of every day on record, for checks and charts."""
        rows = await self._all(
            "SELECT accuser, accused, day, count FROM blame_pair_days "
            "ORDER BY accuser, accused, day"
        )
        return [(Pair(r["accuser"], r["accused"]), r["day"], r["count"]) for r in rows]

    async def alerts_between(
        self, since: datetime, until: datetime, *, levels: Iterable[Level] | None = None
    ) -> list[Alert]:
        """Alerts created in [since, until) of the given levels (default: all), oldest first."""
        wanted = [lv.value for lv in (levels or (Level.BLAME, Level.VIOLATION, Level.CEASEFIRE))]
        marks = ",".join("?" * len(wanted))
        rows = await self._all(
            f"{_ALERT_SELECT} WHERE a.created >= ? AND a.created < ? AND a.level IN ({marks}) "
            "ORDER BY a.created, a.id",
            (_iso(since), _iso(until), *wanted),
        )
        return [_alert(row) for row in rows]

    async def claim_digest(self, message: OutboxMessage, *, slot: datetime, now: datetime) -> bool:
        """Claim the digest of `slot` for the message's destination and queue the message.

        A compare-and-set in the same transaction as the queueing: of two runs of the digest
        job only one queues the slot's digest, and a crash leaves both changes or neither.
        """
        to = message.destination
        async with self._tx() as db:
            cur = await db.execute(
                "UPDATE subscriptions SET last_digest = ? WHERE chat_id = ? AND thread_id = ? "
                "AND is_active = 1 AND (last_digest IS NULL OR last_digest < ?)",
                (_iso(now), to.chat_id, _thread(to.thread_id), _iso(slot)),
            )
            if cur.rowcount == 0:
                return False
            await self._insert_message(db, message, now)
        return True

    # -- workers (scale-out) ---------------------------------------------------------------------

    async def record_worker(self, name: str, *, now: datetime, is_sender: bool) -> None:
        """A worker's heartbeat: seen at `now`, holding the sender role or not. The role has one
        holder: recording a sender clears the mark of any other (one that died holding it)."""
        async with self._tx() as db:
            await db.execute(
                "INSERT INTO workers (name, started, last_seen, is_sender) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET last_seen = excluded.last_seen, "
                "is_sender = excluded.is_sender",
                (name, _iso(now), _iso(now), int(is_sender)),
            )
            if is_sender:
                await db.execute(
                    "UPDATE workers SET is_sender = 0 WHERE is_sender AND name <> ?", (name,)
                )

    async def recent_workers(self, since: datetime) -> list[WorkerState]:
        """Workers whose last heartbeat was at or after `since`, by name."""
        rows = await self._all(
            "SELECT * FROM workers WHERE last_seen >= ? ORDER BY name", (_iso(since),)
        )
        return [
            WorkerState(
                name=row["name"],
                started=_when(row["started"]),
                last_seen=_when(row["last_seen"]),
                is_sender=bool(row["is_sender"]),
            )
            for row in rows
        ]

    async def forget_worker(self, name: str) -> None:
        """Drop a worker that stopped cleanly from the list."""
        await self._write("DELETE FROM workers WHERE name = ?", (name,))

    async def forget_workers(self, *, seen_before: datetime) -> int:
        """Drop the workers not heard from since `seen_before` (killed ones); returns how many."""
        return await self._write("DELETE FROM workers WHERE last_seen < ?", (_iso(seen_before),))


class _Stale(Exception):
    """A row changed under a compare-and-set: undo the transaction."""


_ALERT_COLUMNS = (
    "a.id, a.feed_url, a.item_key, a.title, a.summary, a.link, a.published, a.source_title, "
    "a.level, a.pairs, a.evidence, a.matched, a.actors, a.lang, a.novelty, a.created, "
    "(SELECT count(*) - 1 FROM alert_reports r WHERE r.alert_id = a.id) AS also_reported, "
    "(SELECT count(DISTINCT r.lang) FROM alert_reports r WHERE r.alert_id = a.id "
    "AND r.feed_url != a.feed_url) AS also_languages"
)
_ALERT_SELECT = f"SELECT {_ALERT_COLUMNS} FROM alerts a"  # noqa: S608 - constant text
_SUBSCRIPTION_SELECT = (
    "SELECT s.*, l.language AS chat_language FROM subscriptions s "
    "LEFT JOIN chat_languages l ON l.chat_id = s.chat_id"
)
# pair_activity: the pair's latest accusation, the reverse pair's latest within the reply
# window, and one count per window; each a seek or a range of the accusations key.
_LATEST = (
    "(SELECT made FROM accusations WHERE accuser = :a AND accused = :b AND made <= :until "
    "AND alert_id <= :id ORDER BY made DESC LIMIT 1)"
)
_LATEST_REPLY = (
    "(SELECT made FROM accusations WHERE accuser = :b AND accused = :a AND made <= :until "
    "AND alert_id <= :id AND made >= :reply ORDER BY made DESC LIMIT 1)"
)
_COUNT_SINCE = (
    "(SELECT count(*) FROM accusations WHERE accuser = :a AND accused = :b AND made <= :until "
    "AND alert_id <= :id AND made >= :w{n})"
)


def _activity_sql(windows: int) -> str:
    counts = [_COUNT_SINCE.format(n=n) for n in range(windows)]
    return "SELECT " + ", ".join([_LATEST, _LATEST_REPLY, *counts])


def _feed(row: aiosqlite.Row) -> FeedState:
    return FeedState(
        url=row["url"],
        title=row["title"],
        lang=row["lang"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_polled=_time(row["last_polled"]),
        last_ok=_time(row["last_ok"]),
        last_error=row["last_error"],
        failures=row["failures"],
        next_poll=_time(row["next_poll"]),
        failing_since=_time(row["failing_since"]),
        outage_reported=_time(row["outage_reported"]),
        leased_by=row["leased_by"],
        lease_until=_time(row["lease_until"]),
    )


def _alert(row: aiosqlite.Row) -> Alert:
    return Alert(
        id=row["id"],
        feed_url=row["feed_url"],
        item_key=row["item_key"],
        title=row["title"],
        summary=row["summary"],
        link=row["link"],
        published=datetime.fromisoformat(row["published"]),
        source_title=row["source_title"],
        level=Level(row["level"]),
        pairs=tuple(Pair(a, b) for a, b in json.loads(row["pairs"])),
        evidence=row["evidence"],
        matched=tuple(json.loads(row["matched"])),
        actors=tuple(json.loads(row["actors"])),
        lang=row["lang"],
        novelty=row["novelty"],
        created=datetime.fromisoformat(row["created"]),
        also_reported=max(0, row["also_reported"]),
        also_languages=row["also_languages"],
    )


def _mute(row: aiosqlite.Row) -> Mute:
    return Mute(
        id=row["id"],
        chat_id=row["chat_id"],
        pair=Pair(row["accuser"], row["accused"]),
        until=datetime.fromisoformat(row["until"]),
        muted_by=row["muted_by"],
    )


def _subscription(row: aiosqlite.Row) -> Subscription:
    return Subscription(
        chat_id=row["chat_id"],
        chat_type=row["chat_type"],
        title=row["title"],
        levels=tuple(Level(v) for v in row["levels"].split(",") if v),
        words=tuple(json.loads(row["words"])),
        is_active=bool(row["is_active"]),
        is_instant=bool(row["is_instant"]),
        digest_time=row["digest_time"],
        last_digest=_time(row["last_digest"]),
        thread_id=row["thread_id"] or None,
        quiet_hours=_quiet_hours(row["quiet_hours"]),
        language=row["chat_language"],
    )


def _quiet_hours(text: str | None) -> QuietHours | None:
    """What set_quiet_hours wrote ('22:00-07:00'), back as QuietHours."""
    if not text:
        return None
    start, end = text.split("-")
    return QuietHours(time.fromisoformat(start), time.fromisoformat(end))
