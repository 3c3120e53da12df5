"""Briefs for stored stories: reading a story's coverage, rebuilding its
built-in brief on every refresh, and sending the stories worth it to the
model writer when one is configured.

The model's brief is the cache: kept in Story.brief and carried over by each
refresh (which rebuilds only the timeline and angles around it) until the
coverage has grown enough to be worth a new draft. A story is sent at most
once per BRIEF_LLM_INTERVAL_MINUTES of real time, whatever comes of it:
Story.brief_model_at is claimed by a conditional UPDATE, so two workers never
send the same story twice."""

import logging
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ingest.models import Article
from trends import page_versions
from trends.models import Story, StoryTopic
from trends.words.briefs import llm
from trends.words.briefs.document import MODEL, Brief
from trends.words.briefs.evidence import Coverage, sample_for_brief
from trends.words.briefs.model_writer import write_with_model
from trends.words.briefs.verifier import Verifier
from trends.words.briefs.writer import write_brief

log = logging.getLogger(__name__)

# A model brief is redrafted when the story has this much more coverage than it was written from.
REDRAFT_GROWTH, REDRAFT_MIN_NEW = 0.25, 3
FRONT_PAGE = 20  # the front page's first page: its stories are always worth a model brief
LIVE_HOURS = 48


def coverage_by_story(story_ids: list[int]) -> dict[int, list[Coverage]]:
    """Each story's coverage as the brief reads it: original articles (not
    syndicated copies), a spread over the story's life for long stories
    (see evidence.sample_for_brief), oldest first."""
    rows = (
        Article.objects.filter(story_id__in=story_ids, duplicate_of__isnull=True)
        .order_by("published_at", "pk")
        .values_list("pk", "story_id", "published_at")
    )
    stubs: dict[int, list[Coverage]] = {}
    for pk, story_id, published_at in rows:
        stubs.setdefault(story_id, []).append(Coverage(pk, "", "", "", "", published_at))
    wanted = [c.article_id for found in stubs.values() for c in sample_for_brief(found)]
    articles = (
        Article.objects.filter(pk__in=wanted)
        .select_related("source")
        .only("id", "story_id", "title", "summary", "text", "published_at", "embedding", "source__name")
    )
    coverage: dict[int, list[Coverage]] = {}
    for a in sorted(articles, key=lambda a: (a.published_at, a.pk)):
        vector = np.frombuffer(bytes(a.embedding), dtype=np.float32) if a.embedding else None
        coverage.setdefault(a.story_id, []).append(
            Coverage(a.pk, a.source.name, a.title, a.summary, a.text, a.published_at, vector)
        )
    return coverage


def refreshed_brief(
    story: Story, items: list[Coverage], topics: list[tuple[str, str]], now: datetime
) -> dict:
    """The built-in brief, with the stored model brief's sections kept when
    there is one and every article it cites is still in the story."""
    fresh = write_brief(items, topics, now, headline=story.headline)
    stored = Brief.from_dict(story.brief)
    if stored.writer == MODEL and stored.verification is not None and _citations_still_in(story, stored):
        stored.timeline, stored.angles = fresh.timeline, fresh.angles
        return stored.to_dict()
    return fresh.to_dict()


def _citations_still_in(story: Story, brief: Brief) -> bool:
    cited = {a for line in brief.happened + brief.watch for a in line.citations}
    cited |= {a for answer in brief.answers for a in answer.citations}
    return Article.objects.filter(pk__in=cited, story_id=story.pk).count() == len(cited)


# --- The model writer ----------------------------------------------------------------


def needs_redraft(story: Story) -> bool:
    """No model brief yet, or the coverage has grown enough since the last one."""
    stored = Brief.from_dict(story.brief)
    if stored.writer != MODEL or stored.verification is None:
        return True
    written_from = stored.verification.articles
    grown = story.article_count - written_from
    return grown >= REDRAFT_MIN_NEW and grown >= REDRAFT_GROWTH * max(written_from, 1)


def stories_worth_a_model(now: datetime) -> list[Story]:
    """Live, public stories on the front page or spreading faster than
    BRIEF_LLM_MIN_VELOCITY, whose brief no editor approved, fastest first."""
    live = Story.objects.filter(
        is_hidden=False,
        merged_into__isnull=True,
        brief_approved=False,
        article_count__gte=2,
        last_seen_at__gte=now - timedelta(hours=LIVE_HOURS),
    ).order_by("-is_pinned", "-velocity", "-id")
    front = list(live[:FRONT_PAGE])
    fast = list(live.filter(velocity__gte=settings.BRIEF_LLM_MIN_VELOCITY)[:200])
    return list({s.pk: s for s in front + fast}.values())


def claim_for_model(story_id: int) -> bool:
    """Take the story's model turn: true for exactly one caller per interval."""
    real_now = timezone.now()
    due = Q(brief_model_at__isnull=True) | Q(
        brief_model_at__lt=real_now - timedelta(minutes=settings.BRIEF_LLM_INTERVAL_MINUTES)
    )
    return Story.objects.filter(due, pk=story_id).update(brief_model_at=real_now) == 1


def write_model_briefs(
    now: datetime,
    *,
    endpoint: llm.Endpoint | None = None,
    verifier: Verifier | None = None,
    limit: int = 5,
) -> int:
    """Send up to `limit` due stories to the model writer; returns how many
    model briefs were written. Nothing happens without BRIEF_LLM_URL."""
    endpoint = endpoint or llm.Endpoint.from_settings()
    if endpoint is None:
        return 0
    verifier = verifier or Verifier()
    written = 0
    for story in stories_worth_a_model(now):
        if written >= limit:
            break
        if not needs_redraft(story) or not claim_for_model(story.pk):
            continue
        items = coverage_by_story([story.pk]).get(story.pk, [])
        if not items:
            continue
        topics = list(
            StoryTopic.objects.filter(story=story)
            .order_by("-weight")
            .values_list("topic__name", "topic__kind")
        )
        brief = write_with_model(
            items, topics, now, endpoint=endpoint, verifier=verifier, headline=story.headline
        )
        if brief.writer != MODEL:
            continue  # the refresh keeps writing the built-in brief
        # An editor may have approved the brief meanwhile: theirs wins.
        updated = Story.objects.filter(pk=story.pk, brief_approved=False).update(
            brief=brief.to_dict(), brief_updated_at=now
        )
        if updated:
            _refresh_search_text(story.pk)
            page_versions.stories_changed([story.pk])
            written += 1
    return written


def _refresh_search_text(story_id: int) -> None:
    story = Story.objects.only("id", "headline", "dek", "brief").get(pk=story_id)
    from trends.models import story_search_text

    Story.objects.filter(pk=story_id).update(
        search_text=story_search_text(story.headline, story.dek, story.brief)
    )
