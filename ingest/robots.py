"""robots.txt for article pages, fetched through ingest.http and kept per
origin (scheme, host and port: robots.txt applies to one origin) in the
database, where every worker finds it.

Feeds are not checked: an editor subscribed to them on purpose, as every feed
reader does. Article pages are crawled on our own initiative, so the site's
robots.txt decides. Following RFC 9309: a missing robots.txt (4xx) allows
everything; a server error or no answer disallows everything for a while.
Fetching robots.txt is a request like any other: it waits for the host's turn
(ingest/hostlimits.py).

Each worker process also keeps the parsed rules of the origins it met until
the stored rules expire: a worker sees the same few hundred outlets all day,
and reading and parsing the rules again cost a query and a parse per page."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from protego import Protego

from ingest import hostlimits, http
from ingest.models import RobotsRules

ROBOTS_TTL_SECONDS = 24 * 3600
UNREACHABLE_TTL_SECONDS = 3600  # retry a failing robots.txt sooner
DISALLOW_ALL = "User-agent: *\nDisallow: /\n"
ALLOW_ALL = ""
AGENT_TOKEN = "SurgeBot"  # the product token in settings.USER_AGENT
ROBOTS_MAX_BYTES = 512 * 1024  # Google reads the first 500 KiB


# Origins whose parsed rules one process keeps (oldest dropped first).
KEPT_ORIGINS = 2048
# origin -> (when the stored rules expire, parsed rules or None for "allow all")
_kept: dict[str, tuple[datetime, Protego | None]] = {}


def can_fetch(url: str, *, max_wait: float) -> bool | None:
    """Whether robots.txt lets us fetch url; None when its rules are not known
    and the host stayed busy for max_wait seconds (ask again later).
    http.BlockedAddress when the site is one Surge may not fetch from."""
    origin = origin_of(url)
    kept = _kept.get(origin)
    if kept is None or kept[0] <= timezone.now():
        found = _rules_for(url, origin, max_wait=max_wait)
        if found is None:
            return None
        rules, expires_at = found
        kept = _keep(origin, expires_at, Protego.parse(rules) if rules else None)
    parsed = kept[1]
    return True if parsed is None else parsed.can_fetch(url, AGENT_TOKEN)


def forget_kept_rules() -> None:
    """Drop this process's parsed rules (tests roll the database back)."""
    _kept.clear()


def _keep(origin: str, expires_at: datetime, parsed: Protego | None):
    _kept.pop(origin, None)
    while len(_kept) >= KEPT_ORIGINS:
        del _kept[next(iter(_kept))]
    _kept[origin] = (expires_at, parsed)
    return _kept[origin]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _rules_for(url: str, origin: str, *, max_wait: float) -> tuple[str, datetime] | None:
    """The robots.txt text that governs url (of this origin) and when it
    expires, from the database while fresh; None when it had to be fetched and
    the host stayed busy."""
    fresh = RobotsRules.objects.filter(origin=origin, expires_at__gt=timezone.now())
    stored = fresh.values_list("rules", "expires_at").first()  # "" (allow all) is a stored answer too
    if stored is not None:
        return stored
    with hostlimits.host_turn(url, max_wait=max_wait) as our_turn:
        if not our_turn:
            return None
        rules, ttl = _fetch_rules(origin)
    expires_at = timezone.now() + timedelta(seconds=ttl)
    _store(origin, rules, expires_at)
    return rules, expires_at


def _store(origin: str, rules: str, expires_at) -> None:
    fields = {"rules": rules, "expires_at": expires_at}
    try:
        with transaction.atomic():
            RobotsRules.objects.update_or_create(origin=origin, defaults=fields)
    except IntegrityError:  # another worker stored this origin a moment ago: ours is as fresh
        RobotsRules.objects.filter(origin=origin).update(**fields)


def _fetch_rules(origin: str) -> tuple[str, int]:
    """Raises http.BlockedAddress for an origin Surge never fetches from (not
    a public address): that is no answer from the site, so nothing is stored."""
    try:
        response = http.fetch(f"{origin}/robots.txt", accept="text/plain", max_bytes=ROBOTS_MAX_BYTES)
    except http.TooLarge:
        return ALLOW_ALL, ROBOTS_TTL_SECONDS  # junk, not a rule set
    except http.BlockedAddress:
        raise
    except http.FetchError:
        return DISALLOW_ALL, UNREACHABLE_TTL_SECONDS
    if response.status == 200:
        return response.text(), ROBOTS_TTL_SECONDS
    if 400 <= response.status < 500:
        return ALLOW_ALL, ROBOTS_TTL_SECONDS
    return DISALLOW_ALL, UNREACHABLE_TTL_SECONDS
