"""The fake Bot API itself: HTML checks, limits and faults, spoken to by the real PTB Bot."""

import asyncio

import httpx
import pytest
from telegram import (
    Bot,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
)

from tests.fakes.telegram_api import (
    CallbackAnswer,
    TelegramHTMLError,
    Webhook,
    parse_telegram_html,
)

TOKEN = "123456:TEST-token"  # noqa: S105 - a fake token for the fake server
SECRET = "s3cret_-T"  # noqa: S105 - a fake webhook secret


@pytest.fixture
async def bot(telegram_api):
    """A real PTB Bot talking to the fake over loopback HTTP."""
    async with Bot(TOKEN, base_url=telegram_api.base_url) as bot:
        yield bot


@pytest.mark.parametrize(
    ("markup", "visible"),
    [
        ("plain text", "plain text"),
        ("<b>bold</b> <strong>s</strong> <i>i</i><em>e</em><u>u</u><ins>n</ins>", "bold s ieun"),
        ("<s>a</s><strike>b</strike><del>c</del>", "abc"),
        ('<a href="https://x.test/?a=1&amp;b=2">link</a>', "link"),
        ("<code>x &lt; y</code> <pre>z</pre>", "x < y z"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
        ("<blockquote>q</blockquote>", "q"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("AT&amp;T &quot;q&quot; &#39; &#x41; &gt;", 'AT&T "q" \' A >'),
        ("<B>upper</B>", "upper"),
        ("<b><i>nested</i></b>", "nested"),
        ("a > b", "a > b"),
    ],
)
def test_valid_html_gives_visible_text(markup, visible):
    """Telegram's own tags and the four named entities are accepted and decoded."""
    assert parse_telegram_html(markup) == visible


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ("<script>x</script>", 'unsupported start tag "script" at byte offset 0'),
        ("<br>", 'unsupported start tag "br"'),
        ("<p>x</p>", 'unsupported start tag "p"'),
        ("<b>open", 'can\'t find end tag corresponding to start tag "b"'),
        ("close</b>", "unexpected end tag at byte offset 5"),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("AT&T", 'unexpected "&" at byte offset 2'),
        ("&nbsp;", 'unexpected "&"'),
        ("a < b", 'unsupported start tag ""'),
        ('<span class="x">s</span>', 'must have class "tg-spoiler"'),
        ("<tg-emoji>x</tg-emoji>", 'must have attribute "emoji-id"'),
        ("<b", "unclosed start tag"),
        ("é<i>", "can't find end tag"),
        ("éé<x>", "at byte offset 4"),
    ],
)
def test_invalid_html_is_refused(markup, error):
    """Unknown or unbalanced tags and bare ampersands fail with Telegram's wording."""
    with pytest.raises(TelegramHTMLError, match="Can't parse entities") as info:
        parse_telegram_html(markup)
    assert error in str(info.value)


def test_bare_ampersand_allowed_when_not_strict():
    """Real Telegram keeps a lone & literally; the lenient mode does the same."""
    assert parse_telegram_html("AT&T &nbsp;", strict_ampersand=False) == "AT&T &nbsp;"


async def test_send_message_is_recorded_with_its_options(bot, telegram_api):
    """A valid HTML message is accepted and recorded with parse mode and preview options."""
    message = await bot.send_message(
        42,
        "<b>hi</b> &amp; bye",
        parse_mode=ParseMode.HTML,
        link_preview_options=LinkPreviewOptions(
            url="https://example.test/a", prefer_small_media=True
        ),
    )
    assert message.text == "hi & bye"
    assert message.chat.id == 42
    (sent,) = telegram_api.sent
    assert (sent.chat_id, sent.text, sent.parse_mode) == (42, "<b>hi</b> &amp; bye", "HTML")
    assert sent.link_preview_options == {
        "url": "https://example.test/a",
        "prefer_small_media": True,
    }
    assert sent.message_id == message.message_id


