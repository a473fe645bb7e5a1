"""Telegram command handlers: parse the arguments, ask the store or a service, reply.

Thin on purpose: the decisions live in the services (filters, tally, digest, chart), in
bot.frontend.format and in the store. Works in private chats, groups (only administrators
change the subscription) and channels (commands arrive as channel posts; whoever can post
there is an administrator). `register(application)` wires them.
May import telegram, feeds (errors, model, actors via filters) and bot modules except app/cli.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from telegram import BotCommand, Chat, ChatMember, ChatMemberUpdated, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ChatMemberHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.frontend.context import Services, services
from bot.frontend.format import MAX_MESSAGE_LENGTH, format_alert, format_time, is_web_link
from bot.i18n import N_, gettext_for
from bot.model import Alert, QuietHours, start_of_day
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
)
from bot.services.silence import QuietHoursError, parse_quiet_hours
from bot.services.tally import DEFAULT_DAYS, MAX_DAYS, build_tally, format_tally, split_days
from feeds.errors import FeedError
from feeds.model import Level

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

COMMANDS: tuple[BotCommand, ...] = (
    BotCommand("subscribe", "Get alerts: /subscribe [digest|both [HH:MM]] [blame|all] [words]"),
    BotCommand("latest", "Last alerts: /latest [n] [words]"),
    BotCommand("tally", "Who blamed whom how often: /tally [days] [words]"),
    BotCommand("chart", "Accusations per day as a picture: /chart [days] [words]"),
    BotCommand("export", "Alerts as a spreadsheet (CSV): /export [days] [words]"),
    BotCommand("muted", "Pairs muted in this chat, with buttons to unmute"),
    BotCommand("filters", "Show what this chat is subscribed to"),
    BotCommand("quiet", N_("Silent hours: /quiet 22:00-07:00 (UTC) or /quiet off")),
    BotCommand("unsubscribe", "Stop alerts in this chat"),
    BotCommand("status", "Feeds, last check, today's counts"),
    BotCommand("feeds", "The news feeds being watched"),
    BotCommand("help", "What this bot does and how to use it"),
    BotCommand("start", "Welcome and the commands"),
)

EXAMPLE_ALERT = (
    "🔴 Ceasefire breach: Russia → Azerbaijan\n"
    "<b>Russia Blames Azerbaijan for Breach of Karabakh Truce in Post-Ceasefire First</b>\n"
    "The Moscow Times · 13 Aug 2021 10:02 UTC"
)
HELP = (
    "<b>Ceasefire alerts</b> watches news feeds for ceasefire breaches and for who blames whom, "
    "and posts a short alert with the source link.\n\n"
    "/subscribe: breach alerts here (blame + reported violations)\n"
    "/subscribe blame azerbaijan armenia: only accusations, only about these\n"
    "/subscribe all: also ceasefire news\n"
    "/subscribe digest 07:30: one message a day at 07:30 UTC instead of instant alerts "
    "(no time: 07:00)\n"
    "/subscribe both 18:00 ukraine: instant alerts and a daily digest at 18:00 UTC\n"
    "/filters: what this chat gets · /unsubscribe: stop\n"
    "/latest [n] [words]: the last n alerts (up to 20)\n"
    "/tally [days] [words]: who blamed whom how often (default 7 days), "
    "e.g. /tally 30 armenia\n"
    f"/chart [days] [words]: accusations per day as a picture (up to {CHART_MAX_DAYS} days), "
    "e.g. /chart 14\n"
    "/export [days] [words]: this chat's alerts as a CSV file for spreadsheets "
    f"(default {exports.DEFAULT_DAYS} days, up to {exports.MAX_DAYS}), e.g. /export 90 gaza\n"
    "/muted: pairs muted here with 🔕 under an alert, and buttons to unmute them\n"
    "/status: feeds, last check, today's counts · /feeds: the sources\n"
)
QUIET_HELP = N_(
    "/quiet 22:00-07:00: everything arrives without a sound in those UTC hours · /quiet off"
)
FORUM_HELP = N_(
    "In a forum group, /subscribe inside a topic sends that topic its own alerts; "
    "each topic may have its own filter."
)
HELP_NOTES = (
    "\nFilter words work in any language: <i>azerbaijan</i> also finds “Азербайджан”.\n"
    "In groups only administrators can change the subscription.\n\n"
    "Example:\n" + EXAMPLE_ALERT
)
OPERATOR_HELP = "\n\nOperators: /addfeed URL · /removefeed URL"
ERROR_REPLY = "Sorry, something went wrong on our side. Please try again in a minute."
NOT_ADMIN = "Only this group's administrators can change its subscription."
NOT_OPERATOR = "Not allowed: only the bot's operators can change the feed list."
LATEST_USAGE = f"Usage: /latest [n] [filter words], n from 1 to {LATEST_MAX}, e.g. /latest 10 gaza"
TALLY_USAGE = (
    f"Usage: /tally [days] [filter words], days from 1 to {MAX_DAYS} (default 7), "
    "e.g. /tally 30 armenia"
)
CHART_USAGE = (
    f"Usage: /chart [days] [filter words], days from 1 to {CHART_MAX_DAYS} (default 7), "
    "e.g. /chart 30 ukraine"
)


async def reply(update: Update, text: str, *, preview: LinkPreviewOptions = NO_PREVIEW) -> None:
    """Answer in the chat the update came from, HTML, no link preview."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, parse_mode=ParseMode.HTML, link_preview_options=preview)


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


