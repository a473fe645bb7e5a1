"""Command handlers through the real PTB Application, talking to the fake Bot API."""

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from telegram import Update
from telegram.ext import ApplicationBuilder

from bot.config import Settings
from bot.frontend.context import SERVICES_KEY, Services
from bot.frontend.handlers import (
    COMMANDS,
    ERROR_REPLY,
    NOT_ADMIN,
    NOT_OPERATOR,
    SubscribeRequest,
    parse_subscribe_command,
    register,
)
from bot.model import NewStory
from bot.services.digest import is_digest_due
from bot.services.filters import BREACH_LEVELS, FilterError
from bot.store import SqliteStore
from feeds.fetch import make_client
from feeds.model import Detection, Item, Level, Pair
from tests.fakes.feed_server import FAULTS
from tests.fakes.telegram_api import parse_telegram_html

TOKEN = "123456:HANDLERS-test"  # noqa: S105 - a fake token for the fake server
OPERATOR = 777
NOW = datetime.now(UTC).replace(microsecond=0)
RUSSIA_BLAMES_AZERBAIJAN = (Pair("Russia", "Azerbaijan"),)


@pytest.fixture
async def store(db_path):
    store = await SqliteStore.open(db_path)
    yield store
    await store.close()


def make_application(telegram_api, *, polling=False):
    builder = ApplicationBuilder().token(TOKEN).base_url(telegram_api.base_url)
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    register(application)
    return application


@pytest.fixture
async def app(telegram_api, store, db_path):
    """The real Application with our handlers and Services, initialised against the fake."""
    settings = Settings(
        telegram_bot_token=TOKEN,
        telegram_api_url=telegram_api.base_url,
        database_path=db_path,
        admin_user_ids=frozenset({OPERATOR}),
        feed_allow_private=True,
        fetch_timeout=5.0,
    )
    application = make_application(telegram_api)
    async with make_client() as client:
        application.bot_data[SERVICES_KEY] = Services(
            store=store, settings=settings, client=client
        )
        async with application:
            await application.start()  # non-blocking handlers run as the app's tasks
            try:
                yield application
            finally:
                await application.stop()


async def send(app, telegram_api, chat_id, text, **kw):
    """Process one command update and return the replies it produced in that chat.

    Every command answers; non-blocking handlers (/addfeed) answer from a task, so wait for it.
    """
    before = len(telegram_api.messages_to(chat_id))
    payload = telegram_api.command_update(chat_id, text, **kw)
    await app.process_update(Update.de_json(payload, app.bot))
    await telegram_api.wait_for_messages(before + 1, chat_id=chat_id, within=10)
    return [m.text for m in telegram_api.messages_to(chat_id)[before:]]


async def add_alert(
    store,
    number,
    *,
    title,
    actors=("Russia", "Azerbaijan", "Armenia"),
    pairs=RUSSIA_BLAMES_AZERBAIJAN,
    created=NOW,
):
    item = Item(
        key=f"k{number}",
        feed_url="https://feed.test/rss",
        title=title,
        summary="Details follow.",
        link=f"https://feed.test/{number}",
        published=created,
        source_title="Feed Test",
        lang="en",
    )
    detection = Detection(level=Level.BLAME, pairs=pairs, summary="Details follow.", actors=actors)
    (alert,) = await store.ingest(item.feed_url, [NewStory(item, detection)], now=created)
    return alert


async def test_start_and_help_explain_the_commands(app, telegram_api):
    """/start answers with the commands and an example; operators also see theirs."""
    (text,) = await send(app, telegram_api, 5, "/start")
    assert "/subscribe" in text
    assert "/latest" in text
    assert "Russia → Azerbaijan" in text
    assert "/addfeed" not in text
    (text,) = await send(app, telegram_api, OPERATOR, "/help")
    assert "/addfeed" in text


