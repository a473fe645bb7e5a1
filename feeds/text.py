"""Plain-text helpers shared by parse and detect: HTML to text, whitespace, sentences. Pure."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    {
        "p",
        "br",
        "div",
        "li",
        "ul",
        "ol",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "table",
    }
)
# Text inside these is never shown to a reader, so it must not reach an alert.
_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "head"})
_SPACE = re.compile(r"\s+")
_ODD_SPACE = re.compile(r"[^\S ]")  # whitespace other than a plain space


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def collapse_space(text: str) -> str:
    """Collapse runs of whitespace (including newlines) to single spaces and strip the ends."""
    if (
        "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
        and _ODD_SPACE.search(text) is None
    ):
        return text  # already collapsed, the usual case: skip rebuilding the string
    return _SPACE.sub(" ", text).strip()


def html_to_text(markup: str | None) -> str:
    """Strip tags, drop script/style content, decode entities, collapse whitespace."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return collapse_space(markup)
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # hostile markup must never crash the pipeline
        return collapse_space(html.unescape(re.sub(r"<[^>]*>", " ", markup)))
    # A second unescape catches double-encoded feeds ("&amp;amp;"), common in RSS.
    return collapse_space(html.unescape("".join(parser.parts)))
