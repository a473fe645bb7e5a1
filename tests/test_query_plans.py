"""Issue 11: /tally, /chart, the digest and a polling cycle read indexed windows, so their cost
does not grow with the database's age.

On real SQLite files, every statement they run (caught with the connection's trace callback,
bound values filled in) is explained with EXPLAIN QUERY PLAN and must search an index, never
scan a table that grows with age. And the work SQLite does for them (virtual machine steps,
counted by a progress handler: deterministic, unlike a clock) is the same on a database with a
long history as on one without it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Update
from telegram.ext import ApplicationBuilder

from bot.config import Settings
from bot.frontend.context import SERVICES_KEY, Services
from bot.frontend.handlers import register
from bot.model import NewStory
from bot.services.digest import DIGEST_WINDOW
from bot.services.filters import route
from bot.services.history import Novelty, novelty_text, render_novelty
from bot.services.poller import Poller, _BlameRecord
from bot.store import SqliteStore
from feeds.fetch import make_client
from feeds.model import Detection, Item, Level, Pair

TOKEN = "123456:PLANS-test"  # noqa: S105 - a fake token for the fake server
NOW = datetime(2024, 3, 13, 10, 0, tzinfo=UTC)
AM_AZ = Pair("Armenia", "Azerbaijan")
RU_UA = Pair("Russia", "Ukraine")
# Tables whose size is set by configuration (feeds watched, chats subscribed), not by age.
BOUNDED = {"feeds", "subscriptions", "chat_languages", "meta", "CONSTANT"}
_ALIAS = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?(\w+)", re.IGNORECASE)


@dataclass
class SqlWatch:
    """What SQLite ran on one connection: statements and virtual machine steps."""

    statements: list[str] = field(default_factory=list)
    steps: int = 0

    def step(self) -> int:
        self.steps += 1
        return 0  # go on


@asynccontextmanager
async def watching(store: SqliteStore) -> AsyncIterator[SqlWatch]:
    watch = SqlWatch()
    await store._db.set_trace_callback(watch.statements.append)
    await store._db.set_progress_handler(watch.step, 1)
    try:
        yield watch
    finally:
        await store._db.set_trace_callback(None)
        await store._db.set_progress_handler(None, 1)


def full_scans(db_path, statements: list[str]) -> list[str]:
    """Plan lines that scan a table growing with age, with the statement they belong to."""
    con = sqlite3.connect(db_path)
    found = []
    try:
        for sql in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT")):
                continue  # BEGIN, COMMIT, PRAGMA
            tables = {alias: table for table, alias in _ALIAS.findall(sql)}
            for *_, detail in con.execute(f"EXPLAIN QUERY PLAN {sql}"):
                scanned = detail.split()[1] if detail.startswith("SCAN ") else None
                if scanned is not None and tables.get(scanned, scanned) not in BOUNDED:
                    found.append(f"{detail} in {sql[:160]}")
    finally:
        con.close()
    return found


def story(key: str, *, at: datetime, pairs=(AM_AZ,), level=Level.BLAME) -> NewStory:
    item = Item(
        key=key,
        feed_url="https://feed.test/rss",
        title=f"Story {key} about the front line",
        summary="Officials gave details.",
        link=f"https://feed.test/{key}",
        published=at,
        source_title="Feed Test",
        lang="en",
    )
    detection = Detection(level=level, pairs=pairs, actors=("Armenia", "Azerbaijan"))
    return NewStory(item, detection)


async def add_history(store: SqliteStore, *, days: range, per_day: int = 3) -> None:
    """Alerts and plain items on each of `days` days before NOW: the record of a long run."""
    others = (Pair("Azerbaijan", "Armenia"), Pair("Russia", "Ukraine"))
    for day in days:
        at = NOW - timedelta(days=day)
        stories = [
            story(f"old-{day}-{n}", at=at, pairs=(AM_AZ, others[0], others[1])[n % 3 : n % 3 + 1])
            for n in range(per_day)
        ]
        stories.append(story(f"viol-{day}", at=at, pairs=(), level=Level.VIOLATION))
        stories.append(story(f"plain-{day}", at=at, pairs=(), level=Level.NONE))
        await store.ingest("https://feed.test/rss", stories, now=at)


async def test_full_scans_sees_a_scan(store, db_path):
    """The plan check is not blind: a count of every alert is a full scan."""
    assert full_scans(db_path, ["SELECT count(*) FROM alerts WHERE title LIKE '%x%'"])
    assert full_scans(db_path, ["SELECT * FROM alerts WHERE created > '2024'"]) == []


# -- /tally, /chart and the digest ---------------------------------------------------------------


@pytest.fixture
async def store(db_path):
    store = await SqliteStore.open(db_path)
    yield store
    await store.close()


@pytest.fixture
async def app(telegram_api, store, db_path):
    """The real Application with our handlers, its clock fixed at NOW."""
    settings = Settings(
        telegram_bot_token=TOKEN, telegram_api_url=telegram_api.base_url, database_path=db_path
    )
    application = ApplicationBuilder().token(TOKEN).base_url(telegram_api.base_url)
    application = application.updater(None).build()
    register(application)
    async with make_client() as client:
        services = Services(store=store, settings=settings, client=client)
        application.bot_data[SERVICES_KEY] = replace(services, clock=lambda: NOW)
        async with application:
            await application.start()
            try:
                yield application
            finally:
                await application.stop()


COMMANDS = ("/tally", "/tally 30 armenia", "/tally 365", "/chart", "/chart 14 azerbaijan")


async def run_command(app, telegram_api, text: str) -> str:
    before = len(telegram_api.messages_to(90))
    payload = telegram_api.command_update(90, text)
    await app.process_update(Update.de_json(payload, app.bot))
    await telegram_api.wait_for_messages(before + 1, chat_id=90, within=10)
    return telegram_api.messages_to(90)[-1].text


async def test_tally_and_chart_search_indexes(app, telegram_api, store, db_path):
    """Every statement /tally and /chart run searches an index: no full scan of alerts & co."""
    await add_history(store, days=range(0, 400, 5))
    for command in COMMANDS:
        async with watching(store) as watch:
            await run_command(app, telegram_api, command)
        assert any("FROM alerts" in sql for sql in watch.statements), command
        assert full_scans(db_path, watch.statements) == [], command


async def test_tally_and_chart_cost_does_not_grow_with_age(app, telegram_api, store):
    """A year of older history adds no work to /tally and /chart over the last days."""
    await add_history(store, days=range(0, 14))
    young = {}
    for command in ("/tally", "/chart", "/chart 14 azerbaijan"):
        async with watching(store) as watch:
            reply = await run_command(app, telegram_api, command)
        young[command] = (reply, watch.steps)
    await add_history(store, days=range(15, 380), per_day=2)
    for command, (reply, steps) in young.items():
        async with watching(store) as watch:
            assert await run_command(app, telegram_api, command) == reply
        assert watch.steps == steps, command


async def test_digest_window_searches_an_index(store, db_path):
    """The digest's day of alerts is an index range, whatever the history behind it."""
    await add_history(store, days=range(0, 60, 3))
    async with watching(store) as watch:
        alerts = await store.alerts_between(NOW - DIGEST_WINDOW, NOW + timedelta(seconds=1))
    assert alerts
    assert full_scans(db_path, watch.statements) == []


