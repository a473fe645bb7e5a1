"""The store under test on both backends: fixtures `store_target` and `store`.

`store` is parametrised: each test that uses it runs on a SQLite file and then on a fresh
PostgreSQL database (tests/postgres.py), because both backends promise the same behaviour.
`store_target` is where that store lives, for a test that opens it again (a restart).
`eventually(check)` waits for a state that nothing signals (a row written by another task).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.store import PostgresStore, SqliteStore, Store

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store_target(request: pytest.FixtureRequest, db_path: Path) -> Path | str:
    """A SQLite file, or the URL of a new empty PostgreSQL database."""
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    return db_path


async def open_store_at(target: Path | str) -> Store:
    """Open the store of a `store_target` (again, to see what a restart sees)."""
    if isinstance(target, Path):
        return await SqliteStore.open(target)
    return await PostgresStore.open(target)


@pytest.fixture
async def store(store_target: Path | str) -> AsyncIterator[Store]:
    """The store under test, opened and closed around the test."""
    store = await open_store_at(store_target)
    yield store
    await store.close()


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 10.0) -> None:
    """Wait until the async `check()` is true; fail after `within` seconds."""
    async with asyncio.timeout(within):
        while True:
            if await check():
                return
            await asyncio.sleep(0.02)  # a database row has no event to wait on
