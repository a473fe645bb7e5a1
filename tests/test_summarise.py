"""Sentence splitting and the <= 300-character alert summary."""

from __future__ import annotations

import pytest

from feeds.summarise import split_sentences, summarise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The U.S. envoy arrived at 9 a.m. on Monday. Talks began.",
            ["The U.S. envoy arrived at 9 a.m. on Monday.", "Talks began."],
        ),
        (
            "Gen. Ivanov spoke. «Огонь прекращён», сказал он.",
            ["Gen. Ivanov spoke.", "«Огонь прекращён», сказал он."],
        ),
        ("Did the truce hold? Officials say no", ["Did the truce hold?", "Officials say no"]),
        (
            "Hamas cites breaches; Israel calls it a violation",
            ["Hamas cites breaches", "Israel calls it a violation"],
        ),
        (
            "قال الجيش إن الهدنة خرقت. ونفى الطرف الآخر ذلك.",
            ["قال الجيش إن الهدنة خرقت.", "ونفى الطرف الآخر ذلك."],
        ),
        ("", []),
    ],
)
def test_split_sentences_respects_abbreviations_and_clauses(text, expected):
    """Abbreviations do not end sentences; ? ! ؟ and headline semicolons do."""
    assert split_sentences(text) == expected


def test_summary_keeps_the_evidence_sentence_when_it_is_late():
    """When the evidence is far down, the summary starts at it rather than dropping it."""
    filler = "Negotiators met again in the capital to discuss prisoner exchanges. " * 5
    evidence = "The army said rebels shelled the town in breach of the truce."
    text = summarise("Title", filler + evidence + " Aid convoys were delayed.", evidence)
    assert text.startswith(evidence)
    assert len(text) <= 300


def test_summary_starts_at_the_top_when_the_evidence_fits():
    """Short items keep their own order, evidence included."""
    summary = "Fighting resumed at dawn. Kyiv said Russian drones hit a power plant."
    text = summarise("T", summary, "Kyiv said Russian drones hit a power plant.")
    assert text == summary


def test_evidence_from_the_title_leads_the_summary():
    """A title-only accusation is put in front of the summary sentences."""
    text = summarise(
        "Israel says Hamas broke truce",
        "Sirens sounded in Sderot.",
        "Israel says Hamas broke truce",
    )
    assert text == "Israel says Hamas broke truce Sirens sounded in Sderot."


def test_long_sentence_is_cut_on_a_word_boundary():
    """A single over-long sentence is cut between words and marked with an ellipsis."""
    sentence = "word " * 100
    text = summarise("T", sentence, "", limit=50)
    assert len(text) <= 50
    assert text.endswith("…")
    assert text[:-1].split() == ["word"] * len(text[:-1].split())


def test_summary_strips_html():
    """Feed markup and entities never reach the summary."""
    text = summarise("T", "<p>Shelling &amp; air raids <b>resumed</b>.</p>", "")
    assert text == "Shelling & air raids resumed."


def test_empty_item_gives_empty_summary():
    """No text, no summary."""
    assert summarise("", "", "") == ""
