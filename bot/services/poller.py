"""The poller: one cycle is fetch → parse → unseen → detect → group → store, for every due feed.

A broken feed is recorded and backed off; it never stops or delays the others.
May import feeds.* and bot.store/config.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import httpx

from bot.config import Settings
from bot.errors import StoreUnavailable
from bot.model import Alert, FeedState, NewStory, utc_now
from bot.services.filters import Router
from bot.services.history import (
    RECENT_WINDOW,
    Novelty,
    PendingAccusation,
    event_time,
    novelty_from_record,
)
from bot.services.outage import Outage
from bot.store import Store
from feeds.detect import classify
from feeds.errors import FeedError, FetchError
from feeds.fetch import fetch_feed
from feeds.group import Story, best_match
from feeds.lang import guess_lang
from feeds.model import Detection, Item, Level, Pair, StreamContext
from feeds.parse import parse_feed_async
from feeds.schedule import next_poll_delay
from feeds.truces import TRUCE_MEMORY_DAYS, TruceTracker

log = logging.getLogger(__name__)

AlertSink = Callable[[Sequence[Alert]], Awaitable[None]]
Classifier = Callable[[str, str, str | None, StreamContext | None], Detection]
PRUNE_EVERY = timedelta(hours=1)
TRUCE_SEED_LIMIT = 2000  # stored alerts re-read at start to know which truces are in force
CLASSIFY_IN_THREAD = 50  # items; smaller batches are cheaper to classify on the loop


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

    Reads the per-pair summary and a recent window of blame alerts (indexed, bounded by
    RECENT_WINDOW), never the whole history. Alerts stored during the cycle are left out of
    the window (`snapshot_id`) and kept in `pending` instead, so none is counted twice.
    """

    snapshot_id: int
    record_since: datetime | None
    earliest: datetime | None
    recent: list[tuple[datetime, Pair]] = field(default_factory=list)
    loaded_since: datetime | None = None
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
        start = now - RECENT_WINDOW
        if self.loaded_since is None or start < self.loaded_since:
            events = await store.blame_events(start, self.loaded_since, up_to_id=self.snapshot_id)
            self.recent.extend((when, pair) for when, found in events for pair in found)
            self.loaded_since = start
        wanted = list(dict.fromkeys(p for p in pairs if p.accuser and p.accused))
        records = await store.pair_records(wanted)
        latest: dict[Pair, datetime] = {}
        for pair in wanted:
            times = [when for when, p in self.pending if p == pair and when <= now]
            record = records.get(pair)
            if record is not None and record.first_seen <= now:
                if record.last_seen <= now:
                    times.append(record.last_seen)
                else:  # a late story: its pair was accused again since
                    found = await store.last_blame_at_or_before(pair, now)
                    if found is not None:
                        times.append(found)
            if times:
                latest[pair] = max(times)
        earliest = min(
            [t for t in (self.earliest,) if t is not None] + [when for when, _ in self.pending],
            default=None,
        )
        return novelty_from_record(
            pairs,
            [*self.recent, *self.pending],
            latest,
            earliest,
            now=now,
            on_record_since=self.record_since,
        )

    def add(self, pending: PendingAccusation) -> None:
        """A story of this cycle, given its line and about to be stored."""
        when = event_time(pending)
        self.pending.extend((when, pair) for pair in pending.pairs)


