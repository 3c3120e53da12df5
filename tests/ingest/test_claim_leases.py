"""Claims are short leases renewed by a heartbeat while the work goes on: a
slow poll or a long batch keeps its claim past the lease, and a claim whose
worker stopped renewing is taken over once the lease has run out."""

import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from ingest import extraction, leases
from ingest.models import Article, Feed, Source
from ingest.polling import claim_due_feeds, poll_feed
from ingest.tasks import poll_one_feed
from tests.ingest.test_polling_faults import RSS, THREE, rss
from trends.stories import pipeline

pytestmark = pytest.mark.django_db(transaction=True)  # the heartbeat writes from its own thread


def test_a_new_claim_lasts_claim_lease_seconds(settings):
    settings.CLAIM_LEASE_SECONDS = 45
    source = Source.objects.create(name="Wire", domain="wire.example")
    Feed.objects.create(url="https://wire.example/rss", source=source)
    before = timezone.now()
    [(feed_id, _token)] = claim_due_feeds(before, limit=5)
    lease = Feed.objects.get(pk=feed_id).claimed_until - before
    assert timedelta(seconds=44) < lease < timedelta(seconds=47)


def test_a_poll_slower_than_its_lease_keeps_its_claim(fakeweb, crawler, settings):
    settings.CLAIM_LEASE_SECONDS = 1.5
    settings.FETCH_TOTAL_TIMEOUT = 10

    def slow(h):
        time.sleep(3)  # twice the lease
        return 200, RSS, rss(THREE)

    fakeweb.route("/slow.xml", handler=slow)
    feed = crawler(fakeweb.url("/slow.xml"))
    [(feed_id, token)] = claim_due_feeds(timezone.now(), limit=1)
    rivals = []
    rival = threading.Thread(
        target=lambda: (time.sleep(2.2), rivals.extend(claim_due_feeds(timezone.now(), limit=1)))
    )
    rival.start()
    result = poll_feed(Feed.objects.get(pk=feed_id), timezone.now())
    rival.join()
    assert rivals == []  # no one took the feed while it was being polled
    assert result.status == "ok" and len(result.new_article_ids) == 3
    assert Feed.objects.get(pk=feed.pk).claim_token == ""


def test_a_batch_slower_than_its_lease_keeps_its_claim(settings, monkeypatch):
    settings.CLAIM_LEASE_SECONDS = 1.5
    source = Source.objects.create(name="Wire", domain="wire.example")
    for n in range(3):
        Article.objects.create(
            source=source,
            url=f"https://wire.example/{n}",
            canonical_url=f"https://wire.example/{n}",
            title=f"Article {n}",
            published_at=timezone.now(),
            fetched_at=timezone.now(),
        )
    seen_by_rival = []

    def slow_extraction(article, download=None):
        time.sleep(1.2)  # three articles: 3.6 s, over twice the lease
        seen_by_rival.append(pipeline.claim_pending_articles())
        raise RuntimeError("stop here: extraction is not what this test is about")

    monkeypatch.setattr(extraction, "read_page", slow_extraction)
    monkeypatch.setattr(pipeline, "embed_and_assign", lambda ids, now: [])
    token = pipeline.claim_pending_articles()
    pipeline.process_claimed(token, timezone.now())
    assert seen_by_rival == [None, None, None]  # nothing was claimable while the batch ran


def test_a_claim_no_longer_renewed_is_taken_over_after_the_lease(settings):
    settings.CLAIM_LEASE_SECONDS = 1
    source = Source.objects.create(name="Wire", domain="wire.example")
    Feed.objects.create(url="https://wire.example/rss", source=source)
    [(_feed_id, dead_token)] = claim_due_feeds(timezone.now(), limit=1)  # its worker dies here
    assert claim_due_feeds(timezone.now(), limit=1) == []
    time.sleep(1.1)
    [(_feed_id, new_token)] = claim_due_feeds(timezone.now(), limit=1)
    assert new_token != dead_token
    assert leases.renew(Feed, dead_token) == 0  # the dead claim cannot come back


def test_a_task_that_waited_in_the_queue_renews_its_claim_before_polling(fakeweb, crawler, settings):
    settings.CLAIM_LEASE_SECONDS = 30
    fakeweb.route("/feed.xml", body=rss(THREE), headers=RSS)
    crawler(fakeweb.url("/feed.xml"))
    [(feed_id, token)] = claim_due_feeds(timezone.now(), limit=1)
    Feed.objects.filter(pk=feed_id).update(claimed_until=timezone.now() - timedelta(seconds=1))
    poll_one_feed(feed_id, token)  # lease ran out in the queue, but no one took the feed: poll it
    assert Article.objects.count() == 3
