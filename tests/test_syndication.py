"""Alerts as Atom and JSON Feed documents, and the query strings that filter them (pure)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import feedparser
import pytest

from bot.model import Alert
from bot.outlets.payload import alert_payload, alert_uri
from bot.outlets.syndication import (
    MAX_LIMIT,
    FeedPage,
    FeedQuery,
    QueryError,
    parse_query,
    render_atom,
    render_json_feed,
)
from feeds.model import Level, Pair
from feeds.parse import parse_feed
from tests.atom_rules import check_atom, parse_atom

ATOM = "{http://www.w3.org/2005/Atom}"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SELF = "http://127.0.0.1:8080/alerts.atom?level=blame"


def make_alert(**changes: object) -> Alert:
    alert = Alert(
        id=7,
        feed_url="https://news.example/rss",
        item_key="item-7",
        title="Armenia says Azerbaijani troops fired across the line overnight",
        summary="Yerevan's defence ministry accused Baku of breaking the truce near a village.",
        link="https://news.example/2026/03/armenia-accuses",
        published=datetime(2026, 3, 2, 6, 0, tzinfo=UTC),
        source_title="News Example",
        level=Level.BLAME,
        pairs=(Pair("Armenia", "Azerbaijan"),),
        evidence="Yerevan's defence ministry accused Baku of breaking the truce.",
        matched=("accused",),
        actors=("Armenia", "Azerbaijan"),
        lang="en",
        novelty="First time Armenia has blamed Azerbaijan in 40 days",
        created=datetime(2026, 3, 2, 6, 5, tzinfo=UTC),
    )
    return replace(alert, **changes)


def page(*alerts: Alert, query: FeedQuery | None = None) -> FeedPage:
    return FeedPage(
        query=query or FeedQuery(),
        self_url=SELF,
        alerts=alerts,
        updated=max((a.created for a in alerts), default=NOW),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", FeedQuery()),
        ("level=blame&q=azerbaijan", FeedQuery("blame", ("azerbaijan",))),
        ("level=ALL&limit=5", FeedQuery("all", (), 5)),
        ("q=%22Nagorno+Karabakh%22+gaza", FeedQuery(words=("nagorno karabakh", "gaza"))),
        ("q=%D0%90%D0%B7%D0%B5%D1%80%D0%B1%D0%B0%D0%B9%D0%B4%D0%B6%D0%B0%D0%BD", None),
        ("q=", FeedQuery()),
        (f"limit={MAX_LIMIT}", FeedQuery(limit=MAX_LIMIT)),
    ],
)
def test_queries_readers_send_are_read(query, expected):
    """Level words, quoted phrases, Cyrillic words and limits are read as /subscribe reads them."""
    parsed = parse_query(query)
    if expected is None:
        assert parsed.words == ("азербайджан",)
    else:
        assert parsed == expected


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("level=loud", "level must be one of"),
        ("level=blame&level=all", "Give “level” once"),
        ("limit=100000", "limit must be a whole number from 1 to"),
        ("limit=-3", "limit must be"),
        ("limit=", "limit must be"),
        ("limit=%D9%A3", "limit must be"),  # an Arabic-Indic digit is not an ASCII number
        ("format=rss", "Unknown parameter “format”"),
        ("q=%FF%FE", "not valid UTF-8"),
        ("q=a", "is not a filter word"),
        ("q=" + "+".join(f"word{i}" for i in range(12)), "At most 10 filter words"),
        ("q=" + "x" * 1200, "too long"),
        ("level=%0Aevil%0D", "got “?evil?”"),  # echoed values stay on one line
    ],
)
def test_odd_queries_get_one_clear_line(query, says):
    """Each odd parameter raises QueryError: one line, naming what is allowed."""
    with pytest.raises(QueryError) as raised:
        parse_query(query)
    message = str(raised.value)
    assert says in message
    assert "\n" not in message
    assert "\r" not in message


def test_raw_latin1_bytes_in_the_request_line_are_refused():
    """A query the server decoded as Latin-1 but that is not UTF-8 underneath is refused."""
    with pytest.raises(QueryError, match="UTF-8"):
        parse_query("q=caf\xe9")  # the single byte 0xE9, as the server hands it over


def test_atom_is_valid_and_carries_the_required_elements():
    """feedparser finds no fault; feed and entry have id, title, updated, author, links."""
    alert = make_alert()
    body = render_atom(page(alert))
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    check_atom(body, now=NOW)
    feed = parse_atom(body)
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == SELF
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == alert_uri(alert)
    assert entry.findtext(f"{ATOM}updated") == "2026-03-02T06:05:00Z"
    assert entry.findtext(f"{ATOM}published") == "2026-03-02T06:00:00Z"
    assert entry.find(f"{ATOM}link[@rel='alternate']").get("href") == alert.link
    assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    (item,) = parsed.entries
    assert item.title == alert.title
    assert "Ceasefire breach: Armenia → Azerbaijan" in item.summary
    assert alert.novelty in item.summary
    assert {tag.term for tag in item.tags} == {"blame", "Armenia → Azerbaijan"}


def test_feed_updated_is_the_newest_entry():
    """The feed's updated is never older than its newest entry (the validator's rule)."""
    older = make_alert(id=1, item_key="a", created=datetime(2026, 3, 1, tzinfo=UTC))
    newer = make_alert(id=2, item_key="b", created=datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    body = render_atom(page(newer, older))
    check_atom(body, now=NOW)
    assert parse_atom(body).findtext(f"{ATOM}updated") == "2026-03-02T08:00:00Z"


def test_a_story_dated_in_the_future_is_published_when_it_was_seen():
    """A feed's clock running ahead must not give the validator an implausible date."""
    alert = make_alert(published=datetime(2030, 1, 1, tzinfo=UTC))
    body = render_atom(page(alert))
    check_atom(body, now=NOW)
    (entry,) = parse_atom(body).findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}published") == "2026-03-02T06:05:00Z"


