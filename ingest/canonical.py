"""URL canonicalisation: one article, one key, however the feed dressed the link."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import courlan

# Campaign tags news sites add on top of courlan's list (utm_*, fbclid, gclid, ...).
NEWS_TRACKERS = re.compile(
    r"^(?:at_\w+|smid|smtyp|ocid|cmpid|cmp|mbid|ito|s_cid|src|ns_\w+|sr_share|taid)$", re.I
)


def canonical_url(url: str) -> str:
    """Lower-cased scheme and host, default port and fragment dropped,
    tracking parameters stripped (courlan's tracker list and a few news-site
    ones). Other query parameters stay: on many sites (?v=, ?id=, ?p=) they
    are what tells one article from another."""
    url = url.strip()
    try:
        normalized = courlan.normalize_url(url, strict=False) or url
        parts = urlsplit(normalized)
    except ValueError:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not NEWS_TRACKERS.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


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
