"""The one HTTP client every outbound request in Surge goes through.

Feed and article URLs come from anyone who publishes a feed, so each one is
treated as hostile. fetch() refuses schemes other than http/https and, unless
settings.ALLOW_PRIVATE_ADDRESSES is on, any address that is not public (SSRF).
It resolves host names itself, checks every address, and then connects to the
checked address: http.client never resolves the name again, so a DNS answer
that changes between check and connect (rebinding) cannot slip through.
Redirects are followed here, one hop at a time, and each hop is checked again.

It also bounds what a hostile server can cost: a connect timeout (which also
bounds each DNS lookup), one deadline for the whole fetch (redirects and a
body dripped byte by byte included) and a cap on the body counted after
decompression, so a gzip bomb stops at the cap.
HTTP error statuses come back as responses: callers decide what 429 or 503 mean.
"""

import concurrent.futures
import email.message
import email.utils
import io
import ipaddress
import math
import os
import socket
import ssl
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from http.client import HTTPConnection, HTTPException, HTTPMessage
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_STATUSES = frozenset({301, 308})
CHUNK_SIZE = 64 * 1024
_COMPRESSED = frozenset({"gzip", "x-gzip", "deflate"})
# NAT64 gateways turn 64:ff9b::a00:1 into 10.0.0.1, yet Python calls it global.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Refused by name even where is_global says yes, as it does for multicast and fec0::/10.
_NOT_PUBLIC = ("private", "loopback", "link_local", "multicast", "reserved", "unspecified", "site_local")


