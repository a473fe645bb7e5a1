"""Loopback HTTP feed server for tests: published documents, ETags, a request log, fault routes.

Fixture `feed_server` (one server per test, 127.0.0.1, port 0, threaded). Typical use::

    url = feed_server.publish_rss("/news.xml", items=[{"title": "Truce holds", "guid": "1"}])
    result = await fetch_feed(client, url, allow_private=True)
    feed_server.publish_rss("/news.xml", items=[...])  # update: new ETag and Last-Modified
    assert feed_server.requests_for("/news.xml")[-1].headers["if-none-match"] == result.etag

Published paths answer 304 when If-None-Match (or, without it, If-Modified-Since) matches.
Fault routes, by name in `FAULTS` (use `feed_server.url(FAULTS["hang"])`):

    http_500            500 Internal Server Error
    http_429            429 with Retry-After: 120
    http_503            503 with Retry-After as an HTTP date 120 s ahead
    slow                sends nothing until the test ends (delay before headers)
    hang                headers and a few body bytes, then nothing until the test ends
    huge                declares Content-Length 1 GB and streams zeros
    endless             chunked body of zeros that never ends
    gzip_bomb           Content-Encoding: gzip, ~64 KB on the wire, 64 MiB decoded
    redirect_loop       302 to itself
    redirect_metadata   302 to http://169.254.169.254/latest/meta-data/
    garbage             4 KB of random bytes labelled application/rss+xml
    html                an ordinary HTML page
    max_age             a small RSS feed with Cache-Control: max-age=3600

Also `/status/<code>` answers that status with an empty body, `redirect(path, location)`
registers a redirect, and `publish(..., delay=0.5)` makes a path answer that much later (a slow
outlet, so a poll cycle is still running when a test looks). Waiting handlers are released when
the fixture ends, so no test waits on them; the server shuts down in well under a second.
"""

from __future__ import annotations

import contextlib
import gzip as gzip_module
import hashlib
import socket
import sys
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

import pytest

FAULTS: Mapping[str, str] = {
    "http_500": "/fault/500",
    "http_429": "/fault/429",
    "http_503": "/fault/503",
    "slow": "/fault/slow",
    "hang": "/fault/hang",
    "huge": "/fault/huge",
    "endless": "/fault/endless",
    "gzip_bomb": "/fault/gzip-bomb",
    "redirect_loop": "/fault/redirect-loop",
    "redirect_metadata": "/fault/redirect-metadata",
    "garbage": "/fault/garbage",
    "html": "/fault/html",
    "max_age": "/fault/max-age",
}
METADATA_URL = "http://169.254.169.254/latest/meta-data/"
RSS_TYPE = "application/rss+xml; charset=utf-8"
GZIP_BOMB_SIZE = 64 * 1024 * 1024  # decoded bytes; far above any cap the fetcher uses
HUGE_LENGTH = 1_000_000_000
RETRY_AFTER_SECONDS = 120
MAX_HANDLER_WAIT = 30.0  # a waiting handler gives up on its own even if never released
# Last-Modified of the n-th publish is this plus n seconds: strictly increasing, so a quick
# update never repeats a date, and deterministic, so tests can compare strings.
_EPOCH = datetime(2021, 8, 13, 10, 0, tzinfo=UTC)
_CHUNK = 64 * 1024
# Deterministic noise: the same bytes every run, so a parse failure reproduces.
_GARBAGE = b"".join(hashlib.sha256(b"%d" % n).digest() for n in range(128))
_HTML_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>World news</title></head>
<body><h1>World news</h1><p>Ceasefire talks resume. This is a web page, not a feed.</p>
<a href="/">Home</a></body></html>
"""


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the server saw it; header names lower-case."""

    method: str
    path: str  # without the query string
    query: str
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Resource:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str | None
    last_modified: str | None
    delay: float = 0.0  # seconds before the answer


