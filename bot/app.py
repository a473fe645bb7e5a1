"""The one place that builds objects: store, HTTP client, poller, Telegram application.

Everything else receives what it needs from here. On SQLite one process does everything under
python-telegram-bot's run_polling/run_webhook; on PostgreSQL each `run` is a worker among any
number (run_worker): it always polls, and sends while it holds the sender role.
May import every other bot module.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import logging
import secrets
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import Application, ApplicationBuilder, CallbackContext

from bot.config import Settings
from bot.errors import BotError
from bot.frontend import buttons, handlers
from bot.frontend.callback_data import CallbackCodec, new_key
from bot.frontend.context import SERVICES_KEY, Services, services
from bot.frontend.delivery import DeliveryWorker
from bot.frontend.format import format_alert_console
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES
from bot.metrics import Metrics, start_metrics_server
from bot.model import (
    Alert,
    Destination,
    Mute,
    OutboxKind,
    OutboxMessage,
    Subscription,
    start_of_day,
    utc_now,
)
from bot.outlets.feed_server import AlertsFeedServer
from bot.outlets.lifecycle import Outlets
from bot.outlets.webhooks import Notifier, WebhookWorker
from bot.runlock import RunLock
from bot.services import export as exports
from bot.services import filters
from bot.services.digest import FilterFn, enqueue_due_digests
from bot.services.mutes import is_muted, muted_pairs_by_chat
from bot.services.offload import FeedWork, InProcess, OffloadPool
from bot.services.outages import report_feed_outages
from bot.services.poller import Poller, check_feed
from bot.services.workers import RECENT, Worker, worker_name
from bot.store import Store, connect
from bot.store.sender_lock import SenderLock
from feeds.detect import classify
from feeds.fetch import make_client
from feeds.model import Level
from feeds.opml import FeedEntry, default_feeds, read_opml, write_opml

log = logging.getLogger(__name__)


async def open_store(settings: Settings, *, now: datetime | None = None) -> Store:
    """Open the database and make sure it watches some feeds (FEEDS_FILE, else the defaults)."""
    store = await connect(settings)
    try:
        await seed_feeds(store, settings, now=now or utc_now())
    except BaseException:
        await store.close()
        raise
    return store


async def seed_feeds(store: Store, settings: Settings, *, now: datetime) -> int:
    """Add the FEEDS_FILE feeds, or the bundled default list when the database has none."""
    if settings.feeds_file is not None:
        entries = _read_feeds_file(settings.feeds_file)
    elif await store.count_feeds() == 0:
        entries = default_feeds()
    else:
        return 0
    added = await add_entries(store, entries, now=now)
    if added:
        log.info("added %d feeds to the watch list", added)
    return added


async def add_entries(store: Store, entries: Sequence[FeedEntry], *, now: datetime) -> int:
    """Watch every feed of a list; returns how many were new."""
    added = 0
    for entry in entries:
        added += await store.add_feed(entry.url, now=now, title=entry.title, lang=entry.lang)
    return added


def _read_feeds_file(path: Path) -> list[FeedEntry]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BotError(f"FEEDS_FILE {path} cannot be read: {exc.strerror}") from exc
    if path.suffix.lower() in (".opml", ".xml"):
        return read_opml(data)
    # A plain list: one URL per line, '#' starts a comment.
    urls = [line.split("#", 1)[0].strip() for line in data.decode("utf-8", "replace").splitlines()]
    return [FeedEntry(url=url) for url in urls if url]


@contextlib.asynccontextmanager
async def console_services(
    settings: Settings, *, is_poller: bool = True
) -> AsyncIterator[tuple[Store, httpx.AsyncClient]]:
    """Store and HTTP client for the console commands, closed on the way out.

    A poller takes the run lock (SQLite only) and starts from the default feeds if none are
    configured; `feeds …` commands do neither, so adding one feed to a new database adds just
    that one.
    """
    run_lock = RunLock(settings.database_path)
    if is_poller and settings.database_url is None:
        run_lock.acquire()
    try:
        store = await (open_store(settings) if is_poller else connect(settings))
        try:
            async with make_client() as client:
                yield store, client
        finally:
            await store.close()
    finally:
        run_lock.release()


@contextlib.contextmanager
def poll_work(settings: Settings) -> Iterator[FeedWork]:
    """Where the poller parses and classifies: POLL_PROCESSES processes, or this one for 0."""
    if settings.poll_processes == 0:
        yield InProcess()
        return
    pool = OffloadPool(settings.poll_processes)
    try:
        yield pool
    finally:
        pool.close()


def build_outlets(store: Store, settings: Settings, *, notify: Notifier | None) -> Outlets:
    """The alerts feed (ALERTS_FEED_PORT) and webhooks (WEBHOOK_URLS) the settings ask for."""
    outlets = Outlets()
    if settings.alerts_feed_port:
        outlets.feed = AlertsFeedServer(
            store, host=settings.alerts_feed_host, port=settings.alerts_feed_port
        )
    if settings.webhook_urls and settings.webhook_secret:
        outlets.webhooks = WebhookWorker(
            store,
            settings.webhook_urls,
            settings.webhook_secret,
            timeout=settings.webhook_timeout,
            pause_after=timedelta(hours=settings.webhook_pause_hours),
            notify=notify,
        )
    return outlets


async def print_alerts(alerts: Sequence[Alert]) -> None:
    for alert in alerts:
        print(format_alert_console(alert), end="\n\n", flush=True)


async def run_console(settings: Settings) -> None:
    """Console mode: poll forever and print each alert; SIGINT/SIGTERM stop cleanly."""
    async with console_services(settings) as (store, client):
        outlets = build_outlets(store, settings, notify=None)

        async def show_and_post(alerts: Sequence[Alert]) -> None:
            await print_alerts(alerts)
            outlets.wake()

        print(console_banner(settings, await store.count_feeds()), file=sys.stderr)
        await outlets.start()
        try:
            with poll_work(settings) as work:
                poller = Poller(store, client, settings, on_alerts=show_and_post, work=work)
                task = asyncio.create_task(poller.run_forever())
                loop = asyncio.get_running_loop()
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.add_signal_handler(sig, task.cancel)
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        finally:
            await outlets.stop()
        print("stopped", file=sys.stderr)


def console_banner(settings: Settings, feeds: int) -> str:
    return (
        f"ceasefire-alerts: console mode (no TELEGRAM_BOT_TOKEN), watching {feeds} feeds, "
        f"polling every {settings.poll_interval:g} s. Ctrl-C stops."
    )


def run(settings: Settings) -> None:
    """`ceasefire-alerts run`: the Telegram bot with a token, console mode without; on
    PostgreSQL one worker among any number sharing the database."""
    if settings.database_url is not None:
        asyncio.run(run_worker(settings))
    elif settings.has_telegram:
        run_telegram(settings)
    else:
        asyncio.run(run_console(settings))


async def poll_once(settings: Settings) -> None:
    """`poll --once`: one cycle over every feed, print the new alerts."""
    async with console_services(settings) as (store, client):
        with poll_work(settings) as work:
            poller = Poller(store, client, settings, on_alerts=print_alerts, work=work)
            report = await poller.poll_once(force=True)
        print(
            f"{report.feeds} feeds polled, {report.not_modified} not modified, "
            f"{report.errors} failed, {report.new_items} new items, "
            f"{len(report.alerts)} alerts in {report.duration:.1f} s",
            file=sys.stderr,
        )
        for url, reason in report.failures:
            print(f"  failed: {url}: {reason}", file=sys.stderr)


async def demo(settings: Settings) -> None:
    """Offline demo: bundled feeds from a loopback server through the real pipeline."""
    from bot.demo import DemoServer

    with tempfile.TemporaryDirectory(prefix="ceasefire-demo-") as tmp, DemoServer() as server:
        demo_settings = replace(
            settings,
            database_path=Path(tmp) / "demo.db",
            database_url=None,  # the demo never writes to a configured PostgreSQL database
            feeds_file=None,
            feed_allow_private=True,  # the demo feeds live on 127.0.0.1
            first_poll_max_age_hours=0,  # the sample stories are years old
            fetch_timeout=5.0,
            # One feed at a time: the same story then always groups under the same first
            # report, so the demo prints the same alerts on every run.
            fetch_concurrency=1,
            webhook_urls=(),  # the demo's database is thrown away: nothing to post from it
        )
        store = await connect(demo_settings)
        try:
            now = utc_now()
            for url in server.urls():
                await store.add_feed(url, now=now)
            async with make_client() as client:
                shown: list[Alert] = []

                async def collect(alerts: Sequence[Alert]) -> None:
                    shown.extend(alerts)

                poller = Poller(store, client, demo_settings, on_alerts=collect)
                report = await poller.poll_once(force=True)
                second = await poller.poll_once(force=True)
            # Re-read: copies of a story polled after it count as "also reported by".
            shown = [a for a in [await store.get_alert(a.id) for a in shown] if a is not None]
            breaches = [a for a in shown if a.level.is_alert]
            breaches.sort(key=lambda a: a.published)
            await print_alerts(breaches)
            news = [a for a in shown if not a.level.is_alert]
            for alert in news:
                print(f"🟢 ceasefire news: {alert.title} ({alert.source_title})")
            grouped = await store.stats(start_of_day(datetime.now(UTC)))
            print(
                f"\ndemo: {report.feeds} feeds, {report.new_items} items, "
                f"{len(breaches)} breach alerts, {len(news)} ceasefire news; "
                f"second poll: {second.not_modified} not modified, {second.new_items} new items; "
                f"{grouped.items} items stored."
            )
        finally:
            await store.close()


async def print_status(settings: Settings) -> None:
    """`ceasefire-alerts status`: the facts /status gives, read from the database."""
    store = await connect(settings)
    try:
        now = utc_now()
        stats = await store.stats(start_of_day(now))
        feeds = await store.list_feeds()
        last = await store.get_meta("last_cycle")
        duration = await store.get_meta("last_cycle_duration")
        print(f"database: {settings.database_label}")
        print(f"last poll cycle: {last or 'never'}" + (f" ({duration} s)" if duration else ""))
        print(f"feeds: {stats.feeds} ({stats.failing_feeds} failing)")
        for feed in feeds:
            state = f"failing x{feed.failures}: {feed.last_error}" if feed.is_failing else "ok"
            nxt = feed.next_poll.isoformat(timespec="minutes") if feed.next_poll else "now"
            print(f"  {feed.url} [{state}] next poll {nxt}")
        print(f"items: {stats.items} ({stats.items_since} today)")
        print(f"alerts: {stats.alerts} ({stats.alerts_since} today)")
        print(f"subscriptions: {stats.subscriptions}")
        print(f"outbox backlog: {stats.outbox_pending}")
        for worker in await store.recent_workers(now - RECENT):
            role = "sender" if worker.is_sender else "polling"
            seen = worker.last_seen.isoformat(timespec="seconds")
            print(f"worker {worker.name}: {role}, last heartbeat {seen}")
        webhooks = await store.webhook_counts()
        if webhooks or settings.webhook_urls:
            print(f"webhook backlog: {webhooks.get('pending', 0)}")
    finally:
        await store.close()


async def write_chart(settings: Settings, *, days: int, out: Path) -> None:
    """`ceasefire-alerts chart`: accusations per day by pair over the last `days`, as a PNG."""
    from bot.services.chart import render_chart

    store = await connect(settings)
    try:
        now = utc_now()
        alerts = await store.alerts_between(
            now - timedelta(days=days), now + timedelta(seconds=1), levels=(Level.BLAME,)
        )
    finally:
        await store.close()
    png = await asyncio.to_thread(render_chart, alerts, days=days, now=now)
    try:
        await asyncio.to_thread(out.write_bytes, png)
    except OSError as exc:
        raise BotError(f"cannot write {out}: {exc.strerror}") from exc
    print(f"wrote {out} ({len(png) // 1024} KB, {len(alerts)} accusations in {days} days)")


async def export_alerts(
    settings: Settings, *, days: int, fmt: str, out: Path | None, words: Sequence[str]
) -> None:
    """`ceasefire-alerts export`: alerts of the last `days` as CSV or JSON Lines.

    A CSV file gets a byte order mark so spreadsheets read it as UTF-8; CSV on standard
    output does not, since a pipe feeds programs, which would see the mark as text.
    """
    try:
        levels, chosen_words = filters.parse_filter(words, usage="")
    except filters.FilterError as exc:
        raise BotError(str(exc).strip()) from exc
    store = await connect(settings)
    try:
        now = utc_now()
        found = await store.alerts_between(
            now - timedelta(days=days), now + timedelta(seconds=1), levels=levels
        )
    finally:
        await store.close()
    alerts = [a for a in found if filters.matches(levels, chosen_words, a)]
    if fmt == "jsonl":
        data = exports.to_jsonl(alerts)
    else:
        data = exports.to_csv(alerts, bom=out is not None)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        await asyncio.to_thread(out.write_bytes, data)
    except OSError as exc:
        raise BotError(f"cannot write {out}: {exc.strerror}") from exc
    count = len(alerts)
    print(f"wrote {out} ({count} alert{'s' * (count != 1)} in {days} days)", file=sys.stderr)


async def manage_feeds(settings: Settings, action: str, args: argparse.Namespace) -> int:
    """`ceasefire-alerts feeds list|add|remove|import|export`."""
    async with console_services(settings, is_poller=False) as (store, client):
        now = utc_now()
        if action == "list":
            feeds = await store.list_feeds()
            for feed in feeds:
                state = f"failing: {feed.last_error}" if feed.is_failing else "ok"
                print(f"{feed.url}\t{feed.title or '-'}\t{state}")
            if not feeds:
                print(f"no feeds yet: `run` starts with the {len(default_feeds())} bundled ones")
        elif action == "add":
            title = await check_feed(client, args.url, settings, now=now)
            if await store.add_feed(args.url, now=now, title=title):
                print(f"added: {title or args.url}")
            else:
                print(f"already watched: {args.url}")
        elif action == "remove":
            if not await store.remove_feed(args.url):
                print(f"error: not watched: {args.url}", file=sys.stderr)
                return 1
            print(f"removed: {args.url}")
        elif action == "import":
            entries = _read_feeds_file(args.file)
            added = await add_entries(store, entries, now=now)
            print(f"imported {added} new feeds ({len(entries) - added} already watched)")
        elif action == "export":
            feeds = await store.list_feeds()
            print(write_opml([FeedEntry(url=f.url, title=f.title, lang=f.lang) for f in feeds]))
    return 0


# -- Telegram ------------------------------------------------------------------------------------

SETTINGS_KEY = "settings"
POLLER_TASK_KEY = "poller_task"
OFFLOAD_POOL_KEY = "offload_pool"
METRICS_KEY = "metrics_server"
OUTLETS_KEY = "outlets"
CALLBACK_KEY_META = "callback_key"
MINUTE_JOB_EVERY = 60.0  # seconds between checks for due digests and operator notices
ROLE_RETRY = 6  # election intervals a worker that failed to start sending waits to try again


def build_application(settings: Settings) -> Application:
    """The python-telegram-bot Application with our handlers; services start in post_init."""
    if not settings.telegram_bot_token:
        raise BotError("TELEGRAM_BOT_TOKEN is not set")
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_url)
        .post_init(start_services)
        .post_stop(stop_services)
        .post_shutdown(close_services)
        .build()
    )
    application.bot_data[SETTINGS_KEY] = settings
    handlers.register(application)
    buttons.register(application)
    return application


async def start_services(application: Application) -> None:
    """post_init: open the store, start the poller, delivery worker and digest job."""
    settings: Settings = application.bot_data[SETTINGS_KEY]
    store = await open_store(settings)
    client = make_client()
    metrics = Metrics() if settings.metrics_port else None
    delivery, outlets, codec = await _sender_parts(application, store, settings, metrics=metrics)

    async def wake_delivery(alerts: Sequence[Alert]) -> None:
        delivery.wake()
        outlets.wake()

    pool = OffloadPool(settings.poll_processes) if settings.poll_processes else None
    application.bot_data[OFFLOAD_POOL_KEY] = pool
    poller = Poller(
        store,
        client,
        settings,
        route=filters.route,
        on_alerts=wake_delivery,
        on_cycle=metrics.observe_cycle if metrics else None,
        work=pool,
    )
    if metrics is not None and settings.metrics_port:
        application.bot_data[METRICS_KEY] = start_metrics_server(metrics, settings.metrics_port)
    application.bot_data[SERVICES_KEY] = Services(
        store=store,
        settings=settings,
        client=client,
        poller=poller,
        delivery=delivery,
        callback_codec=codec,
    )
    application.bot_data[OUTLETS_KEY] = outlets
    await _start_sending(application, delivery, outlets)
    application.bot_data[POLLER_TASK_KEY] = asyncio.create_task(
        poller.run_forever(), name="poller"
    )
    log.info(
        "bot started: %d feeds, polling every %g s",
        await store.count_feeds(),
        settings.poll_interval,
    )


async def set_commands(application: Application) -> None:
    """The command menu in English, and in each other language for users whose Telegram app
    speaks it (setMyCommands with language_code)."""
    await application.bot.set_my_commands(handlers.COMMANDS)
    for language in LANGUAGES:
        if language != DEFAULT_LANGUAGE:
            commands = handlers.bot_commands(language)
            await application.bot.set_my_commands(commands, language_code=language)


async def _sender_parts(
    application: Application,
    store: Store,
    settings: Settings,
    *,
    metrics: Metrics | None,
    may_send: Callable[[], bool] = lambda: True,
) -> tuple[DeliveryWorker, Outlets, CallbackCodec]:
    """The delivery worker, the outlets and the buttons' codec of the process that talks to
    Telegram."""
    # Stored, so buttons on messages sent before a restart still verify (see callback_data).
    codec = CallbackCodec(await store.setdefault_meta(CALLBACK_KEY_META, new_key()))
    delivery = DeliveryWorker(
        application.bot,
        store,
        keyboard=buttons.keyboard_maker(codec),
        on_round=metrics.observe_delivery if metrics else None,
        burst_delay=settings.burst_delay,
        may_send=may_send,
    )
    outlets = build_outlets(store, settings, notify=operator_notifier(store, settings, delivery))
    return delivery, outlets, codec


async def _start_sending(
    application: Application, delivery: DeliveryWorker, outlets: Outlets
) -> None:
    """Command menus, outlets, delivery and the job that queues digests and operator notices
    (the application is initialised)."""
    await set_commands(application)
    await outlets.start()
    delivery.start()
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _minute_job, interval=MINUTE_JOB_EVERY, first=1.0, name="digests and notices"
        )


async def stop_services(application: Application) -> None:
    """post_stop: stop polling, let in-flight sends finish (pending rows stay in the outbox)."""
    task: asyncio.Task[None] | None = application.bot_data.pop(POLLER_TASK_KEY, None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    found = application.bot_data.get(SERVICES_KEY)
    if isinstance(found, Services) and found.delivery is not None:
        await found.delivery.stop()
    outlets: Outlets | None = application.bot_data.pop(OUTLETS_KEY, None)
    if outlets is not None:
        await outlets.stop()


async def close_services(application: Application) -> None:
    """post_shutdown: close the HTTP client, the worker processes and the database."""
    server = application.bot_data.pop(METRICS_KEY, None)
    if server is not None:
        server.close()
    pool: OffloadPool | None = application.bot_data.pop(OFFLOAD_POOL_KEY, None)
    if pool is not None:
        await asyncio.to_thread(pool.close)
    found = application.bot_data.pop(SERVICES_KEY, None)
    if isinstance(found, Services):
        await found.client.aclose()
        await found.store.close()


def operator_notifier(store: Store, settings: Settings, delivery: DeliveryWorker) -> Notifier:
    """Queue a plain message to every operator in ADMIN_USER_IDS; the delivery worker sends it."""

    async def notify(text: str) -> None:
        if not settings.admin_user_ids:
            log.warning("no ADMIN_USER_IDS to tell: %s", text)
            return
        body = html.escape(text, quote=False)  # the worker sends Telegram HTML
        await store.enqueue_messages(
            [
                OutboxMessage(Destination(user_id), OutboxKind.NOTICE, body)
                for user_id in sorted(settings.admin_user_ids)
            ],
            now=utc_now(),
        )
        delivery.wake()

    return notify


def digest_filter(mutes: Sequence[Mute]) -> FilterFn:
    """What a chat's digest lists: alerts its filter wants, less the pairs muted there."""
    muted = muted_pairs_by_chat(mutes)

    def wanted(sub: Subscription, alert: Alert) -> bool:
        return filters.matches(sub.levels, sub.words, alert) and not is_muted(
            alert, muted.get(sub.chat_id, ())
        )

    return wanted


