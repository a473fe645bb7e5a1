"""Where the poller's CPU-heavy steps run: parsing a feed and classifying its new items.

`InProcess` runs them in this process (big parses and batches in a thread, so the event loop
keeps answering). `OffloadPool` (POLL_PROCESSES ≥ 1) runs them in helper processes, on other cores
than the one fetching and storing: on a cold cycle they are most of the work, and feedparser
reads every item of every changed feed, though few are new. Both steps are pure, so they move as
data: bytes and texts in, items and detections out. A helper that dies (a hostile document, the
OOM killer) costs only the feeds it was working on; the next ones get a new process.
May import feeds.* only.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Protocol, TypeVar

from feeds.detect import classify
from feeds.errors import FeedError
from feeds.model import Detection, Level, StreamContext
from feeds.parse import ParsedFeed, parse_feed, parse_feed_async

log = logging.getLogger(__name__)

Texts = Sequence[tuple[str, str, str | None]]  # (title, summary, language) of each item
CLASSIFY_IN_THREAD = 50  # items; smaller batches are cheaper to classify on the loop
_T = TypeVar("_T")


class FeedWork(Protocol):
    """The two CPU-heavy steps of polling a feed."""

    async def parse(
        self, content: bytes, *, url: str, headers: Mapping[str, str] | None, now: datetime
    ) -> ParsedFeed:
        """feeds.parse.parse_feed; raises ParseError."""
        ...

    async def classify(self, texts: Texts, context: StreamContext | None) -> list[Detection]:
        """feeds.detect.classify of each text, in order."""
        ...


def classify_all(texts: Texts, context: StreamContext | None) -> list[Detection]:
    return [classify(title, summary, lang, context) for title, summary, lang in texts]


class InProcess:
    """Both steps in this process."""

    async def parse(
        self, content: bytes, *, url: str, headers: Mapping[str, str] | None, now: datetime
    ) -> ParsedFeed:
        return await parse_feed_async(content, url=url, headers=headers, now=now)

    async def classify(self, texts: Texts, context: StreamContext | None) -> list[Detection]:
        if len(texts) < CLASSIFY_IN_THREAD:
            return classify_all(texts, context)
        return await asyncio.to_thread(classify_all, texts, context)


class OffloadPool:
    """Both steps in `processes` helper processes, started on first use; `close()` stops them."""

    def __init__(self, processes: int) -> None:
        if processes < 1:
            raise ValueError("an offload pool needs at least one process")
        self._processes = processes
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent runs threads (aiosqlite, asyncio's executor) that a
        # forked child would inherit half-way through.
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(max_workers=self._processes, mp_context=context)

    async def _run(self, call: Callable[[], _T], what: str) -> _T:
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, call)
        except BrokenProcessPool as exc:
            if pool is self._pool:  # the first call to notice starts the new pool
                log.warning("helper process stopped (%s); starting a new one", what)
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
            raise FeedError(f"the helper process stopped while {what}") from exc

    async def parse(
        self, content: bytes, *, url: str, headers: Mapping[str, str] | None, now: datetime
    ) -> ParsedFeed:
        call = functools.partial(parse_feed, content, url=url, headers=headers, now=now)
        return await self._run(call, "reading this feed")

    async def classify(self, texts: Texts, context: StreamContext | None) -> list[Detection]:
        call = functools.partial(_classify_for_transport, list(texts), context)
        found = await self._run(call, "classifying items")
        return [_revive(f, text, context) for f, text in zip(found, texts, strict=True)]

    def close(self) -> None:
        """Stop the helper processes; work still waiting is cancelled."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _classify_for_transport(
    texts: Texts, context: StreamContext | None
) -> list[Detection | Level]:
    """In a helper process: classify each text. A deferred detection (plain news) travels as its
    level: its summary and actors are computed only if read, and forcing them here is the cost
    that deferring avoids (the bot never reads them for plain news)."""
    return [d.level if d.is_deferred else d for d in classify_all(texts, context)]


def _revive(
    found: Detection | Level, text: tuple[str, str, str | None], context: StreamContext | None
) -> Detection:
    if isinstance(found, Detection):
        return found
    return Detection.deferred(found, functools.partial(_summary_and_actors, *text, context))


def _summary_and_actors(
    title: str, summary: str, lang: str | None, context: StreamContext | None
) -> tuple[str, tuple[str, ...]]:
    detection = classify(title, summary, lang, context)
    return detection.summary, detection.actors
