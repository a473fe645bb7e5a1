"""The sender role on a real PostgreSQL server: one holder at a time, handed over when the holder
releases it, loses its connection or stops confirming (frozen), and woken by new outbox rows."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot.store.postgres import OUTBOX_CHANNEL
from bot.store.sender_lock import HOLD_INTERVALS, SenderLock

INTERVAL = 0.5
WITHIN = 20.0  # seconds any wait may take before the test fails


class Wakes:
    """Counts outbox notifications a lock passes on."""

    def __init__(self) -> None:
        self.count = 0
        self.event = asyncio.Event()

    def __call__(self) -> None:
        self.count += 1
        self.event.set()


@contextlib.asynccontextmanager
async def lock_for(url: str, name: str, **kw) -> AsyncIterator[SenderLock]:
    lock = SenderLock(url, name, interval=INTERVAL, on_outbox=kw.pop("on_outbox", Wakes()), **kw)
    try:
        yield lock
    finally:
        await lock.release()


async def backend_of(url: str, name: str) -> int:
    """The server process id of a lock's connection (by its application_name)."""
    conn = await asyncpg.connect(url)
    try:
        pid = await conn.fetchval(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
            f"ceasefire-alerts {name}",
        )
    finally:
        await conn.close()
    assert pid is not None
    return pid


async def test_one_holder_at_a_time_and_the_next_takes_over_on_release(postgres_url):
    """B waits while A holds the role; when A gives it up, B gets it."""
    async with lock_for(postgres_url, "a") as a, lock_for(postgres_url, "b") as b:
        await asyncio.wait_for(a.acquire(), timeout=WITHIN)
        assert a.is_held
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(b.acquire(), timeout=4 * INTERVAL)
        assert not b.is_held
        await a.release()
        assert not a.is_held
        await asyncio.wait_for(b.acquire(), timeout=WITHIN)
        assert b.is_held


async def test_a_holder_whose_connection_dies_stops_at_once_and_is_replaced(postgres_url):
    """The server ends A's session (as when A's process is killed): A's hold() returns with
    is_held false, and B takes the role."""
    async with lock_for(postgres_url, "a") as a, lock_for(postgres_url, "b") as b:
        await asyncio.wait_for(a.acquire(), timeout=WITHIN)
        holding = asyncio.create_task(a.hold())
        campaign = asyncio.create_task(b.acquire())
        admin = await asyncpg.connect(postgres_url)
        try:
            assert await admin.fetchval(
                "SELECT pg_terminate_backend($1)", await backend_of(postgres_url, "a")
            )
        finally:
            await admin.close()
        await asyncio.wait_for(holding, timeout=WITHIN)
        assert not a.is_held
        await asyncio.wait_for(campaign, timeout=WITHIN)
        assert b.is_held


async def test_a_frozen_holder_loses_the_role_to_the_server_timeout(postgres_url):
    """A holder that stops confirming (frozen, or cut off from the database) stops counting
    itself the sender first, and the server then ends its idle session: B takes over."""
    now = [0.0]
    async with (
        lock_for(postgres_url, "a", monotonic=lambda: now[0]) as a,
        lock_for(postgres_url, "b") as b,
    ):
        await asyncio.wait_for(a.acquire(), timeout=WITHIN)
        now[0] += HOLD_INTERVALS * INTERVAL  # A's loop never ran hold(): nothing confirmed
        assert not a.is_held
        await asyncio.wait_for(b.acquire(), timeout=WITHIN)
        assert b.is_held


async def test_the_holder_is_woken_by_new_outbox_rows(postgres_url):
    """A NOTIFY on the outbox channel (what ingest sends at commit) reaches the holder."""
    wakes = Wakes()
    async with lock_for(postgres_url, "a", on_outbox=wakes) as a:
        await asyncio.wait_for(a.acquire(), timeout=WITHIN)
        conn = await asyncpg.connect(postgres_url)
        try:
            await conn.execute("SELECT pg_notify($1, '')", OUTBOX_CHANNEL)
        finally:
            await conn.close()
        await asyncio.wait_for(wakes.event.wait(), timeout=WITHIN)
    assert wakes.count == 1
