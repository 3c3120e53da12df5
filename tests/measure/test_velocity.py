"""Velocity, source diversity, change since first seen and lifecycle on
hand-made coverage and curves whose answers are known; and the hourly pass's
bounded number of queries."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_article, make_snapshot, make_source, make_story
from trends.measure import velocity
from trends.measure.hourly import run_hourly_pass
from trends.measure.velocity import (
    CoverageItem,
    change_since_first_seen,
    effective_sources,
    lifecycle,
    measure,
)
from trends.models import Story, StorySnapshot

NOW = datetime(2026, 1, 3, 12, tzinfo=UTC)


def steady_stream(per_hour: int, outlets: int, hours: int = 24) -> list[CoverageItem]:
    """per_hour articles in every hour, spread evenly, outlets taking turns."""
    items = []
    for n in range(per_hour * hours):
        age = (n + 0.5) / per_hour
        items.append(CoverageItem(NOW - timedelta(hours=age), source_id=n % outlets))
    return items


def test_steady_stream_from_distinct_outlets_has_velocity_near_its_rate():
    metrics = measure(steady_stream(8, 8), NOW)
    assert metrics.article_rate == pytest.approx(8, rel=0.05)
    assert metrics.velocity == pytest.approx(8, rel=0.05)


def test_flood_from_one_outlet_has_velocity_one():
    metrics = measure(steady_stream(8, 1), NOW)
    assert metrics.article_rate == pytest.approx(8, rel=0.05)
    assert metrics.velocity == pytest.approx(1.0)


def test_syndicated_copies_count_once():
    original = CoverageItem(NOW - timedelta(minutes=30), source_id=1)
    copies = [CoverageItem(NOW - timedelta(minutes=20), source_id=s, is_copy=True) for s in range(2, 22)]
    alone = measure([original], NOW, started_at=original.published_at)
    with_copies = measure([original, *copies], NOW, started_at=original.published_at)
    assert with_copies.velocity == alone.velocity == pytest.approx(1.0, rel=0.01)
    assert with_copies.articles_in_hour == 21


def test_effective_sources_of_equal_outlets_is_their_number():
    assert effective_sources([2.0, 2.0, 2.0, 2.0]) == pytest.approx(4.0)
    assert effective_sources([5.0]) == pytest.approx(1.0)
    assert 1.0 < effective_sources([9.0, 1.0]) < 2.0
    assert effective_sources([]) == 0.0


def test_first_hour_of_a_young_story_is_not_undercounted():
    started = NOW - timedelta(minutes=40)
    items = [CoverageItem(started + timedelta(minutes=10 * k), source_id=k) for k in range(4)]
    metrics = measure(items, NOW, started_at=started)
    assert metrics.velocity == pytest.approx(4.0, rel=0.05)


def test_story_without_recent_articles_has_zero_velocity():
    old = [CoverageItem(NOW - timedelta(hours=30), source_id=1)]
    assert measure(old, NOW).velocity == 0.0
    assert measure([], NOW).velocity == 0.0


def test_velocity_decays_with_half_life_after_coverage_stops():
    started = NOW - timedelta(hours=30)
    burst = [CoverageItem(NOW - timedelta(hours=6), source_id=s) for s in range(20)]
    three_hours_later = measure(burst, NOW + timedelta(hours=3), started_at=started)
    now = measure(burst, NOW, started_at=started)
    assert three_hours_later.article_rate == pytest.approx(now.article_rate / 2, rel=0.01)


def test_change_since_first_seen_is_measured_from_the_baseline():
    assert change_since_first_seen(2.0, 16.0) == pytest.approx(700.0)
    # a first hour slower than one article an hour is measured from 1
    assert change_since_first_seen(0.25, 8.0) == pytest.approx(700.0)
    assert change_since_first_seen(5.0, 5.0) == pytest.approx(0.0)
    assert change_since_first_seen(0.0, 5.0) is None


@pytest.mark.parametrize(
    ("curve", "age", "quiet", "expected"),
    [
        ([1.0, 2.0], 2, 0.5, "emerging"),
        ([1.0, 2.0, 4.0, 8.0], 10, 0.5, "rising"),
        ([2.0, 8.0, 8.0, 8.0, 7.5], 10, 0.5, "peaking"),
        ([2.0, 8.0, 6.0, 5.0, 4.0], 10, 2, "fading"),
        ([2.0, 8.0, 6.0, 3.0, 0.5], 10, 5, "faded"),
        ([2.0, 2.0, 2.0, 2.0], 40, 25, "faded"),
    ],
)
def test_lifecycle_of_hand_made_curves(curve, age, quiet, expected):
    assert lifecycle(curve, age_hours=age, hours_since_last_article=quiet) == expected


def test_a_rebound_below_the_first_seen_velocity_is_not_rising():
    # Up on the last three hours, but far below where it started: "Rising"
    # beside "-80% since first seen" would contradict itself.
    curve = [10.0, 3.0, 1.0, 1.0, 2.0]
    stage = lifecycle(curve, age_hours=10, hours_since_last_article=0.5, first=10.0)
    assert stage == "fading"
    assert change_since_first_seen(10.0, 2.0) < 0


def test_rising_always_stands_beside_a_rise_since_first_seen():
    generator = random.Random(12)
    for _ in range(5000):
        curve = [round(generator.uniform(0.0, 12.0), 2) for _ in range(generator.randint(4, 24))]
        first = next((v for v in curve if v > 0), 0.0)
        stage = lifecycle(curve, age_hours=len(curve), hours_since_last_article=0.5)
        if stage == "rising":
            assert change_since_first_seen(first, curve[-1]) > 0, curve


def test_peaking_is_never_far_below_the_first_seen_velocity():
    generator = random.Random(13)
    for _ in range(5000):
        curve = [round(generator.uniform(0.0, 3.0), 2) for _ in range(generator.randint(4, 24))]
        first = next((v for v in curve if v > 0), 0.0)
        stage = lifecycle(curve, age_hours=len(curve), hours_since_last_article=0.5)
        if stage == "peaking":
            assert change_since_first_seen(first, curve[-1]) >= (velocity.PEAK_SHARE - 1) * 100 - 1e-9, curve


def test_a_story_that_never_beat_one_article_an_hour_is_not_peaking_near_zero():
    # Its own peak is 0.05, but the change is measured from 1: it has faded.
    assert lifecycle([0.05, 0.04, 0.05, 0.04], age_hours=10, hours_since_last_article=2) == "faded"


def test_lifecycle_uses_the_all_time_peak_beyond_the_curve_window():
    assert lifecycle([1.0, 1.0, 1.0, 1.0], age_hours=60, hours_since_last_article=1, peak=20.0) == "faded"


# --- The hourly pass over the database --------------------------------------------


def make_stories(count: int, hour_end: datetime) -> None:
    sources = [make_source(f"outlet{i}.example", name=f"Outlet {i}") for i in range(3)]
    for n in range(count):
        story = make_story(
            f"Story {n}",
            first_seen_at=hour_end - timedelta(hours=5),
            last_seen_at=hour_end - timedelta(minutes=20),
            article_count=3,
            source_count=3,
        )
        for k, source in enumerate(sources):
            make_article(
                source,
                story,
                f"Story {n} by {source.name}",
                when=hour_end - timedelta(minutes=20 + 60 * k),
                fetched_at=hour_end,
            )
        make_snapshot(
            story, hour_end - timedelta(hours=1), 1, total_articles=2, sources=2, effective_sources=2
        )


def queries_of_hourly_pass(count: int, django_assert_max_num_queries) -> int:
    hour_end = NOW + timedelta(days=count)  # each call its own hour, clear of the others' stories
    make_stories(count, hour_end)
    with django_assert_max_num_queries(20) as captured:
        active = run_hourly_pass(hour_end)
    assert len(active) == count
    assert StorySnapshot.objects.filter(hour=hour_end).count() == count
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_hourly_pass_query_count_does_not_grow_with_stories(django_assert_max_num_queries):
    few = queries_of_hourly_pass(2, django_assert_max_num_queries)
    many = queries_of_hourly_pass(40, django_assert_max_num_queries)
    assert many == few


@pytest.mark.django_db
def test_hourly_pass_stores_velocity_lifecycle_and_forecast():
    make_stories(1, NOW)
    run_hourly_pass(NOW)
    snapshot = StorySnapshot.objects.get(hour=NOW)
    story = Story.objects.get()
    # three outlets over the last three hours: velocity well above zero, below three
    assert 0.5 < snapshot.velocity <= 3.0
    assert story.velocity == snapshot.velocity
    assert story.peak_velocity == snapshot.velocity
    assert story.first_velocity == snapshot.velocity  # the earlier snapshot was hand-made, not a pass
    assert snapshot.lifecycle in {"rising", "peaking", "fading"}
    assert snapshot.forecast in {"fades", "holds", "rising"}
    assert 0.0 <= snapshot.forecast_probability <= 1.0
    run_hourly_pass(NOW)  # idempotent
    assert StorySnapshot.objects.filter(hour=NOW).count() == 1
