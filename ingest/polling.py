"""Feed polling: which feeds are due, claiming one so no two workers fetch it,
fetching it politely, and storing each new item exactly once.

Politeness: conditional GET; Retry-After (429/503) and Cache-Control max-age
or the feed's <ttl> as lower bounds on the next poll; an interval adapted to
the feed's own posting rate, bounded and jittered; per-host limits
(ingest/hostlimits.py). Errors back off exponentially, capped at
FEED_MAX_INTERVAL_SECONDS, and are retried for ever; the feed shows its last
error and error count (Feed.is_failing) meanwhile."""

import logging
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from ingest import hostlimits, http, leases
from ingest.canonical import canonical_url
from ingest.feeds import FeedItem, NotAFeed, item_key, item_keys, parse_feed
from ingest.models import Article, Feed
from ingest.timing import timed

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
# How long a poll waits for its host's turn before trying again later.
HOST_WAIT_SECONDS = 30
# The posting rate is measured over the feed's items of the last week.
RATE_WINDOW = timedelta(days=7)
DAY = 24 * 3600


@dataclass
class PollResult:
    status: str  # "ok", "not-modified", "error", "deferred", "lost-claim"
    new_article_ids: list[int] = field(default_factory=list)
    error: str = ""


def claim_due_feeds(now: datetime, *, limit: int) -> list[tuple[int, str]]:
    """Claim up to `limit` due feeds. Each claim is a conditional UPDATE that
    succeeds for one worker only; the token travels with the task so a late
    or repeated message for an expired claim does nothing. The claim is a
    short lease (ingest/leases.py): the poll renews it while it runs."""
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
            claimed_until=leases.lease_end(real_now), claim_token=token
        )
        if won:
            claimed.append((feed_id, token))
    return claimed


def poll_feed(feed: Feed, now: datetime) -> PollResult:
    """Fetch one feed (conditional GET), store its new items, and schedule the
    next poll. Never raises for a misbehaving feed: the error is recorded.
    `feed` carries the claim token it was claimed with: the new state is only
    written if that claim is still this worker's, which a heartbeat keeps
    while the poll runs."""
    with leases.heartbeat(Feed, feed.claim_token):
        return _poll(feed, now)


def _poll(feed: Feed, now: datetime) -> PollResult:
    feed.last_polled_at = now
    with hostlimits.host_turn(feed.url, max_wait=HOST_WAIT_SECONDS) as our_turn:
        if not our_turn:
            return _defer(feed, now, hostlimits.seconds_until_turn(hostlimits.host_of(feed.url)))
        try:
            with timed("fetch"):
                response = http.fetch(
                    feed.url,
                    etag=feed.etag,
                    last_modified=feed.last_modified,
                    accept=FEED_ACCEPT,
                )
        except http.FetchError as exc:
            return _record_error(feed, now, exc.reason)

    if response.status == 304:
        _adopt_permanent_redirect(feed, response)
        return _record_success(feed, now, response, items=None, new_ids=[])
    if response.status >= 400:
        return _record_error(feed, now, f"HTTP {response.status}", retry_after=response.retry_after_seconds)
    if response.status != 200:
        return _record_error(feed, now, f"unexpected HTTP {response.status}")

    try:
        with timed("parse"):
            parsed = parse_feed(
                response.body,
                base_url=response.url,
                content_type=response.headers.get("Content-Type", ""),
            )
    except NotAFeed as exc:
        return _record_error(feed, now, str(exc))
    except Exception as exc:  # noqa: BLE001 -- a parser bug on hostile input: the feed's error, not the worker's
        log.exception("feed %s: the document could not be parsed", feed.url)
        return _record_error(feed, now, f"feed could not be parsed ({type(exc).__name__}: {exc})")

    new_ids, left_over = store_items(feed, parsed.items, now)
    _adopt_permanent_redirect(feed, response)
    if parsed.title and not feed.title:
        feed.title = parsed.title[:300]
    if left_over:
        # Without validators the next poll gets the whole document again (a
        # 304 would hide the items left over), and it comes soon.
        log.info("feed %s: %d new items left for the next polls", feed.url, left_over)
        feed.etag = feed.last_modified = ""
    else:
        feed.etag = (response.headers.get("ETag") or "")[:500]
        feed.last_modified = (response.headers.get("Last-Modified") or "")[:100]
    if parsed.skipped:
        log.warning("feed %s: %d unreadable entries skipped", feed.url, parsed.skipped)
    return _record_success(
        feed,
        now,
        response,
        items=parsed.items,
        new_ids=new_ids,
        ttl=parsed.ttl_minutes,
        skipped=parsed.skipped,
        soon=bool(left_over),
    )