def language_of(update: Update) -> str | None:
    """The language to answer in: the user's app language in a private chat, else None."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.type == Chat.PRIVATE and user is not None:
        return user.language_code
    return None


# -- commands --------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    """/start and /help: what the bot does, the commands, an example alert."""
    _ = gettext_for(language_of(update))
    text = f"{HELP}{_(QUIET_HELP)}\n\n{_(FORUM_HELP)}{HELP_NOTES}"
    await reply(update, text + (OPERATOR_HELP if is_operator(update, context) else ""))


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    """What `/subscribe` asked for: the filter, instant alerts or not, the digest's UTC time."""

    levels: tuple[Level, ...]
    words: tuple[str, ...]
    is_instant: bool = True
    digest_time: str | None = None


def _mode_word(raw: str) -> str:
    return raw.strip(_MODE_PUNCTUATION).casefold()


def parse_subscribe_command(args: Sequence[str]) -> SubscribeRequest:
    """`/subscribe [digest|both [HH:MM]] [levels] [words]`; FilterError says what is allowed.

    No mode word: instant alerts only. `digest`: a daily digest at HH:MM UTC (default 07:00)
    and no instant alerts; `both`: instant alerts and the digest. The mode word and the time
    may stand anywhere among the arguments; a trailing "UTC" after the time is accepted.
    """
    modes = {_mode_word(raw) for raw in args if _mode_word(raw) in SUBSCRIBE_MODES}
    if len(modes) > 1:
        raise FilterError(
            "Choose one: digest (one message a day instead of instant alerts) or both "
            f"(instant alerts and a daily digest).\n\n{SUBSCRIBE_USAGE}"
        )
    rest = [raw for raw in args if _mode_word(raw) not in SUBSCRIBE_MODES]
    if not modes:
        for raw in rest:
            if _CLOCK.fullmatch(raw.strip(_MODE_PUNCTUATION)):
                raise FilterError(
                    f"“{raw[:20]}” is a time: times are for the daily digest, "
                    f"e.g. /subscribe digest {raw[:20]}\n\n{SUBSCRIBE_USAGE}"
                )
        return SubscribeRequest(*parse_subscription(rest))
    (mode,) = modes
    times = [raw for raw in rest if raw[:1].isdigit()]
    if len(times) > 1:
        raise FilterError(f"One digest time, please, e.g. /subscribe {mode} 07:30.")
    try:
        digest_time = parse_digest_time(times[0].strip(_MODE_PUNCTUATION) if times else None)
    except DigestTimeError as exc:
        raise FilterError(f"{exc}\n\n{SUBSCRIBE_USAGE}") from exc
    words = [raw for raw in rest if raw not in times and raw.casefold() != "utc"]
    levels, chosen = parse_subscription(words)
    return SubscribeRequest(levels, chosen, SUBSCRIBE_MODES[mode], digest_time)


