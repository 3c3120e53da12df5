"""Feed polling: which feeds are due, claiming one so no two workers fetch it,
fetching it politely, and storing each new item exactly once."""

import logging
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ingest import http
from ingest.feeds import FeedItem, NotAFeed, item_key, parse_feed
from ingest.models import Article, Feed
from ingest.urls import canonical_url

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
# A worker's lease on a claimed feed, in real time: longer than any fetch.
CLAIM_LEASE = timedelta(minutes=5)


@dataclass
class PollResult:
    status: str  # "ok", "not-modified", "error"
    new_article_ids: list[int] = field(default_factory=list)
    error: str = ""


def claim_due_feeds(now: datetime, *, limit: int) -> list[tuple[int, str]]:
    """Claim up to `limit` due feeds. Each claim is a conditional UPDATE that
    succeeds for one worker only; the token travels with the task so a late
    or repeated message for an expired claim does nothing."""
    real_now = timezone.now()
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=real_now)
    due = (
        Feed.objects.filter(unclaimed, paused=False)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .order_by("next_poll_at")
        .values_list("id", flat=True)[:limit]
    )
    claimed = []
    for feed_id in list(due):
        token = str(uuid.uuid4())
        won = Feed.objects.filter(unclaimed, id=feed_id, paused=False).update(
            claimed_until=real_now + CLAIM_LEASE, claim_token=token
        )
        if won:
            claimed.append((feed_id, token))
    return claimed


def poll_feed(feed: Feed, now: datetime) -> PollResult:
    """Fetch one feed (conditional GET), store its new items, and schedule the
    next poll. Never raises for a misbehaving feed: the error is recorded."""
    feed.last_polled_at = now
    try:
        response = http.fetch(
            feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            accept=FEED_ACCEPT,
        )
    except http.FetchError as exc:
        return _record_error(feed, now, exc.reason)

    if response.status == 304:
        _record_success(feed, now, response, parsed_items=None)
        return PollResult("not-modified")
    if response.status >= 400:
        reason = f"HTTP {response.status}"
        return _record_error(feed, now, reason, retry_after=response.retry_after_seconds)
    if response.status != 200:
        return _record_error(feed, now, f"unexpected HTTP {response.status}")

    try:
        parsed = parse_feed(
            response.body,
            base_url=response.url,
            content_type=response.headers.get("Content-Type", ""),
        )
    except NotAFeed as exc:
        return _record_error(feed, now, str(exc))

    new_ids = [aid for item in parsed.items if (aid := store_item(feed, item, now)) is not None]
    _adopt_permanent_redirect(feed, response)
    if parsed.title and not feed.title:
        feed.title = parsed.title[:300]
    feed.etag = (response.headers.get("ETag") or "")[:500]
    feed.last_modified = (response.headers.get("Last-Modified") or "")[:100]
    _record_success(feed, now, response, parsed_items=parsed.items, ttl_minutes=parsed.ttl_minutes)
    return PollResult("ok", new_article_ids=new_ids)


def store_item(feed: Feed, item: FeedItem, now: datetime) -> int | None:
    """Store a feed item as an Article unless it is already known, by
    canonical URL or by its identity in this feed. Returns the new id."""
    if not item.link:
        return None
    canonical = canonical_url(item.link)
    key = item_key(item)
    if Article.objects.filter(Q(canonical_url=canonical) | Q(feed=feed, guid=key)).exists():
        return None
    published = item.published_at
    if published is None or published > now:
        published = now  # never store a future time; undated items count from first sight
    try:
        with transaction.atomic():
            article = Article.objects.create(
                source_id=feed.source_id,
                feed=feed,
                url=item.link[:2000],
                canonical_url=canonical[:2000],
                guid=key[:1000],
                title=item.title[:2000],
                summary=item.summary[:5000],
                published_at=published,
                fetched_at=now,
            )
    except IntegrityError:
        return None  # another worker stored the same article a moment ago
    return article.pk


def _record_success(feed, now, response, *, parsed_items, ttl_minutes=None):
    interval = _adaptive_interval(feed, parsed_items)
    lower_bound = max(
        _max_age_seconds(response.headers.get("Cache-Control", "")),
        (ttl_minutes or 0) * 60,
    )
    interval = max(interval, min(lower_bound, settings.FEED_MAX_INTERVAL_SECONDS))
    feed.interval_seconds = int(interval)
    feed.error_count = 0
    feed.last_success_at = now
    if parsed_items:
        feed.items_seen = len(parsed_items)
    _schedule(feed, now, interval)


def _record_error(feed, now, reason, *, retry_after=None) -> PollResult:
    """Back off exponentially (capped), but keep retrying forever: a feed is
    never silently dropped. Retry-After is honoured as a lower bound."""
    feed.error_count += 1
    feed.last_error = reason[:1000]
    feed.last_error_at = now
    backoff = min(
        settings.FEED_MIN_INTERVAL_SECONDS * 2 ** min(feed.error_count - 1, 20),
        settings.FEED_MAX_INTERVAL_SECONDS,
    )
    if retry_after:
        backoff = max(backoff, min(retry_after, settings.FEED_MAX_INTERVAL_SECONDS))
    log.info("feed %s failed (%s), next try in %ss", feed.url, reason, int(backoff))
    _schedule(feed, now, backoff)
    return PollResult("error", error=reason)


def _schedule(feed, now, seconds):
    # ±10% jitter so feeds added together do not stay in lockstep.
    jittered = seconds * random.uniform(0.9, 1.1)
    feed.next_poll_at = now + timedelta(seconds=jittered)
    feed.claimed_until = None
    feed.claim_token = ""
    feed.save()


def _adaptive_interval(feed, items) -> float:
    """Poll about twice per typical gap between the feed's items, so a busy
    wire feed is read every few minutes and a weekly blog a few times a day."""
    low, high = settings.FEED_MIN_INTERVAL_SECONDS, settings.FEED_MAX_INTERVAL_SECONDS
    if not items:
        return min(max(feed.interval_seconds, low), high)
    times = sorted(i.published_at for i in items if i.published_at)
    if len(times) < 2:
        return min(max(feed.interval_seconds, low), high)
    span = (times[-1] - times[0]).total_seconds()
    gap = span / (len(times) - 1)
    return min(max(gap / 2, low), high)


def _max_age_seconds(cache_control: str) -> int:
    for part in cache_control.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age":
            try:
                return max(int(value.strip('"')), 0)
            except ValueError:
                return 0
    return 0


def _adopt_permanent_redirect(feed, response):
    """Only a permanent redirect seen on two polls in a row is adopted: a
    one-off misconfiguration must not move a feed for good."""
    target = response.permanent_redirect
    if not target or target == feed.url:
        feed.redirect_candidate, feed.redirect_count = "", 0
        return
    if target == feed.redirect_candidate:
        feed.redirect_count += 1
    else:
        feed.redirect_candidate, feed.redirect_count = target[:2000], 1
    if feed.redirect_count >= 2 and not Feed.objects.filter(url=target).exists():
        log.info("feed %s moved permanently to %s", feed.url, target)
        feed.url = target
        feed.redirect_candidate, feed.redirect_count = "", 0
