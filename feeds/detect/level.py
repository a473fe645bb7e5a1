"""The top-level decision: `classify` runs the stages over one item and picks its level.

Blame when a pair was found, violation for a breach without one, ceasefire for other truce news,
none otherwise.

Imports feeds.actors, feeds.lang, feeds.lexicon, feeds.model, feeds.summarise, feeds.text and
the stage modules of feeds.detect.
"""

from __future__ import annotations

from feeds.actors import ActorMention, find_actors
from feeds.detect.attribution import _read_item, _Reading
from feeds.detect.breach import _accused_breach, _accuses_attack, _breach_terms, _line_fire
from feeds.detect.mentions import _annotate
from feeds.detect.prefilter import (
    _background,
    _governed_weak,
    _no_armed_conflict,
    _valid_truces,
)
from feeds.detect.scan import (
    _ItemScan,
    _Scan,
    _Sentence,
    _unique,
)
from feeds.detect.stream import stream_breach
from feeds.detect.truce_state import item_state, sentence_states, with_states
from feeds.lang import guess_lang
from feeds.lexicon import Lexicon, fold, load_lexicon
from feeds.model import Detection, Level, StreamContext, TruceState
from feeds.summarise import split_sentences, summarise_sentences
from feeds.text import html_to_text


def classify(
    title: str, summary: str, lang: str | None = None, context: StreamContext | None = None
) -> Detection:
    """Classify one feed item: level, accuser -> accused pairs, terms, evidence and summary.

    `context` is what the bot's stream knows (truces in force); without it the item alone decides.
    """
    title_text = html_to_text(title)
    summary_text = html_to_text(summary)
    full = f"{title_text} {summary_text}"
    code = guess_lang(full, lang)
    lex = load_lexicon(code)
    folded = " " + fold(full)  # what Lexicon.folded patterns read
    if not _names_truce(lex, full, folded):
        # Most items stop here, before actors and sentences are looked for.
        return _plain_news(lex, title_text, summary_text, code, context)
    title_actors = find_actors(title_text, code)
    summary_actors = find_actors(summary_text, code)
    actors = _unique(m.name for m in (*title_actors, *summary_actors))
    raw = _raw_sentences(title_text, title_actors, summary_text, summary_actors)
    own = [r[0] for r in raw if not r[2]] or [r[0] for r in raw]
    item = _item_scan(lex, full, folded, raw)
    is_old = item.any("old_markers")
    scans = [_Scan(item, i) for i in range(len(raw))]
    strong, void = _strong_truces(lex, item, scans, [r[2] for r in raw], actors, is_old)
    strong_any = any(strong)
    sentences = _sentences(lex, item, raw, scans, strong, void, is_old)
    if not strong_any and not any(s.truces for s in sentences):
        return _no_truce_named(lex, title_text, own, actors, context)
    states = sentence_states(lex, sentences)
    sentences = [with_states(s, row) for s, row in zip(sentences, states, strict=True)]
    if any(s.real for s in sentences):
        sentences, readings = _read_breaches(lex, sentences, raw, strong_any)
    else:  # every truce named is only proposed: nothing can have breached it
        readings = [_Reading(False, (), None, ()) for _ in sentences]
    return _decide(sentences, readings, strong_any, own, actors, _truce_state(sentences, states))


def _truce_state(sentences: list[_Sentence], states) -> TruceState | None:
    """What the item tells the stream's record: a collapse ends a truce as an expiry does."""
    if any(s.real and s.scan.find("collapse") for s in sentences):
        return TruceState.ENDED
    return item_state(states)


def _names_truce(lex: Lexicon, text: str, folded: str) -> bool:
    """Whether any term that can make an item truce news (the "gate" union) occurs in it, or a
    weak one that a concessive or breach word governs ("despite the Abuja agreement")."""
    # One search of gate and weak words together lets most items stop at once; the costlier
    # searches run only for the few that name one of them.
    if not _finds(lex, "gate_or_weak", text, folded):
        return False
    return _finds(lex, "gate", text, folded) or _finds(lex, "governed", text, folded)


def _finds(lex: Lexicon, category: str, text: str, folded: str) -> bool:
    pattern = lex.folded[category]
    if pattern is None:
        return lex.patterns[category].search(text) is not None
    return pattern.search(folded) is not None


def _plain_news(
    lex: Lexicon, title: str, summary: str, code: str, context: StreamContext | None
) -> Detection:
    """An item that names no truce: what `_no_truce_named` finds, with its summary and actors
    computed only when read, unless the stream knows truces in force (then they decide)."""

    def own() -> list[str]:
        return split_sentences(summary) or split_sentences(title)

    if context is not None and context.truces_in_force:
        return _no_truce_named(lex, title, own(), _item_actors(title, summary, code), context)
    return Detection.deferred(
        Level.NONE,
        lambda: (summarise_sentences(own(), ""), _item_actors(title, summary, code)),
    )


def _item_actors(title: str, summary: str, code: str) -> tuple[str, ...]:
    return _unique(m.name for m in (*find_actors(title, code), *find_actors(summary, code)))


def _no_truce_named(
    lex: Lexicon, title: str, own: list[str], actors: tuple[str, ...], context
) -> Detection:
    """None, unless the stream knows a truce in force that the headline's attack breaks."""
    attack = stream_breach(lex, title, actors, context)
    if attack is None:
        return _result(Level.NONE, (), (), "", own, actors)
    return _result(Level.VIOLATION, (), (attack,), title, own, actors)


