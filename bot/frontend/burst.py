"""Burst messages: a chat's pending alerts as a compact list, one line per story.

When a chat's alerts would take longer than BURST_DELAY to send one by one under its rate
limit, the delivery worker merges them with `burst_parts`: most severe first, each line the
level emoji, who accuses whom, the headline and a link to the source, split into as few
messages as fit Telegram's limits, only ever between two stories. Pure: no I/O.
May import bot.model, bot.i18n, bot.frontend.format and feeds.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.frontend.format import (
    LEVEL_EMOJI,
    MAX_LINK_LENGTH,
    MAX_MESSAGE_LENGTH,
    MAX_PAIRS_SHOWN,
    cut_text,
    is_web_link,
)
from bot.i18n import actor_name, gettext_for, isolate, ngettext_for, pair_text, rtl_lines
from bot.model import Alert, BurstPart, OutboxRow
from bot.services.silence import rings
from feeds.model import Level
from feeds.text import collapse_space

BURST_TITLE_LENGTH = 140  # one line per story on a phone
BURST_SOURCE_LENGTH = 40
# Telegram counts 4096 characters of visible text (UTF-16 code units), formats only the first
# 100 entities (bold, links) of a message and refuses entities whose markup adds up to much over
# 9,000 characters ("Entities_too_long"). A part stays inside all three, with room for its head.
MAX_ENTITIES = 100
MAX_MARKUP = 9000
HEAD_ROOM = 160
_TAG = re.compile(r"<[^<>]*>")


@dataclass(frozen=True, slots=True)
class _Line:
    markup: str
    visible: int  # UTF-16 code units, as Telegram counts them
    entities: int
    row_id: int
    level: Level


def visible_length(markup: str) -> int:
    """Length of Telegram HTML as Telegram counts it: tags gone, entities decoded, UTF-16."""
    text = html.unescape(_TAG.sub("", markup))
    return len(text.encode("utf-16-le")) // 2


def _who(alert: Alert, language: str | None) -> str:
    _ = gettext_for(language)
    if alert.pairs:
        pairs = alert.pairs[:MAX_PAIRS_SHOWN]
        shown = [pair_text(p.accuser, p.accused, language) for p in pairs]
        more = ["…"] if len(alert.pairs) > MAX_PAIRS_SHOWN else []
        return _(", ").join([*shown, *more])
    if alert.actors and alert.level is not Level.BLAME:
        named = alert.actors[:MAX_PAIRS_SHOWN]
        return _(", ").join(isolate(actor_name(name, language), language) for name in named)
    return ""


def burst_line(alert: Alert, language: str | None = None) -> str:
    """'🔴 <b>Russia → Azerbaijan</b>: Headline — <a href="…">The Moscow Times</a>'."""
    parts = [LEVEL_EMOJI.get(alert.level, "⚪")]
    who = collapse_space(_who(alert, language))
    title = html.escape(
        cut_text(collapse_space(alert.title), BURST_TITLE_LENGTH) or "…", quote=False
    )
    title = isolate(title, language)
    parts.append(f"<b>{html.escape(who, quote=False)}</b>: {title}" if who else title)
    source = alert.source_title.strip() or urlsplit(alert.feed_url).netloc or alert.feed_url
    source = html.escape(cut_text(collapse_space(source), BURST_SOURCE_LENGTH), quote=False)
    link = alert.link.strip()
    if is_web_link(link) and len(link) <= MAX_LINK_LENGTH:
        source = f'<a href="{html.escape(link, quote=True)}">{source}</a>'
    if source:
        parts.append(f"— {isolate(source, language)}")
    return rtl_lines(" ".join(parts), language)


def _line(row: OutboxRow, language: str | None) -> _Line:
    assert row.alert is not None  # noqa: S101 - the worker merges alert rows only
    markup = burst_line(row.alert, language)
    return _Line(markup, visible_length(markup), markup.count("</"), row.id, row.alert.level)


def _split(lines: Sequence[_Line], limit: int) -> list[list[_Line]]:
    """Greedy: as many whole lines per part as Telegram's three budgets allow."""
    parts: list[list[_Line]] = []
    current: list[_Line] = []
    visible = markup = entities = 0
    for line in lines:
        fits = (
            visible + line.visible + 1 <= limit - HEAD_ROOM
            and markup + len(line.markup) + 1 <= MAX_MARKUP - HEAD_ROOM
            and entities + line.entities <= MAX_ENTITIES - 1  # the head has one
        )
        if current and not fits:
            parts.append(current)
            current, visible, markup, entities = [], 0, 0, 0
        current.append(line)
        visible += line.visible + 1
        markup += len(line.markup) + 1
        entities += line.entities
    if current:
        parts.append(current)
    return parts


def burst_parts(
    rows: Sequence[OutboxRow], *, language: str | None = None, limit: int = MAX_MESSAGE_LENGTH
) -> list[BurstPart]:
    """The alert rows as burst messages, most severe first; each row in exactly one part.

    Within a level the queue's order is kept. A part makes a sound only if it holds a breach.
    """
    ngettext = ngettext_for(language)
    lines = sorted((_line(row, language) for row in rows), key=lambda line: -line.level.rank)
    chunks = _split(lines, limit)
    head = ngettext(
        "⚡ <b>{count} new alert at once</b>, most severe first",
        "⚡ <b>{count} new alerts at once</b>, most severe first",
        len(lines),
    ).format(count=len(lines))
    head = rtl_lines(head, language)
    parts = []
    for number, chunk in enumerate(chunks, start=1):
        title = head if len(chunks) == 1 else f"{head} · {number}/{len(chunks)}"
        parts.append(
            BurstPart(
                text="\n".join([title, *(line.markup for line in chunk)]),
                row_ids=tuple(line.row_id for line in chunk),
                is_silent=not rings(line.level for line in chunk),
            )
        )
    return parts
