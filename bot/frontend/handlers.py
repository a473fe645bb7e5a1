"""Telegram command handlers: parse the arguments, ask the store or a service, reply.

Thin on purpose: the decisions live in the services (filters, tally, digest, chart), in
bot.frontend.format and in the store. Works in private chats, groups (only administrators
change the subscription) and channels (commands arrive as channel posts; whoever can post
there is an administrator). `register(application)` wires them. Replies are in the chat's
language (/language, else the subscriber's, else the asking user's, else English).
May import telegram, feeds (errors, model, actors via filters) and bot modules except app/cli.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from telegram import BotCommand, Chat, ChatMember, ChatMemberUpdated, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ChatMemberHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.frontend.context import Services, services
from bot.frontend.format import (
    MAX_MESSAGE_LENGTH,
    format_alert,
    format_time,
    headline,
    is_web_link,
    source_line,
)
from bot.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    gettext_for,
    isolate,
    ngettext_for,
    normalise_language,
    rtl_lines,
)
from bot.model import Alert, QuietHours, WorkerState, start_of_day
from bot.services import export as exports
from bot.services.chart import count_by_day, render_chart
from bot.services.digest import DigestTimeError, digest_slot, is_digest_due, parse_digest_time
from bot.services.filters import (
    BREACH_LEVELS,
    DEFAULT_LEVELS,
    SUBSCRIBE_USAGE,
    ChatFilter,
    FilterError,
    describe,
    describe_delivery,
    matches,
    parse_filter,
    parse_subscription,
    quoted_words,
)
from bot.services.silence import QuietHoursError, parse_quiet_hours
from bot.services.tally import DEFAULT_DAYS, MAX_DAYS, build_tally, format_tally, split_days
from bot.services.workers import RECENT
from feeds.errors import FeedError
from feeds.model import Level, Pair

if TYPE_CHECKING:
    from telegram import Bot, Message
    from telegram.ext import Application

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE

LATEST_DEFAULT = 5
LATEST_MAX = 20
LATEST_SCAN = 500  # alerts looked at when /latest has filter words
FAILING_SHOWN = 5
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

CHART_MAX_DAYS = 90  # thinner bars than this blur on a 1080 px wide phone picture
ACCUSATIONS_ONLY = (Level.BLAME,)
# alerts_between's window is half-open; the one just stored at `now` belongs in it.
JUST_NOW = timedelta(seconds=1)
# `/subscribe digest …` gets only the daily digest; `/subscribe both …` instant alerts too.
SUBSCRIBE_MODES: dict[str, bool] = {"digest": False, "both": True}
_MODE_PUNCTUATION = ".,;:!?"
_CLOCK = re.compile(r"\d{1,2}[:.h]\d{2}(?:utc)?", re.IGNORECASE)

COMMAND_DESCRIPTIONS: tuple[tuple[str, str], ...] = (
    ("subscribe", N_("Get alerts: /subscribe [digest|both [HH:MM]] [blame|all] [words]")),
    ("latest", N_("Last alerts: /latest [n] [words]")),
    ("tally", N_("Who blamed whom how often: /tally [days] [words]")),
    ("chart", N_("Accusations per day as a picture: /chart [days] [words]")),
    ("export", N_("Alerts as a spreadsheet (CSV): /export [days] [words]")),
    ("muted", N_("Pairs muted in this chat, with buttons to unmute")),
    ("filters", N_("Show what this chat is subscribed to")),
    ("quiet", N_("Silent hours: /quiet 22:00-07:00 (UTC) or /quiet off")),
    ("unsubscribe", N_("Stop alerts in this chat")),
    ("status", N_("Feeds, last check, today's counts")),
    ("feeds", N_("The news feeds being watched")),
    ("language", N_("The bot's language in this chat: /language [code]")),
    ("help", N_("What this bot does and how to use it")),
    ("start", N_("Welcome and the commands")),
)


def bot_commands(language: str | None = None) -> tuple[BotCommand, ...]:
    """The command menu, described in the language (setMyCommands per language_code)."""
    _ = gettext_for(language)
    return tuple(BotCommand(name, _(text)) for name, text in COMMAND_DESCRIPTIONS)


COMMANDS = bot_commands()

# The example in /help: a real alert's header, worded like the chat's alerts.
EXAMPLE_ALERT = Alert(
    id=0,
    feed_url="https://www.themoscowtimes.com/rss/news",
    item_key="example",
    title="Russia Blames Azerbaijan for Breach of Karabakh Truce in Post-Ceasefire First",
    summary="",
    link="",
    published=datetime(2021, 8, 13, 10, 2, tzinfo=UTC),
    source_title="The Moscow Times",
    level=Level.BLAME,
    pairs=(Pair("Russia", "Azerbaijan"),),
    evidence="",
    matched=(),
    actors=("Russia", "Azerbaijan"),
    lang="en",
    novelty="",
    created=datetime(2021, 8, 13, 10, 2, tzinfo=UTC),
)
# One message id per paragraph or command line, so a translator sees each in one piece.
HELP_LINES = (
    N_(
        "<b>Ceasefire alerts</b> watches news feeds for ceasefire breaches and for who blames "
        "whom, and posts a short alert with the source link."
    ),
    "",
    N_("/subscribe: breach alerts here (blame + reported violations)"),
    N_("/subscribe blame azerbaijan armenia: only accusations, only about these"),
    N_("/subscribe all: also ceasefire news"),
    N_(
        "/subscribe digest 07:30: one message a day at 07:30 UTC instead of instant alerts "
        "(no time: 07:00)"
    ),
    N_("/subscribe both 18:00 ukraine: instant alerts and a daily digest at 18:00 UTC"),
    N_("/filters: what this chat gets · /unsubscribe: stop"),
    N_("/latest [n] [words]: the last n alerts (up to 20)"),
    N_(
        "/tally [days] [words]: who blamed whom how often (default 7 days), e.g. /tally 30 armenia"
    ),
    N_(
        "/chart [days] [words]: accusations per day as a picture (up to {max_days} days), "
        "e.g. /chart 14"
    ),
    N_(
        "/export [days] [words]: this chat's alerts as a CSV file for spreadsheets "
        "(default {export_days} days, up to {export_max}), e.g. /export 90 gaza"
    ),
    N_("/muted: pairs muted here with 🔕 under an alert, and buttons to unmute them"),
    N_("/status: feeds, last check, today's counts · /feeds: the sources"),
    N_("/language: the bot's language in this chat, e.g. /language de"),
    N_("/quiet 22:00-07:00: everything arrives without a sound in those UTC hours · /quiet off"),
    "",
    N_(
        "In a forum group, /subscribe inside a topic sends that topic its own alerts; "
        "each topic may have its own filter."
    ),
    N_("Filter words work in any language: <i>azerbaijan</i> also finds “Азербайджан”."),
    N_("In groups only administrators can change the subscription and the language."),
    "",
    N_("Example:"),
)
OPERATOR_HELP = N_("Operators: /addfeed URL · /removefeed URL")
ERROR_REPLY = N_("Sorry, something went wrong on our side. Please try again in a minute.")
NOT_ADMIN = N_("Only this group's administrators can change its subscription.")
NOT_ADMIN_LANGUAGE = N_("Only this group's administrators can change its language.")
NOT_OPERATOR = N_("Not allowed: only the bot's operators can change the feed list.")
LATEST_USAGE = N_("Usage: /latest [n] [filter words], n from 1 to {maximum}, e.g. /latest 10 gaza")
TALLY_USAGE = N_(
    "Usage: /tally [days] [filter words], days from 1 to {maximum} (default 7), "
    "e.g. /tally 30 armenia"
)
CHART_USAGE = N_(
    "Usage: /chart [days] [filter words], days from 1 to {maximum} (default 7), "
    "e.g. /chart 30 ukraine"
)


async def reply(
    update: Update,
    text: str,
    language: str | None,
    *,
    preview: LinkPreviewOptions = NO_PREVIEW,
) -> None:
    """Answer in the chat the update came from, HTML, no link preview, laid out for the
    language's direction."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            rtl_lines(text, language), parse_mode=ParseMode.HTML, link_preview_options=preview
        )