async def test_bad_html_and_long_text_get_400(bot, telegram_api):
    """Unescaped markup and over-long text are refused and nothing is recorded."""
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        await bot.send_message(1, "<script>alert(1)</script>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(1, "<b> </b>", parse_mode=ParseMode.HTML)
    # Entities count once after parsing: 4096 visible characters pass despite longer markup.
    await bot.send_message(1, "&amp;" * 4096, parse_mode=ParseMode.HTML)
    assert len(telegram_api.sent) == 1
    assert [c.status for c in telegram_api.calls_to("sendMessage")] == [400, 400, 400, 200]


async def test_group_limit_answers_429_with_retry_after(bot, telegram_api):
    """Over the per-group limit, Telegram answers 429 and PTB raises RetryAfter."""
    telegram_api.set_limits(per_group_per_minute=2)
    await bot.send_message(-5, "one")
    await bot.send_message(-5, "two")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(-5, "three")
    assert 1 <= info.value.retry_after.total_seconds() <= 60
    await bot.send_message(7, "private chats are not groups")
    assert telegram_api.rate_limited == 1
    assert [m.text for m in telegram_api.sent] == ["one", "two", "private chats are not groups"]


async def test_limits_run_on_the_fakes_clock(bot, telegram_api):
    """With a clock given, windows and send times follow it, not the wall clock."""
    now = [500.0]
    telegram_api.clock = lambda: now[0]
    telegram_api.set_limits(per_chat_per_second=1, per_group_per_minute=2)
    await bot.send_message(-8, "one")
    with pytest.raises(RetryAfter):
        await bot.send_message(-8, "too soon")
    now[0] += 1.0
    await bot.send_message(-8, "two")
    now[0] += 30.0
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(-8, "third in the minute")
    assert info.value.retry_after.total_seconds() == 29
    now[0] += 29.0
    await bot.send_message(-8, "three")
    assert [m.time for m in telegram_api.sent] == [500.0, 501.0, 560.0]


async def test_global_limit_counts_every_chat(bot, telegram_api):
    """The global window spans chats; a forced flood wait reports the given seconds."""
    telegram_api.set_limits(global_per_second=1000)
    telegram_api.force_retry_after(9, 3600)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(9, "flood")
    assert info.value.retry_after.total_seconds() == 3600
    await bot.send_message(9, "after the wait")
    assert telegram_api.rate_limited == 1


async def test_faults_on_demand(bot, telegram_api):
    """403 blocked, 400 chat not found, migration and 5xx behave like Telegram's answers."""
    telegram_api.block(10)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(10, "x")
    telegram_api.fail_chat(11, "not_found")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(11, "x")
    telegram_api.migrate(-12, -10012)
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(-12, "x")
    assert info.value.new_chat_id == -10012
    await bot.send_message(-10012, "moved")
    telegram_api.fail_next_sends(2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(13, "x")
    await bot.send_message(13, "ok again")
    telegram_api.clear_fault(10)
    await bot.send_message(10, "unblocked")
    assert [m.chat_id for m in telegram_api.sent] == [-10012, 13, 10]
    assert (await bot.get_chat(-10012)).type == "supergroup"


async def test_long_poll_waits_for_an_update_and_honours_offset(bot, telegram_api):
    """getUpdates holds until an update arrives; an offset confirms and forgets earlier ones."""
    polling = asyncio.create_task(bot.get_updates(timeout=30))
    await telegram_api.wait_for(lambda: telegram_api.held_polls == 1)
    assert not polling.done()
    pushed = telegram_api.push_command(42, "/subscribe blame")
    async with asyncio.timeout(10):
        (update,) = await polling
    assert update.update_id == pushed["update_id"]
    assert update.message.text == "/subscribe blame"
    assert update.message.entities[0].type == "bot_command"
    telegram_api.push_command(42, "/latest")
    updates = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert [u.message.text for u in updates] == ["/latest"]
    await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    assert telegram_api.pending_updates == 0


async def test_a_second_long_poll_ends_the_first_with_409(bot, telegram_api):
    """Two consumers of one token: Telegram ends the poll held open with 409 Conflict ("only
    one bot instance"), and the fake counts it; the newer poll goes on."""
    async with Bot(TOKEN, base_url=telegram_api.base_url) as other:
        first = asyncio.create_task(bot.get_updates(timeout=30))
        await telegram_api.wait_for(lambda: telegram_api.held_polls == 1)
        second = asyncio.create_task(other.get_updates(timeout=30))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, timeout=10)
        telegram_api.push_command(42, "/status")
        async with asyncio.timeout(10):
            (update,) = await second
    assert update.message.text == "/status"
    assert telegram_api.poll_conflicts == 1


async def test_a_poll_whose_client_went_away_is_no_conflict(telegram_api):
    """A client that dropped its held poll (it was killed) is not a second consumer: the next
    poll ends it without counting a conflict."""
    url = f"{telegram_api.base_url}{TOKEN}/getUpdates"
    async with httpx.AsyncClient(timeout=30) as client:
        abandoned = asyncio.create_task(client.post(url, data={"timeout": "30"}))
        await telegram_api.wait_for(lambda: telegram_api.held_polls == 1)
    abandoned.cancel()  # closing the client closed its connection
    async with Bot(TOKEN, base_url=telegram_api.base_url) as bot:
        assert await bot.get_updates(timeout=1) == ()
    await telegram_api.wait_for(lambda: telegram_api.held_polls == 0)
    assert telegram_api.poll_conflicts == 0


async def test_command_updates_for_each_chat_type(bot, telegram_api):
    """Private, group and channel commands come out as PTB sees real ones."""
    private = Update.de_json(telegram_api.command_update(5, "/start"), bot)
    assert private.effective_chat.type == "private"
    assert private.effective_user.id == 5
    group = Update.de_json(
        telegram_api.command_update(-100777, "/subscribe@ceasefire_alerts_bot", user_id=9), bot
    )
    assert group.effective_chat.type == "supergroup"
    assert group.effective_user.id == 9
    channel = Update.de_json(
        telegram_api.command_update(-100888, "/subscribe all", chat_type="channel"), bot
    )
    assert channel.channel_post is not None
    assert channel.channel_post.sender_chat.id == -100888
    assert channel.effective_user is None
    anonymous = Update.de_json(
        telegram_api.command_update(-100777, "/subscribe", anonymous_admin=True), bot
    )
    assert anonymous.effective_message.sender_chat.id == -100777


async def test_chat_members_commands_and_photos(bot, telegram_api):
    """getChatMember reports admins, setMyCommands round-trips, sendPhoto keeps the bytes."""
    telegram_api.set_admins(-300, 1, creator=2)
    assert (await bot.get_chat_member(-300, 1)).status == "administrator"
    assert (await bot.get_chat_member(-300, 2)).status == "creator"
    assert (await bot.get_chat_member(-300, 3)).status == "member"
    await bot.set_my_commands([("latest", "Last alerts"), ("subscribe", "Get alerts")])
    assert [c.command for c in await bot.get_my_commands()] == ["latest", "subscribe"]
    await bot.send_photo(
        4,
        InputFile(b"\x89PNG fake", filename="a.png"),
        caption="<b>c</b>",
        parse_mode=ParseMode.HTML,
    )
    assert telegram_api.sent[-1].photo == b"\x89PNG fake"
    assert telegram_api.sent[-1].text == "<b>c</b>"


async def test_json_bodies_and_wrong_token(telegram_api):
    """Plain JSON bodies work; with a token set, any other token gets 401."""
    telegram_api.token = TOKEN
    async with httpx.AsyncClient() as client:
        ok = await client.post(
            f"{telegram_api.base_url}{TOKEN}/sendMessage", json={"chat_id": 3, "text": "json"}
        )
        wrong = await client.post(f"{telegram_api.base_url}999:nope/getMe")
    assert ok.json()["result"]["text"] == "json"
    assert wrong.status_code == 401


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.title(), callback_data=d) for d in data]])