async def test_commands_are_accepted_by_set_my_commands(app, telegram_api):
    """COMMANDS passes Telegram's checks on names and descriptions."""
    assert await app.bot.set_my_commands(COMMANDS)
    assert {c["command"] for c in telegram_api.commands} >= {
        "subscribe",
        "unsubscribe",
        "latest",
        "filters",
        "status",
        "feeds",
        "help",
        "start",
        "tally",
        "chart",
        "quiet",
    }


async def test_help_shows_digest_tally_and_chart_with_examples(app, telegram_api):
    """/help explains the digest syntax and gives an example of each new command."""
    (text,) = await send(app, telegram_api, 6, "/help")
    for example in (
        "/subscribe digest 07:30",
        "/subscribe both 18:00 ukraine",
        "/tally 30 armenia",
        "/chart 14",
        "/quiet 22:00-07:00",
    ):
        assert example in text
    assert "inside a topic" in text


async def test_subscribe_filters_and_unsubscribe_in_a_private_chat(app, telegram_api, store):
    """Subscribing, re-subscribing (replaces), showing and stopping, all from the chat."""
    (text,) = await send(app, telegram_api, 10, "/subscribe")
    assert text.startswith("Subscribed: breaches")
    sub = await store.get_subscription(10)
    assert (sub.levels, sub.words, sub.chat_type) == (BREACH_LEVELS, (), "private")
    await send(app, telegram_api, 10, "/subscribe blame azerbaijan armenia")
    sub = await store.get_subscription(10)
    assert (sub.levels, sub.words) == ((Level.BLAME,), ("azerbaijan", "armenia"))
    (text,) = await send(app, telegram_api, 10, "/filters")
    assert "blame only" in text
    assert "“azerbaijan” or “armenia”" in text
    (text,) = await send(app, telegram_api, 10, "/unsubscribe")
    assert text.startswith("Unsubscribed")
    assert not (await store.get_subscription(10)).is_active
    (text,) = await send(app, telegram_api, 10, "/filters")
    assert "not subscribed" in text


async def test_wrong_subscribe_arguments_get_the_usage(app, telegram_api, store):
    """A bad argument is explained in one reply and changes nothing."""
    (text,) = await send(app, telegram_api, 11, "/subscribe ???")
    assert "Usage: /subscribe [level] [filter words]" in text
    assert await store.get_subscription(11) is None


@pytest.mark.parametrize(
    ("kw", "allowed"),
    [
        ({"user_id": 50}, False),  # plain member
        ({"user_id": 51}, True),  # administrator
        ({"user_id": 52}, True),  # creator
        ({"anonymous_admin": True}, True),
    ],
)
async def test_only_group_admins_change_the_subscription(app, telegram_api, store, kw, allowed):
    """In a group, getChatMember decides; members are told who may do it."""
    telegram_api.set_admins(-100200, 51, creator=52)
    (text,) = await send(app, telegram_api, -100200, "/subscribe armenia", **kw)
    sub = await store.get_subscription(-100200)
    if allowed:
        assert text.startswith("Subscribed")
        assert (sub.chat_type, sub.words) == ("supergroup", ("armenia",))
    else:
        assert text == NOT_ADMIN
        assert sub is None


async def test_group_member_cannot_unsubscribe_but_may_ask_latest(app, telegram_api, store):
    """Reading is for everyone; changing is for administrators."""
    telegram_api.set_admins(-300, 61)
    await send(app, telegram_api, -300, "/subscribe", user_id=61)
    (text,) = await send(app, telegram_api, -300, "/unsubscribe", user_id=62)
    assert text == NOT_ADMIN
    assert (await store.get_subscription(-300)).is_active
    (text,) = await send(app, telegram_api, -300, "/latest", user_id=62)
    assert text.startswith("Nothing yet")


