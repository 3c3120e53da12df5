"""The periodic merge pass: two live stories whose centroids have converged
are one event told twice (the first articles were worded differently).

Call merge_converged_stories(now) from the hourly task. It runs under the
assignment lock, so no worker assigns against a half-merged pair; workers
pick the result up through Story.updated_at like any other change. Each merge
goes through trends.stories.merge.merge_into, the same merge an editor makes, and
is recorded as an "auto-merge" EditorialAction with no user.

Editors' decisions stand: a story an editor merged (merged_into set) is not
live and never considered, and a story an editor touched in any other way
(hidden, pinned, headline or category locked, brief approved, or holding an
article an editor placed) takes part in no automatic merge, as absorbed or
kept, so a hidden story never resurfaces inside a visible one."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from ingest.models import Article
from trends.models import Story
from trends.stories.assignment import take_assignment_lock
from trends.stories.clustering import LiveIndex, find_converged_pairs
from trends.stories.embedding import DIMENSIONS, from_bytes
from trends.stories.merge import merge_into

# A story with any of these set was touched by an editor.
EDITOR_FLAGS = Q(is_hidden=True) | Q(is_pinned=True) | Q(headline_locked=True)
EDITOR_FLAGS |= Q(category_locked=True) | Q(brief_approved=True)


def merge_converged_stories(
    now: datetime | None = None, threshold: float | None = None
) -> list[tuple[int, int]]:
    """Merge converged live stories no editor touched; returns the
    (absorbed, kept) id pairs."""
    threshold = settings.STORY_MERGE_THRESHOLD if threshold is None else threshold
    with transaction.atomic():
        take_assignment_lock()
        live = Story.objects.filter(is_open=True, merged_into__isnull=True).order_by()
        placed_by_editor = Article.objects.filter(story_locked=True, story__isnull=False).values("story_id")
        untouched = list(
            live.exclude(EDITOR_FLAGS)
            .exclude(pk__in=placed_by_editor)
            .only("id", "centroid_sum", "article_count")
        )
        index = LiveIndex(DIMENSIONS, capacity=max(len(untouched), 1))
        for story in untouched:
            index.put(story.pk, from_bytes(story.centroid_sum))
        sizes = {s.pk: s.article_count for s in untouched}
        by_id = {s.pk: s for s in untouched}
        merged = []
        for absorbed_id, kept_id in find_converged_pairs(index, threshold, sizes):
            merge_into(by_id[absorbed_id], by_id[kept_id], automatic=True)
            merged.append((absorbed_id, kept_id))
    return merged
