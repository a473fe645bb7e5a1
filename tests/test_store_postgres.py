"""PostgreSQL's own concerns, on the real test server: the schema version table, migrations under
an advisory lock, the schema an old database migrates to, a connection lost mid-transaction.
The behaviour both backends share is tested in test_store.py and test_retention.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import asyncpg
import pytest

from bot.errors import StoreError, StoreUnavailable
from bot.model import Destination, NewStory, OutboxKind, OutboxMessage
from bot.store.postgres import MIGRATIONS, OUTBOX_CHANNEL, SCHEMA_VERSION, PostgresStore
from feeds.model import Detection, Item, Level, Pair
from tests.postgres import fresh_database, redact
from tests.stores import eventually

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
FEED = "https://example.org/feed.xml"
BLAME = Detection(Level.BLAME, pairs=(Pair("Armenia", "Azerbaijan"),))


def story(key: str) -> NewStory:
    item = Item(
        key=key,
        feed_url=FEED,
        title=f"Story {key}",
        summary="",
        link=f"https://example.org/{key}",
        published=NOW,
        source_title="Example",
    )
    return NewStory(item, BLAME, recipients=(Destination(1), Destination(2)))


async def schema_of(url: str) -> dict[str, list[tuple]]:
    """Columns, indexes and constraints of a database's public schema, comparable."""
    conn = await asyncpg.connect(url)
    try:
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = 'public' "
            "ORDER BY table_name, ordinal_position"
        )
        indexes = await conn.fetch(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = 'public' ORDER BY indexname"
        )
        constraints = await conn.fetch(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY conname"
        )
    finally:
        await conn.close()
    return {
        "columns": [tuple(r) for r in columns],
        "indexes": [tuple(r) for r in indexes],
        "constraints": [tuple(r) for r in constraints],
    }


