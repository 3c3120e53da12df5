"""The article pipeline hands the stories whose members changed to the words
stage (headline, topics, brief) once per burst; the workers do it in a task of
its own, so a batch's articles reach their stories without waiting for the
words of the batch before."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from ingest.models import Article
from tests.factories import make_article, make_source
from trends import tasks
from trends.models import Story
from trends.stories import pipeline
from trends.stories.embedding import DIMENSIONS

NOW = datetime(2026, 1, 3, 12, tzinfo=UTC)
TITLES = [
    "Storm floods the river town overnight",
    "Central bank raises interest rates again",
    "Storm floods river town, residents evacuated",
]


def fake_vectors(texts):
    """One fixed direction per headline's first word: the two storm reports
    point the same way, the bank report elsewhere."""
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for row, text in enumerate(texts):
        vectors[row, sum(map(ord, text.split()[0])) % DIMENSIONS] = 1.0
    return vectors


@pytest.fixture
def pending_articles(db, settings, monkeypatch):
    settings.FETCH_ARTICLE_PAGES = False  # the feed summary stands in: no web needed
    monkeypatch.setattr(pipeline, "embed_texts", fake_vectors)
    source = make_source("wire.example", name="wire")
    return [
        make_article(
            source, title=title, summary=f"{title}. More in the report.", when=NOW - timedelta(minutes=i)
        )
        for i, title in enumerate(TITLES)
    ]


def test_a_burst_hands_its_changed_stories_to_the_words_stage_once(pending_articles):
    handed = []
    pipeline.process_pending(NOW, refresh_words=lambda ids, now: handed.append((ids, now)))

    stories = sorted(set(Article.objects.values_list("story_id", flat=True)))
    assert None not in stories
    assert handed == [(stories, NOW)]


def test_the_workers_task_sends_the_words_refresh_as_a_task_of_its_own(pending_articles, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.refresh_story_words, "delay", lambda ids: sent.append(ids))
    monkeypatch.setattr(tasks.clock, "now", lambda: NOW)
    tasks.process_pending_articles()

    stories = sorted(set(Article.objects.values_list("story_id", flat=True)))
    assert sent == [stories]
    assert not Story.objects.filter(brief_updated_at__isnull=False).exists()  # not derived inline


def test_the_words_task_derives_the_words_of_the_stories_it_is_sent(pending_articles, monkeypatch):
    pipeline.process_pending(NOW, refresh_words=lambda ids, now: None)
    monkeypatch.setattr(tasks.clock, "now", lambda: NOW)
    story_ids = list(Story.objects.values_list("pk", flat=True))

    tasks.refresh_story_words(story_ids)

    for story in Story.objects.all():
        assert story.brief_updated_at == NOW
        assert story.headline in TITLES
