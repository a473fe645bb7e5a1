"""Guess an item's language from its feed tag or, failing that, from its script and words.

Detection only needs to pick the right lexicon, so this is a cheap heuristic over the ten
supported languages, not a general language identifier. Pure; imports only the stdlib.
"""

from __future__ import annotations

import re
from functools import lru_cache

SUPPORTED = ("en", "ru", "uk", "fr", "es", "de", "ar", "tr", "it", "pt")
DEFAULT = "en"

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_ARABIC = re.compile(r"[\u0600-\u06FF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_UKRAINIAN_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_TURKISH_ONLY = re.compile(r"[ğışĞİŞ]")
_WORD = re.compile(r"[^\W\d_]+")
# Short, frequent function words that tell the Latin-script languages apart.
_STOPWORDS = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the of and to in is was for on that with as by from said says",
        "fr": "le la les des du et est dans une un pour que qui sur par au aux avec",
        "es": "el la los las del y en que por una un con para se su al tras",
        "de": "der die das und ist im den dem des ein eine nicht mit sich auf zu von",
        # Italian and Portuguese follow the older lists so that a tie keeps going to French or
        # Spanish; the words they share with those ("la", "del", "que", "para") are listed again
        # so that one word of their own breaks the tie. Words shared with a language whose list
        # lacks them ("a", "de", "no") are left out. Both come before Turkish, whose "da" and
        # "de" are everyday Portuguese (Turkish text is mostly told by its letters anyway).
        "it": "il di che per non della delle dei degli nel nella negli alla gli sono dopo dal "
        "dalla sul sulla anche tra ha hanno aver è stato stata ed ad contro ancora lo la le un "
        "una del con in su",
        "pt": "o os do da das não com pelo pela pelos ao aos à às uma em foi são após também "
        "seu sua na nas num numa que para se por um",
        "tr": "ve bir bu ile için da de olarak ilk sonra göre",
    }.items()
}


# Word shapes only one of the Latin-script languages has: Portuguese nasal vowels and the
# preterite "-ou" ("violou", "afirmou"); Italian "-zione", "-ità" ("violazione", "ostilità")
# where Spanish writes "-ción", "-idad" and French "-tion", "-ité".
_ENDINGS = {
    "pt": re.compile(r"[ãõ]|..[^aeiou]ou$|(?:ar|er|ir)am$"),
    "it": re.compile(r"zion[ei]$|ità$|..(?:gli|ggi|cch[ei])$"),
}


@lru_cache(
    maxsize=256
)  # a stream carries a handful of distinct tags, each seen on every item of a feed
def normalise_tag(tag: str | None) -> str | None:
    """'en-GB' -> 'en', 'ru_RU' -> 'ru'; None or an empty tag -> None."""
    if not tag:
        return None
    base = tag.strip().replace("_", "-").split("-")[0].lower()
    return base or None


def _script(text: str) -> str:
    counts = {
        "cyrillic": len(_CYRILLIC.findall(text)),
        "arabic": len(_ARABIC.findall(text)),
        "latin": len(_LATIN.findall(text)),
    }
    return max(counts, key=counts.__getitem__) if any(counts.values()) else "latin"


_SCRIPT_OF = {"ru": "cyrillic", "uk": "cyrillic", "ar": "arabic"}
_OTHER_SCRIPTS = {
    "latin": (_CYRILLIC, _ARABIC),
    "cyrillic": (_ARABIC,),
    "arabic": (_CYRILLIC,),
}


def _fits(tag: str, text: str) -> bool:
    """Cheap check that a tagged text is written in the tag's script (the usual case)."""
    script = _SCRIPT_OF.get(tag, "latin")
    if script == "latin" and text.isascii():
        return True  # no Cyrillic or Arabic letter: skip scanning for them
    if any(other.search(text) for other in _OTHER_SCRIPTS[script]):
        return _script(text) == script
    return script == "latin" or (_CYRILLIC if script == "cyrillic" else _ARABIC).search(text)


def _guess_latin(text: str) -> str:
    if _TURKISH_ONLY.search(text):
        return "tr"
    words = [w.lower() for w in _WORD.findall(text)]
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    for lang, ending in _ENDINGS.items():
        scores[lang] += sum(ending.search(w) is not None for w in words)
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] > 0 else DEFAULT


def guess_lang(text: str, hint: str | None = None) -> str:
    """One of SUPPORTED: the feed's tag when it fits the text's script, else a guess."""
    tag = normalise_tag(hint)
    if tag in SUPPORTED and _fits(tag, text):
        return tag
    script = _script(text)
    if script == "arabic":
        return "ar"
    if script == "cyrillic":
        uk = len(_UKRAINIAN_ONLY.findall(text))
        return "uk" if uk > len(_RUSSIAN_ONLY.findall(text)) else "ru"
    return _guess_latin(text)
