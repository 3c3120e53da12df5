"""Real full-text articles labelled by event (../shared/data/giveme5w1h), served
as feeds and pages by the local fake web for end-to-end tests."""

import gzip
import json
from datetime import datetime
from email.utils import format_datetime
from functools import cache
from html import escape

from lab.crawl_bench.feeds import article_page
from tests.realdata import DATA

GIVEME = DATA / "giveme5w1h" / "news_cluster.jsonl.gz"


@cache
def articles_by_event() -> dict[int, list[dict]]:
    events: dict[int, list[dict]] = {}
    with gzip.open(GIVEME, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("text") and len(row["text"]) > 800:
                events.setdefault(row["newsCluster"]["EventId"], []).append(row)
    return events


def rss(title: str, entries: list[tuple[dict, str, datetime]]) -> bytes:
    """An RSS 2.0 document; entries are (article, link, published)."""
    items = "".join(
        f"<item><title>{escape(a['title'])}</title><link>{escape(link)}</link>"
        f"<guid>{escape(link)}</guid><description>{escape(a.get('description') or '')}</description>"
        f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate></item>"
        for a, link, published in entries
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>http://example.org/</link><description>test</description>{items}</channel></rss>"
    ).encode()


def page(article: dict) -> bytes:
    return article_page(article["title"], article["text"])
