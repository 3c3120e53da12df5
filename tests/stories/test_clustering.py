"""Story clustering's mechanics (hand-set scorers on small vectors), its words
(names, key terms) and the shipped model (tests/stories/test_worker_assignment.py:
the workers' database path)."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tests.story_models import cosine_params
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