async def _minute_job(context: CallbackContext) -> None:
    """Queue the due daily digests and operator notices; the delivery worker sends them."""
    found = services(context)
    now = found.clock()
    mutes = await found.store.mutes_in_force(now)
    queued = await enqueue_due_digests(found.store, now=now, filter_fn=digest_filter(mutes))
    queued += await report_feed_outages(
        found.store,
        operators=found.settings.admin_user_ids,
        after=timedelta(hours=found.settings.feed_alert_hours),
        now=now,
    )
    if queued and found.delivery is not None:
        found.delivery.wake()


def webhook_options(settings: Settings, *, secret: str) -> dict[str, Any]:
    """Arguments for PTB's webhook server: listen locally, tell Telegram the public URL.

    The local path is the public URL's path, so a reverse proxy forwards it unchanged. PTB
    answers 403 to any request without the X-Telegram-Bot-Api-Secret-Token header we set.
    """
    url = settings.telegram_webhook_url or ""
    return {
        "listen": settings.telegram_webhook_listen,
        "port": settings.telegram_webhook_port,
        "url_path": urlsplit(url).path.strip("/"),
        "webhook_url": url,
        "secret_token": secret,
        "allowed_updates": Update.ALL_TYPES,
        "drop_pending_updates": False,
    }


def run_telegram(settings: Settings) -> None:
    """The bot plus poller and delivery in one process until SIGINT/SIGTERM.

    Updates come by long polling, or to PTB's webhook server with TELEGRAM_WEBHOOK_URL.
    """
    # One process per SQLite file (PostgreSQL runs workers instead: run_worker).
    with RunLock(settings.database_path):
        application = build_application(settings)
        if settings.telegram_webhook_url:
            try:
                application.run_webhook(
                    **webhook_options(settings, secret=_webhook_secret(settings))
                )
            except OSError as exc:  # the port is taken, or the address is not ours
                raise _webhook_error(settings, exc) from exc
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)


