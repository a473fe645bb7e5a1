"""Settings: defaults, parsing, and one clear line naming a bad setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_API_URL, load_settings
from bot.errors import ConfigError


def test_no_settings_gives_console_defaults():
    """Nothing configured: console mode, bundled feeds, a file under data/."""
    settings = load_settings({})
    assert not settings.has_telegram
    assert settings.telegram_api_url == DEFAULT_API_URL
    assert settings.database_path == Path("data/ceasefire-alerts.db")
    assert settings.poll_interval == 300
    assert not settings.feed_allow_private


def test_values_are_parsed():
    """Numbers, booleans and id lists are read from their strings."""
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": "123:abc",
            "POLL_INTERVAL": "60",
            "ADMIN_USER_IDS": "1, 2,3",
            "FEED_ALLOW_PRIVATE": "yes",
            "LOG_LEVEL": "debug",
            "TELEGRAM_API_URL": "http://127.0.0.1:9/bot/",
        }
    )
    assert settings.has_telegram
    assert settings.poll_interval == 60
    assert settings.admin_user_ids == frozenset({1, 2, 3})
    assert settings.feed_allow_private
    assert settings.log_level == "DEBUG"
    assert settings.telegram_api_url == "http://127.0.0.1:9/bot"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("POLL_INTERVAL", "abc"),
        ("POLL_INTERVAL", "0"),
        ("ADMIN_USER_IDS", "alice"),
        ("FEED_ALLOW_PRIVATE", "maybe"),
        ("LOG_LEVEL", "LOUD"),
        ("RETENTION_DAYS", "1.5"),
        ("OUTBOX_RETENTION_DAYS", "0"),
        ("TELEGRAM_API_URL", "ftp://x"),
        ("TELEGRAM_BOT_TOKEN", "nocolon"),
    ],
)
def test_bad_value_names_the_setting(name, value):
    """A wrong value raises ConfigError whose message names the setting."""
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})


def test_token_is_not_in_repr():
    """The token never shows up when settings are logged or printed."""
    settings = load_settings({"TELEGRAM_BOT_TOKEN": "123:SECRET"})
    assert "SECRET" not in repr(settings)
