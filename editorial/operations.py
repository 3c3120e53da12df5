"""Editorial operations: what an editor does to a story, in plain Python.

Every operation runs in one transaction, records an EditorialAction (who,
what, when, detail) and sets the flag that makes automation leave the
editor's choice alone:

- headline_locked, category_locked, brief_approved: trends.words.refresh skips them;
- merged_into: the assigner drops the story from its live index (it re-reads
  every story whose updated_at moved) and the hourly pass stops tracking it;
- Article.story_locked: the article was placed by hand. Automation only ever
  assigns articles that have no story, so a placed article stays put.

The admin and the trend page's editor controls both call these functions,
so an action is recorded the same way whichever screen it came from.
"""

from datetime import datetime

import numpy as np
from django.db import transaction
from django.db.models import Max, Min

from editorial.checks import (  # noqa: F401 (re-exported: the admin calls editorial.clean_*)
    CATEGORY_CODES,
    MAX_BRIEF_SENTENCES,
    MAX_DEK_CHARS,
    MAX_HEADLINE_CHARS,
    EditorialError,
    clean_brief_sentences,
    clean_category,
    clean_dek,
    clean_headline,
)
from editorial.models import record_action
from ingest.models import Article
from ingest.sources import set_feeds_paused
from trends.models import Story
from trends.stories.assignment import take_assignment_lock
from trends.stories.embedding import DIMENSIONS, to_bytes
from trends.stories.merge import MergeRefused, lock_story, merge_into, recount_story, story_vector
from trends.words.briefs import Brief, Line

# --- Words -------------------------------------------------------------------


def retitle(story: Story, user, headline: str, dek: str | None = None) -> Story:
    """Set the headline (and, when given, the dek) and lock them against the
    hourly refresh."""
    headline = clean_headline(headline)
    if dek is not None:
        dek = clean_dek(dek)
    with transaction.atomic():
        story = lock_story(story.pk)
        detail = {"old_headline": story.headline, "new_headline": headline}
        story.headline = headline
        if dek is not None:
            detail.update(old_dek=story.dek, new_dek=dek)
            story.dek = dek
        story.headline_locked = True
        story.save(update_fields=["headline", "dek", "headline_locked", "updated_at"])
        record_action(user, story, "retitle", **detail)
    return story


def recategorise(story: Story, user, category: str) -> Story:
    clean_category(category)
    with transaction.atomic():
        story = lock_story(story.pk)
        old = story.category
        story.category = category
        story.category_locked = True
        story.save(update_fields=["category", "category_locked", "updated_at"])
        record_action(user, story, "recategorise", old_category=old, new_category=category)
    return story


def edit_brief(story: Story, user, sentences: list[str], now: datetime) -> Story:
    """Replace the brief's sentences with the editor's, and approve it.

    A sentence the editor kept word for word keeps its citations; a sentence
    they wrote or changed is marked as the editor's, with no citations, so the
    page never shows a source for words the source did not write."""
    sentences = clean_brief_sentences(sentences)
    if not sentences:
        raise EditorialError("A brief needs at least one sentence.")
    if len(sentences) > MAX_BRIEF_SENTENCES:
        raise EditorialError(f"A brief has at most {MAX_BRIEF_SENTENCES} sentences.")
    with transaction.atomic():
        story = lock_story(story.pk)
        brief = Brief.from_dict(story.brief)
        cited = {line.text: line for line in brief.happened if not line.by_editor}
        # The other sections (timeline, angles, what to watch, answers) stay
        # as they were: each of their lines is cited.
        brief.happened = [cited.get(text) or Line(text, [], "", by_editor=True) for text in sentences]
        brief.updated_at = now
        brief.edited = True
        new_sentences = brief.happened
        from_sources = [line for line in new_sentences if line.citations]
        brief = brief.to_dict()
        story.brief = brief
        story.brief_updated_at = now
        story.brief_approved = True
        story.save(update_fields=["brief", "brief_updated_at", "brief_approved", "updated_at"])
        record_action(
            user,
            story,
            "edit_brief",
            sentences=len(new_sentences),
            by_editor=len(new_sentences) - len(from_sources),
        )
    return story


def approve_brief(story: Story, user) -> Story:
    """Keep the current brief as it is: the refresh stops rewriting it."""
    return _set_flag(story, user, "brief_approved", True, "approve_brief")


def pin(story: Story, user) -> Story:
    return _set_flag(story, user, "is_pinned", True, "pin")


def unpin(story: Story, user) -> Story:
    return _set_flag(story, user, "is_pinned", False, "unpin")


def hide(story: Story, user) -> Story:
    return _set_flag(story, user, "is_hidden", True, "hide")


def unhide(story: Story, user) -> Story:
    return _set_flag(story, user, "is_hidden", False, "unhide")


# Which lock each "release" gives back to automation.
RELEASABLE = {
    "headline": "headline_locked",
    "category": "category_locked",
    "brief": "brief_approved",
}


