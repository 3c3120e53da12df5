"""A story's source count: an outlet counts once however many of its
articles join, also when its earlier article is older than the members the
workers keep in memory (trends.stories.members.RECENT_MEMBERS)."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tests.factories import make_article, make_source
from trends.models import Story
from trends.stories import pipeline
from trends.stories.assignment import assigner
from trends.stories.embedding import DIMENSIONS
from trends.stories.members import RECENT_MEMBERS

NOW = datetime(2026, 1, 3, 12, tzinfo=UTC)


def same_direction(texts):
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    vectors[:, 7] = 1.0
    return vectors


@pytest.fixture
def storm_reports(db, settings, monkeypatch):
    settings.FETCH_ARTICLE_PAGES = False
    monkeypatch.setattr(pipeline, "embed_texts", same_direction)
    assigner.reset()
    yield lambda source, minute: make_article(
        source,
        title=f"Storm floods the river town, update {minute}",
        summary="Storm floods the river town. More in the report.",
        when=NOW + timedelta(minutes=minute),
    )
    assigner.reset()


def test_an_outlet_whose_earlier_article_left_the_recent_members_counts_once(storm_reports):
    agency, paper = make_source("agency.example", name="Agency"), make_source("paper.example", name="Paper")
    storm_reports(agency, 0)
    for minute in range(1, RECENT_MEMBERS + 5):
        storm_reports(paper, minute)
    pipeline.process_pending(NOW + timedelta(hours=1), refresh_words=lambda ids, now: None)
    assert Story.objects.get().source_count == 2

    storm_reports(agency, RECENT_MEMBERS + 10)  # the agency's first article is out of the recent window
    pipeline.process_pending(NOW + timedelta(hours=1), refresh_words=lambda ids, now: None)

    story = Story.objects.get()
    assert (story.article_count, story.source_count) == (RECENT_MEMBERS + 6, 2)


def test_a_new_outlet_counts_and_a_recent_one_does_not(storm_reports):
    agency, paper = make_source("agency.example", name="Agency"), make_source("paper.example", name="Paper")
    for minute, source in enumerate([agency, agency, paper, agency, paper]):
        storm_reports(source, minute)
    pipeline.process_pending(NOW + timedelta(hours=1), refresh_words=lambda ids, now: None)
    story = Story.objects.get()
    assert (story.article_count, story.source_count) == (5, 2)
