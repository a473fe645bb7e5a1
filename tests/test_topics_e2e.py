"""Forum topics end to end: the real app (`build_application`), the fake Bot API's forum and a
loopback feed. /subscribe in a topic subscribes that topic; alerts and replies go there."""

from datetime import UTC, datetime

from bot.frontend.context import SERVICES_KEY
from tests.test_telegram_e2e import MOSCOW_TIMES, WITHIN, alerts_to, command, running_bot

FORUM = -1009001
ADMIN = 5
GAZA = {
    "title": "Hamas accuses Israel of violating the Gaza ceasefire",
    "description": "Hamas said Israeli strikes on Khan Younis broke the truce overnight.",
    "link": "https://news.example/gaza-truce",
    "guid": "gaza-1",
    "published": datetime(2024, 6, 2, 8, 0, tzinfo=UTC),
}


def in_topic(telegram_api, thread):
    return [m for m in alerts_to(telegram_api, FORUM) if m.message_thread_id == thread]


async def test_each_topic_gets_what_it_subscribed_to(settings, telegram_api, feed_server):
    """Two topics with different filters and the General topic: each gets its own alerts;
    /unsubscribe in a topic ends that topic only; a deleted topic turns off that topic only.
    """
    telegram_api.set_admins(FORUM, ADMIN)
    caucasus = telegram_api.add_topic(FORUM, name="Caucasus")
    middle_east = telegram_api.add_topic(FORUM, name="Middle East")

    async def say(text, thread=None):
        before = len(telegram_api.messages_to(FORUM))
        reply = await command(telegram_api, FORUM, text, user_id=ADMIN, message_thread_id=thread)
        assert telegram_api.messages_to(FORUM)[before].message_thread_id == thread
        return reply

    async with running_bot(settings) as application:
        store = application.bot_data[SERVICES_KEY].store
        reply = await say("/subscribe armenia", caucasus)
        assert reply.startswith("Subscribed")
        assert "Only this topic gets them" in reply
        assert (await say("/subscribe gaza", middle_east)).startswith("Subscribed")
        assert "Only this topic" not in await say("/subscribe all")  # the General topic
        assert "“armenia”" in await say("/filters", caucasus)
        assert "“gaza”" in await say("/filters", middle_east)

        feed_server.publish_rss("/mt.xml", [MOSCOW_TIMES], title="The Moscow Times")
        await telegram_api.wait_for(
            lambda: in_topic(telegram_api, caucasus) and in_topic(telegram_api, None),
            within=WITHIN,
        )
        assert in_topic(telegram_api, middle_east) == []

        assert (await say("/unsubscribe", caucasus)).startswith("Unsubscribed")
        assert "not subscribed" in await say("/filters", caucasus)
        assert "“gaza”" in await say("/filters", middle_east)  # the other topic stays

        telegram_api.delete_topic(FORUM, middle_east)
        feed_server.publish_rss("/mt.xml", [MOSCOW_TIMES, GAZA], title="The Moscow Times")
        await telegram_api.wait_for(lambda: len(in_topic(telegram_api, None)) == 2, within=WITHIN)
        await telegram_api.wait_for(
            lambda: any("thread not found" in c.description for c in telegram_api.calls),
            within=WITHIN,
        )
        subs = {
            thread: (await store.get_subscription(FORUM, thread_id=thread)).is_active
            for thread in (None, caucasus, middle_east)
        }

    assert subs == {None: True, caucasus: False, middle_east: False}
    assert len(in_topic(telegram_api, caucasus)) == 1  # nothing after /unsubscribe
    assert in_topic(telegram_api, middle_east) == []
    assert "Gaza" in in_topic(telegram_api, None)[1].text
