"""Buttons under alerts, /muted and /export, end to end: the real app on the fake Bot API.

Alerts come from a loopback feed through the real poller and delivery worker; presses arrive as
callback queries over getUpdates; the database is a real SQLite file that outlives restarts.
"""

import asyncio
import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.frontend.buttons import ALERT_GONE, NOT_ADMIN_MUTE, NOTHING_MUTED, UNREADABLE
from bot.frontend.context import SERVICES_KEY
from bot.services.export import CSV_COLUMNS
from bot.store import connect
from feeds.model import Level, Pair
from tests.fakes.telegram_api import parse_telegram_html
from tests.stores import BACKENDS
from tests.test_telegram_e2e import (  # settings: the same bot-on-the-fake-API fixture
    MOSCOW_TIMES,
    WITHIN,
    alerts_to,
    command,
    running_bot,
    seed_subscribers,
)

RU_AZ = Pair("Russia", "Azerbaijan")
# Our own headlines: a second Russian accusation and an Armenian one, both about Karabakh, a
# week after the first (within a day, the same pair and war would be grouped as one story).
RUSSIA_AGAIN = {
    "title": "Russian peacekeepers report Azerbaijani drone strike, Moscow says ceasefire broken",
    "link": "https://agency.test/ru-az-2",
    "guid": "ru-az-2",
    "published": datetime(2021, 8, 20, 9, 0, tzinfo=UTC),
    "description": "",
}
ARMENIA = {
    "title": "Armenia accuses Azerbaijan of violating the ceasefire near Syunik",
    "link": "https://agency.test/am-az-1",
    "guid": "am-az-1",
    "published": datetime(2021, 8, 20, 9, 30, tzinfo=UTC),
    "description": "",
}


@pytest.fixture(params=BACKENDS)
def any_settings(request, settings):
    """The bot's settings on a SQLite file, then on a PostgreSQL database (DATABASE_URL)."""
    if request.param == "postgres":
        return replace(settings, database_url=request.getfixturevalue("postgres_url"))
    return settings


async def subscribe_chats(settings, chats):
    """Subscribe private chats to breaches in whichever database the settings name."""
    store = await connect(settings)
    try:
        for chat_id in chats:
            await store.subscribe(
                chat_id,
                chat_type="private",
                levels=(Level.BLAME, Level.VIOLATION),
                now=datetime.now(UTC),
            )
    finally:
        await store.close()


