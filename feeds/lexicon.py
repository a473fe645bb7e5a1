"""Per-language detection lexicons: load feeds/data/lexicon/<lang>.json and compile it once.

Each data file lists the words that signal a truce, a breach, an accusation and so on, written in
a small term syntax (see docs/detection.md) that this module turns into one regex per category.
Pure after the first load; imports only the stdlib.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

# The categories every lexicon file carries; a missing one compiles to a regex that never matches.
CATEGORIES = (
    "truce",
    "truce_weak",
    "truce_context",
    "metaphor",
    "history",
    "old_markers",
    "breach",
    "concessive_before",
    "concessive_after",
    "since_words",
    "start_words",
    "expiry",
    "attack",
    "accuse",
    "speech",
    "according",
    "according_after",
    "mutual",
    "negation",
    "negation_after",
    "hypothetical",
    "other_sense",
    "vague",
    "agent",
    "modifier_verbs",
    "modifier_suffix",
    "modifier_nouns",
    "locative",
    "determiners",
    "pronouns",
    "complementizer",
    "clause_break",
    "conjunction",
    "generic_forces",
    "non_party_speakers",
    "call_verbs",
    "pending",
    "past",
    "generic_rebels",
    "truce_topic",
    "truce_soft",
    "military",
    "lull",
    "ceasefire_line",
    "halt",
    "since_always",
    "span_after",
    "ending",
    "reply",
    "first_person",
    "purpose",
    "truce_anaphora",
    "relative",
    "proposal",
    "in_force",
    "strain",
    "institution",
    "victim_after",
    "halt_after",
    "extension",
    "modal",
    "observers",
    "collapse",
    "occasion",
    "occasion_after",
)
# Categories whose terms can make an item truce news: one search of their union ("gate") lets
# the many items that name none of them stop at once.
GATE = ("truce", "truce_context", "lull", "ceasefire_line")
# Words that place fighting inside a truce without a breach word; one search skips those rules.
TEMPORAL = ("since_always", "span_after", "ending", "reply", "ceasefire_line")
_NEVER = re.compile(r"(?!x)x")
_SEEN_LIMIT = 200_000  # is_word answers kept per language
# Letters that re.IGNORECASE treats as one although lower() keeps them apart (Python's
# sre _EXTRA_CASES): each maps to the group's smallest member, in text and patterns alike.
_EQUIVALENT = (
    "iı",
    "sſ",
    "µμ",
    "\u0345\u03b9\u1fbe",
    "\u0390\u1fd3",
    "\u03b0\u1fe3",
    "βϐ",
    "εϵ",
    "θϑ",
    "κϰ",
    "πϖ",
    "ρϱ",
    "ςσ",
    "φϕ",
    "вᲀ",
    "дᲁ",
    "оᲂ",
    "сᲃ",
    "тᲄᲅ",
    "ъᲆ",
    "ѣᲇ",
    "ᲈꙋ",
    "ṡẛ",
    "ﬅﬆ",
)
_CANON = {ord(c): min(group) for group in _EQUIVALENT for c in group if c != min(group)}
_CANON_CHARS = re.compile("[" + "".join(chr(c) for c in _CANON) + "]")
# Regex source that lower-casing would change in meaning: \S, \W, \D, \B ... or a class range.
_UNFOLDABLE = re.compile(r"\\[A-Z]|\[(?:\\.|[^\]])*?(?:[^\W\d_]-[^\]]|[^\\\[]-[^\W\d_])")
_LETTERS_ONLY = re.compile(r"[^\W\d_]+")
_GAP = r"\s+(?:[\w'’\-]+\s+){0,3}"  # " ~ ": up to three words in between
_WORD_END = r"\w*"
# Where a term may end with an elided article ("in violazione dell'", "a dispetto dell'"): right
# before the next word's first letter. Only in the categories that lead into a truce term.
_ELIDED_END = r"(?:(?!\w)|(?<=['’]))"
ELIDED_BEFORE = ("concessive_before", "since_always", "span_after", "temporal")
# A quantifier that lets what precedes it match nothing.
_OPTIONAL = re.compile(r"[?*]|\{0|\{,")
# A fragment's first element when it always matches a word character.
_WORD_HEAD = re.compile(r"(?:[^\W_]|\\[dw])(?![?*]|\{0|\{,)")


def fold(text: str) -> str:
    """Lower-case `text` keeping every offset, so that a case-sensitive search of the result
    finds what re.IGNORECASE finds in `text` ("İ", whose lower() grows, becomes "i")."""
    low = text.replace("İ", "i").lower() if "İ" in text else text.lower()
    if not low.isascii() and _CANON_CHARS.search(low):
        low = low.translate(_CANON)
    return low


def folds_as_lower(text: str) -> bool:
    """Whether fold(text) is plain text.lower() (no "İ", no letter re.IGNORECASE merges)."""
    return "İ" not in text and (text.isascii() or _CANON_CHARS.search(text.lower()) is None)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Compiled patterns for one language; `patterns[category]` finds that category's terms."""

    lang: str
    order: str  # "svo", "vso" or "sov": where the accuser stands relative to the verb
    patterns: dict[str, re.Pattern[str]]
    locative_suffix: re.Pattern[str] | None  # Turkish marks place with a suffix, not a word
    # "Karabakh truce": a name right before a truce term qualifies it. Not so in Arabic (the
    # qualifier follows the noun) or Turkish ("Hamas'ın ateşkesi ihlal ettiği": the subject).
    modifier_before_truce: bool
    clitics: re.Pattern[str] | None  # Arabic prefixes to strip before comparing a word
    # First letters (1-3, lower case) every term of a category starts with; None = no shortcut.
    heads: dict[str, frozenset[str] | None]
    # The same patterns for " " + fold(text), without re.IGNORECASE, the term in group "t"
    # (see compile_folded): re skips to candidate letters in C. None where a term cannot be
    # folded; then use `patterns` on the text as written.
    folded: dict[str, re.Pattern[str] | None]
    # Categories whose matches in a whole item are exactly those in its sentences, provided no
    # match crosses a sentence edge: no lookaround in any term, no term that matches "".
    local: frozenset[str]
    # Per category, its terms that are plain words (folded), and whether all its terms are:
    # a set lookup then answers is_word without a regex.
    words: dict[str, tuple[frozenset[str], bool]]
    # is_word's answers: the rules ask about the same few words again and again.
    seen: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False, compare=False)

    def is_word(self, category: str, word: str) -> bool:
        """Whether `word` is, as a whole, one of `category`'s terms (after clitics, in Arabic)."""
        key = (category, word)
        found = self.seen.get(key)
        if found is None:
            found = self._is_word(category, word)
            if len(self.seen) < _SEEN_LIMIT:  # a bound, so a long-running bot cannot grow it
                self.seen[key] = found
        return found

    def _is_word(self, category: str, word: str) -> bool:
        plain, complete = self.words[category]
        if fold(word) in plain:
            return True
        pattern = self.patterns[category]
        if not complete and pattern.fullmatch(word) is not None:
            return True
        if self.clitics is None:
            return False
        bare = self.clitics.sub("", word, count=1)
        if bare == word:
            return False
        return fold(bare) in plain or (not complete and pattern.fullmatch(bare) is not None)

    def find(self, category: str, text: str) -> list[re.Match[str]]:
        """All non-overlapping matches of `category` in `text`."""
        return list(self.patterns[category].finditer(text))

    def search(self, category: str, text: str) -> re.Match[str] | None:
        """The first match of `category` in `text`, if any."""
        return self.patterns[category].search(text)


