"""Velocity, change since first seen, and lifecycle: plain functions of a
story's articles and of its hourly velocity curve.

VELOCITY = article rate × source diversity = min(r, E): articles an hour
(exponentially weighted), counting at most as many as there are independent
outlets (exp of the outlets' entropy); syndicated copies count once. The
formula and its reasons: docs/decisions/velocity.md."""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

RATE_HALF_LIFE_HOURS = 3.0
WINDOW_HOURS = 24
DECAY_PER_HOUR = math.log(2) / RATE_HALF_LIFE_HOURS


@dataclass(frozen=True)
class CoverageItem:
    published_at: datetime
    source_id: int
    is_copy: bool = False  # a syndicated copy of another article (Article.duplicate_of)


@dataclass(frozen=True)
class Metrics:
    articles_in_hour: int
    article_rate: float
    effective_sources: float
    velocity: float

    @property
    def diversity(self) -> float:
        if self.article_rate <= 0:
            return 0.0
        return min(1.0, self.effective_sources / self.article_rate)


def measure(items: list[CoverageItem], at: datetime, *, started_at: datetime | None = None) -> Metrics:
    """Metrics for the hour ending at `at`, from the story's articles.
    `started_at` is when the story was first seen (default: its oldest item)."""
    weights_by_source: dict[int, float] = defaultdict(float)
    in_hour = 0
    for item in items:
        age = (at - item.published_at).total_seconds() / 3600
        if age < 0 or age > WINDOW_HOURS:
            continue
        if age <= 1:
            in_hour += 1
        if not item.is_copy:
            weights_by_source[item.source_id] += math.exp(-DECAY_PER_HOUR * age)
    total = sum(weights_by_source.values())
    if total == 0:
        return Metrics(in_hour, 0.0, 0.0, 0.0)
    if started_at is None:
        started_at = min(item.published_at for item in items)
    story_age = max((at - started_at).total_seconds() / 3600, 1.0)
    covered = 1 - math.exp(-DECAY_PER_HOUR * min(story_age, WINDOW_HOURS))
    rate = DECAY_PER_HOUR * total / covered
    effective = effective_sources(list(weights_by_source.values()))
    return Metrics(in_hour, rate, effective, min(rate, effective))


def effective_sources(weights: list[float]) -> float:
    """exp(Shannon entropy) of the shares: n equal outlets give n."""
    total = sum(weights)
    if total <= 0:
        return 0.0
    entropy = -sum((w / total) * math.log(w / total) for w in weights if w > 0)
    return math.exp(entropy)


# CHANGE SINCE FIRST SEEN compares the current velocity with a baseline:
#   baseline = max(velocity at the story's first snapshot, BASELINE_VELOCITY)
# BASELINE_VELOCITY = 1 is one article an hour from one outlet, the pace of the
# background: a story first seen as a single article is measured from there,
# not from a near-zero first hour. A topic that is always busy is already busy
# when first seen (its first-hour velocity is ramp-corrected, see above), and
# keeps one long-lived story while articles keep coming, so it shows a change
# near 0%, not a surge.
BASELINE_VELOCITY = 1.0


def change_baseline(first: float) -> float:
    return max(first, BASELINE_VELOCITY)


def change_since_first_seen(first: float, current: float) -> float | None:
    """Relative change in percent against the baseline, e.g. +700.0.
    None when the story has no measured first velocity yet."""
    if first <= 0:
        return None
    baseline = change_baseline(first)
    return (current - baseline) / baseline * 100


# LIFECYCLE, from the hourly velocity curve (oldest first, the last value is
# now), checked in this order:
#   faded:    no article for FADED_QUIET_HOURS, or velocity below FADED_SHARE
#             of the story's peak;
#   (the peak counts the change baseline as a floor, so every badge agrees
#   with the change since first seen: peaking is never more than 30% down,
#   rising never down at all);
#   emerging: younger than EMERGING_HOURS;
#   rising:   velocity ≥ RISING_GROWTH × the mean of the previous three hours,
#             and above the change baseline (so "Rising" always stands beside
#             a positive change since first seen: one rule for both numbers);
#   peaking:  velocity ≥ PEAK_SHARE of the peak (and not rising);
#   fading:   anything else (below PEAK_SHARE of the peak, not yet faded).
EMERGING_HOURS = 3
RISING_GROWTH = 1.2
PEAK_SHARE = 0.7
FADED_SHARE = 0.1
FADED_QUIET_HOURS = 24


def lifecycle(
    curve: list[float],
    *,
    age_hours: float,
    hours_since_last_article: float,
    peak: float | None = None,
    first: float | None = None,
) -> str:
    """`peak` is the story's all-time peak when the curve is only a recent
    window; `first` its velocity at the first snapshot (default: the curve's
    first non-zero value)."""
    if not curve:
        return "emerging"
    now = curve[-1]
    if first is None:
        first = next((v for v in curve if v > 0), 0.0)
    # Measured against the same baseline as the change since first seen: a
    # story that never beat one article an hour is not "peaking" at 0.3.
    peak = max(max(curve), peak or 0.0, change_baseline(first))
    if hours_since_last_article >= FADED_QUIET_HOURS or now < FADED_SHARE * peak:
        return "faded"
    if age_hours < EMERGING_HOURS:
        return "emerging"
    previous = curve[-4:-1]
    growing = previous and now > 0 and now >= RISING_GROWTH * (sum(previous) / len(previous))
    if growing and now > change_baseline(first):
        return "rising"
    if now >= PEAK_SHARE * peak:
        return "peaking"
    return "fading"
