"""Assigning embedded articles to stories in the database.

Assignment is serialised: a worker holds a database lock while it reads the
live index and writes the story (PostgreSQL: a transaction-level advisory
lock; SQLite: the IMMEDIATE transaction is already the database's one write
lock). Without it, two workers could each see no matching story for two
articles about the same event and create two stories. Assignment is cheap
(a matrix product over live centroids), so the lock is held milliseconds.

The decision rule is trends.clustering.choose_story with
ClusterParams.from_settings(): the very rule evaluate_clustering scores.
(The centroid drift cap, ClusterParams.drift_floor, is off by default: it did
not help on UCI, and workers do not apply it.) trends.merging takes the same
lock for the hourly merge pass.

Each worker process keeps its own LiveIndex and, under the lock, catches up
with the stories other workers changed since its last look (Story.updated_at)."""

from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ingest.models import Article
from trends.categories import story_category
from trends.clustering import ClusterParams, LiveIndex, choose_story
from trends.embedding import DIMENSIONS, from_bytes, to_bytes
from trends.models import Story

ASSIGNMENT_LOCK_KEY = 0x5347_0001  # any constant, shared by every worker
# Rows written just before our last sync may commit just after it: re-read a margin.
SYNC_MARGIN = timedelta(seconds=120)


class StoryAssigner:
    def __init__(self):
        self.index = LiveIndex(DIMENSIONS)
        self.last_seen: dict[int, datetime] = {}
        self.synced_at: datetime | None = None

    def reset(self):
        self.__init__()

    def assign(self, articles: list[Article], now: datetime) -> list[int]:
        """Put each article (with its embedding) in a story, oldest first.
        Returns the story ids touched. Articles already in a story are skipped,
        so a retried task changes nothing."""
        touched: set[int] = set()
        with transaction.atomic():
            take_assignment_lock()
            self._sync()
            self._close_stale(now)
            fresh = Article.objects.filter(pk__in=[a.pk for a in articles], story__isnull=True)
            for article in sorted(fresh.select_related("feed"), key=lambda a: a.published_at):
                vector = from_bytes(article.embedding)
                if vector is None:
                    continue
                touched.add(self._assign_one(article, vector))
        return sorted(touched)

    def _assign_one(self, article: Article, vector: np.ndarray) -> int:
        params = ClusterParams.from_settings()
        story_id, _similarity = choose_story(self.index, vector, params.threshold)
        when = article.published_at
        if story_id is None:
            story = Story.objects.create(
                headline=article.title,
                dek=_first_sentence(article.summary),
                category=story_category([article.feed.category_hint if article.feed else ""], vector),
                first_seen_at=when,
                last_seen_at=when,
                centroid_sum=to_bytes(vector),
                article_count=1,
                source_count=1,
            )
            centroid_sum = vector
        else:
            story = Story.objects.select_for_update().get(pk=story_id)
            centroid_sum = from_bytes(story.centroid_sum) + vector
            story.centroid_sum = to_bytes(centroid_sum)
            story.article_count += 1
            story.first_seen_at = min(story.first_seen_at, when)
            story.last_seen_at = max(story.last_seen_at, when)
            known_source = Article.objects.filter(story=story, source_id=article.source_id).exists()
            story.source_count += 0 if known_source else 1
            story.save()
        Article.objects.filter(pk=article.pk).update(story=story, stage=Article.Stage.ASSIGNED)
        self.index.put(story.pk, centroid_sum)
        self.last_seen[story.pk] = story.last_seen_at
        return story.pk

    def _sync(self):
        stories = Story.objects.all()
        if self.synced_at is None:
            stories = stories.filter(is_open=True, merged_into__isnull=True)
        else:
            stories = stories.filter(updated_at__gte=self.synced_at - SYNC_MARGIN)
        started = timezone.now()
        for story in stories.only("id", "centroid_sum", "is_open", "merged_into", "last_seen_at"):
            if story.is_open and story.merged_into_id is None:
                self.index.put(story.pk, from_bytes(story.centroid_sum))
                self.last_seen[story.pk] = story.last_seen_at
            else:
                self._forget(story.pk)
        self.synced_at = started

    def _close_stale(self, now: datetime):
        """A story with no article for STORY_LIVE_HOURS closes: a later article
        on the same event starts a follow-up story rather than reviving it."""
        cutoff = now - timedelta(hours=settings.STORY_LIVE_HOURS)
        stale = [sid for sid, seen in self.last_seen.items() if seen < cutoff]
        if stale:
            Story.objects.filter(pk__in=stale).update(is_open=False, updated_at=timezone.now())
            for story_id in stale:
                self._forget(story_id)

    def _forget(self, story_id: int):
        self.index.remove(story_id)
        self.last_seen.pop(story_id, None)


def take_assignment_lock():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ASSIGNMENT_LOCK_KEY])
    # SQLite: the IMMEDIATE transaction already holds the write lock.


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    for mark in (". ", "! ", "? "):
        head, sep, _ = text.partition(mark)
        if sep and len(head) > 30:
            return head + mark.strip()
    return text[:300]


# One per worker process.
assigner = StoryAssigner()
