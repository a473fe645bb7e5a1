"""Outgoing webhooks: every alert as one signed JSON POST to each receiver in WEBHOOK_URLS.

Rows come from the store's webhook outbox, written in the same transaction as the alert, so a
restart loses none. A worker of its own, with its own HTTP client and a hard timeout per post,
sends them: a slow or broken receiver never delays Telegram delivery, nor another receiver.
Per receiver, rows go out oldest first. A failure (timeout, no connection, 5xx, 401, 404, 429…)
backs that receiver off exponentially; one that keeps failing for WEBHOOK_PAUSE_HOURS is paused,
reported once to the operators, and tried once an hour until it answers, when its backlog
follows. 400, 413 and 422 refuse one payload: that row is given up and logged, the next goes on.
May import httpx, bot.store, bot.model, bot.errors, bot.i18n, bot.services.outage and
bot.outlets.payload.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx

from bot.errors import StoreUnavailable
from bot.i18n import N_, gettext_for
from bot.model import Alert, WebhookRow, WebhookTarget, utc_now
from bot.outlets.payload import alert_payload
from bot.services.outage import Outage
from bot.store import Store

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Ceasefire-Signature"
USER_AGENT = "ceasefire-alerts-webhook/1"
REFUSED_STATUSES = frozenset({400, 413, 422})  # this payload, not the receiver, is the problem
BACKOFF_BASE = 5.0  # seconds after a receiver's first failure; doubled per failure in a row
BACKOFF_MAX = 900.0
PAUSED_RETRY = 3600.0  # a paused receiver is tried this often
IDLE_WAKE = 60.0  # look at the outbox at least this often even if nobody wakes us
BATCH = 50
STOP_GRACE = 10.0  # seconds a stop waits for posts in flight
PAUSED_REPORT = N_(
    "Webhook {name} has been failing since {since} UTC (last error: {error}). It is paused: "
    "tried once an hour, and the alerts waiting for it go out when it answers again."
)

Notifier = Callable[[str], Awaitable[None]]


def sign(body: bytes, secret: str) -> str:
    """The X-Ceasefire-Signature value: 'sha256=' + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def encode_payload(alert: Alert) -> bytes:
    return json.dumps(alert_payload(alert), ensure_ascii=False, separators=(",", ":")).encode()


def redact_url(url: str) -> str:
    """'https://hooks.example.org/…': paths of webhook URLs are often secrets themselves."""
    parts = urlsplit(url)
    rest = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{rest}"


