"""Fault injection for ingest.http.fetch against a local misbehaving server (tests/fakeweb.py).

Nothing here leaves the machine: names are answered by a patched getaddrinfo,
and a patched connect() fails the test on any non-loopback address except
PUBLIC_IP, which stands for "some public web server" and is sent to a local one.
"""

import email.utils
import ipaddress
import shutil
import socket
import ssl
import struct
import subprocess
import time
import tracemalloc
import zlib

import pytest

from ingest import http
from ingest.http import (
    BlockedAddress,
    ConnectionFailed,
    FetchTimeout,
    TooLarge,
    TooManyRedirects,
    fetch,
    is_public_address,
)
from tests.fakeweb import Blackhole, FakeWeb, drip, hang, http_date, raw, redirect

PUBLIC_IP = "93.184.216.34"
MiB = 1 << 20


class FakeNet:
    """getaddrinfo answers from a table; connect() is logged and kept on loopback."""

    def __init__(self, monkeypatch, public_port: int):
        self.public_port = public_port  # where a connect to PUBLIC_IP really goes
        self.answers: dict[str, list[list[str]]] = {}  # host -> one answer per lookup, last repeats
        self.lookups: list[str] = []
        self.connected: list[str] = []
        real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

        def getaddrinfo(host, port, *args, **kwargs):
            self.lookups.append(host)
            if host not in self.answers:
                return real_getaddrinfo(host, port, *args, **kwargs)
            queue = self.answers[host]
            ips = queue.pop(0) if len(queue) > 1 else queue[0]
            return [
                (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0))
                if ":" in ip
                else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
                for ip in ips
            ]

        def connect(sock, address):
            self.connected.append(address[0])
            if address[0] == PUBLIC_IP:
                return real_connect(sock, ("127.0.0.1", self.public_port))
            if not ipaddress.ip_address(address[0].split("%")[0]).is_loopback:
                raise AssertionError(f"the test tried to connect to {address}")
            return real_connect(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", connect)

    def resolve(self, host: str, *answers: list[str]) -> None:
        self.answers[host] = list(answers)


@pytest.fixture
def net(monkeypatch, fakeweb):
    return FakeNet(monkeypatch, fakeweb.port)


@pytest.fixture
def allow_private(settings):
    settings.ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def block_private(settings):
    settings.ALLOW_PRIVATE_ADDRESSES = False  # explicit: the environment may have turned it on


def public_url(server: FakeWeb, path: str, host: str = "public.example") -> str:
    """A URL for `path` on `server` that looks like a public site (needs the `net` fixture)."""
    return server.url(path, host=host)


# --- address checks ----------------------------------------------------------


@pytest.mark.parametrize(
    "ip, public",
    [
        ("93.184.216.34", True),
        ("8.8.8.8", True),
        ("2606:4700::1", True),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("127.0.0.1", False),
        ("127.255.0.9", False),
        ("0.0.0.0", False),
        ("169.254.169.254", False),  # cloud metadata
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("192.0.2.1", False),  # documentation
        ("::1", False),
        ("::", False),
        ("fc00::1", False),
        ("fd12:3456::1", False),
        ("fe80::1", False),
        ("fec0::1", False),
        ("ff02::1", False),
        ("2001:db8::1", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:93.184.216.34", True),
        ("2002:a00:1::", False),  # 6to4 wrapping 10.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 wrapping 169.254.169.254
        ("not an ip", False),
        ("", False),
    ],
)
def test_is_public_address(ip, public):
    assert is_public_address(ip) is public


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/ok",
        "http://localhost:{port}/ok",
        "http://127.1:{port}/ok",
        "http://2130706433:{port}/ok",  # 127.0.0.1 as one number
        "http://[::1]:{port}/ok",
        "http://0.0.0.0:{port}/ok",
    ],
)
def test_direct_url_to_loopback_refused_by_default(url, fakeweb, net, block_private):
    fakeweb.route("/ok", b"secret")
    with pytest.raises(BlockedAddress):
        fetch(url.format(port=fakeweb.port))
    assert net.connected == []
    assert fakeweb.requests == []


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/feed", "gopher://example.com/", "javascript:alert(1)", "//x/"],
)
def test_non_http_scheme_refused(url, net, allow_private):
    with pytest.raises(BlockedAddress):
        fetch(url)
    assert net.connected == []


