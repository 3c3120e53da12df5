"""URL canonicalisation: one article, one key, however the feed dressed the link."""

from urllib.parse import urlsplit

import courlan


def canonical_url(url: str) -> str:
    """Lower-cased host, default port and fragment dropped, tracking parameters
    (utm_*, fbclid, at_campaign, smid, ...) stripped — courlan's strict mode."""
    url = url.strip()
    try:
        normalized = courlan.normalize_url(url, strict=True)
    except ValueError:
        normalized = url
    return normalized or url


def is_web_url(url: str) -> bool:
    """Only http(s) links with a host are shown to readers or fetched."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def domain_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")
