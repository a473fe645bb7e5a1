"""feeds.parse: every feed format to the same Items; keys, plain text, dates, links, non-feeds."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from feeds.errors import ParseError
from feeds.parse import THREAD_THRESHOLD, ParsedFeed, parse_feed, parse_feed_async

DATA = Path(__file__).parent / "data" / "parse"
NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
URL = "https://news.example.org/world/feed.xml"


def _rss(items: str, channel: str = "<title>Wire</title>", head: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{head}<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel>{channel}{items}</channel></rss>"
    ).encode()


def _parse(content: bytes, **kwargs) -> ParsedFeed:
    return parse_feed(content, url=kwargs.pop("url", URL), now=kwargs.pop("now", NOW), **kwargs)


def _only_item(content: bytes, **kwargs):
    (item,) = _parse(content, **kwargs).items
    return item


def _sha256_key(title: str, summary: str) -> str:
    return "sha256:" + hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()


# --- every format, compared with the expected output stored beside it -------------------------

_GOLDEN = sorted(p for p in DATA.iterdir() if not p.name.endswith(".expected.json"))


def _as_json(feed: ParsedFeed) -> dict:
    return {
        "title": feed.title,
        "link": feed.link,
        "lang": feed.lang,
        "ttl_minutes": feed.ttl_minutes,
        "items": [
            {
                "key": i.key,
                "feed_url": i.feed_url,
                "title": i.title,
                "summary": i.summary,
                "link": i.link,
                "published": i.published.isoformat(),
                "source_title": i.source_title,
                "lang": i.lang,
            }
            for i in feed.items
        ],
    }


def test_golden_files_present() -> None:
    """Each format the issue names has a sample file and an expected output."""
    names = {p.name for p in _GOLDEN}
    assert {
        "rss091.xml",
        "rss092.xml",
        "rss10.rdf",
        "rss20.xml",
        "atom10.xml",
        "atom03.xml",
        "jsonfeed11.json",
        "jsonfeed10.json",
        "rss20-windows1251.xml",
    } <= names
    for path in _GOLDEN:
        assert (DATA / (path.name.split(".")[0] + ".expected.json")).is_file(), path.name


@pytest.mark.parametrize("path", _GOLDEN, ids=lambda p: p.name)
def test_format_yields_expected_items(path: Path) -> None:
    """RSS 0.91/0.92/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.0/1.1 give the stored Items."""
    expected = json.loads((DATA / (path.name.split(".")[0] + ".expected.json")).read_text("utf-8"))
    feed = parse_feed(path.read_bytes(), url=f"https://feeds.example.org/{path.name}", now=NOW)
    assert _as_json(feed) == expected
    assert all(i.published.tzinfo is UTC for i in feed.items)


def test_windows_1251_declared_encoding_decodes() -> None:
    """A Russian feed in windows-1251 with an XML encoding declaration comes out as Cyrillic."""
    raw = (DATA / "rss20-windows1251.xml").read_bytes()
    assert "Россия".encode("cp1251") in raw  # the file really is single-byte Cyrillic
    item = _only_item(raw)
    assert item.title == "Россия обвинила Азербайджан в нарушении перемирия"
    assert "«квадрокоптерами» — впервые" in item.summary
    assert item.lang == "ru"


def test_charset_from_content_type_header() -> None:
    """Without a declaration the HTTP charset decides: KOI8-R bytes become the right letters."""
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Лента</title>'
        "<item><title>Перемирие нарушено</title><link>https://ex.ru/1</link></item>"
        "</channel></rss>"
    ).encode("koi8-r")
    feed = _parse(body, headers={"Content-Type": "application/xml; charset=koi8-r"})
    assert feed.title == "Лента"
    assert feed.items[0].title == "Перемирие нарушено"


# --- keys ------------------------------------------------------------------------------------


def test_key_is_the_full_guid() -> None:
    """The guid wins over the link and is kept whole, however long."""
    guid = "urn:example:" + "x" * 500
    item = _only_item(
        _rss(
            f"<item><title>A</title><link>https://ex.org/a</link>"
            f'<guid isPermaLink="false">{guid}</guid></item>'
        )
    )
    assert item.key == guid
    assert item.link == "https://ex.org/a"


def test_key_falls_back_to_link() -> None:
    """No guid: the absolute link is the key."""
    item = _only_item(_rss("<item><title>A</title><link>/news/a</link></item>"))
    assert item.key == item.link == "https://news.example.org/news/a"


def test_key_falls_back_to_full_sha256_of_title_and_summary() -> None:
    """No guid, no link: sha256 of the plain title + newline + summary, all 64 hex digits."""
    doc = _rss(
        "<item><title>Truce &amp; talks</title><description>&lt;p&gt;Both sides"
        "&lt;/p&gt;</description></item>"
    )
    first, second = _only_item(doc), _only_item(doc, now=NOW + timedelta(hours=1))
    assert first.key == _sha256_key("Truce & talks", "Both sides")
    assert len(first.key.removeprefix("sha256:")) == 64
    assert second.key == first.key  # stable across polls
    other = _only_item(doc.replace(b"Both sides", b"Neither side"))
    assert other.key != first.key


def test_json_feed_keys_follow_the_same_rule() -> None:
    """JSON Feed ids, links and hashes give keys just like RSS."""
    doc = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "J",
            "items": [
                {"id": "guid-1", "url": "https://ex.org/1", "title": "One"},
                {"url": "https://ex.org/2", "title": "Two"},
                {"title": "Three", "content_text": "Body"},
            ],
        }
    ).encode()
    assert [i.key for i in _parse(doc).items] == [
        "guid-1",
        "https://ex.org/2",
        _sha256_key("Three", "Body"),
    ]


def test_repeated_key_in_one_document_kept_once() -> None:
    """A feed listing the same guid twice yields one item, the first."""
    doc = _rss(
        '<item><title>First</title><guid isPermaLink="false">g</guid></item>'
        '<item><title>Again</title><guid isPermaLink="false">g</guid></item>'
    )
    assert [i.title for i in _parse(doc).items] == ["First"]


# --- plain text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title_xml", "expected"),
    [
        ("&lt;script&gt;alert(1)&lt;/script&gt;Truce holds", "Truce holds"),
        ("<![CDATA[<script>alert(1)</script>Truce holds]]>", "Truce holds"),
        ("Tom &amp;amp; Jerry &amp; co", "Tom & Jerry & co"),
        ("Shelling &lt;/b&gt;near the border", "Shelling near the border"),
        ("&lt;b&gt;Breaking: ceasefire violated", "Breaking: ceasefire violated"),
        ("&amp;lt;i&amp;gt;Escaped twice&amp;lt;/i&amp;gt;", "Escaped twice"),
        ("  Lots\n\tof   space  ", "Lots of space"),
        ("AT&amp;T says 5 &lt; 6", "AT&T says 5 < 6"),
    ],
)
def test_hostile_title_becomes_plain_text(title_xml: str, expected: str) -> None:
    """Tags stripped, script dropped, entities decoded, unbalanced tags harmless."""
    item = _only_item(
        _rss(f"<item><title>{title_xml}</title><link>https://ex.org/1</link></item>")
    )
    assert item.title == expected


def test_hostile_summary_becomes_plain_text() -> None:
    """Summary markup: scripts, styles, unclosed and stray tags, entities all handled."""
    summary = (
        "<![CDATA[<style>p{color:red}</style><p>Talks <b>resume</p></b> in Doha &amp; "
        "Cairo<script>document.write('x')</script><br>today &nbsp;&eacute;t&eacute;]]>"
    )
    item = _only_item(_rss(f"<item><title>T</title><description>{summary}</description></item>"))
    assert item.summary == "Talks resume in Doha & Cairo today été"


def test_summary_falls_back_to_content() -> None:
    """An item with only content:encoded gets its summary from that content."""
    doc = _rss(
        '<item xmlns:content="http://purl.org/rss/1.0/modules/content/"><title>T</title>'
        "<content:encoded>&lt;p&gt;Full text&lt;/p&gt;</content:encoded></item>"
    )
    assert _only_item(doc).summary == "Full text"


def test_entries_without_title_summary_or_link_are_skipped() -> None:
    """An empty <item> (or one whose markup strips to nothing) is not an Item."""
    doc = _rss(
        "<item></item><item><title>&lt;br/&gt;</title></item><item><title>Kept</title></item>"
    )
    assert [i.title for i in _parse(doc).items] == ["Kept"]


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_xml", "expected"),
    [
        (
            "<pubDate>Fri, 13 Aug 2021 13:02:00 +0300</pubDate>",
            datetime(2021, 8, 13, 10, 2, tzinfo=UTC),
        ),
        (
            "<pubDate>Thu, 12 Aug 2021 20:15:00 -0500</pubDate>",
            datetime(2021, 8, 13, 1, 15, tzinfo=UTC),
        ),
        (
            "<pubDate>Fri, 13 Aug 2021 10:02:00 GMT</pubDate>",
            datetime(2021, 8, 13, 10, 2, tzinfo=UTC),
        ),
        (
            "<pubDate>Fri, 13 Aug 2021 06:02:00 EDT</pubDate>",
            datetime(2021, 8, 13, 10, 2, tzinfo=UTC),
        ),
        ("<dc:date>2021-08-13T15:32:00+05:30</dc:date>", datetime(2021, 8, 13, 10, 2, tzinfo=UTC)),
        ("<dc:date>2021-08-13T10:02:00Z</dc:date>", datetime(2021, 8, 13, 10, 2, tzinfo=UTC)),
    ],
)
def test_dates_with_time_zones_become_utc(date_xml: str, expected: datetime) -> None:
    """Offsets and zone names are applied; the result is an aware UTC datetime."""
    item = _only_item(_rss(f"<item><title>T</title>{date_xml}</item>"))
    assert item.published == expected
    assert item.published.tzinfo is UTC


def test_atom_updated_used_when_published_missing() -> None:
    """Atom entries with only <updated> take that time."""
    doc = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>1</id>'
        b"<title>T</title><updated>2022-02-24T03:00:00+02:00</updated></entry></feed>"
    )
    assert _only_item(doc).published == datetime(2022, 2, 24, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "date_xml",
    [
        "",
        "<pubDate>not a date at all</pubDate>",
        "<pubDate>Tue, 13 Aug 2030 10:00:00 GMT</pubDate>",
        "<pubDate>Fri, 03 Jan 2025 05:00:00 GMT</pubDate>",  # 26 h after NOW
    ],
    ids=["missing", "garbage", "far-future", "over-a-day-ahead"],
)
def test_missing_or_absurd_date_becomes_now(date_xml: str) -> None:
    """No usable date, or one more than a day ahead, means first-seen time."""
    item = _only_item(_rss(f"<item><title>T</title>{date_xml}</item>"))
    assert item.published == NOW


def test_slightly_future_date_is_kept() -> None:
    """A clock a few hours fast is plausible: the feed's date stands."""
    item = _only_item(
        _rss("<item><title>T</title><pubDate>Thu, 02 Jan 2025 09:00:00 GMT</pubDate></item>")
    )
    assert item.published == datetime(2025, 1, 2, 9, 0, tzinfo=UTC)


