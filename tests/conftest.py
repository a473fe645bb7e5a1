"""Shared fixtures. Servers live in tests/fakes/ and are registered here as plugins."""

import pytest

from bot.config import Settings

E2E_TOKEN = "424242:E2E-secret-token"  # noqa: S105 - a made-up token for the fake API

# Each fake, the real PostgreSQL server and the two-backend store register their fixtures from
# their own modules.
pytest_plugins: list[str] = [
    "tests.fakes.telegram_api",
    "tests.fakes.feed_server",
    "tests.postgres",
    "tests.fakes.webhook_receiver",
    "tests.stores",
]


@pytest.fixture
def db_path(tmp_path):
    """A real SQLite file for one test."""
    return tmp_path / "alerts.db"


@pytest.fixture
def settings(telegram_api, feed_server, tmp_path):
    """A bot on the fake Bot API watching one (empty for now) loopback feed, never the defaults."""
    feed_url = feed_server.publish_rss("/mt.xml", [], title="The Moscow Times")
    feeds_file = tmp_path / "feeds.txt"
    feeds_file.write_text(f"{feed_url}\n", encoding="utf-8")
    return Settings(
        telegram_bot_token=E2E_TOKEN,
        telegram_api_url=telegram_api.base_url,
        database_path=tmp_path / "alerts.db",
        feeds_file=feeds_file,
        poll_interval=1.0,
        feed_allow_private=True,
        first_poll_max_age_hours=0,  # the story is from 2021
        fetch_timeout=5.0,
    )