def user_language(update: Update) -> str | None:
    """The shipped language of the user's Telegram app ('pt-br' → 'pt'), if any."""
    user = update.effective_user
    return normalise_language(user.language_code) if user is not None else None


async def chat_language(update: Update, context: Context) -> str | None:
    """What to answer in: the chat's language (chosen, or its subscriber's), else the user's."""
    chat = update.effective_chat
    if chat is not None:
        stored = await services(context).store.get_chat_language(chat.id)
        if stored is not None:
            return stored.language
    return user_language(update)


def pack_messages(
    parts: Sequence[str], *, separator: str = "\n\n", limit: int = MAX_MESSAGE_LENGTH
) -> list[str]:
    """Join parts into as few messages of at most `limit` characters as they fit in."""
    messages: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{separator}{part}" if current else part
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        current = part[:limit]  # each part is already cut to the limit by its formatter
    if current:
        messages.append(current)
    return messages


def is_operator(update: Update, context: Context) -> bool:
    """The sender is listed in ADMIN_USER_IDS."""
    user = update.effective_user
    return user is not None and user.id in services(context).settings.admin_user_ids


async def may_change_subscription(update: Update, context: Context) -> bool:
    """Private chats and channels: yes. Groups: only the group's administrators."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None or message is None:
        return False
    if chat.type in (Chat.PRIVATE, Chat.CHANNEL):
        return True
    if message.sender_chat is not None:
        # An administrator posting anonymously appears as the group itself; a linked channel
        # posting into the group is not an administrator of it.
        return message.sender_chat.id == chat.id
    user = update.effective_user
    return user is not None and await is_chat_admin(context.bot, chat.id, user.id)


async def is_chat_admin(bot: Bot, chat_id: int, user_id: int) -> bool:
    """getChatMember says the user owns or administers the chat."""
    member = await bot.get_chat_member(chat_id, user_id)
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


def _chat_title(chat: Chat) -> str:
    return chat.title or chat.full_name or chat.username or ""


def topic_of(update: Update) -> int | None:
    """The forum topic a command was typed in; None for the chat itself (or its General)."""
    message = update.effective_message
    if message is not None and message.is_topic_message:
        return message.message_thread_id
    return None


# -- commands --------------------------------------------------------------------------------


def help_text(language: str | None, *, is_operator: bool = False) -> str:
    """/help in the language: the commands, then an example alert's header."""
    _ = gettext_for(language)
    sizes = {
        "max_days": CHART_MAX_DAYS,
        "export_days": exports.DEFAULT_DAYS,
        "export_max": exports.MAX_DAYS,
    }
    lines = [_(line).format(**sizes) if line else "" for line in HELP_LINES]
    lines += [
        f"🔴 {html.escape(headline(EXAMPLE_ALERT, language), quote=False)}",
        f"<b>{html.escape(EXAMPLE_ALERT.title, quote=False)}</b>",
        html.escape(source_line(EXAMPLE_ALERT, language=language), quote=False),
    ]
    if is_operator:
        lines += ["", _(OPERATOR_HELP)]
    return "\n".join(lines)


