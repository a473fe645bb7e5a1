"""Inline-button callback data: compact, signed per chat, strictly parsed."""

import pytest

from bot.frontend.callback_data import (
    MAX_CALLBACK_DATA,
    Action,
    CallbackCodec,
    CallbackDataError,
    ForgedCallbackError,
    Press,
    new_key,
)

CHAT = -1001234567890
CODEC = CallbackCodec("ab" * 32)


@pytest.mark.parametrize("action", list(Action))
def test_every_press_round_trips_within_telegrams_limit(action):
    """The largest ids still fit in 64 bytes and come back as the same press."""
    press = Press(action, 999_999_999_999_999, 99)
    data = CODEC.encode(press, CHAT)
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    assert CODEC.decode(data, CHAT) == press


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "mute",
        "m:12:0",  # no signature
        "m:12:0:short",
        "x:12:0:AAAAAAAAAAAA",  # unknown action
        "m:-12:0:AAAAAAAAAAAA",
        "m:12:0:AAAAAAAAAAAA:extra",
        "m:1234567890123456:0:AAAAAAAAAAAA",  # id longer than any we make
        "m:12:0:AAAA AAAAAAA",
        "m:１２:0:AAAAAAAAAAAA",  # full-width digits
        "m:12:0:AAAAAAAAAAAA\n",
    ],
)
def test_malformed_data_is_refused(data):
    """Anything not exactly in our format is malformed, before any signature is checked."""
    with pytest.raises(CallbackDataError) as raised:
        CODEC.decode(data, CHAT)
    assert not isinstance(raised.value, ForgedCallbackError)


def test_tampered_data_is_reported_as_forged():
    """Changing the id, the action or the chat breaks the signature."""
    data = CODEC.encode(Press(Action.LIFT, 17), CHAT)
    action, target, index, signature = data.split(":")
    for forged in (
        f"{action}:18:{index}:{signature}",
        f"m:{target}:{index}:{signature}",
        f"{action}:{target}:1:{signature}",
    ):
        with pytest.raises(ForgedCallbackError):
            CODEC.decode(forged, CHAT)
    with pytest.raises(ForgedCallbackError):
        CODEC.decode(data, CHAT + 1)  # the same button pressed in another chat


def test_another_key_does_not_verify():
    """Data signed with another database's key is forged here; fresh keys differ."""
    other = CallbackCodec(new_key())
    with pytest.raises(ForgedCallbackError):
        CODEC.decode(other.encode(Press(Action.WHY, 5), CHAT), CHAT)
    assert new_key() != new_key()
