"""Loopback HTTP server for the bundled demo feeds (feeds/data/demo), so `demo` runs offline.

May import the standard library and read feeds' package data; never imports telegram. The server
answers like a well-behaved feed host (Content-Type, ETag, 304 on If-None-Match) so the demo goes
through the real fetch → parse → store path, second poll included.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from importlib.resources.abc import Traversable
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

DEMO_SUFFIXES = frozenset({".xml", ".json"})
STOP_TIMEOUT = 5.0  # seconds to wait for the serving thread after shutdown()
# How often the serving loop checks for shutdown(): stop() takes up to this long.
POLL_INTERVAL = 0.05
IDLE_TIMEOUT = 10.0  # an idle keep-alive connection is closed after this many seconds
_XML_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ROOT_ELEMENT = re.compile(rb"<([A-Za-z][\w:.-]*)")


@dataclass(frozen=True, slots=True)
class DemoDocument:
    """One served file: its body, media type and strong ETag."""

    body: bytes
    content_type: str
    etag: str


def demo_documents(directory: Traversable | None = None) -> dict[str, DemoDocument]:
    """The demo feed files by name, read once (default: the packaged feeds/data/demo)."""
    folder = directory if directory is not None else files("feeds") / "data" / "demo"
    documents: dict[str, DemoDocument] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        suffix = entry.name[entry.name.rfind(".") :].lower() if "." in entry.name else ""
        if not entry.is_file() or suffix not in DEMO_SUFFIXES:
            continue
        body = entry.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:20]
        documents[entry.name] = DemoDocument(body, _media_type(entry.name, body), f'"{digest}"')
    return documents


def _media_type(name: str, body: bytes) -> str:
    """The type a real host would send, so the fetch/parse path sees realistic headers."""
    if name.lower().endswith(".json"):
        return "application/feed+json; charset=utf-8"
    root = _ROOT_ELEMENT.search(_XML_COMMENT.sub(b"", body[:4096]))
    kind = root.group(1) if root else b""
    if kind == b"feed":
        return "application/atom+xml; charset=utf-8"
    if kind == b"rdf:RDF":
        return "application/rdf+xml; charset=utf-8"
    return "application/rss+xml; charset=utf-8"


class _DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client must not keep the process alive at exit

    def __init__(self, address: tuple[str, int], documents: dict[str, DemoDocument]) -> None:
        self.documents = documents
        super().__init__(address, _DemoHandler)


class _DemoHandler(BaseHTTPRequestHandler):
    server: _DemoHTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive, like a real feed host
    timeout = IDLE_TIMEOUT
    # Headers and body go out in two writes; with Nagle on, delayed ACKs add ~40 ms to each.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        name = urlsplit(self.path).path.lstrip("/")
        document = self.server.documents.get(name)
        if document is None:
            self._send(
                HTTPStatus.NOT_FOUND,
                b"not found\n",
                "text/plain; charset=utf-8",
                None,
                send_body=send_body,
            )
            return
        if _matches(self.headers.get("If-None-Match"), document.etag):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", document.etag)
            self.end_headers()
            return
        self._send(
            HTTPStatus.OK, document.body, document.content_type, document.etag, send_body=send_body
        )

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str,
        etag: str | None,
        *,
        send_body: bool,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if etag is not None:
            self.send_header("ETag", etag)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        # The stdlib writes every request to stderr, which would clutter the demo's output.
        log.debug(format, *args)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison: any listed tag (W/ or not) equal to ours, or `*`."""
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or etag in (tag.removeprefix("W/") for tag in tags)


class DemoServer:
    """Serves the demo feeds on 127.0.0.1 (a free port) from a daemon thread."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._address = (host, port)
        self._server: _DemoHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind and start serving; the socket is listening when this returns."""
        if self._server is not None:
            raise RuntimeError("demo server already started")
        server = _DemoHTTPServer(self._address, demo_documents())
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name="demo-feed-server",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        log.debug("demo server on %s serving %d feeds", self.base_url, len(server.documents))

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=STOP_TIMEOUT)

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` of the running server."""
        host, port = self._running().server_address[:2]
        return f"http://{host}:{port}"

    def urls(self) -> list[str]:
        """One URL per demo feed, in file-name order."""
        base = self.base_url
        return [f"{base}/{name}" for name in self._running().documents]

    def _running(self) -> _DemoHTTPServer:
        if self._server is None:
            raise RuntimeError("demo server is not running")
        return self._server

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