@pytest.mark.parametrize("answer", [["10.0.0.5"], [PUBLIC_IP, "10.0.0.5"], ["fd00::5"]])
def test_hostname_resolving_to_private_address_refused(answer, net, block_private):
    net.resolve("evil.example", answer)
    with pytest.raises(BlockedAddress) as caught:
        fetch("http://evil.example/feed")
    assert "evil.example" in caught.value.reason
    assert net.connected == []


def test_dns_rebinding_connects_to_the_validated_address(fakeweb, net, block_private):
    # First answer public, every later one loopback: a client that resolves the
    # name again to connect would end up on 127.0.0.1.
    net.resolve("rebind.example", [PUBLIC_IP], ["127.0.0.1"])
    fakeweb.route("/feed", b"<rss/>")
    response = fetch(public_url(fakeweb, "/feed", host="rebind.example"))
    assert response.body == b"<rss/>"
    assert net.lookups.count("rebind.example") == 1
    assert net.connected == [PUBLIC_IP]
    assert fakeweb.requests[0].headers["Host"] == f"rebind.example:{fakeweb.port}"


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/admin",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://evil.example/",
    ],
)
def test_redirect_to_private_address_refused_before_connecting(target, fakeweb, net, block_private):
    net.resolve("public.example", [PUBLIC_IP])
    net.resolve("evil.example", ["10.0.0.5"])
    fakeweb.route("/go", handler=redirect(target.format(port=fakeweb.port)))
    with pytest.raises(BlockedAddress):
        fetch(public_url(fakeweb, "/go"))
    assert net.connected == [PUBLIC_IP]  # the first hop only
    assert [r.path for r in fakeweb.requests] == ["/go"]


# --- timeouts ----------------------------------------------------------------


def test_connect_timeout(allow_private):
    blackhole = Blackhole()
    try:
        start = time.monotonic()
        with pytest.raises(FetchTimeout) as caught:
            fetch(blackhole.url("/"), connect_timeout=0.3, total_timeout=5)
        assert time.monotonic() - start < 1.5
        assert "connect" in caught.value.reason
    finally:
        blackhole.close()


def test_read_timeout_when_server_never_answers(fakeweb, allow_private):
    fakeweb.route("/hang", handler=hang)
    start = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch(fakeweb.url("/hang"), connect_timeout=0.3, total_timeout=0.5)
    assert 0.4 < time.monotonic() - start < 1.5


def _slow_body(h):
    h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    h.wfile.flush()
    drip(b"x" * 1000, interval=0.02)(h)


@pytest.mark.parametrize(
    "handler",
    [drip(b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 1000 + b"\r\n\r\n", interval=0.02), _slow_body],
    ids=["headers", "body"],
)
def test_slow_drip_cut_at_total_timeout(handler, fakeweb, allow_private):
    fakeweb.route("/drip", handler=handler)
    start = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch(fakeweb.url("/drip"), total_timeout=0.6)
    assert time.monotonic() - start < 1.5


def test_total_timeout_spans_redirects(fakeweb, allow_private):
    def slow_loop(h):
        time.sleep(0.25)
        return 302, {"Location": "/slow"}, b""

    fakeweb.route("/slow", handler=slow_loop)
    with pytest.raises(FetchTimeout):
        fetch(fakeweb.url("/slow"), total_timeout=0.6, max_redirects=20)
    assert len(fakeweb.requests) <= 3


# --- statuses and redirects --------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 404])
def test_error_status_returned_not_raised(status, fakeweb, allow_private):
    fakeweb.route("/x", b"oops", status=status)
    response = fetch(fakeweb.url("/x"))
    assert (response.status, response.body) == (status, b"oops")


@pytest.mark.parametrize(
    "value, expected",
    [("30", 30.0), ("date+120", 120), ("0", 0.0), ("soon", None), ("-5", None), (None, None)],
)
def test_429_retry_after(value, expected, fakeweb, allow_private):
    if value == "date+120":  # made here, not at collection, so the clock has not moved on
        value = http_date(120)
    fakeweb.route("/x", b"slow down", status=429, headers={"Retry-After": value} if value else {})
    response = fetch(fakeweb.url("/x"))
    assert response.status == 429
    if expected is None:
        assert response.retry_after_seconds is None
    else:
        assert response.retry_after_seconds == pytest.approx(expected, abs=2)


