"""The PostgreSQL store, for a database server shared by several processes or machines.

Same behaviour as SqliteStore, method by method; the differences are PostgreSQL's own: an asyncpg
connection pool, times as timestamptz (cut to whole seconds, as SQLite keeps them), the schema
version in a `schema_version` table, migrations serialised by an advisory lock. A lost connection
or an unreachable server raises StoreUnavailable, so the loops can wait for the database to return.
May import feeds.model, bot.model, bot.config and bot.errors only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import asyncpg

from bot.config import database_place, redacted
from bot.errors import StoreError, StoreUnavailable
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

# Never edit a shipped step: add a numbered file. Version = number, as for SQLite.
MIGRATIONS: tuple[str, ...] = load_migrations("postgres")
SCHEMA_VERSION = len(MIGRATIONS)
# Key of the transaction-level advisory lock that one migrating process holds: b"ceasefir".
MIGRATION_LOCK = 0x6365617365666972
POOL_SIZE = 10
CONNECT_TIMEOUT = 10.0  # seconds; asyncpg's default of 60 leaves an operator staring at nothing
CLOSE_TIMEOUT = 10.0
EARLIEST = datetime.min.replace(tzinfo=UTC)  # "due at once", as SQLite's '' sorts first
# Where ingest announces new outbox and webhook rows; the sender listens (sender_lock.py).
OUTBOX_CHANNEL = "ceasefire_outbox"
ALERT_TURN_LOCK = 0x6365617365616C74  # transaction advisory lock key of alert_turn: b"ceasealt"

# The server went away mid-query: shut down, crashed, restarting, connection dropped, full.
_CONNECTION_LOST = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
)


def _ts(moment: datetime) -> datetime:
    """A time as stored: UTC, whole seconds (SqliteStore keeps seconds, and so do we)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the store")
    return moment.astimezone(UTC).replace(microsecond=0)


def _ts_ceil(moment: datetime) -> datetime:
    """`_ts` rounded up to the next whole second: a lower bound that keeps its meaning."""
    if moment.microsecond:
        moment += timedelta(microseconds=1_000_000 - moment.microsecond)
    return _ts(moment)


def _count(status: str) -> int:
    """Rows a statement touched, from its command tag ('DELETE 3', 'INSERT 0 1')."""
    return int(status.rsplit(" ", 1)[-1])


