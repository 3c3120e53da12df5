"""Feed autodiscovery: from a site's page to its feeds, through the
<link rel="alternate" type="application/rss+xml" href="..."> tags that
browsers and feed readers use."""

from urllib.parse import urljoin

import lxml.html

from ingest.canonical import is_web_url

FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
}


def discover_feed_links(html: str | bytes, base_url: str) -> list[str]:
    """Absolute URLs of the feeds a page announces, in page order, without
    repeats. Relative hrefs resolve against <base href> or the page URL."""
    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    base = doc.xpath("string(//base/@href)").strip()
    base_url = urljoin(base_url, base) if base else base_url
    found: list[str] = []
    for link in doc.xpath("//link[@href]"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rels or kind not in FEED_TYPES:
            continue
        url = urljoin(base_url, link.get("href").strip())
        if is_web_url(url) and url not in found:
            found.append(url)
    return found
