"""The daily digest: its text, when it is due, the job against a real store and the fake API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot

from bot.app import digest_filter
from bot.frontend.delivery import DeliveryWorker, SendLimiter
from bot.model import Alert, Destination, NewStory, OutboxKind, OutboxMessage
from bot.services.digest import (
    DigestTimeError,
    build_digest,
    digest_slot,
    enqueue_due_digests,
    is_digest_due,
    parse_digest_time,
)
from bot.services.filters import matches
from bot.store import SqliteStore
from feeds.model import Detection, Item, Level, Pair
from tests.fakes.telegram_api import parse_telegram_html

TOKEN = "123456:TEST-token"  # noqa: S105 - a fake token for the fake server
DAY = datetime(2024, 3, 13, tzinfo=UTC)  # midnight
AM_AZ = Pair("Armenia", "Azerbaijan")
RU_UA = Pair("Russia", "Ukraine")
FEED = "https://example.org/feed"


def at(hours: float, *, day: int = 0) -> datetime:
    return DAY + timedelta(days=day, hours=hours)


def alert(
    number: int,
    *,
    when: datetime,
    level: Level = Level.BLAME,
    pairs: tuple[Pair, ...] = (),
    actors: tuple[str, ...] = (),
    title: str = "",
) -> Alert:
    return Alert(
        id=number,
        feed_url=FEED,
        item_key=f"k{number}",
        title=title or f"Story {number}",
        summary="",
        link=f"https://example.org/{number}",
        published=when,
        source_title="Example News",
        level=level,
        pairs=pairs,
        evidence="",
        matched=(),
        actors=actors,
        lang="en",
        novelty="",
        created=when,
    )


# -- time of day ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "07:00"),
        ("", "07:00"),
        ("7:30", "07:30"),
        ("07:30", "07:30"),
        ("23:59", "23:59"),
        ("0:00", "00:00"),
        ("07.30", "07:30"),
        ("18h05", "18:05"),
        ("07:30 UTC", "07:30"),
    ],
)
def test_parse_digest_time(text, expected):
    """HH:MM in UTC, a few common spellings; nothing given means 07:00."""
    assert parse_digest_time(text) == expected


@pytest.mark.parametrize("bad", ["24:00", "7:60", "7", "seven", "07:30:00", "-1:00", "7:5"])
def test_parse_digest_time_refuses_non_times(bad):
    """The reply says what is allowed."""
    with pytest.raises(DigestTimeError, match="UTC"):
        parse_digest_time(bad)


@pytest.mark.parametrize(
    ("now", "slot"),
    [(at(7), at(7)), (at(7.5), at(7)), (at(6.99), at(7, day=-1)), (at(23), at(7))],
)
def test_digest_slot_is_the_latest_scheduled_moment(now, slot):
    """Today's 07:00 once it has come, yesterday's before."""
    assert digest_slot("07:00", now) == slot


@pytest.mark.parametrize(
    ("last", "now", "due"),
    [
        (at(7, day=-1), at(6.9), False),  # before today's time
        (at(7, day=-1), at(7), True),  # the minute it comes
        (at(7), at(7.02), False),  # already sent today
        (at(7.01), at(23.9), False),
        (at(7, day=-1), at(9), True),  # down over 07:00: due after the restart
        (at(7, day=-3), at(2), True),  # down for days: one digest, at once
        (None, at(12), True),  # never sent
        (at(6.5), at(7), True),  # subscribed at 06:30: first digest at 07:00
        (at(10), at(7, day=1), True),  # subscribed at 10:00: first digest tomorrow
        (at(10), at(23), False),
    ],
)
def test_is_digest_due(last, now, due):
    """Once per slot: due when its time has come and nothing was sent since."""
    assert is_digest_due("07:00", last, now) is due


@pytest.mark.parametrize("digest_time", [None, "", "garbage"])
def test_no_or_bad_digest_time_is_never_due(digest_time):
    """Chats without a digest (or a bad stored value) never get one."""
    assert is_digest_due(digest_time, None, at(12)) is False


# -- text ----------------------------------------------------------------------------------


def test_digest_groups_by_conflict_busiest_first_with_links():
    """Stories grouped by conflict, in time order, 'Other' last, every link escaped."""
    alerts = [
        alert(1, when=at(9, day=-1), pairs=(AM_AZ,), actors=("Armenia", "Azerbaijan")),
        alert(2, when=at(8, day=-1), level=Level.VIOLATION, actors=("Ukraine",)),
        alert(3, when=at(3), pairs=(RU_UA,), title="Kyiv & Moscow <trade> blame"),
        alert(4, when=at(5), level=Level.VIOLATION, actors=("Mars",)),
        alert(5, when=at(1), level=Level.VIOLATION, actors=("Russia",)),
        alert(6, when=at(6, day=-1), pairs=(RU_UA,)),  # before the window
    ]
    text = build_digest(alerts, day_start=at(7, day=-1), day_end=at(7))
    visible = parse_telegram_html(text)
    assert visible.splitlines()[:2] == [
        "🗞 Daily digest · 12 Mar 07:00 – 13 Mar 07:00 UTC",
        "2 accusations · 3 violation reports",
    ]
    ukraine, karabakh, other = (
        visible.index(s) for s in ("Russia–Ukraine (3)", "Armenia–Azerbaijan (1)", "Other (1)")
    )
    assert ukraine < karabakh < other
    assert visible.index("🟠 08:00") < visible.index("🟠 01:00") < visible.index("🔴 03:00")
    assert "🔴 03:00 Russia → Ukraine: Kyiv & Moscow <trade> blame — Example News" in visible
    assert "Kyiv &amp; Moscow &lt;trade&gt; blame" in text
    assert '<a href="https://example.org/3">' in text
    assert "Story 6" not in visible


def test_empty_digest_says_so():
    """A quiet day still gets its message, so the chat knows the bot is alive."""
    text = build_digest([], day_start=at(7, day=-1), day_end=at(7))
    assert "No ceasefire breaches or accusations reported in these 24 hours." in text


def test_long_digest_is_cut_cleanly():
    """A busy day: at most 4096 characters, whole lines, '…and N more'."""
    alerts = [
        alert(
            n,
            when=at(7, day=-1) + timedelta(minutes=n),
            pairs=(RU_UA,),
            title="Shelling & <drones> " * 20,
        )
        for n in range(200)
    ]
    text = build_digest(alerts, day_start=at(7, day=-1), day_end=at(7))
    assert len(text) <= 4096
    parse_telegram_html(text)
    shown = text.count("🔴")
    assert 0 < shown < 200
    assert text.endswith(f"…and {200 - shown} more")


# -- the job, against a real store, the delivery worker and the fake Bot API ---------------


def wanted(sub, alert) -> bool:
    return matches(sub.levels, sub.words, alert)


@pytest.fixture
async def bot(telegram_api):
    async with Bot(TOKEN, base_url=telegram_api.base_url) as bot:
        yield bot


async def seed(
    store: SqliteStore,
    key: str,
    pairs: tuple[Pair, ...],
    *,
    now: datetime,
    actors: tuple[str, ...] = (),
) -> None:
    item = Item(
        key=key,
        feed_url=FEED,
        title=f"Story {key}",
        summary="",
        link=f"https://example.org/{key}",
        published=now,
        source_title="Example",
    )
    detection = Detection(Level.BLAME, pairs=pairs, evidence="e", actors=actors)
    await store.ingest(FEED, [NewStory(item, detection)], now=now)


async def subscribe(
    store: SqliteStore, chat_id: int, *, now: datetime, words=(), thread_id=None
) -> None:
    await store.subscribe(
        chat_id,
        chat_type="private" if chat_id > 0 else "supergroup",
        levels=(Level.BLAME, Level.VIOLATION),
        words=words,
        now=now,
        is_instant=False,
        digest_time="07:00",
        thread_id=thread_id,
    )
    # What the /subscribe handler does: the first digest comes at the next 07:00.
    await store.set_last_digest(chat_id, now, thread_id=thread_id)


async def digests_at(store, bot, now, *, filter_fn=wanted) -> int:
    """The minute job at `now`, then one delivery round on the same clock; digests queued."""
    queued = await enqueue_due_digests(store, now=now, filter_fn=filter_fn)
    worker = DeliveryWorker(
        bot,
        store,
        limiter=SendLimiter(per_second=0, chat_interval=0, group_per_minute=0),
        clock=lambda: now,
    )
    await worker.run_once()
    return queued


async def test_digest_fires_once_per_day_also_after_a_restart(db_path, bot, telegram_api):
    """Sent at 07:00, not again that day, not after a restart, again the next morning."""
    store = await SqliteStore.open(db_path)
    await subscribe(store, 11, now=at(12, day=-1))
    await store.subscribe(12, chat_type="private", levels=(Level.BLAME,), now=at(12, day=-1))
    await seed(store, "a", (AM_AZ,), now=at(20, day=-1), actors=("Armenia", "Azerbaijan"))
    assert await digests_at(store, bot, at(6.99)) == 0
    assert await digests_at(store, bot, at(7)) == 1
    assert await digests_at(store, bot, at(7.02)) == 0
    await store.close()

    store = await SqliteStore.open(db_path)  # restart
    try:
        assert await digests_at(store, bot, at(7.05)) == 0
        assert await digests_at(store, bot, at(23.9)) == 0
        assert await digests_at(store, bot, at(7, day=1)) == 1
    finally:
        await store.close()
    messages = telegram_api.messages_to(11)
    assert len(messages) == 2
    assert telegram_api.messages_to(12) == []  # instant alerts only: no digest
    first = parse_telegram_html(messages[0].text)
    assert "Armenia–Azerbaijan (1)" in first
    assert "Armenia → Azerbaijan: Story a" in first
    assert messages[0].parse_mode == "HTML"
    assert messages[0].link_preview_options == {"is_disabled": True}
    assert all(m.disable_notification for m in messages)  # digests never ring
    assert "No ceasefire breaches" in messages[1].text  # nothing new the second day


async def test_digest_missed_while_down_is_sent_once_after_restart(db_path, bot, telegram_api):
    """Down over 07:00: the digest goes out at the first run after, and only once."""
    store = await SqliteStore.open(db_path)
    try:
        await subscribe(store, 21, now=at(12, day=-1))
        assert await digests_at(store, bot, at(9.5)) == 1
        assert await digests_at(store, bot, at(9.52)) == 0
    finally:
        await store.close()
    assert len(telegram_api.messages_to(21)) == 1


async def test_digest_uses_the_chat_filter(store_and_bot):
    """A chat that asked for 'ukraine' sees only Ukraine stories in its digest."""
    store, bot, telegram_api = store_and_bot
    await subscribe(store, 31, now=at(12, day=-1), words=("ukraine",))
    await seed(store, "k", (AM_AZ,), now=at(20, day=-1), actors=("Armenia", "Azerbaijan"))
    await seed(store, "u", (RU_UA,), now=at(21, day=-1), actors=("Russia", "Ukraine"))
    assert await digests_at(store, bot, at(7)) == 1
    (message,) = telegram_api.messages_to(31)
    assert "Story u" in message.text
    assert "Story k" not in message.text


async def test_digest_leaves_out_pairs_muted_in_that_chat(store_and_bot):
    """The app's digest filter: a pair muted in one chat is missing from its digest only."""
    store, bot, telegram_api = store_and_bot
    for chat_id in (41, 42):
        await subscribe(store, chat_id, now=at(12, day=-1))
    await store.mute_pair(41, AM_AZ, until=at(12), now=at(6))
    await seed(store, "k", (AM_AZ,), now=at(20, day=-1), actors=("Armenia", "Azerbaijan"))
    await seed(store, "u", (RU_UA,), now=at(21, day=-1), actors=("Russia", "Ukraine"))
    filter_fn = digest_filter(await store.mutes_in_force(at(7)))
    assert await digests_at(store, bot, at(7), filter_fn=filter_fn) == 2
    (muted,) = telegram_api.messages_to(41)
    (other,) = telegram_api.messages_to(42)
    assert "Story u" in muted.text
    assert "Story k" not in muted.text
    assert "Story k" in other.text


