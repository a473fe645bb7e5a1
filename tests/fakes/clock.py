"""Simulated time that runs faster than the wall clock, for tests of minutes-long deliveries.

The delivery worker (its limiter, holds and sleeps), the store's UTC times and the fake Bot API's
rate limits all read the same `FastClock`, so Telegram's limits hold in simulated time while a
minute of it passes in a few real seconds. Real network round trips take their real time, which
is `speed` times longer in simulated time: give the worker's limiter a margin to match.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class FastClock:
    """Monotonic seconds, UTC datetimes and sleeps on one clock `speed` times the real one."""

    start: datetime
    speed: float = 10.0
    _origin: float = field(default_factory=time.monotonic)

    def monotonic(self) -> float:
        return (time.monotonic() - self._origin) * self.speed

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.monotonic())

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.speed)
