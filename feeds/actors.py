"""Actor knowledge: find states, armed groups, bodies and monitors named in a text.

The data ships in feeds/data/actors/*.json: hand-written aliases (demonyms, capitals,
institutions, inflected forms) plus cldr.json, country names in eight languages generated from
Unicode CLDR by scripts/build_actors.py. All aliases of all actors are compiled once into one
trie-shaped regex, so a text is scanned in a single pass. Pure; imports only the stdlib.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

KINDS = frozenset({"state", "group", "body", "monitor"})
# Phrases that contain an actor's alias but name no actor ("Latin America", "Moscow Times"):
# they win the longest match and are then dropped.
_BLOCKER = "none"

# Case rules, decided per alias from how it is written in the data:
_CS = 2  # ALL-CAPS abbreviations ("UN", "US", "SAF", "ВСУ"): only as written, so "us" is no one
_CAP = 1  # Capitalised names ("Turkey", "Chad"): first letter must be upper case
_CI = 0  # lower-case entries (adjectives "russische", stems "азербайджанск*"): any case
_EXACT_MARK = "="  # "=LeT": mixed-case abbreviation matched only as written ("Let" is a verb)

_STEM_MARK = "*"  # "азербайджан*" also matches "Азербайджана", "азербайджанских"
# A mark inside an alias inflects that word too: "Южн* Судан*" matches "Южного Судана".
_MIN_STEM = 3
_MIN_FOLDED = 5
_BUCKET_MIN = 6  # trie nodes with more branches than this get first-character buckets

# Arabic glues clitics to the noun: و/ف (and), ب/ل/ك (in/for/like) and the article ال,
# with ل + ال contracted to لل ("للسودان"). Offsets reported exclude these prefixes.
_AR_ARTICLE = "ال"
_AR_LETTERS = re.compile(r"[\u0600-\u06FF]")
_CYRILLIC = re.compile(r"[\u0400-\u052F]")

# Characters that vary in spelling but not in meaning; keys and the regex agree on them.
_KEY_TRANSLATE = str.maketrans(
    {
        "’": "'",
        "ʼ": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "\u0307": None,  # decomposed "İ"
        "ё": "е",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ـ": None,
    }
)
_LETTERS = r"[^\W\d_]*"
_SEPARATORS = r"\s\-\u2010-\u2015"
_SEP_RUN = re.compile(f"[{_SEPARATORS}]+")
_CHAR_CLASSES = {
    " ": f"[{_SEPARATORS}]+",
    "'": "['’ʼ‘`´]",
    _STEM_MARK: _LETTERS,
    "е": "[её]",
    "ا": "[اأإآٱ]",
    "ي": "[يى]",
    "ه": "[هة]",
}
# "pro-Russian separatists" and "anti-Houthi forces" are not Russia or the Houthis. The start
# of a name is a non-word character consumed before it (the text is scanned with a space in
# front), so re skips in C from one word edge to the next instead of trying every position.
# Every alias starts with a letter and every match ends before a non-word character, so
# consuming that character never hides the next match.
_LEFT_EDGE = r"\W(?<!pro-)(?<!anti-)"
_PAD = " "


@dataclass(frozen=True, slots=True)
class ActorMention:
    """One actor named in a text, with the span as written."""

    name: str  # canonical English name, e.g. "Russia"
    start: int  # offsets into the text given
    end: int
    surface: str  # the text as written, e.g. "Azerbaijani", "Москва"
    kind: str  # "state" | "group" | "body" | "monitor"


@dataclass(frozen=True, slots=True)
class _Alias:
    name: str
    kind: str
    mode: int
    written: str  # as in the data, without marks; case-sensitive aliases must match it
    only_lang: str | None  # matched only when the caller says the text is in this language


@dataclass(frozen=True, slots=True)
class _Index:
    pattern: re.Pattern[str]
    exact: dict[str, _Alias]
    stems: dict[str, _Alias]
    inner_stems: dict[str, tuple[tuple[re.Pattern[str], _Alias], ...]]  # by text before the mark
    kinds: dict[str, str]
    collisions: tuple[tuple[str, str, str], ...]  # (key, kept actor, dropped actor)


def _key(text: str) -> str:
    """Normalise an alias or a matched span for lookup: case, apostrophes, separators."""
    return _SEP_RUN.sub(" ", _fold(text).translate(_KEY_TRANSLATE)).strip()


def _mode(alias: str) -> int:
    if alias.startswith(_EXACT_MARK):
        return _CS
    letters = [c for c in alias if c.isalpha()]
    if not letters or not any(c.isupper() or c.islower() for c in letters):
        return _CI  # Arabic and other caseless scripts
    if not any(c.islower() for c in letters) and len(alias) <= 12:
        return _CS
    return _CAP if letters[0].isupper() and alias.lstrip()[0].isalpha() else _CI


def _load_entries() -> list[dict]:
    folder = resources.files("feeds") / "data" / "actors"
    entries: list[dict] = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".json"):
            entries.extend(json.loads(item.read_text(encoding="utf-8"))["actors"])
    return entries


def _ascii_fold(alias: str) -> str | None:
    """Accent-free spelling ("Azerbaïdjan" -> "Azerbaidjan"), or None if nothing changes."""
    if alias.isascii() or any(c.isalpha() and ord(c) >= 0x250 for c in alias):
        return None  # plain ASCII, or not Latin script (Cyrillic "й" must keep its breve)
    bare = "".join(c for c in unicodedata.normalize("NFKD", alias) if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFC", bare)
    # Short folds make new words: Turkish "Şam" (Damascus) would become "Sam", "Çin" "Cin".
    if folded == alias or len(folded.rstrip(_STEM_MARK)) < _MIN_FOLDED:
        return None
    return folded


def _aliases_of(entry: dict) -> list[tuple[str, str | None]]:
    """(alias, only_lang) for one data entry; the canonical name is always an alias."""
    out: list[tuple[str, str | None]] = [(entry["name"], None)]
    for lang, words in entry.get("aliases", {}).items():
        only = lang.removesuffix("_only") if lang.endswith("_only") else None
        out.extend((word, only) for word in words)
    folded = [(_ascii_fold(word), only) for word, only in out]
    return out + [(word, only) for word, only in folded if word]


def _trie_pattern(keys: dict[str, bool]) -> str:
    """One regex alternation over `keys` (key -> is_stem), factored as a character trie."""
    trie: dict = {}
    for key, is_stem in keys.items():
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = node.get("", False) or is_stem
    return _emit(trie) if trie else "(?!)"


def _first_chars(edge: str) -> str:
    """The characters, as a regex class body, that the trie edge `edge` can start with."""
    if edge in _CHAR_CLASSES:
        pattern = _CHAR_CLASSES[edge]
        return pattern[1 : pattern.index("]")]
    return re.escape(edge)


def _emit(node: dict) -> str:
    edges = sorted(k for k in node if k)
    branches = [(_CHAR_CLASSES.get(ch) or re.escape(ch)) + _emit(node[ch]) for ch in edges]
    fixed = [i for i, ch in enumerate(edges) if ch != _STEM_MARK]
    if len(fixed) > _BUCKET_MIN:
        # The regex engine tries alternatives one by one; testing a character class first
        # lets it skip a whole bucket of branches at once (a word start costs ~sqrt(n) tests).
        size = math.isqrt(len(fixed) - 1) + 1
        buckets = []
        for at in range(0, len(fixed), size):
            chunk = fixed[at : at + size]
            chars = "".join(_first_chars(edges[i]) for i in chunk)
            body = "|".join(branches[i] for i in chunk)
            buckets.append(f"(?=[{chars}])(?:{body})")
        branches = [branches[i] for i, ch in enumerate(edges) if ch == _STEM_MARK] + buckets
    if "" not in node:
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    ending = _LETTERS if node[""] else ""
    if not branches:
        return ending
    # Longer aliases are tried first; the regex falls back to ending here if they fail.
    return "(?:" + "|".join([*branches, ending]) + ")"


def _starts(keys: dict[str, bool]) -> str:
    """A lookahead for the characters that can begin one of `keys`."""
    firsts = sorted({key[0] for key in keys})
    return "(?=[" + "".join(_first_chars(ch) for ch in firsts) + "])" if firsts else "(?!)"


def _table_for(key: str, is_stem: bool) -> str:
    if _STEM_MARK in key:
        return "inner"
    return "stems" if is_stem else "exact"


@cache
def _index() -> _Index:
    exact: dict[str, _Alias] = {}
    stems: dict[str, _Alias] = {}
    inner: dict[str, _Alias] = {}
    kinds: dict[str, str] = {}
    collisions: list[tuple[str, str, str]] = []
    tables = {"exact": exact, "stems": stems, "inner": inner}
    trie_keys: dict[str, bool] = {}  # key -> may letters follow
    for entry in _load_entries():
        name, kind = entry["name"], entry["kind"]
        if kind not in KINDS and kind != _BLOCKER:
            raise ValueError(f"actor {name!r} has unknown kind {kind!r}")
        if kind != _BLOCKER and kinds.setdefault(name, kind) != kind:
            raise ValueError(f"actor {name!r} has two kinds: {kinds[name]!r}, {kind!r}")
        for alias, only in _aliases_of(entry):
            if kind == _BLOCKER and alias == name:
                continue  # a blocker's name is a label, not a phrase
            is_stem = alias.endswith(_STEM_MARK)
            word = alias.removesuffix(_STEM_MARK)
            mode = _mode(word)
            word = word.removeprefix(_EXACT_MARK)
            key = _key(word)
            if len(key.split(_STEM_MARK, 1)[0]) < (_MIN_STEM if is_stem else 1):
                continue
            table = tables[_table_for(key, is_stem)]
            if _STEM_MARK in key and is_stem:
                key += _STEM_MARK
            new = _Alias(name, kind, mode, word.replace(_STEM_MARK, ""), only)
            old = table.get(key)
            if old is None:
                table[key] = new
            elif old.name != name:
                collisions.append((key, old.name, name))
                continue
            elif new.mode < old.mode or (old.only_lang and not new.only_lang):
                table[key] = new  # the same actor written two ways: keep the laxer rule
            open_end = is_stem and table is not inner  # an inner key carries its own mark
            trie_keys[key] = trie_keys.get(key, False) or open_end
    inner_by_head: dict[str, list[tuple[re.Pattern[str], _Alias]]] = {}
    for key, alias in inner.items():
        head = key.split(_STEM_MARK, 1)[0]
        full = re.compile(_trie_pattern({key: False}))
        inner_by_head.setdefault(head, []).append((full, alias))
    latin: dict[str, bool] = {}
    cyrillic: dict[str, bool] = {}
    with_article: dict[str, bool] = {}
    plain_arabic: dict[str, bool] = {}
    for key, is_stem in trie_keys.items():
        if _AR_LETTERS.match(key):
            if key.startswith(_AR_ARTICLE) and len(key) > len(_AR_ARTICLE) + 1:
                with_article[key[len(_AR_ARTICLE) :]] = is_stem
            else:
                plain_arabic[key] = is_stem
        elif _CYRILLIC.match(key):
            cyrillic[key] = is_stem
        else:
            latin[key] = is_stem
    # One branch per script, each behind a test of its possible first letters, so a word
    # start costs a few character tests in the branches of other scripts.
    if any(not key[:1].isalnum() for key in trie_keys):
        raise ValueError("an actor alias must start with a letter or digit")
    pattern = (
        f"{_LEFT_EDGE}(?:"
        f"{_starts(latin)}(?P<w>{_trie_pattern(latin)})"
        f"|{_starts(cyrillic)}(?P<c>{_trie_pattern(cyrillic)})"
        f"|(?=[\u0600-\u06ff])(?:"
        f"[وف]?(?:[بك]?ال|لل)(?P<al>{_trie_pattern(with_article)})"
        f"|[وف]?[بلك]?(?P<ar>{_trie_pattern(plain_arabic)})"
        r"))(?!\w)"
    )
    return _Index(
        # The text is lower-cased before the scan (and a space put in front): a case-sensitive
        # regex over a trie of lower-case keys runs about twice as fast as re.IGNORECASE.
        pattern=re.compile(pattern),
        exact=exact,
        stems=stems,
        inner_stems={head: tuple(found) for head, found in inner_by_head.items()},
        kinds=kinds,
        collisions=tuple(collisions),
    )


def _candidates(index: _Index, key: str) -> Iterator[_Alias]:
    """Aliases whose key matches `key`: exact first, then inflected, longest stem first."""
    hit = index.exact.get(key)
    if hit is not None:
        yield hit
    if index.inner_stems:
        for cut in range(len(key), 0, -1):
            for pattern, alias in index.inner_stems.get(key[:cut], ()):
                if pattern.fullmatch(key):
                    yield alias
    for cut in range(len(key), _MIN_STEM - 1, -1):
        hit = index.stems.get(key[:cut])
        if hit is not None:
            yield hit


def _accepts(alias: _Alias, surface: str, lang: str | None) -> bool:
    if alias.only_lang is not None and alias.only_lang != lang:
        return False
    if alias.mode == _CS:
        if surface.startswith(alias.written):
            return True
        return not any(c.islower() for c in alias.written + surface)
    if alias.mode == _CAP:
        return surface[0].isupper()
    return True


def _fold(text: str) -> str:
    """Lower-case `text` keeping every offset: "İ" is the one letter whose lower() grows."""
    return text.replace("İ", "i").lower() if "İ" in text else text.lower()


def find_actors(text: str, lang: str | None = None) -> list[ActorMention]:
    """Every actor named in `text`, sorted by start, non-overlapping, longest alias first."""
    index = _index()
    base = lang.split("-")[0].split("_")[0].lower() if lang else None
    found: list[ActorMention] = []
    for match in index.pattern.finditer(_PAD + _fold(text)):
        group = match.lastgroup
        if group is None:
            continue
        start, end = match.span(group)
        start, end = start - 1, end - 1  # the padding space
        surface = text[start:end]
        # The span is already lower-cased; most need no separator clean-up (hot path).
        key = match.group(group).translate(_KEY_TRANSLATE)
        if not key.isalnum():
            key = _SEP_RUN.sub(" ", key).strip()
        if group == "al":
            key = _AR_ARTICLE + key
        alias = index.exact.get(key)
        if alias is None or not _accepts(alias, surface, base):
            alias = next((a for a in _candidates(index, key) if _accepts(a, surface, base)), None)
        if alias is not None and alias.kind != _BLOCKER:
            found.append(ActorMention(alias.name, start, end, surface, alias.kind))
    return found


def resolve_actor(word: str) -> str | None:
    """The canonical name for any alias, demonym or name in any language, ignoring case."""
    index = _index()
    key = _key(word)
    if key.startswith("the "):
        key = key[4:]
    if not key:
        return None
    tries = [key]
    if _AR_LETTERS.match(key):
        for prefix in ("ال", "وال", "فال", "بال", "كال", "لل", "و", "ف", "ب", "ل", "ك"):
            if key.startswith(prefix) and len(key) > len(prefix) + 2:
                rest = key[len(prefix) :]
                tries += [rest, _AR_ARTICLE + rest]
    for attempt in tries:
        hit = next(_candidates(index, attempt), None)
        if hit is not None:
            return hit.name if hit.kind != _BLOCKER else None
    return None


def actor_kind(name: str) -> str | None:
    """The kind of a canonical actor ("state", "group", "body", "monitor"), or None."""
    return _index().kinds.get(name)


def actor_names() -> frozenset[str]:
    """Every canonical actor name."""
    return frozenset(_index().kinds)


@cache
def _group_states() -> dict[str, str]:
    return {e["name"]: e["state"] for e in _load_entries() if e.get("state")}


def group_state(name: str) -> str | None:
    """The state whose government a group fights ("ELN" -> "Colombia"), or None."""
    return _group_states().get(name)
