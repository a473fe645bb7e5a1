"""Outgoing webhooks: signed posts from the durable outbox, retries, timeouts, pausing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.model import NewStory
from bot.outlets.webhooks import SIGNATURE_HEADER, WebhookWorker, redact_url, sign
from bot.store import SqliteStore
from feeds.model import Detection, Item, Level, Pair
from tests.fakes.webhook_receiver import WEBHOOK_SECRET

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A settable clock: tests move it instead of waiting hours."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
async def store(db_path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(db_path)
    try:
        yield opened
    finally:
        await opened.close()


def story(number: int, *, webhooks: tuple[str, ...]) -> NewStory:
    item = Item(
        key=f"item-{number}",
        feed_url="https://news.example/rss",
        title=f"Border posts exchange fire for the {number}th night despite the truce",
        summary="Each side said the other opened fire first near the disputed villages.",
        link=f"https://news.example/stories/{number}",
        published=START - timedelta(hours=number),
        source_title="News Example",
        lang="en",
    )
    detection = Detection(
        level=Level.BLAME,
        pairs=(Pair("Armenia", "Azerbaijan"),),
        actors=("Armenia", "Azerbaijan"),
    )
    return NewStory(item, detection, webhooks=webhooks, novelty="First time on record")


async def queue(store: SqliteStore, count: int, url: str) -> None:
    """What the poller leaves behind: alerts, each with a webhook row for `url`."""
    stories = [story(n, webhooks=(url,)) for n in range(1, count + 1)]
    await store.ingest("https://news.example/rss", stories, now=START)


def worker_for(store: SqliteStore, url: str, **options: object) -> WebhookWorker:
    settings: dict[str, object] = {
        "timeout": 5.0,
        "pause_after": timedelta(hours=6),
        "backoff_base": 0.01,
        "backoff_max": 0.05,
    }
    settings.update(options)
    return WebhookWorker(store, [url], WEBHOOK_SECRET, **settings)  # type: ignore[arg-type]


def is_signed(body: bytes, header: str) -> bool:
    """What a receiver does: recompute the HMAC of the raw body and compare in constant time."""
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"  # nothing listens there any more


async def test_the_receiver_fake_answers_as_told(webhook_receiver):
    """The fake itself: queued statuses first, then 200; a hang holds posts until released."""
    webhook_receiver.answer_next(500)
    async with httpx.AsyncClient(timeout=5) as client:
        first = await client.post(webhook_receiver.url, content=b"{}")
        second = await client.post(webhook_receiver.url, content=b"{}")
        webhook_receiver.hang()
        task = asyncio.create_task(client.post(webhook_receiver.url, content=b'{"n": 3}'))
        await webhook_receiver.wait_for(lambda: len(webhook_receiver.held) == 1)
        assert not task.done()
        webhook_receiver.release()
        third = await task
    assert [first.status_code, second.status_code, third.status_code] == [500, 200, 200]
    assert [post.status for post in webhook_receiver.posts] == [500, 200, 200]
    assert webhook_receiver.posts[2].payload == {"n": 3}


async def test_each_alert_is_posted_once_with_a_valid_signature(store, webhook_receiver):
    """Three alerts: three posts, oldest first, each body signed; a second round posts nothing."""
    await queue(store, 3, webhook_receiver.url)
    worker = worker_for(store, webhook_receiver.url)
    try:
        await worker.drain(webhook_receiver.url)
        await worker.drain(webhook_receiver.url)
    finally:
        await worker.stop()
    posts = webhook_receiver.posts
    assert len(posts) == 3
    for post in posts:
        assert post.headers["Content-Type"] == "application/json"
        assert is_signed(post.body, post.headers[SIGNATURE_HEADER])
        assert not is_signed(post.body + b" ", post.headers[SIGNATURE_HEADER])
    payload = posts[0].payload
    assert set(payload) == {
        "id",
        "level",
        "pairs",
        "title",
        "summary",
        "link",
        "source",
        "published",
        "novelty",
        "conflict",
    }
    assert payload["level"] == "blame"
    assert payload["pairs"] == [{"accuser": "Armenia", "accused": "Azerbaijan"}]
    assert payload["link"] == "https://news.example/stories/1"
    assert payload["source"] == "News Example"
    assert payload["published"] == "2026-03-02T08:00:00Z"
    assert payload["novelty"] == "First time on record"
    assert payload["conflict"] == "Armenia–Azerbaijan"
    assert payload["id"].startswith("tag:ceasefire-alerts,2026:alert/")
    assert len({post.payload["id"] for post in posts}) == 3
    assert await store.webhook_counts() == {"sent": 3}


async def test_rows_written_before_a_restart_are_posted_after_it(db_path, webhook_receiver):
    """The outbox is in the database: alerts queued by one process go out from the next."""
    first = await SqliteStore.open(db_path)
    await queue(first, 2, webhook_receiver.url)
    await first.close()
    second = await SqliteStore.open(db_path)
    worker = worker_for(second, webhook_receiver.url)
    try:
        await worker.drain(webhook_receiver.url)
    finally:
        await worker.stop()
        await second.close()
    assert len(webhook_receiver.accepted) == 2


async def test_a_500_is_retried_with_backoff_until_accepted(store, webhook_receiver):
    """500 then 503: the receiver backs off, the row stays pending, the retry delivers it."""
    await queue(store, 1, webhook_receiver.url)
    webhook_receiver.answer_next(500, 503)
    clock = Clock()
    worker = worker_for(store, webhook_receiver.url, clock=clock, backoff_base=30, backoff_max=600)
    try:
        first_delay = await worker.drain(webhook_receiver.url)
        assert first_delay == 30
        early = await worker.drain(webhook_receiver.url)  # not due yet: nothing is sent
        assert len(webhook_receiver.posts) == 1
        assert early == 30
        clock.advance(seconds=30)
        assert await worker.drain(webhook_receiver.url) == 60  # doubled after the 2nd failure
        target = await store.webhook_target(webhook_receiver.url)
        assert target.failures == 2
        assert target.last_error == "HTTP 503"
        clock.advance(seconds=60)
        await worker.drain(webhook_receiver.url)
    finally:
        await worker.stop()
    assert [post.status for post in webhook_receiver.posts] == [500, 503, 200]
    assert len({post.body for post in webhook_receiver.posts}) == 1  # the same payload each time
    assert await store.webhook_counts() == {"sent": 1}
    assert (await store.webhook_target(webhook_receiver.url)).failures == 0


async def test_a_hanging_receiver_is_cut_by_the_timeout(store, webhook_receiver):
    """A receiver that never answers costs one timeout; the row waits for the next try."""
    await queue(store, 1, webhook_receiver.url)
    webhook_receiver.hang()
    clock = Clock()
    worker = worker_for(store, webhook_receiver.url, timeout=0.2, clock=clock)
    try:
        await worker.drain(webhook_receiver.url)
        target = await store.webhook_target(webhook_receiver.url)
        assert target.last_error == "no answer within 0.2 s"
        assert await store.webhook_counts() == {"pending": 1}
        webhook_receiver.release()
        await webhook_receiver.wait_for(lambda: not webhook_receiver.held)
        webhook_receiver.posts.clear()  # the late answer to the abandoned post
        clock.advance(seconds=1)
        await worker.drain(webhook_receiver.url)
    finally:
        await worker.stop()
    assert len(webhook_receiver.accepted) == 1
    assert await store.webhook_counts() == {"sent": 1}


async def test_a_refused_payload_is_skipped_and_the_next_goes_on(store, webhook_receiver):
    """A 400 refuses that one alert: it is given up (logged), the next one is posted."""
    await queue(store, 2, webhook_receiver.url)
    webhook_receiver.answer_next(400)
    worker = worker_for(store, webhook_receiver.url)
    try:
        await worker.drain(webhook_receiver.url)
    finally:
        await worker.stop()
    assert [post.status for post in webhook_receiver.posts] == [400, 200]
    assert await store.webhook_counts() == {"refused": 1, "sent": 1}
    assert (await store.webhook_target(webhook_receiver.url)).failures == 0


async def test_a_receiver_failing_for_hours_is_paused_and_reported_once(db_path):
    """Six hours of failures pause the receiver and tell the operators once, across restarts."""
    url = closed_port_url()
    store = await SqliteStore.open(db_path)
    await queue(store, 1, url)
    reports: list[str] = []

    async def notify(text: str) -> None:
        reports.append(text)

    clock = Clock()
    worker = worker_for(store, url, clock=clock, notify=notify)
    try:
        await worker.drain(url)
        assert not (await store.webhook_target(url)).is_paused
        clock.advance(hours=7)
        delay = await worker.drain(url)
        assert delay == 3600  # paused: tried once an hour
        clock.advance(hours=1)
        await worker.drain(url)
    finally:
        await worker.stop()
        await store.close()
    target_reports = list(reports)
    assert len(target_reports) == 1
    assert "http://127.0.0.1:" in target_reports[0]
    assert "/hook" not in target_reports[0]  # paths of webhook URLs can be secrets
    assert "paused" in target_reports[0]

    store = await SqliteStore.open(db_path)  # a restart remembers it was reported
    worker = worker_for(store, url, clock=clock, notify=notify)
    try:
        clock.advance(hours=1)
        await worker.drain(url)
        target = await store.webhook_target(url)
    finally:
        await worker.stop()
        await store.close()
    assert target.is_paused
    assert target.failures == 4
    assert len(reports) == 1
    assert await _pending(db_path) == 1  # nothing was given up


async def test_a_paused_receiver_that_answers_again_gets_its_backlog(store, webhook_receiver):
    """Once the paused receiver answers, it is resumed and every waiting alert goes out."""
    await queue(store, 3, webhook_receiver.url)
    webhook_receiver.answer_next(503, 503)
    clock = Clock()
    worker = worker_for(store, webhook_receiver.url, clock=clock)
    try:
        await worker.drain(webhook_receiver.url)
        clock.advance(hours=7)
        await worker.drain(webhook_receiver.url)
        assert (await store.webhook_target(webhook_receiver.url)).is_paused
        clock.advance(hours=1)
        await worker.drain(webhook_receiver.url)
    finally:
        await worker.stop()
    assert len(webhook_receiver.accepted) == 3
    target = await store.webhook_target(webhook_receiver.url)
    assert not target.is_paused
    assert target.failures == 0


async def test_the_worker_runs_on_its_own_and_wakes_for_new_alerts(store, webhook_receiver):
    """Started as the app starts it: a new alert plus wake() reaches the receiver."""
    worker = worker_for(store, webhook_receiver.url)
    worker.start()
    try:
        await queue(store, 1, webhook_receiver.url)
        worker.wake()
        await webhook_receiver.wait_for(lambda: len(webhook_receiver.accepted) == 1)
    finally:
        await worker.stop()
    assert await store.webhook_counts() == {"sent": 1}


def test_signature_and_redaction_helpers():
    """sign() is HMAC-SHA256 in hex; redact_url keeps scheme, host and port only."""
    body = json.dumps({"a": 1}).encode()
    assert sign(body, "k") == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert redact_url("https://hooks.example.org/services/T0/B0/secret") == (
        "https://hooks.example.org/…"
    )
    assert redact_url("http://127.0.0.1:9000") == "http://127.0.0.1:9000"


async def _pending(db_path) -> int:
    store = await SqliteStore.open(db_path)
    try:
        return (await store.webhook_counts()).get("pending", 0)
    finally:
        await store.close()
