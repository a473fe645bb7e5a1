"""feeds.schedule.next_poll_delay: backoff after failures, server hints as lower bounds."""

from __future__ import annotations

import math

import pytest

from feeds.schedule import MAX_BACKOFF, next_poll_delay

HOUR = 3600.0


@pytest.mark.parametrize(
    ("hints", "expected"),
    [
        ({}, 300.0),
        ({"max_age": 60.0}, 300.0),  # hints never make us poll faster than the interval
        ({"max_age": 900.0}, 900.0),
        ({"ttl_minutes": 30}, 1800.0),
        ({"retry_after": 1200.0}, 1200.0),
        ({"max_age": 900.0, "ttl_minutes": 60, "retry_after": 600.0}, 3600.0),
        ({"max_age": 365 * 24 * HOUR}, MAX_BACKOFF),  # odd headers are capped
        ({"ttl_minutes": 10**9}, MAX_BACKOFF),
        ({"max_age": math.inf}, MAX_BACKOFF),
        ({"max_age": math.nan, "ttl_minutes": -5, "retry_after": -1.0}, 300.0),
        ({"max_age": 0.0}, 300.0),
    ],
)
def test_after_success_the_longest_hint_wins(hints, expected):
    """After a success: max(interval, max-age, ttl, Retry-After), hints capped at max_backoff."""
    assert next_poll_delay(interval=300.0, failures=0, **hints) == expected


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        (1, 300.0),
        (2, 600.0),
        (3, 1200.0),
        (4, 2400.0),
        (7, 19200.0),
        (8, MAX_BACKOFF),  # 38400 s would pass the 6 h cap
        (50, MAX_BACKOFF),
        (10_000, MAX_BACKOFF),  # no overflow however long a feed stays down
    ],
)
def test_failures_back_off_exponentially_up_to_the_cap(failures, expected):
    """n failures wait interval * 2**(n-1), never more than max_backoff."""
    assert next_poll_delay(interval=300.0, failures=failures) == expected


@pytest.mark.parametrize(
    ("failures", "retry_after", "expected"),
    [
        (1, 120.0, 300.0),  # shorter than the backoff: the backoff stands
        (1, 3000.0, 3000.0),  # longer: honoured
        (3, 3000.0, 3000.0),
        (5, 3000.0, 4800.0),
        (1, 10 * 24 * HOUR, MAX_BACKOFF),  # a week-long Retry-After still gets retried
        (2, None, 600.0),
    ],
)
def test_retry_after_is_a_lower_bound_on_the_backoff(failures, retry_after, expected):
    """A 429/503's Retry-After stretches the wait but never shortens it."""
    assert next_poll_delay(interval=300.0, failures=failures, retry_after=retry_after) == expected


def test_freshness_hints_do_not_apply_after_a_failure():
    """max-age and ttl describe content we did not get this time; only the backoff counts."""
    assert next_poll_delay(interval=300.0, failures=1, max_age=HOUR, ttl_minutes=120) == 300.0


@pytest.mark.parametrize(
    ("interval", "failures", "max_backoff", "expected"),
    [
        (60.0, 4, 300.0, 300.0),  # a custom cap
        (8 * HOUR, 3, MAX_BACKOFF, 8 * HOUR),  # the interval beats a smaller cap
        (8 * HOUR, 0, MAX_BACKOFF, 8 * HOUR),
    ],
)
def test_cap_and_interval(interval, failures, max_backoff, expected):
    """The result is never below the configured interval, even past max_backoff."""
    result = next_poll_delay(interval=interval, failures=failures, max_backoff=max_backoff)
    assert result == expected


def test_result_is_a_float():
    """Callers add it to timestamps; integers in, float out."""
    assert isinstance(next_poll_delay(interval=300, failures=0, ttl_minutes=5), float)
