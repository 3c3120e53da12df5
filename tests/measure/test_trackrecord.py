"""The public track record is computed from the forecasts stored in
StorySnapshot rows and the velocities stored 24 hours later."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_snapshot, make_story
from trends.measure.track_record import forecast_track_record
from trends.models import Story

FORECAST_HOUR = datetime(2026, 1, 10, 12, tzinfo=UTC)
DAY_LATER = FORECAST_HOUR + timedelta(hours=24)
NOW = DAY_LATER + timedelta(minutes=30)


def story_with(snapshots: list[tuple[datetime, float, str, str, float | None]]) -> Story:
    story = make_story(first_seen_at=snapshots[0][0] - timedelta(hours=1), last_seen_at=snapshots[0][0])
    for hour, velocity, stage, forecast, probability in snapshots:
        make_snapshot(
            story, hour, velocity, lifecycle=stage, forecast=forecast, forecast_probability=probability
        )
    return story


@pytest.mark.django_db
def test_track_record_counts_how_many_fade_forecasts_came_true():
    earlier = FORECAST_HOUR - timedelta(hours=1)
    # said fades, did: 8 at its peak, 1 a day later (below 25% of 8)
    story_with(
        [
            (earlier, 8.0, "peaking", "holds", 0.3),
            (FORECAST_HOUR, 4.0, "fading", "fades", 0.8),
            (DAY_LATER, 1.0, "fading", "fades", 0.9),
        ]
    )
    # said fades, did not: still at 5 a day later
    story_with([(FORECAST_HOUR, 4.0, "peaking", "fades", 0.6), (DAY_LATER, 5.0, "peaking", "holds", 0.4)])
    # said holds, held
    story_with([(FORECAST_HOUR, 4.0, "peaking", "holds", 0.2), (DAY_LATER, 4.0, "peaking", "holds", 0.3)])
    # said holds, but no snapshot a day later: two days without an article, faded
    story_with([(FORECAST_HOUR, 2.0, "emerging", "holds", 0.4)])
    # not counted: already faded when forecast
    story_with([(FORECAST_HOUR, 0.1, "faded", "fades", 0.99), (DAY_LATER, 0.0, "faded", "fades", 0.99)])

    record = forecast_track_record(NOW)

    assert record["said_fade"] == 2
    assert record["did_fade"] == 1
    assert record["share"] == 0.5
    # the first story's earlier "holds" is not scored: no pass ran 24 hours after it
    assert record["said_hold"] == 2
    assert record["did_hold"] == 1
    assert record["forecasts"] == 4
    assert record["since"] == record["until"] == FORECAST_HOUR


@pytest.mark.django_db
def test_track_record_leaves_out_forecasts_whose_day_is_not_over():
    story_with([(FORECAST_HOUR, 4.0, "peaking", "fades", 0.7)])
    record = forecast_track_record(FORECAST_HOUR + timedelta(hours=3))
    assert record["forecasts"] == 0
    assert record["share"] is None


@pytest.mark.django_db
def test_track_record_brier_is_the_mean_squared_error_of_stored_probabilities():
    story_with([(FORECAST_HOUR, 4.0, "peaking", "fades", 0.8), (DAY_LATER, 0.5, "fading", "fades", 0.9)])
    story_with([(FORECAST_HOUR, 4.0, "peaking", "holds", 0.3), (DAY_LATER, 4.0, "peaking", "holds", 0.3)])
    record = forecast_track_record(NOW)
    assert record["brier"] == pytest.approx(((0.8 - 1) ** 2 + (0.3 - 0) ** 2) / 2)


@pytest.mark.django_db
def test_track_record_scores_the_baselines_on_the_same_forecasts():
    # two peaking stories (one faded), one fading story (faded)
    story_with([(FORECAST_HOUR, 4.0, "peaking", "fades", 0.8), (DAY_LATER, 0.5, "fading", "fades", 0.9)])
    story_with([(FORECAST_HOUR, 4.0, "peaking", "holds", 0.3), (DAY_LATER, 4.0, "peaking", "holds", 0.3)])
    story_with([(FORECAST_HOUR, 4.0, "fading", "fades", 0.7), (DAY_LATER, 0.2, "fading", "fades", 0.9)])
    record = forecast_track_record(NOW)
    assert record["faded_share"] == pytest.approx(2 / 3, abs=1e-4)
    assert record["brier_same_chance"] == pytest.approx(2 / 3 * 1 / 3, abs=1e-4)
    # peaking: rate 0.5, errors 0.25 + 0.25; fading: rate 1, error 0
    assert record["brier_by_stage"] == pytest.approx(0.5 / 3, abs=1e-4)
    assert record["brier_coin"] == 0.25
