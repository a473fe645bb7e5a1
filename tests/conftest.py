"""Shared fixtures. Servers live in tests/fakes/ and are registered here as plugins."""

import pytest

# Each fake registers its fixtures from its own module.
pytest_plugins: list[str] = ["tests.fakes.telegram_api", "tests.fakes.feed_server"]


@pytest.fixture
def db_path(tmp_path):
    """A real SQLite file for one test."""
    return tmp_path / "alerts.db"
