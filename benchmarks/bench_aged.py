"""Aged-database benchmark: a polling cycle and a novelty lookup after one simulated year.

Two databases in one process. The fresh one: the schema, 100 feeds and 500 subscribed chats. The
aged one: the same, plus a year of service: 200,000 alerts over 365 days (blame summary
included), 2,000,000 item keys inside the item retention window, the reports of those items,
and the outbox rows of the last OUTBOX_RETENTION_DAYS (what the hourly prune keeps) for the 500
chats. The history is written with direct SQL (a fixture, built in a minute or two); everything
measured goes through the real SqliteStore and Poller.

Each repetition, 20 feeds of the loopback feed host publish one new blame story each (never the
same story twice, so each becomes an alert with a novelty line, routed to the chats and written
to the outbox), then the real Poller polls all 100 feeds on each database (the other 80 answer
304). A novelty lookup is what one blame story costs a cycle: loading the cycle's blame record
and building the line for one pair (`_BlameRecord.load` + `.novelty`). Medians over the
repetitions, the two databases taking turns going first. Targets: aged/fresh ≤ 1.2 for both,
and the aged file within the retention budget of docs/performance.md.
Run: `python -m benchmarks.bench_aged [--reps 9] [--alerts 200000] [--items 2000000]`;
`--profile cycle|lookup` prints a pyinstrument profile of that operation on the aged database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from benchmarks.common import BUMP_PAIRS, Record, bump_record, corpus, median, verdict
from benchmarks.feedhost import FeedHost
from bot.app import poll_work
from bot.config import Settings
from bot.model import Alert, Destination, Subscription, utc_now
from bot.services.filters import route
from bot.services.offload import FeedWork
from bot.services.poller import Poller, _BlameRecord
from bot.store import SqliteStore
from feeds.detect import classify
from feeds.fetch import make_client
from feeds.model import Item, Level, Pair

TARGET = 1.2
HISTORY_DAYS = 365
FEEDS = 100
BUMPED = 20  # feeds publishing one new story per repetition
CHATS = 500
SETTINGS = Settings(feed_allow_private=True, fetch_timeout=60.0)  # the feed host is on 127.0.0.1
ITEM_DAYS = SETTINGS.retention_days
OUTBOX_DAYS = SETTINGS.outbox_retention_days
# The retention budget (docs/performance.md): bytes on disk per row, its indexes included.
BYTES_PER_ITEM = 530
BYTES_PER_ALERT = 1_400  # with its accusations and its share of the per-pair summary
BYTES_PER_OUTBOX_ROW = 210
BYTES_PER_REPORT = 400
BUDGET_FIXED = 8 * 2**20  # schema, feeds, chats, free pages of an hour's prune

WORDS = (
    "armenia",
    "azerbaijan",
    "ukraine",
    "russia",
    "gaza",
    "israel",
    "india",
    "pakistan",
    "sudan",
    "thailand",
    "cambodia",
    "lebanon",
    "peru",
    "ghana",
    "norway",
    "brazil",
)
ALL_LEVELS = (Level.BLAME, Level.VIOLATION, Level.CEASEFIRE)
LEVEL_CHOICES = ((Level.BLAME,), (Level.BLAME, Level.VIOLATION), ALL_LEVELS)


def iso(moment: datetime) -> str:
    """The store's time format (bot.store.sqlite._iso)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


# -- the fixture ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    """One kind of story the history repeats: its alert text and the chats it is routed to."""

    alert: Alert
    recipients: tuple[Destination, ...]


async def subscribe_chats(store: SqliteStore, rng: random.Random) -> None:
    """500 chats: breaches, blame only or everything; most with a country or two; a few digests."""
    for n in range(CHATS):
        words = rng.sample(WORDS, rng.choice((0, 0, 0, 1, 1, 1, 1, 2, 2, 2)))
        await store.subscribe(
            1000 + n,
            chat_type="private",
            levels=rng.choices(LEVEL_CHOICES, weights=(3, 5, 2))[0],
            words=words,
            now=utc_now(),
            is_instant=rng.random() < 0.9,
            digest_time=None,
        )


