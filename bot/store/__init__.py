"""Persistence, and nothing else: every SQL statement of the application lives in this package.

`Store` (base.py) is the contract; `SqliteStore` (the embedded default, one file) implements it.
Callers decide what to write (routing included) and hand the store whole rows; the store writes
them in one transaction.
"""

from bot.config import Settings
from bot.store.base import Store
from bot.store.sqlite import SqliteStore

__all__ = ["SqliteStore", "Store", "connect"]


async def connect(settings: Settings) -> Store:
    """Open the database the settings name, schema brought up to date."""
    return await SqliteStore.open(settings.database_path)
