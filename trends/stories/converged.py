"""The hourly merge pass: two live stories the learned merge scorer calls one
event told twice (the first articles were worded differently, or looked at
different sides of it) become one.

Call merge_converged_stories(now) from the hourly task. It runs under the
assignment lock, so no worker assigns against a half-merged pair; workers
pick the result up through Story.updated_at like any other change. Each merge
goes through trends.stories.merge.merge_into, the same merge an editor makes, and
is recorded as an "auto-merge" EditorialAction with no user. The kept story's
headline, dek and category are then derived again from its own articles.

Editors' decisions stand: a story an editor merged (merged_into set) is not
live and never considered, and a story an editor touched in any other way
(hidden, pinned, headline or category locked, brief approved, or holding an
article an editor placed) takes part in no automatic merge, as absorbed or
kept, so a hidden story never resurfaces inside a visible one. Such stories
still count in the live term statistics the scorer weighs words by."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ingest.models import Article
from trends.models import Story
from trends.stories.assignment import STORY_FIELDS, load_profiles, take_assignment_lock
from trends.stories.clustering import ClusterParams, LiveStories, find_merge_pairs
from trends.stories.embedding import DIMENSIONS
from trends.stories.merge import merge_into
from trends.words.refresh import refresh_stories

# A story with any of these set was touched by an editor.
EDITOR_FLAGS = Q(is_hidden=True) | Q(is_pinned=True) | Q(headline_locked=True)
EDITOR_FLAGS |= Q(category_locked=True) | Q(brief_approved=True)


def merge_converged_stories(
    now: datetime | None = None, params: ClusterParams | None = None
) -> list[tuple[int, int]]:
    """Merge live stories no editor touched that the merge scorer calls one
    event; returns the (absorbed, kept) id pairs."""
    params = params or ClusterParams.from_settings()
    with transaction.atomic():
        take_assignment_lock()
        live_rows = list(
            Story.objects.filter(is_open=True, merged_into__isnull=True).order_by().only(*STORY_FIELDS)
        )
        placed_by_editor = Article.objects.filter(story_locked=True, story__isnull=False).values("story_id")
        touched = set(
            Story.objects.filter(is_open=True, merged_into__isnull=True)
            .filter(EDITOR_FLAGS | Q(pk__in=placed_by_editor))
            .values_list("pk", flat=True)
        )
        live = LiveStories(DIMENSIONS)
        for story_id, profile in load_profiles(live_rows).items():
            live.put(story_id, profile)
        by_id = {s.pk: s for s in live_rows}
        eligible = {pk for pk in live.profiles if pk not in touched}
        merged = []
        for absorbed_id, kept_id in find_merge_pairs(live, params, eligible):
            merge_into(by_id[absorbed_id], by_id[kept_id], automatic=True)
            merged.append((absorbed_id, kept_id))
    if merged:
        # Headline, dek and category follow the merged story's own articles.
        refresh_stories(sorted({kept for _, kept in merged}), now or timezone.now())
    return merged
