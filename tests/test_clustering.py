"""Story clustering's behaviour on its known failure modes, in memory and in the database."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from trends.clustering import ClusterParams, OnlineClusterer

T0 = datetime(2026, 1, 3, 9, tzinfo=UTC)
DIM = 8


def unit(*values):
    vector = np.zeros(DIM, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def at_angle(degrees):
    radians = np.radians(degrees)
    return unit(np.cos(radians), np.sin(radians))


def test_near_identical_articles_join_one_story_and_unrelated_one_starts_another():
    clusterer = OnlineClusterer(DIM, ClusterParams(threshold=0.8))
    first = clusterer.assign(at_angle(0), T0)
    assert clusterer.assign(at_angle(5), T0) == first
    assert clusterer.assign(unit(0, 0, 1), T0) != first


def test_story_quiet_for_live_hours_closes_and_a_later_article_starts_a_follow_up():
    clusterer = OnlineClusterer(DIM, ClusterParams(threshold=0.8, live_hours=36))
    first = clusterer.assign(at_angle(0), T0)
    assert clusterer.assign(at_angle(1), T0 + timedelta(hours=35)) == first
    # 35h + 37h: quiet for 37h, longer than the live window.
    assert clusterer.assign(at_angle(2), T0 + timedelta(hours=72)) != first


def test_merge_pass_joins_two_stories_whose_centroids_converged():
    clusterer = OnlineClusterer(DIM, ClusterParams(threshold=0.95, merge_threshold=0.85))
    a = clusterer.assign(at_angle(0), T0)
    b = clusterer.assign(at_angle(25), T0)  # cos 0.91: below the join threshold
    assert a != b
    assert clusterer.merge_converged() == [(b, a)]
    assert clusterer.final_story(b) == clusterer.final_story(a) == a
    assert clusterer.assign(at_angle(20), T0) == a  # the merged centroid now takes it


def test_merge_pass_leaves_distinct_stories_apart():
    clusterer = OnlineClusterer(DIM, ClusterParams(threshold=0.95, merge_threshold=0.85))
    clusterer.assign(at_angle(0), T0)
    clusterer.assign(at_angle(60), T0)
    assert clusterer.merge_converged() == []


def test_drift_cap_ends_a_slowly_rotating_chain_sooner():
    # Each article is 6 degrees from the previous one: a centroid that follows
    # them keeps taking the next; a centroid held near its seed lets go sooner.
    chain = [at_angle(6 * step) for step in range(16)]
    free = OnlineClusterer(DIM, ClusterParams(threshold=0.9, merge_threshold=1.1))
    capped = OnlineClusterer(DIM, ClusterParams(threshold=0.9, merge_threshold=1.1, drift_floor=0.99))
    free_ids = [free.assign(v, T0) for v in chain]
    capped_ids = [capped.assign(v, T0) for v in chain]
    assert capped_ids.count(capped_ids[0]) < free_ids.count(free_ids[0])


def test_evaluation_replay_runs_the_workers_clusterer_with_the_merge_pass():
    from trends.evaluation.datasets import LabelledArticle
    from trends.evaluation.replay import surge_labels

    vectors = np.stack([at_angle(0), at_angle(25), at_angle(90)])
    articles = [LabelledArticle("t", "t", T0 + timedelta(hours=h), "g", "business", 1) for h in (0, 0, 2)]
    labels = surge_labels(articles, vectors, ClusterParams(threshold=0.95, merge_threshold=0.85))
    # The hour boundary ran the merge pass: the first two end in one story.
    assert labels[0] == labels[1] != labels[2]


@pytest.mark.django_db
def test_db_merge_joins_converged_live_stories_but_never_absorbs_an_editor_locked_article():
    from ingest.models import Article, Source
    from trends.embedding import to_bytes
    from trends.merging import merge_converged_stories
    from trends.models import Story

    source = Source.objects.create(name="S", domain="s.example")

    def story_with_article(vector, locked, n):
        story = Story.objects.create(
            headline=f"h{n}",
            first_seen_at=T0,
            last_seen_at=T0,
            centroid_sum=to_bytes(vector),
            article_count=1,
        )
        Article.objects.create(
            source=source,
            url=f"http://s.example/{n}",
            canonical_url=f"http://s.example/{n}",
            title="t",
            published_at=T0,
            fetched_at=T0,
            story=story,
            story_locked=locked,
        )
        return story

    vector = np.zeros(384, dtype=np.float32)
    vector[0] = 1
    nearby = vector.copy()
    nearby[1] = 0.1
    locked = story_with_article(vector, True, 1)
    free = story_with_article(nearby, False, 2)
    apart = np.zeros(384, dtype=np.float32)
    apart[5] = 1
    other = story_with_article(apart, False, 3)

    assert merge_converged_stories(T0, threshold=0.9) == [(free.pk, locked.pk)]
    free.refresh_from_db()
    locked.refresh_from_db()
    assert free.merged_into_id == locked.pk and not free.is_open
    assert locked.article_count == 2
    assert Article.objects.filter(story=locked).count() == 2
    assert Story.objects.get(pk=other.pk).merged_into_id is None
