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
from itertools import pairwise

from feeds.actors import ActorMention, find_actors, group_state
from feeds.lang import guess_lang
from feeds.lexicon import Lexicon, fold, folds_as_lower, load_lexicon
from feeds.model import Detection, Level, Pair
from feeds.summarise import split_sentences, summarise_sentences
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
_QUOTE_MARK = re.compile("[\"“”«»]")
_WORD = re.compile(r"\w+")
# Passive accusation: "Houthis (were) accused of breaching the truce".
_PASSIVE_BE = re.compile(r"\s*(?:(?:was|were|is|are|been|being|has been|have been)\s+)?$", re.I)
_PASSIVE_OF = re.compile(r"\s+(?:of|for|by|par|por|von|durch)\b", re.I)
# "..., citing", "..., acusando": a participle after a comma has the main clause's subject.
_PARTICIPLE_ING = re.compile(r"(?:ing|ando|iendo)$", re.I)
_PARTICIPLE = re.compile(r"(?:ed|é|ée|és|ées|ado|ada|ados|adas|t)$", re.I)

_OPEN_QUOTES = frozenset("'\"«‘“„‹")
_CLOSE_QUOTES = frozenset("'\"»’”“›")

KIND_MONITOR = "monitor"
ROLE_FREE = "free"
ROLE_MODIFIER = "modifier"  # "Russian-Turkish truce", "US-brokered", "announced by Moscow"
ROLE_PLACE = "place"  # "in south Lebanon", "between the army and the RSF"
ROLE_MEDIATOR = "mediator"  # "US-brokered truce", "with Russian mediation": not a party


@dataclass(frozen=True, slots=True)
class _Actor:
    name: str
    kind: str
    start: int
    end: int
    role: str