async def test_server_error_is_retried_by_the_worker_and_sent_once(store_and_bot):
    """A 500 from Telegram leaves the queued digest pending: it goes out later, exactly once."""
    store, bot, telegram_api = store_and_bot
    await subscribe(store, 41, now=at(12, day=-1))
    telegram_api.fail_next_sends(1)
    assert await digests_at(store, bot, at(7)) == 1
    assert telegram_api.messages_to(41) == []
    assert await digests_at(store, bot, at(7.02)) == 0  # backoff over: sent, not queued again
    assert await digests_at(store, bot, at(7.04)) == 0
    assert len(telegram_api.messages_to(41)) == 1


async def test_digest_meeting_a_flood_wait_waits_and_is_sent_once(store_and_bot):
    """429 retry_after 30: the digest waits its 30 s under the one limiter, then goes once."""
    store, bot, telegram_api = store_and_bot
    await subscribe(store, 45, now=at(12, day=-1))
    telegram_api.force_retry_after(45, 30)
    assert await digests_at(store, bot, at(7)) == 1
    assert await digests_at(store, bot, at(7) + timedelta(seconds=20)) == 0
    assert telegram_api.messages_to(45) == []  # still within the flood wait
    assert await digests_at(store, bot, at(7) + timedelta(seconds=31)) == 0
    assert await digests_at(store, bot, at(7) + timedelta(seconds=60)) == 0
    (digest,) = telegram_api.messages_to(45)
    assert digest.text.startswith("🗞")
    assert [c.status for c in telegram_api.calls_to("sendMessage")] == [429, 200]
    assert await store.outbox_counts() == {"sent": 1}


