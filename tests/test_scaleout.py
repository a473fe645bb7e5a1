"""Scale-out end to end: three `python -m bot run` workers on one real PostgreSQL database, a
loopback feed host and the fake Bot API, all real processes and real sockets.

The workers split the feeds (each fetched once per interval across them), one of them long-polls
Telegram and sends, and killing any one with SIGKILL in the middle of a poll cycle loses no alert
and sends none twice: the feeds it had claimed are polled by the others once their leases run
out, and when the sender dies another worker takes over within 30 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.model import FeedState, WorkerState, utc_now
from bot.store import PostgresStore
from feeds.model import Level
from tests.conftest import E2E_TOKEN
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.stores import eventually

WORKERS = 3
FEEDS = 36
CHATS = (100, 101, 102)
DELAY = 0.3  # seconds each feed takes to answer: a cycle is still running when a worker dies
LEASE = 15  # FEED_LEASE, seconds: room for a loaded CI machine (the default is 120)
TAKEOVER = 30.0  # seconds within which another worker must become the sender
WITHIN = 120.0  # seconds any other wait may take before the test fails (a loaded CI machine)
# Breaches in the first feeds (claims go by URL for feeds never polled), so alerts are stored and
# sent while the cycle is still running. Written for this test.
BREACHES = (
    "Armenia accuses Azerbaijan of shelling border villages despite the ceasefire",
    "Ukraine says Russian drones struck Kharkiv in breach of the energy truce",
    "Israel accuses Hamas of firing rockets in violation of the Gaza ceasefire",
    "Pakistan blames India for unprovoked firing across the Line of Control despite truce",
    "Sudan's army accuses the RSF of attacking El Fasher during the humanitarian truce",
    "Thailand accuses Cambodia of breaking the border ceasefire with artillery fire",
    "Lebanon says Israeli strikes on the south violate the ceasefire agreement",
    "DR Congo accuses M23 rebels of violating the ceasefire in North Kivu",
)


def feed_path(n: int) -> str:
    return f"/outlet-{n:02}.xml"


def publish_feeds(feed_server: FeedServer, tmp_path: Path) -> Path:
    """FEEDS slow loopback feeds, the first ones carrying one breach each; the FEEDS_FILE."""
    urls = []
    for n in range(FEEDS):
        title = BREACHES[n] if n < len(BREACHES) else f"Council approves tram line {n} for 2030"
        item = {"title": title, "guid": f"outlet-{n}-1", "link": f"https://news.example/{n}"}
        urls.append(feed_server.publish_rss(feed_path(n), [item], delay=DELAY))
    feeds_file = tmp_path / "feeds.txt"
    feeds_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    return feeds_file


@dataclass
class Fleet:
    """The worker processes, by pid; their logs are in tmp_path for a failing test."""

    processes: dict[int, asyncio.subprocess.Process]

    def pid_of(self, worker: WorkerState) -> int:
        return int(worker.name.split(":")[1])

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    async def stop(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):  # the one killed
                process.terminate()
        for process in self.processes.values():
            try:
                await asyncio.wait_for(process.wait(), timeout=20)
            except TimeoutError:
                process.kill()
                await process.wait()


async def spawn_worker(
    env: dict[str, str], log: Path, *, stdout: int = asyncio.subprocess.DEVNULL
):
    """`python -m bot run` with these settings, its log lines in `log`."""
    with log.open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--env-file",
            os.devnull,
            "run",
            env=env,
            stdout=stdout,
            stderr=stderr,
            cwd=Path(__file__).parent.parent,
        )


@contextlib.asynccontextmanager
async def fleet(env: dict[str, str], tmp_path: Path) -> AsyncIterator[Fleet]:
    """WORKERS `python -m bot run` processes on the same settings."""
    processes = [await spawn_worker(env, tmp_path / f"worker-{n}.log") for n in range(WORKERS)]
    workers = Fleet({process.pid: process for process in processes})
    try:
        yield workers
    finally:
        await workers.stop()


def worker_env(postgres_url: str, telegram_api: FakeTelegramAPI, feeds_file: Path) -> dict:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": E2E_TOKEN,
        "TELEGRAM_API_URL": telegram_api.base_url,
        "DATABASE_URL": postgres_url,
        "FEEDS_FILE": str(feeds_file),
        "FEED_ALLOW_PRIVATE": "true",
        "FIRST_POLL_MAX_AGE_HOURS": "0",  # every story counts, however old
        "POLL_INTERVAL": "3600",  # one interval spans the test: each feed is fetched once
        "FETCH_TIMEOUT": "2",
        "FEED_LEASE": str(LEASE),
        "FETCH_CONCURRENCY": "2",  # a few feeds per worker at a time, so all three get some
        "ELECTION_INTERVAL": "2",
        "LOG_LEVEL": "INFO",
        "PTB_TIMEDELTA": "1",
    }


@contextlib.asynccontextmanager
async def database(postgres_url: str) -> AsyncIterator[PostgresStore]:
    """The shared database, from the test's side: CHATS subscribed to breaches."""
    store = await PostgresStore.open(postgres_url)
    try:
        for chat in CHATS:
            await store.subscribe(
                chat, chat_type="private", levels=[Level.BLAME, Level.VIOLATION], now=utc_now()
            )
        yield store
    finally:
        await store.close()


