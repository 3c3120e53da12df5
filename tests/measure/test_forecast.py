"""The "fades by tomorrow" forecast: its outcome rule, its features, the
model's training and prediction round trip (on a replayed slice of the real
newsriver stream), and the default model shipped in the repo."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from lab.forecast.scoring import calibration, persistence_probabilities
from lab.forecast.trajectories import replay
from lab.newsriver import read_stream
from tests.realdata import NEWSRIVER
from trends.measure.forecast import predict, rule_forecast
from trends.measure.forecast.features import FEATURE_NAMES, StoryState, feature_matrix, features, outcome
from trends.measure.forecast.model import DEFAULT_MODEL_PATH, load_model, train
from trends.stories.clustering import ClusterParams
from trends.stories.embedding import article_text, embed_texts

HOUR = datetime(2026, 1, 3, 12, tzinfo=UTC)


def state(
    velocities, *, quiet=0.5, age=30.0, articles=None, peak=None, count=20, sources=10, stage="peaking"
):
    return StoryState(
        hour_end=HOUR,
        age_hours=age,
        quiet_hours=quiet,
        velocities=velocities,
        articles=articles or [2] * len(velocities),
        peak=peak if peak is not None else max(velocities),
        article_count=count,
        source_count=sources,
        effective_sources=velocities[-1],
        lifecycle=stage,
    )


@pytest.mark.parametrize(
    ("now", "peak_by_then", "then", "expected"),
    [
        (4.0, 8.0, 1.9, "fades"),  # below 25% of the peak
        (4.0, 8.0, 2.0, "holds"),
        (2.0, 6.0, 6.0, "rising"),  # 6 ≥ 1.2 × 2
        (0.0, 0.0, 0.0, "holds"),
    ],
)
def test_outcome_follows_the_documented_rule(now, peak_by_then, then, expected):
    assert outcome(now, peak_by_then, then) == expected


def test_features_read_the_curve():
    row = dict(zip(FEATURE_NAMES, features(state([1.0, 2.0, 8.0, 4.0], peak=10.0)), strict=True))
    assert row["share_of_peak"] == pytest.approx(0.4)
    assert row["slope_1h"] == pytest.approx(np.log1p(4.0) - np.log1p(8.0))
    assert row["slope_3h"] == pytest.approx(np.log1p(4.0) - np.log1p(1.0))
    assert row["hours_since_peak"] == 1.0  # the all-time peak lies before the curve window
    assert row["is_peaking"] == 1.0 and row["is_fading"] == 0.0


def test_rule_forecast_grows_surer_with_each_quiet_hour():
    assert rule_forecast("peaking", 10).probability_fades > rule_forecast("peaking", 1).probability_fades
    assert rule_forecast("rising", 0).outcome == "rising"


def test_persistence_baseline_uses_the_training_rates_of_each_state():
    below = np.array([True, True, False, False])
    faded = np.array([True, True, True, False])
    assert persistence_probabilities(below, faded, np.array([True, False])).tolist() == [1.0, 0.5]


def test_calibration_groups_forecasts_by_decile():
    table = calibration(np.array([0.05, 0.08, 0.95]), np.array([0.0, 1.0, 1.0]))
    assert table == [[0.065, 0.5, 2], [0.95, 1.0, 1]]


@pytest.fixture(scope="module")
def replayed_rows(real_data):
    """36 hours of the real stream around the US strikes on Venezuela."""
    start = datetime(2026, 1, 2, 18, tzinfo=UTC)
    items = read_stream(NEWSRIVER, start=start, end=start + timedelta(hours=36))
    vectors = embed_texts([article_text(i.title) for i in items])
    return replay(items, vectors, params=ClusterParams(live_hours=36), progress=False)


@pytest.mark.slow
def test_replay_scores_each_forecast_against_the_day_after(replayed_rows):
    known = [o for o in replayed_rows.outcomes if o is not None]
    assert len(replayed_rows) > 500
    assert set(known) >= {"fades", "holds"}
    last_hour = max(replayed_rows.hours)
    due = []
    for hour, result in zip(replayed_rows.hours, replayed_rows.outcomes, strict=True):
        if hour + timedelta(hours=24) > last_hour:
            assert result is None  # its day after is past the end of the replay
        else:
            due.append(result is not None)
    # Due forecasts are scored, but for those of a story merged into another since.
    assert np.mean(due) > 0.95


@pytest.mark.slow
def test_model_trained_on_replay_round_trips_through_json(replayed_rows, tmp_path):
    known = np.array([o is not None for o in replayed_rows.outcomes])
    labels = [o for o in replayed_rows.outcomes if o is not None]
    model = train(replayed_rows.matrix(known), labels, info={"test": True})
    path = tmp_path / "model.json"
    model.save(path)
    loaded = load_model(path)
    matrix = replayed_rows.matrix()
    assert np.allclose(loaded.predict_proba(matrix), model.predict_proba(matrix), atol=1e-5)
    assert np.allclose(loaded.predict_proba(matrix).sum(axis=1), 1.0)
    # it learned something: on its own training rows it beats always saying the base rate
    fades = np.array([label == "fades" for label in labels], dtype=float)
    p = loaded.probability_fades(replayed_rows.matrix(known))
    assert np.mean((p - fades) ** 2) < np.mean((fades.mean() - fades) ** 2)


@pytest.mark.slow
def test_backtest_with_a_given_model_scores_it_as_it_is(replayed_rows):
    from dataclasses import replace

    from lab.forecast.backtest import evaluate
    from lab.forecast.scoring import score

    # 36 replayed hours cannot hold forecasts scored both before and after a
    # split a day apart: the scored forecasts are set on two days instead.
    known = [row for row, o in enumerate(replayed_rows.outcomes) if o is not None]
    first_day = min(replayed_rows.hours)
    half = len(known) // 2
    hours = [first_day if i < half else first_day + timedelta(hours=48) for i in range(len(known))]
    rows = replace(
        replayed_rows,
        hours=hours,
        **{
            name: [getattr(replayed_rows, name)[row] for row in known]
            for name in ("story_ids", "features", "lifecycles", "quiet_hours", "below_fade_share", "outcomes")
        },
    )
    given = load_model(DEFAULT_MODEL_PATH)
    split = first_day + timedelta(hours=24)
    result = evaluate(rows, split, model=given)
    assert result.given_model and result.model is given
    scored = np.arange(len(known)) >= half
    fades = np.array([o == "fades" for o in rows.outcomes], dtype=float)[scored]
    expected = score(given.probability_fades(rows.matrix(scored)), fades)
    assert result.scores["model"] == expected


def test_backtest_refuses_a_model_file_that_is_not_one_before_replaying(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    bad = tmp_path / "model.json"
    bad.write_text("{}")
    with pytest.raises(CommandError, match="not a forecast model"):
        call_command("backtest_forecast", str(NEWSRIVER), "--model", str(bad))
    with pytest.raises(CommandError, match="nothing to --save-model"):
        call_command("backtest_forecast", str(NEWSRIVER), "--model", "default", "--save-model", str(bad))


def test_shipped_default_model_is_small_and_tells_a_dying_story_from_a_surging_one():
    assert DEFAULT_MODEL_PATH.stat().st_size < 1_000_000
    model = load_model(DEFAULT_MODEL_PATH)
    dying = state(
        [1.0, 0.6, 0.4, 0.3], quiet=6, age=8, count=1, sources=1, stage="fading", articles=[1, 0, 0, 0]
    )
    surging = state(
        [2.0, 4.0, 8.0, 14.0], quiet=0.2, age=5, count=40, sources=25, stage="rising", articles=[3, 6, 12, 20]
    )
    p_dying, p_surging = model.probability_fades(feature_matrix([dying, surging]))
    assert p_dying > 0.8
    assert p_surging < p_dying


def test_predict_says_fades_only_from_an_even_chance():
    predictions = predict([state([1.0, 0.6, 0.4, 0.3], quiet=6, count=1, sources=1, stage="fading")])
    (prediction,) = predictions
    assert (prediction.outcome == "fades") == (prediction.probability_fades >= 0.5)


def test_stories_by_decile_counts_distinct_stories_in_calibration_order():
    from lab.forecast.scoring import stories_by_decile

    probabilities = np.array([0.05, 0.06, 0.07, 0.95, 0.97])
    assert stories_by_decile(probabilities, np.array([1, 1, 2, 3, 3])) == [2, 1]


def test_observed_share_ranges_are_wide_for_a_decile_of_few_stories():
    from lab.forecast.scoring import observed_share_ranges

    # Decile 0.5-0.6: two stories of 50 forecasts, one always faded, one never.
    # Decile 0.9-1: 100 stories of one forecast each, 90 faded.
    probabilities = np.array([0.55] * 100 + [0.95] * 100)
    happened = np.array([1.0] * 50 + [0.0] * 50 + [1.0] * 90 + [0.0] * 10)
    stories = np.array([1] * 50 + [2] * 50 + list(range(10, 110)))
    (few_low, few_high), (many_low, many_high) = observed_share_ranges(probabilities, happened, stories)
    assert few_low == 0.0 and few_high == 1.0  # redrawing two stories can give either both or neither
    assert 0.8 < many_low < 0.9 < many_high < 1.0


def test_observed_share_ranges_are_reproducible():
    from lab.forecast.scoring import observed_share_ranges

    probabilities = np.linspace(0.0, 0.99, 200)
    happened = (np.arange(200) % 3 == 0).astype(float)
    stories = np.arange(200) % 17
    assert observed_share_ranges(probabilities, happened, stories) == observed_share_ranges(
        probabilities, happened, stories
    )
