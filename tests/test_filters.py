"""Chat filters: /subscribe argument parsing and alert matching across languages."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.model import Alert, Destination, Subscription
from bot.services.filters import (
    ALL_LEVELS,
    BREACH_LEVELS,
    SUBSCRIBE_USAGE,
    FilterError,
    describe,
    describe_delivery,
    matches,
    parse_filter,
    parse_subscription,
    route,
    split_arguments,
)
from feeds.model import Level, Pair

KARABAKH = Alert(
    id=1,
    feed_url="https://mt.test/rss",
    item_key="k",
    title="Russia Blames Azerbaijan for Breach of Karabakh Truce",
    summary="The Russian defence ministry reported that Azerbaijani troops hit Karabakh posts.",
    link="https://mt.test/a",
    published=datetime(2021, 8, 13, 10, 2, tzinfo=UTC),
    source_title="The Moscow Times",
    level=Level.BLAME,
    pairs=(Pair("Russia", "Azerbaijan"),),
    evidence="",
    matched=("blames",),
    actors=("Russia", "Azerbaijan", "Armenia"),
    lang="en",
    novelty="",
    created=datetime(2021, 8, 13, 10, 5, tzinfo=UTC),
)
RUSSIAN = replace(
    KARABAKH,
    title="Минобороны России обвинило Азербайджан в нарушении перемирия",
    summary="Азербайджанские военные нанесли удар по позициям в Карабахе.",
    lang="ru",
    actors=("Russia", "Azerbaijan"),
)

GAZA = replace(
    KARABAKH,
    title="Israel and Hamas trade accusations over truce",
    summary="Strikes resumed.",
    pairs=(Pair("Israel", "Hamas"),),
    actors=("Israel", "Hamas"),
)


@pytest.mark.parametrize(
    ("args", "levels", "words"),
    [
        ([], BREACH_LEVELS, ()),
        (["all"], ALL_LEVELS, ()),
        (["blame"], (Level.BLAME,), ()),
        (["BREACHES"], BREACH_LEVELS, ()),
        (["violation"], BREACH_LEVELS, ()),
        (["blame", "azerbaijan", "armenia"], (Level.BLAME,), ("azerbaijan", "armenia")),
        (["Gaza,", "Israel"], BREACH_LEVELS, ("gaza", "israel")),
        (["gaza,israel"], BREACH_LEVELS, ("gaza", "israel")),
        (['"Nagorno', 'Karabakh"'], BREACH_LEVELS, ("nagorno karabakh",)),
        (["armenia", "blame", "Armenia"], (Level.BLAME,), ("armenia",)),
        (["blame", "all"], ALL_LEVELS, ()),
        (["Азербайджан"], BREACH_LEVELS, ("азербайджан",)),
    ],
)
def test_parse_subscription(args, levels, words):
    """Level words choose levels (default breaches); the rest are lower-cased filter words."""
    assert parse_subscription(args) == (levels, words)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x"], "too short"),
        (["???"], "not a filter word"),
        (["5"], "is a number"),
        (["a" * 41], "too long"),
        ([f"word{i}" for i in range(11)], "At most 10 filter words"),
    ],
)
def test_wrong_arguments_say_what_is_allowed(args, message):
    """Bad arguments raise FilterError with a short explanation."""
    with pytest.raises(FilterError, match=message):
        parse_subscription(args)


def test_usage_is_part_of_the_error():
    """The error for a bad word carries the usage line with the allowed levels."""
    with pytest.raises(FilterError) as info:
        parse_subscription(["!"])
    assert "blame" in str(info.value)
    assert "all" in str(info.value)


def test_latest_filter_defaults_to_every_level():
    """`/latest` filters keep every alert level unless a level word narrows them."""
    assert parse_filter(["gaza"], default_levels=ALL_LEVELS) == (ALL_LEVELS, ("gaza",))


def test_split_arguments_keeps_quoted_phrases():
    """Quotes group a phrase; commas separate like spaces."""
    assert split_arguments(['"South', 'Sudan",', "Sudan"]) == ["South Sudan", "Sudan"]


@pytest.mark.parametrize(
    ("levels", "words", "alert", "expected"),
    [
        (BREACH_LEVELS, (), KARABAKH, True),
        ((Level.VIOLATION,), (), KARABAKH, False),
        (BREACH_LEVELS, ("armenia",), KARABAKH, True),
        (BREACH_LEVELS, ("gaza",), KARABAKH, False),
        (BREACH_LEVELS, ("azerbaijan",), RUSSIAN, True),
        (BREACH_LEVELS, ("азербайджан",), KARABAKH, True),
        (BREACH_LEVELS, ("armenia",), RUSSIAN, True),  # a party to the Karabakh conflict
        (BREACH_LEVELS, ("ukraine",), KARABAKH, False),
        (BREACH_LEVELS, ("israel",), RUSSIAN, False),
        (BREACH_LEVELS, ("gaza",), GAZA, True),  # the conflict's name, not in the text
        (BREACH_LEVELS, ("hamas",), GAZA, True),
        (BREACH_LEVELS, ("armenia",), GAZA, False),
        (BREACH_LEVELS, ("gaza", "russia"), RUSSIAN, True),
        (BREACH_LEVELS, ("quadcopter",), KARABAKH, False),
        (BREACH_LEVELS, ("defence ministry",), KARABAKH, True),
        (BREACH_LEVELS, ("карабах",), RUSSIAN, True),
        (ALL_LEVELS, (), replace(KARABAKH, level=Level.CEASEFIRE), True),
        (BREACH_LEVELS, (), replace(KARABAKH, level=Level.CEASEFIRE), False),
    ],
)
def test_matches(levels, words, alert, expected):
    """Levels must match; actor words match actors in any language, others the text."""
    assert matches(levels, words, alert) is expected


def test_actor_word_matches_pairs_and_text_when_actors_are_missing():
    """An actor named in the pairs or the text still counts when `actors` is empty."""
    bare = replace(KARABAKH, actors=(), pairs=())
    assert matches(BREACH_LEVELS, ("karabakh",), bare)
    assert not matches(BREACH_LEVELS, ("ukraine",), bare)
    paired = replace(KARABAKH, actors=(), title="A truce breach", summary="")
    assert matches(BREACH_LEVELS, ("azerbaijan",), paired)


def _subscription(
    chat_id, levels=BREACH_LEVELS, words=(), *, is_active=True, is_instant=True, digest_time=None
):
    return Subscription(
        chat_id=chat_id,
        chat_type="private",
        title="",
        levels=levels,
        words=words,
        is_active=is_active,
        is_instant=is_instant,
        digest_time=digest_time,
        last_digest=None,
    )


def test_route_picks_matching_active_chats():
    """route() is the store's Router: matching, active chats only, in order."""
    subs = [
        _subscription(1),
        _subscription(2, words=("gaza", "ukraine")),
        _subscription(3, words=("armenia",)),
        _subscription(4, is_active=False),
        _subscription(5, levels=(Level.VIOLATION,)),
    ]
    assert [to.chat_id for to in route(KARABAKH, subs)] == [1, 3]


