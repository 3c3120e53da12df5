"""A reader in a real browser (headless Chromium) walks the digest day by day
and searches from the header, on hand-made trends over three days.

Run: DEBUG=1 .venv/bin/python -m pytest tests/browser -m browser"""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The clock stopped at midnight, as after the replay demo.
NOW = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.fixture
def three_days():
    from django.utils.text import slugify

    from ingest import clock
    from ingest.models import ReplayClock
    from tests.factories import make_snapshot, make_story
    from trends.models import StoryTopic, Topic

    def story(headline, hour, velocity, topic=None):
        made = make_story(
            headline,
            hour,
            first_seen_at=hour - timedelta(hours=1),
            article_count=4,
            source_count=3,
            velocity=velocity,
            lifecycle="peaking",
        )
        make_snapshot(
            made,
            hour,
            velocity,
            articles=2,
            total_articles=4,
            sources=3,
            effective_sources=3,
            lifecycle="peaking",
        )
        if topic:
            link, _ = Topic.objects.get_or_create(
                slug=slugify(topic), defaults={"name": topic, "kind": "place"}
            )
            StoryTopic.objects.create(story=made, topic=link, weight=3)
        return made

    story("Deadly fire at ski resort bar", datetime(2026, 1, 2, 9, tzinfo=UTC), 5.0, topic="Crans Montana")
    story("Victims of the bar fire identified", datetime(2026, 1, 3, 11, tzinfo=UTC), 3.0)
    story("US strikes Venezuela and captures Maduro", datetime(2026, 1, 4, 22, tzinfo=UTC), 9.0)
    ReplayClock.objects.create(simulated_start=NOW, real_start=NOW, speed=0.0)
    clock.reset_cache()
    yield
    clock.reset_cache()


def _digest_headlines(page) -> list[str]:
    return [h.strip() for h in page.locator(".digest-item h2 a").all_inner_texts()]


def test_reader_walks_the_digest_back_and_forth_by_day(live_server, page, three_days):
    page.goto(live_server.url + reverse("trends:digest"))
    assert page.locator("#digest").get_attribute("data-day") == "2026-01-04"
    assert _digest_headlines(page) == ["US strikes Venezuela and captures Maduro"]
    assert page.locator("#digest-next").count() == 0

    page.click("#digest-previous")
    page.wait_for_url("**/digest/2026-01-03/")
    assert _digest_headlines(page) == ["Victims of the bar fire identified"]

    page.click("#digest-previous")
    page.wait_for_url("**/digest/2026-01-02/")
    assert _digest_headlines(page) == ["Deadly fire at ski resort bar"]
    assert page.locator("#digest-previous").count() == 0

    page.click("#digest-next")
    page.wait_for_url("**/digest/2026-01-03/")
    assert _digest_headlines(page) == ["Victims of the bar fire identified"]


def test_reader_searches_from_the_header_with_punctuation_and_gets_a_plain_no_match(
    live_server, page, three_days
):
    page.goto(live_server.url + reverse("trends:front"))
    page.fill("#search-q", "Crans-Montana")
    page.press("#search-q", "Enter")
    page.wait_for_url("**/search/?q=Crans-Montana")
    cards = page.locator(".trend-card .card-headline").all_inner_texts()
    assert [c.strip() for c in cards] == ["Deadly fire at ski resort bar"]

    page.fill("#search-q", "Zorblax")
    page.press("#search-q", "Enter")
    page.wait_for_url("**/search/?q=Zorblax")
    assert page.locator(".empty").inner_text().strip() == "No trends match “Zorblax”."
    assert page.locator(".trend-card").count() == 0
