"""A local HTTP server that plays a recorded stream back as live RSS feeds:
one feed per outlet, each item appearing at its (time-compressed) first-seen
moment. Surge's crawler polls it exactly as it polls real feeds, conditional
GET included."""

import hashlib
import threading
from collections import defaultdict
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from lab.newsriver import StreamItem

ITEMS_PER_FEED = 60  # like the archive's feeds: only the newest items are listed


class ReplayFeeds:
    def __init__(
        self,
        items: list[StreamItem],
        clock,
        pages: dict[str, bytes] | None = None,
        summaries: dict[str, str] | None = None,
    ):
        self.clock = clock  # callable returning the simulated now
        self.by_domain: dict[str, list[StreamItem]] = defaultdict(list)
        for item in items:  # already in first-seen order
            self.by_domain[item.domain].append(item)
        # The full-text replay (lab.replay.pages): article pages by path, and
        # item links relative to this server, made absolute once it has a port.
        self.pages = pages or {}
        self.summaries = summaries or {}
        self.base_url = ""

    def page(self, path: str, now: datetime) -> bytes | None:
        """An article's page, once its item has appeared in a feed."""
        page = self.pages.get(path)
        if page is None:
            return None
        appeared = any(
            i.link == path and i.first_seen <= now for items in self.by_domain.values() for i in items
        )
        return page if appeared else None

    def domains(self) -> list[str]:
        return sorted(self.by_domain)

    def render(self, domain: str, now: datetime) -> tuple[bytes, str] | None:
        items = self.by_domain.get(domain)
        if items is None:
            return None
        visible = [i for i in items if i.first_seen <= now][-ITEMS_PER_FEED:]
        etag = hashlib.sha1(
            f"{domain}:{len(visible)}:{visible[-1].link if visible else ''}".encode()
        ).hexdigest()
        entries = "".join(
            _rss_item(i, self.base_url, self.summaries.get(i.link, "")) for i in reversed(visible)
        )
        title = escape(items[0].source)
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{title}</title><link>https://{escape(domain)}/</link>"
            f"<description>Replay of {title}</description>{entries}</channel></rss>"
        )
        return body.encode("utf-8"), f'"{etag}"'


def _rss_item(item: StreamItem, base_url: str = "", summary: str = "") -> str:
    published = item.published if item.published and item.published <= item.first_seen else item.first_seen
    category = f"<category>{escape(item.category)}</category>" if item.category else ""
    link = item.link if item.link.startswith("http") else base_url + item.link
    description = f"<description>{escape(summary)}</description>" if summary else ""
    return (
        f"<item><title>{escape(item.title)}</title><link>{escape(link)}</link>"
        f'<guid isPermaLink="true">{escape(link)}</guid>{description}'
        f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>{category}</item>"
    )


def start_server(feeds: ReplayFeeds, port: int = 0, *, any_port_if_busy: bool = False) -> ThreadingHTTPServer:
    """Serve the feeds on 127.0.0.1:port (0: any free port). A busy port is
    an OSError, or with any_port_if_busy another free port is taken."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            if self.path in feeds.pages:
                self._page(feeds.page(self.path, feeds.clock()))
                return
            domain = self.path.removeprefix("/feeds/").removesuffix(".xml")
            rendered = feeds.render(domain, feeds.clock()) if self.path.startswith("/feeds/") else None
            if rendered is None:
                self.send_error(404)
                return
            body, etag = rendered
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def _page(self, body: bytes | None):
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    except OSError:
        if not any_port_if_busy or port == 0:
            raise
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    feeds.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True, name="replay-feeds").start()
    return server
