"""Make the README's example digest and chart from the bundled demo stories.

The demo stories span 2020-2025; here they are replayed as if the bot had recorded them over
the last two weeks (in publication order), classified by the real detector, then fed to the
real digest and chart code.

    python scripts/readme_examples.py  # writes docs/images/chart-example.png, prints the digest
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.demo import demo_documents
from bot.model import Alert
from bot.services.chart import render_chart
from bot.services.digest import build_digest
from feeds.detect import classify
from feeds.model import Level
from feeds.parse import parse_feed

NOW = datetime(2025, 4, 21, 7, 0, tzinfo=UTC)
DAYS = 14


def replayed_alerts() -> list[Alert]:
    items = []
    for name, document in demo_documents().items():
        feed = parse_feed(document.body, url=f"https://demo.example/{name}", now=NOW)
        items.extend(feed.items)
    items.sort(key=lambda item: item.published)
    alerts = []
    for index, item in enumerate(items):
        detection = classify(item.title, item.summary, item.lang)
        if detection.level is Level.NONE:
            continue
        created = NOW - timedelta(days=DAYS) + timedelta(days=DAYS) * (index + 1) / len(items)
        # Replayed: the story "happened" when the bot recorded it.
        replayed = replace(item, published=created)
        alerts.append(Alert.of(replayed, detection, created=created, id=index))
    return alerts


def main() -> None:
    alerts = replayed_alerts()
    out = Path(__file__).resolve().parents[1] / "docs" / "images" / "chart-example.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render_chart(alerts, days=DAYS, now=NOW))
    print(f"wrote {out}")
    print(build_digest(alerts, day_start=NOW - timedelta(days=3), day_end=NOW))


if __name__ == "__main__":
    main()
