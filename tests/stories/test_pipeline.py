"""From a served feed to stories, through the real cores (no broker): polling,
page extraction, embedding with the packaged model, assignment, the hourly pass."""

from datetime import UTC, datetime, timedelta

import pytest

from ingest.models import Article
from ingest.polling import claim_due_feeds, poll_feed
from tests.factories import make_feed, make_source
from tests.giveme import articles_by_event, page, rss
from trends.measure.hourly import floor_hour, run_hourly_pass
from trends.models import Story, StorySnapshot
from trends.stories.pipeline import claim_pending_articles, process_pending

NOW = datetime(2026, 1, 3, 12, 20, tzinfo=UTC)
CRASH, EQUIFAX = 35, 72  # giveme5w1h event ids: a plane crash, a data breach


@pytest.fixture
def served_feeds(real_data, fakeweb, settings, db):
    """Two outlets' feeds, each mixing articles about both events."""
    settings.ALLOW_PRIVATE_ADDRESSES = True
    events = articles_by_event()
    feeds = []
    for n, outlet in enumerate(["wire-a.example", "wire-b.example"]):
        entries = []
        for event in (CRASH, EQUIFAX):
            for i, article in enumerate(events[event][n * 3 : n * 3 + 3]):
                path = f"/{outlet}/{event}/{i}.html"
                fakeweb.route(path, body=page(article), headers={"Content-Type": "text/html; charset=utf-8"})
                entries.append((article, fakeweb.url(path), NOW - timedelta(minutes=10 * (i + 1))))
        fakeweb.route(
            f"/{outlet}/feed.xml",
            body=rss(outlet, entries),
            headers={"Content-Type": "application/rss+xml", "ETag": f'"{outlet}-1"'},
        )
        feeds.append(make_feed(fakeweb.url(f"/{outlet}/feed.xml"), make_source(outlet, name=outlet)))
    return feeds


@pytest.mark.slow
def test_articles_about_one_event_from_two_outlets_form_one_story(served_feeds):
    for feed in served_feeds:
        assert poll_feed(feed, NOW).status == "ok"
    assert Article.objects.count() == 12
    process_pending(NOW)

    assert not Article.objects.exclude(stage=Article.Stage.ASSIGNED).exists()
    story_of = {a.url: a.story_id for a in Article.objects.all()}
    crash_stories = {sid for url, sid in story_of.items() if f"/{CRASH}/" in url}
    equifax_stories = {sid for url, sid in story_of.items() if f"/{EQUIFAX}/" in url}
    assert len(crash_stories) == 1 and len(equifax_stories) == 1
    assert crash_stories != equifax_stories
    crash = Story.objects.get(pk=crash_stories.pop())
    assert crash.article_count == 6 and crash.source_count == 2


@pytest.mark.slow
def test_page_text_is_extracted_from_the_article_page(served_feeds):
    poll_feed(served_feeds[0], NOW)
    process_pending(NOW)
    article = Article.objects.filter(url__contains=f"/{CRASH}/").first()
    assert len(article.text) > 500
    assert "Home | World" not in article.text  # navigation boilerplate stays out
    assert article.language == "en"
    assert article.extraction_note == ""


@pytest.mark.slow
def test_brief_sentences_come_from_the_coverage_and_cite_it(served_feeds):
    for feed in served_feeds:
        poll_feed(feed, NOW)
    process_pending(NOW)
    story = Story.objects.get(articles__url__contains=f"/{EQUIFAX}/0.html", articles__feed=served_feeds[0])
    sentences = story.brief["sentences"]
    assert sentences
    texts = {a.pk: " ".join([a.title, a.summary, a.text]) for a in story.articles.all()}
    for sentence in sentences:
        cited = sentence["citations"][0]
        assert " ".join(sentence["text"].split()) in " ".join(texts[cited].split())


@pytest.mark.slow
def test_hourly_pass_snapshots_each_story_once(served_feeds):
    for feed in served_feeds:
        poll_feed(feed, NOW)
    process_pending(NOW)
    hour = floor_hour(NOW) + timedelta(hours=1)
    run_hourly_pass(hour)
    run_hourly_pass(hour)  # a second worker doing the same hour changes nothing
    assert StorySnapshot.objects.count() == Story.objects.count() == 2
    assert all(s.velocity > 0 for s in Story.objects.all())


def test_second_poll_uses_conditional_get_and_stores_nothing_new(served_feeds, fakeweb):
    feed = served_feeds[0]
    poll_feed(feed, NOW)
    fakeweb.route("/wire-a.example/feed.xml", status=304, body=b"")
    result = poll_feed(feed, NOW + timedelta(minutes=20))
    assert result.status == "not-modified"
    assert fakeweb.requests[-1].headers.get("If-None-Match") == '"wire-a.example-1"'
    assert Article.objects.count() == 6


def test_a_due_feed_is_claimed_by_one_caller_only(served_feeds):
    first = claim_due_feeds(NOW, limit=10)
    second = claim_due_feeds(NOW, limit=10)
    assert len(first) == 2
    assert second == []


def test_pending_articles_are_claimed_in_disjoint_batches(served_feeds):
    for feed in served_feeds:
        poll_feed(feed, NOW)
    first = claim_pending_articles(limit=5)
    second = claim_pending_articles(limit=5)
    ids_first = set(Article.objects.filter(claim_token=first).values_list("pk", flat=True))
    ids_second = set(Article.objects.filter(claim_token=second).values_list("pk", flat=True))
    assert len(ids_first) == 5 and len(ids_second) == 5
    assert not ids_first & ids_second