def test_now_in_another_zone_is_normalised_to_utc() -> None:
    """The fallback time is stored as UTC even when the caller's clock has an offset."""
    local_now = NOW.astimezone(timezone(timedelta(hours=3)))
    item = _only_item(_rss("<item><title>T</title></item>"), now=local_now)
    assert item.published == NOW
    assert item.published.tzinfo is UTC


# --- links, language, feed fields --------------------------------------------------------------


def test_relative_links_resolve_against_feed_url() -> None:
    """Path-relative, root-relative and scheme-relative links become absolute."""
    doc = _rss(
        "<item><title>A</title><link>story/1</link></item>"
        "<item><title>B</title><link>/story/2</link></item>"
        "<item><title>C</title><link>//cdn.example.net/3</link></item>"
    )
    assert [i.link for i in _parse(doc).items] == [
        "https://news.example.org/world/story/1",
        "https://news.example.org/story/2",
        "https://cdn.example.net/3",
    ]


def test_content_location_header_is_the_base() -> None:
    """A Content-Location header moves the base the way HTTP says it does."""
    doc = _rss("<item><title>A</title><link>story/1</link></item>")
    item = _only_item(doc, headers={"Content-Location": "/mirror/feed.xml"})
    assert item.link == "https://news.example.org/mirror/story/1"


