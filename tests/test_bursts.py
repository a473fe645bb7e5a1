"""Bursts: many pending alerts of a chat merged into a few compact messages.

The pure part (burst_parts, the limiter's drain time) on its own; then the real delivery worker,
a real SQLite outbox and the real PTB Bot against the fake Bot API, which enforces Telegram's
limits. The acceptance run uses simulated time ten times faster than the wall clock (the fake
and the worker share the clock), so a minute of Telegram time passes in seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.frontend.burst import MAX_ENTITIES, burst_line, burst_parts, visible_length
from bot.frontend.delivery import DeliveryWorker, SendLimiter
from bot.model import Alert, Destination, NewStory, OutboxRow
from bot.store import SqliteStore
from feeds.model import Detection, Item, Level, Pair
from tests.fakes.clock import FastClock
from tests.fakes.telegram_api import MAX_MESSAGE_LENGTH, parse_telegram_html

TOKEN = "123456:BURST-test"  # noqa: S105 - a fake token for the fake server
NOW = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
FEED = "https://wire.example.org/rss"
PRIVATE, GROUP, FORUM = 5101, -5202, -1005303
SIDES = [
    ("Armenia", "Azerbaijan"),
    ("Russia", "Ukraine"),
    ("Israel", "Hamas"),
    ("India", "Pakistan"),
    ("Sudan", "RSF"),
]
LEVELS = [Level.BLAME, Level.VIOLATION, Level.CEASEFIRE]
UNLIMITED = {"per_second": 0, "chat_interval": 0, "group_per_minute": 0}


def story(number: int) -> NewStory:
    """A story of our own: the level cycles blame → violation → ceasefire news."""
    level = LEVELS[number % 3]
    accuser, accused = SIDES[number % len(SIDES)]
    title = {
        Level.BLAME: f"{accuser} says {accused} broke the truce near the line, dispatch {number}",
        Level.VIOLATION: f"Overnight fire between {accuser} and {accused} reported, dispatch "
        f"{number}",
        Level.CEASEFIRE: f"Envoys of {accuser} and {accused} agree on a pause, dispatch {number}",
    }[level]
    item = Item(
        key=f"dispatch-{number}",
        feed_url=FEED,
        title=title,
        summary="Local officials gave details that could not be checked independently.",
        link=f"https://wire.example.org/world/2025/03/04/dispatch-{number:03d}-front-line-report",
        published=NOW - timedelta(minutes=number),
        source_title="Wire Example",
        lang="en",
    )
    detection = Detection(
        level=level,
        pairs=(Pair(accuser, accused),) if level is Level.BLAME else (),
        actors=(accuser, accused),
    )
    return NewStory(item, detection)


def dispatches(text: str) -> list[int]:
    """The dispatch numbers a message carries, in order."""
    return [int(n) for n in re.findall(r"dispatch (\d+)", parse_telegram_html(text))]


def row(number: int, level: Level = Level.BLAME, **changes) -> OutboxRow:
    """A pending alert row of a Russia → Ukraine story (`changes` replace alert fields)."""
    detection = Detection(level=level, pairs=(Pair("Russia", "Ukraine"),))
    alert = Alert.of(story(number).item, detection, created=NOW, id=number)
    return OutboxRow(id=number, chat_id=PRIVATE, attempts=0, alert=replace(alert, **changes))


# -- the pure part -----------------------------------------------------------------------------


def test_burst_line_has_emoji_pair_headline_and_source_link():
    """One line: level emoji, who accuses whom, the headline, the source as its link."""
    line = burst_line(row(6).alert)
    assert line == (
        "🔴 <b>Russia → Ukraine</b>: Russia says Ukraine broke the truce near the line, "
        'dispatch 6 — <a href="https://wire.example.org/world/2025/03/04/dispatch-006-front-'
        'line-report">Wire Example</a>'
    )
    parse_telegram_html(line)


def test_burst_line_escapes_feed_text_and_refuses_odd_links():
    """Markup in a headline is shown as text; a javascript: link is never clickable."""
    line = burst_line(row(1, title="<b>AT&T</b> </a>", link="javascript:alert(1)").alert)
    assert "&lt;b&gt;AT&amp;T&lt;/b&gt; &lt;/a&gt;" in line
    assert "href" not in line
    assert parse_telegram_html(line).endswith("— Wire Example")


def test_parts_are_most_severe_first_and_cover_each_row_once():
    """Blame, then violations, then ceasefire news; queue order within a level; none lost."""
    rows = [row(n, LEVELS[n % 3]) for n in range(1, 10)]
    (part,) = burst_parts(rows)
    lines = part.text.split("\n")
    assert lines[0] == "⚡ <b>9 new alerts at once</b>, most severe first"
    assert [line[0] for line in lines[1:]] == ["🔴"] * 3 + ["🟠"] * 3 + ["🟢"] * 3
    assert dispatches(part.text) == [3, 6, 9, 1, 4, 7, 2, 5, 8]
    assert sorted(part.row_ids) == list(range(1, 10))
    assert not part.is_silent


def test_long_bursts_split_between_stories_within_telegrams_limits():
    """300 stories: parts of at most 4096 visible characters, cut only between two lines."""
    rows = [row(n, title=f"dispatch {n}: long headline {'word ' * 30}") for n in range(1, 301)]
    parts = burst_parts(rows)
    assert len(parts) > 1
    seen = [n for part in parts for n in dispatches(part.text)]
    assert sorted(seen) == list(range(1, 301))  # every story, each once
    assert sorted(i for part in parts for i in part.row_ids) == list(range(1, 301))
    for number, part in enumerate(parts, start=1):
        assert visible_length(part.text) <= MAX_MESSAGE_LENGTH
        assert len(parse_telegram_html(part.text)) <= MAX_MESSAGE_LENGTH
        assert part.text.count("</") <= MAX_ENTITIES
        assert part.text.split("\n")[0].endswith(f" · {number}/{len(parts)}")
        # Each line after the head is one whole story.
        assert all(line.startswith("🔴 <b>") for line in part.text.split("\n")[1:])


def test_a_part_of_ceasefire_news_only_is_silent():
    """A part rings if it holds a breach; a part of ceasefire news alone does not."""
    rows = [row(1, Level.BLAME)] + [
        row(n, Level.CEASEFIRE, title=f"Pause agreed {'word ' * 30} dispatch {n}")
        for n in range(2, 80)
    ]
    parts = burst_parts(rows)
    assert [part.is_silent for part in parts] == [False] + [True] * (len(parts) - 1)


@pytest.mark.parametrize(
    ("chat", "sent_before", "count", "expected"),
    [
        (PRIVATE, 0, 1, 0.0),
        (PRIVATE, 0, 61, 60.0),  # one a second: the 61st starts a minute later
        (PRIVATE, 0, 62, 61.0),
        (GROUP, 0, 19, 18.0),
        (GROUP, 0, 20, 60.0),  # the 20th waits for the minute's first to age out
        (GROUP, 10, 10, 50.0),  # sent at 0..9 s, now 10 s: the 10th more goes at 60 s
    ],
)
def test_drain_time_uses_the_limiters_numbers(chat, sent_before, count, expected):
    """How long `count` sends to a chat take one by one, from what it already sent."""
    now = [0.0]
    limiter = SendLimiter(
        per_second=0, chat_interval=1.0, group_per_minute=19, clock=lambda: now[0]
    )
    for _ in range(sent_before):
        assert limiter.reserve(chat) == 0
        now[0] += 1.0
    assert limiter.drain_time(chat, count) == pytest.approx(expected)
    assert limiter.reserve(chat) == 0  # drain_time booked nothing


# -- the worker, the store and the fake Bot API -------------------------------------------------


@pytest.fixture
async def store(db_path):
    store = await SqliteStore.open(db_path)
    yield store
    await store.close()


@pytest.fixture
async def bot(telegram_api):
    # Sends to three chats at once: one connection each, as in production.
    async with Bot(TOKEN, base_url=telegram_api.base_url, request=HTTPXRequest(8)) as bot:
        yield bot


async def ingest(store, numbers, *recipients):
    stories = [
        NewStory(s.item, s.detection, recipients=tuple(recipients)) for s in map(story, numbers)
    ]
    return await store.ingest(FEED, stories, now=NOW)


async def test_hundred_stories_reach_private_group_and_topic_in_few_messages(
    store, bot, telegram_api
):
    """100 stories at once: every chat gets each story once, in ≤ 10 messages within 60 s.

    Telegram's limits are enforced by the fake (30/s, 1/s per chat, 20/min per group) on the
    simulated clock; the worker's limiter keeps a margin for real round trips seen 10× slower.
    """
    clock = FastClock(NOW, speed=10)
    telegram_api.clock = clock.monotonic
    telegram_api.set_limits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    topic = telegram_api.add_topic(FORUM, name="Front lines")
    destinations = [Destination(PRIVATE), Destination(GROUP), Destination(FORUM, topic)]
    await ingest(store, range(1, 101), *destinations)
    worker = DeliveryWorker(
        bot,
        store,
        limiter=SendLimiter(chat_interval=1.5, clock=clock.monotonic),
        clock=clock.now,
        monotonic=clock.monotonic,
        sleep=clock.sleep,
    )
    started = clock.monotonic()
    worker.start()
    try:
        await telegram_api.wait_for(
            lambda: all(
                sorted(n for m in telegram_api.messages_to(chat) for n in dispatches(m.text))
                == list(range(1, 101))
                for chat in (PRIVATE, GROUP, FORUM)
            ),
            within=20,
        )
    finally:
        await worker.stop()
    assert telegram_api.rate_limited == 0
    for chat in (PRIVATE, GROUP, FORUM):
        messages = telegram_api.messages_to(chat)
        assert 1 < len(messages) <= 10
        numbers = [n for m in messages for n in dispatches(m.text)]
        assert Counter(numbers) == dict.fromkeys(range(1, 101), 1)  # none twice
        assert max(m.time for m in messages) - started <= 60  # simulated seconds
        assert all(m.link_preview_options == {"is_disabled": True} for m in messages)
        assert not messages[0].disable_notification  # it starts with breaches: it rings
    assert {m.message_thread_id for m in telegram_api.messages_to(FORUM)} == {topic}
    # The 300 alert rows were marked sent together with the burst rows that carried them.
    assert await store.outbox_counts() == {"sent": 300 + len(telegram_api.sent)}


async def test_few_alerts_go_one_by_one(store, bot, telegram_api):
    """Alerts that take less than BURST_DELAY one by one go as full alerts, no burst."""
    await ingest(store, range(1, 4), Destination(PRIVATE))
    worker = DeliveryWorker(
        bot, store, limiter=SendLimiter(**{**UNLIMITED, "chat_interval": 0.05})
    )
    while (await worker.run_once()).sent:
        pass
    texts = [m.text for m in telegram_api.messages_to(PRIVATE)]
    assert len(texts) == 3
    assert all("Read the source" in text for text in texts)
    assert await store.outbox_counts() == {"sent": 3}


async def test_a_burst_covers_the_chats_whole_backlog_not_just_the_batch(store, bot, telegram_api):
    """With many chats waiting, a round reads a slice of each chat's backlog; the burst is
    still made of all of it: one burst of 60 alerts, not six bursts of ten."""
    await ingest(store, range(1, 61), Destination(PRIVATE), Destination(PRIVATE + 1))
    limiter = SendLimiter(**{**UNLIMITED, "chat_interval": 0.05})  # 60 alerts: 3 s > 1 s
    worker = DeliveryWorker(bot, store, limiter=limiter, batch=10, burst_delay=1)
    while (await worker.run_once()).has_progress:
        pass
    for chat in (PRIVATE, PRIVATE + 1):
        messages = telegram_api.messages_to(chat)
        assert all(m.text.startswith("⚡ <b>60 new alerts at once</b>") for m in messages)
        assert sorted(n for m in messages for n in dispatches(m.text)) == list(range(1, 61))
    assert await store.outbox_counts() == {"sent": 120 + len(telegram_api.sent)}


async def test_crash_between_burst_send_and_mark_resends_only_that_part(db_path, telegram_api):
    """Killed while a burst part is in flight: after a restart the part already sent stays
    sent, the lost one goes again with the same stories; no story in two messages.
    """
    store = await SqliteStore.open(db_path)
    await ingest(store, range(1, 151), Destination(PRIVATE))
    # 10 ms per message and bursts past 1 s: 150 alerts are merged, the parts go quickly.
    limits = {**UNLIMITED, "chat_interval": 0.01}
    telegram_api.pause_sends(after=1)  # the first part is accepted, the second hangs
    async with Bot(TOKEN, base_url=telegram_api.base_url) as bot:
        worker = DeliveryWorker(bot, store, limiter=SendLimiter(**limits), burst_delay=1)
        task = asyncio.create_task(worker.run_forever())
        await telegram_api.wait_for(lambda: telegram_api.held_sends == 1)
        task.cancel()  # the crash
        with contextlib.suppress(asyncio.CancelledError):
            await task
    (first,) = telegram_api.sent
    counts = await store.outbox_counts()
    await store.close()
    assert counts["sent"] == 1 + len(dispatches(first.text))  # the part and its rows
    assert counts["merged"] == 150 - len(dispatches(first.text))
    telegram_api.resume_sends()

    store = await SqliteStore.open(db_path)
    try:
        async with Bot(TOKEN, base_url=telegram_api.base_url) as bot:
            worker = DeliveryWorker(bot, store, limiter=SendLimiter(**limits), burst_delay=1)
            while (await worker.run_once()).sent:
                pass
        numbers = [n for m in telegram_api.messages_to(PRIVATE) for n in dispatches(m.text)]
        assert Counter(numbers) == dict.fromkeys(range(1, 151), 1)
        assert set(await store.outbox_counts()) == {"sent"}
    finally:
        await store.close()


async def test_unreachable_chat_drops_the_burst_and_the_rows_it_covers(store, bot, telegram_api):
    """403 on a burst: the chat is turned off; burst and merged rows alike are dropped."""
    await store.subscribe(PRIVATE, chat_type="private", levels=LEVELS, now=NOW)
    await ingest(store, range(1, 31), Destination(PRIVATE))
    telegram_api.block(PRIVATE)
    limiter = SendLimiter(**{**UNLIMITED, "chat_interval": 0.1})  # 30 alerts: 3 s > 1 s
    worker = DeliveryWorker(bot, store, limiter=limiter, burst_delay=1)
    report = await worker.run_once()
    assert (report.merged, report.dropped_chats) == (30, 1)
    assert await store.outbox_counts() == {"dropped": 31}
    assert not (await store.get_subscription(PRIVATE)).is_active
