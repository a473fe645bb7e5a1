"""Delivery worker against the fake Bot API and a real SQLite outbox."""

import asyncio
import contextlib
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot

from bot.frontend.buttons import keyboard_maker
from bot.frontend.callback_data import Action, CallbackCodec, new_key
from bot.frontend.delivery import GLOBAL_WINDOW, DeliveryWorker, SendLimiter
from bot.model import NewStory
from bot.store import SqliteStore
from feeds.model import Detection, Item, Level, Pair
from tests.fakes.telegram_api import parse_telegram_html

TOKEN = "123456:DELIVERY-test"  # noqa: S105 - a fake token for the fake server
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
RUSSIA_BLAMES_AZERBAIJAN = (Pair("Russia", "Azerbaijan"),)
UNLIMITED = {"per_second": 0, "chat_interval": 0, "group_per_minute": 0}


@dataclass
class Clock:
    """A test clock for both the store's UTC times and the worker's monotonic holds."""

    utc: datetime = NOW
    mono: float = 1000.0

    def now(self) -> datetime:
        return self.utc

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.utc += timedelta(seconds=seconds)
        self.mono += seconds


@pytest.fixture
async def store(db_path):
    store = await SqliteStore.open(db_path)
    yield store
    await store.close()


@pytest.fixture
async def bot(telegram_api):
    async with Bot(TOKEN, base_url=telegram_api.base_url) as bot:
        yield bot


@pytest.fixture
def clock():
    return Clock()


def make_worker(bot, store, clock, *, keyboard=None, **limits):
    """A worker on the test clock; unlimited unless limits are given."""
    limiter = SendLimiter(**{**UNLIMITED, **limits}, clock=clock.monotonic)
    return DeliveryWorker(
        bot,
        store,
        limiter=limiter,
        clock=clock.now,
        monotonic=clock.monotonic,
        backoff_base=2.0,
        keyboard=keyboard,
    )


async def add_alert(
    store,
    number,
    *,
    title=None,
    summary="Shelling reported overnight.",
    link=None,
    pairs=None,
):
    """Store one blame alert (as the poller would) and return it."""
    item = Item(
        key=f"item-{number}",
        feed_url="https://feed.test/rss",
        title=title or f"Russia blames Azerbaijan for breach number {number}",
        summary=summary,
        link=link or f"https://feed.test/news/{number}",
        published=NOW,
        source_title="Feed Test",
        lang="en",
    )
    detection = Detection(
        level=Level.BLAME,
        pairs=pairs or RUSSIA_BLAMES_AZERBAIJAN,
        matched=("blames",),
        summary=summary,
        actors=tuple(
            dict.fromkeys(
                n for p in pairs or RUSSIA_BLAMES_AZERBAIJAN for n in (p.accuser, p.accused)
            )
        ),
    )
    (alert,) = await store.ingest(item.feed_url, [NewStory(item, detection)], now=NOW)
    return alert


async def subscribe(store, *chat_ids):
    for chat_id in chat_ids:
        chat_type = "private" if chat_id > 0 else "group"
        await store.subscribe(
            chat_id, chat_type=chat_type, levels=(Level.BLAME, Level.VIOLATION), now=NOW
        )


async def queue(store, alert, *chat_ids):
    await subscribe(store, *chat_ids)
    await store.enqueue(alert.id, chat_ids, now=NOW)


async def test_due_rows_are_sent_once_and_marked_sent(bot, store, telegram_api, clock):
    """Every row goes out once, as valid HTML, previewing only the source link."""
    first, second = await add_alert(store, 1), await add_alert(store, 2)
    await queue(store, first, 11, 12, -13)
    await queue(store, second, 11, 12)
    worker = make_worker(bot, store, clock)
    report = await worker.run_once()
    assert report.sent == 5
    assert Counter(m.chat_id for m in telegram_api.sent) == {11: 2, 12: 2, -13: 1}
    assert [m.text.split("\n")[1] for m in telegram_api.messages_to(11)] == [
        f"<b>{first.title}</b>",
        f"<b>{second.title}</b>",
    ]  # a chat's rows keep their order
    for message in telegram_api.sent:
        assert message.parse_mode == "HTML"
        parse_telegram_html(message.text)
        assert message.link_preview_options["url"].startswith("https://feed.test/news/")
    assert (await worker.run_once()).sent == 0
    assert await store.outbox_counts() == {"sent": 5}
    assert len(telegram_api.sent) == 5