def test_route_skips_digest_only_chats():
    """Digest-only chats get no instant alert; chats with both do."""
    subs = [
        _subscription(1, is_instant=False, digest_time="07:00"),
        _subscription(2, digest_time="18:30"),
        _subscription(3, words=("armenia",), is_instant=False, digest_time="07:00"),
        _subscription(4),
    ]
    assert [to.chat_id for to in route(KARABAKH, subs)] == [2, 4]


def test_route_sends_to_the_topic_that_subscribed():
    """Two topics of one forum with different filters: each gets what it asked for."""
    subs = [
        replace(_subscription(-1001, words=("armenia",)), thread_id=7),
        replace(_subscription(-1001, words=("gaza",)), thread_id=9),
        _subscription(-1001),
    ]
    assert route(KARABAKH, subs) == [Destination(-1001, 7), Destination(-1001)]


def test_bad_word_error_carries_the_commands_usage():
    """parse_filter appends the usage note it is given (default: /subscribe's)."""
    with pytest.raises(FilterError, match="Usage: /tally") as info:
        parse_filter(["x"], usage="Usage: /tally [days]")
    assert SUBSCRIBE_USAGE not in str(info.value)
    with pytest.raises(FilterError, match=r"Usage: /subscribe \[level\]"):
        parse_filter(["x"])


@pytest.mark.parametrize(
    ("is_instant", "digest_time", "text"),
    [
        (True, None, "as instant alerts"),
        (False, "07:00", "as a daily digest at 07:00 UTC (no instant alerts)"),
        (True, "18:30", "as instant alerts and a daily digest at 18:30 UTC"),
        (False, None, "neither as instant alerts nor as a digest"),
    ],
)
def test_describe_delivery(is_instant, digest_time, text):
    """/filters says how alerts arrive: instantly, as a daily digest, or both."""
    assert describe_delivery(is_instant, digest_time) == text


@pytest.mark.parametrize(
    ("levels", "words", "text"),
    [
        (BREACH_LEVELS, (), "breaches (blame and reported violations)"),
        (
            ALL_LEVELS,
            ("gaza",),
            "all alerts (blame, violations and ceasefire news) mentioning “gaza”",
        ),
        (
            (Level.BLAME,),
            ("a1", "b2"),
            "blame only (one side accuses another) mentioning “a1” or “b2”",
        ),
    ],
)
def test_describe(levels, words, text):
    """/filters shows the subscription as a sentence."""
    assert describe(levels, words) == text
