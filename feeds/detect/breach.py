"""Whether a sentence reports a breach of a truce in force, and the guards against false ones.

A breach word near a truce term ("violated the ceasefire"), an attack "despite"/"hours after" a
truce, fighting placed inside a truce ("first clash since the May truce"), firing along a
ceasefire line, or a breach charged to someone ("citing Israeli breaches"); each unless negated,
hypothetical or meant in another sense.

Imports feeds.lexicon, feeds.detect.scan, feeds.detect.windows.
"""

from __future__ import annotations

import re

from feeds.detect.scan import (
    _TOKEN,
    _full,
    _in_truce,
    _Scan,
    _Sentence,
    _words_before,
)
from feeds.detect.windows import (
    BREACH_WINDOW,
    CONCESSIVE_WINDOW,
    HALT_AFTER,
    HALT_WORDS,
    MODAL_WINDOW,
    STRAIN_WINDOW,
    TOPIC_WINDOW,
)
from feeds.lexicon import Lexicon


def _line_fire(lex: Lexicon, scan: _Scan) -> tuple[tuple[int, int], ...]:
    """ "Troops exchange fire along the Line of Control", "UN observers report shelling": fire on
    a ceasefire line or under truce observers breaches; the line or the observers stand for the
    truce (peacekeepers alone do not: they also serve where no truce is)."""
    attacks = [m for m in scan.find("attack") if not _halted(lex, scan.text, m)]
    for category in ("ceasefire_line", "observers"):
        places = scan.find(category)
        if places and attacks:
            return (places[0].span(),)
    return ()


def _halted(lex: Lexicon, text: str, m: re.Match[str]) -> bool:
    """ "agree to stop firing", "no shelling", "a halt to weeks of fighting", "the fighting is
    over": the word names no attack."""
    if lex.search("halt_after", text[m.end() : m.end() + HALT_AFTER]):
        return True
    return any(
        _full(lex, "halt", w) or _full(lex, "negation", w)
        for w in _words_before(text, m.start(), HALT_WORDS)
    )


def _breach_terms(lex: Lexicon, s: _Sentence) -> tuple[str, ...]:
    """Terms showing that this sentence reports a breach of a truce, or ().

    A breach word ("violated") may speak of a truce that has since ended; strain ("the truce
    falters") and fighting ("shelling despite the truce") need one in force.
    """
    found = _breach_word(lex, s, "breach", s.real)
    if found or not s.live:
        return found
    found = _breach_word(lex, s, "strain", s.live)
    if found:
        return found
    attack = _attack_outside_truce(lex, s, 0)
    if attack is None:
        return ()
    for m in s.scan.find("truce_context"):
        if any(a < m.end() and m.start() < b for a, b in s.live):
            # "truce monitors confirm a deadly clash" (peacekeepers alone are no truce: Mali)
            return (m.group(0), attack)
    found = _concessive(lex, s, attack)
    if found:
        return found
    found = _temporal_breach(lex, s)
    if found:
        return found
    return _attack_after_start(lex, s)


def _breach_word(lex: Lexicon, s: _Sentence, category: str, truces) -> tuple[str, ...]:
    # "accused them of violating it" may stand far from "the truce"; strain ("the truce
    # falters", "collapse of the truce") stands next to it.
    window = BREACH_WINDOW if category == "breach" else STRAIN_WINDOW
    """A `category` word near one of `truces`, not negated, hypothetical or in another sense."""
    text = s.text
    for m in s.scan.find(category):
        if _in_truce(s, m.start(), m.end()) or not _near(truces, m.start(), m.end(), window):
            continue
        if s.scan.search("truce_topic", m.end(), m.end() + TOPIC_WINDOW):
            continue  # "after past failed peace attempts": the attempts failed, not a truce
        if _negated(lex, text, m) or _hypothetical(lex, text, m) or _other_sense(lex, text, m):
            continue
        return (m.group(0),)
    return ()


def _concessive(lex: Lexicon, s: _Sentence, attack: str) -> tuple[str, ...]:
    """An attack "despite" the truce, during it, or "hours after" it began, or ()."""
    text = s.text
    for m in s.scan.find("concessive_before"):
        for a, _ in s.live:
            if 0 <= a - m.end() <= CONCESSIVE_WINDOW:
                return (m.group(0), attack)
    for _, b in s.live:
        hit = lex.search("concessive_after", text[b : b + 20])
        if hit is not None:
            return (hit.group(0), attack)
    for m in s.scan.find("since_words"):
        window = text[m.end() : m.end() + CONCESSIVE_WINDOW + 20]
        start = lex.search("start_words", window) or lex.search("extension", window)
        if start is None or lex.search("expiry", window) or lex.search("pending", window):
            continue  # "shelling after a truce set to start at dawn": it has not begun
        if any(0 <= a - m.end() <= CONCESSIVE_WINDOW for a, _ in s.live):
            return (m.group(0), start.group(0), attack)
    return ()


def _attack_after_start(lex: Lexicon, s: _Sentence) -> tuple[str, ...]:
    """ "A truce took effect, but shelling was recorded overnight." """
    text = s.text
    # "Truce prolonged, yet the shelling continues": an extended truce is one in force.
    start = lex.search("start_words", text) or lex.search("extension", text)
    if start is None or lex.search("expiry", text) is not None:
        return ()
    if lex.search("pending", text) is not None:
        return ()
    for brk in s.scan.find("clause_break"):
        if brk.start() > s.live[0][0]:
            later = _attack_outside_truce(lex, s, brk.end())
            if later is not None:
                return (start.group(0), brk.group(0), later)
    return ()


