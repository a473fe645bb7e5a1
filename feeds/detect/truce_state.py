"""Whether each truce a sentence names is in force, so that fighting can breach it.

A truce may be only proposed ("strikes kill 44 amid calls for a ceasefire", "as the cabinet
meets to approve a ceasefire deal", "ceasefire talks"), over ("fighting resumed after the truce
ended"), or live: in force or of unknown state. Only live truces can be broken. A truce with no
cue of its own takes the item's: once any sentence says the truce ended, "hours after the
ceasefire" speaks of its end, not of a breach.

Imports feeds.lexicon, feeds.detect.scan, feeds.detect.windows.
"""

from __future__ import annotations

from feeds.detect.scan import _TOKEN, _WORD, _Sentence
from feeds.detect.windows import (
    CONCESSIVE_WINDOW,
    ENDED_AFTER,
    ENDED_BEFORE,
    PROPOSAL_WINDOW,
    START_AFTER,
    TOPIC_WINDOW,
)
from feeds.lexicon import Lexicon
from feeds.model import TruceState

Span = tuple[int, int]


def mention_state(lex: Lexicon, s: _Sentence, span: Span) -> TruceState:
    """The state of the truce named at `span`, read from the words around it."""
    a, b = span
    text = s.text
    if lex.search("extension", text[b : b + TOPIC_WINDOW]) is not None:
        return TruceState.IN_FORCE  # "backs a ceasefire extension": there is one to extend
    if lex.search("proposal", _lead(lex, text, a)) is not None:
        return TruceState.PROPOSED
    if s.scan.search("truce_topic", b, b + TOPIC_WINDOW) is not None:
        return TruceState.PROPOSED
    before = text[max(0, a - ENDED_BEFORE) : a]
    # "the truce ended", "after the end of the truce", "a failed truce"
    if _ends_itself(lex, text, b) or lex.search("expiry", before) or _past(lex, before):
        return TruceState.ENDED
    if lex.search("pending", text[max(0, a - 24) : b + ENDED_AFTER]):
        return TruceState.UNKNOWN  # "a truce that starts only at noon" has not begun
    started = lex.search("start_words", text[b : b + START_AFTER].split(",")[0])
    if started or lex.search("in_force", text[max(0, a - 24) : b + 24]):
        return TruceState.IN_FORCE
    # "a ranger killed in the middle of the truce": whatever later became of it, it held then.
    if lex.search("concessive_before", text[max(0, a - CONCESSIVE_WINDOW) : a]):
        return TruceState.IN_FORCE
    return TruceState.UNKNOWN


def sentence_states(lex: Lexicon, sentences: list[_Sentence]) -> list[list[TruceState]]:
    """Per sentence, the state of each of its truce spans; cue-less ones take the item's end."""
    states = [[mention_state(lex, s, span) for span in s.truces] for s in sentences]
    if any(TruceState.ENDED in row for row in states):
        states = [[_ended_if_unknown(state) for state in row] for row in states]
    return states


def with_states(s: _Sentence, states: list[TruceState]) -> _Sentence:
    """`s` with its real truces (all but proposals) and live ones (neither proposed nor over)."""
    pairs = list(zip(s.truces, states, strict=True))
    real = tuple(span for span, state in pairs if state is not TruceState.PROPOSED)
    dead = (TruceState.PROPOSED, TruceState.ENDED)
    live = tuple(span for span, state in pairs if state not in dead)
    # Built directly: dataclasses.replace costs several times as much, once per sentence.
    return _Sentence(s.text, s.actors, s.truces, s.is_title, s.scan, real, live)


def item_state(states: list[list[TruceState]]) -> TruceState | None:
    """What the item says of its truce as a whole, for the poller's record of truces in force."""
    flat = [state for row in states for state in row]
    for state in (TruceState.ENDED, TruceState.IN_FORCE):
        if state in flat:
            return state
    return None


def _lead(lex: Lexicon, text: str, a: int) -> str:
    """The words before a truce term that may make it a proposal: up to PROPOSAL_WINDOW
    characters, cut after the last breach word ("rejects claims it broke the truce" rejects the
    claims; "fails to call for a ceasefire" still calls for one)."""
    lead = text[max(0, a - PROPOSAL_WINDOW) : a]
    cut = 0
    for category in ("breach", "strain"):
        for m in lex.find(category, lead):
            cut = max(cut, m.end())
    return lead[cut:]


def _past(lex: Lexicon, before: str) -> bool:
    """ "after a failed truce", "the previous ceasefire": a past word qualifies the truce itself
    (not "on the last day of the truce", nor "the week-old truce")."""
    words = _TOKEN.findall(before)[-2:]
    return any(lex.is_word("past", w) for w in words)


def _ends_itself(lex: Lexicon, text: str, b: int) -> bool:
    """ "the truce ended on Friday", not "the ceasefire that ended the war" (it ended a war)."""
    m = lex.search("expiry", text[b : b + ENDED_AFTER])
    if m is None or lex.search("pending", text[b : b + m.start()]):
        return False  # "the truce, due to expire at noon": not over yet
    follows = _WORD.findall(text[b + m.end() : b + m.end() + 12])
    return not (follows and lex.is_word("determiners", follows[0]))


def _ended_if_unknown(state: TruceState) -> TruceState:
    return TruceState.ENDED if state is TruceState.UNKNOWN else state
