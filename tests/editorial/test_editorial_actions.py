"""Editorial operations and the EditorialAction each one records: retitle,
recategorise, pin/hide, release, merge (the editor's and the hourly pass's
automatic merge, one merge core), moving articles out, pausing feeds."""

import numpy as np
import pytest

from editorial import operations as editorial
from editorial.models import EditorialAction
from ingest.models import Article, Feed
from tests.factories import DAY, make_article, make_feed, make_source, make_story, story_with_articles
from tests.story_models import cosine_model
from trends.models import Story, StoryTopic, Topic
from trends.stories.clustering import ClusterParams
from trends.stories.embedding import DIMENSIONS

# --- Operations and their record ----------------------------------------------------


def test_every_operation_records_who_did_what(db, editor):
    story = make_story("Original")
    editorial.retitle(story, editor, "  New   headline ")
    editorial.recategorise(story, editor, "science")
    editorial.pin(story, editor)
    editorial.unpin(story, editor)
    editorial.hide(story, editor)
    editorial.unhide(story, editor)
    editorial.approve_brief(story, editor)
    editorial.release(story, editor, "headline")

    actions = list(EditorialAction.objects.filter(story=story).order_by("pk"))
    assert [a.action for a in actions] == [
        "retitle",
        "recategorise",
        "pin",
        "unpin",
        "hide",
        "unhide",
        "approve_brief",
        "release_headline",
    ]
    assert {a.user_id for a in actions} == {editor.pk}
    assert all(a.created_at is not None for a in actions)
    assert actions[0].detail == {"old_headline": "Original", "new_headline": "New headline"}
    story.refresh_from_db()
    assert story.headline == "New headline"
    assert not story.headline_locked
    assert story.category_locked and story.brief_approved


def test_empty_headline_is_refused_and_nothing_is_recorded(db, editor):
    story = make_story("Original")
    with pytest.raises(editorial.EditorialError):
        editorial.retitle(story, editor, "   ")
    assert not EditorialAction.objects.exists()


def test_unknown_category_is_refused(db, editor):
    with pytest.raises(editorial.EditorialError):
        editorial.recategorise(make_story("x"), editor, "gossip")


def test_story_cannot_be_merged_into_itself_or_twice(db, editor):
    a, b, c = make_story("a"), make_story("b"), make_story("c")
    with pytest.raises(editorial.EditorialError):
        editorial.merge(a, a, editor)
    editorial.merge(a, b, editor)
    with pytest.raises(editorial.EditorialError):
        editorial.merge(a, c, editor)
    with pytest.raises(editorial.EditorialError):
        editorial.merge(c, a, editor)


def test_merging_a_story_repoints_stories_merged_into_it_earlier(db, editor):
    a, b, c = make_story("a"), make_story("b"), make_story("c")
    editorial.merge(a, b, editor)
    editorial.merge(b, c, editor)
    assert Story.objects.get(pk=a.pk).merged_into_id == c.pk


def test_merge_moves_topics_and_adds_weights(db, editor):
    source, target = make_story("source"), make_story("target")
    shared = Topic.objects.create(name="Caracas", slug="caracas", kind="place")
    only_source = Topic.objects.create(name="Maduro", slug="maduro", kind="person")
    StoryTopic.objects.create(story=source, topic=shared, weight=2)
    StoryTopic.objects.create(story=target, topic=shared, weight=3)
    StoryTopic.objects.create(story=source, topic=only_source, weight=1)

    editorial.merge(source, target, editor)

    weights = dict(StoryTopic.objects.filter(story=target).values_list("topic__slug", "weight"))
    assert weights == {"caracas": 5, "maduro": 1}
    assert not StoryTopic.objects.filter(story=source).exists()


def test_moving_every_article_out_of_a_story_is_refused(db, editor):
    story = make_story("only one")
    article = make_article(
        story=story,
        title="only one",
        vector=np.ones(DIMENSIONS) / np.sqrt(DIMENSIONS),
    )
    with pytest.raises(editorial.EditorialError):
        editorial.move_article_out(article, editor, DAY)
    assert Article.objects.get(pk=article.pk).story_id == story.pk