async def test_only_group_admins_set_quiet_hours(app, telegram_api, store):
    """/quiet changes the subscription: a member is refused, an administrator is not."""
    telegram_api.set_admins(-301, 71)
    await send(app, telegram_api, -301, "/subscribe", user_id=71)
    (text,) = await send(app, telegram_api, -301, "/quiet 22:00-07:00", user_id=72)
    assert text == NOT_ADMIN
    assert (await store.get_subscription(-301)).quiet_hours is None
    (text,) = await send(app, telegram_api, -301, "/quiet 22:00-07:00", user_id=71)
    assert text.startswith("Quiet hours set: from 22:00 to 07:00 UTC")
    assert str((await store.get_subscription(-301)).quiet_hours) == "22:00-07:00"


async def test_commands_in_a_topic_answer_in_that_topic(app, telegram_api, store):
    """A reply goes to the topic the command came from; the subscription is the topic's."""
    telegram_api.set_admins(-1009100, 81)
    thread = telegram_api.add_topic(-1009100, name="Sudan desk")
    (text,) = await send(
        app, telegram_api, -1009100, "/subscribe sudan", user_id=81, message_thread_id=thread
    )
    assert "Only this topic gets them" in text
    assert telegram_api.messages_to(-1009100)[-1].message_thread_id == thread
    assert (await store.get_subscription(-1009100, thread_id=thread)).words == ("sudan",)
    assert await store.get_subscription(-1009100) is None  # the rest of the group is not
    (text,) = await send(app, telegram_api, -1009100, "/filters", user_id=82)
    assert "not subscribed" in text  # asked in the General topic
    assert telegram_api.messages_to(-1009100)[-1].message_thread_id is None


async def test_channel_posts_are_commands_too(app, telegram_api, store):
    """A command posted in a channel subscribes the channel."""
    (text,) = await send(app, telegram_api, -100300, "/subscribe all", chat_type="channel")
    assert text.startswith("Subscribed: all alerts")
    sub = await store.get_subscription(-100300)
    assert sub.chat_type == "channel"
    assert Level.CEASEFIRE in sub.levels


async def test_latest_shows_newest_first_with_filters(app, telegram_api, store):
    """/latest lists stored alerts newest first; n and words narrow it; errors explain."""
    (text,) = await send(app, telegram_api, 20, "/latest")
    assert text.startswith("Nothing yet")
    await add_alert(store, 1, title="Old Karabakh breach", created=NOW - timedelta(hours=2))
    await add_alert(
        store,
        2,
        title="Gaza truce broken",
        actors=("Israel", "Hamas"),
        pairs=(Pair("Israel", "Hamas"),),
        created=NOW - timedelta(hours=1),
    )
    await add_alert(store, 3, title="New Karabakh breach <&>", created=NOW)
    (text,) = await send(app, telegram_api, 20, "/latest")
    assert (
        text.index("New Karabakh breach &lt;&amp;&gt;")
        < text.index("Gaza truce")
        < text.index("Old Karabakh")
    )
    (text,) = await send(app, telegram_api, 20, "/latest 1")
    assert "New Karabakh" in text
    assert "Gaza" not in text
    (text,) = await send(app, telegram_api, 20, "/latest азербайджан")
    assert "Gaza" not in text
    assert "Old Karabakh" in text
    (text,) = await send(app, telegram_api, 20, "/latest ukraine")
    assert text.startswith("No recent alerts match")
    (text,) = await send(app, telegram_api, 20, "/latest 50")
    assert "n from 1 to 20" in text


async def test_latest_splits_long_answers(app, telegram_api, store):
    """Twenty long alerts come as several messages, each within Telegram's limit."""
    for n in range(20):
        await add_alert(
            store,
            n,
            title=f"Breach number {n} " + "long words " * 60,
            created=NOW - timedelta(minutes=n),
        )
    replies = await send(app, telegram_api, 21, "/latest 20")
    assert len(replies) > 1
    assert sum(text.count("Breach number") for text in replies) == 20


