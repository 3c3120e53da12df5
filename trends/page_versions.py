"""Versions of what the readers' pages show, kept in Django's cache (the
page cache in web.caching validates every cached page against them).

Three kinds of version, each a random token under its own key:

- LISTING: every list of stories (front, category, topic, search, digest,
  the feeds and API lists);
- HOUR: what the hourly pass writes (velocity, lifecycle, forecast, charts);
- story_key(id): one story's page, feeds and API answer.

Whoever changes what a page shows calls stories_changed() (assignment, the
word refresh, every editorial action through record_action) or
hour_passed() (the hourly pass). The new tokens are written once the
caller's transaction commits; until then a reader sees the old rows and
may cache them under the old tokens, which the bump then retires.

Order matters for the page cache's check (see web.caching): LISTING or
HOUR is always written before the story keys of the same change."""

import logging
import secrets

from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)

LISTING = "pages:listing"
HOUR = "pages:hour"
# A version nobody bumped for this long is dropped; the next reader makes a
# new one (one extra page build), so expiry never serves a stale page.
VERSION_SECONDS = 7 * 24 * 3600


def story_key(story_id: int) -> str:
    return f"pages:story:{story_id}"


def stories_changed(story_ids) -> None:
    """These stories' pages and every list changed (once the transaction commits)."""
    keys = [LISTING, *(story_key(pk) for pk in sorted(set(story_ids)))]
    # robust: the change is committed whatever the cache says; a page left
    # behind by a failed bump lives until its minute ends (web.caching).
    transaction.on_commit(lambda: bump(keys), robust=True)


def hour_passed() -> None:
    """The hourly pass wrote new figures for every tracked story."""
    transaction.on_commit(lambda: bump([HOUR]), robust=True)


def bump(keys: list[str]) -> None:
    """A new token for each key, written in the order given."""
    token = secrets.token_hex(8)
    cache.set_many({key: token for key in keys}, VERSION_SECONDS)


def current(keys: list[str]) -> dict[str, str]:
    """The tokens of these keys now; a key never bumped (or expired) gets one."""
    tokens = guarded(cache.get_many, keys)
    for key in keys:
        if key not in tokens:
            guarded(cache.add, key, secrets.token_hex(8), VERSION_SECONDS)
            tokens[key] = guarded(cache.get, key, "")
    return tokens


class CacheUnavailable(Exception):
    """The cache backend failed (Redis down, database cache table missing…)."""


def guarded(operation, *args):
    """Run one cache operation; whatever a backend raises becomes CacheUnavailable,
    so a page is built without the cache instead of failing."""
    try:
        return operation(*args)
    except Exception as exc:
        log.warning("page cache unavailable: %s: %s", type(exc).__name__, exc)
        raise CacheUnavailable(str(exc)) from exc
