"""The survival rule: what an editor did holds after the real automation
runs again (assignment of new articles, the hourly pass, the
refresh of headlines, categories and briefs).

The survival tests replay the real newsriver stream of 2026-01-03 (the US
strikes on Venezuela): 07:00-11:00 before the editor acts, 11:00-14:00 after.
They act on the replay's largest stories, or the one its coverage is joining
now, whatever their headlines: which real articles the clusterer keeps apart
changes as it is tuned, and no test here is about that."""

from datetime import timedelta

import numpy as np
import pytest
from django.db.models import Count, Q

from editorial import operations as editorial
from ingest.feeds import FeedItem
from ingest.models import Article
from ingest.polling import store_item
from tests.factories import DAY
from tests.realdata import load_stream
from trends.measure.hourly import run_hourly_pass
from trends.models import Story, StorySnapshot
from trends.stories.assignment import StoryAssigner, assigner
from trends.stories.embedding import DIMENSIONS, from_bytes
from trends.stories.embedding import embed_texts as real_embed_texts
from trends.stories.pipeline import embed_and_assign
from trends.words.refresh import refresh_stories

BEFORE_EDIT = (DAY.replace(hour=7), DAY.replace(hour=11))
AFTER_EDIT = (DAY.replace(hour=11), DAY.replace(hour=14))


_VECTORS: dict[str, np.ndarray] = {}


def _embed_once(texts, **kwargs):
    """The real model's vectors, each text embedded once per test session:
    the survival tests replay the same hours many times."""
    missing = [t for t in dict.fromkeys(texts) if t not in _VECTORS]
    if missing:
        _VECTORS.update(zip(missing, real_embed_texts(missing, **kwargs), strict=True))
    return np.array([_VECTORS[t] for t in texts], dtype=np.float32).reshape(len(texts), DIMENSIONS)


@pytest.fixture
def morning(real_data, db, monkeypatch):
    """The stories of 2026-01-03 07:00-11:00, clustered by the real pipeline."""
    monkeypatch.setattr("trends.stories.pipeline.embed_texts", _embed_once)
    assigner.reset()  # the worker's in-memory index must not outlive the test database
    load_stream(*BEFORE_EDIT)
    yield
    assigner.reset()


def two_largest_stories() -> tuple[Story, Story]:
    """The morning's two largest live stories, largest first. The largest
    (the strikes on Venezuela, as the data stands) is the one the later
    hours' coverage keeps joining."""
    stories = list(Story.objects.filter(merged_into__isnull=True).order_by("-article_count", "pk")[:2])
    assert len(stories) == 2, "the replay should make at least two stories"
    assert all(s.article_count >= 2 for s in stories), [(s.headline, s.article_count) for s in stories]
    return stories[0], stories[1]


def largest_story() -> Story:
    """The morning story the coverage is joining now: the most articles
    fetched in the morning's last hour, then the largest. The later hours'
    coverage keeps joining it, so the automation runs on it again."""
    since = BEFORE_EDIT[1] - timedelta(hours=1)
    stories = Story.objects.filter(merged_into__isnull=True, article_count__gte=2).annotate(
        recent=Count("articles", filter=Q(articles__fetched_at__gte=since))
    )
    return stories.order_by("-recent", "-article_count", "pk").first()


def merge_pair() -> tuple[Story, Story]:
    """(target, source): the second-largest story absorbs the largest. The
    merged centroid then leans to the source's coverage, so what would have
    joined the source must reach the target, and would reach the source
    instead if an index still held it."""
    largest, second = two_largest_stories()
    return second, largest


def continue_stream():
    """The next hours of the real stream, through the same cores as the workers."""
    load_stream(*AFTER_EDIT)


# --- The survival rule ------------------------------------------------------------


@pytest.mark.slow
def test_retitled_headline_survives_new_articles_refresh_and_hourly_pass(morning, editor):
    story = largest_story()
    articles_before = story.article_count
    editorial.retitle(story, editor, "US strikes Venezuela", "Explosions in Caracas; Maduro taken")

    continue_stream()

    story.refresh_from_db()
    assert story.article_count > articles_before, "the story must have been refreshed with new coverage"
    assert story.headline == "US strikes Venezuela"
    assert story.dek == "Explosions in Caracas; Maduro taken"
    assert story.headline_locked


@pytest.mark.slow
def test_unlocked_headline_is_rederived_by_the_refresh(morning, editor):
    """The control for the test above: without the lock, automation does rewrite it."""
    story = largest_story()
    Story.objects.filter(pk=story.pk).update(headline="placeholder")
    continue_stream()
    story.refresh_from_db()
    assert story.headline != "placeholder"


@pytest.mark.slow
def test_recategorised_category_survives_new_articles(morning, editor):
    story = largest_story()
    editorial.recategorise(story, editor, "world")
    continue_stream()
    story.refresh_from_db()
    assert story.category == "world"
    assert story.category_locked


@pytest.mark.slow
def test_approved_brief_is_not_rewritten_by_new_coverage(morning, editor):
    story = largest_story()
    approved = story.brief
    assert approved["sentences"], "the replay should have produced a brief"
    editorial.approve_brief(story, editor)

    continue_stream()

    story.refresh_from_db()
    assert story.brief == approved
    assert story.brief_approved


