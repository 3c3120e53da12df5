"""Adding outlets and feeds: the default list loaded on first run, one feed
by URL or by a page of its site (autodiscovery), and OPML imports."""

import json
from pathlib import Path

from django.db import transaction

from ingest import http
from ingest.canonical import domain_of, is_web_url
from ingest.category_hints import category_hint
from ingest.discovery import discover_feed_links
from ingest.feeds import NotAFeed, parse_feed
from ingest.models import Feed, Source
from ingest.outlets import DEFAULT_FEEDS_FILE, publisher_name
from ingest.polling import FEED_ACCEPT


def load_default_feeds(path: Path = DEFAULT_FEEDS_FILE) -> int:
    """Create the sources and feeds listed in the file; existing ones are left
    as they are (an editor may have paused or moved them). Returns how many
    feeds were added."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    added = 0
    with transaction.atomic():
        for entry in entries:
            source, _ = Source.objects.get_or_create(
                domain=entry["domain"],
                defaults={
                    "name": entry["source"],
                    "homepage": entry.get("homepage", ""),
                    "country": entry.get("country", ""),
                    "language": entry.get("language", ""),
                },
            )
            _, created = Feed.objects.get_or_create(
                url=entry["url"],
                defaults={"source": source, "category_hint": category_hint(entry.get("category", ""))},
            )
            added += created
    return added


class FeedNotFound(ValueError):
    """The URL is neither a feed nor a page that announces one."""


def add_feed(url: str, *, category: str = "", source_name: str = "") -> tuple[Feed, bool]:
    """Subscribe to a feed given its URL or the URL of a page of the site
    (autodiscovery). The feed is fetched and parsed first, so nothing that
    is not a feed is ever added. Returns (feed, created)."""
    feed_url, parsed = _resolve_feed(url)
    existing = Feed.objects.filter(url=feed_url).first()
    if existing is not None:
        return existing, False
    domain = domain_of(parsed.link if is_web_url(parsed.link) else feed_url) or domain_of(feed_url)
    site = parsed.link if is_web_url(parsed.link) else ""
    source, _ = Source.objects.get_or_create(
        domain=domain,
        defaults={
            "name": (source_name or publisher_name(parsed.title, domain))[:200],
            "homepage": site[:500],
        },
    )
    feed = Feed.objects.create(
        url=feed_url, source=source, title=parsed.title[:300], category_hint=category_hint(category)
    )
    return feed, True


def import_feeds(entries: list[dict]) -> tuple[int, int]:
    """Add the feeds of an OPML file as they are listed, without fetching
    them (the first poll checks them, and shows any error). Returns (added,
    already there)."""
    added = existing = 0
    with transaction.atomic():
        for entry in entries:
            url = entry["url"]
            if not is_web_url(url):
                continue
            if Feed.objects.filter(url=url).exists():
                existing += 1
                continue
            site = entry.get("site", "")
            domain = domain_of(site if is_web_url(site) else url)
            source, _ = Source.objects.get_or_create(
                domain=domain,
                defaults={
                    "name": publisher_name(entry.get("title", ""), domain)[:200],
                    "homepage": site[:500],
                },
            )
            Feed.objects.create(
                url=url,
                source=source,
                title=entry.get("title", "")[:300],
                category_hint=category_hint(entry.get("category", "")),
            )
            added += 1
    return added, existing


def _resolve_feed(url: str):
    """(feed URL, parsed feed) for a feed URL or a page announcing feeds."""
    response = _get(url)
    try:
        return response.url, parse_feed(
            response.body, base_url=response.url, content_type=response.headers.get("Content-Type", "")
        )
    except NotAFeed:
        pass
    candidates = discover_feed_links(response.body, response.url)
    for candidate in candidates[:5]:
        try:
            found = _get(candidate)
            return found.url, parse_feed(
                found.body, base_url=found.url, content_type=found.headers.get("Content-Type", "")
            )
        except (FeedNotFound, NotAFeed):
            continue
    raise FeedNotFound(f"{url} is not a feed and announces no working feed")


def _get(url: str):
    try:
        response = http.fetch(url, accept=FEED_ACCEPT + ", text/html;q=0.8")
    except http.FetchError as exc:
        raise FeedNotFound(f"{url}: {exc.reason}") from None
    if response.status != 200:
        raise FeedNotFound(f"{url} answered HTTP {response.status}")
    return response


def set_feeds_paused(feed_ids: list[int], paused: bool) -> list[tuple[int, str]]:
    """Pause (or resume) these feeds; returns (id, url) of those that changed.
    The caller holds the transaction (an editor's action records each one)."""
    changed = list(Feed.objects.filter(pk__in=feed_ids).exclude(paused=paused).values_list("pk", "url"))
    Feed.objects.filter(pk__in=[pk for pk, _ in changed]).update(paused=paused)
    return changed


def feed_health(feeds=None) -> list[dict]:
    """One row per feed for editors: failing feeds first, then by outlet."""
    feeds = Feed.objects.select_related("source") if feeds is None else feeds
    rows = [
        {
            "feed": feed,
            "url": feed.url,
            "source": feed.source.name,
            "paused": feed.paused,
            "failing": feed.is_failing,
            "error_count": feed.error_count,
            "last_error": feed.last_error,
            "last_error_at": feed.last_error_at,
            "last_success_at": feed.last_success_at,
            "last_polled_at": feed.last_polled_at,
            "next_poll_at": feed.next_poll_at,
            "interval_seconds": feed.interval_seconds,
            "items_per_day": round(feed.items_per_day, 1),
            "items_skipped": feed.items_skipped,
            "articles": feed.articles.count(),
        }
        for feed in feeds
    ]
    rows.sort(key=lambda r: (not r["failing"], r["source"].lower(), r["url"]))
    return rows