async def test_forum_topics_route_sends_and_refuse_deleted_ones(bot, telegram_api):
    """A send lands in its topic; no thread means General; a deleted or unknown topic is a 400."""
    telegram_api.add_chat(-100500, is_forum=True)
    topic = telegram_api.add_topic(-100500, name="Alerts")
    in_topic = await bot.send_message(
        -100500, "in topic", message_thread_id=topic, disable_notification=True
    )
    assert (in_topic.message_thread_id, in_topic.is_topic_message) == (topic, True)
    general = await bot.send_message(-100500, "general")
    assert general.message_thread_id is None
    assert [(m.message_thread_id, m.disable_notification) for m in telegram_api.sent] == [
        (topic, True),
        (None, False),
    ]
    assert (await bot.get_chat(-100500)).is_forum is True
    assert not (await bot.get_chat(-100501)).is_forum
    telegram_api.delete_topic(-100500, topic)
    for chat_id, thread in ((-100500, topic), (-100500, 999), (-100501, topic), (7, topic)):
        with pytest.raises(BadRequest, match=r"^Message thread not found$"):
            await bot.send_message(chat_id, "lost", message_thread_id=thread)
    assert telegram_api.add_topic(-100500, 77) == 77
    await bot.send_message(-100500, "given id", message_thread_id=77)
    assert len(telegram_api.sent) == 3
    with pytest.raises(ValueError, match="only supergroups"):
        telegram_api.add_chat(-5, is_forum=True)


