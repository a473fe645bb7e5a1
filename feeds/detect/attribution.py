"""Accuser -> accused pairs of an item, sentence by sentence.

Frames: "X accuses Y", "X says Y shelled", "according to X", "X: Y broke the truce",
"'They broke the truce': X", "Y accused of ... by X", "X and Y accuse each other"; each sentence
hands the next a `_Context` (last speaker, first party, the item's home state and rebel group).

Imports feeds.actors, feeds.lexicon, feeds.model, feeds.detect.scan, feeds.detect.breach,
feeds.detect.speakers, feeds.detect.targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from feeds.actors import group_state
from feeds.conflicts import opponent_of, sides_of
from feeds.detect.breach import _accuses_attack, _temporal_breach
from feeds.detect.scan import (
    _CLOSE_QUOTES,
    _OPEN_QUOTES,
    _TOKEN,
    KIND_GENERIC,
    KIND_MONITOR,
    ROLE_FREE,
    ROLE_MEDIATOR,
    ROLE_MODIFIER,
    ROLE_PLACE,
    _Actor,
    _full,
    _Hit,
    _Sentence,
    _unique,
)
from feeds.detect.speakers import (
    _accuser_before,
    _Context,
    _named_before,
    _Pivot,
    _pivots,
    _Speaker,
    generic_accuser,
)
from feeds.detect.targets import (
    _agent_after,
    _any_party,
    _called_a_breach,
    _complementizer,
    _content_target,
    _object_target,
)
from feeds.lexicon import Lexicon
from feeds.model import Pair

# Passive accusation: "Houthis (were) accused of breaching the truce".
_PASSIVE_BE = re.compile(r"\s*(?:(?:was|were|is|are|been|being|has been|have been)\s+)?$", re.I)

_PASSIVE_OF = re.compile(r"\s+(?:of|for|by|par|por|von|durch)\b", re.I)

_PARTICIPLE = re.compile(r"(?:ed|é|ée|és|ées|ado|ada|ados|adas|t)$", re.I)


@dataclass(frozen=True, slots=True)
class _Reading:
    """What one sentence says: breach evidence, pairs, a speaker without a target, terms."""

    is_breach: bool
    pairs: tuple[Pair, ...]
    speaker: str | None
    terms: tuple[str, ...]


def _read_item(
    lex: Lexicon, sentences: list[_Sentence], breach: list[tuple[str, ...]]
) -> list[_Reading]:
    item_breach = any(breach)
    parties = _unique(
        a.name
        for s in sentences
        for a in s.actors
        if a.role == ROLE_FREE and a.kind not in (KIND_MONITOR, "body")
    )
    named = _unique(a.name for s in sentences for a in s.actors if a.role != ROLE_MEDIATOR)
    ctx = _Context(None, None, *_home(sentences), parties=parties, named=named)
    readings: list[_Reading] = []
    for sentence, terms in zip(sentences, breach, strict=True):
        pairs: tuple[Pair, ...] = ()
        speaker = None
        if item_breach or _accuses_attack(lex, sentence):
            pairs, speaker, extra = _pairs(lex, sentence, ctx)
            terms = terms + extra
        topic = speaker or (pairs[-1].accuser if pairs else ctx.topic)
        first = next(
            (a.name for a in sentence.actors if a.role == ROLE_FREE and a.kind != KIND_MONITOR),
            None,
        )
        if topic is None and sentence.is_title:
            topic = first
        accused = bool(pairs) and first in {p.accuser for p in pairs}
        ctx = _Context(
            topic,
            first,
            ctx.home_state,
            ctx.rebel,
            parties=parties,
            named=named,
            subject_accused=accused,
        )
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


def _pairs(lex: Lexicon, s: _Sentence, ctx: _Context):
    """(pairs, speaker without a target, terms) read from one sentence."""
    mutual = _mutual_pairs(lex, s, ctx)
    if mutual is not None:
        return mutual
    pivots = _pivots(s.scan)
    if s.is_title:
        got = _quoted_claim(lex, s) or _quote_colon_frame(lex, s, ctx)
        got = got or _trailing_speaker(lex, s, ctx)
        if got is not None:
            return (got,), None, ()
    # A first-person headline quote may hold a speech verb of its own: "Саакашвили: сепаратисты
    # ответили на наше перемирие обстрелами" (answered our truce with shelling).
    if s.is_title and (not pivots or s.scan.find("first_person")):
        got = _colon_frame(lex, s, ctx)
        if got is not None:
            return (got,), None, ()
    return _pivot_pairs(lex, s, pivots, ctx)


# A headline credited to a party after a dash or colon: "Russia broke the truce: Ukraine",
# "Shelling of Bakhmut despite Putin's truce — Kyiv".
_TRAILING = re.compile(r"\s*(?:[:—–]|\s-)\s*[^:—–]{1,40}$")


def _trailing_speaker(lex: Lexicon, s: _Sentence, ctx: _Context) -> Pair | None:
    """The accuser named alone after the last dash or colon of a headline, the accused the
    culprit of what comes before (or, with none named, the owner of the truce)."""
    tail = _TRAILING.search(s.text)
    if tail is None:
        return None
    after = [a for a in s.actors if a.start >= tail.start()]
    if len(after) != 1 or after[0].role != ROLE_FREE:
        return None
    rest = s.text[tail.start() : after[0].start] + s.text[after[0].end :]
    if len(_TOKEN.findall(rest)) > 2 or _says_something(lex, rest):
        return None  # "Israel: PLO broke the truce" is a speaker before the colon
    speaker = after[0].name
    found = _content_target(lex, s, 0, tail.start(), speaker, ctx)
    if not found:  # "Shelling despite Putin's truce — Kyiv": the one other party named
        others = _unique(
            a.name
            for a in s.actors
            if a.end <= tail.start() and a.role in (ROLE_FREE, ROLE_MODIFIER) and a.name != speaker
        )
        found = list(others) if len(others) == 1 else []
    return Pair(speaker, found[0]) if found and found[0] != speaker else None


_OPEN_QUOTE_MARKS = ("'", "‘", "«", '"', "“", "„")


def _says_something(lex: Lexicon, text: str) -> bool:
    return any(lex.search(c, text) for c in ("truce", "breach", "attack", "speech", "accuse"))


def _quoted_claim(lex: Lexicon, s: _Sentence) -> Pair | None:
    """ "Army shells the town after rebels 'break truce'": the quotation marks make the
    breach a claim, made by the headline's other party against the name before them."""
    for m in s.scan.find("breach"):
        quote = max(s.text.rfind(mark, 0, m.start()) for mark in _OPEN_QUOTE_MARKS)
        if quote < 0 or _TOKEN.findall(s.text[quote + 1 : m.start()]):
            continue
        subject = [a.name for a in s.actors if a.end <= quote and a.role == ROLE_FREE][-1:]
        others = [a.name for a in s.actors if a.role == ROLE_FREE and a.name not in subject]
        if subject and not others and lex.search("institution", s.text):
            # "Army shells the town after M23 'breaks truce'": the army of M23's opponent.
            others = [n for n in [opponent_of(subject[0], subject)] if n]
        if subject and others:
            return Pair(others[0], subject[0])
    return None


