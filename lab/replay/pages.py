"""The full-text replay: the Giveme5W1H articles (../shared/data/giveme5w1h,
full text, title, date and outlet) played back as one feed per outlet and one
page per article, so that the crawler fetches real article pages and the
extractor and the text briefs run end to end without internet.

The articles were published between 2013 and 2018; the replay re-times them
onto its own days, in publication order and evenly spaced, so each event's
articles still arrive together and stories rise and fade on the replayed
clock. The feed item carries the article's description as its summary, the
page its paragraphs; the page names the original URL as rel=canonical, so
the coverage list links to the publisher."""

import gzip
import json
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from lab.newsriver import StreamItem

PAGE_PREFIX = "/articles/"
# Giveme5W1H's categories as the replay's feeds hint them (see lab.newsriver.CATEGORY_HINTS).
_HINTS = {"technology": "tech", "sports": "sports", "business": "business", "entertainment": "culture"}


def read_full_text_stream(
    path: str | Path, start: datetime, days: float
) -> tuple[list[StreamItem], dict[str, bytes], dict[str, str]]:
    """The stream items (links relative to the replay server), the page of
    each article by path, and each item's summary by link."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    rows = [r for r in rows if r.get("title") and r.get("text") and r.get("source_domain")]
    if not rows:
        return [], {}, {}
    rows.sort(key=lambda r: (r.get("date_publish") or "", r["title"]))
    step = timedelta(days=days) / len(rows)
    items, pages, summaries = [], {}, {}
    for number, row in enumerate(rows):
        link = f"{PAGE_PREFIX}{number}"
        domain = row["source_domain"].lower().removeprefix("www.")
        items.append(
            StreamItem(
                source=domain,
                domain=domain,
                title=" ".join(row["title"].split()),
                link=link,
                published=None,
                first_seen=start + step * number,
                category=_HINTS.get((row.get("newsCluster") or {}).get("Category", ""), ""),
            )
        )
        pages[link] = article_page(row)
        summaries[link] = " ".join((row.get("description") or "").split())
    return items, pages, summaries


def article_page(row: dict) -> bytes:
    """An article page as a news site serves one: navigation, the article
    (headline, date, paragraphs), a footer."""
    paragraphs = "".join(f"<p>{escape(p.strip())}</p>" for p in row["text"].split("\n") if p.strip())
    canonical = f'<link rel="canonical" href="{escape(row["url"])}">' if row.get("url") else ""
    published = escape(row.get("date_publish") or "")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(row['title'])}</title>{canonical}"
        f"<meta property='article:published_time' content='{published}'></head>"
        "<body><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        f"<article><h1>{escape(row['title'])}</h1>{paragraphs}</article>"
        "<footer>© The publisher</footer></body></html>"
    ).encode()
