"""The novelty line, from histories built at chosen times and from a real store (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.model import Alert, NewStory
from bot.services.history import (
    PendingAccusation,
    novelty_for,
    novelty_line,
    ordinal,
    render_novelty,
)
from feeds.model import Detection, Item, Level, Pair

NOW = datetime(2024, 3, 13, 12, 0, tzinfo=UTC)
RU_AZ = Pair("Russia", "Azerbaijan")
AM_AZ = Pair("Armenia", "Azerbaijan")
AZ_AM = Pair("Azerbaijan", "Armenia")


def blame(*pairs: Pair, at: datetime, published: datetime | None = None, number: int = 1) -> Alert:
    """A stored blame alert created at `at` (published then too unless given)."""
    return Alert(
        id=number,
        feed_url="https://example.org/feed",
        item_key=f"k{number}",
        title="t",
        summary="s",
        link=f"https://example.org/{number}",
        published=published or at,
        source_title="Example",
        level=Level.BLAME,
        pairs=pairs,
        evidence="",
        matched=(),
        actors=(),
        lang="en",
        novelty="",
        created=at,
    )


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (101, "101st"),
        (111, "111th"),
        (112, "112th"),
    ],
)
def test_ordinals(number, text):
    """English ordinals, the teens included."""
    assert ordinal(number) == text


@pytest.mark.parametrize(
    ("since", "phrase"),
    [
        (ago(days=96), "in the 96 days on record"),
        (ago(days=2), "in the 2 days on record"),
        (ago(hours=20), "on record (since yesterday)"),
        (ago(hours=3), "on record (since today)"),
        (None, "on record (since today)"),
    ],
)
def test_first_time_says_how_long_the_record_is(since, phrase):
    """A pair never seen before: 'First time', with the length of the history we hold."""
    line = novelty_line(RU_AZ, [], now=NOW, on_record_since=since)
    assert line == f"First time Russia has blamed Azerbaijan {phrase}"


def test_other_pairs_do_not_count_against_first_time():
    """Only the same accuser → accused pair in the same direction makes it a repeat."""
    history = [blame(AM_AZ, at=ago(hours=5)), blame(Pair("Russia", "Armenia"), at=ago(days=3))]
    line = novelty_line(RU_AZ, history, now=NOW, on_record_since=ago(days=96))
    assert line == "First time Russia has blamed Azerbaijan in the 96 days on record"


def test_record_reaches_back_to_the_oldest_event_held():
    """Stories dated before the first poll (the demo's 2021 items) lengthen the record."""
    history = [blame(AM_AZ, at=ago(days=10))]
    line = novelty_line(RU_AZ, history, now=NOW, on_record_since=NOW)
    assert line == "First time Russia has blamed Azerbaijan in the 10 days on record"


def test_third_accusation_in_24_hours():
    """Two earlier accusations of the same pair within 24 h make this the 3rd."""
    history = [
        blame(AM_AZ, at=ago(hours=20)),
        blame(AM_AZ, at=ago(hours=2)),
        blame(AM_AZ, at=ago(days=3)),
    ]
    line = novelty_line(AM_AZ, history, now=NOW, on_record_since=ago(days=96))
    assert line == "3rd accusation by Armenia against Azerbaijan in 24 h"


def test_repeat_within_a_week():
    """Nothing in 24 h but some within 7 days: counted over the week."""
    history = [
        blame(AM_AZ, at=ago(days=2)),
        blame(AM_AZ, at=ago(days=6, hours=23)),
        blame(AM_AZ, at=ago(days=8)),
    ]
    line = novelty_line(AM_AZ, history, now=NOW, on_record_since=ago(days=96))
    assert line == "3rd accusation by Armenia against Azerbaijan in 7 days"


def test_first_in_a_long_while():
    """The last accusation of the pair was 12 days ago."""
    history = [blame(AM_AZ, at=ago(days=12, hours=3)), blame(AM_AZ, at=ago(days=40))]
    line = novelty_line(AM_AZ, history, now=NOW, on_record_since=ago(days=96))
    assert line == "First accusation by Armenia against Azerbaijan in 12 days"


def test_counter_accusation_is_appended_to_first_time():
    """The other side's accusation 2 h ago follows the bigger news, 'first time'."""
    history = [blame(AZ_AM, at=ago(hours=2, minutes=10))]
    line = novelty_line(AM_AZ, history, now=NOW, on_record_since=ago(days=30))
    assert line == (
        "First time Armenia has blamed Azerbaijan in the 30 days on record; "
        "Azerbaijan also accused Armenia 2 h ago"
    )


def test_counter_accusation_leads_over_a_repeat():
    """A reply to the other side is bigger news than a repeat count."""
    history = [blame(AM_AZ, at=ago(hours=5)), blame(AZ_AM, at=ago(minutes=45))]
    line = novelty_line(AM_AZ, history, now=NOW, on_record_since=ago(days=30))
    assert line == (
        "Azerbaijan also accused Armenia 45 min ago; "
        "2nd accusation by Armenia against Azerbaijan in 24 h"
    )


@pytest.mark.parametrize(
    ("when", "text"),
    [(ago(seconds=10), "1 min ago"), (ago(hours=47), "47 h ago"), (ago(hours=71), "2 days ago")],
)
def test_counter_accusation_age(when, text):
    """Minutes, then hours up to two days, then days."""
    line = novelty_line(AM_AZ, [blame(AZ_AM, at=when)], now=NOW, on_record_since=ago(days=9))
    assert line.endswith(f"; Azerbaijan also accused Armenia {text}")


def test_counter_accusation_older_than_72_hours_is_not_mentioned():
    """A reply window of three days: older accusations by the other side are history."""
    line = novelty_line(
        AM_AZ, [blame(AZ_AM, at=ago(hours=73))], now=NOW, on_record_since=ago(days=9)
    )
    assert line == "First time Armenia has blamed Azerbaijan in the 9 days on record"


def test_events_after_now_are_ignored():
    """History is what had happened by the time of this accusation."""
    later = NOW + timedelta(hours=1)
    history = [blame(AM_AZ, at=later), blame(AZ_AM, at=later)]
    line = novelty_line(AM_AZ, history, now=NOW, on_record_since=ago(days=5))
    assert line == "First time Armenia has blamed Azerbaijan in the 5 days on record"


def test_event_time_is_the_published_date_when_earlier():
    """A story fetched late counts from its publication, not from when we stored it."""
    late = blame(AZ_AM, at=ago(minutes=5), published=ago(hours=3))
    line = novelty_line(AM_AZ, [late], now=NOW, on_record_since=ago(days=5))
    assert line.endswith("Azerbaijan also accused Armenia 3 h ago")


def test_mutual_first_accusations_share_one_clause():
    """'Armenia and Azerbaijan blame each other' for the first time: one clause, not two."""
    line = render_novelty(novelty_for((AM_AZ, AZ_AM), [], now=NOW, on_record_since=ago(days=96)))
    assert line == (
        "First time Armenia and Azerbaijan have blamed each other in the 96 days on record"
    )


def test_same_accuser_first_accusations_merge():
    """Russia blames both sides for the first time."""
    novelty = novelty_for(
        (RU_AZ, Pair("Russia", "Armenia")), [], now=NOW, on_record_since=ago(days=96)
    )
    line = render_novelty(novelty)
    assert line == "First time Russia has blamed Azerbaijan and Armenia in the 96 days on record"


def test_several_pairs_keep_the_two_most_newsworthy_facts():
    """New pair first, then the counter-accusation; the mere repeat is dropped."""
    history = [blame(AM_AZ, at=ago(hours=3)), blame(AZ_AM, at=ago(hours=1))]
    line = render_novelty(
        novelty_for((AM_AZ, RU_AZ), history, now=NOW, on_record_since=ago(days=20))
    )
    assert line == (
        "First time Russia has blamed Azerbaijan in the 20 days on record; "
        "Azerbaijan also accused Armenia 1 h ago"
    )
    assert "2nd" not in line


def test_no_pairs_no_line():
    """Alerts without an accuser → accused pair carry no novelty line."""
    novelty = novelty_for((), [blame(AM_AZ, at=ago(hours=1))], now=NOW, on_record_since=None)
    assert render_novelty(novelty) == ""
    assert novelty.encode() == ""


def test_pending_stories_of_the_same_poll_count():
    """The poller adds this cycle's earlier stories, not stored yet, as PendingAccusation."""
    pending = PendingAccusation(pairs=(AM_AZ,), published=ago(minutes=30), created=NOW)
    line = novelty_line(AM_AZ, [pending], now=NOW, on_record_since=ago(days=20))
    assert line == "2nd accusation by Armenia against Azerbaijan in 24 h"


# -- with a real store ---------------------------------------------------------------------


def story(
    key: str, pairs: tuple[Pair, ...], *, published: datetime, level: Level = Level.BLAME
) -> NewStory:
    item = Item(
        key=key,
        feed_url="https://example.org/feed",
        title=f"Story {key}",
        summary="",
        link=f"https://example.org/{key}",
        published=published,
        source_title="Example",
    )
    return NewStory(item, Detection(level, pairs=pairs, evidence="e"))


async def test_blame_history_is_blame_only_oldest_first(store):
    """blame_history(since) returns blame alerts created at or after `since`, oldest first."""
    await store.ingest(
        "https://example.org/feed", [story("a", (AM_AZ,), published=ago(days=9))], now=ago(days=9)
    )
    await store.ingest(
        "https://example.org/feed",
        [story("b", (), published=ago(days=2), level=Level.VIOLATION)],
        now=ago(days=2),
    )
    await store.ingest(
        "https://example.org/feed", [story("c", (AZ_AM,), published=ago(days=1))], now=ago(days=1)
    )
    await store.ingest(
        "https://example.org/feed",
        [story("d", (RU_AZ,), published=ago(hours=1))],
        now=ago(hours=1),
    )
    history = await store.blame_history(ago(days=5))
    assert [a.item_key for a in history] == ["c", "d"]
    everything = await store.blame_history(datetime.min.replace(tzinfo=UTC))
    assert [a.item_key for a in everything] == ["a", "c", "d"]


async def test_novelty_from_a_seeded_store(store):
    """The poller's recipe: blame_history + first_alert_time → the line for a new accusation."""
    feed = "https://example.org/feed"
    await store.ingest(feed, [story("old", (RU_AZ,), published=ago(days=96))], now=ago(days=96))
    await store.ingest(feed, [story("x1", (AM_AZ,), published=ago(hours=20))], now=ago(hours=20))
    await store.ingest(feed, [story("x2", (AM_AZ,), published=ago(hours=4))], now=ago(hours=4))
    await store.ingest(feed, [story("y", (AZ_AM,), published=ago(hours=2))], now=ago(hours=2))
    history = await store.blame_history(datetime.min.replace(tzinfo=UTC))
    since = await store.first_alert_time()
    assert since == ago(days=96)

    def line(*pairs: Pair) -> str:
        return render_novelty(novelty_for(pairs, history, now=NOW, on_record_since=since))

    assert line(AM_AZ) == (
        "Azerbaijan also accused Armenia 2 h ago; "
        "3rd accusation by Armenia against Azerbaijan in 24 h"
    )
    assert line(Pair("Turkey", "Armenia")) == (
        "First time Turkey has blamed Armenia in the 96 days on record"
    )
    assert line(RU_AZ) == "First accusation by Russia against Azerbaijan in 96 days"
