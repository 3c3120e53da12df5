"""The crawl benchmarks' local feeds: N feeds x M items, each item with an
article page, real article texts from ../shared/data/giveme5w1h."""

import gzip
import json
import threading
import time
from email.utils import format_datetime
from html import escape as html_escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone

TEXTS = Path(settings.BASE_DIR).parent / "shared" / "data" / "giveme5w1h" / "news_cluster.jsonl.gz"


def load_texts() -> list[dict]:
    rows = []
    with gzip.open(TEXTS, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("title") and len(row.get("text") or "") > 500:
                rows.append(
                    {"title": row["title"], "text": row["text"], "description": row.get("description") or ""}
                )
    return rows


class BenchServer:
    """Feeds at /feed/<i>.xml, article pages at /article/<i>/<j>.html."""

    def __init__(self, n_feeds: int, n_items: int, texts: list[dict], *, latency: float = 0.0):
        """latency: seconds each answer waits before it is sent, as a distant
        outlet's server would (the local one answers in about a millisecond)."""
        self.n_feeds, self.n_items, self.texts = n_feeds, n_items, texts
        self.latency = latency
        self.published = timezone.now()
        bench = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                status, ctype, body = bench.respond(self.path)
                if bench.latency:
                    time.sleep(bench.latency)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self):
        self.httpd.shutdown()

    def texts_to_embed(self) -> list[str]:
        """What the workers embed for each item: its title and feed summary."""
        from trends.stories.embedding import article_text

        return [
            article_text(row["title"], " ".join(row["description"][:300].split()))
            for row in (self._text(i, j) for i in range(self.n_feeds) for j in range(self.n_items))
        ]

    def _text(self, i: int, j: int) -> dict:
        return self.texts[(i * self.n_items + j) % len(self.texts)]

    def respond(self, path: str) -> tuple[int, str, bytes]:
        parts = path.strip("/").removesuffix(".xml").removesuffix(".html").split("/")
        try:
            if parts[0] == "feed" and len(parts) == 2:
                return 200, "application/rss+xml; charset=utf-8", self._feed(int(parts[1]))
            if parts[0] == "article" and len(parts) == 3:
                return 200, "text/html; charset=utf-8", self._page(int(parts[1]), int(parts[2]))
        except ValueError:
            pass
        return 404, "text/plain", b"not found"

    def _feed(self, i: int) -> bytes:
        items = []
        for j in range(self.n_items):
            row = self._text(i, j)
            when = format_datetime(self.published, usegmt=True)
            items.append(
                f"<item><title>{escape(row['title'])}</title><link>{self.url(f'/article/{i}/{j}.html')}</link>"
                f"<guid isPermaLink='false'>bench-{i}-{j}</guid><pubDate>{when}</pubDate>"
                f"<description>{escape(row['description'][:300])}</description></item>"
            )
        return (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench {i}</title>'
            f"<link>{self.url('/')}</link>{''.join(items)}</channel></rss>"
        ).encode()

    def _page(self, i: int, j: int) -> bytes:
        row = self._text(i, j)
        return article_page(row["title"], row["text"])


def article_page(title: str, text: str) -> bytes:
    """An article's page as outlets serve it: the text in paragraphs, between
    navigation and a footer that extraction must leave out."""
    paragraphs = "".join(f"<p>{html_escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (
        f"<!doctype html><html lang='en'><head><title>{html_escape(title)}</title></head><body>"
        f"<nav>Home | World | Sport</nav><article><h1>{html_escape(title)}</h1>{paragraphs}</article>"
        "<footer>Copyright</footer></body></html>"
    ).encode()
