"""A database outage as a service loop lives through it: one log line when it starts, one when it
ends, and a growing pause between tries in between (issue 11: the database may go away mid-run).

May import bot.errors only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.errors import StoreUnavailable

T = TypeVar("T")

log = logging.getLogger(__name__)

FIRST_DELAY = 1.0  # seconds before the first retry; doubled per failed try
MAX_DELAY = 60.0


class Outage:
    """Tracks whether the database is reachable for one loop (`what`: "polling", "delivery")."""

    def __init__(
        self, what: str, *, first_delay: float = FIRST_DELAY, max_delay: float = MAX_DELAY
    ) -> None:
        self._what = what
        self._first_delay = first_delay
        self._max_delay = max_delay
        self.failures = 0  # failed tries of the outage in progress (0: none)

    def delay(self, tries: int) -> float:
        """Seconds to wait after `tries` failed tries (1, 2, …): doubling, capped."""
        return min(self._max_delay, self._first_delay * 2 ** min(tries - 1, 16))

    def failed(self, exc: StoreUnavailable) -> float:
        """Count a failed try; returns the seconds to wait before the next one."""
        self.failures += 1
        delay = self.delay(self.failures)
        if self.failures == 1:
            log.warning("%s paused: %s; retrying until the database is back", self._what, exc)
        else:
            log.debug("%s still paused (try %d): %s", self._what, self.failures, exc)
        return delay

    def recovered(self) -> None:
        """The database answered again; says so once if it had been away."""
        if self.failures:
            log.info(
                "%s resumed: the database is back after %d failed tries", self._what, self.failures
            )
            self.failures = 0

    async def keep_trying(self, write: Callable[[], Awaitable[T]]) -> T:
        """Run `write` until the database takes it: for the record of something already done
        outside (a message Telegram accepted), which must not be done again."""
        tries = 0
        while True:
            try:
                result = await write()
            except StoreUnavailable as exc:
                # Each caller waits on its own count: writes in flight together all fail at once.
                tries += 1
                self.failed(exc)
                await asyncio.sleep(self.delay(tries))
                continue
            self.recovered()
            return result
