"""The article side of crawling: page text and language, robots.txt,
extraction fallbacks, canonical URLs that collide, dates from the page."""

from datetime import UTC, datetime, timedelta

import pytest

from ingest.extraction import detect_language, extract_article, extract_articles
from ingest.models import Article, Feed
from tests.factories import make_article

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
ARTICLE_TEXT = " ".join(
    f"Paragraph {i}: the council voted on the new bridge budget after a long debate about costs."
    for i in range(8)
)


def page(canonical: str = "", text: str = ARTICLE_TEXT) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    head = f"<head><title>Bridge</title>{link}</head>"
    return f"<html>{head}<body><article><p>{text}</p></article></body></html>".encode()


def _article(url: str, **fields) -> Article:
    feed = Feed.objects.first()
    fields.setdefault("title", "Council votes on bridge budget")
    fields.setdefault("summary", "The council voted.")
    return make_article(feed.source, when=NOW, url=url, feed=feed, **fields)


@pytest.mark.django_db
def test_page_text_is_extracted_and_language_detected(fakeweb, crawler):
    crawler(fakeweb.url("/feed"))
    fakeweb.route("/a", body=page(), headers={"Content-Type": "text/html"})
    article = _article(fakeweb.url("/a"))
    extract_article(article)
    article.refresh_from_db()
    assert "bridge budget" in article.text
    assert article.extraction_note == ""
    assert article.language == "en"
    assert article.stage == Article.Stage.EXTRACTED


@pytest.mark.django_db
def test_extraction_writes_only_what_it_extracted(fakeweb, crawler):
    crawler(fakeweb.url("/feed"))
    fakeweb.route("/a", body=page(), headers={"Content-Type": "text/html"})
    article = _article(fakeweb.url("/a"))
    # Written by someone else after this worker read the row.
    Article.objects.filter(pk=article.pk).update(title="Council passes the bridge budget")
    extract_article(article)
    article.refresh_from_db()
    assert "bridge budget" in article.text
    assert article.title == "Council passes the bridge budget"


@pytest.mark.django_db
def test_robots_txt_disallowing_pages_falls_back_to_the_summary(fakeweb, crawler):
    crawler(fakeweb.url("/feed"))
    fakeweb.route("/robots.txt", body=b"User-agent: SurgeBot\nDisallow: /private/\n")
    fakeweb.route("/private/a", body=page(), headers={"Content-Type": "text/html"})
    article = _article(fakeweb.url("/private/a"))
    extract_article(article)
    article.refresh_from_db()
    assert article.text == ""
    assert article.extraction_note == "page disallowed by robots.txt"
    assert [r.path for r in fakeweb.requests] == ["/robots.txt"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "note"),
    [
        ({"status": 404, "body": b"gone"}, "page answered HTTP 404"),
        ({"body": page(text="Subscribe to read.")}, "extracted text too short (paywall or teaser)"),
    ],
)
def test_failed_or_paywalled_page_records_why(route, note, fakeweb, crawler):
    crawler(fakeweb.url("/feed"))
    fakeweb.route("/a", headers={"Content-Type": "text/html"}, **route)
    article = _article(fakeweb.url("/a"))
    extract_article(article)
    article.refresh_from_db()
    assert article.text == "" and article.extraction_note == note
    assert article.summary == "The council voted."


@pytest.mark.django_db
def test_rel_canonical_is_adopted(fakeweb, crawler):
    crawler(fakeweb.url("/feed"))
    fakeweb.route(
        "/a", body=page(canonical="https://news.example/bridge"), headers={"Content-Type": "text/html"}
    )
    article = _article(fakeweb.url("/a"))
    extract_article(article)
    article.refresh_from_db()
    assert article.canonical_url == "https://news.example/bridge"


