"""Latency benchmark: an item appears in a feed → the fake Bot API records the alert message.

The real Poller (run_forever, POLL_INTERVAL=5) and DeliveryWorker run as the service runs them,
against a loopback feed host (50 feeds, own process) and the fake Bot API (this process). The
poller's alert hook wakes the worker. Twenty times, after a random pause (so items land at every
phase of the poll cycle), one new breach story is published on a feed and the time until its
message reaches the fake is taken. Target: p95 ≤ interval + 2 s; the printed ratio is p95 over
that bound. The stories are corpus items picked so that none groups with another.
Run: `python -m benchmarks.bench_latency [--items 20] [--interval 5]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import httpx
from telegram import Bot

from benchmarks.common import NOW, corpus, median, percentile, verdict
from benchmarks.feedhost import FeedHost
from bot.config import Settings
from bot.frontend.delivery import DeliveryWorker
from bot.model import Alert
from bot.services.filters import route
from bot.services.poller import Poller
from bot.store import SqliteStore
from feeds.detect import classify
from feeds.fetch import make_client
from feeds.group import Story, is_same_story
from feeds.model import Level

TOKEN = "123456:BENCHMARK-TOKEN"  # noqa: S105 - the fake accepts any token
CHAT = 4242
SLACK = 2.0
ALERT_LEVELS = (Level.BLAME, Level.VIOLATION)


def distinct_breaches(count: int) -> tuple[int, ...]:
    """Corpus indices of `count` English items we classify as breaches, none the same story."""
    picked: list[tuple[int, Story]] = []
    for index, record in enumerate(corpus()):
        if record.lang != "en":  # the feed host's documents say <language>en</language>
            continue
        detection = classify(record.title, record.summary, "en")
        if detection.level not in ALERT_LEVELS:
            continue
        story = Story.of(
            title=record.title,
            summary=detection.summary or record.summary,
            link=f"{record.link}#{index}",
            level=detection.level,
            published=NOW,  # the feed host serves all fresh items at one moment
            pairs=detection.pairs,
            actors=detection.actors,
            lang=record.lang,
        )
        if any(is_same_story(story, other) for _, other in picked):
            continue
        picked.append((index, story))
        if len(picked) == count:
            break
    if len(picked) < count:
        raise RuntimeError(f"only {len(picked)} distinct breach stories in the corpus")
    return tuple(index for index, _ in picked)


async def measure(args: argparse.Namespace, host: FeedHost, db_path: Path) -> list[float]:
    from tests.fakes.telegram_api import FakeTelegramAPI

    settings = replace(
        Settings(),
        poll_interval=args.interval,
        feed_allow_private=True,
        first_poll_max_age_hours=0,
        fetch_timeout=10.0,
    )
    fake = FakeTelegramAPI()
    await fake.start()
    store = await SqliteStore.open(db_path)
    rng = random.Random(6)  # noqa: S311 - the same pauses every run, not crypto
    latencies: list[float] = []
    try:
        for url in host.urls():
            await store.add_feed(url, now=NOW)
        async with (
            Bot(TOKEN, base_url=fake.base_url) as bot,
            make_client() as client,
            httpx.AsyncClient(timeout=10) as publisher,
        ):
            worker = DeliveryWorker(bot, store)

            async def wake(alerts: Sequence[Alert]) -> None:
                worker.wake()

            poller = Poller(store, client, settings, route=route, on_alerts=wake)
            worker.start()
            polling: asyncio.Task[None] | None = None
            try:
                # The first (cold) cycle marks what the feeds already carry as seen.
                await asyncio.wait_for(poller.poll_once(force=True), timeout=60)
                await store.subscribe(CHAT, chat_type="private", levels=ALERT_LEVELS, now=NOW)
                polling = asyncio.create_task(poller.run_forever())
                for n in range(1, args.items + 1):
                    await asyncio.sleep(rng.uniform(0, args.interval))
                    response = await publisher.get(host.bump_url(0))
                    response.raise_for_status()
                    published = time.monotonic()
                    messages = await fake.wait_for_messages(
                        n, chat_id=CHAT, within=args.interval * 4 + 30
                    )
                    latencies.append(messages[-1].time - published)
            finally:
                if polling is not None:
                    polling.cancel()
                    await asyncio.gather(polling, return_exceptions=True)
                await worker.stop(grace=5)
    finally:
        await store.close()
        await fake.stop()
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--interval", type=float, default=5.0, help="POLL_INTERVAL, seconds")
    parser.add_argument("--feeds", type=int, default=50)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # as the tests: no PTB warning per RetryAfter
    pool = distinct_breaches(args.items)
    with (
        FeedHost(feeds=args.feeds, items=0, fresh_pool=pool) as host,
        tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp,
    ):
        latencies = asyncio.run(measure(args, host, Path(tmp) / "latency.db"))
    bound = args.interval + SLACK
    p95 = percentile(latencies, 0.95)
    print(
        f"latency: {len(latencies)} items, POLL_INTERVAL={args.interval:g} s, {args.feeds} feeds; "
        f"p95/(interval+{SLACK:g} s) = {p95 / bound:.2f} (target <= 1, {verdict(p95, bound)}) | "
        f"p50 {median(latencies):.2f} s, p95 {p95:.2f} s, max {max(latencies):.2f} s, "
        f"min {min(latencies):.2f} s",
        flush=True,
    )
    return 0 if p95 <= bound else 1


if __name__ == "__main__":
    raise SystemExit(main())
