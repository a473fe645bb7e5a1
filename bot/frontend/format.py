"""Alert → Telegram HTML (every piece of feed text escaped, at most 4096 characters) and → console.

Everything the bot itself writes is in the chat's language (`language`, None = English): labels,
actor names, dates, the novelty line; feed text stays as the feed wrote it. Pure: no I/O, no
clock. May import feeds.model, feeds.text, bot.i18n, bot.services.history and bot's records.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.i18n import (
    N_,
    actor_name,
    gettext_for,
    isolate,
    ngettext_for,
    pair_text,
    pgettext_for,
    rtl_lines,
)
from bot.services.history import novelty_text
from feeds.model import Level
from feeds.text import collapse_space

if TYPE_CHECKING:
    from bot.model import Alert

MAX_MESSAGE_LENGTH = 4096  # Telegram's limit for one text message
ELLIPSIS = "…"
MAX_TITLE_LENGTH = 400  # a "title" longer than this is a feed stuffing its body into <title>
MAX_LINK_LENGTH = 2048  # longer URLs are junk and would crowd the message out
MAX_PAIRS_SHOWN = 4  # a headline naming more accusations than this stops being readable

LEVEL_EMOJI = {Level.BLAME: "🔴", Level.VIOLATION: "🟠", Level.CEASEFIRE: "🟢", Level.NONE: "⚪"}
LEVEL_LABEL = {
    Level.BLAME: N_("Ceasefire breach"),
    Level.VIOLATION: N_("Ceasefire violation"),
    Level.CEASEFIRE: N_("Ceasefire news"),
    Level.NONE: N_("News"),
}
# One token of markup: a tag, an entity, or a single character.
_TOKEN = re.compile(r"<[^<>]*>|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{1,16});|.", re.DOTALL)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")


def month_name(month: int, language: str | None = None) -> str:
    """'Aug', 'авг.', 'أغسطس': the short name of a month (1–12)."""
    pgettext = pgettext_for(language)
    names = (
        pgettext("month", "Jan"),
        pgettext("month", "Feb"),
        pgettext("month", "Mar"),
        pgettext("month", "Apr"),
        pgettext("month", "May"),
        pgettext("month", "Jun"),
        pgettext("month", "Jul"),
        pgettext("month", "Aug"),
        pgettext("month", "Sep"),
        pgettext("month", "Oct"),
        pgettext("month", "Nov"),
        pgettext("month", "Dec"),
    )
    return names[month - 1]


def short_date(moment: date | datetime, language: str | None = None) -> str:
    """'13 Mar' (UTC) without depending on the process locale."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC)
    _ = gettext_for(language)
    # Translators: a short date, "13 Mar".
    return _("{day} {month}").format(day=moment.day, month=month_name(moment.month, language))


def format_time(moment: datetime, language: str | None = None) -> str:
    """'13 Aug 2021 10:02 UTC' without depending on the process locale."""
    moment = moment.astimezone(UTC)
    _ = gettext_for(language)
    # Translators: "13 Aug 2021 10:02 UTC"; {time} is 24-hour HH:MM in UTC.
    return _("{day} {month} {year} {time} UTC").format(
        day=moment.day,
        month=month_name(moment.month, language),
        year=moment.year,
        time=f"{moment:%H:%M}",
    )


def level_label(level: Level, language: str | None = None) -> str:
    """'Ceasefire breach' in the language."""
    return gettext_for(language)(LEVEL_LABEL.get(level, LEVEL_LABEL[Level.NONE]))