def store_items(feed: Feed, items: list[FeedItem], now: datetime) -> tuple[list[int], int]:
    """Store the document's new items, newest first, at most
    FEED_ITEMS_PER_POLL of them: one huge feed must not flood the pipeline
    ahead of every other feed. Returns (new article ids, new items left for
    later polls). Known items, by this feed's identity or by canonical URL,
    are looked up in batches, not one by one."""
    keys = item_keys(items)
    known = _known_titles(feed, keys)
    canonicals = [canonical_url(item.link) if item.link else "" for item in items]
    taken = _stored_canonicals(
        [c for c, key in zip(canonicals, keys, strict=True) if c and key[:1000] not in known]
    )
    limit = settings.FEED_ITEMS_PER_POLL
    new_ids: list[int] = []
    left_over = 0
    # Undated items count from first sight (now), as store_item dates them.
    order = sorted(range(len(items)), key=lambda i: items[i].published_at or now, reverse=True)
    for index in order:
        item, key, canonical = items[index], keys[index], canonicals[index]
        if (stored := known.get(key[:1000])) is not None:
            if item.title and item.title != stored[1]:
                Article.objects.filter(pk=stored[0]).update(title=item.title[:2000])
            continue
        if not item.link or canonical[:2000] in taken:
            continue
        if len(new_ids) >= limit:
            left_over += 1
            continue
        if article_id := _create_article(feed, item, now, key, canonical):
            new_ids.append(article_id)
            taken.add(canonical[:2000])
    return new_ids, left_over


def _known_titles(feed: Feed, keys: list[str]) -> dict[str, tuple[int, str]]:
    """{key: (article id, title)} for the keys this feed already stored."""
    known = {}
    wanted = sorted({key[:1000] for key in keys})
    for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
        chunk = wanted[start : start + 500]
        rows = Article.objects.filter(feed=feed, guid__in=chunk).values_list("guid", "pk", "title")
        known.update({guid: (pk, title) for guid, pk, title in rows})
    return known


def _stored_canonicals(urls: list[str]) -> set[str]:
    """Those of these canonical URLs some article (of any feed) already has."""
    taken: set[str] = set()
    wanted = sorted({url[:2000] for url in urls})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        taken.update(Article.objects.filter(canonical_url__in=chunk).values_list("canonical_url", flat=True))
    return taken


def store_item(feed: Feed, item: FeedItem, now: datetime, *, key: str | None = None) -> int | None:
    """Store a feed item as an Article unless it is already known, by its
    identity in this feed or by canonical URL. Returns the new id. A known
    item whose headline was edited gets the new headline."""
    if not item.link:
        return None  # nothing to show a reader, nothing to fetch
    canonical = canonical_url(item.link)
    key = key or item_key(item)
    known = Article.objects.filter(feed=feed, guid=key).only("pk", "title").first()
    if known is not None:
        if item.title and item.title != known.title:
            Article.objects.filter(pk=known.pk).update(title=item.title[:2000])
        return None
    if Article.objects.filter(canonical_url=canonical).exists():
        return None
    return _create_article(feed, item, now, key, canonical)


def _create_article(feed: Feed, item: FeedItem, now: datetime, key: str, canonical: str) -> int | None:
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


def _record_success(feed, now, response, *, items, new_ids, ttl=None, skipped=0, soon=False) -> PollResult:
    """soon: items were left for later, so the next poll is at the shortest interval."""
    if items is not None:
        feed.items_seen = len(items)
        feed.items_skipped = skipped
        feed.items_per_day = _posting_rate(feed, items, len(new_ids), now)
    interval = settings.FEED_MIN_INTERVAL_SECONDS if soon else adaptive_interval(feed.items_per_day)
    lower_bound = max(_max_age_seconds(response.headers.get("Cache-Control", "")), (ttl or 0) * 60)
    server_floor = min(lower_bound, settings.FEED_MAX_INTERVAL_SECONDS)
    interval = max(interval, server_floor)
    feed.interval_seconds = int(interval)
    feed.error_count = 0
    feed.last_success_at = now
    _schedule(feed, now, interval, jitter_below=interval > server_floor)
    if not _save_if_still_claimed(feed):
        return PollResult("lost-claim", new_article_ids=new_ids)
    return PollResult("ok" if items is not None else "not-modified", new_article_ids=new_ids)