def test_301_302_chain_followed(fakeweb, allow_private):
    fakeweb.route("/a", handler=redirect("/b", status=301))
    fakeweb.route("/b", handler=redirect("sub/c?x=1", status=302))  # relative to /b
    fakeweb.route("/sub/c", b"done")
    response = fetch(fakeweb.url("/a"))
    assert (response.status, response.body) == (200, b"done")
    assert response.url == fakeweb.url("/sub/c?x=1")
    assert response.redirects == [(301, fakeweb.url("/b")), (302, fakeweb.url("/sub/c?x=1"))]
    assert [r.path for r in fakeweb.requests] == ["/a", "/b", "/sub/c?x=1"]


@pytest.mark.parametrize(
    "statuses, permanent",
    [
        ((), False),
        ((301,), True),
        ((301, 308), True),
        ((301, 302), False),
        ((307,), False),
        ((308, 303), False),
    ],
)
def test_permanent_redirect_only_for_all_301_308_chain(statuses, permanent, fakeweb, allow_private):
    for i, status in enumerate(statuses):
        fakeweb.route(f"/{i}", handler=redirect(f"/{i + 1}", status=status))
    fakeweb.route(f"/{len(statuses)}", b"final")
    response = fetch(fakeweb.url("/0"))
    assert response.body == b"final"
    assert response.permanent_redirect == (fakeweb.url(f"/{len(statuses)}") if permanent else None)


def test_redirect_loop_raises_too_many_redirects(fakeweb, allow_private, settings):
    settings.FETCH_MAX_REDIRECTS = 3
    fakeweb.route("/loop", handler=redirect("/loop"))
    with pytest.raises(TooManyRedirects):
        fetch(fakeweb.url("/loop"))
    assert len(fakeweb.requests) == 4  # the first request and three redirects followed


# --- bodies ------------------------------------------------------------------


def test_huge_streamed_body_too_large_without_reading_it_all(fakeweb, allow_private):
    sent = [0]

    def fifty_megabytes(h):
        def chunks():
            while sent[0] < 50 * MiB:
                sent[0] += 64 * 1024
                yield bytes(64 * 1024)

        return 200, {"Content-Type": "application/octet-stream"}, chunks()  # no Content-Length

    fakeweb.route("/big", handler=fifty_megabytes)
    start = time.monotonic()
    with pytest.raises(TooLarge):
        fetch(fakeweb.url("/big"), max_bytes=MiB)
    assert time.monotonic() - start < 2
    time.sleep(0.1)
    assert sent[0] < 20 * MiB


def test_declared_content_length_over_limit_refused_before_reading(fakeweb, allow_private, settings):
    settings.FETCH_MAX_BYTES = 64 * 1024
    fakeweb.route("/big", handler=raw(b"HTTP/1.1 200 OK\r\nContent-Length: 52428800\r\n\r\n"))
    with pytest.raises(TooLarge) as caught:
        fetch(fakeweb.url("/big"), total_timeout=2)  # the body never comes: reading it would time out
    assert "52428800" in caught.value.reason