async def until(check: Callable[[], object], *, within: float = WITHIN) -> None:
    """Wait until the async `check()` returns something true."""

    async def holds() -> bool:
        return bool(await check())

    await eventually(holds, within=within)


async def sender(store: PostgresStore, fleet: Fleet, *, other_than: int = 0) -> WorkerState:
    """The worker recorded as sender, a live one other than `other_than`."""
    found: list[WorkerState] = []

    async def elected() -> bool:
        workers = await store.recent_workers(utc_now() - timedelta(minutes=1))
        found[:] = [
            w
            for w in workers
            if w.is_sender and fleet.pid_of(w) in fleet.processes and fleet.pid_of(w) != other_than
        ]
        return bool(found)

    await eventually(elected, within=TAKEOVER)
    return found[0]


async def all_polled(store: PostgresStore) -> bool:
    feeds = await store.list_feeds()
    return len(feeds) == FEEDS and all(f.last_ok is not None for f in feeds)


async def all_polled_and_sent(store: PostgresStore) -> bool:
    counts = await store.outbox_counts()
    return (
        await all_polled(store)
        and counts.get("pending", 0) == 0
        and counts.get("sent", 0) == len(BREACHES) * len(CHATS)
    )


def alerts_to(telegram_api: FakeTelegramAPI, chat_id: int) -> Counter[str]:
    """How often each alert (by its source link) reached a chat."""
    return Counter(
        m.link_preview_options["url"]
        for m in telegram_api.messages_to(chat_id)
        if (m.link_preview_options or {}).get("url")
    )


def assert_every_alert_once(telegram_api: FakeTelegramAPI) -> None:
    expected = Counter(f"https://news.example/{n}" for n in range(len(BREACHES)))
    for chat in CHATS:
        assert alerts_to(telegram_api, chat) == expected, f"chat {chat}"


def fetches(feed_server: FeedServer) -> dict[int, int]:
    """Requests per feed so far."""
    return {n: len(feed_server.requests_for(feed_path(n))) for n in range(FEEDS)}


def leased_by(feeds: list[FeedState], name: str) -> set[int]:
    return {
        n
        for n in range(FEEDS)
        for f in feeds
        if f.url.endswith(feed_path(n)) and f.leased_by == name
    }


