"""feeds.fetch against the loopback feed server: conditional GET, caps, faults, address guard."""

from __future__ import annotations

import asyncio
import gzip
import socket
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from feeds.errors import FetchError
from feeds.fetch import (
    USER_AGENT,
    FetchResult,
    check_address,
    fetch_feed,
    make_client,
    parse_max_age,
    parse_retry_after,
)
from tests.fakes.feed_server import FAULTS, FeedServer

FAULT_TIMEOUT = 1.0  # the per-feed deadline in fault tests, so slow and hang cost ~1 s each
HEALTHY_TIMEOUT = 5.0  # generous: the healthy feed must not fail on a busy machine
CAP = 1_000_000
HEALTHY_ITEMS = [{"title": "Truce holds in the north", "guid": "ok-1"}]


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The shared client as the application builds it."""
    async with make_client() as client:
        yield client


async def fetch(client: httpx.AsyncClient, url: str, **kw) -> FetchResult:
    """fetch_feed with test defaults: loopback allowed, short deadline."""
    kw.setdefault("allow_private", True)
    kw.setdefault("timeout", HEALTHY_TIMEOUT)
    return await fetch_feed(client, url, **kw)


# --- conditional GET ---


async def test_first_fetch_returns_body_and_the_servers_validators(client, feed_server):
    """A 200 gives the decoded body and the ETag / Last-Modified exactly as the server sent."""
    url = feed_server.publish_rss("/news.xml", HEALTHY_ITEMS)
    result = await fetch(client, url)
    served = feed_server.requests_for("/news.xml")[0]
    assert result.status == 200
    assert not result.is_not_modified
    assert b"Truce holds in the north" in result.content
    assert result.etag.startswith('"')
    assert result.last_modified == "Fri, 13 Aug 2021 10:00:01 GMT"
    assert result.headers["content-type"].startswith("application/rss+xml")
    assert result.url == result.final_url == url
    assert "if-none-match" not in served.headers
    assert "if-modified-since" not in served.headers


async def test_second_fetch_echoes_validators_verbatim_and_gets_304(client, feed_server):
    """The stored validators go back unchanged; an unchanged feed answers 304 with no body."""
    url = feed_server.publish_rss("/news.xml", HEALTHY_ITEMS, etag='W/"v1-weak"')
    first = await fetch(client, url)
    second = await fetch(client, url, etag=first.etag, last_modified=first.last_modified)
    sent = feed_server.requests_for("/news.xml")[1].headers
    assert sent["if-none-match"] == 'W/"v1-weak"'
    assert sent["if-modified-since"] == first.last_modified
    assert second.status == 304
    assert second.is_not_modified
    assert second.content == b""
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)


async def test_changed_feed_answers_200_with_new_validators(client, feed_server):
    """After an update the same validators no longer match: new body, new ETag and date."""
    url = feed_server.publish_rss("/news.xml", HEALTHY_ITEMS)
    first = await fetch(client, url)
    feed_server.publish_rss("/news.xml", [*HEALTHY_ITEMS, {"title": "Shelling resumes"}])
    second = await fetch(client, url, etag=first.etag, last_modified=first.last_modified)
    assert second.status == 200
    assert b"Shelling resumes" in second.content
    assert second.etag != first.etag
    assert second.last_modified != first.last_modified


async def test_last_modified_alone_gives_304(client, feed_server):
    """A server without ETags is asked with If-Modified-Since only, echoing its own date."""
    url = feed_server.publish_rss("/news.xml", HEALTHY_ITEMS, etag=False)
    first = await fetch(client, url)
    second = await fetch(client, url, etag=first.etag, last_modified=first.last_modified)
    sent = feed_server.requests_for("/news.xml")[1].headers
    assert first.etag is None
    assert "if-none-match" not in sent
    assert sent["if-modified-since"] == first.last_modified
    assert second.is_not_modified


async def test_polite_headers_are_sent(client, feed_server):
    """Every request names the project and asks only for encodings we can cap."""
    url = feed_server.publish_rss("/news.xml", HEALTHY_ITEMS)
    await fetch(client, url)
    sent = feed_server.requests_for("/news.xml")[0].headers
    assert sent["user-agent"] == USER_AGENT
    assert "ceasefire-alerts" in USER_AGENT
    assert sent["accept-encoding"] == "gzip, deflate"
    assert "application/rss+xml" in sent["accept"]


async def test_cache_control_max_age_is_reported(client, feed_server):
    """max-age from Cache-Control comes back as seconds for the scheduler."""
    result = await fetch(client, feed_server.url(FAULTS["max_age"]))
    assert result.max_age == 3600.0


# --- faults: each fails alone while a healthy feed in the same gather succeeds ---

FAULT_CASES = [
    pytest.param("http_500", "HTTP 500", id="500"),
    pytest.param("http_429", "HTTP 429", id="429"),
    pytest.param("slow", f"timed out after {FAULT_TIMEOUT:g} s", id="slow"),
    pytest.param("hang", f"timed out after {FAULT_TIMEOUT:g} s", id="hang"),
    pytest.param("huge", "too large", id="huge"),
    pytest.param("endless", "too large", id="endless"),
    pytest.param("gzip_bomb", "too large", id="gzip-bomb"),
    pytest.param("redirect_loop", "too many redirects", id="redirect-loop"),
    pytest.param("redirect_metadata", "refused: private address 169.254.169.254", id="metadata"),
]


@pytest.mark.parametrize(("fault", "reason"), FAULT_CASES)
async def test_fault_fails_alone(client, feed_server, fault, reason):
    """A broken feed gives a FetchError with a clear reason and never spoils a healthy one."""
    if fault == "gzip_bomb":
        feed_server.gzip_bomb()  # build it now so the deadline measures the fetch only
    healthy_url = feed_server.publish_rss("/healthy.xml", HEALTHY_ITEMS)
    async with asyncio.timeout(15):  # a regression fails the test instead of hanging it
        bad, healthy = await asyncio.gather(
            fetch(client, feed_server.url(FAULTS[fault]), timeout=FAULT_TIMEOUT, max_bytes=CAP),
            fetch(client, healthy_url),
            return_exceptions=True,
        )
    assert isinstance(bad, FetchError), bad
    assert reason in bad.reason
    assert str(bad) == bad.reason
    assert isinstance(healthy, FetchResult), healthy
    assert b"Truce holds in the north" in healthy.content


async def test_a_slow_outlet_answers_after_its_delay(client, feed_server):
    """A path published with a delay answers late: past a short deadline, within a long one."""
    url = feed_server.publish_rss("/slow.xml", HEALTHY_ITEMS, delay=2 * FAULT_TIMEOUT)
    with pytest.raises(FetchError, match="timed out"):
        await fetch(client, url, timeout=FAULT_TIMEOUT / 4)
    result = await fetch(client, url, timeout=HEALTHY_TIMEOUT + 2 * FAULT_TIMEOUT)
    assert b"Truce holds in the north" in result.content


@pytest.mark.parametrize("fault", ["garbage", "html"])
async def test_non_feed_bodies_are_fetched_unchanged(client, feed_server, fault):
    """Random bytes and HTML pages are the parser's business: fetch returns them as served."""
    result = await fetch(client, feed_server.url(FAULTS[fault]), max_bytes=CAP)
    assert result.status == 200
    assert len(result.content) > 100
    assert (b"<html" in result.content) == (fault == "html")


