"""The bot's memory of which truces are in force, built from its own stream of detections.

An item that reports a truce taking effect, holding or extended puts its conflict area in force;
one that reports it expired or collapsed takes it out. Without news for TRUCE_MEMORY_DAYS a truce
is forgotten: an old entry must not turn every later strike into a breach. The poller feeds every
detection in and passes `context(now)` to `classify`, so "strikes kill 40 in Gaza" during a truce
is a violation while the same words with no truce are not. Pure: the caller passes the time.

Imports feeds.conflicts and feeds.model.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from feeds.conflicts import OTHER, conflict_of
from feeds.model import Detection, StreamContext, TruceState

TRUCE_MEMORY_DAYS = 30


class TruceTracker:
    """Conflict areas whose truce the stream last reported in force, with when it said so."""

    def __init__(self, *, memory_days: int = TRUCE_MEMORY_DAYS) -> None:
        self._memory = timedelta(days=memory_days)
        self._in_force: dict[str, datetime] = {}

    def observe(self, detection: Detection, published: datetime) -> None:
        if detection.truce_state not in (TruceState.IN_FORCE, TruceState.ENDED):
            return
        area = conflict_of(detection.actors)
        if area == OTHER:
            return
        if detection.truce_state == TruceState.IN_FORCE:
            self._in_force[area] = max(published, self._in_force.get(area, published))
        elif published >= self._in_force.get(area, published):
            self._in_force.pop(area, None)

    def context(self, now: datetime) -> StreamContext:
        horizon = now - self._memory
        live = frozenset(area for area, seen in self._in_force.items() if seen >= horizon)
        return StreamContext(truces_in_force=live)
