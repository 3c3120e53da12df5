"""One huge feed cannot starve the others: a poll takes at most
FEED_ITEMS_PER_POLL new items (newest first, the rest on the next polls, which
come soon and fetch the whole document again), and pending articles are
claimed in turns across outlets, not oldest first."""

from datetime import UTC, datetime, timedelta

import pytest

from ingest.models import Article, Feed, Source
from ingest.polling import poll_feed
from tests.ingest.test_polling_faults import RSS
from trends.stories.pipeline import claim_pending_articles

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def numbered_rss(count: int) -> bytes:
    """Items 0..count-1, item n published n minutes before NOW (oldest last,
    as feeds list them), each with its own GUID."""
    items = "".join(
        f"<item><title>Item {n}</title><link>https://big.example/{n}</link><guid>big-{n}</guid>"
        f"<pubDate>{(NOW - timedelta(minutes=n)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>"
        for n in range(count)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()
    )


def stored_numbers() -> set[int]:
    return {int(title.split()[1]) for title in Article.objects.values_list("title", flat=True)}


def test_huge_feed_is_taken_newest_first_a_capped_number_per_poll(fakeweb, crawler, settings):
    settings.FEED_ITEMS_PER_POLL = 100
    fakeweb.route("/big.xml", body=numbered_rss(250), headers={**RSS, "ETag": '"v1"'})
    feed = crawler(fakeweb.url("/big.xml"))

    assert len(poll_feed(feed, NOW).new_article_ids) == 100
    assert stored_numbers() == set(range(100))  # the newest hundred
    feed = Feed.objects.get(pk=feed.pk)
    assert feed.etag == ""  # the next poll must get the whole document, not a 304
    assert feed.next_poll_at <= NOW + timedelta(seconds=settings.FEED_MIN_INTERVAL_SECONDS * 1.1)

    later = NOW + timedelta(minutes=5)
    assert len(poll_feed(feed, later).new_article_ids) == 100
    assert "If-None-Match" not in fakeweb.requests[-1].headers
    assert len(poll_feed(Feed.objects.get(pk=feed.pk), later).new_article_ids) == 50
    assert stored_numbers() == set(range(250))
    assert Feed.objects.get(pk=feed.pk).etag == '"v1"'  # all taken: conditional GET again


def test_known_items_of_a_huge_feed_are_looked_up_in_few_queries(fakeweb, crawler, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.FEED_ITEMS_PER_POLL = 5000
    fakeweb.route("/big.xml", body=numbered_rss(2000), headers=RSS)
    feed = crawler(fakeweb.url("/big.xml"))
    poll_feed(feed, NOW)
    with CaptureQueriesContext(connection) as queries:
        assert poll_feed(Feed.objects.get(pk=feed.pk), NOW).new_article_ids == []
    assert len(queries) < 40, len(queries)


def pending(source: Source, count: int, fetched_at: datetime) -> list[int]:
    return [
        Article.objects.create(
            source=source,
            url=f"https://{source.domain}/{n}",
            canonical_url=f"https://{source.domain}/{n}",
            title=f"{source.domain} {n}",
            published_at=fetched_at,
            fetched_at=fetched_at,
        ).pk
        for n in range(count)
    ]


def test_pending_articles_are_claimed_in_turns_across_outlets():
    big, small_a, small_b = (
        Source.objects.create(name=name, domain=f"{name}.example") for name in ("big", "small-a", "small-b")
    )
    pending(big, 200, NOW - timedelta(hours=2))  # stored first, by an hour
    small_ids = pending(small_a, 2, NOW) + pending(small_b, 2, NOW)

    token = claim_pending_articles(limit=8)
    claimed = list(Article.objects.filter(claim_token=token).values_list("pk", "source__name"))
    assert len(claimed) == 8
    assert set(small_ids) <= {pk for pk, _ in claimed}
    assert sum(1 for _, name in claimed if name == "big") == 4
