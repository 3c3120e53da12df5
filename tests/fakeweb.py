"""A small local web server for tests: canned responses, and misbehaviour on demand.

    server.route("/feed.xml", body=b"<rss>...</rss>", headers={"Content-Type": "application/rss+xml"})
    server.route("/moved", handler=redirect("/feed.xml", status=301))
    server.route("/hang", handler=hang)            # accepts, reads the request, never answers
    server.route("/slow", handler=drip(raw_response, interval=0.05))
    fetch(server.url("/feed.xml")); server.requests[-1].headers["User-Agent"]

A handler is called with the http.server request handler (h.path, h.headers,
h.wfile, h.server) and either returns (status, headers, body) for the server to
send, or writes raw bytes to h.wfile itself and returns None. A body may be
bytes or an iterable of bytes, sent as it is produced. Requests for paths with
no route get a 404. The `fakeweb` fixture in conftest.py starts one per test;
FakeWeb(tls=context) serves https with that server-side SSLContext.
"""

import email.utils
import http.server
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

Handler = Callable[[http.server.BaseHTTPRequestHandler], "tuple[int, dict, bytes | Iterable[bytes]] | None"]


@dataclass
class Request:
    method: str
    path: str  # with the query string, as sent
    headers: Message  # case-insensitive .get() / []


class FakeWeb:
    host = "127.0.0.1"

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.requests: list[Request] = []
        self._routes: dict[str, Handler] = {}
        self._stopping = threading.Event()
        self._httpd = _Server((self.host, 0), _RequestHandler)
        self._httpd.fakeweb = self
        self._httpd.tls = tls
        self.port = self._httpd.server_address[1]
        self.scheme = "https" if tls else "http"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        handler: Handler | None = None,
    ) -> None:
        """Serve `path` (query string ignored unless the route names one)."""
        if handler is None:
            data = body.encode() if isinstance(body, str) else body
            canned = (status, dict(headers or {}), data)

            def handler(_h):
                return canned

        self._routes[path] = handler

    @property
    def stopping(self) -> threading.Event:
        """Set when the server shuts down: handlers that wait should wait on this."""
        return self._stopping

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _handler_for(self, path: str) -> Handler | None:
        return self._routes.get(path) or self._routes.get(urlsplit(path).path)


# --- ready-made handlers -----------------------------------------------------


def redirect(location: str, status: int = 302) -> Handler:
    return lambda h: (status, {"Location": location}, b"")


def hang(h) -> None:
    """Read the request, then say nothing until the server stops (a read timeout)."""
    h.server.fakeweb.stopping.wait()
    h.close_connection = True


def raw(data: bytes) -> Handler:
    """Send these exact bytes (status line and headers included), then close."""

    def handler(h):
        h.wfile.write(data)
        h.close_connection = True

    return handler


def drip(data: bytes, interval: float) -> Handler:
    """Send raw bytes one at a time, `interval` seconds apart: never idle, never done."""

    def handler(h):
        for i in range(len(data)):
            if h.server.fakeweb.stopping.wait(interval):
                break
            h.wfile.write(data[i : i + 1])
            h.wfile.flush()
        h.close_connection = True

    return handler


def http_date(seconds_from_now: float = 0) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


class Blackhole:
    """A loopback port where connect() hangs: its listen backlog is full and it never accepts.

    Loopback only, so tests never send a packet off this machine. Linux drops a
    SYN to a listener whose accept queue is full; the client keeps retrying.
    """

    def __init__(self):
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.port = self._listener.getsockname()[1]
        self._fillers: list[socket.socket] = []
        for _ in range(16):  # the kernel takes backlog + 1 (or so); fill until one hangs
            filler = socket.socket()
            filler.settimeout(0.2)
            try:
                filler.connect(("127.0.0.1", self.port))
            except TimeoutError:
                filler.close()
                return
            self._fillers.append(filler)
        raise RuntimeError("could not fill the listen backlog")

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        for sock in [*self._fillers, self._listener]:
            sock.close()


# --- the server itself -------------------------------------------------------


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    fakeweb: FakeWeb
    tls: ssl.SSLContext | None

    def get_request(self):
        sock, addr = super().get_request()
        if self.tls:  # handshake later, in the connection's own thread
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        # A client that gives up mid-response (the point of many tests) is no error.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.settimeout(5)
            self.connection.do_handshake()

    def log_message(self, format, *args):
        pass  # keep test output clean

    def do_GET(self):
        fakeweb = self.server.fakeweb
        fakeweb.requests.append(Request(self.command, self.path, self.headers))
        handler = fakeweb._handler_for(self.path)
        result = handler(self) if handler else (404, {}, b"not found")
        if result is None:  # the handler wrote the response itself
            return
        status, headers, body = result
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if isinstance(body, bytes | bytearray):
            if not any(name.lower() == "content-length" for name in headers):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:  # a stream: sent as produced, the end marked by closing the connection
            self.send_header("Connection", "close")
            self.end_headers()
            for piece in body:
                self.wfile.write(piece)
            self.close_connection = True