def test_hostile_feed_text_is_escaped_and_control_characters_dropped():
    """Markup, ampersands, quotes and XML-illegal characters cannot break the document."""
    alert = make_alert(
        title='<script>alert("x")</script> Truce & "talks" \x00\x0b\x85 collapse\ufffd',
        summary="a < b & c > d ]]> \x1f end",
        link='https://news.example/a b?x=1&y="2"&city=Şuşa',
        source_title="Bad & <Co>",
        lang="not a tag!",
    )
    body = render_atom(page(alert))
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    check_atom(body, now=NOW)
    (entry,) = parse_atom(body).findall(f"{ATOM}entry")
    assert (
        entry.findtext(f"{ATOM}title") == '<script>alert("x")</script> Truce & "talks"  collapse'
    )
    assert "a < b & c > d ]]>  end" in entry.findtext(f"{ATOM}summary")
    assert (
        entry.find(f"{ATOM}link").get("href")
        == "https://news.example/a%20b?x=1&y=%222%22&city=%C5%9Eu%C5%9Fa"
    )
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Bad & <Co>"
    assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") is None


def test_an_entry_without_a_web_link_keeps_its_text():
    """javascript: links never become links; the summary still tells the story."""
    body = render_atom(page(make_alert(link="javascript:alert(1)", source_title="")))
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0
    check_atom(body, now=NOW)
    (entry,) = parse_atom(body).findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link") is None
    assert entry.find(f"{ATOM}author") is None  # the feed's author covers it
    assert entry.findtext(f"{ATOM}summary")


def test_an_empty_feed_is_still_valid():
    """No alerts yet: a valid feed with no entries, dated by the caller."""
    body = render_atom(page())
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0
    check_atom(body, now=NOW)
    assert parsed.entries == []
    assert parsed.feed.updated == "2026-03-02T09:30:00Z"


def test_json_feed_parses_and_matches_the_webhook_fields():
    """JSON Feed 1.1: version, title, items with id and content_text; ids as in webhooks."""
    arabic = make_alert(
        id=8,
        item_key="ar-1",
        title="اتهامات متبادلة بخرق الهدنة",
        lang="ar",
        link="https://news.example/ar/1",
    )
    body = render_json_feed(page(make_alert(), arabic, query=FeedQuery("blame", ("armenia",))))
    document = json.loads(body)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "Ceasefire alerts: blame, armenia"
    assert document["feed_url"] == SELF
    first, second = document["items"]
    assert first["id"] == alert_payload(make_alert())["id"]
    assert first["content_text"]
    assert first["url"] == make_alert().link
    assert first["date_published"] == "2026-03-02T06:00:00Z"
    assert first["_ceasefire_alerts"]["pairs"] == [{"accuser": "Armenia", "accused": "Azerbaijan"}]
    assert second["language"] == "ar"
    assert second["title"] == arabic.title
    parsed = parse_feed(body, url=SELF, now=NOW)  # the project's own reader takes it back
    assert [item.title for item in parsed.items] == [make_alert().title, arabic.title]


def test_the_same_story_has_the_same_id_on_every_installation():
    """The id depends on the source item, not on the database's row number."""
    assert alert_uri(make_alert(id=1)) == alert_uri(make_alert(id=999))
    assert alert_uri(make_alert(item_key="other")) != alert_uri(make_alert())


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"<id>tag:ceasefire-alerts,2026:alert/", b"<id>alert/"),
        (b"<updated>2026-03-02T06:05:00Z", b"<updated>2026-03-02 06:05"),
        (b"<published>2026-03-02T06:00:00Z", b"<published>1970-01-01T00:00:00Z"),
        (b"03/armenia-accuses", b"03/armenia accuses"),
        (b"<title>Armenia", "<title>\u0085Armenia".encode()),
    ],
)
def test_the_rules_check_catches_a_broken_feed(old, new):
    """The W3C rules check is not a formality: each broken rule fails it."""
    body = render_atom(page(make_alert()))
    assert old in body
    with pytest.raises(AssertionError):
        check_atom(body.replace(old, new, 1), now=NOW)