@dataclass(slots=True)
class _CycleMemory:
    """Stored alerts one cycle compares against: recent stories and, if needed, blames."""

    stories: list[tuple[Story, int, datetime]]  # (story, alert id, created)
    blame: _BlameRecord | None = None

    def add(self, alerts: Sequence[Alert], known: dict[int, Story]) -> None:
        """Alerts stored this cycle; `known` keeps their stories for the next cycles."""
        for alert in alerts:
            known[alert.id] = story_of(alert)
            self.stories.append((known[alert.id], alert.id, alert.created))

    async def blame_record(self, store: Store) -> _BlameRecord:
        if self.blame is None:
            self.blame = await _BlameRecord.load(store)
        return self.blame


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
        classifier: Classifier = classify,
        outage: Outage | None = None,
    ) -> None:
        self._store = store
        self._client = client
        self._settings = settings
        self._route = route
        self._on_alerts = on_alerts
        self._on_cycle = on_cycle
        self._clock = clock
        self._classify = classifier
        self._outage = outage or Outage("polling")
        self._ingest_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._last_prune: datetime | None = None
        self._memory: _CycleMemory | None = None
        # Stories of recent alerts by id, kept across cycles: building one reads its text for
        # places and counts, too slow to redo for thousands of alerts every cycle.
        self._stories: dict[int, Story] = {}
        self._truces: TruceTracker | None = None

    def wake(self) -> None:
        """Poll now instead of at the next scheduled time (e.g. after /addfeed)."""
        self._wake.set()

    async def poll_once(self, *, force: bool = False) -> CycleReport:
        """Poll every due feed (every feed with force=True) concurrently, once."""
        started = self._clock()
        t0 = time.perf_counter()
        self._memory = None  # read afresh each cycle; only this process adds alerts
        feeds = await (self._store.list_feeds() if force else self._store.due_feeds(started))
        gate = asyncio.Semaphore(self._settings.fetch_concurrency)
        # Downloads wait for `gate`; whole feeds (body, parse, ingest) for `slots`, so a cold
        # cycle over a thousand feeds never holds a thousand bodies in memory at once.
        slots = asyncio.Semaphore(2 * self._settings.fetch_concurrency)
        finished = await asyncio.gather(
            *(self._poll_feed(feed, gate, slots) for feed in feeds), return_exceptions=True
        )
        # Only a database outage gets out of _poll_feed; the cycle is retried when it ends.
        lost = next((o for o in finished if isinstance(o, BaseException)), None)
        if lost is not None:
            raise lost
        outcomes = [o for o in finished if isinstance(o, FeedOutcome)]
        alerts = tuple(alert for outcome in outcomes for alert in outcome.alerts)
        report = CycleReport(
            started=started,
            duration=time.perf_counter() - t0,
            feeds=len(feeds),
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

    async def _poll_feed(
        self, feed: FeedState, gate: asyncio.Semaphore, slots: asyncio.Semaphore
    ) -> FeedOutcome:
        outcome = FeedOutcome(url=feed.url)
        try:
            async with slots:
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
        parsed = await parse_feed_async(
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
        async with self._ingest_lock:
            memory = await self._memory_for(now)
            window = timedelta(hours=self._settings.group_window_hours)
            recent = [(s, aid) for s, aid, created in memory.stories if created >= now - window]
            known = [s for s, _ in recent]
            stories = []
            # Oldest first, so each novelty line sees the accusations published before it.
            for item, detection in sorted(
                zip(fresh, detections, strict=True), key=lambda pair: pair[0].published
            ):
                same_as = None
                if detection.level is not Level.NONE:  # plain news never joins a story
                    story = story_of(Alert.of(item, detection, created=now))
                    match = best_match(story, known, window=window)
                    same_as = None if match is None else recent[match][1]
                is_backlog = cutoff is not None and item.published < cutoff
                novelty = ""
                if detection.pairs and same_as is None and not is_backlog:
                    record = await memory.blame_record(self._store)
                    made = min(item.published, now)
                    found = await record.novelty(self._store, detection.pairs, made)
                    novelty = found.encode()
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
            stories = await self._routed(stories, now)
            alerts = await self._store.ingest(feed.url, stories, now=now)
            memory.add(alerts, self._stories)
        if alerts and self._on_alerts is not None:
            await self._on_alerts(alerts)
        return alerts

    async def _routed(self, stories: list[NewStory], now: datetime) -> list[NewStory]:
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
        subscriptions = await self._store.active_subscriptions() if route is not None else []
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
            self._memory = _CycleMemory(stories=[(known[a.id], a.id, a.created) for a in recent])
        return self._memory

    async def _detect(self, items: list[Item]) -> list[Detection]:
        truces = await self._truce_tracker()
        context = truces.context(self._clock())

        def run() -> list[Detection]:
            return [self._classify(item.title, item.summary, item.lang, context) for item in items]

        found = await asyncio.to_thread(run) if len(items) >= CLASSIFY_IN_THREAD else run()
        # Oldest first, so "truce expired" after "truce took effect" leaves it over.
        for item, detection in sorted(zip(items, found, strict=True), key=_published):
            truces.observe(detection, item.published)
        return found

    async def _truce_tracker(self) -> TruceTracker:
        """The record of truces in force, rebuilt after a restart from the stored alerts."""
        if self._truces is None:
            tracker = TruceTracker()
            since = self._clock() - timedelta(days=TRUCE_MEMORY_DAYS)
            stored = await self._store.recent_alerts(since, limit=TRUCE_SEED_LIMIT)

            def replay() -> None:  # oldest first; thousands of items, so off the event loop
                for alert in reversed(stored):
                    found = self._classify(alert.title, alert.summary, alert.lang, None)
                    tracker.observe(found, alert.published)

            await asyncio.to_thread(replay)
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
