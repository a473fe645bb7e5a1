"""Export formats: a CSV spreadsheets and the csv module read back, and JSON Lines."""

import csv
import io
import json
from datetime import UTC, datetime

from bot.model import Alert
from bot.services.export import BOM, CSV_COLUMNS, export_filename, to_csv, to_jsonl
from feeds.model import Level, Pair

PUBLISHED = datetime(2024, 3, 9, 6, 45, 30, tzinfo=UTC)


def alert(number: int, *pairs: Pair, title: str = "Shelling near the line", **kw) -> Alert:
    fields = {
        "id": number,
        "feed_url": "https://news.example.net/rss",
        "item_key": f"k{number}",
        "title": title,
        "summary": "",
        "link": f"https://news.example.net/{number}",
        "published": PUBLISHED,
        "source_title": "Example News",
        "level": Level.BLAME if pairs else Level.VIOLATION,
        "pairs": pairs,
        "evidence": "",
        "matched": (),
        "actors": (),
        "lang": "en",
        "novelty": "",
        "created": PUBLISHED,
    }
    return Alert(**{**fields, **kw})


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_reads_back_with_one_row_per_pair():
    """Header as documented, UTC times spreadsheets parse, a row per accusation."""
    alerts = [
        alert(1, Pair("Россия", "Азербайджан"), Pair("Armenia", "Azerbaijan"), novelty="First"),
        alert(2, title='Quotes "inside", commas, and\nnewlines'),
    ]
    rows = read_csv(to_csv(alerts))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["alert_id"], r["accuser"], r["accused"]) for r in rows] == [
        ("1", "Россия", "Азербайджан"),
        ("1", "Armenia", "Azerbaijan"),
        ("2", "", ""),
    ]
    assert rows[0]["time"] == "2024-03-09 06:45:30"
    assert rows[0]["level"] == "blame"
    assert rows[0]["novelty"] == "First"
    assert rows[2]["level"] == "violation"
    assert rows[2]["headline"] == 'Quotes "inside", commas, and\nnewlines'
    assert rows[2]["source"] == "Example News"
    assert rows[2]["link"] == "https://news.example.net/2"


def test_csv_starts_with_a_byte_order_mark_unless_asked_not_to():
    """Spreadsheets need the mark to read UTF-8; a pipe to a program does without."""
    assert to_csv([alert(1)]).decode("utf-8").startswith(BOM + "time,")
    assert to_csv([alert(1)], bom=False).decode("utf-8").startswith("time,")


def test_formula_like_feed_text_stays_text():
    """A headline starting with = or @ gets an apostrophe so no spreadsheet runs it."""
    hostile = alert(1, title='=HYPERLINK("http://evil.example","click")', source_title="@src")
    (row,) = read_csv(to_csv([hostile]))
    assert row["headline"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["source"] == "'@src"


def test_empty_csv_has_the_header_only():
    """No alerts: a header line and nothing else."""
    assert read_csv(to_csv([])) == []
    assert to_csv([]).decode("utf-8-sig").strip() == ",".join(CSV_COLUMNS)


def test_jsonl_has_one_object_per_alert():
    """Scripts get pairs as a list, ISO 8601 times and the text exactly as stored."""
    alerts = [alert(1, Pair("Russia", "Azerbaijan")), alert(2, title="=not a formula here")]
    lines = to_jsonl(alerts).decode("utf-8").splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first == {
        "alert_id": 1,
        "time": "2024-03-09T06:45:30+00:00",
        "level": "blame",
        "pairs": [{"accuser": "Russia", "accused": "Azerbaijan"}],
        "headline": "Shelling near the line",
        "source": "Example News",
        "link": "https://news.example.net/1",
        "novelty": "",
    }
    assert second["pairs"] == []
    assert second["headline"] == "=not a formula here"


def test_a_feed_without_title_is_named_by_its_host():
    """The source column falls back to the feed's host name."""
    (row,) = read_csv(to_csv([alert(1, source_title=" ")]))
    assert row["source"] == "news.example.net"


def test_export_filename_names_the_day_and_window():
    assert export_filename(PUBLISHED, 30, "csv") == "ceasefire-alerts-2024-03-09-30d.csv"
