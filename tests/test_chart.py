"""/chart: daily counts by pair and the PNG drawn from them."""

from __future__ import annotations

import struct
import sys
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.model import Alert
from bot.services.chart import HEIGHT_PX, MAX_SERIES, WIDTH_PX, count_by_day, render_chart
from feeds.model import Level, Pair

NOW = datetime(2024, 3, 13, 15, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PAIRS = [
    Pair(a, b)
    for a, b in [
        ("Armenia", "Azerbaijan"),
        ("Azerbaijan", "Armenia"),
        ("Russia", "Ukraine"),
        ("Ukraine", "Russia"),
        ("Israel", "Hamas"),
        ("Hamas", "Israel"),
        ("India", "Pakistan"),
        ("Pakistan", "India"),
        ("Democratic Republic of the Congo", "Rwanda"),
    ]
]


def alert(
    number: int, *, when: datetime, pairs: tuple[Pair, ...], level: Level = Level.BLAME
) -> Alert:
    return Alert(
        id=number,
        feed_url="https://example.org/feed",
        item_key=f"k{number}",
        title="t",
        summary="",
        link=f"https://example.org/{number}",
        published=when,
        source_title="x",
        level=level,
        pairs=pairs,
        evidence="",
        matched=(),
        actors=(),
        lang="en",
        novelty="",
        created=when,
    )


def busy_month() -> list[Alert]:
    """A fixed, uneven month of accusations across nine pairs."""
    alerts = []
    for day in range(30):
        for k, pair in enumerate(PAIRS):
            for _ in range((day * 7 + k * 3) % (len(PAIRS) - k + 1) % 3):
                alerts.append(
                    alert(len(alerts) + 1, when=NOW - timedelta(days=day, hours=k), pairs=(pair,))
                )
    return alerts


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking its CRC."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR"
    assert length == 13
    body = data[16 : 16 + length]
    (crc,) = struct.unpack(">I", data[16 + length : 20 + length])
    assert crc == zlib.crc32(kind + body)
    width, height = struct.unpack(">II", body[:8])
    return width, height


def test_count_by_day_buckets_by_utc_date_and_pair():
    """One count per day per pair; violations, other days and the future stay out."""
    alerts = [
        alert(1, when=NOW - timedelta(hours=1), pairs=(PAIRS[0],)),
        alert(2, when=NOW - timedelta(hours=2), pairs=(PAIRS[0], PAIRS[1])),
        alert(3, when=NOW - timedelta(days=1), pairs=(PAIRS[0],)),
        alert(4, when=NOW - timedelta(days=3), pairs=(PAIRS[2],)),  # outside 3 days
        alert(5, when=NOW - timedelta(hours=1), pairs=(), level=Level.VIOLATION),
        alert(6, when=NOW + timedelta(hours=1), pairs=(PAIRS[0],)),
    ]
    counts = count_by_day(alerts, days=3, now=NOW)
    assert counts.dates == (date(2024, 3, 11), date(2024, 3, 12), date(2024, 3, 13))
    assert counts.series == (
        ("Armenia → Azerbaijan", (0, 1, 2)),
        ("Azerbaijan → Armenia", (0, 0, 1)),
    )


def test_more_than_six_pairs_fold_into_other():
    """At most six series: the five biggest and 'other (n pairs)'."""
    counts = count_by_day(busy_month(), days=30, now=NOW)
    assert len(counts.series) == MAX_SERIES
    assert counts.series[-1][0] == "other (4 pairs)"
    totals = [sum(values) for _, values in counts.series[:-1]]
    assert totals == sorted(totals, reverse=True)
    assert counts.total == len(busy_month())


def test_chart_is_a_phone_sized_png():
    """A valid PNG, 1080 px wide, between 10 KB and 1 MB, the same bytes for the same data."""
    alerts = busy_month()
    data = render_chart(alerts, days=30, now=NOW)
    assert png_size(data) == (WIDTH_PX, HEIGHT_PX)
    assert 10_000 < len(data) < 1_000_000
    assert data.endswith(b"IEND\xaeB`\x82")
    assert render_chart(alerts, days=30, now=NOW) == data
    assert render_chart(alerts, days=7, now=NOW) != data


def test_empty_window_still_draws_a_picture():
    """No accusations: a picture that says so, not an error."""
    data = render_chart([], days=7, now=NOW)
    assert png_size(data) == (WIDTH_PX, HEIGHT_PX)
    assert 5_000 < len(data) < 1_000_000
    assert data != render_chart(busy_month(), days=7, now=NOW)


def test_bad_window_is_refused():
    """days < 1 is a programming error, caught before drawing."""
    with pytest.raises(ValueError, match="at least 1"):
        render_chart([], days=0, now=NOW)


def test_matplotlib_is_not_imported_until_a_chart_is_drawn():
    """The bot starts without paying for matplotlib (checked in a fresh interpreter)."""
    import subprocess

    code = "import bot.services.chart, sys; print('matplotlib' in sys.modules)"
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.stdout.strip() == "False"