def next_digest(digest_time: str, now: datetime) -> datetime:
    """The next HH:MM UTC after `now` (when a digest stamped `now` comes next)."""
    return digest_slot(digest_time, now) + timedelta(days=1)


async def subscribe(update: Update, context: Context) -> None:
    """/subscribe [digest|both [HH:MM]] [levels] [words]: create or replace the subscription."""
    chat = update.effective_chat
    if chat is None:
        return
    try:
        request = parse_subscribe_command(context.args or [])
    except FilterError as exc:
        await reply(update, html.escape(str(exc)))
        return
    if not await may_change_subscription(update, context):
        await reply(update, NOT_ADMIN)
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
    what = html.escape(describe(request.levels, request.words))
    if request.digest_time is None:
        text = (
            f"Subscribed: {what}.\n"
            "Alerts arrive here as they are found. /filters shows this, /unsubscribe stops "
            "it, /latest shows what came before."
        )
    else:
        how = describe_delivery(request.is_instant, request.digest_time)
        first = format_time(next_digest(request.digest_time, now))
        text = (
            f"Subscribed: {what}, {how}.\n"
            f"The first digest comes {first}. /filters shows this, /unsubscribe stops it, "
            "/subscribe without digest switches to instant alerts only."
        )
    if topic is not None:
        _ = gettext_for(language_of(update))
        text += "\n" + _(
            "Only this topic gets them; other topics can subscribe with filters of their own."
        )
    await reply(update, text)


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe: stop alerts in this chat."""
    chat = update.effective_chat
    if chat is None:
        return
    if not await may_change_subscription(update, context):
        await reply(update, NOT_ADMIN)
        return
    topic = topic_of(update)
    if await services(context).store.unsubscribe(chat.id, thread_id=topic):
        log.info("chat %s topic %s unsubscribed", chat.id, topic)
        await reply(update, "Unsubscribed: no more alerts here. /subscribe starts them again.")
    else:
        await reply(update, "This chat was not subscribed. /subscribe starts alerts.")


async def show_filters(update: Update, context: Context) -> None:
    """/filters: this chat's subscription in words."""
    chat = update.effective_chat
    if chat is None:
        return
    sub = await services(context).store.get_subscription(chat.id, thread_id=topic_of(update))
    if sub is None or not sub.is_active:
        await reply(
            update,
            "This chat is not subscribed. /subscribe starts alerts; "
            "/help explains levels and filter words.",
        )
        return
    how = describe_delivery(sub.is_instant, sub.digest_time)
    lines = [f"This chat gets {html.escape(describe(sub.levels, sub.words))}, {how}."]
    if sub.digest_time:
        now = services(context).clock()
        try:
            digest_time = parse_digest_time(sub.digest_time)
        except DigestTimeError:
            digest_time = None  # not written by this bot; the digest job skips it too
        if digest_time is not None and is_digest_due(digest_time, sub.last_digest, now):
            lines.append("Next digest: within a minute.")
        elif digest_time is not None:
            lines.append(f"Next digest: {format_time(next_digest(digest_time, now))}.")
    lines.append(quiet_hours_line(sub.quiet_hours, language_of(update)))
    lines.append("Change it with /subscribe, stop it with /unsubscribe.")
    await reply(update, "\n".join(lines))


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
    language = language_of(update)
    _ = gettext_for(language)
    svc = services(context)
    topic = topic_of(update)
    if not context.args:
        sub = await svc.store.get_subscription(chat.id, thread_id=topic)
        current = sub.quiet_hours if sub is not None and sub.is_active else None
        usage = _("Usage: /quiet 22:00-07:00 (UTC) or /quiet off.")
        await reply(update, f"{quiet_hours_line(current, language)}\n{usage}")
        return
    try:
        hours = parse_quiet_hours(" ".join(context.args), language=language)
    except QuietHoursError as exc:
        await reply(update, html.escape(str(exc)))
        return
    if not await may_change_subscription(update, context):
        await reply(update, NOT_ADMIN)
        return
    if not await svc.store.set_quiet_hours(chat.id, hours, thread_id=topic):
        await reply(update, _("Not subscribed here: /subscribe first, then set quiet hours."))
        return
    log.info("chat %s topic %s quiet hours: %s", chat.id, topic, hours)
    if hours is None:
        await reply(update, _("Quiet hours off: breaches make a sound again at any hour."))
        return
    await reply(
        update,
        _(
            "Quiet hours set: from {start} to {end} UTC everything arrives without a sound. "
            "Nothing is held back. /quiet off ends them."
        ).format(start=f"{hours.start:%H:%M}", end=f"{hours.end:%H:%M}"),
    )


