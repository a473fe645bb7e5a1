"""Inline buttons under each alert and in /muted, and what pressing them does.

Under an alert: "🔕 Mute this pair 24 h" (blame alerts with a pair; in groups and channels
only administrators), "More on this conflict" and "Why?". Under /muted: one button per mute to
lift it. Button data is signed per chat (bot.frontend.callback_data) and carries only ids: the
alert or mute is read from the store when pressed, so buttons keep working after a restart and
say so in one sentence when their alert is gone. Every press is answered exactly once;
refusals and confirmations come as a dialog only the presser sees, so nothing is posted to a
group or channel on someone's behalf.
May import telegram, feeds (model, conflicts) and bot modules except app/cli.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.frontend.callback_data import (
    Action,
    CallbackCodec,
    CallbackDataError,
    ForgedCallbackError,
    Press,
)
from bot.frontend.context import Services, services
from bot.frontend.format import format_alert_brief, format_time, headline
from bot.frontend.handlers import chat_language, is_chat_admin, pack_messages
from bot.i18n import N_, conflict_label, gettext_for, isolate, rtl_lines
from bot.model import Alert, Mute
from bot.services.mutes import MUTE_DURATION
from bot.services.tally import alert_conflict, pair_label
from feeds.conflicts import OTHER
from feeds.model import Level

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

MAX_MUTE_BUTTONS = 3  # one per pair; an alert naming more pairs is rare
MORE_COUNT = 5
MORE_SCAN = 500  # newest alerts looked through for those of one conflict
MUTED_SHOWN = 30  # mutes listed (and buttons) in one /muted answer
ANSWER_LIMIT = 200  # characters Telegram shows in a callback answer
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_LABEL_WORDS = re.compile(r"[\s\-–—]+")  # "Armenia–Azerbaijan" → armenia, azerbaijan

MUTE_THIS_PAIR = N_("🔕 Mute this pair 24 h")
MUTE_PAIR = N_("🔕 Mute {pair} 24 h")
MORE = N_("More on this conflict")
WHY = N_("Why?")
LIFT = N_("🔔 Unmute {pair}")
UNREADABLE = N_(
    "This button could not be checked, so nothing was changed; /latest and /muted do the same."
)
ALERT_GONE = N_("That alert is no longer stored, so this button no longer works; try /latest.")
NOT_ADMIN_MUTE = N_("Only this chat's administrators can mute or unmute alerts here.")
MUTED = N_("🔕 {pair} muted in this chat until {until}. /muted lists mutes and lifts them.")
MUTE_ENDED = N_("That mute had already ended.")
LIFTED = N_("🔔 {pair} unmuted: its alerts come here again.")
NO_CONFLICT = N_("This alert is not tied to a known conflict, so there is nothing more to show.")
MORE_IN_CHANNEL = N_(
    "A channel gets no answers below its posts: send /latest {word} to the bot in a private chat."
)
MORE_HEAD = N_("<b>Latest on {conflict}</b>")
WHY_HEAD = N_("<b>Why this alert</b>")
WHY_LEVEL = N_("Level: {level}")
WHY_EVIDENCE = N_("Evidence: “{sentence}”")
WHY_NO_EVIDENCE = N_("Evidence: no single sentence was kept for this alert.")
WHY_TERMS = N_("Matched terms: {terms}")
NOTHING_MUTED = N_(
    "Nothing is muted in this chat. Accusation alerts have a 🔕 button that mutes their pair "
    "for 24 h."
)
MUTED_HEAD = N_("<b>Muted in this chat</b> (press a button to unmute):")
MUTED_LINE = N_("• {pair} until {until}")
MUTED_MORE = N_("… and {count} more")


def _button(label: str, press: Press, chat_id: int, codec: CallbackCodec) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=codec.encode(press, chat_id))


def alert_keyboard(
    alert: Alert, chat_id: int, *, codec: CallbackCodec, language: str | None = None
) -> InlineKeyboardMarkup | None:
    """The buttons under an alert sent to `chat_id` (None for an alert not stored yet)."""
    if alert.id <= 0:
        return None
    _ = gettext_for(language)
    rows: list[list[InlineKeyboardButton]] = []
    if alert.level is Level.BLAME:
        for index, pair in enumerate(alert.pairs[:MAX_MUTE_BUTTONS]):
            label = (
                _(MUTE_THIS_PAIR)
                if len(alert.pairs) == 1
                else _(MUTE_PAIR).format(pair=pair_label(pair, language))
            )
            rows.append([_button(label, Press(Action.MUTE, alert.id, index), chat_id, codec)])
    last = [_button(_(WHY), Press(Action.WHY, alert.id), chat_id, codec)]
    if alert_conflict(alert) != OTHER:
        last.insert(0, _button(_(MORE), Press(Action.MORE, alert.id), chat_id, codec))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def muted_keyboard(
    mutes: Sequence[Mute], chat_id: int, *, codec: CallbackCodec, language: str | None = None
) -> InlineKeyboardMarkup | None:
    """One unmute button per mute listed by /muted (None without mutes)."""
    _ = gettext_for(language)
    rows = [
        [
            _button(
                _(LIFT).format(pair=pair_label(mute.pair, language)),
                Press(Action.LIFT, mute.id),
                chat_id,
                codec,
            )
        ]
        for mute in mutes[:MUTED_SHOWN]
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def muted_text(mutes: Sequence[Mute], language: str | None) -> str:
    """What /muted says: the chat's mutes and when each ends, or that there are none."""
    _ = gettext_for(language)
    if not mutes:
        return rtl_lines(_(NOTHING_MUTED), language)
    lines = [_(MUTED_HEAD)]
    for mute in mutes[:MUTED_SHOWN]:
        pair = html.escape(pair_label(mute.pair, language), quote=False)
        until = format_time(mute.until, language)
        lines.append(_(MUTED_LINE).format(pair=pair, until=until))
    if len(mutes) > MUTED_SHOWN:
        lines.append(_(MUTED_MORE).format(count=len(mutes) - MUTED_SHOWN))
    return rtl_lines("\n".join(lines), language)


