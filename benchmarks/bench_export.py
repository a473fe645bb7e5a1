"""Export and mutes benchmark: what `/export` and the send-time mute check cost.

A database of N stored alerts (four pairs, the pipeline's output shape) is exported as the
`ceasefire-alerts export` command does it, once for everything and once filtered by a word (the
filter matches actors and conflicts, the slow part). Then 1,000 chats each mute a pair and the
read the delivery worker adds to every round (`mutes_in_force`) is timed against the round's
own outbox read (`next_outbox`, 500 rows). No target is set by the issue; the figures are
reported: alerts per second and the mute read as a ratio of the outbox read.
Run: `python -m benchmarks.bench_export [--alerts 5000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.common import NOW, median
from bot.app import export_alerts
from bot.config import Settings
from bot.model import NewStory
from bot.store import SqliteStore
from feeds.model import Detection, Item, Level, Pair

PAIRS = (
    Pair("Russia", "Azerbaijan"),
    Pair("Armenia", "Azerbaijan"),
    Pair("Ukraine", "Russia"),
    Pair("Hamas", "Israel"),
)
MUTING_CHATS = 1000


def story(n: int) -> NewStory:
    pair = PAIRS[n % len(PAIRS)]
    item = Item(
        key=f"bench-{n}",
        feed_url="https://bench.example/rss",
        title=f"{pair.accuser} accuses {pair.accused} of breaking the truce, report {n}",
        summary="Officials said positions were shelled overnight despite the ceasefire.",
        link=f"https://bench.example/{n}",
        published=NOW,
        source_title="Bench Wire",
        lang="en",
    )
    detection = Detection(
        Level.BLAME, pairs=(pair,), matched=("accuses",), actors=(pair.accuser, pair.accused)
    )
    return NewStory(item, detection, recipients=(1,))


async def seed(path: Path, count: int) -> None:
    store = await SqliteStore.open(path)
    try:
        for start in range(0, count, 500):
            batch = [story(n) for n in range(start, min(count, start + 500))]
            await store.ingest("https://bench.example/rss", batch, now=NOW)
        for chat in range(MUTING_CHATS):
            await store.mute_pair(chat, PAIRS[0], until=NOW + timedelta(hours=24), now=NOW)
    finally:
        await store.close()


async def timed_export(settings: Settings, words: list[str], out: Path) -> float:
    started = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        await export_alerts(settings, days=365, fmt="csv", out=out, words=words)
    return time.perf_counter() - started


async def round_reads(path: Path) -> tuple[float, float]:
    """Median seconds of (next_outbox of 500 rows, mutes_in_force with 1,000 mutes)."""
    store = await SqliteStore.open(path)
    try:
        outbox, mutes = [], []
        for _ in range(30):
            started = time.perf_counter()
            await store.next_outbox(NOW, limit=500)
            outbox.append(time.perf_counter() - started)
            started = time.perf_counter()
            await store.mutes_in_force(NOW)
            mutes.append(time.perf_counter() - started)
        return median(outbox), median(mutes)
    finally:
        await store.close()


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        path = Path(tmp) / "bench.db"
        await seed(path, count)
        settings = Settings(database_path=path)
        plain = await timed_export(settings, [], Path(tmp) / "all.csv")
        filtered = await timed_export(settings, ["armenia"], Path(tmp) / "armenia.csv")
        outbox, mutes = await round_reads(path)
    print(
        f"export: {count} alerts to CSV in {plain:.2f} s ({count / plain:,.0f} alerts/s); "
        f"with a word filter {filtered:.2f} s ({filtered / plain:.1f}x); "
        f"mute check per delivery round with {MUTING_CHATS} mutes: {mutes * 1000:.1f} ms "
        f"({mutes / outbox:.2f}x the round's outbox read of 500 rows)",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=5000)
    asyncio.run(main(parser.parse_args().alerts))
