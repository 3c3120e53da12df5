"""The hourly pass: one StorySnapshot per tracked story for the hour that just
ended, and the story's current velocity, lifecycle and forecast.

Set-based: three reads (stories, their recent articles, their recent
snapshots) whatever the number of stories, then the writes in batches
(bulk_create / bulk_update; the database's parameter limit sets the batch)."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Max

from ingest.models import Article
from trends.measure.forecast import predict
from trends.measure.forecast.features import CURVE_HOURS, StoryState
from trends.measure.velocity import WINDOW_HOURS, CoverageItem, lifecycle, measure
from trends.models import Story, StorySnapshot

# Stories keep getting snapshots this long after their last article, so that
# the curve shows them fading out.
TRACK_HOURS = 48
WRITE_BATCH = 1000


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
    stories = list(
        tracked.only(
            "id",
            "first_seen_at",
            "last_seen_at",
            "article_count",
            "source_count",
            "first_velocity",
            "peak_velocity",
        )
    )
    if not stories:
        return []
    tracked_ids = tracked.values("pk")

    coverage: dict[int, list[CoverageItem]] = defaultdict(list)
    window = Article.objects.filter(
        story__in=tracked_ids,
        published_at__gte=hour_end - timedelta(hours=WINDOW_HOURS),
        published_at__lt=hour_end,
    ).values_list("story_id", "published_at", "source_id", "duplicate_of_id")
    for story_id, published_at, source_id, copy_of in window.iterator(chunk_size=5000):
        coverage[story_id].append(CoverageItem(published_at, source_id, copy_of is not None))

    # The previous hours of each curve (the hour being measured excluded).
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

    states, all_metrics = [], []
    for story in stories:
        metrics = measure(coverage[story.pk], hour_end, started_at=story.first_seen_at)
        curve = velocities[story.pk] + [metrics.velocity]
        peak = max(story.peak_velocity, metrics.velocity)
        quiet_hours = max((hour_end - story.last_seen_at).total_seconds() / 3600, 0)
        age_hours = (hour_end - story.first_seen_at).total_seconds() / 3600
        first = story.first_velocity or metrics.velocity
        stage = lifecycle(
            curve, age_hours=age_hours, hours_since_last_article=quiet_hours, peak=peak, first=first
        )
        states.append(
            StoryState(
                hour_end=hour_end,
                age_hours=age_hours,
                quiet_hours=quiet_hours,
                velocities=curve,
                articles=articles[story.pk] + [metrics.articles_in_hour],
                peak=peak,
                article_count=story.article_count,
                source_count=story.source_count,
                effective_sources=metrics.effective_sources,
                lifecycle=stage,
            )
        )
        all_metrics.append(metrics)
    predictions = predict(states)

    snapshots, active = [], []
    for story, state, metrics, prediction in zip(stories, states, all_metrics, predictions, strict=True):
        if not story.first_velocity and metrics.velocity:
            story.first_velocity = metrics.velocity
        story.peak_velocity = state.peak
        story.velocity = metrics.velocity
        story.lifecycle = state.lifecycle
        story.forecast = prediction.outcome
        story.forecast_probability = prediction.probability_fades
        snapshots.append(
            StorySnapshot(
                story=story,
                hour=hour_end,
                articles=metrics.articles_in_hour,
                total_articles=story.article_count,
                sources=story.source_count,
                effective_sources=metrics.effective_sources,
                article_rate=metrics.article_rate,
                velocity=metrics.velocity,
                lifecycle=state.lifecycle,
                forecast=prediction.outcome,
                forecast_probability=prediction.probability_fades,
            )
        )
        if metrics.articles_in_hour:
            active.append(story.pk)

    StorySnapshot.objects.bulk_create(snapshots, ignore_conflicts=True, batch_size=WRITE_BATCH)
    # bulk_update leaves updated_at alone: the live index only cares about centroids.
    Story.objects.bulk_update(
        stories,
        ["velocity", "first_velocity", "peak_velocity", "lifecycle", "forecast", "forecast_probability"],
        batch_size=WRITE_BATCH,
    )
    return active