async def test_version_is_kept_in_schema_version(postgres_url):
    """The schema version is a row of the schema_version table, the migrations' number."""
    store = await PostgresStore.open(postgres_url)
    await store.close()
    conn = await asyncpg.connect(postgres_url)
    try:
        assert await conn.fetch("SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    finally:
        await conn.close()


async def test_newer_database_is_refused_without_showing_the_password(postgres_url):
    """A database written by a newer program is refused, the URL shown with *** only."""
    store = await PostgresStore.open(postgres_url)
    await store.close()
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute("UPDATE schema_version SET version = version + 1")
    finally:
        await conn.close()
    with pytest.raises(StoreError, match="newer than this program") as raised:
        await PostgresStore.open(postgres_url)
    assert redact(postgres_url) in str(raised.value)
    password = urlsplit(postgres_url).password
    assert password is None or password not in str(raised.value)


async def test_processes_starting_at_once_migrate_once(postgres_url):
    """Several stores opening an empty database together: one migrates, the others wait."""
    stores = await asyncio.gather(*(PostgresStore.open(postgres_url) for _ in range(4)))
    try:
        assert [await s.schema_version() for s in stores] == [SCHEMA_VERSION] * 4
        conn = await asyncpg.connect(postgres_url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM schema_version") == 1
        finally:
            await conn.close()
    finally:
        for store in stores:
            await store.close()


async def test_migrated_v1_database_equals_fresh_schema(postgres_url, postgres_server):
    """A version-1 database migrated step by step has the schema of a fresh one."""
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute(MIGRATIONS[0])
        await conn.execute("CREATE TABLE schema_version (version integer NOT NULL)")
        await conn.execute("INSERT INTO schema_version VALUES (1)")
    finally:
        await conn.close()
    await (await PostgresStore.open(postgres_url)).close()
    async with fresh_database(postgres_server) as fresh_url:
        await (await PostgresStore.open(fresh_url)).close()
        fresh = await schema_of(fresh_url)
    assert await schema_of(postgres_url) == fresh
    assert len(fresh["indexes"]) > 10


async def test_connection_lost_mid_ingest_writes_nothing_then_ingest_stores_once(postgres_url):
    """The server drops the connection inside ingest's transaction: StoreUnavailable, nothing
    half-written; the same ingest afterwards stores every item, alert and outbox row once."""
    store = await PostgresStore.open(postgres_url)
    blocker = await asyncpg.connect(postgres_url)
    try:
        # Another session holds item "b" uncommitted, so ingest waits inside its transaction.
        holding = blocker.transaction()
        await holding.start()
        await blocker.execute(
            "INSERT INTO items (feed_url, key, title, link, published, first_seen, last_seen, "
            "level) VALUES ($1, 'b', 't', 'l', $2, $2, $2, 'blame')",
            FEED,
            NOW,
        )
        ingest = asyncio.create_task(store.ingest(FEED, [story("a"), story("b")], now=NOW))

        async def ingest_waits() -> bool:
            return bool(
                await blocker.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )

        await eventually(ingest_waits)
        await blocker.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        with pytest.raises(StoreUnavailable, match="lost the connection to PostgreSQL"):
            await ingest
        await holding.rollback()

        assert [i.key for i in await store.unseen(FEED, [story("a").item], now=NOW)] == ["a"]
        alerts = await store.ingest(FEED, [story("a"), story("b")], now=NOW)
        assert sorted(a.item_key for a in alerts) == ["a", "b"]
        rows = await store._all("SELECT alert_id, chat_id FROM outbox ORDER BY alert_id, chat_id")
        assert [tuple(r) for r in rows] == [(a.id, c) for a in alerts for c in (1, 2)]
        assert (await store.pair_records())[BLAME.pairs[0]].count == 2
    finally:
        await blocker.close()
        await store.close()


async def test_a_feed_leased_by_another_worker_waits_for_its_lease(postgres_url):
    """w2 cannot take w1's feed before the lease ends, and sleeps until then, not less."""
    store = await PostgresStore.open(postgres_url)
    try:
        await store.add_feed(FEED, now=NOW)
        await store.claim_due_feeds("w1", NOW, limit=1, lease=LEASE)
        assert await store.claim_due_feeds("w2", NOW + LEASE / 2, limit=1, lease=LEASE) == []
        assert await store.next_due_time() == NOW + LEASE
        (feed,) = await store.claim_due_feeds("w2", NOW + LEASE, limit=1, lease=LEASE)
        assert feed.leased_by == "w2"
    finally:
        await store.close()


async def test_workers_claiming_at_once_never_get_the_same_feed(postgres_url):
    """Four workers, each on its own pool, claim small batches concurrently: every feed is
    handed out exactly once (SELECT … FOR UPDATE SKIP LOCKED)."""
    urls = [f"https://example.org/{n:03}.xml" for n in range(200)]
    stores = [await PostgresStore.open(postgres_url) for _ in range(4)]
    try:
        for url in urls:
            await stores[0].add_feed(url, now=NOW)

        async def claim_all(store: PostgresStore, worker: str) -> list[str]:
            mine: list[str] = []
            while batch := await store.claim_due_feeds(worker, NOW, limit=3, lease=LEASE):
                mine += [f.url for f in batch]
            return mine

        shares = await asyncio.gather(*(claim_all(s, f"w{n}") for n, s in enumerate(stores)))
    finally:
        for store in stores:
            await store.close()
    claimed = [url for share in shares for url in share]
    assert sorted(claimed) == urls
    assert all(shares), "every worker got some feeds"


async def test_ingest_announces_new_rows_when_it_commits(postgres_url):
    """A NOTIFY on the outbox channel per ingest that made alerts, delivered at commit; none
    for an ingest that only repeats what was stored."""
    store = await PostgresStore.open(postgres_url)
    listener = await asyncpg.connect(postgres_url)
    heard: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(OUTBOX_CHANNEL, lambda *args: heard.put_nowait(args[2]))
    try:
        await store.ingest(FEED, [story("n1"), story("n2")], now=NOW)
        assert await asyncio.wait_for(heard.get(), timeout=10) == OUTBOX_CHANNEL
        await store.ingest(FEED, [story("n1")], now=NOW)  # seen before: nothing new
        await store.ingest(FEED, [story("n3")], now=NOW)
        assert await asyncio.wait_for(heard.get(), timeout=10) == OUTBOX_CHANNEL
        assert heard.empty()
    finally:
        await listener.close()
        await store.close()


async def test_a_digest_slot_is_claimed_once_by_workers_racing_for_it(postgres_url):
    """claim_digest is a compare-and-set: of eight concurrent claims one wins, and the digest
    is queued once."""
    stores = [await PostgresStore.open(postgres_url) for _ in range(4)]
    digest = OutboxMessage(Destination(7), OutboxKind.DIGEST, "Your daily digest")
    try:
        await stores[0].subscribe(
            7, chat_type="private", levels=[Level.BLAME], now=NOW, digest_time="08:00"
        )
        slot = NOW + timedelta(days=1)
        claims = await asyncio.gather(
            *(s.claim_digest(digest, slot=slot, now=slot) for s in stores + stores)
        )
        queued = await stores[0].next_outbox(slot)
    finally:
        for store in stores:
            await store.close()
    assert sorted(claims) == [False] * 7 + [True]
    assert [row.text for row in queued] == ["Your daily digest"]


async def test_one_worker_at_a_time_holds_the_alert_turn(postgres_url):
    """While one worker groups and stores alerts, another waits for its turn, then gets it."""
    first, second = await PostgresStore.open(postgres_url), await PostgresStore.open(postgres_url)
    entered = asyncio.Event()

    async def take_turn() -> None:
        async with second.alert_turn():
            entered.set()

    try:
        async with first.alert_turn():
            waiting = asyncio.create_task(take_turn())
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(asyncio.shield(entered.wait()), timeout=0.5)
        await asyncio.wait_for(waiting, timeout=10)
    finally:
        await first.close()
        await second.close()
    assert entered.is_set()
