"""Celery tasks for stories: thin wrappers around trends.pipeline,
trends.hourly and trends.refresh."""

from datetime import timedelta

from celery import shared_task

from ingest.models import Article
from surge import clock
from trends import pipeline
from trends.hourly import hours_to_snapshot, run_hourly_pass
from trends.refresh import refresh_stories

STALLED_AFTER = timedelta(minutes=30)


@shared_task(name="trends.embed_and_assign")
def embed_and_assign(article_ids: list[int]):
    now = clock.now()
    touched = pipeline.embed_and_assign(article_ids, now)
    refresh_stories(touched, now)


@shared_task(name="trends.update_hourly_snapshots")
def update_hourly_snapshots():
    now = clock.now()
    for hour_end in hours_to_snapshot(now):
        run_hourly_pass(hour_end)
    requeue_stalled_articles(now)


def requeue_stalled_articles(now):
    """Articles a lost task left behind get another go (every stage is idempotent)."""
    from ingest.tasks import extract_articles

    stalled = Article.objects.filter(
        stage__in=[Article.Stage.NEW, Article.Stage.EXTRACTED],
        fetched_at__lt=now - STALLED_AFTER,
    ).values_list("pk", flat=True)[:500]
    stalled = list(stalled)
    for start in range(0, len(stalled), 32):
        chunk = stalled[start : start + 32]
        extract_articles.delay(chunk)