async def test_command_in_a_topic_carries_thread_and_language(bot, telegram_api):
    """A command typed in a topic names it, marks the chat a forum and the user's language."""
    telegram_api.push_command(-100600, "/latest", message_thread_id=7, language_code="uk")
    telegram_api.push_command(5, "/start", language_code=None)
    topic, private = await bot.get_updates(timeout=0)
    message = topic.message
    assert (message.message_thread_id, message.is_topic_message) == (7, True)
    assert message.chat.is_forum is True
    assert message.from_user.language_code == "uk"
    assert private.message.from_user.language_code is None
    assert private.message.message_thread_id is None
    # The topic the user typed in exists, so the bot can answer there.
    reply = await bot.send_message(-100600, "answer", message_thread_id=7)
    assert reply.message_thread_id == 7
    default = Update.de_json(telegram_api.command_update(-100601, "/latest"), bot)
    assert default.effective_user.language_code == "en"


async def test_document_round_trip(bot, telegram_api):
    """sendDocument keeps bytes, file name and caption; the caption is checked like a photo's."""
    message = await bot.send_document(
        4,
        InputFile(b"id,side\n1,a\n", filename="alerts.csv"),
        caption="<b>3</b> alerts &amp; more",
        parse_mode=ParseMode.HTML,
    )
    assert message.document.file_name == "alerts.csv"
    assert message.document.file_size == len(b"id,side\n1,a\n")
    assert message.caption == "3 alerts & more"
    (document,) = telegram_api.documents_to(4)
    assert (document.document, document.filename) == (b"id,side\n1,a\n", "alerts.csv")
    assert document.caption == document.text == "<b>3</b> alerts &amp; more"
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_document(
            4, InputFile(b"x", filename="a.txt"), caption="<p>", parse_mode="HTML"
        )
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(4, InputFile(b"x", filename="a.txt"), caption="x" * 1025)
    await bot.send_document(4, InputFile(b"x", filename="b.txt"), caption="x" * 1024)
    assert [d.filename for d in telegram_api.documents_to(4)] == ["alerts.csv", "b.txt"]


async def test_documents_share_the_send_rate_limits(bot, telegram_api):
    """A document counts as a send: after a message, the per-chat window is full."""
    telegram_api.set_limits(per_chat_per_second=1)
    await bot.send_message(8, "first")
    with pytest.raises(RetryAfter):
        await bot.send_document(8, InputFile(b"x", filename="a.txt"))
    assert telegram_api.documents_to(8) == []
    assert telegram_api.rate_limited == 1


async def test_callback_query_is_polled_and_answered_once(bot, telegram_api):
    """A pushed button press reaches getUpdates; its answer is recorded and a second one is 400."""
    sent = await bot.send_message(42, "pick", reply_markup=_keyboard("mute", "more"))
    query_id = telegram_api.push_callback(42, 42, sent.message_id, "mute", language_code="de")
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert (query.id, query.data, query.from_user.id) == (query_id, "mute", 42)
    assert query.from_user.language_code == "de"
    assert query.message.message_id == sent.message_id
    assert query.message.text == "pick"
    assert query.message.reply_markup == _keyboard("mute", "more")
    assert await bot.answer_callback_query(query_id, text="Muted", show_alert=True)
    assert telegram_api.callback_answers == [CallbackAnswer(query_id, "Muted", True)]
    for stale in (query_id, "123"):
        with pytest.raises(BadRequest, match=r"^Query is too old and response timeout expired"):
            await bot.answer_callback_query(stale)
    assert len(telegram_api.callback_answers) == 1
    with pytest.raises(ValueError, match="no button"):
        telegram_api.push_callback(42, 42, sent.message_id, "unmute")
    with pytest.raises(ValueError, match="sent no message"):
        telegram_api.push_callback(42, 42, 999, "mute")


