"""The polling pipeline end to end: loopback feeds → fetch → parse → detect → a real store
(a SQLite file, then a PostgreSQL database)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot

from bot.config import Settings
from bot.frontend.delivery import DeliveryWorker
from bot.frontend.format import format_alert
from bot.model import Destination
from bot.services.poller import Poller
from feeds.detect import classify
from feeds.fetch import make_client
from feeds.model import Level, Pair
from tests.fakes.feed_server import FAULTS
from tests.stores import eventually, open_store_at

NOW = datetime(2021, 8, 13, 12, 0, tzinfo=UTC)
SEED = {
    "title": "Russia Blames Azerbaijan for Breach of Karabakh Truce in Post-Ceasefire First",
    "link": "https://www.themoscowtimes.com/2021/08/13/russia-blames-azerbaijan-a74782",
    "guid": "https://www.themoscowtimes.com/2021/08/13/russia-blames-azerbaijan-a74782",
    "description": "Russia's Defence Ministry said Azerbaijani armed forces carried out two "
    "strikes with attack quadcopters on positions held by Nagorno-Karabakh formations.",
    "published": datetime(2021, 8, 13, 10, 0, tzinfo=UTC),
}
BREACH = {
    "title": "Shelling in Idlib despite the ceasefire kills two civilians",
    "guid": "idlib-1",
    "link": "https://news.example/idlib-1",
    "published": datetime(2021, 8, 13, 9, 0, tzinfo=UTC),
}
PLAIN = {
    "title": "Central bank leaves interest rates unchanged",
    "guid": "rates-1",
    "link": "https://news.example/rates",
    "published": datetime(2021, 8, 13, 9, 30, tzinfo=UTC),
}
SETTINGS = Settings(
    feed_allow_private=True,
    fetch_timeout=1.0,
    fetch_max_bytes=1_000_000,
    first_poll_max_age_hours=0,
    poll_interval=60,
)


class Clock:
    """A clock the test moves by hand (no sleeping)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def client():
    async with make_client() as client:
        yield client


def poller_for(store, client, settings=SETTINGS, clock=None):
    return Poller(store, client, settings, clock=clock or Clock(NOW))


async def test_seed_story_becomes_one_blame_alert(store, client, feed_server):
    """The Moscow Times story gives one blame alert Russia → Azerbaijan with its link."""
    url = feed_server.publish_rss("/mt.xml", [SEED, PLAIN], title="The Moscow Times")
    await store.add_feed(url, now=NOW)
    report = await poller_for(store, client).poll_once()
    assert report.new_items == 2
    (alert,) = report.alerts
    assert alert.level is Level.BLAME
    assert alert.pairs == (Pair("Russia", "Azerbaijan"),)
    assert alert.link == SEED["link"]
    assert alert.source_title == "The Moscow Times"


async def test_unchanged_feed_gets_304_and_creates_nothing(store, client, feed_server):
    """The second poll sends the server's validators back verbatim and gets a 304."""
    url = feed_server.publish_rss("/a.xml", [SEED])
    await store.add_feed(url, now=NOW)
    poller = poller_for(store, client)
    first = await poller.poll_once(force=True)
    second = await poller.poll_once(force=True)
    assert len(first.alerts) == 1
    assert (second.not_modified, second.new_items, second.alerts) == (1, 0, ())
    sent = feed_server.requests_for("/a.xml")[-1].headers
    (feed,) = await store.list_feeds()
    assert sent["if-none-match"] == feed.etag
    assert sent["if-modified-since"] == feed.last_modified


async def test_changed_feed_yields_only_new_items(store, client, feed_server):
    """When the feed changes, only the items not seen before are new."""
    url = feed_server.publish_rss("/a.xml", [SEED, PLAIN])
    await store.add_feed(url, now=NOW)
    poller = poller_for(store, client)
    await poller.poll_once(force=True)
    feed_server.publish_rss("/a.xml", [BREACH, SEED, PLAIN])
    report = await poller.poll_once(force=True)
    assert report.new_items == 1
    assert [a.title for a in report.alerts] == [BREACH["title"]]


async def test_restart_on_same_database_alerts_nothing_twice(store_target, client, feed_server):
    """Poll, close, reopen the database, poll again without validators: no alert repeats."""
    url = feed_server.publish_rss("/a.xml", [SEED, BREACH], etag=False, last_modified=False)
    store = await open_store_at(store_target)
    await store.add_feed(url, now=NOW)
    first = await poller_for(store, client).poll_once()
    await store.close()
    assert len(first.alerts) == 2

    store = await open_store_at(store_target)
    second = await poller_for(store, client).poll_once(force=True)
    await store.close()
    assert second.not_modified == 0  # a full fetch: the seen check alone prevents repeats
    assert second.new_items == 0
    assert second.alerts == ()