def term_to_regex(term: str) -> str:
    """Turn one lexicon term into a regex fragment ('*' word ending, ' ~ ' gap, ' ' space)."""
    out = term.replace(" ~ ", "\0")
    out = out.replace(" ", r"\s+").replace("*", _WORD_END)
    return out.replace("\0", _GAP)


def compile_terms(
    terms: list[str], *, word_boundary: bool = True, elided: bool = False
) -> re.Pattern[str]:
    """One case-insensitive regex over `terms`, longest first so multi-word terms win; with
    `elided`, a term may also end with an elided article ("dell'")."""
    if not terms:
        return _NEVER
    end = _ELIDED_END if elided else r"(?!\w)"
    body = _factor([term_to_regex(t) for t in sorted(terms, key=len, reverse=True)])
    if word_boundary:
        body = rf"(?<!\w)(?:{body}){end}"
    return re.compile(body, re.IGNORECASE)


def compile_folded(
    terms: list[str], *, word_boundary: bool = True, elided: bool = False
) -> re.Pattern[str] | None:
    r"""`compile_terms` for " " + fold(text): the same alternatives in the same order.

    Case-sensitive, and the term is group "t" (offsets one more than in the text). Where every
    term starts with a letter, the boundary test `(?<!\w)` becomes a non-word character
    consumed before the term (the leading space stands for the start of the text), so re
    skips in C to the few places where a word starts with one of the terms' first letters;
    otherwise it moves behind each branch's first letter as `(?<!\w.)`, the same test made at
    the same start. None when lower-casing a term's regex would change its meaning.
    """
    if not terms:
        return _NEVER
    fragments = [term_to_regex(t) for t in sorted(terms, key=len, reverse=True)]
    if any(_UNFOLDABLE.search(f) for f in fragments):
        return None
    if not word_boundary:
        return re.compile(f"(?P<t>{fold(_factor(fragments))})")
    groups, other = _groups(fragments)
    spread = [_distribute(f) for f in other]
    if other and all(spread):
        # "(?:trade|rail) unions?" is tried as "trade unions?|rail unions?" after the groups:
        # the same order at any start, as every other branch there starts with another letter.
        other = []
        for head, rests in _groups([f for parts in spread for f in parts])[0].items():
            groups[f"{head}\0{len(groups)}"] = rests
    if not elided and all(_word_start(f) for f in other):
        # Two matches never touch (each ends before a non-word character, each starts with a
        # word character), so consuming the character before a term skips no later match.
        body = "|".join(
            [
                *(
                    f"{fold(re.escape(head.split(chr(0))[0]))}(?:{fold('|'.join(rests))})"
                    for head, rests in groups.items()
                ),
                *([f"(?:{fold('|'.join(other))})"] if other else []),
            ]
        )
        return re.compile(f"\\W(?P<t>{body})(?!\\w)")
    branches = []
    for head, rests in groups.items():
        first = fold(re.escape(head.split(chr(0))[0]))
        branches.append(f"{first[0]}(?<!\\w.){first[1:]}(?:{fold('|'.join(rests))})")
    if other:
        branches.append(f"(?<!\\w)(?:{fold('|'.join(other))})")
    # A term ending in an elided article may touch the next match: test, do not consume.
    end = _ELIDED_END if elided else r"(?!\w)"
    return re.compile(f"(?P<t>{'|'.join(branches)}){end}")


