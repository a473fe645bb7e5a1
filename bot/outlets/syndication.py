"""Alerts as an Atom feed and a JSON Feed 1.1, and the query string that filters them.

Pure: the server hands in the alerts, the feed's own URL and its time; nothing here does I/O.
Atom follows RFC 4287 as the W3C validator reads it: feed and entries carry id, title, updated
(RFC 3339), the feed an author, each entry a rel=alternate link when the source has a web link
and always a text summary. May import bot.model, bot.i18n, bot.services.filters,
bot.frontend.format (plain-text helpers) and bot.outlets.payload.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from bot.frontend.format import LEVEL_LABEL, body_text, headline, is_web_link
from bot.i18n import N_, gettext_for
from bot.model import Alert
from bot.outlets.payload import alert_uri, rfc3339
from bot.services.filters import MAX_WORD_LENGTH, MAX_WORDS, MIN_WORD_LENGTH, split_arguments
from bot.services.history import novelty_text
from bot.services.tally import alert_conflict
from feeds.model import Level

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
FEED_ID = "tag:ceasefire-alerts,2026:alerts"
AUTHOR = "ceasefire-alerts"
LEVEL_CHOICES: dict[str, tuple[Level, ...]] = {
    "blame": (Level.BLAME,),
    "violation": (Level.VIOLATION,),
    "ceasefire": (Level.CEASEFIRE,),
    "breach": (Level.BLAME, Level.VIOLATION),
    "all": (Level.BLAME, Level.VIOLATION, Level.CEASEFIRE),
}
DEFAULT_LEVEL = "breach"  # as /subscribe: blame and reported violations
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_QUERY_LENGTH = 1000  # characters of the raw query string
PARAMETERS = ("level", "q", "limit")

BAD_ENCODING = N_("The query string is not valid UTF-8.")
TOO_LONG = N_("The query string is too long (at most {limit} characters).")
UNKNOWN_PARAMETER = N_("Unknown parameter “{name}”: use level, q and limit.")
REPEATED = N_("Give “{name}” once.")
BAD_LEVEL = N_("level must be one of blame, violation, ceasefire, breach, all; got “{value}”.")
BAD_LIMIT = N_("limit must be a whole number from 1 to {maximum}; got “{value}”.")
BAD_WORD = N_("“{word}” is not a filter word: use {minimum} to {maximum} letters.")
TOO_MANY_WORDS = N_("At most {maximum} filter words in q.")
FEED_TITLE = N_("Ceasefire alerts: {filter}")
FEED_SUBTITLE = N_(
    "Ceasefire news, reported breaches and who blames whom, detected in news feeds."
)

# XML 1.0 forbids most control characters even escaped, and the W3C validator flags C1 controls
# and U+FFFD (text lost in decoding); feed text sometimes carries them.
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffc\U00010000-\U0010ffff]")
# Characters a URI may carry as they are (RFC 3986); every other one is percent-encoded.
_URI_SAFE = ";/?:@&=+$,-_.!~*'()%#[]"
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_EDGE_PUNCTUATION = ".,;:!?()[]{}<>«»'’`\"“”"


class QueryError(ValueError):
    """The query string cannot be answered; the message is one line for the client."""


@dataclass(frozen=True, slots=True)
class FeedQuery:
    """What a reader asked for: a level choice, filter words and how many entries."""

    level: str = DEFAULT_LEVEL
    words: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT

    @property
    def levels(self) -> tuple[Level, ...]:
        return LEVEL_CHOICES[self.level]

    @property
    def canonical(self) -> str:
        """One query string for every way of asking the same thing (percent-encoded)."""
        words = " ".join(f'"{word}"' if " " in word else word for word in self.words)
        fields = {"level": self.level, "q": words, "limit": str(self.limit)}
        return urlencode(fields, quote_via=quote, safe="")


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One rendering of the feed: the query, the feed's own URL and the entries, newest first."""

    query: FeedQuery
    self_url: str
    alerts: tuple[Alert, ...]
    updated: datetime  # the newest entry's time (the caller's start time without entries)