def _temporal_breach(lex: Lexicon, s: _Sentence) -> tuple[str, ...]:
    """Fighting placed inside a truce without a breach word.

    "first clash since the May truce", "in the weeks after the ceasefire pledge", "fighting
    erupts, ending five months of truce", "answered our ceasefire with shelling", and firing
    along a ceasefire line ("Line of Control").
    """
    text = s.text
    if not s.scan.find("temporal"):
        return ()
    live = [
        m
        for m in s.scan.find("attack")
        if not _in_truce(s, m.start(), m.end()) and not _halted(lex, text, m)
    ]
    if not live:
        return ()
    for m in s.scan.find("ceasefire_line"):
        if any(a < m.end() and m.start() < b for a, b in s.live):  # the line, or its truce word
            return (m.group(0), live[0].group(0))
    for m in (*s.scan.find("since_always"), *s.scan.find("span_after")):
        window = text[m.end() : m.end() + CONCESSIVE_WINDOW + 20]
        if lex.search("expiry", window) or lex.search("pending", window):
            continue  # "since the truce expired": fighting after it is no breach
        for a, _ in s.live:
            if 0 <= a - m.end() <= CONCESSIVE_WINDOW and not s.scan.search("past", m.end(), a):
                return (m.group(0), live[0].group(0))
    for m in s.scan.find("ending"):
        if any(0 <= a - m.end() <= 40 for a, _ in s.live) and live[0].start() < m.start():
            return (live[0].group(0), m.group(0))
    for m in s.scan.find("reply"):
        for a, b in s.live:
            if 0 <= a - m.end() <= 40 and any(0 <= x.start() - b <= 30 for x in live):
                return (m.group(0), live[-1].group(0))
    return ()


def _accused_breach(lex: Lexicon, s: _Sentence) -> tuple[str, ...]:
    """ "Hamas delays release, citing Israeli breaches": a breach charged to someone while the
    item's other sentences name the truce."""
    for m in s.scan.find("breach"):
        before = s.text[max(0, m.start() - 40) : m.start()]
        # "... said the militia had broken it": the object pronoun is the item's truce.
        anaphora = lex.search("truce_anaphora", s.text[m.end() : m.end() + 4])
        # "..., citing breaches by the militia", "the president said enemy units had broken the
        # holiday truce": a charge, or a report by a speaker, of a breach of the item's truce.
        charged = lex.search("accuse", before) or lex.search("speech", before)
        if charged is None and anaphora is None:
            continue
        if (
            _negated(lex, s.text, m)
            or _hypothetical(lex, s.text, m)
            or _other_sense(lex, s.text, m)
        ):
            continue
        return (m.group(0),)
    return ()


def _near(truces, start: int, end: int, window: int = BREACH_WINDOW) -> bool:
    """Whether a word at start:end stands within `window` characters of one of `truces`."""
    return any(max(a - end, start - b) <= window for a, b in truces)


def _attack_outside_truce(lex: Lexicon, s: _Sentence, start: int) -> str | None:
    for m in s.scan.find("attack"):
        if m.start() >= start and not _in_truce(s, m.start(), m.end()):
            if _negated(lex, s.text, m) or _halted(lex, s.text, m) or _intended(lex, s.text, m):
                continue  # "monitors saw no fresh shelling", "Israel could attack the south"
            return m.group(0)
    return None


def _intended(lex: Lexicon, text: str, m: re.Match[str]) -> bool:
    """ "could attack", "plans to strike": an attack that has not happened."""
    return lex.search("modal", text[max(0, m.start() - MODAL_WINDOW) : m.start()]) is not None


def _negated(lex: Lexicon, text: str, m: re.Match[str]) -> bool:
    before = _words_before(text, m.start(), 3)
    if any(_full(lex, "negation", w) for w in before):
        return True
    return bool(lex.search("negation_after", text[m.end() : m.end() + 40]))


def _hypothetical(lex: Lexicon, text: str, m: re.Match[str]) -> bool:
    before = text[max(0, m.start() - 30) : m.start()]
    if lex.order == "sov" and lex.search("hypothetical", text[m.end() : m.end() + 40]):
        return True  # verb-last: "ihlallere karşı bir izleme mekanizması"
    return any(_full(lex, "hypothetical", w) for w in _TOKEN.findall(before)[-3:]) or bool(
        lex.search("hypothetical", before[-22:])
    )


def _other_sense(lex: Lexicon, text: str, m: re.Match[str]) -> bool:
    around = text[max(0, m.start() - 25) : m.end() + 35]
    return lex.search("other_sense", around) is not None


def _accuses_attack(lex: Lexicon, s: _Sentence) -> bool:
    """An accusation of an attack while a truce is in force ("X accuses Y of shelling"), or
    mutual blame over a truce that is or was ("the pause lapsed, both camps faulting each
    other")."""
    if s.scan.find("mutual") and s.real:
        return True
    if not s.live:
        return False
    for m in s.scan.find("accuse"):
        if s.scan.search("attack", m.end()) or s.scan.search("breach", m.end()):
            return True
    return False