async def test_status_and_feeds(app, telegram_api, store):
    """/status gives counts and failing feeds; /feeds lists sources with links."""
    await store.add_feed("https://a.test/rss", now=NOW, title="Agency <A>")
    await store.add_feed("https://b.test/rss", now=NOW, title="B News")
    await store.record_fetch_error(
        "https://b.test/rss", "HTTP 500 & worse", now=NOW, next_poll=NOW
    )
    await store.subscribe(1, chat_type="private", levels=BREACH_LEVELS, now=NOW)
    await store.set_meta("last_cycle", NOW.isoformat())
    await store.set_meta("last_cycle_duration", "1.25")
    (text,) = await send(app, telegram_api, 30, "/status")
    assert "Feeds: 2 watched, 1 failing" in text
    assert "took 1.25 s" in text
    assert "B News: HTTP 500 &amp; worse (×1)" in text
    assert "Subscribed chats: 1" in text
    assert "Workers" not in text  # one process, no heartbeats: nothing to say
    (text,) = await send(app, telegram_api, 30, "/feeds")
    assert '<a href="https://a.test/rss">Agency &lt;A&gt;</a>' in text
    assert "B News</a> ⚠️" in text


async def test_status_names_the_sending_worker(app, telegram_api, store):
    """Workers on a shared database: how many were heard from lately and which one sends;
    a worker silent for minutes is not counted."""
    now = datetime.now(UTC)  # /status reads the real clock; NOW is set when the module loads
    await store.record_worker("alerts-1:4242:9f2c", now=now, is_sender=False)
    await store.record_worker("alerts-2:77:0b1d", now=now, is_sender=True)
    await store.record_worker("alerts-3:5:dead", now=now - timedelta(minutes=10), is_sender=False)
    (text,) = await send(app, telegram_api, 31, "/status")
    assert "Workers: 2 polling · sending: alerts-2:77:0b1d" in text
    await store.record_worker("alerts-2:77:0b1d", now=now, is_sender=False)
    (text,) = await send(app, telegram_api, 31, "/status")
    assert "Workers: 2 polling · sending: none right now" in text


async def test_addfeed_and_removefeed_are_for_operators(app, telegram_api, store, feed_server):
    """Operators add a checked feed and remove it; others are refused; non-feeds explained."""
    url = feed_server.publish_rss("/news.xml", ["Truce holds"], title="Loopback News")
    (text,) = await send(app, telegram_api, 40, f"/addfeed {url}")
    assert text == NOT_OPERATOR
    (text,) = await send(app, telegram_api, OPERATOR, f"/addfeed {url}")
    assert text == "Added: Loopback News. It is checked from now on."
    assert [f.url for f in await store.list_feeds()] == [url]
    (text,) = await send(app, telegram_api, OPERATOR, f"/addfeed {url}")
    assert text.startswith("Already watched")
    (text,) = await send(
        app, telegram_api, OPERATOR, f"/addfeed {feed_server.url(FAULTS['html'])}"
    )
    assert text.startswith("Not added:")
    (text,) = await send(app, telegram_api, OPERATOR, "/addfeed ftp://x.test/feed")
    assert text.startswith("Usage: /addfeed URL")
    (text,) = await send(app, telegram_api, 40, f"/removefeed {url}")
    assert text == NOT_OPERATOR
    (text,) = await send(app, telegram_api, OPERATOR, f"/removefeed {url}")
    assert text == f"Removed: {url}"
    assert await store.list_feeds() == []
    svc = app.bot_data[SERVICES_KEY]
    app.bot_data[SERVICES_KEY] = replace(
        svc, settings=replace(svc.settings, feed_allow_private=False)
    )
    (text,) = await send(app, telegram_api, OPERATOR, f"/addfeed {url}")
    assert text.startswith("Not added:")
    assert "127.0.0.1" in text
    assert await store.list_feeds() == []


