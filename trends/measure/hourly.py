"""The hourly pass: one StorySnapshot per tracked story for the hour that just
ended, and the story's current velocity, lifecycle and forecast.

Set-based: three reads (stories, their recent articles, their recent
snapshots) and two writes (every snapshot in one INSERT, every story's
figures in one UPDATE: surge.bulk_rows), whatever the number of stories."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Max

from ingest.models import Article
from surge.bulk_rows import insert_rows, update_rows
from trends import page_versions
from trends.measure.forecast import Prediction, predict
from trends.measure.forecast.features import CURVE_HOURS, StoryState
from trends.measure.velocity import WINDOW_HOURS, CoverageItem, Metrics, lifecycle, measure
from trends.models import Story, StorySnapshot

# Stories keep getting snapshots this long after their last article, so that
# the curve shows them fading out.
TRACK_HOURS = 48


def floor_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def hours_to_snapshot(now: datetime, *, max_hours: int = 48) -> list[datetime]:
    """The ends of the complete hours not yet snapshotted, oldest first."""
    latest_end = floor_hour(now)
    done = StorySnapshot.objects.aggregate(last=Max("hour"))["last"]
    if done is None:
        return [latest_end]
    hours = []
    hour = done + timedelta(hours=1)
    while hour <= latest_end:
        hours.append(hour)
        hour += timedelta(hours=1)
    return hours[-max_hours:]


def run_hourly_pass(hour_end: datetime) -> list[int]:
    """Snapshot every tracked story for the hour ending at hour_end. Idempotent:
    a second run for the same hour writes no second snapshot. Returns the ids
    of the stories that got articles in that hour."""
    tracked = Story.objects.filter(
        merged_into__isnull=True,
        first_seen_at__lt=hour_end,
        last_seen_at__gte=hour_end - timedelta(hours=TRACK_HOURS),
    )
    stories = list(tracked.only(*_STORY_FIELDS))
    if not stories:
        return []
    tracked_ids = tracked.values("pk")
    coverage = _recent_coverage(tracked_ids, hour_end)
    velocities, articles = _earlier_curves(tracked_ids, hour_end)

    measured = [measure(coverage[story.pk], hour_end, started_at=story.first_seen_at) for story in stories]
    states = [
        _state(story, metrics, velocities[story.pk], articles[story.pk], hour_end)
        for story, metrics in zip(stories, measured, strict=True)
    ]
    predictions = predict(states)

    rows = list(zip(stories, states, measured, predictions, strict=True))
    # One statement each, however many stories (surge.bulk_rows). The story
    # update leaves updated_at alone: the live index only cares about centroids.
    insert_rows(StorySnapshot, [_snapshot_row(*row, hour_end) for row in rows], ignore_conflicts=True)
    update_rows(Story, [_story_figures(*row) for row in rows])
    page_versions.hour_passed()
    return [story.pk for story, metrics in zip(stories, measured, strict=True) if metrics.articles_in_hour]


_STORY_FIELDS = (
    "id",
    "first_seen_at",
    "last_seen_at",
    "article_count",
    "source_count",
    "first_velocity",
    "peak_velocity",
)


def _recent_coverage(tracked_ids, hour_end: datetime) -> defaultdict[int, list[CoverageItem]]:
    """Each tracked story's articles of the velocity window, one query."""
    coverage: dict[int, list[CoverageItem]] = defaultdict(list)
    window = Article.objects.filter(
        story__in=tracked_ids,
        published_at__gte=hour_end - timedelta(hours=WINDOW_HOURS),
        published_at__lt=hour_end,
    ).values_list("story_id", "published_at", "source_id", "duplicate_of_id")
    for story_id, published_at, source_id, copy_of in window.iterator(chunk_size=5000):
        coverage[story_id].append(CoverageItem(published_at, source_id, copy_of is not None))
    return coverage


def _earlier_curves(
    tracked_ids, hour_end: datetime
) -> tuple[defaultdict[int, list[float]], defaultdict[int, list[int]]]:
    """Each tracked story's velocities and article counts of the previous
    hours (the hour being measured excluded), oldest first, one query."""
    velocities: dict[int, list[float]] = defaultdict(list)
    articles: dict[int, list[int]] = defaultdict(list)
    earlier = (
        StorySnapshot.objects.filter(
            story__in=tracked_ids,
            hour__gt=hour_end - timedelta(hours=CURVE_HOURS),
            hour__lt=hour_end,
        )
        .order_by("story_id", "hour")
        .values_list("story_id", "velocity", "articles")
    )
    for story_id, velocity, count in earlier.iterator(chunk_size=5000):
        velocities[story_id].append(velocity)
        articles[story_id].append(count)
    return velocities, articles


def _state(
    story: Story,
    metrics: Metrics,
    earlier_velocities: list[float],
    earlier_articles: list[int],
    hour_end: datetime,
) -> StoryState:
    """What the lifecycle and the forecast know of one story at hour_end."""
    curve = earlier_velocities + [metrics.velocity]
    peak = max(story.peak_velocity, metrics.velocity)
    quiet_hours = max((hour_end - story.last_seen_at).total_seconds() / 3600, 0)
    age_hours = (hour_end - story.first_seen_at).total_seconds() / 3600
    first = story.first_velocity or metrics.velocity
    stage = lifecycle(
        curve, age_hours=age_hours, hours_since_last_article=quiet_hours, peak=peak, first=first
    )
    return StoryState(
        hour_end=hour_end,
        age_hours=age_hours,
        quiet_hours=quiet_hours,
        velocities=curve,
        articles=earlier_articles + [metrics.articles_in_hour],
        peak=peak,
        article_count=story.article_count,
        source_count=story.source_count,
        effective_sources=metrics.effective_sources,
        lifecycle=stage,
    )


def _snapshot_row(
    story: Story, state: StoryState, metrics: Metrics, prediction: Prediction, hour_end: datetime
) -> dict:
    return {
        "story_id": story.pk,
        "hour": hour_end,
        "articles": metrics.articles_in_hour,
        "total_articles": story.article_count,
        "sources": story.source_count,
        "effective_sources": metrics.effective_sources,
        "article_rate": metrics.article_rate,
        "velocity": metrics.velocity,
        "lifecycle": state.lifecycle,
        "forecast": prediction.outcome,
        "forecast_probability": prediction.probability_fades,
    }


def _story_figures(story: Story, state: StoryState, metrics: Metrics, prediction: Prediction) -> dict:
    return {
        "id": story.pk,
        "velocity": metrics.velocity,
        "first_velocity": story.first_velocity or metrics.velocity,
        "peak_velocity": state.peak,
        "lifecycle": state.lifecycle,
        "forecast": prediction.outcome,
        "forecast_probability": prediction.probability_fades,
    }