def buttons_of(message):
    """{label: callback data} of the inline keyboard under a sent message."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


async def press(telegram_api, chat_id, user_id, message, label, *, data=None, forged=False):
    """Press a button (or send made-up data) under `message`; return the callback answer."""
    before = len(telegram_api.callback_answers)
    query_id = telegram_api.push_callback(
        chat_id,
        user_id,
        message.message_id,
        data if data is not None else buttons_of(message)[label],
        forged=forged,
    )
    await telegram_api.wait_for(lambda: len(telegram_api.callback_answers) > before, within=WITHIN)
    (answer,) = [a for a in telegram_api.callback_answers if a.id == query_id]
    return answer


async def wait_until_nothing_pending(application):
    """Every outbox row is sent, failed or dropped (a muted row is dropped, never sent)."""
    store = application.bot_data[SERVICES_KEY].store
    async with asyncio.timeout(WITHIN):
        # The delivery worker has no "row dropped" event to await, so poll the database.
        while (await store.outbox_counts()).get("pending"):  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def publish_and_wait(feed_server, telegram_api, application, stories, chats, count):
    """Publish stories on the feed; wait until each chat has `count` alerts and rows settle."""
    feed_server.publish_rss("/mt.xml", stories, title="The Moscow Times")
    application.bot_data[SERVICES_KEY].poller.wake()
    await telegram_api.wait_for(
        lambda: all(len(alerts_to(telegram_api, chat)) >= count for chat in chats),
        within=WITHIN,
    )
    await wait_until_nothing_pending(application)


async def test_mute_stops_that_pair_in_that_chat_only(any_settings, telegram_api, feed_server):
    """Muted in chat 100: its next Russia → Azerbaijan alert is held back there, nothing else."""
    await subscribe_chats(any_settings, [100, 101])
    async with running_bot(any_settings) as application:
        await publish_and_wait(
            feed_server, telegram_api, application, [MOSCOW_TIMES], [100, 101], 1
        )
        (first,) = alerts_to(telegram_api, 100)
        assert set(buttons_of(first)) == {
            "🔕 Mute this pair 24 h",
            "More on this conflict",
            "Why?",
        }
        pressed_at = datetime.now(UTC)
        answer = await press(telegram_api, 100, 100, first, "🔕 Mute this pair 24 h")
        stories = [MOSCOW_TIMES, RUSSIA_AGAIN, ARMENIA]
        await publish_and_wait(feed_server, telegram_api, application, stories, [101], 3)
        store = application.bot_data[SERVICES_KEY].store
        (mute,) = await store.mutes_in_force(datetime.now(UTC))
        counts = await store.outbox_counts()

    assert answer.show_alert
    assert answer.text.startswith("🔕 Russia → Azerbaijan muted in this chat until ")
    assert (mute.chat_id, mute.pair, mute.muted_by) == (100, RU_AZ, 100)
    assert timedelta(hours=24) <= mute.until - pressed_at.replace(microsecond=0)
    assert mute.until - pressed_at <= timedelta(hours=24, minutes=1)
    heads = {
        chat: [m.text.split("\n")[0] for m in alerts_to(telegram_api, chat)] for chat in (100, 101)
    }
    assert heads[100] == [
        "🔴 Ceasefire breach: Russia → Azerbaijan",
        "🔴 Ceasefire breach: Armenia → Azerbaijan",
    ]
    assert sorted(heads[101]) == sorted(
        ["🔴 Ceasefire breach: Russia → Azerbaijan"] * 2
        + ["🔴 Ceasefire breach: Armenia → Azerbaijan"]
    )
    assert counts == {"sent": 5, "dropped": 1}


async def test_only_group_admins_may_mute(settings, telegram_api, feed_server):
    """A member's press in a group is refused in one sentence, mutes nothing; an admin's works."""
    group = -100600
    telegram_api.set_admins(group, 5)
    await seed_subscribers(settings, [group])
    async with running_bot(settings) as application:
        await publish_and_wait(feed_server, telegram_api, application, [MOSCOW_TIMES], [group], 1)
        (alert,) = alerts_to(telegram_api, group)
        refused = await press(telegram_api, group, 6, alert, "🔕 Mute this pair 24 h")
        store = application.bot_data[SERVICES_KEY].store
        after_refusal = await store.mutes_in_force(datetime.now(UTC))
        allowed = await press(telegram_api, group, 5, alert, "🔕 Mute this pair 24 h")
        after_admin = await store.mutes_in_force(datetime.now(UTC), chat_id=group)

    assert (refused.text, refused.show_alert) == (NOT_ADMIN_MUTE, True)
    assert after_refusal == []
    assert allowed.text.startswith("🔕 Russia → Azerbaijan muted")
    assert [m.pair for m in after_admin] == [RU_AZ]
    assert len(telegram_api.messages_to(group)) == 1  # refusals and mutes post nothing


async def test_malformed_and_forged_button_data_is_refused(settings, telegram_api, feed_server):
    """Made-up data, a tampered id and another chat's button each get one sentence, no change."""
    await seed_subscribers(settings, [100, 101])
    async with running_bot(settings) as application:
        await publish_and_wait(
            feed_server, telegram_api, application, [MOSCOW_TIMES], [100, 101], 1
        )
        (alert,) = alerts_to(telegram_api, 100)
        real = buttons_of(alert)["🔕 Mute this pair 24 h"]
        action, target, index, signature = real.split(":")
        other_chats = buttons_of(alerts_to(telegram_api, 101)[0])["🔕 Mute this pair 24 h"]
        answers = [
            await press(telegram_api, 100, 100, alert, "", data=data, forged=True)
            for data in (
                "mute",
                "m:1:0:" + "x" * 300,
                f"{action}:{int(target) + 1}:{index}:{signature}",  # another alert's id
                other_chats,  # a valid button of chat 101, sent from chat 100
            )
        ]
        store = application.bot_data[SERVICES_KEY].store
        mutes = await store.mutes_in_force(datetime.now(UTC))

    assert [(a.text, a.show_alert) for a in answers] == [(UNREADABLE, True)] * 4
    assert mutes == []
    assert len(telegram_api.messages_to(100)) == 1


async def test_buttons_work_after_a_restart_and_say_when_the_alert_is_gone(
    any_settings, telegram_api, feed_server
):
    """The signing key and the alert live in the database: old buttons work until it is pruned."""
    settings = any_settings
    await subscribe_chats(settings, [100])
    async with running_bot(settings) as application:
        await publish_and_wait(feed_server, telegram_api, application, [MOSCOW_TIMES], [100], 1)
        key = await application.bot_data[SERVICES_KEY].store.get_meta("callback_key")
    (alert,) = alerts_to(telegram_api, 100)

    async with running_bot(settings):  # a new process, the same database
        before = len(telegram_api.messages_to(100))
        why = await press(telegram_api, 100, 100, alert, "Why?")
        more = await press(telegram_api, 100, 100, alert, "More on this conflict")
        await telegram_api.wait_for_messages(before + 2, chat_id=100, within=WITHIN)
    why_reply, more_reply = (m.text for m in telegram_api.messages_to(100)[before:])

    store = await connect(settings)
    try:
        assert await store.get_meta("callback_key") == key
        await store.prune(
            items_before=datetime.now(UTC), alerts_before=datetime.now(UTC) + timedelta(seconds=1)
        )
    finally:
        await store.close()
    async with running_bot(settings):
        gone = await press(telegram_api, 100, 100, alert, "Why?")

    assert (why.text, more.text) == (None, None)  # answered quietly: the reply is the answer
    assert why_reply.startswith(
        "<b>Why this alert</b>\nLevel: Ceasefire breach: Russia → Azerbaijan"
    )
    assert "Evidence: “" in why_reply
    assert "Matched terms: " in why_reply
    assert more_reply.startswith("<b>Latest on Armenia–Azerbaijan</b>\n\n🔴 <b>Ceasefire breach")
    assert MOSCOW_TIMES["title"] in more_reply
    for text in (why_reply, more_reply):
        parse_telegram_html(text)
    assert (gone.text, gone.show_alert) == (ALERT_GONE, True)