def _reason(exc: BaseException) -> str:
    """Why a connection failed, in words an operator can act on (never the password)."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running and listening there?)"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return str(exc) or type(exc).__name__


def _connection_loss(exc: BaseException, conn: asyncpg.Connection) -> BaseException | None:
    """The error saying the server or the network went away, if that is why `exc` happened."""
    # A ROLLBACK on a dead connection fails too, hiding the error that killed it: look down.
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, _CONNECTION_LOST):
            return cause
        cause = cause.__context__
    try:
        is_closed = conn.is_closed()
    except asyncpg.InterfaceError:  # the pool has already taken the closed connection back
        is_closed = True
    return exc if is_closed else None


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb columns hold Python lists; asyncpg would hand us text otherwise.
    await conn.set_type_codec(
        "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog", format="text"
    )


class PostgresStore:
    """A PostgreSQL database: `await PostgresStore.open(url)`, then `await store.close()`."""

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self.url = redacted(url)
        self._place = database_place(url)

    # -- lifecycle -------------------------------------------------------------------------------

    @classmethod
    async def open(cls, url: str) -> PostgresStore:
        """Connect, bring the schema up to date; StoreError names host, port and database."""
        try:
            # min_size=0: no background reconnecting (and logging) while the server is away;
            # connections are made when needed, so open() below proves the server answers.
            pool = await asyncpg.create_pool(
                url,
                min_size=0,
                max_size=POOL_SIZE,
                init=_init_connection,
                timeout=CONNECT_TIMEOUT,
            )
        except Exception as exc:  # a URL asyncpg cannot use
            raise StoreError(f"cannot use DATABASE_URL {redacted(url)}: {_reason(exc)}") from exc
        store = cls(pool, url)
        try:
            await store._migrate()
        except StoreError:
            await store.close()
            raise
        except Exception as exc:
            await store.close()
            raise StoreError(f"cannot use PostgreSQL at {store._place}: {exc}") from exc
        return store

    async def close(self) -> None:
        """Close the pool; safe to call twice."""
        try:
            await asyncio.wait_for(self._pool.close(), timeout=CLOSE_TIMEOUT)
        except TimeoutError:  # a server that stopped answering: drop the connections
            self._pool.terminate()

    async def schema_version(self) -> int:
        async with self._connection() as conn:
            return await self._version(conn)

    @staticmethod
    async def _version(conn: asyncpg.Connection) -> int:
        if await conn.fetchval("SELECT to_regclass('schema_version')") is None:
            return 0
        return await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version")

    async def _migrate(self) -> None:
        """Each missing step in a transaction of its own, under a lock all processes share."""
        async with self._connection() as conn:
            while True:
                async with conn.transaction():
                    # Two processes starting at once: the second waits, then finds it done.
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
                    version = await self._version(conn)
                    if version > SCHEMA_VERSION:
                        raise StoreError(
                            f"database {self.url} has schema version {version}, newer than "
                            f"this program ({SCHEMA_VERSION}); upgrade ceasefire-alerts"
                        )
                    if version == SCHEMA_VERSION:
                        return
                    await conn.execute(MIGRATIONS[version])
                    await conn.execute(
                        "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)"
                    )
                    await conn.execute("DELETE FROM schema_version")
                    await conn.execute("INSERT INTO schema_version VALUES ($1)", version + 1)
                log.info("database %s migrated to schema version %d", self.url, version + 1)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection; losing it, or not getting one, raises StoreUnavailable."""
        try:
            conn = await self._pool.acquire()
        except Exception as exc:
            if self._pool.is_closing():
                raise
            message = f"cannot connect to PostgreSQL at {self._place}: {_reason(exc)}"
            raise StoreUnavailable(message) from exc
        try:
            yield conn
        except Exception as exc:
            lost = _connection_loss(exc, conn)
            if lost is None:
                raise
            message = f"lost the connection to PostgreSQL at {self._place}: {_reason(lost)}"
            raise StoreUnavailable(message) from exc
        finally:
            await self._release(conn)

    async def _release(self, conn: asyncpg.Connection) -> None:
        # A query cut short by cancellation leaves the connection busy: the pool's reset then
        # fails with "another operation is in progress" and the pool closes that connection
        # itself. Raising here would replace the caller's CancelledError, so let it go.
        try:
            await self._pool.release(conn)
        except asyncpg.InterfaceError as exc:
            log.debug("dropped a busy PostgreSQL connection on release: %s", exc)

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[asyncpg.Connection]:
        async with self._connection() as conn, conn.transaction():
            yield conn

    async def _all(self, sql: str, *args: object) -> list[asyncpg.Record]:
        async with self._connection() as conn:
            return await conn.fetch(sql, *args)

    async def _one(self, sql: str, *args: object) -> asyncpg.Record | None:
        async with self._connection() as conn:
            return await conn.fetchrow(sql, *args)

    async def _write(self, sql: str, *args: object) -> int:
        async with self._connection() as conn:
            return _count(await conn.execute(sql, *args))

    # -- meta ------------------------------------------------------------------------------------

    async def set_meta(self, key: str, value: str) -> None:
        await self._write(
            "INSERT INTO meta (key, value) VALUES ($1, $2) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            key,
            value,
        )

    async def get_meta(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM meta WHERE key = $1", key)
        return row["value"] if row else None

    async def setdefault_meta(self, key: str, value: str) -> str:
        """The stored value of `key`, storing `value` first if there is none (first one wins)."""
        async with self._tx() as conn:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                key,
                value,
            )
            return str(await conn.fetchval("SELECT value FROM meta WHERE key = $1", key))

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
            "INSERT INTO feeds (url, title, lang, added_at, added_by) VALUES ($1, $2, $3, $4, $5) "
            "ON CONFLICT (url) DO NOTHING",
            url,
            title,
            lang,
            _ts(now),
            added_by,
        )
        return count > 0

    async def remove_feed(self, url: str) -> bool:
        """Stop watching a feed (its seen items stay, so re-adding it alerts nothing old)."""
        return await self._write("DELETE FROM feeds WHERE url = $1", url) > 0

    async def list_feeds(self) -> list[FeedState]:
        # SQLite's NOCASE folds ASCII only, and so does lower() under the "C" collation.
        rows = await self._all(
            'SELECT * FROM feeds ORDER BY lower(title COLLATE "C"), url COLLATE "C"'
        )
        return [_feed(row) for row in rows]

    async def count_feeds(self) -> int:
        return await self._scalar("SELECT count(*) FROM feeds")

    async def _scalar(self, sql: str, *args: object) -> int:
        async with self._connection() as conn:
            return int(await conn.fetchval(sql, *args) or 0)

    async def next_due_time(self) -> datetime | None:
        """When the next feed may be claimed: its next poll, or the end of the lease another
        worker holds on it (None without feeds)."""
        # greatest() skips NULLs: a feed never polled and not leased is due at once.
        row = await self._one(
            "SELECT count(*) AS feeds, bool_or(next_poll IS NULL AND lease_until IS NULL) "
            "AS is_new, min(greatest(next_poll, lease_until)) AS due FROM feeds"
        )
        if row is None or not row["feeds"]:
            return None
        return EARLIEST if row["is_new"] else row["due"]

    async def claim_due_feeds(
        self, worker: str, now: datetime, *, limit: int, lease: timedelta
    ) -> list[FeedState]:
        """Lease up to `limit` feeds whose next poll has come to `worker` until `now + lease`,
        oldest due first. A feed another worker leased is skipped until that lease runs out;
        record_fetch_ok and record_fetch_error release the lease.

        SKIP LOCKED: workers claiming at the same moment get different feeds without waiting
        for each other, and a row another claim just changed is checked again, so it is not
        taken twice.
        """
        rows = await self._all(
            "UPDATE feeds SET leased_by = $1, lease_until = $2 WHERE url IN ("
            "SELECT url FROM feeds WHERE (next_poll IS NULL OR next_poll <= $3) "
            "AND (lease_until IS NULL OR lease_until <= $3) "
            'ORDER BY next_poll NULLS FIRST, url COLLATE "C" LIMIT $4 FOR UPDATE SKIP LOCKED) '
            "RETURNING *",
            worker,
            _ts(now + lease),
            _ts(now),
            limit,
        )
        return sorted((_feed(row) for row in rows), key=_due_order)

    async def release_feeds(self, worker: str) -> int:
        """Give back every lease `worker` holds (a poll it could not record, the database being
        away); returns how many."""
        return await self._write(
            "UPDATE feeds SET leased_by = NULL, lease_until = NULL WHERE leased_by = $1", worker
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
                "UPDATE feeds SET last_polled = $1, last_ok = $1, last_error = NULL, "
                "failures = 0, failing_since = NULL, next_poll = $2, leased_by = NULL, "
                "lease_until = NULL WHERE url = $3",
                _ts(now),
                _ts(next_poll),
                url,
            )
            return
        await self._write(
            "UPDATE feeds SET last_polled = $1, last_ok = $1, last_error = NULL, failures = 0, "
            "failing_since = NULL, next_poll = $2, etag = $3, last_modified = $4, "
            "leased_by = NULL, lease_until = NULL, "
            "title = CASE WHEN $5 <> '' THEN $5 ELSE title END WHERE url = $6",
            _ts(now),
            _ts(next_poll),
            etag,
            last_modified,
            title or "",
            url,
        )

    async def record_fetch_error(
        self, url: str, error: str, *, now: datetime, next_poll: datetime
    ) -> None:
        """Count a failure, push the next poll back and release the feed's lease; the first
        failure starts an outage."""
        await self._write(
            "UPDATE feeds SET last_polled = $1, last_error = $2, failures = failures + 1, "
            "failing_since = CASE WHEN failures = 0 OR failing_since IS NULL THEN $1 "
            "ELSE failing_since END, next_poll = $3, leased_by = NULL, lease_until = NULL "
            "WHERE url = $4",
            _ts(now),
            error[:500],
            _ts(next_poll),
            url,
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

        A compare-and-set in one transaction; False (nothing queued) if another run won.
        """
        async with self._tx() as conn:
            changed = _count(
                await conn.execute(
                    "UPDATE feeds SET outage_reported = $1 WHERE url = $2 "
                    "AND outage_reported IS NOT DISTINCT FROM $3",
                    _ts(reported) if reported else None,
                    url,
                    _ts(expected) if expected else None,
                )
            )
            if not changed:
                return False
            for message in messages:
                await self._insert_message(conn, message, now)
        return True

    # -- items and alerts ------------------------------------------------------------------------

    async def unseen(self, feed_url: str, items: Sequence[Item], *, now: datetime) -> list[Item]:
        """Items of this feed not stored before; also marks the known ones as still carried
        (at most every LAST_SEEN_STEP)."""
        if not items:
            return []
        keys = list(dict.fromkeys(item.key for item in items))
        # last_seen keeps an item from being pruned while its feed still carries it.
        rows = await self._all(
            "WITH carried AS (UPDATE items SET last_seen = $1 WHERE feed_url = $2 "
            "AND key = ANY($3::text[]) AND last_seen < $4) "
            "SELECT key FROM items WHERE feed_url = $2 AND key = ANY($3::text[])",
            _ts(now),
            feed_url,
            keys,
            _ts(now - LAST_SEEN_STEP),
        )
        known = {row["key"] for row in rows}
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
        webhook row exist, or none of them do. Only items this transaction inserted make
        alerts, so two processes ingesting the same item cannot both alert it. New rows are
        announced on OUTBOX_CHANNEL at commit, which wakes the sender in whichever worker it is.
        """
        unique = list({story.item.key: story for story in stories}.values())
        if not unique:
            return []
        created: list[Alert] = []
        async with self._tx() as conn:
            inserted = await conn.fetch(
                "INSERT INTO items (feed_url, key, title, link, published, first_seen, "
                "last_seen, level) SELECT $1, u.key, u.title, u.link, u.published, $6, $6, "
                "u.level FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], "
                "$7::text[]) AS u(key, title, link, published, level) "
                "ON CONFLICT (feed_url, key) DO NOTHING RETURNING key",
                feed_url,
                [s.item.key for s in unique],
                [s.item.title for s in unique],
                [s.item.link for s in unique],
                [_ts(s.item.published) for s in unique],
                _ts(now),
                [s.detection.level.value for s in unique],
            )
            new_keys = {row["key"] for row in inserted}
            for story in unique:
                if story.item.key not in new_keys:
                    continue
                if story.is_backlog or story.detection.level is Level.NONE:
                    continue
                if story.same_as is not None:
                    await conn.execute(
                        "INSERT INTO alert_reports (alert_id, feed_url, link, seen, item_key, "
                        "lang) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                        story.same_as,
                        feed_url,
                        story.item.link,
                        _ts(now),
                        story.item.key,
                        story.lang,
                    )
                    continue
                alert = await self._insert_alert(conn, story, now)
                created.append(alert)
                await conn.execute(
                    "INSERT INTO outbox (alert_id, chat_id, thread_id, created) "
                    "SELECT $1, u.chat, u.thread, $4 "
                    "FROM unnest($2::bigint[], $3::bigint[]) AS u(chat, thread) "
                    "ON CONFLICT DO NOTHING",
                    alert.id,
                    [to.chat_id for to in story.recipients],
                    [_thread(to.thread_id) for to in story.recipients],
                    _ts(now),
                )
                await conn.execute(
                    "INSERT INTO webhook_outbox (alert_id, url, created) "
                    "SELECT $1, unnest($2::text[]), $3 ON CONFLICT (alert_id, url) DO NOTHING",
                    alert.id,
                    list(story.webhooks),
                    _ts(now),
                )
            await self._record_blames(conn, created)
            if created:
                await conn.execute("SELECT pg_notify($1, '')", OUTBOX_CHANNEL)
        return created

    @asynccontextmanager
    async def alert_turn(self) -> AsyncIterator[None]:
        """While held, no other worker sharing the database stores alerts: what it stored is
        read, and the stories grouped with it, before another can add the same story.

        A transaction-level advisory lock on a connection of its own: it ends with the block,
        or with the connection if the worker dies holding it.
        """
        async with self._tx() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", ALERT_TURN_LOCK)
            yield

    async def _insert_alert(
        self, conn: asyncpg.Connection, story: NewStory, now: datetime
    ) -> Alert:
        alert = Alert.of(story.item, story.detection, created=now, novelty=story.novelty)
        alert_id = await conn.fetchval(
            "INSERT INTO alerts (feed_url, item_key, title, summary, link, published, "
            "source_title, level, pairs, evidence, matched, actors, lang, novelty, created) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
            "RETURNING id",
            alert.feed_url,
            alert.item_key,
            alert.title,
            alert.summary,
            alert.link,
            _ts(alert.published),
            alert.source_title,
            alert.level.value,
            [[p.accuser, p.accused] for p in alert.pairs],
            alert.evidence,
            list(alert.matched),
            list(alert.actors),
            alert.lang,
            alert.novelty,
            _ts(now),
        )
        await conn.execute(
            "INSERT INTO alert_reports (alert_id, feed_url, link, seen, item_key, lang) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            alert_id,
            alert.feed_url,
            alert.link,
            _ts(now),
            alert.item_key,
            story.lang,
        )
        return replace(alert, id=alert_id)

    async def _record_blames(self, conn: asyncpg.Connection, alerts: Sequence[Alert]) -> None:
        """Keep accusations, blame_pairs and blame_pair_days in step with the alerts (same
        transaction).

        Rows are updated in one order, pair then time, in every transaction: two workers
        ingesting accusations of the same pairs then wait for each other instead of deadlocking.
        """
        events = sorted(
            (pair.accuser, pair.accused, _ts(min(alert.published, alert.created)), alert.id)
            for alert in alerts
            if alert.level is Level.BLAME
            for pair in alert.pairs
        )
        await conn.executemany(
            "INSERT INTO accusations (accuser, accused, made, alert_id) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT DO NOTHING",
            events,
        )
        for accuser, accused, when, _ in events:
            await conn.execute(
                "INSERT INTO blame_pairs (accuser, accused, first_seen, last_seen, count) "
                "VALUES ($1, $2, $3, $3, 1) ON CONFLICT (accuser, accused) DO UPDATE SET "
                "first_seen = least(blame_pairs.first_seen, excluded.first_seen), "
                "last_seen = greatest(blame_pairs.last_seen, excluded.last_seen), "
                "count = blame_pairs.count + 1",
                accuser,
                accused,
                when,
            )
            await conn.execute(
                "INSERT INTO blame_pair_days (accuser, accused, day, count, last_seen) "
                "VALUES ($1, $2, $3, 1, $4) ON CONFLICT (accuser, accused, day) DO UPDATE SET "
                "count = blame_pair_days.count + 1, "
                "last_seen = greatest(blame_pair_days.last_seen, excluded.last_seen)",
                accuser,
                accused,
                when.date(),
                when,
            )

    async def recent_alerts(self, since: datetime, *, limit: int = 500) -> list[Alert]:
        """Alerts created at or after `since`, newest first."""
        rows = await self._all(
            f"{_ALERT_SELECT} WHERE a.created >= $1 ORDER BY a.created DESC, a.id DESC LIMIT $2",
            _ts(since),
            limit,
        )
        return [_alert(row) for row in rows]

    async def latest_alerts(
        self, limit: int, *, levels: Iterable[Level] | None = None
    ) -> list[Alert]:
        """The newest alerts of the given levels (all alert levels by default)."""
        rows = await self._all(
            f"{_ALERT_SELECT} WHERE a.level = ANY($1::text[]) "
            "ORDER BY a.created DESC, a.id DESC LIMIT $2",
            _level_values(levels),
            limit,
        )
        return [_alert(row) for row in rows]

    async def get_alert(self, alert_id: int) -> Alert | None:
        row = await self._one(f"{_ALERT_SELECT} WHERE a.id = $1", alert_id)
        return _alert(row) if row else None

    async def alerts_after(self, alert_id: int, *, limit: int = 1000) -> list[Alert]:
        """Alerts with ids above `alert_id`, oldest first (what other workers stored since)."""
        rows = await self._all(
            f"{_ALERT_SELECT} WHERE a.id > $1 ORDER BY a.id LIMIT $2", alert_id, limit
        )
        return [_alert(row) for row in rows]

    async def first_alert_time(self) -> datetime | None:
        """When the history on record begins (the oldest alert or item we hold)."""
        row = await self._one(
            "SELECT least((SELECT min(created) FROM alerts), (SELECT min(first_seen) FROM items))"
        )
        return row[0] if row else None

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
        async with self._tx() as conn:
            await conn.execute(
                "DELETE FROM alert_reports r USING items i "
                "WHERE i.feed_url = r.feed_url AND i.key = r.item_key AND i.last_seen < $1",
                _ts(items_before),
            )
            removed = _count(
                await conn.execute("DELETE FROM items WHERE last_seen < $1", _ts(items_before))
            )
            if outbox_before is not None:
                await conn.execute(
                    "DELETE FROM outbox WHERE status IN ('sent', 'failed', 'dropped') "
                    "AND created < $1",
                    _ts(outbox_before),
                )
                await conn.execute(
                    "DELETE FROM webhook_outbox WHERE status <> 'pending' AND created < $1",
                    _ts(outbox_before),
                )
            if alerts_before is not None:
                await conn.execute(
                    "DELETE FROM alerts WHERE created < $1 AND id NOT IN "
                    "(SELECT alert_id FROM outbox WHERE status IN ('pending', 'merged') "
                    "AND alert_id IS NOT NULL) AND id NOT IN "
                    "(SELECT alert_id FROM webhook_outbox WHERE status = 'pending')",
                    _ts(alerts_before),
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
        row = await self._one(
            "WITH s AS (INSERT INTO subscriptions (chat_id, thread_id, chat_type, title, levels, "
            "words, is_active, is_instant, digest_time, last_digest, created, updated) "
            "VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8, $9, $10, $10) "
            "ON CONFLICT (chat_id, thread_id) DO UPDATE SET chat_type = excluded.chat_type, "
            "title = excluded.title, levels = excluded.levels, words = excluded.words, "
            "is_active = true, is_instant = excluded.is_instant, "
            "digest_time = excluded.digest_time, last_digest = excluded.last_digest, "
            "updated = excluded.updated RETURNING *) "
            "SELECT s.*, l.language AS chat_language FROM s "
            "LEFT JOIN chat_languages l ON l.chat_id = s.chat_id",
            chat_id,
            _thread(thread_id),
            chat_type,
            title,
            ",".join(lv.value for lv in levels),
            list(words),
            is_instant,
            digest_time,
            _ts(now) if digest_time else None,
            _ts(now),
        )
        assert row is not None  # noqa: S101 - INSERT … RETURNING always returns the row
        return _subscription(row)

    async def unsubscribe(self, chat_id: int, *, thread_id: int | None = None) -> bool:
        """Stop alerts for a chat (or one topic of it) and drop what was still waiting there."""
        return await self.deactivate_topic(chat_id, thread_id, reason="unsubscribed")

    async def get_subscription(
        self, chat_id: int, *, thread_id: int | None = None
    ) -> Subscription | None:
        row = await self._one(
            f"{_SUBSCRIPTION_SELECT} WHERE s.chat_id = $1 AND s.thread_id = $2",
            chat_id,
            _thread(thread_id),
        )
        return _subscription(row) if row else None

    async def active_subscriptions(self) -> list[Subscription]:
        rows = await self._all(
            f"{_SUBSCRIPTION_SELECT} WHERE s.is_active ORDER BY s.chat_id, s.thread_id"
        )
        return [_subscription(row) for row in rows]

    async def set_quiet_hours(
        self, chat_id: int, quiet_hours: QuietHours | None, *, thread_id: int | None = None
    ) -> bool:
        """Set (None: clear) an active subscription's quiet hours; False if there is none."""
        count = await self._write(
            "UPDATE subscriptions SET quiet_hours = $1 WHERE chat_id = $2 AND thread_id = $3 "
            "AND is_active",
            str(quiet_hours) if quiet_hours else None,
            chat_id,
            _thread(thread_id),
        )
        return count > 0

    async def deactivate_chat(self, chat_id: int, *, reason: str) -> bool:
        """Turn off every subscription of a chat (blocked, kicked, left); drop its waiting rows."""
        async with self._tx() as conn:
            changed = _count(
                await conn.execute(
                    "UPDATE subscriptions SET is_active = false WHERE chat_id = $1 AND is_active",
                    chat_id,
                )
            )
            await conn.execute(
                "UPDATE outbox SET status = 'dropped', last_error = $1 "
                "WHERE chat_id = $2 AND status IN ('pending', 'merged')",
                reason[:500],
                chat_id,
            )
        return changed > 0

    async def deactivate_topic(self, chat_id: int, thread_id: int | None, *, reason: str) -> bool:
        """Turn off one topic's subscription (deleted topic, /unsubscribe); drop its alerts.

        Operator notices to the chat stay: they belong to no subscription.
        """
        async with self._tx() as conn:
            changed = _count(
                await conn.execute(
                    "UPDATE subscriptions SET is_active = false "
                    "WHERE chat_id = $1 AND thread_id = $2 AND is_active",
                    chat_id,
                    _thread(thread_id),
                )
            )
            await conn.execute(
                "UPDATE outbox SET status = 'dropped', last_error = $1 "
                "WHERE chat_id = $2 AND thread_id = $3 AND kind <> 'notice' "
                "AND status IN ('pending', 'merged')",
                reason[:500],
                chat_id,
                _thread(thread_id),
            )
        return changed > 0

    async def move_chat(self, old_chat_id: int, new_chat_id: int, *, now: datetime) -> None:
        """A group became a supergroup: its subscriptions, waiting rows and mutes follow."""
        async with self._tx() as conn:
            await conn.execute("DELETE FROM subscriptions WHERE chat_id = $1", new_chat_id)
            await conn.execute(
                "UPDATE subscriptions SET chat_id = $1, chat_type = 'supergroup', updated = $2 "
                "WHERE chat_id = $3",
                new_chat_id,
                _ts(now),
                old_chat_id,
            )
            # Rows the new id already has would collide on UNIQUE(alert_id, chat_id, thread_id).
            await conn.execute(
                "DELETE FROM outbox WHERE chat_id = $1 AND status = 'pending' AND alert_id IN "
                "(SELECT alert_id FROM outbox WHERE chat_id = $2 AND alert_id IS NOT NULL)",
                old_chat_id,
                new_chat_id,
            )
            await conn.execute(
                "UPDATE outbox SET chat_id = $1, not_before = NULL "
                "WHERE chat_id = $2 AND status IN ('pending', 'merged')",
                new_chat_id,
                old_chat_id,
            )
            # Mutes follow too; a pair the new id already muted keeps the new id's row.
            await conn.execute(
                "DELETE FROM mutes WHERE chat_id = $1 AND (accuser, accused) IN "
                "(SELECT accuser, accused FROM mutes WHERE chat_id = $2)",
                old_chat_id,
                new_chat_id,
            )
            await conn.execute(
                "UPDATE mutes SET chat_id = $1 WHERE chat_id = $2", new_chat_id, old_chat_id
            )
            # The language goes with the subscription (replacing one the new id had).
            await conn.execute(
                "DELETE FROM chat_languages WHERE chat_id = $1 "
                "AND EXISTS (SELECT 1 FROM chat_languages WHERE chat_id = $2)",
                new_chat_id,
                old_chat_id,
            )
            await conn.execute(
                "UPDATE chat_languages SET chat_id = $1 WHERE chat_id = $2",
                new_chat_id,
                old_chat_id,
            )

    async def get_chat_language(self, chat_id: int) -> ChatLanguage | None:
        row = await self._one(
            "SELECT chat_id, language, is_chosen FROM chat_languages WHERE chat_id = $1", chat_id
        )
        if row is None:
            return None
        return ChatLanguage(row["chat_id"], row["language"], row["is_chosen"])

    async def set_chat_language(
        self, chat_id: int, language: str, *, is_chosen: bool, now: datetime
    ) -> None:
        """Remember a chat's interface language (`is_chosen`: set with /language)."""
        await self._write(
            "INSERT INTO chat_languages (chat_id, language, is_chosen, updated) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT (chat_id) DO UPDATE SET "
            "language = excluded.language, is_chosen = excluded.is_chosen, "
            "updated = excluded.updated",
            chat_id,
            language,
            is_chosen,
            _ts(now),
        )

    async def set_last_digest(
        self, chat_id: int, when: datetime, *, thread_id: int | None = None
    ) -> None:
        await self._write(
            "UPDATE subscriptions SET last_digest = $1 WHERE chat_id = $2 AND thread_id = $3",
            _ts(when),
            chat_id,
            _thread(thread_id),
        )

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
        return await self._write(
            "INSERT INTO outbox (alert_id, chat_id, thread_id, created) "
            "SELECT $1, unnest($2::bigint[]), $3, $4 ON CONFLICT DO NOTHING",
            alert_id,
            list(chat_ids),
            _thread(thread_id),
            _ts(now),
        )

    async def enqueue_messages(self, messages: Sequence[OutboxMessage], *, now: datetime) -> None:
        """Queue written messages (operator notices and the like) in one transaction."""
        async with self._tx() as conn:
            for message in messages:
                await self._insert_message(conn, message, now)

    async def _insert_message(
        self, conn: asyncpg.Connection, message: OutboxMessage, now: datetime
    ) -> int:
        return await conn.fetchval(
            "INSERT INTO outbox (kind, chat_id, thread_id, text, is_silent, created) "
            "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            message.kind.value,
            message.destination.chat_id,
            _thread(message.destination.thread_id),
            message.text,
            message.is_silent,
            _ts(now),
        )

    async def next_outbox(
        self, now: datetime, *, limit: int = 100, chat_id: int | None = None
    ) -> list[OutboxRow]:
        """Pending rows whose time has come (of one chat if given): bursts, then by queue order.

        A burst row is made after the rows it replaces were queued; it goes first so that
        those alerts keep their place instead of waiting behind everything queued since.
        """
        where = "o.status = 'pending' AND (o.not_before IS NULL OR o.not_before <= $1)"
        args: list[object] = [_ts(now)]
        if chat_id is not None:
            where += " AND o.chat_id = $2"
            args.append(chat_id)
        limit_at = f"${len(args) + 1}"
        async with self._connection() as conn:
            bursts = await self._outbox_rows(
                conn, f"{where} AND o.kind = 'burst' ORDER BY o.id LIMIT {limit_at}", *args, limit
            )
            rest = await self._outbox_rows(
                conn,
                f"{where} AND o.kind <> 'burst' ORDER BY o.id LIMIT {limit_at}",
                *args,
                limit - len(bursts),
            )
        return bursts + rest

    async def _outbox_rows(
        self, conn: asyncpg.Connection, where: str, *args: object
    ) -> list[OutboxRow]:
        rows = await conn.fetch(
            f"SELECT o.id AS outbox_id, o.kind AS outbox_kind, o.chat_id AS outbox_chat, "  # noqa: S608
            "o.thread_id AS outbox_thread, o.attempts AS outbox_attempts, "
            "o.text AS outbox_text, o.is_silent AS outbox_silent, "
            f"s.quiet_hours AS quiet_hours, l.language AS chat_language, {_ALERT_COLUMNS} "
            "FROM outbox o LEFT JOIN alerts a ON a.id = o.alert_id "
            "LEFT JOIN subscriptions s ON s.chat_id = o.chat_id AND s.thread_id = o.thread_id "
            "AND s.is_active LEFT JOIN chat_languages l ON l.chat_id = o.chat_id "
            f"WHERE {where}",
            *args,
        )
        return [
            OutboxRow(
                id=row["outbox_id"],
                chat_id=row["outbox_chat"],
                attempts=row["outbox_attempts"],
                alert=_alert(row) if row["id"] is not None else None,
                kind=OutboxKind(row["outbox_kind"]),
                text=row["outbox_text"] or "",
                thread_id=row["outbox_thread"] or None,
                is_silent=row["outbox_silent"],
                quiet_hours=_quiet_hours(row["quiet_hours"]),
                language=row["chat_language"],
            )
            for row in rows
        ]

    async def pending_counts(self, now: datetime, chat_ids: Sequence[int]) -> dict[int, int]:
        """How many rows of each chat are pending and due (chats without any are left out)."""
        rows = await self._all(
            "SELECT chat_id, count(*) AS n FROM outbox WHERE chat_id = ANY($1::bigint[]) "
            "AND status = 'pending' AND (not_before IS NULL OR not_before <= $2) "
            "GROUP BY chat_id",
            list(chat_ids),
            _ts(now),
        )
        return {row["chat_id"]: row["n"] for row in rows}

    async def next_outbox_time(self) -> datetime | None:
        """When the earliest postponed pending row becomes due (None if nothing is pending)."""
        row = await self._one(
            "SELECT count(*) AS pending, bool_or(not_before IS NULL) AS is_due, "
            "min(not_before) AS due FROM outbox WHERE status = 'pending'"
        )
        if row is None or not row["pending"]:
            return None
        return EARLIEST if row["is_due"] else row["due"]

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
            async with self._tx() as conn:
                for part in parts:
                    message = OutboxMessage(
                        destination, OutboxKind.BURST, part.text, part.is_silent
                    )
                    burst_id = await self._insert_message(conn, message, now)
                    created.append(burst_id)
                    merged = _count(
                        await conn.execute(
                            "UPDATE outbox SET status = 'merged', burst_id = $1 "
                            "WHERE id = ANY($2::bigint[]) AND status = 'pending' "
                            "AND kind = 'alert' AND chat_id = $3 AND thread_id = $4",
                            burst_id,
                            list(part.row_ids),
                            chat,
                            thread,
                        )
                    )
                    if merged != len(part.row_ids):
                        raise _Stale
                return await self._outbox_rows(
                    conn, "o.id = ANY($1::bigint[]) ORDER BY o.id", created
                )
        except _Stale:
            return []

    async def mark_sent(self, row_id: int, *, message_id: int | None, now: datetime) -> None:
        """The row was sent; so were the alert rows a burst row covers."""
        await self._write(
            "UPDATE outbox SET status = 'sent', message_id = $1, sent_at = $2, "
            "attempts = attempts + 1 WHERE id = $3 OR (burst_id = $3 AND status = 'merged')",
            message_id,
            _ts(now),
            row_id,
        )

    async def mark_failed(self, row_id: int, error: str) -> None:
        """Telegram refused the row for good (and the alert rows a burst row covers)."""
        await self._write(
            "UPDATE outbox SET status = 'failed', last_error = $1, attempts = attempts + 1 "
            "WHERE id = $2 OR (burst_id = $2 AND status = 'merged')",
            error[:500],
            row_id,
        )

    async def postpone(self, row_id: int, until: datetime, error: str) -> None:
        """Leave a row pending but not before `until` (flood wait, network trouble)."""
        await self._write(
            "UPDATE outbox SET not_before = $1, last_error = $2, attempts = attempts + 1 "
            "WHERE id = $3",
            _ts(until),
            error[:500],
            row_id,
        )

    async def drop_outbox_row(self, row_id: int, reason: str) -> None:
        """Never send a pending row (its pair is muted in that chat, for one)."""
        await self._write(
            "UPDATE outbox SET status = 'dropped', last_error = $1 "
            "WHERE id = $2 AND status = 'pending'",
            reason[:500],
            row_id,
        )

    async def outbox_counts(self) -> dict[str, int]:
        rows = await self._all("SELECT status, count(*) AS n FROM outbox GROUP BY status")
        return {row["status"]: row["n"] for row in rows}

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
        # An expired row is reused: its end is replaced, not extended.
        row = await self._one(
            "INSERT INTO mutes (chat_id, accuser, accused, until, muted_by, created) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (chat_id, accuser, accused) DO UPDATE "
            "SET until = CASE WHEN mutes.until > $6 THEN greatest(mutes.until, excluded.until) "
            "ELSE excluded.until END, muted_by = excluded.muted_by RETURNING *",
            chat_id,
            pair.accuser,
            pair.accused,
            _ts(until),
            muted_by,
            _ts(now),
        )
        assert row is not None  # noqa: S101 - RETURNING gives the row written
        return _mute(row)

    async def lift_mute(self, chat_id: int, mute_id: int, *, now: datetime) -> Mute | None:
        """End a mute of this chat now; None if it had already ended or is another chat's."""
        row = await self._one(
            "DELETE FROM mutes WHERE id = $1 AND chat_id = $2 AND until > $3 RETURNING *",
            mute_id,
            chat_id,
            _ts(now),
        )
        return _mute(row) if row else None

    async def mutes_in_force(self, now: datetime, *, chat_id: int | None = None) -> list[Mute]:
        """Mutes not yet expired (of one chat if given), soonest end first."""
        rows = await self._all(
            "SELECT * FROM mutes WHERE until > $1 AND ($2::bigint IS NULL OR chat_id = $2) "
            "ORDER BY until, id",
            _ts(now),
            chat_id,
        )
        return [_mute(row) for row in rows]

    # -- webhooks --------------------------------------------------------------------------------

    async def next_webhooks(self, url: str, *, limit: int = 50) -> list[WebhookRow]:
        """Pending webhook rows of one receiver, oldest first."""
        rows = await self._all(
            f"SELECT w.id AS row_id, w.url AS row_url, w.attempts AS row_attempts, "  # noqa: S608
            f"{_ALERT_COLUMNS} FROM webhook_outbox w JOIN alerts a ON a.id = w.alert_id "
            "WHERE w.url = $1 AND w.status = 'pending' ORDER BY w.id LIMIT $2",
            url,
            limit,
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
            "UPDATE webhook_outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1 "
            "WHERE id = $2",
            _ts(now),
            row_id,
        )

    async def record_webhook_attempt(
        self, row_id: int, error: str, *, is_refused: bool = False
    ) -> None:
        """Count a failed post; a refused row (the receiver rejects this payload) is given up."""
        await self._write(
            "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = $1, "
            "status = CASE WHEN $2 THEN 'refused' ELSE status END WHERE id = $3",
            error[:500],
            is_refused,
            row_id,
        )

    async def webhook_target(self, url: str) -> WebhookTarget:
        """A receiver's health (a fresh record for one never tried)."""
        row = await self._one("SELECT * FROM webhook_targets WHERE url = $1", url)
        if row is None:
            return WebhookTarget(url=url)
        return WebhookTarget(
            url=url,
            failures=row["failures"],
            failing_since=row["failing_since"],
            next_attempt=row["next_attempt"],
            paused_at=row["paused_at"],
            last_error=row["last_error"],
        )

    async def save_webhook_target(self, target: WebhookTarget) -> None:
        def ts(moment: datetime | None) -> datetime | None:
            return _ts(moment) if moment is not None else None

        await self._write(
            "INSERT INTO webhook_targets (url, failures, failing_since, next_attempt, "
            "paused_at, last_error) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (url) DO UPDATE "
            "SET failures = excluded.failures, failing_since = excluded.failing_since, "
            "next_attempt = excluded.next_attempt, paused_at = excluded.paused_at, "
            "last_error = excluded.last_error",
            target.url,
            target.failures,
            ts(target.failing_since),
            ts(target.next_attempt),
            ts(target.paused_at),
            (target.last_error or "")[:500] or None,
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
            "(SELECT count(*) FROM items WHERE first_seen >= $1) AS items_since, "
            "(SELECT count(*) FROM alerts) AS alerts, "
            "(SELECT count(*) FROM alerts WHERE created >= $1) AS alerts_since, "
            "(SELECT count(*) FROM subscriptions WHERE is_active) AS subs, "
            "(SELECT count(*) FROM outbox WHERE status = 'pending') AS pending",
            _ts(since),
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
            f"{_ALERT_SELECT} WHERE a.created >= $1 AND a.level = $2 ORDER BY a.created, a.id",
            _ts(since),
            Level.BLAME.value,
        )
        return [_alert(row) for row in rows]

    async def max_alert_id(self) -> int:
        """The newest alert id (0 without alerts): a snapshot bound for `pair_activity`."""
        return await self._scalar("SELECT max(id) FROM alerts")

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

        Each part is a seek or a range of the accusations key, so the cost does not grow with
        the history. Stored times are whole seconds: `at` rounds down and window starts round
        up, so the bounds mean what the same comparisons mean in Python.
        """
        row = await self._one(
            _activity_sql(len(windows)),
            pair.accuser,
            pair.accused,
            _ts(at),
            up_to_id if up_to_id is not None else _MAX_ID,
            _ts_ceil(at - reply_window),
            *(_ts_ceil(at - window) for window in windows),
        )
        assert row is not None  # noqa: S101 - scalar subqueries always give one row
        return PairActivity(
            pair=pair,
            latest=row[0],
            counts=tuple(int(row[2 + n]) for n in range(len(windows))),
            reply=row[1],
        )

    async def pair_records(self, pairs: Iterable[Pair] | None = None) -> dict[Pair, PairRecord]:
        """The blame_pairs summary of these pairs (all pairs by default)."""
        if pairs is None:
            rows = await self._all(
                'SELECT * FROM blame_pairs ORDER BY accuser COLLATE "C", accused COLLATE "C"'
            )
        else:
            wanted = list(dict.fromkeys(pairs))
            if not wanted:
                return {}
            rows = await self._all(
                "SELECT b.* FROM blame_pairs b JOIN unnest($1::text[], $2::text[]) "
                "AS w(accuser, accused) USING (accuser, accused)",
                [p.accuser for p in wanted],
                [p.accused for p in wanted],
            )
        return {
            Pair(row["accuser"], row["accused"]): PairRecord(
                pair=Pair(row["accuser"], row["accused"]),
                first_seen=row["first_seen"],
                last_seen=row["last_seen"],
                count=row["count"],
            )
            for row in rows
        }

    async def first_blame_time(self) -> datetime | None:
        """The earliest accusation on record (min first_seen of every pair)."""
        row = await self._one("SELECT min(first_seen) FROM blame_pairs")
        return row[0] if row else None

    async def pair_days(self) -> list[tuple[Pair, str, int]]:
        """(pair, UTC day, accusations) of every day on record, for checks and charts."""
        rows = await self._all(
            "SELECT accuser, accused, day, count FROM blame_pair_days "
            'ORDER BY accuser COLLATE "C", accused COLLATE "C", day'
        )
        return [(Pair(r["accuser"], r["accused"]), r["day"].isoformat(), r["count"]) for r in rows]

    async def alerts_between(
        self, since: datetime, until: datetime, *, levels: Iterable[Level] | None = None
    ) -> list[Alert]:
        """Alerts created in [since, until) of the given levels (default: all), oldest first."""
        rows = await self._all(
            f"{_ALERT_SELECT} WHERE a.created >= $1 AND a.created < $2 "
            "AND a.level = ANY($3::text[]) ORDER BY a.created, a.id",
            _ts(since),
            _ts(until),
            _level_values(levels),
        )
        return [_alert(row) for row in rows]

    async def claim_digest(self, message: OutboxMessage, *, slot: datetime, now: datetime) -> bool:
        """Claim the digest of `slot` for the message's destination and queue the message.

        A compare-and-set in the same transaction as the queueing: of two runs of the digest
        job only one queues the slot's digest, and a crash leaves both changes or neither.
        """
        to = message.destination
        async with self._tx() as conn:
            changed = _count(
                await conn.execute(
                    "UPDATE subscriptions SET last_digest = $1 WHERE chat_id = $2 "
                    "AND thread_id = $3 AND is_active "
                    "AND (last_digest IS NULL OR last_digest < $4)",
                    _ts(now),
                    to.chat_id,
                    _thread(to.thread_id),
                    _ts(slot),
                )
            )
            if not changed:
                return False
            await self._insert_message(conn, message, now)
        return True

    # -- workers (scale-out) ---------------------------------------------------------------------

    async def record_worker(self, name: str, *, now: datetime, is_sender: bool) -> None:
        """A worker's heartbeat: seen at `now`, holding the sender role or not. The role has one
        holder: recording a sender clears the mark of any other (one that died holding it)."""
        async with self._tx() as conn:
            await conn.execute(
                "INSERT INTO workers (name, started, last_seen, is_sender) "
                "VALUES ($1, $2, $2, $3) ON CONFLICT (name) DO UPDATE SET "
                "last_seen = excluded.last_seen, is_sender = excluded.is_sender",
                name,
                _ts(now),
                is_sender,
            )
            if is_sender:
                await conn.execute(
                    "UPDATE workers SET is_sender = false WHERE is_sender AND name <> $1", name
                )

    async def recent_workers(self, since: datetime) -> list[WorkerState]:
        """Workers whose last heartbeat was at or after `since`, by name."""
        rows = await self._all(
            'SELECT * FROM workers WHERE last_seen >= $1 ORDER BY name COLLATE "C"', _ts(since)
        )
        return [
            WorkerState(
                name=row["name"],
                started=row["started"],
                last_seen=row["last_seen"],
                is_sender=row["is_sender"],
            )
            for row in rows
        ]

    async def forget_worker(self, name: str) -> None:
        """Drop a worker that stopped cleanly from the list."""
        await self._write("DELETE FROM workers WHERE name = $1", name)

    async def forget_workers(self, *, seen_before: datetime) -> int:
        """Drop the workers not heard from since `seen_before` (killed ones); returns how many."""
        return await self._write("DELETE FROM workers WHERE last_seen < $1", _ts(seen_before))


class _Stale(Exception):
    """A row changed under a compare-and-set: undo the transaction."""


_ALERT_COLUMNS = (
    "a.id, a.feed_url, a.item_key, a.title, a.summary, a.link, a.published, a.source_title, "
    "a.level, a.pairs, a.evidence, a.matched, a.actors, a.lang, a.novelty, a.created, "
    "(SELECT count(*) - 1 FROM alert_reports r WHERE r.alert_id = a.id) AS also_reported, "
    "(SELECT count(DISTINCT r.lang) FROM alert_reports r WHERE r.alert_id = a.id "
    "AND r.feed_url <> a.feed_url) AS also_languages"
)
_ALERT_SELECT = f"SELECT {_ALERT_COLUMNS} FROM alerts a"  # noqa: S608 - constant text
_SUBSCRIPTION_SELECT = (
    "SELECT s.*, l.language AS chat_language FROM subscriptions s "
    "LEFT JOIN chat_languages l ON l.chat_id = s.chat_id"
)
_MAX_ID = 2**63 - 1  # the largest bigint: "no bound" on an alert id
# pair_activity: the pair's latest accusation, the reverse pair's latest within the reply
# window, and one count per window; each a seek or a range of the accusations key.
# $1 accuser, $2 accused, $3 until, $4 last alert id, $5 reply window start, $6… window starts.
_LATEST = (
    "(SELECT made FROM accusations WHERE accuser = $1 AND accused = $2 AND made <= $3 "
    "AND alert_id <= $4 ORDER BY made DESC LIMIT 1)"
)
_LATEST_REPLY = (
    "(SELECT made FROM accusations WHERE accuser = $2 AND accused = $1 AND made <= $3 "
    "AND alert_id <= $4 AND made >= $5 ORDER BY made DESC LIMIT 1)"
)
_COUNT_SINCE = (
    "(SELECT count(*) FROM accusations WHERE accuser = $1 AND accused = $2 AND made <= $3 "
    "AND alert_id <= $4 AND made >= ${n})"
)


def _activity_sql(windows: int) -> str:
    counts = [_COUNT_SINCE.format(n=6 + n) for n in range(windows)]
    return "SELECT " + ", ".join([_LATEST, _LATEST_REPLY, *counts])


def _level_values(levels: Iterable[Level] | None) -> list[str]:
    return [lv.value for lv in (levels or (Level.BLAME, Level.VIOLATION, Level.CEASEFIRE))]


def _feed(row: asyncpg.Record) -> FeedState:
    return FeedState(
        url=row["url"],
        title=row["title"],
        lang=row["lang"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_polled=row["last_polled"],
        last_ok=row["last_ok"],
        last_error=row["last_error"],
        failures=row["failures"],
        next_poll=row["next_poll"],
        failing_since=row["failing_since"],
        outage_reported=row["outage_reported"],
        leased_by=row["leased_by"],
        lease_until=row["lease_until"],
    )


def _due_order(feed: FeedState) -> tuple[datetime, str]:
    return (feed.next_poll or EARLIEST, feed.url)


def _alert(row: asyncpg.Record) -> Alert:
    return Alert(
        id=row["id"],
        feed_url=row["feed_url"],
        item_key=row["item_key"],
        title=row["title"],
        summary=row["summary"],
        link=row["link"],
        published=row["published"],
        source_title=row["source_title"],
        level=Level(row["level"]),
        pairs=tuple(Pair(a, b) for a, b in row["pairs"]),
        evidence=row["evidence"],
        matched=tuple(row["matched"]),
        actors=tuple(row["actors"]),
        lang=row["lang"],
        novelty=row["novelty"],
        created=row["created"],
        also_reported=max(0, row["also_reported"]),
        also_languages=row["also_languages"],
    )


def _mute(row: asyncpg.Record) -> Mute:
    return Mute(
        id=row["id"],
        chat_id=row["chat_id"],
        pair=Pair(row["accuser"], row["accused"]),
        until=row["until"],
        muted_by=row["muted_by"],
    )


def _subscription(row: asyncpg.Record) -> Subscription:
    return Subscription(
        chat_id=row["chat_id"],
        chat_type=row["chat_type"],
        title=row["title"],
        levels=tuple(Level(v) for v in row["levels"].split(",") if v),
        words=tuple(row["words"]),
        is_active=row["is_active"],
        is_instant=row["is_instant"],
        digest_time=row["digest_time"],
        last_digest=row["last_digest"],
        thread_id=row["thread_id"] or None,
        quiet_hours=_quiet_hours(row["quiet_hours"]),
        language=row["chat_language"],
    )


def _thread(thread_id: int | None) -> int:
    """The stored form of a topic: 0 is the whole chat (see migration 0006)."""
    return thread_id or 0


def _quiet_hours(text: str | None) -> QuietHours | None:
    """What set_quiet_hours wrote ('22:00-07:00'), back as QuietHours."""
    if not text:
        return None
    start, end = text.split("-")
    return QuietHours(time.fromisoformat(start), time.fromisoformat(end))