def _parse_latest(args: Sequence[str]) -> tuple[int, list[str]]:
    if args and args[0].lstrip("+-").isdigit():
        count = int(args[0])
        if not 1 <= count <= LATEST_MAX:
            raise FilterError(f"{count} is out of range. {LATEST_USAGE}")
        return count, list(args[1:])
    return LATEST_DEFAULT, list(args)


async def latest(update: Update, context: Context) -> None:
    """/latest [n] [words]: the newest n alerts, newest first, in the pushed format."""
    chat = update.effective_chat
    if chat is None:
        return
    svc = services(context)
    try:
        count, rest = _parse_latest(context.args or [])
        sub = await svc.store.get_subscription(chat.id, thread_id=topic_of(update))
        default = tuple(sub.levels) if sub is not None and sub.is_active else DEFAULT_LEVELS
        levels, words = parse_filter(rest, default_levels=default, usage=LATEST_USAGE)
    except FilterError as exc:
        await reply(update, html.escape(str(exc)))
        return
    scan = LATEST_SCAN if words else count
    found = await svc.store.latest_alerts(scan, levels=levels)
    chosen = [alert for alert in found if matches(levels, words, alert)][:count]
    if not chosen:
        if words:
            text = (
                f"No recent alerts match {html.escape(describe(levels, words))}. "
                "Try fewer words or /latest alone."
            )
        else:
            text = (
                "Nothing yet: no alerts have been found so far. They will appear here "
                "once a watched feed reports a ceasefire breach."
            )
        await reply(update, text)
        return
    for text in pack_messages([format_alert(alert) for alert in chosen]):
        await reply(update, text)


def parse_window(
    args: Sequence[str],
    *,
    maximum: int,
    usage: str,
    default_levels: tuple[Level, ...] = BREACH_LEVELS,
    default_days: int = DEFAULT_DAYS,
) -> tuple[int, ChatFilter]:
    """`[days] [levels] [words]` of /tally, /chart, /export; FilterError carries the usage."""
    try:
        days, rest = split_days(args, default=default_days, maximum=maximum)
    except ValueError as exc:
        raise FilterError(f"{exc}\n\n{usage}") from exc
    for raw in rest:
        if raw[:1].isdigit():
            raise FilterError(
                f"“{raw[:20]}” is not a filter word: the number of days comes first.\n\n{usage}"
            )
    return days, parse_filter(rest, default_levels=default_levels, usage=usage)


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
    try:
        days, (levels, words) = parse_window(
            context.args or [], maximum=MAX_DAYS, usage=TALLY_USAGE
        )
    except FilterError as exc:
        await reply(update, html.escape(str(exc)))
        return
    now = svc.clock()
    chosen = await _alerts_in_window(svc, now, days, levels, words)
    text = format_tally(build_tally(chosen, days=days, now=now))
    if words or set(levels) != set(BREACH_LEVELS):
        text = _add_subtitle(text, f"<i>Only {html.escape(describe(levels, words))}</i>")
    await reply(update, text)


