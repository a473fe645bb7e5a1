"""The W3C feed validator's rules for Atom 1.0 (RFC 4287) that our feed must keep, as a check.

Written from the validator's documented rules, not its code: required elements, tag URIs,
RFC 3339 dates in a plausible range, URI characters in links, no C1 controls or U+FFFD.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

ATOM = "{http://www.w3.org/2005/Atom}"
TAG_URI = re.compile(r"tag:[a-z0-9.-]+,\d{4}(-\d\d(-\d\d)?)?:[A-Za-z0-9;/?:@&=+$.\-_!~*'()%,]*")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
URI_CHARACTERS = re.compile(r"[A-Za-z0-9;/?:@&=+$.\-_!~*'()%,#\[\]]+")
FLAGGED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


def parse_atom(body: bytes) -> ET.Element:
    """Our own feed's XML tree (written by us, so the stdlib parser is safe here)."""
    return ET.fromstring(body)  # noqa: S314 - our renderer's output, not a stranger's


def _one(parent: ET.Element, tag: str) -> ET.Element:
    found = parent.findall(f"{ATOM}{tag}")
    assert len(found) == 1, f"{parent.tag} needs exactly one {tag}, has {len(found)}"
    return found[0]


def _date(element: ET.Element, now: datetime) -> datetime:
    text = element.text or ""
    assert RFC3339.fullmatch(text), f"not an RFC 3339 date: {text!r}"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert datetime(1990, 1, 1, tzinfo=UTC) <= moment <= now + timedelta(minutes=10), text
    return moment


def check_atom(body: bytes, *, now: datetime) -> None:
    """Raise AssertionError naming the first rule the document breaks."""
    assert not FLAGGED_CHARACTERS.search(body.decode("utf-8")), "C1 control or U+FFFD"
    feed = parse_atom(body)
    assert feed.tag == f"{ATOM}feed"
    assert TAG_URI.fullmatch(_one(feed, "id").text or ""), "feed id is not a tag URI"
    assert (_one(feed, "title").text or "").strip(), "feed title is blank"
    updated = _date(_one(feed, "updated"), now)
    has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    (self_link,) = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link.get("type") == "application/atom+xml"
    for link in feed.iter(f"{ATOM}link"):
        assert URI_CHARACTERS.fullmatch(link.get("href", "")), link.get("href")
    for entry in feed.findall(f"{ATOM}entry"):
        assert TAG_URI.fullmatch(_one(entry, "id").text or ""), "entry id is not a tag URI"
        assert (_one(entry, "title").text or "").strip(), "entry title is blank"
        assert _date(_one(entry, "updated"), now) <= updated, "entry newer than its feed"
        for published in entry.findall(f"{ATOM}published"):
            _date(published, now)
        assert has_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        alternates = [
            link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"
        ]
        assert len(alternates) <= 1
        assert (
            alternates
            or entry.find(f"{ATOM}content") is not None
            or entry.find(f"{ATOM}summary") is not None
        )
