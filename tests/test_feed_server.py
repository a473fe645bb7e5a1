"""The alerts feed over HTTP: the demo's alerts as Atom and JSON Feed, filters, 304s, 400s."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import feedparser
import httpx
import pytest

from bot.config import Settings
from bot.demo import DemoServer
from bot.errors import BotError
from bot.model import utc_now
from bot.outlets.feed_server import AlertsFeedServer
from bot.services.poller import Poller
from bot.store import SqliteStore
from feeds.fetch import make_client
from feeds.parse import parse_feed
from tests.atom_rules import check_atom

MT_LINK = (
    "https://www.themoscowtimes.com/2021/08/13/russia-for-the-first-time-blames-"
    "azerbaijan-for-breach-of-karabakh-truce-reports-a74782"
)


@pytest.fixture
async def demo_store(tmp_path) -> AsyncIterator[SqliteStore]:
    """The alerts `ceasefire-alerts demo` shows, stored as the demo stores them."""
    settings = Settings(
        database_path=tmp_path / "demo.db",
        feed_allow_private=True,
        first_poll_max_age_hours=0,
        fetch_timeout=5.0,
        fetch_concurrency=1,
    )
    store = await SqliteStore.open(settings.database_path)
    try:
        with DemoServer() as server:
            for url in server.urls():
                await store.add_feed(url, now=utc_now())
            async with make_client() as client:
                report = await Poller(store, client, settings).poll_once(force=True)
        assert report.alerts, "the demo feeds should give alerts"
        yield store
    finally:
        await store.close()


@pytest.fixture
async def feed(demo_store) -> AsyncIterator[AlertsFeedServer]:
    server = AlertsFeedServer(demo_store, host="127.0.0.1", port=0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def get(server: AlertsFeedServer, path: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(server.url(path), headers=headers)


async def test_the_atom_feed_lists_the_demo_seed_alert(feed):
    """The Moscow Times story of 2021-08-13 is in /alerts.atom, and feedparser finds no fault."""
    response = await get(feed, "/alerts.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    check_atom(response.content, now=utc_now())
    seed = [entry for entry in parsed.entries if entry.link == MT_LINK]
    assert len(seed) == 1
    assert "Ceasefire breach: Russia → Azerbaijan" in seed[0].summary
    assert seed[0].author == "The Moscow Times"
    assert parsed.feed.links[0].href == feed.url("/alerts.atom")


async def test_the_json_feed_carries_the_same_alerts(feed):
    """/alerts.json is JSON Feed 1.1 with the same entries, in the same order."""
    atom = feedparser.parse((await get(feed, "/alerts.atom")).content)
    response = await get(feed, "/alerts.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/feed+json; charset=utf-8"
    document = response.json()
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["id"] for item in document["items"]] == [entry.id for entry in atom.entries]
    parsed = parse_feed(response.content, url=feed.url("/alerts.json"), now=utc_now())
    assert MT_LINK in {item.link for item in parsed.items}


async def test_level_and_words_filter_like_chat_filters(feed):
    """?level=blame&q=azerbaijan: only accusations involving Azerbaijan, in any language."""
    everything = feedparser.parse((await get(feed, "/alerts.atom?level=all&limit=200")).content)
    response = await get(feed, "/alerts.atom?level=blame&q=azerbaijan")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0
    check_atom(response.content, now=utc_now())
    assert parsed.feed.title == "Ceasefire alerts: blame, azerbaijan"
    assert MT_LINK in {entry.link for entry in parsed.entries}
    assert 0 < len(parsed.entries) < len(everything.entries)
    for entry in parsed.entries:
        assert {tag.term for tag in entry.tags} & {"blame"}
        assert "Azerbaijan" in entry.summary or "Азербайджан" in entry.summary
    ceasefire = feedparser.parse((await get(feed, "/alerts.atom?level=ceasefire")).content)
    assert all(entry.tags[0].term == "ceasefire" for entry in ceasefire.entries)
    one = feedparser.parse((await get(feed, "/alerts.atom?level=all&limit=1")).content)
    assert len(one.entries) == 1


async def test_unchanged_feed_answers_304_to_etag_and_date(feed):
    """If-None-Match and If-Modified-Since with the last answer's validators get 304, no body."""
    first = await get(feed, "/alerts.atom?level=blame")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    by_tag = await get(feed, "/alerts.atom?level=blame", **{"If-None-Match": etag})
    assert by_tag.status_code == 304
    assert by_tag.content == b""
    assert by_tag.headers["etag"] == etag
    by_date = await get(feed, "/alerts.atom?level=blame", **{"If-Modified-Since": modified})
    assert by_date.status_code == 304
    weak = await get(feed, "/alerts.atom?level=blame", **{"If-None-Match": f'W/{etag}, "x"'})
    assert weak.status_code == 304
    other_query = await get(feed, "/alerts.atom?level=all", **{"If-None-Match": etag})
    assert other_query.status_code == 200
    older = format_datetime(datetime(2020, 1, 1, tzinfo=UTC), usegmt=True)
    stale = await get(feed, "/alerts.atom?level=blame", **{"If-Modified-Since": older})
    assert stale.status_code == 200
    # If-None-Match wins: a stale tag gets the body even with a current date.
    both = await get(
        feed,
        "/alerts.atom?level=blame",
        **{"If-None-Match": '"stale"', "If-Modified-Since": modified},
    )
    assert both.status_code == 200
    garbage = await get(feed, "/alerts.atom?level=blame", **{"If-Modified-Since": "yesterday"})
    assert garbage.status_code == 200


