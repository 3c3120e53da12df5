"""How Surge's past forecasts fared: computed from the forecasts stored in
StorySnapshot rows and the velocities stored 24 hours later, never hard-coded."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Max

from trends.measure.forecast.features import HORIZON_HOURS, outcome
from trends.models import StorySnapshot

TRACK_RECORD_DAYS = 30
# Peaks are read from this long before the first scored forecast.
PEAK_LOOKBACK = timedelta(hours=72)


def forecast_track_record(now: datetime, *, days: int = TRACK_RECORD_DAYS) -> dict:
    """The forecasts of the last `days` whose 24 hours are over, scored.

    Counted: every hourly forecast of a live story (lifecycle not "faded" when
    forecast), one per story per hour. "Faded" 24 hours later has the meaning
    of the forecast: velocity then below FADE_SHARE of the story's peak so far.
    A story without a snapshot 24 hours later had no article for two days
    (its velocity is 0); an hour when the pass did not run is not scored.

    Keys:
      said_fade   forecasts that said "fades by tomorrow"
      did_fade    of those, how many did fade
      share       did_fade / said_fade (None when said_fade is 0)
      said_hold   forecasts that said "holds through tomorrow" or "still rising"
      did_hold    of those, how many did not fade
      hold_share  did_hold / said_hold (None when said_hold is 0)
      forecasts   all scored forecasts (said_fade + said_hold)
      brier       mean squared error of the stored P(fades), None without forecasts
      faded_share share of the scored forecasts whose story did fade (None without)
      brier_same_chance  the Brier score of always giving every story that same
                  chance, faded_share (the best constant forecast, known only in hindsight)
      brier_by_stage     the Brier score of giving each story the fade rate of
                  its lifecycle stage when forecast (also in hindsight)
      brier_coin  0.25, the Brier score of always saying 50%
      since, until  the hours of the first and last scored forecasts (None without)
    """
    horizon = timedelta(hours=HORIZON_HOURS)
    latest = StorySnapshot.objects.filter(hour__lte=now).aggregate(last=Max("hour"))["last"]
    record = _empty()
    if latest is None:
        return record
    history = _read_history(now - timedelta(days=days), latest, horizon)
    squared_errors = []
    scored_hours = []
    outcomes_by_stage: dict[str, list[bool]] = {}
    for story_id, hour, velocity, forecast, probability, peak_then_known, stage in history.candidates:
        then = hour + horizon
        if then not in history.hours_with_pass:
            continue
        velocity_then = history.velocity_at.get((story_id, then), 0.0)
        peak_by_then = history.peak_until.get((story_id, then), peak_then_known)
        faded = outcome(velocity, max(peak_by_then, peak_then_known), velocity_then) == "fades"
        if forecast == "fades":
            record["said_fade"] += 1
            record["did_fade"] += faded
        else:
            record["said_hold"] += 1
            record["did_hold"] += not faded
        squared_errors.append((probability - faded) ** 2)
        scored_hours.append(hour)
        outcomes_by_stage.setdefault(stage, []).append(faded)

    record["forecasts"] = record["said_fade"] + record["said_hold"]
    if record["said_fade"]:
        record["share"] = round(record["did_fade"] / record["said_fade"], 4)
    if record["said_hold"]:
        record["hold_share"] = round(record["did_hold"] / record["said_hold"], 4)
    if squared_errors:
        record["brier"] = round(sum(squared_errors) / len(squared_errors), 4)
        record["since"], record["until"] = min(scored_hours), max(scored_hours)
        record.update(_baselines(outcomes_by_stage))
    return record


@dataclass
class _History:
    velocity_at: dict[tuple[int, datetime], float] = field(default_factory=dict)
    peak_until: dict[tuple[int, datetime], float] = field(default_factory=dict)  # peak so far
    hours_with_pass: set[datetime] = field(default_factory=set)
    # (story, hour, velocity, forecast, P(fades), peak so far, lifecycle) of each scorable forecast
    candidates: list[tuple] = field(default_factory=list)


def _read_history(first_scored: datetime, latest: datetime, horizon: timedelta) -> _History:
    """The snapshots from a little before first_scored to latest, one query,
    read in story and hour order so that each one's peak so far is known."""
    rows = (
        StorySnapshot.objects.filter(hour__gte=first_scored - PEAK_LOOKBACK, hour__lte=latest)
        .order_by("story_id", "hour")
        .values_list("story_id", "hour", "velocity", "lifecycle", "forecast", "forecast_probability")
    )
    history = _History()
    peak, current_story = 0.0, None
    for story_id, hour, velocity, stage, forecast, probability in rows.iterator(chunk_size=5000):
        if story_id != current_story:
            peak, current_story = 0.0, story_id
        peak = max(peak, velocity)
        history.velocity_at[(story_id, hour)] = velocity
        history.peak_until[(story_id, hour)] = peak
        history.hours_with_pass.add(hour)
        scorable = hour >= first_scored and hour + horizon <= latest
        if scorable and forecast and probability is not None and stage != "faded":
            history.candidates.append((story_id, hour, velocity, forecast, probability, peak, stage))
    return history


def _baselines(outcomes_by_stage: dict[str, list[bool]]) -> dict:
    """Brier scores of two hindsight baselines and of a coin (see the keys above)."""
    outcomes = [faded for by_stage in outcomes_by_stage.values() for faded in by_stage]
    share = sum(outcomes) / len(outcomes)
    by_stage = 0.0
    for stage_outcomes in outcomes_by_stage.values():
        rate = sum(stage_outcomes) / len(stage_outcomes)
        by_stage += sum((rate - faded) ** 2 for faded in stage_outcomes)
    return {
        "faded_share": round(share, 4),
        "brier_same_chance": round(share * (1 - share), 4),
        "brier_by_stage": round(by_stage / len(outcomes), 4),
        "brier_coin": 0.25,
    }


def _empty() -> dict:
    return {
        "said_fade": 0,
        "did_fade": 0,
        "share": None,
        "said_hold": 0,
        "did_hold": 0,
        "hold_share": None,
        "forecasts": 0,
        "brier": None,
        "faded_share": None,
        "brier_same_chance": None,
        "brier_by_stage": None,
        "brier_coin": 0.25,
        "since": None,
        "until": None,
    }
