"""Settings: defaults, parsing, and one clear line naming a bad setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import DEFAULT_API_URL, database_place, load_settings, redacted
from bot.errors import ConfigError


def test_no_settings_gives_console_defaults():
    """Nothing configured: console mode, bundled feeds, a file under data/."""
    settings = load_settings({})
    assert not settings.has_telegram
    assert settings.telegram_api_url == DEFAULT_API_URL
    assert settings.database_path == Path("data/ceasefire-alerts.db")
    assert settings.poll_interval == 300
    assert not settings.feed_allow_private
    assert settings.burst_delay == 60
    assert settings.feed_alert_hours == 6
    assert settings.poll_processes == 1


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
            "BURST_DELAY": "90",
            "FEED_ALERT_HOURS": "0",
            "POLL_PROCESSES": "0",
        }
    )
    assert settings.has_telegram
    assert settings.poll_interval == 60
    assert settings.admin_user_ids == frozenset({1, 2, 3})
    assert settings.feed_allow_private
    assert settings.log_level == "DEBUG"
    assert settings.telegram_api_url == "http://127.0.0.1:9/bot"
    assert settings.burst_delay == 90
    assert settings.feed_alert_hours == 0  # operator notices off
    assert settings.poll_processes == 0


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
        ("POLL_PROCESSES", "-1"),
        ("POLL_PROCESSES", "two"),
        ("TELEGRAM_API_URL", "ftp://x"),
        ("TELEGRAM_BOT_TOKEN", "nocolon"),
        ("DATABASE_URL", "mysql://bot:pw@db/alerts"),
        ("DATABASE_URL", "postgresql://bot:pw@db:port/alerts"),
        ("BURST_DELAY", "0"),
        ("BURST_DELAY", "a minute"),
        ("FEED_ALERT_HOURS", "-1"),
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


def test_outlet_settings_are_parsed():
    """Alerts feed, webhooks and Telegram webhook mode are read from their strings."""
    settings = load_settings(
        {
            "ALERTS_FEED_PORT": "8081",
            "ALERTS_FEED_HOST": "192.0.2.10",
            "WEBHOOK_URLS": "https://a.example/hook, http://127.0.0.1:9000/x,https://a.example/hook",
            "WEBHOOK_SECRET": "s3cret",
            "WEBHOOK_TIMEOUT": "2.5",
            "WEBHOOK_PAUSE_HOURS": "1",
            "TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram",
            "TELEGRAM_WEBHOOK_SECRET": "abc_DEF-123",
            "TELEGRAM_WEBHOOK_PORT": "8443",
        }
    )
    assert settings.alerts_feed_port == 8081
    assert settings.alerts_feed_host == "192.0.2.10"
    assert settings.webhook_urls == ("https://a.example/hook", "http://127.0.0.1:9000/x")
    assert settings.webhook_timeout == 2.5
    assert settings.webhook_pause_hours == 1
    assert settings.telegram_webhook_url == "https://bot.example/telegram"
    assert settings.telegram_webhook_listen == "127.0.0.1"
    assert "s3cret" not in repr(settings)
    assert "abc_DEF-123" not in repr(settings)


def test_outlets_are_off_by_default():
    """No feed server, no webhooks, long polling: nothing listens unless asked."""
    settings = load_settings({})
    assert settings.alerts_feed_port is None
    assert settings.alerts_feed_host == "127.0.0.1"
    assert settings.webhook_urls == ()
    assert settings.telegram_webhook_url is None


@pytest.mark.parametrize(
    ("environ", "name"),
    [
        ({"ALERTS_FEED_PORT": "70000"}, "ALERTS_FEED_PORT"),
        ({"ALERTS_FEED_PORT": "http"}, "ALERTS_FEED_PORT"),
        ({"WEBHOOK_URLS": "ftp://x.example/hook", "WEBHOOK_SECRET": "s"}, "WEBHOOK_URLS"),
        ({"WEBHOOK_URLS": "hooks.example/in", "WEBHOOK_SECRET": "s"}, "WEBHOOK_URLS"),
        ({"WEBHOOK_URLS": "https://x.example/hook"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_TIMEOUT": "0"}, "WEBHOOK_TIMEOUT"),
        ({"WEBHOOK_PAUSE_HOURS": "-1"}, "WEBHOOK_PAUSE_HOURS"),
        ({"TELEGRAM_WEBHOOK_URL": "bot.example/hook"}, "TELEGRAM_WEBHOOK_URL"),
        ({"TELEGRAM_WEBHOOK_SECRET": "has space"}, "TELEGRAM_WEBHOOK_SECRET"),
        ({"TELEGRAM_WEBHOOK_PORT": "99999"}, "TELEGRAM_WEBHOOK_PORT"),
    ],
)
def test_bad_outlet_value_names_the_setting(environ, name):
    """A wrong outlet setting raises ConfigError naming it."""
    with pytest.raises(ConfigError, match=name):
        load_settings(environ)


def test_database_url_selects_postgresql_and_hides_its_password():
    """DATABASE_URL is kept as given; repr, label and bad-URL errors never show the password."""
    url = "postgresql://bot:pa55@db.example:5432/alerts"
    settings = load_settings({"DATABASE_URL": url})
    assert settings.database_url == url
    assert "pa55" not in repr(settings)
    assert settings.database_label == "postgresql://bot:***@db.example:5432/alerts"
    assert load_settings({}).database_url is None
    assert load_settings({}).database_label == "data/ceasefire-alerts.db"
    for bad in (
        "mysql://bot:pa55@db/alerts",
        "bot:pa55@db/alerts",
        "postgresql://bot:pa55@db:x/a",
    ):
        with pytest.raises(ConfigError) as raised:
            load_settings({"DATABASE_URL": bad})
        assert "pa55" not in str(raised.value)


@pytest.mark.parametrize(
    ("url", "shown", "place"),
    [
        (
            "postgresql://bot:pa55@db.example:6432/alerts",
            "postgresql://bot:***@db.example:6432/alerts",
            'db.example:6432, database "alerts"',
        ),
        (
            "postgres://bot@10.1.2.3/alerts?password=pa55&sslmode=require",
            "postgres://bot@10.1.2.3/alerts?password=***&sslmode=require",
            '10.1.2.3:5432, database "alerts"',
        ),
        ("postgresql://bot:p%40ss@db/", "postgresql://bot:***@db/", 'db:5432, database "bot"'),
        (
            "postgresql:///alerts?host=/run/postgresql",
            "postgresql:///alerts?host=/run/postgresql",
            '/run/postgresql:5432, database "alerts"',
        ),
    ],
)
def test_database_url_redacted_and_place(url, shown, place):
    """Logs show the URL with *** for its password; error lines name host, port and database."""
    assert redacted(url) == shown
    assert database_place(url) == place


def test_scale_out_settings_default_and_follow_the_fetch_timeout():
    """FEED_LEASE defaults to 2 minutes, or 3 × FETCH_TIMEOUT if that is longer."""
    assert load_settings({}).feed_lease == 120
    assert load_settings({}).election_interval == 5
    assert load_settings({"FETCH_TIMEOUT": "60"}).feed_lease == 180
    chosen = load_settings({"FETCH_TIMEOUT": "2", "FEED_LEASE": "6", "ELECTION_INTERVAL": "1"})
    assert (chosen.feed_lease, chosen.election_interval) == (6, 1)


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"FETCH_TIMEOUT": "20", "FEED_LEASE": "30"}, "FEED_LEASE must be at least 3 × FETCH"),
        ({"FEED_LEASE": "soon"}, "FEED_LEASE must be a number"),
        ({"ELECTION_INTERVAL": "10"}, "ELECTION_INTERVAL must be at most 6 seconds"),
        ({"ELECTION_INTERVAL": "0.1"}, "ELECTION_INTERVAL must be at least 0.5"),
    ],
)
def test_bad_scale_out_settings_say_why(environ, says):
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_settings(environ)
