"""Polling benchmark: 1,000 feeds × 20 items through the Poller against a bare httpx client.

A loopback feed host (its own process) serves every feed with an ETag. A cold cycle (empty
database: fetch, parse, classify, group, store every item) and a warm cycle (every feed answers
304) through the real Poller are compared with a bare httpx.AsyncClient fetching the same URLs
with the same concurrency (conditional GET for the warm one). Targets: cold ≤ 1.3×, warm ≤ 1.3×,
and the warm cycle creates no items and no alerts. For context the cold cycle is also compared
with httpx + feedparser.parse (fetching plus the parsing no reader of feeds can skip).
Run: `python -m benchmarks.bench_poll [--feeds 1000] [--items 20] [--concurrency 10] [--runs 2]`;
`--profile cold|warm` prints a pyinstrument profile of one Poller cycle instead.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import tempfile
from pathlib import Path

import feedparser
import httpx

from benchmarks.common import NOW, Stopwatch, verdict
from benchmarks.feedhost import FeedHost
from bot.config import Settings
from bot.services.poller import CycleReport, Poller
from bot.store import SqliteStore
from feeds.fetch import MAX_CONNECTIONS, make_client

COLD_TARGET = 1.3
WARM_TARGET = 1.3


def settings_for(concurrency: int) -> Settings:
    return Settings(
        feed_allow_private=True,  # the feed host is on 127.0.0.1
        first_poll_max_age_hours=0,  # every item counts, none is backlog
        fetch_concurrency=concurrency,
        fetch_timeout=60.0,
    )


def bare_client() -> httpx.AsyncClient:
    """A plain client with the same connection pool size as feeds.fetch.make_client."""
    return httpx.AsyncClient(
        timeout=60.0,
        limits=httpx.Limits(
            max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
        ),
    )


async def baseline(
    urls: list[str], concurrency: int, etags: dict[str, str] | None, *, parse: bool = False
) -> tuple[float, dict[str, str]]:
    """Fetch every URL with `concurrency` requests in flight; returns (seconds, ETags seen)."""
    gate = asyncio.Semaphore(concurrency)
    seen: dict[str, str] = {}
    statuses: list[int] = []

    async def one(client: httpx.AsyncClient, url: str) -> None:
        headers = {"If-None-Match": etags[url]} if etags else {}
        async with gate:
            response = await client.get(url, headers=headers)
            body = response.content
        statuses.append(response.status_code)
        seen[url] = response.headers.get("etag", "")
        if parse and response.status_code == 200:
            feedparser.parse(io.BytesIO(body))

    async with bare_client() as client:
        with Stopwatch() as sw:
            await asyncio.gather(*(one(client, url) for url in urls))
    wanted = 304 if etags else 200
    if any(status != wanted for status in statuses):
        raise RuntimeError(f"baseline expected {wanted}s, got {sorted(set(statuses))}")
    return sw.seconds, seen


async def poller_cycles(
    urls: list[str], concurrency: int, db_path: Path
) -> tuple[CycleReport, float, CycleReport, float, int]:
    """A cold and a warm Poller cycle on a new database; returns reports, seconds, items."""
    store = await SqliteStore.open(db_path)
    try:
        for url in urls:
            await store.add_feed(url, now=NOW)
        async with make_client() as client:
            poller = Poller(store, client, settings_for(concurrency))
            with Stopwatch() as cold_sw:
                cold = await poller.poll_once(force=True)
            items_after_cold = (await store.stats(NOW)).items
            with Stopwatch() as warm_sw:
                warm = await poller.poll_once(force=True)
            items_after_warm = (await store.stats(NOW)).items
    finally:
        await store.close()
    return cold, cold_sw.seconds, warm, warm_sw.seconds, items_after_warm - items_after_cold


async def profile(urls: list[str], concurrency: int, db_path: Path, which: str) -> None:
    from pyinstrument import Profiler

    store = await SqliteStore.open(db_path)
    try:
        for url in urls:
            await store.add_feed(url, now=NOW)
        async with make_client() as client:
            poller = Poller(store, client, settings_for(concurrency))
            profiler = Profiler(async_mode="disabled", interval=0.0005)
            if which == "warm":
                await poller.poll_once(force=True)
            profiler.start()
            await poller.poll_once(force=True)
            profiler.stop()
    finally:
        await store.close()
    print(profiler.output_text(unicode=False, color=False, show_all=False))


async def measure(args: argparse.Namespace, host: FeedHost, tmp: Path) -> int:
    urls = host.urls()
    # Warm up: imports, lexicons, the server's first connections.
    await baseline(urls[:20], args.concurrency, None)
    best: dict[str, float] = {}
    cold = warm = None
    created_on_warm = 0
    for run in range(args.runs):
        base_cold, etags = await baseline(urls, args.concurrency, None)
        base_parse, _ = await baseline(urls, args.concurrency, None, parse=True)
        cold, cold_s, warm, warm_s, created = await poller_cycles(
            urls, args.concurrency, tmp / f"run{run}.db"
        )
        base_warm, _ = await baseline(urls, args.concurrency, etags)
        created_on_warm += created + warm.new_items + len(warm.alerts)
        for name, value in (
            ("base_cold", base_cold),
            ("base_parse", base_parse),
            ("base_warm", base_warm),
            ("cold", cold_s),
            ("warm", warm_s),
        ):
            best[name] = min(best.get(name, value), value)
    assert cold is not None
    assert warm is not None
    cold_ratio = best["cold"] / best["base_cold"]
    warm_ratio = best["warm"] / best["base_warm"]
    is_clean = (
        created_on_warm == 0
        and warm.not_modified == args.feeds
        and cold.errors == 0
        and warm.errors == 0
    )
    print(
        f"poll: {args.feeds} feeds x {args.items} items, concurrency {args.concurrency}; "
        f"cold/httpx = {cold_ratio:.2f} (target <= {COLD_TARGET}, "
        f"{verdict(cold_ratio, COLD_TARGET)}); "
        f"warm/httpx = {warm_ratio:.2f} (target <= {WARM_TARGET}, "
        f"{verdict(warm_ratio, WARM_TARGET)}); "
        f"warm created {created_on_warm} items/alerts ({'OK' if is_clean else 'MISSED'}); "
        f"cold/(httpx+feedparser) = {best['cold'] / best['base_parse']:.2f} | "
        f"httpx cold {best['base_cold']:.2f} s, +feedparser {best['base_parse']:.2f} s, "
        f"poller cold {best['cold']:.2f} s ({cold.new_items} items, {len(cold.alerts)} alerts); "
        f"httpx warm {best['base_warm']:.2f} s, poller warm {best['warm']:.2f} s "
        f"({warm.not_modified} x 304); best of {args.runs}",
        flush=True,
    )
    return 0 if is_clean else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=Settings().fetch_concurrency)
    parser.add_argument("--runs", type=int, default=2, help="repetitions; the fastest counts")
    parser.add_argument("--profile", choices=("cold", "warm"))
    args = parser.parse_args(argv)
    # One line per cycle from the poller would interleave with ours; the figures say it all.
    logging.basicConfig(level=logging.ERROR)
    with (
        FeedHost(feeds=args.feeds, items=args.items) as host,
        tempfile.TemporaryDirectory(prefix="bench-poll-") as tmp,
    ):
        if args.profile:
            asyncio.run(profile(host.urls(), args.concurrency, Path(tmp) / "p.db", args.profile))
            return 0
        return asyncio.run(measure(args, host, Path(tmp)))


if __name__ == "__main__":
    raise SystemExit(main())
