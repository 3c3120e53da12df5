"""A real Celery worker process consumes tasks from the configured broker (the
file-system broker by default, Redis in CI) and writes to the configured
database (SQLite by default, PostgreSQL in CI)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ingest.models import Article, Feed
from ingest.tasks import poll_due_feeds
from tests.factories import make_feed, make_source
from tests.giveme import articles_by_event, page, rss
from tests.workers import celery_worker, wait_for, worker_environment
from trends.models import Story

pytestmark = pytest.mark.needs_real_data

CRASH = 35


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_process_turns_a_served_feed_into_a_story(fakeweb):
    now = timezone.now()
    entries = []
    for i, article in enumerate(articles_by_event()[CRASH][:4]):
        fakeweb.route(f"/a/{i}.html", body=page(article), headers={"Content-Type": "text/html"})
        entries.append((article, fakeweb.url(f"/a/{i}.html"), now - timedelta(minutes=5 * i)))
    fakeweb.route("/feed.xml", body=rss("Wire", entries), headers={"Content-Type": "application/rss+xml"})
    make_feed(fakeweb.url("/feed.xml"), make_source("wire.example"))

    env = worker_environment(ALLOW_PRIVATE_ADDRESSES="1", TORCH_THREADS="1")
    with celery_worker(env) as worker:
        poll_due_feeds.delay()  # what beat sends every tick
        assigned = wait_for(
            lambda: Article.objects.filter(stage=Article.Stage.ASSIGNED).count() == 4,
            timeout=120,
            process=worker,
        )
    assert assigned, f"articles: {list(Article.objects.values_list('stage', flat=True))}"
    assert Story.objects.count() == 1
    assert Story.objects.get().article_count == 4
    assert all(len(text) > 300 for text in Article.objects.values_list("text", flat=True))
    assert Feed.objects.get().last_success_at is not None