def _mutual_pairs(lex: Lexicon, s: _Sentence, ctx: _Context):
    """(pairs both ways, None, terms) for "X and Y accuse each other", else None."""
    mutual = s.scan.search("mutual") or _coordinated_complaint(lex, s)
    if mutual is None:
        return None
    names = _mutual_parties(s, mutual)
    if (
        len(names) == 1
        and ctx.home_state
        and ctx.home_state not in names
        and s.scan.search("generic_forces", 0, mutual.start())
    ):
        names.append(ctx.home_state)  # "El Gobierno y el ELN se acusan"
    if len(names) < 2:
        # "both of Yemen's camps blame each other", "rival forces accuse each other": the two
        # sides of the item's war.
        sides = list(sides_of([*names, *ctx.parties, *ctx.named]) or ())
        # The war's sides must include the one party named ("Katanga and the UN accuse each
        # other" is no Israel–Lebanon news because the UN is named).
        names = sides if not names or names[0] in sides else names
    if len(names) >= 2:
        a, b = names[0], names[1]
        return (Pair(a, b), Pair(b, a)), None, (mutual.group(0),)
    return None


def _pivot_pairs(lex: Lexicon, s: _Sentence, pivots: list[_Pivot], ctx: _Context):
    """(pairs, speaker without a target, terms) of the sentence's frames, pivot by pivot."""
    pairs: list[Pair] = []
    speaker: str | None = None
    terms: list[str] = []
    for i, pivot in enumerate(pivots):
        end = pivots[i + 1].start if i + 1 < len(pivots) else len(s.text)
        passive = _passive(lex, s, pivot)
        if passive is not None:
            if passive.accuser:
                pairs.append(passive)
                terms.append(pivot.term)
            continue
        accuser, accused = _frame(lex, s, pivot, end, ctx)
        if accuser is None or accuser.kind == KIND_MONITOR:
            continue  # independent monitors never make a blame
        ctx = _Context(
            accuser.name,
            ctx.subject,
            ctx.home_state,
            ctx.rebel,
            accuser.name,
            ctx.parties,
            ctx.named,
            ctx.subject_accused,
        )
        found = [n for n in accused if n != accuser.name or accuser.kind == KIND_GENERIC]
        if not found and not (accuser.kind == KIND_GENERIC and ctx.subject_accused):
            # "X said Y's drones struck. The ministry called the strike a breach": an unnamed
            # institution after X's report is X's own; the move it calls a breach is not X's.
            found = _called_a_breach(lex, s, pivot, end, accuser.name, ctx)
        if not found:
            speaker = speaker or accuser.name or None
            continue
        terms.append(pivot.term)
        made = _pairs_of(accuser, found, ctx.parties)
        pairs.extend(made)
        speaker = made[-1].accuser if made else speaker
    return tuple(pairs), speaker, tuple(terms)