class _Hit:
    """A lexicon match found in folded text, with the span's text as written (re.Match-like)."""

    __slots__ = ("_end", "_start", "_text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self._start = start
        self._end = end
        self._text = text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def span(self) -> tuple[int, int]:
        return (self._start, self._end)

    def group(self, _index: int = 0) -> str:
        return self._text


class _ItemScan:
    """Lexicon matches in a whole item, found once per category and split by sentence.

    One scan of the item's folded text per category replaces one per sentence: most categories
    match nowhere, and the rest rarely straddle a sentence edge (then each sentence is scanned).
    """

    __slots__ = ("folded", "found", "lex", "odd", "sentences", "spans", "text")

    def __init__(self, lex: Lexicon, text: str, sentences: list[str],
                 spans: list[tuple[int, int]] | None) -> None:
        self.lex = lex
        self.text = text
        self.folded = " " + fold(text)  # what Lexicon.folded patterns read
        self.odd = not folds_as_lower(text)
        self.sentences = sentences
        self.spans = spans  # where each sentence lies in `text`; None if unknown
        self.found: dict[str, list[tuple]] = {}

    def any(self, category: str) -> bool:
        """Whether `category` matches anywhere in the item."""
        pattern = self.lex.folded[category]
        if pattern is None:
            return self.lex.patterns[category].search(self.text) is not None
        return pattern.search(self.folded) is not None

    def find(self, category: str) -> list[tuple]:
        """Per sentence, every match of `category` in it (offsets local to the sentence)."""
        hit = self.found.get(category)
        if hit is None:
            hit = self._split(category)
            if self.odd:
                hit = self._heads_filter(category, hit)
            self.found[category] = hit
        return hit

    def _split(self, category: str) -> list[tuple]:
        lex, spans = self.lex, self.spans
        pattern = lex.folded[category]
        if pattern is None:
            return [tuple(lex.patterns[category].finditer(t)) for t in self.sentences]
        found = [m.span("t") for m in pattern.finditer(self.folded)]
        if not found:
            return [()] * len(self.sentences)
        if spans is not None and category in lex.local:
            out: list[list[_Hit]] = [[] for _ in spans]
            text, i, n = self.text, 0, len(spans)
            for a, b in found:
                a, b = a - 1, b - 1  # the folded text has a leading space
                while i < n and spans[i][1] < b:
                    i += 1
                if i == n or a < spans[i][0]:
                    break  # the match straddles a sentence edge: scan sentence by sentence
                out[i].append(_Hit(a - spans[i][0], b - spans[i][0], text[a:b]))
            else:
                return [tuple(hits) for hits in out]
        each = []
        for t in self.sentences:
            local = [m.span("t") for m in pattern.finditer(" " + fold(t))]
            each.append(tuple(_Hit(a - 1, b - 1, t[a - 1 : b - 1]) for a, b in local))
        return each

    def _heads_filter(self, category: str, hits: list[tuple]) -> list[tuple]:
        """Drop hits in sentences no word of which starts like a term, as told by lower().

        That cheap test decided before folding existed; it differs from re.IGNORECASE only for
        "İ" and letters like "ı" or "ſ", so results stay as they were for such texts too.
        """
        wanted = self.lex.heads[category]
        if wanted is None:
            return hits
        return [found and (() if wanted.isdisjoint(_heads(t)) else found)
                for t, found in zip(self.sentences, hits, strict=True)]


def _heads(text: str) -> frozenset[str]:
    """The first one, two and three letters of every word, lower case."""
    words = _WORD.findall(text.lower())
    return frozenset(w[:n] for w in words for n in (1, 2, 3))


class _Scan:
    """Lexicon matches in one sentence, found once per category and shared by every rule."""

    __slots__ = ("index", "item", "lex", "text")

    def __init__(self, item: _ItemScan, index: int) -> None:
        self.item = item
        self.index = index
        self.lex = item.lex
        self.text = item.sentences[index]

    def find(self, category: str) -> tuple:
        """Every match of `category` in the sentence."""
        hits = self.item.found.get(category)  # the hot path: no call when cached
        if hits is None:
            hits = self.item.find(category)
        return hits[self.index]

    def search(self, category: str, start: int = 0, end: int | None = None):
        """The first match of `category` lying inside text[start:end] (absolute offsets)."""
        stop = len(self.text) if end is None else end
        for m in self.item.find(category)[self.index]:
            if m.start() >= start and m.end() <= stop:
                return m
        return None


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    actors: tuple[_Actor, ...]
    truces: tuple[tuple[int, int], ...]  # spans of valid truce terms
    is_title: bool
    scan: _Scan


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
    title_actors = find_actors(title_text, code)
    summary_actors = find_actors(summary_text, code)
    actors = _unique(m.name for m in (*title_actors, *summary_actors))
    full = f"{title_text} {summary_text}"
    raw = [(text, found, True, at) for text, found, at in _by_sentence(title_text, title_actors)]
    shift = len(title_text) + 1
    raw += [(text, found, False, at + shift)
            for text, found, at in _by_sentence(summary_text, summary_actors)]
    own = [r[0] for r in raw if not r[2]] or [r[0] for r in raw]
    spans = [(at, at + len(text)) for text, _, _, at in raw]
    if not all(full.startswith(text, at) for text, _, _, at in raw):
        spans = None  # cannot happen: sentences are pieces of the collapsed text
    item = _ItemScan(lex, full, [r[0] for r in raw], spans)
    if not item.any("gate"):
        return _result(Level.NONE, (), (), "", own, actors)  # most items stop here
    is_old = item.any("old_markers")
    scans = [_Scan(item, i) for i in range(len(raw))]
    strong = [_valid_truces(scan, "truce", is_old) for scan in scans]
    void = _background(lex, scans, [r[2] for r in raw], strong, is_old)
    strong = [() if off else truces for truces, off in zip(strong, void, strict=True)]
    if any(strong) and not actors and _no_armed_conflict(lex, item, scans, strong):
        strong = [()] * len(strong)  # "Gallagher brothers call truce", "Chequers truce"
    strong_any = any(strong)
    has_context = strong_any or item.any("truce_context")
    # Without a truce term, "during the pause" or "ending months of calm" still speaks of a
    # truce when the item is about troops and fighting; it can only ever make a breach.
    weak = "truce_weak" if has_context else (
        "lull" if item.any("military") else None)
    sentences = [
        _Sentence(text, (), () if off else tuple(sorted(
            truces + (_valid_truces(scan, weak, is_old) if weak else ())
            + (() if truces else _line_fire(lex, scan)))), is_title, scan)
        for (text, _, is_title, _), scan, truces, off in zip(raw, scans, strong, void,
                                                              strict=True)
    ]
    if not strong_any and not any(s.truces for s in sentences):
        return _result(Level.NONE, (), (), "", own, actors)
    breach = [_breach_terms(lex, s) for s in sentences]
    if strong_any and not any(breach):
        # "..., citing Israeli breaches": an accused breach of the truce another sentence names.
        breach = [_accused_breach(lex, s) if not s.truces else () for s in sentences]
    if any(breach) or any(_accuses_attack(lex, s) for s in sentences):
        # Roles of actors matter only when someone may be blamed; skip them for plain news.
        sentences = [_Sentence(s.text, _annotate(s.scan, r[1]), s.truces, s.is_title, s.scan)
                     for s, r in zip(sentences, raw, strict=True)]
    readings = _read_item(lex, sentences, breach)
    pairs = _unique(p for r in readings for p in r.pairs)
    terms = _unique(t for s, r in zip(sentences, readings, strict=True)
                    for t in (*(s.text[a:b] for a, b in s.truces), *r.terms))
    breach_at = [i for i, r in enumerate(readings) if r.is_breach or r.pairs]
    if pairs:
        evidence = next(sentences[i].text for i, r in enumerate(readings) if r.pairs)
        return _result(Level.BLAME, pairs, terms, evidence, own, actors)
    if breach_at:
        evidence = sentences[breach_at[0]].text
        return _result(Level.VIOLATION, (), terms, evidence, own, actors)
    if strong_any:
        evidence = next(s.text for s in sentences if s.truces)
        return _result(Level.CEASEFIRE, (), terms, evidence, own, actors)
    return _result(Level.NONE, (), (), "", own, actors)


def _result(level: Level, pairs, terms, evidence: str, own: list[str], actors) -> Detection:
    return Detection(
        level=level,
        pairs=tuple(pairs),
        matched=tuple(terms),
        evidence=evidence,
        summary=summarise_sentences(own, evidence),
        actors=tuple(actors),
    )


def _by_sentence(text: str, found: list[ActorMention]):
    """Sentences of `text`, each with the actor mentions inside it (offsets made local) and
    where it starts in `text`."""
    at = 0
    for sentence in split_sentences(text):
        start = text.find(sentence, at)
        if start < 0:  # cannot happen: sentences are pieces of the collapsed text
            start = at
        end = start + len(sentence)
        at = end
        if start == 0:  # offsets already local: keep the mentions as they are
            local = [m for m in found if m.end <= end]
        else:
            local = [ActorMention(m.name, m.start - start, m.end - start, m.surface, m.kind)
                     for m in found if start <= m.start and m.end <= end]
        yield sentence, local, start


def _unique(values):
    seen: dict = {}
    for value in values:
        seen.setdefault(value, None)
    return tuple(seen)


# --- truce terms -----------------------------------------------------------------------------


def _valid_truces(scan: _Scan, category: str, is_old: bool) -> tuple[tuple[int, int], ...]:
    """Spans of truce terms that speak of an armed conflict now, not trade wars or 1914."""
    found = scan.find(category)
    if not found:
        return ()
    if scan.find("metaphor"):
        return ()  # "trade truce", "boardroom truce", "trêve des confiseurs"
    if is_old and scan.find("history"):
        return ()  # "100 years since the Christmas truce"
    return tuple(m.span() for m in found)


def _no_armed_conflict(lex: Lexicon, item: _ItemScan, scans: list[_Scan],
                       strong: list[tuple[tuple[int, int], ...]]) -> bool:
    """No actor, no military word and only words like "truce" that also name a quarrel's end."""
    if item.any("military") or item.any("attack"):
        return False
    return all(lex.is_word("truce_soft", scan.text[a:b])
               for scan, truces in zip(scans, strong, strict=True) for a, b in truces)


def _line_fire(lex: Lexicon, scan: _Scan) -> tuple[tuple[int, int], ...]:
    """ "Troops exchange fire along the Line of Control": firing on a ceasefire line breaches."""
    lines = scan.find("ceasefire_line")
    if not lines:
        return ()
    for m in scan.find("attack"):
        if not _halted(lex, scan.text, m):
            return (lines[0].span(),)
    return ()


def _halted(lex: Lexicon, text: str, m: re.Match[str]) -> bool:
    """ "agree to stop firing", "no shelling": the attack word names no attack."""
    return any(_full(lex, "halt", w) or _full(lex, "negation", w)
               for w in _words_before(text, m.start(), 3))


def _quoted(text: str, truces: tuple[tuple[int, int], ...]) -> bool:
    return bool(truces) and all(
        text[a - 1 : a] in _OPEN_QUOTES and text[b : b + 1] in _CLOSE_QUOTES for a, b in truces
        if a > 0)


def _background(lex: Lexicon, scans: list[_Scan], titles: list[bool],
                strong: list[tuple[tuple[int, int], ...]], is_old: bool) -> list[bool]:
    """Per sentence, whether its truce terms are background rather than news of a truce.

    A headline's truce is metaphorical when the item's lead explains the metaphor
    ("Galatasaray ve Fenerbahçe arasında 'ateşkes'" + "derbi öncesi"); a truce named only in
    the summary of an anniversary piece ("50 years since division") or as "the last truce"
    under a headline about something else is history.
    """
    void = [False] * len(scans)
    if not any(strong):
        return void
    # Only a quoted headline truce is explained by the lead: "arasında 'ateşkes'".
    quoted = [t and _quoted(scan.text, truces) for t, scan, truces
              in zip(titles, scans, strong, strict=True)]
    if any(quoted) and any(scan.find("metaphor") for scan in scans):
        void = quoted
    title_truce = any(t and s for t, s in zip(titles, strong, strict=True))
    if title_truce:
        return void
    if is_old and any(t and scan.find("history") for t, scan in zip(titles, scans, strict=True)):
        return [True] * len(scans)
    for i, (scan, truces) in enumerate(zip(scans, strong, strict=True)):
        if truces and all(scan.search("past", max(0, a - 30), a) for a, _ in truces):
            void[i] = True  # "El último cese al fuego expiró en 2024": not news of a truce
    return void


# --- actors and their roles ------------------------------------------------------------------


def _annotate(scan: _Scan, found: list[ActorMention]) -> tuple[_Actor, ...]:
    """Mark each actor as free, a modifier of something else, or a place."""
    lex, text = scan.lex, scan.text
    out: list[_Actor] = []
    for i, m in enumerate(found):
        role = ROLE_PLACE if _is_place(lex, text, m) else None
        role = role or _modifier_role(scan, m, found[i + 1] if i + 1 < len(found) else None)
        role = role or ROLE_FREE
        out.append(_Actor(m.name, m.kind, m.start, m.end, role))
    return tuple(out)


# A wire credit closing a headline: "— Reuters", "- AP".
_SOURCE_TAIL = re.compile(r"\s+[-–—]\s+[^\W\d_][\w.]*(?:\s+[\w.]+){0,2}\s*$")


def _words_before(text: str, end: int, count: int) -> list[str]:
    return _TOKEN.findall(text[max(0, end - 60) : end])[-count:]


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
        if len(gap) <= 2 and not any(_is_content_word(lex, w) or _is_function_word(w)
                                     for w in gap):
            return ROLE_MODIFIER  # "Karabakh truce", "India-Pakistan truce", "Russia's pause"
    before = text[max(0, m.start - 40) : m.start]
    words = _TOKEN.findall(before)[-3:]
    while words and (_full(lex, "determiners", words[-1]) or _full(lex, "agent", words[-1])):
        words.pop()
    if words and _full(lex, "modifier_verbs", words[-1]):
        return ROLE_MEDIATOR  # "brokered by Qatar", "announced by Moscow"
    return None


def _full(lex: Lexicon, category: str, word: str) -> bool:
    return lex.is_word(category, word)


def _is_function_word(word: str) -> bool:
    # "blames Armenia for ceasefire violation": a short lower-case word links two phrases.
    return word.islower() and len(word) <= 4


def _is_content_word(lex: Lexicon, word: str) -> bool:
    return any(_full(lex, c, word) for c in ("breach", "attack", "accuse", "speech", "negation",
                                             "since_words", "concessive_before", "expiry"))


# --- reading sentences -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    """What earlier sentences of the item tell a later one."""

    topic: str | None  # the last party that spoke ("The ministry said ..." refers back to it)
    subject: str | None  # the first party named in the previous sentence
    home_state: str | None  # the one state the item is about, for "government forces"
    rebel: str | None = None  # the one armed group the item is about, for "the rebels said"
    local: str | None = None  # a speaker found earlier in the same sentence
    parties: tuple[str, ...] = ()  # every party the item names, for "'They broke the truce': Y"


def _read_item(lex: Lexicon, sentences: list[_Sentence],
               breach: list[tuple[str, ...]]) -> list[_Reading]:
    item_breach = any(breach)
    parties = _unique(a.name for s in sentences for a in s.actors
                      if a.role == ROLE_FREE and a.kind not in (KIND_MONITOR, "body"))
    ctx = _Context(None, None, *_home(sentences), parties=parties)
    readings: list[_Reading] = []
    for sentence, terms in zip(sentences, breach, strict=True):
        pairs: tuple[Pair, ...] = ()
        speaker = None
        if item_breach or _accuses_attack(lex, sentence):
            pairs, speaker, extra = _pairs(lex, sentence, ctx)
            terms = terms + extra
        topic = speaker or (pairs[-1].accuser if pairs else ctx.topic)
        first = next((a.name for a in sentence.actors if a.role == ROLE_FREE
                      and a.kind != KIND_MONITOR), None)
        if topic is None and sentence.is_title:
            topic = first
        ctx = _Context(topic, first, ctx.home_state, ctx.rebel, parties=parties)
        readings.append(_Reading(bool(breach[len(readings)]), pairs, speaker, terms))
    return readings


def _home(sentences: list[_Sentence]) -> tuple[str | None, str | None]:
    """The state "the army" means and the group "the rebels" means, when the item tells."""
    named = [a for s in sentences for a in s.actors if a.role in (ROLE_FREE, ROLE_MODIFIER)]
    states = {a.name for a in named if a.kind == "state"}
    groups = {a.name for a in named if a.kind == "group"}
    rebel = next(iter(groups)) if len(groups) == 1 else None
    if len(states) == 1:
        return next(iter(states)), rebel
    # "El ELN acusa al Ejército": the army is the one the item's armed groups fight.
    fought = {group_state(g) for g in groups} - {None}
    if len(fought) == 1 and (not states or fought <= states):
        return fought.pop(), rebel
    return None, rebel


def _breach_terms(lex: Lexicon, s: _Sentence) -> tuple[str, ...]:
    """Terms showing that this sentence reports a breach of a truce in force, or ()."""
    if not s.truces:
        return ()
    text = s.text
    for m in s.scan.find("breach"):
        if _in_truce(s, m.start(), m.end()):
            continue
        if not _near_truce(s, m.start(), m.end()):
            continue
        if _negated(lex, text, m) or _hypothetical(lex, text, m) or _other_sense(lex, text, m):
            continue
        return (m.group(0),)
    attack = _attack_outside_truce(lex, s, 0)
    if attack is None:
        return ()
    for m in s.scan.find("concessive_before"):
        for a, _ in s.truces:
            if 0 <= a - m.end() <= CONCESSIVE_WINDOW:
                return (m.group(0), attack)
    for _, b in s.truces:
        hit = lex.search("concessive_after", text[b : b + 20])
        if hit is not None:
            return (hit.group(0), attack)
    for m in s.scan.find("since_words"):
        window = text[m.end() : m.end() + CONCESSIVE_WINDOW + 20]
        start = lex.search("start_words", window)
        if start is None or lex.search("expiry", window) or lex.search("pending", window):
            continue  # "after a truce due to take effect at 4 a.m." has not begun
        if any(0 <= a - m.end() <= CONCESSIVE_WINDOW for a, _ in s.truces):
            return (m.group(0), start.group(0), attack)
    found = _temporal_breach(lex, s)
    if found:
        return found
    # "A truce took effect, but shelling was recorded overnight."
    start = lex.search("start_words", text)
    if (start is not None and lex.search("expiry", text) is None
            and lex.search("pending", text) is None):
        for brk in s.scan.find("clause_break"):
            if brk.start() > s.truces[0][0]:
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
    live = [m for m in s.scan.find("attack")
            if not _in_truce(s, m.start(), m.end()) and not _halted(lex, text, m)]
    if not live:
        return ()
    for m in s.scan.find("ceasefire_line"):
        if m.span() in s.truces:
            return (m.group(0), live[0].group(0))
    for m in s.scan.find("since_always"):
        window = text[m.end() : m.end() + CONCESSIVE_WINDOW + 20]
        if lex.search("expiry", window) or lex.search("pending", window):
            continue  # "since the truce expired": fighting after it is no breach
        for a, _ in s.truces:
            if 0 <= a - m.end() <= CONCESSIVE_WINDOW and not s.scan.search("past", m.end(), a):
                return (m.group(0), live[0].group(0))
    for m in s.scan.find("ending"):
        if any(0 <= a - m.end() <= 40 for a, _ in s.truces) and live[0].start() < m.start():
            return (live[0].group(0), m.group(0))
    for m in s.scan.find("reply"):
        for a, b in s.truces:
            if 0 <= a - m.end() <= 40 and any(0 <= x.start() - b <= 30 for x in live):
                return (m.group(0), live[-1].group(0))
    return ()


def _accused_breach(lex: Lexicon, s: _Sentence) -> tuple[str, ...]:
    """ "Hamas delays release, citing Israeli breaches": a breach charged to someone while the
    item's other sentences name the truce."""
    for m in s.scan.find("breach"):
        before = s.text[max(0, m.start() - 40) : m.start()]
        # "... said Houthi fighters had violated it": the object pronoun is the item's truce.
        anaphora = lex.search("truce_anaphora", s.text[m.end() : m.end() + 4])
        if lex.search("accuse", before) is None and anaphora is None:
            continue
        if _negated(lex, s.text, m) or _hypothetical(lex, s.text, m) or _other_sense(
                lex, s.text, m):
            continue
        return (m.group(0),)
    return ()


def _in_truce(s: _Sentence, start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in s.truces)


def _near_truce(s: _Sentence, start: int, end: int) -> bool:
    # "Ceasefire talks ... collapse": a truce term qualifying talks or a plan is no truce.
    return any(start - b >= -BREACH_WINDOW and a - end <= BREACH_WINDOW
               and not s.scan.search("truce_topic", b, b + 16) for a, b in s.truces)


def _attack_outside_truce(lex: Lexicon, s: _Sentence, start: int) -> str | None:
    for m in s.scan.find("attack"):
        if m.start() >= start and not _in_truce(s, m.start(), m.end()):
            if _negated(lex, s.text, m):
                continue  # "reported no new strikes overnight, as the truce ..."
            return m.group(0)
    return None


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
    """An accusation of an attack while a truce is in the news ("X accuses Y of shelling")."""
    if not s.truces:
        return False
    for m in s.scan.find("accuse"):
        if s.scan.search("attack", m.end()) or s.scan.search("breach", m.end()):
            return True
    return False


# --- accusation frames -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pivot:
    start: int
    end: int
    kind: str  # "accuse" | "speech" | "according" | "according_after"
    term: str


@dataclass(frozen=True, slots=True)
class _Speaker:
    """The accuser of a frame: a canonical name and its kind ("" when carried over)."""

    name: str
    kind: str
    also: tuple[str, ...] = ()  # co-speakers joined by "and": "Saudi Arabia and the US said"
    tail: int = -1  # "X broke the truce, Y said": the comma ending the reported clause


def _pivots(scan: _Scan) -> list[_Pivot]:
    found: list[_Pivot] = []
    taken: list[tuple[int, int]] = []
    for kind in ("according", "according_after", "accuse", "speech"):
        for m in scan.find(kind):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            found.append(_Pivot(m.start(), m.end(), kind, m.group(0)))
    return sorted(found, key=lambda p: p.start)


def _pairs(lex: Lexicon, s: _Sentence, ctx: _Context):
    """(pairs, speaker without a target, terms) read from one sentence."""
    text = s.text
    mutual = s.scan.search("mutual") or _coordinated_complaint(lex, s)
    if mutual is not None:
        names = _mutual_parties(s, mutual)
        if (len(names) == 1 and ctx.home_state and ctx.home_state not in names
                and s.scan.search("generic_forces", 0, mutual.start())):
            names.append(ctx.home_state)  # "El Gobierno y el ELN se acusan"
        if len(names) >= 2:
            a, b = names[0], names[1]
            return (Pair(a, b), Pair(b, a)), None, (mutual.group(0),)
    pivots = _pivots(s.scan)
    pairs: list[Pair] = []
    speaker: str | None = None
    terms: list[str] = []
    if s.is_title:
        got = _quote_colon_frame(lex, s, ctx)
        if got is not None:
            return (got,), None, ()
    # A first-person headline quote may hold a speech verb of its own: "Саакашвили: сепаратисты
    # ответили на наше перемирие обстрелами" (answered our truce with shelling).
    if s.is_title and (not pivots or s.scan.find("first_person")):
        got = _colon_frame(lex, s, ctx)
        if got is not None:
            return (got,), None, ()
    for i, pivot in enumerate(pivots):
        end = pivots[i + 1].start if i + 1 < len(pivots) else len(text)
        passive = _passive(lex, s, pivot)
        if passive is not None:
            if passive.accuser:
                pairs.append(passive)
                terms.append(pivot.term)
            continue
        accuser, accused = _frame(lex, s, pivot, end, ctx)
        if accuser is None or accuser.kind == KIND_MONITOR:
            continue  # independent monitors never make a blame
        ctx = _Context(accuser.name, ctx.subject, ctx.home_state, ctx.rebel, accuser.name,
                       ctx.parties)
        found = [n for n in accused if n != accuser.name]
        if not found:
            found = _called_a_breach(lex, s, pivot, end, accuser.name, ctx)
        if not found:
            speaker = speaker or accuser.name
            continue
        terms.append(pivot.term)
        for name in (accuser.name, *accuser.also):  # "Saudi Arabia and the US said"
            pairs.extend(Pair(name, n) for n in found if n != name)
        speaker = accuser.name
    return tuple(pairs), speaker, tuple(terms)


def _mutual_parties(s: _Sentence, mutual: re.Match[str] | _Hit) -> list[str]:
    """The two parties nearest the mutual-blame phrase; places ("between X and Y") count too."""
    def rank(a: _Actor) -> tuple[int, int]:
        distance = a.start - mutual.end() if a.start >= mutual.end() else mutual.start() - a.end
        return (a.role == ROLE_PLACE and a.kind != "state", max(distance, 0))

    # A broker is not a party: "Baku and Stepanakert trade blame as Moscow-brokered truce ..."
    ranked = sorted((a for a in s.actors if a.kind != KIND_MONITOR and a.role != ROLE_MEDIATOR),
                    key=rank)
    before = _unique(a.name for a in ranked if a.end <= mutual.start() and a.role == ROLE_FREE)
    if len(before) >= 2:
        return list(before)  # the subjects: "Kinshasa et l'AFC/M23 se rejettent ..."
    return list(_unique(a.name for a in ranked))


def _coordinated_complaint(lex: Lexicon, s: _Sentence) -> _Hit | None:
    """ "Kiew und Moskau beklagen Verstöße": two coordinated subjects of one accusation verb."""
    free = [a for a in s.actors if a.role == ROLE_FREE]
    for first, second in pairwise(free):
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
        # Offsets in the sentence, so the parties are ranked by their distance to the verb.
        return _Hit(second.end + verb.start(), second.end + verb.end(), verb.group(0))
    return None


def _frame(lex: Lexicon, s: _Sentence, pivot: _Pivot, end: int, ctx: _Context):
    """(accuser, [accused]) for one pivot verb; accuser None when nobody speaks."""
    text = s.text
    parties = [a for a in s.actors if a.role == ROLE_FREE]
    if pivot.kind in ("according", "according_after"):
        return _according(lex, s, pivot, ctx)
    if lex.order == "sov":
        return _frame_sov(lex, s, pivot, ctx)
    head = text[: pivot.start].rstrip()
    if pivot.kind == "speech" and head.endswith((",", "،")) and (
        lex.search("breach", head) or lex.search("attack", head)
    ) and not (s.scan.search("speech", 0, len(head)) or s.scan.search("accuse", 0, len(head))):
        # (A head with a verb of saying of its own makes this a second verb of its subject:
        # "Trump says Israel and Iran broke the truce, tells Israel to ...".)
        # "Russia broke the truce, said Ukraine's General Staff": the speaker follows the verb;
        # "..., заявили в Минобороны России" (said in the ministry) names it as a place.
        after = next((a for a in s.actors if a.start >= pivot.end and (
            a.role == ROLE_FREE or (a.role == ROLE_PLACE
                                    and len(_TOKEN.findall(text[pivot.end : a.start])) <= 2))),
            None)
        tail = text[after.end :] if after is not None else ""
        if after is not None and not (lex.search("breach", tail) or lex.search("attack", tail)):
            return _Speaker(after.name, after.kind), _content_target(
                lex, s, 0, len(head), after.name, ctx)
        if after is None:
            return None, []
        # "Thailand denies firing first, says Cambodia violated truce": reported content.
    region_start = pivot.end
    accuser = None
    if lex.order != "vso" or _named_before(lex, s, pivot):
        accuser = _accuser_before(lex, s, pivot, ctx)
    if accuser is None and lex.order == "vso":
        # Verb first: "اتهمت قوات سوريا الديمقراطية أنقرة": the first name after it speaks.
        comp = _complementizer(lex, text, pivot.end, end)
        limit = min(comp if comp is not None else end, pivot.end + 45)
        first = next((a for a in parties if pivot.end <= a.start <= limit), None)
        if first is not None:
            accuser = _Speaker(first.name, first.kind)
            region_start = first.end
    if accuser is None and lex.order == "vso":
        accuser = _accuser_before(lex, s, pivot, ctx)  # "وقال": the last speaker again
    if accuser is None:
        return None, []
    if accuser.tail > 0 and pivot.kind == "speech":
        # "Hamas broke the truce, Israel says": the reported clause is before the comma.
        found = _content_target(lex, s, 0, accuser.tail, accuser.name, ctx)
        if not found and text[pivot.end :].lstrip().startswith((",", "،")):
            # "Drones flew in from Cambodia, the army said, calling it a violation": the
            # verdict follows, so the one other party of the reported clause is accused.
            others = _unique(a.name for a in parties
                             if a.end <= accuser.tail and a.name != accuser.name)
            if len(others) == 1:
                found = list(others)
        return accuser, found
    if pivot.kind == "accuse":
        return accuser, _object_target(lex, s, region_start, end, accuser.name, pivot, ctx)
    return accuser, _content_target(lex, s, region_start, end, accuser.name, ctx)


def _named_before(lex: Lexicon, s: _Sentence, pivot: _Pivot) -> bool:
    start = _clause_start(lex, s.text, pivot)
    return any(a.role == ROLE_FREE and start <= a.start and a.end <= pivot.start
               for a in s.actors)


def _according(lex: Lexicon, s: _Sentence, pivot: _Pivot, ctx: _Context):
    """ "..., according to X": X speaks about the whole sentence."""
    text = s.text
    parties = [a for a in s.actors if a.role == ROLE_FREE]
    src: _Actor | None = None
    if pivot.kind == "according":
        words = _TOKEN.findall(pivot.term)[1:]
        words += _TOKEN.findall(text[pivot.end : pivot.end + 40])[:1]
        if any(_full(lex, "pronouns", w) for w in words) and ctx.topic is not None:
            speaker = _Speaker(ctx.topic, "")  # "За його словами" (according to him)
            return speaker, _any_party(lex, s, parties, speaker.name, None)
        # "according to Ukraine's army" reads "to Ukraine" as a place; "بحسب الجيش الإسرائيلي"
        # (according to the Israeli army) puts the generic noun first.
        for a in s.actors:
            if a.start >= pivot.end and a.role in (ROLE_FREE, ROLE_PLACE):
                at = a.start
                while at > pivot.end and text[at - 1].isalpha():
                    at -= 1  # Arabic offsets skip the glued article: "الإسرائيلي"
                gap = _TOKEN.findall(text[pivot.end : at])
                if len(gap) <= 2 and all(_full(lex, "determiners", w)
                                         or _full(lex, "generic_forces", w) for w in gap):
                    src = a
                break
    else:
        src = next((a for a in reversed(parties) if 0 <= pivot.start - a.end <= 3), None)
    if src is None:
        return None, []
    head = text[: pivot.start].rstrip()
    if pivot.kind == "according" and head.endswith((",", "،")):
        # "Russian forces shelled Kherson despite the truce, according to Ukraine's army": the
        # culprit is whoever fires in the clause before, not a place it hit.
        return _Speaker(src.name, src.kind), _content_target(
            lex, s, 0, len(head), src.name, ctx)
    return _Speaker(src.name, src.kind), _any_party(lex, s, parties, src.name, src)


def _any_party(lex: Lexicon, s: _Sentence, parties: list[_Actor], speaker: str,
               skip: _Actor | None) -> list[str]:
    if not (s.scan.find("attack") or s.scan.find("breach")):
        return []
    for a in parties:
        if a is not skip and a.name != speaker and a.kind != KIND_MONITOR:
            return [a.name]
    return []


def _complementizer(lex: Lexicon, text: str, start: int, end: int) -> int | None:
    """Offset just after the first "that"/"что"/"أن" between start and end, if any."""
    for tok in _TOKEN.finditer(text, start, end):
        if _full(lex, "complementizer", tok.group(0)):
            return tok.end()
    return None


def _clause_start(lex: Lexicon, text: str, pivot: _Pivot) -> int:
    """Where the clause holding the pivot begins (after a clause break before it)."""
    # A semicolon joins two reports with their own subjects: "X accused Y; Z denied it and ..."
    cut = max(text.rfind(";", 0, pivot.start), text.rfind("؛", 0, pivot.start)) + 1
    for m in lex.find("clause_break", text[: pivot.start]):
        cut = max(cut, m.end())
    return cut


def _accuser_before(lex: Lexicon, s: _Sentence, pivot: _Pivot, ctx: _Context):
    text = s.text
    start = _clause_start(lex, text, pivot)
    candidates = [a for a in s.actors if a.role == ROLE_FREE and start <= a.start
                  and a.end <= pivot.start]
    if pivot.kind == "speech":
        # Post-posed attribution: "Shells hit Damascus, state media says" -> the short phrase
        # after the last comma is the speaker, not the subject of the main clause.
        comma = max((m.end() for m in _COMMA.finditer(text, 0, pivot.start)), default=-1)
        opener = _TOKEN.findall(text[comma : pivot.start])[:1] if comma > 0 else []
        # "..., where Baku said its soldier was killed by ...": a relative clause reports its
        # own content after the verb; it does not attribute the clause before the comma.
        if (comma > 0 and len(_TOKEN.findall(text[comma : pivot.start])) <= 6
                and not _QUOTE_MARK.search(text, comma, pivot.start)
                and not (opener and _full(lex, "relative", opener[0]))):
            head = text[:comma]
            # "..., the army said, calling it a violation of the truce": the verdict follows.
            called = text[pivot.end :].lstrip().startswith((",", "،")) and lex.search(
                "breach", text[pivot.end : pivot.end + 80])
            if lex.search("attack", head) or lex.search("breach", head) or called:
                near = [a for a in candidates if a.start >= comma]
                if near:
                    return _Speaker(near[-1].name, near[-1].kind, tail=comma - 1)
                if _TOKEN.search(text, comma, pivot.start):
                    return None  # "..., witnesses said"
                # "X denies firing, says Y violated": a second verb of the first subject.
    if _PARTICIPLE_ING.search(pivot.term) and text[: pivot.start].rstrip().endswith((",", "،")):
        # "..., citing air strikes by the army": the main clause's subject, which is the
        # speaker found earlier in the sentence, else the name opening it ("Hamas delays
        # release, citing Israeli breaches"), else the item's last speaker.
        if ctx.local is not None:
            return _Speaker(ctx.local, "")
        opening = next((a for a in candidates if len(_TOKEN.findall(text[:a.start])) <= 2),
                       None)
        if opening is not None:
            return _Speaker(opening.name, opening.kind)
        if ctx.topic is not None:
            return _Speaker(ctx.topic, "")
    words_before = _TOKEN.findall(text[max(0, pivot.start - 20) : pivot.start])[-1:]
    if (candidates and pivot.kind == "accuse" and words_before
            and _full(lex, "purpose", words_before[0])):
        # "Pakistan summoned India's envoy to protest ...": the purpose belongs to the subject.
        return _Speaker(candidates[0].name, candidates[0].kind)
    if (ctx.local is None and candidates and words_before
            and _full(lex, "conjunction", words_before[0])
            and len(_TOKEN.findall(text[start : candidates[0].start])) <= 1):
        # "Iran's army denied firing and accused Israel": the clause opens with its own
        # subject, so "and" does not carry over the previous sentence's speaker.
        return _Speaker(candidates[0].name, candidates[0].kind)
    if words_before and ctx.local is None and _full(lex, "pronouns", words_before[0]):
        # "Hezbollah claimed the fire ... after violations it blames on Israel": the pronoun is
        # the subject opening this sentence, before the item's last speaker.
        opening = next((a for a in candidates if len(_TOKEN.findall(text[: a.start])) <= 2),
                       None)
        if opening is not None:
            return _Speaker(opening.name, opening.kind)
    if words_before and ctx.topic is not None and (
        _full(lex, "pronouns", words_before[0]) or _full(lex, "conjunction", words_before[0])
    ):
        # "Islamabad said ... and condemned what it called violations": same subject.
        return _Speaker(ctx.topic, "")
    if candidates:
        last = candidates[-1]
        also = _joined(lex, text, candidates[::-1])[1:]
        return _Speaker(last.name, last.kind, tuple(n for n in also if n != last.name))
    # No name before the verb: "The ministry said", "It also accused": reuse the topic.
    prefix = text[start : pivot.start]
    words = _TOKEN.findall(prefix)
    if len(words) > MAX_ANAPHOR_WORDS or lex.search("non_party_speakers", prefix):
        return None  # "Witnesses said", "a military source said"
    if lex.search("generic_rebels", prefix):
        # "The rebel movement said": the item's one armed group, never the last speaker.
        return _Speaker(ctx.rebel, "group") if ctx.rebel else None
    generic = lex.search("generic_forces", prefix)
    if generic is not None and ctx.home_state is not None:
        return _Speaker(ctx.home_state, "state")  # "The army said ..."
    if ctx.topic is None:
        return None
    return _Speaker(ctx.topic, "")


def _joined(lex: Lexicon, text: str, actors: list[_Actor]) -> list[str]:
    """Names of actors[0] and the actors chained to it by "and" (either direction in text)."""
    names = [actors[0].name]
    for prev, cur in pairwise(actors):
        lo, hi = (prev, cur) if prev.end <= cur.start else (cur, prev)
        words = _TOKEN.findall(text[lo.end : hi.start])
        if not words or not all(_full(lex, "conjunction", w) or _full(lex, "determiners", w)
                                for w in words):
            break
        if not any(_full(lex, "conjunction", w) for w in words):
            break
        names.append(cur.name)
    return names


def _unblocked(lex: Lexicon, segment: str) -> bool:
    """No vague culprit heads `segment`, or one is joined by "and" to a name that follows."""
    vague = lex.search("vague", segment)
    if vague is None:
        return True
    # "терористи та російські військові": the named party after "and" is still accused.
    rest = _TOKEN.findall(segment[vague.end() :])
    return bool(rest) and _full(lex, "conjunction", rest[0])


def _object_target(lex: Lexicon, s: _Sentence, start: int, end: int, accuser: str,
                   pivot: _Pivot, ctx: _Context) -> list[str]:
    """The accused of "accuse/blame": the first name after the verb, plus names joined by 'and'."""
    text = s.text
    after = [a for a in s.actors if a.role == ROLE_FREE and start <= a.start < end
             and a.kind != KIND_MONITOR and a.name != accuser]
    rest = text[start:end]
    if (not s.scan.search("attack", start) and not s.scan.search("breach", start)
            and not (s.is_title and _bare_object(text, after, end))
            and not _charged_before(lex, s, pivot)):
        return []
    vague = lex.search("vague", rest)
    if after and not _unblocked(lex, text[start : after[0].start]):
        return []  # "blamed unspecified 'terrorist groups'"
    if not after:
        words = _TOKEN.findall(rest)[:2]
        if words and any(_full(lex, "pronouns", w) for w in words):
            # "accusing him of violating previous truces": the last other name before.
            back = [a for a in s.actors if a.end <= pivot.start and a.name != accuser
                    and a.role != ROLE_PLACE]
            return [back[-1].name] if back else []
        if vague is None and lex.search("generic_forces", rest[:40]) and ctx.home_state:
            return [ctx.home_state] if ctx.home_state != accuser else []
        return []
    names = [after[0].name]
    for prev, cur in pairwise(after):
        words = _TOKEN.findall(text[prev.end : cur.start])
        if not words or not all(_full(lex, "conjunction", w) or _full(lex, "determiners", w)
                                for w in words):
            break
        following = _TOKEN.findall(text[cur.end : cur.end + 30])[:1]
        if following and any(_full(lex, c, following[0]) for c in ("accuse", "speech")):
            break  # "accuse Israël et le Hezbollah dénonce ...": a new clause starts
        names.append(cur.name)
    generic = lex.search("generic_forces", text[start : after[0].start])
    if generic is not None and ctx.home_state and ctx.home_state not in [*names, accuser]:
        gap = _TOKEN.findall(text[start + generic.end() : after[0].start])
        if gap and all(_full(lex, "conjunction", w) or _full(lex, "determiners", w) for w in gap):
            names.insert(0, ctx.home_state)  # "accuse l'armée et Wagner"
    return names


def _charged_before(lex: Lexicon, s: _Sentence, pivot: _Pivot) -> bool:
    """ "violations répétées qu'il impute à Israël": the breach is the relative clause's head."""
    words = _TOKEN.findall(s.text[max(0, pivot.start - 60) : pivot.start])
    if len(words) < 2 or not _full(lex, "pronouns", words[-1]):
        return False
    return any(lex.patterns["breach"].fullmatch(w) for w in words[-6:-1])


def _bare_object(text: str, after: list[_Actor], end: int) -> bool:
    """Headline "...; Moscow blames AFU — Reuters": a bare object ends the clause."""
    if not after:
        return False
    tail = _SOURCE_TAIL.sub("", text[after[0].end : end])
    return not _TOKEN.findall(tail)


def _content_target(lex: Lexicon, s: _Sentence, start: int, end: int, accuser: str,
                    ctx: _Context, *, prefer_breach: bool = False) -> list[str]:
    """The accused in reported speech: who fires, breaks or attacks in the clause."""
    text = s.text
    parties = [a for a in s.actors if a.role == ROLE_FREE and a.kind != KIND_MONITOR
               and a.name != accuser]
    hits = sorted((m for m in (*s.scan.find("attack"), *s.scan.find("breach"))
                   if start <= m.start() < end and not _in_truce(s, m.start(), m.end())),
                  key=lambda m: m.start())
    if not hits:
        return []
    if prefer_breach:
        hits = [m for m in hits if lex.patterns["breach"].fullmatch(m.group(0))] or hits
    first = hits[0]
    comp = _complementizer(lex, text, start, first.start())
    lead = comp if comp is not None else start
    between = [a for a in parties if lead <= a.start and a.end <= first.start()]
    names: list[str] = []
    if between and _unblocked(lex, text[lead : between[0].start]):
        if prefer_breach:
            names.append(between[-1].name)
        else:  # "both the army and the RSF had violated"
            names.extend(_joined(lex, text, between))
    if not names:
        agent = _agent_after(lex, s, parties, first.end(), end)
        if agent is not None:
            names.append(agent)
    if (not names and ctx.home_state and ctx.home_state != accuser
            and lex.search("generic_forces", text[lead : first.end() + 30])):
        names.append(ctx.home_state)  # "said government forces attacked its positions"
    if (not names and ctx.rebel and ctx.rebel != accuser
            and lex.search("generic_rebels", text[lead : first.end()])):
        names.append(ctx.rebel)  # "separatists shelled": the item's one armed group
    if not names:
        # Cleft: "que ce sont les incursions du Polisario qui violaient les accords".
        verb = next((m for m in hits if lex.patterns["breach"].fullmatch(m.group(0))), None)
        if verb is not None and verb is not first:
            cand = [a for a in parties if first.end() <= a.start and a.end <= verb.start()]
            # "Shells hit Stepanakert in breach of ...": a name after a second attack verb is
            # what was hit, not who fired.
            if cand and _unblocked(lex, text[first.end() : cand[0].start]) and not any(
                    first.end() <= m.start() < cand[0].start for m in hits):
                names.append(cand[0].name)
    # "said Iran had fired ... but that Israel had also breached the deal": a second clause.
    for brk in lex.find("clause_break", text[first.end() : end]):
        at = first.end() + brk.end()
        later = [m for m in hits if m.start() > at]
        if not later:
            break
        cand = [a for a in parties if at <= a.start and a.end <= later[0].start()]
        if cand and cand[0].name not in names:
            names.append(cand[0].name)
    return names


def _agent_after(lex: Lexicon, s: _Sentence, parties: list[_Actor], start: int,
                 end: int) -> str | None:
    """ "killed by Indian fire", "со стороны украинских военных", "durch die Hamas"."""
    text = s.text
    for m in lex.find("agent", text[start:end]):
        at = start + m.end()
        for a in parties:
            if a.start < at:
                continue
            if len(_TOKEN.findall(text[at : a.start])) <= 3:
                return a.name
            break
    return None


def _called_a_breach(lex: Lexicon, s: _Sentence, pivot: _Pivot, end: int, accuser: str,
                     ctx: _Context) -> list[str]:
    """ "Israel calls move a violation": the move was made by the previous sentence's subject."""
    rest = s.text[pivot.end : end]
    breach = lex.search("breach", rest)
    if breach is None:
        return []
    if not _full(lex, "call_verbs", pivot.term):
        # "Netanyahu says the attack is a violation": a definite attack, nobody named.
        words = _TOKEN.findall(rest[: breach.start()])
        if not (pivot.kind == "speech" and words and len(words) <= 6
                and _full(lex, "determiners", words[0])
                and lex.search("attack", rest[: breach.start()])):
            return []
    if ctx.subject is None or ctx.subject == accuser:
        return []
    return [ctx.subject]


def _frame_sov(lex: Lexicon, s: _Sentence, pivot: _Pivot, ctx: _Context):
    """Turkish: subject first, verb last ("Azerbaycan ... Ermenistan ... açıkladı")."""
    parties = [a for a in s.actors if a.role == ROLE_FREE and a.end <= pivot.start]
    if parties:
        accuser = _Speaker(parties[0].name, parties[0].kind)
        start = parties[0].end
    elif ctx.topic is not None:
        accuser = _Speaker(ctx.topic, "")
        start = 0
    else:
        return None, []
    return accuser, _content_target(lex, s, start, pivot.start, accuser.name, ctx,
                                    prefer_breach=pivot.kind == "accuse")


def _colon_frame(lex: Lexicon, s: _Sentence, ctx: _Context) -> Pair | None:
    """Headline "Yerevan: Azerbaijan resumed offensive hours after truce began"."""
    text = s.text
    colon = text.find(":")
    if colon <= 0 or colon > 45:
        return None
    head = [a for a in s.actors if a.end <= colon and a.role == ROLE_FREE
            and a.kind != KIND_MONITOR]
    if not head:
        return None
    accuser = head[0]
    if lex.search("breach", text[colon:]) is None and not (
            lex.search("first_person", text[colon:]) and _temporal_breach(lex, s)):
        # "Lebanon: Israeli strike kills two despite truce" is a topic label; "Saakashvili:
        # separatists answered our ceasefire with shelling" is a quote (first person).
        return None
    # "HNC: the regime broke the truce" -> Syria; "separatists" -> the item's one armed group.
    ctx = _Context(None, None, ctx.home_state, ctx.rebel)
    targets = _content_target(lex, s, colon + 1, len(text), accuser.name, ctx,
                              prefer_breach=lex.order == "sov")
    if lex.order == "sov" and not targets and lex.search("breach", text[colon:]):
        body = [a for a in s.actors if a.start > colon and a.role == ROLE_FREE
                and a.name != accuser.name]
        targets = [body[0].name] if body else []
    return Pair(accuser.name, targets[0]) if targets else None


def _quote_colon_frame(lex: Lexicon, s: _Sentence, ctx: _Context) -> Pair | None:
    """Headline "'They broke the truce': Netanyahu orders strikes": the name after the colon
    said the quote; the accused is named in the quote, or is the one other party of the item."""
    text = s.text
    if text[:1] not in _OPEN_QUOTES:
        return None
    close = next((i for i in range(1, len(text)) if text[i] in _CLOSE_QUOTES
                  and text[i + 1 :].lstrip().startswith(":")), -1)
    if close < 0:
        return None
    colon = text.index(":", close)
    quote = text[1:close]
    if lex.search("breach", quote) is None and lex.search("attack", quote) is None:
        return None
    speaker = next((a for a in s.actors if a.start > colon and a.kind != KIND_MONITOR), None)
    if speaker is None or len(_TOKEN.findall(text[colon : speaker.start])) > 2:
        return None
    targets = _content_target(lex, s, 1, close, speaker.name, ctx)
    if not targets and any(_full(lex, "pronouns", w) for w in _TOKEN.findall(quote)):
        others = [p for p in ctx.parties if p != speaker.name]
        targets = others if len(others) == 1 else []  # "They": the speaker's one adversary
    return Pair(speaker.name, targets[0]) if targets else None


def _passive(lex: Lexicon, s: _Sentence, pivot: _Pivot) -> Pair | None:
    """ "Houthis accused of breaching truce by the coalition": Pair(accuser or "", accused).

    None when the pivot is not a passive accusation; an empty accuser when nobody is named
    after "by", so the caller knows not to read the sentence the active way round.
    """
    text = s.text
    if pivot.kind != "accuse" or not _PARTICIPLE.search(pivot.term):
        return None
    if not _PASSIVE_OF.match(text, pivot.end):
        return None
    before = [a for a in s.actors if a.role == ROLE_FREE and a.end <= pivot.start]
    if not before:
        return None
    gap = re.sub(r"^['’]s\b", "", text[before[-1].end : pivot.start])  # "Sudan's army blamed"
    if not _PASSIVE_BE.match(gap) and len(_TOKEN.findall(gap)) > 1:
        return None
    accused = before[-1]
    parties = [a for a in s.actors if a.role == ROLE_FREE and a is not accused]
    agent = _agent_after(lex, s, parties, pivot.end, len(text))
    if agent == accused.name:
        return None
    return Pair(agent or "", accused.name)