async def test_retry_after_seconds_on_429(client, feed_server):
    """429 carries the server's Retry-After so the feed backs off at least that long."""
    with pytest.raises(FetchError) as caught:
        await fetch(client, feed_server.url(FAULTS["http_429"]))
    assert caught.value.retry_after == 120.0


async def test_retry_after_date_on_503(client, feed_server):
    """An HTTP-date Retry-After becomes the seconds left until that date."""
    with pytest.raises(FetchError) as caught:
        await fetch(client, feed_server.url(FAULTS["http_503"]))
    assert caught.value.reason == "HTTP 503"
    assert 0 < caught.value.retry_after <= 121


async def test_500_has_no_retry_after(client, feed_server):
    """Only 429 and 503 promise a retry time; other errors leave it to the backoff."""
    with pytest.raises(FetchError) as caught:
        await fetch(client, feed_server.url(FAULTS["http_500"]))
    assert caught.value.retry_after is None


async def test_404(client, feed_server):
    """A missing feed says which status it got."""
    with pytest.raises(FetchError, match=r"^HTTP 404$"):
        await fetch(client, feed_server.url("/nothing-here.xml"))


async def test_connection_refused(client):
    """A closed port is reported as such, not as a traceback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="connection refused"):
        await fetch(client, f"http://127.0.0.1:{port}/feed.xml")


async def test_cancellation_is_not_swallowed(client, feed_server):
    """Stopping the poller cancels a fetch; that must not turn into a FetchError."""
    started = asyncio.Event()

    async def on_request(request: httpx.Request) -> None:
        started.set()

    client.event_hooks["request"] = [on_request]
    task = asyncio.create_task(fetch(client, feed_server.url(FAULTS["slow"])))
    await asyncio.wait_for(started.wait(), timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# --- size cap ---


async def test_body_at_the_cap_passes_and_one_byte_more_fails(client, feed_server):
    """The cap is inclusive; a declared Content-Length over it is refused before reading."""
    url = feed_server.publish("/exact.xml", b"x" * 1000)
    assert len((await fetch(client, url, max_bytes=1000)).content) == 1000
    with pytest.raises(FetchError, match=r"too large: more than 999 bytes \(Content-Length"):
        await fetch(client, url, max_bytes=999)


async def test_cap_counts_decompressed_bytes(client, feed_server):
    """A gzip body small on the wire but over the cap once decoded is refused."""
    url = feed_server.publish("/zipped.xml", b"y" * 5000, gzip=True)
    assert (await fetch(client, url, max_bytes=5000)).content == b"y" * 5000
    with pytest.raises(FetchError, match="too large"):
        await fetch(client, url, max_bytes=4999)


async def test_gzip_bomb_stopped_by_the_default_cap(client, feed_server):
    """The 64 MiB bomb, ~64 KB on the wire, gets past the Content-Length check but not the cap."""
    assert len(feed_server.gzip_bomb()) < 100_000
    with pytest.raises(FetchError, match="too large"):
        await fetch(client, feed_server.url(FAULTS["gzip_bomb"]), timeout=10)


async def test_gzip_bomb_never_inflates_far_past_the_cap(client, feed_server):
    """Decoding is bounded per step, so memory stays near the cap, not at the bomb's size."""
    feed_server.gzip_bomb()
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="too large"):
            await fetch(client, feed_server.url(FAULTS["gzip_bomb"]), max_bytes=CAP)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * CAP  # one unbounded 64 KB chunk alone would inflate to ~64 MB


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        pytest.param(gzip.compress(b"<rss/>"), "gzip", id="gzip"),
        pytest.param(zlib.compress(b"<rss/>"), "deflate", id="deflate-zlib"),
        pytest.param(zlib.compress(b"<rss/>", wbits=-15), "deflate", id="deflate-raw"),
        pytest.param(b"<rss/>", "identity", id="identity"),
    ],
)
async def test_content_encodings_are_decoded(client, feed_server, encoded, encoding):
    """gzip, both kinds of deflate servers send, and identity all give the plain document."""
    url = feed_server.publish("/enc.xml", encoded, headers={"Content-Encoding": encoding})
    assert (await fetch(client, url)).content == b"<rss/>"


