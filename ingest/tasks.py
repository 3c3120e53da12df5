"""Celery tasks for ingestion: thin wrappers around ingest.polling, which the
tests call directly."""

from celery import current_app, shared_task
from django.conf import settings

from ingest import clock, leases
from ingest.models import Feed
from ingest.polling import claim_due_feeds, poll_feed

# The stories stage's task (trends.tasks), sent by name so that ingest never
# imports the stage above it.
PROCESS_PENDING_ARTICLES = "trends.process_pending_articles"


@shared_task(name="ingest.poll_due_feeds")
def poll_due_feeds():
    for feed_id, token in claim_due_feeds(clock.now(), limit=settings.FEEDS_PER_TICK):
        poll_one_feed.delay(feed_id, token)


@shared_task(name="ingest.poll_feed")
def poll_one_feed(feed_id: int, claim_token: str):
    # The lease ran while the task waited in the queue: renew it first.
    if not leases.renew(Feed, claim_token):
        return  # the claim expired and someone else has it now
    feed = Feed.objects.filter(pk=feed_id, claim_token=claim_token).first()
    if feed is None:
        return
    result = poll_feed(feed, clock.now())
    if result.new_article_ids:
        current_app.signature(PROCESS_PENDING_ARTICLES).delay()