def rss_document(
    items: Iterable[Mapping[str, Any] | str],
    *,
    title: str = "Test feed",
    link: str = "https://news.example/",
    language: str | None = "en",
    ttl: int | None = None,
) -> bytes:
    """A small RSS 2.0 document; each item is a title or a mapping of title, link, guid,
    description, published (aware datetime or RFC 822 string), author."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link>",
        "<description>Fixture feed</description>",
    ]
    if language:
        lines.append(f"<language>{escape(language)}</language>")
    if ttl is not None:
        lines.append(f"<ttl>{ttl}</ttl>")
    for item in items:
        fields = {"title": item} if isinstance(item, str) else dict(item)
        parts = ["<item>"]
        for name in ("title", "link", "description", "author"):
            if fields.get(name) is not None:
                parts.append(f"<{name}>{escape(str(fields[name]))}</{name}>")
        if fields.get("guid") is not None:
            permalink = "true" if str(fields["guid"]).startswith("http") else "false"
            parts.append(f'<guid isPermaLink="{permalink}">{escape(str(fields["guid"]))}</guid>')
        published = fields.get("published")
        if isinstance(published, datetime):
            published = format_datetime(published.astimezone(UTC), usegmt=True)
        if published is not None:
            parts.append(f"<pubDate>{escape(published)}</pubDate>")
        parts.append("</item>")
        lines.append("".join(parts))
    lines.append("</channel></rss>")
    return "\n".join(lines).encode("utf-8")


class FeedServer:
    """A threaded loopback HTTP server; see the module docstring for its routes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._resources: dict[str, _Resource] = {}
        self._log: list[LoggedRequest] = []
        self._publish_count = 0
        self._gzip_bomb: bytes | None = None
        self.release_event = threading.Event()
        self.errors: list[BaseException] = []  # unexpected handler errors, for debugging
        self._httpd = _HTTPServer(self)
        self.port: int = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # shutdown() waits up to one poll interval
            name=f"feed-server-{self.port}",
            daemon=True,
        )

    def start(self) -> None:
        """Serve in a background thread (the socket already listens after __init__)."""
        self._thread.start()

    def close(self) -> None:
        """Release waiting handlers, stop serving and drop open connections."""
        self.release_event.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd.drop_connections()
        self._thread.join(timeout=5)

    def url(self, path: str) -> str:
        """Absolute URL of `path` on this server."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def publish(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = RSS_TYPE,
        etag: str | bool = True,
        last_modified: str | bool = True,
        headers: Mapping[str, str] | None = None,
        gzip: bool = False,
        status: int = 200,
        delay: float = 0.0,
    ) -> str:
        """Serve `body` at `path` (replacing what was there) and return its URL.

        `etag`/`last_modified`: True makes one up from the content and a publish counter,
        False omits the header, a string is sent as is. `gzip` compresses the body and sends
        Content-Encoding: gzip. `headers` are added as given (e.g. Cache-Control). `delay`
        holds each answer back that many seconds.
        """
        data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        extra = [("Content-Type", content_type)]
        if gzip:
            data = gzip_module.compress(data, mtime=0)
            extra.append(("Content-Encoding", "gzip"))
        extra.extend((headers or {}).items())
        with self._lock:
            self._publish_count += 1
            count = self._publish_count
        if etag is True:
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if last_modified is True:
            last_modified = format_datetime(_EPOCH + timedelta(seconds=count), usegmt=True)
        resource = _Resource(
            status=status,
            body=data,
            headers=tuple(extra),
            etag=etag or None,
            last_modified=last_modified or None,
            delay=delay,
        )
        with self._lock:
            self._resources[_path_only(path)] = resource
        return self.url(path)

    def publish_rss(
        self,
        path: str,
        items: Iterable[Mapping[str, Any] | str] = (),
        *,
        title: str = "Test feed",
        language: str | None = "en",
        ttl: int | None = None,
        **publish_kw: Any,
    ) -> str:
        """Serve a small RSS 2.0 feed built by `rss_document` and return its URL."""
        document = rss_document(items, title=title, language=language, ttl=ttl)
        return self.publish(path, document, **publish_kw)

    def redirect(self, path: str, location: str, *, status: int = 302) -> str:
        """Answer `path` with a redirect to `location` (absolute or relative); return its URL."""
        resource = _Resource(status, b"", (("Location", location),), None, None)
        with self._lock:
            self._resources[_path_only(path)] = resource
        return self.url(path)

    def remove(self, path: str) -> None:
        """Stop serving `path` (it answers 404 again)."""
        with self._lock:
            self._resources.pop(_path_only(path), None)

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request so far, oldest first (a copy)."""
        with self._lock:
            return list(self._log)

    def requests_for(self, path: str) -> list[LoggedRequest]:
        """The requests whose path (without query) equals `path`."""
        wanted = _path_only(path)
        return [r for r in self.requests if r.path == wanted]

    def gzip_bomb(self) -> bytes:
        """The gzip bomb's bytes on the wire (built on first use, ~0.25 s)."""
        with self._lock:
            if self._gzip_bomb is None:
                compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
                zeros = bytes(1024 * 1024)
                parts = [compressor.compress(b'<?xml version="1.0"?><rss version="2.0">')]
                parts += [compressor.compress(zeros) for _ in range(GZIP_BOMB_SIZE // len(zeros))]
                parts.append(compressor.flush())
                self._gzip_bomb = b"".join(parts)
            return self._gzip_bomb

    # --- called from handler threads ---

    def _record(self, request: LoggedRequest) -> None:
        with self._lock:
            self._log.append(request)

    def _resource(self, path: str) -> _Resource | None:
        with self._lock:
            return self._resources.get(path)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, feeds: FeedServer) -> None:
        self.feeds = feeds
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        try:
            super().finish_request(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)

    def drop_connections(self) -> None:
        """Shut down kept-alive and still-busy connections so their threads end now."""
        with self._open_lock:
            open_sockets = list(self._open)
        for sock in open_sockets:
            with contextlib.suppress(OSError):  # already closed by the other side
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError) or exc is None:
            return  # the client left: expected after every cap and timeout
        self.feeds.errors.append(exc)
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked bodies, like real servers
    timeout = 15  # an idle kept-alive connection frees its thread by itself
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log replaces stderr noise

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        feeds = self.server.feeds
        feeds._record(
            LoggedRequest(
                method=self.command,
                path=path,
                query=query,
                headers={k.lower(): v for k, v in self.headers.items()},
            )
        )
        try:
            self._route(feeds, path)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _route(self, feeds: FeedServer, path: str) -> None:
        resource = feeds._resource(path)
        if resource is not None:
            feeds.release_event.wait(resource.delay)  # the server closing ends the wait
            self._serve_resource(resource)
        elif path == FAULTS["http_500"]:
            self._send(500, b"Internal Server Error", "text/plain")
        elif path == FAULTS["http_429"]:
            self._send(429, b"", "text/plain", [("Retry-After", str(RETRY_AFTER_SECONDS))])
        elif path == FAULTS["http_503"]:
            when = formatdate(time.time() + RETRY_AFTER_SECONDS, usegmt=True)
            self._send(503, b"", "text/plain", [("Retry-After", when)])
        elif path == FAULTS["slow"]:
            feeds.release_event.wait(MAX_HANDLER_WAIT)
            self._send(200, rss_document(["Late"]), RSS_TYPE)
        elif path == FAULTS["hang"]:
            self._hang(feeds)
        elif path == FAULTS["huge"]:
            self._stream_zeros(feeds, chunked=False)
        elif path == FAULTS["endless"]:
            self._stream_zeros(feeds, chunked=True)
        elif path == FAULTS["gzip_bomb"]:
            self._send(200, feeds.gzip_bomb(), RSS_TYPE, [("Content-Encoding", "gzip")])
        elif path == FAULTS["redirect_loop"]:
            self._send(302, b"", "text/plain", [("Location", FAULTS["redirect_loop"])])
        elif path == FAULTS["redirect_metadata"]:
            self._send(302, b"", "text/plain", [("Location", METADATA_URL)])
        elif path == FAULTS["garbage"]:
            self._send(200, _GARBAGE, RSS_TYPE)
        elif path == FAULTS["html"]:
            self._send(200, _HTML_PAGE, "text/html; charset=utf-8")
        elif path == FAULTS["max_age"]:
            body = rss_document([{"title": "Cached", "guid": "cached-1"}])
            self._send(200, body, RSS_TYPE, [("Cache-Control", "public, max-age=3600")])
        elif path.startswith("/status/") and path[8:].isdigit():
            self._send(int(path[8:]), b"", "text/plain")
        else:
            self._send(404, b"Not Found", "text/plain")

    def _serve_resource(self, resource: _Resource) -> None:
        validators = []
        if resource.etag:
            validators.append(("ETag", resource.etag))
        if resource.last_modified:
            validators.append(("Last-Modified", resource.last_modified))
        if resource.status == 200 and self._is_not_modified(resource):
            self.send_response(304)
            for name, value in validators:
                self.send_header(name, value)
            self.send_header("Content-Length", "0")  # for clients that read 304 bodies
            self.end_headers()
            return
        self._send(resource.status, resource.body, None, [*validators, *resource.headers])

    def _is_not_modified(self, resource: _Resource) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:  # RFC 9110: it takes precedence over If-Modified-Since
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            etag = (resource.etag or "").removeprefix("W/")
            return "*" in tags or (bool(etag) and etag in tags)
        since = self.headers.get("If-Modified-Since")
        if since and resource.last_modified:
            try:
                return parsedate_to_datetime(since) >= parsedate_to_datetime(
                    resource.last_modified
                )
            except (TypeError, ValueError):
                return False
        return False

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _hang(self, feeds: FeedServer) -> None:
        self.send_response(200)
        self.send_header("Content-Type", RSS_TYPE)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Ha')
        self.wfile.flush()
        feeds.release_event.wait(MAX_HANDLER_WAIT)
        self.close_connection = True  # the promised body never came

    def _stream_zeros(self, feeds: FeedServer, *, chunked: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", RSS_TYPE)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(HUGE_LENGTH))
        self.end_headers()
        zeros = bytes(_CHUNK)
        frame = b"%x\r\n%s\r\n" % (len(zeros), zeros) if chunked else zeros
        sent = 0
        # Ends when the client hangs up (ConnectionError), the test ends, or after 1 GB.
        while sent < HUGE_LENGTH and not feeds.release_event.is_set():
            self.wfile.write(frame)
            sent += len(zeros)
        self.close_connection = True


def _path_only(path: str) -> str:
    path = path if path.startswith("/") else "/" + path
    return path.partition("?")[0]


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A running loopback feed server for one test; closed (and its waiters released) after."""
    server = FeedServer()
    server.start()
    try:
        yield server
    finally:
        server.close()
