"""Outlets benchmark: what the alerts feed and the webhooks cost, on loopback.

A database of 2,000 stored alerts (four conflicts, four levels of the pipeline's output shape)
is served by the real AlertsFeedServer; a client asks for the default feed, a word-filtered
feed and the same feed again with its ETag (304). Then 500 alerts are posted by the real
WebhookWorker to the loopback receiver of the tests. Figures: milliseconds per request, the 304
and filtered requests as ratios of a full one, and webhook posts per second. No target is set by
the issue; the figures are reported.
Run: `python -m benchmarks.bench_outlets [--alerts 2000] [--requests 200] [--posts 500]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

from benchmarks.common import NOW, median
from bot.model import NewStory
from bot.outlets.feed_server import AlertsFeedServer
from bot.outlets.webhooks import WebhookWorker
from bot.store import SqliteStore
from feeds.model import Detection, Item, Level, Pair
from tests.fakes.webhook_receiver import WEBHOOK_SECRET, WebhookReceiver

PAIRS = (
    Pair("Russia", "Azerbaijan"),
    Pair("Armenia", "Azerbaijan"),
    Pair("Ukraine", "Russia"),
    Pair("Hamas", "Israel"),
)
LEVELS = (Level.BLAME, Level.BLAME, Level.VIOLATION, Level.CEASEFIRE)


def stories(count: int, *, webhooks: tuple[str, ...] = ()) -> list[NewStory]:
    made = []
    for n in range(count):
        pair, level = PAIRS[n % len(PAIRS)], LEVELS[(n // 4) % len(LEVELS)]
        item = Item(
            key=f"bench-{n}",
            feed_url="https://bench.example/rss",
            title=f"{pair.accuser} accuses {pair.accused} of breaking the truce, report {n}",
            summary="Officials said positions were shelled overnight despite the ceasefire; "
            "the other side denied it and blamed provocations.",
            link=f"https://bench.example/story/{n}",
            published=NOW - timedelta(minutes=n),
            source_title="Bench News",
            lang="en",
        )
        pairs = (pair,) if level is Level.BLAME else ()
        detection = Detection(level=level, pairs=pairs, actors=(pair.accuser, pair.accused))
        made.append(NewStory(item, detection, webhooks=webhooks))
    return made


async def timed_gets(
    client: httpx.AsyncClient, url: str, requests: int, **headers: str
) -> tuple[float, int]:
    """Median milliseconds per request, and the status of the last one."""
    times, status = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        response = await client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return median(times), status


async def bench_feed(store: SqliteStore, requests: int) -> None:
    server = AlertsFeedServer(store, host="127.0.0.1", port=0)
    await server.start()
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            full_url = server.url("/alerts.atom")
            first = await client.get(full_url)
            full, _ = await timed_gets(client, full_url, requests)
            json_ms, _ = await timed_gets(client, server.url("/alerts.json"), requests)
            cached, status = await timed_gets(
                client, full_url, requests, **{"If-None-Match": first.headers["etag"]}
            )
            filtered, _ = await timed_gets(
                client, server.url("/alerts.atom?level=all&q=gaza"), max(10, requests // 10)
            )
    finally:
        await server.stop()
    print(
        f"alerts feed: full Atom (50 entries, {len(first.content) // 1024} KB) {full:.1f} ms, "
        f"JSON Feed {json_ms:.1f} ms, 304 ({status}) {cached:.1f} ms = {cached / full:.2f}x, "
        f"word filter over 1,000 alerts {filtered:.1f} ms = {filtered / full:.1f}x"
    )


async def bench_webhooks(path: Path, posts: int) -> None:
    store = await SqliteStore.open(path)
    receiver = WebhookReceiver()
    await receiver.start()
    worker = WebhookWorker(
        store, [receiver.url], WEBHOOK_SECRET, timeout=10, pause_after=timedelta(hours=6)
    )
    try:
        await store.ingest(
            "https://bench.example/rss", stories(posts, webhooks=(receiver.url,)), now=NOW
        )
        started = time.perf_counter()
        await worker.drain(receiver.url)
        elapsed = time.perf_counter() - started
    finally:
        await worker.stop()
        await receiver.stop()
        await store.close()
    sent = len(receiver.accepted)
    print(
        f"webhooks: {sent} posts in {elapsed:.2f} s = {sent / elapsed:.0f} posts/s, one receiver"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--posts", type=int, default=500)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqliteStore.open(Path(tmp) / "feed.db")
        try:
            await store.ingest("https://bench.example/rss", stories(args.alerts), now=NOW)
            await bench_feed(store, args.requests)
        finally:
            await store.close()
        await bench_webhooks(Path(tmp) / "hooks.db", args.posts)


if __name__ == "__main__":
    asyncio.run(main())
