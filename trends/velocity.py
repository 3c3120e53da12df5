"""Velocity and lifecycle, as plain functions of a story's articles and curve.

velocity = article rate × source diversity
  article rate: articles per hour, exponentially weighted (half-life
      RATE_HALF_LIFE_HOURS) over the last WINDOW_HOURS, so a burst counts
      fully now and fades smoothly; a steady r articles/hour gives rate ≈ r.
  source diversity: effective number of independent outlets (exp of the
      Shannon entropy of the weighted outlet shares; a syndicated copy of
      another article counts for nothing) divided by the weighted article
      count, in (0, 1]. Eight articles an hour from eight outlets give
      velocity ≈ 8; eight an hour from one outlet give ≈ 1.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

RATE_HALF_LIFE_HOURS = 3.0
WINDOW_HOURS = 24
_DECAY = math.log(2) / RATE_HALF_LIFE_HOURS


@dataclass(frozen=True)
class CoverageItem:
    published_at: datetime
    source_id: int
    is_copy: bool = False  # a near-duplicate of an earlier article (wire copy)


@dataclass(frozen=True)
class Metrics:
    articles_in_hour: int
    article_rate: float
    effective_sources: float
    velocity: float


def measure(items: list[CoverageItem], at: datetime) -> Metrics:
    """Metrics for the hour ending at `at`, from the story's articles."""
    weights_by_source: dict[int, float] = defaultdict(float)
    total = 0.0
    in_hour = 0
    for item in items:
        age = (at - item.published_at).total_seconds() / 3600
        if age < 0 or age > WINDOW_HOURS:
            continue
        if age <= 1:
            in_hour += 1
        weight = math.exp(-_DECAY * age)
        total += weight
        if not item.is_copy:
            weights_by_source[item.source_id] += weight
    if total == 0:
        return Metrics(in_hour, 0.0, 0.0, 0.0)
    rate = total * _DECAY  # Σ weights of a steady r/hour stream ≈ r / decay
    effective = effective_sources(list(weights_by_source.values()))
    diversity = min(effective / total, 1.0) if total >= 1 else (1.0 if effective else 0.0)
    return Metrics(in_hour, rate, effective, rate * diversity)


def effective_sources(weights: list[float]) -> float:
    """exp(Shannon entropy) of the shares: n equal outlets give n."""
    total = sum(weights)
    if total <= 0:
        return 0.0
    entropy = -sum((w / total) * math.log(w / total) for w in weights if w > 0)
    return math.exp(entropy)


# Lifecycle rule, applied to the hourly velocity curve (oldest first):
EMERGING_HOURS = 3  # a story younger than this is emerging
RISING_GROWTH = 1.2  # rising: now ≥ 1.2 × the mean of the previous three hours
PEAK_SHARE = 0.7  # peaking: within 70% of its peak, not growing
FADED_SHARE = 0.1  # faded: below 10% of peak, or no article for FADED_QUIET_HOURS
FADED_QUIET_HOURS = 24


def lifecycle(curve: list[float], *, age_hours: float, hours_since_last_article: float) -> str:
    if not curve:
        return "emerging"
    now, peak = curve[-1], max(curve)
    if hours_since_last_article >= FADED_QUIET_HOURS or (peak > 0 and now < FADED_SHARE * peak):
        return "faded"
    if age_hours < EMERGING_HOURS:
        return "emerging"
    previous = curve[-4:-1]
    if previous and now >= RISING_GROWTH * (sum(previous) / len(previous)) and now > 0:
        return "rising"
    if now >= PEAK_SHARE * peak:
        return "peaking"
    return "fading"


def change_since_first_seen(first: float, current: float) -> float | None:
    """Relative change in percent, e.g. +700.0; None when there is no baseline."""
    if first <= 0:
        return None
    return (current - first) / first * 100
