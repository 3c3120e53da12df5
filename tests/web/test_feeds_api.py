"""Feeds (RSS, Atom, JSON Feed 1.1) and the JSON API, read back as a
program would read them."""

import json

import feedparser
import pytest
from django.urls import reverse

from tests import sitedata
from tests.sitedata import PAYLOAD
from trends.models import Story, StoryTopic

site_data = sitedata.site_data  # the module-scoped fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _feed_urls(site_data) -> dict[str, list[str]]:
    story = site_data["venezuela"]
    topic = StoryTopic.objects.filter(story=story).values_list("topic__slug", flat=True).first()
    return {
        "top": [reverse(f"trends:feed_top_{kind}") for kind in ("rss", "atom", "json")],
        "category": [
            reverse(f"trends:feed_category_{kind}", args=[story.category]) for kind in ("rss", "atom", "json")
        ],
        "topic": [reverse(f"trends:feed_topic_{kind}", args=[topic]) for kind in ("rss", "atom", "json")],
        "story": [reverse(f"trends:feed_story_{kind}", args=[story.pk]) for kind in ("rss", "atom", "json")],
    }


@pytest.mark.parametrize("which", ["top", "category", "topic", "story"])
def test_rss_and_atom_parse_back_with_feedparser(client, site_data, which):
    rss_url, atom_url, _json = _feed_urls(site_data)[which]
    for url, version in ((rss_url, "rss20"), (atom_url, "atom10")):
        response = client.get(url)
        assert response.status_code == 200
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        assert parsed.version == version
        assert parsed.entries, url
        for entry in parsed.entries:
            assert entry.title and entry.link.startswith("http")


@pytest.mark.parametrize("which", ["top", "category", "topic", "story"])
def test_json_feed_has_the_required_fields_of_version_1_1(client, site_data, which):
    url = _feed_urls(site_data)[which][2]
    response = client.get(url)
    assert response["Content-Type"].startswith("application/feed+json")
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert feed["feed_url"].startswith("http") and feed["home_page_url"].startswith("http")
    assert isinstance(feed["items"], list) and feed["items"]
    ids = [item["id"] for item in feed["items"]]
    assert all(isinstance(i, str) and i for i in ids) and len(set(ids)) == len(ids)
    for item in feed["items"]:
        assert item.get("content_text") or item.get("content_html")
        assert "url" not in item or item["url"].startswith("http")


def test_top_feed_lists_trends_in_velocity_order(client, site_data):
    parsed = feedparser.parse(client.get(reverse("trends:feed_top_rss")).content)
    ids = [int(e.link.rstrip("/").rsplit("/", 1)[1]) for e in parsed.entries]
    velocities = [Story.objects.get(pk=i).velocity for i in ids]
    assert velocities == sorted(velocities, reverse=True)


def test_script_payload_never_reaches_feeds_raw(client, site_data):
    hostile = site_data["hostile_story"]
    urls = [
        reverse("trends:feed_top_rss"),
        reverse("trends:feed_top_atom"),
        reverse("trends:feed_story_rss", args=[hostile.pk]),
        reverse("trends:feed_story_atom", args=[hostile.pk]),
    ]
    for url in urls:
        body = client.get(url).content.decode()
        assert PAYLOAD not in body, url
        assert "javascript:" not in body, url
    story_feed = json.loads(client.get(reverse("trends:feed_story_json", args=[hostile.pk])).content)
    # JSON carries the title as text (a consumer escapes it); the javascript: link is dropped.
    assert any(PAYLOAD in item["title"] for item in story_feed["items"])
    assert all(item.get("url", "https://").startswith("https://") for item in story_feed["items"])


def test_api_lists_trends_with_filters_and_pagination(client, site_data):
    story = site_data["venezuela"]
    everything = client.get(reverse("trends:api_trends")).json()
    assert everything["count"] >= 2 and everything["results"]
    page = client.get(reverse("trends:api_trends"), {"page_size": 1, "page": 2}).json()
    assert page["page"] == 2 and len(page["results"]) == 1
    assert page["results"][0]["id"] == everything["results"][1]["id"]
    by_category = client.get(reverse("trends:api_trends"), {"category": story.category}).json()
    assert {r["category"] for r in by_category["results"]} == {story.category}
    by_lifecycle = client.get(reverse("trends:api_trends"), {"lifecycle": story.lifecycle}).json()
    assert story.pk in [r["id"] for r in by_lifecycle["results"]]
    assert {r["lifecycle"] for r in by_lifecycle["results"]} == {story.lifecycle}
    topic = StoryTopic.objects.filter(story=story).values_list("topic__slug", flat=True).first()
    by_topic = client.get(reverse("trends:api_trends"), {"topic": topic}).json()
    assert story.pk in [r["id"] for r in by_topic["results"]]
    assert client.get(reverse("trends:api_trends"), {"lifecycle": "bogus"}).status_code == 400


def test_api_trend_has_coverage_snapshots_brief_and_forecast(client, site_data):
    story = site_data["venezuela"]
    data = client.get(reverse("trends:api_trend", args=[story.pk])).json()
    assert data["id"] == story.pk
    assert len(data["coverage"]) == story.article_count
    assert data["snapshots"] and all("velocity" in s for s in data["snapshots"])
    assert data["brief"]["sentences"]
    assert set(data["forecast"]) == {"outcome", "probability_fades"}


def test_api_answers_304_to_a_matching_etag(client, site_data):
    url = reverse("trends:api_trend", args=[site_data["venezuela"].pk])
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_openapi_schema_is_valid_and_matches_the_api(client, site_data):
    from jsonschema import Draft202012Validator
    from openapi_spec_validator import validate

    schema = client.get(reverse("trends:openapi")).json()
    validate(schema)
    assert "/api/trends/" in schema["paths"] and "/api/trends/{id}/" in schema["paths"]
    # The documented schemas accept what the API returns.
    components = {"components": schema["components"]}
    summary = client.get(reverse("trends:api_trends")).json()["results"][0]
    Draft202012Validator({**components, "$ref": "#/components/schemas/TrendSummary"}).validate(summary)
    detail = client.get(reverse("trends:api_trend", args=[site_data["venezuela"].pk])).json()
    Draft202012Validator({**components, "$ref": "#/components/schemas/Trend"}).validate(detail)


def test_api_fields_are_exactly_the_documented_ones(client, site_data):
    """The API and its schema come from one definition (web/api_schema.py):
    every field an answer carries is documented, and every documented one is there."""
    components = client.get(reverse("trends:openapi")).json()["components"]["schemas"]
    detail = client.get(reverse("trends:api_trend", args=[site_data["venezuela"].pk])).json()
    listing = client.get(reverse("trends:api_trends")).json()

    assert set(detail) == set(components["Trend"]["properties"])
    assert set(listing) == set(components["TrendPage"]["properties"])
    assert set(listing["results"][0]) == set(components["TrendSummary"]["properties"])
    assert set(detail["brief"]) == set(components["Brief"]["properties"])