@pytest.mark.django_db
def test_rel_canonical_of_an_existing_article_links_it_as_a_duplicate(fakeweb, crawler):
    crawler(fakeweb.url("/feed"))
    first = _article("https://news.example/bridge", title="Another headline entirely", summary="x")
    fakeweb.route(
        "/amp/a", body=page(canonical="https://news.example/bridge"), headers={"Content-Type": "text/html"}
    )
    second = _article(fakeweb.url("/amp/a"))
    extract_article(second)
    second.refresh_from_db()
    assert second.duplicate_of_id == first.pk
    assert second.canonical_url == fakeweb.url("/amp/a")  # kept, not lost
    assert Article.objects.count() == 2


@pytest.mark.django_db
def test_two_batch_mates_naming_one_canonical_url_are_both_kept_one_linked_to_the_other(fakeweb, crawler):
    crawler(fakeweb.url("/feed"))
    for path in ("/amp/a", "/m/a"):
        fakeweb.route(
            path, body=page(canonical="https://news.example/bridge"), headers={"Content-Type": "text/html"}
        )
    first, second = _article(fakeweb.url("/amp/a")), _article(fakeweb.url("/m/a"))
    assert extract_articles([first, second]) == {}
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.canonical_url == "https://news.example/bridge" and first.text
    assert second.duplicate_of_id == first.pk and second.text
    assert {first.stage, second.stage} == {Article.Stage.EXTRACTED}


@pytest.mark.django_db
def test_a_batchs_extraction_is_saved_in_one_statement(fakeweb, crawler):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    crawler(fakeweb.url("/feed"))
    articles = []
    for n in range(6):
        fakeweb.route(
            f"/s{n}", body=page(text=f"Story {n}. {ARTICLE_TEXT}"), headers={"Content-Type": "text/html"}
        )
        articles.append(_article(fakeweb.url(f"/s{n}"), title=f"Headline number {n} of the day"))
    with CaptureQueriesContext(connection) as queries:
        assert extract_articles(articles) == {}
    article_updates = [q for q in queries if q["sql"].startswith('UPDATE "ingest_article"')]
    assert len(article_updates) == 1
    assert Article.objects.filter(stage=Article.Stage.EXTRACTED).exclude(text="").count() == 6


def dated_page(published: str) -> bytes:
    head = f'<head><title>Bridge</title><meta property="article:published_time" content="{published}"></head>'
    return f"<html>{head}<body><article><p>{ARTICLE_TEXT}</p></article></body></html>".encode()


@pytest.mark.django_db
def test_a_relative_rel_canonical_is_made_absolute(fakeweb, crawler):
    crawler(fakeweb.url("/feed"))
    fakeweb.route("/amp/a", body=page(canonical="/bridge"), headers={"Content-Type": "text/html"})
    article = _article(fakeweb.url("/amp/a"))
    extract_article(article)
    article.refresh_from_db()
    assert article.canonical_url == fakeweb.url("/bridge")


@pytest.mark.django_db
def test_an_undated_item_takes_the_earlier_date_of_its_page(fakeweb, crawler):
    crawler(fakeweb.url("/feed"))
    fakeweb.route("/a", body=dated_page("2026-01-02T08:00:00Z"), headers={"Content-Type": "text/html"})
    article = _article(fakeweb.url("/a"))  # published_at == fetched_at: the feed gave no time
    extract_article(article)
    article.refresh_from_db()
    assert article.published_at == datetime(2026, 1, 2, tzinfo=UTC)


@pytest.mark.django_db
def test_a_dated_item_keeps_its_feed_time_over_its_page_date(fakeweb, crawler):
    crawler(fakeweb.url("/feed"))
    fakeweb.route("/a", body=dated_page("2026-01-02T08:00:00Z"), headers={"Content-Type": "text/html"})
    article = _article(fakeweb.url("/a"), published_at=NOW - timedelta(hours=3))
    extract_article(article)
    article.refresh_from_db()
    assert article.published_at == NOW - timedelta(hours=3)


def test_language_detection_on_title_and_lead():
    assert detect_language("Le gouvernement annonce une réforme des retraites pour la rentrée") == "fr"
    assert detect_language("Die Regierung kündigt eine Rentenreform für den Herbst an") == "de"
    assert detect_language("ok") == ""
