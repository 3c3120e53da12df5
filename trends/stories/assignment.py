"""Assigning embedded articles to stories in the database.

Assignment is serialised: a worker holds a database lock while it reads the
live stories and writes the story (PostgreSQL: a transaction-level advisory
lock; SQLite: the IMMEDIATE transaction is already the database's one write
lock). Without it, two workers could each see no matching story for two
articles about the same event and create two stories. Assignment is cheap
(a matrix product over live centroids, then the join scorer on the ten
nearest), so the lock is held milliseconds.

The decision rule is trends.stories.clustering.choose_story with
ClusterParams.from_settings(): the very rule evaluate_clustering scores.
Each worker process keeps the live stories' profiles in memory (centroid
sum, size, times and latest members: vector, title terms, outlet), and under
the lock catches up with the stories other workers changed since its last
look (Story.updated_at), reloading only those. trends.stories.converged takes the same
lock for the hourly merge pass."""

from datetime import datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from ingest.models import Article
from surge.bulk_rows import update_rows
from trends import page_versions
from trends.models import Story
from trends.stories.clustering import ClusterParams, LiveStories, choose_story
from trends.stories.embedding import DIMENSIONS, from_bytes, to_bytes
from trends.stories.members import RECENT_MEMBERS, Member, StoryProfile
from trends.words.categories import story_category

ASSIGNMENT_LOCK_KEY = 0x5347_0001  # any constant, shared by every worker
# Rows written just before our last sync may commit just after it: re-read a margin.
SYNC_MARGIN = timedelta(seconds=120)
STORY_FIELDS = ("id", "centroid_sum", "article_count", "first_seen_at", "last_seen_at", "updated_at")
# What an article joining a story changes (with updated_at).
GROWTH_FIELDS = ("centroid_sum", "article_count", "source_count", "first_seen_at", "last_seen_at")


