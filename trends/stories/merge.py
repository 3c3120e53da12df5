"""The story merge core, shared by an editor's merge (editorial.operations.merge)
and the hourly pass (trends.stories.converged), plus the two primitives every
editorial operation uses: the story row lock and the EditorialAction record.

merge_into moves the absorbed story's articles, centroid sum, counts and
topics to the kept story; recount_story and story_vector are also used when
an editor moves articles out of a story."""

import numpy as np
from django.db.models import Count
from django.utils import timezone

from ingest.models import Article
from trends import page_versions
from trends.models import Story, StoryTopic
from trends.stories.embedding import DIMENSIONS, from_bytes, to_bytes
from trends.stories.signals import story_merged


class MergeRefused(ValueError):
    """A merge that cannot be done (the message is shown to an editor)."""


def lock_story(story_id: int) -> Story:
    """The story, re-read under a row lock (PostgreSQL; SQLite's IMMEDIATE
    transaction already holds the write lock) so an assigner writing the same
    story waits for us instead of overwriting our sums."""
    return Story.objects.select_for_update().get(pk=story_id)


def merge_into(absorbed: Story, kept: Story, *, user=None, automatic: bool = False) -> Story:
    """The one merge, for editors and for the hourly pass (trends.stories.converged):
    the absorbed story's articles, centroid sum, counts and topics move to the
    kept story; stories merged into the absorbed one earlier now point at the
    kept one; the absorbed story stays as a closed record pointing at the kept
    one (its page can redirect there). Recorded as "merge"/"merged_into" for
    an editor, "auto-merge" (user None) for the hourly pass.

    The caller holds a transaction and the assignment lock. Returns the kept
    story."""
    if absorbed.pk == kept.pk:
        raise MergeRefused("A story cannot be merged into itself.")
    # Lock in id order so two opposite merges cannot deadlock.
    first, second = sorted([absorbed.pk, kept.pk])
    locked = {first: lock_story(first), second: lock_story(second)}
    absorbed, kept = locked[absorbed.pk], locked[kept.pk]
    if absorbed.merged_into_id is not None:
        raise MergeRefused(f"Story {absorbed.pk} was already merged into story {absorbed.merged_into_id}.")
    if kept.merged_into_id is not None:
        raise MergeRefused(f"Story {kept.pk} was already merged into story {kept.merged_into_id}.")

    moved = Article.objects.filter(story=absorbed).update(story=kept)
    kept.centroid_sum = to_bytes(story_vector(kept.centroid_sum) + story_vector(absorbed.centroid_sum))
    kept.first_seen_at = min(kept.first_seen_at, absorbed.first_seen_at)
    kept.last_seen_at = max(kept.last_seen_at, absorbed.last_seen_at)
    recount_story(kept)
    kept.save()  # save() bumps updated_at: workers re-read the centroid

    _merge_topics(absorbed, kept)
    Story.objects.filter(merged_into=absorbed).update(merged_into=kept, updated_at=timezone.now())

    absorbed.merged_into = kept
    absorbed.is_open = False
    absorbed.is_pinned = False
    recount_story(absorbed)
    absorbed.save()  # updated_at moves: workers drop it from their live index

    story_merged.send(
        sender=Story, absorbed=absorbed, kept=kept, user=user, automatic=automatic, articles_moved=moved
    )
    page_versions.stories_changed([absorbed.pk, kept.pk])
    return kept


def recount_story(story: Story) -> None:
    counts = Article.objects.filter(story=story).aggregate(
        articles=Count("id"), sources=Count("source", distinct=True)
    )
    story.article_count = counts["articles"]
    story.source_count = counts["sources"]


def _merge_topics(source: Story, target: Story) -> None:
    target_links = {link.topic_id: link for link in StoryTopic.objects.filter(story=target)}
    for link in StoryTopic.objects.filter(story=source):
        existing = target_links.get(link.topic_id)
        if existing is None:
            link.story = target
            link.save(update_fields=["story"])
        else:
            existing.weight += link.weight
            existing.save(update_fields=["weight"])
            link.delete()


def story_vector(blob) -> np.ndarray:
    vector = from_bytes(blob)
    if vector is None or vector.shape != (DIMENSIONS,):
        return np.zeros(DIMENSIONS, dtype=np.float32)
    return vector.astype(np.float32, copy=True)
