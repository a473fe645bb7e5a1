"""The alerts feed server and the webhook worker, started, woken and stopped together.

Built by bot.app (the one place that builds objects) for the Telegram bot and console mode
alike. May import bot.outlets.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.outlets.feed_server import AlertsFeedServer
from bot.outlets.webhooks import WebhookWorker


@dataclass(slots=True)
class Outlets:
    """What carries alerts out to tools other than Telegram; either part may be off."""

    feed: AlertsFeedServer | None = None
    webhooks: WebhookWorker | None = None

    async def start(self) -> None:
        if self.feed is not None:
            await self.feed.start()
        if self.webhooks is not None:
            self.webhooks.start()

    def wake(self) -> None:
        """New alerts were stored: post them now."""
        if self.webhooks is not None:
            self.webhooks.wake()

    async def stop(self) -> None:
        """Stop both; safe to call twice."""
        if self.webhooks is not None:
            await self.webhooks.stop()
        if self.feed is not None:
            await self.feed.stop()