async def test_errors_get_a_plain_sentence_not_a_traceback(app, telegram_api, store, caplog):
    """A failure inside a handler is logged and the chat gets one plain sentence."""
    await store.close()  # every store call now fails
    with caplog.at_level(logging.ERROR, logger="bot.frontend.handlers"):
        replies = await send(app, telegram_api, 50, "/status")
    assert replies == [ERROR_REPLY]
    assert "error while handling an update" in caplog.text


async def test_bot_removed_from_group_turns_alerts_off(app, telegram_api, store):
    """A my_chat_member update saying the bot was kicked deactivates that chat."""
    await store.subscribe(-400, chat_type="group", levels=BREACH_LEVELS, now=NOW)
    bot_user = (await app.bot.get_me()).to_dict()
    chat = {"id": -400, "type": "group", "title": "G"}
    payload = {
        "update_id": 9001,
        "my_chat_member": {
            "chat": chat,
            "from": {"id": 5, "is_bot": False, "first_name": "A"},
            "date": 0,
            "old_chat_member": {"status": "member", "user": bot_user},
            "new_chat_member": {"status": "kicked", "user": bot_user, "until_date": 0},
        },
    }
    await app.process_update(Update.de_json(payload, app.bot))
    assert not (await store.get_subscription(-400)).is_active


async def test_migration_service_message_moves_the_subscription(app, telegram_api, store):
    """The 'group upgraded' service message moves the subscription to the new id."""
    await store.subscribe(-500, chat_type="group", levels=BREACH_LEVELS, now=NOW)
    payload = {
        "update_id": 9002,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": -500, "type": "group", "title": "G"},
            "from": {"id": 5, "is_bot": False, "first_name": "A"},
            "migrate_to_chat_id": -100500,
        },
    }
    await app.process_update(Update.de_json(payload, app.bot))
    assert await store.get_subscription(-500) is None
    assert (await store.get_subscription(-100500)).is_active


async def test_long_polling_end_to_end(telegram_api, store, db_path):
    """With real getUpdates polling, a pushed /subscribe is answered and stored."""
    settings = Settings(
        telegram_bot_token=TOKEN, telegram_api_url=telegram_api.base_url, database_path=db_path
    )
    application = make_application(telegram_api, polling=True)
    async with httpx.AsyncClient() as client:
        application.bot_data[SERVICES_KEY] = Services(
            store=store, settings=settings, client=client
        )
        async with application:
            await application.updater.start_polling(timeout=5)
            await application.start()
            try:
                telegram_api.push_command(60, "/subscribe gaza")
                (reply,) = await telegram_api.wait_for_messages(1, chat_id=60)
            finally:
                await application.updater.stop()
                await application.stop()
    assert reply.text.startswith("Subscribed: breaches")
    assert (await store.get_subscription(60)).words == ("gaza",)
    assert telegram_api.calls_to("deleteWebhook")
    assert telegram_api.pending_updates == 0  # the offset confirmed it on the way out


# -- issue 7: digest subscriptions, /tally, /chart ---------------------------------------------

CLOCK = datetime(2024, 3, 13, 10, 0, tzinfo=UTC)  # a Wednesday, 10:00 UTC


