"""Settings: read once from the environment (and `.env`) at the edge, then passed around."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from bot.errors import ConfigError

DEFAULT_API_URL = "https://api.telegram.org/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOOPBACK = "127.0.0.1"
# A claimed feed may wait for a download slot (one FETCH_TIMEOUT at most), then be fetched
# (another) and stored: its lease must outlast that.
LEASE_TIMEOUTS = 3
# The sender confirms its role every ELECTION_INTERVAL and a worker that lost it is replaced
# within 5 intervals (bot/store/sender_lock.py): at most 6 s keeps that within 30 s.
MIN_ELECTION_INTERVAL = 0.5
MAX_ELECTION_INTERVAL = 6.0
# Telegram accepts 1-256 of these characters as a webhook secret token.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob of the service; the names match the environment variables in .env.example."""

    telegram_bot_token: str | None = field(default=None, repr=False)
    telegram_api_url: str = DEFAULT_API_URL
    database_path: Path = Path("data/ceasefire-alerts.db")
    database_url: str | None = field(default=None, repr=False)  # PostgreSQL; holds a password
    feeds_file: Path | None = None
    poll_interval: float = 300.0
    admin_user_ids: frozenset[int] = frozenset()
    log_level: str = "INFO"
    feed_allow_private: bool = False
    retention_days: int = 30
    outbox_retention_days: int = 30
    first_poll_max_age_hours: float = 24.0
    group_window_hours: float = 24.0
    fetch_timeout: float = 20.0
    fetch_max_bytes: int = 5_000_000
    fetch_concurrency: int = 10
    feed_lease: float = 120.0  # seconds a worker may hold a claimed feed (PostgreSQL workers)
    election_interval: float = 5.0  # seconds between sender-role checks (PostgreSQL workers)
    poll_processes: int = 1
    metrics_port: int | None = None
    alerts_feed_port: int | None = None
    alerts_feed_host: str = LOOPBACK
    webhook_urls: tuple[str, ...] = ()
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_timeout: float = 10.0
    webhook_pause_hours: float = 6.0
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    telegram_webhook_listen: str = LOOPBACK
    telegram_webhook_port: int = 8443
    burst_delay: float = 60.0
    feed_alert_hours: float = 6.0

    @property
    def has_telegram(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def database_label(self) -> str:
        """The database for logs and `status`: the PostgreSQL URL without password, or the file."""
        return redacted(self.database_url) if self.database_url else str(self.database_path)


def redacted(url: str) -> str:
    """The URL with its password (after user: or in a password= parameter) replaced by ***."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    has_query_password = any(name == "password" for name, _ in params)
    if parts.password is None and not has_query_password:
        return url  # unchanged: geturl() would also drop the '//' of 'postgresql:///db'
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:***@{hostport}"
    query = parts.query
    if has_query_password:
        hidden = [(name, "***" if name == "password" else value) for name, value in params]
        query = urlencode(hidden, safe="*/")
    return parts._replace(netloc=netloc, query=query).geturl()


def database_place(url: str) -> str:
    """Where a PostgreSQL URL points, for error lines: 'host:port, database "name"'."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    host = parts.hostname or params.get("host") or "localhost"
    try:
        port = parts.port or int(params.get("port", 5432))
    except ValueError:
        port = 5432
    # libpq's rule: without a database name the user's name is used.
    name = parts.path.lstrip("/") or params.get("dbname") or parts.username or "postgres"
    return f'{host}:{port}, database "{name}"'


_DEFAULTS = Settings()


def _number(environ: Mapping[str, str], name: str, default: float, *, minimum: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds or units, got {raw!r}") from None
    if value < minimum or value != value:  # NaN fails both comparisons
        raise ConfigError(f"{name} must be at least {minimum:g}, got {raw!r}")
    return value


def _integer(environ: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {raw!r}")
    return value


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    port = _integer(environ, name, default, minimum=0)
    if port > 65535:
        raise ConfigError(f"{name} must be a TCP port (1-65535), got {port}")
    return port


def _boolean(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _user_ids(environ: Mapping[str, str], name: str) -> frozenset[int]:
    raw = environ.get(name, "").replace(";", ",")
    ids = set()
    for part in raw.replace(" ", ",").split(","):
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(
                f"{name} must be numeric Telegram user ids separated by commas, got {part!r}"
            ) from None
    return frozenset(ids)


def _web_url(name: str, raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an http:// or https:// URL, got {raw!r}")
    return raw


def _webhook_urls(environ: Mapping[str, str]) -> tuple[str, ...]:
    parts = (part.strip() for part in environ.get("WEBHOOK_URLS", "").split(","))
    urls = tuple(dict.fromkeys(_web_url("WEBHOOK_URLS", part) for part in parts if part))
    if urls and not environ.get("WEBHOOK_SECRET", "").strip():
        raise ConfigError("WEBHOOK_SECRET must be set when WEBHOOK_URLS is (receivers check it)")
    return urls


def _telegram_webhook(environ: Mapping[str, str]) -> tuple[str | None, str | None]:
    """TELEGRAM_WEBHOOK_URL and its secret token (None: long polling)."""
    url = environ.get("TELEGRAM_WEBHOOK_URL", "").strip()
    secret = environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
    if secret and not _SECRET_TOKEN.fullmatch(secret):
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET must be 1-256 letters, digits, '_' or '-' (Telegram's rule)"
        )
    return (_web_url("TELEGRAM_WEBHOOK_URL", url) if url else None), secret or None


def _database_url(environ: Mapping[str, str]) -> str | None:
    raw = environ.get("DATABASE_URL", "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("postgresql", "postgres"):
        # Only the scheme is shown: a malformed URL may not parse far enough to hide a password.
        shown = f"{parts.scheme}:…" if parts.scheme else "a value without a scheme"
        raise ConfigError(
            "DATABASE_URL must be a PostgreSQL URL like "
            f"postgresql://user:password@host:5432/database, got {shown}"
        )
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError:
        raise ConfigError(f"DATABASE_URL has a bad port: {redacted(raw)!r}") from None
    return raw


def _feed_lease(environ: Mapping[str, str], fetch_timeout: float) -> float:
    """FEED_LEASE: long enough for a claimed feed to wait for a download slot, be fetched
    (FETCH_TIMEOUT each) and stored; else a second worker would fetch it too."""
    shortest = LEASE_TIMEOUTS * fetch_timeout
    if not environ.get("FEED_LEASE", "").strip():
        return max(_DEFAULTS.feed_lease, shortest)
    lease = _number(environ, "FEED_LEASE", _DEFAULTS.feed_lease, minimum=1)
    if lease < shortest:
        raise ConfigError(
            f"FEED_LEASE must be at least {LEASE_TIMEOUTS} × FETCH_TIMEOUT ({shortest:g} s), "
            f"got {lease:g}: a worker must finish a feed before its lease runs out"
        )
    return lease


def _election_interval(environ: Mapping[str, str]) -> float:
    interval = _number(
        environ, "ELECTION_INTERVAL", _DEFAULTS.election_interval, minimum=MIN_ELECTION_INTERVAL
    )
    if interval > MAX_ELECTION_INTERVAL:
        raise ConfigError(
            f"ELECTION_INTERVAL must be at most {MAX_ELECTION_INTERVAL:g} seconds, got "
            f"{interval:g}: another worker must take over within 30 s of losing the sender"
        )
    return interval


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build Settings from environment-style strings; a bad value raises ConfigError naming it."""
    token = environ.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and ":" not in token:
        raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a bot token ('123:ABC…')")
    api_url = environ.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError(f"TELEGRAM_API_URL must start with http:// or https://, got {api_url!r}")
    log_level = (environ.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")
    feeds_file = environ.get("FEEDS_FILE", "").strip()
    metrics_port = _integer(environ, "METRICS_PORT", 0, minimum=0)
    feed_port = _port(environ, "ALERTS_FEED_PORT", 0)
    webhook_url, webhook_secret = _telegram_webhook(environ)
    fetch_timeout = _number(environ, "FETCH_TIMEOUT", _DEFAULTS.fetch_timeout, minimum=0.1)
    return Settings(
        telegram_bot_token=token,
        telegram_api_url=api_url.rstrip("/"),
        database_path=Path(environ.get("DATABASE_PATH", "").strip() or _DEFAULTS.database_path),
        database_url=_database_url(environ),
        feeds_file=Path(feeds_file) if feeds_file else None,
        poll_interval=_number(environ, "POLL_INTERVAL", _DEFAULTS.poll_interval, minimum=1),
        admin_user_ids=_user_ids(environ, "ADMIN_USER_IDS"),
        log_level=log_level,
        feed_allow_private=_boolean(environ, "FEED_ALLOW_PRIVATE", _DEFAULTS.feed_allow_private),
        retention_days=_integer(environ, "RETENTION_DAYS", _DEFAULTS.retention_days, minimum=1),
        outbox_retention_days=_integer(
            environ, "OUTBOX_RETENTION_DAYS", _DEFAULTS.outbox_retention_days, minimum=1
        ),
        first_poll_max_age_hours=_number(
            environ, "FIRST_POLL_MAX_AGE_HOURS", _DEFAULTS.first_poll_max_age_hours, minimum=0
        ),
        group_window_hours=_number(
            environ, "GROUP_WINDOW_HOURS", _DEFAULTS.group_window_hours, minimum=0
        ),
        fetch_timeout=fetch_timeout,
        fetch_max_bytes=_integer(
            environ, "FETCH_MAX_BYTES", _DEFAULTS.fetch_max_bytes, minimum=1024
        ),
        fetch_concurrency=_integer(
            environ, "FETCH_CONCURRENCY", _DEFAULTS.fetch_concurrency, minimum=1
        ),
        feed_lease=_feed_lease(environ, fetch_timeout),
        election_interval=_election_interval(environ),
        poll_processes=_integer(environ, "POLL_PROCESSES", _DEFAULTS.poll_processes, minimum=0),
        metrics_port=metrics_port or None,
        alerts_feed_port=feed_port or None,
        alerts_feed_host=environ.get("ALERTS_FEED_HOST", "").strip() or LOOPBACK,
        webhook_urls=_webhook_urls(environ),
        webhook_secret=environ.get("WEBHOOK_SECRET", "").strip() or None,
        webhook_timeout=_number(
            environ, "WEBHOOK_TIMEOUT", _DEFAULTS.webhook_timeout, minimum=0.1
        ),
        webhook_pause_hours=_number(
            environ, "WEBHOOK_PAUSE_HOURS", _DEFAULTS.webhook_pause_hours, minimum=0
        ),
        telegram_webhook_url=webhook_url,
        telegram_webhook_secret=webhook_secret,
        telegram_webhook_listen=environ.get("TELEGRAM_WEBHOOK_LISTEN", "").strip() or LOOPBACK,
        telegram_webhook_port=_port(
            environ, "TELEGRAM_WEBHOOK_PORT", _DEFAULTS.telegram_webhook_port
        ),
        burst_delay=_number(environ, "BURST_DELAY", _DEFAULTS.burst_delay, minimum=1),
        feed_alert_hours=_number(
            environ, "FEED_ALERT_HOURS", _DEFAULTS.feed_alert_hours, minimum=0
        ),
    )
