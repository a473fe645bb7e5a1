"""Download one feed politely and safely: the only network code in feeds/.

Imports httpx, the standard library and feeds.errors. Every failure a feed can cause (network,
HTTP status, size, redirects, refused address) comes out as a `FetchError` with a short reason;
nothing else escapes except `asyncio.CancelledError`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import socket
import ssl
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from feeds.errors import FetchError

log = logging.getLogger(__name__)

USER_AGENT = "ceasefire-alerts/0.1 (+https://github.com/ceasefire-alerts)"
CONNECT_TIMEOUT = 10.0  # seconds to open a TCP/TLS connection
TOTAL_TIMEOUT = 20.0  # seconds for one feed: address check, every redirect hop and the body
MAX_BYTES = 5_000_000  # decoded body cap; big news feeds are ~1 MB
MAX_REDIRECTS = 5
MAX_CONNECTIONS = 20

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
# Only what `_BodyDecoder` can undo under the size cap; httpx would add br/zstd if installed.
ACCEPT_ENCODING = "gzip, deflate"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One successful download, or a 304 (`is_not_modified`, empty `content`)."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    content: bytes  # decoded (decompressed) body
    headers: dict[str, str]  # of the final response, lower-case names
    etag: str | None  # the server's own validator, verbatim, to echo next time
    last_modified: str | None  # likewise, never a date we made up
    is_not_modified: bool
    max_age: float | None  # seconds from Cache-Control, a lower bound on the next poll


def make_client(
    *,
    user_agent: str = USER_AGENT,
    connect_timeout: float = CONNECT_TIMEOUT,
    max_connections: int = MAX_CONNECTIONS,
) -> httpx.AsyncClient:
    """Build the one shared client; the caller closes it (`await client.aclose()`)."""
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
        # fetch_feed's asyncio.timeout is the real per-feed limit; these stop a single stalled
        # socket operation even when a caller forgets it.
        timeout=httpx.Timeout(TOTAL_TIMEOUT, connect=connect_timeout),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        # We follow redirects ourselves so that every hop goes through check_address.
        follow_redirects=False,
    )


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = TOTAL_TIMEOUT,  # noqa: ASYNC109 - a per-feed setting, applied inside
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    allow_private: bool = False,
) -> FetchResult:
    """GET one feed conditionally, within `timeout` seconds and `max_bytes`; raise FetchError."""
    try:
        # One deadline for the whole feed, body included: httpx's timeouts are per socket
        # operation, so a server dribbling a byte every few seconds would never trip them.
        async with asyncio.timeout(timeout):
            return await _fetch(
                client,
                url,
                etag=etag,
                last_modified=last_modified,
                max_bytes=max_bytes,
                max_redirects=max_redirects,
                allow_private=allow_private,
            )
    except TimeoutError:
        raise FetchError(f"timed out after {timeout:g} s") from None
    except FetchError:
        raise
    except httpx.HTTPError as exc:
        raise FetchError(_describe_http_error(client, exc)) from exc
    except Exception as exc:  # a bad feed must never take the poller down with it
        log.debug("unexpected error fetching %s", url, exc_info=True)
        raise FetchError(_shorten(f"unexpected error: {type(exc).__name__}: {exc}")) from exc


async def _fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
    max_redirects: int,
    allow_private: bool,
) -> FetchResult:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = _parse_url(url)
    redirects = 0
    while True:
        await check_address(str(current), allow_private=allow_private)
        request = client.build_request("GET", current, headers=headers)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            status = response.status_code
            location = response.headers.get("location")
            if status in _REDIRECT_STATUSES and location:
                if redirects >= max_redirects:
                    raise FetchError(f"too many redirects (more than {max_redirects})")
                redirects += 1
                current = _join(current, location)
                log.debug("%s redirects (%d) to %s", url, status, current)
                continue
            if status == 304:
                return _result(url, current, response, b"", etag, last_modified)
            if not 200 <= status < 300:
                retry_after = None
                if status in _RETRY_AFTER_STATUSES:
                    retry_after = parse_retry_after(
                        response.headers.get("retry-after"), now=datetime.now(UTC)
                    )
                raise FetchError(f"HTTP {status}", retry_after=retry_after)
            body = await _read_body(response, max_bytes=max_bytes)
            return _result(url, current, response, body, None, None)
        finally:
            await response.aclose()


def _result(
    url: str,
    final: httpx.URL,
    response: httpx.Response,
    content: bytes,
    sent_etag: str | None,
    sent_last_modified: str | None,
) -> FetchResult:
    headers = {name.lower(): value for name, value in response.headers.items()}
    # A 304 may omit the validators; the ones we sent are still the server's own.
    return FetchResult(
        url=url,
        final_url=str(final),
        status=response.status_code,
        content=content,
        headers=headers,
        etag=headers.get("etag") or sent_etag,
        last_modified=headers.get("last-modified") or sent_last_modified,
        is_not_modified=response.status_code == 304,
        max_age=parse_max_age(headers),
    )


def _parse_url(url: str) -> httpx.URL:
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError(_shorten(f"invalid URL {url!r}")) from None


def _join(base: httpx.URL, location: str) -> httpx.URL:
    try:
        return base.join(location)
    except (httpx.InvalidURL, ValueError):
        raise FetchError(_shorten(f"invalid redirect to {location!r}")) from None


async def _read_body(response: httpx.Response, *, max_bytes: int) -> bytes:
    too_large = f"too large: more than {max_bytes} bytes"
    declared = response.headers.get("content-length", "")
    # The compressed length can only be a little smaller than a compressible body, so a
    # declared length over the cap is refused before any byte is read.
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{too_large} (Content-Length {declared})")
    decoder = _BodyDecoder(response.headers.get("content-encoding", ""))
    parts: list[bytes] = []
    raw_total = 0
    total = 0
    async for raw in response.aiter_raw(_CHUNK):
        raw_total += len(raw)
        if raw_total > max_bytes:
            raise FetchError(too_large)
        # Decoding at most (room left + 1) bytes per step keeps a gzip bomb's memory use at the
        # cap instead of letting one 64 KB chunk inflate to 64 MB first.
        decoded = decoder.decode(raw, limit=max_bytes - total + 1)
        total += len(decoded)
        if total > max_bytes:
            raise FetchError(too_large)
        parts.append(decoded)
    # Every chunk was decoded in full (else we raised), so only zlib's own buffer is left.
    tail = decoder.flush()
    if total + len(tail) > max_bytes:
        raise FetchError(too_large)
    parts.append(tail)
    return b"".join(parts)


class _BodyDecoder:
    """Undo Content-Encoding (identity, gzip, deflate) with a bound on each step's output."""

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FetchError(_shorten(f"unsupported Content-Encoding {content_encoding!r}"))
        self._coding = codings[0] if codings else None
        self._zlib: zlib._Decompress | None = None
        self._started = False
        if self._coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self._coding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)

    def decode(self, data: bytes, *, limit: int) -> bytes:
        """Return up to `limit` decoded bytes of `data`; more than limit-1 means over the cap."""
        if self._zlib is None:
            return data
        try:
            out = self._zlib.decompress(data, limit)
        except zlib.error:
            # "deflate" is zlib-wrapped by the RFC, but some servers send raw deflate.
            if self._coding != "deflate" or self._started:
                raise FetchError(f"corrupt {self._coding} body") from None
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                out = self._zlib.decompress(data, limit)
            except zlib.error:
                raise FetchError("corrupt deflate body") from None
        self._started = True
        return out

    def flush(self) -> bytes:
        """Return what zlib still holds after the last chunk."""
        if self._zlib is None:
            return b""
        try:
            return self._zlib.flush()
        except zlib.error:
            raise FetchError(f"corrupt {self._coding} body") from None