async def start(update: Update, context: Context) -> None:
    """/start and /help: what the bot does, the commands, an example alert."""
    language = await chat_language(update, context)
    await reply(update, help_text(language, is_operator=is_operator(update, context)), language)


async def set_language(update: Update, context: Context) -> None:
    """/language [code]: show or set the language the bot writes in here (admins in groups)."""
    chat = update.effective_chat
    if chat is None:
        return
    current = await chat_language(update, context)
    _ = gettext_for(current)
    args = context.args or []
    codes = " ".join(f"{code} ({LANGUAGE_NAMES[code]})" for code in LANGUAGES)
    available = isolate(codes, current)
    if not args:
        name = LANGUAGE_NAMES[current or "en"]
        text = _("This chat's language: {name}. Change it with /language and a code: {codes}")
        await reply(update, text.format(name=name, codes=available), current)
        return
    wanted = normalise_language(args[0])
    if wanted is None or len(args) > 1:
        text = _("“{code}” is not a language I speak. Available: {codes}")
        await reply(
            update, html.escape(text.format(code=" ".join(args)[:20], codes=available)), current
        )
        return
    if not await may_change_subscription(update, context):
        await reply(update, _(NOT_ADMIN_LANGUAGE), current)
        return
    svc = services(context)
    await svc.store.set_chat_language(chat.id, wanted, is_chosen=True, now=svc.clock())
    log.info("chat %s chose language %s", chat.id, wanted)
    _ = gettext_for(wanted)
    text = _("From now on I write in {name} here: replies, alerts and digests.")
    await reply(update, text.format(name=LANGUAGE_NAMES[wanted]), wanted)


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    """What `/subscribe` asked for: the filter, instant alerts or not, the digest's UTC time."""

    levels: tuple[Level, ...]
    words: tuple[str, ...]
    is_instant: bool = True
    digest_time: str | None = None


def _mode_word(raw: str) -> str:
    return raw.strip(_MODE_PUNCTUATION).casefold()


def parse_subscribe_command(args: Sequence[str], language: str | None = None) -> SubscribeRequest:
    """`/subscribe [digest|both [HH:MM]] [levels] [words]`; FilterError says what is allowed.

    No mode word: instant alerts only. `digest`: a daily digest at HH:MM UTC (default 07:00)
    and no instant alerts; `both`: instant alerts and the digest. The mode word and the time
    may stand anywhere among the arguments; a trailing "UTC" after the time is accepted.
    """
    _ = gettext_for(language)
    usage = _(SUBSCRIBE_USAGE)
    modes = {_mode_word(raw) for raw in args if _mode_word(raw) in SUBSCRIBE_MODES}
    if len(modes) > 1:
        choose = _(
            "Choose one: digest (one message a day instead of instant alerts) or both "
            "(instant alerts and a daily digest)."
        )
        raise FilterError(f"{choose}\n\n{usage}")
    rest = [raw for raw in args if _mode_word(raw) not in SUBSCRIBE_MODES]
    if not modes:
        for raw in rest:
            if _CLOCK.fullmatch(raw.strip(_MODE_PUNCTUATION)):
                problem = _(
                    "“{text}” is a time: times are for the daily digest, "
                    "e.g. /subscribe digest {text}"
                ).format(text=raw[:20])
                raise FilterError(f"{problem}\n\n{usage}")
        return SubscribeRequest(*parse_subscription(rest, language))
    (mode,) = modes
    times = [raw for raw in rest if raw[:1].isdigit()]
    if len(times) > 1:
        raise FilterError(
            _("One digest time, please, e.g. /subscribe {mode} 07:30.").format(mode=mode)
        )
    try:
        digest_time = parse_digest_time(
            times[0].strip(_MODE_PUNCTUATION) if times else None, language
        )
    except DigestTimeError as exc:
        raise FilterError(f"{exc}\n\n{usage}") from exc
    words = [raw for raw in rest if raw not in times and raw.casefold() != "utc"]
    levels, chosen = parse_subscription(words, language)
    return SubscribeRequest(levels, chosen, SUBSCRIBE_MODES[mode], digest_time)


