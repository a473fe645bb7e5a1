"""The objects handlers need, bundled once by the app factory and read through `services()`.

post_init puts one `Services` into `application.bot_data[SERVICES_KEY]`; handlers never build
anything themselves. May import telegram.ext and bot's records (types only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx
    from telegram.ext import CallbackContext

    from bot.config import Settings
    from bot.frontend.callback_data import CallbackCodec
    from bot.frontend.delivery import DeliveryWorker
    from bot.services.poller import Poller
    from bot.store import Store

SERVICES_KEY = "services"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Services:
    """Store, settings, the shared HTTP client, poller, delivery worker and button codec."""

    store: Store
    settings: Settings
    client: httpx.AsyncClient
    poller: Poller | None = None
    delivery: DeliveryWorker | None = None
    callback_codec: CallbackCodec | None = None  # signs and checks inline-button data
    clock: Callable[[], datetime] = field(default=utc_now)


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The application's Services; a clear error if post_init has not put them in place."""
    value = context.application.bot_data.get(SERVICES_KEY)
    if not isinstance(value, Services):
        raise RuntimeError("Services are missing from bot_data: build the app with bot.app")
    return value