async def test_a_worker_that_lost_the_sender_role_starts_no_send(bot, store, telegram_api, clock):
    """may_send false (another worker sends now): nothing goes out, the rows stay pending for
    the sender; true again, they are sent once."""
    alert = await add_alert(store, 1)
    await queue(store, alert, 11, 12)
    is_sender = [False]
    limiter = SendLimiter(**UNLIMITED, clock=clock.monotonic)
    worker = DeliveryWorker(
        bot,
        store,
        limiter=limiter,
        clock=clock.now,
        monotonic=clock.monotonic,
        may_send=lambda: is_sender[0],
    )
    assert (await worker.run_once()).sent == 0
    assert telegram_api.sent == []
    assert await store.outbox_counts() == {"pending": 2}
    is_sender[0] = True
    assert (await worker.run_once()).sent == 2
    assert Counter(m.chat_id for m in telegram_api.sent) == {11: 1, 12: 1}


async def test_flood_wait_postpones_the_row_however_long(bot, store, telegram_api, clock):
    """A 429 of an hour postpones that chat's row; other chats go on; it is sent later."""
    alert = await add_alert(store, 1)
    await queue(store, alert, 21, 22)
    telegram_api.force_retry_after(21, 3600)
    worker = make_worker(bot, store, clock)
    report = await worker.run_once()
    assert (report.sent, report.postponed) == (1, 1)
    assert [m.chat_id for m in telegram_api.sent] == [22]
    clock.advance(3599)
    assert (await worker.run_once()).sent == 0
    assert await store.outbox_counts() == {"pending": 1, "sent": 1}
    clock.advance(2)
    assert (await worker.run_once()).sent == 1
    assert Counter(m.chat_id for m in telegram_api.sent) == {21: 1, 22: 1}


async def test_flood_wait_keeps_a_chats_later_rows_behind(bot, store, telegram_api, clock):
    """Rows queued after a flood-waited row of the same chat do not overtake it."""
    first = await add_alert(store, 1)
    await queue(store, first, 23)
    telegram_api.force_retry_after(23, 60)
    worker = make_worker(bot, store, clock)
    await worker.run_once()
    second = await add_alert(store, 2)
    await store.enqueue(second.id, [23], now=NOW)
    assert (await worker.run_once()).sent == 0
    clock.advance(61)
    await worker.run_once()
    assert [m.text.split("\n")[1] for m in telegram_api.messages_to(23)] == [
        f"<b>{first.title}</b>",
        f"<b>{second.title}</b>",
    ]


async def test_server_errors_are_retried_with_backoff(bot, store, telegram_api, clock):
    """5xx answers leave the row pending; it goes out once the backoff has passed."""
    alert = await add_alert(store, 1)
    await queue(store, alert, 31)
    telegram_api.fail_next_sends(2, code=500)
    worker = make_worker(bot, store, clock)
    assert (await worker.run_once()).postponed == 1
    clock.advance(2.5)  # first backoff: 2 s
    assert (await worker.run_once()).postponed == 1
    clock.advance(2.5)  # second backoff: 4 s, not over yet
    assert (await worker.run_once()).sent == 0
    clock.advance(2)
    assert (await worker.run_once()).sent == 1
    assert len(telegram_api.messages_to(31)) == 1


@pytest.mark.parametrize("fault", ["blocked", "kicked", "deactivated", "not_found"])
async def test_unreachable_chat_is_deactivated_and_its_rows_dropped(
    bot, store, telegram_api, clock, fault
):
    """403 (blocked, kicked) and 'chat not found' turn the subscription off for good."""
    first, second = await add_alert(store, 1), await add_alert(store, 2)
    await queue(store, first, 41, 42)
    await store.enqueue(second.id, [41], now=NOW)
    telegram_api.fail_chat(41, fault)
    worker = make_worker(bot, store, clock)
    report = await worker.run_once()
    assert (report.dropped_chats, report.sent) == (1, 1)
    assert not (await store.get_subscription(41)).is_active
    assert (await store.get_subscription(42)).is_active
    assert await store.outbox_counts() == {"dropped": 2, "sent": 1}
    assert [m.chat_id for m in telegram_api.sent] == [42]


