"""Prometheus metrics: counters follow poll cycles and delivery rounds; scraped over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.frontend.delivery import DeliveryReport
from bot.metrics import Metrics, MetricsServer, start_metrics_server
from bot.services.poller import Poller
from bot.store import SqliteStore
from feeds.fetch import make_client
from feeds.model import Level

NOW = datetime(2021, 8, 13, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FakeAlert:
    level: Level


@dataclass(frozen=True, slots=True)
class FakeCycle:
    """The fields of bot.services.poller.CycleReport that metrics read."""

    duration: float
    feeds: int
    not_modified: int
    errors: int
    new_items: int
    alerts: tuple[FakeAlert, ...]


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def server(metrics: Metrics) -> Iterator[MetricsServer]:
    running = start_metrics_server(metrics, 0)
    yield running
    running.close()


async def scrape(server: MetricsServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """GET /metrics and return {(sample name, sorted labels): value}."""
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(server.url)
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


async def test_fresh_endpoint_shows_every_counter_at_zero(server):
    """Before anything happens every counter and label is present with value 0."""
    samples = await scrape(server)
    for name in (
        "ceasefire_poll_cycles_total",
        "ceasefire_polls_total",
        "ceasefire_not_modified_total",
        "ceasefire_fetch_errors_total",
        "ceasefire_new_items_total",
    ):
        assert samples[(name, ())] == 0
    for level in ("blame", "violation", "ceasefire"):
        assert samples[("ceasefire_alerts_total", (("level", level),))] == 0
    for outcome in ("sent", "failed", "retried", "dropped"):
        assert samples[("ceasefire_deliveries_total", (("outcome", outcome),))] == 0


async def test_cycles_and_deliveries_add_up_in_a_scrape(metrics, server):
    """Two cycles and two delivery rounds are summed, alerts counted by level."""
    metrics.observe_cycle(
        FakeCycle(
            1.5,
            feeds=10,
            not_modified=0,
            errors=2,
            new_items=30,
            alerts=(FakeAlert(Level.BLAME), FakeAlert(Level.VIOLATION)),
        )
    )
    metrics.observe_cycle(
        FakeCycle(
            0.25, feeds=10, not_modified=8, errors=1, new_items=1, alerts=(FakeAlert(Level.BLAME),)
        )
    )
    metrics.observe_delivery(DeliveryReport(sent=5, postponed=2, failed=1, dropped_chats=1))
    metrics.observe_delivery(DeliveryReport(sent=3))
    samples = await scrape(server)
    assert samples[("ceasefire_poll_cycles_total", ())] == 2
    assert samples[("ceasefire_polls_total", ())] == 20
    assert samples[("ceasefire_not_modified_total", ())] == 8
    assert samples[("ceasefire_fetch_errors_total", ())] == 3
    assert samples[("ceasefire_new_items_total", ())] == 31
    assert samples[("ceasefire_alerts_total", (("level", "blame"),))] == 2
    assert samples[("ceasefire_alerts_total", (("level", "violation"),))] == 1
    assert samples[("ceasefire_alerts_total", (("level", "ceasefire"),))] == 0
    assert samples[("ceasefire_deliveries_total", (("outcome", "sent"),))] == 8
    assert samples[("ceasefire_deliveries_total", (("outcome", "retried"),))] == 2
    assert samples[("ceasefire_deliveries_total", (("outcome", "failed"),))] == 1
    assert samples[("ceasefire_deliveries_total", (("outcome", "dropped"),))] == 1
    assert samples[("ceasefire_last_cycle_seconds", ())] == 0.25


def test_each_instance_has_its_own_registry():
    """Two Metrics never share counters (no global registry), so both can exist in one process."""
    first, second = Metrics(), Metrics()
    first.observe_delivery(DeliveryReport(sent=4))
    assert first.value("ceasefire_deliveries_total", outcome="sent") == 4
    assert second.value("ceasefire_deliveries_total", outcome="sent") == 0


async def test_server_listens_on_loopback_only_and_close_frees_the_port(metrics):
    """The endpoint binds 127.0.0.1 by default; after close() nothing answers there."""
    running = start_metrics_server(metrics, 0)
    assert running.host == "127.0.0.1"
    assert running.url.startswith("http://127.0.0.1:")
    await scrape(running)
    running.close()
    running.close()  # idempotent
    async with httpx.AsyncClient(timeout=5) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(running.url)


async def test_a_real_poll_cycle_is_counted(feed_server, db_path, metrics, server):
    """A real Poller cycle over loopback feeds (one ok, one 304-able, one failing) is counted."""
    breach = {
        "title": "Russia blames Azerbaijan for breach of Karabakh truce",
        "guid": "mt-1",
        "link": "https://news.example/mt-1",
        "description": "The Russian defence ministry reported a drone strike on Karabakh posts.",
        "published": NOW,
    }
    good = feed_server.publish_rss("/good.xml", items=[breach, {"title": "Rates", "guid": "r"}])
    bad = feed_server.url("/status/500")
    settings = Settings(feed_allow_private=True, fetch_timeout=5.0, first_poll_max_age_hours=0)
    store = await SqliteStore.open(db_path)
    try:
        for url in (good, bad):
            await store.add_feed(url, now=NOW)
        async with make_client() as client:
            poller = Poller(store, client, settings, clock=lambda: NOW)
            first = await poller.poll_once(force=True)
            metrics.observe_cycle(first)
            metrics.observe_cycle(await poller.poll_once(force=True))
    finally:
        await store.close()
    samples = await scrape(server)
    assert samples[("ceasefire_polls_total", ())] == 4
    assert samples[("ceasefire_not_modified_total", ())] == 1  # the good feed, second time
    assert samples[("ceasefire_fetch_errors_total", ())] == 2
    assert samples[("ceasefire_new_items_total", ())] == 2
    by_level = sum(
        samples[("ceasefire_alerts_total", (("level", lv),))]
        for lv in ("blame", "violation", "ceasefire")
    )
    assert by_level == len(first.alerts) >= 1
