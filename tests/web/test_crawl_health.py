"""`make run` with no internet: every feed fails, and the front page says so
(why, and that `make demo` shows Surge without internet) instead of only
"No trends here yet"; editors see the failing feeds themselves."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from ingest.health import crawl_health, error_kind
from ingest.models import Feed, Source
from ingest.polling import poll_feed

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


@pytest.fixture
def offline(settings, monkeypatch):
    """Three feeds polled while every name lookup fails, as on a machine with no network."""
    import socket

    def no_network(*args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    settings.HOST_MIN_DELAY_SECONDS = 0
    feeds = []
    for name in ("bbc.co.uk", "aljazeera.com", "lemonde.fr"):
        source = Source.objects.create(name=name, domain=name)
        feed = Feed.objects.create(url=f"https://feeds.{name}/rss.xml", source=source)
        assert poll_feed(feed, NOW).status == "error"
        feeds.append(feed)
    return feeds


def test_front_page_tells_readers_that_feeds_fail_and_why(client, offline):
    text = client.get(reverse("trends:front")).content.decode()
    assert "Surge cannot read its news feeds right now" in text
    assert "3 of 3 feeds" in text
    assert "DNS lookup failed" in text
    assert "make demo" in text
    assert "feeds.bbc.co.uk" not in text  # the feed list is for editors


def test_editors_see_each_failing_feed_and_its_error(editor_client, offline):
    text = editor_client.get(reverse("trends:front")).content.decode()
    for feed in offline:
        assert feed.url in text
    assert "DNS lookup failed for feeds.lemonde.fr" in text
    assert reverse("admin:ingest_feed_changelist") + "?health=failing" in text


def test_a_few_failing_feeds_among_many_working_ones_are_not_announced(client, offline):
    for n in range(4):
        source = Source.objects.create(name=f"ok{n}", domain=f"ok{n}.example")
        Feed.objects.create(url=f"https://ok{n}.example/rss", source=source, last_success_at=NOW)
    assert not crawl_health().in_trouble
    assert "cannot read its news feeds" not in client.get(reverse("trends:front")).content.decode()


def test_errors_differing_only_by_host_count_as_one_kind():
    assert error_kind("DNS lookup failed for feeds.bbc.co.uk") == error_kind(
        "DNS lookup failed for a.example"
    )
    assert error_kind("HTTP 404") != error_kind("DNS lookup failed for a.example")
