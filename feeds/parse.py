"""Feed bytes → ParsedFeed of normalised Items (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed).

May import feedparser and feeds.{errors, jsonfeed, model, text}; does no network or file I/O.
feedparser only ever sees an in-memory stream: given a str or bytes it would treat the value as
a URL or a file name and go and fetch it.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import re
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from feeds.errors import ParseError
from feeds.jsonfeed import is_json_feed_candidate, read_json_feed
from feeds.model import Item
from feeds.text import html_to_text

# Parsing a big document takes long enough to stall every other feed on the event loop.
THREAD_THRESHOLD = 64 * 1024
# Clocks drift and time zones get mislabelled; a day ahead is still plausibly "now".
FUTURE_SLACK = timedelta(days=1)
# <ttl> is a lower bound on the next poll; a typo of 999999 must not silence a feed for years.
MAX_TTL_MINUTES = 7 * 24 * 60
_HTTP_SCHEMES = frozenset({"http", "https"})
# Headers feedparser uses to pick the encoding; the base URL is passed as content-location.
_PASSED_HEADERS = ("content-type",)
_BOM = b"\xef\xbb\xbf"
# After one round of decoding, text that still holds tags was escaped twice (common in RSS).
_LEFTOVER_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>|<!--")
_LANG = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$")
# Declarations, comments and a DOCTYPE (internal subset included) may precede the root element.
_PROLOG = re.compile(
    rb"^(?:\s+|<\?.*?\?>|<!--.*?-->|<!doctype[^\[>]*(?:\[.*?\])?\s*>)", re.S | re.I
)
_HTML_ROOT = re.compile(rb"^<html[\s>/]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed document: feed-level fields and its items in document order."""

    title: str
    link: str
    lang: str | None
    ttl_minutes: int | None  # RSS <ttl>
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class _Context:
    """What every item of one document shares."""

    feed_url: str
    base_url: str
    source_title: str
    lang: str | None
    now: datetime