def templates(records: Sequence[Record], subs: Sequence[Subscription], now: datetime) -> list:
    """Alert templates: the corpus items we alert on, and generated blame stories of BUMP_PAIRS."""
    sources = [(r, "corpus") for r in records] + [
        # Counts below 100: a story of the history is never the same as a new one.
        (bump_record(10_000 + n, 0, count=2 + n), "bump")
        for n in range(4 * len(BUMP_PAIRS))
    ]
    out: dict[str, list[Template]] = {"corpus": [], "bump": []}
    for record, kind in sources:
        detection = classify(record.title, record.summary, record.lang)
        if not detection.level.is_alert:
            continue
        item = Item(
            key="",
            feed_url="",
            title=record.title,
            summary=record.summary,
            link=record.link,
            published=now,
            source_title="Bench feed",
            lang=record.lang,
        )
        draft = Alert.of(item, detection, created=now, novelty="")
        out[kind].append(Template(draft, tuple(route(draft, subs))))
    return [out["corpus"], out["bump"]]


@dataclass(slots=True)
class History:
    """Counts of what the fixture wrote (kept: inside the retention windows)."""

    alerts: int = 0
    items: int = 0
    reports: int = 0
    outbox: int = 0
    expired_items: int = 0  # the hour of rows the next hourly prune removes
    expired_outbox: int = 0


def build_history(
    path: Path,
    feed_urls: Sequence[str],
    kinds: list[list[Template]],
    *,
    alerts: int,
    item_keys: int,
    now: datetime,
    rng: random.Random,
) -> History:
    """Write a year of alerts, the retention windows' items, reports and outbox rows, and one
    hour beyond them (what an hourly prune finds)."""
    done = History()
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -400000")
        db.execute("BEGIN")
        rows = list(_alert_rows(feed_urls, kinds, alerts, now, rng))
        db.executemany(_ALERT_SQL, (row.values for row in rows))
        done.alerts = len(rows)
        _write_items(db, rows, feed_urls, kinds, done, item_keys=item_keys, now=now, rng=rng)
        _write_outbox(db, rows, done, now=now, rng=rng)
        for statement in _SUMMARY_SQL:
            db.execute(statement)
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return done


def _write_items(
    db: sqlite3.Connection,
    rows: Sequence[_AlertRow],
    feed_urls: Sequence[str],
    kinds: list[list[Template]],
    done: History,
    *,
    item_keys: int,
    now: datetime,
    rng: random.Random,
) -> None:
    """The reports of the window's alerts with their items, then plain items up to item_keys."""
    recent = [row for row in rows if row.created >= now - timedelta(days=ITEM_DAYS)]
    reports = list(_reports(recent, feed_urls, rng))
    db.executemany(_REPORT_SQL, reports)
    done.reports = len(reports)
    report_items = [
        (feed, key, row.template.alert.title, link, iso(row.published), seen, seen, level)
        for (_, feed, link, seen, key), row, level in _with_rows(reports, rows)
    ]
    db.executemany(_ITEM_SQL, report_items)
    titles = [t.alert.title for t in kinds[0]]
    kept = item_keys - len(report_items)
    db.executemany(_ITEM_SQL, _filler_items(feed_urls, titles, kept, now, rng))
    done.items = item_keys
    done.expired_items = item_keys // (ITEM_DAYS * 24)
    db.executemany(_ITEM_SQL, _expired_items(feed_urls, titles, done.expired_items, now, rng))


def _write_outbox(
    db: sqlite3.Connection,
    rows: Sequence[_AlertRow],
    done: History,
    *,
    now: datetime,
    rng: random.Random,
) -> None:
    cutoff = now - timedelta(days=OUTBOX_DAYS)
    kept = [row for row in rows if row.created >= cutoff]
    expired = [row for row in rows if cutoff - timedelta(hours=1) <= row.created < cutoff]
    done.outbox = db.executemany(_OUTBOX_SQL, _outbox_rows(kept, rng)).rowcount
    done.expired_outbox = db.executemany(_OUTBOX_SQL, _outbox_rows(expired, rng)).rowcount


