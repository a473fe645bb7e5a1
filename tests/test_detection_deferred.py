"""A plain-news detection computes its summary and actors on first read, with the same values."""

from dataclasses import replace

from feeds.detect import classify
from feeds.model import Detection, Level, StreamContext


def test_deferred_fields_match_an_eager_detection():
    found = classify("Russian and Turkish ministers meet in Ankara", "Talks on grain. More later.")
    eager = Detection(
        level=Level.NONE,
        summary="Talks on grain. More later.",
        actors=("Russia", "Turkey"),
    )
    assert found == eager
    assert hash(found) == hash(eager)
    assert repr(found) == repr(eager)
    assert replace(found, level=Level.CEASEFIRE).actors == ("Russia", "Turkey")


def test_a_truce_in_force_still_makes_a_headline_attack_a_breach():
    context = StreamContext(truces_in_force=frozenset({"Israel–Gaza"}))
    found = classify("Israeli strikes kill 40 in Gaza", "Sunny.", "en", context)
    assert found.level is Level.VIOLATION
    assert found.actors == ("Israel",)
    assert classify("Weather in Paris", "Sunny.", "en", context).actors == ("France",)
