"""Memory and disk benchmark: peak RSS of the poller, and the database size before/after a prune.

Memory: the real Poller polls 1,000 feeds × 50 items (loopback feed host in its own process, so
its memory is not counted) for 3 cycles: one cold, two warm (304). Peak RSS comes from
getrusage (ru_maxrss); the baseline is the RSS of this process once everything is imported.
Target: peak ≤ 150 MB. Disk: 100,000 items stored over 60 days of first-seen times (100 items per
transaction), then pruned back to the 30-day retention window; sizes of the file (+ WAL) after
storing, after pruning, and after a VACUUM for reference.
Run: `python -m benchmarks.bench_memory [--feeds 1000] [--items 50] [--disk-items 100000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path

from benchmarks.common import NOW, verdict
from benchmarks.feedhost import FeedHost
from bot.config import Settings
from bot.model import NewStory
from bot.services.poller import Poller
from bot.store import SqliteStore
from feeds.fetch import make_client
from feeds.model import Detection, Item, Level

PEAK_TARGET_MB = 150.0
RETENTION_DAYS = Settings().retention_days
SPREAD_DAYS = 60


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def current_rss_mb() -> float:
    """Resident memory now: psutil if installed, else /proc (Linux)."""
    try:
        import psutil
    except ImportError:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0
    return psutil.Process().memory_info().rss / 2**20


async def poll_cycles(urls: list[str], db_path: Path, cycles: int) -> list[str]:
    settings = Settings(feed_allow_private=True, first_poll_max_age_hours=0, fetch_timeout=60.0)
    store = await SqliteStore.open(db_path)
    notes = []
    try:
        for url in urls:
            await store.add_feed(url, now=NOW)
        async with make_client() as client:
            poller = Poller(store, client, settings)
            for _ in range(cycles):
                report = await poller.poll_once(force=True)
                notes.append(
                    f"{report.new_items} new/{report.not_modified} x304/{report.errors} err "
                    f"{report.duration:.0f}s {current_rss_mb():.0f}MB"
                )
    finally:
        await store.close()
    return notes


def file_size(db_path: Path) -> int:
    wal = Path(f"{db_path}-wal")
    return db_path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


async def disk(db_path: Path, count: int) -> tuple[int, int, int, int]:
    """Store `count` items and prune; returns bytes stored, pruned, vacuumed, and items kept."""
    store = await SqliteStore.open(db_path)
    batch = 100
    try:
        for start in range(0, count, batch):
            # First seen spread evenly over SPREAD_DAYS, oldest first.
            now = NOW - timedelta(days=SPREAD_DAYS * (1 - start / count))
            feed = f"https://feed{start // 2000}.example/rss.xml"
            stories = [
                NewStory(
                    Item(
                        key=f"https://feed.example/item/{n}",
                        feed_url=feed,
                        title=f"Headline number {n} about the talks and the economy today",
                        summary="",
                        link=f"https://news.example/2026/01/article-{n}.html",
                        published=now,
                        source_title="Bench",
                        lang="en",
                    ),
                    Detection(Level.NONE),
                )
                for n in range(start, min(start + batch, count))
            ]
            await store.ingest(feed, stories, now=now)
        await store.close()
        stored = file_size(db_path)
        store = await SqliteStore.open(db_path)
        await store.prune(items_before=NOW - timedelta(days=RETENTION_DAYS))
        kept = (await store.stats(NOW)).items
    finally:
        await store.close()
    pruned = file_size(db_path)
    with sqlite3.connect(db_path) as db:
        db.execute("VACUUM")
    db.close()
    return stored, pruned, file_size(db_path), kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--disk-items", type=int, default=100_000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    with (
        FeedHost(feeds=args.feeds, items=args.items) as host,
        tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp,
    ):
        base = current_rss_mb()
        notes = asyncio.run(poll_cycles(host.urls(), Path(tmp) / "poll.db", args.cycles))
        peak = peak_rss_mb()
        poll_db = file_size(Path(tmp) / "poll.db")
        stored, pruned, vacuumed, kept = asyncio.run(disk(Path(tmp) / "disk.db", args.disk_items))
    mb = 1e6
    print(
        f"memory: {args.feeds} feeds x {args.items} items, {args.cycles} cycles; "
        f"peak RSS {peak:.0f} MB = {peak / PEAK_TARGET_MB:.2f} of target {PEAK_TARGET_MB:.0f} MB "
        f"({verdict(peak, PEAK_TARGET_MB)}), {peak / base:.1f}x the {base:.0f} MB after imports; "
        f"disk: {args.disk_items} items {stored / mb:.1f} MB, pruned to {RETENTION_DAYS} days "
        f"({kept} kept) {pruned / mb:.1f} MB, after VACUUM {vacuumed / mb:.1f} MB | "
        f"poll db {poll_db / mb:.1f} MB; cycles: {'; '.join(notes)}",
        flush=True,
    )
    return 0 if peak <= PEAK_TARGET_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