def _webhook_secret(settings: Settings) -> str:
    # Without a configured secret a fresh one per start still keeps strangers out: setWebhook
    # hands it to Telegram each time.
    return settings.telegram_webhook_secret or secrets.token_urlsafe(32)


def _webhook_error(settings: Settings, exc: OSError) -> BotError:
    return BotError(
        f"TELEGRAM_WEBHOOK_LISTEN/PORT: cannot serve on "
        f"{settings.telegram_webhook_listen}:{settings.telegram_webhook_port}: "
        f"{exc.strerror or exc}"
    )


# -- Workers on a shared PostgreSQL database (issue 11, scale-out) -------------------------------


@dataclass(slots=True)
class SenderRole:
    """What the elected worker runs: the outlets, and with a token Telegram updates, delivery
    and digests. Stopped as soon as the role is lost (delivery checks the lock before each send,
    so it starts no new one even before this runs)."""

    outlets: Outlets
    application: Application | None = None
    delivery: DeliveryWorker | None = None

    def wake(self) -> None:
        if self.delivery is not None:
            self.delivery.wake()
        self.outlets.wake()

    async def stop(self) -> None:
        application = self.application
        updater = application.updater if application is not None else None
        if updater is not None and updater.running:
            await updater.stop()  # no more getUpdates from here
        # Together: each starts nothing new at once, and lets what is in flight be recorded.
        stops = [self.outlets.stop()]
        if self.delivery is not None:
            stops.append(self.delivery.stop())
        await asyncio.gather(*stops)
        if application is not None:
            if application.running:
                await application.stop()
            await application.shutdown()


