"""Fan-out benchmark: one alert to 2,000 chats, with digests and bursts in the mix.

Everything goes through the one delivery path: one alert routed to 2,000 subscribed private
chats, the daily digests of 300 of them, and 100 stories at once to 20 busy groups (which the
worker merges into burst messages). The fake Bot API (tests/fakes/telegram_api.py, on loopback
in this process) enforces a global limit of 200 messages/s, 1/s per chat and 20/min per group,
answering 429 beyond them; the delivery worker's SendLimiter is set to the same 200/s. The real
python-telegram-bot `Bot` sends over HTTP. Targets: achieved rate ÷ limit ≥ 0.9, zero 429s,
every private chat its alert (and digest) once, every group each story once in ≤ 10 messages.
The ratio's baseline is the configured limit; the run's wall clock starts when the worker starts.
Run: `python -m benchmarks.bench_fanout [--chats 2000] [--limit 200]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from telegram import Bot
from telegram.request import HTTPXRequest

from benchmarks.common import NOW, verdict
from bot.frontend.burst import burst_parts
from bot.frontend.delivery import CONCURRENCY, DeliveryWorker, SendLimiter
from bot.model import Destination, NewStory
from bot.services.digest import enqueue_due_digests
from bot.services.filters import matches
from bot.store import SqliteStore
from feeds.detect import classify
from feeds.model import Detection, Item, Level, Pair
from tests.fakes.telegram_api import FakeTelegramAPI, parse_telegram_html

RATE_TARGET = 0.9
MAX_BURST_MESSAGES = 10
TOKEN = "123456:BENCHMARK-TOKEN"  # noqa: S105 - the fake accepts any token
FIRST_CHAT = 10_000_000
FIRST_GROUP = -20_000_000
DIGEST_AT = NOW + timedelta(hours=19, minutes=1)  # NOW is 12:00 UTC: the next 07:00 digest
SIDES = [
    ("Armenia", "Azerbaijan"),
    ("Russia", "Ukraine"),
    ("Israel", "Hamas"),
    ("India", "Pakistan"),
]


def fanout_story(chats: list[int]) -> NewStory:
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
    return NewStory(item, detection, recipients=tuple(Destination(chat) for chat in chats))


def group_story(number: int, groups: list[int]) -> NewStory:
    """One of the stories that reach the busy groups all at once (made up, numbered)."""
    accuser, accused = SIDES[number % len(SIDES)]
    level = (Level.BLAME, Level.VIOLATION, Level.CEASEFIRE)[number % 3]
    item = Item(
        key=f"wave-{number}",
        feed_url="https://wire.example/rss",
        title=f"{accuser} and {accused} trade charges over the truce line, wire {number}",
        summary="Officials on both sides gave accounts that could not be verified.",
        link=f"https://wire.example/world/2026/01/15/wire-{number:03d}-truce-line-charges",
        published=NOW,
        source_title="Wire Example",
        lang="en",
    )
    pairs = (Pair(accuser, accused),) if level is Level.BLAME else ()
    detection = Detection(level=level, pairs=pairs, actors=(accuser, accused))
    return NewStory(item, detection, recipients=tuple(Destination(g) for g in groups))


async def prepare(store: SqliteStore, args: argparse.Namespace) -> int:
    """Subscribers, the queued alert, the group stories and the digests; expected messages."""
    chats = [FIRST_CHAT + n for n in range(args.chats)]
    groups = [FIRST_GROUP - n for n in range(args.groups)]
    for n, chat in enumerate(chats):
        digest = "07:00" if n < args.digests else None
        await store.subscribe(
            chat, chat_type="private", levels=(Level.BLAME,), now=NOW, digest_time=digest
        )
    for group in groups:
        await store.subscribe(group, chat_type="group", levels=(Level.BLAME,), now=NOW)
    # The wave of stories comes first: each group's burst parts, which go one a second, then
    # overlap with the fan-out instead of trailing behind it.
    stories = [group_story(n, groups) for n in range(1, args.stories + 1)]
    await store.ingest("https://wire.example/rss", stories, now=NOW)
    await store.ingest("https://feed.example/rss", [fanout_story(chats)], now=NOW)
    queued = await enqueue_due_digests(
        store, now=DIGEST_AT, filter_fn=lambda sub, alert: matches(sub.levels, sub.words, alert)
    )
    if queued != args.digests:
        raise RuntimeError(f"expected {args.digests} digests queued, got {queued}")
    # What the worker will make of one group's backlog: the same split for every group.
    backlog = await store.next_outbox(NOW, limit=10_000, chat_id=groups[0]) if groups else []
    return args.chats + args.digests + len(burst_parts(backlog)) * args.groups


def check(fake: FakeTelegramAPI, args: argparse.Namespace) -> bool:
    """Each private chat its alert (and digest) once; each group every story once."""
    per_chat = Counter(message.chat_id for message in fake.sent)
    private = [FIRST_CHAT + n for n in range(args.chats)]
    is_exact = all(per_chat[c] == 1 + (n < args.digests) for n, c in enumerate(private))
    for group in (FIRST_GROUP - n for n in range(args.groups)):
        messages = fake.messages_to(group)
        numbers = Counter(
            int(n)
            for m in messages
            for n in re.findall(r"wire (\d+)", parse_telegram_html(m.text))
        )
        is_exact &= numbers == dict.fromkeys(range(1, args.stories + 1), 1)
        is_exact &= len(messages) <= MAX_BURST_MESSAGES
    return is_exact


async def measure(args: argparse.Namespace, db_path: Path) -> int:
    fake = FakeTelegramAPI()
    await fake.start()
    store = await SqliteStore.open(db_path)
    try:
        expected = await prepare(store, args)
        fake.set_limits(
            global_per_second=args.limit, per_chat_per_second=1, per_group_per_minute=20
        )
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
                    fake.wait_for(lambda: len(fake.sent) >= expected, within=args.timeout),
                    timeout=args.timeout + 5,
                )
            finally:
                await worker.stop(grace=10)
        finished = max(message.time for message in fake.sent)
        counts = await store.outbox_counts()
    finally:
        await store.close()
        await fake.stop()

    is_exact = check(fake, args) and len(fake.sent) == expected and set(counts) == {"sent"}
    flooded = Counter(
        "group" if int(call.params["chat_id"]) < 0 else "private"
        for call in fake.calls_to("sendMessage")
        if call.status == 429
    )
    rate = len(fake.sent) / (finished - started)
    ratio = rate / args.limit
    print(
        f"fanout: {args.chats} chats + {args.digests} digests + {args.stories} stories to "
        f"{args.groups} groups as bursts, API limit {args.limit}/s, worker limit "
        f"{args.bot_limit or args.limit}/s, concurrency {args.concurrency}; "
        f"achieved/limit = {ratio:.2f} (target >= {RATE_TARGET}, "
        f"{verdict(ratio, RATE_TARGET, at_most=False)}); "
        f"429s = {fake.rate_limited} ({'OK' if fake.rate_limited == 0 else 'MISSED'}"
        f"{', ' + str(dict(flooded)) if flooded else ''}); "
        f"each message once, bursts <= {MAX_BURST_MESSAGES}: {'OK' if is_exact else 'MISSED'} | "
        f"{len(fake.sent)} messages in {finished - started:.2f} s = {rate:.0f}/s; "
        f"outbox {dict(counts)}",
        flush=True,
    )
    return 0 if ratio >= RATE_TARGET and fake.rate_limited == 0 and is_exact else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=2000)
    parser.add_argument("--digests", type=int, default=300, help="chats that also get a digest")
    parser.add_argument("--groups", type=int, default=20, help="busy groups that get bursts")
    parser.add_argument("--stories", type=int, default=100, help="stories at once per group")
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
