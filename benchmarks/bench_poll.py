"""Polling benchmark: 500 feeds × 20 items through the Poller against a bare fetch and parse.

A loopback feed host (its own process) serves every feed with an ETag. A cold cycle (empty
database: fetch, parse, classify, group, store every item) through the real Poller is compared
with a bare httpx.AsyncClient fetching the same URLs with the same concurrency plus a
feedparser.parse of each body (fetching and parsing: what no feed reader can skip). A warm
cycle (every feed answers 304) is compared with the bare client's conditional GETs. Targets
(issue 11): cold ≤ 1.6×, warm ≤ 1.0×, and the warm cycle creates no items and no alerts.
Each run measures the baselines and the Poller back to back; the figures are the median of the
runs' ratios (min–max beside it). For context the cold cycle is also given against the bare
fetch alone. The classifier and feedparser are warmed up first: their one-time set-up (compiling
the lexicons) is paid once per process, not once per cycle.
The Poller parses and classifies in POLL_PROCESSES helper processes as the bot does
(`--processes 0`: all in one process, as the baseline does).
Run: `python -m benchmarks.bench_poll [--feeds 500] [--items 20] [--concurrency 10] [--runs 5]
[--processes 1] [--real]`; `--profile cold|warm` prints a pyinstrument profile of one Poller cycle.
The items are the dev corpus repeated (three quarters truce news: the hard case for the
classifier); `--real` takes them from the real 2023 stream instead (4 % truce news, as a
newsroom's feeds are).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import feedparser
import httpx
import psutil

from benchmarks.common import NOW, Stopwatch, corpus, median, rss_document, verdict
from benchmarks.feedhost import FeedHost
from bot.app import poll_work
from bot.config import Settings
from bot.services.offload import FeedWork
from bot.services.poller import CycleReport, Poller
from bot.store import SqliteStore
from feeds.detect import classify
from feeds.fetch import MAX_CONNECTIONS, make_client

COLD_TARGET = 1.6  # × (bare fetch + feedparser)
WARM_TARGET = 1.0  # × bare conditional fetch


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


@dataclass(slots=True)
class Timing:
    """One measured pass: wall seconds, and CPU seconds of this process and of its helpers."""

    seconds: float
    cpu: float = 0.0
    helper_cpu: float = 0.0


def helper_cpu(host: FeedHost) -> float:
    """CPU seconds used so far by this process's children (the helpers), the host excepted."""
    children = psutil.Process().children(recursive=True)
    return sum(sum(c.cpu_times()[:2]) for c in children if c.pid != host.pid)


async def baseline(
    urls: list[str], concurrency: int, etags: dict[str, str] | None, *, parse: bool = False
) -> tuple[Timing, dict[str, str]]:
    """Fetch every URL with `concurrency` requests in flight; returns (timing, ETags seen)."""
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
    return Timing(sw.seconds, sw.cpu_seconds), seen


async def poller_cycles(
    host: FeedHost, concurrency: int, db_path: Path, work: FeedWork
) -> tuple[CycleReport, Timing, CycleReport, Timing, int]:
    """A cold and a warm Poller cycle on a new database; returns reports, timings, items."""
    store = await SqliteStore.open(db_path)
    try:
        for url in host.urls():
            await store.add_feed(url, now=NOW)
        async with make_client() as client:
            poller = Poller(store, client, settings_for(concurrency), work=work)
            helpers_before = helper_cpu(host)
            with Stopwatch() as cold_sw:
                cold = await poller.poll_once(force=True)
            cold_time = Timing(
                cold_sw.seconds, cold_sw.cpu_seconds, helper_cpu(host) - helpers_before
            )
            items_after_cold = (await store.stats(NOW)).items
            with Stopwatch() as warm_sw:
                warm = await poller.poll_once(force=True)
            items_after_warm = (await store.stats(NOW)).items
    finally:
        await store.close()
    warm_time = Timing(warm_sw.seconds, warm_sw.cpu_seconds)
    return cold, cold_time, warm, warm_time, items_after_warm - items_after_cold


async def profile(
    urls: list[str], concurrency: int, db_path: Path, which: str, work: FeedWork
) -> None:
    from pyinstrument import Profiler

    store = await SqliteStore.open(db_path)
    try:
        for url in urls:
            await store.add_feed(url, now=NOW)
        async with make_client() as client:
            poller = Poller(store, client, settings_for(concurrency), work=work)
            profiler = Profiler(async_mode="disabled", interval=0.0005)
            if which == "warm":
                await poller.poll_once(force=True)
            profiler.start()
            await poller.poll_once(force=True)
            profiler.stop()
    finally:
        await store.close()
    print(profiler.output_text(unicode=False, color=False, show_all=False))


