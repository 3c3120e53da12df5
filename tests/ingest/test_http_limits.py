"""ingest.http.fetch stops misbehaving servers: timeouts, slow drips, body
caps, gzip bombs and redirect loops (see tests/httpcheck.py)."""

import socket
import struct
import threading
import time
import tracemalloc
import zlib

import pytest

from ingest.http import ConnectionFailed, FetchTimeout, TooLarge, TooManyRedirects, fetch
from tests import httpcheck
from tests.fakeweb import Blackhole, drip, hang, raw, redirect
from tests.httpcheck import MiB

allow_private = httpcheck.allow_private  # the fixture, taken by name
block_private = httpcheck.block_private

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


def test_slow_dns_lookup_is_cut_at_the_connect_timeout(monkeypatch, block_private):
    released = threading.Event()

    def slow_getaddrinfo(host, port, *args, **kwargs):
        released.wait(5)  # a name server that does not answer
        raise socket.gaierror("no answer")

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)
    start = time.monotonic()
    try:
        with pytest.raises(FetchTimeout) as caught:
            fetch("http://slow-dns.example/feed", connect_timeout=0.3, total_timeout=5)
    finally:
        released.set()
    assert time.monotonic() - start < 1.0
    assert "DNS lookup for slow-dns.example timed out" in caught.value.reason


def test_failed_dns_lookup_is_a_connection_failure_naming_the_host(monkeypatch, block_private):
    def no_such_host(host, port, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(ConnectionFailed, match="DNS lookup failed for gone.example"):
        fetch("http://gone.example/feed", connect_timeout=0.3, total_timeout=5)


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


# --- redirect caps ----------------------------------------------------------


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
