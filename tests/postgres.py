"""A real PostgreSQL server for tests: fixtures `postgres_server` and `postgres_url`.

`postgres_server` (session) is the URL of a server whose role may CREATE DATABASE: the
`TEST_DATABASE_URL` environment variable if set (.ci/run sets it); else a private server that
scripts/postgres-server.sh starts for the session in a scratch directory, when the server binaries
are installed (Debian: `apt-get install postgresql`); else the tests that need it are skipped, or
fail when CI=true, because a database suite skipped in CI would pass for a tested one.

`postgres_url` (function) is the URL of a new, empty database of the test's own (from template0),
dropped after the test even if connections are still open. Typical use::

    async def test_something(postgres_url):
        conn = await asyncpg.connect(postgres_url)

`fresh_database(server_url)` does the same as an async context manager, for a test that needs two.
Tests that use either fixture get the `postgres` marker (`pytest -m "not postgres"` leaves them
out). URLs are `DatabaseURL` strings, whose repr in pytest's reports hides the password.
Imports only the standard library, pytest and asyncpg.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import asyncpg
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "postgres-server.sh"
UNAVAILABLE = (
    "PostgreSQL tests need a server: install the postgresql package or set TEST_DATABASE_URL"
)


class DatabaseURL(str):
    """A database URL that shows itself without its password (pytest prints fixture values)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(redact(self))


def redact(url: str) -> str:
    """The URL with any password, in the user part or the query, replaced by ***."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:***@{hostport}"
    query = parts.query
    if "password" in (params := dict(parse_qsl(query, keep_blank_values=True))):
        query = urlencode({**params, "password": "***"}, safe="*/")
    return parts._replace(netloc=netloc, query=query).geturl()


def is_ci(environ: Mapping[str, str]) -> bool:
    """Whether we run in CI, where a missing server fails instead of skipping."""
    return environ.get("CI", "").lower() in {"1", "true", "yes"}


def has_server_binaries() -> bool:
    """Whether scripts/postgres-server.sh finds the server binaries."""
    found = subprocess.run([SCRIPT, "bindir"], capture_output=True, check=False)  # noqa: S603
    return found.returncode == 0


def _script(*args: str) -> str:
    """Run scripts/postgres-server.sh and return its output; its stderr explains a failure."""
    result = subprocess.run(  # noqa: S603 - our own script
        [SCRIPT, *args], capture_output=True, text=True, timeout=300, check=False
    )
    if result.returncode:
        raise RuntimeError(f"{SCRIPT.name} {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout.strip()


@contextlib.contextmanager
def private_server() -> Iterator[DatabaseURL]:
    """A server of our own for the with-block, in a scratch directory deleted afterwards."""
    directory = _script("mktemp")
    try:
        yield DatabaseURL(_script("start", directory))
    finally:
        _script("stop", directory)
        shutil.rmtree(directory)


@contextlib.contextmanager
def server(environ: Mapping[str, str]) -> Iterator[DatabaseURL]:
    """TEST_DATABASE_URL, else a private server, else skip (fail under CI) with UNAVAILABLE."""
    if url := environ.get("TEST_DATABASE_URL"):
        yield DatabaseURL(url)
    elif has_server_binaries():
        with private_server() as url:
            yield url
    elif is_ci(environ):
        pytest.fail(UNAVAILABLE)
    else:
        pytest.skip(UNAVAILABLE)


def database_url(server_url: str, name: str) -> DatabaseURL:
    """The server URL pointing at database `name` instead."""
    return DatabaseURL(urlsplit(server_url)._replace(path=f"/{name}").geturl())


async def _execute(server_url: str, sql: str) -> None:
    """Run one statement on the server's own database, on a connection of its own."""
    try:
        conn = await asyncpg.connect(server_url)
    except (OSError, asyncpg.PostgresError) as exc:
        # `from None`: asyncpg's frames would show the password among their arguments.
        message = f"cannot connect to {redact(server_url)}: {type(exc).__name__}: {exc}"
        raise RuntimeError(message) from None
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def fresh_database(server_url: str) -> AsyncIterator[DatabaseURL]:
    """A new empty database for the with-block, dropped after it even with connections open."""
    name = f"test_{uuid.uuid4().hex}"
    await _execute(server_url, f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield database_url(server_url, name)
    finally:
        await _execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[DatabaseURL]:
    """The URL of a PostgreSQL server for the whole session (see the module docstring)."""
    with server(os.environ) as url:
        yield url


@pytest.fixture
async def postgres_url(postgres_server: DatabaseURL) -> AsyncIterator[DatabaseURL]:
    """The URL of a new, empty database for this test only."""
    async with fresh_database(postgres_server) as url:
        yield url


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs a PostgreSQL server (tests/postgres.py)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "postgres_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