def _pairs_of(accuser: _Speaker, accused: list[str], parties: tuple[str, ...]) -> list[Pair]:
    """One pair per speaker ("Qatar and Egypt said") and accused, never self-blame."""
    pairs = []
    for name in accused:
        first = generic_accuser(accuser, name, parties)
        for speaker in (first, *accuser.also):
            if speaker and speaker != name:
                pairs.append(Pair(speaker, name))
    return pairs


def _mutual_parties(s: _Sentence, mutual: re.Match[str] | _Hit) -> list[str]:
    """The two parties nearest the mutual-blame phrase; places ("between X and Y") count too."""

    def rank(a: _Actor) -> tuple[int, int]:
        distance = a.start - mutual.end() if a.start >= mutual.end() else mutual.start() - a.end
        return (a.role == ROLE_PLACE and a.kind != "state", max(distance, 0))

    # A broker is not a party: "Kyiv and Moscow trade blame as the Turkish-brokered truce wobbles"
    ranked = sorted(
        (a for a in s.actors if a.kind != KIND_MONITOR and a.role != ROLE_MEDIATOR), key=rank
    )
    before = _unique(a.name for a in ranked if a.end <= mutual.start() and a.role == ROLE_FREE)
    if len(before) >= 2:
        return list(before)  # the subjects: "Bamako et la CMA se rejettent la faute"
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
    if pivot.kind in ("according", "according_after"):
        return _according(lex, s, pivot, ctx)
    if lex.order == "sov":
        return _frame_sov(lex, s, pivot, ctx)
    found = _speaker_after(lex, s, pivot, ctx)
    if found is not None:
        return found
    accuser, region_start = _frame_accuser(lex, s, pivot, end, ctx)
    if accuser is None:
        return None, []
    if accuser.tail > 0 and pivot.kind == "speech":
        return accuser, _tail_targets(lex, s, pivot, accuser, ctx)
    # An unnamed institution's state is only a guess: it may be the accused's opponent.
    name = "" if accuser.kind == KIND_GENERIC else accuser.name
    if pivot.kind == "accuse":
        return accuser, _object_target(lex, s, region_start, end, name, pivot, ctx)
    return accuser, _content_target(lex, s, region_start, end, name, ctx)


def _speaker_after(lex: Lexicon, s: _Sentence, pivot: _Pivot, ctx: _Context):
    """(accuser, [accused]) of "Russia broke the truce, said Ukraine's General Staff", or None
    when the speaker does not follow a reported clause."""
    text = s.text
    head = text[: pivot.start].rstrip()
    if not (
        pivot.kind == "speech"
        and head.endswith((",", "،"))
        and (lex.search("breach", head) or lex.search("attack", head))
        and not (s.scan.search("speech", 0, len(head)) or s.scan.search("accuse", 0, len(head)))
    ):
        return None
    # (A head with a verb of saying of its own makes this a second verb of its subject:
    # "Trump says Israel and Iran broke the truce, tells Israel to ...".)
    # "Russia broke the truce, said Ukraine's General Staff": the speaker follows the verb;
    # "..., заявили в Минобороны России" (said in the ministry) names it as a place.
    after = next(
        (
            a
            for a in s.actors
            if a.start >= pivot.end
            and (
                a.role == ROLE_FREE
                or (a.role == ROLE_PLACE and len(_TOKEN.findall(text[pivot.end : a.start])) <= 2)
            )
        ),
        None,
    )
    if after is None:
        return None, []
    tail = text[after.end :]
    if not (lex.search("breach", tail) or lex.search("attack", tail)):
        return _Speaker(after.name, after.kind), _content_target(
            lex, s, 0, len(head), after.name, ctx
        )
    # "Thailand denies firing first, says Cambodia violated truce": reported content.
    return None