class WebhookWorker:
    """Posts pending webhook rows, one loop per receiver; `start()`, `wake()`, `stop()`."""

    def __init__(
        self,
        store: Store,
        urls: Sequence[str],
        secret: str,
        *,
        timeout: float,
        pause_after: timedelta,
        notify: Notifier | None = None,
        clock: Callable[[], datetime] = utc_now,
        backoff_base: float = BACKOFF_BASE,
        backoff_max: float = BACKOFF_MAX,
        paused_retry: float = PAUSED_RETRY,
        outage: Outage | None = None,
    ) -> None:
        self._store = store
        self._urls = tuple(urls)
        self._secret = secret
        self._timeout = timeout
        self._pause_after = pause_after
        self._notify = notify
        self._clock = clock
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._paused_retry = paused_retry
        self._outage = outage or Outage("webhooks")
        self._wakes = {url: asyncio.Event() for url in self._urls}
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        # Its own client: a receiver that hangs must not hold connections the feeds need.
        self._client = httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        )

    def wake(self) -> None:
        """New rows were queued: every receiver looks at the outbox now."""
        for event in self._wakes.values():
            event.set()

    def start(self) -> None:
        """One loop per receiver, each in a task of its own."""
        self._stopping = False
        self._tasks = [
            asyncio.create_task(self._serve(url), name=f"webhook {redact_url(url)}")
            for url in self._urls
        ]

    async def stop(self, *, grace: float = STOP_GRACE) -> None:
        """Let posts in flight finish and be recorded, then end; cancel after `grace` s.

        Closes the HTTP client: a stopped worker is not started again.
        """
        self._stopping = True
        self.wake()
        tasks, self._tasks = self._tasks, []
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._client.aclose()

    async def _serve(self, url: str) -> None:
        while not self._stopping:
            self._wakes[url].clear()
            try:
                delay = await self.drain(url)
                self._outage.recovered()
            except asyncio.CancelledError:
                raise
            except StoreUnavailable as exc:
                delay = self._outage.failed(exc)
            except Exception:
                log.exception("webhook %s: round failed; trying again shortly", redact_url(url))
                delay = self._backoff_base
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakes[url].wait(), timeout=max(0.05, delay))

    async def drain(self, url: str) -> float:
        """Post this receiver's due rows in order; returns seconds until it should look again."""
        target = await self._store.webhook_target(url)
        now = self._clock()
        if target.next_attempt is not None and target.next_attempt > now:
            return (target.next_attempt - now).total_seconds()
        while not self._stopping:
            rows = await self._store.next_webhooks(url, limit=BATCH)
            if not rows:
                return IDLE_WAKE
            for row in rows:
                if self._stopping:
                    break
                error, is_refused = await self._post(row)
                if error is None:
                    # The receiver has it: a database outage is waited out, or it goes twice.
                    await self._outage.keep_trying(
                        lambda row=row: self._store.mark_webhook_sent(row.id, now=self._clock())
                    )
                    target = await self._recovered(target)
                    continue
                await self._store.record_webhook_attempt(row.id, error, is_refused=is_refused)
                if is_refused:
                    log.warning(
                        "webhook %s refused alert %d (%s); skipped",
                        redact_url(url),
                        row.alert.id,
                        error,
                    )
                    continue
                return await self._failed(target, error)
        return IDLE_WAKE

    async def _post(self, row: WebhookRow) -> tuple[str | None, bool]:
        """(None, False) when the receiver took it; else (error, is the payload refused)."""
        body = encode_payload(row.alert)
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, self._secret)}
        try:
            # A hard limit on the whole exchange: httpx's own timeouts are per read, and a
            # receiver trickling bytes could otherwise hold the post for ever.
            async with (
                asyncio.timeout(self._timeout),
                self._client.stream("POST", row.url, content=body, headers=headers) as response,
            ):
                status = response.status_code
        except TimeoutError:
            return f"no answer within {self._timeout:g} s", False
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:300], False
        if 200 <= status < 300:
            return None, False
        return f"HTTP {status}", status in REFUSED_STATUSES

    async def _recovered(self, target: WebhookTarget) -> WebhookTarget:
        if target.failures == 0 and not target.is_paused:
            return target
        log.info(
            "webhook %s answers again after %d failures", redact_url(target.url), target.failures
        )
        fresh = WebhookTarget(url=target.url)
        await self._store.save_webhook_target(fresh)
        return fresh

    async def _failed(self, target: WebhookTarget, error: str) -> float:
        """Record one more failure of the receiver; pause it after a long streak."""
        now = self._clock()
        since = target.failing_since or now
        failures = target.failures + 1
        is_newly_paused = not target.is_paused and now - since >= self._pause_after
        paused_at = now if is_newly_paused else target.paused_at
        if paused_at is not None:
            delay = self._paused_retry
        else:
            delay = min(self._backoff_max, self._backoff_base * 2 ** min(failures - 1, 20))
        await self._store.save_webhook_target(
            replace(
                target,
                failures=failures,
                failing_since=since,
                next_attempt=now + timedelta(seconds=delay),
                paused_at=paused_at,
                last_error=error,
            )
        )
        log.warning(
            "webhook %s failed (%s), %d in a row; next try in %.0f s",
            redact_url(target.url),
            error,
            failures,
            delay,
        )
        if is_newly_paused:
            await self._report_paused(target.url, since, error)
        return delay

    async def _report_paused(self, url: str, since: datetime, error: str) -> None:
        _ = gettext_for(None)
        text = _(PAUSED_REPORT).format(
            name=redact_url(url), since=since.strftime("%Y-%m-%d %H:%M"), error=error
        )
        log.error("%s", text)
        if self._notify is None:
            return
        try:
            await self._notify(text)
        except Exception:
            log.exception("could not tell the operators that a webhook is paused")
