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
from trends.measure.forecast import predict
from trends.measure.forecast.features import CURVE_HOURS, StoryState
from trends.measure.velocity import WINDOW_HOURS, CoverageItem, lifecycle, measure
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

    snapshots, figures, active = [], [], []
    for story, state, metrics, prediction in zip(stories, states, all_metrics, predictions, strict=True):
        snapshots.append(
            {
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
        )
        figures.append(
            {
                "id": story.pk,
                "velocity": metrics.velocity,
                "first_velocity": story.first_velocity or metrics.velocity,
                "peak_velocity": state.peak,
                "lifecycle": state.lifecycle,
                "forecast": prediction.outcome,
                "forecast_probability": prediction.probability_fades,
            }
        )
        if metrics.articles_in_hour:
            active.append(story.pk)

    # One statement each, however many stories (surge.bulk_rows). The story
    # update leaves updated_at alone: the live index only cares about centroids.
    insert_rows(StorySnapshot, snapshots, ignore_conflicts=True)
    update_rows(Story, figures)
    page_versions.hour_passed()
    return active
