"""Related trends share a named topic (person, organisation, place) and are
close in content; an unrelated story sharing a name is never listed."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tests.factories import make_story
from trends.models import StoryTopic, Topic
from web.queries import related, story_topics

NOW = datetime(2026, 1, 5, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def _story(headline, direction, topics=(), articles=3, days_ago=0):
    story = make_story(
        headline,
        vector=np.asarray(direction, dtype=np.float32) * 3,  # a sum of three unit vectors
        first_seen_at=NOW - timedelta(days=days_ago, hours=5),
        last_seen_at=NOW - timedelta(days=days_ago, hours=1),
        article_count=articles,
        source_count=2,
    )
    for name, kind in topics:
        topic, _ = Topic.objects.get_or_create(
            slug=name.lower().replace(" ", "-"), defaults={"name": name, "kind": kind}
        )
        StoryTopic.objects.create(story=story, topic=topic, weight=2)
    return story


VENEZUELA = ("Venezuela", "place")
MADURO = ("Nicolás Maduro", "person")
TRUMP = ("Donald Trump", "person")


def _related(story):
    return related(story, story_topics(story))


def test_a_close_story_sharing_a_name_is_related():
    capture = _story("US captures Maduro", [1, 0, 0], [VENEZUELA, MADURO])
    talks = _story("Maduro offers talks", [0.8, 0.6, 0], [VENEZUELA, MADURO])
    assert _related(capture) == [talks]


def test_a_story_sharing_a_name_but_about_something_else_is_not_related():
    capture = _story("US captures Maduro", [1, 0, 0], [VENEZUELA, TRUMP])
    _story("Trump mocks Clooney's citizenship", [0.1, 0, 1], [TRUMP])
    assert _related(capture) == []


def test_a_close_story_without_a_shared_name_is_not_related():
    capture = _story("US captures Maduro", [1, 0, 0], [MADURO])
    _story("Oil prices jump", [0.9, 0.3, 0], [("Opec", "organisation")])
    assert _related(capture) == []


def test_sharing_only_a_term_is_not_enough():
    capture = _story("US captures Maduro", [1, 0, 0], [("Capture", "term")])
    _story("Another capture", [1, 0.1, 0], [("Capture", "term")])
    assert _related(capture) == []


def test_more_shared_names_rank_first():
    capture = _story("US captures Maduro", [1, 0, 0], [VENEZUELA, MADURO, TRUMP])
    one = _story("Venezuela flights cancelled", [0.95, 0.3, 0], [VENEZUELA])
    three = _story("Trump on Maduro and Venezuela", [0.7, 0.7, 0], [VENEZUELA, MADURO, TRUMP])
    assert _related(capture) == [three, one]


def test_a_close_story_sharing_a_name_from_weeks_before_is_not_related():
    capture = _story("US captures Maduro", [1, 0, 0], [VENEZUELA, MADURO])
    _story("Maduro sworn in for a third term", [0.9, 0.4, 0], [VENEZUELA, MADURO], days_ago=30)
    talks = _story("Maduro offers talks", [0.8, 0.6, 0], [VENEZUELA, MADURO], days_ago=2)
    assert _related(capture) == [talks]


def test_a_related_story_stored_before_one_first_seen_earlier_is_still_found():
    # Stored order need not follow first sightings (late feed items carry old dates).
    talks = _story("Maduro offers talks", [0.8, 0.6, 0], [VENEZUELA, MADURO])
    _story("Venezuela closes its airspace", [0, 0, 1], [VENEZUELA], days_ago=2)
    capture = _story("US captures Maduro", [1, 0, 0], [VENEZUELA, MADURO])
    assert _related(capture) == [talks]
