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
from trends.stories.assignment import assigner
from trends.stories.embedding import DIMENSIONS
from trends.words import refresh

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


def stale_words():
    """Words a refresh would replace; an UPDATE leaves updated_at alone, as a words write does."""
    Story.objects.update(headline="stale headline")


def test_the_words_task_skips_stories_whose_words_were_derived_since_they_changed(pending_articles):
    pipeline.process_pending(NOW)  # assigns and derives every story's words
    stale_words()

    tasks.refresh_story_words(list(Story.objects.values_list("pk", flat=True)))

    assert set(Story.objects.values_list("headline", flat=True)) == {"stale headline"}


def _another_storm_article(source):
    return make_article(
        source,
        title="Storm floods the valley as the river bursts",
        summary="Storm floods the valley. More in the report.",
        when=NOW,
    )


def test_a_story_that_gained_an_article_is_derived_again(pending_articles):
    pipeline.process_pending(NOW)
    stale_words()
    storm = Article.objects.get(title=TITLES[0]).story
    _another_storm_article(pending_articles[0].source)

    pipeline.process_pending(NOW)

    storm.refresh_from_db()
    assert storm.article_count == 3 and storm.headline != "stale headline"
    bank = Article.objects.get(title=TITLES[1]).story
    assert bank.headline == "stale headline"  # unchanged since its words were derived


def test_an_editors_refresh_derives_the_words_whatever_the_stamp(pending_articles):
    pipeline.process_pending(NOW)
    stale_words()

    refresh.refresh_stories(list(Story.objects.values_list("pk", flat=True)), NOW)

    assert "stale headline" not in set(Story.objects.values_list("headline", flat=True))


def test_words_written_while_an_article_joins_its_story_are_kept(pending_articles, monkeypatch):
    pipeline.process_pending(NOW)
    storm = Article.objects.get(title=TITLES[0]).story
    _another_storm_article(pending_articles[0].source)
    source_known = assigner._source_known

    def words_stage_writes_meanwhile(story, source_id):
        # Between the assignment's read of the story and its write.
        Story.objects.filter(pk=story.pk).update(headline="Written by the words stage")
        return source_known(story, source_id)

    monkeypatch.setattr(assigner, "_source_known", words_stage_writes_meanwhile)
    pipeline.process_pending(NOW, refresh_words=lambda ids, now: None)

    storm.refresh_from_db()
    assert storm.article_count == 3 and storm.headline == "Written by the words stage"
