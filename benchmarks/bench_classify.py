"""Classification speed against feedparser on the same items, in one process.

    python benchmarks/bench_classify.py [N]          # the dev corpus repeated (truce-heavy)
    python benchmarks/bench_classify.py [N] --real   # real 2023 feed items (mostly ordinary news)

Prints one line: items/s for classify, items/s for feedparser parsing the items as one RSS 2.0
document, and the ratio of classify time to parse time (targets: <= 1.0 on the truce-heavy
items, <= 0.2 on the real stream, where most items never name a truce).
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser

from feeds.detect import classify

ROUNDS = 3
SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora"
CORPUS = SHARED / "ceasefire" / "dev.jsonl"
REALSTREAM = SHARED / "realstream-2023" / "items.jsonl.gz"
SAMPLE = (
    {
        "title": "Russia blames Azerbaijan for breach of Karabakh truce",
        "summary": "Russia's Defence Ministry said Azerbaijani forces struck positions.",
        "lang": "en",
    },
    {"title": "Trump extends tariff truce with China", "summary": "Markets rose.", "lang": "en"},
)


def load_real(count: int) -> list[dict]:
    """The first `count` items of the real 2023 stream (all 59,810 when count is larger)."""
    with gzip.open(REALSTREAM, "rt", encoding="utf-8") as lines:
        items = [json.loads(line) for _, line in zip(range(count), lines, strict=False)]
    return [{**item, "summary": item.get("summary") or ""} for item in items]


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
    numbers = [a for a in argv[1:] if a.isdigit()]
    count = int(numbers[0]) if numbers else 10_000
    items = load_real(count) if "--real" in argv else load_items(count)
    count = len(items)
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
        f"items/s | ratio classify/parse = {classify_s / parse_s:.2f} | n={count}"
        f"{' (real 2023 stream)' if '--real' in argv else ' (truce-heavy dev corpus)'}"
    )


if __name__ == "__main__":
    main(sys.argv)
