"""Feed lists as OPML: read a user's file, write one out, load the bundled default list.

May import feeds.errors and the standard library only. Reading uses expat directly so a DTD can be
refused before any entity is declared: an OPML file never needs one, and entity expansion is the
classic way to blow up an XML reader (billion laughs) or make it read local files (XXE).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from urllib.parse import urlsplit
from xml.parsers import expat

from feeds.errors import FeedError

DEFAULT_TITLE = "ceasefire-alerts feeds"
_FEED_SCHEMES = frozenset({"http", "https"})
# Characters XML 1.0 cannot carry at all; a feed title full of control bytes must not make the
# exported file unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LANG = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed of a list: its URL, a human title and the outlet's language (BCP-47-ish)."""

    url: str
    title: str = ""
    lang: str | None = None


class _Refused(Exception):
    """Raised from an expat handler to abort the parse; becomes a FeedError."""


class _OutlineCollector:
    """Expat handlers: gather feed outlines, inheriting `language` from enclosing groups."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.entries: list[FeedEntry] = []
        self._seen: set[str] = set()
        self._langs: list[str | None] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.root is None:
            self.root = name
            if name.lower() != "opml":
                raise _Refused(f"root element is <{name}>")
        lowered = {key.lower(): value for key, value in attrs.items()}
        inherited = self._langs[-1] if self._langs else None
        lang = _clean_lang(lowered.get("language")) or inherited
        self._langs.append(lang)
        if name.lower() != "outline":
            return
        url = _feed_url(lowered.get("xmlurl", ""))
        if url is None or url in self._seen:
            return
        self._seen.add(url)
        title = (lowered.get("title") or lowered.get("text") or "").strip()
        if title == url:  # write_opml puts the URL in `text` when there is no title
            title = ""
        self.entries.append(FeedEntry(url=url, title=title, lang=lang))

    def end(self, name: str) -> None:
        self._langs.pop()


def read_opml(data: bytes) -> list[FeedEntry]:
    """Feed outlines (any depth) of an OPML document, first occurrence of each URL kept."""
    collector = _OutlineCollector()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    try:
        parser.Parse(bytes(data), True)
    except _Refused as exc:
        raise FeedError(f"not an OPML file: {exc}") from exc
    except expat.ExpatError as exc:
        raise FeedError(f"not an OPML file: {exc}") from exc
    return collector.entries


def write_opml(entries: Iterable[FeedEntry], *, title: str = DEFAULT_TITLE) -> str:
    """An OPML 2.0 document listing the entries as `type="rss"` outlines."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml_safe(title)
    body = ET.SubElement(root, "body")
    for entry in entries:
        name = _xml_safe(entry.title or "") or _xml_safe(entry.url)
        outline = ET.SubElement(
            body, "outline", type="rss", text=name, title=name, xmlUrl=_xml_safe(entry.url)
        )
        if entry.lang:
            outline.set("language", _xml_safe(entry.lang))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def default_feeds() -> list[FeedEntry]:
    """The curated list shipped in feeds/data/default_feeds.opml."""
    data = (files("feeds") / "data" / "default_feeds.opml").read_bytes()
    return read_opml(data)


def _refuse_doctype(*_args: object) -> None:
    raise _Refused("DTDs and entity declarations are not allowed")


def _refuse_entity(*_args: object) -> None:
    raise _Refused("entity declarations are not allowed")


def _feed_url(raw: str) -> str | None:
    """The outline's feed URL when it is an absolute http(s) URL, else None (skipped)."""
    url = raw.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    if parts.scheme.lower() not in _FEED_SCHEMES or not parts.netloc:
        return None
    return url


def _clean_lang(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value if _LANG.match(value) else None


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)
