"""Who speaks in a sentence: the accuser of a frame ("X said", "X accuses", "..., Y said").

Pivots are the verbs and phrases that frame an accusation ("accuse", "say", "according to");
`_accuser_before` finds the speaker before a pivot, post-posed ("..., state media says"), carried
over from earlier sentences ("The ministry said") or given by a pronoun or "and".

Imports feeds.lexicon, feeds.detect.scan, feeds.detect.windows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from feeds.actors import group_state
from feeds.conflicts import opponent_of
from feeds.detect.scan import (
    _TOKEN,
    KIND_GENERIC,
    ROLE_FREE,
    _Actor,
    _full,
    _Scan,
    _Sentence,
)
from feeds.detect.windows import MAX_ANAPHOR_WORDS
from feeds.lexicon import Lexicon

_COMMA = re.compile(r"[,،]")

_QUOTE_MARK = re.compile('["“”«»]')

# "..., citing", "..., acusando": a participle after a comma has the main clause's subject.
_PARTICIPLE_ING = re.compile(r"(?:ing|ando|iendo)$", re.I)


@dataclass(frozen=True, slots=True)
class _Context:
    """What earlier sentences of the item tell a later one."""

    topic: str | None  # the last party that spoke ("The ministry said ..." refers back to it)
    subject: str | None  # the first party named in the previous sentence
    home_state: str | None  # the one state the item is about, for "government forces"
    rebel: str | None = None  # the one armed group the item is about, for "the rebels said"
    local: str | None = None  # a speaker found earlier in the same sentence
    parties: tuple[str, ...] = ()  # every party the item names, for "'They broke the truce': Y"
    named: tuple[str, ...] = ()  # every actor named, places too: which war the item is about
    subject_accused: bool = False  # `subject` accused someone there: it reported another's move


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
    also: tuple[str, ...] = ()  # co-speakers joined by "and": "Qatar and Egypt said"
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


def _clause_start(lex: Lexicon, text: str, pivot: _Pivot) -> int:
    """Where the clause holding the pivot begins (after a clause break before it)."""
    # A semicolon joins two reports with their own subjects: "X accused Y; Z denied it and ..."
    cut = max(text.rfind(";", 0, pivot.start), text.rfind("؛", 0, pivot.start)) + 1
    for m in lex.find("clause_break", text[: pivot.start]):
        cut = max(cut, m.end())
    return cut


def _named_before(lex: Lexicon, s: _Sentence, pivot: _Pivot) -> bool:
    start = _clause_start(lex, s.text, pivot)
    return any(a.role == ROLE_FREE and start <= a.start and a.end <= pivot.start for a in s.actors)


def _accuser_before(lex: Lexicon, s: _Sentence, pivot: _Pivot, ctx: _Context):
    """The speaker of a pivot: named before it, post-posed after a comma, or carried over."""
    text = s.text
    start = _clause_start(lex, text, pivot)
    candidates = [
        a for a in s.actors if a.role == ROLE_FREE and start <= a.start and a.end <= pivot.start
    ]
    if pivot.kind == "speech":
        found = _post_posed(lex, text, pivot, candidates)
        if found is _NOBODY:
            return None  # "..., witnesses said"
        if found is not None:
            return found
    if _PARTICIPLE_ING.search(pivot.term) and text[: pivot.start].rstrip().endswith((",", "،")):
        found = _participle_subject(text, candidates, ctx)
        if found is not None:
            return found
    found = _subject_by_word_before(lex, text, start, pivot, candidates, ctx)
    if found is not None:
        return found
    if candidates:
        last = candidates[-1]
        also = _joined(lex, text, candidates[::-1])[1:]
        return _Speaker(last.name, last.kind, tuple(n for n in also if n != last.name))
    return _anaphoric(lex, text[start : pivot.start], ctx)


def generic_accuser(speaker: _Speaker, accused: str, parties: tuple[str, ...]) -> str | None:
    """Who an unnamed institution speaks for: the side fighting the one it accuses ("the army
    says Pakistani troops fired" in India–Pakistan news is India), else the item's state."""
    if speaker.kind != KIND_GENERIC:
        return speaker.name if speaker.name != accused else None
    side = opponent_of(accused, (accused, *parties))
    if side is not None:
        return side
    return speaker.name if speaker.name and speaker.name != accused else None


# What `_post_posed` returns when the phrase after the comma speaks but names no party.
_NOBODY = _Speaker("", "")


def _post_posed(lex: Lexicon, text: str, pivot: _Pivot, candidates: list[_Actor]):
    """The speaker of "..., X said" when the clause before the comma is what X said.

    `_NOBODY` when the speaker is no party ("..., witnesses said"), None when the pivot is not
    post-posed.
    """
    # Post-posed attribution: "Shells hit Damascus, state media says" -> the short phrase
    # after the last comma is the speaker, not the subject of the main clause.
    comma = max((m.end() for m in _COMMA.finditer(text, 0, pivot.start)), default=-1)
    opener = _TOKEN.findall(text[comma : pivot.start])[:1] if comma > 0 else []
    # "..., where Baku said its soldier was killed by ...": a relative clause reports its
    # own content after the verb; it does not attribute the clause before the comma.
    if (
        comma > 0
        and len(_TOKEN.findall(text[comma : pivot.start])) <= 6
        and not _QUOTE_MARK.search(text, comma, pivot.start)
        and not (opener and _full(lex, "relative", opener[0]))
        # "..., after Israel said militants attacked": a clause of its own, not an attribution.
        and not (opener and _full(lex, "since_words", opener[0]))
    ):
        head = text[:comma]
        # "..., the army said, calling it a violation of the truce": the verdict follows.
        called = text[pivot.end :].lstrip().startswith((",", "،")) and lex.search(
            "breach", text[pivot.end : pivot.end + 80]
        )
        if lex.search("attack", head) or lex.search("breach", head) or called:
            near = [a for a in candidates if a.start >= comma]
            if near:
                return _Speaker(near[-1].name, near[-1].kind, tail=comma - 1)
            if _TOKEN.search(text, comma, pivot.start):
                return _NOBODY
            # "X denies firing, says Y violated": a second verb of the first subject.
    return None


def _participle_subject(text: str, candidates: list[_Actor], ctx: _Context) -> _Speaker | None:
    """ "..., citing shelling by the rebels": the main clause's subject, which is the
    speaker found earlier in the sentence, else the name opening it ("Hamas delays
    release, citing Israeli breaches"), else the item's last speaker."""
    if ctx.local is not None:
        return _Speaker(ctx.local, "")
    opening = next((a for a in candidates if len(_TOKEN.findall(text[: a.start])) <= 2), None)
    if opening is not None:
        return _Speaker(opening.name, opening.kind)
    if ctx.topic is not None:
        return _Speaker(ctx.topic, "")
    return None


def _subject_by_word_before(
    lex: Lexicon, text: str, start: int, pivot: _Pivot, candidates: list[_Actor], ctx: _Context
) -> _Speaker | None:
    """The subject a purpose word, "and" or a pronoun just before the pivot points to."""
    words_before = _TOKEN.findall(text[max(0, pivot.start - 20) : pivot.start])[-1:]
    if not words_before:
        return None
    word = words_before[0]
    if candidates and pivot.kind == "accuse" and _full(lex, "purpose", word):
        # "Pakistan summoned India's envoy to protest ...": the purpose belongs to the subject.
        return _Speaker(candidates[0].name, candidates[0].kind)
    if (
        ctx.local is None
        and candidates
        and _full(lex, "conjunction", word)
        and len(_TOKEN.findall(text[start : candidates[0].start])) <= 1
    ):
        # "Iran's army denied firing and accused Israel": the clause opens with its own
        # subject, so "and" does not carry over the previous sentence's speaker.
        return _Speaker(candidates[0].name, candidates[0].kind)
    if ctx.local is None and _full(lex, "pronouns", word):
        # "Hezbollah claimed the fire ... after violations it blames on Israel": the pronoun is
        # the subject opening this sentence, before the item's last speaker.
        opening = next((a for a in candidates if len(_TOKEN.findall(text[: a.start])) <= 2), None)
        if opening is not None:
            return _Speaker(opening.name, opening.kind)
    if ctx.topic is not None and (_full(lex, "pronouns", word) or _full(lex, "conjunction", word)):
        # "Islamabad said ... and condemned what it called violations": same subject.
        return _Speaker(ctx.topic, "")
    return None


def _anaphoric(lex: Lexicon, prefix: str, ctx: _Context) -> _Speaker | None:
    """No name before the verb: "The ministry said", "It also accused": reuse the topic."""
    words = _TOKEN.findall(prefix)
    if len(words) > MAX_ANAPHOR_WORDS or lex.search("non_party_speakers", prefix):
        return None  # "Witnesses said", "a military source said"
    if lex.search("generic_rebels", prefix):
        # "The rebel movement said": the item's one armed group, never the last speaker; with
        # none named, the side fighting the one it accuses ("rebels accuse the government").
        if ctx.rebel:
            return _Speaker(ctx.rebel, "group")
        if any(group_state(name) for name in ctx.parties):
            return None  # several groups named: which one is "the rebels" is unknown
        return _Speaker("", KIND_GENERIC)
    if lex.search("generic_forces", prefix) or lex.search("institution", prefix):
        # "The army said ...", "The defence ministry said ...": whose army is read from the
        # accused (see generic_accuser), else the one state the item is about.
        return _Speaker(ctx.home_state or "", KIND_GENERIC)
    if ctx.topic is None:
        return None
    return _Speaker(ctx.topic, "")


def _joined(lex: Lexicon, text: str, actors: list[_Actor]) -> list[str]:
    """Names of actors[0] and the actors chained to it by "and" (either direction in text)."""
    names = [actors[0].name]
    for prev, cur in pairwise(actors):
        lo, hi = (prev, cur) if prev.end <= cur.start else (cur, prev)
        words = _TOKEN.findall(text[lo.end : hi.start])
        if not words or not all(
            _full(lex, "conjunction", w) or _full(lex, "determiners", w) for w in words
        ):
            break
        if not any(_full(lex, "conjunction", w) for w in words):
            break
        names.append(cur.name)
    return names