async def start_sender_role(
    settings: Settings,
    store: Store,
    client: httpx.AsyncClient,
    poller: Poller,
    *,
    metrics: Metrics | None,
    may_send: Callable[[], bool],
) -> SenderRole:
    """Start what the sender runs; what PTB's run_polling/run_webhook do, step by step."""
    if not settings.has_telegram:
        role = SenderRole(outlets=build_outlets(store, settings, notify=None))
        await role.outlets.start()
        return role
    application = build_application(settings)
    delivery, outlets, codec = await _sender_parts(
        application, store, settings, metrics=metrics, may_send=may_send
    )
    role = SenderRole(outlets=outlets, application=application, delivery=delivery)
    application.bot_data[SERVICES_KEY] = Services(
        store=store,
        settings=settings,
        client=client,
        poller=poller,
        delivery=delivery,
        callback_codec=codec,
    )
    try:
        try:
            await application.initialize()
        except InvalidToken as exc:
            raise BotError(f"Telegram refused TELEGRAM_BOT_TOKEN: {exc.message}") from exc
        await _start_sending(application, delivery, outlets)
        await application.start()
        # Still ours after those round trips? Else no getUpdates: the role is being handed on.
        if may_send():
            await _start_updates(application, settings)
    except BaseException:
        await role.stop()
        raise
    return role


