"""Shared pieces for the ingest.http.fetch tests (test_http_*.py), which run
against a local misbehaving server (tests/fakeweb.py).

Nothing leaves the machine: names are answered by a patched getaddrinfo,
and a patched connect() fails the test on any non-loopback address except
PUBLIC_IP, which stands for "some public web server" and is sent to a local one.
Test modules take the fixtures by name: `net = httpcheck.net`.
"""

import ipaddress
import socket

import pytest

from tests.fakeweb import FakeWeb

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
