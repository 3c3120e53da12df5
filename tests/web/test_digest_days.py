"""The digest by day: /digest/YYYY-MM-DD/ lists the trends measured that
day, with links to the nearest earlier and later days that have any, and
/digest/ shows the latest day that has trends."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from ingest import clock
from ingest.models import ReplayClock
from tests.factories import make_snapshot, make_story
from trends.models import Story

# Surge's clock stopped at midnight, as after the replay demo.
NOW = datetime(2026, 1, 5, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    ReplayClock.objects.create(simulated_start=NOW, real_start=NOW, speed=0.0)
    clock.reset_cache()
    yield
    clock.reset_cache()


def _measured(headline, hours: list[datetime], velocity=2.0, articles=3):
    story = make_story(
        headline,
        first_seen_at=hours[0] - timedelta(hours=1),
        last_seen_at=hours[-1],
        article_count=articles,
        source_count=2,
        velocity=velocity,
    )
    for hour in hours:
        make_snapshot(
            story,
            hour,
            velocity,
            total_articles=articles,
            sources=2,
            effective_sources=2,
            lifecycle="peaking",
        )
    return story


def _day(day: str) -> str:
    return reverse("trends:digest_day", args=[day])


def _headlines(html: str) -> list[str]:
    return re.findall(r'<li class="digest-item">\s*<h2><a [^>]*>([^<]*)</a>', html)


def test_the_digest_without_a_day_shows_the_latest_day_with_trends(client):
    _measured("Fire at ski resort", [datetime(2026, 1, 2, 10, tzinfo=UTC)])
    # The hour ending at midnight belongs to the day before it.
    _measured("Strikes on Caracas", [datetime(2026, 1, 4, 20, tzinfo=UTC), NOW])
    html = client.get(reverse("trends:digest")).text
    assert 'data-day="2026-01-04"' in html
    assert _headlines(html) == ["Strikes on Caracas"]


def test_a_day_lists_its_trends_by_their_highest_velocity_that_day(client):
    day = datetime(2026, 1, 3, tzinfo=UTC)
    _measured("Slow story", [day + timedelta(hours=5)], velocity=1.0)
    _measured("Fast story", [day + timedelta(hours=9)], velocity=9.0)
    _measured("Next day's story", [day + timedelta(days=1, hours=2)], velocity=20.0)
    assert _headlines(client.get(_day("2026-01-03")).text) == ["Fast story", "Slow story"]


def test_previous_and_next_link_the_nearest_days_with_trends(client):
    _measured("Jan 1", [datetime(2026, 1, 1, 12, tzinfo=UTC)])
    _measured("Jan 3", [datetime(2026, 1, 3, 12, tzinfo=UTC)])
    _measured("Jan 4", [datetime(2026, 1, 4, 12, tzinfo=UTC)])
    html = client.get(_day("2026-01-03")).text
    assert f'rel="prev" href="{_day("2026-01-01")}"' in html
    assert f'rel="next" href="{_day("2026-01-04")}"' in html
    latest = client.get(_day("2026-01-04")).text
    assert 'rel="next"' not in latest


def test_a_day_follows_the_listing_rules(client):
    hour = datetime(2026, 1, 3, 12, tzinfo=UTC)
    _measured("One article", [hour], articles=1)
    hidden = _measured("Hidden", [hour])
    Story.objects.filter(pk=hidden.pk).update(is_hidden=True)
    _measured("Listed", [hour])
    assert _headlines(client.get(_day("2026-01-03")).text) == ["Listed"]


def test_a_day_without_trends_says_so(client):
    html = client.get(_day("2025-12-25")).text
    assert "No trends on this day." in html


@pytest.mark.parametrize("day", ["2026-01-06", "2026-02-30"])
def test_a_future_or_impossible_day_is_not_found(client, day):
    assert client.get(_day(day)).status_code == 404