async def test_item_removed_upstream_brings_nothing_back(store, client, feed_server):
    """A feed dropping its newest item does not make older ones new again."""
    url = feed_server.publish_rss("/a.xml", [BREACH, SEED, PLAIN])
    await store.add_feed(url, now=NOW)
    poller = poller_for(store, client)
    await poller.poll_once(force=True)
    feed_server.publish_rss("/a.xml", [SEED, PLAIN])
    report = await poller.poll_once(force=True)
    assert (report.new_items, report.alerts) == (0, ())


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_fault_in_one_feed_never_stops_the_others(store, client, feed_server, fault):
    """Each fault is recorded for its feed while a healthy feed in the same cycle alerts."""
    healthy = feed_server.publish_rss("/healthy.xml", [SEED])
    broken = feed_server.url(FAULTS[fault])
    await store.add_feed(healthy, now=NOW)
    await store.add_feed(broken, now=NOW)
    report = await poller_for(store, client).poll_once()
    assert [a.link for a in report.alerts] == [SEED["link"]]
    feeds = {f.url: f for f in await store.list_feeds()}
    if fault == "max_age":  # not a fault: a healthy feed asking for a longer interval
        assert feeds[broken].failures == 0
        assert feeds[broken].next_poll >= NOW + timedelta(seconds=3600)
        return
    assert report.errors == 1
    assert feeds[broken].failures == 1
    assert feeds[broken].last_error
    assert feeds[broken].next_poll > NOW
    assert feeds[healthy].failures == 0


async def test_redirect_to_metadata_address_is_refused(store, client, feed_server):
    """A redirect to 169.254.169.254 is refused even when loopback feeds are allowed."""
    url = feed_server.url(FAULTS["redirect_metadata"])
    await store.add_feed(url, now=NOW)
    report = await poller_for(store, client).poll_once()
    ((failed_url, reason),) = report.failures
    assert failed_url == url
    assert "169.254.169.254" in reason


async def test_private_feed_refused_without_setting(store, client, feed_server):
    """With FEED_ALLOW_PRIVATE off, a loopback feed is an error and nothing is fetched."""
    url = feed_server.publish_rss("/a.xml", [SEED])
    await store.add_feed(url, now=NOW)
    strict = Settings(fetch_timeout=1.0)
    report = await poller_for(store, client, strict).poll_once()
    assert report.errors == 1
    assert feed_server.requests_for("/a.xml") == []


async def test_failing_feed_backs_off_exponentially(store, client, feed_server):
    """Each failure pushes the next poll further away."""
    url = feed_server.url(FAULTS["http_500"])
    await store.add_feed(url, now=NOW)
    clock = Clock(NOW)
    poller = poller_for(store, client, clock=clock)
    delays = []
    for _ in range(3):
        await poller.poll_once(force=True)
        (feed,) = await store.list_feeds()
        delays.append((feed.next_poll - clock.now).total_seconds())
    assert delays[0] < delays[1] < delays[2]


async def test_same_story_from_two_feeds_is_one_alert(store, client, feed_server):
    """Two feeds carrying the same article make one alert 'also reported by 1 feed'."""
    copy = dict(SEED, guid="agency-123", title=SEED["title"] + " - agency wire")
    first = feed_server.publish_rss("/one.xml", [SEED], title="The Moscow Times")
    second = feed_server.publish_rss("/two.xml", [copy], title="Agency")
    await store.add_feed(first, now=NOW)
    await store.add_feed(second, now=NOW)
    report = await poller_for(store, client).poll_once()
    assert report.new_items == 2
    (alert,) = report.alerts
    stored = await store.get_alert(alert.id)
    assert stored is not None
    assert stored.also_reported == 1


async def test_first_poll_remembers_old_items_without_alerting(store, client, feed_server):
    """Adding a feed does not flood chats with its old stories; later items do alert."""
    url = feed_server.publish_rss("/a.xml", [SEED])
    await store.add_feed(url, now=NOW)
    settings = Settings(feed_allow_private=True, fetch_timeout=1.0, first_poll_max_age_hours=1)
    later = Clock(NOW + timedelta(days=2))
    poller = poller_for(store, client, settings, clock=later)
    assert (await poller.poll_once()).alerts == ()
    fresh = dict(BREACH, published=later.now)
    feed_server.publish_rss("/a.xml", [fresh, SEED])
    report = await poller.poll_once(force=True)
    assert [a.title for a in report.alerts] == [BREACH["title"]]