async def test_a_new_alert_changes_the_validators(feed, demo_store):
    """After a new alert the old ETag and date no longer match: the reader gets the body."""
    first = await get(feed, "/alerts.json?level=all")
    newest = (await demo_store.latest_alerts(1))[0]
    await demo_store.ingest(
        "https://news.example/rss",
        [_story_like(newest)],
        now=utc_now() + timedelta(seconds=1),
    )
    after = await get(
        feed,
        "/alerts.json?level=all",
        **{
            "If-None-Match": first.headers["etag"],
            "If-Modified-Since": first.headers["last-modified"],
        },
    )
    assert after.status_code == 200
    assert after.headers["etag"] != first.headers["etag"]
    only_date = await get(
        feed, "/alerts.json?level=all", **{"If-Modified-Since": first.headers["last-modified"]}
    )
    assert only_date.status_code == 200  # newer, even within the same second


def _story_like(alert):
    from bot.model import NewStory
    from feeds.model import Detection, Item

    item = Item(
        key="fresh-1",
        feed_url="https://news.example/rss",
        title="A second source reports the border shelling",
        summary="",
        link="https://news.example/fresh-1",
        published=utc_now(),
        source_title="News Example",
        lang="en",
    )
    return NewStory(item, Detection(level=alert.level, pairs=alert.pairs, actors=alert.actors))


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/alerts.atom?level=everything", "level must be one of"),
        ("/alerts.atom?limit=99999999999999999999", "limit must be a whole number"),
        ("/alerts.json?level=blame&level=blame", "Give “level” once"),
        ("/alerts.atom?q=%C3%28", "not valid UTF-8"),
        ("/alerts.atom?utm_source=reader", "Unknown parameter “utm_source”"),
        ("/alerts.atom?q=" + "ab+" * 600, "too long"),
    ],
)
async def test_odd_parameters_get_400_and_one_line(feed, path, says):
    """Each odd query is answered 400 with one line of text; the server goes on serving."""
    response = await get(feed, path)
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert says in response.text
    assert response.text.count("\n") == 1
    assert (await get(feed, "/alerts.atom")).status_code == 200


async def test_raw_non_utf8_bytes_in_the_request_line_get_400(feed):
    """A client sending raw Latin-1 bytes in the URL gets 400, not a crash."""
    reader, writer = await asyncio.open_connection("127.0.0.1", feed.port)
    writer.write(b"GET /alerts.atom?q=caf\xe9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"not valid UTF-8" in answer


async def test_other_paths_and_methods_get_one_line(feed):
    """Unknown paths get 404, other methods 405, both as one line of text."""
    missing = await get(feed, "/admin")
    assert missing.status_code == 404
    assert "/alerts.atom" in missing.text
    async with httpx.AsyncClient(timeout=10) as client:
        posted = await client.post(feed.url(), content=b"x")
    assert posted.status_code == 405
    assert posted.text.count("\n") == 1


async def test_a_taken_port_is_one_clear_error(demo_store):
    """ALERTS_FEED_PORT already in use: BotError naming the setting, no traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = AlertsFeedServer(demo_store, host="127.0.0.1", port=taken.getsockname()[1])
        with pytest.raises(BotError, match="ALERTS_FEED_PORT"):
            await server.start()