async def test_blocked_chat_is_deactivated(store_and_bot):
    """403: the subscription is turned off and never tried again."""
    store, bot, telegram_api = store_and_bot
    await subscribe(store, 51, now=at(12, day=-1))
    telegram_api.block(51)
    assert await digests_at(store, bot, at(7)) == 1
    sub = await store.get_subscription(51)
    assert sub is not None
    assert not sub.is_active
    assert await digests_at(store, bot, at(7, day=1)) == 0
    assert await store.outbox_counts() == {"dropped": 1}


async def test_migrated_group_gets_its_digest_at_the_new_id(store_and_bot):
    """'Group migrated to supergroup': the subscription moves and the digest follows."""
    store, bot, telegram_api = store_and_bot
    await subscribe(store, -61, now=at(12, day=-1))
    telegram_api.migrate(-61, -10061)
    assert await digests_at(store, bot, at(7)) == 1
    assert len(telegram_api.messages_to(-10061)) == 1
    assert await store.get_subscription(-61) is None
    assert await digests_at(store, bot, at(7.02)) == 0


async def test_topic_digest_goes_to_its_topic(store_and_bot):
    """A forum topic's digest subscription gets its digest in that topic, silently."""
    store, bot, telegram_api = store_and_bot
    thread = telegram_api.add_topic(-1007070, name="Digests")
    await subscribe(store, -1007070, now=at(12, day=-1), thread_id=thread)
    assert await digests_at(store, bot, at(7)) == 1
    (message,) = telegram_api.messages_to(-1007070)
    assert message.message_thread_id == thread
    assert message.disable_notification


async def test_claim_is_a_compare_and_set(store_and_bot):
    """Two claims of the same slot: only the first queues a digest."""
    store, _, _ = store_and_bot
    await subscribe(store, 71, now=at(12, day=-1))
    message = OutboxMessage(Destination(71), OutboxKind.DIGEST, "🗞 digest", is_silent=True)
    assert await store.claim_digest(message, slot=at(7), now=at(7))
    assert not await store.claim_digest(message, slot=at(7), now=at(7.01))
    assert await store.outbox_counts() == {"pending": 1}
    assert await store.claim_digest(message, slot=at(7, day=1), now=at(7, day=1))
    first, _ = await store.next_outbox(at(8, day=1))
    assert (first.kind, first.text, first.is_silent, first.alert) == (
        OutboxKind.DIGEST,
        "🗞 digest",
        True,
        None,
    )


@pytest.fixture
async def store_and_bot(db_path, bot, telegram_api):
    store = await SqliteStore.open(db_path)
    yield store, bot, telegram_api
    await store.close()