async def _start_updates(application: Application, settings: Settings) -> None:
    """Long polling, or PTB's webhook server with TELEGRAM_WEBHOOK_URL."""
    assert application.updater is not None  # noqa: S101 - ApplicationBuilder always makes one
    if not settings.telegram_webhook_url:
        await application.updater.start_polling(
            allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
        )
        return
    try:
        await application.updater.start_webhook(
            **webhook_options(settings, secret=_webhook_secret(settings))
        )
    except OSError as exc:
        raise _webhook_error(settings, exc) from exc


async def run_worker(settings: Settings) -> None:
    """`run` on PostgreSQL until SIGINT/SIGTERM: poll a share of the feeds; send while elected.

    Any number of these, on one machine or several, share the database: the poller claims due
    feeds under leases, and one worker at a time (SenderLock) long-polls Telegram and sends.
    """
    store = await open_store(settings)
    client = make_client()
    metrics = Metrics() if settings.metrics_port else None
    server = None
    stack = contextlib.ExitStack()  # the worker processes (POLL_PROCESSES)
    try:
        work = stack.enter_context(poll_work(settings))
        poller, worker, lock = _worker_parts(settings, store, client, metrics, work)
        if metrics is not None and settings.metrics_port:
            server = start_metrics_server(metrics, settings.metrics_port)
        if not settings.has_telegram:
            print(console_banner(settings, await store.count_feeds()), file=sys.stderr)
        # The detector reads its word lists on first use, for seconds: before this worker
        # campaigns for the sender role, so that never stalls a worker holding it.
        await asyncio.to_thread(classify, "Ceasefire holds", "", "en")
        log.info(
            "worker %s started on %s: %d feeds, polling every %g s; one worker sends",
            worker.name,
            settings.database_label,
            await store.count_feeds(),
            settings.poll_interval,
        )
        try:
            await _serve_until_stopped(
                worker.take_turns(lock, retry_after=ROLE_RETRY * settings.election_interval),
                poller.run_forever(),
                worker.heartbeat(lock),
            )
        finally:
            await worker.leave()
    finally:
        stack.close()
        if server is not None:
            server.close()
        await client.aclose()
        await store.close()
    log.info("worker %s stopped", worker.name)


