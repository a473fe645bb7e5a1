"""Muted pairs: an alert is held back only when every pair it names is muted."""

from datetime import UTC, datetime

import pytest

from bot.model import Alert, Mute
from bot.services.mutes import is_muted, muted_pairs_by_chat
from feeds.model import Level, Pair

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
RU_AZ = Pair("Russia", "Azerbaijan")
AZ_RU = Pair("Azerbaijan", "Russia")
AM_AZ = Pair("Armenia", "Azerbaijan")


def alert(*pairs: Pair) -> Alert:
    return Alert(
        id=1,
        feed_url="https://feed.test/rss",
        item_key="k",
        title="A headline",
        summary="",
        link="https://feed.test/1",
        published=NOW,
        source_title="Feed Test",
        level=Level.BLAME if pairs else Level.VIOLATION,
        pairs=pairs,
        evidence="",
        matched=(),
        actors=(),
        lang="en",
        novelty="",
        created=NOW,
    )


@pytest.mark.parametrize(
    ("pairs", "muted", "expected"),
    [
        ((RU_AZ,), {RU_AZ}, True),
        ((RU_AZ,), {AZ_RU}, False),  # the other direction is news of its own
        ((RU_AZ, AM_AZ), {RU_AZ}, False),  # a new accusation in the same story gets through
        ((RU_AZ, AM_AZ), {RU_AZ, AM_AZ}, True),
        ((), {RU_AZ}, False),  # an alert without a pair is never muted
        ((RU_AZ,), set(), False),
    ],
)
def test_is_muted(pairs, muted, expected):
    """Only alerts whose every pair is muted are held back."""
    assert is_muted(alert(*pairs), frozenset(muted)) is expected


def test_mutes_grouped_by_chat():
    """Each chat sees only its own mutes."""
    mutes = [Mute(1, 10, RU_AZ, NOW), Mute(2, 10, AM_AZ, NOW), Mute(3, -20, RU_AZ, NOW)]
    assert muted_pairs_by_chat(mutes) == {10: {RU_AZ, AM_AZ}, -20: {RU_AZ}}