def release(story: Story, user, what: str) -> Story:
    """Hand the headline, category or brief back to automation: the next
    refresh derives it from the coverage again."""
    if what not in RELEASABLE:
        raise EditorialError(f"Nothing called {what!r} can be released.")
    return _set_flag(story, user, RELEASABLE[what], False, f"release_{what}")


def _set_flag(story: Story, user, field: str, value: bool, action: str) -> Story:
    with transaction.atomic():
        story = lock_story(story.pk)
        setattr(story, field, value)
        story.save(update_fields=[field, "updated_at"])
        record_action(user, story, action)
    return story


# --- Structure -----------------------------------------------------------------


def merge(source: Story, target: Story, user) -> Story:
    """An editor folds `source` into `target` (see merge_into).

    Returns the target. The caller refreshes the target's words (see
    trends.words.refresh.refresh_stories) when it wants them re-derived now."""
    if source.pk == target.pk:
        raise EditorialError("A story cannot be merged into itself.")
    with transaction.atomic():
        # No worker may choose either story while they are half merged.
        take_assignment_lock()
        try:
            return merge_into(source, target, user=user)
        except MergeRefused as refused:
            raise EditorialError(str(refused)) from refused


def move_articles_out(articles: list[Article], user, now: datetime) -> Story:
    """Take articles out of their stories into one new story of their own,
    and lock them there: re-clustering never moves them back.

    Each story they left loses their vectors from its centroid sum and its
    counts, so later articles are matched against what remains."""
    article_ids = sorted({a.pk for a in articles})
    if not article_ids:
        raise EditorialError("No article to move.")
    with transaction.atomic():
        # No worker may add to the stories while their articles leave them.
        take_assignment_lock()
        rows = list(Article.objects.filter(pk__in=article_ids).select_related("feed"))
        if len(rows) != len(article_ids):
            raise EditorialError("Some of those articles no longer exist.")
        origins = {}
        for story_id in sorted({a.story_id for a in rows if a.story_id}):
            origins[story_id] = lock_story(story_id)
        for story in origins.values():
            if story.merged_into_id is not None:
                raise EditorialError(
                    f"Story {story.pk} was merged; move articles from story {story.merged_into_id}."
                )
            remaining = Article.objects.filter(story=story).exclude(pk__in=article_ids).count()
            if remaining == 0:
                raise EditorialError(f"Moving every article out of story {story.pk} would leave it empty.")

        vectors = {a.pk: story_vector(a.embedding) for a in rows}
        newest = max(rows, key=lambda a: a.published_at)
        category = _category_for(rows, origins)
        new_story = Story.objects.create(
            headline=newest.title[:MAX_HEADLINE_CHARS],
            dek="",
            category=category,
            first_seen_at=min(a.published_at for a in rows),
            last_seen_at=newest.published_at,
            is_open=True,
            centroid_sum=to_bytes(sum(vectors.values(), np.zeros(DIMENSIONS, dtype=np.float32))),
        )
        Article.objects.filter(pk__in=article_ids).update(story=new_story, story_locked=True)
        recount_story(new_story)
        new_story.save()

        for story in origins.values():
            leaving = [vectors[a.pk] for a in rows if a.story_id == story.pk]
            story.centroid_sum = to_bytes(story_vector(story.centroid_sum) - sum(leaving))
            span = Article.objects.filter(story=story).aggregate(
                first=Min("published_at"), last=Max("published_at")
            )
            story.first_seen_at, story.last_seen_at = span["first"], span["last"]
            recount_story(story)
            story.save()  # updated_at moves: workers re-read the smaller centroid
            record_action(
                user,
                story,
                "move_out",
                articles=[a.pk for a in rows if a.story_id == story.pk],
                new_story=new_story.pk,
            )
        record_action(
            user,
            new_story,
            "created_from_articles",
            articles=article_ids,
            from_stories=sorted(origins),
            at=now.isoformat(),
        )
    return new_story


def move_article_out(article: Article, user, now: datetime) -> Story:
    return move_articles_out([article], user, now)


def _category_for(rows: list[Article], origins: dict[int, Story]) -> str:
    hints = [a.feed.category_hint for a in rows if a.feed and a.feed.category_hint in CATEGORY_CODES]
    if hints:
        return max(set(hints), key=hints.count)
    if origins:
        return next(iter(origins.values())).category
    return "general"


# --- Feeds -----------------------------------------------------------------------


def pause_feeds(feeds, user) -> int:
    return _set_paused(feeds, user, True)


def resume_feeds(feeds, user) -> int:
    return _set_paused(feeds, user, False)


def _set_paused(feeds, user, paused: bool) -> int:
    feed_ids = [f.pk for f in feeds]
    with transaction.atomic():
        changed = set_feeds_paused(feed_ids, paused)
        for pk, url in changed:
            record_action(user, None, "pause_feed" if paused else "resume_feed", feed=pk, url=url)
    return len(changed)
