"""The PostgreSQL test server (tests/postgres.py): a real database per test, no password shown."""

from __future__ import annotations

import socket

import asyncpg
import pytest

from tests import postgres
from tests.postgres import UNAVAILABLE, DatabaseURL, fresh_database, redact

SECRET = "s3cret-pw"  # noqa: S105 - made up, to check it never shows


async def test_a_table_round_trips(postgres_url):
    """A test's database takes a table, an insert and a read, over asyncpg."""
    conn = await asyncpg.connect(postgres_url)
    try:
        await conn.execute("CREATE TABLE alerts (id bigint PRIMARY KEY, title text NOT NULL)")
        await conn.execute("INSERT INTO alerts VALUES ($1, $2)", 1, "Перемирие нарушено")
        rows = await conn.fetch("SELECT id, title FROM alerts")
    finally:
        await conn.close()
    assert [tuple(row) for row in rows] == [(1, "Перемирие нарушено")]


async def test_the_database_starts_empty(postgres_url):
    """A test's database has no tables of its own."""
    conn = await asyncpg.connect(postgres_url)
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
        )
    finally:
        await conn.close()
    assert count == 0


async def test_databases_are_isolated_and_dropped_with_connections_open(postgres_server):
    """Two fresh databases do not see each other's tables; each is gone after its block."""
    async with fresh_database(postgres_server) as first, fresh_database(postgres_server) as second:
        assert first != second
        left_open = await asyncpg.connect(first)  # the drop must not wait for it
        await left_open.execute("CREATE TABLE only_here (x int)")
        other = await asyncpg.connect(second)
        try:
            assert await other.fetchval("SELECT to_regclass('only_here')") is None
        finally:
            await other.close()
    left_open.terminate()
    server = await asyncpg.connect(postgres_server)
    try:
        names = [first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]]
        found = await server.fetch("SELECT 1 FROM pg_database WHERE datname = any($1)", names)
    finally:
        await server.close()
    assert found == []


def test_tests_using_the_server_are_marked(request, postgres_server):
    """`-m "not postgres"` leaves out every test that needs the server."""
    assert request.node.get_closest_marker("postgres") is not None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"postgresql://ci:{SECRET}@db:5432/app", "postgresql://ci:***@db:5432/app"),
        (
            f"postgresql://db/app?user=ci&password={SECRET}",
            "postgresql://db/app?user=ci&password=***",
        ),
        ("postgresql://ci@127.0.0.1:5432/app", "postgresql://ci@127.0.0.1:5432/app"),
    ],
)
def test_urls_show_without_password(url, shown):
    """Redaction hides the password wherever the URL carries it, and changes nothing else."""
    assert redact(url) == shown
    assert repr(DatabaseURL(url)) == repr(shown)
    assert DatabaseURL(url) == url


@pytest.mark.parametrize(
    ("environ", "outcome"), [({}, pytest.skip), ({"CI": "true"}, pytest.fail)], ids=["local", "ci"]
)
def test_no_server_skips_but_fails_in_ci(monkeypatch, environ, outcome):
    """Without binaries or TEST_DATABASE_URL the tests skip, except in CI; no URL in the reason."""
    monkeypatch.setattr(postgres, "has_server_binaries", lambda: False)
    with pytest.raises(outcome.Exception) as raised, postgres.server(environ):
        pass
    assert str(raised.value) == UNAVAILABLE


def test_given_url_is_used_and_shown_without_password():
    """TEST_DATABASE_URL wins over a private server, and pytest's reports hide its password."""
    url = f"postgresql://ci:{SECRET}@db.example:5432/app"
    with postgres.server({"TEST_DATABASE_URL": url, "CI": "true"}) as given:
        assert given == url
        assert SECRET not in repr(given)


async def test_unreachable_server_is_reported_without_password():
    """A server that refuses connections fails the test with its URL, password hidden."""
    with socket.socket() as closed:  # bound, not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        url = DatabaseURL(f"postgresql://ci:{SECRET}@127.0.0.1:{port}/app")  # as fixtures pass it
        with pytest.raises(RuntimeError) as raised:
            async with fresh_database(url):
                pass
    assert f"postgresql://ci:***@127.0.0.1:{port}/app" in str(raised.value)
    assert SECRET not in str(raised.getrepr(style="long", showlocals=True))