TRUCE_STARTS = {
    "title": "Truce between Armenia and Azerbaijan takes effect at noon",
    "guid": "truce-start",
    "link": "https://news.example/truce-start",
    "published": datetime(2021, 8, 13, 8, 0, tzinfo=UTC),
}
STRIKES = {
    "title": "Azerbaijani drone strikes kill three Armenian soldiers",
    "guid": "strikes-1",
    "link": "https://news.example/strikes-1",
    "published": datetime(2021, 8, 13, 11, 0, tzinfo=UTC),
}


async def test_strikes_with_no_truce_in_force_are_not_a_breach(store, client, feed_server):
    url = feed_server.publish_rss("/war.xml", [STRIKES])
    await store.add_feed(url, now=NOW)
    report = await poller_for(store, client).poll_once()
    assert report.new_items == 1
    assert report.alerts == ()


async def test_strikes_during_a_truce_the_stream_reported_are_a_breach(store, client, feed_server):
    """The poller remembers the truce from an earlier cycle (and across a restart)."""
    url = feed_server.publish_rss("/war.xml", [TRUCE_STARTS])
    await store.add_feed(url, now=NOW)
    clock = Clock(NOW)
    first = await poller_for(store, client, clock=clock).poll_once()
    assert [a.level for a in first.alerts] == [Level.CEASEFIRE]
    feed_server.publish_rss("/war.xml", [TRUCE_STARTS, STRIKES])
    clock.now = NOW + timedelta(minutes=5)
    restarted = poller_for(store, client, clock=clock)  # a new process: memory from the store
    report = await restarted.poll_once(force=True)
    (alert,) = report.alerts
    assert alert.level is Level.VIOLATION
    assert alert.title == STRIKES["title"]


# One event, three newsrooms, three languages (sentences written for this test).
SHUSHA_EN = {
    "title": "Azerbaijan accuses Armenia of breaking the truce near Shusha",
    "description": "Baku says Armenian units fired mortars at its posts outside Shusha, "
    "wounding three soldiers.",
    "guid": "en-shusha",
    "link": "https://en.example/shusha",
    "published": datetime(2021, 8, 13, 9, 0, tzinfo=UTC),
}
SHUSHA_RU = {
    "title": "Азербайджан обвинил Армению в нарушении перемирия под Шушой",
    "description": "По данным Баку, армянские подразделения обстреляли из минометов посты у "
    "Шуши, ранены трое военных.",
    "guid": "ru-shusha",
    "link": "https://ru.example/shusha",
    "published": datetime(2021, 8, 13, 10, 30, tzinfo=UTC),
}
SHUSHA_TR = {
    "title": "Azerbaycan, Ermenistan'ı Şuşa yakınlarında ateşkesi ihlal etmekle suçladı",
    "description": "Bakü'ye göre Ermeni birlikleri Şuşa'daki mevzilere havan topuyla ateş açtı, "
    "üç asker yaralandı.",
    "guid": "tr-shusha",
    "link": "https://tr.example/shusha",
    "published": datetime(2021, 8, 13, 11, 0, tzinfo=UTC),
}


async def poll_feeds(store, client, feed_server, feeds, route_to=None):
    """Publish each (path, item, language) as its own feed and poll them all once."""
    for path, item, language in feeds:
        url = feed_server.publish_rss(path, [item], title=f"Feed {path}", language=language)
        await store.add_feed(url, now=NOW)
    poller = Poller(store, client, SETTINGS, route=route_to, clock=Clock(NOW))
    return await poller.poll_once()


async def test_one_event_in_two_languages_is_one_alert(store, client, feed_server, telegram_api):
    """An English and a Russian feed carry the same accusation: one alert, one more report,
    and the message the chat gets says so."""
    report = await poll_feeds(
        store,
        client,
        feed_server,
        [("/en.xml", SHUSHA_EN, "en"), ("/ru.xml", SHUSHA_RU, "ru")],
        route_to=lambda alert, subscriptions: [Destination(42)],
    )
    assert report.new_items == 2
    (alert,) = report.alerts
    stored = await store.get_alert(alert.id)
    assert stored.also_reported == 1
    assert "also reported by 1 feed\n" in format_alert(stored)
    async with Bot("123456:POLLER-test", base_url=telegram_api.base_url) as bot:
        await DeliveryWorker(bot, store, clock=lambda: NOW).run_once()
    (message,) = telegram_api.messages_to(42)  # one message for the chat, not two
    assert "also reported by 1 feed\n" in message.text


