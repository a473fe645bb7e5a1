"""feedparser's own well-formed and ill-formed feeds go through parse and classify unharmed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feeds.detect import classify
from feeds.errors import ParseError
from feeds.model import Detection, Item
from feeds.parse import parse_feed

CORPUS = Path(__file__).parents[2] / "shared" / "corpora" / "feedparser-tests"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
_HASH_KEY = re.compile(r"^sha256:[0-9a-f]{64}$")


def _chunks() -> list[Path]:
    """One test per directory keeps ~1770 files to a few dozen test ids."""
    if not CORPUS.is_dir():
        return []
    return sorted({path.parent for path in CORPUS.rglob("*.xml")})


def _problems(item: Item) -> list[str]:
    """Invariants every Item must keep, whatever the feed looked like."""
    found = []
    if not item.key or (item.key.startswith("sha256:") and not _HASH_KEY.match(item.key)):
        found.append(f"bad key {item.key!r}")
    if item.published.tzinfo is None or item.published.utcoffset():
        found.append(f"published not UTC: {item.published!r}")
    if item.published > NOW + timedelta(days=1):
        found.append(f"published in the future: {item.published!r}")
    if item.link and not item.link.startswith(("http://", "https://")):
        found.append(f"unsafe link {item.link!r}")
    if not (item.title or item.summary or item.link):
        found.append("empty item")
    for name in ("title", "summary"):
        text = getattr(item, name)
        if "<script" in text.lower() or text != text.strip() or "\n" in text:
            found.append(f"{name} not plain text: {text[:80]!r}")
    return found


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("directory", _chunks(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_directory_parses_and_classifies(directory: Path) -> None:
    """Each file gives a ParsedFeed or ParseError; its items keep the invariants and classify."""
    failures: list[str] = []
    for path in sorted(directory.glob("*.xml")):
        name = path.relative_to(CORPUS)
        try:
            feed = parse_feed(path.read_bytes(), url="http://example.org/feed.xml", now=NOW)
        except ParseError as exc:
            if not str(exc).startswith("not a feed: "):
                failures.append(f"{name}: unexplained ParseError {exc!r}")
            continue
        except Exception as exc:  # the point of the test: report every file, not the first
            failures.append(f"{name}: parse raised {exc!r}")
            continue
        for item in feed.items:
            failures.extend(f"{name}: {problem}" for problem in _problems(item))
            try:
                detection = classify(item.title, item.summary, item.lang)
            except Exception as exc:
                failures.append(f"{name}: classify raised {exc!r}")
                continue
            if not isinstance(detection, Detection):
                failures.append(f"{name}: classify returned {detection!r}")
    assert not failures, "\n".join(failures)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
def test_wellformed_corpus_is_mostly_accepted() -> None:
    """Guards against a parser that 'survives' the corpus by rejecting everything."""
    paths = sorted((CORPUS / "wellformed").rglob("*.xml"))
    rejected = []
    item_count = 0
    for path in paths:
        try:
            feed = parse_feed(path.read_bytes(), url="http://example.org/", now=NOW)
        except ParseError:
            rejected.append(path.name)
        else:
            item_count += len(feed.items)
    # Only channel-only CDF files are refused today (no items, no recognised version).
    assert len(paths) > 1000
    assert len(rejected) <= len(paths) // 50, rejected
    assert item_count > 400