def test_xml_base_is_honoured() -> None:
    """Atom xml:base on an entry wins over the feed URL."""
    doc = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b'<entry xml:base="https://other.example.com/dir/"><id>1</id><title>T</title>'
        b'<link href="page.html"/></entry></feed>'
    )
    assert _only_item(doc).link == "https://other.example.com/dir/page.html"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,x", "mailto:a@b.c"])
def test_non_http_links_are_dropped(link: str) -> None:
    """Only http(s) links reach a chat; the item keeps its title and gets a hash key."""
    item = _only_item(_rss(f"<item><title>T</title><link>{link}</link></item>"))
    assert item.link == ""
    assert item.key == _sha256_key("T", "")


def test_language_precedence() -> None:
    """Entry language beats feed <language>, which beats the Content-Language header."""
    doc = _rss(
        "<item><title>A</title><dc:language>uk</dc:language></item><item><title>B</title></item>",
        channel="<title>W</title><language>ru</language>",
    )
    assert [i.lang for i in _parse(doc, headers={"content-language": "en"}).items] == ["uk", "ru"]
    no_feed_lang = _rss("<item><title>B</title></item>")
    assert _only_item(no_feed_lang, headers={"Content-Language": "de-AT, en"}).lang == "de-AT"
    assert _only_item(no_feed_lang).lang is None


