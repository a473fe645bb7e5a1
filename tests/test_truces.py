"""The stream's record of truces in force, and classify reading it (sentences written here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feeds.detect import classify
from feeds.model import Detection, Level, StreamContext, TruceState
from feeds.truces import TRUCE_MEMORY_DAYS, TruceTracker

T0 = datetime(2024, 3, 1, tzinfo=UTC)
KARABAKH = "Armenia–Azerbaijan"


def news(state: TruceState | None) -> Detection:
    return Detection(Level.CEASEFIRE, actors=("Armenia", "Azerbaijan"), truce_state=state)


def test_a_truce_is_in_force_from_its_start_until_it_ends():
    tracker = TruceTracker()
    tracker.observe(news(TruceState.IN_FORCE), T0)
    assert tracker.context(T0 + timedelta(days=2)).truces_in_force == {KARABAKH}
    tracker.observe(news(TruceState.ENDED), T0 + timedelta(days=3))
    assert tracker.context(T0 + timedelta(days=4)).truces_in_force == frozenset()


def test_an_older_end_does_not_undo_a_newer_start():
    tracker = TruceTracker()
    tracker.observe(news(TruceState.IN_FORCE), T0 + timedelta(days=1))
    tracker.observe(news(TruceState.ENDED), T0)
    assert tracker.context(T0 + timedelta(days=2)).truces_in_force == {KARABAKH}


def test_a_truce_without_news_is_forgotten():
    tracker = TruceTracker()
    tracker.observe(news(TruceState.IN_FORCE), T0)
    later = T0 + timedelta(days=TRUCE_MEMORY_DAYS + 1)
    assert tracker.context(later).truces_in_force == frozenset()


def test_news_of_no_known_conflict_changes_nothing():
    tracker = TruceTracker()
    tracker.observe(Detection(Level.CEASEFIRE, actors=(), truce_state=TruceState.IN_FORCE), T0)
    assert tracker.context(T0).truces_in_force == frozenset()


def test_classify_reports_the_state_of_the_truce():
    assert classify("Truce in Tigray takes effect at midnight", "").truce_state == "in_force"
    assert classify("Tigray truce extended by another month", "").truce_state == "in_force"
    assert classify("The Tigray truce expired on Sunday", "").truce_state == "ended"
    assert classify("Tigray truce collapses as fighting resumes", "").truce_state == "ended"
    assert classify("La trêve s'effondre au Soudan", "", "fr").truce_state == "ended"
    assert classify("Перемирие в Судане сорвано", "", "ru").truce_state == "ended"
    assert classify("Leaders call for a truce in Tigray", "").truce_state is None


def test_stream_context_makes_headline_fighting_a_breach_only_for_its_conflict():
    context = StreamContext(truces_in_force=frozenset({KARABAKH}))
    strikes = "Azerbaijani artillery shells Armenian positions near the border"
    assert classify(strikes, "").level is Level.NONE
    assert classify(strikes, "", None, context).level is Level.VIOLATION
    other = "Sudanese army shells positions held by the paramilitaries in Omdurman"
    assert classify(other, "", None, context).level is Level.NONE
    halted = "Azerbaijan says it has stopped shelling Armenian positions"
    assert classify(halted, "", None, context).level is Level.NONE