def why_text(alert: Alert, language: str | None) -> str:
    """The evidence sentence and the matched terms behind an alert, as Telegram HTML."""
    _ = gettext_for(language)
    level = html.escape(headline(alert, language), quote=False)
    lines = [_(WHY_HEAD), _(WHY_LEVEL).format(level=level)]
    sentence = " ".join(alert.evidence.split())
    if sentence:
        quoted = isolate(html.escape(sentence, quote=False), language)
        lines.append(_(WHY_EVIDENCE).format(sentence=quoted))
    else:
        lines.append(_(WHY_NO_EVIDENCE))
    if alert.matched:
        terms = isolate(", ".join(dict.fromkeys(alert.matched)), language)
        lines.append(_(WHY_TERMS).format(terms=html.escape(terms, quote=False)))
    return rtl_lines("\n".join(lines), language)


def _cut(text: str) -> str:
    return text if len(text) <= ANSWER_LIMIT else text[: ANSWER_LIMIT - 1] + "…"


def _services(context: Context) -> tuple[Services, CallbackCodec]:
    svc = services(context)
    if svc.callback_codec is None:
        raise RuntimeError("Services have no button codec: build the app with bot.app")
    return svc, svc.callback_codec


# -- presses ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pressed:
    """One checked button press and what answering it needs."""

    query: CallbackQuery
    chat: Chat
    context: Context
    svc: Services
    codec: CallbackCodec
    press: Press
    language: str | None  # the chat's, as for commands; else the presser's app language

    def gettext(self, message: str) -> str:
        return gettext_for(self.language)(message)

    async def tell(self, text: str) -> None:
        """Answer the press with a dialog only the presser sees."""
        await self.query.answer(_cut(text), show_alert=True)

    async def reply_below(self, text: str) -> None:
        """Send `text` into the chat as a reply to the message whose button was pressed."""
        below = (
            ReplyParameters(self.query.message.message_id, allow_sending_without_reply=True)
            if self.query.message is not None
            else None
        )
        await self.context.bot.send_message(
            self.chat.id,
            text,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_parameters=below,
        )


async def on_button(update: Update, context: Context) -> None:
    """A button was pressed: check its data, then mute, lift, show more or explain."""
    query, chat = update.callback_query, update.effective_chat
    if query is None:
        return
    language = await chat_language(update, context)
    _ = gettext_for(language)
    svc, codec = _services(context)
    try:
        if chat is None:
            raise CallbackDataError("the button's message is not in a chat")
        press = codec.decode(query.data, chat.id)
    except CallbackDataError as exc:
        # Level by cause: a bad signature is someone trying, damaged data is just noise.
        log.log(
            logging.WARNING if isinstance(exc, ForgedCallbackError) else logging.INFO,
            "button press refused (user %s, chat %s): %s",
            query.from_user.id,
            chat.id if chat else "?",
            exc,
        )
        await query.answer(_(UNREADABLE), show_alert=True)
        return
    pressed = _Pressed(query, chat, context, svc, codec, press, language)
    if press.action is Action.LIFT:
        await _lift(pressed)
        return
    alert = await svc.store.get_alert(press.target)
    if alert is None:
        await pressed.tell(_(ALERT_GONE))
        return
    act = {Action.MUTE: _mute, Action.MORE: _more, Action.WHY: _why}[press.action]
    await act(pressed, alert)


async def _may_mute(pressed: _Pressed) -> bool:
    """Private chats: yes; groups and channels: their administrators only."""
    if pressed.chat.type == Chat.PRIVATE:
        return True
    user_id = pressed.query.from_user.id
    try:
        return await is_chat_admin(pressed.context.bot, pressed.chat.id, user_id)
    except TelegramError as exc:
        log.warning(
            "cannot check whether %s administers chat %s: %s", user_id, pressed.chat.id, exc
        )
        return False