def test_source_title_falls_back_to_host() -> None:
    """A feed without a title is named after its host."""
    feed = _parse(_rss("<item><title>A</title></item>", channel=""))
    assert feed.title == "news.example.org"
    assert feed.items[0].source_title == "news.example.org"


@pytest.mark.parametrize(
    ("ttl", "expected"), [("30", 30), ("0", None), ("soon", None), ("99999999", 7 * 24 * 60)]
)
def test_ttl_minutes(ttl: str, expected: int | None) -> None:
    """<ttl> is read as minutes; nonsense is ignored and huge values are capped at a week."""
    feed = _parse(_rss("", channel=f"<title>W</title><ttl>{ttl}</ttl>"))
    assert feed.ttl_minutes == expected


def test_empty_but_valid_feed_has_no_items() -> None:
    """A real feed with no items yet is a feed, not an error."""
    feed = _parse(_rss("", channel="<title>Quiet</title><link>https://q.example/</link>"))
    assert (feed.title, feed.link, feed.items) == ("Quiet", "https://q.example/", ())


# --- ill-formed but usable -------------------------------------------------------------------


def test_undefined_entity_still_parses() -> None:
    """&nbsp; without a DTD makes the XML ill-formed (bozo) but the items are usable."""
    item = _only_item(
        _rss("<item><title>Truce&nbsp;holds</title><link>https://ex.org/1</link></item>")
    )
    assert item.title == "Truce holds"  # no-break space collapses like any space


def test_wrong_declared_encoding_still_parses() -> None:
    """A feed declaring utf-8 but sending latin-1 bytes still yields its item."""
    body = _rss("<item><title>Café talks</title></item>").replace("é".encode(), b"\xe9")
    item = _only_item(body)
    assert item.title.startswith("Caf")
    assert item.title.endswith("talks")


def test_truncated_document_keeps_complete_items() -> None:
    """A body cut off mid-item (size cap) still yields the items before the cut."""
    doc = _rss(
        "<item><title>One</title><link>https://ex.org/1</link></item>"
        "<item><title>Two</title><link>https://ex.org/2</link></item>"
    )
    cut = doc[: doc.index(b"<link>https://ex.org/2")]
    assert [i.title for i in _parse(cut).items][:1] == ["One"]


def test_json_content_type_with_xml_body_is_read_as_xml() -> None:
    """A mislabelled XML feed is judged by its body."""
    feed = _parse(
        _rss("<item><title>A</title></item>"), headers={"Content-Type": "application/json"}
    )
    assert [i.title for i in feed.items] == ["A"]


