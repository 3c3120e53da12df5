"""Backtest of the forecast on a real stream: replay it, train the model on
the forecasts of the first part (those whose outcome was known before the
split), score model and baselines on the same forecasts of the rest.

With a given model (`model=`), nothing is retrained: that model is scored on
the forecasts of the rest (the baselines still learn their rates from the
first part), so a model fitted on one month can be judged on a later one."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings

from lab.embedding_cache import EmbeddingCache
from lab.forecast.rows_cache import cache_file, load_rows, rows_key, save_rows
from lab.forecast.scoring import (
    observed_share_ranges,
    persistence_probabilities,
    score,
    stories_by_decile,
)
from lab.forecast.trajectories import ForecastRows, replay
from lab.newsriver import read_stream
from trends.measure.forecast import rule_forecast
from trends.measure.forecast.features import FEATURE_NAMES, HORIZON_HOURS
from trends.measure.forecast.model import ForecastModel, train
from trends.stories.clustering import ClusterParams
from trends.stories.embedding import MODEL_NAME, article_text
from trends.stories.story_model import MODEL_PATH

DEFAULT_SPLIT = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class BacktestResult:
    scores: dict  # the --json object
    model: ForecastModel
    train_span: tuple[datetime, datetime]
    test_span: tuple[datetime, datetime]
    train_forecasts: int
    train_fade_rate: float
    # the model and persistence scored on the forecasts of stories with ≥2 articles only
    multi_article: dict
    given_model: bool = False  # scored as given, not trained here
    decile_stories: list[int] = field(default_factory=list)  # distinct stories behind each model decile
    # per model decile, where 90% of its observed share falls when its stories are drawn again
    decile_ranges: list[tuple[float, float]] = field(default_factory=list)


def run_backtest(
    path: str | Path,
    *,
    days: float | None = None,
    split: datetime | None = None,
    progress: bool = True,
    model: ForecastModel | None = None,
) -> BacktestResult:
    rows = replayed_rows(path, days=days, progress=progress)
    if not rows.hours:
        raise ValueError(f"{path}: no forecasts to score")
    start, end = rows.hours[0], rows.hours[-1]
    if split is None or not (start < split < end):
        split = DEFAULT_SPLIT if start < DEFAULT_SPLIT < end else start + (end - start) / 2
    return evaluate(rows, split, info={"stream": Path(path).name, "embedding": MODEL_NAME}, model=model)


def replayed_rows(path: str | Path, *, days: float | None = None, progress: bool = True) -> ForecastRows:
    """The stream's forecast rows, replayed once and then read from the cache
    (lab.forecast.rows_cache) while the stream, settings and code stay the same."""
    params = ClusterParams.from_settings()
    story_model = Path(settings.STORY_MODEL_PATH or MODEL_PATH).read_bytes()
    knobs = f"{params.live_hours} {params.join_threshold} {params.merge_threshold} {params.candidates}"
    cached = cache_file(rows_key(path, days=days, settings_text=knobs + story_model.decode()))
    if cached.exists():
        if progress:
            print(f"replayed forecasts read from {cached}")
        return load_rows(cached)
    items = read_stream(path)
    if days and items:
        end = items[0].first_seen + timedelta(days=days)
        items = [i for i in items if i.first_seen < end]
    if not items:
        raise ValueError(f"{path}: no items to replay")
    vectors = EmbeddingCache().vectors([article_text(i.title) for i in items], progress=progress)
    rows = replay(items, vectors, params=params, progress=progress)
    save_rows(rows, cached)
    return rows


def evaluate(
    rows: ForecastRows, split: datetime, *, info: dict | None = None, model: ForecastModel | None = None
) -> BacktestResult:
    hours = np.array(rows.hours)
    known = np.array([o is not None for o in rows.outcomes])
    horizon = timedelta(hours=HORIZON_HOURS)
    # Train only on forecasts whose outcome was known before the split: no peeking.
    train_mask = known & (hours + horizon <= split)
    test_mask = known & (hours >= split)
    if not train_mask.any() or not test_mask.any():
        raise ValueError("too short a stream: no forecasts to train on or to score")
    outcomes = np.array([o or "" for o in rows.outcomes])
    matrix = rows.matrix()
    train_hours = hours[train_mask]
    given_model = model is not None
    if model is None:
        model = train(
            matrix[train_mask],
            outcomes[train_mask].tolist(),
            hours=[h.replace(tzinfo=None) for h in train_hours],
            info={
                **(info or {}),
                "trained_on": f"{train_hours.min().isoformat()} .. {train_hours.max().isoformat()}",
                "forecasts": int(train_mask.sum()),
            },
        )

    fades = (outcomes == "fades").astype(float)
    train_fades, test_fades = fades[train_mask], fades[test_mask]
    below = np.array(rows.below_fade_share)
    lifecycles = np.array(rows.lifecycles)
    quiet = np.array(rows.quiet_hours)
    base_rate = float(train_fades.mean())

    model_p = model.probability_fades(matrix[test_mask])
    test_stories = np.array(rows.story_ids)[test_mask]
    base_p = np.full(int(test_mask.sum()), base_rate)
    persistence_p = persistence_probabilities(below[train_mask], train_fades.astype(bool), below[test_mask])
    decay_p = np.array(
        [
            rule_forecast(stage, q).probability_fades
            for stage, q in zip(lifecycles[test_mask], quiet[test_mask], strict=True)
        ]
    )
    scores = {
        "model": score(model_p, test_fades),
        "base_rate": score(base_p, test_fades),
        "persistence": score(persistence_p, test_fades),
        "decay": score(decay_p, test_fades),
        "forecasts": int(test_mask.sum()),
        "stories": len(set(test_stories.tolist())),
    }
    # Most forecasts are on single-article stories that fade trivially; this
    # line shows how the model does without them (the headline keeps them).
    count = np.expm1(matrix[test_mask][:, FEATURE_NAMES.index("log_article_count")])
    several = np.round(count) >= 2
    multi_article = {
        "model": score(model_p[several], test_fades[several]),
        "persistence": score(persistence_p[several], test_fades[several]),
        "forecasts": int(several.sum()),
    }
    return BacktestResult(
        scores=scores,
        multi_article=multi_article,
        model=model,
        train_span=(train_hours.min(), train_hours.max()),
        test_span=(hours[test_mask].min(), hours[test_mask].max()),
        train_forecasts=int(train_mask.sum()),
        train_fade_rate=base_rate,
        given_model=given_model,
        decile_stories=stories_by_decile(model_p, test_stories),
        decile_ranges=observed_share_ranges(model_p, test_fades, test_stories),
    )
