"""Place names in an item, as spelling-free keys that agree across languages and scripts.

"Бінт-Джбейль", "Bint Dschbeil" and "بنت جبيل" all give the keys "bnt" and "jbl": each word is
transliterated to Latin with its language's spelling rules, then reduced to a skeleton of
consonant classes (vowels dropped, since Arabic does not write short ones; voiced and unvoiced
pairs merged, since transliterations disagree on them). Which words are names: capitalised words
that are not the first of a sentence (Latin, Cyrillic), words right after a locative or a place
noun ("in", "near", "village of", "في", "قرب", "بلدة"), the only sign in Arabic and, since German
capitalises every noun, in German; a headline's dateline ("Sake : …") and Turkish locative
suffixes ("Şuşa'da") too. Names of two words also count joined ("Kfar Kila", "كفركلا").
Actors (feeds.actors), lexicon terms, months, number words and the per-language `not_places`
of feeds/data/grouping.json are never places.
Pure; imports the stdlib, feeds.actors and feeds.lexicon.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from feeds.actors import find_actors
from feeds.lexicon import Lexicon, available_languages, fold, load_lexicon

# Lexicon categories whose words are never place names ("Angriffen", "Waffenruhe"). Not
# "military": it lists war zones too ("Idlib", "Donbass"), which are places.
_COMMON = (
    "truce",
    "attack",
    "breach",
    "institution",
    "generic_forces",
    "generic_rebels",
    "determiners",
    "locative",
    "speech",
    "accuse",
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;«»\"“”„(\[—–|]\s*|\s-\s)$")
# "Sake : l'armée accuse…", "Idlib: Beschuss…": a headline's dateline names a place.
_DATELINE = re.compile(r"^\s*((?:[^\W\d_][\w'’-]*\s*){1,3}?)\s*[:—–|]")
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_MAX_AFTER_MARKER = 2  # "في بلدة بنت جبيل": a name of up to two words follows the marker
_MIN_KEY = 2  # consonants; "Sake" (sk) and "Tame" (tm) are real places
_FUZZY_MIN = 3  # keys at least this long may differ by an inflection ending or one letter

# Spelling rules, each applied once (the longest at each position) before the generic letter
# map: languages write the same sound their own way ("Dsch" in German, "Dj" in French, "C" in
# Turkish are all "j"; a German or Italian "j" is the "y" of "Yemen").
_RULES: dict[str, dict[str, str]] = {
    "de": {
        "dsch": "j", "tsch": "ch", "sch": "sh", "ch": "kh", "ß": "s", "w": "v", "z": "ts",
        "j": "y",
    },
    "fr": {"dj": "j", "tch": "ch", "ch": "sh", "ou": "u", "gu": "g", "qu": "k", "ph": "f"},
    "es": {"ll": "y", "ñ": "ny", "qu": "k", "gu": "g", "j": "kh"},
    "it": {
        "gli": "li", "sch": "sk", "sci": "shi", "sce": "she", "ch": "k", "gh": "g", "ci": "chi",
        "ce": "che", "gi": "ji", "ge": "je", "z": "ts", "j": "y",
    },
    "pt": {
        "ch": "sh", "lh": "ly", "nh": "ny", "qu": "k", "gu": "g", "ç": "s", "x": "sh", "j": "zh",
    },
    "tr": {"ş": "sh", "ç": "ch", "c": "j", "ğ": "", "ı": "i", "j": "zh"},
    "en": {"ph": "f", "qu": "k", "ck": "k"},
}  # fmt: skip
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "u", "я": "a", "'": "", "ʼ": "", "’": "",
}  # fmt: skip
_ARABIC_LETTERS = {
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "پ": "p",
    "چ": "ch",
    "گ": "g",
    "ڤ": "v",
}  # fmt: skip
# Alef, waw, ya, ain, hamza and ta marbuta stand for vowels here, as Latin spellings write them.
_ARABIC_VOWEL = "a"
# Consonant classes: digraphs first, then single letters; anything else (vowels) is dropped.
_CLASSES = (
    ("shch", "j"), ("dzh", "j"), ("sh", "j"), ("ch", "j"), ("zh", "j"), ("dj", "j"),
    ("kh", "k"), ("gh", "k"), ("th", "t"), ("dh", "t"), ("ts", "s"),
    ("b", "b"), ("p", "b"), ("f", "f"), ("v", "f"), ("w", "f"), ("g", "k"), ("k", "k"),
    ("q", "k"), ("c", "k"), ("x", "k"), ("h", "k"), ("d", "t"), ("t", "t"), ("s", "s"),
    ("z", "s"), ("j", "j"), ("l", "l"), ("r", "r"), ("m", "m"), ("n", "n"),
)  # fmt: skip
_CLASS_PATTERN = re.compile("|".join(re.escape(letters) for letters, _ in _CLASSES))
_CLASS_OF = dict(_CLASSES)
# Case and adjective endings Russian and Ukrainian add to a place ("в Шумах", "под Марьинкой",
# "в Кельбаджарском районе"); the name without them is what other languages write.
_SLAVIC_ENDING = re.compile(
    r"(?:ськ|ск)(?:ий|ая|ое|ого|ому|им|ом|ой|их|ими|ий|а|е|ої|ій|ому)$"
    r"|(?:ами|ями|ах|ях|ам|ям|ом|ем|ой|ей|ою|ею)$"
)
_MIN_STEM = 3  # letters an ending may leave


@dataclass(frozen=True, slots=True)
class _Words:
    place_nouns: re.Pattern[str]
    not_places: re.Pattern[str]
    numbers: re.Pattern[str]
    months: re.Pattern[str]


def _pattern(words: Iterable[str]) -> re.Pattern[str]:
    terms = sorted(
        (w.removesuffix("*") + (r"\w*" if w.endswith("*") else "") for w in words), key=len
    )
    return re.compile("(?:" + "|".join(reversed(terms)) + ")" if terms else "(?!)")


@cache
def grouping_data() -> dict[str, dict]:
    """feeds/data/grouping.json: per-language words for places and numbers."""
    path = resources.files("feeds") / "data" / "grouping.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {lang: entry for lang, entry in data.items() if not lang.startswith("_")}


@cache
def _words(lang: str) -> _Words:
    entry = grouping_data().get(lang, {})
    numbers = [word for forms in entry.get("numbers", {}).values() for word in forms]
    return _Words(
        _pattern(entry.get("place_nouns", ())),
        _pattern(entry.get("not_places", ())),
        _pattern(numbers),
        _pattern(entry.get("months", ())),
    )


@cache
def _spelling(lang: str) -> re.Pattern[str] | None:
    rules = _RULES.get(lang)
    if not rules:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(rules, key=len, reverse=True)))


@cache
def _lexicon(lang: str) -> Lexicon | None:
    return load_lexicon(lang) if lang in available_languages() else None


def base_language(lang: str | None) -> str:
    """'pt-BR' → 'pt'; '' when unknown."""
    return (lang or "").replace("_", "-").split("-", 1)[0].lower()


def skeleton(word: str, lang: str) -> str:
    """The consonant classes of one word: 'Джбейль', 'Dschbeil' and 'جبيل' all give 'jbl'."""
    text = fold(word).replace("’", "'")
    if _ARABIC.search(text):
        text = "".join(_ARABIC_LETTERS.get(ch, _ARABIC_VOWEL) for ch in text)
    elif any("\u0400" <= ch <= "\u04ff" for ch in text):
        stem = _SLAVIC_ENDING.sub("", text)
        text = stem if len(stem) >= _MIN_STEM else text
        text = "".join(_CYRILLIC.get(ch, ch) for ch in text)
    else:
        rules = _spelling(lang)
        if rules is not None:
            text = rules.sub(lambda m: _RULES[lang][m.group()], text)
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    # A doubled letter ("Tallousa", "Abbas") is one sound; the same sound twice with a vowel
    # between ("Shusha", "Hodeida") is kept twice.
    key, last_end, last = [], -1, ""
    for m in _CLASS_PATTERN.finditer(text):
        sound = _CLASS_OF[m.group()]
        if sound != last or m.start() != last_end:
            key.append(sound)
        last_end, last = m.end(), sound
    return "".join(key)


def is_similar(a: str, b: str) -> bool:
    """Keys of one name: equal, or long enough and apart by one trailing class or one letter."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) < _FUZZY_MIN or len(long_) - len(short) > 1:
        return False
    if long_.startswith(short) or long_.endswith(short):
        return True  # a case ending, or an Arabic clitic left on the word
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def shares_place(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two key sets name a common place."""
    first, second = set(a), set(b)
    if first & second:
        return True
    return any(is_similar(x, y) for x in first for y in second)


def place_keys(title: str, summary: str, lang: str | None) -> frozenset[str]:
    """Keys of the place names in an item's title and summary."""
    base = base_language(lang)
    keys: set[str] = set()
    for text in (title, summary):
        keys.update(skeleton(word, base) for word in place_words(text, base))
    return frozenset(key for key in keys if len(key) >= _MIN_KEY)


def place_words(text: str, lang: str) -> list[str]:
    """The words of `text` that name places, as written (Arabic clitics removed)."""
    actors = [(m.start, m.end) for m in find_actors(text, lang or None)]  # sorted, disjoint
    title_case = _is_title_case(text)
    dateline = _DATELINE.match(text)
    dateline_end = dateline.end(1) if dateline else 0
    # In "Shelling Hits Marwa Near Tartus Overnight" only the word right after a marker counts.
    name_length = 1 if title_case else _MAX_AFTER_MARKER
    found: list[str] = []
    run: list[str] = []  # name words in a row: "Kfar Kila" is also written "Kfarkila"
    after_marker = 0  # how many more words may belong to a name a marker introduced
    next_actor = 0
    for match in _WORD.finditer(text):
        before = len(found)
        while next_actor < len(actors) and actors[next_actor][1] <= match.start():
            next_actor += 1
        is_actor = next_actor < len(actors) and actors[next_actor][0] < match.end()
        role = _NAME if is_actor else _role(match.group(), lang)
        if is_actor or role is _OTHER:
            after_marker = 0
        elif role is _MARKER:
            after_marker = name_length
        elif role is _NAME:
            if (
                after_marker
                or match.end() <= dateline_end
                or _has_locative_suffix(text, match, lang)
                # Caseless scripts (Arabic) have no capitals: only a marker tells a name there.
                or (not title_case and _is_name(text, match, lang))
            ):
                word = match.group()
                found.append(_bare(word, lang))
                run.append(found[-1])
                if found[-1] != word:  # the letter taken for a clitic may be the name's own
                    found.append(word)
            after_marker = max(0, after_marker - 1)
        # _LINK ("village of X", "in der Stadt X"): the marker still holds
        if len(found) == before:
            run = _close_run(run, found)
    _close_run(run, found)
    return found


def _close_run(run: list[str], found: list[str]) -> list[str]:
    """Add a run of two or more name words as one word too; start a new run."""
    if len(run) > 1:
        found.append("".join(run))
    return []


_MARKER, _LINK, _NAME, _OTHER = "marker", "link", "name", "other"


@lru_cache(maxsize=65536)  # news repeats its words; a bound keeps a long-running bot small
def _role(word: str, lang: str) -> str:
    """What a word can be in a place name: a marker before one, a link word between marker
    and name, a name (capitalised or caseless, not a common word), or nothing."""
    bare = _bare(word, lang)
    if _is_marker(bare, lang):
        return _MARKER
    if _is_link(bare, lang):
        return _LINK
    if _is_common(bare, lang) or not (_is_caseless(bare) or bare[0].isupper()):
        return _OTHER
    return _NAME


def _is_title_case(text: str) -> bool:
    """'Russia Accuses Ukraine Of Shelling': every word is capitalised, so none stands out."""
    words = [w for w in _WORD.findall(text) if not _is_caseless(w)]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) > 0.7 * len(words)


