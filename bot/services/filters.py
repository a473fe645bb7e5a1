"""Chat filters: parse `[levels] [words]` arguments, decide whether an alert matches them.

Also routes new alerts to the chats that want them as instant alerts, and says in words (in the
chat's language) what a subscription delivers. Pure: no I/O. May import feeds.model, feeds.actors,
feeds.conflicts, bot.i18n and bot.model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import NamedTuple

from bot.i18n import N_, gettext_for, isolate
from bot.model import Alert, Destination, Subscription
from feeds.actors import find_actors, resolve_actor
from feeds.conflicts import conflict_areas, conflict_of
from feeds.model import Level

BREACH_LEVELS: tuple[Level, ...] = (Level.BLAME, Level.VIOLATION)
ALL_LEVELS: tuple[Level, ...] = (Level.BLAME, Level.VIOLATION, Level.CEASEFIRE)
DEFAULT_LEVELS = BREACH_LEVELS
LEVEL_WORDS: dict[str, tuple[Level, ...]] = {
    "blame": (Level.BLAME,),
    "blames": (Level.BLAME,),
    "breach": BREACH_LEVELS,
    "breaches": BREACH_LEVELS,
    "violation": BREACH_LEVELS,
    "violations": BREACH_LEVELS,
    "all": ALL_LEVELS,
}
MAX_WORDS = 10
MAX_WORD_LENGTH = 40
MIN_WORD_LENGTH = 2

SUBSCRIBE_USAGE = N_(
    "Usage: /subscribe [level] [filter words]\n"
    "Levels: blame (someone is blamed), breaches (blame + reported violations, the default), "
    "all (also ceasefire news).\n"
    "Filter words: countries, groups or any word, in any language, e.g. "
    "/subscribe blame azerbaijan armenia\n"
    "Daily digest instead: /subscribe digest [HH:MM] [level] [words] (UTC, default 07:00); "
    "instant alerts plus digest: /subscribe both [HH:MM] [level] [words]"
)
# "Nagorno Karabakh" in quotes is one phrase; otherwise words split on spaces and commas.
_ARGUMENT = re.compile(r'"([^"]*)"|“([^”]*)”|([^\s,"“”]+)')
_EDGE_PUNCTUATION = ".,;:!?()[]{}<>«»'’`"
_LABEL_WORDS = re.compile(r"[\s\-–—]+")  # "Armenia–Azerbaijan", "DR Congo"


class FilterError(ValueError):
    """The arguments are not a valid filter; the message says what is allowed."""


class ChatFilter(NamedTuple):
    """What a chat wants: alert levels and optional filter words (any one must match)."""

    levels: tuple[Level, ...]
    words: tuple[str, ...]


def split_arguments(args: Iterable[str]) -> list[str]:
    """Split command arguments on spaces and commas, keeping "quoted phrases" together."""
    text = " ".join(args)
    return [
        next(g for g in match.groups() if g is not None).strip()
        for match in _ARGUMENT.finditer(text)
    ]


def _clean_word(raw: str, usage: str, language: str | None) -> str:
    _ = gettext_for(language)
    word = " ".join(raw.strip(_EDGE_PUNCTUATION + " ").split()).casefold()
    if not word:
        problem = _("“{word}” is not a filter word: use letters.").format(word=raw)
    elif word.isdigit():
        problem = _("“{word}” is a number, not a level or a word.").format(word=raw)
    elif sum(ch.isalnum() for ch in word) < MIN_WORD_LENGTH:
        problem = _("“{word}” is too short: filter words need at least {count} letters.").format(
            word=raw, count=MIN_WORD_LENGTH
        )
    elif len(word) > MAX_WORD_LENGTH:
        raise FilterError(
            _("“{word}…” is too long: at most {count} characters per filter word.").format(
                word=raw[:20], count=MAX_WORD_LENGTH
            )
        )
    else:
        return word
    raise FilterError(f"{problem}\n\n{usage}")


def parse_filter(
    args: Sequence[str],
    *,
    default_levels: tuple[Level, ...] = DEFAULT_LEVELS,
    usage: str | None = None,
    language: str | None = None,
) -> ChatFilter:
    """Level words pick levels (several add up); every other argument is a filter word.

    `usage` is the command's usage note (in the language; default: /subscribe's), appended to
    the error for a bad word.
    """
    _ = gettext_for(language)
    usage = _(SUBSCRIBE_USAGE) if usage is None else usage
    levels: set[Level] = set()
    words: list[str] = []
    for raw in split_arguments(args):
        key = raw.strip(_EDGE_PUNCTUATION).casefold()
        if key in LEVEL_WORDS:
            levels.update(LEVEL_WORDS[key])
            continue
        word = _clean_word(raw, usage, language)
        if word not in words:
            words.append(word)
    if len(words) > MAX_WORDS:
        raise FilterError(
            _("At most {maximum} filter words, please ({count} given).").format(
                maximum=MAX_WORDS, count=len(words)
            )
        )
    ordered = tuple(sorted(levels or default_levels, key=lambda lv: -lv.rank))
    return ChatFilter(ordered, tuple(words))


def parse_subscription(args: Sequence[str], language: str | None = None) -> ChatFilter:
    """Parse `/subscribe` arguments; raises FilterError with a short usage note."""
    return parse_filter(args, default_levels=DEFAULT_LEVELS, language=language)


class _AlertWords:
    """One alert, ready to be checked against filter words; each word is decided once.

    Routing asks the same few words of one alert for hundreds of chats: the text, the conflict
    area and the actors found in the text are worked out once, when first needed.
    """

    def __init__(self, alert: Alert) -> None:
        self._alert = alert
        self._answers: dict[str, bool] = {}

    def matches(self, word: str) -> bool:
        answer = self._answers.get(word)
        if answer is None:
            answer = self._answers[word] = self._decide(word)
        return answer

    @cached_property
    def _text(self) -> str:
        return f"{self._alert.title}\n{self._alert.summary}"

    @cached_property
    def _conflict(self) -> tuple[str, frozenset[str]]:
        """The alert's conflict area and its principal parties (the actors that define it)."""
        alert = self._alert
        label = conflict_of([*self._paired, *alert.actors])
        for area in conflict_areas():
            if area.label == label:
                return label, frozenset(name for name, weight in area.weights if weight >= 2)
        return label, frozenset()

    @cached_property
    def _paired(self) -> list[str]:
        return [name for pair in self._alert.pairs for name in (pair.accuser, pair.accused)]

    @cached_property
    def _named(self) -> frozenset[str]:
        return frozenset([*self._alert.actors, *self._paired])

    @cached_property
    def _mentioned(self) -> frozenset[str]:
        return frozenset(m.name for m in find_actors(self._text, self._alert.lang))

    def _decide(self, word: str) -> bool:
        label, principals = self._conflict
        actor = resolve_actor(word)
        if actor is not None:
            # A party to the war counts even when not named: "armenia" wants the Karabakh news
            # where Russia blames Azerbaijan. Older alerts or a detector miss: look for the
            # actor in the text itself, inflected forms included ("в Карабахе").
            return actor in self._named or actor in principals or actor in self._mentioned
        # "gaza" names the Israel–Gaza war even where the text only says Israel and Hamas.
        if word in _LABEL_WORDS.split(label.casefold()):
            return True
        return word in self._text.casefold()