def set_clock(app, now):
    """Handlers read the time from Services.clock: fix it."""
    app.bot_data[SERVICES_KEY] = replace(app.bot_data[SERVICES_KEY], clock=lambda: now)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], SubscribeRequest(BREACH_LEVELS, ())),
        (["blame", "gaza"], SubscribeRequest((Level.BLAME,), ("gaza",))),
        (["digest"], SubscribeRequest(BREACH_LEVELS, (), False, "07:00")),
        (["digest", "7:30"], SubscribeRequest(BREACH_LEVELS, (), False, "07:30")),
        (
            ["Digest", "07:30", "UTC", "blame", "armenia"],
            SubscribeRequest((Level.BLAME,), ("armenia",), False, "07:30"),
        ),
        (
            ["both", "18h05", "ukraine"],
            SubscribeRequest(BREACH_LEVELS, ("ukraine",), True, "18:05"),
        ),
        (["both"], SubscribeRequest(BREACH_LEVELS, (), True, "07:00")),
        (
            ["armenia", "digest,", "6:00"],
            SubscribeRequest(BREACH_LEVELS, ("armenia",), False, "06:00"),
        ),
        (
            ["digest", '"Nagorno', 'Karabakh"', "all"],
            SubscribeRequest(
                (Level.BLAME, Level.VIOLATION, Level.CEASEFIRE),
                ("nagorno karabakh",),
                False,
                "07:00",
            ),
        ),
    ],
)
def test_parse_subscribe_command(args, expected):
    """No mode word: instant only; digest: daily only; both: instant and daily; time optional."""
    assert parse_subscribe_command(args) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["07:30"], "times are for the daily digest"),
        (["digest", "25:00"], "not a time of day"),
        (["digest", "7"], "not a time: use HH:MM"),
        (["digest", "both"], "Choose one"),
        (["digest", "7:00", "8:00"], "One digest time"),
        (["both", "x"], "too short"),
    ],
)
def test_wrong_subscribe_command_says_what_is_allowed(args, message):
    """Bad digest arguments raise FilterError with a short explanation."""
    with pytest.raises(FilterError, match=message):
        parse_subscribe_command(args)


async def test_subscribe_digest_both_and_back_to_instant(app, telegram_api, store):
    """digest stamps last_digest (first digest at the next HH:MM), /filters shows it all."""
    set_clock(app, CLOCK)
    (text,) = await send(app, telegram_api, 70, "/subscribe digest 07:30 armenia")
    assert text.startswith("Subscribed: breaches")
    assert "as a daily digest at 07:30 UTC (no instant alerts)" in text
    assert "The first digest comes 14 Mar 2024 07:30 UTC" in text
    sub = await store.get_subscription(70)
    assert (sub.is_instant, sub.digest_time, sub.last_digest, sub.words) == (
        False,
        "07:30",
        CLOCK,
        ("armenia",),
    )
    assert not is_digest_due(sub.digest_time, sub.last_digest, CLOCK + timedelta(hours=20))
    assert is_digest_due(sub.digest_time, sub.last_digest, CLOCK + timedelta(hours=21.5))
    (text,) = await send(app, telegram_api, 70, "/filters")
    assert "as a daily digest at 07:30 UTC (no instant alerts)" in text
    assert "Next digest: 14 Mar 2024 07:30 UTC." in text

    (text,) = await send(app, telegram_api, 70, "/subscribe both 12:00")
    assert "as instant alerts and a daily digest at 12:00 UTC" in text
    assert "The first digest comes 13 Mar 2024 12:00 UTC" in text
    sub = await store.get_subscription(70)
    assert (sub.is_instant, sub.digest_time, sub.words) == (True, "12:00", ())

    await store.set_last_digest(70, CLOCK - timedelta(days=2))  # the bot was down
    (text,) = await send(app, telegram_api, 70, "/filters")
    assert "Next digest: within a minute." in text

    (text,) = await send(app, telegram_api, 70, "/subscribe")
    assert "Alerts arrive here as they are found" in text
    sub = await store.get_subscription(70)
    assert (sub.is_instant, sub.digest_time) == (True, None)
    (text,) = await send(app, telegram_api, 70, "/filters")
    assert "breaches (blame and reported violations), as instant alerts." in text
    assert "Next digest" not in text


async def test_wrong_digest_time_changes_nothing(app, telegram_api, store):
    """A bad time is explained in one reply; the subscription stays as it was."""
    await send(app, telegram_api, 71, "/subscribe")
    (text,) = await send(app, telegram_api, 71, "/subscribe digest 7:75")
    assert "not a time of day" in text
    assert "Usage: /subscribe" in text
    assert (await store.get_subscription(71)).digest_time is None


