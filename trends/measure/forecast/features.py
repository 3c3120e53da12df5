"""What the forecast knows about a story at the end of an hour, and what it
is asked to predict.

The hourly pass (from StorySnapshot rows) and the backtest (from a replayed
stream) both build a StoryState and call `features` on it, so the model sees
the same numbers in production as in training.

OUTCOME, 24 hours after the forecast (see `outcome`):
  fades:  velocity then is below FADE_SHARE of the story's peak up to then;
  rising: otherwise, if velocity then is ≥ RISING_GROWTH × velocity now;
  holds:  otherwise.
"""

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

FADE_SHARE = 0.25
RISING_GROWTH = 1.2
HORIZON_HOURS = 24
CURVE_HOURS = 24  # how much of the recent curve the features read
OUTCOMES = ("fades", "holds", "rising")
LIFECYCLES = ("emerging", "rising", "peaking", "fading", "faded")


@dataclass(frozen=True)
class StoryState:
    hour_end: datetime
    age_hours: float
    quiet_hours: float  # since the story's last article
    velocities: list[float]  # hourly, oldest first, the last is now (up to CURVE_HOURS)
    articles: list[int]  # articles published in each of the same hours
    peak: float  # all-time peak velocity, now included
    article_count: int
    source_count: int
    effective_sources: float
    lifecycle: str


FEATURE_NAMES = (
    "log_age",
    "log_quiet",
    "log_velocity",
    "log_peak",
    "share_of_peak",
    "slope_1h",
    "slope_3h",
    "slope_6h",
    "log_articles_1h",
    "log_articles_6h",
    "log_articles_24h",
    "log_article_count",
    "log_source_count",
    "log_effective_sources",
    "hours_since_peak",
    "hour_sin",
    "hour_cos",
    "weekday_sin",
    "weekday_cos",
) + tuple(f"is_{stage}" for stage in LIFECYCLES)


def features(state: StoryState) -> list[float]:
    curve = state.velocities or [0.0]
    now = curve[-1]
    peak = max(state.peak, max(curve))
    hour = state.hour_end.hour + state.hour_end.minute / 60
    weekday = state.hour_end.weekday() + hour / 24
    peak_index = max(range(len(curve)), key=lambda i: curve[i])
    hours_since_peak = len(curve) - 1 - peak_index if curve[peak_index] >= peak else CURVE_HOURS
    return [
        math.log1p(state.age_hours),
        math.log1p(state.quiet_hours),
        math.log1p(now),
        math.log1p(peak),
        now / peak if peak > 0 else 0.0,
        _slope(curve, 1),
        _slope(curve, 3),
        _slope(curve, 6),
        math.log1p(sum(state.articles[-1:])),
        math.log1p(sum(state.articles[-6:])),
        math.log1p(sum(state.articles[-24:])),
        math.log1p(state.article_count),
        math.log1p(state.source_count),
        math.log1p(state.effective_sources),
        hours_since_peak / CURVE_HOURS,
        math.sin(2 * math.pi * hour / 24),
        math.cos(2 * math.pi * hour / 24),
        math.sin(2 * math.pi * weekday / 7),
        math.cos(2 * math.pi * weekday / 7),
    ] + [1.0 if state.lifecycle == stage else 0.0 for stage in LIFECYCLES]


def feature_matrix(states: list[StoryState]) -> np.ndarray:
    if not states:
        return np.zeros((0, len(FEATURE_NAMES)))
    return np.array([features(s) for s in states], dtype=np.float64)


def _slope(curve: list[float], hours: int) -> float:
    """Change of log(1 + velocity) over the last `hours` (0 for a young curve)."""
    if len(curve) <= hours:
        return math.log1p(curve[-1]) - math.log1p(curve[0]) if len(curve) > 1 else 0.0
    return math.log1p(curve[-1]) - math.log1p(curve[-1 - hours])


def outcome(velocity_now: float, peak_by_then: float, velocity_then: float) -> str:
    """What happened HORIZON_HOURS later; peak_by_then includes the future hours."""
    if velocity_then < FADE_SHARE * peak_by_then:
        return "fades"
    if velocity_then >= RISING_GROWTH * velocity_now and velocity_then > 0:
        return "rising"
    return "holds"