def chart_caption(total: int, days: int, words: Sequence[str]) -> str:
    """'12 accusations mentioning “gaza” in the last 7 days, per UTC day and pair.'"""
    day_word = "day" if days == 1 else f"{days} days"
    about = " mentioning " + " or ".join(f"“{w}”" for w in words) if words else ""
    if total == 0:
        return f"No accusations{about} in the last {day_word}."
    return (
        f"{total} accusation{'s' * (total != 1)}{about} in the last {day_word}, per UTC day "
        f"and pair. /tally {days} lists them with links."
    )


async def chart(update: Update, context: Context) -> None:
    """/chart [days] [words]: a PNG of accusations per day by pair, even for an empty window."""
    message = update.effective_message
    if message is None:
        return
    svc = services(context)
    try:
        days, (_, words) = parse_window(
            context.args or [],
            maximum=CHART_MAX_DAYS,
            usage=CHART_USAGE,
            default_levels=ACCUSATIONS_ONLY,
        )
    except FilterError as exc:
        await reply(update, html.escape(str(exc)))
        return
    now = svc.clock()
    # The chart counts accusations only, whatever level words came with the command.
    chosen = await _alerts_in_window(svc, now, days, ACCUSATIONS_ONLY, words)
    # Drawing takes 0.2–1 s of CPU: off the event loop, so other chats are not held up.
    png = await asyncio.to_thread(render_chart, chosen, days=days, now=now)
    total = count_by_day(chosen, days=days, now=now).total
    await message.reply_photo(
        photo=png, filename="chart.png", caption=chart_caption(total, days, words)
    )


EXPORT_USAGE = N_(
    "Usage: /export [days] [filter words], days from 1 to {maximum} (default {default}), "
    "e.g. /export 90 gaza"
)
EXPORT_EMPTY = N_("No alerts to export: none match {what} in the last {days} days.")
EXPORT_CAPTION = N_("{count} alerts, last {days} days, {what}. Times are UTC.")


