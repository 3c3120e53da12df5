"""The page cache and conditional GET for the site, the feeds and the API.

An anonymous reader's page is kept in Django's cache (settings.CACHES, see
CACHE_URL) with the versions it was built from (trends.page_versions): the
listing and the hour for a list of stories, the hour, the story and the
stories it links to for a trend page. It is served again while all of them
still hold and Surge's clock is in the same minute (pages say "9h ago").
Anything that changes what a page shows bumps a version, so the next
request builds the page afresh.

A page is stored only if neither LISTING nor HOUR moved while it was built:
every change bumps one of them before its story keys, so a page built from
rows a writer was changing is served once and not kept.

Every answer to an anonymous reader carries an ETag (a hash of the body)
and a short public max-age; a matching If-None-Match gets a 304. Two kinds
of request skip the cache and get no ETag: logged-in editors (their page
carries controls and the outcome of what they just did), and any request
with django.contrib.messages waiting to be shown. A request running inside
an open transaction (the tests) may see uncommitted rows, so it neither
reads nor fills the shared cache."""

import hashlib
import logging
from functools import partial, wraps

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag

from ingest import clock
from trends import page_versions
from trends.page_versions import HOUR, LISTING, story_key

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 60
# Relative times on pages are in minutes at the finest.
CLOCK_GRAIN_SECONDS = 60
# How long a built page stays in the cache (it is only served within its minute).
PAGE_SECONDS = 600
STORY_PART_SECONDS = 24 * 3600
GUARDS = [LISTING, HOUR]

# What a view's pages depend on before it runs (views add more: depends_on).
LISTS = "lists"
ONE_STORY = "story"


def has_pending_messages(request) -> bool:
    """Messages queued for this request; len() looks without marking them shown."""
    if not hasattr(request, "_messages"):
        return False
    return len(get_messages(request)) > 0


def is_personal(request) -> bool:
    """A page only this person should see, as it is now: never cached, never a 304."""
    return getattr(request.user, "is_authenticated", False) or has_pending_messages(request)


def depends_on(request, keys) -> None:
    """The page being built also shows what these version keys stand for."""
    dependencies = getattr(request, "page_dependencies", None)
    if dependencies is not None:
        dependencies.extend(keys)


def cacheable(view=None, *, scope: str = LISTS):
    """Serve anonymous readers from the page cache (see the module doc)."""
    if view is None:
        return partial(cacheable, scope=scope)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if is_personal(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True, max_age=0)
            patch_vary_headers(response, ["Cookie"])
            return response
        if request.method not in ("GET", "HEAD") or connection.in_atomic_block:
            response = view(request, *args, **kwargs)
            return _public(request, response, _etag(response))
        try:
            return _cached(view, scope, request, args, kwargs)
        except page_versions.CacheUnavailable:
            response = view(request, *args, **kwargs)
            return _public(request, response, _etag(response))

    return wrapper


def _cached(view, scope, request, args, kwargs):
    key = page_key(request)
    minute = int(clock.now().timestamp()) // CLOCK_GRAIN_SECONDS
    entry = page_versions.guarded(cache.get, key)
    if entry is not None:
        built_minute, versions, etag, content_type, body = entry
        if built_minute == minute and page_versions.current(list(versions)) == versions:
            return _public(request, HttpResponse(body, content_type=content_type), etag)

    before = page_versions.current(GUARDS)
    request.page_dependencies = _dependencies(scope, kwargs)
    response = view(request, *args, **kwargs)
    etag = _etag(response)
    if etag is not None and not response.cookies:
        versions = page_versions.current(list(dict.fromkeys(request.page_dependencies)))
        if page_versions.current(GUARDS) == before:
            entry = (minute, versions, etag, response["Content-Type"], response.content)
            page_versions.guarded(cache.set, key, entry, PAGE_SECONDS)
    return _public(request, response, etag)


def kept_until_story_changes(story_id: int, name: str, compute):
    """compute() once per version of the story, not once per page build: for
    the parts of a page that cost time with the story's size but do not
    follow the clock (a page is rebuilt every minute; the story changes when
    an article joins it or an editor acts)."""
    if connection.in_atomic_block:
        return compute()
    key = f"story-part:{story_id}:{hashlib.sha256(name.encode()).hexdigest()[:24]}"
    try:
        token = page_versions.current([story_key(story_id)])[story_key(story_id)]
        kept = page_versions.guarded(cache.get, key)
    except page_versions.CacheUnavailable:
        return compute()
    if kept is not None and kept[0] == token:
        return kept[1]
    value = compute()
    try:
        page_versions.guarded(cache.set, key, (token, value), STORY_PART_SECONDS)
    except page_versions.CacheUnavailable:
        pass
    return value


def _dependencies(scope: str, kwargs) -> list[str]:
    if scope == ONE_STORY:
        return [HOUR, story_key(kwargs["pk"])]
    return [LISTING, HOUR]


def page_key(request) -> str:
    where = f"{request.get_host()}{request.get_full_path()}"
    return "page:" + hashlib.sha256(where.encode()).hexdigest()[:40]


def _etag(response) -> str | None:
    """A hash of the body, for complete 200 answers only."""
    if response.status_code != 200 or response.streaming:
        return None
    return quote_etag(hashlib.sha256(response.content).hexdigest()[:32])


def _public(request, response, etag: str | None):
    if etag is not None:
        response["ETag"] = etag
        response = get_conditional_response(request, etag=etag, response=response)
    patch_cache_control(response, public=True, max_age=MAX_AGE_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return response