async def test_migrated_group_moves_and_resends_there(bot, store, telegram_api, clock):
    """'Upgraded to a supergroup' moves the subscription and pending rows to the new id."""
    first, second = await add_alert(store, 1), await add_alert(store, 2)
    await queue(store, first, -51)
    await store.enqueue(second.id, [-51], now=NOW)
    telegram_api.migrate(-51, -100051)
    worker = make_worker(bot, store, clock)
    report = await worker.run_once()
    assert (report.moved_chats, report.sent) == (1, 1)
    await worker.run_once()
    assert len(telegram_api.messages_to(-100051)) == 2
    assert telegram_api.messages_to(-51) == []
    assert await store.get_subscription(-51) is None
    moved = await store.get_subscription(-100051)
    assert moved.is_active
    assert moved.chat_type == "supergroup"
    assert await store.outbox_counts() == {"sent": 2}


async def test_muted_pair_is_held_back_in_that_chat_only(bot, store, telegram_api, clock):
    """A mute pressed after the rows were queued still stops that pair there, nothing else."""
    russia = await add_alert(store, 1)
    armenia = await add_alert(store, 2, pairs=(Pair("Armenia", "Azerbaijan"),))
    await queue(store, russia, 11, 12)
    await queue(store, armenia, 11, 12)
    await store.mute_pair(
        11, Pair("Russia", "Azerbaijan"), until=NOW + timedelta(hours=24), now=NOW
    )
    report = await make_worker(bot, store, clock).run_once()
    assert (report.sent, report.muted) == (3, 1)
    assert [m.text.split("\n")[1] for m in telegram_api.messages_to(11)] == [
        f"<b>{armenia.title}</b>"
    ]
    assert len(telegram_api.messages_to(12)) == 2
    assert await store.outbox_counts() == {"sent": 3, "dropped": 1}

    clock.advance(24 * 3600)  # the mute has ended: the pair comes through again
    later = await add_alert(store, 3)
    await store.enqueue(later.id, [11], now=clock.utc)
    assert (await make_worker(bot, store, clock).run_once()).sent == 1
    assert telegram_api.messages_to(11)[-1].text.split("\n")[1] == f"<b>{later.title}</b>"


def button_data(message):
    """Callback data of every inline button under a sent message, in order."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


async def test_alerts_carry_buttons_signed_for_the_chat_they_reach(
    bot, store, telegram_api, clock
):
    """Mute, more and why under each alert; a migrated group's resend is signed for its new id."""
    codec = CallbackCodec(new_key())
    alert = await add_alert(store, 1)
    await queue(store, alert, 11, -51)
    telegram_api.migrate(-51, -100051)
    worker = make_worker(bot, store, clock, keyboard=keyboard_maker(codec))
    await worker.run_once()
    for chat_id in (11, -100051):
        (message,) = telegram_api.messages_to(chat_id)
        presses = [codec.decode(data, chat_id) for data in button_data(message)]
        assert [(p.action, p.target) for p in presses] == [
            (Action.MUTE, alert.id),
            (Action.MORE, alert.id),
            (Action.WHY, alert.id),
        ]


async def test_other_bad_request_marks_the_row_failed(bot, store, telegram_api, clock, caplog):
    """A 400 that is not about the chat fails that row only, logged; the next row goes out."""
    bad, good = await add_alert(store, 1), await add_alert(store, 2)
    await queue(store, bad, 61)
    await store.enqueue(good.id, [61], now=NOW)
    limiter = SendLimiter(**UNLIMITED)
    worker = DeliveryWorker(
        bot,
        store,
        limiter=limiter,
        clock=clock.now,
        formatter=lambda alert, language=None: "<p>broken</p>" if alert.id == bad.id else "fine",
    )
    with caplog.at_level(logging.WARNING, logger="bot.frontend.delivery"):
        report = await worker.run_once()
    assert (report.failed, report.sent) == (1, 1)
    assert "Can't parse entities" in caplog.text
    assert await store.outbox_counts() == {"failed": 1, "sent": 1}
    assert (await store.get_subscription(61)).is_active


