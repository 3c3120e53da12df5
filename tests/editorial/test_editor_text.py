"""What editors type is cleaned like ingested text: a control character in a
retitle or a brief must not break the RSS and Atom feeds for every reader,
and bidi or invisible characters are stripped."""

import feedparser
import pytest
from django.urls import reverse

from editorial import operations as editorial
from editorial.checks import EditorialError
from tests.factories import make_story

pytestmark = pytest.mark.django_db

FEEDS = ["trends:feed_top_rss", "trends:feed_top_atom", "trends:feed_top_json"]


def pinned_story():
    """Pinned stories are listed in the top feeds whatever their age."""
    return make_story("A quiet headline", is_pinned=True, category="world", article_count=2)


def assert_feeds_answer(client, story):
    urls = [reverse(name) for name in FEEDS]
    urls.append(reverse("trends:feed_category_rss", args=["world"]))
    urls.append(reverse("trends:feed_story_atom", args=[story.pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if not url.endswith(".json"):
            assert not feedparser.parse(response.content).bozo, url


def test_retitle_with_control_characters_keeps_the_feeds_up(client, editor):
    story = pinned_story()
    editorial.retitle(story, editor, "Flood\x01 warning\x1b for the coast", "A dek\x0b with a tab\x08")
    assert_feeds_answer(client, story)
    story.refresh_from_db()
    assert story.headline == "Flood warning for the coast"
    assert story.dek == "A dek with a tab"


def test_brief_edit_with_control_characters_keeps_the_feeds_up(client, editor):
    from django.utils import timezone

    story = pinned_story()
    editorial.edit_brief(story, editor, ["Rain\x01 fell all night.", "\x02\x03"], timezone.now())
    assert_feeds_answer(client, story)
    story.refresh_from_db()
    assert [s["text"] for s in story.brief["sentences"]] == ["Rain fell all night."]


def test_editor_headline_loses_bidi_overrides_and_zero_width_characters(editor):
    story = pinned_story()
    editorial.retitle(story, editor, "Minister \u202eseigologa\u202c resigns\u200b")
    story.refresh_from_db()
    assert story.headline == "Minister seigologa resigns"


def test_headline_of_only_invisible_characters_is_refused(editor):
    with pytest.raises(EditorialError):
        editorial.retitle(pinned_story(), editor, "\u200b\u202e\x01")


def test_outlet_name_and_feed_title_typed_in_the_admin_are_cleaned():
    from django.forms import modelform_factory

    from ingest.models import Feed, Source

    source_form = modelform_factory(Source, fields=["name", "domain"])(
        data={"name": "Wire\x01 Service\u202e", "domain": "wire.example"}
    )
    assert source_form.is_valid(), source_form.errors
    source = source_form.save()
    assert source.name == "Wire Service"
    feed_form = modelform_factory(Feed, fields=["url", "source", "title"])(
        data={"url": "https://wire.example/rss", "source": source.pk, "title": "Top\x07 stories\u200b"}
    )
    assert feed_form.is_valid(), feed_form.errors
    assert feed_form.save().title == "Top stories"
