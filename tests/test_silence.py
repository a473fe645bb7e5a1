"""Silence: ceasefire news and digests arrive without a sound, breaches ring, and /quiet hours
make everything silent (nothing held back). Pure rules first, then the real app end to end."""

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.model import Alert, OutboxKind, OutboxRow, QuietHours
from bot.services.silence import QuietHoursError, is_silent, parse_quiet_hours
from feeds.model import Detection, Item, Level
from tests.test_telegram_e2e import MOSCOW_TIMES, WITHIN, alerts_to, command, running_bot

NIGHT = QuietHours(time(22, 0), time(7, 0))
NOON = datetime(2025, 1, 20, 12, 0, tzinfo=UTC)
TRUCE = {
    "title": "Armenia and Azerbaijan agree to a ceasefire from Monday",
    "description": "Both foreign ministries announced the truce after talks in Geneva.",
    "link": "https://news.example/truce-monday",
    "guid": "truce-monday",
    "published": datetime(2024, 6, 1, 9, 0, tzinfo=UTC),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00-07:00", NIGHT),
        ("22-7", NIGHT),
        ("22.00 – 07.00 UTC", NIGHT),
        ("22h00 to 7h00", NIGHT),
        ("9:30-17:45", QuietHours(time(9, 30), time(17, 45))),
        ("off", None),
        ("OFF", None),
    ],
)
def test_parse_quiet_hours(text, expected):
    """Hours with or without minutes, several separators, a trailing UTC; 'off' clears."""
    assert parse_quiet_hours(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tonight", "not a window of hours"),
        ("22:00", "not a window of hours"),
        ("25:00-07:00", "not a time of day"),
        ("22:61-07:00", "not a time of day"),
        ("07:00-07:00", "different end"),
    ],
)
def test_wrong_quiet_hours_say_what_is_allowed(text, message):
    with pytest.raises(QuietHoursError, match=message):
        parse_quiet_hours(text)


@pytest.mark.parametrize(
    ("window", "hour", "covered"),
    [
        (NIGHT, 23, True),
        (NIGHT, 3, True),
        (NIGHT, 7, False),  # the end is not quiet any more
        (NIGHT, 22, True),
        (NIGHT, 12, False),
        (QuietHours(time(9), time(17)), 12, True),
        (QuietHours(time(9), time(17)), 20, False),
    ],
)
def test_quiet_hours_cover_their_window_also_across_midnight(window, hour, covered):
    assert window.covers(NOON.replace(hour=hour)) is covered


def _row(level=None, *, kind=OutboxKind.ALERT, is_silent=False, quiet=None):
    alert = None
    if level is not None:
        item = Item("k", "https://f.example/rss", "Title", "", "https://f.example/1", NOON, "F")
        alert = Alert.of(item, Detection(level=level), created=NOON)
    return OutboxRow(1, 1, 0, alert, kind, "" if alert else "text", None, is_silent, quiet)


@pytest.mark.parametrize(
    ("row", "silent"),
    [
        (_row(Level.BLAME), False),
        (_row(Level.VIOLATION), False),
        (_row(Level.CEASEFIRE), True),
        (_row(kind=OutboxKind.DIGEST, is_silent=True), True),
        (_row(kind=OutboxKind.BURST, is_silent=False), False),
        (_row(kind=OutboxKind.NOTICE), False),
        (_row(Level.BLAME, quiet=QuietHours(time(11), time(13))), True),
        (_row(Level.BLAME, quiet=NIGHT), False),  # noon is outside the night
    ],
)
def test_what_rings(row, silent):
    """Breaches and notices ring; ceasefire news and digests do not; quiet hours silence all."""
    assert is_silent(row, NOON) is silent


def _window(start: timedelta, end: timedelta) -> str:
    now = datetime.now(UTC)
    return f"{now + start:%H:%M}-{now + end:%H:%M}"


async def test_quiet_hours_and_ceasefire_news_arrive_silently(settings, telegram_api, feed_server):
    """Through the real app: a breach rings, ceasefire news does not, and in a chat's quiet
    hours the breach is delivered at once but silently; /filters shows the quiet hours."""
    # Windows around the current time, whatever the hour the test runs at.
    quiet_now = _window(timedelta(hours=-1), timedelta(hours=1))
    quiet_later = _window(timedelta(hours=2), timedelta(hours=3))
    async with running_bot(settings):
        assert (await command(telegram_api, 601, "/subscribe all")).startswith("Subscribed")
        for chat, window in [(602, quiet_now), (603, quiet_later)]:
            await command(telegram_api, chat, "/subscribe")
            reply = await command(telegram_api, chat, f"/quiet {window}")
            assert reply.startswith("Quiet hours set: from ")
            assert "Nothing is held back" in reply
        assert "Not subscribed here" in await command(telegram_api, 604, "/quiet 22:00-07:00")
        assert "not a window of hours" in await command(telegram_api, 603, "/quiet soon")
        shown = await command(telegram_api, 602, "/filters")
        assert f"Quiet hours: {quiet_now.replace('-', '–')} UTC" in shown

        feed_server.publish_rss("/mt.xml", [MOSCOW_TIMES, TRUCE], title="The Moscow Times")
        await telegram_api.wait_for(
            lambda: (
                len(alerts_to(telegram_api, 601)) == 2
                and alerts_to(telegram_api, 602)
                and alerts_to(telegram_api, 603)
            ),
            within=WITHIN,
        )
        assert "/quiet off" in await command(telegram_api, 602, "/quiet")
        off = await command(telegram_api, 602, "/quiet off")
        assert off.startswith("Quiet hours off")
        assert "Quiet hours: none" in await command(telegram_api, 602, "/filters")

    ring = {m.text.split("\n")[0]: m.disable_notification for m in alerts_to(telegram_api, 601)}
    assert ring == {
        "🔴 Ceasefire breach: Russia → Azerbaijan": False,
        "🟢 Ceasefire news: Armenia, Azerbaijan": True,
    }
    ((quiet,), (loud,)) = alerts_to(telegram_api, 602), alerts_to(telegram_api, 603)
    assert quiet.text == loud.text
    assert quiet.disable_notification
    assert not loud.disable_notification