async def test_hostile_feed_text_arrives_escaped(bot, store, telegram_api, clock):
    """<script>, a stray </b> and & in feed text are accepted by the HTML check, shown as text."""
    alert = await add_alert(
        store,
        1,
        title="</b><script>alert(1)</script> AT&T",
        summary="x < y & z > w </i>",
        link='https://feed.test/a?b=1&c="2"',
    )
    await queue(store, alert, 71)
    assert (await make_worker(bot, store, clock).run_once()).sent == 1
    (message,) = telegram_api.sent
    visible = parse_telegram_html(message.text)
    assert "</b><script>alert(1)</script> AT&T" in visible
    assert "x < y & z > w </i>" in visible
    assert message.link_preview_options["url"] == 'https://feed.test/a?b=1&c="2"'


async def test_fifty_chats_under_limits_get_exactly_one_each(bot, store, telegram_api):
    """With the fake's limits turned down and the worker under them: no 429, no duplicate."""
    telegram_api.set_limits(global_per_second=40, per_chat_per_second=1, per_group_per_minute=2)
    private = list(range(1001, 1046))
    groups = [-2001, -2002, -2003, -2004, -2005]
    alerts = [await add_alert(store, n) for n in range(3)]
    await queue(store, alerts[0], *private, *groups)
    for alert in alerts[1:]:
        await store.enqueue(alert.id, [1001, *groups], now=NOW)  # 1/s per chat, 2/min per group
    # Margins absorb scheduling jitter between our clock and the fake's on a loaded machine.
    worker = DeliveryWorker(
        bot, store, limiter=SendLimiter(per_second=30, chat_interval=1.5, group_per_minute=2)
    )
    expected = len(private) + 2 + 2 * len(groups)
    started = time.monotonic()
    worker.start()
    try:
        await telegram_api.wait_for_messages(expected, within=20)
    finally:
        await worker.stop()
    elapsed = time.monotonic() - started
    counts = Counter(m.chat_id for m in telegram_api.sent)
    assert all(counts[chat] == 1 for chat in private[1:])
    assert counts[1001] == 3
    assert all(counts[group] == 2 for group in groups)  # the third waits for the minute
    assert len(telegram_api.sent) == expected
    assert telegram_api.rate_limited == 0
    assert await store.outbox_counts() == {"sent": expected, "pending": len(groups)}
    logging.getLogger(__name__).info("%d messages in %.2f s", expected, elapsed)


async def test_tighter_fake_limits_cause_429s_but_still_exactly_once(bot, store, telegram_api):
    """When Telegram is stricter than our limiter, 429s are waited out and nothing repeats."""
    telegram_api.set_limits(global_per_second=8)
    chats = list(range(3001, 3021))
    await queue(store, await add_alert(store, 1), *chats)
    worker = DeliveryWorker(bot, store, limiter=SendLimiter(per_second=30))
    worker.start()
    try:
        await telegram_api.wait_for_messages(len(chats), within=20)
    finally:
        await worker.stop()
    assert telegram_api.rate_limited > 0
    assert Counter(m.chat_id for m in telegram_api.sent) == dict.fromkeys(chats, 1)
    assert await store.outbox_counts() == {"sent": len(chats)}


async def test_wake_delivers_new_rows_at_once(bot, store, telegram_api, clock):
    """An idle worker sends a newly queued row when woken, not at its next idle check."""
    worker = make_worker(bot, store, clock)
    task = asyncio.create_task(worker.run_forever())
    try:
        await asyncio.wait_for(worker.idle.wait(), timeout=5)  # idle on an empty outbox
        await queue(store, await add_alert(store, 1), 81)
        worker.wake()
        await telegram_api.wait_for_messages(1, within=5)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert [m.chat_id for m in telegram_api.sent] == [81]


