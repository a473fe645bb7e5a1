"""JSON Feed 1.0/1.1 reader: bytes → raw feed fields for parse.py to normalise.

Pure (no I/O). Imports only feeds.errors. Text fields come back as written (HTML or plain);
parse.py turns them into Items exactly as it does for RSS and Atom, so both paths give the same
keys, plain text and dates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from feeds.errors import ParseError

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class JsonItem:
    """One JSON Feed item, fields as the feed wrote them (markup not yet stripped)."""

    id: str
    url: str
    title: str
    summary: str  # summary, else content_html, else content_text
    published: datetime | None  # aware UTC, or None when absent or unreadable
    language: str | None


@dataclass(frozen=True, slots=True)
class JsonFeed:
    """The top-level fields of a JSON Feed that parse.py needs."""

    title: str
    home_page_url: str
    language: str | None
    items: tuple[JsonItem, ...]


def is_json_feed_candidate(content: bytes, content_type: str) -> bool:
    """True when the body should be read as JSON rather than XML."""
    head = content[:1024].removeprefix(_BOM).lstrip()
    if head.startswith(b"{"):
        return True
    # A server that labels an XML feed as JSON is wrong more often than the body is.
    is_json_type = "json" in content_type.lower()
    return is_json_type and not head.startswith(b"<")


def read_json_feed(content: bytes) -> JsonFeed:
    """Decode a JSON Feed document; raise ParseError when it is not one."""
    try:
        doc = json.loads(content.removeprefix(_BOM).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and Python's limit on huge integer literals.
        raise ParseError(f"not a feed: invalid JSON ({type(exc).__name__})") from exc
    if not isinstance(doc, dict):
        raise ParseError("not a feed: JSON document is not an object")
    version = doc.get("version")
    # Both jsonfeed.org/version/1 and /1.1 exist in the wild, over http and https.
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise ParseError("not a feed: JSON without a JSON Feed version")
    raw_items = doc.get("items")
    if not isinstance(raw_items, list):
        raise ParseError("not a feed: JSON Feed without an items list")
    items = tuple(_item(raw) for raw in raw_items if isinstance(raw, dict))
    return JsonFeed(
        title=_string(doc.get("title")),
        home_page_url=_string(doc.get("home_page_url")),
        language=_string(doc.get("language")) or None,
        items=items,
    )


def _item(raw: dict[str, Any]) -> JsonItem:
    summary = (
        _string(raw.get("summary"))
        or _string(raw.get("content_html"))
        or _string(raw.get("content_text"))
    )
    published = _date(raw.get("date_published")) or _date(raw.get("date_modified"))
    return JsonItem(
        id=_identifier(raw.get("id")),
        # url is the item's own page; external_url points at what it links to.
        url=_string(raw.get("url")) or _string(raw.get("external_url")),
        title=_string(raw.get("title")),
        summary=summary,
        published=published,
        language=_string(raw.get("language")) or None,
    )


def _string(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _identifier(value: object) -> str:
    # The spec says id is a string, but JSON Feed 1.0 producers often emit numbers.
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return str(value)
    return _string(value)


def _date(value: object) -> datetime | None:
    """RFC 3339 as the spec asks; RFC 822 as some producers write anyway."""
    text = _string(value)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        # RFC 3339 has no local times; a missing offset is best read as UTC.
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
