"""Editorial operations: what an editor does to a story, in plain Python.

Every operation runs in one transaction, records an EditorialAction (who,
what, when, detail) and sets the flag that makes automation leave the
editor's choice alone:

- headline_locked, category_locked, brief_approved: trends.refresh skips them;
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
from django.db.models import Count, Max, Min
from django.utils import timezone

from ingest.models import Article, Feed
from trends.assignment import take_assignment_lock
from trends.embedding import DIMENSIONS, from_bytes, to_bytes
from trends.models import CATEGORIES, EditorialAction, Story, StoryTopic

CATEGORY_CODES = frozenset(code for code, _label in CATEGORIES)
MAX_HEADLINE_CHARS = 300
MAX_DEK_CHARS = 500
MAX_BRIEF_SENTENCES = 12


class EditorialError(ValueError):
    """An operation the editor asked for that cannot be done (shown to them)."""


def _record(user, story: Story | None, action: str, **detail) -> EditorialAction:
    return EditorialAction.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        story=story,
        action=action,
        detail=detail,
    )


def _locked(story_id: int) -> Story:
    """The story, re-read under a row lock (PostgreSQL; SQLite's IMMEDIATE
    transaction already holds the write lock) so an assigner writing the same
    story waits for us instead of overwriting our sums."""
    return Story.objects.select_for_update().get(pk=story_id)


# --- Words -------------------------------------------------------------------


def retitle(story: Story, user, headline: str, dek: str | None = None) -> Story:
    """Set the headline (and, when given, the dek) and lock them against the
    hourly refresh."""
    headline = clean_headline(headline)
    if dek is not None:
        dek = clean_dek(dek)
    with transaction.atomic():
        story = _locked(story.pk)
        detail = {"old_headline": story.headline, "new_headline": headline}
        story.headline = headline
        if dek is not None:
            detail.update(old_dek=story.dek, new_dek=dek)
            story.dek = dek
        story.headline_locked = True
        story.save(update_fields=["headline", "dek", "headline_locked", "updated_at"])
        _record(user, story, "retitle", **detail)
    return story


def clean_headline(headline: str) -> str:
    """The headline as it will be stored, or EditorialError (forms call this
    to show the error before anything is saved)."""
    headline = " ".join((headline or "").split())
    if not headline:
        raise EditorialError("A headline cannot be empty.")
    if len(headline) > MAX_HEADLINE_CHARS:
        raise EditorialError(f"A headline is at most {MAX_HEADLINE_CHARS} characters.")
    return headline


def clean_dek(dek: str) -> str:
    dek = " ".join((dek or "").split())
    if len(dek) > MAX_DEK_CHARS:
        raise EditorialError(f"A dek is at most {MAX_DEK_CHARS} characters.")
    return dek


def clean_category(category: str) -> str:
    if category not in CATEGORY_CODES:
        raise EditorialError(f"Unknown category {category!r}.")
    return category


def recategorise(story: Story, user, category: str) -> Story:
    clean_category(category)
    with transaction.atomic():
        story = _locked(story.pk)
        old = story.category
        story.category = category
        story.category_locked = True
        story.save(update_fields=["category", "category_locked", "updated_at"])
        _record(user, story, "recategorise", old_category=old, new_category=category)
    return story


def edit_brief(story: Story, user, sentences: list[str], now: datetime) -> Story:
    """Replace the brief's sentences with the editor's, and approve it.

    A sentence the editor kept word for word keeps its citations; a sentence
    they wrote or changed is marked as the editor's, with no citations, so the
    page never shows a source for words the source did not write."""
    sentences = [" ".join(s.split()) for s in sentences]
    sentences = [s for s in sentences if s]
    if not sentences:
        raise EditorialError("A brief needs at least one sentence.")
    if len(sentences) > MAX_BRIEF_SENTENCES:
        raise EditorialError(f"A brief has at most {MAX_BRIEF_SENTENCES} sentences.")
    with transaction.atomic():
        story = _locked(story.pk)
        brief = dict(story.brief or {})
        cited = {s.get("text"): s for s in brief.get("sentences", []) if isinstance(s, dict)}
        new_sentences = []
        for text in sentences:
            if text in cited:
                new_sentences.append(cited[text])
            else:
                new_sentences.append({"text": text, "citations": [], "source": "", "by_editor": True})
        from_sources = [s for s in new_sentences if s.get("citations")]
        corroborated = [s for s in from_sources if len(s["citations"]) > 1]
        # The other parts of a reader's brief (what to watch, outlets' angles)
        # stay as they were: each of their sentences is cited.
        others = [s for key in ("watch_next", "angles") for s in brief.get(key) or [] if isinstance(s, dict)]
        every = new_sentences + others
        brief.update(
            sentences=new_sentences,
            method="edited by an editor from the extractive brief; the editor's own sentences cite nothing",
            sentences_from_sources=len(from_sources),
            sentences_total=len(every),
            supported_share=round(sum(1 for s in every if s.get("citations")) / len(every), 3),
            corroborated_share=round(len(corroborated) / len(new_sentences), 3),
            updated_at=now.isoformat(),
            edited=True,
        )
        story.brief = brief
        story.brief_updated_at = now
        story.brief_approved = True
        story.save(update_fields=["brief", "brief_updated_at", "brief_approved", "updated_at"])
        _record(
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
        story = _locked(story.pk)
        setattr(story, field, value)
        story.save(update_fields=[field, "updated_at"])
        _record(user, story, action)
    return story


# --- Structure -----------------------------------------------------------------


def merge(source: Story, target: Story, user) -> Story:
    """An editor folds `source` into `target` (see merge_into).

    Returns the target. The caller refreshes the target's words (see
    trends.refresh.refresh_stories) when it wants them re-derived now."""
    if source.pk == target.pk:
        raise EditorialError("A story cannot be merged into itself.")
    with transaction.atomic():
        # No worker may choose either story while they are half merged.
        take_assignment_lock()
        return merge_into(source, target, user=user)


def merge_into(absorbed: Story, kept: Story, *, user=None, automatic: bool = False) -> Story:
    """The one merge, for editors and for the hourly pass (trends.merging):
    the absorbed story's articles, centroid sum, counts and topics move to the
    kept story; stories merged into the absorbed one earlier now point at the
    kept one; the absorbed story stays as a closed record pointing at the kept
    one (its page can redirect there). Recorded as "merge"/"merged_into" for
    an editor, "auto-merge" (user None) for the hourly pass.

    The caller holds a transaction and the assignment lock. Returns the kept
    story."""
    if absorbed.pk == kept.pk:
        raise EditorialError("A story cannot be merged into itself.")
    # Lock in id order so two opposite merges cannot deadlock.
    first, second = sorted([absorbed.pk, kept.pk])
    locked = {first: _locked(first), second: _locked(second)}
    absorbed, kept = locked[absorbed.pk], locked[kept.pk]
    if absorbed.merged_into_id is not None:
        raise EditorialError(f"Story {absorbed.pk} was already merged into story {absorbed.merged_into_id}.")
    if kept.merged_into_id is not None:
        raise EditorialError(f"Story {kept.pk} was already merged into story {kept.merged_into_id}.")

    moved = Article.objects.filter(story=absorbed).update(story=kept)
    kept.centroid_sum = to_bytes(_vector(kept.centroid_sum) + _vector(absorbed.centroid_sum))
    kept.first_seen_at = min(kept.first_seen_at, absorbed.first_seen_at)
    kept.last_seen_at = max(kept.last_seen_at, absorbed.last_seen_at)
    _recount(kept)
    kept.save()  # save() bumps updated_at: workers re-read the centroid

    _merge_topics(absorbed, kept)
    Story.objects.filter(merged_into=absorbed).update(merged_into=kept, updated_at=timezone.now())

    absorbed.merged_into = kept
    absorbed.is_open = False
    absorbed.is_pinned = False
    _recount(absorbed)
    absorbed.save()  # updated_at moves: workers drop it from their live index

    if automatic:
        _record(None, kept, "auto-merge", merged_story=absorbed.pk, articles_moved=moved)
        _record(None, absorbed, "auto-merge", target_story=kept.pk, articles_moved=moved)
    else:
        _record(
            user,
            kept,
            "merge",
            merged_story=absorbed.pk,
            merged_headline=absorbed.headline,
            articles_moved=moved,
        )
        _record(user, absorbed, "merged_into", target_story=kept.pk, articles_moved=moved)
    return kept


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
            origins[story_id] = _locked(story_id)
        for story in origins.values():
            if story.merged_into_id is not None:
                raise EditorialError(
                    f"Story {story.pk} was merged; move articles from story {story.merged_into_id}."
                )
            remaining = Article.objects.filter(story=story).exclude(pk__in=article_ids).count()
            if remaining == 0:
                raise EditorialError(f"Moving every article out of story {story.pk} would leave it empty.")

        vectors = {a.pk: _vector(a.embedding) for a in rows}
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
        _recount(new_story)
        new_story.save()

        for story in origins.values():
            leaving = [vectors[a.pk] for a in rows if a.story_id == story.pk]
            story.centroid_sum = to_bytes(_vector(story.centroid_sum) - sum(leaving))
            span = Article.objects.filter(story=story).aggregate(
                first=Min("published_at"), last=Max("published_at")
            )
            story.first_seen_at, story.last_seen_at = span["first"], span["last"]
            _recount(story)
            story.save()  # updated_at moves: workers re-read the smaller centroid
            _record(
                user,
                story,
                "move_out",
                articles=[a.pk for a in rows if a.story_id == story.pk],
                new_story=new_story.pk,
            )
        _record(
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


def _recount(story: Story) -> None:
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


def _vector(blob) -> np.ndarray:
    vector = from_bytes(blob)
    if vector is None or vector.shape != (DIMENSIONS,):
        return np.zeros(DIMENSIONS, dtype=np.float32)
    return vector.astype(np.float32, copy=True)


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
        changed = list(Feed.objects.filter(pk__in=feed_ids).exclude(paused=paused).values_list("pk", "url"))
        Feed.objects.filter(pk__in=[pk for pk, _ in changed]).update(paused=paused)
        for pk, url in changed:
            _record(user, None, "pause_feed" if paused else "resume_feed", feed=pk, url=url)
    return len(changed)
