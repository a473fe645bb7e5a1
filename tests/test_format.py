"""Alert formatting: the DESIGN.md layout, escaping, safe links and the 4096-character cut."""

import html
import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.frontend.format import (
    MAX_MESSAGE_LENGTH,
    cut_text,
    format_alert,
    format_alert_console,
    truncate_html,
)
from bot.model import Alert
from feeds.model import Level, Pair
from tests.fakes.telegram_api import parse_telegram_html

MOSCOW_TIMES = Alert(
    id=1,
    feed_url="https://www.themoscowtimes.com/rss/news",
    item_key="mt-2021-08-13",
    title="Russia Blames Azerbaijan for Breach of Karabakh Truce in Post-Ceasefire First",
    summary=(
        "Moscow's defence ministry reported that Azerbaijani units hit Karabakh posts with attack "
        "quadcopters, the first time it has blamed one side since the 2020 truce."
    ),
    link="https://www.themoscowtimes.com/2021/08/13/russia-blames-azerbaijan-a74770",
    published=datetime(2021, 8, 13, 10, 2, tzinfo=UTC),
    source_title="The Moscow Times",
    level=Level.BLAME,
    pairs=(Pair("Russia", "Azerbaijan"),),
    evidence="Moscow's defence ministry reported that Azerbaijani units hit…",
    matched=("blames", "breach"),
    actors=("Russia", "Azerbaijan"),
    lang="en",
    novelty="",
    created=datetime(2021, 8, 13, 10, 5, tzinfo=UTC),
    also_reported=2,
)


def test_alert_matches_the_design_example():
    """The message is laid out exactly as DESIGN.md shows it."""
    assert format_alert(MOSCOW_TIMES) == (
        "🔴 Ceasefire breach: Russia → Azerbaijan\n"
        "<b>Russia Blames Azerbaijan for Breach of Karabakh Truce in Post-Ceasefire First</b>\n"
        "Moscow's defence ministry reported that Azerbaijani units hit Karabakh posts with attack "
        "quadcopters, the first time it has blamed one side since the 2020 truce.\n"
        "The Moscow Times · 13 Aug 2021 10:02 UTC · also reported by 2 feeds\n"
        '<a href="https://www.themoscowtimes.com/2021/08/13/russia-blames-azerbaijan-a74770">'
        "Read the source</a>"
    )


@pytest.mark.parametrize(
    ("changes", "first_line", "source_line"),
    [
        (
            {"also_reported": 0},
            "🔴 Ceasefire breach: Russia → Azerbaijan",
            "The Moscow Times · 13 Aug 2021 10:02 UTC",
        ),
        ({"also_reported": 1}, None, "also reported by 1 feed"),
        ({"also_reported": 2, "also_languages": 1}, None, "also reported by 2 feeds"),
        (
            {"also_reported": 3, "also_languages": 2},
            None,
            "also reported by 3 feeds in 2 languages",
        ),
        (
            {"level": Level.VIOLATION, "pairs": ()},
            "🟠 Ceasefire violation: Russia, Azerbaijan",
            None,
        ),
        ({"level": Level.CEASEFIRE, "pairs": (), "actors": ()}, "🟢 Ceasefire news", None),
        (
            {"pairs": (Pair("Armenia", "Azerbaijan"), Pair("Azerbaijan", "Armenia"))},
            "🔴 Ceasefire breach: Armenia → Azerbaijan, Azerbaijan → Armenia",
            None,
        ),
        ({"source_title": ""}, None, "www.themoscowtimes.com · 13 Aug 2021"),
        ({"published": datetime(2021, 8, 3, 7, 5, tzinfo=UTC)}, None, "3 Aug 2021 07:05 UTC"),
    ],
)
def test_headline_and_source_line_variants(changes, first_line, source_line):
    """Level label, pairs, source fallback, day without zero and the also-reported count."""
    text = format_alert(replace(MOSCOW_TIMES, **changes))
    lines = text.split("\n")
    if first_line is not None:
        assert lines[0] == first_line
    if source_line is not None:
        assert any(source_line in line for line in lines), text


def test_hostile_feed_text_is_escaped_and_telegram_accepts_it():
    """Tags, stray closers and ampersands from a feed arrive as literal text."""
    hostile = replace(
        MOSCOW_TIMES,
        title="</b><script>alert('x')</script> & <i>",
        summary='AT&T <a href="javascript:evil()">click</a> &amp; &nbsp; 5 < 6 > 4',
        source_title="Evil & Co <b>",
        pairs=(Pair("<Russia>", "Azer&baijan"),),
        novelty="first <blame> since 2020 & counting",
        link='https://example.test/a?x=1&y="2"<b>',
    )
    text = format_alert(hostile)
    visible = parse_telegram_html(text)
    assert "</b><script>alert('x')</script> & <i>" in visible
    assert 'AT&T <a href="javascript:evil()">click</a> &amp; &nbsp; 5 < 6 > 4' in visible
    assert "Evil & Co <b>" in visible
    assert "<Russia> → Azer&baijan" in visible
    assert 'href="https://example.test/a?x=1&amp;y=&quot;2&quot;&lt;b&gt;"' in text


def test_line_breaks_in_feed_text_keep_the_layout():
    """Newlines inside feed fields cannot add or fake lines of the message."""
    text = format_alert(
        replace(
            MOSCOW_TIMES,
            title="A\nB",
            summary="one\n\ntwo",
            source_title="Src\nFake line",
            novelty="new\nline",
        )
    )
    assert text.split("\n")[1:5] == [
        "<b>A B</b>",
        "one two",
        "<i>new line</i>",
        "Src Fake line · 13 Aug 2021 10:02 UTC · also reported by 2 feeds",
    ]