async def test_reports_in_two_other_languages_are_counted(store, client, feed_server):
    """Russian and Turkish copies of an English story: 'also reported by 2 feeds in 2
    languages'."""
    report = await poll_feeds(
        store,
        client,
        feed_server,
        [("/en.xml", SHUSHA_EN, "en"), ("/ru.xml", SHUSHA_RU, "ru"), ("/tr.xml", SHUSHA_TR, "tr")],
    )
    assert report.new_items == 3
    (alert,) = report.alerts
    stored = await store.get_alert(alert.id)
    assert (stored.also_reported, stored.also_languages) == (2, 2)
    assert "also reported by 2 feeds in 2 languages" in format_alert(stored)


# -- several workers on one PostgreSQL database --

SHARED = replace(SETTINGS, fetch_timeout=10.0)  # slow outlets below answer within it


async def test_workers_polling_at_once_split_the_feeds(postgres_url, feed_server):
    """Three pollers (workers, each with its own store and client) run a cycle at the same
    moment on one database: every feed is fetched once, and each worker polls some."""
    settings = replace(SHARED, fetch_concurrency=2)  # 4 feeds in hand at a time per worker
    paths = [f"/w{n:02}.xml" for n in range(30)]
    async with contextlib.AsyncExitStack() as stack:
        stores = [await open_store_at(postgres_url) for _ in range(3)]
        for store in stores:
            stack.push_async_callback(store.close)
        for path in paths:
            item = {**PLAIN, "guid": path, "title": f"Council debates budget {path}"}
            await stores[0].add_feed(feed_server.publish_rss(path, [item], delay=0.05), now=NOW)
        pollers = [
            Poller(
                store,
                await stack.enter_async_context(make_client()),
                settings,
                clock=Clock(NOW),
                worker=f"w{n}",
                shares_database=True,
            )
            for n, store in enumerate(stores)
        ]
        reports = await asyncio.gather(*(p.poll_once() for p in pollers))
        feeds = await stores[0].list_feeds()
    assert [len(feed_server.requests_for(path)) for path in paths] == [1] * len(paths)
    assert sum(r.feeds for r in reports) == len(paths)
    assert all(r.feeds for r in reports)
    assert all(f.last_ok == NOW and f.leased_by is None for f in feeds)


async def test_a_story_another_worker_stored_mid_cycle_joins_its_alert(
    postgres_url, client, feed_server
):
    """Worker B is mid-cycle when worker A stores a story B's next feed also carries: B sees
    A's alert before grouping, so the story stays one alert, reported by two feeds."""
    story = {
        "title": "Israel accuses Hamas of firing rockets in violation of the Gaza ceasefire",
        "published": datetime(2021, 8, 13, 11, 0, tzinfo=UTC),
    }
    classify(story["title"], "")  # word lists read now, so worker A's cycle takes milliseconds
    first = feed_server.publish_rss("/a-first.xml", [{**PLAIN, "guid": "p"}])
    late = feed_server.publish_rss(
        "/b-late.xml", [{**story, "guid": "b", "link": "https://b.example/1"}], delay=3.0
    )
    store_a, store_b = await open_store_at(postgres_url), await open_store_at(postgres_url)
    try:
        await store_b.add_feed(first, now=NOW)
        await store_b.add_feed(late, now=NOW)
        poller_b = Poller(
            store_b, client, SHARED, clock=Clock(NOW), worker="b", shares_database=True
        )
        cycle_b = asyncio.create_task(poller_b.poll_once())

        async def b_is_mid_cycle() -> bool:  # its first feed is stored, the late one is not
            return any(f.last_ok for f in await store_b.list_feeds())

        await eventually(b_is_mid_cycle)
        other = feed_server.publish_rss(
            "/c-other.xml", [{**story, "guid": "c", "link": "https://c.example/1"}]
        )
        await store_a.add_feed(other, now=NOW)
        poller_a = Poller(
            store_a, client, SHARED, clock=Clock(NOW), worker="a", shares_database=True
        )
        (stored,) = (await poller_a.poll_once()).alerts
        report_b = await asyncio.wait_for(cycle_b, timeout=30)
        alert = await store_b.get_alert(stored.id)
    finally:
        await store_a.close()
        await store_b.close()
    assert (report_b.feeds, report_b.errors, report_b.new_items, report_b.alerts) == (2, 0, 2, ())
    assert alert.also_reported == 1
