"""Roles of actor mentions: a party free to speak or be blamed, a place ("in south Lebanon"),
a modifier ("Karabakh truce") or a mediator ("US-brokered truce").

Imports feeds.actors, feeds.lexicon, feeds.detect.scan.
"""

from __future__ import annotations

import re

from feeds.actors import ActorMention
from feeds.detect.scan import (
    _TOKEN,
    ROLE_FREE,
    ROLE_MEDIATOR,
    ROLE_MODIFIER,
    ROLE_PLACE,
    ROLE_VICTIM,
    _Actor,
    _full,
    _Scan,
    _words_before,
)
from feeds.detect.windows import VICTIM_WINDOW
from feeds.lexicon import Lexicon

# "X's" and "-"-joined names are one noun phrase: "Yemen's Houthi movement", "Russian-Turkish".
_JOINER = re.compile(r"^(?:['’]s)?[\s\-–]*$")


# A wire dateline names where the story was filed: "BANGKOK, Thailand:", "KYIV (Reuters) -".
_DATELINE = re.compile(
    r"\s*[A-ZА-ЯІЇЄ][A-ZА-ЯІЇЄ .'’-]{2,}"
    r"(?:,\s*[A-ZА-Я][\w .'’-]{1,30}\s*(?:\([^)]{1,30}\))?\s*[:—–-]"  # "BANGKOK, Thailand:"
    r"|\s*(?:\([^)]{1,30}\))?\s*[—–-])\s"  # "KYIV (Reuters) -": not "IDF: ..." (a speaker)
)


def _annotate(scan: _Scan, found: list[ActorMention]) -> tuple[_Actor, ...]:
    """Mark each actor as free, a modifier of something else, or a place."""
    lex, text = scan.lex, scan.text
    out: list[_Actor] = []
    dateline = _DATELINE.match(text)
    for i, m in enumerate(found):
        place = _is_place(lex, text, m) or _joined_to_place(lex, text, m, out)
        place = place or (dateline is not None and m.end <= dateline.end())
        role = ROLE_PLACE if place else None
        victim = lex.search("victim_after", text[m.end : m.end + VICTIM_WINDOW])
        if role is None and victim is not None and victim.start() == 0:
            role = ROLE_VICTIM  # "a Ukrainian soldier was killed": hurt, not accused
        role = role or _modifier_role(scan, m, found[i + 1] if i + 1 < len(found) else None)
        role = role or ROLE_FREE
        out.append(_Actor(m.name, m.kind, m.start, m.end, role))
    return tuple(out)


def _is_place(lex: Lexicon, text: str, m: ActorMention) -> bool:
    if m.kind not in ("state", "body"):
        return False  # "القيادي في حركة حماس" (an official *in* Hamas) is a member, not a place
    # A body after a locative is where someone sits: "Представительство ЛНР в СЦКК".
    if lex.locative_suffix is not None and lex.locative_suffix.match(text, m.end):
        return True
    start = m.start
    while start > 0 and text[start - 1].isalpha():
        start -= 1  # Arabic offsets skip the glued article: "في القاهرة" -> "القاهرة"
    before = _words_before(text, start, 3)
    if lex.lang == "ar":
        return bool(before) and _full(lex, "locative", before[-1])
    # Skip determiners and compass words: "in the Libyan capital", "in south Lebanon".
    while before and _full(lex, "determiners", before[-1]):
        before.pop()
    if len(before) >= 2 and _full(lex, "accuse", before[-2]):
        return False  # "violations qu'il impute à Israël": the dative object of the charge
    return bool(before) and _full(lex, "locative", before[-1])


def _joined_to_place(lex: Lexicon, text: str, m: ActorMention, before: list[_Actor]) -> bool:
    """ "fled into Chad and South Sudan": a state joined by "and" to a place is a place too."""
    if not before or before[-1].role != ROLE_PLACE or m.kind not in ("state", "body"):
        return False
    gap = text[before[-1].end : m.start].strip(" ,")
    return not gap or lex.is_word("conjunction", gap)


def _modifier_role(scan: _Scan, m: ActorMention, nxt: ActorMention | None) -> str | None:
    """ROLE_MODIFIER or ROLE_MEDIATOR when the name qualifies something else, else None."""
    lex, text = scan.lex, scan.text
    after = text[m.end : m.end + 40]
    if lex.search("modifier_suffix", after[:16]) and after[:1] in "-‐–":
        return ROLE_MEDIATOR
    if nxt is not None and nxt.name != m.name and _JOINER.match(text[m.end : nxt.start]):
        return ROLE_MODIFIER  # "Yemen's Houthi movement": the head noun is the actor
    head = _TOKEN.findall(after)[:3]
    if head and _full(lex, "modifier_nouns", head[0]):
        return ROLE_MEDIATOR  # "with Russian mediation"
    truce = scan.search("truce", m.end, m.end + 50) or scan.search("truce_weak", m.end, m.end + 50)
    if lex.order == "sov" and scan.search("modifier_verbs", m.end, m.end + 20):
        return ROLE_MEDIATOR  # "Rusya'nın ilan ettiği ateşkes": the truce Russia declared
    if truce is not None and lex.modifier_before_truce:
        gap = _TOKEN.findall(text[m.end : truce.start()])
        if len(gap) <= 2 and not any(
            _is_content_word(lex, w) or _is_function_word(w) for w in gap
        ):
            return ROLE_MODIFIER  # "Karabakh truce", "India-Pakistan truce", "Russia's pause"
    before = text[max(0, m.start - 40) : m.start]
    words = _TOKEN.findall(before)[-3:]
    while words and (_full(lex, "determiners", words[-1]) or _full(lex, "agent", words[-1])):
        words.pop()
    if words and _full(lex, "modifier_verbs", words[-1]):
        return ROLE_MEDIATOR  # "brokered by Qatar", "announced by Moscow"
    return None


def _is_function_word(word: str) -> bool:
    # "blames Armenia for ceasefire violation": a short lower-case word links two phrases.
    return word.islower() and len(word) <= 4


def _is_content_word(lex: Lexicon, word: str) -> bool:
    return any(
        _full(lex, c, word)
        for c in (
            "breach",
            "attack",
            "accuse",
            "speech",
            "negation",
            "since_words",
            "concessive_before",
            "expiry",
        )
    )