def _frame_accuser(
    lex: Lexicon, s: _Sentence, pivot: _Pivot, end: int, ctx: _Context
) -> tuple[_Speaker | None, int]:
    """The accuser of a pivot and where the text it speaks about starts."""
    region_start = pivot.end
    accuser = None
    if lex.order != "vso" or _named_before(lex, s, pivot):
        accuser = _accuser_before(lex, s, pivot, ctx)
    if accuser is None and lex.order == "vso":
        # Verb first: "اتهمت قوات سوريا الديمقراطية أنقرة": the first name after it speaks.
        comp = _complementizer(lex, s.text, pivot.end, end)
        limit = min(comp if comp is not None else end, pivot.end + 45)
        parties = [a for a in s.actors if a.role == ROLE_FREE]
        first = next((a for a in parties if pivot.end <= a.start <= limit), None)
        if first is not None:
            accuser = _Speaker(first.name, first.kind)
            region_start = first.end
    if accuser is None and lex.order == "vso":
        accuser = _accuser_before(lex, s, pivot, ctx)  # "وقال": the last speaker again
    return accuser, region_start


def _tail_targets(
    lex: Lexicon, s: _Sentence, pivot: _Pivot, accuser: _Speaker, ctx: _Context
) -> list[str]:
    """ "Hamas broke the truce, Israel says": the reported clause is before the comma."""
    text = s.text
    found = _content_target(lex, s, 0, accuser.tail, accuser.name, ctx)
    if not found and text[pivot.end :].lstrip().startswith((",", "،")):
        # "Drones flew in from Cambodia, the army said, calling it a violation": the
        # verdict follows, so the one other party of the reported clause is accused.
        others = _unique(
            a.name
            for a in s.actors
            if a.role == ROLE_FREE and a.end <= accuser.tail and a.name != accuser.name
        )
        if len(others) == 1:
            found = list(others)
    return found


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
                if len(gap) <= 2 and all(
                    _full(lex, "determiners", w) or _full(lex, "generic_forces", w) for w in gap
                ):
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
        return _Speaker(src.name, src.kind), _content_target(lex, s, 0, len(head), src.name, ctx)
    return _Speaker(src.name, src.kind), _any_party(lex, s, parties, src.name, src)


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
    return accuser, _content_target(
        lex, s, start, pivot.start, accuser.name, ctx, prefer_breach=pivot.kind == "accuse"
    )


def _colon_frame(lex: Lexicon, s: _Sentence, ctx: _Context) -> Pair | None:
    """Headline "Kyiv: Russian troops attacked hours after the truce began"."""
    text = s.text
    colon = text.find(":")
    if colon <= 0 or colon > 45:
        return None
    accuser = _colon_speaker(lex, s, colon, ctx)
    if accuser is None:
        return None
    # An institution is a speaker, never a topic label: its attack report accuses.
    institution = accuser.kind == KIND_GENERIC or lex.search("institution", text[:colon])
    speaks = bool(institution) and lex.search("attack", text[colon:]) is not None
    if (
        not speaks
        and lex.search("breach", text[colon:]) is None
        and not (lex.search("first_person", text[colon:]) and _temporal_breach(lex, s))
    ):
        # "Lebanon: Israeli strike kills two despite truce" is a topic label; "Saakashvili:
        # the rebels met our truce with mortar fire" is a quote (first person).
        return None
    # "HNC: the regime broke the truce" -> Syria; "separatists" -> the item's one armed group.
    ctx = _Context(None, None, ctx.home_state, ctx.rebel)
    name = "" if accuser.kind == KIND_GENERIC else accuser.name
    targets = _content_target(
        lex, s, colon + 1, len(text), name, ctx, prefer_breach=lex.order == "sov"
    )
    if lex.order == "sov" and not targets and lex.search("breach", text[colon:]):
        body = [
            a
            for a in s.actors
            if a.start > colon and a.role == ROLE_FREE and a.name != accuser.name
        ]
        targets = [body[0].name] if body else []
    name = generic_accuser(accuser, targets[0], ctx.parties) if targets else None
    return Pair(name, targets[0]) if name else None


def _colon_speaker(lex: Lexicon, s: _Sentence, colon: int, ctx: _Context) -> _Speaker | None:
    """Who speaks before a headline colon: its first party, or an unnamed institution
    ("General Staff: Russian troops shelled ...")."""
    for a in s.actors:
        if a.end <= colon and a.role == ROLE_FREE and a.kind != KIND_MONITOR:
            return _Speaker(a.name, a.kind)
    head = s.text[:colon]
    if lex.search("institution", head) or lex.search("generic_forces", head):
        return _Speaker(ctx.home_state or "", KIND_GENERIC)
    return None


def _quote_colon_frame(lex: Lexicon, s: _Sentence, ctx: _Context) -> Pair | None:
    """Headline "'They broke the truce': Netanyahu orders strikes": the name after the colon
    said the quote; the accused is named in the quote, or is the one other party of the item."""
    text = s.text
    if text[:1] not in _OPEN_QUOTES:
        return None
    close = next(
        (
            i
            for i in range(1, len(text))
            if text[i] in _CLOSE_QUOTES and text[i + 1 :].lstrip().startswith(":")
        ),
        -1,
    )
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