def test_pausing_feeds_is_recorded_once_per_change(db, editor):
    feed = make_feed("https://outlet.example/rss")
    assert editorial.pause_feeds([feed], editor) == 1
    assert editorial.pause_feeds([feed], editor) == 0  # already paused: nothing to record
    assert editorial.resume_feeds([feed], editor) == 1
    assert list(EditorialAction.objects.order_by("pk").values_list("action", flat=True)) == [
        "pause_feed",
        "resume_feed",
    ]
    assert not Feed.objects.get(pk=feed.pk).paused


def test_editorial_merge_and_move_out_take_the_assignment_lock(db, editor, monkeypatch):
    taken = []
    monkeypatch.setattr(editorial, "take_assignment_lock", lambda: taken.append(True))
    editorial.merge(make_story("a"), make_story("b"), editor)
    assert len(taken) == 1
    _story, articles = story_with_articles(2)
    editorial.move_articles_out(articles[:1], editor, DAY)
    assert len(taken) == 2


# --- The automatic merge (trends.stories.converged) -----------------------------------------------


def converged_pair(**flags) -> tuple[Story, Story]:
    """Two stories about one event (centroids almost equal), each with
    articles from its own outlets; `flags` are set on the smaller one."""
    rng = np.random.default_rng(5)
    base = rng.standard_normal(DIMENSIONS).astype(np.float32)
    stories = []
    for index, size in enumerate([3, 2]):
        vectors = [base + rng.standard_normal(DIMENSIONS).astype(np.float32) * 0.01 for _ in range(size)]
        vectors = [v / np.linalg.norm(v) for v in vectors]
        story = make_story(
            f"Story {index}",
            vector=np.sum(vectors, axis=0),
            article_count=size,
            source_count=size,
            **(flags if index == 1 else {}),
        )
        for n, vector in enumerate(vectors):
            source = make_source(f"o{index}{n}.example", name=f"Outlet {index}-{n}")
            make_article(source, story, f"Article {index}-{n}", vector=vector)
        stories.append(story)
    return stories[0], stories[1]


def test_automatic_merge_moves_articles_sources_and_topics_and_is_logged(db):
    from trends.stories.converged import merge_converged_stories

    kept, absorbed = converged_pair()
    topic = Topic.objects.create(name="Caracas", slug="caracas", kind="place")
    StoryTopic.objects.create(story=absorbed, topic=topic, weight=2)
    earlier = make_story("merged into the absorbed one earlier")
    editorial.merge(earlier, absorbed, None)

    assert merge_converged_stories(params=ClusterParams(model=cosine_model(0.99, merge_at=0.9))) == [
        (absorbed.pk, kept.pk)
    ]

    kept.refresh_from_db()
    assert (kept.article_count, kept.source_count) == (5, 5)
    # Topics moved with the articles, then were derived again from the kept story's own coverage.
    assert not StoryTopic.objects.filter(story=absorbed).exists()
    assert Story.objects.get(pk=earlier.pk).merged_into_id == kept.pk
    logged = EditorialAction.objects.filter(action="auto-merge")
    assert {(a.story_id, a.user_id) for a in logged} == {(kept.pk, None), (absorbed.pk, None)}


@pytest.mark.parametrize(
    "flags",
    [
        {"is_hidden": True},
        {"is_pinned": True},
        {"headline_locked": True},
        {"category_locked": True},
        {"brief_approved": True},
    ],
)
def test_automatic_merge_leaves_a_story_an_editor_flagged_alone(db, flags):
    from trends.stories.converged import merge_converged_stories

    kept, flagged = converged_pair(**flags)
    assert merge_converged_stories(params=ClusterParams(model=cosine_model(0.99, merge_at=0.9))) == []
    assert Story.objects.get(pk=flagged.pk).merged_into_id is None
    assert Story.objects.get(pk=kept.pk).merged_into_id is None


def test_automatic_merge_leaves_a_story_holding_an_article_an_editor_placed_alone(db):
    from trends.stories.converged import merge_converged_stories

    kept, placed = converged_pair()
    Article.objects.filter(story=placed).update(story_locked=True)
    assert merge_converged_stories(params=ClusterParams(model=cosine_model(0.99, merge_at=0.9))) == []
    assert Story.objects.get(pk=placed.pk).merged_into_id is None
