"""Alerts out to spreadsheets and scripts: CSV (one row per accusation) and JSON Lines (pure).

CSV is for spreadsheets: one row per accuser → accused pair, so a pivot table counts
accusations; an alert without a pair is one row with both left empty, and `alert_id` ties the
rows of one alert together. Times are UTC as "2021-08-13 10:02:00", which Excel, LibreOffice and
Google Sheets read as a date and time. A cell of feed text that starts like a formula (=, +, -,
@) gets a leading apostrophe, so a hostile headline cannot run in the reader's spreadsheet.
JSON Lines is for scripts: one object per alert, pairs as a list, ISO 8601 times, text as is.
May import bot.model and feeds.model.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.model import Alert

CSV_COLUMNS = (
    "time",
    "level",
    "accuser",
    "accused",
    "headline",
    "source",
    "link",
    "novelty",
    "alert_id",
)
FORMATS = ("csv", "jsonl")
DEFAULT_DAYS = 30
MAX_DAYS = 365
# Excel opens a CSV without a byte order mark in the machine's legacy code page, turning
# "Россия" into "Р РѕСЃСЃРёСЏ"; with it, every spreadsheet reads UTF-8. Scripts reading the
# file use encoding="utf-8-sig", which also reads files without one.
BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _safe_cell(text: str) -> str:
    """Text a spreadsheet shows as text, never evaluates (OWASP's CSV injection advice)."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def csv_rows(alerts: Sequence[Alert]) -> Iterator[dict[str, str]]:
    """One row per pair of each alert (one row for an alert without a pair), in order."""
    for alert in alerts:
        pairs = [(p.accuser, p.accused) for p in alert.pairs] or [("", "")]
        for accuser, accused in pairs:
            text = {
                "accuser": accuser,
                "accused": accused,
                "headline": alert.title,
                "source": alert.source_name,
                "link": alert.link,
                "novelty": alert.novelty,
            }
            yield {
                "time": _spreadsheet_time(alert.published),
                "level": alert.level.value,
                **{key: _safe_cell(value) for key, value in text.items()},
                "alert_id": str(alert.id),
            }


def to_csv(alerts: Sequence[Alert], *, bom: bool = True) -> bytes:
    """The alerts as a UTF-8 CSV file (with a byte order mark unless `bom` is False)."""
    out = io.StringIO(newline="")
    if bom:
        out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(csv_rows(alerts))
    return out.getvalue().encode("utf-8")


def json_record(alert: Alert) -> dict[str, Any]:
    """One alert as a JSON object (the JSON Lines export's line)."""
    return {
        "alert_id": alert.id,
        "time": alert.published.astimezone(UTC).isoformat(),
        "level": alert.level.value,
        "pairs": [{"accuser": p.accuser, "accused": p.accused} for p in alert.pairs],
        "headline": alert.title,
        "source": alert.source_name,
        "link": alert.link,
        "novelty": alert.novelty,
    }


def to_jsonl(alerts: Sequence[Alert]) -> bytes:
    """The alerts as JSON Lines, UTF-8, one object per line."""
    lines = (json.dumps(json_record(alert), ensure_ascii=False) + "\n" for alert in alerts)
    return "".join(lines).encode("utf-8")


def export_filename(now: datetime, days: int, extension: str) -> str:
    """'ceasefire-alerts-2021-08-13-30d.csv'."""
    return f"ceasefire-alerts-{now.astimezone(UTC):%Y-%m-%d}-{days}d.{extension}"