def _record_error(feed, now, reason, *, retry_after=None) -> PollResult:
    """Back off exponentially (capped), but keep retrying forever: a feed is
    never silently dropped. Retry-After is honoured as a lower bound."""
    feed.error_count += 1
    feed.last_error = reason[:1000]
    feed.last_error_at = now
    backoff = error_backoff_seconds(feed.error_count)
    if retry_after:
        backoff = max(backoff, min(retry_after, settings.FEED_MAX_INTERVAL_SECONDS))
    log.info("feed %s failed (%s), next try in %ss", feed.url, reason, int(backoff))
    _schedule(feed, now, backoff, jitter_below=retry_after is None)
    _save_if_still_claimed(feed)
    return PollResult("error", error=reason)


def _defer(feed, now, seconds) -> PollResult:
    """The host is busy with other feeds of ours: try this one a bit later,
    without counting an error."""
    feed.next_poll_at = now + timedelta(seconds=max(seconds, 5))
    feed.claimed_until = None  # the claim token is cleared by the save, which needs it
    _save_if_still_claimed(feed)
    return PollResult("deferred")


def error_backoff_seconds(error_count: int) -> float:
    return min(
        settings.FEED_MIN_INTERVAL_SECONDS * 2 ** min(max(error_count - 1, 0), 20),
        settings.FEED_MAX_INTERVAL_SECONDS,
    )


def adaptive_interval(items_per_day: float) -> float:
    """Poll about twice per typical gap between the feed's items, so a busy
    wire feed is read every few minutes and a weekly blog once a day."""
    low, high = settings.FEED_MIN_INTERVAL_SECONDS, settings.FEED_MAX_INTERVAL_SECONDS
    if items_per_day <= 0:
        return high
    return min(max(DAY / items_per_day / 2, low), high)


def _posting_rate(feed, items: list[FeedItem], new_count: int, now: datetime) -> float:
    """Items per day. From the dates of the items posted in the last week
    when there are at least two; otherwise from how many new items appeared
    since the last successful poll, smoothed with the previous estimate."""
    recent = [i.published_at for i in items if i.published_at and now - RATE_WINDOW <= i.published_at <= now]
    if len(recent) >= 2:
        span_days = max((now - min(recent)).total_seconds() / DAY, 1 / 24)
        return (len(recent) - 1) / span_days  # gaps between items, not items
    if feed.last_success_at is None:
        return float(len(recent))
    elapsed_days = max((now - feed.last_success_at).total_seconds() / DAY, 1 / 24)
    return 0.5 * feed.items_per_day + 0.5 * (new_count / elapsed_days)


def _schedule(feed, now, seconds, *, jitter_below=True):
    # ±10% jitter so feeds added together do not stay in lockstep; kept within
    # the bounds, and never below a server's Retry-After.
    low = settings.FEED_MIN_INTERVAL_SECONDS if jitter_below else seconds
    jittered = seconds * random.uniform(0.9 if jitter_below else 1.0, 1.1)
    jittered = min(max(jittered, low), max(settings.FEED_MAX_INTERVAL_SECONDS, seconds))
    feed.next_poll_at = now + timedelta(seconds=jittered)
    feed.claimed_until = None


# The Feed columns a poll owns. Everything else (url, paused, source, title,
# category_hint) belongs to editors, whose concurrent edits a poll must not revert.
POLL_FIELDS = (
    "etag",
    "last_modified",
    "next_poll_at",
    "interval_seconds",
    "claimed_until",
    "last_polled_at",
    "last_success_at",
    "error_count",
    "last_error",
    "last_error_at",
    "items_seen",
    "items_skipped",
    "items_per_day",
    "redirect_candidate",
    "redirect_count",
)


def _save_if_still_claimed(feed) -> bool:
    """Write the poll's outcome only while the claim it ran under is still
    ours: a worker that outlived its lease must not overwrite the state of
    the worker that took the feed over. Only the fields polling owns are
    written; the title only fills an empty one, the url only moves for an
    adopted redirect."""
    token = feed.claim_token
    feed.claim_token = ""
    fields = {name: getattr(feed, name) for name in POLL_FIELDS}
    fields["claim_token"] = ""
    if feed.title:
        fields["title"] = Case(When(title="", then=Value(feed.title)), default=F("title"))
    if getattr(feed, "adopted_redirect", False):
        fields["url"] = feed.url
    try:
        with transaction.atomic():
            won = Feed.objects.filter(pk=feed.pk, claim_token=token).update(**fields)
    except IntegrityError:  # an adopted redirect target that another feed took meanwhile
        fields.pop("url")
        won = Feed.objects.filter(pk=feed.pk, claim_token=token).update(**fields)
    if not won:
        log.warning("feed %s: claim lost before the poll finished; its outcome is dropped", feed.url)
    return bool(won)


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
        feed.adopted_redirect = True  # tells the save to write the new url
        feed.redirect_candidate, feed.redirect_count = "", 0
