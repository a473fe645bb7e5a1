"""A fast loopback feed host for the benchmarks, in a process of its own.

Serves /feed/<n>.xml for n in [0, feeds) with a strong ETag and Last-Modified, answering 304 to
a matching If-None-Match, over HTTP/1.1 keep-alive. A separate process keeps the server's CPU
and memory out of the measured process, so poller and baseline pay the same (small) cost.
`/bump/<n>` publishes one more breach story at the top of feed n (latency and aged benchmarks).
May import benchmarks.common and the standard library.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.connection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from benchmarks.common import NOW, Record, bump_record, corpus, real_stream, rss_document

_LAST_MODIFIED = format_datetime(NOW, usegmt=True)


@dataclass(slots=True)
class _Feeds:
    items: int
    fresh_pool: tuple[int, ...] = ()  # corpus indices of the stories bumps publish
    unique_bumps: bool = False  # bumps publish generated stories that never group (bump_record)
    ok: dict[int, bytes] = field(default_factory=dict)
    etags: dict[int, bytes] = field(default_factory=dict)

    def build(self, n: int, records: list[Record], generation: int = 0) -> None:
        # Generation g has the g newest breach stories of the corpus on top of the base items.
        pool = [records[i] for i in self.fresh_pool] or [
            r for r in records if r.level in ("blame", "violation")
        ]
        if self.unique_bumps:
            fresh = [bump_record(n, k) for k in range(generation)]
        else:
            fresh = [pool[k % len(pool)] for k in range(generation)]
        body = rss_document(
            n, records, items=self.items, fresh=fresh, fresh_time=datetime.now(UTC)
        )
        etag = f'"{n}-{generation}"'.encode()
        self.etags[n] = etag
        self.ok[n] = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
            b"Content-Length: "
            + str(len(body)).encode()
            + b"\r\nETag: "
            + etag
            + b"\r\nLast-Modified: "
            + _LAST_MODIFIED.encode()
            + b"\r\n\r\n"
            + body
        )


def _not_modified(etag: bytes) -> bytes:
    return b"HTTP/1.1 304 Not Modified\r\nETag: " + etag + b"\r\nContent-Length: 0\r\n\r\n"


_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
_BUMPED = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"


class _Protocol(asyncio.Protocol):
    def __init__(self, feeds: _Feeds, records: list[Record], generations: dict[int, int]) -> None:
        self._feeds = feeds
        self._records = records
        self._generations = generations
        self._buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while b"\r\n\r\n" in self._buffer:
            head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
            self._transport.write(self._answer(head))  # type: ignore[attr-defined]

    def _answer(self, head: bytes) -> bytes:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        target = parts[1] if len(parts) > 1 else b"/"
        if_none_match = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"if-none-match":
                if_none_match = value.strip()
        try:
            kind, number = target.decode().strip("/").split("/")
            n = int(number.removesuffix(".xml"))
        except ValueError:
            return _NOT_FOUND
        if n not in self._feeds.ok:
            return _NOT_FOUND
        if kind == "bump":
            generation = self._generations.get(n, 0) + 1
            self._generations[n] = generation
            self._feeds.build(n, self._records, generation)
            return _BUMPED
        if if_none_match == self._feeds.etags[n]:
            return _not_modified(self._feeds.etags[n])
        return self._feeds.ok[n]


async def _serve(
    feeds: int,
    items: int,
    pool: tuple[int, ...],
    unique_bumps: bool,
    is_real: bool,
    conn: multiprocessing.connection.Connection,
) -> None:
    records = real_stream() if is_real else corpus()
    table = _Feeds(items, pool, unique_bumps)
    for n in range(feeds):
        table.build(n, records)
    generations: dict[int, int] = {}
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _Protocol(table, records, generations), "127.0.0.1", 0, backlog=1024
    )
    conn.send(server.sockets[0].getsockname()[1])
    # Stop when the parent closes its end of the pipe (or dies).
    await loop.run_in_executor(None, _wait_closed, conn)
    server.close()


def _wait_closed(conn: multiprocessing.connection.Connection) -> None:
    with contextlib.suppress(EOFError):
        conn.recv()


def _main(
    feeds: int,
    items: int,
    pool: tuple[int, ...],
    unique_bumps: bool,
    is_real: bool,
    conn: multiprocessing.connection.Connection,
) -> None:
    asyncio.run(_serve(feeds, items, pool, unique_bumps, is_real, conn))


class FeedHost:
    """`with FeedHost(feeds=1000, items=20) as host: host.url(n)`."""

    def __init__(
        self,
        *,
        feeds: int,
        items: int,
        fresh_pool: tuple[int, ...] = (),
        unique_bumps: bool = False,
        is_real: bool = False,  # items from the real 2023 stream instead of the dev corpus
    ) -> None:
        self.feeds = feeds
        self.items = items
        self.fresh_pool = fresh_pool
        self.unique_bumps = unique_bumps
        self.is_real = is_real
        self.port = 0

    def __enter__(self) -> FeedHost:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_main,
            args=(self.feeds, self.items, self.fresh_pool, self.unique_bumps, self.is_real, child),
            daemon=True,
        )
        self._process.start()
        child.close()
        if not self._conn.poll(120):
            self._process.kill()
            raise RuntimeError("feed host did not start within 120 s")
        self.port = self._conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.close()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(timeout=5)

    @property
    def pid(self) -> int:
        """The server's process (for CPU accounting)."""
        return self._process.pid

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.port}/feed/{n}.xml"

    def bump_url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.port}/bump/{n}"

    def urls(self) -> list[str]:
        return [self.url(n) for n in range(self.feeds)]