async def test_muted_lists_and_lifts(settings, telegram_api, feed_server):
    """/muted says when nothing is muted, lists a mute with a button, and the button lifts it."""
    await seed_subscribers(settings, [100])
    async with running_bot(settings) as application:
        assert await command(telegram_api, 100, "/muted") == NOTHING_MUTED
        await publish_and_wait(feed_server, telegram_api, application, [MOSCOW_TIMES], [100], 1)
        (alert,) = alerts_to(telegram_api, 100)
        await press(telegram_api, 100, 100, alert, "🔕 Mute this pair 24 h")
        listing = await command(telegram_api, 100, "/muted")
        (muted,) = [m for m in telegram_api.messages_to(100) if m.text == listing]
        lifted = await press(telegram_api, 100, 100, muted, "🔔 Unmute Russia → Azerbaijan")
        store = application.bot_data[SERVICES_KEY].store
        remaining = await store.mutes_in_force(datetime.now(UTC))
        again = await press(telegram_api, 100, 100, muted, "🔔 Unmute Russia → Azerbaijan")

    assert listing.startswith("<b>Muted in this chat</b>")
    assert "• Russia → Azerbaijan until " in listing
    assert lifted.text == "🔔 Russia → Azerbaijan unmuted: its alerts come here again."
    assert remaining == []
    edited = telegram_api.messages_to(100)[-1]
    assert (edited.method, edited.text, edited.reply_markup) == (
        "editmessagetext",
        NOTHING_MUTED,
        None,
    )
    assert again.text == "That mute had already ended."


async def test_export_sends_a_csv_the_csv_module_reads_back(settings, telegram_api, feed_server):
    """/export: a CSV document of the chat's alerts; /export 99999 and an empty window answered."""
    await seed_subscribers(settings, [100])
    async with running_bot(settings) as application:
        stories = [MOSCOW_TIMES, RUSSIA_AGAIN, ARMENIA]
        await publish_and_wait(feed_server, telegram_api, application, stories, [100], 3)
        too_long = await command(telegram_api, 100, "/export 99999")
        nothing = await command(telegram_api, 100, "/export 7 gaza")
        await command(telegram_api, 100, "/export 30 syunik")
        await command(telegram_api, 100, "/export")

    assert too_long.startswith("The window is 1 to 365 days, got 99999.")
    assert "Usage: /export [days] [filter words]" in too_long
    assert nothing.startswith("No alerts to export: none match")
    only_syunik, everything = telegram_api.documents_to(100)
    assert everything.filename.endswith("-30d.csv")
    assert everything.caption.startswith("3 alerts, last 30 days")
    rows = list(csv.DictReader(io.StringIO(everything.document.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert sorted((r["accuser"], r["accused"], r["level"]) for r in rows) == [
        ("Armenia", "Azerbaijan", Level.BLAME.value),
        ("Russia", "Azerbaijan", Level.BLAME.value),
        ("Russia", "Azerbaijan", Level.BLAME.value),
    ]
    assert {r["headline"] for r in rows} == {
        MOSCOW_TIMES["title"],
        RUSSIA_AGAIN["title"],
        ARMENIA["title"],
    }
    assert {r["link"] for r in rows} >= {ARMENIA["link"], RUSSIA_AGAIN["link"]}
    assert everything.document.startswith("\ufeff".encode())
    (syunik,) = csv.DictReader(io.StringIO(only_syunik.document.decode("utf-8-sig")))
    assert syunik["headline"] == ARMENIA["title"]


async def test_in_a_channel_answers_stay_private(settings, telegram_api, feed_server):
    """Any viewer can press a channel's buttons: why and more answer in a dialog, never a post."""
    channel = -100700
    telegram_api.add_chat(channel, "channel", title="Newsroom wire")
    telegram_api.set_admins(channel, 5)
    await seed_subscribers(settings, [channel])
    async with running_bot(settings) as application:
        await publish_and_wait(
            feed_server, telegram_api, application, [MOSCOW_TIMES], [channel], 1
        )
        (alert,) = alerts_to(telegram_api, channel)
        why = await press(telegram_api, channel, 9, alert, "Why?")
        more = await press(telegram_api, channel, 9, alert, "More on this conflict")
        mute = await press(telegram_api, channel, 9, alert, "🔕 Mute this pair 24 h")

    assert why.show_alert
    assert why.text.startswith("Why this alert\nLevel: Ceasefire breach: Russia → Azerbaijan")
    assert len(why.text) <= 200
    assert more.text.startswith("A channel gets no answers below its posts: send /latest armenia")
    assert mute.text == NOT_ADMIN_MUTE
    assert len(telegram_api.messages_to(channel)) == 1
