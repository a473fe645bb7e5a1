"""Ceasefire detection: level, who blames whom, matched terms, evidence and summary of one item.

Rules over per-language lexicons (feeds.lexicon) and actor names (feeds.actors); no models, no I/O
at call time. The steps, each explained in docs/detection.md:

1. split title and summary into sentences; guess the language (feed tag, else script);
2. find truce terms, dropping metaphorical ("trade truce") and historical ("1914 truce") ones;
3. a sentence reports a breach when a breach word sits near a truce term ("violated the
   ceasefire") or an attack happens "despite"/"during"/"hours after" a truce began;
4. accusations are read from frames: "X accuses Y", "X says Y shelled", "according to X",
   "X: Y broke the truce", "Y accused of ... by X", "X and Y accuse each other";
5. level: blame when a pair was found, violation for a breach without one, ceasefire for other
   truce news, none otherwise.

Imports feeds.actors, feeds.lang, feeds.lexicon, feeds.model, feeds.summarise, feeds.text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from feeds.actors import ActorMention, find_actors
from feeds.lang import guess_lang
from feeds.lexicon import Lexicon, load_lexicon
from feeds.model import Detection, Level, Pair
from feeds.summarise import split_sentences, summarise
from feeds.text import html_to_text

# How far apart a breach word and a truce term may stand and still be read together
# ("accused Indian forces of violating it" refers back to "the truce" ~45 chars earlier).
BREACH_WINDOW = 80
# How far after "despite"/"after" the truce term may come ("despite the UN-brokered truce").
CONCESSIVE_WINDOW = 60
# A speaker prefix longer than this is a clause of its own, not an anaphoric subject.
MAX_ANAPHOR_WORDS = 8
# "X's" and "-"-joined names are one noun phrase: "Yemen's Houthi movement", "Russian-Turkish".
_JOINER = re.compile(r"^(?:['’]s)?[\s\-–]*$")
_TOKEN = re.compile(r"[^\W_][\w'’\-]*")
_COMMA = re.compile(r"[,،]")
# Passive accusation: "Houthis (were) accused of breaching the truce".
_PASSIVE_BE = re.compile(r"^\s*(?:(?:was|were|is|are|been|being|has been|have been)\s+)?$", re.I)
_PASSIVE_OF = re.compile(r"^\s+(?:of|for)\b", re.I)

KIND_MONITOR = "monitor"
ROLE_FREE = "free"
ROLE_MODIFIER = "modifier"  # "Russian-Turkish truce", "US-brokered", "announced by Moscow"
ROLE_PLACE = "place"  # "in south Lebanon", "between the army and the RSF"


@dataclass(frozen=True, slots=True)
class _Actor:
    name: str
    kind: str
    start: int
    end: int
    role: str


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    actors: tuple[_Actor, ...]
    truces: tuple[tuple[int, int], ...]  # spans of valid truce terms
    is_title: bool


@dataclass(frozen=True, slots=True)
class _Reading:
    """What one sentence says: breach evidence, pairs, a speaker without a target, terms."""

    is_breach: bool
    pairs: tuple[Pair, ...]
    speaker: str | None
    terms: tuple[str, ...]


def classify(title: str, summary: str, lang: str | None = None) -> Detection:
    """Classify one feed item: level, accuser -> accused pairs, terms, evidence and summary."""
    title_text = html_to_text(title)
    summary_text = html_to_text(summary)
    code = guess_lang(f"{title_text} {summary_text}", lang)
    lex = load_lexicon(code)
    raw = [(s, True) for s in split_sentences(title_text)]
    raw += [(s, False) for s in split_sentences(summary_text)]
    mentions = [find_actors(text, code) for text, _ in raw]
    actors = _unique(m.name for found in mentions for m in found)
    full = f"{title_text} {summary_text}"
    is_old = lex.search("old_markers", full) is not None
    strong_any = False
    sentences: list[_Sentence] = []
    for (text, is_title), found in zip(raw, mentions, strict=True):
        truces = _valid_truces(lex, text, "truce", is_old)
        strong_any = strong_any or bool(truces)
        sentences.append(_Sentence(text, (), truces, is_title))
    has_context = strong_any or lex.search("truce_context", full) is not None
    if not has_context:
        return _result(Level.NONE, (), (), "", title_text, summary_text, actors)
    sentences = [
        _Sentence(
            s.text,
            _annotate(lex, s.text, found),
            tuple(sorted(s.truces + (_valid_truces(lex, s.text, "truce_weak", is_old)
                                     if has_context else ()))),
            s.is_title,
        )
        for s, found in zip(sentences, mentions, strict=True)
    ]
    if not strong_any and not any(s.truces for s in sentences):
        return _result(Level.NONE, (), (), "", title_text, summary_text, actors)
    readings = _read_item(lex, sentences)
    pairs = _unique(p for r in readings for p in r.pairs)
    terms = _unique(t for s, r in zip(sentences, readings, strict=True)
                    for t in (*(s.text[a:b] for a, b in s.truces), *r.terms))
    breach_at = [i for i, r in enumerate(readings) if r.is_breach or r.pairs]
    if pairs:
        evidence = next(sentences[i].text for i, r in enumerate(readings) if r.pairs)
        return _result(Level.BLAME, pairs, terms, evidence, title_text, summary_text, actors)
    if breach_at:
        evidence = sentences[breach_at[0]].text
        return _result(Level.VIOLATION, (), terms, evidence, title_text, summary_text, actors)
    if strong_any:
        evidence = next(s.text for s in sentences if s.truces)
        return _result(Level.CEASEFIRE, (), terms, evidence, title_text, summary_text, actors)
    return _result(Level.NONE, (), (), "", title_text, summary_text, actors)


def _result(level: Level, pairs, terms, evidence: str, title: str, summary: str,
            actors) -> Detection:
    return Detection(
        level=level,
        pairs=tuple(pairs),
        matched=tuple(terms),
        evidence=evidence,
        summary=summarise(title, summary, evidence),
        actors=tuple(actors),
    )


def _unique(values):
    seen: dict = {}
    for value in values:
        seen.setdefault(value, None)
    return tuple(seen)


# --- truce terms -----------------------------------------------------------------------------


def _valid_truces(lex: Lexicon, text: str, category: str, is_old: bool) -> tuple[tuple[int, int], ...]:
    """Spans of truce terms that speak of an armed conflict now, not trade wars or 1914."""
    found = lex.find(category, text)
    if not found:
        return ()
    if lex.search("metaphor", text):
        return ()  # "trade truce", "boardroom truce", "trêve des confiseurs"
    if is_old and lex.search("history", text):
        return ()  # "100 years since the Christmas truce"
    return tuple(m.span() for m in found)


# --- actors and their roles ------------------------------------------------------------------


def _annotate(lex: Lexicon, text: str, found: list[ActorMention]) -> tuple[_Actor, ...]:
    """Mark each actor as free, a modifier of something else, or a place."""
    out: list[_Actor] = []
    for i, m in enumerate(found):
        role = ROLE_FREE
        if _is_place(lex, text, m):
            role = ROLE_PLACE
        elif _is_modifier(lex, text, m, found[i + 1] if i + 1 < len(found) else None):
            role = ROLE_MODIFIER
        out.append(_Actor(m.name, m.kind, m.start, m.end, role))
    return tuple(out)


def _words_before(text: str, end: int, count: int) -> list[str]:
    return _TOKEN.findall(text[max(0, end - 60) : end])[-count:]


def _is_place(lex: Lexicon, text: str, m: ActorMention) -> bool:
    if m.kind != "state":
        return False  # "القيادي في حركة حماس" (an official *in* Hamas) is a member, not a place
    if lex.locative_suffix is not None and lex.locative_suffix.match(text, m.end):
        return True
    before = _words_before(text, m.start, 3)
    if lex.lang == "ar":
        return bool(before) and _full(lex, "locative", before[-1])
    # Skip determiners and compass words: "in the Libyan capital", "in south Lebanon".
    while before and _full(lex, "determiners", before[-1]):
        before.pop()
    return bool(before) and _full(lex, "locative", before[-1])


def _is_modifier(lex: Lexicon, text: str, m: ActorMention, nxt: ActorMention | None) -> bool:
    after = text[m.end : m.end + 40]
    if lex.search("modifier_suffix", after[:16]) and after[:1] in "-‐–":
        return True
    if nxt is not None and nxt.name != m.name and _JOINER.match(text[m.end : nxt.start]):
        return True  # "Yemen's Houthi movement": the head noun is the actor
    head = _TOKEN.findall(after)[:3]
    if head and _full(lex, "modifier_nouns", head[0]):
        return True  # "with Russian mediation"
    tail = text[m.end : m.end + 50]
    truce = lex.search("truce", tail) or lex.search("truce_weak", tail)
    if lex.order == "sov" and lex.search("modifier_verbs", tail[:20]):
        return True  # "Rusya'nın ilan ettiği ateşkes": the truce Russia declared
    if truce is not None and lex.modifier_before_truce:
        gap = _TOKEN.findall(tail[: truce.start()])
        if len(gap) <= 2 and not any(_is_content_word(lex, w) for w in gap):
            return True  # "Karabakh truce", "India-Pakistan truce", "Russia's first pause"
    before = text[max(0, m.start - 40) : m.start]
    words = _TOKEN.findall(before)[-3:]
    while words and (_full(lex, "determiners", words[-1]) or _full(lex, "agent", words[-1])):
        words.pop()
    return bool(words) and _full(lex, "modifier_verbs", words[-1])


def _full(lex: Lexicon, category: str, word: str) -> bool:
    return lex.is_word(category, word)


def _is_content_word(lex: Lexicon, word: str) -> bool:
    return any(_full(lex, c, word) for c in ("breach", "attack", "accuse", "speech", "negation",
                                             "since_words", "concessive_before", "expiry"))


# --- reading sentences -----------------------------------------------------------------------


def _read_item(lex: Lexicon, sentences: list[_Sentence]) -> list[_Reading]:
    breach = [_breach_terms(lex, s) for s in sentences]
    item_breach = any(breach)
    readings: list[_Reading] = []
    topic: str | None = None
    for sentence, terms in zip(sentences, breach, strict=True):
        pairs: tuple[Pair, ...] = ()
        speaker = None
        if item_breach or _accuses_attack(lex, sentence):
            pairs, speaker, extra = _pairs(lex, sentence, topic)
            terms = terms + extra
        topic = speaker or (pairs[-1].accuser if pairs else topic)
        if topic is None and sentence.is_title:
            topic = next((a.name for a in sentence.actors if a.role == ROLE_FREE
                          and a.kind != KIND_MONITOR), None)
        readings.append(_Reading(bool(breach[len(readings)]), pairs, speaker, terms))
    return readings


def _breach_terms(lex: Lexicon, s: _Sentence) -> tuple[str, ...]:
    """Terms showing that this sentence reports a breach of a truce in force, or ()."""
    if not s.truces:
        return ()
    text = s.text
    for m in lex.find("breach", text):
        if _in_truce(s, m.start(), m.end()):
            continue
        if not _near_truce(s, m.start(), m.end()):
            continue
        if _negated(lex, text, m) or _hypothetical(lex, text, m) or _other_sense(lex, text, m):
            continue
        return (m.group(0),)
    attack = _attack_outside_truce(lex, s)
    if attack is None:
        return ()
    for m in lex.find("concessive_before", text):
        for a, _ in s.truces:
            if 0 <= a - m.end() <= CONCESSIVE_WINDOW:
                return (m.group(0), attack)
    for a, b in s.truces:
        tail = text[b : b + 20]
        hit = lex.search("concessive_after", tail)
        if hit is not None:
            return (hit.group(0), attack)
    for m in lex.find("since_words", text):
        window = text[m.end() : m.end() + CONCESSIVE_WINDOW + 20]
        start = lex.search("start_words", window)
        if start is None or lex.search("expiry", window):
            continue
        if any(0 <= a - m.end() <= CONCESSIVE_WINDOW for a, _ in s.truces):
            return (m.group(0), start.group(0), attack)
    return ()


def _in_truce(s: _Sentence, start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in s.truces)


def _near_truce(s: _Sentence, start: int, end: int) -> bool:
    return any(-BREACH_WINDOW <= start - b and a - end <= BREACH_WINDOW for a, b in s.truces)


def _attack_outside_truce(lex: Lexicon, s: _Sentence) -> str | None:
    for m in lex.find("attack", s.text):
        if not _in_truce(s, m.start(), m.end()):
            return m.group(0)
    return None


def _negated(lex: Lexicon, text: str, m: re.Match[str]) -> bool:
    before = _words_before(text, m.start(), 3)
    if any(_full(lex, "negation", w) for w in before):
        return True
    return lex.patterns["negation_after"].match(text[m.end() :].lstrip()) is not None or bool(
        lex.search("negation_after", text[m.end() : m.end() + 40])
    )


def _hypothetical(lex: Lexicon, text: str, m: re.Match[str]) -> bool:
    before = text[max(0, m.start() - 30) : m.start()]
    return any(_full(lex, "hypothetical", w) for w in _TOKEN.findall(before)[-3:]) or bool(
        lex.search("hypothetical", before[-22:])
    )


def _other_sense(lex: Lexicon, text: str, m: re.Match[str]) -> bool:
    around = text[max(0, m.start() - 25) : m.end() + 35]
    return lex.search("other_sense", around) is not None


def _accuses_attack(lex: Lexicon, s: _Sentence) -> bool:
    """An accusation of an attack while a truce is in the news ("X accuses Y of shelling")."""
    if not s.truces:
        return False
    for m in lex.find("accuse", s.text):
        rest = s.text[m.end() :]
        if lex.search("attack", rest) or lex.search("breach", rest):
            return True
    return False


# --- accusation frames -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pivot:
    start: int
    end: int
    kind: str  # "accuse" | "speech" | "according" | "according_after"
    term: str


def _pivots(lex: Lexicon, text: str) -> list[_Pivot]:
    found: list[_Pivot] = []
    taken: list[tuple[int, int]] = []
    for kind in ("according", "according_after", "accuse", "speech"):
        for m in lex.find(kind, text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            found.append(_Pivot(m.start(), m.end(), kind, m.group(0)))
    return sorted(found, key=lambda p: p.start)


def _pairs(lex: Lexicon, s: _Sentence, topic: str | None):
    """(pairs, speaker without a target, terms) read from one sentence."""
    text = s.text
    parties = [a for a in s.actors if a.role != ROLE_PLACE and a.kind != KIND_MONITOR]
    mutual = lex.search("mutual", text) or _coordinated_complaint(lex, s)
    if mutual is not None:
        names = _unique(a.name for a in parties)
        if len(names) >= 2:
            a, b = names[0], names[1]
            return (Pair(a, b), Pair(b, a)), None, (mutual.group(0),)
    pivots = _pivots(lex, text)
    pairs: list[Pair] = []
    speaker: str | None = None
    terms: list[str] = []
    if s.is_title and not pivots:
        got = _colon_frame(lex, s)
        if got is not None:
            return (got,), None, ()
    for i, pivot in enumerate(pivots):
        end = pivots[i + 1].start if i + 1 < len(pivots) else len(text)
        accuser, accused = _frame(lex, s, pivot, end, topic)
        if accuser is None:
            continue
        if accuser.kind == KIND_MONITOR:
            continue  # independent monitors never make a blame
        found = [n for n in accused if n != accuser.name]
        if not found:
            speaker = speaker or accuser.name
            continue
        terms.append(pivot.term)
        pairs.extend(Pair(accuser.name, n) for n in found)
        speaker = accuser.name
    if not pairs:
        passive = _passive(lex, s, pivots)
        if passive is not None:
            return (passive,), None, ()
    return tuple(pairs), speaker, tuple(terms)


def _coordinated_complaint(lex: Lexicon, s: _Sentence) -> re.Match[str] | None:
    """ "Kiew und Moskau beklagen Verstöße": two coordinated subjects of one accusation verb."""
    free = [a for a in s.actors if a.role == ROLE_FREE]
    for first, second in zip(free, free[1:], strict=False):
        if first.name == second.name:
            continue
        gap = s.text[first.end : second.start].strip()
        if not _full(lex, "conjunction", gap):
            continue
        rest = s.text[second.end : second.end + 40]
        verb = lex.search("accuse", rest)
        if verb is None or len(_TOKEN.findall(rest[: verb.start()])) > 1:
            continue
        if any(a.start >= second.end + verb.end() for a in s.actors if a.role == ROLE_FREE):
            continue  # "X and Y accuse Z": not mutual
        return verb
    return None


class _Speaker:
    """The accuser of a frame: a canonical name and its kind."""

    __slots__ = ("kind", "name")

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind


def _frame(lex: Lexicon, s: _Sentence, pivot: _Pivot, end: int, topic: str | None):
    """(accuser, [accused]) for one pivot verb; accuser None when nobody speaks."""
    text = s.text
    parties = [a for a in s.actors if a.role == ROLE_FREE]
    if pivot.kind == "according":
        src = next((a for a in parties if pivot.end <= a.start <= pivot.end + 45), None)
        if src is None:
            return None, []
        rest = [a for a in parties if a is not src]
        return _Speaker(src.name, src.kind), _content_target(lex, s, rest, 0, len(text), skip=src)
    if pivot.kind == "according_after":
        src = next((a for a in reversed(parties) if 0 <= pivot.start - a.end <= 3), None)
        if src is None:
            return None, []
        rest = [a for a in parties if a is not src]
        return _Speaker(src.name, src.kind), _content_target(lex, s, rest, 0, len(text), skip=src)
    if lex.order == "sov":
        return _frame_sov(lex, s, pivot, topic)
    accuser = _accuser_before(lex, s, pivot, topic)
    region_start = pivot.end
    if accuser is None and lex.order == "vso":
        # Verb first: "اتهمت قوات سوريا الديمقراطية أنقرة": the first name after it speaks.
        comp = lex.search("complementizer", text[pivot.end : end])
        limit = pivot.end + (comp.start() if comp else 45)
        first = next((a for a in parties if pivot.end <= a.start <= min(limit, pivot.end + 45)),
                     None)
        if first is not None:
            accuser = _Speaker(first.name, first.kind)
            region_start = first.end
    if accuser is None:
        return None, []
    if pivot.kind == "accuse":
        return accuser, _object_target(lex, s, region_start, end, accuser.name, pivot)
    return accuser, _content_target(lex, s, parties, region_start, end)


def _clause_start(lex: Lexicon, text: str, pivot: _Pivot) -> int:
    """Where the clause holding the pivot begins (after a comma or clause break before it)."""
    before = text[: pivot.start]
    cut = 0
    for m in lex.find("clause_break", before):
        cut = max(cut, m.end())
    return cut


def _accuser_before(lex: Lexicon, s: _Sentence, pivot: _Pivot, topic: str | None):
    text = s.text
    start = _clause_start(lex, text, pivot)
    candidates = [a for a in s.actors if a.role == ROLE_FREE and start <= a.start
                  and a.end <= pivot.start]
    if pivot.kind == "speech":
        # Post-posed attribution: "Shells hit Damascus, state media says" -> the short phrase
        # after the last comma is the speaker, not the subject of the main clause.
        comma = max((m.end() for m in _COMMA.finditer(text, 0, pivot.start)), default=-1)
        if comma > 0 and len(_TOKEN.findall(text[comma : pivot.start])) <= 6:
            head = text[:comma]
            if lex.search("attack", head) or lex.search("breach", head):
                near = [a for a in candidates if a.start >= comma]
                if not near:
                    return None
                return _Speaker(near[-1].name, near[-1].kind)
    if candidates:
        last = candidates[-1]
        return _Speaker(last.name, last.kind)
    # No name before the verb: "The ministry said", "It also accused": reuse the topic.
    prefix = text[start : pivot.start]
    words = _TOKEN.findall(prefix)
    if topic is None or len(words) > MAX_ANAPHOR_WORDS:
        return None
    if lex.search("non_party_speakers", prefix):
        return None  # "Witnesses said", "a military source said"
    if any(a.start < pivot.start for a in s.actors if a.role == ROLE_PLACE) and not words:
        return None
    return _Speaker(topic, "")


def _object_target(lex: Lexicon, s: _Sentence, start: int, end: int, accuser: str,
                   pivot: _Pivot) -> list[str]:
    """The accused of "accuse/blame": the first name after the verb, plus names joined by 'and'."""
    text = s.text
    after = [a for a in s.actors if a.role == ROLE_FREE and start <= a.start < end
             and a.kind != KIND_MONITOR]
    rest = text[start:end]
    if not lex.search("attack", rest) and not lex.search("breach", rest):
        return []
    vague = lex.search("vague", rest)
    if after and vague is not None and start + vague.start() < after[0].start:
        return []  # "blamed unspecified 'terrorist groups'"
    if not after:
        words = _TOKEN.findall(rest)[:2]
        if words and any(_full(lex, "pronouns", w) for w in words):
            # "accusing him of violating previous truces": the last other name before.
            back = [a for a in s.actors if a.end <= pivot.start and a.name != accuser
                    and a.role != ROLE_PLACE]
            return [back[-1].name] if back else []
        generic = _generic_forces(lex, s, rest, accuser)
        return [generic] if generic else []
    names = [after[0].name]
    for prev, cur in zip(after, after[1:], strict=False):
        gap = text[prev.end : cur.start].strip(" ,")
        words = _TOKEN.findall(gap)
        if not words or not all(_full(lex, "conjunction", w) or _full(lex, "determiners", w)
                                for w in words):
            break
        names.append(cur.name)
    return names


def _content_target(lex: Lexicon, s: _Sentence, parties: list[_Actor], start: int, end: int,
                    skip: _Actor | None = None) -> list[str]:
    """The accused in reported speech: who fires, breaks or attacks in the clause."""
    text = s.text
    hits = [m for m in (*lex.find("attack", text), *lex.find("breach", text))
            if start <= m.start() < end and not _in_truce(s, m.start(), m.end())
            and (skip is None or not skip.start <= m.start() < skip.end)]
    if not hits:
        return []
    hits.sort(key=lambda m: m.start())
    first = hits[0]
    before = [a for a in parties if start <= a.start and a.end <= first.start()
              and a.kind != KIND_MONITOR and a is not skip]
    names: list[str] = []
    if before:
        vague = lex.search("vague", text[before[-1].end : first.start()])
        if vague is None:
            names.append(before[-1].name)
    if not names:
        agent = _agent_after(lex, s, parties, first.end(), end, skip)
        if agent is not None:
            names.append(agent)
    # "said Iran had fired ... but that Israel had also breached the deal": a second clause.
    for brk in lex.find("clause_break", text[first.end() : end]):
        at = first.end() + brk.end()
        later = [m for m in hits if m.start() > at]
        if not later:
            break
        cand = [a for a in parties if at <= a.start and a.end <= later[0].start()
                and a.kind != KIND_MONITOR]
        if cand and cand[-1].name not in names:
            names.append(cand[-1].name)
    return names


def _agent_after(lex: Lexicon, s: _Sentence, parties: list[_Actor], start: int, end: int,
                 skip: _Actor | None) -> str | None:
    """ "killed by Indian fire", "со стороны украинских военных", "durch die Hamas"."""
    text = s.text
    for m in lex.find("agent", text[start:end]):
        at = start + m.end()
        for a in parties:
            if a is skip or a.kind == KIND_MONITOR or a.start < at:
                continue
            if len(_TOKEN.findall(text[at : a.start])) <= 3:
                return a.name
            break
    return None


def _generic_forces(lex: Lexicon, s: _Sentence, rest: str, accuser: str) -> str | None:
    """ "government forces", "the army": the state the item is about, if one stands out."""
    if lex.search("generic_forces", rest[:40]) is None:
        return None
    states = [a.name for a in s.actors if a.kind == "state" and a.name != accuser]
    return states[0] if len(set(states)) == 1 else None


def _frame_sov(lex: Lexicon, s: _Sentence, pivot: _Pivot, topic: str | None):
    """Turkish: subject first, verb last: "Azerbaycan Savunma Bakanlığı ... Ermenistan ... açıkladı"."""
    text = s.text
    parties = [a for a in s.actors if a.role == ROLE_FREE and a.end <= pivot.start]
    if parties:
        accuser = _Speaker(parties[0].name, parties[0].kind)
        rest = parties[1:]
    elif topic is not None:
        accuser = _Speaker(topic, "")
        rest = parties
    else:
        return None, []
    start = parties[0].end if parties else 0
    return accuser, _content_target(lex, s, rest, start, pivot.start) or (
        _content_target(lex, s, rest, start, len(text)) if pivot.kind == "accuse" else [])


def _colon_frame(lex: Lexicon, s: _Sentence) -> Pair | None:
    """Headline "Yerevan: Azerbaijan resumed offensive hours after truce began"."""
    text = s.text
    colon = text.find(":")
    if colon <= 0 or colon > 45:
        return None
    head = [a for a in s.actors if a.end <= colon and a.role != ROLE_PLACE
            and a.kind != KIND_MONITOR]
    if not head:
        return None
    accuser = head[-1]
    body = [a for a in s.actors if a.start > colon and a.role == ROLE_FREE
            and a.kind != KIND_MONITOR]
    targets = _content_target(lex, s, body, colon + 1, len(text))
    if lex.order == "sov" and not targets:
        targets = [body[0].name] if body and (lex.search("breach", text[colon:])) else []
    target = next((t for t in targets if t != accuser.name), None)
    return Pair(accuser.name, target) if target else None


def _passive(lex: Lexicon, s: _Sentence, pivots: list[_Pivot]) -> Pair | None:
    """ "Houthis accused of breaching truce by the coalition" (accuser only when named)."""
    text = s.text
    for pivot in pivots:
        if pivot.kind != "accuse" or not _PASSIVE_OF.match(text, pivot.end):
            continue
        before = [a for a in s.actors if a.role == ROLE_FREE and a.end <= pivot.start]
        if not before or not _PASSIVE_BE.match(text[before[-1].end : pivot.start]):
            continue
        parties = [a for a in s.actors if a.role == ROLE_FREE]
        agent = _agent_after(lex, s, parties, pivot.end, len(text), before[-1])
        if agent is not None and agent != before[-1].name:
            return Pair(agent, before[-1].name)
    return None
