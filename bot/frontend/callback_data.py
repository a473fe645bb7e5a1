"""Inline-button callback data: small, signed, strictly parsed (pure, no I/O).

A button carries `<action>:<id>:<index>:<signature>`, e.g. `m:1234:0:Xq3v…` (at most 33
bytes; Telegram allows 64). The id is an alert id (mute, more, why) or a mute id (lift); state
lives in the store, so a button keeps working after a restart for as long as its row exists.

The signature is HMAC-SHA256 over the chat id and the payload, cut to 9 bytes. Telegram
passes on whatever callback data a client sends, so a modified client could otherwise press
"lift mute 17" in any chat; the chat id in the MAC also stops a button from working in
another chat. The key is a random secret stored in the database (meta `callback_key`), not
one derived from the bot token: renewing a leaked token must not break the buttons on every
message already sent, and a key derived from the token would leak with it.
May import the standard library only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit
KEY_BYTES = 32
SIGNATURE_BYTES = 9  # 72 bits, 12 base64url characters without padding
_DATA = re.compile(r"([a-z]):(\d{1,15}):(\d{1,2}):([A-Za-z0-9_-]{12})", re.ASCII)


class Action(StrEnum):
    MUTE = "m"  # mute pair `index` of alert `id` in this chat for 24 h
    MORE = "c"  # the latest alerts of alert `id`'s conflict
    WHY = "w"  # alert `id`'s evidence sentence and matched terms
    LIFT = "u"  # end mute `id` of this chat


@dataclass(frozen=True, slots=True)
class Press:
    """What a button asks for."""

    action: Action
    target: int  # alert id, or mute id for LIFT
    index: int = 0  # which pair of the alert (MUTE); 0 otherwise


class CallbackDataError(ValueError):
    """Callback data that is not one of ours: damaged, from an old format, or made up."""


class ForgedCallbackError(CallbackDataError):
    """Well-formed callback data whose signature does not match: made up or from another chat."""


def new_key() -> str:
    """A fresh random signing key, hex (what the store keeps)."""
    return secrets.token_hex(KEY_BYTES)


class CallbackCodec:
    """Encodes presses into signed callback data and checks it on the way back."""

    def __init__(self, key: str) -> None:
        self._key = bytes.fromhex(key)

    def _sign(self, chat_id: int, payload: str) -> str:
        digest = hmac.new(self._key, f"{chat_id}|{payload}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:SIGNATURE_BYTES]).decode("ascii")

    def encode(self, press: Press, chat_id: int) -> str:
        """The callback data of a button for `press` in chat `chat_id`."""
        payload = f"{press.action.value}:{press.target}:{press.index}"
        return f"{payload}:{self._sign(chat_id, payload)}"

    def decode(self, data: str | None, chat_id: int) -> Press:
        """The press behind callback data from chat `chat_id`; raises CallbackDataError."""
        match = _DATA.fullmatch(data or "")
        if match is None:
            raise CallbackDataError("callback data is not in our format")
        action, target, index, signature = match.groups()
        if action not in Action._value2member_map_:
            raise CallbackDataError(f"unknown button action {action!r}")
        payload = f"{action}:{target}:{index}"
        if not hmac.compare_digest(signature, self._sign(chat_id, payload)):
            raise ForgedCallbackError("callback data signature does not match")
        return Press(Action(action), int(target), int(index))