class FetchError(Exception):
    """Any failed fetch; .reason is short text fit to show as a feed's last error."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class BlockedAddress(FetchError):
    """A scheme other than http/https, or an address that is not public."""


class TooLarge(FetchError):
    """The body, decompressed, is over max_bytes."""


class TooManyRedirects(FetchError):
    """More than max_redirects redirects."""


class FetchTimeout(FetchError):
    """Connecting took over connect_timeout, or the whole fetch over total_timeout."""


class ConnectionFailed(FetchError):
    """DNS failure, refused or reset connection, TLS error, broken HTTP."""


@dataclass
class Response:
    url: str
    status: int
    headers: HTTPMessage  # case-insensitive; .get() returns None when absent
    body: bytes
    redirects: list[tuple[int, str]] = field(default_factory=list)

    @property
    def permanent_redirect(self) -> str | None:
        """The URL to store instead of the requested one, if every hop said 'moved for good'."""
        if self.redirects and all(status in PERMANENT_STATUSES for status, _ in self.redirects):
            return self.url
        return None

    @property
    def retry_after_seconds(self) -> float | None:
        value = (self.headers.get("Retry-After") or "").strip()
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            pass
        else:
            return seconds if math.isfinite(seconds) and seconds >= 0 else None
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # "-0000" parses as naive; HTTP dates are always GMT
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())

    def text(self) -> str:
        content_type = email.message.Message()
        content_type["Content-Type"] = self.headers.get("Content-Type") or ""
        try:
            return self.body.decode(content_type.get_content_charset() or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            return self.body.decode("utf-8", errors="replace")


def is_public_address(ip: str) -> bool:
    """True for a globally routable unicast address; False for anything else, junk included."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if addr.version == 6:
        # These IPv6 forms carry an IPv4 address that the packets end up at: judge that one.
        embedded = addr.ipv4_mapped or addr.sixtofour
        if embedded is None and addr in _NAT64:
            embedded = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(str(embedded))
    return addr.is_global and not any(getattr(addr, f"is_{kind}", False) for kind in _NOT_PUBLIC)


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    accept: str = "*/*",
    max_bytes: int | None = None,
    connect_timeout: float | None = None,
    total_timeout: float | None = None,
    max_redirects: int | None = None,
) -> Response:
    """GET url, following redirects; raises FetchError (a subclass) when no response could be had."""
    # Settings are read per call, not at import, so tests and deployments can change them.
    max_bytes = settings.FETCH_MAX_BYTES if max_bytes is None else max_bytes
    connect_timeout = settings.FETCH_CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
    total_timeout = settings.FETCH_TOTAL_TIMEOUT if total_timeout is None else total_timeout
    max_redirects = settings.FETCH_MAX_REDIRECTS if max_redirects is None else max_redirects
    deadline = time.monotonic() + total_timeout
    headers = {
        "User-Agent": settings.USER_AGENT,
        "Accept": accept,
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",  # one request per connection: no pool to keep safe
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    redirects: list[tuple[int, str]] = []
    while True:
        try:
            status, resp_headers, body = _get(url, headers, max_bytes, connect_timeout, deadline)
        except TimeoutError as exc:
            raise FetchTimeout(f"no complete response within {total_timeout:g} s") from exc
        except ssl.SSLError as exc:  # before OSError: it is one. Certificate errors are SSLErrors too.
            detail = getattr(exc, "verify_message", None) or exc.reason or exc
            raise ConnectionFailed(f"TLS error: {detail}") from exc
        except (OSError, HTTPException) as exc:
            raise ConnectionFailed(f"connection failed: {exc.__class__.__name__} {exc}".strip()) from exc
        location = resp_headers.get("Location")
        if status not in REDIRECT_STATUSES or not location:
            return Response(url, status, resp_headers, body, redirects)
        if len(redirects) >= max_redirects:
            raise TooManyRedirects(f"more than {max_redirects} redirects")
        try:
            url = urljoin(url, _undo_latin1(location.strip()))
        except ValueError as exc:
            raise FetchError(f"invalid redirect to {location[:200]}") from exc
        redirects.append((status, url))


def _get(url, headers, max_bytes, connect_timeout, deadline) -> tuple[int, HTTPMessage, bytes]:
    """One request, no redirects: (status, headers, body; empty for a redirect)."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchError(f"invalid URL: {url[:200]}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise BlockedAddress(f"{scheme or 'relative'} URLs are not fetched: only http and https")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError) as exc:
        raise FetchError(f"invalid URL: {url[:200]}") from exc
    if not host:
        raise FetchError(f"URL has no host: {url[:200]}")
    target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    if parts.query:
        target += "?" + quote(parts.query, safe="/?%:@!$&'()*+,;=~")

    sock = _connect(host, port, connect_timeout, deadline)
    try:
        if scheme == "https":
            # SNI and certificate checks use the host name, not the IP we dialled.
            # CPython bounds the whole handshake, not each read, by the timeout.
            sock.settimeout(_time_left(deadline))
            sock = _tls_context().wrap_socket(sock, server_hostname=host)
        conn = _PinnedConnection(sock, deadline, host, port)
        conn.default_port = 443 if scheme == "https" else 80  # no ":443" in the Host header
        try:
            conn.putrequest("GET", target, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
        except ValueError as exc:  # CR/LF or other junk in a header value or the path
            raise FetchError(f"invalid request: {exc}") from exc
        conn.endheaders()
        resp = conn.getresponse()
        if resp.status in REDIRECT_STATUSES and resp.headers.get("Location"):
            return resp.status, resp.headers, b""  # its body is never used
        return resp.status, resp.headers, _read_body(resp, max_bytes)
    finally:
        sock.close()


def _connect(host: str, port: int, connect_timeout: float, deadline: float) -> socket.socket:
    """A TCP connection to one of host's addresses, every one of which was checked first."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        infos = _resolve(host, port, min(connect_timeout, _time_left(deadline)))
    else:  # an IP in the URL: nothing to resolve
        family = socket.AF_INET6 if literal.version == 6 else socket.AF_INET
        infos = [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (host, port))]
    if not settings.ALLOW_PRIVATE_ADDRESSES:
        # All of them, not just the one we will use: which one that is is not ours to pick.
        for *_, sockaddr in infos:
            if not is_public_address(sockaddr[0]):
                via = "" if sockaddr[0] == host else f" (address of {host})"
                raise BlockedAddress(f"{sockaddr[0]}{via} is not a public address")
    error: FetchError = ConnectionFailed(f"no address for {host}")
    for family, type_, proto, _, sockaddr in infos:
        sock = socket.socket(family, type_, proto)
        try:
            sock.settimeout(min(connect_timeout, _time_left(deadline)))
            sock.connect(sockaddr)  # the checked address itself, never the name
            return sock
        except TimeoutError as exc:
            sock.close()
            error = FetchTimeout(f"connecting to {host} timed out after {connect_timeout:g} s")
            error.__cause__ = exc
        except OSError as exc:
            sock.close()
            error = ConnectionFailed(f"cannot connect to {host}: {exc.strerror or exc}")
            error.__cause__ = exc
    raise error