async def _export_filter(
    svc: Services, chat_id: int, args: Sequence[str], usage: str
) -> tuple[int, ChatFilter]:
    """Days and filter of /export: typed words and levels, else the chat's subscription's."""
    days, typed = parse_window(
        args, maximum=exports.MAX_DAYS, usage=usage, default_days=exports.DEFAULT_DAYS
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
    user = update.effective_user
    _ = gettext_for(user.language_code if user else None)
    svc = services(context)
    usage = _(EXPORT_USAGE).format(maximum=exports.MAX_DAYS, default=exports.DEFAULT_DAYS)
    try:
        days, (levels, words) = await _export_filter(svc, chat.id, context.args or [], usage)
    except FilterError as exc:
        await reply(update, html.escape(str(exc)))
        return
    now = svc.clock()
    what = describe(levels, words)
    found = await svc.store.alerts_between(
        now - timedelta(days=days), now + JUST_NOW, levels=levels
    )
    # A year of alerts takes seconds to match against words: off the event loop.
    count, data = await asyncio.to_thread(_matching_csv, found, levels, words)
    if not count:
        await reply(update, html.escape(_(EXPORT_EMPTY).format(what=what, days=days)))
        return
    await message.reply_document(
        document=data,
        filename=exports.export_filename(now, days, "csv"),
        caption=_(EXPORT_CAPTION).format(count=count, days=days, what=what)[:1024],
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
    now = svc.clock()
    stats = await svc.store.stats(start_of_day(now))
    last = await svc.store.get_meta("last_cycle")
    duration = await svc.store.get_meta("last_cycle_duration")
    lines = ["<b>Status</b>", f"Feeds: {stats.feeds} watched, {stats.failing_feeds} failing"]
    if last:
        took = f" (took {html.escape(duration)} s)" if duration else ""
        lines.append(f"Last check: {html.escape(_time_text(last))}{took}")
    else:
        lines.append("Last check: not yet")
    lines.append(f"Today: {stats.items_since} items seen, {stats.alerts_since} alerts")
    lines.append(
        f"Subscribed chats: {stats.subscriptions} · waiting to be sent: {stats.outbox_pending}"
    )
    if stats.failing_feeds:
        feeds = await svc.store.list_feeds()
        worst = sorted((f for f in feeds if f.is_failing), key=lambda f: -f.failures)
        lines.append("Failing feeds:")
        for feed in worst[:FAILING_SHOWN]:
            name = html.escape(feed.title or feed.url)
            error = html.escape((feed.last_error or "unknown error")[:120])
            lines.append(f"• {name}: {error} (×{feed.failures})")
    await reply(update, "\n".join(lines))


def _time_text(value: str) -> str:
    try:
        return format_time(datetime.fromisoformat(value))
    except ValueError:
        return value


async def list_feeds(update: Update, context: Context) -> None:
    """/feeds: the feeds being watched, failing ones marked."""
    feeds = await services(context).store.list_feeds()
    if not feeds:
        await reply(update, "No feeds are watched yet.")
        return
    lines = []
    for feed in feeds:
        name = html.escape(feed.title or feed.url)
        mark = " ⚠️" if feed.is_failing else ""
        if feed.title and is_web_link(feed.url):
            lines.append(f'• <a href="{html.escape(feed.url, quote=True)}">{name}</a>{mark}')
        else:
            lines.append(f"• {name}{mark}")
    head = f"<b>Watching {len(feeds)} feeds</b>"
    for text in pack_messages([head, *lines], separator="\n"):
        await reply(update, text)


def _feed_url(context: Context) -> str | None:
    args = context.args or []
    return args[0].strip() if len(args) == 1 else None


async def add_feed(update: Update, context: Context) -> None:
    """/addfeed URL (operators): fetch it once to check it is a feed, then watch it."""
    if not is_operator(update, context):
        await reply(update, NOT_OPERATOR)
        return
    url = _feed_url(context)
    if url is None or not is_web_link(url):
        await reply(update, "Usage: /addfeed URL, with one http:// or https:// feed address.")
        return
    svc = services(context)
    from bot.services.poller import check_feed

    try:
        title = await check_feed(svc.client, url, svc.settings, now=svc.clock())
    except FeedError as exc:
        await reply(update, f"Not added: {html.escape(str(exc))}")
        return
    user = update.effective_user
    added = await svc.store.add_feed(
        url, now=svc.clock(), title=title or "", added_by=user.id if user else None
    )
    if not added:
        await reply(update, f"Already watched: {html.escape(url)}")
        return
    log.info("feed added by %s: %s", user.id if user else "?", url)
    if svc.poller is not None:
        svc.poller.wake()
    await reply(update, f"Added: {html.escape(title or url)}. It is checked from now on.")


async def remove_feed(update: Update, context: Context) -> None:
    """/removefeed URL (operators): stop watching a feed."""
    if not is_operator(update, context):
        await reply(update, NOT_OPERATOR)
        return
    url = _feed_url(context)
    if url is None:
        await reply(update, "Usage: /removefeed URL, as /feeds lists it.")
        return
    if await services(context).store.remove_feed(url):
        log.info("feed removed: %s", url)
        await reply(update, f"Removed: {html.escape(url)}")
    else:
        await reply(update, f"Not watched: {html.escape(url)}. /feeds lists the feeds.")


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
        try:
            await context.bot.send_message(
                update.effective_chat.id, ERROR_REPLY, message_thread_id=topic_of(update)
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
    ]
    for names, callback, blocking in commands:
        application.add_handler(CommandHandler(names, callback, filters=where, block=blocking))
    application.add_handler(ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated))
    application.add_error_handler(on_error)