def parse_feed(
    content: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    now: datetime,
) -> ParsedFeed:
    """Parse a fetched feed body; raise ParseError when it is not a usable feed."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    now = now.astimezone(UTC)
    content = bytes(content)  # a str must never reach feedparser: it would open it as a URL
    lower = {k.lower(): v for k, v in (headers or {}).items() if isinstance(v, str)}
    if not content or not content.removeprefix(_BOM).strip():
        raise ParseError("not a feed: empty document")
    base_url = _absolute(lower.get("content-location", ""), url) or url
    header_lang = _clean_lang(lower.get("content-language", "").split(",")[0])
    try:
        if is_json_feed_candidate(content, lower.get("content-type", "")):
            return _from_json(content, url=url, header_lang=header_lang, now=now)
        if _looks_like_html(content):
            raise ParseError("not a feed: HTML page")
        return _from_xml(
            content, url=url, base_url=base_url, lower=lower, header_lang=header_lang, now=now
        )
    except (ParseError, Warning):
        # A warning only raises when turned into an error (as our tests do): let it show.
        raise
    except Exception as exc:  # hostile input of any kind must become a per-feed error
        raise ParseError(f"not a feed: parser failed ({type(exc).__name__})") from exc


async def parse_feed_async(
    content: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    now: datetime,
    executor: Executor | None = None,
) -> ParsedFeed:
    """parse_feed off the event loop: in `executor` when one is given (a process pool parses
    on another core), else in a worker thread when the body is large."""
    if executor is not None:
        call = functools.partial(parse_feed, content, url=url, headers=headers, now=now)
        return await asyncio.get_running_loop().run_in_executor(executor, call)
    if len(content) > THREAD_THRESHOLD:
        return await asyncio.to_thread(parse_feed, content, url=url, headers=headers, now=now)
    return parse_feed(content, url=url, headers=headers, now=now)


def _from_xml(
    content: bytes,
    *,
    url: str,
    base_url: str,
    lower: Mapping[str, str],
    header_lang: str | None,
    now: datetime,
) -> ParsedFeed:
    response_headers = {k: lower[k] for k in _PASSED_HEADERS if k in lower}
    response_headers["content-location"] = base_url
    result = feedparser.parse(
        io.BytesIO(content),
        response_headers=response_headers,
        # Both only rewrite HTML we reduce to plain text anyway: skip the work.
        # Script and style content is dropped by html_to_text itself.
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    # bozo alone is no reason to reject: real feeds are often ill-formed yet readable.
    entries = _field(result, "entries") or ()
    if not _field(result, "version") and not entries:
        raise ParseError("not a feed: no RSS, Atom or RDF elements found")
    feed = _field(result, "feed") or {}
    feed_lang = _clean_lang(_field(feed, "language"))
    ctx = _Context(
        feed_url=url,
        base_url=base_url,
        source_title=_plain(_field(feed, "title")) or _host(url),
        lang=feed_lang or header_lang,
        now=now,
    )
    items = _unique(_entry_item(entry, ctx) for entry in entries)
    return ParsedFeed(
        title=ctx.source_title,
        link=_absolute(_string(_field(feed, "link")), base_url),
        lang=ctx.lang,
        ttl_minutes=_ttl(_field(feed, "ttl")),
        items=items,
    )


def _from_json(content: bytes, *, url: str, header_lang: str | None, now: datetime) -> ParsedFeed:
    doc = read_json_feed(content)
    feed_lang = _clean_lang(doc.language)
    ctx = _Context(
        feed_url=url,
        base_url=url,
        source_title=_plain(doc.title) or _host(url),
        lang=feed_lang or header_lang,
        now=now,
    )
    items = _unique(
        _make_item(
            ctx,
            guid=entry.id,
            raw_link=entry.url,
            title_markup=entry.title,
            summary_markup=entry.summary,
            published=entry.published,
            lang=_clean_lang(entry.language),
        )
        for entry in doc.items
    )
    return ParsedFeed(
        title=ctx.source_title,
        link=_absolute(doc.home_page_url, url),
        lang=ctx.lang,
        ttl_minutes=None,
        items=items,
    )


def _entry_item(entry: Mapping[str, Any], ctx: _Context) -> Item | None:
    summary = _string(_field(entry, "summary"))
    if not summary:
        contents = _field(entry, "content") or ()
        if isinstance(contents, list) and contents:
            summary = _string(_field(contents[0], "value"))
    return _make_item(
        ctx,
        guid=_string(_field(entry, "id")),
        raw_link=_string(_field(entry, "link")),
        title_markup=_string(_field(entry, "title")),
        summary_markup=summary,
        published=_first_date(entry, ("published_parsed", "updated_parsed", "created_parsed")),
        lang=_entry_lang(entry),
    )


def _make_item(
    ctx: _Context,
    *,
    guid: str,
    raw_link: str,
    title_markup: str,
    summary_markup: str,
    published: datetime | None,
    lang: str | None,
) -> Item | None:
    """Shared by the XML and JSON paths so both give identical keys, text and dates."""
    title = _plain(title_markup)
    summary = _plain(summary_markup)
    link = _absolute(raw_link, ctx.base_url)
    if not (title or summary or link):
        return None
    return Item(
        key=guid.strip() or link or _content_key(title, summary),
        feed_url=ctx.feed_url,
        title=title,
        summary=summary,
        link=link,
        published=_plausible(published, ctx.now),
        source_title=ctx.source_title,
        lang=lang or ctx.lang,
    )


def _content_key(title: str, summary: str) -> str:
    digest = hashlib.sha256(f"{title}\n{summary}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"sha256:{digest}"


def _unique(items: Iterable[Item | None]) -> tuple[Item, ...]:
    """Drop empty entries and repeats of a key within one document, keeping the first."""
    seen: set[str] = set()
    kept: list[Item] = []
    for item in items:
        if item is not None and item.key not in seen:
            seen.add(item.key)
            kept.append(item)
    return tuple(kept)


def _plain(markup: object) -> str:
    text = html_to_text(_string(markup))
    if _LEFTOVER_TAG.search(text):
        text = html_to_text(text)
    return text


def _field(record: object, name: str) -> Any:
    """Read a feedparser field without FeedParserDict's aliases (some of them warn)."""
    return dict.get(record, name) if isinstance(record, dict) else None


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def _absolute(link: str, base: str) -> str:
    """Resolve against the feed URL; keep only http(s) so no javascript: reaches a chat."""
    link = link.strip()
    if not link:
        return ""
    try:
        resolved = urljoin(base, link)
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:  # e.g. an unbalanced "[" in the host
        return ""
    return resolved if scheme in _HTTP_SCHEMES else ""


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _first_date(entry: Mapping[str, Any], fields: tuple[str, ...]) -> datetime | None:
    for name in fields:
        moment = _from_struct(_field(entry, name))
        if moment is not None:
            return moment
    return None


def _from_struct(value: object) -> datetime | None:
    """feedparser's struct_time is already UTC; impossible dates count as missing."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        # A leap second (60) is valid in feeds but not in datetime.
        return datetime(*value[:5], min(value[5], 59), tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _plausible(published: datetime | None, now: datetime) -> datetime:
    """A missing date or one far in the future becomes the time we first saw the item."""
    if published is None or published > now + FUTURE_SLACK:
        return now
    return published.astimezone(UTC)


def _entry_lang(entry: Mapping[str, Any]) -> str | None:
    # An item's own <dc:language>, else the xml:lang in force on its title or text.
    lang = _clean_lang(_field(entry, "language"))
    if lang:
        return lang
    for field in ("title_detail", "summary_detail"):
        lang = _clean_lang(_field(_field(entry, field), "language"))
        if lang:
            return lang
    return None


def _clean_lang(value: object) -> str | None:
    """A BCP-47-looking tag, or None; feeds put anything in <language>."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if _LANG.match(value) else None


def _ttl(value: object) -> int | None:
    try:
        minutes = int(str(value).strip())
    except ValueError:
        return None
    if minutes <= 0:
        return None
    return min(minutes, MAX_TTL_MINUTES)


def _looks_like_html(content: bytes) -> bool:
    """True when the root element is <html>: a web page, not a feed (its DOCTYPE may lie)."""
    head = content[:4096].removeprefix(_BOM)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "replace").encode("utf-8", "replace")
    while True:
        match = _PROLOG.match(head)
        if not match or not match.group(0):
            break
        head = head[match.end() :]
    return bool(_HTML_ROOT.match(head))