async def check_address(url: str, *, allow_private: bool) -> None:
    """Refuse non-HTTP schemes and hosts that resolve to private or special addresses.

    Link-local (169.254.0.0/16 holds cloud metadata services), multicast, unspecified and
    reserved addresses are refused always; loopback and private ones unless `allow_private`.

    Limit: this resolves the name, then httpx resolves it again to connect. A DNS server that
    answers with a public address here and a private one a moment later (DNS rebinding) gets
    past the guard; closing that needs connecting to the checked address itself, which httpx
    has no hook for. The guard still stops the common cases: literal addresses, names that
    always point inside, and redirects to either.
    """
    parsed = _parse_url(url)
    if parsed.scheme not in ("http", "https"):
        raise FetchError(_shorten(f"refused: scheme {parsed.scheme or 'missing'!r}"))
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise FetchError(_shorten(f"invalid URL {url!r}"))
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = await _resolve(host, parsed.port or (443 if parsed.scheme == "https" else 80))
    for address in addresses:
        if _is_refused(address, allow_private=allow_private):
            raise FetchError(f"refused: private address {address}")


async def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(_shorten(f"DNS lookup failed for {host}")) from None
    # sockaddr[0] may carry an IPv6 zone ("fe80::1%eth0") that ip_address rejects.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def _is_refused(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, *, allow_private: bool
) -> bool:
    """Whether a connection to `address` must not be made."""
    if isinstance(address, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address reach that address: check it instead.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            return _is_refused(embedded, allow_private=allow_private)
    if (
        address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
    ):
        return True
    return not allow_private and not address.is_global


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; "-0000" parses as naive
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def parse_max_age(headers: Mapping[str, str]) -> float | None:
    """Freshness in seconds from Cache-Control max-age (less Age), or None; lower-case keys."""
    max_age = None
    for directive in headers.get("cache-control", "").split(","):
        name, _, value = directive.strip().partition("=")
        if name.strip().lower() == "max-age":
            value = value.strip().strip('"')
            if value.isdigit():
                max_age = float(value)
    if max_age is None:
        return None
    age = headers.get("age", "").strip()
    if age.isdigit():
        max_age = max(0.0, max_age - float(age))
    return max_age if math.isfinite(max_age) else None


def _describe_http_error(client: httpx.AsyncClient, exc: httpx.HTTPError) -> str:
    """A short reason a reader can act on, from httpx's exception and its causes."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timed out after {client.timeout.connect or 0:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {client.timeout.read or 0:g} s"
    causes = _causes(exc)
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if any(isinstance(c, socket.gaierror) for c in causes):
        return "DNS lookup failed"
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return _shorten(f"TLS error: {exc}")
    if isinstance(exc, httpx.ConnectError):
        return _shorten(f"connection failed: {exc}")
    if isinstance(exc, httpx.RemoteProtocolError):
        return _shorten(f"bad HTTP response: {exc}")
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "connection dropped"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return _shorten(f"invalid URL: {exc}")
    return _shorten(f"{type(exc).__name__}: {exc}")


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
