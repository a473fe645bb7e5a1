"""Interface languages: every message the bot writes goes through a gettext catalog.

Catalogs live in bot/locale/<lang>/LC_MESSAGES/messages.po, compiled to .mo with Babel
(`scripts/i18n.sh`) and shipped inside the package. Use:

    _ = gettext_for(chat_language)
    _("Ceasefire breach")

Module-level constants are marked with `N_("…")` (extracted, not translated) and translated where
they are sent: `_(NOT_ADMIN)`. A missing catalog or message falls back to English.

Right-to-left languages (Arabic) get Unicode direction marks where our left-to-right fragments
(Latin names, URLs, times) meet their text: `isolate` and `rtl_lines`. Imports only the stdlib.
"""

from __future__ import annotations

import functools
import gettext
import json
import re
from collections.abc import Callable
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"
LANGUAGES: tuple[str, ...] = ("en", "ru", "uk", "fr", "es", "de", "ar", "tr", "it", "pt")
RIGHT_TO_LEFT = frozenset({"ar"})
# Each language's own name, for /language (written in that language, so anyone finds theirs).
LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Русский",
    "uk": "Українська",
    "fr": "Français",
    "es": "Español",
    "de": "Deutsch",
    "ar": "العربية",
    "tr": "Türkçe",
    "it": "Italiano",
    "pt": "Português",
}

RLM = "\u200f"  # right-to-left mark: a line starting with it is laid out right to left
FSI = "\u2068"  # first-strong isolate: the span takes the direction of its own first letter
PDI = "\u2069"  # pop directional isolate: ends the span
_RTL_LETTER = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")


def normalise_language(code: str | None) -> str | None:
    """'pt-BR' → 'pt'; None for codes we have no catalog for."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGUAGES else None


def language_or_default(code: str | None) -> str:
    """The shipped language a code means, else English."""
    return normalise_language(code) or DEFAULT_LANGUAGE


@functools.cache
def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def gettext_for(language: str | None) -> Callable[[str], str]:
    """The `_` of a language: a shipped catalog, else English (the message ids)."""
    return _translations(language_or_default(language)).gettext


def ngettext_for(language: str | None) -> Callable[[str, str, int], str]:
    """`ngettext(singular, plural, n)` of a language, with its own plural rules."""
    return _translations(language_or_default(language)).ngettext


def pgettext_for(language: str | None) -> Callable[[str, str], str]:
    """`pgettext(context, message)`: for short words that mean different things ("May")."""
    return _translations(language_or_default(language)).pgettext


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is used (gettext convention)."""
    return message


def is_rtl(language: str | None) -> bool:
    """The language is written right to left."""
    return language_or_default(language) in RIGHT_TO_LEFT


def arrow(language: str | None) -> str:
    """Accuser → accused: the arrow points from the first name read to the second."""
    return "←" if is_rtl(language) else "→"


def isolate(text: str, language: str | None) -> str:
    """In a right-to-left message, keep a fragment of either direction (a Latin name, a URL, a
    time) in one piece, so the punctuation and arrows around it stay where they belong."""
    return f"{FSI}{text}{PDI}" if text and is_rtl(language) else text


def rtl_lines(text: str, language: str | None) -> str:
    """In a right-to-left language, start each line holding right-to-left letters with RLM.

    Telegram lays out each line by its first strong letter, so a line of ours that begins with
    a command, a Latin name or a number would otherwise read left to right. Lines without any
    right-to-left letters (a headline in English, a URL) keep their own direction.
    """
    if not is_rtl(language):
        return text
    return "\n".join(
        RLM + line if _RTL_LETTER.search(line) and not line.startswith(RLM) else line
        for line in text.split("\n")
    )


@functools.cache
def _actor_names() -> dict[str, dict[str, str]]:
    # Written by scripts/build_actor_names.py from CLDR and the actor data's own names.
    path = LOCALE_DIR / "actor_names.json"
    return json.loads(path.read_text(encoding="utf-8"))["names"]


def actor_name(name: str, language: str | None) -> str:
    """An actor's name in the language ("Russia" → "Россия"), else its English name."""
    return _actor_names().get(name, {}).get(language_or_default(language), name)


def pair_text(accuser: str, accused: str, language: str | None) -> str:
    """'Россия → Азербайджан'; in Arabic the names are isolated and the arrow points left."""
    first = isolate(actor_name(accuser, language), language)
    second = isolate(actor_name(accused, language), language)
    return f"{first} {arrow(language)} {second}"


def conflict_label(label: str, language: str | None) -> str:
    """A conflict area's label ("Armenia–Azerbaijan", "Other") in the language.

    The labels are data (feeds/data/conflicts.json); scripts/i18n_extract.py puts them in the
    catalog under the context "conflict".
    """
    return pgettext_for(language)("conflict", label)
