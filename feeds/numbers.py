"""Counts an item gives ("12 drones", "двенадцать беспилотников", "٣ قتلى"), for story grouping.

Digits in any script and the number words of feeds/data/grouping.json (two to twelve, fifteen
and the tens) give values. Dates and clock times are not counts: a number next to a month name
("9 December", "9 грудня") or written as a time ("03:40") is skipped, and so is anything of a
thousand or more (years, resolution numbers). Pure; imports the stdlib, feeds.lexicon and
feeds.places.
"""

from __future__ import annotations

import re
from functools import cache

from feeds.lexicon import fold
from feeds.places import base_language, grouping_data

MAX_COUNT = 999  # larger numbers are years, resolutions or totals, not this event's details
# Digits that are not part of a name ("M23"), a time, a decimal or a longer number. Arabic
# glues "and" to a number ("و٤"), so an Arabic letter before the digits is no name.
_DIGITS = re.compile(
    r"(?<![\d:.,])(?<![^\W\d_\u0600-\u06ff])"
    r"(\d{1,3}(?:[ ,.\u00a0]\d{3})*|\d+)(?![\d:]|[.,]\d)"
)
_WORD = re.compile(r"[^\W\d_]+")


@cache
def _number_words(lang: str) -> tuple[re.Pattern[str] | None, dict[str, int]]:
    """One regex over the language's number words, and each form's value."""
    forms: dict[str, int] = {}
    for value, words in grouping_data().get(lang, {}).get("numbers", {}).items():
        for word in words:
            forms[fold(word)] = int(value)
    if not forms:
        return None, forms
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), forms


@cache
def _months(lang: str) -> re.Pattern[str] | None:
    stems = grouping_data().get(lang, {}).get("months", ())
    if not stems:
        return None
    terms = (s.removesuffix("*") + (r"\w*" if s.endswith("*") else "") for s in stems)
    return re.compile("(?:" + "|".join(terms) + ")")


def counts(title: str, summary: str, lang: str | None) -> frozenset[int]:
    """The counts named in an item's title and summary."""
    base = base_language(lang)
    found: set[int] = set()
    for text in (title, summary):
        folded = fold(text)
        found.update(_digit_counts(folded, base))
        pattern, forms = _number_words(base)
        if pattern is not None:
            found.update(forms[m.group()] for m in pattern.finditer(folded))
    return frozenset(n for n in found if 0 < n <= MAX_COUNT)


def _digit_counts(text: str, lang: str) -> list[int]:
    months = _months(lang)
    values = []
    for match in _DIGITS.finditer(text):
        if months is not None and _is_date(text, match, months):
            continue
        values.append(int(re.sub(r"\D", "", match.group())))
    return values


def _is_date(text: str, match: re.Match[str], months: re.Pattern[str]) -> bool:
    """A day of the month: the word right before or after the number is a month."""
    before = _WORD.findall(text[max(0, match.start() - 20) : match.start()])
    after = _WORD.findall(text[match.end() : match.end() + 20])
    near = before[-1:] + after[:1]
    return any(months.fullmatch(word) for word in near)