def _is_caseless(word: str) -> bool:
    return word[0].upper() == word[0].lower()


def _is_link(word: str, lang: str) -> bool:
    """Short lower-case words and determiners between a marker and its name ('of', 'der')."""
    if word.islower() and len(word) <= 3:
        return True
    lexicon = _lexicon(lang)
    return lexicon is not None and lexicon.is_word("determiners", word)


def _bare(word: str, lang: str) -> str:
    """The word without Arabic clitics ('وبلدة' → 'بلدة')."""
    lexicon = _lexicon(lang)
    if lexicon is not None and lexicon.clitics is not None and len(word) > 4:
        return lexicon.clitics.sub("", word, count=1)
    return word


def _is_marker(word: str, lang: str) -> bool:
    lexicon = _lexicon(lang)
    if lexicon is not None and lexicon.is_word("locative", word):
        return True
    return _words(lang).place_nouns.fullmatch(fold(word)) is not None


def _is_common(word: str, lang: str) -> bool:
    words = _words(lang)
    folded = fold(word)
    if len(word) < 3 or any(
        p.fullmatch(folded) for p in (words.not_places, words.numbers, words.months)
    ):
        return True
    lexicon = _lexicon(lang)
    return lexicon is not None and any(lexicon.is_word(c, word) for c in _COMMON)


def _has_locative_suffix(text: str, match: re.Match[str], lang: str) -> bool:
    """Turkish marks a place with a suffix after an apostrophe: "İdlib'de", "Gence'ye"."""
    lexicon = _lexicon(lang)
    if lexicon is None or lexicon.locative_suffix is None:
        return False
    return lexicon.locative_suffix.match(text.replace("'", "’"), match.end()) is not None


def _is_name(text: str, match: re.Match[str], lang: str) -> bool:
    """A capitalised word, not an abbreviation, not opening a sentence; never in German,
    where every noun is capitalised, nor in a caseless script."""
    word = match.group()
    if lang == "de" or word.isupper() or _is_caseless(word):
        return False
    return _SENTENCE_START.search(text[: match.start()]) is None