def _read_breaches(
    lex: Lexicon, sentences: list[_Sentence], raw: list, strong_any: bool
) -> tuple[list[_Sentence], list[_Reading]]:
    """Breach terms and accusations of each sentence, in an item with a truce in force."""
    breach = [_breach_terms(lex, s) for s in sentences]
    if strong_any and not any(breach):
        # "..., citing Israeli breaches": an accused breach of the truce another sentence names.
        breach = [_accused_breach(lex, s) if not s.truces else () for s in sentences]
    if any(breach) or any(_accuses_attack(lex, s) for s in sentences):
        # Roles of actors matter only when someone may be blamed; skip them for plain news.
        sentences = [
            _Sentence(
                s.text, _annotate(s.scan, r[1]), s.truces, s.is_title, s.scan, s.real, s.live
            )
            for s, r in zip(sentences, raw, strict=True)
        ]
    return sentences, _read_item(lex, sentences, breach)


def _raw_sentences(
    title_text: str,
    title_actors: list[ActorMention],
    summary_text: str,
    summary_actors: list[ActorMention],
) -> list[tuple[str, list[ActorMention], bool, int]]:
    """(text, actor mentions, is_title, offset in "title summary") for every sentence."""
    raw = [(text, found, True, at) for text, found, at in _by_sentence(title_text, title_actors)]
    shift = len(title_text) + 1
    raw += [
        (text, found, False, at + shift)
        for text, found, at in _by_sentence(summary_text, summary_actors)
    ]
    return raw


def _item_scan(lex: Lexicon, full: str, folded: str, raw: list) -> _ItemScan:
    spans = [(at, at + len(text)) for text, _, _, at in raw]
    if not all(full.startswith(text, at) for text, _, _, at in raw):
        spans = None  # cannot happen: sentences are pieces of the collapsed text
    return _ItemScan(lex, full, [r[0] for r in raw], spans, folded)


def _strong_truces(
    lex: Lexicon,
    item: _ItemScan,
    scans: list[_Scan],
    titles: list[bool],
    actors: tuple[str, ...],
    is_old: bool,
) -> tuple[list[tuple[tuple[int, int], ...]], list[bool]]:
    """Per sentence, the spans of valid truce terms, and whether its truce is background."""
    strong = [_valid_truces(scan, "truce", is_old) for scan in scans]
    void = _background(lex, scans, titles, strong, is_old)
    strong = [() if off else truces for truces, off in zip(strong, void, strict=True)]
    if any(strong) and not actors and _no_armed_conflict(lex, item, scans, strong):
        strong = [()] * len(strong)  # "Gallagher brothers call truce", "Chequers truce"
    return strong, void


def _sentences(
    lex: Lexicon,
    item: _ItemScan,
    raw: list,
    scans: list[_Scan],
    strong: list[tuple[tuple[int, int], ...]],
    void: list[bool],
    is_old: bool,
) -> list[_Sentence]:
    """The sentences with their truce spans: strong terms, weak ones and ceasefire-line fire."""
    has_context = any(strong) or item.any("truce_context")
    # Without a truce term, "during the pause" or "ending months of calm" still speaks of a
    # truce when the item is about troops and fighting; it can only ever make a breach.
    weak = "truce_weak" if has_context else ("lull" if item.any("military") else None)
    return [
        _Sentence(
            text,
            (),
            ()
            if off
            else tuple(
                sorted(
                    set(
                        truces
                        + (_valid_truces(scan, weak, is_old) if weak else ())
                        + (() if weak == "truce_weak" else _governed_weak(lex, scan, is_old))
                        + (() if truces else _line_fire(lex, scan))
                    )
                )
            ),
            is_title,
            scan,
        )
        for (text, _, is_title, _), scan, truces, off in zip(raw, scans, strong, void, strict=True)
    ]


def _decide(
    sentences: list[_Sentence],
    readings: list[_Reading],
    strong_any: bool,
    own: list[str],
    actors: tuple[str, ...],
    state: str | None,
) -> Detection:
    """Blame with a pair, violation with a breach, ceasefire with a valid truce, else none."""
    pairs = _unique(p for r in readings for p in r.pairs)
    terms = _unique(
        t
        for s, r in zip(sentences, readings, strict=True)
        for t in (*(s.text[a:b] for a, b in s.truces), *r.terms)
    )
    breach_at = [i for i, r in enumerate(readings) if r.is_breach or r.pairs]
    if pairs:
        evidence = next(sentences[i].text for i, r in enumerate(readings) if r.pairs)
        return _result(Level.BLAME, pairs, terms, evidence, own, actors, state)
    if breach_at:
        evidence = sentences[breach_at[0]].text
        return _result(Level.VIOLATION, (), terms, evidence, own, actors, state)
    if strong_any:
        evidence = next(s.text for s in sentences if s.truces)
        return _result(Level.CEASEFIRE, (), terms, evidence, own, actors, state)
    return _result(Level.NONE, (), (), "", own, actors, state)


def _result(
    level: Level, pairs, terms, evidence: str, own: list[str], actors, state: str | None = None
) -> Detection:
    return Detection(
        level=level,
        pairs=tuple(pairs),
        matched=tuple(terms),
        evidence=evidence,
        summary=summarise_sentences(own, evidence),
        actors=tuple(actors),
        truce_state=state,
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
            local = [
                ActorMention(m.name, m.start - start, m.end - start, m.surface, m.kind)
                for m in found
                if start <= m.start and m.end <= end
            ]
        yield sentence, local, start
