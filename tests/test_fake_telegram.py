"""The fake Bot API itself: HTML checks, limits and faults, spoken to by the real PTB Bot."""

import asyncio

import httpx
import pytest
from telegram import Bot, InputFile, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from tests.fakes.telegram_api import TelegramHTMLError, parse_telegram_html

TOKEN = "123456:TEST-token"  # noqa: S105 - a fake token for the fake server


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
