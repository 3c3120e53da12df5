"""A worker killed in the middle of a poll, then the task run again: nothing
lost, nothing duplicated. The worker is a real process (forked, with its own
connection to the file test database) killed with SIGKILL after it stored two
of five items. Two ways the work comes back are checked: the broker
redelivers the unacknowledged message (acks_late; same claim token), or the
message is gone and the feed's claim lease runs out so the next beat tick
claims it again. The lease expiry is simulated by moving claimed_until into
the past rather than waiting five minutes."""

import multiprocessing
import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from ingest import polling, tasks
from ingest.models import Article, Feed
from tests.ingest.test_polling_faults import RSS, rss

FIVE = [(f"Story {i}", f"https://news.example/story-{i}", f"g{i}") for i in range(5)]


def _worker_that_dies(feed_id: int, token: str, stored_two, sent):
    """Runs in the child: poll, but hang forever after storing two items."""
    real_create = polling._create_article
    count = 0

    def store_then_hang(*args, **kwargs):
        nonlocal count
        article_id = real_create(*args, **kwargs)
        count += 1
        if count == 2:
            stored_two.set()
            time.sleep(60)  # killed here
        return article_id

    polling._create_article = store_then_hang
    tasks.poll_one_feed.run(feed_id, token)


def _kill_mid_poll(feed_id: int, token: str):
    connections.close_all()  # the child must open its own connection
    ctx = multiprocessing.get_context("fork")
    stored_two, sent = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_worker_that_dies, args=(feed_id, token, stored_two, sent))
    child.start()
    assert stored_two.wait(20), "the worker never got to its second item"
    os.kill(child.pid, signal.SIGKILL)
    child.join(5)
    assert child.exitcode == -signal.SIGKILL


@pytest.fixture
def no_broker(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "trends.tasks.process_pending_articles.apply_async", lambda *args, **kwargs: sent.append(1)
    )
    return sent


@pytest.mark.django_db(transaction=True)
def test_redelivered_task_after_kill_stores_each_item_once(fakeweb, crawler, no_broker):
    fakeweb.route("/feed", body=rss(FIVE), headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    [(feed_id, token)] = polling.claim_due_feeds(timezone.now(), limit=5)

    _kill_mid_poll(feed_id, token)
    assert Article.objects.count() == 2  # what the dead worker stored stays
    assert Feed.objects.get(pk=feed_id).claim_token == token  # still claimed, nothing scheduled
    assert polling.claim_due_feeds(timezone.now(), limit=5) == []  # nobody else takes it meanwhile

    tasks.poll_one_feed.run(feed_id, token)  # acks_late: the same message again

    assert sorted(Article.objects.values_list("title", flat=True)) == [t for t, _, _ in FIVE]
    feed = Feed.objects.get(pk=feed_id)
    assert feed.claim_token == "" and feed.error_count == 0
    assert feed.next_poll_at > timezone.now()
    assert no_broker == [1]  # the pipeline was told about the new articles


@pytest.mark.django_db(transaction=True)
def test_lost_task_after_kill_is_reclaimed_when_the_lease_expires(fakeweb, crawler, no_broker):
    fakeweb.route("/feed", body=rss(FIVE), headers=RSS)
    crawler(fakeweb.url("/feed"))
    [(feed_id, token)] = polling.claim_due_feeds(timezone.now(), limit=5)

    _kill_mid_poll(feed_id, token)
    Feed.objects.filter(pk=feed_id).update(claimed_until=timezone.now() - timedelta(seconds=1))
    [(same_feed, new_token)] = polling.claim_due_feeds(timezone.now(), limit=5)
    assert same_feed == feed_id and new_token != token
    requests_before = len(fakeweb.requests)
    tasks.poll_one_feed.run(feed_id, token)  # a late copy of the old message does nothing
    assert len(fakeweb.requests) == requests_before

    tasks.poll_one_feed.run(feed_id, new_token)

    assert Article.objects.count() == 5
    assert len(set(Article.objects.values_list("canonical_url", flat=True))) == 5
    assert Feed.objects.get(pk=feed_id).claim_token == ""