_ALERT_SQL = (
    "INSERT INTO alerts (id, feed_url, item_key, title, summary, link, published, "
    "source_title, level, pairs, evidence, matched, actors, lang, novelty, created) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_REPORT_SQL = (
    "INSERT INTO alert_reports (alert_id, feed_url, link, seen, item_key) VALUES (?, ?, ?, ?, ?)"
)
_OUTBOX_SQL = (
    "INSERT INTO outbox (alert_id, chat_id, status, attempts, last_error, message_id, created, "
    "sent_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?)"
)
_ITEM_SQL = (
    "INSERT INTO items (feed_url, key, title, link, published, first_seen, last_seen, level) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
# What migrations 0002 and 0003 back-fill from existing alerts: the per-pair blame summary and
# the accusations index.
_SUMMARY_SQL = (
    "INSERT INTO blame_pairs (accuser, accused, first_seen, last_seen, count) "
    "SELECT json_extract(p.value, '$[0]'), json_extract(p.value, '$[1]'), "
    "min(min(a.published, a.created)), max(min(a.published, a.created)), count(*) "
    "FROM alerts a, json_each(a.pairs) p WHERE a.level = 'blame' GROUP BY 1, 2",
    "INSERT INTO blame_pair_days (accuser, accused, day, count, last_seen) "
    "SELECT json_extract(p.value, '$[0]'), json_extract(p.value, '$[1]'), "
    "substr(min(a.published, a.created), 1, 10), count(*), max(min(a.published, a.created)) "
    "FROM alerts a, json_each(a.pairs) p WHERE a.level = 'blame' GROUP BY 1, 2, 3",
    "INSERT OR IGNORE INTO accusations (accuser, accused, made, alert_id) "
    "SELECT json_extract(p.value, '$[0]'), json_extract(p.value, '$[1]'), "
    "min(a.published, a.created), a.id FROM alerts a, json_each(a.pairs) p "
    "WHERE a.level = 'blame'",
)


@dataclass(frozen=True, slots=True)
class _AlertRow:
    id: int
    feed: str
    key: str
    link: str
    created: datetime
    published: datetime
    template: Template

    @property
    def values(self) -> tuple:
        a = self.template.alert
        return (
            self.id,
            self.feed,
            self.key,
            a.title,
            a.summary,
            self.link,
            iso(self.published),
            a.source_title,
            a.level.value,
            json.dumps([[p.accuser, p.accused] for p in a.pairs], ensure_ascii=False),
            a.evidence,
            json.dumps(list(a.matched), ensure_ascii=False),
            json.dumps(list(a.actors), ensure_ascii=False),
            a.lang,
            "",
            iso(self.created),
        )


def _alert_rows(
    feed_urls: Sequence[str],
    kinds: list[list[Template]],
    count: int,
    now: datetime,
    rng: random.Random,
) -> Iterator[_AlertRow]:
    span = timedelta(days=HISTORY_DAYS).total_seconds()
    for n in range(count):
        # Evenly over the year, oldest first, the newest a minute before now.
        created = now - timedelta(seconds=60 + span * (count - n) / count)
        template = rng.choice(kinds[1] if rng.random() < 0.3 else kinds[0])
        feed = feed_urls[n % len(feed_urls)]
        yield _AlertRow(
            id=n + 1,
            feed=feed,
            key=f"{feed}#a{n}",
            link=f"{template.alert.link}?a={n}",
            created=created,
            published=created - timedelta(minutes=rng.randrange(120)),
            template=template,
        )


def _reports(
    recent: Sequence[_AlertRow], feed_urls: Sequence[str], rng: random.Random
) -> Iterator[tuple]:
    """The alert's own report, and for one in five one to three other feeds carrying it."""
    for row in recent:
        yield (row.id, row.feed, row.link, iso(row.created), row.key)
        if rng.random() < 0.2:
            for other in rng.sample(feed_urls, rng.randint(1, 3)):
                if other != row.feed:
                    seen = iso(row.created + timedelta(minutes=rng.randrange(60)))
                    yield (row.id, other, f"{row.link}&r=1", seen, f"{other}#r{row.id}")


def _with_rows(reports: Sequence[tuple], rows: Sequence[_AlertRow]) -> Iterator[tuple]:
    for report in reports:
        row = rows[report[0] - 1]
        yield report, row, row.template.alert.level.value


def _filler_items(
    feed_urls: Sequence[str], titles: Sequence[str], count: int, now: datetime, rng: random.Random
) -> Iterator[tuple]:
    """Plain news items seen over the retention window, some still carried by their feed."""
    window = timedelta(days=ITEM_DAYS).total_seconds()
    for n in range(count):
        first = now - timedelta(seconds=window * rng.random())
        last = first + (now - first) * rng.random() * rng.random()
        yield _item(feed_urls, titles, f"h{n}", n, first, last)


def _expired_items(
    feed_urls: Sequence[str], titles: Sequence[str], count: int, now: datetime, rng: random.Random
) -> Iterator[tuple]:
    """Items last carried in the hour before the retention cutoff."""
    cutoff = now - timedelta(days=ITEM_DAYS)
    for n in range(count):
        last = cutoff - timedelta(seconds=3600 * rng.random())
        first = last - timedelta(days=2 * rng.random())
        yield _item(feed_urls, titles, f"x{n}", n, first, last)


def _item(
    feed_urls: Sequence[str],
    titles: Sequence[str],
    key: str,
    n: int,
    first: datetime,
    last: datetime,
) -> tuple:
    feed = feed_urls[n % len(feed_urls)]
    return (
        feed,
        f"{feed}#{key}",
        titles[n % len(titles)],
        f"https://news.example/story/{key}?utm_source=rss",
        iso(first - timedelta(minutes=30)),
        iso(first),
        iso(last),
        "none",
    )


def _outbox_rows(rows: Sequence[_AlertRow], rng: random.Random) -> Iterator[tuple]:
    """Every chat each alert was routed to: sent, now and then failed or dropped."""
    for row in rows:
        created, sent = iso(row.created), iso(row.created + timedelta(seconds=5))
        for destination in row.template.recipients:
            chat, luck = destination.chat_id, rng.random()
            if luck < 0.96:
                yield (row.id, chat, "sent", None, rng.randrange(1, 10**6), created, sent)
            elif luck < 0.98:
                yield (row.id, chat, "failed", "Bad Request: chat not found", None, created, None)
            else:
                yield (row.id, chat, "dropped", "blocked", None, created, None)


# -- measuring -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Side:
    """One database, the poller that polls it and what was measured on it."""

    name: str
    path: Path
    store: SqliteStore
    poller: Poller
    cycles: list[float] = field(default_factory=list)
    lookups: list[float] = field(default_factory=list)
    alerts: int = 0
    queued: int = 0


async def prepare(path: Path, urls: Sequence[str]) -> list[Subscription]:
    """The schema, the feeds and the chats, through the real store (both databases alike)."""
    store = await SqliteStore.open(path)
    try:
        for url in urls:
            await store.add_feed(url, now=utc_now())
        await subscribe_chats(store, random.Random(11))  # noqa: S311 - the same chats every run
        return await store.active_subscriptions()
    finally:
        await store.close()


async def open_side(name: str, path: Path, client: httpx.AsyncClient, work: FeedWork) -> Side:
    store = await SqliteStore.open(path)
    poller = Poller(store, client, SETTINGS, route=route, work=work)
    # The first poll of a feed files its items as history (FIRST_POLL_MAX_AGE_HOURS), as in
    # service; it also replays the stored truces. Not measured.
    await poller.poll_once(force=True)
    return Side(name, path, store, poller)


def last_outbox_id(path: Path) -> int:
    """The newest outbox row (not measured: a count of the table would scan it)."""
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0])
    finally:
        db.close()


