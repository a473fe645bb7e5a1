"""The `ceasefire-alerts` command line: argument parsing and one clear line per user error.

The environment (and `.env`) is read here and nowhere else; objects are built in bot.app.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from dotenv import dotenv_values

from bot import app
from bot.config import Settings, load_settings
from bot.errors import BotError
from bot.services import export as exports
from feeds.errors import FeedError

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ceasefire-alerts",
        description="Watch news feeds for ceasefire breaches and who blames whom.",
    )
    parser.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="run the service (console mode without TELEGRAM_BOT_TOKEN)")
    poll = sub.add_parser("poll", help="poll the feeds and print new alerts")
    poll.add_argument("--once", action="store_true", required=True, help="one cycle, then exit")
    sub.add_parser("demo", help="offline demo on bundled sample feeds")
    classify = sub.add_parser("classify", help="classify JSON Lines items (stdin or FILE)")
    classify.add_argument("file", nargs="?", default="-", help="JSON Lines file, or - for stdin")
    sub.add_parser("status", help="feeds, items, alerts, subscriptions and outbox backlog")
    chart = sub.add_parser("chart", help="PNG chart of accusations per day by pair")
    chart.add_argument("--days", type=int, default=7, choices=range(1, 366), metavar="1..365")
    chart.add_argument("--out", type=Path, default=Path("chart.png"), help="PNG file to write")
    export = sub.add_parser("export", help="alerts of the last days as CSV or JSON Lines")
    export.add_argument(
        "--days", type=_export_days, default=exports.DEFAULT_DAYS, metavar=f"1..{exports.MAX_DAYS}"
    )
    export.add_argument("--format", choices=exports.FORMATS, default="csv", dest="fmt")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.add_argument(
        "words", nargs="*", help="filter words and levels as in /subscribe, e.g. all gaza"
    )
    feeds = sub.add_parser("feeds", help="list, add, remove, import or export watched feeds")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    feeds_sub.add_parser("list", help="show the watched feeds and their health")
    add = feeds_sub.add_parser("add", help="check a feed once and start watching it")
    add.add_argument("url")
    remove = feeds_sub.add_parser("remove", help="stop watching a feed")
    remove.add_argument("url")
    imp = feeds_sub.add_parser("import", help="add every feed of an OPML file")
    imp.add_argument("file", type=Path)
    feeds_sub.add_parser("export", help="print the watched feeds as OPML")
    return parser


def _export_days(text: str) -> int:
    """argparse type of `export --days`: a whole number within the window."""
    if not text.strip().isdigit() or not 1 <= int(text) <= exports.MAX_DAYS:
        raise argparse.ArgumentTypeError(f"days must be 1 to {exports.MAX_DAYS}, got {text!r}")
    return int(text)


def read_environment(env_file: str) -> dict[str, str]:
    """The process environment over the optional .env file (real variables win)."""
    values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    values.update(os.environ)
    return values


class RedactToken(logging.Filter):
    """Replace the bot token in every log record: Bot API URLs contain it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg = message.replace(self._token, "<token>")
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if self._token in text:
                record.exc_text = text.replace(self._token, "<token>")
        return True


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if settings.telegram_bot_token:
        # On the handler, so records of every logger (PTB's DEBUG lines included) pass it.
        handler.addFilter(RedactToken(settings.telegram_bot_token))
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def iter_classified(lines: IO[str]) -> Iterator[dict[str, object]]:
    """One output object per input line, in order; a bad line yields an error object."""
    from feeds.detect import classify

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            yield {"line": number, "error": "empty line"}
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {"line": number, "error": f"not JSON: {exc.msg}"}
            continue
        if not isinstance(record, dict):
            yield {"line": number, "error": "expected a JSON object"}
            continue
        title, summary, lang = record.get("title"), record.get("summary", ""), record.get("lang")
        if not isinstance(title, str) or not isinstance(summary or "", str):
            yield {"line": number, "id": record.get("id"), "error": "title/summary must be text"}
            continue
        detection = classify(title, summary or "", lang if isinstance(lang, str) else None)
        yield {
            "id": record.get("id"),
            "level": detection.level.value,
            "pairs": [{"accuser": p.accuser, "accused": p.accused} for p in detection.pairs],
            "matched": list(detection.matched),
            "evidence": detection.evidence,
            "summary": detection.summary,
        }


def run_classify(path: str) -> int:
    try:
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    with stream:
        for record in iter_classified(stream):
            print(json.dumps(record, ensure_ascii=False), flush=False)
    sys.stdout.flush()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `ceasefire-alerts` script and `python -m bot`."""
    args = build_parser().parse_args(argv)
    # PTB 22 warns on every RetryAfter unless told to use timedelta retry_after values.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    if args.command == "classify":
        return run_classify(args.file)
    try:
        settings = load_settings(read_environment(args.env_file))
        setup_logging(settings)
        if args.command == "run":
            app.run(settings)
        elif args.command == "poll":
            asyncio.run(app.poll_once(settings))
        elif args.command == "demo":
            asyncio.run(app.demo(settings))
        elif args.command == "chart":
            asyncio.run(app.write_chart(settings, days=args.days, out=args.out))
        elif args.command == "export":
            asyncio.run(
                app.export_alerts(
                    settings, days=args.days, fmt=args.fmt, out=args.out, words=args.words
                )
            )
        elif args.command == "status":
            asyncio.run(app.print_status(settings))
        elif args.command == "feeds":
            return asyncio.run(app.manage_feeds(settings, args.feeds_command, args))
    except (BotError, FeedError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    return 0
