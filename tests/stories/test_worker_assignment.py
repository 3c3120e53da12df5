"""The workers' database path of story assignment: the in-memory live stories
kept in step with the database across worker processes, and the hourly merge
in the database (hand-set scorers on small vectors)."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tests.story_models import cosine_model, cosine_params
from trends.stories.clustering import ClusterParams

T0 = datetime(2026, 1, 3, 9, tzinfo=UTC)


def _waiting_article(source, n, vector, when=T0, title=None):
    from ingest.models import Article
    from trends.stories.embedding import to_bytes

    return Article.objects.create(
        source=source,
        url=f"http://s.example/w{n}",
        canonical_url=f"http://s.example/w{n}",
        title=title or f"waiting {n}",
        published_at=when,
        fetched_at=when,
        stage=Article.Stage.EXTRACTED,
        embedding=to_bytes(vector),
    )


def _wide(*values):
    vector = np.zeros(384, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


@pytest.fixture
def cosine_settings(monkeypatch):
    """Workers read their parameters from settings: give them the hand-set model."""
    monkeypatch.setattr(ClusterParams, "from_settings", classmethod(lambda cls: cosine_params(0.8)))


@pytest.mark.django_db
def test_worker_sync_drops_a_story_another_process_closed_since_its_last_look(cosine_settings):
    from django.utils import timezone

    from ingest.models import Source
    from trends.models import Story
    from trends.stories.assignment import StoryAssigner

    source = Source.objects.create(name="S", domain="s.example")
    assigner = StoryAssigner()
    [first] = assigner.assign([_waiting_article(source, 1, _wide(1, 0))], T0)
    # Another worker closes it (its write is newer than this worker's stamp).
    Story.objects.filter(pk=first).update(is_open=False, updated_at=timezone.now())
    [second] = assigner.assign([_waiting_article(source, 2, _wide(1, 0.05))], T0)
    assert second != first


@pytest.mark.django_db
def test_worker_keeps_joining_its_own_story_without_reloading_it(cosine_settings):
    from ingest.models import Source
    from trends.models import Story
    from trends.stories.assignment import StoryAssigner

    source = Source.objects.create(name="S", domain="s.example")
    assigner = StoryAssigner()
    touched = [assigner.assign([_waiting_article(source, n, _wide(1, 0.01 * n))], T0) for n in range(3)]
    assert touched[0] == touched[1] == touched[2]
    story = Story.objects.get()
    assert story.article_count == 3
    # Its own writes are in step: the stamps it wrote are the stored ones.
    assert assigner.applied[story.pk] == story.updated_at
    assert assigner.live.profiles[story.pk].size == 3


@pytest.mark.django_db
def test_story_made_by_a_batch_that_failed_is_not_chosen_by_the_retry(cosine_settings, monkeypatch):
    from ingest.models import Source
    from trends.models import Story
    from trends.stories import assignment
    from trends.stories.assignment import StoryAssigner

    source = Source.objects.create(name="S", domain="s.example")
    assigner = StoryAssigner()
    article = _waiting_article(source, 1, _wide(1, 0))
    # The batch makes its story, then fails before committing.
    monkeypatch.setattr(assignment.page_versions, "stories_changed", lambda ids: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        assigner.assign([article], T0)
    assert not Story.objects.exists()
    monkeypatch.undo()
    monkeypatch.setattr(ClusterParams, "from_settings", classmethod(lambda cls: cosine_params(0.8)))
    # The retry (and any article near it) gets a real story, not the rolled-back one.
    [story_id] = assigner.assign([article], T0)
    assert Story.objects.get(pk=story_id).article_count == 1


@pytest.mark.django_db
def test_article_already_in_a_story_is_not_assigned_again(cosine_settings):
    from ingest.models import Source
    from trends.models import Story
    from trends.stories.assignment import StoryAssigner

    source = Source.objects.create(name="S", domain="s.example")
    article = _waiting_article(source, 1, _wide(1, 0))
    assigner = StoryAssigner()
    assert len(assigner.assign([article], T0)) == 1
    assert assigner.assign([article], T0) == []
    assert Story.objects.count() == 1


@pytest.mark.django_db
def test_a_batchs_articles_reach_their_stories_in_one_statement(cosine_settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ingest.models import Article, Source
    from trends.models import Story
    from trends.stories.assignment import StoryAssigner

    source = Source.objects.create(name="S", domain="s.example")
    other = Source.objects.create(name="O", domain="o.example")
    batch = [_waiting_article(source, n, _wide(1, 0.01 * n)) for n in range(3)]
    batch += [_waiting_article(other, 3, _wide(1, 0.04)), _waiting_article(source, 4, _wide(0, 1))]
    with CaptureQueriesContext(connection) as queries:
        StoryAssigner().assign(batch, T0)
    assert len([q for q in queries if q["sql"].startswith('UPDATE "ingest_article"')]) == 1
    assert not Article.objects.filter(story__isnull=True).exists()
    assert Article.objects.filter(stage=Article.Stage.ASSIGNED).count() == 5
    joined = Story.objects.get(article_count=4)
    # the second outlet counted once, its own source found among the batch's earlier joins
    assert joined.source_count == 2
    assert Story.objects.get(article_count=1).source_count == 1


@pytest.mark.django_db
def test_two_late_batch_mates_from_a_new_outlet_count_it_once_in_a_big_story(cosine_settings):
    from ingest.models import Source
    from trends.models import Story
    from trends.stories.assignment import StoryAssigner
    from trends.stories.members import RECENT_MEMBERS

    wire, late = (
        Source.objects.create(name="W", domain="w.example"),
        Source.objects.create(name="L", domain="l.example"),
    )
    assigner = StoryAssigner()
    big = [
        _waiting_article(wire, n, _wide(1, 0), when=T0 + timedelta(minutes=n))
        for n in range(RECENT_MEMBERS + 2)
    ]
    [story_id] = assigner.assign(big, T0 + timedelta(hours=2))
    # Both older than every member the live profile keeps: neither stays in it.
    mates = [
        _waiting_article(late, 100 + n, _wide(1, 0), when=T0 - timedelta(minutes=30 - n)) for n in range(2)
    ]
    assert assigner.assign(mates, T0 + timedelta(hours=2)) == [story_id]
    story = Story.objects.get(pk=story_id)
    assert story.article_count == RECENT_MEMBERS + 4
    assert story.source_count == 2


@pytest.mark.django_db
def test_worker_starting_cold_loads_a_live_storys_latest_members_as_the_running_worker_has_them(
    cosine_settings,
):
    from ingest.models import Source
    from trends.stories.assignment import StoryAssigner

    source = Source.objects.create(name="S", domain="s.example")
    running = StoryAssigner()
    titles = ["Quake hits Chile", "Chile quake: tsunami warning", "Chile quake toll rises"]
    for n, title in enumerate(titles):
        article = _waiting_article(source, n, _wide(1, 0.01 * n), T0 + timedelta(minutes=n), title)
        [story] = running.assign([article], T0 + timedelta(minutes=n))
    cold = StoryAssigner()
    cold.assign([], T0 + timedelta(minutes=5))  # its first look: the cold sync
    warm, loaded = running.live.profiles[story], cold.live.profiles[story]
    assert [m.key for m in loaded.members] == [m.key for m in warm.members]
    assert [m.terms for m in loaded.members] == [m.terms for m in warm.members]
    assert loaded.size == warm.size == 3 and loaded.first_seen == warm.first_seen
    np.testing.assert_allclose(loaded.centroid_sum, warm.centroid_sum, rtol=1e-5)
    assert cold.live.terms.frequency == running.live.terms.frequency


@pytest.mark.django_db
def test_worker_chooses_again_when_its_story_was_merged_before_it_locked_it(cosine_settings, monkeypatch):
    """An editor merges the story a worker chose between its choice and its
    row lock: the article must not land in the merged (closed) story."""
    from ingest.models import Article, Source
    from trends.models import Story
    from trends.stories import assignment
    from trends.stories.assignment import StoryAssigner

    source = Source.objects.create(name="S", domain="s.example")
    worker = StoryAssigner()
    [chosen] = worker.assign([_waiting_article(source, 1, _wide(1, 0))], T0)
    [target] = worker.assign([_waiting_article(source, 2, _wide(0, 1))], T0)
    real_choose = assignment.choose_story

    def choose_then_merge(*args):
        story_id, score = real_choose(*args)
        if story_id == chosen and not Story.objects.get(pk=chosen).merged_into_id:
            # updated_at unchanged, as if the merge committed after the worker's sync.
            Story.objects.filter(pk=chosen).update(merged_into=target, is_open=False)
        return story_id, score

    monkeypatch.setattr(assignment, "choose_story", choose_then_merge)
    late = _waiting_article(source, 3, _wide(1, 0.05))
    worker.assign([late], T0)

    assert Article.objects.get(pk=late.pk).story_id not in (None, chosen)
    assert Story.objects.get(pk=chosen).article_count == 1


def _story_with_articles(source, vectors, first_n, *, locked=False, headline="stale headline"):
    from ingest.models import Article
    from trends.models import Story
    from trends.stories.embedding import to_bytes

    story = Story.objects.create(
        headline=headline,
        first_seen_at=T0 + timedelta(hours=first_n),
        last_seen_at=T0 + timedelta(hours=first_n + len(vectors) - 1),
        centroid_sum=to_bytes(np.sum(vectors, axis=0)),
        article_count=len(vectors),
    )
    for offset, vector in enumerate(vectors):
        n = first_n + offset
        Article.objects.create(
            source=source,
            url=f"http://s.example/{n}",
            canonical_url=f"http://s.example/{n}",
            title=f"Chile quake report {n}",
            published_at=T0 + timedelta(hours=n),
            fetched_at=T0 + timedelta(hours=n),
            story=story,
            story_locked=locked,
            stage=Article.Stage.ASSIGNED,
            embedding=to_bytes(vector),
        )
    return story


@pytest.mark.django_db
def test_db_merge_joins_one_event_told_twice_but_leaves_a_story_with_an_editor_placed_article():
    from ingest.models import Article, Source
    from trends.models import Story
    from trends.stories.converged import merge_converged_stories

    source = Source.objects.create(name="S", domain="s.example")
    near = [_wide(1, 0.1), _wide(1, 0.12)]
    locked = _story_with_articles(source, near, 0, locked=True)
    free = _story_with_articles(source, near, 2)
    twin = _story_with_articles(source, near, 4)
    other = _story_with_articles(source, [_wide(0, 0, 1), _wide(0, 0, 1, 0.01)], 6)

    params = ClusterParams(model=cosine_model(0.99, merge_at=0.9))
    assert merge_converged_stories(T0, params) == [(twin.pk, free.pk)]
    twin.refresh_from_db()
    free.refresh_from_db()
    assert twin.merged_into_id == free.pk and not twin.is_open
    assert free.article_count == 4 and Article.objects.filter(story=free).count() == 4
    assert Story.objects.get(pk=locked.pk).merged_into_id is None
    assert Story.objects.get(pk=other.pk).merged_into_id is None


@pytest.mark.django_db
def test_merged_story_takes_its_headline_and_first_sighting_from_its_own_articles():
    from ingest.models import Source
    from trends.stories.converged import merge_converged_stories

    source = Source.objects.create(name="S", domain="s.example")
    kept = _story_with_articles(source, [_wide(1, 0.1), _wide(1, 0.12), _wide(1, 0.11)], 3)
    absorbed = _story_with_articles(source, [_wide(1, 0.1), _wide(1, 0.13)], 0)
    params = ClusterParams(model=cosine_model(0.99, merge_at=0.9))
    assert merge_converged_stories(T0 + timedelta(hours=6), params) == [(absorbed.pk, kept.pk)]
    kept.refresh_from_db()
    titles = {f"Chile quake report {n}" for n in range(6)}
    assert kept.headline in titles  # derived again from the merged coverage
    assert kept.first_seen_at == T0  # the absorbed story's first article
    assert kept.headline != "stale headline"
    assert kept.last_seen_at == T0 + timedelta(hours=5)
    assert (kept.article_count, kept.source_count) == (5, 1)
