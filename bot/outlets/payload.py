"""An alert as data for other tools: its permanent id, conflict area and JSON fields.

Shared by the webhooks and the JSON Feed, so a receiver and a feed reader see the same id and
the same fields for one alert; texts in English. Pure. May import bot.model,
bot.services (history, tally) and feeds.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from bot.model import Alert
from bot.services.history import novelty_text
from bot.services.tally import alert_conflict

# A tag URI (RFC 4151): permanent, and the same for the same source item on every installation,
# so a newsroom running two bots can merge their outputs by id.
ID_PREFIX = "tag:ceasefire-alerts,2026:alert/"


def alert_uri(alert: Alert) -> str:
    """The alert's permanent id: derived from the source feed and the item's key."""
    digest = hashlib.sha256(f"{alert.feed_url}\n{alert.item_key}".encode()).hexdigest()
    return ID_PREFIX + digest[:32]


def rfc3339(moment: datetime) -> str:
    """'2021-08-13T10:02:00Z': the date form Atom, JSON Feed and most parsers accept."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def alert_payload(alert: Alert) -> dict[str, Any]:
    """The JSON object a webhook receiver gets (documented in the README)."""
    return {
        "id": alert_uri(alert),
        "level": alert.level.value,
        "pairs": [{"accuser": p.accuser, "accused": p.accused} for p in alert.pairs],
        "title": alert.title,
        "summary": alert.summary,
        "link": alert.link,
        "source": alert.source_title,
        "published": rfc3339(alert.published),
        "novelty": novelty_text(alert.novelty),
        "conflict": alert_conflict(alert),
    }
