"""Optional Prometheus metrics: counters for polls, items, alerts and deliveries, and their server.

Off unless METRICS_PORT is set. Each `Metrics` owns its own CollectorRegistry, so two instances
(two tests, two apps in one process) never share or clash over counters. The server binds to
loopback by default: metrics are for a scraper on the same host or behind a proxy you choose.
May import prometheus_client and feeds.model; the poller's and delivery's reports are duck-typed
(Protocols below), so neither module has to know about metrics.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from threading import Thread
from typing import Protocol
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

from feeds.model import Level

DEFAULT_HOST = "127.0.0.1"
DELIVERY_OUTCOMES = ("sent", "failed", "retried", "dropped")


class _LevelAlert(Protocol):
    @property
    def level(self) -> Level: ...


class CycleFacts(Protocol):
    """What `Metrics.observe_cycle` reads from a poll cycle (poller.CycleReport has it)."""

    # Read-only properties, so frozen dataclasses (CycleReport is one) match the protocol.
    @property
    def duration(self) -> float: ...
    @property
    def feeds(self) -> int: ...
    @property
    def not_modified(self) -> int: ...
    @property
    def errors(self) -> int: ...
    @property
    def new_items(self) -> int: ...
    @property
    def alerts(self) -> Iterable[_LevelAlert]: ...


class DeliveryFacts(Protocol):
    """What `Metrics.observe_delivery` reads (bot.frontend.delivery.DeliveryReport has it)."""

    @property
    def sent(self) -> int: ...
    @property
    def postponed(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def dropped_chats(self) -> int: ...


class Metrics:
    """The service's counters, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        reg = self.registry
        self.poll_cycles = Counter("ceasefire_poll_cycles", "Polling cycles run", registry=reg)
        self.polls = Counter("ceasefire_polls", "Feed fetches attempted", registry=reg)
        self.not_modified = Counter(
            "ceasefire_not_modified", "Feed fetches answered 304 Not Modified", registry=reg
        )
        self.fetch_errors = Counter(
            "ceasefire_fetch_errors", "Feed polls that failed (fetch or parse)", registry=reg
        )
        self.new_items = Counter(
            "ceasefire_new_items", "Items seen for the first time", registry=reg
        )
        self.alerts = Counter(
            "ceasefire_alerts", "Alerts created, by level", ["level"], registry=reg
        )
        self.deliveries = Counter(
            "ceasefire_deliveries",
            "Outbox rows handled, by outcome (sent, failed, retried, dropped)",
            ["outcome"],
            registry=reg,
        )
        self.last_cycle_seconds = Gauge(
            "ceasefire_last_cycle_seconds", "Duration of the last polling cycle", registry=reg
        )
        # Every label value exists from the start, so a scrape shows 0 rather than nothing.
        for level in (Level.BLAME, Level.VIOLATION, Level.CEASEFIRE):
            self.alerts.labels(level=level.value)
        for outcome in DELIVERY_OUTCOMES:
            self.deliveries.labels(outcome=outcome)

    def observe_cycle(self, report: CycleFacts) -> None:
        """Count one finished poll cycle (call with the poller's CycleReport)."""
        self.poll_cycles.inc()
        self.polls.inc(report.feeds)
        self.not_modified.inc(report.not_modified)
        self.fetch_errors.inc(report.errors)
        self.new_items.inc(report.new_items)
        for alert in report.alerts:
            self.alerts.labels(level=Level(alert.level).value).inc()
        self.last_cycle_seconds.set(report.duration)

    def observe_delivery(self, report: DeliveryFacts) -> None:
        """Count one delivery round (call with the worker's DeliveryReport)."""
        self.deliveries.labels(outcome="sent").inc(report.sent)
        self.deliveries.labels(outcome="failed").inc(report.failed)
        self.deliveries.labels(outcome="retried").inc(report.postponed)
        self.deliveries.labels(outcome="dropped").inc(report.dropped_chats)

    def value(self, name: str, **labels: str) -> float:
        """A sample's current value, e.g. value('ceasefire_polls_total'); 0.0 if absent."""
        found = self.registry.get_sample_value(name, labels or None)
        return found if found is not None else 0.0


@dataclass(slots=True)
class MetricsServer:
    """A running /metrics endpoint; `close()` stops it."""

    host: str
    port: int
    _server: WSGIServer = field(repr=False)
    _thread: Thread = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/metrics"

    def close(self) -> None:
        """Stop serving and free the port; safe to call twice."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()


def start_metrics_server(
    metrics: Metrics, port: int, *, host: str = DEFAULT_HOST
) -> MetricsServer:
    """Serve `metrics` over HTTP on host:port (port 0 picks a free one) in a daemon thread."""
    server, thread = start_http_server(port, addr=host, registry=metrics.registry)
    return MetricsServer(host=host, port=server.server_address[1], _server=server, _thread=thread)
