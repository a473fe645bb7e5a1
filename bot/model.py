"""The records that flow through the application: feeds, alerts, subscriptions, outbox rows.

Plain frozen dataclasses with no I/O, so every layer (store, services, Telegram front end) shares
them without importing the persistence code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from urllib.parse import urlsplit

from feeds.model import Detection, Item, Level, Pair


def utc_now() -> datetime:
    return datetime.now(UTC)


def start_of_day(now: datetime) -> datetime:
    """Midnight UTC of `now`'s day (the 'today' of /status)."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class FeedState:
    """A watched feed and what the poller last learnt about it."""

    url: str
    title: str
    lang: str | None
    etag: str | None
    last_modified: str | None
    last_polled: datetime | None
    last_ok: datetime | None
    last_error: str | None
    failures: int
    next_poll: datetime | None
    failing_since: datetime | None = None  # the first failure of the current outage
    outage_reported: datetime | None = None  # when the operators were told of this outage
    leased_by: str | None = None  # the worker polling it right now (scale-out)
    lease_until: datetime | None = None  # when that worker's claim runs out if it never finishes

    @property
    def is_failing(self) -> bool:
        return self.failures > 0


@dataclass(frozen=True, slots=True)
class Alert:
    """One story worth telling subscribers, possibly carried by several feeds."""

    id: int
    feed_url: str
    item_key: str
    title: str
    summary: str
    link: str
    published: datetime
    source_title: str
    level: Level
    pairs: tuple[Pair, ...]
    evidence: str
    matched: tuple[str, ...]
    actors: tuple[str, ...]
    lang: str | None
    novelty: str  # the novelty facts as JSON (history.Novelty), or a line stored as text
    created: datetime
    also_reported: int = 0  # other feeds that carried the same story
    also_languages: int = 0  # languages those other feeds wrote it in (0 when not known)

    @property
    def source_name(self) -> str:
        """The feed's title, else its host: 'The Moscow Times', 'www.themoscowtimes.com'."""
        return self.source_title.strip() or urlsplit(self.feed_url).netloc or self.feed_url

    @classmethod
    def of(
        cls, item: Item, detection: Detection, *, created: datetime, novelty: str = "", id: int = 0
    ) -> Alert:
        """The alert an item and its detection make (id 0 until the store assigns one)."""
        return cls(
            id=id,
            feed_url=item.feed_url,
            item_key=item.key,
            title=item.title,
            summary=detection.summary or item.summary,
            link=item.link,
            published=item.published,
            source_title=item.source_title,
            level=detection.level,
            pairs=detection.pairs,
            evidence=detection.evidence,
            matched=detection.matched,
            actors=detection.actors,
            lang=item.lang,
            novelty=novelty,
            created=created,
        )


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a message goes: a chat, or one forum topic of it (thread None: the whole chat)."""

    chat_id: int
    thread_id: int | None = None


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily UTC window in which everything arrives without a sound (`/quiet 22:00-07:00`)."""

    start: time
    end: time

    def covers(self, moment: datetime) -> bool:
        """`moment` falls in the window; a window past midnight wraps to the next day."""
        now = moment.astimezone(UTC).time().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class Subscription:
    """What one chat (or one forum topic of it) asked for."""

    chat_id: int
    chat_type: str
    title: str
    levels: tuple[Level, ...]
    words: tuple[str, ...]
    is_active: bool
    is_instant: bool
    digest_time: str | None
    last_digest: datetime | None
    thread_id: int | None = None
    quiet_hours: QuietHours | None = None
    language: str | None = None  # the chat's interface language, if known (else English)

    @property
    def destination(self) -> Destination:
        return Destination(self.chat_id, self.thread_id)


class OutboxKind(StrEnum):
    """What an outbox row carries: one alert, or a message whose text was written for it."""

    ALERT = "alert"
    DIGEST = "digest"
    BURST = "burst"  # several pending alerts of one chat merged into one message
    NOTICE = "notice"  # to an operator: a feed failing for hours, or working again


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message to queue whose text is already written (digest, burst, notice)."""

    destination: Destination
    kind: OutboxKind
    text: str
    is_silent: bool = False  # sent without a sound whatever the time


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One message waiting to be sent to one chat: an alert, or a written text."""

    id: int
    chat_id: int
    attempts: int
    alert: Alert | None
    kind: OutboxKind = OutboxKind.ALERT
    text: str = ""
    thread_id: int | None = None
    is_silent: bool = False
    quiet_hours: QuietHours | None = None  # of the subscription it goes to, if any
    language: str | None = None  # the chat's interface language, if known (else English)

    @property
    def destination(self) -> Destination:
        return Destination(self.chat_id, self.thread_id)


@dataclass(frozen=True, slots=True)
class BurstPart:
    """One message of a burst: its text and the alert rows it covers."""

    text: str
    row_ids: tuple[int, ...]
    is_silent: bool


@dataclass(frozen=True, slots=True)
class ChatLanguage:
    """A chat's interface language, and whether it was chosen with /language."""

    chat_id: int
    language: str
    is_chosen: bool


@dataclass(frozen=True, slots=True)
class WebhookRow:
    """One alert waiting to be posted to one webhook receiver."""

    id: int
    url: str
    attempts: int
    alert: Alert


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """A webhook receiver's health: its current failing streak, when to try next, if paused."""

    url: str
    failures: int = 0
    failing_since: datetime | None = None
    next_attempt: datetime | None = None
    paused_at: datetime | None = None
    last_error: str | None = None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


@dataclass(frozen=True, slots=True)
class NewStory:
    """A newly seen item with its detection, and the alert it repeats if another feed had it."""

    item: Item
    detection: Detection
    same_as: int | None = None  # alert id of the same story from another feed
    # Chats (or topics) that get it as an instant alert; the caller routes.
    recipients: tuple[Destination, ...] = ()
    webhooks: tuple[str, ...] = ()  # receiver URLs that get it as a JSON POST
    novelty: str = ""
    is_backlog: bool = False  # found on a feed's first poll but too old to alert: seen only
    lang: str | None = None  # the report's language ("en"), for "in 2 languages"


@dataclass(frozen=True, slots=True)
class Mute:
    """A chat asked not to hear about one accuser → accused pair until `until`."""

    id: int
    chat_id: int
    pair: Pair
    until: datetime
    muted_by: int | None = None  # the user who pressed the button


@dataclass(frozen=True, slots=True)
class PairRecord:
    """What the store knows of one accuser → accused pair: its first and last accusation."""

    pair: Pair
    first_seen: datetime
    last_seen: datetime
    count: int


@dataclass(frozen=True, slots=True)
class PairActivity:
    """One accuser → accused pair's accusations up to a moment, as the novelty line needs them."""

    pair: Pair
    latest: datetime | None  # its latest accusation at or before the moment
    counts: tuple[int, ...]  # its accusations within each window asked for, up to the moment
    reply: datetime | None  # the reverse pair's latest accusation within the reply window


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts behind /status and `ceasefire-alerts status`."""

    feeds: int
    failing_feeds: int
    items: int
    items_since: int
    alerts: int
    alerts_since: int
    subscriptions: int
    outbox_pending: int


@dataclass(frozen=True, slots=True)
class WorkerState:
    """A `run` process on a shared database, as its last heartbeat recorded it."""

    name: str  # host:pid:random, as in its log lines
    started: datetime
    last_seen: datetime
    is_sender: bool  # held the sender role (Telegram, delivery, digests, webhooks) then
