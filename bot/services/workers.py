"""Workers sharing a PostgreSQL database (issue 11, scale-out): names, heartbeats, and turns at
the sender role.

Every worker polls its share of the feeds (the poller claims them under leases). One at a time
also holds the sender role (bot.store.sender_lock): it runs what the app starts for that role
(Telegram updates, delivery, digests, webhooks, the alerts feed) and stops it as soon as the role
is lost, then campaigns again while its poller goes on. A heartbeat row per worker tells /status
who is there and who sends. May import bot.store, bot.model and bot.errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.errors import BotError, StoreUnavailable
from bot.model import utc_now
from bot.store import Store

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 10.0  # seconds between a worker's heartbeats
RECENT = timedelta(minutes=1)  # /status counts the workers heard from within this
FORGET_AFTER = timedelta(days=1)  # rows of workers that were killed go after this


def worker_name() -> str:
    """host:pid:random, unique even when a pid is reused after a restart."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(2)}"


class Role(Protocol):
    """What the sender runs while it holds the role."""

    def wake(self) -> None:
        """New outbox rows were stored (by any worker)."""
        ...

    async def stop(self) -> None: ...


class Lock(Protocol):
    """The sender role's election (SenderLock)."""

    @property
    def is_held(self) -> bool: ...

    async def acquire(self) -> None: ...

    async def hold(self) -> None: ...

    async def release(self) -> None: ...


class Worker:
    """One `run` process on a shared database: `take_turns(lock)` and `heartbeat(lock)` run as
    tasks beside the poller; `wake_role` is the lock's outbox callback."""

    def __init__(
        self,
        store: Store,
        name: str,
        *,
        start_role: Callable[[], Awaitable[Role]],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self.name = name
        self._start_role = start_role
        self._clock = clock
        self._role: Role | None = None

    def wake_role(self) -> None:
        if self._role is not None:
            self._role.wake()

    async def take_turns(self, lock: Lock, *, retry_after: float) -> None:
        """Campaign for the sender role forever; run the role while it is held.

        A role that fails to start (Telegram unreachable) is given up for `retry_after`
        seconds, so another worker may try; a BotError (a refused token) ends the worker.
        """
        try:
            while True:
                await lock.acquire()
                log.info("worker %s is the sender now", self.name)
                await self.beat(lock)
                try:
                    self._role = await self._start_role()
                except BotError:
                    raise
                except Exception:
                    log.exception("worker %s could not start sending; role given up", self.name)
                    await lock.release()
                    await asyncio.sleep(retry_after)
                    continue
                self._role.wake()  # rows stored while nobody was sending
                try:
                    await lock.hold()
                finally:
                    role, self._role = self._role, None
                    await role.stop()
                log.warning("worker %s is no longer the sender; it keeps polling", self.name)
                await self.beat(lock)
        finally:
            await lock.release()

    async def heartbeat(self, lock: Lock, *, every: float = HEARTBEAT_EVERY) -> None:
        """Record this worker (and whether it sends) every `every` seconds; forget dead ones."""
        while True:
            await self.beat(lock)
            with contextlib.suppress(StoreUnavailable):  # as in beat()
                await self._store.forget_workers(seen_before=self._clock() - FORGET_AFTER)
            await asyncio.sleep(every)

    async def beat(self, lock: Lock) -> None:
        """Record this worker now (a change of role shows in /status at once)."""
        # The poller reports a database outage; the next beat simply tries again.
        with contextlib.suppress(StoreUnavailable):
            await self._store.record_worker(self.name, now=self._clock(), is_sender=lock.is_held)

    async def leave(self) -> None:
        """A clean stop: off the list at once rather than after RECENT."""
        try:
            await self._store.forget_worker(self.name)
        except StoreUnavailable:
            log.debug("worker %s stopped without the database; its row ages out", self.name)
