"""A worker process killed with SIGKILL in the middle of a batch: another
worker takes its claimed articles over once the short lease runs out (no
heartbeat renews it any more), and every article is stored once and ends in
a story. `manage.py bench_recovery` measures the same with the default lease."""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from ingest.models import Article, Feed, Source
from ingest.tasks import poll_due_feeds
from tests.giveme import articles_by_event, page, rss
from tests.workers import start_celery, stop_celery, wait_for, worker_environment

CRASH = 35
PAGE_SECONDS = 1.0
LEASE_SECONDS = 4


def solo_worker(env, name):
    return start_celery(
        env,
        "worker",
        "--pool=solo",
        "--loglevel=WARNING",
        "-n",
        f"{name}@%h",
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_real_data
def test_articles_of_a_killed_worker_are_taken_over_and_each_stored_once(fakeweb, tmp_path):
    now = timezone.now()
    articles = articles_by_event()[CRASH][:8]

    def slow_page(article):
        def handler(_h):
            time.sleep(PAGE_SECONDS)
            return 200, {"Content-Type": "text/html"}, page(article)

        return handler

    entries = []
    for i, article in enumerate(articles):
        fakeweb.route(f"/a/{i}.html", handler=slow_page(article))
        entries.append((article, fakeweb.url(f"/a/{i}.html"), now - timedelta(minutes=i)))
    fakeweb.route("/feed.xml", body=rss("Wire", entries), headers={"Content-Type": "application/rss+xml"})
    source = Source.objects.create(name="Wire", domain="wire.example")
    Feed.objects.create(url=fakeweb.url("/feed.xml"), source=source)

    env = worker_environment(
        ALLOW_PRIVATE_ADDRESSES="1",
        HOST_MIN_DELAY_SECONDS="0",
        CLAIM_LEASE_SECONDS=str(LEASE_SECONDS),
        POLL_TICK_SECONDS="1",
        TORCH_THREADS="1",
    )
    beat = start_celery(env, "beat", "--loglevel=WARNING", "--schedule", str(tmp_path / "beat-schedule"))
    first = solo_worker(env, "first")
    second = None
    try:
        poll_due_feeds.delay()
        # Part-way through its claim: two of the slow article pages fetched
        # (a claim's pages are all read before any is saved as extracted).
        mid_batch = wait_for(
            lambda: (
                sum(r.path.startswith("/a/") for r in fakeweb.requests) >= 2
                and Article.objects.exclude(claim_token="").exists()
            ),
            timeout=90,
            process=first,
        )
        assert mid_batch, "the first worker never got part-way through its batch"
        dead_token = Article.objects.exclude(claim_token="").values_list("claim_token", flat=True).first()
        held = Article.objects.filter(claim_token=dead_token).count()
        os.killpg(first.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait()
        assert held >= len(articles) - 2  # the kill really left claimed, unfinished work

        second = solo_worker(env, "second")
        all_assigned = wait_for(
            lambda: Article.objects.filter(stage=Article.Stage.ASSIGNED).count() == len(articles),
            timeout=150,
            process=second,
        )
        took = time.monotonic() - killed_at
    finally:
        for process in (beat, first, second):
            if process is not None:
                stop_celery(process)

    assert all_assigned, list(Article.objects.values_list("stage", "claim_token"))
    assert Article.objects.count() == len(articles)
    assert Article.objects.values("canonical_url").distinct().count() == len(articles)
    assert not Article.objects.filter(story__isnull=True).exists()
    print(f"\nkilled holding {held} articles; all in stories {took:.1f} s later (lease {LEASE_SECONDS} s)")
    assert took < 120
