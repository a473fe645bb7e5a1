"""Telegram webhook mode: PTB's webhook server instead of long polling, guarded by a secret.

Telegram (here the fake Bot API) is told the public URL and the secret by setWebhook; the tests
then post updates to the local listener as Telegram would, with and without the secret header.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from dataclasses import replace
from pathlib import Path

import httpx

from bot.app import build_application, webhook_options
from tests.test_telegram_e2e import WITHIN

SECRET = "webhook_Secret-42"  # noqa: S105 - a made-up secret token
PUBLIC_URL = "https://bot.example/telegram/updates"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def webhook_settings(settings):
    return replace(
        settings,
        telegram_webhook_url=PUBLIC_URL,
        telegram_webhook_secret=SECRET,
        telegram_webhook_port=free_port(),
    )


@contextlib.asynccontextmanager
async def running_webhook_bot(settings, *, secret: str):
    """What `run_webhook` does, step by step, inside the test's event loop."""
    application = build_application(settings)
    await application.initialize()
    await application.post_init(application)
    await application.updater.start_webhook(**webhook_options(settings, secret=secret))
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.post_stop(application)
        await application.shutdown()
        await application.post_shutdown(application)


async def post_update(settings, update, *, secret: str | None) -> httpx.Response:
    """Deliver an update to the bot's listener as Telegram does."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    url = f"http://127.0.0.1:{settings.telegram_webhook_port}/telegram/updates"
    async with httpx.AsyncClient(timeout=WITHIN) as client:
        return await client.post(url, json=update, headers=headers)


async def test_webhook_mode_answers_an_update_posted_with_the_secret(settings, telegram_api):
    """setWebhook gets the public URL and secret; a posted /help is answered via the Bot API."""
    settings = webhook_settings(settings)
    async with running_webhook_bot(settings, secret=SECRET):
        assert telegram_api.webhook is not None
        assert telegram_api.webhook.url == PUBLIC_URL
        assert telegram_api.webhook.secret_token == SECRET
        response = await post_update(
            settings, telegram_api.command_update(701, "/help"), secret=SECRET
        )
        (reply,) = await telegram_api.wait_for_messages(1, chat_id=701, within=WITHIN)
    assert response.status_code == 200
    assert "/subscribe" in reply.text
    assert telegram_api.calls_to("getUpdates") == []


async def test_updates_without_the_right_secret_are_refused(settings, telegram_api):
    """No header or a wrong one: 403, and the update never reaches a handler."""
    settings = webhook_settings(settings)
    async with running_webhook_bot(settings, secret=SECRET):
        missing = await post_update(
            settings, telegram_api.command_update(702, "/help"), secret=None
        )
        wrong = await post_update(
            settings,
            telegram_api.command_update(703, "/help"),
            secret="not-the-secret",  # noqa: S106 - a wrong secret on purpose
        )
        right = await post_update(
            settings, telegram_api.command_update(704, "/help"), secret=SECRET
        )
        # Updates are handled in order: once 704 is answered, 702 and 703 would have been.
        await telegram_api.wait_for_messages(1, chat_id=704, within=WITHIN)
    assert missing.status_code == 403
    assert wrong.status_code == 403
    assert right.status_code == 200
    assert telegram_api.messages_to(702) == []
    assert telegram_api.messages_to(703) == []


async def test_the_service_runs_in_webhook_mode_with_a_fresh_secret(settings, telegram_api):
    """`python -m bot run` with TELEGRAM_WEBHOOK_URL and no secret set: it makes one."""
    port = free_port()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token,
        "TELEGRAM_API_URL": settings.telegram_api_url,
        "DATABASE_PATH": str(settings.database_path),
        "FEEDS_FILE": str(settings.feeds_file),
        "FEED_ALLOW_PRIVATE": "true",
        "TELEGRAM_WEBHOOK_URL": PUBLIC_URL,
        "TELEGRAM_WEBHOOK_PORT": str(port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--env-file",
        os.devnull,
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        cwd=Path(__file__).parent.parent,
    )
    try:
        await telegram_api.wait_for(lambda: telegram_api.webhook is not None, within=WITHIN)
        secret = telegram_api.webhook.secret_token
        update = telegram_api.command_update(705, "/help")
        webhook_port = replace(settings, telegram_webhook_port=port)
        forged = await _post_when_listening(webhook_port, update, secret=None)
        answered = await post_update(webhook_port, update, secret=secret)
        await telegram_api.wait_for_messages(1, chat_id=705, within=WITHIN)
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(WITHIN):
            code = await process.wait()
    assert secret
    assert len(secret) >= 32
    assert forged.status_code == 403
    assert answered.status_code == 200
    assert code == 0


async def _post_when_listening(settings, update, *, secret: str | None) -> httpx.Response:
    """PTB sets the webhook just before it listens: retry until the port answers."""
    async with asyncio.timeout(WITHIN):
        while True:
            try:
                return await post_update(settings, update, secret=secret)
            except httpx.ConnectError:
                await asyncio.sleep(0.05)  # another process opens the port: nothing to await