def next_digest(digest_time: str, now: datetime) -> datetime:
    """The next HH:MM UTC after `now` (when a digest stamped `now` comes next)."""
    return digest_slot(digest_time, now) + timedelta(days=1)


async def remember_subscriber_language(update: Update, svc: Services, chat_id: int) -> None:
    """Alerts speak the subscriber's language unless the chat chose one with /language."""
    spoken = user_language(update)
    if spoken is None:
        return
    stored = await svc.store.get_chat_language(chat_id)
    if stored is None or (not stored.is_chosen and stored.language != spoken):
        await svc.store.set_chat_language(chat_id, spoken, is_chosen=False, now=svc.clock())


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe [digest|both [HH:MM]] [levels] [words]: create or replace the subscription."""
    chat = update.effective_chat
    if chat is None:
        return
    language = await chat_language(update, context)
    _ = gettext_for(language)
    try:
        request = parse_subscribe_command(context.args or [], language)
    except FilterError as exc:
        await reply(update, html.escape(str(exc)), language)
        return
    if not await may_change_subscription(update, context):
        await reply(update, _(NOT_ADMIN), language)
        return
    svc = services(context)
    now = svc.clock()
    fields = {
        "chat_type": chat.type,
        "levels": request.levels,
        "words": request.words,
        "title": _chat_title(chat),
        "is_instant": request.is_instant,
    }
    topic = topic_of(update)
    # With a digest time the store starts the schedule now: the first digest comes at HH:MM.
    await svc.store.subscribe(
        chat.id, now=now, digest_time=request.digest_time, thread_id=topic, **fields
    )
    await remember_subscriber_language(update, svc, chat.id)
    log.info(
        "chat %s topic %s (%s) subscribed: %s %s instant=%s digest=%s",
        chat.id,
        topic,
        chat.type,
        request.levels,
        request.words,
        request.is_instant,
        request.digest_time,
    )
    # The confirmation speaks the language the alerts will come in (it may just have been set).
    language = await chat_language(update, context)
    _ = gettext_for(language)
    what = html.escape(describe(request.levels, request.words, language))
    if request.digest_time is None:
        text = _(
            "Subscribed: {what}.\n"
            "Alerts arrive here as they are found. /filters shows this, /unsubscribe stops "
            "it, /latest shows what came before."
        ).format(what=what)
    else:
        text = _(
            "Subscribed: {what}, {how}.\n"
            "The first digest comes {first}. /filters shows this, /unsubscribe stops it, "
            "/subscribe without digest switches to instant alerts only."
        ).format(
            what=what,
            how=describe_delivery(request.is_instant, request.digest_time, language),
            first=format_time(next_digest(request.digest_time, now), language),
        )
    if topic is not None:
        text += "\n" + _(
            "Only this topic gets them; other topics can subscribe with filters of their own."
        )
    await reply(update, text, language)


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe: stop alerts in this chat."""
    chat = update.effective_chat
    if chat is None:
        return
    language = await chat_language(update, context)
    _ = gettext_for(language)
    if not await may_change_subscription(update, context):
        await reply(update, _(NOT_ADMIN), language)
        return
    topic = topic_of(update)
    if await services(context).store.unsubscribe(chat.id, thread_id=topic):
        log.info("chat %s topic %s unsubscribed", chat.id, topic)
        text = _("Unsubscribed: no more alerts here. /subscribe starts them again.")
    else:
        text = _("This chat was not subscribed. /subscribe starts alerts.")
    await reply(update, text, language)


async def show_filters(update: Update, context: Context) -> None:
    """/filters: this chat's subscription in words."""
    chat = update.effective_chat
    if chat is None:
        return
    language = await chat_language(update, context)
    _ = gettext_for(language)
    sub = await services(context).store.get_subscription(chat.id, thread_id=topic_of(update))
    if sub is None or not sub.is_active:
        text = _(
            "This chat is not subscribed. /subscribe starts alerts; "
            "/help explains levels and filter words."
        )
        await reply(update, text, language)
        return
    what = html.escape(describe(sub.levels, sub.words, language))
    how = describe_delivery(sub.is_instant, sub.digest_time, language)
    lines = [_("This chat gets {what}, {how}.").format(what=what, how=how)]
    if sub.digest_time:
        now = services(context).clock()
        try:
            digest_time = parse_digest_time(sub.digest_time)
        except DigestTimeError:
            digest_time = None  # not written by this bot; the digest job skips it too
        if digest_time is not None and is_digest_due(digest_time, sub.last_digest, now):
            lines.append(_("Next digest: within a minute."))
        elif digest_time is not None:
            when = format_time(next_digest(digest_time, now), language)
            lines.append(_("Next digest: {time}.").format(time=when))
    lines.append(quiet_hours_line(sub.quiet_hours, language))
    lines.append(_("Change it with /subscribe, stop it with /unsubscribe."))
    await reply(update, "\n".join(lines), language)