def test_many_pairs_are_shortened_in_the_headline():
    """More than four accusations end in an ellipsis instead of a paragraph-long headline."""
    pairs = tuple(Pair(f"A{i}", f"B{i}") for i in range(6))
    first = format_alert(replace(MOSCOW_TIMES, pairs=pairs)).split("\n")[0]
    assert first == "🔴 Ceasefire breach: A0 → B0, A1 → B1, A2 → B2, A3 → B3, …"


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "data:text/html,x", "ftp://example.test/f", "", "//x.test"]
)
def test_only_web_links_become_anchors(link):
    """A link that is not http(s) is never made clickable."""
    text = format_alert(replace(MOSCOW_TIMES, link=link))
    assert "<a " not in text
    parse_telegram_html(text)


def test_long_summary_is_cut_at_a_word_and_fits():
    """A huge summary gives way first: the message fits and the title and link survive."""
    words = " ".join(f"word{i} &" for i in range(3000))
    text = format_alert(replace(MOSCOW_TIMES, summary=words))
    assert len(text) <= MAX_MESSAGE_LENGTH
    visible = parse_telegram_html(text)
    assert len(visible) <= MAX_MESSAGE_LENGTH
    assert "<b>Russia Blames Azerbaijan" in text
    assert text.endswith("Read the source</a>")
    summary_line = text.split("\n")[2]
    assert summary_line.endswith("…")
    cut = html.unescape(summary_line[:-1])
    assert words.startswith(cut)
    assert words[len(cut)] == " "  # the cut falls between words
    assert len(text) > MAX_MESSAGE_LENGTH - 100  # and uses the room there is


def test_huge_title_and_link_still_fit():
    """Even absurd titles and URLs never push the message past the limit."""
    text = format_alert(
        replace(
            MOSCOW_TIMES,
            title="<&>" * 5000,
            summary="s " * 5000,
            link="https://x.test/" + "a" * 5000,
        )
    )
    assert len(text) <= MAX_MESSAGE_LENGTH
    parse_telegram_html(text)


@pytest.mark.parametrize(
    "summary",
    [
        MOSCOW_TIMES.title,
        MOSCOW_TIMES.title.upper() + ". " + MOSCOW_TIMES.summary,
        MOSCOW_TIMES.title + " " + MOSCOW_TIMES.summary,
    ],
)
def test_title_is_not_repeated_by_the_summary(summary):
    """Summaries that start with (or are) the title do not print it a second time."""
    text = format_alert(replace(MOSCOW_TIMES, summary=summary))
    assert text.casefold().count(MOSCOW_TIMES.title.casefold()) == 1
    if summary != MOSCOW_TIMES.title:
        assert text.split("\n")[2] == MOSCOW_TIMES.summary


def test_console_format_is_plain_text():
    """Console mode prints the same facts without markup, link in full."""
    text = format_alert_console(replace(MOSCOW_TIMES, title="A & <b>B</b>"))
    assert text.split("\n") == [
        "🔴 Ceasefire breach: Russia → Azerbaijan",
        "A & <b>B</b>",
        MOSCOW_TIMES.summary,
        "The Moscow Times · 13 Aug 2021 10:02 UTC · also reported by 2 feeds",
        MOSCOW_TIMES.link,
    ]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("one two three four", 12, "one two…"),
        ("abcdefghijklmnop", 8, "abcdefg…"),
        ("<b>bold words here</b>", 16, "<b>bold…</b>"),
        ("a &amp; b &amp; c &amp; d", 14, "a &amp; b…"),
        ("<b>x</b> <i>yy zz</i>", 19, "<b>x</b> <i>yy…</i>"),
        ("<b>x</b> <i>yy zz</i>", 16, "<b>x</b>…"),
        ('<a href="https://x.test/very/long">t</a> tail', 20, "…"),
    ],
)
def test_truncate_html_table(text, limit, expected):
    """Cuts land on a word or token boundary, close open tags and fit the limit."""
    result = truncate_html(text, limit)
    assert result == expected
    assert len(result) <= limit


def test_truncate_html_never_breaks_markup():
    """Random valid markup cut at every limit stays valid Telegram HTML within the limit."""
    rng = random.Random(5)  # noqa: S311 - reproducible test data, not cryptography
    pieces = ["word", " ", "&amp;", "&lt;", "&#128308;", "é", "🔴", "\n"]
    for _ in range(60):
        parts: list[str] = []
        for _ in range(rng.randint(1, 30)):
            piece = rng.choice(pieces)
            if rng.random() < 0.2:
                tag = rng.choice(["b", "i", "code", "blockquote"])
                piece = f"<{tag}>{piece}{rng.choice(pieces)}</{tag}>"
            elif rng.random() < 0.05:
                piece = f'<a href="https://x.test/?a=1&amp;b=2"><b>{piece}</b></a>'
            parts.append(piece)
        markup = "".join(parts)
        parse_telegram_html(markup)
        for limit in range(1, len(markup) + 2):
            result = truncate_html(markup, limit)
            assert len(result) <= max(limit, 1), (markup, limit, result)
            parse_telegram_html(result)


@pytest.mark.parametrize(
    ("text", "limit", "escape", "expected"),
    [
        ("fits", 4, False, "fits"),
        ("alpha beta gamma", 12, False, "alpha beta…"),
        ("a&b c&d e&f", 16, True, "a&b c&d…"),
        ("a&b c&d e&f", 14, True, "a&b…"),
        ("x", 0, False, ""),
    ],
)
def test_cut_text(text, limit, escape, expected):
    """Plain text is cut at a word boundary, measured after escaping when asked."""
    assert cut_text(text, limit, escape=escape) == expected
