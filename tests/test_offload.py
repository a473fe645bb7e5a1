"""Parsing and classifying in helper processes (POLL_PROCESSES): the same results as in-process,
errors as there, and a helper that dies costs only the feed it was working on."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.services.offload import InProcess, OffloadPool
from bot.services.poller import Poller
from bot.store import SqliteStore
from feeds.errors import FeedError, ParseError
from feeds.fetch import make_client
from feeds.model import Level, StreamContext
from feeds.parse import parse_feed
from tests.fakes.feed_server import rss_document

NOW = datetime(2024, 3, 13, 12, 0, tzinfo=UTC)
URL = "https://news.example/rss"
STORIES = [
    {
        "title": "Armenia accuses Azerbaijan of shelling border villages despite the ceasefire",
        "guid": "am-az-1",
        "link": "https://news.example/am-az-1",
        "description": "The defence ministry said troops opened fire overnight.",
        "published": datetime(2024, 3, 13, 9, 0, tzinfo=UTC),
    },
    {
        "title": "Farmers expect a good harvest this year",
        "guid": "harvest-1",
        "link": "https://news.example/harvest",
        "published": datetime(2024, 3, 13, 8, 0, tzinfo=UTC),
    },
]
TEXTS = [
    ("Armenia accuses Azerbaijan of shelling villages despite the truce", "", "en"),
    ("Strikes hit Gaza hours after the ceasefire took effect", "Officials said two died.", "en"),
    ("Talks on a truce between the two sides resume in Doha", "", "en"),
    ("Farmers expect a good harvest this year", "Rain came early.", "en"),
]


@pytest.fixture
def pool():
    pool = OffloadPool(1)
    yield pool
    pool.close()


async def test_parses_as_in_process(pool):
    """The helper's ParsedFeed equals parse_feed's, and a non-feed is a ParseError as there."""
    body = rss_document(STORIES, title="News")
    headers = {"content-type": "application/rss+xml"}
    parsed = await pool.parse(body, url=URL, headers=headers, now=NOW)
    assert parsed == parse_feed(body, url=URL, headers=headers, now=NOW)
    assert [item.key for item in parsed.items] == ["am-az-1", "harvest-1"]
    with pytest.raises(ParseError, match="HTML page"):
        await pool.parse(b"<html><body>hi</body></html>", url=URL, headers=None, now=NOW)


@pytest.mark.parametrize("context", [None, StreamContext(frozenset({"Israel–Gaza"}))])
async def test_classifies_as_in_process(pool, context):
    """Detections from a helper equal the in-process ones, plain news (computed lazily) too."""
    here = await InProcess().classify(TEXTS, context)
    there = await pool.classify(TEXTS, context)
    assert here[0].level is Level.BLAME
    assert here[-1].level is Level.NONE
    # Plain news stays lazy across the process boundary: its actors are worked out only if read.
    assert [d.is_deferred for d in there] == [d.is_deferred for d in here]
    assert context is not None or here[-1].is_deferred
    assert there == here  # equality reads every field, lazy ones included


async def test_a_dead_helper_costs_only_its_feed(pool):
    """A helper killed mid-run: that call is a feed error, the next one works."""
    body = rss_document(STORIES, title="News")
    await pool.parse(body, url=URL, headers=None, now=NOW)  # the helper is running now
    helpers = list(pool._pool._processes.values())  # the real helper processes
    for helper in helpers:
        os.kill(helper.pid, signal.SIGKILL)
        helper.join(timeout=10)
    with pytest.raises(FeedError, match="helper process stopped"):
        await pool.parse(body, url=URL, headers=None, now=NOW)
    parsed = await pool.parse(body, url=URL, headers=None, now=NOW)
    assert len(parsed.items) == 2


async def test_poller_with_helper_processes(pool, feed_server, tmp_path):
    """The poller stores the same alerts whether it works in helpers or in-process."""
    url = feed_server.publish_rss("/news.xml", STORIES, title="News")
    settings = Settings(feed_allow_private=True, first_poll_max_age_hours=0)
    found = []
    for name, work in (("in-process.db", None), ("helpers.db", pool)):
        store = await SqliteStore.open(tmp_path / name)
        try:
            await store.add_feed(url, now=NOW)
            async with make_client() as client:
                poller = Poller(store, client, settings, clock=lambda: NOW, work=work)
                report = await poller.poll_once(force=True)
            found.append([(a.level, a.pairs, a.title, a.summary) for a in report.alerts])
        finally:
            await store.close()
    assert found[0] == found[1]
    assert len(found[0]) == 1