async def _mute(pressed: _Pressed, alert: Alert) -> None:
    _ = pressed.gettext
    if pressed.press.index >= len(alert.pairs):
        await pressed.tell(_(UNREADABLE))
        return
    if not await _may_mute(pressed):
        await pressed.tell(_(NOT_ADMIN_MUTE))
        return
    now = pressed.svc.clock()
    pair = alert.pairs[pressed.press.index]
    mute = await pressed.svc.store.mute_pair(
        pressed.chat.id,
        pair,
        until=now + MUTE_DURATION,
        now=now,
        muted_by=pressed.query.from_user.id,
    )
    log.info("chat %s muted %s until %s", pressed.chat.id, pair_label(pair), mute.until)
    shown, until = pair_label(pair, pressed.language), format_time(mute.until, pressed.language)
    await pressed.tell(_(MUTED).format(pair=shown, until=until))


async def _lift(pressed: _Pressed) -> None:
    _ = pressed.gettext
    if not await _may_mute(pressed):
        await pressed.tell(_(NOT_ADMIN_MUTE))
        return
    store, chat_id, now = pressed.svc.store, pressed.chat.id, pressed.svc.clock()
    lifted = await store.lift_mute(chat_id, pressed.press.target, now=now)
    if lifted is None:
        await pressed.tell(_(MUTE_ENDED))
    else:
        log.info("chat %s unmuted %s", chat_id, pair_label(lifted.pair))
        await pressed.tell(_(LIFTED).format(pair=pair_label(lifted.pair, pressed.language)))
    # Show the /muted message as it is now: the lifted mute and its button gone.
    remaining = await store.mutes_in_force(now, chat_id=chat_id)
    keyboard = muted_keyboard(remaining, chat_id, codec=pressed.codec, language=pressed.language)
    try:
        await pressed.query.edit_message_text(
            muted_text(remaining, pressed.language),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )
    except TelegramError as exc:
        # "Message is not modified" (pressed twice) or an old message: the answer said it all.
        log.info("could not update the /muted message in chat %s: %s", chat_id, exc)


async def _more(pressed: _Pressed, alert: Alert) -> None:
    _ = pressed.gettext
    conflict = alert_conflict(alert)
    if conflict == OTHER:
        await pressed.tell(_(NO_CONFLICT))
        return
    if pressed.chat.type == Chat.CHANNEL:
        # Any viewer can press a channel's buttons: the answer must not become a post.
        word = _LABEL_WORDS.split(conflict)[0].casefold()
        await pressed.tell(_(MORE_IN_CHANNEL).format(word=word))
        return
    await pressed.query.answer()
    found = await pressed.svc.store.latest_alerts(MORE_SCAN)
    chosen = [a for a in found if alert_conflict(a) == conflict][:MORE_COUNT]
    label = conflict_label(conflict, pressed.language)
    head = rtl_lines(
        _(MORE_HEAD).format(conflict=html.escape(label, quote=False)), pressed.language
    )
    briefs = [format_alert_brief(a, pressed.language) for a in chosen]
    for text in pack_messages([head, *briefs]):
        await pressed.reply_below(text)


async def _why(pressed: _Pressed, alert: Alert) -> None:
    text = why_text(alert, pressed.language)
    if pressed.chat.type == Chat.CHANNEL:
        # Any viewer can press a channel's buttons: the answer must not become a post.
        await pressed.tell(html.unescape(text.replace("<b>", "").replace("</b>", "")))
        return
    await pressed.query.answer()
    await pressed.reply_below(text)


# -- /muted ----------------------------------------------------------------------------------


async def show_muted(update: Update, context: Context) -> None:
    """/muted: this chat's mutes, each with a button that lifts it."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    svc, codec = _services(context)
    language = await chat_language(update, context)
    mutes = await svc.store.mutes_in_force(svc.clock(), chat_id=chat.id)
    await message.reply_text(
        muted_text(mutes, language),
        parse_mode=ParseMode.HTML,
        link_preview_options=NO_PREVIEW,
        reply_markup=muted_keyboard(mutes, chat.id, codec=codec, language=language),
    )


def keyboard_maker(
    codec: CallbackCodec,
) -> Callable[[Alert, int, str | None], InlineKeyboardMarkup | None]:
    """The delivery worker's `keyboard(alert, chat_id, language)`."""

    def keyboard(alert: Alert, chat_id: int, language: str | None) -> InlineKeyboardMarkup | None:
        return alert_keyboard(alert, chat_id, codec=codec, language=language)

    return keyboard


def register(application: Application) -> None:
    """Add the button handler and /muted."""
    where = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
    application.add_handler(CommandHandler("muted", show_muted, filters=where))
    application.add_handler(CallbackQueryHandler(on_button))