async def warm_up(host: FeedHost, work: FeedWork) -> None:
    """Pay the one-time costs (lexicons, actor index, feedparser's imports, starting the
    helper processes) before timing: a running bot pays them once, not once per cycle."""
    texts = [(r.title, r.summary, r.lang) for r in corpus()[:50]]  # both mixes use the lexicons
    for title, summary, lang in texts:
        classify(title, summary, lang)
    document = rss_document(0, corpus(), items=host.items)
    feedparser.parse(io.BytesIO(document))
    await work.parse(document, url=host.url(0), headers=None, now=NOW)
    await work.classify(texts, None)


def spread(values: list[float]) -> str:
    return f"{median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


async def measure(args: argparse.Namespace, host: FeedHost, tmp: Path, work: FeedWork) -> int:
    urls = host.urls()
    await warm_up(host, work)
    await baseline(urls[:20], args.concurrency, None)  # the server's first connections
    ratios: dict[str, list[float]] = {"cold": [], "warm": [], "cold_fetch": [], "cpu": []}
    times: dict[str, list[float]] = {}
    cold = warm = None
    created_on_warm = 0
    for run in range(args.runs):
        base_cold, etags = await baseline(urls, args.concurrency, None)
        base_parse, _ = await baseline(urls, args.concurrency, None, parse=True)
        cold, cold_t, warm, warm_t, created = await poller_cycles(
            host, args.concurrency, tmp / f"run{run}.db", work
        )
        base_warm, _ = await baseline(urls, args.concurrency, etags)
        created_on_warm += created + warm.new_items + len(warm.alerts)
        ratios["cold"].append(cold_t.seconds / base_parse.seconds)
        ratios["warm"].append(warm_t.seconds / base_warm.seconds)
        ratios["cold_fetch"].append(cold_t.seconds / base_cold.seconds)
        ratios["cpu"].append(cold_t.cpu / base_parse.cpu)
        for name, value in (
            ("httpx cold", base_cold.seconds),
            ("+feedparser", base_parse.seconds),
            ("poller cold", cold_t.seconds),
            ("httpx warm", base_warm.seconds),
            ("poller warm", warm_t.seconds),
            ("cpu: baseline", base_parse.cpu),
            ("poller main", cold_t.cpu),
            ("helpers", cold_t.helper_cpu),
        ):
            times.setdefault(name, []).append(value)
    assert cold is not None
    assert warm is not None
    cold_ratio, warm_ratio = median(ratios["cold"]), median(ratios["warm"])
    is_clean = (
        created_on_warm == 0
        and warm.not_modified == args.feeds
        and cold.errors == 0
        and warm.errors == 0
    )
    print(
        f"poll: {args.feeds} feeds x {args.items} items, concurrency {args.concurrency}, "
        f"{args.processes} helper processes, {'real stream' if args.real else 'dev corpus'}; "
        f"cold/(httpx+feedparser) = {spread(ratios['cold'])} (target <= {COLD_TARGET}, "
        f"{verdict(cold_ratio, COLD_TARGET)}); "
        f"warm/httpx = {spread(ratios['warm'])} (target <= {WARM_TARGET}, "
        f"{verdict(warm_ratio, WARM_TARGET)}); "
        f"warm created {created_on_warm} items/alerts ({'OK' if is_clean else 'MISSED'}); "
        f"cold/httpx = {spread(ratios['cold_fetch'])}; main-process CPU of the cold cycle / "
        f"baseline CPU = {spread(ratios['cpu'])} | "
        + ", ".join(f"{name} {median(values):.2f} s" for name, values in times.items())
        + f" ({cold.new_items} items, {len(cold.alerts)} alerts cold; "
        f"{warm.not_modified} x 304 warm); median of {args.runs} runs",
        flush=True,
    )
    return 0 if is_clean and cold_ratio <= COLD_TARGET and warm_ratio <= WARM_TARGET else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=Settings().fetch_concurrency)
    parser.add_argument("--runs", type=int, default=5, help="repetitions; the median counts")
    parser.add_argument(
        "--processes",
        type=int,
        default=Settings().poll_processes,
        help="POLL_PROCESSES for the poller (0: parse and classify in this process)",
    )
    parser.add_argument(
        "--real", action="store_true", help="items from the real 2023 stream (mostly plain news)"
    )
    parser.add_argument("--profile", choices=("cold", "warm"))
    args = parser.parse_args(argv)
    # One line per cycle from the poller would interleave with ours; the figures say it all.
    logging.basicConfig(level=logging.ERROR)
    with (
        FeedHost(feeds=args.feeds, items=args.items, is_real=args.real) as host,
        tempfile.TemporaryDirectory(prefix="bench-poll-") as tmp,
        poll_work(replace(Settings(), poll_processes=args.processes)) as work,
    ):
        if args.profile:

            async def profiled() -> None:
                await warm_up(host, work)
                await profile(
                    host.urls(), args.concurrency, Path(tmp) / "p.db", args.profile, work
                )

            asyncio.run(profiled())
            return 0
        return asyncio.run(measure(args, host, Path(tmp), work))


if __name__ == "__main__":
    raise SystemExit(main())