def quiet_hours_line(quiet_hours: QuietHours | None, language: str | None) -> str:
    """/filters' line on quiet hours, set or not."""
    _ = gettext_for(language)
    if quiet_hours is None:
        return _("Quiet hours: none (/quiet 22:00-07:00 sets them).")
    return _(
        "Quiet hours: {start}–{end} UTC, everything arrives without a sound "
        "(/quiet off ends them)."
    ).format(start=f"{quiet_hours.start:%H:%M}", end=f"{quiet_hours.end:%H:%M}")


async def quiet(update: Update, context: Context) -> None:
    """/quiet HH:MM-HH:MM | off: in those UTC hours everything arrives silently, none held back."""
    chat = update.effective_chat
    if chat is None:
        return
    language = await chat_language(update, context)
    _ = gettext_for(language)
    svc = services(context)
    topic = topic_of(update)
    if not context.args:
        sub = await svc.store.get_subscription(chat.id, thread_id=topic)
        current = sub.quiet_hours if sub is not None and sub.is_active else None
        usage = _("Usage: /quiet 22:00-07:00 (UTC) or /quiet off.")
        await reply(update, f"{quiet_hours_line(current, language)}\n{usage}", language)
        return
    try:
        hours = parse_quiet_hours(" ".join(context.args), language=language)
    except QuietHoursError as exc:
        await reply(update, html.escape(str(exc)), language)
        return
    if not await may_change_subscription(update, context):
        await reply(update, _(NOT_ADMIN), language)
        return
    if not await svc.store.set_quiet_hours(chat.id, hours, thread_id=topic):
        text = _("Not subscribed here: /subscribe first, then set quiet hours.")
        await reply(update, text, language)
        return
    log.info("chat %s topic %s quiet hours: %s", chat.id, topic, hours)
    if hours is None:
        text = _("Quiet hours off: breaches make a sound again at any hour.")
        await reply(update, text, language)
        return
    text = _(
        "Quiet hours set: from {start} to {end} UTC everything arrives without a sound. "
        "Nothing is held back. /quiet off ends them."
    ).format(start=f"{hours.start:%H:%M}", end=f"{hours.end:%H:%M}")
    await reply(update, text, language)


def _parse_latest(args: Sequence[str], usage: str, language: str | None) -> tuple[int, list[str]]:
    if args and args[0].lstrip("+-").isdigit():
        count = int(args[0])
        if not 1 <= count <= LATEST_MAX:
            _ = gettext_for(language)
            out_of_range = _("{count} is out of range.").format(count=count)
            raise FilterError(f"{out_of_range} {usage}")
        return count, list(args[1:])
    return LATEST_DEFAULT, list(args)


async def latest(update: Update, context: Context) -> None:
    """/latest [n] [words]: the newest n alerts, newest first, in the pushed format."""
    chat = update.effective_chat
    if chat is None:
        return
    svc = services(context)
    language = await chat_language(update, context)
    _ = gettext_for(language)
    usage = _(LATEST_USAGE).format(maximum=LATEST_MAX)
    try:
        count, rest = _parse_latest(context.args or [], usage, language)
        sub = await svc.store.get_subscription(chat.id, thread_id=topic_of(update))
        default = tuple(sub.levels) if sub is not None and sub.is_active else DEFAULT_LEVELS
        levels, words = parse_filter(rest, default_levels=default, usage=usage, language=language)
    except FilterError as exc:
        await reply(update, html.escape(str(exc)), language)
        return
    scan = LATEST_SCAN if words else count
    found = await svc.store.latest_alerts(scan, levels=levels)
    chosen = [alert for alert in found if matches(levels, words, alert)][:count]
    if not chosen:
        if words:
            text = _("No recent alerts match {what}. Try fewer words or /latest alone.").format(
                what=html.escape(describe(levels, words, language))
            )
        else:
            text = _(
                "Nothing yet: no alerts have been found so far. They will appear here "
                "once a watched feed reports a ceasefire breach."
            )
        await reply(update, text, language)
        return
    alerts = [format_alert(alert, language=language) for alert in chosen]
    for text in pack_messages(alerts):
        await reply(update, text, language)


def parse_window(
    args: Sequence[str],
    *,
    maximum: int,
    usage: str,
    default_levels: tuple[Level, ...] = BREACH_LEVELS,
    default_days: int = DEFAULT_DAYS,
    language: str | None = None,
) -> tuple[int, ChatFilter]:
    """`[days] [levels] [words]` of /tally, /chart, /export; FilterError carries the usage."""
    _ = gettext_for(language)
    try:
        days, rest = split_days(args, default=default_days, maximum=maximum, language=language)
    except ValueError as exc:
        raise FilterError(f"{exc}\n\n{usage}") from exc
    for raw in rest:
        if raw[:1].isdigit():
            problem = _("“{word}” is not a filter word: the number of days comes first.").format(
                word=raw[:20]
            )
            raise FilterError(f"{problem}\n\n{usage}")
    return days, parse_filter(rest, default_levels=default_levels, usage=usage, language=language)


