"""Keyboards and texts of the inline buttons (pure parts; presses are in test_buttons_e2e)."""

from datetime import UTC, datetime

from bot.frontend.buttons import (
    MUTED_SHOWN,
    NOTHING_MUTED,
    alert_keyboard,
    muted_keyboard,
    muted_text,
    why_text,
)
from bot.frontend.callback_data import Action, CallbackCodec, new_key
from bot.model import Alert, Mute
from feeds.model import Level, Pair

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
CODEC = CallbackCodec(new_key())
CHAT = 42


def alert(*pairs: Pair, level=Level.BLAME, actors=(), alert_id=7, **kw) -> Alert:
    fields = {
        "id": alert_id,
        "feed_url": "https://feed.test/rss",
        "item_key": "k",
        "title": "A headline",
        "summary": "",
        "link": "https://feed.test/1",
        "published": NOW,
        "source_title": "Feed Test",
        "level": level,
        "pairs": pairs,
        "evidence": "",
        "matched": (),
        "actors": actors,
        "lang": "en",
        "novelty": "",
        "created": NOW,
    }
    return Alert(**{**fields, **kw})


def layout(markup):
    """Rows of (label, action, target, index) decoded as the chat would send them back."""
    rows = []
    for row in markup.inline_keyboard:
        cells = []
        for button in row:
            press = CODEC.decode(button.callback_data, CHAT)
            cells.append((button.text, press.action, press.target, press.index))
        rows.append(cells)
    return rows


def test_blame_alert_with_one_pair_gets_all_three_buttons():
    """Mute on its own row, then more and why."""
    markup = alert_keyboard(alert(Pair("Armenia", "Azerbaijan")), CHAT, codec=CODEC)
    assert layout(markup) == [
        [("🔕 Mute this pair 24 h", Action.MUTE, 7, 0)],
        [("More on this conflict", Action.MORE, 7, 0), ("Why?", Action.WHY, 7, 0)],
    ]


def test_several_pairs_get_one_named_mute_button_each():
    """With two accusations the buttons say which pair they mute."""
    two = alert(Pair("Armenia", "Azerbaijan"), Pair("Azerbaijan", "Armenia"))
    mutes = layout(alert_keyboard(two, CHAT, codec=CODEC))[:2]
    assert mutes == [
        [("🔕 Mute Armenia → Azerbaijan 24 h", Action.MUTE, 7, 0)],
        [("🔕 Mute Azerbaijan → Armenia 24 h", Action.MUTE, 7, 1)],
    ]


def test_no_mute_without_blame_and_no_more_without_a_conflict():
    """A violation report has nothing to mute; an alert of no known conflict has no 'more'."""
    violation = alert(level=Level.VIOLATION, actors=("Ukraine", "Russia"))
    assert [
        [cell[0] for cell in row] for row in layout(alert_keyboard(violation, CHAT, codec=CODEC))
    ] == [["More on this conflict", "Why?"]]
    unknown = alert(level=Level.VIOLATION)
    assert [
        [cell[0] for cell in row] for row in layout(alert_keyboard(unknown, CHAT, codec=CODEC))
    ] == [["Why?"]]
    assert alert_keyboard(alert(alert_id=0), CHAT, codec=CODEC) is None


def test_why_text_gives_evidence_and_terms_escaped():
    """The sentence and the matched terms, feed text escaped for HTML."""
    text = why_text(
        alert(
            Pair("Armenia", "Azerbaijan"),
            evidence="Yerevan said <b>Baku</b> fired first & again.",
            matched=("fired", "ceasefire", "fired"),
        ),
        None,
    )
    assert text.split("\n") == [
        "<b>Why this alert</b>",
        "Level: Ceasefire breach: Armenia → Azerbaijan",
        "Evidence: “Yerevan said &lt;b&gt;Baku&lt;/b&gt; fired first &amp; again.”",
        "Matched terms: fired, ceasefire",
    ]
    assert "no single sentence" in why_text(alert(level=Level.VIOLATION), None)


def test_muted_list_is_capped_and_says_how_many_more():
    """Long lists stop at MUTED_SHOWN lines and buttons; none is 'nothing muted'."""
    mutes = [Mute(i, CHAT, Pair(f"Side{i}", "Other"), NOW) for i in range(MUTED_SHOWN + 2)]
    text = muted_text(mutes, None)
    assert text.count("\n• ") == MUTED_SHOWN
    assert text.endswith("… and 2 more")
    markup = muted_keyboard(mutes, CHAT, codec=CODEC)
    assert len(markup.inline_keyboard) == MUTED_SHOWN
    assert layout(markup)[0] == [("🔔 Unmute Side0 → Other", Action.LIFT, 0, 0)]
    assert muted_text([], None) == NOTHING_MUTED
    assert muted_keyboard([], CHAT, codec=CODEC) is None
