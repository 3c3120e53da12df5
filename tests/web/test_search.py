"""Site search: headlines, decks, briefs, topics and outlet names, with
accents, case and punctuation folded; relevance then recency; the lists'
own rules; and a plain answer when nothing matches."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.factories import make_article, make_source, make_story
from trends.models import StoryTopic, Topic
from trends.words.folding import fold
from web.search import search

NOW = datetime(2026, 1, 5, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def _story(headline, *, dek="", articles=3, hours_ago=1, brief=None, **fields):
    seen = NOW - timedelta(hours=hours_ago)
    return make_story(
        headline,
        seen,
        dek=dek,
        brief=brief or {},
        first_seen_at=seen - timedelta(hours=2),
        article_count=articles,
        source_count=2,
        **fields,
    )


def _topic(story, name):
    from django.utils.text import slugify

    topic, _ = Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name, "kind": "place"})
    StoryTopic.objects.create(story=story, topic=topic, weight=2)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Crans-Montana", "crans montana"),
        ("CRANS–MONTANA", "crans montana"),
        ("Zürich", "zurich"),
        ("U.S. strikes", "us strikes"),
        ("Maduro’s capture", "maduros capture"),
    ],
)
def test_folding_drops_accents_case_and_punctuation(text, folded):
    assert fold(text) == folded


def test_a_hyphenated_query_finds_a_topic_written_with_a_space():
    fire = _story("Deadly fire at ski resort bar kills 40")
    _topic(fire, "Crans Montana")
    assert search("Crans-Montana", NOW) == [fire]


def test_an_accented_headline_is_found_without_accents():
    story = _story("Nicolás Maduro appears in court")
    assert search("nicolas maduro", NOW) == [story]


def test_the_dek_is_searched():
    story = _story("Storm closes airport", dek="Ferries to Gothenburg suspended")
    assert search("gothenburg", NOW) == [story]


def test_an_outlet_name_finds_the_stories_it_covers():
    story = _story("Storm closes airport")
    other = _story("Markets rally")
    source = make_source("aljazeera.com", name="Al Jazeera")
    make_article(source, story, "Storm closes airport", NOW)
    assert search("al jazeera", NOW) == [story]
    assert other not in search("jazeera", NOW)


def test_a_headline_match_ranks_above_a_brief_match():
    in_brief = _story(
        "Markets rally on rate hopes", brief={"sentences": [{"text": "Oil rose after the Venezuela raid."}]}
    )
    in_headline = _story("US strikes Venezuela", hours_ago=6)
    assert search("venezuela", NOW) == [in_headline, in_brief]


def test_between_equal_matches_the_newer_ranks_first():
    old = _story("Storm closes airport", hours_ago=40)
    new = _story("Storm closes harbour", hours_ago=2)
    assert search("storm", NOW) == [new, old]


def test_search_lists_only_what_other_lists_show():
    single = _story("Storm closes airport", articles=1)
    hidden = _story("Storm closes harbour", is_hidden=True)
    pinned_single = _story("Storm closes bridge", articles=1, is_pinned=True)
    found = search("storm", NOW)
    assert single not in found and hidden not in found and pinned_single in found


def test_every_word_must_match():
    _story("Storm closes airport")
    assert search("storm volcano", NOW) == []


def test_an_empty_result_says_nothing_matches_the_query(client):
    html = client.get(reverse("trends:search"), {"q": "zzqq"}).text
    assert "No trends match “zzqq”." in html
    assert "No trends here yet." not in html
