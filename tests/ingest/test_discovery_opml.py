"""Adding feeds: autodiscovery from a site's page, OPML import and export,
and the feed-health list for editors."""

from pathlib import Path

import pytest
from django.core.management import call_command

from ingest.discovery import discover_feed_links
from ingest.models import Feed
from ingest.opml import read_opml, write_opml
from ingest.sources import FeedNotFound, add_feed, feed_health, import_feeds
from tests.realdata import DATA

BBC_FEED = DATA / "feeds" / "feed-rs" / "rss_2.0_bbc.xml"  # read by the test that needs it
HOME = b"""<!doctype html><html><head><title>Site</title>
<link rel="stylesheet" href="/main.css">
<link rel="alternate" type="application/rss+xml" title="All" href="/feeds/all.xml">
<link rel="alternate" type="application/atom+xml" href="https://cdn.example/atom">
<link rel="alternate" hreflang="fr" href="/fr/">
</head><body>hi</body></html>"""


def test_feed_links_are_found_and_made_absolute():
    links = discover_feed_links(HOME, "https://site.example/news/")
    assert links == ["https://site.example/feeds/all.xml", "https://cdn.example/atom"]


def test_page_without_feed_links_gives_none():
    assert discover_feed_links(b"<html><head></head><body>x</body></html>", "https://a.example/") == []
    assert discover_feed_links(b"", "https://a.example/") == []


@pytest.mark.django_db
@pytest.mark.needs_real_data
def test_add_feed_by_page_url_uses_autodiscovery(fakeweb, crawler):
    fakeweb.route("/", body=HOME, headers={"Content-Type": "text/html"})
    fakeweb.route(
        "/feeds/all.xml", body=BBC_FEED.read_bytes(), headers={"Content-Type": "application/rss+xml"}
    )
    feed, created = add_feed(fakeweb.url("/"))
    assert created and feed.url == fakeweb.url("/feeds/all.xml")
    assert feed.title and feed.source.domain == "bbc.co.uk"
    again, created = add_feed(fakeweb.url("/feeds/all.xml"))
    assert not created and again.pk == feed.pk


@pytest.mark.django_db
def test_add_feed_refuses_a_page_with_no_feed(fakeweb, crawler):
    fakeweb.route("/", body=b"<html><body>no feeds</body></html>", headers={"Content-Type": "text/html"})
    with pytest.raises(FeedNotFound):
        add_feed(fakeweb.url("/"))
    assert Feed.objects.count() == 0


OPML = b"""<?xml version="1.0"?><opml version="1.0"><head><title>Mine</title></head><body>
<outline text="Technology">
  <outline type="rss" text="Ars" xmlUrl="https://feeds.arstechnica.com/arstechnica/index" htmlUrl="https://arstechnica.com"/>
  <outline type="rss" text="Verge" xmlUrl="https://www.theverge.com/rss/index.xml"/>
</outline>
<outline type="rss" text="BBC" xmlUrl="https://feeds.bbci.co.uk/news/rss.xml"/>
<outline text="not a feed"/>
</body></opml>"""


def test_opml_outlines_at_any_depth_are_read():
    entries = read_opml(OPML)
    assert [e["url"] for e in entries] == [
        "https://feeds.arstechnica.com/arstechnica/index",
        "https://www.theverge.com/rss/index.xml",
        "https://feeds.bbci.co.uk/news/rss.xml",
    ]
    assert [e["category"] for e in entries] == ["technology", "technology", ""]


@pytest.mark.django_db
def test_opml_import_is_idempotent_and_export_round_trips(tmp_path: Path):
    path = tmp_path / "feeds.opml"
    path.write_bytes(OPML)
    call_command("import_opml", str(path))
    call_command("import_opml", str(path))
    assert Feed.objects.count() == 3
    assert Feed.objects.get(url__contains="arstechnica").source.domain == "arstechnica.com"
    exported = read_opml(write_opml())
    assert {e["url"] for e in exported} == set(Feed.objects.values_list("url", flat=True))
    assert import_feeds(exported) == (0, 3)


@pytest.mark.django_db
def test_feed_health_lists_failing_feeds_first():
    import_feeds(read_opml(OPML))
    Feed.objects.filter(url__contains="verge").update(error_count=4, last_error="HTTP 500")
    rows = feed_health()
    assert rows[0]["url"] == "https://www.theverge.com/rss/index.xml"
    assert rows[0]["failing"] and rows[0]["last_error"] == "HTTP 500"
    assert not any(r["failing"] for r in rows[1:])