def gzip_bomb(size: int) -> bytes:
    """A gzip stream of `size` zero bytes, built without compressing them all."""
    chunk = bytes(MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    # A full flush forgets all history, so every further MiB of zeros compresses to the same block.
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = size // MiB
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    # b"\x03\x00": an empty final block; then the gzip trailer (CRC-32, size mod 2**32).
    return head + block * (count - 1) + b"\x03\x00" + struct.pack("<II", crc, (count * MiB) & 0xFFFFFFFF)


def test_gzip_bomb_too_large_with_low_memory(fakeweb, allow_private):
    bomb = gzip_bomb(1 << 30)
    assert len(bomb) < 2 * MiB
    fakeweb.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            fetch(fakeweb.url("/bomb"), max_bytes=MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MiB  # about twice the cap: the growing buffer, never the bomb


@pytest.mark.parametrize(
    "encoding, compress",
    [
        ("gzip", lambda data: zlib.compress(data, wbits=16 + zlib.MAX_WBITS)),
        ("deflate", zlib.compress),  # zlib-wrapped, as the standard says
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw, as some servers send
    ],
)
def test_compressed_body_decoded(encoding, compress, fakeweb, allow_private):
    text = b"<rss><channel><title>News</title></channel></rss>" * 200
    fakeweb.route("/feed", compress(text), headers={"Content-Encoding": encoding})
    assert fetch(fakeweb.url("/feed")).body == text


@pytest.mark.parametrize(
    "raw_response, expected",
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly twenty bytes...", ConnectionFailed),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello and more", b"hello"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: banana\r\n\r\nread to the end", b"read to the end"),
    ],
    ids=["short", "long", "junk"],
)
def test_wrong_content_length(raw_response, expected, fakeweb, allow_private):
    fakeweb.route("/x", handler=raw(raw_response))
    if expected is ConnectionFailed:
        with pytest.raises(ConnectionFailed):
            fetch(fakeweb.url("/x"), total_timeout=2)
    else:
        assert fetch(fakeweb.url("/x"), total_timeout=2).body == expected


# --- request headers and text -------------------------------------------------


def test_conditional_get(fakeweb, allow_private):
    def feed(h):
        if h.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"ETag": '"v1"', "Last-Modified": "Mon, 05 Jan 2026 10:00:00 GMT"}, b"<rss/>"

    fakeweb.route("/feed", handler=feed)
    first = fetch(fakeweb.url("/feed"))
    assert (first.status, first.body) == (200, b"<rss/>")
    assert fakeweb.requests[0].headers.get("If-None-Match") is None
    assert fakeweb.requests[0].headers.get("If-Modified-Since") is None

    second = fetch(
        fakeweb.url("/feed"), etag=first.headers["etag"], last_modified=first.headers["last-modified"]
    )
    assert (second.status, second.body) == (304, b"")
    sent = fakeweb.requests[1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 05 Jan 2026 10:00:00 GMT"


def test_user_agent_and_accept_headers_sent(fakeweb, allow_private, settings):
    settings.USER_AGENT = "SurgeTest/1.0 (+http://surge.test/how-it-works/)"
    fakeweb.route("/feed", b"<rss/>")
    fetch(fakeweb.url("/feed"), accept="application/rss+xml")
    sent = fakeweb.requests[0].headers
    assert sent["User-Agent"] == "SurgeTest/1.0 (+http://surge.test/how-it-works/)"
    assert sent["Accept"] == "application/rss+xml"
    assert sent["Accept-Encoding"] == "gzip, deflate"
    assert sent["Host"] == f"127.0.0.1:{fakeweb.port}"


@pytest.mark.parametrize(
    "content_type, body, expected",
    [
        ("text/html; charset=ISO-8859-1", "Café crème, naïve".encode("latin-1"), "Café crème, naïve"),
        ('text/xml; charset="utf-8"', "Zürich – 東京".encode(), "Zürich – 東京"),
        ("text/html", "naïve".encode() + b"\xff", "naïve\ufffd"),  # no charset: UTF-8, junk replaced
        ("text/html; charset=x-no-such-charset", "naïve".encode(), "naïve"),
    ],
)
def test_text_decodes_declared_charset(content_type, body, expected, fakeweb, allow_private):
    fakeweb.route("/page", body, headers={"Content-Type": content_type})
    assert fetch(fakeweb.url("/page")).text() == expected


# --- https ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for surge.test (made with the openssl command)."""
    if not shutil.which("openssl"):
        pytest.skip("no openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        + ["-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=surge.test"]
        + ["-addext", "subjectAltName=DNS:surge.test"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(certificate, monkeypatch):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = FakeWeb(tls=context)
    server.sni = []
    context.sni_callback = lambda sock, name, ctx: server.sni.append(name)
    # The client trusts exactly this certificate, with its usual checks.
    monkeypatch.setattr(http, "_tls_context", lambda: ssl.create_default_context(cafile=str(cert)))
    yield server
    server.stop()


@pytest.mark.parametrize("host, ok", [("surge.test", True), ("other.test", False)])
def test_https_to_pinned_ip_verifies_certificate_against_hostname(host, ok, tls_server, net, block_private):
    # The host resolves to a "public" IP (really the local TLS server): the client
    # connects to that IP, yet SNI and the certificate check must use the name.
    net.public_port = tls_server.port
    net.resolve(host, [PUBLIC_IP])
    tls_server.route("/feed", b"<rss/>")
    if ok:
        response = fetch(public_url(tls_server, "/feed", host=host))
        assert response.body == b"<rss/>"
        assert tls_server.sni == ["surge.test"]
        assert tls_server.requests[0].headers["Host"] == f"surge.test:{tls_server.port}"
    else:
        with pytest.raises(ConnectionFailed) as caught:
            fetch(public_url(tls_server, "/feed", host=host))
        assert "other.test" in caught.value.reason
        assert tls_server.requests == []
    assert net.connected == [PUBLIC_IP]


def test_retry_after_http_date_in_the_past_is_zero():
    response = http.Response("http://x/", 503, email.message_from_string(""), b"")
    response.headers["Retry-After"] = email.utils.formatdate(time.time() - 60, usegmt=True)
    assert response.retry_after_seconds == 0
