"""Story clustering's mechanics (hand-set scorers on small vectors), its words
(names, key terms), and the workers' database path."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tests.story_models import cosine_model, cosine_params
from trends.stories.clustering import ClusterParams, LiveStories, OnlineClusterer, choose_story
from trends.stories.features import join_features
from trends.stories.members import RECENT_MEMBERS, Member, StoryProfile, TermStats, title_words
from trends.stories.story_model import StoryModel

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
    clusterer = OnlineClusterer(DIM, cosine_params(0.8))
    first = clusterer.assign(at_angle(0), T0, "a")
    assert clusterer.assign(at_angle(5), T0, "b") == first
    assert clusterer.assign(unit(0, 0, 1), T0, "c") != first


def test_story_quiet_for_live_hours_closes_and_a_later_article_starts_a_follow_up():
    clusterer = OnlineClusterer(DIM, cosine_params(0.8, live_hours=36))
    first = clusterer.assign(at_angle(0), T0, "a")
    assert clusterer.assign(at_angle(1), T0 + timedelta(hours=35), "b") == first
    # 35h + 37h: quiet for 37h, longer than the live window.
    assert clusterer.assign(at_angle(2), T0 + timedelta(hours=72), "c") != first


def test_live_window_counts_from_when_the_article_arrives_not_when_it_was_published():
    clusterer = OnlineClusterer(DIM, cosine_params(0.8, live_hours=36))
    first = clusterer.assign(at_angle(0), T0, "a")
    # Published an hour after the story's article, but it reaches us 40 hours on.
    late = clusterer.assign(at_angle(1), T0 + timedelta(hours=1), "b", now=T0 + timedelta(hours=40))
    assert late != first


def test_merge_pass_joins_two_stories_the_merge_scorer_calls_one_event():
    clusterer = OnlineClusterer(DIM, cosine_params(0.95, merge_at=0.85))
    a = clusterer.assign(at_angle(0), T0, "a1")
    b = clusterer.assign(at_angle(25), T0, "b1")  # cos 0.91: below the join threshold
    clusterer.assign(at_angle(1), T0, "a2")
    clusterer.assign(at_angle(24), T0, "b2")
    assert a != b
    assert clusterer.merge_converged() == [(b, a)]
    assert clusterer.final_story(b) == clusterer.final_story(a) == a
    assert clusterer.live.profiles[a].size == 4


def test_merge_pass_leaves_lone_articles_and_distinct_stories_apart():
    clusterer = OnlineClusterer(DIM, cosine_params(0.95, merge_at=0.85))
    clusterer.assign(at_angle(0), T0, "a")
    clusterer.assign(at_angle(20), T0, "b")  # close, but a lone article had its chance to join
    assert clusterer.merge_converged() == []
    for n in range(2):
        clusterer.assign(at_angle(60), T0, f"c{n}")
    assert clusterer.merge_converged() == []


def test_online_clusterer_assign_needs_a_title():
    clusterer = OnlineClusterer(DIM, cosine_params(0.8))
    with pytest.raises(TypeError):
        clusterer.assign(at_angle(0), T0)


def test_a_story_is_judged_by_its_latest_members_only():
    profile = StoryProfile.of_members(
        [Member.of_title(n, at_angle(0), f"t{n}", "s", T0 + timedelta(minutes=n)) for n in range(3)]
    )
    for n in range(3, RECENT_MEMBERS + 10):
        profile.add(Member.of_title(n, at_angle(0), f"t{n}", "s", T0 + timedelta(minutes=n)))
    assert profile.size == RECENT_MEMBERS + 10
    assert len(profile.members) == RECENT_MEMBERS
    assert profile.members[0].key == 10 and profile.members[-1].key == RECENT_MEMBERS + 9


def test_recent_centroid_follows_where_a_drifting_story_is_now():
    # Two days about one thing, then six hours about another.
    old = [Member.of_title(n, at_angle(0), "x", "s", T0 + timedelta(hours=n)) for n in range(10)]
    new = [Member.of_title(10 + n, at_angle(90), "x", "s", T0 + timedelta(hours=48 + n)) for n in range(3)]
    profile = StoryProfile.of_members(old + new)
    article = Member.of_title(99, at_angle(90), "x", "s", T0 + timedelta(hours=52))
    features = join_features(profile, article, TermStats())
    assert features["recent_centroid_cosine"] > 0.95
    assert features["centroid_cosine"] < 0.4


def test_story_model_refuses_a_file_that_is_not_one(tmp_path):
    path = tmp_path / "model.json"
    path.write_text('{"join": {"weights": {}}}')
    with pytest.raises(ValueError, match="not a story model"):
        StoryModel.load(path)


def test_shipped_story_model_scores_every_feature_the_code_computes():
    model = ClusterParams().model
    story = StoryProfile.of_members([Member.of_title(1, at_angle(0), "Quake hits Chile", "a", T0)])
    live = LiveStories(DIM)
    live.put(1, story)
    features = join_features(story, Member.of_title(2, at_angle(3), "Chile quake", "b", T0), live.terms)
    assert set(model.join.feature_names) == set(features)


# --- words ---------------------------------------------------------------------------


def test_title_words_keep_content_words_and_drop_stop_words_and_possessives():
    terms, _, _ = title_words("Apple's iPhone sales rise in China as it cuts prices")
    assert terms == {"apple", "iphone", "sales", "rise", "china", "cuts", "prices"}


def test_sentence_case_titles_tell_names_and_title_case_titles_do_not():
    _, capitalised, lowered = title_words("Jets beat the Bills as Rodgers returns")
    assert capitalised == {"bills", "rodgers"} and lowered == {"beat", "returns"}
    assert title_words("Jets Beat The Bills As Rodgers Returns")[1:] == (frozenset(), frozenset())


def test_term_stats_call_a_word_a_name_when_titles_mostly_capitalise_it():
    stats = TermStats()
    for n, title in enumerate(["Fans cheer as Rodgers returns", "Rodgers returns to training"]):
        stats.add(Member.of_title(n, unit(1), title, "s", T0))
    assert stats.is_name("rodgers") and not stats.is_name("returns") and not stats.is_name("fans")


def test_term_weights_follow_the_live_stories():
    live = LiveStories(DIM)
    for n in range(4):
        title = "Trump speaks" if n else "Trump speaks on Maduro"
        live.put(n, StoryProfile.of_members([Member.of_title(n, unit(1), title, "s", T0)]))
    assert live.terms.idf("maduro") > live.terms.idf("trump")
    live.remove(0)
    assert live.terms.frequency.get("maduro") is None and live.terms.documents == 3


# --- the workers' database path ------------------------------------------------------


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
    assert set(report["memory_us"]) == {"300", "600"} and report["memory_spread"] >= 0
    assert "db_us" not in report


def test_shipped_merge_scorer_scores_every_feature_the_code_computes():
    from trends.stories.features import merge_features

    model = ClusterParams().model
    a = StoryProfile.of_members(
        [Member.of_title(n, at_angle(0), "Quake hits Chile", "a", T0) for n in range(2)]
    )
    b = StoryProfile.of_members([Member.of_title(n, at_angle(4), "Chile quake", "b", T0) for n in (5, 6)])
    assert set(model.merge.feature_names) == set(merge_features(a, b, TermStats()))


def test_nearest_each_finds_what_nearest_finds_for_every_story(monkeypatch):
    from trends.stories import live_index

    monkeypatch.setattr(live_index, "NEAREST_BLOCK", 3)  # several blocks
    rng = np.random.default_rng(11)
    index = live_index.LiveIndex(DIM, capacity=4)  # grows while filled
    for story_id in range(10):
        index.put(story_id, rng.standard_normal(DIM).astype(np.float32))
    index.remove(4)
    ids = [s for s in range(10) if s != 4]
    found = index.nearest_each(ids, k=3)
    for story_id in ids:
        expected = index.nearest(index.centroid(story_id), k=3)
        assert [s for s, _ in found[story_id]] == [s for s, _ in expected]
        assert np.allclose([c for _, c in found[story_id]], [c for _, c in expected], atol=1e-6)


def test_shipped_model_joins_the_same_report_from_another_outlet():
    story = StoryProfile.of_members([Member.of_title(1, at_angle(0), "Storm floods the river town", "a", T0)])
    live = LiveStories(DIM)
    live.put(1, story)
    copy = Member.of_title(2, at_angle(0), "Storm floods the river town", "b", T0 + timedelta(minutes=5))
    story_id, score = choose_story(live, copy, ClusterParams())
    assert story_id == 1 and score >= ClusterParams().join_at