def _resolve(host: str, port: int, timeout: float) -> list:
    """getaddrinfo, bounded by timeout: the C resolver has no timeout of its own
    that we control, and a slow name server must not hold a worker past the
    fetch deadline. A lookup that overruns is abandoned to its thread."""
    future = _dns_pool().submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError as exc:
        raise FetchTimeout(f"DNS lookup for {host} timed out after {timeout:.3g} s") from exc
    except (OSError, UnicodeError) as exc:
        raise ConnectionFailed(f"DNS lookup failed for {host}") from exc


_DNS_THREADS = 8
_dns_executor: tuple[int, concurrent.futures.ThreadPoolExecutor] | None = None


def _dns_pool() -> concurrent.futures.ThreadPoolExecutor:
    """One small pool per process; made on first use and again after a fork
    (Celery's prefork children must not inherit the parent's threads)."""
    global _dns_executor
    if _dns_executor is None or _dns_executor[0] != os.getpid():
        _dns_executor = (os.getpid(), concurrent.futures.ThreadPoolExecutor(_DNS_THREADS, "dns"))
    return _dns_executor[1]


def _read_body(resp, max_bytes: int) -> bytes:
    encoding = (resp.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding not in _COMPRESSED and resp.length is not None and resp.length > max_bytes:
        raise TooLarge(f"body of {resp.length} bytes is over the {max_bytes} byte limit")
    body = bytearray()
    received = 0  # compressed bytes count too: a stream of empty deflate blocks decodes to nothing
    inflater = None
    # read1 makes at most one recv per call, so the deadline is checked between them.
    while chunk := resp.read1(CHUNK_SIZE):
        received += len(chunk)
        if encoding in _COMPRESSED:
            inflater = inflater or _inflater(encoding, chunk)
            try:
                while chunk and not inflater.eof:
                    # max_length: zlib stops one byte past the cap, however much the input expands.
                    body += inflater.decompress(chunk, max_bytes + 1 - len(body))
                    if len(body) > max_bytes:
                        break
                    chunk = inflater.unconsumed_tail
            except zlib.error as exc:
                raise FetchError(f"corrupt {encoding} body: {exc}") from exc
        else:
            body += chunk  # an encoding we never asked for (br, ...) is passed through as is
        if max(len(body), received) > max_bytes:
            raise TooLarge(f"body is over the {max_bytes} byte limit")
    if resp.length:  # http.client counts Content-Length down; bytes still owed means cut short
        raise ConnectionFailed(f"connection closed with {resp.length} bytes of the body missing")
    return bytes(body)


def _inflater(encoding: str, first_chunk: bytes):
    if encoding != "deflate":
        return zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip header and trailer
    # 'deflate' means zlib-wrapped, but some servers send raw deflate. A zlib
    # header has compression method 8 and its first two bytes are a multiple of 31.
    head = first_chunk[:2]
    wrapped = len(head) == 2 and head[0] & 0x0F == 8 and int.from_bytes(head, "big") % 31 == 0
    return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)


def _time_left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("fetch deadline passed")
    return left


def _undo_latin1(location: str) -> str:
    # http.client decodes headers as Latin-1; a Location sent as raw UTF-8 comes out garbled.
    try:
        return location.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return location


@cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()  # verifies the chain and the host name


class _PinnedConnection(HTTPConnection):
    """An HTTPConnection over a socket fetch() already opened to a checked address."""

    def __init__(self, sock: socket.socket, deadline: float, host: str, port: int):
        super().__init__(host, port)  # host only names the Host header: nothing resolves it
        self._pinned = _DeadlineSocket(sock, deadline)

    def connect(self):
        self.sock = self._pinned


class _DeadlineSocket:
    """What http.client uses of a socket (sendall, makefile, close), with the deadline on every call.

    http.client reads the status line, headers and chunk sizes through a buffered
    file that calls recv() until a line is complete, so a timeout per recv() alone
    lets a server that drips a byte a second hold a fetch forever. Giving every
    recv() only the time left until the deadline bounds the whole exchange.
    """

    def __init__(self, sock: socket.socket, deadline: float):
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(_time_left(self._deadline))  # bounds the whole sendall
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args, **kwargs) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        pass  # http.client closes "its" socket when the response says so; fetch() owns it


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: socket.socket, deadline: float):
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._sock.settimeout(_time_left(self._deadline))
        return self._sock.recv_into(buffer)