async def cycle(side: Side, *, measured: bool) -> None:
    start = time.perf_counter()
    report = await side.poller.poll_once(force=True)
    elapsed = time.perf_counter() - start
    if measured:
        side.cycles.append(elapsed)
        side.alerts += len(report.alerts)
    if report.errors:
        raise RuntimeError(f"{side.name}: {report.errors} feeds failed: {report.failures[:3]}")


async def lookup(side: Side, pair: Pair) -> float:
    """One blame story's novelty line, as the first one of a cycle gets it."""
    start = time.perf_counter()
    record = await _BlameRecord.load(side.store)
    line = await record.novelty(side.store, (pair,), utc_now())
    elapsed = time.perf_counter() - start
    if not line:
        raise RuntimeError(f"no novelty line for {pair}")
    return elapsed


async def bump(host: FeedHost, rep: int) -> None:
    async with httpx.AsyncClient() as client:
        for n in range(BUMPED):
            response = await client.get(host.bump_url((rep * BUMPED + n) % FEEDS))
            response.raise_for_status()


async def measure(sides: Sequence[Side], host: FeedHost, reps: int) -> None:
    pairs = [Pair(a, b) for a, b in BUMP_PAIRS]
    for rep in range(reps + 1):  # the first round warms up
        if rep == 1:
            first = {side.name: last_outbox_id(side.path) for side in sides}
        await bump(host, rep)
        order = sides if rep % 2 else list(reversed(sides))
        for side in order:
            await cycle(side, measured=rep > 0)
        for side in order:
            for pair in pairs:
                elapsed = await lookup(side, pair)
                if rep:
                    side.lookups.append(elapsed)
    for side in sides:
        side.queued = last_outbox_id(side.path) - first[side.name]


