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
    assert set(report) == {"bcubed_p", "bcubed_r", "bcubed_f1", "pairwise_f1", "ari", "clusters"}
    assert report["clusters"] == 2 and report["bcubed_f1"] == 1.0


def test_classification_macro_f1_averages_classes():
    # business: tp 1, fp 1, fn 0 -> F1 2/3; health: tp 1, fp 0, fn 1 -> F1 2/3.
    report = metrics.classification(
        ["business", "health", "health"], ["business", "business", "health"], ["business", "health"]
    )
    assert report["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert report["macro_f1"] == pytest.approx(2 / 3, abs=1e-4)