@pytest.mark.parametrize(
    ("encoded", "encoding", "reason"),
    [
        pytest.param(b"\x1f\x8bnot gzip", "gzip", "corrupt gzip body", id="corrupt-gzip"),
        pytest.param(b"abc", "br", "unsupported Content-Encoding 'br'", id="brotli"),
    ],
)
async def test_undecodable_bodies_fail_cleanly(client, feed_server, encoded, encoding, reason):
    """A body we cannot decode is a FetchError naming the problem."""
    url = feed_server.publish("/enc.xml", encoded, headers={"Content-Encoding": encoding})
    with pytest.raises(FetchError) as caught:
        await fetch(client, url)
    assert caught.value.reason == reason


# --- redirects ---


def _chain(feed_server: FeedServer, hops: int) -> str:
    """Register /hop/1 → /hop/2 → … → /target.xml (relative Locations) and return /hop/1."""
    feed_server.publish_rss("/target.xml", HEALTHY_ITEMS)
    for n in range(1, hops + 1):
        feed_server.redirect(f"/hop/{n}", f"/hop/{n + 1}" if n < hops else "/target.xml")
    return feed_server.url("/hop/1")


async def test_five_redirects_are_followed(client, feed_server):
    """Moved feeds still work: up to five hops, each relative Location resolved."""
    result = await fetch(client, _chain(feed_server, 5))
    assert result.final_url == feed_server.url("/target.xml")
    assert result.url == feed_server.url("/hop/1")
    assert b"Truce holds" in result.content


async def test_six_redirects_are_refused(client, feed_server):
    """The sixth hop is never requested."""
    with pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"):
        await fetch(client, _chain(feed_server, 6))
    assert not feed_server.requests_for("/target.xml")


async def test_redirect_loop_stops_after_five_hops(client, feed_server):
    """A loop costs the first request plus five followed redirects, then stops."""
    with pytest.raises(FetchError, match="too many redirects"):
        await fetch(client, feed_server.url(FAULTS["redirect_loop"]))
    assert len(feed_server.requests_for(FAULTS["redirect_loop"])) == 6


# --- address guard ---


