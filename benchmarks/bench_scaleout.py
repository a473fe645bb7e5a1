"""Scale-out benchmark: one cold poll cycle over 5,000 loopback feeds on PostgreSQL, done by one
worker process and then by two sharing the database.

Each worker is a process of its own running the real Poller with feed leases (what
`ceasefire-alerts run` does on PostgreSQL); the feed host is a third process (benchmarks.feedhost).
A run: a fresh database with every feed, the workers start, read the detector's word lists, and
are then told to go at the same moment; the cycle ends when every worker has claimed nothing more
and finished its feeds. Target: 2 workers ≤ 0.65 × the time of 1 (on 2 cores). Checked too: every
feed polled exactly once across the workers, and both workers polled some.
PostgreSQL: TEST_DATABASE_URL (a role that may CREATE DATABASE), else a private server started
with scripts/postgres-server.sh for the run.
Each run also prints the CPU seconds the worker processes, the PostgreSQL server and the feed
host used, and the load average: the machine's other work takes the cores a second worker needs.
Run: `python -m benchmarks.bench_scaleout [--feeds 5000] [--items 5] [--runs 3]` (psutil: the
`bench` extra).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import psutil

from benchmarks.common import NOW, REPO, Stopwatch, machine, verdict
from benchmarks.feedhost import FeedHost
from bot.config import Settings
from bot.services.poller import Poller
from bot.store import PostgresStore
from feeds.detect import classify
from feeds.fetch import make_client
from feeds.lexicon import available_languages, load_lexicon

TARGET = 0.65
REAP_PAUSE = 1.0  # seconds for the server to reap the backends of workers that ended
SCRIPT = REPO / "scripts" / "postgres-server.sh"


@dataclass(frozen=True, slots=True)
class WorkerResult:
    feeds: int
    items: int
    alerts: int
    errors: int
    cpu: float  # seconds of CPU the worker process used in the cycle


class CpuMeter:
    """CPU seconds used by our PostgreSQL server (its postmaster and every backend, ended ones
    too) and the feed host over a stretch of time, read with psutil (the `bench` extra). The
    server is measured only when this run started it (not with TEST_DATABASE_URL)."""

    def __init__(self, postmaster_pid: int | None, feed_host_pid: int) -> None:
        self._server = psutil.Process(postmaster_pid) if postmaster_pid else None
        self._host = psutil.Process(feed_host_pid)
        self._start = self._read()

    def _read(self) -> tuple[float | None, float]:
        server = None
        if self._server is not None:
            times = self._server.cpu_times()
            server = times.user + times.system + times.children_user + times.children_system
            for backend in self._server.children():
                with contextlib.suppress(psutil.Error):  # it may have just ended
                    times = backend.cpu_times()
                    server += times.user + times.system
        host = self._host.cpu_times()
        return server, host.user + host.system

    def used(self) -> tuple[float | None, float]:
        (server0, host0), (server1, host1) = self._start, self._read()
        server = server1 - server0 if server0 is not None and server1 is not None else None
        return server, host1 - host0


def settings_for(concurrency: int) -> Settings:
    return Settings(
        feed_allow_private=True,  # the feed host is on 127.0.0.1
        first_poll_max_age_hours=0,  # every item counts, none is backlog
        fetch_concurrency=concurrency,
        fetch_timeout=60.0,
        feed_lease=600.0,
    )


# -- one worker process ---------------------------------------------------------------------------


def read_word_lists() -> None:
    """Every language's word lists and the actor tables, read before the clock starts: each
    process pays this once (seconds), however many feeds it polls."""
    for lang in available_languages():
        load_lexicon(lang)
    classify("Ceasefire holds", "", "en")


def _worker_main(
    url: str, name: str, concurrency: int, conn: multiprocessing.connection.Connection
) -> None:
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(_worker(url, name, concurrency, conn))


async def _worker(
    url: str, name: str, concurrency: int, conn: multiprocessing.connection.Connection
) -> None:
    store = await PostgresStore.open(url)
    try:
        read_word_lists()
        async with make_client() as client:
            poller = Poller(
                store,
                client,
                settings_for(concurrency),
                clock=lambda: NOW,
                worker=name,
                shares_database=True,
            )
            conn.send("ready")
            conn.recv()  # go
            cpu = time.process_time()
            report = await poller.poll_once()
            cpu = time.process_time() - cpu
        conn.send(
            WorkerResult(report.feeds, report.new_items, len(report.alerts), report.errors, cpu)
        )
    finally:
        await store.close()


# -- the measured cycle ---------------------------------------------------------------------------


async def fresh_feeds(url: str, feeds: list[str]) -> None:
    store = await PostgresStore.open(url)
    try:
        for feed in feeds:
            await store.add_feed(feed, now=NOW)
    finally:
        await store.close()


def cold_cycle(
    url: str, workers: int, concurrency: int, host: FeedHost, postmaster: int | None
) -> tuple[float, list[WorkerResult], tuple[float | None, float]]:
    """Start `workers` processes, let them go at once; seconds until all are done, what each
    did, and the CPU seconds of the database server and the feed host meanwhile."""
    ctx = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for n in range(workers):
        parent, child = ctx.Pipe()
        process = ctx.Process(
            target=_worker_main, args=(url, f"bench:{n}", concurrency, child), daemon=True
        )
        process.start()
        child.close()
        pipes.append(parent)
        processes.append(process)
    try:
        for pipe in pipes:
            if not pipe.poll(300) or pipe.recv() != "ready":
                raise RuntimeError("a worker did not start")
        meter = CpuMeter(postmaster, host.pid)
        with Stopwatch() as sw:
            for pipe in pipes:
                pipe.send("go")
            results = [pipe.recv() for pipe in pipes]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    # Read once the workers' connections are closed and their backends reaped: a backend
    # ending just then counts neither as running nor as ended.
    time.sleep(REAP_PAUSE)
    return sw.seconds, results, meter.used()


async def polled_once(url: str, feeds: int) -> bool:
    """Every feed recorded as polled, none left leased."""
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE last_ok IS NOT NULL) AS ok, "
            "count(*) FILTER (WHERE leased_by IS NOT NULL) AS leased FROM feeds"
        )
    finally:
        await conn.close()
    return row["ok"] == feeds and row["leased"] == 0


# -- PostgreSQL for the run -----------------------------------------------------------------------


@contextlib.contextmanager
def postgres_server() -> Iterator[tuple[str, int | None]]:
    """(URL, postmaster pid): TEST_DATABASE_URL (pid unknown), else a private server in a
    scratch directory for the run."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url, None
        return
    directory = _script("mktemp")
    try:
        url = _script("start", directory)
        pid_file = Path(directory) / "data" / "postmaster.pid"
        yield url, int(pid_file.read_text().split()[0])
    finally:
        _script("stop", directory)
        shutil.rmtree(directory, ignore_errors=True)