# --- not a feed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n\t ",
        b"<!DOCTYPE html><html><head><title>News</title></head><body><p>Hi</p></body></html>",
        b'<?xml version="1.0"?>\n<!-- c --><html xmlns="http://www.w3.org/1999/xhtml">'
        b"<head><title>x</title></head><body/></html>",
        b"<HTML><BODY><item><title>not really</title></item></BODY></HTML>",
        b"<body><div>no html root</div></body>",
        bytes(range(256)) * 8,
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-gzip",
        b"just some words",
        b'<?xml version="1.0"?><config><entry-ish/></config>',
        b'{"name": "an API response"}',
        b"[1, 2, 3]",
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "no items"}',
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
        b"{" * 100_000,
        b'{"version": "https://jsonfeed.org/version/1", "items": [' + b"9" * 5000 + b"]}",
        b'{"version": "x"}\xff\xfe',
    ],
    ids=[
        "empty",
        "whitespace",
        "html5",
        "xhtml",
        "html-with-item",
        "html-fragment",
        "bytes",
        "gzip",
        "words",
        "other-xml",
        "json-object",
        "json-array",
        "json-feed-no-items",
        "json-truncated",
        "json-deep",
        "json-huge-int",
        "json-bad-utf8",
    ],
)
def test_non_feed_raises_parse_error(body: bytes) -> None:
    """Web pages, garbage and non-feed JSON are ParseError('not a feed: ...'), nothing else."""
    with pytest.raises(ParseError, match=r"^not a feed: \S"):
        _parse(body)


def test_parse_error_messages_are_short_reasons() -> None:
    """The reason says what was wrong, in a few words."""
    with pytest.raises(ParseError, match="HTML page"):
        _parse(b"<!doctype html>\n<html lang=en><body>x</body></html>")
    with pytest.raises(ParseError, match="empty document"):
        _parse(b"")
    with pytest.raises(ParseError, match="JSON Feed version"):
        _parse(b'{"items": []}', headers={"content-type": "application/feed+json"})


def test_html_doctype_before_rss_root_is_still_a_feed() -> None:
    """The root element decides, not a stray DOCTYPE left by a CMS template."""
    doc = _rss(
        "<item><title>A</title></item>",
        head='<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x">',
    )
    assert [i.title for i in _parse(doc).items] == ["A"]


def test_body_naming_a_local_file_is_not_opened(tmp_path: Path) -> None:
    """feedparser opens str/bytes that name a file; we only ever hand it a stream."""
    real_feed = tmp_path / "feed.xml"
    real_feed.write_bytes(_rss("<item><title>Secret</title></item>"))
    with pytest.raises(ParseError):
        _parse(str(real_feed).encode())


def test_external_entity_is_not_resolved(tmp_path: Path) -> None:
    """A SYSTEM entity pointing at a local file is never read into an item."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    doc = _rss(
        "<item><title>A&xxe;</title><link>https://ex.org/1</link></item>",
        head=f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    )
    feed = _parse(doc)
    assert all("TOPSECRET" not in i.title + i.summary for i in feed.items)


def test_str_content_is_refused() -> None:
    """A str body is a programming error: feedparser would treat it as a URL or path."""
    with pytest.raises(TypeError):
        parse_feed("<rss/>", url=URL, now=NOW)  # type: ignore[arg-type]


def test_naive_now_is_refused() -> None:
    """Times in this project are aware UTC; a naive clock is a caller bug."""
    with pytest.raises(ValueError, match="aware"):
        parse_feed(_rss(""), url=URL, now=NOW.replace(tzinfo=None))


# --- async -----------------------------------------------------------------------------------


async def test_async_small_and_large_match_sync() -> None:
    """parse_feed_async gives the same result as parse_feed below and above the thread size."""
    one = "<item><title>T{n}</title><link>https://ex.org/{n}</link></item>"
    small = _rss(one.format(n=0))
    large = _rss("".join(one.format(n=n) for n in range(THREAD_THRESHOLD // 40)))
    assert len(small) < THREAD_THRESHOLD < len(large)
    for body in (small, large):
        assert await parse_feed_async(body, url=URL, now=NOW) == _parse(body)


async def test_async_raises_parse_error_from_thread() -> None:
    """A large non-feed fails the same way off the event loop."""
    with pytest.raises(ParseError):
        await parse_feed_async(b"<html>" + b"x" * (THREAD_THRESHOLD + 1), url=URL, now=NOW)
