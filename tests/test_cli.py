"""The command line as a user runs it: real subprocesses for exit codes, in-process for speed."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.cli import main
from bot.config import redacted
from bot.model import utc_now
from bot.store import PostgresStore
from tests.fakes.feed_server import FAULTS

SEED_TITLE = "Russia Blames Azerbaijan for Breach of Karabakh Truce in Post-Ceasefire First"


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None, cwd=None):
    """Run `python -m bot …` as a user would, with a clean environment."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FEED", "DATABASE_"))
    }
    environ.update(env or {})
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=environ,
        timeout=60,
        cwd=cwd,
        check=False,
    )


def test_demo_prints_seed_alert_and_exits_zero(tmp_path):
    """`demo` runs offline, prints the Moscow Times alert naming Russia → Azerbaijan."""
    result = run_cli("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert SEED_TITLE in result.stdout
    assert "Russia → Azerbaijan" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value"), [("POLL_INTERVAL", "abc"), ("FEED_ALLOW_PRIVATE", "perhaps")]
)
def test_bad_setting_gives_one_clear_line(tmp_path, name, value):
    """A wrong setting stops start-up with one line naming it, and no traceback."""
    result = run_cli("run", env={name: value}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert name in lines[0]


def test_classify_keeps_order_and_reports_bad_lines(tmp_path, capsys, monkeypatch):
    """One output line per input line, in order; a malformed line gets an error object."""
    data = tmp_path / "in.jsonl"
    data.write_text(
        json.dumps({"id": "a", "title": SEED_TITLE, "summary": ""})
        + "\n{not json\n"
        + json.dumps({"id": "b", "title": "Trade war truce lifts stocks", "summary": ""})
        + "\n",
        encoding="utf-8",
    )
    assert main(["classify", str(data)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, "b"]
    assert out[0]["level"] == "blame"
    assert out[0]["pairs"] == [{"accuser": "Russia", "accused": "Azerbaijan"}]
    assert out[1] == {"line": 2, "error": out[1]["error"]}
    assert out[2]["level"] == "none"


def test_classify_missing_file_fails(tmp_path, capsys):
    """An unreadable input file is the one case with a non-zero exit."""
    assert main(["classify", str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_feeds_add_refuses_non_feed_and_adds_real_feed(tmp_path, feed_server, capsys):
    """`feeds add` checks the URL: an HTML page is refused, a real feed is added."""
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"DATABASE_PATH={tmp_path / 'db.sqlite'}\nFEED_ALLOW_PRIVATE=true\nFETCH_TIMEOUT=2\n"
    )
    base = ["--env-file", str(env_file), "feeds"]
    assert main([*base, "add", feed_server.url(FAULTS["html"])]) == 2
    assert "not a feed" in capsys.readouterr().err
    assert main([*base, "add", feed_server.url("/nowhere.xml")]) == 2
    assert "404" in capsys.readouterr().err
    url = feed_server.publish_rss("/ok.xml", ["Truce holds"], title="Good feed")
    assert main([*base, "add", url]) == 0
    assert "Good feed" in capsys.readouterr().out
    assert main([*base, "list"]) == 0
    listing = capsys.readouterr().out
    assert url in listing
    assert FAULTS["html"] not in listing
    assert main([*base, "export"]) == 0
    assert url in capsys.readouterr().out
    assert main([*base, "remove", url]) == 0


def test_second_run_on_same_database_is_refused(tmp_path):
    """Two pollers on one database would alert twice: the second refuses to start."""
    from bot.runlock import RunLock

    db = tmp_path / "db.sqlite"
    with RunLock(db):
        result = run_cli("poll", "--once", env={"DATABASE_PATH": str(db)}, cwd=tmp_path)
    assert result.returncode == 2
    assert "already running" in result.stderr
    assert "Traceback" not in result.stderr


def test_python_dash_m_bot_shows_help():
    """`python -m bot` is an alias of the console script."""
    result = run_cli("--help")
    assert result.returncode == 0
    assert "demo" in result.stdout


def test_package_data_is_inside_the_package():
    """The product ships its data: nothing at run time reads ../shared."""
    import feeds

    data = Path(feeds.__file__).parent / "data"
    assert (data / "default_feeds.opml").is_file()
    assert any((data / "demo").iterdir())


def test_status_and_chart_read_the_database(tmp_path, feed_server, capsys):
    """`status` reports feeds and counts after a poll; `chart` writes a PNG."""
    env_file = tmp_path / ".env"
    url = feed_server.publish_rss("/mt.xml", [SEED_TITLE], title="The Moscow Times")
    (tmp_path / "feeds.txt").write_text(url + "\n")
    env_file.write_text(
        f"DATABASE_PATH={tmp_path / 'db.sqlite'}\nFEED_ALLOW_PRIVATE=true\n"
        f"FEEDS_FILE={tmp_path / 'feeds.txt'}\nFIRST_POLL_MAX_AGE_HOURS=0\n"
    )
    base = ["--env-file", str(env_file)]
    assert main([*base, "poll", "--once"]) == 0
    assert SEED_TITLE in capsys.readouterr().out
    assert main([*base, "status"]) == 0
    status = capsys.readouterr().out
    assert f"{url} [ok]" in status
    assert "alerts: 1 (1 today)" in status
    out = tmp_path / "chart.png"
    assert main([*base, "chart", "--days", "7", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_poll_once_queues_webhooks_for_the_service(tmp_path, feed_server, capsys):
    """`poll --once` with WEBHOOK_URLS stores the posts; `status` shows them waiting for `run`."""
    env_file = tmp_path / ".env"
    url = feed_server.publish_rss("/mt.xml", [SEED_TITLE], title="The Moscow Times")
    (tmp_path / "feeds.txt").write_text(url + "\n")
    env_file.write_text(
        f"DATABASE_PATH={tmp_path / 'db.sqlite'}\nFEED_ALLOW_PRIVATE=true\n"
        f"FEEDS_FILE={tmp_path / 'feeds.txt'}\nFIRST_POLL_MAX_AGE_HOURS=0\n"
        "WEBHOOK_URLS=https://hooks.example/in\nWEBHOOK_SECRET=test-secret\n"
    )
    base = ["--env-file", str(env_file)]
    assert main([*base, "poll", "--once"]) == 0
    assert main([*base, "status"]) == 0
    assert "webhook backlog: 1" in capsys.readouterr().out


# -- DATABASE_URL: one clear line, exit code 2, never the password -------------------------------

SECRET = "hunter2-db"  # noqa: S105 - made up, to check it never shows


def refused_port() -> socket.socket:
    """A loopback port that refuses connections (bound, not listening); close it after use."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}:{password}@{parts.hostname}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def env_file_with(tmp_path, database_url: str) -> str:
    env_file = tmp_path / ".env"
    env_file.write_text(f"DATABASE_URL={database_url}\nDATABASE_PATH={tmp_path / 'db.sqlite'}\n")
    return str(env_file)


def assert_one_line(err: str, *expected: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for text in expected:
        assert text in lines[0]
    assert SECRET not in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [["run"], ["poll", "--once"], ["status"], ["feeds", "list"]])
def test_refused_database_port_is_one_line_and_exit_2(tmp_path, capsys, command):
    """Nothing listens at DATABASE_URL: every command says where it tried, and exits 2."""
    with refused_port() as sock:
        port = sock.getsockname()[1]
        url = f"postgresql://bot:{SECRET}@127.0.0.1:{port}/alerts"
        assert main(["--env-file", env_file_with(tmp_path, url), *command]) == 2
    assert_one_line(capsys.readouterr().err, f'127.0.0.1:{port}, database "alerts"', "refused")
    assert not (tmp_path / "db.sqlite").exists()  # no silent fallback to SQLite


def test_wrong_database_password_is_one_line_and_exit_2(tmp_path, capsys, postgres_url):
    """The real server refuses a wrong password: the line names host, port and database."""
    parts = urlsplit(postgres_url)
    url = with_password(postgres_url, SECRET)
    assert main(["--env-file", env_file_with(tmp_path, url), "run"]) == 2
    where = f'{parts.hostname}:{parts.port}, database "{parts.path[1:]}"'
    assert_one_line(capsys.readouterr().err, where, "password authentication failed")


def test_missing_database_is_one_line_and_exit_2(tmp_path, capsys, postgres_url):
    """A database that does not exist on the server is named in the line."""
    url = urlunsplit(urlsplit(postgres_url)._replace(path="/no_such_db"))
    assert main(["--env-file", env_file_with(tmp_path, url), "status"]) == 2
    assert_one_line(capsys.readouterr().err, 'database "no_such_db"', "does not exist")


def test_not_a_postgresql_url_is_one_line_and_exit_2(tmp_path, capsys):
    """DATABASE_URL of another kind is a setting error, before anything is opened."""
    url = f"mysql://bot:{SECRET}@127.0.0.1/alerts"
    assert main(["--env-file", env_file_with(tmp_path, url), "run"]) == 2
    assert_one_line(capsys.readouterr().err, "DATABASE_URL", "postgresql://")


def test_run_process_with_unreachable_database_prints_one_line(tmp_path):
    """The real `run` process: one stderr line (logging included), exit code 2."""
    with refused_port() as sock:
        port = sock.getsockname()[1]
        url = f"postgresql://bot:{SECRET}@127.0.0.1:{port}/alerts"
        result = run_cli("run", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 2
    assert_one_line(result.stderr, f'127.0.0.1:{port}, database "alerts"')


async def record_worker(url: str, name: str, *, is_sender: bool) -> None:
    """A heartbeat, as a running worker writes it."""
    store = await PostgresStore.open(url)
    try:
        await store.record_worker(name, now=utc_now(), is_sender=is_sender)
    finally:
        await store.close()


def test_status_and_feeds_on_postgresql(tmp_path, capsys, feed_server, postgres_url):
    """With DATABASE_URL the commands use PostgreSQL; `status` shows the URL without password."""
    env_file = env_file_with(tmp_path, postgres_url)
    url = feed_server.publish_rss("/pg.xml", [SEED_TITLE], title="On PostgreSQL")
    (tmp_path / ".env").write_text(
        (tmp_path / ".env").read_text() + "FEED_ALLOW_PRIVATE=true\nFIRST_POLL_MAX_AGE_HOURS=0\n"
    )
    assert main(["--env-file", env_file, "feeds", "add", url]) == 0
    assert main(["--env-file", env_file, "poll", "--once"]) == 0
    assert SEED_TITLE in capsys.readouterr().out
    asyncio.run(record_worker(postgres_url, "alerts-1:4242:9f2c", is_sender=True))
    assert main(["--env-file", env_file, "status"]) == 0
    status = capsys.readouterr().out
    assert "alerts: 1 (1 today)" in status
    assert f"database: {redacted(postgres_url)}" in status
    assert "worker alerts-1:4242:9f2c: sender, last heartbeat 20" in status
    assert not (tmp_path / "db.sqlite").exists()


async def test_telegram_run_with_unreachable_database_prints_one_line(tmp_path, telegram_api):
    """`run` with a token fails on the database with one line, before it says anything to
    Telegram: on PostgreSQL only the elected sender talks to Telegram."""
    with refused_port() as sock:
        port = sock.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FEED"))}
        env |= {
            "TELEGRAM_BOT_TOKEN": "123:TOKEN",
            "TELEGRAM_API_URL": telegram_api.base_url,
            "DATABASE_URL": f"postgresql://bot:{SECRET}@127.0.0.1:{port}/alerts",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert_one_line(err.decode(), f'127.0.0.1:{port}, database "alerts"')
    assert telegram_api.calls == []


def seed_alerts(db: Path) -> None:
    """Three alerts: two accusations this week (one two months old), one truce report."""
    import asyncio
    from datetime import UTC, datetime, timedelta

    from bot.model import NewStory
    from bot.store import SqliteStore
    from feeds.model import Detection, Item, Level, Pair

    now = datetime.now(UTC).replace(microsecond=0)

    def story(key: str, title: str, level: Level, pairs: tuple[Pair, ...]) -> NewStory:
        item = Item(
            key=key,
            feed_url="https://wire.example.org/rss",
            title=title,
            summary="",
            link=f"https://wire.example.org/{key}",
            published=now,
            source_title="Example Wire",
        )
        return NewStory(item, Detection(level, pairs=pairs, actors=()))

    async def seed() -> None:
        store = await SqliteStore.open(db)
        blame = (Pair("Россия", "Азербайджан"),)
        feed = "https://wire.example.org/rss"
        recent = story("a", "Moscow accuses Baku of a new breach", Level.BLAME, blame)
        old = story("b", "An older accusation", Level.BLAME, blame)
        truce = story("c", "Truce talks resume in Doha", Level.CEASEFIRE, ())
        await store.ingest(feed, [old], now=now - timedelta(days=60))
        await store.ingest(feed, [recent, truce], now=now)
        await store.close()

    asyncio.run(seed())


def test_export_csv_and_jsonl(tmp_path, capsys):
    """`export` writes the window's alerts: CSV to a file (with BOM), JSON Lines to stdout."""
    import csv

    db = tmp_path / "db.sqlite"
    seed_alerts(db)
    env_file = tmp_path / ".env"
    env_file.write_text(f"DATABASE_PATH={db}\n")
    base = ["--env-file", str(env_file), "export"]
    out = tmp_path / "alerts.csv"
    assert main([*base, "--days", "30", "--format", "csv", "--out", str(out)]) == 0
    assert "1 alert in 30 days" in capsys.readouterr().err
    data = out.read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    assert [(r["headline"], r["accuser"], r["accused"]) for r in rows] == [
        ("Moscow accuses Baku of a new breach", "Россия", "Азербайджан")
    ]
    assert main([*base, "--days", "90", "--format", "jsonl", "all"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["headline"] for line in lines] == [
        "An older accusation",
        "Moscow accuses Baku of a new breach",
        "Truce talks resume in Doha",
    ]


def test_export_csv_to_stdout_has_no_byte_order_mark(tmp_path):
    """A pipe gets plain UTF-8 CSV that csv.reader takes without a stray mark."""
    db = tmp_path / "db.sqlite"
    seed_alerts(db)
    result = run_cli("export", "--days", "7", env={"DATABASE_PATH": str(db)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("time,level,accuser,accused,headline,")
    assert "Moscow accuses Baku" in result.stdout


@pytest.mark.parametrize("days", ["99999", "0", "week"])
def test_export_refuses_a_window_out_of_range(tmp_path, days):
    """--days outside 1..365 is one line of error, no traceback."""
    result = run_cli("export", "--days", days, env={"DATABASE_PATH": str(tmp_path / "d")})
    assert result.returncode == 2
    assert "days must be 1 to 365" in result.stderr
    assert "Traceback" not in result.stderr
