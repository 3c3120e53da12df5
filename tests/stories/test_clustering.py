"""Story clustering's behaviour on its known failure modes, in memory and in the database."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from trends.stories.clustering import ClusterParams, OnlineClusterer

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
    first = clusterer.assign(at_angle(0), T0, "")
    assert clusterer.assign(at_angle(5), T0, "") == first
    assert clusterer.assign(unit(0, 0, 1), T0, "") != first


def test_story_quiet_for_live_hours_closes_and_a_later_article_starts_a_follow_up():
    clusterer = OnlineClusterer(DIM, ClusterParams(threshold=0.8, live_hours=36))
    first = clusterer.assign(at_angle(0), T0, "")
    assert clusterer.assign(at_angle(1), T0 + timedelta(hours=35), "") == first
    # 35h + 37h: quiet for 37h, longer than the live window.
    assert clusterer.assign(at_angle(2), T0 + timedelta(hours=72), "") != first


def test_merge_pass_joins_two_stories_whose_centroids_converged():
    clusterer = OnlineClusterer(DIM, ClusterParams(threshold=0.95, merge_threshold=0.85))
    a = clusterer.assign(at_angle(0), T0, "")
    b = clusterer.assign(at_angle(25), T0, "")  # cos 0.91: below the join threshold
    assert a != b
    assert clusterer.merge_converged() == [(b, a)]
    assert clusterer.final_story(b) == clusterer.final_story(a) == a
    assert clusterer.assign(at_angle(20), T0, "") == a  # the merged centroid now takes it


def test_merge_pass_leaves_distinct_stories_apart():
    clusterer = OnlineClusterer(DIM, ClusterParams(threshold=0.95, merge_threshold=0.85))
    clusterer.assign(at_angle(0), T0, "")
    clusterer.assign(at_angle(60), T0, "")
    assert clusterer.merge_converged() == []


def test_evaluation_replay_runs_the_workers_clusterer_with_the_merge_pass():
    from lab.clustering.datasets import LabelledArticle
    from lab.clustering.online_run import surge_labels

    vectors = np.stack([at_angle(0), at_angle(25), at_angle(90)])
    articles = [LabelledArticle("t", "t", T0 + timedelta(hours=h), "g", "business", 1) for h in (0, 0, 2)]
    labels = surge_labels(articles, vectors, ClusterParams(threshold=0.95, merge_threshold=0.85))
    # The hour boundary ran the merge pass: the first two end in one story.
    assert labels[0] == labels[1] != labels[2]


@pytest.mark.django_db
def test_db_merge_joins_converged_live_stories_but_leaves_a_story_with_an_editor_placed_article():
    from ingest.models import Article
    from tests.factories import make_article, make_source, make_story
    from trends.models import Story
    from trends.stories.converged import merge_converged_stories

    source = make_source("s.example")

    def story_with_article(vector, locked, n):
        story = make_story(f"h{n}", T0, vector, article_count=1)
        make_article(source, story, "t", T0, story_locked=locked)
        return story

    vector = np.zeros(384, dtype=np.float32)
    vector[0] = 1
    nearby = vector.copy()
    nearby[1] = 0.1
    locked = story_with_article(vector, True, 1)
    free = story_with_article(nearby, False, 2)
    twin = story_with_article(nearby, False, 4)
    apart = np.zeros(384, dtype=np.float32)
    apart[5] = 1
    other = story_with_article(apart, False, 3)

    # The story holding an editor's placement takes part in no automatic merge.
    assert merge_converged_stories(T0, threshold=0.9) == [(twin.pk, free.pk)]
    twin.refresh_from_db()
    free.refresh_from_db()
    assert twin.merged_into_id == free.pk and not twin.is_open
    assert free.article_count == 2
    assert Article.objects.filter(story=free).count() == 2
    assert Story.objects.get(pk=locked.pk).merged_into_id is None
    assert Story.objects.get(pk=other.pk).merged_into_id is None


def _waiting_article(source, n, vector, when=T0):
    """An article embedded and waiting for a story."""
    from ingest.models import Article
    from tests.factories import make_article

    return make_article(source, title=f"waiting {n}", when=when, vector=vector, stage=Article.Stage.EXTRACTED)


def _wide(*values):
    vector = np.zeros(384, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


@pytest.mark.django_db
def test_worker_sync_drops_a_story_another_process_closed_since_its_last_look():
    from django.utils import timezone

    from tests.factories import make_source
    from trends.models import Story
    from trends.stories.assignment import StoryAssigner

    source = make_source("s.example")
    assigner = StoryAssigner()
    [first] = assigner.assign([_waiting_article(source, 1, _wide(1, 0))], T0)
    # Another worker closes it (its write is newer than this worker's stamp).
    Story.objects.filter(pk=first).update(is_open=False, updated_at=timezone.now())
    [second] = assigner.assign([_waiting_article(source, 2, _wide(1, 0.05))], T0)
    assert second != first


@pytest.mark.django_db
def test_worker_keeps_joining_its_own_story_without_reloading_it():
    from tests.factories import make_source
    from trends.models import Story
    from trends.stories.assignment import StoryAssigner

    source = make_source("s.example")
    assigner = StoryAssigner()
    touched = [assigner.assign([_waiting_article(source, n, _wide(1, 0.01 * n))], T0) for n in range(3)]
    assert touched[0] == touched[1] == touched[2]
    assert Story.objects.get().article_count == 3
    # Its own writes are in step: the stamps it wrote are the stored ones.
    story = Story.objects.get()
    assert assigner.applied[story.pk] == story.updated_at


@pytest.mark.django_db
def test_article_already_in_a_story_is_not_assigned_again():
    from tests.factories import make_source
    from trends.models import Story
    from trends.stories.assignment import StoryAssigner

    source = make_source("s.example")
    article = _waiting_article(source, 1, _wide(1, 0))
    assigner = StoryAssigner()
    assert len(assigner.assign([article], T0)) == 1
    assert assigner.assign([article], T0) == []
    assert Story.objects.count() == 1


def test_bench_assign_prints_a_row_per_history_size_and_the_spread():
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("bench_assign", sizes="300,600", db_sizes="", repeats=2, articles=20, json=True, stdout=out)
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert [row["history_stories"] for row in report["memory"]["sizes"]] == [300, 600]
    assert all(len(row["wall_repeats"]) == 2 for row in report["memory"]["sizes"])
    assert "spread_wall" in report["memory"] and "spread_cpu" in report["memory"]


def at_cosine(cosine):
    return at_angle(np.degrees(np.arccos(cosine)))


def test_title_terms_keep_content_words_and_drop_stop_words_and_possessives():
    from trends.stories.clustering import title_terms

    terms = title_terms("Apple's iPhone sales rise in China as it cuts prices")
    assert set(terms) == {"apple", "iphone", "sales", "rise", "china", "cuts", "prices"}
    assert sum(w * w for w in terms.values()) == pytest.approx(1.0)


def test_story_terms_cosine_matches_the_cosine_of_the_summed_vectors():
    from trends.stories.clustering import StoryTerms, title_terms

    titles = ["Malaysia Airlines search widens", "Search for Malaysia jet moves south", "Jet debris found"]
    story = StoryTerms()
    total: dict[str, float] = {}
    for title in titles:
        story.add(1, title_terms(title))
        for word, weight in title_terms(title).items():
            total[word] = total.get(word, 0.0) + weight
    probe = title_terms("Malaysia jet search")
    expected = sum(w * total.get(t, 0.0) for t, w in probe.items()) / np.sqrt(
        sum(v * v for v in total.values())
    )
    assert story.similarity(1, probe) == pytest.approx(expected)


def test_shared_title_terms_lift_a_borderline_article_into_the_story_and_unrelated_titles_do_not():
    params = ClusterParams(threshold=0.45, lexical_weight=0.4)
    shared = OnlineClusterer(DIM, params)
    story = shared.assign(at_angle(0), T0, "Malaysia Airlines flight MH370 search widens")
    # Embedding cosine 0.40: under the threshold alone; the shared names add 0.4 x about 0.6.
    assert shared.assign(at_cosine(0.40), T0, "MH370 search: Malaysia Airlines families wait") == story

    unrelated = OnlineClusterer(DIM, params)
    story = unrelated.assign(at_angle(0), T0, "Malaysia Airlines flight MH370 search widens")
    assert unrelated.assign(at_cosine(0.40), T0, "Fed holds interest rates steady") != story


def test_title_terms_pick_the_story_that_shares_names_over_a_slightly_nearer_centroid():
    clusterer = OnlineClusterer(DIM, ClusterParams(threshold=0.45, lexical_weight=0.4))
    fed = clusterer.assign(unit(1, 0, 0), T0, "Fed holds interest rates steady")
    jet = clusterer.assign(unit(0, 1, 0), T0, "Malaysia Airlines MH370 search widens")
    # Embedding: a bit nearer the Fed story (0.62 against 0.55); title: all about the jet.
    article = unit(0.62, 0.55, np.sqrt(1 - 0.62**2 - 0.55**2))
    assert clusterer.assign(article, T0, "Malaysia Airlines MH370 search moves south") == jet != fed


def test_merged_story_keeps_both_stories_title_terms():
    clusterer = OnlineClusterer(DIM, ClusterParams(threshold=0.95, merge_threshold=0.85, lexical_weight=0.4))
    a = clusterer.assign(at_angle(0), T0, "Quake hits Chile")
    b = clusterer.assign(at_angle(25), T0, "Tsunami warning lifted")
    assert clusterer.merge_converged() == [(b, a)]
    assert clusterer.terms.similarity(a, {"tsunami": 1.0}) > 0
    assert b not in clusterer.terms


@pytest.mark.django_db
def test_worker_starting_cold_loads_live_stories_title_terms_from_their_articles():
    from tests.factories import make_source
    from trends.stories.assignment import StoryAssigner

    source = make_source("s.example")
    first = _waiting_article(source, 1, _wide(1, 0))
    first.title = "Malaysia Airlines flight MH370 search widens"
    first.save()
    [story] = StoryAssigner().assign([first], T0)
    # A fresh worker (cold start) sees the title terms: a borderline article
    # sharing the names joins, as in the in-memory rule.
    cosine = 0.40
    borderline = _waiting_article(source, 2, _wide(cosine, np.sqrt(1 - cosine**2)))
    borderline.title = "MH370 search: Malaysia Airlines families wait"
    borderline.save()
    assert StoryAssigner().assign([borderline], T0) == [story]


def test_online_clusterer_assign_needs_a_title():
    clusterer = OnlineClusterer(DIM, ClusterParams(threshold=0.8))
    with pytest.raises(TypeError):
        clusterer.assign(at_angle(0), T0)


@pytest.mark.django_db
def test_worker_chooses_again_when_its_story_was_merged_before_it_locked_it(monkeypatch):
    """An editor merges the story a worker chose between its choice and its
    row lock: the article must not land in the merged (closed) story."""
    from ingest.models import Article
    from tests.factories import make_source
    from trends.models import Story
    from trends.stories import assignment
    from trends.stories.assignment import StoryAssigner

    source = make_source("s.example")
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