def _script(*args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own script
        [SCRIPT, *args], capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{SCRIPT.name} {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout.strip()


@contextlib.asynccontextmanager
async def fresh_database(server_url: str):
    name = f"bench_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    finally:
        await admin.close()
    try:
        yield urlsplit(server_url)._replace(path=f"/{name}").geturl()
    finally:
        await drop_database(server_url, name)


async def drop_database(server_url: str, name: str, *, tries: int = 10) -> None:
    """DROP … WITH (FORCE), again while an autovacuum worker (the superuser's, which we may
    not end) is still busy on the database after the run's writes."""
    admin = await asyncpg.connect(server_url)
    try:
        for attempt in range(tries):
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except asyncpg.InsufficientPrivilegeError:
                if attempt == tries - 1:
                    raise
                await asyncio.sleep(1.0)
    finally:
        await admin.close()


async def one_run(
    server: tuple[str, int | None], host: FeedHost, workers: int, concurrency: int
) -> float:
    server_url, postmaster = server
    async with fresh_database(server_url) as url:
        await fresh_feeds(url, host.urls())
        seconds, results, (server_cpu, feed_host) = await asyncio.to_thread(
            cold_cycle, url, workers, concurrency, host, postmaster
        )
        shares = [r.feeds for r in results]
        is_clean = (
            sum(shares) == host.feeds
            and all(shares)
            and not any(r.errors for r in results)
            and await polled_once(url, host.feeds)
        )
    if not is_clean:
        raise RuntimeError(f"{workers} workers: feeds per worker {shares}, results {results}")
    items = sum(r.items for r in results)
    alerts = sum(r.alerts for r in results)
    # Other work on the machine takes the cores a second worker needs: say how busy it was,
    # and what the cycle cost in CPU (worker processes, PostgreSQL, feed host).
    cpu = " + ".join(f"{r.cpu:.1f}" for r in results)
    server_text = f"{server_cpu:.1f}" if server_cpu is not None else "n/a"
    print(
        f"  {workers} worker(s): {seconds:.1f} s, feeds per worker {shares}, "
        f"{items} items, {alerts} alerts; CPU s: workers {cpu}, PostgreSQL {server_text}, "
        f"feed host {feed_host:.1f}; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return seconds


async def measure(args: argparse.Namespace, server: tuple[str, int | None], host: FeedHost) -> int:
    ratios = []
    for run in range(1, args.runs + 1):
        print(f"run {run}:", flush=True)
        one = await one_run(server, host, 1, args.concurrency)
        two = await one_run(server, host, 2, args.concurrency)
        ratios.append(two / one)
        print(f"  2 workers / 1 worker = {two / one:.2f}", flush=True)
    worst, best = max(ratios), min(ratios)
    print(
        f"scale-out: {args.feeds} feeds x {args.items} items on PostgreSQL, concurrency "
        f"{args.concurrency} per worker; 2 workers / 1 worker = "
        f"{', '.join(f'{r:.2f}' for r in ratios)} (target <= {TARGET}: best {best:.2f} "
        f"{verdict(best, TARGET)}, worst {worst:.2f} {verdict(worst, TARGET)}) | {machine()}",
        flush=True,
    )
    return 0 if worst <= TARGET else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=5000)
    parser.add_argument("--items", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=Settings().fetch_concurrency)
    parser.add_argument("--runs", type=int, default=3, help="each run measures 1 then 2 workers")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    started = time.perf_counter()
    with postgres_server() as server, FeedHost(feeds=args.feeds, items=args.items) as host:
        status = asyncio.run(measure(args, server, host))
    print(f"(whole benchmark: {time.perf_counter() - started:.0f} s)", flush=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