async def test_only_group_admins_subscribe_to_the_digest(app, telegram_api, store):
    """The administrator rule holds for digest subscriptions too."""
    telegram_api.set_admins(-100710, 81)
    (text,) = await send(app, telegram_api, -100710, "/subscribe digest", user_id=82)
    assert text == NOT_ADMIN
    assert await store.get_subscription(-100710) is None
    (text,) = await send(app, telegram_api, -100710, "/subscribe digest 06:00", user_id=81)
    assert text.startswith("Subscribed")
    sub = await store.get_subscription(-100710)
    assert (sub.chat_type, sub.is_instant, sub.digest_time) == ("supergroup", False, "06:00")


async def test_tally_counts_pairs_in_the_window(app, telegram_api, store):
    """/tally counts by pair with the newest link; days and words narrow it; HTML is valid."""
    set_clock(app, CLOCK)
    await add_alert(store, 1, title="a", created=CLOCK - timedelta(hours=1))
    await add_alert(store, 2, title="b", created=CLOCK - timedelta(days=2))
    await add_alert(
        store,
        3,
        title="c",
        created=CLOCK - timedelta(days=20),
        actors=("Israel", "Hamas"),
        pairs=(Pair("Israel", "Hamas"),),
    )
    await add_alert(store, 4, title="d", created=CLOCK + timedelta(hours=1))  # not yet
    (text,) = await send(app, telegram_api, 72, "/tally")
    visible = parse_telegram_html(text)
    assert visible.startswith("📊 Tally, last 7 days (6 Mar – 13 Mar 2024, UTC)")
    assert "2 Russia → Azerbaijan · latest 13 Mar" in visible
    assert '<a href="https://feed.test/1">latest 13 Mar</a>' in text
    assert "Israel" not in visible
    assert telegram_api.messages_to(72)[-1].link_preview_options == {"is_disabled": True}
    (text,) = await send(app, telegram_api, 72, "/tally 30 gaza")
    visible = parse_telegram_html(text)
    assert (
        visible.splitlines()[1] == "Only breaches (blame and reported violations) "
        "mentioning “gaza”"
    )
    assert "1 Israel → Hamas · latest 22 Feb" in visible
    assert "Russia" not in visible


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("/tally 400", "The window is 1 to 365 days, got 400."),
        ("/tally 0", "The window is 1 to 365 days, got 0."),
        ("/tally gaza 5", "“5” is not a filter word: the number of days comes first"),
        ("/tally ???", "Usage: /tally [days] [filter words]"),
        ("/chart 91", "The window is 1 to 90 days, got 91."),
        ("/chart 7d", "the number of days comes first"),
        ("/chart x", "Usage: /chart [days] [filter words]"),
    ],
)
async def test_wrong_tally_and_chart_arguments_get_the_usage(app, telegram_api, command, message):
    """A wrong window or word is explained in one short text reply."""
    (text,) = await send(app, telegram_api, 73, command)
    assert message in text
    assert telegram_api.messages_to(73)[-1].method == "sendmessage"


async def test_chart_replies_with_a_png(app, telegram_api, store):
    """/chart sends a photo drawn from the stored accusations, with a short caption."""
    set_clock(app, CLOCK)
    await add_alert(store, 1, title="a", created=CLOCK - timedelta(hours=1))
    await add_alert(store, 2, title="b", created=CLOCK - timedelta(days=40))
    await send(app, telegram_api, 74, "/chart")
    (photo,) = telegram_api.messages_to(74)
    assert photo.method == "sendphoto"
    assert photo.photo.startswith(b"\x89PNG\r\n\x1a\n")
    assert photo.text == (
        "1 accusation in the last 7 days, per UTC day and pair. /tally 7 lists them with links."
    )
    await send(app, telegram_api, 74, "/chart 1 ukraine")
    assert telegram_api.messages_to(74)[-1].text == (
        "No accusations mentioning “ukraine” in the last day."
    )
