"""The whole path, feed to page: a feed served on 127.0.0.1 is polled, its
article pages extracted, the articles embedded and clustered, the hour
snapshotted, and the story appears on the front page, on its own trend page
and in the site's RSS and JSON feeds."""

from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.urls import reverse

from ingest import clock
from ingest.models import ReplayClock
from ingest.polling import poll_feed
from tests.factories import make_feed, make_source
from tests.giveme import articles_by_event, page, rss
from trends.measure.hourly import floor_hour, run_hourly_pass
from trends.models import Story
from trends.stories.pipeline import process_pending

NOW = datetime(2026, 1, 3, 12, 20, tzinfo=UTC)
PLANE_CRASH = 35


@pytest.fixture
def story_from_served_feeds(real_data, fakeweb, settings, db):
    settings.ALLOW_PRIVATE_ADDRESSES = True
    ReplayClock.objects.create(simulated_start=NOW + timedelta(minutes=45), real_start=NOW, speed=0)
    clock.reset_cache()
    articles = articles_by_event()[PLANE_CRASH]
    for n, outlet in enumerate(["east.example", "west.example"]):
        entries = []
        for i, article in enumerate(articles[n * 3 : n * 3 + 3]):
            fakeweb.route(f"/{outlet}/{i}.html", body=page(article), headers={"Content-Type": "text/html"})
            entries.append((article, fakeweb.url(f"/{outlet}/{i}.html"), NOW - timedelta(minutes=7 * i + n)))
        fakeweb.route(f"/{outlet}/rss", body=rss(outlet, entries), headers={"Content-Type": "text/xml"})
        source = make_source(outlet, name=outlet.split(".")[0].title() + " Times")
        feed = make_feed(fakeweb.url(f"/{outlet}/rss"), source)
        poll_feed(feed, NOW)
    process_pending(NOW)
    run_hourly_pass(floor_hour(NOW) + timedelta(hours=1))
    yield Story.objects.get()
    clock.reset_cache()


@pytest.mark.slow
def test_served_feed_becomes_a_trend_page_and_a_feed_entry(client, story_from_served_feeds):
    story = story_from_served_feeds
    assert story.article_count == 6 and story.source_count == 2

    front = client.get(reverse("trends:front")).content.decode()
    assert reverse("trends:story", args=[story.pk]) in front

    trend = client.get(reverse("trends:story", args=[story.pk]))
    assert trend.status_code == 200
    html = trend.content.decode()
    assert "East Times" in html and "West Times" in html
    assert story.brief["sentences"][0]["text"][:40].replace("'", "&#x27;") in html

    rss_doc = feedparser.parse(client.get(reverse("trends:feed_top_rss")).content)
    assert [e.title for e in rss_doc.entries] == [story.headline]
    coverage = feedparser.parse(client.get(reverse("trends:feed_story_rss", args=[story.pk])).content)
    assert len(coverage.entries) == 6

    json_feed = client.get(reverse("trends:feed_top_json")).json()
    assert json_feed["items"][0]["title"] == story.headline
