"""Assigning embedded articles to stories in the database.

Assignment is serialised: a worker holds a database lock while it reads the
live index and writes the story (PostgreSQL: a transaction-level advisory
lock; SQLite: the IMMEDIATE transaction is already the database's one write
lock). Without it, two workers could each see no matching story for two
articles about the same event and create two stories. Assignment is cheap
(a matrix product over live centroids), so the lock is held milliseconds.

The decision rule is trends.stories.clustering.choose_story with
ClusterParams.from_settings(): the very rule evaluate_clustering scores,
title terms included (each worker keeps the live stories' title terms in
memory beside their centroids, loaded from their articles' titles).
trends.stories.converged takes the same lock for the hourly merge pass.

Each worker process keeps its own LiveIndex and, under the lock, catches up
with the stories other workers changed since its last look (Story.updated_at)."""

from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ingest.models import Article
from trends import page_versions
from trends.models import Story
from trends.stories.clustering import ClusterParams, LiveIndex, StoryTerms, choose_story, title_terms
from trends.stories.embedding import DIMENSIONS, from_bytes, to_bytes
from trends.words.categories import story_category

ASSIGNMENT_LOCK_KEY = 0x5347_0001  # any constant, shared by every worker
# Rows written just before our last sync may commit just after it: re-read a margin.
SYNC_MARGIN = timedelta(seconds=120)


class StoryAssigner:
    def __init__(self):
        self.index = LiveIndex(DIMENSIONS)
        self.terms = StoryTerms()  # title terms of live stories, for choose_story
        self.last_seen: dict[int, datetime] = {}
        # updated_at of the stories this worker has in step (read or written
        # by itself), within the sync window: those need no reload.
        self.applied: dict[int, datetime] = {}
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
            # By primary key only, unordered: a "story IS NULL" filter lets
            # SQLite walk every storyless article (failed ones pile up forever).
            fresh = Article.objects.filter(pk__in=[a.pk for a in articles]).order_by()
            for article in sorted(fresh.select_related("feed"), key=lambda a: a.published_at):
                vector = from_bytes(article.embedding)
                if article.story_id is not None or vector is None:
                    continue
                touched.add(self._assign_one(article, vector))
            page_versions.stories_changed(touched)
        return sorted(touched)

    def _assign_one(self, article: Article, vector: np.ndarray) -> int:
        params = ClusterParams.from_settings()
        terms = title_terms(article.title)
        when = article.published_at
        while True:
            story_id, _score = choose_story(self.index, vector, params, terms, self.terms)
            if story_id is None:
                break
            story = Story.objects.select_for_update().get(pk=story_id)
            if story.is_open and story.merged_into_id is None:
                break
            # Closed or merged since this worker last looked (defence in depth:
            # editors and the merge pass take the assignment lock too).
            self._forget(story_id)
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
        self.terms.add(story.pk, terms)
        self.last_seen[story.pk] = story.last_seen_at
        self.applied[story.pk] = story.updated_at
        return story.pk

    def _sync(self):
        """Catch up with stories written since the last look. A cold start
        loads the open stories only; after that, one narrow query lists the
        (id, updated_at) of stories written within SYNC_MARGIN of the last
        sync and only those whose stamp this worker has not applied yet are
        reloaded. The cost follows the recent write rate, never the history."""
        started = timezone.now()
        if self.synced_at is None:
            changed = [Story.objects.filter(is_open=True, merged_into__isnull=True).order_by()]
        else:
            # order_by(): Story's default ordering (velocity) would make SQLite
            # walk the whole table by the velocity index instead of updated_at's.
            recent = Story.objects.filter(updated_at__gte=self.synced_at - SYNC_MARGIN).order_by()
            unseen = [
                pk for pk, stamp in recent.values_list("id", "updated_at") if self.applied.get(pk) != stamp
            ]
            changed = [
                Story.objects.filter(pk__in=unseen[i : i + 500]).order_by()
                for i in range(0, len(unseen), 500)
            ]
        reloaded = []
        for stories in changed:
            fields = ("id", "centroid_sum", "is_open", "merged_into", "last_seen_at", "updated_at")
            for story in stories.only(*fields):
                self.applied[story.pk] = story.updated_at
                if story.is_open and story.merged_into_id is None:
                    self.index.put(story.pk, from_bytes(story.centroid_sum))
                    self.last_seen[story.pk] = story.last_seen_at
                    self.terms.remove(story.pk)
                    reloaded.append(story.pk)
                else:
                    self._forget(story.pk)
        self._load_terms(reloaded)
        # Stamps older than the next sync's window are never compared again.
        horizon = started - SYNC_MARGIN
        self.applied = {pk: stamp for pk, stamp in self.applied.items() if stamp >= horizon}
        self.synced_at = started

    def _load_terms(self, story_ids: list[int]):
        """Title terms of these stories' articles: O(their articles), so the
        cold start reads the live stories' articles, never the history."""
        for first in range(0, len(story_ids), 500):
            chunk = story_ids[first : first + 500]
            titles = Article.objects.filter(story_id__in=chunk).order_by().values_list("story_id", "title")
            for story_id, title in titles:
                self.terms.add(story_id, title_terms(title))

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
        self.terms.remove(story_id)
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