def _plain_words(terms: list[str]) -> tuple[frozenset[str], bool]:
    """The terms made of letters only (folded), and whether that is all of them."""
    plain = [t for t in terms if _LETTERS_ONLY.fullmatch(t)]
    # As the regex has them: _factor lower-cases the first letter ("İ" -> "i" + dot above).
    return frozenset(fold(t[0].lower() + t[1:]) for t in plain), len(plain) == len(terms)


def _distribute(fragment: str) -> list[str] | None:
    """ "(?:a|b)c" as ["ac", "bc"] when each alternative starts with a letter, else None."""
    split = _top_group(fragment)
    if split is None:
        return None
    parts, rest = split
    if rest[:1] in ("?", "*", "+", "{") or not all(
        p[:1].isalpha() and p[1:2] not in ("?", "*", "+", "{") for p in parts
    ):
        return None
    return [p + rest for p in parts]


def _top_group(fragment: str) -> tuple[list[str], str] | None:
    """ "(?:a|b)c" as (["a", "b"], "c"); None unless the fragment starts with such a group."""
    if not fragment.startswith("(?:"):
        return None
    depth, start, parts = 0, 3, []
    for i, ch in enumerate(fragment):
        if ch == "\\" or (i and fragment[i - 1] == "\\"):
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                parts.append(fragment[start:i])
                rest = fragment[i + 1 :]
                break
        elif ch == "|" and depth == 1:
            parts.append(fragment[start:i])
            start = i + 1
    else:
        return None
    return parts, rest


