"""The delivery worker: the one path by which the bot speaks unasked, under Telegram's limits.

Alerts, daily digests, bursts and operator notices are all outbox rows, and this worker sends
them all under one limiter with one error policy. A row is marked sent right after Telegram
accepts it, and that bookkeeping finishes even when the worker is being cancelled, so a restart
resends only what was never accepted. Telegram's answers decide each row's fate: 429 → postponed
by retry_after (never dropped), 5xx/network → retried with backoff, 403/"chat not found" → the
chat's subscriptions are turned off, "message thread not found" → that topic's subscription is
turned off, "migrated" → the subscriptions move and the row is resent there, any other 400 →
the row is marked failed.

While the database is away the worker waits for it (one log line), and a message Telegram
accepted meanwhile is recorded as sent once the database is back, so it does not go out twice.
Mutes are checked here, at send time, not when the poller routes: a pair muted after its alert
was queued is still held back, so every row of a muted pair for that chat is dropped unsent.

When a chat's pending alerts would take longer than `burst_delay` to send one by one, they are
merged into burst messages (bot.frontend.burst) first; the store marks the merged rows sent
together with the burst message that carries them.

With several workers on one PostgreSQL database only the elected sender delivers, and
`may_send` is checked before every send, so a worker that has just lost the role starts no more.
May import telegram, bot.store, bot.services (outage, mutes, silence), bot.frontend.format and
bot.frontend.burst.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Protocol, TypeVar

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.errors import StoreUnavailable
from bot.frontend.burst import burst_parts
from bot.frontend.format import format_alert, is_web_link
from bot.model import Destination, OutboxKind, OutboxRow, utc_now
from bot.services.mutes import is_muted, muted_pairs_by_chat
from bot.services.outage import Outage
from bot.services.silence import is_silent

if TYPE_CHECKING:
    from telegram import Bot, InlineKeyboardMarkup

    from bot.model import Alert
    from bot.store import Store
    from feeds.model import Pair

log = logging.getLogger(__name__)

T = TypeVar("T")


class Formatter(Protocol):
    """Alert → message text in a chat's language (None: English); `format_alert` is one."""

    def __call__(self, alert: Alert, *, language: str | None = None) -> str: ...


# (alert, chat id, the chat's language) → the buttons under the alert in that chat, if any.
Keyboard = Callable[["Alert", int, "str | None"], "InlineKeyboardMarkup | None"]


# Telegram: about 30 messages/s per bot, 1/s per chat, 20/min per group or channel. Delivery
# stays a little under so command replies, which share the budget, do not tip it over.
GLOBAL_PER_SECOND = 25
# Telegram's one-second window. Each send counts from its answer (see SendLimiter.finished),
# so sends booked a second apart can never arrive less than a second apart.
GLOBAL_WINDOW = 1.0
CHAT_INTERVAL = 1.0
GROUP_PER_MINUTE = 19
CONCURRENCY = 8  # sends in flight at once, each to a different chat
BATCH = 500  # outbox rows read per round
BACKOFF_BASE = 2.0  # seconds; doubled per failed attempt of a row
BACKOFF_MAX = 300.0
IDLE_WAKE = 60.0  # look at the outbox at least this often even if nobody wakes us
# Limiter waits up to this long are slept inside a round; longer ones (a chat's 1 s interval,
# a group's minute) hold that chat and end its round, so new rows for others are not kept waiting.
SHORT_WAIT = 0.5
BURST_DELAY = 60.0  # seconds: pending alerts slower than this one by one become a burst
BURST_ROWS = 2000  # a chat's rows merged at most at once; more go in the next round
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
THREAD_GONE = "message thread not found"  # the forum topic was deleted

# A 400 that means the chat is gone for good, like a 403.
_GONE_CHAT = (
    "chat not found",
    "group chat was deactivated",
    "chat_write_forbidden",
    "not enough rights to send",
    "have no rights to send",
    "need administrator rights in the channel chat",
    "peer_id_invalid",
    "user not found",
)


