"""The poller: one cycle is fetch → parse → unseen → detect → group → store, for every due feed.

A broken feed is recorded and backed off; it never stops or delays the others. Feeds are claimed
a few at a time under a lease (Store.claim_due_feeds), so workers sharing a PostgreSQL database
split the due feeds between them and never fetch one twice in an interval.
May import feeds.* and bot.store/config.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import islice

import httpx

from bot.config import Settings
from bot.errors import StoreUnavailable
from bot.model import Alert, FeedState, NewStory, Subscription, utc_now
from bot.services.filters import Router
from bot.services.history import (
    COUNTER_WINDOW,
    REPEAT_WINDOWS,
    Novelty,
    PendingAccusation,
    activity_of,
    combined,
    event_time,
    novelty_from_activity,
    wanted_pairs,
)
from bot.services.offload import CLASSIFY_IN_THREAD, FeedWork, InProcess
from bot.services.outage import Outage
from bot.store import Store
from feeds.errors import FeedError, FetchError
from feeds.fetch import fetch_feed
from feeds.group import Story, best_match
from feeds.lang import guess_lang
from feeds.model import Detection, Item, Level, Pair
from feeds.parse import parse_feed_async
from feeds.schedule import next_poll_delay
from feeds.truces import TRUCE_MEMORY_DAYS, TruceTracker

log = logging.getLogger(__name__)

AlertSink = Callable[[Sequence[Alert]], Awaitable[None]]
PRUNE_EVERY = timedelta(hours=1)
TRUCE_SEED_LIMIT = 2000  # stored alerts re-read at start to know which truces are in force
LOCAL_WORKER = "local"  # the lease holder's name when one process uses the database
# Feeds claimed per round trip at least (when that many slots are free): fewer claims, and a
# claimed feed still starts at once.
CLAIM_AT_LEAST = 4
CATCH_UP_BATCH = 500  # other workers' alerts read per query

FeedSource = Callable[[int], Awaitable[list[FeedState]]]  # up to n more feeds to poll


@dataclass(slots=True)
class FeedOutcome:
    """What polling one feed gave."""

    url: str
    is_not_modified: bool = False
    error: str | None = None
    new_items: int = 0
    alerts: list[Alert] = field(default_factory=list)


@dataclass(slots=True)
class _BlameRecord:
    """One cycle's view of the accusations on record, for novelty lines.

    A line reads its own pairs' activity through an index (the latest accusation, counts in
    the repeat windows, the latest reply), never a window of everyone's accusations, so its
    cost does not grow with the history. Alerts stored during the cycle are left out of those
    reads (`snapshot_id`) and kept in `pending` instead, so none is counted twice.
    """

    snapshot_id: int
    record_since: datetime | None
    earliest: datetime | None
    pending: list[tuple[datetime, Pair]] = field(default_factory=list)

    @classmethod
    async def load(cls, store: Store) -> _BlameRecord:
        return cls(
            snapshot_id=await store.max_alert_id(),
            record_since=await store.first_alert_time(),
            earliest=await store.first_blame_time(),
        )

    async def novelty(self, store: Store, pairs: Sequence[Pair], now: datetime) -> Novelty:
        now = now.astimezone(UTC)
        activities = []
        for pair in wanted_pairs(pairs):
            stored = await store.pair_activity(
                pair,
                at=now,
                windows=REPEAT_WINDOWS,
                reply_window=COUNTER_WINDOW,
                up_to_id=self.snapshot_id,
            )
            activities.append(combined(stored, activity_of(pair, self.pending, now)))
        earliest = min(
            [t for t in (self.earliest,) if t is not None] + [when for when, _ in self.pending],
            default=None,
        )
        return novelty_from_activity(
            activities, earliest, now=now, on_record_since=self.record_since
        )

    def add(self, pending: PendingAccusation) -> None:
        """A story of this cycle, given its line and about to be stored."""
        when = event_time(pending)
        self.pending.extend((when, pair) for pair in pending.pairs)


@dataclass(slots=True)
class _CycleMemory:
    """What one cycle reads once: recent stories and, when needed, blames and subscriptions."""

    stories: list[tuple[Story, int, datetime]] = field(default_factory=list)  # (…, id, created)
    blame: _BlameRecord | None = None
    ids: set[int] = field(default_factory=set)
    subscriptions: list[Subscription] | None = None

    def add(self, alerts: Iterable[Alert], known: dict[int, Story]) -> None:
        """Alerts stored (by this cycle or another worker's); `known` keeps their stories for
        the next cycles."""
        for alert in alerts:
            if alert.id in self.ids:
                continue
            self.ids.add(alert.id)
            if alert.id not in known:
                known[alert.id] = story_of(alert)
            self.stories.append((known[alert.id], alert.id, alert.created))

    async def blame_record(self, store: Store) -> _BlameRecord:
        if self.blame is None:
            self.blame = await _BlameRecord.load(store)
        return self.blame

    async def chats(self, store: Store) -> list[Subscription]:
        """The active subscriptions, read at the cycle's first alert, not at every feed's."""
        if self.subscriptions is None:
            self.subscriptions = await store.active_subscriptions()
        return self.subscriptions


@dataclass(frozen=True, slots=True)
class CycleReport:
    """One polling cycle, for the log line, /status and `poll --once`."""

    started: datetime
    duration: float
    feeds: int
    not_modified: int
    errors: int
    new_items: int
    alerts: tuple[Alert, ...]
    failures: tuple[tuple[str, str], ...]  # (url, reason)


class Poller:
    """Polls due feeds and turns new items into stored alerts and outbox rows."""

    def __init__(
        self,
        store: Store,
        client: httpx.AsyncClient,
        settings: Settings,
        *,
        route: Router | None = None,  # chats an alert goes to; None stores alerts only
        on_alerts: AlertSink | None = None,
        on_cycle: Callable[[CycleReport], None] | None = None,
        clock: Callable[[], datetime] = utc_now,
        outage: Outage | None = None,
        worker: str = LOCAL_WORKER,
        shares_database: bool = False,  # other workers store alerts in the same database
        work: FeedWork | None = None,  # parsing and classifying: a OffloadPool, else here
    ) -> None:
        self._store = store
        self._client = client
        self._settings = settings
        self._route = route
        self._on_alerts = on_alerts
        self._on_cycle = on_cycle
        self._clock = clock
        self._outage = outage or Outage("polling")
        self._work = work or InProcess()
        self._ingest_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._last_prune: datetime | None = None
        self._memory: _CycleMemory | None = None
        # Stories of recent alerts by id, kept across cycles: building one reads its text for
        # places and counts, too slow to redo for thousands of alerts every cycle.
        self._stories: dict[int, Story] = {}
        self._truces: TruceTracker | None = None
        self._worker = worker
        self._shares_database = shares_database
        # Other workers' alerts up to this id are known here (truce record, story memory).
        self._seen_alert_id = 0
        self._own_alert_ids: set[int] = set()  # ours above it, already remembered

    def wake(self) -> None:
        """Poll now instead of at the next scheduled time (e.g. after /addfeed)."""
        self._wake.set()

    async def poll_once(self, *, force: bool = False) -> CycleReport:
        """Poll every due feed (every feed with force=True, unclaimed) concurrently, once."""
        started = self._clock()
        t0 = time.perf_counter()
        self._memory = None  # read afresh each cycle
        if force:
            everything = iter(await self._store.list_feeds())
            polled, outcomes = await self._poll_from(lambda n: _next(everything, n))
        else:
            # No feed is in our hands between cycles: a lease we still hold is of a poll that
            # could not be recorded (the database went away), so it is polled again now.
            await self._store.release_feeds(self._worker)
            polled, outcomes = await self._poll_from(self._claim)
        alerts = tuple(alert for outcome in outcomes for alert in outcome.alerts)
        report = CycleReport(
            started=started,
            duration=time.perf_counter() - t0,
            feeds=polled,
            not_modified=sum(o.is_not_modified for o in outcomes),
            errors=sum(o.error is not None for o in outcomes),
            new_items=sum(o.new_items for o in outcomes),
            alerts=alerts,
            failures=tuple((o.url, o.error) for o in outcomes if o.error is not None),
        )
        if self._on_cycle is not None:
            self._on_cycle(report)
        await self._store.set_meta("last_cycle", started.isoformat(timespec="seconds"))
        await self._store.set_meta("last_cycle_duration", f"{report.duration:.2f}")
        log.info(
            "poll cycle: %d feeds, %d not modified, %d errors, %d new items, %d alerts, %.2f s",
            report.feeds,
            report.not_modified,
            report.errors,
            report.new_items,
            len(alerts),
            report.duration,
        )
        return report

    async def _claim(self, limit: int) -> list[FeedState]:
        lease = timedelta(seconds=self._settings.feed_lease)
        return await self._store.claim_due_feeds(
            self._worker, self._clock(), limit=limit, lease=lease
        )

    async def _poll_from(self, source: FeedSource) -> tuple[int, list[FeedOutcome]]:
        """Poll the feeds `source` hands out until it runs dry; returns (feeds, outcomes).

        Downloads wait for `gate`; at most 2 × FETCH_CONCURRENCY feeds (body, parse, ingest)
        are in hand at once, so a cold cycle over thousands of feeds never holds them all in
        memory, and a claimed feed starts within one download's time, well inside its lease.
        """
        concurrency = self._settings.fetch_concurrency
        gate = asyncio.Semaphore(concurrency)
        capacity = 2 * concurrency
        running: set[asyncio.Task[FeedOutcome]] = set()
        outcomes: list[FeedOutcome] = []
        polled = 0
        lost: BaseException | None = None
        is_dry = False
        try:
            while True:
                room = capacity - len(running)
                if not is_dry and lost is None and room >= min(CLAIM_AT_LEAST, capacity):
                    try:
                        feeds = await source(room)
                    except StoreUnavailable as exc:
                        lost, feeds = exc, []
                    is_dry = len(feeds) < room
                    polled += len(feeds)
                    running.update(asyncio.create_task(self._poll_feed(f, gate)) for f in feeds)
                if not running:
                    break
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    # Only a database outage gets out of _poll_feed: no more claims this cycle;
                    # the ones in hand finish, and the cycle is retried when the outage ends.
                    if task.exception() is not None:
                        lost = lost or task.exception()
                    else:
                        outcomes.append(task.result())
        finally:
            for task in running:  # cancelled: a feed left half done is fetched again later
                task.cancel()
        if lost is not None:
            raise lost
        return polled, outcomes

    async def run_forever(self) -> None:
        """Poll, prune now and then, sleep until a feed is due; errors never end the loop.

        While the database is away the cycle is retried with a growing pause. Nothing is lost:
        a feed's validators and next poll time are saved only after its items are stored, so
        what a failed cycle fetched is fetched again.
        """
        while True:
            try:
                await self.poll_once()
                await self._maybe_prune()
                delay = await self._seconds_until_due()
                self._outage.recovered()
            except asyncio.CancelledError:
                raise
            except StoreUnavailable as exc:
                delay = self._outage.failed(exc)
            except Exception:
                log.exception("poll cycle failed; trying again next interval")
                delay = self._settings.poll_interval
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def _seconds_until_due(self) -> float:
        due = await self._store.next_due_time()
        delay = self._settings.poll_interval
        if due is not None:
            delay = min(delay, max(0.0, (due - self._clock()).total_seconds()))
        return max(1.0, delay)

    async def _maybe_prune(self) -> None:
        now = self._clock()
        if self._last_prune is not None and now - self._last_prune < PRUNE_EVERY:
            return
        self._last_prune = now
        cutoff = now - timedelta(days=self._settings.retention_days)
        outbox_cutoff = now - timedelta(days=self._settings.outbox_retention_days)
        removed = await self._store.prune(items_before=cutoff, outbox_before=outbox_cutoff)
        if removed:
            log.info("pruned %d items not seen since %s", removed, cutoff.date())

    async def _poll_feed(self, feed: FeedState, gate: asyncio.Semaphore) -> FeedOutcome:
        outcome = FeedOutcome(url=feed.url)
        try:
            await self._poll_feed_inner(feed, gate, outcome)
        except FeedError as exc:
            await self._record_failure(feed, outcome, str(exc), getattr(exc, "retry_after", None))
        except (asyncio.CancelledError, StoreUnavailable):
            raise
        except Exception as exc:  # a bug on one feed must not stop the cycle
            log.exception("unexpected error polling %s", feed.url)
            await self._record_failure(feed, outcome, f"internal error: {exc!r}", None)
        return outcome

    async def _poll_feed_inner(
        self, feed: FeedState, gate: asyncio.Semaphore, outcome: FeedOutcome
    ) -> None:
        settings = self._settings
        async with gate:
            result = await fetch_feed(
                self._client,
                feed.url,
                etag=feed.etag,
                last_modified=feed.last_modified,
                timeout=settings.fetch_timeout,
                max_bytes=settings.fetch_max_bytes,
                allow_private=settings.feed_allow_private,
            )
        now = self._clock()
        if result.is_not_modified:
            outcome.is_not_modified = True
            delay = next_poll_delay(
                interval=settings.poll_interval, failures=0, max_age=result.max_age
            )
            await self._store.record_fetch_ok(
                feed.url, now=now, next_poll=now + timedelta(seconds=delay), is_not_modified=True
            )
            return
        parsed = await self._work.parse(
            result.content, url=result.final_url or feed.url, headers=result.headers, now=now
        )
        items = [_as_of_feed(item, feed.url) for item in parsed.items]
        fresh = await self._store.unseen(feed.url, items, now=now)
        outcome.new_items = len(fresh)
        if fresh:
            outcome.alerts = await self._ingest(feed, fresh, now)
        delay = next_poll_delay(
            interval=settings.poll_interval,
            failures=0,
            max_age=result.max_age,
            ttl_minutes=parsed.ttl_minutes,
        )
        # Validators are saved only after the items are stored: a crash in between means a
        # full re-fetch next time (items already seen), never a 304 that hides new items.
        await self._store.record_fetch_ok(
            feed.url,
            now=now,
            next_poll=now + timedelta(seconds=delay),
            title=parsed.title,
            etag=result.etag,
            last_modified=result.last_modified,
        )

    async def _ingest(self, feed: FeedState, fresh: list[Item], now: datetime) -> list[Alert]:
        detections = await self._detect(fresh)
        # On a feed's first poll its old items are history, not news: remember them silently.
        cutoff = None
        if feed.last_ok is None and self._settings.first_poll_max_age_hours > 0:
            cutoff = now - timedelta(hours=self._settings.first_poll_max_age_hours)
        # Oldest first, so each novelty line sees the accusations published before it.
        found = sorted(zip(fresh, detections, strict=True), key=_published)
        async with self._ingest_lock:
            memory = await self._memory_for(now)
            drafts = [_draft_story(item, found_as, now) for item, found_as in found]
            matches = self._matches(memory, drafts, now)
            is_new = self._shares_database and any(
                _is_news(item, found_as, cutoff) and match is None
                for (item, found_as), match in zip(found, matches, strict=True)
            )
            async with self._alert_turn(is_new):
                if is_new:  # another worker may have stored the same story since we looked
                    await self._catch_up(memory)
                    matches = self._matches(memory, drafts, now)
                stories = await self._new_stories(memory, found, matches, cutoff, now)
                stories = await self._routed(memory, stories, now)
                alerts = await self._store.ingest(feed.url, stories, now=now)
            memory.add(alerts, self._stories)
            if self._shares_database:
                self._own_alert_ids.update(a.id for a in alerts)
        if alerts and self._on_alerts is not None:
            await self._on_alerts(alerts)
        return alerts

    async def _new_stories(
        self,
        memory: _CycleMemory,
        found: list[tuple[Item, Detection]],
        matches: list[int | None],
        cutoff: datetime | None,
        now: datetime,
    ) -> list[NewStory]:
        """Each item as a story: joined to the alert it matches, or new with its novelty line."""
        stories = []
        for (item, detection), same_as in zip(found, matches, strict=True):
            is_backlog = cutoff is not None and item.published < cutoff
            novelty = ""
            if detection.pairs and same_as is None and not is_backlog:
                record = await memory.blame_record(self._store)
                made = min(item.published, now)
                novelty = (await record.novelty(self._store, detection.pairs, made)).encode()
                record.add(PendingAccusation(detection.pairs, item.published, now))
            stories.append(
                NewStory(
                    item,
                    detection,
                    same_as=same_as,
                    novelty=novelty,
                    is_backlog=is_backlog,
                    lang=report_language(item),
                )
            )
        return stories

    def _matches(
        self, memory: _CycleMemory, drafts: list[Story | None], now: datetime
    ) -> list[int | None]:
        """For each item's story (None: plain news), the alert whose story it repeats."""
        window = timedelta(hours=self._settings.group_window_hours)
        recent = [(s, aid) for s, aid, created in memory.stories if created >= now - window]
        known = [s for s, _ in recent]
        matches: list[int | None] = []
        for draft in drafts:
            index = None if draft is None else best_match(draft, known, window=window)
            matches.append(None if index is None else recent[index][1])
        return matches

    async def _routed(
        self, memory: _CycleMemory, stories: list[NewStory], now: datetime
    ) -> list[NewStory]:
        """The stories with the chats and webhooks each new alert goes to.

        The store writes what it is given. Every webhook receiver gets every alert: the payload
        names the level, so receivers filter for themselves.
        """
        alerting = [
            i
            for i, s in enumerate(stories)
            if s.detection.level is not Level.NONE and s.same_as is None and not s.is_backlog
        ]
        if not alerting:
            return stories
        route = self._route
        subscriptions = await memory.chats(self._store) if route is not None else []
        for i in alerting:
            story = stories[i]
            recipients: tuple[int, ...] = ()
            if route is not None:
                draft = Alert.of(story.item, story.detection, created=now, novelty=story.novelty)
                recipients = tuple(route(draft, subscriptions))
            stories[i] = replace(
                story, recipients=recipients, webhooks=self._settings.webhook_urls
            )
        return stories

    def _alert_turn(self, is_new: bool) -> AbstractAsyncContextManager[None]:
        """Other workers wait while we group a new story with theirs and store it: two workers
        polling two feeds of one story at the same moment would each alert it otherwise."""
        return self._store.alert_turn() if is_new else contextlib.nullcontext()

    async def _memory_for(self, now: datetime) -> _CycleMemory:
        """What this cycle knows of stored alerts, read once and kept up to date as it adds."""
        if self._memory is None:
            window = now - timedelta(hours=self._settings.group_window_hours)
            recent = await self._store.recent_alerts(window, limit=5000)
            missing = [a for a in recent if a.id not in self._stories]

            def read() -> dict[int, Story]:
                return {a.id: story_of(a) for a in missing}

            # After a restart thousands are missing: reading them takes seconds, off the loop.
            fresh = await asyncio.to_thread(read) if len(missing) >= CLASSIFY_IN_THREAD else read()
            known = {a.id: self._stories.get(a.id) or fresh[a.id] for a in recent}
            self._stories = known  # alerts older than the window drop out here
            memory = _CycleMemory()
            memory.add(recent, known)
            if self._shares_database:  # and their truce news, since the truce record was read
                await self._catch_up(memory)
            self._memory = memory
        return self._memory

    async def _catch_up(self, memory: _CycleMemory) -> None:
        """Alerts other workers stored since we last looked: the same story from another feed
        then joins theirs, and their truce news counts here too (as after a restart)."""
        while True:
            found = await self._store.alerts_after(self._seen_alert_id, limit=CATCH_UP_BATCH)
            if not found:
                return
            self._seen_alert_id = found[-1].id
            others = [a for a in found if a.id not in self._own_alert_ids]
            self._own_alert_ids = {i for i in self._own_alert_ids if i > self._seen_alert_id}
            memory.add(others, self._stories)
            if self._truces is not None and others:
                texts = [(alert.title, alert.summary, alert.lang) for alert in others]
                found = await self._work.classify(texts, None)
                for alert, detection in zip(others, found, strict=True):
                    self._truces.observe(detection, alert.published)
            if len(found) < CATCH_UP_BATCH:
                return

    async def _detect(self, items: list[Item]) -> list[Detection]:
        truces = await self._truce_tracker()
        context = truces.context(self._clock())
        texts = [(item.title, item.summary, item.lang) for item in items]
        found = await self._work.classify(texts, context)
        # Oldest first, so "truce expired" after "truce took effect" leaves it over.
        for item, detection in sorted(zip(items, found, strict=True), key=_published):
            truces.observe(detection, item.published)
        return found

    async def _truce_tracker(self) -> TruceTracker:
        """The record of truces in force, rebuilt after a restart from the stored alerts."""
        if self._truces is None:
            tracker = TruceTracker()
            if self._shares_database:  # read first: what others store later is caught up
                self._seen_alert_id = await self._store.max_alert_id()
            since = self._clock() - timedelta(days=TRUCE_MEMORY_DAYS)
            stored = list(reversed(await self._store.recent_alerts(since, limit=TRUCE_SEED_LIMIT)))
            # Oldest first; thousands of items, so in a worker or a thread, off the event loop.
            texts = [(alert.title, alert.summary, alert.lang) for alert in stored]
            found = await self._work.classify(texts, None)
            for alert, detection in zip(stored, found, strict=True):
                tracker.observe(detection, alert.published)
            self._truces = tracker
        return self._truces

    async def _record_failure(
        self, feed: FeedState, outcome: FeedOutcome, reason: str, retry_after: float | None
    ) -> None:
        now = self._clock()
        outcome.error = reason
        delay = next_poll_delay(
            interval=self._settings.poll_interval,
            failures=feed.failures + 1,
            retry_after=retry_after,
        )
        log.warning("feed %s failed: %s (next try in %.0f s)", feed.url, reason, delay)
        await self._store.record_fetch_error(
            feed.url, reason, now=now, next_poll=now + timedelta(seconds=delay)
        )


def story_of(alert: Alert) -> Story:
    """What identifies an alert's story; new items go through a draft Alert, so that they and
    the stored alerts they are compared with are read the same way."""
    return Story.of(
        title=alert.title,
        summary=alert.summary,
        link=alert.link,
        level=alert.level,
        published=alert.published,
        pairs=alert.pairs,
        actors=alert.actors,
        lang=alert.lang,
    )


def report_language(item: Item) -> str:
    """The language a report is in, for "also reported by 3 feeds in 2 languages"."""
    return guess_lang(f"{item.title} {item.summary}", item.lang)


async def _next(feeds: Iterator[FeedState], count: int) -> list[FeedState]:
    """The next `count` feeds of a list, as a FeedSource hands them out."""
    return list(islice(feeds, count))


def _draft_story(item: Item, detection: Detection, now: datetime) -> Story | None:
    """The story a new item tells, read as stored alerts are (plain news never joins one)."""
    if detection.level is Level.NONE:
        return None
    return story_of(Alert.of(item, detection, created=now))


def _is_news(item: Item, detection: Detection, cutoff: datetime | None) -> bool:
    """Whether an item may be an alert: not plain news, not first-poll backlog."""
    return detection.level is not Level.NONE and not (
        cutoff is not None and item.published < cutoff
    )


def _published(pair: tuple[Item, Detection]) -> datetime:
    return pair[0].published


def _as_of_feed(item: Item, feed_url: str) -> Item:
    """Key items by the URL we watch, not the one a redirect ended at."""
    return item if item.feed_url == feed_url else replace(item, feed_url=feed_url)


async def check_feed(
    client: httpx.AsyncClient, url: str, settings: Settings, *, now: datetime
) -> str:
    """Fetch and parse a feed once (for `feeds add` and /addfeed); returns its title."""
    try:
        result = await fetch_feed(
            client,
            url,
            timeout=settings.fetch_timeout,
            max_bytes=settings.fetch_max_bytes,
            allow_private=settings.feed_allow_private,
        )
    except FetchError as exc:
        raise FetchError(f"cannot fetch {url}: {exc}") from exc
    parsed = await parse_feed_async(result.content, url=url, headers=result.headers, now=now)
    return parsed.title