def _word_start(fragment: str) -> bool:
    r"""Whether every match of `fragment` starts with a word character: it begins with a
    letter, a digit, \d or \w that is not optional, or a group of such alternatives."""
    if _WORD_HEAD.match(fragment):
        return True
    split = _top_group(fragment)
    if split is None or _OPTIONAL.match(split[1]):
        return False
    return all(part and _word_start(part) for part in split[0])


def _is_local(terms: list[str]) -> bool:
    """No lookaround and no empty match: a whole-item scan finds exactly the sentences' hits."""
    fragments = [term_to_regex(t) for t in terms]
    return not any(
        "(?" in f.replace("(?:", "")
        or "$" in f
        or "^" in f
        or any(e in f for e in ("\\b", "\\B", "\\A", "\\Z"))
        or re.fullmatch(f, "") is not None
        for f in fragments
    )


def term_heads(terms: list[str]) -> frozenset[str] | None:
    """The literal first letters of each term (up to 3), or None if a term starts otherwise.

    A sentence whose words start with none of these cannot match, so its regex scan is skipped.
    """
    heads = set()
    for term in terms:
        head = ""
        for i, ch in enumerate(term[:3]):
            if not ch.isalpha():
                break
            if term[i + 1 : i + 2] in ("?", "*", "+", "{"):
                break  # this letter is optional or repeated: stop before it
            head += ch
        if not head:
            return None
        heads.add(head.lower())
    return frozenset(heads)


def _factor(fragments: list[str]) -> str:
    """Group alternatives by their first letter so the regex tries one group per position.

    Python's re tries every branch of an alternation at every position; with ~40 terms per
    category that dominated classification time. Branches keep their relative order.
    """
    groups, other = _groups(fragments)
    branches = [f"{re.escape(head)}(?:{'|'.join(rests)})" for head, rests in groups.items()]
    return "|".join([*branches, *other])