async def test_edits_change_the_message_a_press_shows(bot, telegram_api):
    """editMessageText and editMessageReplyMarkup update the stored message; no-ops are 400."""
    sent = await bot.send_message(42, "old", reply_markup=_keyboard("a"))
    edited = await bot.edit_message_text("<b>new</b>", 42, sent.message_id, parse_mode="HTML")
    assert edited.text == "new"
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    assert [m.method for m in telegram_api.messages_to(42)] == ["sendmessage", "editmessagetext"]
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_text("new", 42, sent.message_id)
    markup = await bot.edit_message_reply_markup(42, sent.message_id, reply_markup=_keyboard("b"))
    assert markup.reply_markup == _keyboard("b")
    assert telegram_api.messages_to(42)[-1].reply_markup == _keyboard("b").to_dict()
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_reply_markup(42, sent.message_id, reply_markup=_keyboard("b"))
    telegram_api.push_callback(42, 42, sent.message_id, "b")
    (update,) = await bot.get_updates(timeout=0)
    assert update.callback_query.message.text == "new"
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", 42, 999)
    document = await bot.send_document(42, InputFile(b"x", filename="a.txt"))
    with pytest.raises(BadRequest, match=r"^There is no text in the message to edit$"):
        await bot.edit_message_text("x", 42, document.message_id)


async def test_webhook_locks_out_get_updates_until_deleted(bot, telegram_api):
    """setWebhook is recorded and reported; getUpdates is a 409 Conflict while it is set."""
    assert await bot.set_webhook(
        "https://alerts.example/hook",
        secret_token=SECRET,
        allowed_updates=["message", "callback_query"],
    )
    assert telegram_api.webhook == Webhook(
        "https://alerts.example/hook", SECRET, ["message", "callback_query"]
    )
    telegram_api.push_command(5, "/start")
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("https://alerts.example/hook", 1)
    assert info.allowed_updates == ("message", "callback_query")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates(timeout=0)
    for url, secret, error in (
        ("http://alerts.example/hook", None, "an https url must be provided"),
        ("https://alerts.example:8080/hook", None, "only on ports 80, 88, 443 or 8443"),
        ("https://alerts.example/hook", "bot:token", "Secret token contains unallowed"),
    ):
        with pytest.raises(BadRequest, match=error):
            await bot.set_webhook(url, secret_token=secret)
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert telegram_api.webhook is None
    assert await bot.get_updates(timeout=0) == ()
    assert (await bot.get_webhook_info()).url == ""


async def test_commands_are_kept_per_scope_and_language(bot, telegram_api):
    """setMyCommands keys on scope and language_code; getMyCommands returns exactly that list."""
    await bot.set_my_commands([("latest", "Last alerts")])
    await bot.set_my_commands([("latest", "Letzte Meldungen")], language_code="de")
    groups = BotCommandScopeAllGroupChats()
    await bot.set_my_commands([("subscribe", "Abonnieren")], scope=groups, language_code="de")

    async def descriptions(**where):
        return [c.description for c in await bot.get_my_commands(**where)]

    assert await descriptions() == ["Last alerts"]
    assert await descriptions(language_code="de") == ["Letzte Meldungen"]
    assert await descriptions(scope=groups, language_code="de") == ["Abonnieren"]
    assert await descriptions(language_code="fr") == []
    assert await bot.delete_my_commands(language_code="de")
    assert await descriptions(language_code="de") == []
    assert await descriptions() == ["Last alerts"]
    assert ('{"type": "default"}', "") in telegram_api.commands_by_scope
