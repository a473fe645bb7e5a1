"""The store's contract: what the services and the Telegram front end may ask of persistence.

Both backends implement it (`SqliteStore`, the embedded default; `PostgresStore` for several
workers). Callers decide; the store only reads and writes rows, each write in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Protocol

from bot.model import (
    Alert,
    BurstPart,
    ChatLanguage,
    Destination,
    FeedState,
    Mute,
    NewStory,
    OutboxMessage,
    OutboxRow,
    PairActivity,
    PairRecord,
    QuietHours,
    StoreStats,
    Subscription,
    WebhookRow,
    WebhookTarget,
    WorkerState,
)
from feeds.model import Item, Level, Pair

# `unseen` refreshes an item's last_seen at most this often. It only has to stay inside
# RETENTION_DAYS (at least a day) so that prune spares an item its feed still carries;
# rewriting it at every poll cost a random write per carried item per cycle, which on a big
# database is most of a cycle's writes.
LAST_SEEN_STEP = timedelta(hours=1)


class Store(Protocol):
    async def close(self) -> None:
        """Close the connection; safe to call twice."""
        ...

    async def schema_version(self) -> int: ...

    async def set_meta(self, key: str, value: str) -> None: ...

    async def get_meta(self, key: str) -> str | None: ...

    async def setdefault_meta(self, key: str, value: str) -> str:
        """The stored value of `key`, storing `value` first if there is none (first one wins)."""
        ...

    async def add_feed(
        self,
        url: str,
        *,
        now: datetime,
        title: str = "",
        lang: str | None = None,
        added_by: int | None = None,
    ) -> bool:
        """Start watching a feed; False if it was already watched."""
        ...

    async def remove_feed(self, url: str) -> bool:
        """Stop watching a feed (its seen items stay, so re-adding it alerts nothing old)."""
        ...

    async def list_feeds(self) -> list[FeedState]: ...

    async def count_feeds(self) -> int: ...

    async def next_due_time(self) -> datetime | None:
        """When the next feed may be claimed: its next poll, or the end of the lease another
        worker holds on it (None without feeds)."""
        ...

    async def claim_due_feeds(
        self, worker: str, now: datetime, *, limit: int, lease: timedelta
    ) -> list[FeedState]:
        """Lease up to `limit` feeds whose next poll has come to `worker` until `now + lease`,
        oldest due first. A feed another worker leased is skipped until that lease runs out;
        record_fetch_ok and record_fetch_error release the lease."""
        ...

    async def release_feeds(self, worker: str) -> int:
        """Give back every lease `worker` holds (a poll it could not record, the database being
        away); returns how many."""
        ...

    async def record_fetch_ok(
        self,
        url: str,
        *,
        now: datetime,
        next_poll: datetime,
        title: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        is_not_modified: bool = False,
    ) -> None:
        """Remember a successful poll and release the feed's lease; a 304 keeps the validators
        we already had."""
        ...

    async def record_fetch_error(
        self, url: str, error: str, *, now: datetime, next_poll: datetime
    ) -> None:
        """Count a failure, push the next poll back and release the feed's lease; the first
        failure starts an outage."""
        ...

    async def claim_feed_notice(
        self,
        url: str,
        *,
        expected: datetime | None,
        reported: datetime | None,
        messages: Sequence[OutboxMessage],
        now: datetime,
    ) -> bool:
        """Move a feed's outage_reported from `expected` to `reported` and queue `messages`.

        A compare-and-set in one transaction; False (nothing queued) if another run won.
        """
        ...

    async def unseen(self, feed_url: str, items: Sequence[Item], *, now: datetime) -> list[Item]:
        """Items of this feed not stored before; also marks the known ones as still carried."""
        ...

    async def ingest(
        self,
        feed_url: str,
        stories: Sequence[NewStory],
        *,
        now: datetime,
    ) -> list[Alert]:
        """Store new items; create alerts (or add a report to the same story) and outbox rows.

        Each new alert gets one Telegram outbox row per `recipients` chat and one webhook row
        per `webhooks` URL, in the same transaction.
        """
        ...

    def alert_turn(self) -> AbstractAsyncContextManager[None]:
        """While held, no other worker sharing the database stores alerts: what it stored is
        read, and the stories grouped with it, before another can add the same story."""
        ...

    async def recent_alerts(self, since: datetime, *, limit: int = 500) -> list[Alert]:
        """Alerts created at or after `since`, newest first."""
        ...

    async def latest_alerts(
        self, limit: int, *, levels: Iterable[Level] | None = None
    ) -> list[Alert]:
        """The newest alerts of the given levels (all alert levels by default)."""
        ...

    async def get_alert(self, alert_id: int) -> Alert | None: ...

    async def alerts_after(self, alert_id: int, *, limit: int = 1000) -> list[Alert]:
        """Alerts with ids above `alert_id`, oldest first (what other workers stored since)."""
        ...

    async def first_alert_time(self) -> datetime | None:
        """When the history on record begins (the oldest alert or item we hold)."""
        ...

    async def prune(
        self,
        *,
        items_before: datetime,
        outbox_before: datetime | None = None,
        alerts_before: datetime | None = None,
    ) -> int:
        """Forget items not carried by any feed since `items_before`; returns how many went."""
        ...

    async def subscribe(
        self,
        chat_id: int,
        *,
        chat_type: str,
        levels: Iterable[Level],
        words: Iterable[str] = (),
        now: datetime,
        title: str = "",
        is_instant: bool = True,
        digest_time: str | None = None,
        thread_id: int | None = None,
    ) -> Subscription:
        """Create or replace a chat's (or topic's) subscription; quiet hours stay as they were."""
        ...

    async def unsubscribe(self, chat_id: int, *, thread_id: int | None = None) -> bool:
        """Stop alerts for a chat (or one topic of it) and drop what was still waiting there."""
        ...

    async def get_subscription(
        self, chat_id: int, *, thread_id: int | None = None
    ) -> Subscription | None: ...

    async def active_subscriptions(self) -> list[Subscription]: ...

    async def set_quiet_hours(
        self, chat_id: int, quiet_hours: QuietHours | None, *, thread_id: int | None = None
    ) -> bool:
        """Set (None: clear) an active subscription's quiet hours; False if there is none."""
        ...

    async def deactivate_chat(self, chat_id: int, *, reason: str) -> bool:
        """Turn off every subscription of a chat (blocked, kicked, left); drop its waiting rows."""
        ...

    async def deactivate_topic(self, chat_id: int, thread_id: int | None, *, reason: str) -> bool:
        """Turn off one topic's subscription (deleted topic, /unsubscribe); drop its alerts."""
        ...

    async def move_chat(self, old_chat_id: int, new_chat_id: int, *, now: datetime) -> None:
        """A group became a supergroup: its subscriptions, waiting rows and mutes follow."""
        ...

    async def get_chat_language(self, chat_id: int) -> ChatLanguage | None:
        """The chat's interface language, if one was chosen or taken from a subscriber."""
        ...

    async def set_chat_language(
        self, chat_id: int, language: str, *, is_chosen: bool, now: datetime
    ) -> None:
        """Remember a chat's interface language (`is_chosen`: set with /language)."""
        ...

    async def set_last_digest(
        self, chat_id: int, when: datetime, *, thread_id: int | None = None
    ) -> None: ...

    async def enqueue(
        self,
        alert_id: int,
        chat_ids: Iterable[int],
        *,
        now: datetime,
        thread_id: int | None = None,
    ) -> int:
        """Queue an existing alert for chats (once per chat and topic); returns rows added."""
        ...

    async def enqueue_messages(self, messages: Sequence[OutboxMessage], *, now: datetime) -> None:
        """Queue written messages (operator notices and the like) in one transaction."""
        ...

    async def next_outbox(
        self, now: datetime, *, limit: int = 100, chat_id: int | None = None
    ) -> list[OutboxRow]:
        """Pending rows whose time has come (of one chat if given): bursts, then by queue order."""
        ...

    async def pending_counts(self, now: datetime, chat_ids: Sequence[int]) -> dict[int, int]:
        """How many rows of each chat are pending and due (chats without any are left out)."""
        ...

    async def next_outbox_time(self) -> datetime | None:
        """When the earliest postponed pending row becomes due (None if nothing is pending)."""
        ...

    async def merge_burst(
        self, destination: Destination, parts: Sequence[BurstPart], *, now: datetime
    ) -> list[OutboxRow]:
        """Replace pending alert rows of one destination by burst messages; returns those.

        One transaction; empty (nothing changed) if a covered row is no longer pending.
        """
        ...

    async def mark_sent(self, row_id: int, *, message_id: int | None, now: datetime) -> None:
        """The row was sent; so were the alert rows a burst row covers."""
        ...

    async def mark_failed(self, row_id: int, error: str) -> None:
        """Telegram refused the row for good (and the alert rows a burst row covers)."""
        ...

    async def postpone(self, row_id: int, until: datetime, error: str) -> None:
        """Leave a row pending but not before `until` (flood wait, network trouble)."""
        ...

    async def drop_outbox_row(self, row_id: int, reason: str) -> None:
        """Never send a pending row (its pair is muted in that chat, for one)."""
        ...

    async def outbox_counts(self) -> dict[str, int]: ...

    async def next_webhooks(self, url: str, *, limit: int = 50) -> list[WebhookRow]:
        """Pending webhook rows of one receiver, oldest first."""
        ...

    async def mark_webhook_sent(self, row_id: int, *, now: datetime) -> None: ...

    async def record_webhook_attempt(
        self, row_id: int, error: str, *, is_refused: bool = False
    ) -> None:
        """Count a failed post; a refused row (the receiver rejects this payload) is given up."""
        ...

    async def webhook_target(self, url: str) -> WebhookTarget:
        """A receiver's health (a fresh record for one never tried)."""
        ...

    async def save_webhook_target(self, target: WebhookTarget) -> None: ...

    async def webhook_counts(self) -> dict[str, int]:
        """Webhook rows by status."""
        ...

    async def mute_pair(
        self,
        chat_id: int,
        pair: Pair,
        *,
        until: datetime,
        now: datetime,
        muted_by: int | None = None,
    ) -> Mute:
        """Mute a pair in a chat until `until`; muting it again keeps the later end."""
        ...

    async def lift_mute(self, chat_id: int, mute_id: int, *, now: datetime) -> Mute | None:
        """End a mute of this chat now; None if it had already ended or is another chat's."""
        ...

    async def mutes_in_force(self, now: datetime, *, chat_id: int | None = None) -> list[Mute]:
        """Mutes not yet expired (of one chat if given), soonest end first."""
        ...

    async def stats(self, since: datetime) -> StoreStats:
        """Counts for /status: totals and those since `since` (e.g. midnight UTC)."""
        ...

    async def blame_history(self, since: datetime) -> list[Alert]:
        """Blame alerts created at or after `since`, oldest first (the novelty line's record)."""
        ...

    async def max_alert_id(self) -> int:
        """The newest alert id (0 without alerts): a snapshot bound for `pair_activity`."""
        ...

    async def pair_activity(
        self,
        pair: Pair,
        *,
        at: datetime,
        windows: Sequence[timedelta],
        reply_window: timedelta,
        up_to_id: int | None = None,
    ) -> PairActivity:
        """The pair's accusations (of alerts with id ≤ up_to_id) made at or before `at`: the
        latest, how many within each window before `at`, the reverse pair's latest within
        `reply_window`. Read through an index: the cost does not grow with the history."""
        ...

    async def pair_records(self, pairs: Iterable[Pair] | None = None) -> dict[Pair, PairRecord]:
        """The blame_pairs summary of these pairs (all pairs by default)."""
        ...

    async def first_blame_time(self) -> datetime | None:
        """The earliest accusation on record (min first_seen of every pair)."""
        ...

    async def pair_days(self) -> list[tuple[Pair, str, int]]:
        """(pair, UTC day, accusations) of every day on record, for checks and charts."""
        ...

    async def alerts_between(
        self, since: datetime, until: datetime, *, levels: Iterable[Level] | None = None
    ) -> list[Alert]:
        """Alerts created in [since, until) of the given levels (default: all), oldest first."""
        ...

    async def claim_digest(self, message: OutboxMessage, *, slot: datetime, now: datetime) -> bool:
        """Claim the digest of `slot` for the message's destination and queue the message.

        A compare-and-set in the same transaction as the queueing; False if already claimed.
        """
        ...

    async def record_worker(self, name: str, *, now: datetime, is_sender: bool) -> None:
        """A worker's heartbeat: seen at `now`, holding the sender role or not. The role has one
        holder: recording a sender clears the mark of any other (one that died holding it)."""
        ...

    async def recent_workers(self, since: datetime) -> list[WorkerState]:
        """Workers whose last heartbeat was at or after `since`, by name."""
        ...

    async def forget_worker(self, name: str) -> None:
        """Drop a worker that stopped cleanly from the list."""
        ...

    async def forget_workers(self, *, seen_before: datetime) -> int:
        """Drop the workers not heard from since `seen_before` (killed ones); returns how many."""
        ...
