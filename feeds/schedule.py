"""When to poll a feed next: backoff after failures, server hints after success.

Pure; imports only the standard library.
"""

from __future__ import annotations

import math

MAX_BACKOFF = 6 * 3600.0  # seconds; a dead feed is still retried four times a day
_MAX_DOUBLINGS = 40  # 2**40 times any interval is past any cap; avoids float overflow


def next_poll_delay(
    *,
    interval: float,
    failures: int,
    retry_after: float | None = None,
    max_age: float | None = None,
    ttl_minutes: float | None = None,
    max_backoff: float = MAX_BACKOFF,
) -> float:
    """Seconds until the next poll of one feed.

    After a success (`failures == 0`) the feed waits the longest of `interval`, Cache-Control
    `max_age`, RSS `<ttl>` and `Retry-After`. After n consecutive failures it waits
    interval * 2**(n-1), capped at `max_backoff`, and at least `retry_after`. Server hints are
    capped at `max_backoff` too, so one odd header cannot silence a feed for days, and the
    result is never below `interval`.
    """
    cap = max(max_backoff, interval)
    hints = [_hint(retry_after, cap)]
    if failures <= 0:
        hints += [
            _hint(max_age, cap),
            _hint(None if ttl_minutes is None else ttl_minutes * 60, cap),
        ]
        return float(max(interval, *hints))
    # Freshness hints (max-age, ttl) describe content we did not get, so only Retry-After counts.
    backoff = min(interval * 2.0 ** min(failures - 1, _MAX_DOUBLINGS), cap)
    return float(max(interval, backoff, *hints))


def _hint(seconds: float | None, cap: float) -> float:
    """A server's hint as a usable lower bound: 0 when absent, negative or not a number."""
    if seconds is None or math.isnan(seconds) or seconds <= 0:
        return 0.0
    return min(seconds, cap)  # infinity becomes the cap