# -- a polling cycle -----------------------------------------------------------------------------

BLAME_ITEM = {
    "title": "Armenia accuses Azerbaijan of shelling border villages despite the ceasefire",
    "guid": "am-az-1",
    "link": "https://news.example/am-az-1",
    "description": "The defence ministry in Yerevan said Azerbaijani troops fired overnight.",
    "published": NOW - timedelta(minutes=30),
}
PLAIN_ITEM = {
    "title": "Farmers expect a good harvest this year",
    "guid": "harvest-1",
    "link": "https://news.example/harvest",
    "published": NOW - timedelta(minutes=40),
}


class Clock:
    def __call__(self) -> datetime:
        return NOW


async def poll_watched(path, url: str, *, old_days: int) -> tuple[SqlWatch, list]:
    """A database with `old_days` of history before the recent record, polled once at NOW."""
    store = await SqliteStore.open(path)
    try:
        await store.add_feed(url, now=NOW - timedelta(days=2))
        for chat in (1, 2, 3):
            await store.subscribe(chat, chat_type="private", levels=[Level.BLAME], now=NOW)
        # All older than every window a cycle reads (grouping, novelty, truces in force).
        await add_history(store, days=range(40, 40 + old_days))
        await add_history(store, days=range(2, 4))  # the recent record both share
        settings = Settings(feed_allow_private=True, first_poll_max_age_hours=0)
        async with make_client() as client:
            poller = Poller(store, client, settings, route=route, clock=Clock())
            async with watching(store) as watch:
                report = await poller.poll_once(force=True)
        return watch, list(report.alerts)
    finally:
        await store.close()


async def test_poll_cycle_searches_indexes_and_stays_flat(feed_server, tmp_path):
    """A cycle with a new accusation (grouping, novelty, routing, outbox) searches indexes only,
    and takes as many steps after a year of history as after a few days of it."""
    url = feed_server.publish_rss("/feed.xml", [BLAME_ITEM, PLAIN_ITEM])
    young, young_alerts = await poll_watched(tmp_path / "young.db", url, old_days=5)
    aged, aged_alerts = await poll_watched(tmp_path / "aged.db", url, old_days=360)
    (alert,) = young_alerts
    assert alert.pairs == (AM_AZ,)
    assert "accusation by Armenia against Azerbaijan in 7 days" in novelty_text(alert.novelty)
    facts = Novelty.decode(alert.novelty).facts
    assert [Novelty.decode(a.novelty).facts for a in aged_alerts] == [facts]
    assert full_scans(tmp_path / "aged.db", aged.statements) == []
    assert aged.steps == young.steps


async def test_novelty_reads_its_own_pairs_only(tmp_path):
    """A novelty line costs the same however many accusations other pairs had that week."""
    watches = []
    for name, busy in (("quiet.db", 2), ("busy.db", 200)):
        store = await SqliteStore.open(tmp_path / name)
        try:
            await add_history(store, days=range(1, 3))  # the same record of AM_AZ
            others = [
                story(f"ru-ua-{n}", at=NOW - timedelta(minutes=30 * n), pairs=(RU_UA,))
                for n in range(1, busy + 1)
            ]
            await store.ingest("https://feed.test/rss", others, now=NOW)
            record = await _BlameRecord.load(store)
            async with watching(store) as watch:
                line = await record.novelty(store, (AM_AZ,), NOW)
            watches.append((line, watch.steps))
        finally:
            await store.close()
    (quiet_line, quiet), (busy_line, busy) = watches
    assert busy_line.facts == quiet_line.facts  # the record's length aside
    assert "2nd accusation by Armenia against Azerbaijan in 24 h" in render_novelty(quiet_line)
    assert busy == quiet
