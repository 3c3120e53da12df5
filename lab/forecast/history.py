"""Training rows from Surge's own history: the StorySnapshot rows the hourly
pass stored, turned back into the StoryState each forecast saw, with what
happened 24 hours later.

One difference from the live pass, stated: snapshots keep articles per hour,
not the exact time of the last article, so "hours since the last article" is
counted from the middle of the last hour that had one."""

from collections import defaultdict
from datetime import datetime, timedelta

from lab.forecast.trajectories import ForecastRows
from trends.measure.forecast.features import (
    CURVE_HOURS,
    FADE_SHARE,
    HORIZON_HOURS,
    StoryState,
    features,
    outcome,
)
from trends.models import Story, StorySnapshot


def rows_from_snapshots(since: datetime | None = None) -> ForecastRows:
    snapshots = StorySnapshot.objects.order_by("story_id", "hour")
    if since is not None:
        snapshots = snapshots.filter(hour__gte=since)
    by_story: dict[int, list[tuple]] = defaultdict(list)
    for row in snapshots.values_list(
        "story_id",
        "hour",
        "velocity",
        "articles",
        "total_articles",
        "sources",
        "effective_sources",
        "lifecycle",
    ).iterator(chunk_size=5000):
        by_story[row[0]].append(row[1:])
    first_seen = dict(Story.objects.filter(pk__in=list(by_story)).values_list("pk", "first_seen_at"))

    rows = ForecastRows()
    horizon = timedelta(hours=HORIZON_HOURS)
    for story_id, history in by_story.items():
        velocity_at = {hour: velocity for hour, velocity, *_ in history}
        peak, last_active = 0.0, None
        for i, (hour, velocity, articles, total, sources, effective, stage) in enumerate(history):
            peak = max(peak, velocity)
            if articles:
                last_active = hour
            if stage == "faded":
                continue
            recent = [
                h
                for h in history[max(0, i - CURVE_HOURS + 1) : i + 1]
                if h[0] > hour - timedelta(hours=CURVE_HOURS)
            ]
            started = first_seen.get(story_id, history[0][0])
            quiet = (
                (hour - last_active).total_seconds() / 3600 + 0.5
                if last_active
                else (hour - started).total_seconds() / 3600
            )
            state = StoryState(
                hour_end=hour,
                age_hours=(hour - started).total_seconds() / 3600,
                quiet_hours=max(quiet, 0.0),
                velocities=[h[1] for h in recent],
                articles=[h[2] for h in recent],
                peak=peak,
                article_count=total,
                source_count=sources,
                effective_sources=effective,
                lifecycle=stage,
            )
            later = [v for h, v, *_ in history[i:] if h <= hour + horizon]
            if history[-1][0] >= hour + horizon:
                result = outcome(velocity, max([peak, *later]), velocity_at.get(hour + horizon, 0.0))
            else:
                result = None  # the story's track ends earlier: known only if the pass kept running
            rows.hours.append(hour)
            rows.story_ids.append(story_id)
            rows.features.append(features(state))
            rows.lifecycles.append(stage)
            rows.quiet_hours.append(state.quiet_hours)
            rows.below_fade_share.append(velocity < FADE_SHARE * peak)
            rows.outcomes.append(result)
    _fill_ended_tracks(rows, by_story)
    return rows


def _fill_ended_tracks(rows: ForecastRows, by_story: dict) -> None:
    """A story whose snapshots stop before the horizon, while the pass kept
    running (later hours exist for other stories), had no article for two
    days: its velocity then is 0, so it faded."""
    if not rows.hours:
        return
    latest = max(history[-1][0] for history in by_story.values())
    horizon = timedelta(hours=HORIZON_HOURS)
    for i, hour in enumerate(rows.hours):
        if rows.outcomes[i] is None and hour + horizon <= latest:
            rows.outcomes[i] = "fades"
