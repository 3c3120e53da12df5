"""Celery tasks for ingestion: thin wrappers around ingest.polling and
ingest.extraction, which the tests call directly."""

from celery import shared_task
from django.conf import settings

from ingest.extraction import extract_article
from ingest.models import Article, Feed
from ingest.polling import claim_due_feeds, poll_feed
from surge import clock

BATCH = 32  # articles per downstream task: one embedding batch


@shared_task(name="ingest.poll_due_feeds")
def poll_due_feeds():
    for feed_id, token in claim_due_feeds(clock.now(), limit=settings.FEEDS_PER_TICK):
        poll_one_feed.delay(feed_id, token)


@shared_task(name="ingest.poll_feed")
def poll_one_feed(feed_id: int, claim_token: str):
    feed = Feed.objects.filter(pk=feed_id, claim_token=claim_token).first()
    if feed is None:
        return  # the claim expired and someone else has it now
    poll_feed(feed, clock.now())
    # Everything of this feed still waiting, not just what this poll stored: a
    # worker killed after storing but before sending leaves nothing behind.
    waiting = list(Article.objects.filter(feed=feed, stage=Article.Stage.NEW).values_list("pk", flat=True))
    for start in range(0, len(waiting), BATCH):
        extract_articles.delay(waiting[start : start + BATCH])


@shared_task(name="ingest.extract_articles")
def extract_articles(article_ids: list[int]):
    for article in Article.objects.filter(pk__in=article_ids, stage=Article.Stage.NEW):
        extract_article(article)
    from trends.tasks import embed_and_assign

    embed_and_assign.delay(article_ids)