async def hourly_prune(side: Side) -> tuple[int, float]:
    """The poller's hourly prune on the aged database: items removed and seconds taken."""
    now = utc_now()
    start = time.perf_counter()
    removed = await side.store.prune(
        items_before=now - timedelta(days=ITEM_DAYS),
        outbox_before=now - timedelta(days=OUTBOX_DAYS),
    )
    return removed, time.perf_counter() - start


def table_bytes(path: Path) -> dict[str, int]:
    """Bytes on disk per table, its indexes included (SQLite's dbstat)."""
    db = sqlite3.connect(path)
    try:
        owners = dict(db.execute("SELECT name, tbl_name FROM sqlite_schema"))
        sizes: dict[str, int] = {}
        for name, size in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            table = owners.get(name, name)
            sizes[table] = sizes.get(table, 0) + size
        return sizes
    finally:
        db.close()


def file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def budget(history: History) -> int:
    return (
        BUDGET_FIXED
        + history.items * BYTES_PER_ITEM
        + history.alerts * BYTES_PER_ALERT
        + history.reports * BYTES_PER_REPORT
        + history.outbox * BYTES_PER_OUTBOX_ROW
    )


def report_line(
    sides: Sequence[Side], history: History, path: Path, build_s: float, pruned: tuple[int, float]
) -> bool:
    fresh, aged = sides
    cycle_ratio = median(aged.cycles) / median(fresh.cycles)
    lookup_ratio = median(aged.lookups) / median(fresh.lookups)
    size, allowed = file_bytes(path), budget(history)
    size_of = table_bytes(path)
    alert_tables = ("alerts", "accusations", "blame_pairs", "blame_pair_days")
    per_row = {
        "item": size_of.get("items", 0) / max(history.items, 1),
        "alert": sum(size_of.get(t, 0) for t in alert_tables) / max(history.alerts, 1),
        "report": size_of.get("alert_reports", 0) / max(history.reports, 1),
        "outbox row": size_of.get("outbox", 0) / max(history.outbox, 1),
    }
    rows = ", ".join(f"{name} {size:.0f}" for name, size in per_row.items())
    is_ok = cycle_ratio <= TARGET and lookup_ratio <= TARGET and size <= allowed
    mb = 2**20
    print(
        f"aged: {history.alerts} alerts over {HISTORY_DAYS} days, {history.items} item keys, "
        f"{history.reports} reports, {history.outbox} outbox rows, {CHATS} chats; "
        f"cycle aged/fresh = {cycle_ratio:.2f} (target <= {TARGET}, "
        f"{verdict(cycle_ratio, TARGET)}); lookup aged/fresh = {lookup_ratio:.2f} "
        f"(target <= {TARGET}, {verdict(lookup_ratio, TARGET)}); file {size / mb:.0f} MB "
        f"= {size / allowed:.2f} of the {allowed / mb:.0f} MB budget "
        f"({verdict(size, allowed)}) | cycle fresh {median(fresh.cycles) * 1e3:.0f} ms, aged "
        f"{median(aged.cycles) * 1e3:.0f} ms ({FEEDS} feeds, {BUMPED} new blame stories: "
        f"{fresh.alerts}/{aged.alerts} alerts, {fresh.queued}/{aged.queued} outbox rows "
        f"fresh/aged); lookup fresh {median(fresh.lookups) * 1e3:.2f} ms, aged "
        f"{median(aged.lookups) * 1e3:.2f} ms; hourly prune {pruned[1]:.3f} s "
        f"({pruned[0]} items, {history.expired_outbox} outbox rows); bytes per row: {rows}; "
        f"build {build_s:.0f} s; "
        f"median of {len(fresh.cycles)} cycles, {len(fresh.lookups)} lookups",
        flush=True,
    )
    return is_ok


