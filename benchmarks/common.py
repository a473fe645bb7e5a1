"""Shared pieces of the benchmarks: the item corpus, RSS documents, timing and the machine line.

Benchmarks are plain scripts (`python -m benchmarks.bench_ingest`); each prints one summary line
whose figure is a ratio against a baseline measured in the same run, because these machines are
noisy. May import feeds.* and the standard library.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(
    os.environ.get("CEASEFIRE_CORPUS", REPO.parent / "shared/corpora/ceasefire/dev.jsonl")
)
REAL_STREAM = CORPUS.parent.parent / "realstream-2023" / "items.jsonl.gz"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # fixed: the same documents every run


@dataclass(frozen=True, slots=True)
class Record:
    """One news item to put in a feed."""

    title: str
    summary: str
    link: str
    lang: str
    level: str | None = None  # the corpus label, when known


def corpus() -> list[Record]:
    """The labelled dev corpus if it is there, else generated items of the same shape."""
    if CORPUS.is_file():
        records = []
        for line in CORPUS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                records.append(
                    Record(
                        row["title"],
                        row["summary"],
                        row["link"],
                        row.get("lang") or "en",
                        row.get("level"),
                    )
                )
        if records:
            return records
    return list(_generated())


def real_stream() -> list[Record]:
    """The real 2023 news stream (mostly ordinary news, 4 % truce news), for a realistic mix."""
    if not REAL_STREAM.is_file():
        raise SystemExit(f"the real stream is not at {REAL_STREAM}")
    with gzip.open(REAL_STREAM, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [
        Record(row["title"], row.get("summary") or "", row["link"], row.get("lang") or "en")
        for row in rows
    ]


def _generated() -> Iterator[Record]:
    # Without the corpus: a mix of breach, blame, truce and unrelated headlines.
    sides = [
        ("Russia", "Azerbaijan"),
        ("Armenia", "Azerbaijan"),
        ("Israel", "Hamas"),
        ("India", "Pakistan"),
        ("Ukraine", "Russia"),
        ("Sudan", "RSF"),
    ]
    shapes = [
        (
            "{a} accuses {b} of violating the ceasefire",
            "{a}'s defence ministry said {b} forces shelled positions despite the truce.",
        ),
        (
            "Shelling breaks the truce between {a} and {b}",
            "Artillery fire was reported near the line of contact, officials said.",
        ),
        (
            "{a} and {b} agree to extend the ceasefire",
            "Negotiators said the truce would hold for another 30 days.",
        ),
        (
            "Central bank of {a} leaves interest rates unchanged",
            "The decision was widely expected by analysts in {b}.",
        ),
    ]
    for n in range(160):
        a, b = sides[n % len(sides)]
        title, summary = shapes[n % len(shapes)]
        yield Record(
            title.format(a=a, b=b), summary.format(a=a, b=b), f"https://news.example/{n}", "en"
        )


# Pairs the generated blame stories are about, each with its reverse so counter-accusations
# occur. Outside the conflict table on purpose: story grouping rightly merges two same-pair
# reports of one war within hours, and these must stay separate stories (see bump_record).
BUMP_PAIRS = tuple(
    pair
    for a, b in (
        ("Peru", "Chile"),
        ("Ghana", "Togo"),
        ("Norway", "Sweden"),
        ("Bolivia", "Paraguay"),
        ("Brazil", "Argentina"),
        ("Finland", "Estonia"),
    )
    for pair in ((a, b), (b, a))
)


def bump_record(feed_no: int, k: int, *, count: int | None = None) -> Record:
    """A blame story of BUMP_PAIRS that no other one repeats: its count of wounded (by default
    100-999, unique per feed and k below 9) differs from every other story's, and different
    counts keep two same-pair reports apart, so each becomes an alert of its own (with a
    novelty line, routing and outbox rows), as new news does."""
    rng = random.Random(feed_no * 100_003 + k)  # noqa: S311 - reproducible text, not crypto
    accuser, accused = BUMP_PAIRS[rng.randrange(len(BUMP_PAIRS))]
    wounded = count if count is not None else 100 + (k * 100 + feed_no) % 900
    return Record(
        f"{accuser} accuses {accused} of breaking the ceasefire",
        f"{accuser}'s defence ministry said {accused} forces opened fire overnight despite the "
        f"truce, wounding {wounded} soldiers.",
        f"https://news.example/bump/{feed_no}/{k}",
        "en",
        "blame",
    )


def rss_document(
    feed_no: int,
    records: Sequence[Record],
    *,
    items: int,
    salt: str = "",
    fresh: Sequence[Record] = (),
    fresh_time: datetime | None = None,
) -> bytes:
    """An RSS 2.0 document for feed `feed_no` with `items` items, each with a unique guid.

    `fresh` records go on top as newer items (guids `new<k>`), as a feed publishing news does.
    """
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>Bench feed {feed_no}</title><link>https://feed{feed_no}.example/</link>",
        "<description>Benchmark feed</description><language>en</language>",
    ]
    entries = [(f"new{k}", record, fresh_time or NOW) for k, record in enumerate(fresh)]
    entries.reverse()  # newest first
    entries += [
        (
            f"{salt}{i}",
            records[(feed_no * items + i) % len(records)],
            NOW - timedelta(minutes=i + feed_no % 60),
        )
        for i in range(items)
    ]
    for key, record, moment in entries:
        guid = f"https://feed{feed_no}.example/{key}"
        published = format_datetime(moment, usegmt=True)
        lines.append(
            f"<item><title>{escape(record.title)}</title>"
            f"<link>{escape(record.link)}?f={feed_no}&amp;k={key}</link>"
            f"<description>{escape(record.summary)}</description>"
            f'<guid isPermaLink="true">{escape(guid)}</guid>'
            f"<pubDate>{published}</pubDate></item>"
        )
    lines.append("</channel></rss>")
    return "\n".join(lines).encode("utf-8")


def best_of(runs: int, measure: Callable[[], float]) -> float:
    """The fastest of `runs` measurements: noise on a shared machine only ever adds time."""
    return min(measure() for _ in range(runs))


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


class Stopwatch:
    """`with Stopwatch() as sw: ...` then `sw.seconds` (wall) and `sw.cpu_seconds` (this
    process's CPU: unlike wall time, hardly changed by other programs competing for the cores)."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        self._cpu = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start
        self.cpu_seconds = time.process_time() - self._cpu


def machine() -> str:
    """nproc, Python version and CPU model, for the record beside each figure."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPU ({model}), Python {platform.python_version()}, {sys.platform}"


def verdict(value: float, target: float, *, at_most: bool = True) -> str:
    ok = value <= target if at_most else value >= target
    return "OK" if ok else "MISSED"
