"""Interface languages: every message the bot writes goes through a gettext catalog.

Catalogs live in bot/locale/<lang>/LC_MESSAGES/messages.po, compiled to .mo with Babel
(`pybabel compile -d bot/locale`) and shipped inside the package. Use:

    _ = gettext_for(chat_language)
    _("Ceasefire breach")

Module-level constants are marked with `N_("…")` (extracted, not translated) and translated where
they are sent: `_(NOT_ADMIN)`. A missing catalog or message falls back to English.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"
LANGUAGES: tuple[str, ...] = ("en", "ru", "uk", "fr", "es", "de", "ar", "tr", "it", "pt")
RIGHT_TO_LEFT = frozenset({"ar"})


def normalise_language(code: str | None) -> str | None:
    """'pt-BR' → 'pt'; None for codes we have no catalog for."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGUAGES else None


@functools.cache
def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def gettext_for(language: str | None) -> Callable[[str], str]:
    """The `_` of a language: a shipped catalog, else English (the message ids)."""
    return _translations(normalise_language(language) or DEFAULT_LANGUAGE).gettext


def ngettext_for(language: str | None) -> Callable[[str, str, int], str]:
    return _translations(normalise_language(language) or DEFAULT_LANGUAGE).ngettext


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is used (gettext convention)."""
    return message
