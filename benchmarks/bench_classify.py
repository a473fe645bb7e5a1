"""Classification speed against feedparser on the same 10,000 items, in one process.

    python benchmarks/bench_classify.py [N]

Prints one line: items/s for classify, items/s for feedparser parsing the items as one RSS 2.0
document, and the ratio of classify time to parse time (target <= 1.0).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser

from feeds.detect import classify

ROUNDS = 3
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ceasefire" / "dev.jsonl"
SAMPLE = (
    {
        "title": "Russia blames Azerbaijan for breach of Karabakh truce",
        "summary": "Russia's Defence Ministry said Azerbaijani forces struck positions.",
        "lang": "en",
    },
    {"title": "Trump extends tariff truce with China", "summary": "Markets rose.", "lang": "en"},
)


def load_items(count: int) -> list[dict]:
    """`count` items: the dev corpus repeated (or a tiny built-in sample if it is absent)."""
    if CORPUS.is_file():
        base = [
            json.loads(line)
            for line in CORPUS.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    else:
        base = list(SAMPLE)
    return [base[i % len(base)] for i in range(count)]


def to_rss(items: list[dict]) -> bytes:
    """One RSS 2.0 document holding every item (summary as escaped HTML, like real feeds)."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        "<title>bench</title><link>https://example.org/</link><description>d</description>",
    ]
    for n, item in enumerate(items):
        parts.append(
            f"<item><title>{escape(item['title'])}</title>"
            f"<link>https://example.org/{n}</link><guid>bench-{n}</guid>"
            f"<description>{escape(item['summary'])}</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def main(argv: list[str]) -> None:
    count = int(argv[1]) if len(argv) > 1 else 10_000
    items = load_items(count)
    document = to_rss(items)
    classify(items[0]["title"], items[0]["summary"], items[0].get("lang"))  # load data once
    parse_s = classify_s = float("inf")
    # Best of a few rounds, alternating, so a busy machine skews both sides alike.
    for _ in range(ROUNDS):
        start = time.perf_counter()
        parsed = feedparser.parse(document)
        parse_s = min(parse_s, time.perf_counter() - start)
        assert len(parsed.entries) == count
        start = time.perf_counter()
        for item in items:
            classify(item["title"], item["summary"], item.get("lang"))
        classify_s = min(classify_s, time.perf_counter() - start)
    print(
        f"classify: {count / classify_s:,.0f} items/s | feedparser: {count / parse_s:,.0f} "
        f"items/s | ratio classify/parse = {classify_s / parse_s:.2f} (target <= 1.0) | "
        f"n={count}"
    )


if __name__ == "__main__":
    main(sys.argv)