async def test_a_worker_killed_mid_cycle_leaves_its_feeds_to_the_others(
    postgres_url, telegram_api, feed_server, tmp_path
):
    """SIGKILL to a worker that is not the sender while it holds feeds: after their leases run
    out the others poll them, every alert reaches every chat once, and no other feed is fetched
    twice in the interval."""
    feeds_file = publish_feeds(feed_server, tmp_path)
    env = worker_env(postgres_url, telegram_api, feeds_file)
    async with database(postgres_url) as store, fleet(env, tmp_path) as workers:
        sending = await sender(store, workers)
        victim: list[WorkerState] = []

        async def a_poller_holds_feeds() -> bool:
            feeds = await store.list_feeds()
            holders = {f.leased_by for f in feeds} - {None, sending.name}
            victim[:] = [
                w
                for w in await store.recent_workers(utc_now() - timedelta(minutes=1))
                if w.name in holders
            ]
            return bool(victim)

        await until(a_poller_holds_feeds)
        workers.kill(workers.pid_of(victim[0]))
        orphans = leased_by(await store.list_feeds(), victim[0].name)
        await until(lambda: all_polled_and_sent(store))
        status = await command(telegram_api, CHATS[0], "/status")

    assert orphans, "the killed worker held feeds when it died"
    twice = {n for n, count in fetches(feed_server).items() if count > 1}
    assert twice <= orphans
    assert all(count >= 1 for count in fetches(feed_server).values())
    assert_every_alert_once(telegram_api)
    assert f"sending: {sending.name}" in status
    assert telegram_api.poll_conflicts == 0


async def test_the_sender_killed_mid_send_is_replaced_and_nothing_goes_twice(
    postgres_url, telegram_api, feed_server, tmp_path
):
    """SIGKILL to the sender while Telegram holds its sends and its poller holds feeds: another
    worker becomes the sender within 30 s, sends what was not accepted, resends nothing that
    was, and long-polls alone."""
    feeds_file = publish_feeds(feed_server, tmp_path)
    env = worker_env(postgres_url, telegram_api, feeds_file)
    telegram_api.pause_sends(after=len(CHATS))  # the first alert goes out, then sends hang
    async with database(postgres_url) as store, fleet(env, tmp_path) as workers:
        first = await sender(store, workers)
        await telegram_api.wait_for(lambda: telegram_api.held_sends > 0, within=WITHIN)
        workers.kill(workers.pid_of(first))
        orphans = leased_by(await store.list_feeds(), first.name)
        telegram_api.resume_sends()  # the held requests are answered to nobody
        second = await sender(store, workers, other_than=workers.pid_of(first))
        await until(lambda: all_polled_and_sent(store))
        status = await command(telegram_api, CHATS[0], "/status")

    assert second.name != first.name
    assert_every_alert_once(telegram_api)
    assert f"sending: {second.name}" in status
    assert all(count >= 1 for count in fetches(feed_server).values())
    assert {n for n, count in fetches(feed_server).items() if count > 1} <= orphans
    assert telegram_api.poll_conflicts == 0


async def command(telegram_api: FakeTelegramAPI, chat_id: int, text: str) -> str:
    """Type a command and wait for the bot's reply."""
    before = len(telegram_api.messages_to(chat_id))
    telegram_api.push_command(chat_id, text)
    replies = await telegram_api.wait_for_messages(before + 1, chat_id=chat_id, within=WITHIN)
    return replies[before].text


async def test_console_workers_print_each_alert_once_and_stop_cleanly(
    postgres_url, feed_server, tmp_path
):
    """Without a token (console mode) two workers on one database print each alert once between
    them, and stop with exit status 0 on SIGTERM."""
    feeds_file = publish_feeds(feed_server, tmp_path)
    env = {
        k: v
        for k, v in worker_env(postgres_url, FakeTelegramAPI(), feeds_file).items()
        if not k.startswith("TELEGRAM_")
    }
    async with database(postgres_url) as store:
        processes = [
            await spawn_worker(env, tmp_path / f"console-{n}.log", stdout=asyncio.subprocess.PIPE)
            for n in range(2)
        ]
        try:
            await until(lambda: all_polled(store))
        finally:
            for process in processes:
                process.terminate()
            outputs = [await asyncio.wait_for(p.communicate(), timeout=30) for p in processes]
    printed = "".join(out.decode() for out, _ in outputs)
    assert [process.returncode for process in processes] == [0, 0]
    assert sorted(title for title in BREACHES if title in printed) == sorted(BREACHES)
    assert all(printed.count(title) == 1 for title in BREACHES)
