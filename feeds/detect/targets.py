"""Who is accused: the object of "accuse/blame", who fires or breaks the truce in reported
speech, the agent of "killed by Indian fire", or the subject of a move "called a violation".

Imports feeds.lexicon, feeds.detect.scan, feeds.detect.speakers.
"""

from __future__ import annotations

import re
from itertools import pairwise

from feeds.detect.breach import _negated
from feeds.detect.scan import (
    _TOKEN,
    KIND_MONITOR,
    ROLE_FREE,
    ROLE_PLACE,
    _Actor,
    _full,
    _in_truce,
    _Sentence,
)
from feeds.detect.speakers import _Context, _joined, _Pivot
from feeds.lexicon import Lexicon

# A wire credit closing a headline: "— Reuters", "- AP".
_SOURCE_TAIL = re.compile(r"\s+[-–—]\s+[^\W\d_][\w.]*(?:\s+[\w.]+){0,2}\s*$")


def _unblocked(lex: Lexicon, segment: str) -> bool:
    """No vague culprit heads `segment`, or one is joined by "and" to a name that follows."""
    vague = lex.search("vague", segment)
    if vague is None:
        return True
    # "терористи та російські військові": the named party after "and" is still accused.
    rest = _TOKEN.findall(segment[vague.end() :])
    return bool(rest) and _full(lex, "conjunction", rest[0])


def _object_target(
    lex: Lexicon, s: _Sentence, start: int, end: int, accuser: str, pivot: _Pivot, ctx: _Context
) -> list[str]:
    """The accused of "accuse/blame": the first name after the verb, plus names joined by 'and'."""
    text = s.text
    after = [
        a
        for a in s.actors
        if a.role == ROLE_FREE
        and start <= a.start < end
        and a.kind != KIND_MONITOR
        and a.name != accuser
    ]
    if (
        not s.scan.search("attack", start)
        and not s.scan.search("breach", start)
        and not (s.is_title and _bare_object(text, after, end))
        and not _charged_before(lex, s, pivot)
    ):
        return []
    if not after:
        return _unnamed_object(lex, s, text[start:end], accuser, pivot, ctx)
    if not _unblocked(lex, text[start : after[0].start]):
        return []  # "blamed unspecified 'terrorist groups'"
    names = _object_names(lex, text, after)
    generic = lex.search("generic_forces", text[start : after[0].start])
    if generic is not None and ctx.home_state and ctx.home_state not in [*names, accuser]:
        gap = _TOKEN.findall(text[start + generic.end() : after[0].start])
        if gap and all(_full(lex, "conjunction", w) or _full(lex, "determiners", w) for w in gap):
            names.insert(0, ctx.home_state)  # "accuse l'armée et Wagner"
    return names


def _unnamed_object(
    lex: Lexicon, s: _Sentence, rest: str, accuser: str, pivot: _Pivot, ctx: _Context
) -> list[str]:
    """The accused when no party follows the verb: a pronoun's antecedent or "the army"."""
    words = _TOKEN.findall(rest)[:2]
    if words and any(_full(lex, "pronouns", w) for w in words):
        # "accusing her of breaking earlier truces": the last other name before.
        back = [
            a
            for a in s.actors
            if a.end <= pivot.start and a.name != accuser and a.role != ROLE_PLACE
        ]
        return [back[-1].name] if back else []
    vague = lex.search("vague", rest)
    if vague is None and lex.search("generic_forces", rest[:40]) and ctx.home_state:
        return [ctx.home_state] if ctx.home_state != accuser else []
    group = lex.search("generic_rebels", rest[:40])
    if group and ctx.rebel and (vague is None or group.start() <= vague.start() < group.end()):
        # "accused the militant movement of shelling": the item's one armed group, unless a
        # vague culprit ("terrorist groups") stands outside the phrase.
        return [ctx.rebel] if ctx.rebel != accuser else []
    return []


def _object_names(lex: Lexicon, text: str, after: list[_Actor]) -> list[str]:
    """The first name after the verb and the names "and" joins to it."""
    names = [after[0].name]
    for prev, cur in pairwise(after):
        words = _TOKEN.findall(text[prev.end : cur.start])
        if not words or not all(
            _full(lex, "conjunction", w) or _full(lex, "determiners", w) for w in words
        ):
            break
        following = _TOKEN.findall(text[cur.end : cur.end + 30])[:1]
        if following and any(_full(lex, c, following[0]) for c in ("accuse", "speech")):
            break  # "accuse Israël et le Hezbollah dénonce ...": a new clause starts
        names.append(cur.name)
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


