"""The periodic merge pass: two live stories whose centroids have converged
are one event told twice (the first articles were worded differently).

Call merge_converged_stories(now) from the hourly task. It runs under the
assignment lock, so no worker assigns against a half-merged pair; workers
pick the result up through Story.updated_at like any other change.

Editors' decisions stand: a story an editor merged (merged_into set) is not
live and never considered, and a story holding an article an editor placed
(Article.story_locked) is never absorbed, so the article stays where the
editor put it."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from ingest.models import Article
from trends.assignment import take_assignment_lock
from trends.clustering import LiveIndex, find_converged_pairs
from trends.embedding import DIMENSIONS, from_bytes, to_bytes
from trends.models import Story


def merge_converged_stories(
    now: datetime | None = None, threshold: float | None = None
) -> list[tuple[int, int]]:
    """Merge converged live stories; returns the (absorbed, kept) id pairs."""
    threshold = settings.STORY_MERGE_THRESHOLD if threshold is None else threshold
    with transaction.atomic():
        take_assignment_lock()
        live = list(
            Story.objects.filter(is_open=True, merged_into__isnull=True).only(
                "id", "centroid_sum", "article_count"
            )
        )
        index = LiveIndex(DIMENSIONS, capacity=max(len(live), 1))
        for story in live:
            index.put(story.pk, from_bytes(story.centroid_sum))
        sizes = {s.pk: s.article_count for s in live}
        locked = set(
            Article.objects.filter(story__in=[s.pk for s in live], story_locked=True).values_list(
                "story_id", flat=True
            )
        )
        merged = []
        for absorbed_id, kept_id in find_converged_pairs(index, threshold, sizes):
            if absorbed_id in locked:
                if kept_id in locked:
                    continue
                absorbed_id, kept_id = kept_id, absorbed_id
            _merge(
                Story.objects.select_for_update().get(pk=absorbed_id),
                Story.objects.select_for_update().get(pk=kept_id),
            )
            merged.append((absorbed_id, kept_id))
    return merged


def _merge(absorbed: Story, kept: Story) -> None:
    Article.objects.filter(story=absorbed, story_locked=False).update(story=kept)
    kept.centroid_sum = to_bytes(from_bytes(kept.centroid_sum) + from_bytes(absorbed.centroid_sum))
    kept.first_seen_at = min(kept.first_seen_at, absorbed.first_seen_at)
    kept.last_seen_at = max(kept.last_seen_at, absorbed.last_seen_at)
    counts = Article.objects.filter(story=kept).aggregate(
        articles=Count("id"), sources=Count("source_id", distinct=True)
    )
    kept.article_count = counts["articles"]
    kept.source_count = counts["sources"]
    kept.save()
    absorbed.merged_into = kept
    absorbed.is_open = False
    absorbed.article_count = Article.objects.filter(story=absorbed).count()
    absorbed.save()
