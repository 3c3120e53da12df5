"""robots.txt for article pages, fetched through ingest.http and cached per
host (scheme, host and port: robots.txt applies to one origin).

Feeds are not checked: an editor subscribed to them on purpose, as every feed
reader does. Article pages are crawled on our own initiative, so the site's
robots.txt decides. Following RFC 9309: a missing robots.txt (4xx) allows
everything; a server error or no answer disallows everything for a while."""

from urllib.parse import urlsplit

from django.core.cache import cache
from protego import Protego

from ingest import http

ROBOTS_TTL_SECONDS = 24 * 3600
UNREACHABLE_TTL_SECONDS = 3600  # retry a failing robots.txt sooner
DISALLOW_ALL = "User-agent: *\nDisallow: /\n"
ALLOW_ALL = ""
AGENT_TOKEN = "SurgeBot"  # the product token in settings.USER_AGENT
ROBOTS_MAX_BYTES = 512 * 1024  # Google reads the first 500 KiB


def can_fetch(url: str) -> bool:
    rules = robots_for(url)
    if not rules:
        return True
    return Protego.parse(rules).can_fetch(url, AGENT_TOKEN)


def robots_for(url: str) -> str:
    """The robots.txt text that governs `url` (cached)."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    key = f"robots:{origin}"
    rules = cache.get(key)
    if rules is None:
        rules, ttl = _fetch_rules(origin)
        cache.set(key, rules, ttl)
    return rules


def _fetch_rules(origin: str) -> tuple[str, int]:
    try:
        response = http.fetch(f"{origin}/robots.txt", accept="text/plain", max_bytes=ROBOTS_MAX_BYTES)
    except http.TooLarge:
        return ALLOW_ALL, ROBOTS_TTL_SECONDS  # junk, not a rule set
    except http.FetchError:
        return DISALLOW_ALL, UNREACHABLE_TTL_SECONDS
    if response.status == 200:
        return response.text(), ROBOTS_TTL_SECONDS
    if 400 <= response.status < 500:
        return ALLOW_ALL, ROBOTS_TTL_SECONDS
    return DISALLOW_ALL, UNREACHABLE_TTL_SECONDS
