"""The alerts feed over HTTP: /alerts.atom and /alerts.json, served by the bot's own process.

Readers poll cheaply: every answer carries an ETag (a hash of the body) and a Last-Modified
time, and a matching If-None-Match or If-Modified-Since gets 304 with no body. A query the
server cannot answer gets 400 and one line of text, never a traceback. Runs on tornado (which
python-telegram-bot's webhook server needs anyway) in the caller's event loop.
May import tornado, bot.store, bot.services.filters and bot.outlets.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from typing import Any

import tornado.web
from tornado.httpserver import HTTPServer

from bot.errors import BotError
from bot.i18n import N_, gettext_for
from bot.model import Alert, utc_now
from bot.outlets.syndication import (
    FeedPage,
    FeedQuery,
    QueryError,
    parse_query,
    render_atom,
    render_json_feed,
)
from bot.services.filters import matches
from bot.store import Store

log = logging.getLogger(__name__)

SCAN_LIMIT = 1000  # newest alerts of the asked levels that word filters look through
VERSIONS_KEPT = 256  # feeds (kind + query) whose Last-Modified time the server remembers
NOT_FOUND = N_("Not found: the alerts feed is at /alerts.atom and /alerts.json.")
UNAVAILABLE = N_("The alerts database is busy; try again shortly.")
NOT_ALLOWED = N_("Only GET is supported here.")
ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class FeedKind:
    """One of the two documents: its path, media type and renderer."""

    path: str
    media_type: str
    render: Callable[[FeedPage], bytes]


KINDS = (
    FeedKind("/alerts.atom", "application/atom+xml; charset=utf-8", render_atom),
    FeedKind("/alerts.json", "application/feed+json; charset=utf-8", render_json_feed),
)


class _Versions:
    """When each feed's current body first appeared, in whole seconds, rising per feed.

    HTTP dates have one-second precision; a body that changed within the second of the one a
    reader saw must still look newer, or an If-Modified-Since reader would miss that alert.
    """

    def __init__(self, limit: int = VERSIONS_KEPT) -> None:
        self._limit = limit
        self._seen: OrderedDict[str, tuple[str, datetime]] = OrderedDict()

    def modified(self, key: str, etag: str, now: datetime) -> datetime:
        known = self._seen.get(key)
        if known is not None and known[0] == etag:
            self._seen.move_to_end(key)
            return known[1]
        moment = now.replace(microsecond=0)
        if known is not None:
            moment = max(moment, known[1] + ONE_SECOND)
        self._seen[key] = (etag, moment)
        self._seen.move_to_end(key)
        while len(self._seen) > self._limit:
            self._seen.popitem(last=False)
        return moment


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match: a list of tags or '*', compared weakly (RFC 9110, 13.1.2)."""
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


