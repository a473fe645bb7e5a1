"""Persistence, and nothing else: every SQL statement of the application lives in this package.

`Store` (base.py) is the contract; `SqliteStore` (the embedded default, one file) and
`PostgresStore` (a server several processes share) implement it. Callers decide what to write
(routing included) and hand the store whole rows; the store writes them in one transaction.
"""

from bot.config import Settings
from bot.store.base import Store
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore

__all__ = ["PostgresStore", "SqliteStore", "Store", "connect"]


async def connect(settings: Settings) -> Store:
    """Open the database the settings name (DATABASE_URL, else the SQLite file), up to date."""
    if settings.database_url:
        return await PostgresStore.open(settings.database_url)
    return await SqliteStore.open(settings.database_path)