class StoryAssigner:
    def __init__(self):
        self.live = LiveStories(DIMENSIONS)
        # updated_at of the stories this worker has in step (read or written
        # by itself), within the sync window: those need no reload.
        self.applied: dict[int, datetime] = {}
        self.synced_at: datetime | None = None
        self._sources_joined_here: set[tuple[int, int]] = set()

    def reset(self):
        self.__init__()

    def assign(self, articles: list[Article], now: datetime) -> list[int]:
        """Put each article (with its embedding) in a story, oldest first.
        Returns the story ids touched. Articles already in a story are skipped,
        so a retried task changes nothing."""
        touched: set[int] = set()
        params = ClusterParams.from_settings()
        try:
            with transaction.atomic():
                take_assignment_lock()
                self._sync()
                self._close_stale(now, params.live_hours)
                # By primary key only, unordered: a "story IS NULL" filter lets
                # SQLite walk every storyless article (failed ones pile up forever).
                fresh = Article.objects.filter(pk__in=[a.pk for a in articles]).order_by()
                joined: dict[int, int] = {}  # article → its story
                self._sources_joined_here: set[tuple[int, int]] = set()  # (story, source), unwritten yet
                for article in sorted(fresh.select_related("feed"), key=lambda a: (a.published_at, a.pk)):
                    vector = from_bytes(article.embedding)
                    if article.story_id is not None or vector is None:
                        continue
                    joined[article.pk] = self._assign_one(article, vector, params)
                # One statement for the batch's articles (one each cost about
                # half a millisecond of a worker's CPU in the ORM).
                update_rows(
                    Article,
                    [
                        {"id": pk, "story_id": story, "stage": Article.Stage.ASSIGNED}
                        for pk, story in joined.items()
                    ],
                )
                touched.update(joined.values())
                page_versions.stories_changed(touched)
        except BaseException:
            # Rolled back: the in-memory stories may hold a story that was
            # never committed, which later articles would choose and fail on.
            # Read them again from the database on the next call.
            self.reset()
            raise
        return sorted(touched)

    def _assign_one(self, article: Article, vector: np.ndarray, params: ClusterParams) -> int:
        member = member_of(article.pk, vector, article.title, article.source_id, article.published_at)
        when = article.published_at
        while True:
            story_id, _score = choose_story(self.live, member, params)
            if story_id is None:
                break
            story = (
                Story.objects.select_for_update()
                .only(*GROWTH_FIELDS, "is_open", "merged_into")
                .get(pk=story_id)
            )
            if story.is_open and story.merged_into_id is None:
                break
            # Closed or merged since this worker last looked (defence in depth:
            # editors and the merge pass take the assignment lock too).
            self.live.remove(story_id)
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
            self.live.put(story.pk, StoryProfile.of_members([member]))
        else:
            known_source = self._source_known(story, article.source_id)
            story.centroid_sum = to_bytes(from_bytes(story.centroid_sum) + vector)
            story.article_count += 1
            story.first_seen_at = min(story.first_seen_at, when)
            story.last_seen_at = max(story.last_seen_at, when)
            story.source_count += 0 if known_source else 1
            # Only what an article changes: the words stage may be writing the
            # headline or brief meanwhile, and those must not be written back.
            story.save(update_fields=[*GROWTH_FIELDS, "updated_at"])
            self.live.add_member(story.pk, member)
        self._sources_joined_here.add((story.pk, article.source_id))
        self.applied[story.pk] = story.updated_at
        return story.pk

    def _source_known(self, story: Story, source_id) -> bool:
        """Whether the story already has an article from this source: the live
        profile answers when it can (a recent member from it, or it holds every
        member), the database otherwise (a big story's older members)."""
        if (story.pk, source_id) in self._sources_joined_here:
            return True  # a batch-mate's join, not in the database until the batch is written
        profile = self.live.profiles.get(story.pk)
        if profile is not None:
            if any(m.source == source_id for m in profile.members):
                return True
            if len(profile.members) >= story.article_count:
                return False
        return Article.objects.filter(story=story, source_id=source_id).exists()

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
        for stories in changed:
            rows = list(stories.only(*STORY_FIELDS, "is_open", "merged_into"))
            live = [s for s in rows if s.is_open and s.merged_into_id is None]
            profiles = load_profiles(live)
            for story in rows:
                self.applied[story.pk] = story.updated_at
                if story.pk in profiles:
                    self.live.put(story.pk, profiles[story.pk])
                else:
                    self.live.remove(story.pk)
        # Stamps older than the next sync's window are never compared again.
        horizon = started - SYNC_MARGIN
        self.applied = {pk: stamp for pk, stamp in self.applied.items() if stamp >= horizon}
        self.synced_at = started

    def _close_stale(self, now: datetime, live_hours: float):
        """A story with no article for STORY_LIVE_HOURS closes: a later article
        on the same event starts a follow-up story rather than reviving it."""
        cutoff = now - timedelta(hours=live_hours)
        stale = [sid for sid, profile in self.live.profiles.items() if profile.last_seen < cutoff]
        if stale:
            Story.objects.filter(pk__in=stale).update(is_open=False, updated_at=timezone.now())
            for story_id in stale:
                self.live.remove(story_id)


def member_of(article_id: int, vector, title: str, source_id, published_at: datetime) -> Member:
    return Member.of_title(article_id, vector, title, source_id, published_at)


def load_profiles(stories: list[Story]) -> dict[int, StoryProfile]:
    """Profiles of these stories (rows with STORY_FIELDS loaded) from their
    latest RECENT_MEMBERS articles: one query per 500 stories, reading at most
    RECENT_MEMBERS articles of each, so a big story costs no more than a
    small one. A story without an embedded article gets no profile."""
    profiles: dict[int, StoryProfile] = {}
    for first in range(0, len(stories), 500):
        chunk = {s.pk: s for s in stories[first : first + 500]}
        ranked = (
            Article.objects.filter(story_id__in=list(chunk), embedding__isnull=False)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("story_id")],
                    order_by=[F("published_at").desc(), F("id").desc()],
                )
            )
            .filter(rank__lte=RECENT_MEMBERS)
            .order_by()
            .values_list("id", "story_id", "title", "source_id", "published_at", "embedding")
        )
        members: dict[int, list[Member]] = {}
        for pk, story_id, title, source_id, published_at, blob in ranked:
            vector = from_bytes(blob)
            if vector is not None and vector.shape == (DIMENSIONS,):
                members.setdefault(story_id, []).append(member_of(pk, vector, title, source_id, published_at))
        for story_id, found in members.items():
            story = chunk[story_id]
            centroid_sum = from_bytes(story.centroid_sum)
            if centroid_sum is None or centroid_sum.shape != (DIMENSIONS,):
                centroid_sum = np.sum([m.vector for m in found], axis=0)
            profiles[story_id] = StoryProfile(
                centroid_sum,
                max(story.article_count, len(found)),
                story.first_seen_at,
                story.last_seen_at,
                found,
            )
    return profiles


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
