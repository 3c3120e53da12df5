"""Replay a real headline stream hour by hour, in memory, through the same
clustering (trends.stories.clustering.OnlineClusterer) and the same velocity,
lifecycle and feature code as the hourly pass, on a simulated clock: no
HTTP, no database.

Every hour, every live story (tracked, as in trends.measure.hourly, and not yet
faded) gets a forecast row: its features then, and — once the replay has
reached 24 hours later — what really happened.

Differences from production, stated: the stream has no article texts, so a
story's text is its titles, and a syndicated copy is an item whose exact
title the story already has from an earlier item (production marks copies
by text fingerprint in Article.duplicate_of)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from tqdm import tqdm

from lab.newsriver import StreamItem
from trends.measure.forecast.features import (
    CURVE_HOURS,
    HORIZON_HOURS,
    StoryState,
    features,
    outcome,
)
from trends.measure.velocity import WINDOW_HOURS, CoverageItem, lifecycle, measure
from trends.stories.clustering import ClusterParams, OnlineClusterer

TRACK_HOURS = 48  # as trends.measure.hourly: snapshots continue this long after the last article


@dataclass
class _Story:
    started_at: datetime
    last_article_at: datetime
    first_hour: int  # index of the first hour with a measurement
    items: list[CoverageItem] = field(default_factory=list)  # the recent window only
    titles: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    article_count: int = 0
    velocities: list[float] = field(default_factory=list)  # hour first_hour + i
    articles: list[int] = field(default_factory=list)
    peak: float = 0.0

    def velocity_at(self, hour: int) -> float:
        i = hour - self.first_hour
        return self.velocities[i] if 0 <= i < len(self.velocities) else 0.0


@dataclass
class ForecastRows:
    """One row per (story, hour) forecast; outcome is None when the replay
    ended before the horizon."""

    hours: list[datetime] = field(default_factory=list)
    story_ids: list[int] = field(default_factory=list)
    features: list[list[float]] = field(default_factory=list)
    lifecycles: list[str] = field(default_factory=list)
    quiet_hours: list[float] = field(default_factory=list)
    below_fade_share: list[bool] = field(default_factory=list)  # already under FADE_SHARE of peak
    outcomes: list[str | None] = field(default_factory=list)

    def __len__(self):
        return len(self.hours)

    def matrix(self, mask: np.ndarray | None = None) -> np.ndarray:
        m = np.array(self.features, dtype=np.float64)
        return m if mask is None else m[mask]


def published_time(item: StreamItem) -> datetime:
    """As ingest.polling.store_item: never a future time; undated items count from first sight."""
    if item.published is None or item.published > item.first_seen:
        return item.first_seen
    return item.published


def replay(
    items: list[StreamItem],
    vectors: np.ndarray,
    *,
    params: ClusterParams | None = None,
    progress: bool = True,
    on_hour: Callable[[datetime, int], None] | None = None,
) -> ForecastRows:
    """Items in first-seen order with one embedding row each."""
    from trends.measure.forecast.features import FADE_SHARE

    rows = ForecastRows()
    if not items:
        return rows
    clusterer = OnlineClusterer(vectors.shape[1], params)
    stories: dict[int, _Story] = {}
    tracked: set[int] = set()
    pending: list[tuple[int, int]] = []  # (row index, hour index) awaiting their outcome
    origin = items[0].first_seen.replace(minute=0, second=0, microsecond=0)
    last_hour = int((items[-1].first_seen - origin).total_seconds() // 3600) + 1
    source_ids: dict[str, int] = {}
    next_item = 0

    retired: set[int] = set()  # merged into another story: their open forecasts cannot be scored

    for hour in tqdm(range(1, last_hour + 1), desc="replaying hours", disable=not progress):
        hour_end = origin + timedelta(hours=hour)
        if hour > 1:
            # The hourly merge pass, as the hourly task runs it before measuring.
            for absorbed, kept in clusterer.merge_converged():
                _fold(stories, absorbed, kept)
                tracked.discard(absorbed)
                retired.add(absorbed)
        while next_item < len(items) and items[next_item].first_seen < hour_end:
            item = items[next_item]
            published = published_time(item)
            story_id = clusterer.assign(
                vectors[next_item], published, item.title, source=item.domain, now=item.first_seen
            )
            story = stories.get(story_id)
            if story is None:
                story = stories[story_id] = _Story(published, published, hour)
            story.started_at = min(story.started_at, published)
            story.last_article_at = max(story.last_article_at, published)
            source = source_ids.setdefault(item.domain, len(source_ids))
            is_copy = item.title in story.titles
            story.titles.add(item.title)
            story.sources.add(item.domain)
            story.article_count += 1
            story.items.append(CoverageItem(published, source, is_copy))
            tracked.add(story_id)
            next_item += 1

        for story_id in list(tracked):
            story = stories[story_id]
            if story.last_article_at < hour_end - timedelta(hours=TRACK_HOURS):
                tracked.discard(story_id)
                continue
            window_start = hour_end - timedelta(hours=WINDOW_HOURS)
            story.items = [i for i in story.items if i.published_at >= window_start]
            metrics = measure(story.items, hour_end, started_at=story.started_at)
            # a story's curve is contiguous from its first hour (untracked hours are 0)
            while story.first_hour + len(story.velocities) < hour:
                story.velocities.append(0.0)
                story.articles.append(0)
            story.velocities.append(metrics.velocity)
            story.articles.append(metrics.articles_in_hour)
            story.peak = max(story.peak, metrics.velocity)
            curve = story.velocities[-CURVE_HOURS:]
            quiet = max((hour_end - story.last_article_at).total_seconds() / 3600, 0.0)
            age = (hour_end - story.started_at).total_seconds() / 3600
            first = next((v for v in story.velocities if v > 0), 0.0)
            stage = lifecycle(
                curve, age_hours=age, hours_since_last_article=quiet, peak=story.peak, first=first
            )
            if stage == "faded":
                continue  # not live: nothing left to forecast
            state = StoryState(
                hour_end=hour_end,
                age_hours=age,
                quiet_hours=quiet,
                velocities=curve,
                articles=story.articles[-CURVE_HOURS:],
                peak=story.peak,
                article_count=story.article_count,
                source_count=len(story.sources),
                effective_sources=metrics.effective_sources,
                lifecycle=stage,
            )
            pending.append((len(rows), hour))
            rows.hours.append(hour_end)
            rows.story_ids.append(story_id)
            rows.features.append(features(state))
            rows.lifecycles.append(stage)
            rows.quiet_hours.append(quiet)
            rows.below_fade_share.append(metrics.velocity < FADE_SHARE * story.peak)
            rows.outcomes.append(None)

        # Forecasts made HORIZON_HOURS ago can now be scored.
        due = [(r, h) for r, h in pending if h + HORIZON_HOURS <= hour]
        pending = [(r, h) for r, h in pending if h + HORIZON_HOURS > hour]
        for row, made_at in due:
            if rows.story_ids[row] in retired:
                continue
            story = stories[rows.story_ids[row]]
            now = story.velocity_at(made_at)
            then = story.velocity_at(made_at + HORIZON_HOURS)
            peak_by_then = max(story.velocities[: made_at + HORIZON_HOURS - story.first_hour + 1])
            rows.outcomes[row] = outcome(now, peak_by_then, then)
        if on_hour:
            on_hour(hour_end, len(tracked))
    return rows


def _fold(stories: dict[int, "_Story"], absorbed: int, kept: int) -> None:
    """After a merge the kept story carries the absorbed one's coverage (its
    own curve goes on; the absorbed story's stops, as in production)."""
    gone = stories.pop(absorbed, None)
    target = stories.get(kept)
    if gone is None or target is None:
        return
    target.started_at = min(target.started_at, gone.started_at)
    target.last_article_at = max(target.last_article_at, gone.last_article_at)
    target.items = sorted(target.items + gone.items, key=lambda i: i.published_at)
    target.titles |= gone.titles
    target.sources |= gone.sources
    target.article_count += gone.article_count