def retry_after_seconds(exc: RetryAfter) -> float:
    """retry_after in seconds, whether PTB gives int or timedelta (PTB_TIMEDELTA)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def is_group_chat(chat_id: int) -> bool:
    """Groups, supergroups and channels have negative ids; users positive ones."""
    return chat_id < 0


@dataclass(slots=True)
class SendLimiter:
    """Sliding-window limits: per bot per second, per chat interval, per group per minute.

    `reserve(chat_id)` either books a send now (returns 0) or says how long to wait. Booking
    happens without an await, so concurrent senders on one loop cannot overbook. `finished`
    moves a send's stamp from its booking to its answer: Telegram counts a message when it
    arrives, which on a slow connection or a busy loop is later than when it was booked, and
    only the answer is sure to come after the arrival.
    """

    per_second: int = GLOBAL_PER_SECOND
    chat_interval: float = CHAT_INTERVAL
    group_per_minute: int = GROUP_PER_MINUTE
    clock: Callable[[], float] = time.monotonic
    _global: deque[float] = field(default_factory=deque)
    _last_send: dict[int, float] = field(default_factory=dict)
    _groups: dict[int, deque[float]] = field(default_factory=dict)
    _in_flight: dict[int, deque[float]] = field(default_factory=dict)  # bookings not answered

    def reserve(self, chat_id: int) -> float:
        """Book a send to chat_id now and return 0, or return the seconds until one fits."""
        now = self.clock()
        waits = [0.0]
        _expire(self._global, now - GLOBAL_WINDOW)
        if self.per_second and len(self._global) >= self.per_second:
            waits.append(self._global[0] + GLOBAL_WINDOW - now)
        last = self._last_send.get(chat_id)
        if last is not None:
            waits.append(last + self.chat_interval - now)
        group = self._groups.get(chat_id) if is_group_chat(chat_id) else None
        if group is not None:
            _expire(group, now - 60.0)
            if self.group_per_minute and len(group) >= self.group_per_minute:
                waits.append(group[0] + 60.0 - now)
        wait = max(waits)
        if wait > 0:
            return wait
        self._global.append(now)
        self._last_send[chat_id] = now
        if is_group_chat(chat_id):
            self._groups.setdefault(chat_id, deque()).append(now)
        self._in_flight.setdefault(chat_id, deque()).append(now)
        self._forget_idle(now)
        return 0.0

    def finished(self, chat_id: int) -> None:
        """The oldest booked send to chat_id has been answered: it counts from now on."""
        flight = self._in_flight.get(chat_id)
        if not flight:
            return
        booked = flight.popleft()
        if not flight:
            del self._in_flight[chat_id]
        now = self.clock()
        # `now` is the latest stamp there is, so appending keeps each window in order.
        _restamp(self._global, booked, now)
        if chat_id in self._groups:
            _restamp(self._groups[chat_id], booked, now)
        self._last_send[chat_id] = now

    def drain_time(self, chat_id: int, count: int) -> float:
        """Seconds from now until the last of `count` sends to chat_id could start.

        Counts the chat's own limits (interval, a group's minute) and what it already sent;
        the bot-wide rate is shared by every chat and left out. Books nothing.
        """
        now = self.clock()
        last = self._last_send.get(chat_id)
        limit = self.group_per_minute if is_group_chat(chat_id) else 0
        window = [t for t in self._groups.get(chat_id, ()) if t > now - 60.0] if limit else []
        at = now
        for _ in range(count):
            if last is not None:
                at = max(at, last + self.chat_interval)
            if limit and len(window) >= limit:
                at = max(at, window[-limit] + 60.0)
            window.append(at)
            last = at
        return at - now

    def _forget_idle(self, now: float) -> None:
        # Keep memory bounded by the number of recently active chats, not all chats ever seen.
        if len(self._last_send) > 4096:
            horizon = now - max(self.chat_interval, 60.0)
            self._last_send = {c: t for c, t in self._last_send.items() if t > horizon}
            self._groups = {c: q for c, q in self._groups.items() if q and q[-1] > horizon}
            self._in_flight = {c: q for c, q in self._in_flight.items() if q[-1] > horizon}


def _restamp(stamps: deque[float], booked: float, now: float) -> None:
    # A booking already expired from the window still arrived within it: count it again.
    with contextlib.suppress(ValueError):
        stamps.remove(booked)
    stamps.append(now)


def _expire(stamps: deque[float], before: float) -> None:
    while stamps and stamps[0] <= before:
        stamps.popleft()


class _Next(Enum):
    """What a chat's remaining rows do after one row's answer."""

    GO_ON = "go on"  # the next row may follow now
    STOP = "stop"  # the chat waits (flood wait, backoff, moved, gone)
    SKIP_TOPIC = "skip topic"  # this topic is gone; the chat's other topics go on


@dataclass(slots=True)
class DeliveryReport:
    """What one round of delivery did."""

    sent: int = 0
    postponed: int = 0
    failed: int = 0
    dropped_chats: int = 0
    dropped_topics: int = 0
    moved_chats: int = 0
    muted: int = 0  # rows dropped because their pair is muted in that chat
    held_chats: int = 0  # chats skipped this round because a limit or flood wait holds them
    merged: int = 0  # alert rows merged into burst messages

    @property
    def has_progress(self) -> bool:
        """Rows left the queue (or moved, or merged): more may be right behind them."""
        return bool(
            self.sent
            or self.failed
            or self.moved_chats
            or self.dropped_chats
            or self.dropped_topics
            or self.muted
            or self.merged
        )


async def _finish(awaitable: Awaitable[T]) -> T:
    """Await to completion even if we are cancelled meanwhile; then re-raise the cancel."""
    task = asyncio.ensure_future(awaitable)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


class DeliveryWorker:
    """Sends due outbox rows; `run_once()` for one round, `run_forever()` as the service loop."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        *,
        limiter: SendLimiter | None = None,
        clock: Callable[[], datetime] = utc_now,
        concurrency: int = CONCURRENCY,
        batch: int = BATCH,
        backoff_base: float = BACKOFF_BASE,
        backoff_max: float = BACKOFF_MAX,
        formatter: Formatter = format_alert,
        keyboard: Keyboard | None = None,
        on_round: Callable[[DeliveryReport], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        outage: Outage | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        burst_delay: float = BURST_DELAY,
        may_send: Callable[[], bool] = lambda: True,  # False: another worker is the sender
    ) -> None:
        self._bot = bot
        self._store = store
        self._limiter = limiter or SendLimiter()
        self._clock = clock
        self._concurrency = concurrency
        self._batch = batch
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._format = formatter
        self._keyboard = keyboard
        self._on_round = on_round
        self._monotonic = monotonic
        self._outage = outage or Outage("delivery")
        self._pause = sleep  # tests pass a faster one together with a faster monotonic clock
        self._burst_delay = burst_delay
        self._may_send = may_send
        self._wake = asyncio.Event()
        self.idle = asyncio.Event()  # set while run_forever waits for work (tests wait on it)
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        # Chat → monotonic time before which its rows wait (flood wait, limits, backoff), so
        # a chat's later rows never overtake one that is waiting.
        self._held: dict[int, float] = {}

    def wake(self) -> None:
        """New rows were queued: look at the outbox now."""
        self._wake.set()

    def start(self) -> asyncio.Task[None]:
        """Run `run_forever` in a task of its own; `stop()` ends it."""
        self._stopping = False
        self._task = asyncio.create_task(self.run_forever(), name="delivery")
        return self._task

    async def stop(self, *, grace: float = 10.0) -> None:
        """Finish the sends in flight (and record them), then end; cancel after `grace` s.

        Cancelling mid-send could lose Telegram's answer to a message it accepted, and that row
        would go out again after a restart; a graceful stop avoids that window.
        """
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=grace)
        except TimeoutError:
            log.warning("delivery did not finish within %.0f s; cancelling it", grace)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_forever(self) -> None:
        """Deliver until cancelled or stopped; errors are logged and never end the loop."""
        while not self._stopping:
            self._wake.clear()
            try:
                report = await self.run_once()
                self._outage.recovered()
                if self._on_round is not None:
                    self._on_round(report)
            except asyncio.CancelledError:
                raise
            except StoreUnavailable as exc:
                await self._sleep(self._outage.failed(exc))
                continue
            except Exception:
                log.exception("delivery round failed; trying again shortly")
                await self._sleep(self._backoff_base)
                continue
            if self._stopping:
                break
            if report.has_progress:
                continue  # there may be more right behind
            await self._sleep(await self._idle_delay())

    async def _sleep(self, delay: float) -> None:
        """Wait `delay` seconds (on the worker's clock) or until woken, whichever is first."""
        self.idle.set()
        waiters = [
            asyncio.ensure_future(self._wake.wait()),
            asyncio.ensure_future(self._pause(max(0.05, delay))),
        ]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            self.idle.clear()

    async def _idle_delay(self) -> float:
        """Seconds until something could be due: a postponed row or a held chat."""
        delays = [IDLE_WAKE]
        due = await self._store.next_outbox_time()
        wait_for_due = (due - self._clock()).total_seconds() if due is not None else None
        if wait_for_due is not None and wait_for_due > 0:
            delays.append(wait_for_due)
        now = self._monotonic()
        self._held = {chat: t for chat, t in self._held.items() if t > now}
        if self._held:
            delays.append(min(self._held.values()) - now)
        elif wait_for_due is not None and wait_for_due <= 0:
            # Rows are due, no chat is held, yet the round sent nothing: something unexpected
            # failed (and was logged); try again soon rather than spin.
            delays.append(self._backoff_base)
        return max(0.05, min(delays))

    async def run_once(self) -> DeliveryReport:
        """Send every due row once (chats in parallel, each in order); report what happened."""
        report = DeliveryReport()
        rows = await self._store.next_outbox(self._clock(), limit=self._batch)
        by_chat: dict[int, list[OutboxRow]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        now = self._monotonic()
        ready = {
            chat: queue for chat, queue in by_chat.items() if self._held.get(chat, 0.0) <= now
        }
        report.held_chats = len(by_chat) - len(ready)
        # A batch may hold only a slice of a chat's backlog; bursts are decided on all of it.
        backlog = await self._store.pending_counts(self._clock(), list(ready)) if ready else {}
        muted = (
            muted_pairs_by_chat(await self._store.mutes_in_force(self._clock())) if rows else {}
        )
        gate = asyncio.Semaphore(self._concurrency)
        texts: dict[tuple[int, str | None], str] = {}
        results = await asyncio.gather(
            *(
                self._deliver_chat(
                    queue, backlog.get(chat, 0), gate, texts, report, muted.get(chat, frozenset())
                )
                for chat, queue in ready.items()
            ),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, StoreUnavailable):
                raise result  # the round ends; run_forever waits for the database
        for result in results:
            # One chat's surprise must not stop the others; the row stays pending.
            if isinstance(result, Exception):
                log.error("delivery to one chat failed unexpectedly", exc_info=result)
        return report

    async def _deliver_chat(
        self,
        queue: list[OutboxRow],
        backlog: int,
        gate: asyncio.Semaphore,
        texts: dict[tuple[int, str | None], str],
        report: DeliveryReport,
        muted: frozenset[Pair],
    ) -> None:
        queue = await self._without_muted(queue, muted, report)
        if not queue:
            return
        queue = await self._with_bursts(queue, backlog, muted, report)
        gone: set[Destination] = set()  # topics deleted while this round ran
        for row in queue:
            if self._stopping:
                return
            if row.destination in gone:
                continue
            text = self._text(row, texts)
            # Book the limiter slot only once a send can start: booked slots that then wait
            # for the gate would all fire together, in a burst the rate limit does not allow.
            async with gate:
                if not await self._take_slot(row.chat_id):
                    report.held_chats += 1
                    return
                try:
                    after = await self._send_row(row, row.chat_id, text, report)
                finally:
                    self._limiter.finished(row.chat_id)
            if after is _Next.SKIP_TOPIC:
                gone.add(row.destination)
            elif after is _Next.STOP:
                return

    def _text(self, row: OutboxRow, texts: dict[tuple[int, str | None], str]) -> str:
        if row.alert is None:
            return row.text
        # One text per alert and language, shared by the chats that read that language.
        key = (row.alert.id, row.language)
        text = texts.get(key)
        if text is None:
            text = texts[key] = self._format(row.alert, language=row.language)
        return text

    async def _without_muted(
        self, queue: list[OutboxRow], muted: frozenset[Pair], report: DeliveryReport
    ) -> list[OutboxRow]:
        """The rows to send; alerts of a pair muted in this chat are dropped unsent."""
        kept = []
        for row in queue:
            if row.alert is not None and is_muted(row.alert, muted):
                await _finish(self._store.drop_outbox_row(row.id, "pair muted in this chat"))
                report.muted += 1
            else:
                kept.append(row)
        return kept

    async def _with_bursts(
        self,
        queue: list[OutboxRow],
        backlog: int,
        muted: frozenset[Pair],
        report: DeliveryReport,
    ) -> list[OutboxRow]:
        """The chat's rows, its alerts merged into bursts if one by one would take too long.

        `backlog` counts every due row of the chat, also those beyond this round's batch. The
        limit is the chat's (all its topics share it); each topic gets bursts of its own.
        """
        chat_id = queue[0].chat_id
        backlog = max(backlog, len(queue))
        if self._limiter.drain_time(chat_id, backlog) <= self._burst_delay:
            return queue
        if backlog > len(queue):
            fetched = await self._store.next_outbox(
                self._clock(), limit=BURST_ROWS, chat_id=chat_id
            )
            queue = await self._without_muted(fetched, muted, report)
        by_topic: dict[Destination, list[OutboxRow]] = {}
        for row in queue:
            if row.kind is OutboxKind.ALERT and row.alert is not None:
                by_topic.setdefault(row.destination, []).append(row)
        replaced: set[int] = set()
        bursts: list[OutboxRow] = []
        for destination, rows in by_topic.items():
            if len(rows) < 2:
                continue
            made = await _finish(
                self._store.merge_burst(
                    destination,
                    burst_parts(rows, language=rows[0].language),  # one chat, one language
                    now=self._clock(),
                )
            )
            # Empty: a row changed under us (unsubscribed); next round reads the outbox afresh.
            replaced.update(row.id for row in rows)
            bursts.extend(made)
            merged = len(rows) if made else 0
            report.merged += merged
            if made:
                log.info(
                    "chat %s: %d alerts merged into %d burst messages", chat_id, merged, len(made)
                )
        return sorted([r for r in queue if r.id not in replaced] + bursts, key=lambda r: r.id)

    async def _take_slot(self, chat_id: int) -> bool:
        """Wait briefly for the limiter; if the wait is long, hold the chat and say False."""
        wait = self._limiter.reserve(chat_id)
        while 0 < wait <= SHORT_WAIT:
            await self._pause(wait)
            wait = self._limiter.reserve(chat_id)
        if wait > 0:
            self._hold(chat_id, wait)
            return False
        return True

    def _hold(self, chat_id: int, seconds: float) -> None:
        until = self._monotonic() + seconds
        self._held[chat_id] = max(self._held.get(chat_id, 0.0), until)

    async def _send_row(
        self,
        row: OutboxRow,
        chat_id: int,
        text: str,
        report: DeliveryReport,
        *,
        is_resend: bool = False,
    ) -> _Next:
        """Send one row and record what became of it; says how this chat's next rows go."""
        if not self._may_send():
            return _Next.STOP  # the row stays pending for the worker that sends now
        try:
            message = await self._bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                link_preview_options=_preview(row),
                reply_markup=self._markup(row, chat_id),
                message_thread_id=row.thread_id,
                disable_notification=is_silent(row, self._clock()),
            )
        except TelegramError as exc:
            return await self._refused(row, chat_id, text, exc, report, is_resend=is_resend)
        # Telegram has it now: record that before anything else can happen, cancel included,
        # and wait out a database outage, or the row would go out again.
        await self._outage.keep_trying(
            lambda: _finish(
                self._store.mark_sent(row.id, message_id=message.message_id, now=self._clock())
            )
        )
        report.sent += 1
        return _Next.GO_ON

    def _markup(self, row: OutboxRow, chat_id: int) -> InlineKeyboardMarkup | None:
        """An alert's buttons; written texts (bursts, digests, notices) have none."""
        if self._keyboard is None or row.alert is None:
            return None
        return self._keyboard(row.alert, chat_id, row.language)

    async def _refused(
        self,
        row: OutboxRow,
        chat_id: int,
        text: str,
        exc: TelegramError,
        report: DeliveryReport,
        *,
        is_resend: bool,
    ) -> _Next:
        """The one error policy, for every kind of row."""
        if isinstance(exc, RetryAfter):
            seconds = retry_after_seconds(exc)
            log.warning(
                "flood wait for chat %s: %.0f s; outbox row %d postponed", chat_id, seconds, row.id
            )
            await self._postpone(row, chat_id, seconds, f"flood wait {seconds:.0f} s")
            report.postponed += 1
            return _Next.STOP
        if isinstance(exc, ChatMigrated):
            await self._move(row, chat_id, int(exc.new_chat_id), text, report, is_resend=is_resend)
            return _Next.STOP
        reason = exc.message.lower()
        if isinstance(exc, BadRequest) and THREAD_GONE in reason and row.thread_id is not None:
            await self._drop_topic(row, exc, report)
            return _Next.SKIP_TOPIC
        if isinstance(exc, Forbidden) or (
            isinstance(exc, BadRequest) and any(marker in reason for marker in _GONE_CHAT)
        ):
            await self._drop_chat(chat_id, exc, report)
            return _Next.STOP
        if isinstance(exc, BadRequest):
            log.warning(
                "Telegram refused outbox row %d for chat %s: %s", row.id, chat_id, exc.message
            )
            await _finish(self._store.mark_failed(row.id, exc.message))
            report.failed += 1
            return _Next.GO_ON
        # 5xx, timeouts, connection trouble, or something new: the row stays pending.
        delay = min(self._backoff_max, self._backoff_base * 2 ** min(row.attempts, 16))
        log.warning(
            "sending outbox row %d to chat %s failed (%s); retry in %.0f s",
            row.id,
            chat_id,
            exc,
            delay,
        )
        await self._postpone(row, chat_id, delay, str(exc))
        report.postponed += 1
        return _Next.STOP

    async def _move(
        self,
        row: OutboxRow,
        chat_id: int,
        new_id: int,
        text: str,
        report: DeliveryReport,
        *,
        is_resend: bool,
    ) -> None:
        log.info(
            "chat %s became supergroup %s; subscription and pending rows moved", chat_id, new_id
        )
        await _finish(self._store.move_chat(chat_id, new_id, now=self._clock()))
        report.moved_chats += 1
        # The row and the chat's other pending rows now belong to the new id: resend this
        # one there now; the others follow next round under the new id.
        if not is_resend and await self._take_slot(new_id):
            try:
                await self._send_row(row, new_id, text, report, is_resend=True)
            finally:
                self._limiter.finished(new_id)

    async def _postpone(self, row: OutboxRow, chat_id: int, seconds: float, reason: str) -> None:
        self._hold(chat_id, seconds)
        until = self._clock() + timedelta(seconds=seconds)
        await _finish(self._store.postpone(row.id, until, reason))

    async def _drop_chat(self, chat_id: int, exc: TelegramError, report: DeliveryReport) -> None:
        log.info(
            "chat %s is unreachable (%s): subscription turned off, pending rows dropped",
            chat_id,
            exc.message,
        )
        await _finish(self._store.deactivate_chat(chat_id, reason=exc.message))
        report.dropped_chats += 1

    async def _drop_topic(
        self, row: OutboxRow, exc: TelegramError, report: DeliveryReport
    ) -> None:
        log.info(
            "topic %s of chat %s is gone (%s): its subscription turned off",
            row.thread_id,
            row.chat_id,
            exc.message,
        )
        await _finish(self._store.deactivate_topic(row.chat_id, row.thread_id, reason=exc.message))
        report.dropped_topics += 1


def _preview(row: OutboxRow) -> LinkPreviewOptions:
    """An alert previews its source; written texts (lists of links) preview nothing."""
    if row.alert is not None and is_web_link(row.alert.link):
        return LinkPreviewOptions(url=row.alert.link, prefer_small_media=True)
    return NO_PREVIEW
