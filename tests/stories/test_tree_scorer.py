import json

import numpy as np
import pytest

from lab.clustering.story_training import boosting_classifier, fit_scorer
from trends.stories.story_model import Scorer, StoryModel, TreeScorer

# Two trees over (cosine, hours): the first splits on cosine then hours, the second is one leaf.
TREES = {
    "kind": "trees",
    "names": ["cosine", "hours"],
    "bias": -1.0,
    "trees": [
        [
            [0, 0.5, 1, 2, 0.0],
            [-1, 0.0, -1, -1, -2.0],
            [1, 24.0, 3, 4, 0.0],
            [-1, 0.0, -1, -1, 3.0],
            [-1, 0.0, -1, -1, 0.5],
        ],
        [[-1, 0.0, -1, -1, 0.25]],
    ],
}


def test_tree_scorer_adds_the_leaf_each_tree_sends_the_pair_to():
    scorer = TreeScorer.from_dict(TREES)
    assert scorer({"cosine": 0.2, "hours": 1.0}) == pytest.approx(-1.0 - 2.0 + 0.25)
    assert scorer({"cosine": 0.9, "hours": 1.0}) == pytest.approx(-1.0 + 3.0 + 0.25)
    assert scorer({"cosine": 0.9, "hours": 48.0}) == pytest.approx(-1.0 + 0.5 + 0.25)
    # A value on a threshold goes left.
    assert scorer({"cosine": 0.5, "hours": 1.0}) == pytest.approx(-1.0 - 2.0 + 0.25)


def test_story_model_file_keeps_a_tree_join_scorer_beside_a_logistic_merge_scorer(tmp_path):
    model = StoryModel(TreeScorer.from_dict(TREES), Scorer({"cosine": 2.0}, -1.0), 1.0, 2.0)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model.to_dict()))
    loaded = StoryModel.load(path)
    assert isinstance(loaded.join, TreeScorer) and isinstance(loaded.merge, Scorer)
    pair = {"cosine": 0.9, "hours": 48.0}
    assert loaded.join(pair) == pytest.approx(model.join(pair))
    assert loaded.join.feature_names == ("cosine", "hours")


@pytest.mark.parametrize("child", [9, 0])
def test_story_model_refuses_a_tree_whose_node_points_outside_it_or_back_up_it(tmp_path, child):
    broken = json.loads(json.dumps(TREES))
    broken["trees"][0][2][3] = child
    path = tmp_path / "model.json"
    path.write_text(
        json.dumps(
            {"join": broken, "merge": {"weights": {}, "bias": 0}, "join_threshold": 0, "merge_threshold": 0}
        )
    )
    with pytest.raises(ValueError, match="not a story model"):
        StoryModel.load(path)


def test_fitted_trees_score_pairs_as_the_boosting_model_they_come_from():
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(600, 3))
    # An interaction a logistic scorer cannot draw: same sign on both axes.
    labels = matrix[:, 0] * matrix[:, 1] > 0
    rows = [dict(zip(["centroid_cosine", "b", "c"], row, strict=True)) for row in matrix]
    scorer = fit_scorer(rows, list(labels), "trees")
    grid = np.linspace(-2, 2, 9)
    probes = [{"centroid_cosine": x, "b": y, "c": 0.0} for x in grid for y in grid]
    expected = (
        boosting_classifier()
        .fit(matrix, labels)
        .decision_function(np.array([[p["centroid_cosine"], p["b"], p["c"]] for p in probes]))
    )
    assert scorer.score_all(probes) == pytest.approx(list(expected), abs=1e-9)
    assert np.mean([(scorer(row) > 0) == label for row, label in zip(rows, labels, strict=True)]) > 0.8


def test_tree_scorer_scores_an_articles_candidates_together_as_one_by_one():
    scorer = TreeScorer.from_dict(TREES)
    pairs = [{"cosine": c, "hours": h} for c in (0.1, 0.5, 0.7, 0.95) for h in (0.0, 24.0, 30.0)]
    assert scorer.score_all(pairs) == pytest.approx([scorer(p) for p in pairs])
    assert scorer.score_all([]) == []