def _shown(value: str) -> str:
    """A client's value, safe to echo in a one-line answer."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in value)
    return clean if len(clean) <= 40 else clean[:39] + "…"


def parse_query(query: str) -> FeedQuery:
    """Read `level`, `q` and `limit`; anything odd raises QueryError with one clear line."""
    _ = gettext_for(None)
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(_(TOO_LONG).format(limit=MAX_QUERY_LENGTH))
    try:
        # The server hands the request line over as Latin-1; the bytes must be UTF-8.
        text = query.encode("latin-1").decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeError, ValueError):
        raise QueryError(_(BAD_ENCODING)) from None
    given: dict[str, str] = {}
    for name, value in pairs:
        if name not in PARAMETERS:
            raise QueryError(_(UNKNOWN_PARAMETER).format(name=_shown(name)))
        if name in given:
            raise QueryError(_(REPEATED).format(name=name))
        given[name] = value
    level = given.get("level", DEFAULT_LEVEL).strip().casefold()
    if level not in LEVEL_CHOICES:
        raise QueryError(_(BAD_LEVEL).format(value=_shown(given["level"])))
    return FeedQuery(level=level, words=_words(given.get("q", "")), limit=_limit(given))


def _limit(given: dict[str, str]) -> int:
    raw = given.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        _ = gettext_for(None)
        raise QueryError(_(BAD_LIMIT).format(maximum=MAX_LIMIT, value=_shown(raw)))
    return int(value)


def _words(q: str) -> tuple[str, ...]:
    """Filter words as /subscribe reads them: "quoted phrases" kept, case folded."""
    _ = gettext_for(None)
    words: list[str] = []
    for raw in split_arguments([q]):
        word = " ".join(raw.strip(_EDGE_PUNCTUATION).split()).casefold()
        letters = sum(ch.isalnum() for ch in word)
        if letters < MIN_WORD_LENGTH or len(word) > MAX_WORD_LENGTH:
            raise QueryError(
                _(BAD_WORD).format(
                    word=_shown(raw), minimum=MIN_WORD_LENGTH, maximum=MAX_WORD_LENGTH
                )
            )
        if word not in words:
            words.append(word)
    if len(words) > MAX_WORDS:
        raise QueryError(_(TOO_MANY_WORDS).format(maximum=MAX_WORDS))
    return tuple(words)


def feed_title(query: FeedQuery) -> str:
    """'Ceasefire alerts: blame, azerbaijan'."""
    _ = gettext_for(None)
    return _(FEED_TITLE).format(filter=", ".join((query.level, *query.words)))


def entry_text(alert: Alert) -> str:
    """The plain-text body of an entry: what and who, the summary, the novelty line, the source."""
    source = alert.source_title.strip()
    lines = [headline(alert), body_text(alert), novelty_text(alert.novelty), source]
    return "\n\n".join(line.strip() for line in lines if line.strip())


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def as_uri(url: str) -> str:
    """A link as a URI: spaces, quotes and non-ASCII letters percent-encoded (as UTF-8)."""
    return quote(_xml_text(url.strip()), safe=_URI_SAFE)


def published(alert: Alert) -> str:
    """When the story appeared: a feed's date in the future is capped at when we saw it."""
    return rfc3339(min(alert.published, alert.created))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def render_atom(page: FeedPage) -> bytes:
    """The page as an Atom 1.0 document (UTF-8)."""
    _ = gettext_for(None)
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    _sub(feed, "id", f"{FEED_ID}?{page.query.canonical}")
    _sub(feed, "title", feed_title(page.query))
    _sub(feed, "subtitle", _(FEED_SUBTITLE))
    _sub(feed, "updated", rfc3339(page.updated))
    author = _sub(feed, "author")
    _sub(author, "name", AUTHOR)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=as_uri(page.self_url))
    _sub(feed, "generator", AUTHOR)
    for alert in page.alerts:
        _atom_entry(feed, alert)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _atom_entry(feed: ET.Element, alert: Alert) -> None:
    _ = gettext_for(None)
    entry = _sub(feed, "entry")
    if alert.lang and _LANGUAGE_TAG.fullmatch(alert.lang):
        entry.set(XML_LANG, alert.lang)
    _sub(entry, "id", alert_uri(alert))
    _sub(entry, "title", alert.title.strip() or headline(alert))
    _sub(entry, "updated", rfc3339(alert.created))
    _sub(entry, "published", published(alert))
    if alert.source_title.strip():
        _sub(_sub(entry, "author"), "name", alert.source_title.strip())
    if is_web_link(alert.link):
        _sub(entry, "link", rel="alternate", type="text/html", href=as_uri(alert.link))
    _sub(entry, "category", term=alert.level.value, label=_(LEVEL_LABEL[alert.level]))
    for pair in alert.pairs:
        _sub(entry, "category", term=f"{pair.accuser} → {pair.accused}")
    _sub(entry, "summary", entry_text(alert), type="text")


def render_json_feed(page: FeedPage) -> bytes:
    """The page as a JSON Feed 1.1 document (UTF-8)."""
    _ = gettext_for(None)
    document = {
        "version": JSON_FEED_VERSION,
        "title": feed_title(page.query),
        "description": _(FEED_SUBTITLE),
        "feed_url": as_uri(page.self_url),
        "authors": [{"name": AUTHOR}],
        "items": [_json_item(alert) for alert in page.alerts],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _json_item(alert: Alert) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": alert_uri(alert),
        "title": alert.title.strip() or headline(alert),
        "summary": headline(alert),
        "content_text": entry_text(alert),
        "date_published": published(alert),
        "date_modified": rfc3339(alert.created),
        "tags": [alert.level.value, *(f"{p.accuser} → {p.accused}" for p in alert.pairs)],
        # Extension members start with an underscore (JSON Feed 1.1); fields as in webhooks.
        "_ceasefire_alerts": {
            "level": alert.level.value,
            "pairs": [{"accuser": p.accuser, "accused": p.accused} for p in alert.pairs],
            "novelty": novelty_text(alert.novelty),
            "conflict": alert_conflict(alert),
        },
    }
    if is_web_link(alert.link):
        item["url"] = as_uri(alert.link)
    if alert.source_title.strip():
        item["authors"] = [{"name": alert.source_title.strip()}]
    if alert.lang and _LANGUAGE_TAG.fullmatch(alert.lang):
        item["language"] = alert.lang
    return item
