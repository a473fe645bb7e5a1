"""The sender role among workers sharing a PostgreSQL database: a session advisory lock.

Telegram allows one getUpdates consumer per token and gives one send budget per bot, so exactly
one worker at a time talks to Telegram and sends (issue 11). The role is a session-level
advisory lock held on a connection of its own, outside the store's pool:

- a worker that dies (kill -9, crash, power cut with the server still up) drops the connection,
  and the server releases the lock as soon as it sees that; the others try every
  ELECTION_INTERVAL, so one takes over within an interval of that;
- the holder confirms the role every interval (a query on that connection). If a confirmation
  fails or none has succeeded for HOLD_INTERVALS intervals (cut off from the database, or frozen),
  `is_held` turns false at once and the worker stops sending; the server ends a session idle
  for IDLE_INTERVALS intervals (idle_session_timeout, PostgreSQL 14 and later), releasing the
  lock after the old holder has stopped: another takes over within IDLE_INTERVALS + 1 intervals;
- the holder's connection also LISTENs on the outbox channel, so alerts any worker stores wake
  its delivery at once.

Session locks and LISTEN need a real session: point DATABASE_URL at PostgreSQL itself or at a
pooler in session mode, not at a transaction-mode pooler.
May import asyncpg, bot.config, bot.errors and bot.store.postgres.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import asyncpg

from bot.config import database_place
from bot.store.postgres import CONNECT_TIMEOUT, OUTBOX_CHANNEL

log = logging.getLogger(__name__)

SENDER_LOCK = 0x63656173656E6472  # advisory lock key: b"ceasendr"
HOLD_INTERVALS = 3  # unconfirmed this long, a holder stops sending
IDLE_INTERVALS = 4  # unconfirmed this long, the server ends the holder's session
IDLE_SESSION_VERSION = (14,)  # idle_session_timeout appeared in PostgreSQL 14

# Whatever a lost, refused or hung connection raises.
_LOST = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


class SenderLock:
    """`await lock.acquire()` waits for the role; `await lock.hold()` keeps it until it is lost;
    `is_held` says whether sending is allowed right now; `release()` gives it up."""

    def __init__(
        self,
        url: str,
        worker: str,
        *,
        interval: float,
        on_outbox: Callable[[], None],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._place = database_place(url)
        self._worker = worker
        self._interval = interval
        self._on_outbox = on_outbox
        self._monotonic = monotonic
        self._conn: asyncpg.Connection | None = None
        self._confirmed: float | None = None  # monotonic time of the last confirmation
        self._lost = asyncio.Event()

    @property
    def is_held(self) -> bool:
        """True while this worker holds the role and confirmed it recently."""
        confirmed = self._confirmed
        return (
            confirmed is not None
            and self._monotonic() - confirmed < HOLD_INTERVALS * self._interval
        )

    async def acquire(self) -> None:
        """Wait until this worker holds the role, trying every interval (through outages)."""
        while True:
            try:
                if await self._try_lock():
                    return
            except _LOST as exc:
                log.debug("cannot campaign for the sender role at %s: %s", self._place, exc)
                await self._drop()
            await asyncio.sleep(self._interval)

    async def hold(self) -> None:
        """Confirm the role every interval; return once it is lost (the connection is closed)."""
        try:
            while not self._lost.is_set() and self._conn is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._lost.wait(), timeout=self._interval)
                if self._lost.is_set():
                    break
                await self._conn.fetchval("SELECT 1", timeout=self._interval)
                self._confirmed = self._monotonic()
            log.warning("sender role lost: the connection to %s closed", self._place)
        except _LOST as exc:
            log.warning("sender role lost: cannot confirm it at %s: %s", self._place, exc)
        finally:
            await self._drop()

    async def release(self) -> None:
        """Give the role up (a clean stop): closing the session releases the lock."""
        await self._drop()

    async def _try_lock(self) -> bool:
        conn = self._conn
        if conn is None or conn.is_closed():
            conn = await self._connect()
        if not await conn.fetchval(
            "SELECT pg_try_advisory_lock($1)", SENDER_LOCK, timeout=self._interval
        ):
            return False
        await conn.add_listener(OUTBOX_CHANNEL, self._notified)
        self._lost.clear()
        self._confirmed = self._monotonic()
        return True

    async def _connect(self) -> asyncpg.Connection:
        conn = await asyncpg.connect(
            self._url,
            timeout=CONNECT_TIMEOUT,
            server_settings={"application_name": f"ceasefire-alerts {self._worker}"[:63]},
        )
        conn.add_termination_listener(self._closed)
        if conn.get_server_version() >= IDLE_SESSION_VERSION:
            idle_ms = int(IDLE_INTERVALS * self._interval * 1000)
            await conn.execute(
                "SELECT set_config('idle_session_timeout', $1, false)", f"{idle_ms}"
            )
        self._conn = conn
        return conn

    def _notified(self, *_args: object) -> None:
        self._on_outbox()

    def _closed(self, _conn: asyncpg.Connection) -> None:
        # Stop sending now, not at the next confirmation.
        self._confirmed = None
        self._lost.set()

    async def _drop(self) -> None:
        self._confirmed = None
        conn, self._conn = self._conn, None
        if conn is None or conn.is_closed():
            return
        try:
            await asyncio.wait_for(conn.close(), timeout=self._interval)
        except _LOST:  # a server that stopped answering: just drop the socket
            conn.terminate()
        except asyncio.CancelledError:
            conn.terminate()
            raise