def _groups(fragments: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Fragments by lower-cased literal first letter (rest only), and those starting otherwise."""
    groups: dict[str, list[str]] = {}
    other: list[str] = []
    for fragment in fragments:
        head = fragment[:1]
        if head.isalpha() and fragment[1:2] not in ("?", "*", "+", "{"):
            groups.setdefault(head.lower(), []).append(fragment[1:])
        else:
            other.append(fragment)
    return groups, other


def available_languages() -> tuple[str, ...]:
    """Language codes that have a lexicon file, e.g. ("ar", "de", "en", ...)."""
    folder = resources.files("feeds") / "data" / "lexicon"
    return tuple(
        sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json"))
    )


def _governed_terms(data: dict) -> list[str]:
    """Weak truce words that a concessive, a breach word or a span of time after governs:
    "clashes despite the Abuja agreement", "violating the military accord", "shelled two days
    after the peace agreement". A weak word alone ("a trade deal") is no truce, nor one after
    a bare "since" ("the worst violence since the Good Friday Agreement"); governed by these it
    is one."""
    weak = data.get("truce_weak", [])
    if not weak:
        return []
    heads = [t for c in ("concessive_before", "breach", "span_after") for t in data.get(c, [])]
    weak_words = "|".join(weak)
    # An elided article may cling to the weak word ("malgré l'accord", "nonostante l'intesa"),
    # or end the head itself ("in barba all'accordo").
    gap = r"(?:\s+(?:[\w'’\-]+\s+){0,3}(?:\w{1,4}['’])?|(?<=['’]))"
    before = [f"{head}{gap}(?:{weak_words})" for head in heads]
    # "the accord was violated", Turkish "anlaşmasını çiğniyor": the breach word after.
    after = [f"(?:{weak_words}) ~ {head}" for head in data.get("breach", [])]
    return before + after


def _occasion_terms(data: dict, *, after: bool) -> list[str]:
    """An anniversary as the occasion of something done now: "to mark the 80th anniversary",
    "zum 80. Jahrestag", Turkish "80. yıl dönümü nedeniyle" (the word after it). Next to a
    truce term it names a truce declared now, not an old one (feeds.detect.prefilter)."""
    history = "|".join(data.get("history", []))
    words = "|".join(data.get("occasion_after" if after else "occasion", []))
    if not history or not words:
        return []
    if after:
        return [f"(?:{history}) ~ (?:{words})"]
    # Up to three words before the anniversary, ordinals written with a dot or a sign too.
    gap = r"\s+(?:[\w.'’°º\-]+\s+){0,3}"
    return [f"(?:{words}){gap}(?:{history})"]


@cache
def load_lexicon(lang: str) -> Lexicon:
    """The compiled lexicon for `lang`; unknown languages fall back to English."""
    if lang not in available_languages():
        lang = "en"
    path = resources.files("feeds") / "data" / "lexicon" / f"{lang}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    bounded = bool(data.get("word_boundary", True))
    patterns = {
        c: compile_terms(data.get(c, []), word_boundary=bounded, elided=c in ELIDED_BEFORE)
        for c in CATEGORIES
    }
    use_heads = bounded and data.get("prefilter", True)
    heads = {c: term_heads(data.get(c, [])) if use_heads else None for c in CATEGORIES}
    folded = {
        c: compile_folded(data.get(c, []), word_boundary=bounded, elided=c in ELIDED_BEFORE)
        for c in CATEGORIES
    }
    local = {c for c in CATEGORIES if _is_local(data.get(c, []))}
    words = {c: _plain_words(data.get(c, [])) for c in CATEGORIES}
    # Compiled like categories, from several categories' terms or terms built from them.
    unions = {
        "gate": [t for c in GATE for t in data.get(c, [])],
        "temporal": [t for c in TEMPORAL for t in data.get(c, [])],
        "governed": _governed_terms(data),
        "occasion_history": _occasion_terms(data, after=False),
        "history_occasion": _occasion_terms(data, after=True),
        "gate_or_weak": [t for c in (*GATE, "truce_weak") for t in data.get(c, [])],
    }
    for union, terms in unions.items():
        elided = union in ELIDED_BEFORE
        patterns[union] = compile_terms(terms, word_boundary=bounded, elided=elided)
        heads[union] = term_heads(terms) if use_heads else None
        folded[union] = compile_folded(terms, word_boundary=bounded, elided=elided)
        words[union] = _plain_words(terms)
        if _is_local(terms):
            local.add(union)
    suffix = data.get("locative_suffix")
    return Lexicon(
        lang=lang,
        order=data.get("order", "svo"),
        patterns=patterns,
        locative_suffix=re.compile(suffix, re.IGNORECASE) if suffix else None,
        modifier_before_truce=bool(data.get("modifier_before_truce", True)),
        clitics=re.compile(data["clitics"]) if data.get("clitics") else None,
        heads=heads,
        folded=folded,
        local=frozenset(local),
        words=words,
    )
