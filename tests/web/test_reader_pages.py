"""How it works in readers' words with the code's own figures and a track
record table; styled error pages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from tests.factories import make_snapshot, make_story
from trends.measure import velocity
from trends.measure.forecast import FADE_SHARE

pytestmark = pytest.mark.django_db

HOUR = datetime(2026, 1, 3, 12, tzinfo=UTC)


def test_how_it_works_gives_the_rules_with_the_codes_figures(client):
    html = client.get(reverse("trends:how")).text
    assert f"velocity at least {round((velocity.RISING_GROWTH - 1) * 100)}% above" in html
    assert f"within {round(velocity.PEAK_SHARE * 100)}% of its highest" in html
    assert f"below {round(FADE_SHARE * 100)}% of its highest" in html
    # the change's baseline, exactly as computed: the first measurement, or 1 when lower
    assert f"or with {velocity.BASELINE_VELOCITY:.0f} (one article an hour from one outlet)" in html


def test_how_it_works_shows_no_code(client):
    html = client.get(reverse("trends:how")).text
    for raw in ["said_fade", "hold_share", "<pre>", "RATE_HALF_LIFE_HOURS", "def "]:
        assert raw not in html, raw


def test_the_track_record_is_a_table_with_the_baselines(client, settings):
    story = make_story(when=HOUR, first_seen_at=HOUR - timedelta(hours=2))
    for hour, velocity_then, forecast, probability in [
        (HOUR, 4.0, "fades", 0.8),
        (HOUR + timedelta(hours=24), 0.5, "fades", 0.9),
    ]:
        make_snapshot(
            story,
            hour,
            velocity_then,
            total_articles=3,
            sources=2,
            effective_sources=2,
            lifecycle="peaking",
            forecast=forecast,
            forecast_probability=probability,
        )
    from ingest import clock
    from ingest.models import ReplayClock

    now = HOUR + timedelta(hours=25)
    ReplayClock.objects.create(simulated_start=now, real_start=now, speed=0.0)
    clock.reset_cache()
    try:
        html = client.get(reverse("trends:how")).text
    finally:
        clock.reset_cache()
    table = html[html.index('id="track-record-table"') : html.index("</table>")]
    assert "“fades by tomorrow”" in table and "100% (1)" in table
    brier = html[html.index('id="brier-table"') :]
    brier = brier[: brier.index("</table>")]
    assert "0.040" in brier  # (0.8 - 1)²
    assert "Always 50%" in brier and "0.250" in brier


def test_an_unknown_page_gets_the_styled_not_found_page(client):
    response = client.get("/trend/987654321/")
    assert response.status_code == 404
    assert "We can't find that page" in response.text
    assert "css/site.css" in response.text and 'action="/search/"' in response.text


def test_a_server_error_gets_the_styled_error_page(settings):
    settings.SITE_NAME = "Surge Test"
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "css/site.css" in html and "Surge Test" in html


def test_a_fades_forecast_gives_its_chance_without_saying_fades_twice(client):
    story = make_story(
        when=HOUR, article_count=3, source_count=2, forecast="fades", forecast_probability=0.58
    )
    html = client.get(reverse("trends:story", args=[story.pk])).text
    assert "predicts: fades by tomorrow" in html and "(58% chance)" in html
    assert html.count("fades by tomorrow") == 1


def test_a_fading_story_forecast_to_grow_is_rising_again_not_still_rising(client):
    story = make_story(
        when=HOUR,
        first_seen_at=HOUR - timedelta(hours=20),
        article_count=3,
        source_count=2,
        lifecycle="fading",
        forecast="rising",
        forecast_probability=0.3,
    )
    html = client.get(reverse("trends:story", args=[story.pk])).text
    assert "predicts: rising again tomorrow" in html
    assert "still rising" not in html