def is_web_link(url: str) -> bool:
    """Only http(s) links become clickable; javascript:, data: and the like never do."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def headline(alert: Alert, language: str | None = None) -> str:
    """'Ceasefire breach: Russia → Azerbaijan' (plain text, not escaped)."""
    _ = gettext_for(language)
    label = level_label(alert.level, language)
    if alert.pairs:
        shown = [pair_text(p.accuser, p.accused, language) for p in alert.pairs[:MAX_PAIRS_SHOWN]]
        more = ELLIPSIS if len(alert.pairs) > MAX_PAIRS_SHOWN else ""
    elif alert.actors and alert.level is not Level.BLAME:
        named = alert.actors[:MAX_PAIRS_SHOWN]
        shown = [isolate(actor_name(name, language), language) for name in named]
        more = ""
    else:
        return label
    # Translators: separates actor names in an alert headline.
    names = _(", ").join([*shown, more] if more else shown)
    # Translators: an alert headline: "Ceasefire breach: Russia → Azerbaijan".
    return collapse_space(_("{label}: {names}").format(label=label, names=names))


def source_line(alert: Alert, *, language: str | None = None) -> str:
    """'The Moscow Times · 13 Aug 2021 10:02 UTC · also reported by 2 feeds' (plain text)."""
    parts = [isolate(alert.source_name, language), format_time(alert.published, language)]
    if alert.also_reported > 0:
        parts.append(also_reported(alert, language))
    # Feed text must not break the one-line layout with its own line breaks.
    return collapse_space(" · ".join(parts))


def also_reported(alert: Alert, language: str | None = None) -> str:
    """'also reported by 3 feeds in 2 languages' (the languages only when there are several)."""
    ngettext = ngettext_for(language)
    count, languages = alert.also_reported, alert.also_languages
    if languages > 1:
        return ngettext(
            "also reported by {count} feed in {languages} languages",
            "also reported by {count} feeds in {languages} languages",
            count,
        ).format(count=count, languages=languages)
    return ngettext(
        "also reported by {count} feed", "also reported by {count} feeds", count
    ).format(count=count)


def body_text(alert: Alert) -> str:
    """The summary without a leading copy of the title (summaries often start with it)."""
    title, summary = alert.title.strip(), alert.summary.strip()
    if title and summary[: len(title)].casefold() == title.casefold():
        summary = summary[len(title) :].lstrip(" .:;,-–—|")
    return summary


def cut_text(text: str, limit: int, *, escape: bool = False) -> str:
    """Cut plain text to `limit` characters (measured after escaping if asked) at a word boundary.

    The cut text ends with '…'; text that already fits is returned unchanged.
    """

    def size(value: str) -> int:
        return len(html.escape(value, quote=False)) if escape else len(value)

    if size(text) <= limit:
        return text
    if limit < len(ELLIPSIS):
        return ""
    budget = limit - len(ELLIPSIS)
    # Largest prefix that fits; escaping only lengthens, so start from `budget` and shrink.
    end = min(len(text), budget)
    while end > 0 and size(text[:end]) > budget:
        end -= max(1, (size(text[:end]) - budget) // 6)
    prefix = text[:end]
    space = prefix.rfind(" ")
    # Prefer the last word boundary unless that throws away most of the text.
    if space > end // 2:
        prefix = prefix[:space]
    return prefix.rstrip(" ,;:-–—") + ELLIPSIS


def truncate_html(text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """Cut Telegram HTML to at most `limit` characters, never inside a tag or entity.

    Tags still open at the cut are closed, and the cut prefers a word boundary. The limit is
    measured on the markup itself, which is never shorter than the text Telegram counts.
    """
    if len(text) <= limit:
        return text
    kept: list[str] = []
    stack: list[str] = []
    length = 0
    boundary: tuple[int, tuple[str, ...]] | None = None  # last whitespace: (index, open tags)
    for token in _TOKEN.findall(text):
        tag = _TAG.match(token)
        after = stack
        if tag is not None:
            name = tag.group(2).lower()
            if not tag.group(1):
                after = [*stack, name]
            elif stack and stack[-1] == name:
                after = stack[:-1]
        closing = sum(len(name) + 3 for name in after)
        if length + len(token) + len(ELLIPSIS) + closing > limit:
            break
        if token.isspace():
            boundary = (len(kept), tuple(stack))
        kept.append(token)
        length += len(token)
        stack = after
    if boundary is not None and boundary[0] > len(kept) // 2:
        kept, stack = kept[: boundary[0]], list(boundary[1])
    while kept:
        # Trailing whitespace and tags the cut left empty go.
        tag = _TAG.match(kept[-1])
        if kept[-1].isspace():
            kept.pop()
        elif tag is not None and not tag.group(1):
            kept.pop()
            stack.pop()
        else:
            break
    return "".join(kept) + ELLIPSIS + "".join(f"</{name}>" for name in reversed(stack))


def format_alert(
    alert: Alert, *, language: str | None = None, limit: int = MAX_MESSAGE_LENGTH
) -> str:
    """The alert as a Telegram HTML message of at most `limit` characters, in the language."""
    _ = gettext_for(language)
    emoji = LEVEL_EMOJI.get(alert.level, "⚪")
    head = f"{emoji} {html.escape(headline(alert, language), quote=False)}"
    title = html.escape(cut_text(collapse_space(alert.title), MAX_TITLE_LENGTH), quote=False)
    novelty = html.escape(collapse_space(novelty_text(alert.novelty, language)), quote=False)
    source = html.escape(source_line(alert, language=language), quote=False)
    link = alert.link.strip()
    read = ""
    if is_web_link(link) and len(link) <= MAX_LINK_LENGTH:
        words = html.escape(_("Read the source"))
        read = f'<a href="{html.escape(link, quote=True)}">{words}</a>'

    def assemble(summary: str, title_text: str) -> str:
        lines = [head, f"<b>{title_text}</b>" if title_text else ""]
        lines += [summary, f"<i>{novelty}</i>" if novelty else "", source, read]
        return rtl_lines("\n".join(line for line in lines if line), language)

    summary_text = collapse_space(body_text(alert))
    message = assemble(html.escape(summary_text, quote=False), title)
    if len(message) > limit:
        # The summary gives way first, then the title; the rest is short by construction.
        room = limit - len(assemble("", title)) - 1
        summary = html.escape(cut_text(summary_text, max(room, 0), escape=True), quote=False)
        message = assemble(summary, title)
    return truncate_html(message, limit)


def format_alert_console(alert: Alert, language: str | None = None) -> str:
    """The alert as plain text for console mode and the CLI."""
    lines = [
        f"{LEVEL_EMOJI.get(alert.level, '⚪')} {headline(alert, language)}",
        collapse_space(alert.title),
        collapse_space(body_text(alert)),
        collapse_space(novelty_text(alert.novelty, language)),
        source_line(alert, language=language),
        alert.link.strip(),
    ]
    return "\n".join(line for line in lines if line)


def format_alert_brief(alert: Alert, language: str | None = None) -> str:
    """Two lines of Telegram HTML: level and pairs with the time, then the linked headline."""
    emoji = LEVEL_EMOJI.get(alert.level, "⚪")
    head = html.escape(headline(alert, language), quote=False)
    title = html.escape(cut_text(collapse_space(alert.title), MAX_TITLE_LENGTH), quote=False)
    link = alert.link.strip()
    if is_web_link(link) and len(link) <= MAX_LINK_LENGTH:
        title = f'<a href="{html.escape(link, quote=True)}">{title}</a>'
    source = isolate(html.escape(collapse_space(alert.source_name), quote=False), language)
    when = format_time(alert.published, language)
    return rtl_lines(f"{emoji} <b>{head}</b> · {when}\n{title} · {source}", language)
