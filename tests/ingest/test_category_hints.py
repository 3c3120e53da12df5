"""A feed's category hint comes from outside (OPML folder names, add_feed
--category, the admin): it maps onto one of Surge's categories or is ignored,
so a folder called "World News" can never reach a page, a URL or the API."""

import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from ingest.category_hints import CATEGORY_CODES, FOLDER_NAMES, category_hint
from ingest.models import Article, Feed, Source
from ingest.opml import read_opml
from ingest.sources import import_feeds
from tests.factories import make_story, story_with_articles
from trends.models import CATEGORIES, Story
from trends.words.refresh import refresh_stories

NOW = datetime(2026, 1, 3, 12, tzinfo=UTC)
SURGE_CATEGORIES = {code for code, _label in CATEGORIES}

OPML = b"""<?xml version="1.0"?><opml version="2.0"><head><title>Reader export</title></head><body>
<outline text="World News"><outline text="Wire" xmlUrl="https://wire.example/world.xml"/></outline>
<outline text="Sci &amp; Tech"><outline text="Lab" xmlUrl="https://lab.example/rss"/></outline>
<outline text="Cooking"><outline text="Kitchen" xmlUrl="https://kitchen.example/rss"/></outline>
<outline text="Mixed" category="/News/Sports,Cats" xmlUrl="https://mixed.example/rss"/>
</body></opml>"""


def test_every_hint_is_one_of_surges_categories():
    assert set(CATEGORY_CODES) <= SURGE_CATEGORIES - {"general"}
    assert set(FOLDER_NAMES.values()) <= set(CATEGORY_CODES)


@pytest.mark.parametrize(
    "raw, hint",
    [
        ("World News", "world"),
        ("  WORLD  ", "world"),
        ("International", "world"),
        ("Tech", "technology"),
        ("Sci & Tech", "technology"),
        ("Sports", "sport"),
        ("Football", "sport"),
        ("Business News", "business"),
        ("Arts & Culture", "entertainment"),
        ("/News/Sports", "sport"),
        ("health", "health"),
        ("General", ""),
        ("Cooking", ""),
        ("world\x01<script>", ""),
        ("", ""),
    ],
)
def test_common_folder_names_map_onto_categories_and_others_are_ignored(raw, hint):
    assert category_hint(raw) == hint


@pytest.mark.django_db
def test_opml_folder_names_become_known_categories_or_nothing():
    import_feeds(read_opml(OPML))
    hints = dict(Feed.objects.values_list("url", "category_hint"))
    assert hints == {
        "https://wire.example/world.xml": "world",
        "https://lab.example/rss": "technology",
        "https://kitchen.example/rss": "",
        "https://mixed.example/rss": "sport",
    }


@pytest.mark.django_db
def test_a_hint_set_in_code_or_the_admin_is_mapped_when_saved():
    source = Source.objects.create(name="Wire", domain="wire.example")
    feed = Feed.objects.create(url="https://wire.example/rss", source=source, category_hint="World News")
    assert Feed.objects.get(pk=feed.pk).category_hint == "world"
    feed.category_hint = "Knitting"
    feed.save()
    assert Feed.objects.get(pk=feed.pk).category_hint == ""


@pytest.mark.django_db
def test_admin_offers_only_known_categories_for_the_hint(admin_client):
    source = Source.objects.create(name="Wire", domain="wire.example")
    response = admin_client.post(
        reverse("admin:ingest_feed_add"),
        {"url": "https://wire.example/rss", "source": source.pk, "title": "", "category_hint": "World News"},
    )
    assert response.status_code == 200  # the form is shown again with an error
    assert not Feed.objects.exists()
    assert b"World News is not one of the available choices" in response.content.replace(b"\xe2\x80\x9c", b"")


@pytest.mark.django_db
def test_story_from_a_world_news_folder_keeps_the_site_and_api_working(client):
    import_feeds(read_opml(OPML))
    feed = Feed.objects.get(url="https://wire.example/world.xml")
    story, articles = story_with_articles(3)
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(feed=feed)
    Story.objects.filter(pk=story.pk).update(is_pinned=True)  # listed whatever its age
    refresh_stories([story.pk], NOW)
    story.refresh_from_db()
    assert story.category == "world"
    for url in [reverse("trends:front"), story.get_absolute_url(), reverse("trends:search") + "?q=article"]:
        assert client.get(url).status_code == 200, url
    listed = json.loads(client.get(reverse("trends:api_trends")).content)["results"]
    assert [row["category"] for row in listed] == ["world"]


@pytest.mark.django_db
def test_a_story_stored_with_an_unknown_category_still_renders(client):
    """Data written before hints were checked (or by hand) cannot break a page."""
    story = make_story("Stored before the fix", is_pinned=True, article_count=2)
    Story.objects.filter(pk=story.pk).update(category="world news")
    for url in [reverse("trends:front"), story.get_absolute_url(), reverse("trends:search") + "?q=stored"]:
        assert client.get(url).status_code == 200, url
    detail = json.loads(client.get(reverse("trends:api_trend", args=[story.pk])).content)
    assert detail["category"] in SURGE_CATEGORIES


def test_story_category_ignores_a_hint_that_is_not_a_category():
    from trends.words.categories import story_category

    assert story_category(["world news", "world news"], None) == "general"
    assert story_category(["world news", "sport", "sport"], None) == "sport"


@pytest.mark.django_db
def test_add_feed_command_says_when_a_category_is_ignored(fakeweb, crawler, capsys):
    from tests.ingest.test_polling_faults import RSS, THREE, rss

    fakeweb.route("/rss", body=rss(THREE), headers=RSS)
    call_command("add_feed", fakeweb.url("/rss"), "--category", "Knitting")
    assert Feed.objects.get().category_hint == ""
    assert "Knitting" in capsys.readouterr().err
