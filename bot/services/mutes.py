"""Muted pairs: which alerts a chat asked not to hear about for a while (pure, no I/O).

A mute names one accuser → accused pair, in that direction: "Azerbaijan → Russia" is news of its
own when "Russia → Azerbaijan" is muted. An alert is held back only when every pair it names is
muted, so a story that also carries a new accusation still gets through.
May import bot.model and feeds.model.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import timedelta

from bot.model import Alert, Mute
from feeds.model import Pair

MUTE_DURATION = timedelta(hours=24)  # the button says "24 h"


def muted_pairs_by_chat(mutes: Iterable[Mute]) -> dict[int, frozenset[Pair]]:
    """Chat id → the pairs muted there (pass only the mutes in force)."""
    found: dict[int, set[Pair]] = {}
    for mute in mutes:
        found.setdefault(mute.chat_id, set()).add(mute.pair)
    return {chat: frozenset(pairs) for chat, pairs in found.items()}


def is_muted(alert: Alert, muted: Collection[Pair]) -> bool:
    """Every pair of the alert is muted; alerts without a pair are never muted."""
    return bool(alert.pairs) and all(pair in muted for pair in alert.pairs)
