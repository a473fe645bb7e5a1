"""A loopback webhook receiver, plus the `webhook_receiver` fixture.

It records every POST (body and headers), answers 200 unless told to answer other statuses
first, and can hang: posts then wait, unanswered, until `release()` or the fixture's end.
Runs on tornado in the test's own event loop. Imports tornado, the standard library and pytest.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import tornado.netutil
import tornado.web
from tornado.httpserver import HTTPServer

WEBHOOK_SECRET = "receiver-test-secret"  # noqa: S105 - a made-up secret for tests


@dataclass(frozen=True, slots=True)
class Post:
    """One request the receiver answered (status) or held (status 0)."""

    body: bytes
    headers: dict[str, str]
    status: int

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """Records posts; `answer_next(500, …)` and `hang()` / `release()` shape the answers."""

    def __init__(self) -> None:
        self.posts: list[Post] = []  # answered, in order
        self.held: list[Post] = []  # waiting in a hang
        self._answers: deque[int] = deque()
        self._is_hanging = False
        self._release = asyncio.Event()
        self._changed = asyncio.Event()
        self._http: HTTPServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    @property
    def accepted(self) -> list[Post]:
        return [post for post in self.posts if 200 <= post.status < 300]

    def answer_next(self, *statuses: int) -> None:
        """The next posts get these statuses, in order; later ones 200 again."""
        self._answers.extend(statuses)

    def hang(self) -> None:
        """From now on posts wait unanswered until `release()`."""
        self._is_hanging = True
        self._release.clear()

    def release(self) -> None:
        """Answer the held posts (if their sender still listens) and stop hanging."""
        self._is_hanging = False
        self._release.set()

    async def wait_for(self, predicate: Callable[[], bool], *, within: float = 10.0) -> None:
        async with asyncio.timeout(within):
            while True:
                self._changed.clear()
                if predicate():
                    return
                await self._changed.wait()

    def _notify(self) -> None:
        self._changed.set()

    async def start(self) -> None:
        app = tornado.web.Application([("/hook", _Handler, {"receiver": self})])
        self._http = HTTPServer(app)
        sockets = tornado.netutil.bind_sockets(0, address="127.0.0.1")
        self._http.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.release()
        if self._http is not None:
            self._http.stop()
            await self._http.close_all_connections()


class _Handler(tornado.web.RequestHandler):
    def initialize(self, receiver: WebhookReceiver) -> None:
        self.receiver = receiver

    async def post(self) -> None:
        receiver = self.receiver
        headers = dict(self.request.headers.get_all())
        if receiver._is_hanging:
            held = Post(self.request.body, headers, 0)
            receiver.held.append(held)
            receiver._notify()
            await receiver._release.wait()
            receiver.held.remove(held)
            receiver._notify()
            if self.request.connection.stream.closed():  # the sender gave up on us
                return
        status = receiver._answers.popleft() if receiver._answers else 200
        receiver.posts.append(Post(self.request.body, headers, status))
        receiver._notify()
        self.set_status(status)
        self.finish(b"ok" if status < 300 else b"no")

    def log_exception(self, *args: Any) -> None:
        """A sender that timed out closed the stream: nothing to report."""


@pytest.fixture
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    """A running receiver for one test; held posts are released when it ends."""
    receiver = WebhookReceiver()
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()