def _not_modified_since(header: str, modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as RFC 9110 says
    return since.tzinfo is not None and modified <= since


class _PlainHandler(tornado.web.RequestHandler):
    """Errors as one line of plain text."""

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")

    def answer_text(self, status: int, text: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(text + "\n")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        _ = gettext_for(None)
        if status_code == HTTPStatus.METHOD_NOT_ALLOWED:
            self.answer_text(status_code, _(NOT_ALLOWED))
        else:
            self.answer_text(status_code, HTTPStatus(status_code).phrase)

    def prepare(self) -> None:
        self.set_header("Cache-Control", "no-cache")

    def get(self) -> None:
        self.answer_text(HTTPStatus.NOT_FOUND, gettext_for(None)(NOT_FOUND))


class _FeedHandler(_PlainHandler):
    def initialize(self, server: AlertsFeedServer, kind: FeedKind) -> None:
        self.server = server
        self.kind = kind

    async def get(self) -> None:  # type: ignore[override]
        _ = gettext_for(None)
        try:
            query = parse_query(self.request.query)
        except QueryError as exc:
            self.answer_text(HTTPStatus.BAD_REQUEST, str(exc))
            return
        self_url = f"{self.request.protocol}://{self.request.host}{self.request.uri}"
        try:
            page = await self.server.page(query, self_url)
        except Exception:
            log.exception("alerts feed: cannot read the alerts")
            self.answer_text(HTTPStatus.SERVICE_UNAVAILABLE, _(UNAVAILABLE))
            return
        body = self.kind.render(page)
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        now = self.server.clock()
        modified = self.server.versions.modified(f"{self.kind.path}?{query.canonical}", etag, now)
        self.set_header("ETag", etag)
        if modified <= now:  # never later than the answer's own Date (RFC 9110, 8.8.2.1)
            self.set_header("Last-Modified", format_datetime(modified, usegmt=True))
        if self._is_fresh(etag, modified):
            self.set_status(HTTPStatus.NOT_MODIFIED)
            self.finish()
            return
        self.set_header("Content-Type", self.kind.media_type)
        self.finish(body)

    def _is_fresh(self, etag: str, modified: datetime) -> bool:
        """The reader's copy is current (If-None-Match wins over If-Modified-Since)."""
        none_match = self.request.headers.get("If-None-Match")
        if none_match is not None:
            return _etag_matches(none_match, etag)
        since = self.request.headers.get("If-Modified-Since")
        return since is not None and _not_modified_since(since, modified)

    def compute_etag(self) -> None:
        return None  # ours is set above; tornado's own would hash error pages too


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Readers poll every few minutes: one DEBUG line per request is plenty.
    log.debug("%s %s %d", handler.request.method, handler.request.uri, handler.get_status())


class AlertsFeedServer:
    """Serves the feed of one store; `await start()`, then `await stop()`."""

    def __init__(
        self,
        store: Store,
        *,
        host: str,
        port: int,
        clock: Callable[[], datetime] = utc_now,
        scan_limit: int = SCAN_LIMIT,
    ) -> None:
        self._store = store
        self.host = host
        self.port = port
        self.clock = clock
        self._scan_limit = scan_limit
        self._started = clock()
        self.versions = _Versions()
        routes: list[Any] = [
            (kind.path, _FeedHandler, {"server": self, "kind": kind}) for kind in KINDS
        ]
        app = tornado.web.Application(
            routes, default_handler_class=_PlainHandler, log_function=_log_request
        )
        self._http = HTTPServer(app, idle_connection_timeout=60, body_timeout=10)

    def url(self, path: str = "/alerts.atom") -> str:
        return f"http://{self.host}:{self.port}{path}"

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one); BotError if that is impossible."""
        try:
            family = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)[0][0]
            # create_server closes its socket when binding fails (tornado's helper leaks it).
            listener = socket.create_server((self.host, self.port), family=family)
        except OSError as exc:
            raise BotError(
                f"ALERTS_FEED_PORT: cannot listen on {self.host}:{self.port}: "
                f"{exc.strerror or exc}"
            ) from exc
        listener.setblocking(False)
        self._http.add_sockets([listener])
        self.port = listener.getsockname()[1]
        log.info("alerts feed at %s and %s", self.url(), self.url("/alerts.json"))

    async def stop(self) -> None:
        """Stop listening and close open connections; safe to call twice."""
        self._http.stop()
        await self._http.close_all_connections()

    async def page(self, query: FeedQuery, self_url: str) -> FeedPage:
        """The newest alerts that answer the query."""
        scan = self._scan_limit if query.words else query.limit
        alerts = await self._store.latest_alerts(scan, levels=query.levels)
        if query.words:
            # Word matching looks for actor names in every text: off the event loop.
            alerts = await asyncio.to_thread(_matching, alerts, query)
        shown = tuple(alerts[: query.limit])
        updated = max((alert.created for alert in shown), default=self._started)
        return FeedPage(query=query, self_url=self_url, alerts=shown, updated=updated)


def _matching(alerts: Sequence[Alert], query: FeedQuery) -> list[Alert]:
    found: list[Alert] = []
    for alert in alerts:
        if matches(query.levels, query.words, alert):
            found.append(alert)
            if len(found) == query.limit:
                break
    return found