def _worker_parts(
    settings: Settings,
    store: Store,
    client: httpx.AsyncClient,
    metrics: Metrics | None,
    work: FeedWork,
) -> tuple[Poller, Worker, SenderLock]:
    """A worker's poller, its turns at the sender role, and the lock that elects the sender."""
    assert settings.database_url is not None  # noqa: S101 - run() checked
    name = worker_name()
    poller = Poller(
        store,
        client,
        settings,
        route=filters.route if settings.has_telegram else None,
        on_alerts=None if settings.has_telegram else print_alerts,
        on_cycle=metrics.observe_cycle if metrics else None,
        worker=name,
        shares_database=True,
        work=work,
    )

    async def start_role() -> SenderRole:
        return await start_sender_role(
            settings, store, client, poller, metrics=metrics, may_send=lambda: lock.is_held
        )

    worker = Worker(store, name, start_role=start_role)
    lock = SenderLock(
        settings.database_url,
        name,
        interval=settings.election_interval,
        on_outbox=worker.wake_role,
    )
    return poller, worker, lock


async def _serve_until_stopped(*loops: Coroutine[Any, Any, None]) -> None:
    """Run the loops until SIGINT/SIGTERM or one fails; cancel them in order (the sender role
    first, so it stops sending cleanly); re-raise a failure."""
    tasks = [asyncio.create_task(loop) for loop in loops]
    stopped = asyncio.Event()
    events = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        events.add_signal_handler(sig, stopped.set)
    waiter = asyncio.create_task(stopped.wait())
    try:
        await asyncio.wait([*tasks, waiter], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in [*tasks, waiter]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # re-raised below
                await task
        for sig in (signal.SIGINT, signal.SIGTERM):
            events.remove_signal_handler(sig)
    failed = next((t.exception() for t in tasks if not t.cancelled() and t.exception()), None)
    if failed is not None:
        raise failed
