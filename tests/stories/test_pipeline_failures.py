"""One bad article must not hold back its batch: it is retried a few times,
then marked FAILED, while the rest of the batch reaches stories."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from ingest import extraction
from ingest.models import Article
from tests.factories import make_article, make_source
from tests.giveme import articles_by_event
from trends.stories import embedding, pipeline
from trends.stories.pipeline import MAX_ATTEMPTS, claim_pending_articles, process_claimed, process_pending

NOW = datetime(2026, 1, 3, 12, tzinfo=UTC)
CRASH = 35  # a giveme5w1h event: a plane crash


@pytest.fixture
def four_articles(real_data, db, settings):
    settings.FETCH_ARTICLE_PAGES = False  # the feed summary stands in: no web needed
    settings.TORCH_THREADS = 1
    source = make_source("wire.example", name="wire")
    return [
        make_article(
            source,
            title=row["title"],
            when=NOW - timedelta(minutes=i),
            url=f"https://wire.example/{i}",
            summary=row["text"][:600],
            fetched_at=NOW,
        )
        for i, row in enumerate(articles_by_event()[CRASH][:4])
    ]


def extraction_failing_for(bad_pk):
    read_page = extraction.read_page

    def read(article, download=None):
        if article.pk == bad_pk:
            raise RuntimeError("parser crashed")
        read_page(article, download)

    return read


def expire_retry_delays():
    Article.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))


@pytest.mark.slow
def test_article_failing_extraction_does_not_block_its_batch(four_articles, monkeypatch):
    bad = four_articles[1]
    monkeypatch.setattr(extraction, "read_page", extraction_failing_for(bad.pk))

    process_claimed(claim_pending_articles(), NOW)

    others = Article.objects.exclude(pk=bad.pk)
    assert all(a.stage == Article.Stage.ASSIGNED and a.story_id for a in others)
    bad.refresh_from_db()
    assert bad.story_id is None and bad.stage == Article.Stage.NEW
    assert "parser crashed" in bad.extraction_note
    assert not Article.objects.exclude(claim_token="").exists()


@pytest.mark.slow
def test_article_that_keeps_failing_ends_failed_and_is_not_claimed_again(four_articles, monkeypatch):
    bad = four_articles[0]
    monkeypatch.setattr(extraction, "read_page", extraction_failing_for(bad.pk))

    for _ in range(MAX_ATTEMPTS):
        process_pending(NOW)
        expire_retry_delays()

    bad.refresh_from_db()
    assert bad.stage == Article.Stage.FAILED and bad.story_id is None
    assert claim_pending_articles() is None
    assert Article.objects.filter(stage=Article.Stage.ASSIGNED).count() == 3


@pytest.mark.slow
def test_failed_article_waits_before_it_is_claimed_again(four_articles, monkeypatch):
    bad = four_articles[2]
    monkeypatch.setattr(extraction, "read_page", extraction_failing_for(bad.pk))

    assert process_pending(NOW) == 1  # not re-claimed at once in the same sweep

    bad.refresh_from_db()
    assert bad.claimed_until > timezone.now() and bad.claim_token == ""
    assert claim_pending_articles() is None


@pytest.mark.slow
def test_batch_embedding_failure_falls_back_to_one_article_at_a_time(four_articles, monkeypatch):
    bad = four_articles[3]
    Article.objects.filter(pk=bad.pk).update(summary="POISON " + bad.summary)
    real_embed = embedding.embed_texts

    def embed_rejecting_poison(texts):
        if any("POISON" in text for text in texts):
            raise ValueError("tokenizer blew up")
        return real_embed(texts)

    monkeypatch.setattr(pipeline, "embed_texts", embed_rejecting_poison)

    process_claimed(claim_pending_articles(), NOW)

    assert Article.objects.filter(stage=Article.Stage.ASSIGNED).exclude(pk=bad.pk).count() == 3
    bad.refresh_from_db()
    assert bad.story_id is None and "tokenizer blew up" in bad.extraction_note
    assert not Article.objects.exclude(claim_token="").exists()