async def test_crash_mid_delivery_then_restart_sends_the_rest_once(db_path, telegram_api):
    """Kill the worker after k of n sends; a new one on the same file sends n-k, none twice.

    One send at a time, so when the (k+1)th request hangs the k before it are recorded; a
    message Telegram accepted in the very instant of a crash is the one case that can repeat.
    """
    chats = list(range(4001, 4013))
    store = await SqliteStore.open(db_path)
    await queue(store, await add_alert(store, 1), *chats)
    telegram_api.pause_sends(after=5)
    async with Bot(TOKEN, base_url=telegram_api.base_url) as bot:
        worker = DeliveryWorker(bot, store, limiter=SendLimiter(**UNLIMITED), concurrency=1)
        task = asyncio.create_task(worker.run_forever())
        await telegram_api.wait_for(lambda: telegram_api.held_sends == 1)
        assert len(telegram_api.sent) == 5
        task.cancel()  # the crash: the hung send is abandoned
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await store.close()
    assert await _count_sent(db_path) == 5
    telegram_api.resume_sends()

    store = await SqliteStore.open(db_path)
    try:
        async with Bot(TOKEN, base_url=telegram_api.base_url) as bot:
            report = await DeliveryWorker(bot, store, limiter=SendLimiter(**UNLIMITED)).run_once()
        assert report.sent == len(chats) - 5
        assert Counter(m.chat_id for m in telegram_api.sent) == dict.fromkeys(chats, 1)
        assert await store.outbox_counts() == {"sent": len(chats)}
    finally:
        await store.close()


async def _count_sent(db_path):
    store = await SqliteStore.open(db_path)
    try:
        return (await store.outbox_counts()).get("sent", 0)
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("limits", "sends", "next_chat", "expected_wait"),
    [
        ({"per_second": 2, "chat_interval": 0, "group_per_minute": 0}, [1, 2], 3, GLOBAL_WINDOW),
        ({"per_second": 0, "chat_interval": 1.0, "group_per_minute": 0}, [1], 1, 1.0),
        ({"per_second": 0, "chat_interval": 1.0, "group_per_minute": 0}, [1], 2, 0.0),
        ({"per_second": 0, "chat_interval": 0, "group_per_minute": 2}, [-1, -1], -1, 60.0),
        ({"per_second": 0, "chat_interval": 0, "group_per_minute": 2}, [-1, -1], -2, 0.0),
        ({"per_second": 0, "chat_interval": 0, "group_per_minute": 2}, [1, 1], 1, 0.0),
    ],
)
def test_send_limiter_windows(limits, sends, next_chat, expected_wait):
    """Global per second, per chat interval and per group per minute, on a frozen clock."""
    clock = Clock()
    limiter = SendLimiter(**limits, clock=clock.monotonic)
    for chat in sends:
        assert limiter.reserve(chat) == 0
    assert limiter.reserve(next_chat) == pytest.approx(expected_wait)


def test_send_limiter_frees_up_as_time_passes():
    """A window frees one slot as its oldest send ages out."""
    clock = Clock()
    limiter = SendLimiter(per_second=0, chat_interval=0, group_per_minute=2, clock=clock.monotonic)
    limiter.reserve(-5)
    clock.advance(10)
    limiter.reserve(-5)
    assert limiter.reserve(-5) == pytest.approx(50)
    clock.advance(50)
    assert limiter.reserve(-5) == 0
    assert limiter.reserve(-5) == pytest.approx(10)


def test_send_limiter_counts_a_send_from_its_answer():
    """A send answered 0.3 s after its booking counts from the answer: the chat's next send,
    the group's minute and the bot's second all run from there."""
    clock = Clock()
    limiter = SendLimiter(
        per_second=1, chat_interval=1.0, group_per_minute=1, clock=clock.monotonic
    )
    assert limiter.reserve(-7) == 0
    clock.advance(0.3)
    limiter.finished(-7)
    clock.advance(0.7)
    assert limiter.reserve(-7) == pytest.approx(59.3)  # the group's minute, from the answer
    assert limiter.reserve(8) == pytest.approx(GLOBAL_WINDOW - 0.7)  # the bot's window too
    limiter.finished(9)  # a chat with nothing in flight: nothing changes
    clock.advance(GLOBAL_WINDOW)
    assert limiter.reserve(8) == 0