def _content_target(
    lex: Lexicon,
    s: _Sentence,
    start: int,
    end: int,
    accuser: str,
    ctx: _Context,
    *,
    prefer_breach: bool = False,
) -> list[str]:
    """The accused in reported speech: who fires, breaks or attacks in the clause."""
    text = s.text
    parties = [
        a for a in s.actors if a.role == ROLE_FREE and a.kind != KIND_MONITOR and a.name != accuser
    ]
    hits = sorted(
        (
            m
            for m in (*s.scan.find("attack"), *s.scan.find("breach"))
            if start <= m.start() < end
            and not _in_truce(s, m.start(), m.end())
            and not _negated(lex, text, m)  # "did not return fire" accuses no one
        ),
        key=lambda m: m.start(),
    )
    if not hits:
        return []
    if prefer_breach:
        hits = [m for m in hits if lex.patterns["breach"].fullmatch(m.group(0))] or hits
    first = hits[0]
    comp = _complementizer(lex, text, start, first.start())
    lead = comp if comp is not None else start
    names = _culprits(lex, s, parties, hits, lead, end, accuser, ctx, prefer_breach)
    # "said the rebels had fired first but that the army had also broken the truce": a second
    # clause.
    for brk in lex.find("clause_break", text[first.end() : end]):
        at = first.end() + brk.end()
        later = [m for m in hits if m.start() > at]
        if not later:
            break
        cand = [a for a in parties if at <= a.start and a.end <= later[0].start()]
        if cand and cand[0].name not in names:
            names.append(cand[0].name)
    return names


def _culprits(
    lex: Lexicon,
    s: _Sentence,
    parties: list[_Actor],
    hits: list,
    lead: int,
    end: int,
    accuser: str,
    ctx: _Context,
    prefer_breach: bool,
) -> list[str]:
    """Who does the first attack or breach of `hits`: the subject before it, the agent after
    it, the item's home state or rebel group for a generic noun, or the subject of a cleft."""
    text = s.text
    first = hits[0]
    between = [a for a in parties if lead <= a.start and a.end <= first.start()]
    if between and _unblocked(lex, text[lead : between[0].start]):
        if prefer_breach:
            return [between[-1].name]
        return _joined(lex, text, between)  # "both the police and the militia had fired"
    agent = _agent_after(lex, s, parties, first.end(), end)
    if agent is not None:
        return [agent]
    if (
        ctx.home_state
        and ctx.home_state != accuser
        and lex.search("generic_forces", text[lead : first.end() + 30])
    ):
        return [ctx.home_state]  # "said regime troops shelled its posts"
    if (
        ctx.rebel
        and ctx.rebel != accuser
        and lex.search("generic_rebels", text[lead : first.end()])
    ):
        return [ctx.rebel]  # "separatists shelled": the item's one armed group
    cleft = _cleft_culprit(lex, text, parties, hits)
    return [cleft] if cleft is not None else []


def _cleft_culprit(lex: Lexicon, text: str, parties: list[_Actor], hits: list) -> str | None:
    """Cleft: "ce sont les tirs des rebelles qui violent la trêve"."""
    first = hits[0]
    verb = next((m for m in hits if lex.patterns["breach"].fullmatch(m.group(0))), None)
    if verb is None or verb is first:
        return None
    cand = [a for a in parties if first.end() <= a.start and a.end <= verb.start()]
    # "Shells hit Stepanakert in breach of ...": a name after a second attack verb is
    # what was hit, not who fired.
    if (
        cand
        and _unblocked(lex, text[first.end() : cand[0].start])
        and not any(first.end() <= m.start() < cand[0].start for m in hits)
    ):
        return cand[0].name
    return None


def _complementizer(lex: Lexicon, text: str, start: int, end: int) -> int | None:
    """Offset just after the first "that"/"что"/"أن" between start and end, if any."""
    for tok in _TOKEN.finditer(text, start, end):
        if _full(lex, "complementizer", tok.group(0)):
            return tok.end()
    return None


def _agent_after(
    lex: Lexicon, s: _Sentence, parties: list[_Actor], start: int, end: int
) -> str | None:
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


def _called_a_breach(
    lex: Lexicon, s: _Sentence, pivot: _Pivot, end: int, accuser: str, ctx: _Context
) -> list[str]:
    """ "Israel calls move a violation": the move was made by the previous sentence's subject."""
    rest = s.text[pivot.end : end]
    breach = lex.search("breach", rest)
    if breach is None:
        return []
    if not _full(lex, "call_verbs", pivot.term):
        # "the minister says the raid is a violation": a definite attack, nobody named.
        words = _TOKEN.findall(rest[: breach.start()])
        if not (
            pivot.kind == "speech"
            and words
            and len(words) <= 6
            and _full(lex, "determiners", words[0])
            and lex.search("attack", rest[: breach.start()])
        ):
            return []
    if ctx.subject is None or ctx.subject == accuser:
        return []
    return [ctx.subject]


def _any_party(
    lex: Lexicon, s: _Sentence, parties: list[_Actor], speaker: str, skip: _Actor | None
) -> list[str]:
    if not (s.scan.find("attack") or s.scan.find("breach")):
        return []
    for a in parties:
        if a is not skip and a.name != speaker and a.kind != KIND_MONITOR:
            return [a.name]
    return []
