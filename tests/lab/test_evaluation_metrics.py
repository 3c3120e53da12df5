"""The clustering scores on small hand-made cases whose answers are worked out by hand."""

import pytest

from lab.clustering import metrics


def test_perfect_clustering_scores_one_everywhere():
    gold = ["a", "a", "b", "c", "c", "c"]
    predicted = [7, 7, 3, 9, 9, 9]
    assert metrics.bcubed(gold, predicted) == (1.0, 1.0, 1.0)
    assert metrics.pairwise(gold, predicted) == (1.0, 1.0, 1.0)
    assert metrics.adjusted_rand(gold, predicted) == pytest.approx(1.0)


def test_everything_in_one_cluster_has_full_recall_and_bcubed_precision_five_ninths():
    # Articles a1, a2 see 2/3 of their cluster from their story, b sees 1/3.
    precision, recall, f1 = metrics.bcubed(["a", "a", "b"], [1, 1, 1])
    assert precision == pytest.approx(5 / 9)
    assert recall == pytest.approx(1.0)
    assert f1 == pytest.approx(2 * (5 / 9) / (5 / 9 + 1))


def test_singletons_have_full_precision_and_bcubed_recall_two_thirds():
    precision, recall, _ = metrics.bcubed(["a", "a", "b"], [1, 2, 3])
    assert precision == pytest.approx(1.0)
    assert recall == pytest.approx(2 / 3)


def test_pairwise_counts_pairs_put_together():
    # Gold pairs: (1,2),(1,3),(2,3),(4,5) = 4. Predicted pairs: (1,2),(3,4) = 2; right: (1,2).
    precision, recall, f1 = metrics.pairwise(["a", "a", "a", "b", "b"], [1, 1, 2, 2, 3])
    assert precision == pytest.approx(1 / 2)
    assert recall == pytest.approx(1 / 4)
    assert f1 == pytest.approx(1 / 3)


def test_adjusted_rand_is_zero_for_a_single_cluster_against_several():
    assert metrics.adjusted_rand(["a", "a", "b", "b"], [1, 1, 1, 1]) == pytest.approx(0.0)


def test_score_reports_every_figure_and_the_cluster_count():
    report = metrics.score(["a", "a", "b"], [1, 1, 2])
    assert set(report) == {
        "bcubed_p",
        "bcubed_r",
        "bcubed_f1",
        "pairwise_p",
        "pairwise_r",
        "pairwise_f1",
        "ari",
        "clusters",
        "top20_purity",
        "junk_top20",
        "split_top20",
    }
    assert report["clusters"] == 2 and report["bcubed_f1"] == 1.0


def test_classification_macro_f1_averages_classes():
    # business: tp 1, fp 1, fn 0 -> F1 2/3; health: tp 1, fp 0, fn 1 -> F1 2/3.
    report = metrics.classification(
        ["business", "health", "health"], ["business", "business", "health"], ["business", "health"]
    )
    assert report["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert report["macro_f1"] == pytest.approx(2 / 3, abs=1e-4)


# --- what a reader sees on the front page ---------------------------------------------


def test_front_page_purity_and_junk_count_the_items_off_each_big_storys_majority_event():
    # Story 1: five items, four of event a; story 2: three items, all b; story 3: one item.
    gold = ["a", "a", "a", "a", "b", "b", "b", "b", "c"]
    predicted = [1, 1, 1, 1, 1, 2, 2, 2, 3]
    scores = metrics.reader_scores(gold, predicted, top=2)
    assert scores["junk_top20"] == 1
    assert scores["top20_purity"] == pytest.approx(7 / 8)


def test_front_page_split_counts_an_event_with_three_items_in_each_of_two_stories():
    # Event a: 3 + 3 items in two stories (split). Event b: 4 + 2 (the second part
    # is too small for a reader to see as a second story). Event c: whole.
    gold = ["a"] * 6 + ["b"] * 6 + ["c"] * 3
    predicted = [1, 1, 1, 2, 2, 2] + [3, 3, 3, 3, 4, 4] + [5, 5, 5]
    assert metrics.reader_scores(gold, predicted)["split_top20"] == 1


def test_front_page_looks_at_the_largest_stories_and_events_only():
    # The junk sits in the third-largest story only.
    gold = ["a"] * 5 + ["b"] * 4 + ["c", "c", "x", "d", "d"]
    predicted = [1] * 5 + [2] * 4 + [3, 3, 3, 4, 4]
    assert metrics.reader_scores(gold, predicted, top=2) == {
        "top20_purity": 1.0,
        "junk_top20": 0,
        "split_top20": 0,
    }
    assert metrics.reader_scores(gold, predicted, top=3)["junk_top20"] == 1


def test_front_page_ties_go_to_the_story_seen_first_in_the_stream():
    # Two stories of two items: the one whose first item came first is on the page.
    gold = ["a", "b", "a", "c"]
    predicted = [7, 9, 7, 9]
    assert metrics.largest(predicted, 1) == [7]
    assert metrics.reader_scores(gold, predicted, top=1)["junk_top20"] == 0


def test_one_story_of_everything_is_as_impure_as_its_minority_events():
    gold = ["a"] * 6 + ["b"] * 3 + ["c"]
    scores = metrics.reader_scores(gold, [0] * 10)
    assert scores == {"top20_purity": 0.6, "junk_top20": 4, "split_top20": 0}


def test_score_reports_pairwise_precision_and_recall_and_the_reader_figures():
    figures = metrics.score(["a", "a", "a", "b", "b"], [1, 1, 2, 2, 3])
    assert figures["pairwise_p"] == 0.5 and figures["pairwise_r"] == 0.25
    assert {"top20_purity", "junk_top20", "split_top20"} <= set(figures)