async def test_metadata_redirect_refused_without_connecting(client, feed_server):
    """Even with loopback allowed, a hop to the cloud metadata address is never requested."""
    sent: list[httpx.URL] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request.url)

    client.event_hooks["request"] = [record]
    with pytest.raises(FetchError) as caught:
        await fetch(client, feed_server.url(FAULTS["redirect_metadata"]))
    assert caught.value.reason == "refused: private address 169.254.169.254"
    assert [url.host for url in sent] == ["127.0.0.1"]


async def test_loopback_refused_unless_allowed(client, feed_server):
    """Feeds added by users may not reach the host itself; the operator can allow it."""
    url = feed_server.publish_rss("/news.xml", HEALTHY_ITEMS)
    with pytest.raises(FetchError, match=r"^refused: private address 127\.0\.0\.1$"):
        await fetch(client, url, allow_private=False)
    assert not feed_server.requests
    assert (await fetch(client, url, allow_private=True)).status == 200


@pytest.mark.parametrize(
    ("url", "allow_private", "refused"),
    [
        ("http://93.184.215.14/feed", False, False),
        ("https://[2606:4700::1111]/feed", False, False),
        ("http://127.0.0.1/", False, True),
        ("http://127.0.0.1/", True, False),
        ("http://10.1.2.3/", False, True),
        ("http://10.1.2.3/", True, False),
        ("http://172.16.0.1/", False, True),
        ("http://192.168.1.1/", False, True),
        ("http://100.64.0.1/", False, True),  # carrier-grade NAT
        ("http://[::1]/", False, True),
        ("http://[fd00::1]/", False, True),
        ("http://169.254.169.254/latest/meta-data/", False, True),
        ("http://169.254.169.254/latest/meta-data/", True, True),  # link-local: always
        ("http://[fe80::1]/", True, True),
        ("http://[::ffff:169.254.169.254]/", True, True),  # IPv4-mapped
        ("http://[::ffff:127.0.0.1]/", False, True),
        ("http://[::ffff:93.184.215.14]/", False, False),
        ("http://[2002:a9fe:a9fe::1]/", True, True),  # 6to4 wrapping 169.254.169.254
        ("http://0.0.0.0/", True, True),
        ("http://[::]/", True, True),
        ("http://224.0.0.1/", True, True),  # multicast
        ("http://240.0.0.1/", True, True),  # reserved
        ("http://localhost/", False, True),  # by name: resolved first
        ("http://localhost/", True, False),
    ],
)
async def test_check_address(url, allow_private, refused):
    """Literal and resolved addresses are classified before any connection is made."""
    if refused:
        with pytest.raises(FetchError, match=r"^refused: private address "):
            await check_address(url, allow_private=allow_private)
    else:
        await check_address(url, allow_private=allow_private)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/feed", "file:///etc/passwd", "gopher://127.0.0.1/"]
)
async def test_other_schemes_refused(client, url):
    """Only http and https are fetched, whatever the address setting."""
    with pytest.raises(FetchError, match=r"^refused: scheme "):
        await fetch(client, url)


@pytest.mark.parametrize("url", ["", "http://", "not a url", "http://[::1/feed"])
async def test_bad_urls_fail_cleanly(client, url):
    """Nonsense in the feed list is a FetchError, not a crash."""
    with pytest.raises(FetchError):
        await fetch(client, url)


# --- header parsing (pure) ---

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Wed, 01 May 2024 12:02:00 GMT", 120.0),
        ("Wed, 01 May 2024 11:00:00 GMT", 0.0),  # a date in the past: retry now
        ("-5", None),
        ("soon", None),
        ("1.5", None),  # RFC 9110: delta-seconds are whole numbers
    ],
)
def test_parse_retry_after(value, expected):
    """Retry-After is delta-seconds or an HTTP date; anything else is ignored."""
    assert parse_retry_after(value, now=NOW) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"cache-control": "max-age=600"}, 600.0),
        ({"cache-control": "public, max-age=3600, must-revalidate"}, 3600.0),
        ({"cache-control": 'MAX-AGE="60"'}, 60.0),
        ({"cache-control": "max-age=600", "age": "100"}, 500.0),
        ({"cache-control": "max-age=600", "age": "900"}, 0.0),
        ({"cache-control": "no-cache"}, None),
        ({"cache-control": "max-age=abc"}, None),
        ({"cache-control": "s-maxage=60"}, None),  # for shared caches, not for us
    ],
)
def test_parse_max_age(headers, expected):
    """max-age counts from the response's Age, and only a well-formed value counts."""
    assert parse_max_age(headers) == expected