def _add_subtitle(text: str, subtitle: str, *, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """Put a line under the heading when it still fits (the tally fills up to the limit)."""
    head, _, body = text.partition("\n")
    candidate = f"{head}\n{subtitle}\n{body}" if body else f"{head}\n{subtitle}"
    return candidate if len(candidate) <= limit else text


async def _alerts_in_window(
    svc: Services, now: datetime, days: int, levels: Sequence[Level], words: Sequence[str]
) -> list[Alert]:
    """Alerts of the last `days` days with these levels that match the filter words."""
    found = await svc.store.alerts_between(
        now - timedelta(days=days), now + JUST_NOW, levels=levels
    )
    return [alert for alert in found if matches(levels, words, alert)]


async def tally(update: Update, context: Context) -> None:
    """/tally [days] [words]: accusations by pair and violation reports by conflict area."""
    svc = services(context)
    language = await chat_language(update, context)
    _ = gettext_for(language)
    try:
        days, (levels, words) = parse_window(
            context.args or [],
            maximum=MAX_DAYS,
            usage=_(TALLY_USAGE).format(maximum=MAX_DAYS),
            language=language,
        )
    except FilterError as exc:
        await reply(update, html.escape(str(exc)), language)
        return
    now = svc.clock()
    chosen = await _alerts_in_window(svc, now, days, levels, words)
    text = format_tally(build_tally(chosen, days=days, now=now, language=language), language)
    if words or set(levels) != set(BREACH_LEVELS):
        # Translators: a tally narrowed by filters; {what} is "blame only mentioning “gaza”".
        only = _("Only {what}").format(what=html.escape(describe(levels, words, language)))
        text = _add_subtitle(text, f"<i>{only}</i>")
    await reply(update, text, language)


def chart_caption(total: int, days: int, words: Sequence[str], language: str | None = None) -> str:
    """'12 accusations mentioning “gaza” in the last 7 days, per UTC day and pair.'"""
    _, ngettext = gettext_for(language), ngettext_for(language)
    about = quoted_words(words, language)
    if total == 0:
        if about:
            text = ngettext(
                "No accusations mentioning {words} in the last day.",
                "No accusations mentioning {words} in the last {days} days.",
                days,
            )
        else:
            text = ngettext(
                "No accusations in the last day.", "No accusations in the last {days} days.", days
            )
        return text.format(words=about, days=days)
    if about:
        counted = ngettext(
            "{count} accusation mentioning {words}",
            "{count} accusations mentioning {words}",
            total,
        )
    else:
        counted = ngettext("{count} accusation", "{count} accusations", total)
    window = ngettext(
        "{counted} in the last day, per UTC day and pair. /tally {days} lists them with links.",
        "{counted} in the last {days} days, per UTC day and pair. "
        "/tally {days} lists them with links.",
        days,
    )
    return window.format(counted=counted.format(count=total, words=about), days=days)


async def chart(update: Update, context: Context) -> None:
    """/chart [days] [words]: a PNG of accusations per day by pair, even for an empty window."""
    message = update.effective_message
    if message is None:
        return
    svc = services(context)
    language = await chat_language(update, context)
    _ = gettext_for(language)
    try:
        days, (_levels, words) = parse_window(
            context.args or [],
            maximum=CHART_MAX_DAYS,
            usage=_(CHART_USAGE).format(maximum=CHART_MAX_DAYS),
            default_levels=ACCUSATIONS_ONLY,
            language=language,
        )
    except FilterError as exc:
        await reply(update, html.escape(str(exc)), language)
        return
    now = svc.clock()
    # The chart counts accusations only, whatever level words came with the command.
    chosen = await _alerts_in_window(svc, now, days, ACCUSATIONS_ONLY, words)
    # Drawing takes 0.2–1 s of CPU: off the event loop, so other chats are not held up.
    png = await asyncio.to_thread(render_chart, chosen, days=days, now=now, language=language)
    total = count_by_day(chosen, days=days, now=now).total
    caption = rtl_lines(chart_caption(total, days, words, language), language)
    await message.reply_photo(photo=png, filename="chart.png", caption=caption)


EXPORT_USAGE = N_(
    "Usage: /export [days] [filter words], days from 1 to {maximum} (default {default}), "
    "e.g. /export 90 gaza"
)


async def _export_filter(
    svc: Services, chat_id: int, args: Sequence[str], usage: str, language: str | None
) -> tuple[int, ChatFilter]:
    """Days and filter of /export: typed words and levels, else the chat's subscription's."""
    days, typed = parse_window(
        args,
        maximum=exports.MAX_DAYS,
        usage=usage,
        default_days=exports.DEFAULT_DAYS,
        language=language,
    )
    has_days = bool(args) and args[0].strip().isdigit()
    if len(args) > int(has_days):
        return days, typed
    sub = await svc.store.get_subscription(chat_id)
    if sub is None or not sub.is_active:
        return days, typed
    return days, ChatFilter(sub.levels, sub.words)


async def export(update: Update, context: Context) -> None:
    """/export [days] [words]: the chat's matching alerts of the last days as a CSV document."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    language = await chat_language(update, context)
    _, ngettext = gettext_for(language), ngettext_for(language)
    svc = services(context)
    usage = _(EXPORT_USAGE).format(maximum=exports.MAX_DAYS, default=exports.DEFAULT_DAYS)
    try:
        days, (levels, words) = await _export_filter(
            svc, chat.id, context.args or [], usage, language
        )
    except FilterError as exc:
        await reply(update, html.escape(str(exc)), language)
        return
    now = svc.clock()
    what = describe(levels, words, language)
    found = await svc.store.alerts_between(
        now - timedelta(days=days), now + JUST_NOW, levels=levels
    )
    # A year of alerts takes seconds to match against words: off the event loop.
    count, data = await asyncio.to_thread(_matching_csv, found, levels, words)
    if not count:
        empty = ngettext(
            "No alerts to export: none match {what} in the last day.",
            "No alerts to export: none match {what} in the last {days} days.",
            days,
        )
        await reply(update, html.escape(empty.format(what=what, days=days)), language)
        return
    counted = ngettext("{count} alert", "{count} alerts", count).format(count=count)
    caption = ngettext(
        "{counted}, last day, {what}. Times are UTC.",
        "{counted}, last {days} days, {what}. Times are UTC.",
        days,
    ).format(counted=counted, days=days, what=what)
    await message.reply_document(
        document=data,
        filename=exports.export_filename(now, days, "csv"),
        caption=rtl_lines(caption, language)[:1024],
    )


def _matching_csv(
    found: Sequence[Alert], levels: Sequence[Level], words: Sequence[str]
) -> tuple[int, bytes]:
    """How many alerts match the filter, and the CSV of them."""
    chosen = [alert for alert in found if matches(levels, words, alert)]
    return len(chosen), exports.to_csv(chosen)


async def status(update: Update, context: Context) -> None:
    """/status: feeds, the last polling cycle, today's counts, failing feeds, subscribers."""
    svc = services(context)
    language = await chat_language(update, context)
    _ = gettext_for(language)
    now = svc.clock()
    stats = await svc.store.stats(start_of_day(now))
    last = await svc.store.get_meta("last_cycle")
    duration = await svc.store.get_meta("last_cycle_duration")
    lines = [
        "<b>{}</b>".format(html.escape(_("Status"))),
        _("Feeds: {watched} watched, {failing} failing").format(
            watched=stats.feeds, failing=stats.failing_feeds
        ),
    ]
    if last and duration:
        lines.append(
            _("Last check: {time} (took {seconds} s)").format(
                time=html.escape(_time_text(last, language)), seconds=html.escape(duration)
            )
        )
    elif last:
        lines.append(_("Last check: {time}").format(time=html.escape(_time_text(last, language))))
    else:
        lines.append(_("Last check: not yet"))
    lines.append(
        _("Today: {items} items seen, {alerts} alerts").format(
            items=stats.items_since, alerts=stats.alerts_since
        )
    )
    lines.append(
        _("Subscribed chats: {chats} · waiting to be sent: {pending}").format(
            chats=stats.subscriptions, pending=stats.outbox_pending
        )
    )
    workers = await svc.store.recent_workers(now - RECENT)
    if workers:  # several `run` processes share a PostgreSQL database
        lines.append(workers_line(workers, language=language))
    if stats.failing_feeds:
        feeds = await svc.store.list_feeds()
        worst = sorted((f for f in feeds if f.is_failing), key=lambda f: -f.failures)
        lines.append(_("Failing feeds:"))
        for feed in worst[:FAILING_SHOWN]:
            name = isolate(html.escape(feed.title or feed.url), language)
            # The error text is the feed library's, in English, as the operators' logs.
            error = isolate(html.escape((feed.last_error or "unknown error")[:120]), language)
            lines.append(f"• {name}: {error} (×{feed.failures})")
    await reply(update, "\n".join(lines), language)


def workers_line(workers: Sequence[WorkerState], *, language: str | None) -> str:
    """'Workers: 3 polling · sending: host:pid:id', from the heartbeats of the last minute."""
    _ = gettext_for(language)
    sender = next((w.name for w in workers if w.is_sender), None)
    # Translators: /status when several copies of the bot share one database; {sender} is the
    # copy that sends messages, named like "host:1234:9f2c".
    nobody = _("none right now")
    # Translators: /status: how many copies of the bot poll the feeds, and which one sends.
    return _("Workers: {count} polling · sending: {sender}").format(
        count=len(workers), sender=html.escape(sender) if sender else nobody
    )


def _time_text(value: str, language: str | None) -> str:
    try:
        return format_time(datetime.fromisoformat(value), language)
    except ValueError:
        return value


async def list_feeds(update: Update, context: Context) -> None:
    """/feeds: the feeds being watched, failing ones marked."""
    language = await chat_language(update, context)
    _, ngettext = gettext_for(language), ngettext_for(language)
    feeds = await services(context).store.list_feeds()
    if not feeds:
        await reply(update, _("No feeds are watched yet."), language)
        return
    lines = []
    for feed in feeds:
        name = html.escape(feed.title or feed.url)
        mark = " ⚠️" if feed.is_failing else ""
        if feed.title and is_web_link(feed.url):
            lines.append(f'• <a href="{html.escape(feed.url, quote=True)}">{name}</a>{mark}')
        else:
            lines.append(f"• {name}{mark}")
    watching = ngettext("Watching {count} feed", "Watching {count} feeds", len(feeds))
    head = f"<b>{html.escape(watching.format(count=len(feeds)))}</b>"
    for text in pack_messages([head, *lines], separator="\n"):
        await reply(update, text, language)


def _feed_url(context: Context) -> str | None:
    args = context.args or []
    return args[0].strip() if len(args) == 1 else None


async def add_feed(update: Update, context: Context) -> None:
    """/addfeed URL (operators): fetch it once to check it is a feed, then watch it."""
    language = await chat_language(update, context)
    _ = gettext_for(language)
    if not is_operator(update, context):
        await reply(update, _(NOT_OPERATOR), language)
        return
    url = _feed_url(context)
    if url is None or not is_web_link(url):
        text = _("Usage: /addfeed URL, with one http:// or https:// feed address.")
        await reply(update, text, language)
        return
    svc = services(context)
    from bot.services.poller import check_feed

    try:
        title = await check_feed(svc.client, url, svc.settings, now=svc.clock())
    except FeedError as exc:
        # The reason is the feed library's, in English, as the operators' logs.
        text = _("Not added: {reason}").format(reason=isolate(html.escape(str(exc)), language))
        await reply(update, text, language)
        return
    user = update.effective_user
    added = await svc.store.add_feed(
        url, now=svc.clock(), title=title or "", added_by=user.id if user else None
    )
    if not added:
        text = _("Already watched: {url}").format(url=isolate(html.escape(url), language))
        await reply(update, text, language)
        return
    log.info("feed added by %s: %s", user.id if user else "?", url)
    if svc.poller is not None:
        svc.poller.wake()
    name = isolate(html.escape(title or url), language)
    await reply(update, _("Added: {name}. It is checked from now on.").format(name=name), language)


async def remove_feed(update: Update, context: Context) -> None:
    """/removefeed URL (operators): stop watching a feed."""
    language = await chat_language(update, context)
    _ = gettext_for(language)
    if not is_operator(update, context):
        await reply(update, _(NOT_OPERATOR), language)
        return
    url = _feed_url(context)
    if url is None:
        await reply(update, _("Usage: /removefeed URL, as /feeds lists it."), language)
        return
    shown = isolate(html.escape(url), language)
    if await services(context).store.remove_feed(url):
        log.info("feed removed: %s", url)
        await reply(update, _("Removed: {url}").format(url=shown), language)
    else:
        text = _("Not watched: {url}. /feeds lists the feeds.").format(url=shown)
        await reply(update, text, language)


# -- chat life cycle -------------------------------------------------------------------------


async def bot_membership(update: Update, context: Context) -> None:
    """The bot was removed from a chat (or blocked): stop sending there."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.new_chat_member.status not in (ChatMember.LEFT, ChatMember.BANNED):
        return
    if await services(context).store.deactivate_chat(change.chat.id, reason="bot removed"):
        log.info("bot removed from chat %s: subscription turned off", change.chat.id)


async def chat_migrated(update: Update, context: Context) -> None:
    """A group became a supergroup: its subscription follows the new id."""
    message: Message | None = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    svc = services(context)
    await svc.store.move_chat(message.chat.id, message.migrate_to_chat_id, now=svc.clock())
    log.info("chat %s migrated to %s", message.chat.id, message.migrate_to_chat_id)


async def on_error(update: object, context: Context) -> None:
    """Log the error; tell the chat in one plain sentence, never with a traceback."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        # The store may be what failed: answer in the user's language without asking it.
        _ = gettext_for(user_language(update))
        try:
            await context.bot.send_message(
                update.effective_chat.id, _(ERROR_REPLY), message_thread_id=topic_of(update)
            )
        except TelegramError as exc:
            log.warning(
                "could not tell chat %s about the error: %s", update.effective_chat.id, exc
            )


def register(application: Application) -> None:
    """Add every handler and the error handler to the application."""
    # New messages and channel posts; an edited command is not run a second time.
    where = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
    commands = [
        (("start", "help"), start, True),
        (("subscribe",), subscribe, True),
        (("unsubscribe", "stop"), unsubscribe, True),
        (("filters",), show_filters, True),
        (("quiet",), quiet, True),
        (("latest",), latest, True),
        (("tally",), tally, True),
        (("chart",), chart, False),  # draws a picture in a thread: must not hold up others
        (("export",), export, False),  # up to a year of alerts: must not hold up others
        (("status",), status, True),
        (("feeds",), list_feeds, True),
        (("addfeed",), add_feed, False),  # fetches a URL: must not hold up other chats
        (("removefeed",), remove_feed, True),
        (("language",), set_language, True),
    ]
    for names, callback, blocking in commands:
        application.add_handler(CommandHandler(names, callback, filters=where, block=blocking))
    application.add_handler(ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated))
    application.add_error_handler(on_error)