async def profile(side: Side, host: FeedHost, which: str) -> None:
    from pyinstrument import Profiler

    await bump(host, 0)
    await cycle(side, measured=False)  # warm up
    await bump(host, 1)
    profiler = Profiler(async_mode="enabled", interval=0.0002)
    profiler.start()
    if which == "cycle":
        await cycle(side, measured=False)
    else:
        for pair in [Pair(a, b) for a, b in BUMP_PAIRS] * 5:
            await lookup(side, pair)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))


async def run(args: argparse.Namespace, host: FeedHost, tmp: Path) -> int:
    urls = host.urls()
    now = utc_now()
    fresh_path, aged_path = tmp / "fresh.db", tmp / "aged.db"
    start = time.perf_counter()
    subs = await prepare(aged_path, urls)
    kinds = templates(corpus(), subs, now)
    history = await asyncio.to_thread(
        build_history,
        aged_path,
        urls,
        kinds,
        alerts=args.alerts,
        item_keys=args.items,
        now=now,
        rng=random.Random(7),  # noqa: S311 - the same history every run
    )
    await prepare(fresh_path, urls)
    build_s = time.perf_counter() - start
    async with make_client() as client:
        with poll_work(SETTINGS) as work:
            sides = [
                await open_side("fresh", fresh_path, client, work),
                await open_side("aged", aged_path, client, work),
            ]
            try:
                if args.profile:
                    await profile(sides[1], host, args.profile)
                    return 0
                await measure(sides, host, args.reps)
                pruned = await hourly_prune(sides[1])
            finally:
                for side in sides:
                    await side.store.close()
    return 0 if report_line(sides, history, aged_path, build_s, pruned) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=9)
    parser.add_argument("--alerts", type=int, default=200_000)
    parser.add_argument("--items", type=int, default=2_000_000)
    parser.add_argument("--profile", choices=("cycle", "lookup"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    with (
        FeedHost(feeds=FEEDS, items=20, unique_bumps=True) as host,
        tempfile.TemporaryDirectory(prefix="bench-aged-") as tmp,
    ):
        return asyncio.run(run(args, host, Path(tmp)))


if __name__ == "__main__":
    raise SystemExit(main())
