"""feeds.opml: reading and writing feed lists, refusing hostile XML, the bundled default list."""

from urllib.parse import urlsplit

import pytest

from feeds.errors import FeedError
from feeds.opml import FeedEntry, default_feeds, read_opml, write_opml

NESTED = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head><title>mine</title></head>
  <body>
    <outline text="Caucasus" language="en">
      <outline type="rss" text="OC Media" xmlUrl="https://oc-media.org/feed/"/>
      <outline text="Armenian" language="hy">
        <outline type="rss" title="Azatutyun" text="ignored"
                 xmlUrl=" https://www.azatutyun.am/api/x "/>
      </outline>
      <outline type="rss" text="Override" language="ru"
               xmlUrl="https://www.kavkaz-uzel.eu/articles.rss"/>
    </outline>
    <outline text="No language">
      <outline type="rss" text="Meduza" xmlUrl="https://meduza.io/rss/all"/>
      <outline type="rss" text="Meduza again" xmlUrl="https://meduza.io/rss/all"/>
      <outline type="link" text="A web page, not a feed" url="https://example.org/"/>
      <outline type="rss" text="Scripted" xmlUrl="javascript:alert(1)"/>
      <outline type="rss" text="Relative" xmlUrl="/feed.xml"/>
    </outline>
  </body>
</opml>
"""


def test_nested_outlines_are_flattened_with_inherited_language():
    """Feed outlines at any depth are read; `language` is inherited from enclosing groups."""
    assert read_opml(NESTED) == [
        FeedEntry("https://oc-media.org/feed/", "OC Media", "en"),
        FeedEntry("https://www.azatutyun.am/api/x", "Azatutyun", "hy"),
        FeedEntry("https://www.kavkaz-uzel.eu/articles.rss", "Override", "ru"),
        FeedEntry("https://meduza.io/rss/all", "Meduza", None),
    ]


def test_duplicate_urls_keep_the_first_entry():
    """The same xmlUrl twice yields one entry, the first one."""
    urls = [entry.url for entry in read_opml(NESTED)]
    assert urls.count("https://meduza.io/rss/all") == 1


def test_round_trip_keeps_every_field():
    """write_opml → read_opml gives back the same entries, awkward characters included."""
    entries = [
        FeedEntry("https://example.org/rss?a=1&b=<2>", 'Tom & Jerry <b>"news"</b>', "en-GB"),
        FeedEntry("https://example.org/ru.xml", "Новости ООН", "ru"),
        FeedEntry("http://example.org/untitled.xml"),
    ]
    text = write_opml(entries, title="exported & checked")
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert "<title>exported &amp; checked</title>" in text
    assert read_opml(text.encode("utf-8")) == entries


def test_write_drops_characters_xml_cannot_hold():
    """A title with control bytes still produces a readable file."""
    text = write_opml([FeedEntry("https://example.org/a.xml", "bad\x00\x1btitle", "en")])
    assert read_opml(text.encode()) == [FeedEntry("https://example.org/a.xml", "badtitle", "en")]


def test_empty_body_is_an_empty_list():
    """A valid OPML file without feeds is not an error."""
    assert read_opml(b"<opml version='2.0'><head/><body/></opml>") == []


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n",
        b"not xml at all",
        b"<opml><body><outline xmlUrl='https://a.example/'></body>",  # unclosed
        b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>',  # a feed, not a list
        b"<html><body>Feeds</body></html>",
        b"\xff\xfe\x00garbage",
    ],
    ids=["empty", "blank", "text", "unclosed", "rss", "html", "binary"],
)
def test_bad_input_raises_feed_error(data):
    """Anything that is not an OPML document raises FeedError naming the problem."""
    with pytest.raises(FeedError, match=r"^not an OPML file: "):
        read_opml(data)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE opml [
  <!ENTITY a "aaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<opml version="2.0"><body><outline text="&c;" xmlUrl="https://a.example/"/></body></opml>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&secret;" xmlUrl="https://a.example/"/></body></opml>
"""
PLAIN_DOCTYPE = b'<!DOCTYPE opml SYSTEM "http://127.0.0.1:9/opml.dtd"><opml version="2.0"/>'
UTF16_DOCTYPE = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE opml [<!ENTITY x "y">]><opml/>'


@pytest.mark.parametrize(
    "data",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, PLAIN_DOCTYPE, UTF16_DOCTYPE.encode("utf-16")],
    ids=["billion-laughs", "external-entity", "external-dtd", "utf16-doctype"],
)
def test_doctype_and_entities_are_refused(data):
    """A DTD is refused before any entity is declared or expanded, whatever the encoding."""
    with pytest.raises(FeedError, match="not allowed"):
        read_opml(data)


def test_default_list_is_large_multilingual_and_clean():
    """The bundled list parses: >= 40 unique absolute http(s) feeds in >= 5 languages, titled."""
    entries = default_feeds()
    urls = [entry.url for entry in entries]
    assert len(set(urls)) == len(urls) >= 40
    for url in urls:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https"), url
        assert parts.hostname, url
        assert parts.hostname not in ("localhost", "127.0.0.1"), url
    assert all(entry.title for entry in entries)
    assert all(entry.lang for entry in entries)
    assert len({entry.lang.split("-")[0] for entry in entries}) >= 5


def test_default_list_covers_the_regions_the_bot_is_for():
    """Some outlets from each region the product promises are present."""
    hosts = {urlsplit(entry.url).hostname for entry in default_feeds()}
    for expected in (
        "feeds.bbci.co.uk",  # world desk
        "oc-media.org",  # Caucasus
        "kyivindependent.com",  # Ukraine
        "meduza.io",  # Russia
        "www.timesofisrael.com",  # Middle East
        "www.dawn.com",  # South Asia
        "sudantribune.com",  # Africa
        "www.eltiempo.com",  # Latin America
        "www.aa.com.tr",  # Turkey
    ):
        assert expected in hosts
