"""Fan-out benchmark: one alert to 2,000 subscribed chats through the fake Bot API.

The fake (tests/fakes/telegram_api.py, on loopback in this process) enforces a global limit of
200 messages/s and 1/s per chat, answering 429 beyond them; the delivery worker's SendLimiter is
set to the same 200/s. The real python-telegram-bot `Bot` sends over HTTP. Targets: achieved
rate ÷ limit ≥ 0.9, zero 429s, every chat exactly one message. The ratio's baseline is the
configured limit; the run's wall clock starts when the worker starts.
Run: `python -m benchmarks.bench_fanout [--chats 2000] [--limit 200]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

from telegram import Bot
from telegram.request import HTTPXRequest

from benchmarks.common import NOW, verdict
from bot.frontend.delivery import CONCURRENCY, DeliveryWorker, SendLimiter
from bot.model import Alert, NewStory
from bot.services.filters import route
from bot.store import SqliteStore
from feeds.detect import classify
from feeds.model import Item, Level
from tests.fakes.telegram_api import FakeTelegramAPI

RATE_TARGET = 0.9
TOKEN = "123456:BENCHMARK-TOKEN"  # noqa: S105 - the fake accepts any token
FIRST_CHAT = 10_000_000


async def prepare(store: SqliteStore, chats: int) -> int:
    """Subscribe `chats` private chats and store one blame alert routed to all of them."""
    for n in range(chats):
        await store.subscribe(FIRST_CHAT + n, chat_type="private", levels=(Level.BLAME,), now=NOW)
    item = Item(
        key="fanout-1",
        feed_url="https://feed.example/rss",
        title="Russia Blames Azerbaijan for Breach of Karabakh Truce in Post-Ceasefire First",
        summary="Russia's Defence Ministry said Azerbaijani armed forces struck positions held "
        "by Nagorno-Karabakh formations with attack quadcopters.",
        link="https://news.example/karabakh",
        published=NOW,
        source_title="The Moscow Times",
        lang="en",
    )
    detection = classify(item.title, item.summary, item.lang)
    chats = route(Alert.of(item, detection, created=NOW), await store.active_subscriptions())
    story = NewStory(item, detection, recipients=tuple(chats))
    alerts = await store.ingest(item.feed_url, [story], now=NOW)
    counts = await store.outbox_counts()
    if len(alerts) != 1 or counts.get("pending") != chats:
        raise RuntimeError(f"expected 1 alert and {chats} pending rows, got {counts}")
    return alerts[0].id


async def measure(args: argparse.Namespace, db_path: Path) -> int:
    fake = FakeTelegramAPI()
    await fake.start()
    store = await SqliteStore.open(db_path)
    try:
        await prepare(store, args.chats)
        fake.set_limits(global_per_second=args.limit, per_chat_per_second=1)
        # One connection per send in flight: PTB's default pool of 1 would serialise them.
        request = HTTPXRequest(connection_pool_size=args.concurrency + 2)
        async with Bot(TOKEN, base_url=fake.base_url, request=request) as bot:
            worker = DeliveryWorker(
                bot,
                store,
                limiter=SendLimiter(per_second=args.bot_limit or args.limit),
                concurrency=args.concurrency,
            )
            started = time.monotonic()
            worker.start()
            try:
                await asyncio.wait_for(
                    fake.wait_for(lambda: len(fake.sent) >= args.chats, within=args.timeout),
                    timeout=args.timeout + 5,
                )
            finally:
                await worker.stop(grace=10)
        finished = max(message.time for message in fake.sent)
        counts = await store.outbox_counts()
    finally:
        await store.close()
        await fake.stop()

    per_chat = Counter(message.chat_id for message in fake.sent)
    is_exact = (
        len(per_chat) == args.chats
        and set(per_chat.values()) == {1}
        and counts.get("sent") == args.chats
    )
    rate = len(fake.sent) / (finished - started)
    ratio = rate / args.limit
    print(
        f"fanout: {args.chats} chats, API limit {args.limit}/s, worker limit "
        f"{args.bot_limit or args.limit}/s, concurrency {args.concurrency}; "
        f"achieved/limit = {ratio:.2f} (target >= {RATE_TARGET}, "
        f"{verdict(ratio, RATE_TARGET, at_most=False)}); "
        f"429s = {fake.rate_limited} ({'OK' if fake.rate_limited == 0 else 'MISSED'}); "
        f"one message per chat: {'OK' if is_exact else 'MISSED'} | "
        f"{len(fake.sent)} messages in {finished - started:.2f} s = {rate:.0f}/s; "
        f"outbox {dict(counts)}",
        flush=True,
    )
    return 0 if ratio >= RATE_TARGET and fake.rate_limited == 0 and is_exact else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=200, help="messages per second")
    parser.add_argument(
        "--bot-limit",
        type=int,
        default=0,
        help="the worker's own messages/s (default: the same as --limit)",
    )
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    # PTB 22 warns on each RetryAfter unless opted in to timedelta periods (as the tests do).
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        return asyncio.run(measure(args, Path(tmp) / "fanout.db"))


if __name__ == "__main__":
    raise SystemExit(main())