def matches(levels: Iterable[Level], words: Sequence[str], alert: Alert) -> bool:
    """The alert has one of the levels and, if words are given, matches at least one of them.

    A word naming an actor in any language ("azerbaijan", "Азербайджан") matches alerts whose
    actors include it or whose conflict it is a party to; a word of a conflict's name ("gaza")
    matches that conflict; any other word matches title or summary case-insensitively.
    """
    if alert.level not in set(levels):
        return False
    return not words or any(_AlertWords(alert).matches(word) for word in words)


Router = Callable[[Alert, Sequence[Subscription]], Iterable[Destination]]


def route(alert: Alert, subscriptions: Sequence[Subscription]) -> list[Destination]:
    """Chats and topics whose active subscription wants this alert now (the poller's Router).

    Digest-only chats (`is_instant` off) are skipped: they get the alert in their daily digest.
    """
    words = _AlertWords(alert)
    return [
        sub.destination
        for sub in subscriptions
        if sub.is_active
        and sub.is_instant
        and alert.level in sub.levels
        and (not sub.words or any(words.matches(word) for word in sub.words))
    ]


def quoted_words(words: Sequence[str], language: str | None = None) -> str:
    """'“armenia” or “gaza”', with the language's quotation marks."""
    _ = gettext_for(language)
    # Translators: a filter word the user typed, in your quotation marks.
    quoted = [isolate(_("“{word}”").format(word=word), language) for word in words]
    text = quoted[0] if quoted else ""
    for word in quoted[1:]:
        # Translators: quoted filter words: “armenia” or “gaza”.
        text = _("{words} or {word}").format(words=text, word=word)
    return text


def describe(levels: Iterable[Level], words: Sequence[str], language: str | None = None) -> str:
    """A human sentence for /filters: 'breaches (blame and violations) about armenia or gaza'."""
    _ = gettext_for(language)
    wanted = set(levels)
    if wanted >= set(ALL_LEVELS):
        kind = _("all alerts (blame, violations and ceasefire news)")
    elif wanted >= set(BREACH_LEVELS):
        kind = _("breaches (blame and reported violations)")
    elif wanted == {Level.BLAME}:
        kind = _("blame only (one side accuses another)")
    else:
        # Translators: a subscription to no alert level at all.
        kind = ", ".join(sorted(lv.value for lv in wanted)) or _("nothing")
    if not words:
        return kind
    return _("{kind} mentioning {words}").format(kind=kind, words=quoted_words(words, language))


def describe_delivery(
    is_instant: bool, digest_time: str | None, language: str | None = None
) -> str:
    """How a chat gets its alerts: 'as instant alerts and a daily digest at 07:00 UTC'."""
    _ = gettext_for(language)
    if digest_time and is_instant:
        return _("as instant alerts and a daily digest at {time} UTC").format(time=digest_time)
    if digest_time:
        return _("as a daily digest at {time} UTC (no instant alerts)").format(time=digest_time)
    if is_instant:
        return _("as instant alerts")
    return _("neither as instant alerts nor as a digest")
