"""`manage.py retrain_forecast` reads the stored StorySnapshot history, writes
a model file, and the next hourly pass forecasts with that file (never the
shipped default, which the test leaves alone)."""

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.core.management import CommandError, call_command

import trends.measure.hourly
from lab.forecast.history import rows_from_snapshots
from tests.factories import build_snapshot, make_story
from trends.measure.forecast.features import feature_matrix
from trends.measure.forecast.model import DEFAULT_MODEL_PATH, load_model, model_path
from trends.measure.hourly import run_hourly_pass
from trends.models import Story, StorySnapshot

START = datetime(2026, 1, 5, 0, tzinfo=UTC)
HISTORY_HOURS = 72
HOUR = timedelta(hours=1)


def snapshot(story: Story, hour: datetime, velocity: float, articles: int, total: int, stage: str):
    return build_snapshot(
        story,
        hour,
        velocity,
        articles=articles,
        total_articles=total,
        sources=max(1, total // 2),
        effective_sources=max(velocity, 1.0),
        lifecycle=stage,
    )


def make_history():
    """Hand-made history with a known answer: 8 steady stories, three articles
    every hour for 72 hours (they hold), and 36 one-off stories, one article
    and a curve that decays for five hours before its track ends (they fade)."""
    rows = []
    for n in range(8):
        story = make_story(
            f"Steady story {n}",
            first_seen_at=START - HOUR,
            last_seen_at=START + (HISTORY_HOURS - 1) * HOUR,
        )
        for h in range(HISTORY_HOURS):
            stage = "emerging" if h < 3 else "peaking"
            rows.append(snapshot(story, START + h * HOUR, 3.0, 3, 3 * (h + 1), stage))
    for n in range(36):
        began = START + 2 * n * HOUR
        story = make_story(f"One-off story {n}", first_seen_at=began - HOUR, last_seen_at=began - HOUR / 2)
        for h, velocity in enumerate([1.0, 0.6, 0.35, 0.2, 0.12]):
            stage = "emerging" if h < 3 else "fading"
            rows.append(snapshot(story, began + h * HOUR, velocity, int(h == 0), 1, stage))
    StorySnapshot.objects.bulk_create(rows)


@pytest.mark.django_db
def test_retrained_model_is_written_to_var_and_used_by_the_hourly_pass(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.FORECAST_MODEL_PATH = ""
    default_before = DEFAULT_MODEL_PATH.read_bytes()
    make_history()

    call_command("retrain_forecast", stdout=open("/dev/null", "w"))

    written = tmp_path / "forecast_model.json"
    assert written.exists()
    assert model_path() == written
    assert DEFAULT_MODEL_PATH.read_bytes() == default_before
    retrained = load_model(written)
    assert retrained.info["source"] == "StorySnapshot history"

    seen_states = []

    def spying_predict(states, model=None):
        seen_states.extend(states)
        return predict(states, model)

    predict = trends.measure.hourly.predict
    monkeypatch.setattr(trends.measure.hourly, "predict", spying_predict)
    run_hourly_pass(START + HISTORY_HOURS * HOUR)

    # the stories the pass forecast (the rest were not touched: probability None)
    stored = list(
        Story.objects.filter(forecast_probability__isnull=False).values_list(
            "forecast_probability", flat=True
        )
    )
    assert len(seen_states) == len(stored) > 0
    matrix = feature_matrix(seen_states)
    expected = np.round(retrained.probability_fades(matrix), 3)
    shipped = np.round(load_model(DEFAULT_MODEL_PATH).probability_fades(matrix), 3)
    assert sorted(stored) == sorted(expected.tolist())
    assert not np.allclose(expected, shipped)  # so the check above could tell the two apart


@pytest.mark.django_db
def test_retrained_model_tells_the_one_off_stories_from_the_steady_ones(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    make_history()
    call_command("retrain_forecast", output=str(tmp_path / "other.json"), stdout=open("/dev/null", "w"))
    model = load_model(tmp_path / "other.json")

    rows = rows_from_snapshots()
    headlines = dict(Story.objects.values_list("pk", "headline"))
    steady = np.array([headlines[s].startswith("Steady") for s in rows.story_ids])
    p = model.probability_fades(rows.matrix())
    assert p[~steady].mean() > 0.8
    assert p[steady].mean() < 0.2


@pytest.mark.django_db
def test_retrain_refuses_a_history_too_short_to_learn_from(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    story = make_story("Alone", START)
    StorySnapshot.objects.bulk_create(
        [snapshot(story, START + h * HOUR, 1.0, 1, 1, "peaking") for h in range(30)]
    )
    with pytest.raises(CommandError, match="need"):
        call_command("retrain_forecast")
    assert not (tmp_path / "forecast_model.json").exists()


def test_a_retrained_model_of_older_features_gives_way_to_the_shipped_one(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.FORECAST_MODEL_PATH = ""
    stale = json.loads(DEFAULT_MODEL_PATH.read_text())
    stale["features"] = stale["features"][:-1]  # written before a feature was added
    stale["info"] = {"source": "stale"}
    (tmp_path / "forecast_model.json").write_text(json.dumps(stale))

    assert load_model().info == load_model(DEFAULT_MODEL_PATH).info != {"source": "stale"}