@pytest.mark.slow
def test_merged_story_receives_no_new_articles_and_target_does(morning, editor):
    target, source = merge_pair()
    editorial.merge(source, target, editor)
    target.refresh_from_db()
    merged_count = target.article_count

    continue_stream()

    source.refresh_from_db()
    target.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert not source.is_open
    assert not Article.objects.filter(story=source).exists()
    assert target.article_count > merged_count, "the source's later coverage joins the target"
    assert target.article_count == Article.objects.filter(story=target).count()


@pytest.mark.slow
def test_hourly_pass_stops_tracking_a_merged_story(morning, editor):
    target, source = merge_pair()
    editorial.merge(source, target, editor)
    continue_stream()
    after_merge = StorySnapshot.objects.filter(hour__gt=BEFORE_EDIT[1])
    assert not after_merge.filter(story=source).exists()
    assert after_merge.filter(story=target).exists()


@pytest.mark.slow
def test_merge_adds_centroid_sums_and_counts_and_repoints_articles(morning, editor):
    target, source = merge_pair()
    expected_sum = from_bytes(target.centroid_sum) + from_bytes(source.centroid_sum)
    expected_ids = set(Article.objects.filter(story__in=[target, source]).values_list("pk", flat=True))
    expected_sources = Article.objects.filter(pk__in=expected_ids).values("source").distinct().count()
    first_seen = min(target.first_seen_at, source.first_seen_at)
    updated_before = source.updated_at

    editorial.merge(source, target, editor)

    target.refresh_from_db()
    source.refresh_from_db()
    assert np.allclose(from_bytes(target.centroid_sum), expected_sum)
    assert set(Article.objects.filter(story=target).values_list("pk", flat=True)) == expected_ids
    assert target.article_count == len(expected_ids)
    assert target.source_count == expected_sources
    assert target.first_seen_at == first_seen
    assert source.updated_at > updated_before


@pytest.mark.slow
def test_another_workers_live_index_drops_the_merged_story(morning, editor):
    """A second worker process keeps its own index; it learns of the merge
    from the story's updated_at."""
    target, source = merge_pair()
    other_worker = StoryAssigner()
    other_worker._sync()
    assert source.pk in other_worker.live

    editorial.merge(source, target, editor)
    other_worker._sync()

    assert source.pk not in other_worker.live
    assert target.pk in other_worker.live


@pytest.mark.slow
def test_new_article_like_the_merged_story_goes_to_the_merge_target(morning, editor):
    target, source = merge_pair()
    newest = Article.objects.filter(story=source).order_by("-published_at", "-pk").first()
    editorial.merge(source, target, editor)
    now = BEFORE_EDIT[1] + timedelta(minutes=20)
    follow_up = "Follow-up: " + newest.title  # worded like the merged story's coverage
    article_id = store_item(
        newest.feed,
        FeedItem("https://example.org/follow-up", "https://example.org/follow-up", follow_up, "", now),
        now,
    )
    Article.objects.filter(pk=article_id).update(stage=Article.Stage.EXTRACTED)

    touched = embed_and_assign([article_id], now)

    # Never the merged story (an index that still held it would choose it:
    # the article is worded like its newest coverage); a live story instead.
    joined = Story.objects.get(pk=Article.objects.get(pk=article_id).story_id)
    assert touched == [joined.pk]
    assert joined.pk != source.pk and joined.merged_into_id is None


@pytest.mark.slow
def test_moved_article_stays_in_its_new_story(morning, editor):
    story = largest_story()
    article = Article.objects.filter(story=story).order_by("published_at").first()
    old_sum = from_bytes(story.centroid_sum)

    new_story = editorial.move_article_out(article, editor, BEFORE_EDIT[1])

    story.refresh_from_db()
    assert np.allclose(from_bytes(story.centroid_sum), old_sum - from_bytes(article.embedding), atol=1e-5)
    assert story.article_count == Article.objects.filter(story=story).count()

    continue_stream()
    embed_and_assign([article.pk], AFTER_EDIT[1])  # a retried task for the same article
    refresh_stories([story.pk, new_story.pk], AFTER_EDIT[1])

    article.refresh_from_db()
    assert article.story_id == new_story.pk
    assert article.story_locked
    assert Story.objects.get(pk=new_story.pk).merged_into_id is None


@pytest.mark.slow
def test_pin_and_hide_survive_the_hourly_pass(morning, editor):
    story = largest_story()
    editorial.pin(story, editor)
    editorial.hide(story, editor)
    run_hourly_pass(BEFORE_EDIT[1] + timedelta(hours=1))
    continue_stream()
    story.refresh_from_db()
    assert story.is_pinned and story.is_hidden


@pytest.mark.slow
def test_edited_brief_keeps_citations_only_for_unchanged_sentences(morning, editor):
    story = largest_story()
    kept = story.brief["sentences"][0]
    editorial.edit_brief(story, editor, [kept["text"], "Written by the desk."], BEFORE_EDIT[1])

    continue_stream()

    story.refresh_from_db()
    first, second = story.brief["sentences"]
    assert first["citations"] == kept["citations"]
    assert second == {"text": "Written by the desk.", "citations": [], "source": "", "by_editor": True}
    assert story.brief_approved
