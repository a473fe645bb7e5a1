"""Per-language detection lexicons: load feeds/data/lexicon/<lang>.json and compile it once.

Each data file lists the words that signal a truce, a breach, an accusation and so on, written in
a small term syntax (see docs/detection.md) that this module turns into one regex per category.
Pure after the first load; imports only the stdlib.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

# The categories every lexicon file carries; a missing one compiles to a regex that never matches.
CATEGORIES = (
    "truce", "truce_weak", "truce_context", "metaphor", "history", "old_markers", "breach",
    "concessive_before", "concessive_after", "since_words", "start_words", "expiry", "attack",
    "accuse", "speech", "according", "according_after", "mutual", "negation", "negation_after",
    "hypothetical", "other_sense", "vague", "agent", "modifier_verbs", "modifier_suffix",
    "modifier_nouns", "locative", "determiners", "pronouns", "complementizer", "clause_break",
    "conjunction", "generic_forces", "non_party_speakers", "call_verbs", "pending", "past",
    "generic_rebels", "truce_topic", "truce_soft", "military", "lull", "ceasefire_line", "halt",
    "since_always", "ending", "reply", "first_person",
)
# Categories whose terms can make an item truce news: one search of their union ("gate") lets
# the many items that name none of them stop at once.
GATE = ("truce", "truce_context", "lull", "ceasefire_line")
# Words that place fighting inside a truce without a breach word; one search skips those rules.
TEMPORAL = ("since_always", "ending", "reply", "ceasefire_line")
_NEVER = re.compile(r"(?!x)x")
_GAP = r"\s+(?:[\w'’\-]+\s+){0,3}"  # " ~ ": up to three words in between
_WORD_END = r"\w*"


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

    def is_word(self, category: str, word: str) -> bool:
        """Whether `word` is, as a whole, one of `category`'s terms (after clitics, in Arabic)."""
        pattern = self.patterns[category]
        if pattern.fullmatch(word) is not None:
            return True
        if self.clitics is None:
            return False
        bare = self.clitics.sub("", word, count=1)
        return bare != word and pattern.fullmatch(bare) is not None

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


def compile_terms(terms: list[str], *, word_boundary: bool = True) -> re.Pattern[str]:
    """One case-insensitive regex over `terms`, longest first so multi-word terms win."""
    if not terms:
        return _NEVER
    body = _factor([term_to_regex(t) for t in sorted(terms, key=len, reverse=True)])
    if word_boundary:
        body = rf"(?<!\w)(?:{body})(?!\w)"
    return re.compile(body, re.IGNORECASE)


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
    groups: dict[str, list[str]] = {}
    other: list[str] = []
    for fragment in fragments:
        head = fragment[:1]
        if head.isalpha() and fragment[1:2] not in ("?", "*", "+", "{"):
            groups.setdefault(head.lower(), []).append(fragment[1:])
        else:
            other.append(fragment)
    branches = [
        f"{re.escape(head)}(?:{'|'.join(rests)})" for head, rests in groups.items()
    ]
    return "|".join([*branches, *other])


def available_languages() -> tuple[str, ...]:
    """Language codes that have a lexicon file, e.g. ("ar", "de", "en", ...)."""
    folder = resources.files("feeds") / "data" / "lexicon"
    return tuple(sorted(p.name.removesuffix(".json") for p in folder.iterdir()
                        if p.name.endswith(".json")))


@cache
def load_lexicon(lang: str) -> Lexicon:
    """The compiled lexicon for `lang`; unknown languages fall back to English."""
    if lang not in available_languages():
        lang = "en"
    path = resources.files("feeds") / "data" / "lexicon" / f"{lang}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    bounded = bool(data.get("word_boundary", True))
    patterns = {c: compile_terms(data.get(c, []), word_boundary=bounded) for c in CATEGORIES}
    use_heads = bounded and data.get("prefilter", True)
    heads = {c: term_heads(data.get(c, [])) if use_heads else None for c in CATEGORIES}
    for union, parts in (("gate", GATE), ("temporal", TEMPORAL)):
        terms = [t for c in parts for t in data.get(c, [])]
        patterns[union] = compile_terms(terms, word_boundary=bounded)
        heads[union] = term_heads(terms) if use_heads else None
    suffix = data.get("locative_suffix")
    return Lexicon(
        lang=lang,
        order=data.get("order", "svo"),
        patterns=patterns,
        locative_suffix=re.compile(suffix, re.IGNORECASE) if suffix else None,
        modifier_before_truce=bool(data.get("modifier_before_truce", True)),
        clitics=re.compile(data["clitics"]) if data.get("clitics") else None,
        heads=heads,
    )
