"""bot.demo and feeds/data/demo: the offline demo server and the sample feeds it serves."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from importlib.resources import files

import httpx
import pytest

from bot.demo import DemoServer
from feeds.model import Item
from feeds.parse import parse_feed

NOW = datetime(2025, 9, 1, tzinfo=UTC)  # after every sample item, so no date is "in the future"
SEED_TITLE = "Russia Blames Azerbaijan for Breach of Karabakh Truce in Post-Ceasefire First"
SEED_LINK = (
    "https://www.themoscowtimes.com/2021/08/13/"
    "russia-for-the-first-time-blames-azerbaijan-for-breach-of-karabakh-truce-reports-a74782"
)
SEED_SUMMARY = (
    "Russia's Defence Ministry said Azerbaijani armed forces carried out two strikes with attack "
    "quadcopters on positions held by Nagorno-Karabakh armed formations, causing no casualties. "
    "It is the first time since the November 2020 truce that Moscow has explicitly blamed one "
    "side."
)


def demo_files() -> dict[str, bytes]:
    folder = files("feeds") / "data" / "demo"
    return {e.name: e.read_bytes() for e in folder.iterdir() if e.name.endswith((".xml", ".json"))}


@pytest.fixture(scope="module")
def demo_server():
    with DemoServer() as server:
        yield server


@pytest.fixture(scope="module")
def http():
    with httpx.Client(timeout=5.0) as client:
        yield client


@pytest.fixture(scope="module")
def demo_items(demo_server, http) -> list[Item]:
    """Every item of every demo feed, fetched from the server and parsed the real way."""
    items: list[Item] = []
    for url in demo_server.urls():
        response = http.get(url)
        assert response.status_code == 200, url
        parsed = parse_feed(response.content, url=url, headers=dict(response.headers), now=NOW)
        assert parsed.items, f"{url} yielded no items"
        items.extend(parsed.items)
    return items


def test_every_demo_file_is_well_formed_xml():
    """The sample feeds are well-formed XML (checked without feedparser's leniency)."""
    assert len(demo_files()) >= 3
    for name, body in demo_files().items():
        if name.endswith(".xml"):
            ET.fromstring(body)  # noqa: S314 - our own bundled files; raises if ill-formed


def test_serves_each_demo_feed_with_type_and_etag(demo_server, http):
    """One loopback URL per file; each answers 200 with the file's bytes, a feed type and ETag."""
    urls = demo_server.urls()
    bodies = demo_files()
    assert len(urls) == len(bodies)
    assert all(url.startswith("http://127.0.0.1:") for url in urls)
    for url in urls:
        response = http.get(url)
        assert response.status_code == 200
        assert response.content == bodies[url.rsplit("/", 1)[1]]
        assert response.headers["content-type"].startswith(
            ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
        )
        assert response.headers["etag"].startswith('"')


def test_atom_and_rdf_files_get_their_own_media_types(demo_server, http):
    """Content-Type follows the document's root element, as a real host would send it."""
    types = {
        url.rsplit("/", 1)[1]: http.get(url).headers["content-type"] for url in demo_server.urls()
    }
    assert types["france24-fr.xml"].startswith("application/atom+xml")
    assert types["dw-de.xml"].startswith("application/rdf+xml")
    assert types["moscow-times.xml"].startswith("application/rss+xml")


def test_second_poll_with_etag_is_not_modified(demo_server, http):
    """If-None-Match with the server's ETag (strong or weak) gets 304 and no body."""
    url = demo_server.urls()[0]
    etag = http.get(url).headers["etag"]
    for tag in (etag, f"W/{etag}", f'"other", {etag}'):
        again = http.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
    stale = http.get(url, headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200
    assert stale.content


def test_unknown_path_is_404(demo_server, http):
    """Only the demo files are served; no directory listing, no traversal."""
    for path in ("/", "/nope.xml", "/../pyproject.toml", "/%2e%2e/opml.py"):
        assert http.get(demo_server.base_url + path).status_code == 404


def test_stop_closes_the_port():
    """After the context manager exits the port refuses connections and urls() refuses."""
    with DemoServer() as server:
        url = server.urls()[0]
    with pytest.raises(httpx.ConnectError), httpx.Client(timeout=5.0) as client:
        client.get(url)
    with pytest.raises(RuntimeError):
        server.urls()
    server.stop()  # a second stop is harmless


def test_demo_server_does_not_import_telegram():
    """bot.demo stays usable without the Telegram stack loaded."""
    code = (
        "import sys, bot.demo\n"
        "bad = [m for m in sys.modules if m == 'telegram' or m.startswith('telegram.')]\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, timeout=60)  # noqa: S603
    assert result.returncode == 0


def test_demo_feeds_give_30_items_in_4_languages(demo_items):
    """Through the real parser the samples give >= 30 items in >= 4 languages."""
    assert len(demo_items) >= 30
    languages = Counter((item.lang or "").split("-")[0].lower() for item in demo_items)
    assert "" not in languages
    assert len(languages) >= 4
    assert {"en", "ru", "uk", "fr", "es", "de", "ar", "tr"} <= set(languages)


def test_seed_story_is_present(demo_items):
    """The Moscow Times item of 2021-08-13, word for word, with its time and source."""
    seeds = [item for item in demo_items if item.title == SEED_TITLE]
    assert len(seeds) == 1
    seed = seeds[0]
    assert seed.link == SEED_LINK
    assert seed.summary == SEED_SUMMARY
    assert seed.source_title == "The Moscow Times"
    assert seed.published == datetime(2021, 8, 13, 10, 2, tzinfo=UTC)
    assert seed.lang == "en"


def test_seed_story_is_also_carried_by_exactly_one_other_feed(demo_items):
    """A second feed reports the same event under another title (the demo's grouping case)."""
    seed = next(item for item in demo_items if item.title == SEED_TITLE)
    others = [
        item
        for item in demo_items
        if item.feed_url != seed.feed_url
        and item.published.date() == seed.published.date()
        and {"azerbaijan", "karabakh", "truce"} <= set(item.title.casefold().split())
    ]
    assert len(others) == 1
    assert others[0].title != seed.title
    assert others[0].link != seed.link


def test_armenia_azerbaijan_accusations_span_several_dates(demo_items):
    """Accusations between the same pair over 2020-2022 give "first time" context."""
    dates = {
        item.published.date()
        for item in demo_items
        if item.lang
        and item.lang.startswith("en")
        and "armenia" in item.title.casefold()
        and "azerbaijan" in item.title.casefold()
        and any(w in item.title.casefold() for w in ("accuse", "blame"))
    }
    assert len(dates) >= 3


def test_hard_negatives_are_included(demo_items):
    """Trade-war truces and sanctions violations are in the mix, in several languages."""
    titles = [item.title.casefold() for item in demo_items]
    trade = [t for t in titles if any(w in t for w in ("commerciale", "comercial", "торгов"))]
    sanctions = [t for t in titles if "sanction" in t or "sanktion" in t]
    assert len(trade) >= 3
    assert len(sanctions) >= 2


def test_hostile_title_reaches_the_pipeline_as_plain_text(demo_items):
    """The sample title with <script>, & and a stray </b> comes out as plain text."""
    hostile = [item for item in demo_items if "Tavush" in item.title]
    assert len(hostile) == 1
    title = hostile[0].title
    assert "&" in title
    assert "<" not in title
    assert ">" not in title
    assert "alert(" not in title
