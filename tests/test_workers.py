"""A worker's turns at the sender role and its heartbeats (bot.services.workers), with a small
stand-in for the PostgreSQL lock (tested itself in test_sender_lock.py) and a real store."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import BotError
from bot.services.workers import FORGET_AFTER, Worker, worker_name
from bot.store import SqliteStore
from tests.stores import eventually

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
WITHIN = 10.0


class StandInLock:
    """A lock the test hands out (`grant`) and takes back (`revoke`)."""

    def __init__(self) -> None:
        self.is_held = False
        self.releases = 0
        self._granted = asyncio.Event()
        self._revoked = asyncio.Event()

    def grant(self) -> None:
        self._granted.set()

    def revoke(self) -> None:
        self.is_held = False
        self._revoked.set()

    async def acquire(self) -> None:
        await self._granted.wait()
        self._granted.clear()
        self._revoked.clear()
        self.is_held = True

    async def hold(self) -> None:
        await self._revoked.wait()

    async def release(self) -> None:
        self.is_held = False
        self.releases += 1


class RecordingRole:
    def __init__(self, log: list[str]) -> None:
        self._log = log

    def wake(self) -> None:
        self._log.append("wake")

    async def stop(self) -> None:
        self._log.append("stop")


@pytest.fixture
async def store(db_path):
    store = await SqliteStore.open(db_path)
    yield store
    await store.close()


async def until(check) -> None:
    """Wait for what the worker task does beside the test."""

    async def holds() -> bool:
        return check()

    await eventually(holds, within=WITHIN)


def test_worker_names_say_host_and_process():
    """host:pid:random, as in the logs and /status."""
    host, pid, tag = worker_name().split(":")
    assert host
    assert int(pid) > 0
    assert re.fullmatch(r"[0-9a-f]{4}", tag)


async def test_the_role_runs_while_the_lock_is_held_and_stops_when_it_is_lost(store):
    """Granted: the role starts and is woken for rows stored meanwhile, and the heartbeat says
    sender; lost: the role stops, the worker says so and campaigns again."""
    events: list[str] = []

    async def start_role() -> RecordingRole:
        events.append("start")
        return RecordingRole(events)

    worker = Worker(store, "host:1:aaaa", start_role=start_role, clock=lambda: NOW)
    lock = StandInLock()
    turns = asyncio.create_task(worker.take_turns(lock, retry_after=0.01))
    try:
        worker.wake_role()  # no role yet: nothing to wake
        lock.grant()
        await until(lambda: events == ["start", "wake"])
        (seen,) = await store.recent_workers(NOW)
        assert seen.is_sender
        worker.wake_role()
        lock.revoke()
        await until(lambda: events == ["start", "wake", "wake", "stop"])
        await until(lambda: not lock.is_held)
        (seen,) = await store.recent_workers(NOW)
        assert not seen.is_sender
        lock.grant()
        await until(lambda: events.count("start") == 2)
    finally:
        turns.cancel()
        with pytest.raises(asyncio.CancelledError):
            await turns
    assert events[-1] == "stop"  # a stopping worker stops its role
    assert lock.releases == 1


async def test_a_role_that_fails_to_start_is_given_up_then_tried_again(store):
    """Telegram unreachable at the start: the lock is released for another worker, and this
    one tries again later."""
    attempts: list[int] = []

    async def start_role() -> RecordingRole:
        attempts.append(len(attempts))
        if len(attempts) == 1:
            raise ConnectionError("Telegram is unreachable")
        return RecordingRole([])

    worker = Worker(store, "host:1:aaaa", start_role=start_role, clock=lambda: NOW)
    lock = StandInLock()
    turns = asyncio.create_task(worker.take_turns(lock, retry_after=0.01))
    try:
        lock.grant()
        await until(lambda: lock.releases == 1)
        lock.grant()
        await until(lambda: len(attempts) == 2 and lock.is_held)
    finally:
        turns.cancel()
        with pytest.raises(asyncio.CancelledError):
            await turns


async def test_a_refused_token_ends_the_worker(store):
    """A BotError (one clear line for the operator) is not retried: the worker stops."""

    async def start_role() -> RecordingRole:
        raise BotError("Telegram refused TELEGRAM_BOT_TOKEN")

    worker = Worker(store, "host:1:aaaa", start_role=start_role, clock=lambda: NOW)
    lock = StandInLock()
    lock.grant()
    with pytest.raises(BotError, match="refused"):
        await asyncio.wait_for(worker.take_turns(lock, retry_after=0.01), timeout=WITHIN)
    assert lock.releases == 1


async def test_heartbeats_record_the_worker_and_forget_dead_ones(store):
    """Each beat records this worker; workers silent for a day are dropped; leave() drops it
    at once."""
    await store.record_worker(
        "host:9:dead", now=NOW - FORGET_AFTER - timedelta(1), is_sender=False
    )

    async def no_role() -> RecordingRole:
        raise AssertionError("the heartbeat never starts the role")

    worker = Worker(store, "host:1:aaaa", start_role=no_role, clock=lambda: NOW)
    everyone = NOW - 2 * FORGET_AFTER
    beating = asyncio.create_task(worker.heartbeat(StandInLock(), every=0.01))

    async def only_this_one() -> bool:
        return [w.name for w in await store.recent_workers(everyone)] == ["host:1:aaaa"]

    try:
        await eventually(only_this_one, within=WITHIN)
    finally:
        beating.cancel()
        with pytest.raises(asyncio.CancelledError):
            await beating
    await worker.leave()
    assert await store.recent_workers(everyone) == []
