"""Conditional GET for the site, the feeds and the API.

A page changes when a story changes (editors, refresh: Story.updated_at and
brief_updated_at), when the hourly pass writes a snapshot, when an article
arrives, or when the clock moves on ("9h ago"). The ETag hashes all of
that in one query, plus the URL and who is asking (editors see controls).

Two kinds of request get no ETag and never a 304: logged-in editors (their
page carries controls and the outcome of what they just did), and any
request with django.contrib.messages waiting to be shown. A refused
editorial action changes nothing the ETag hashes, so a 304 would keep its
error message from ever showing."""

import hashlib
from functools import wraps

from django.contrib.messages import get_messages
from django.db.models import Max
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from editorial.models import EditorialAction
from ingest import clock
from ingest.models import Article
from trends.models import Story, StorySnapshot

MAX_AGE_SECONDS = 60
# Relative times on pages are in minutes at the finest: the ETag follows the
# clock to the minute.
CLOCK_GRAIN_SECONDS = 60


def site_state() -> str:
    row = Story.objects.aggregate(updated=Max("updated_at"), brief=Max("brief_updated_at"))
    snapshot = StorySnapshot.objects.aggregate(last=Max("hour"))["last"]  # indexed
    latest_article = Article.objects.aggregate(last=Max("id"))["last"]
    # Editors' actions count even where they update rows without touching updated_at.
    latest_action = EditorialAction.objects.aggregate(last=Max("id"))["last"]
    return f"{row['updated']}|{row['brief']}|{snapshot}|{latest_article}|{latest_action}"


def page_etag(request, *args, **kwargs) -> str:
    now = clock.now()
    user = request.user
    viewer = f"user:{user.pk}" if getattr(user, "is_authenticated", False) else "anonymous"
    raw = "|".join(
        [
            site_state(),
            str(int(now.timestamp()) // CLOCK_GRAIN_SECONDS),
            request.get_full_path(),
            viewer,
        ]
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def has_pending_messages(request) -> bool:
    """Messages queued for this request; len() looks without marking them shown."""
    if not hasattr(request, "_messages"):
        return False
    return len(get_messages(request)) > 0


def is_personal(request) -> bool:
    """A page only this person should see, as it is now: never a 304."""
    return getattr(request.user, "is_authenticated", False) or has_pending_messages(request)


def cacheable(view):
    """ETag + If-None-Match → 304, and a short shared cache lifetime for
    anonymous readers; editors and pending messages get a fresh, private page."""
    conditional = condition(etag_func=page_etag)(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if is_personal(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True, max_age=0)
        else:
            response = conditional(request, *args, **kwargs)
            patch_cache_control(response, public=True, max_age=MAX_AGE_SECONDS)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper
