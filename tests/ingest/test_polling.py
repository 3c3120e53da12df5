"""Polite polling: conditional GET, intervals, backoff, claims, per-host
limits; and the article side: robots.txt, extraction fallbacks, canonical
URLs that collide."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ingest import hostlimits, http
from ingest.extraction import detect_language, extract_article, extract_articles
from ingest.models import Article, Feed
from ingest.polling import adaptive_interval, claim_due_feeds, error_backoff_seconds, poll_feed
from tests.factories import make_article
from tests.ingest.test_polling_faults import RSS, THREE, rss

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
ARTICLE_TEXT = " ".join(
    f"Paragraph {i}: the council voted on the new bridge budget after a long debate about costs."
    for i in range(8)
)


def page(canonical: str = "", text: str = ARTICLE_TEXT) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    head = f"<head><title>Bridge</title>{link}</head>"
    return f"<html>{head}<body><article><p>{text}</p></article></body></html>".encode()


def reload(feed) -> Feed:
    return Feed.objects.get(pk=feed.pk)


# --- polling ------------------------------------------------------------------


@pytest.mark.django_db
def test_conditional_get_sends_validators_and_304_stores_nothing(fakeweb, crawler):
    def handler(h):
        if h.headers.get("If-None-Match") == '"v1"':
            return 304, {}, b""
        return 200, {**RSS, "ETag": '"v1"'}, rss(THREE)

    fakeweb.route("/feed", handler=handler)
    feed = crawler(fakeweb.url("/feed"))
    assert poll_feed(feed, NOW).status == "ok"
    result = poll_feed(reload(feed), NOW + timedelta(hours=1))
    assert result.status == "not-modified"
    assert fakeweb.requests[-1].headers["If-None-Match"] == '"v1"'
    assert Article.objects.count() == 3
    assert reload(feed).last_success_at == NOW + timedelta(hours=1)


@pytest.mark.django_db
def test_cache_control_max_age_is_a_lower_bound_on_the_interval(fakeweb, crawler):
    fakeweb.route("/feed", body=rss(THREE), headers={**RSS, "Cache-Control": "public, max-age=7200"})
    feed = crawler(fakeweb.url("/feed"))
    poll_feed(feed, NOW)
    feed = reload(feed)
    assert feed.interval_seconds >= 7200
    assert feed.next_poll_at >= NOW + timedelta(seconds=7200)


def test_adaptive_interval_follows_the_posting_rate_within_bounds(settings):
    settings.FEED_MIN_INTERVAL_SECONDS, settings.FEED_MAX_INTERVAL_SECONDS = 300, 86400
    assert adaptive_interval(1000) == 300  # a wire feed: the floor
    assert adaptive_interval(24) == 1800  # hourly posts: every half hour
    assert adaptive_interval(0.1) == 86400  # a dormant blog: once a day
    assert adaptive_interval(0) == 86400


@pytest.mark.django_db
def test_posting_rate_is_measured_from_the_feed_items(fakeweb, crawler):
    items = "".join(
        f"<item><title>S{i}</title><link>https://n.example/{i}</link>"
        f"<pubDate>{(NOW - timedelta(hours=2 * i)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>"
        for i in range(12)
    )
    fakeweb.route(
        "/feed", body=f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>', headers=RSS
    )
    feed = crawler(fakeweb.url("/feed"))
    poll_feed(feed, NOW)
    feed = reload(feed)
    assert 11 <= feed.items_per_day <= 13  # one item every two hours
    assert feed.interval_seconds == pytest.approx(3600, rel=0.1)


def test_error_backoff_doubles_and_is_capped_at_a_day(settings):
    settings.FEED_MIN_INTERVAL_SECONDS, settings.FEED_MAX_INTERVAL_SECONDS = 300, 86400
    assert [error_backoff_seconds(n) for n in (1, 2, 3)] == [300, 600, 1200]
    assert error_backoff_seconds(50) == 86400


@pytest.mark.django_db
def test_failing_feed_is_retried_forever_and_flagged(fakeweb, crawler):
    fakeweb.route("/feed", body=b"down", status=500)
    feed = crawler(fakeweb.url("/feed"))
    now = NOW
    for _ in range(12):
        poll_feed(reload(feed), now)
        now = reload(feed).next_poll_at
    feed = reload(feed)
    assert feed.error_count == 12 and feed.is_failing
    assert feed.last_error == "HTTP 500"
    assert feed.next_poll_at - feed.last_polled_at <= timedelta(days=1)
    assert not feed.paused  # never dropped
    fakeweb.route("/feed", body=rss(THREE), headers=RSS)
    poll_feed(feed, now)
    feed = reload(feed)
    assert feed.error_count == 0 and not feed.is_failing
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_stale_worker_cannot_overwrite_the_new_claimant(fakeweb, crawler):
    fakeweb.route("/feed", body=rss(THREE), headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    [(_, old_token)] = claim_due_feeds(NOW, limit=5)
    stale = reload(feed)
    Feed.objects.filter(pk=feed.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    [(_, new_token)] = claim_due_feeds(NOW, limit=5)  # the lease ran out: someone else has it
    assert poll_feed(stale, NOW).status == "lost-claim"
    assert reload(feed).claim_token == new_token != old_token


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_never_share_a_feed(crawler):
    for i in range(40):
        crawler(f"https://feeds.example/{i}.xml")
    start = threading.Barrier(2)
    claims: list[list[tuple[int, str]]] = [[], []]

    def worker(n):
        try:
            start.wait()
            for _ in range(10):
                claims[n].extend(claim_due_feeds(NOW, limit=8))
        finally:
            connection.close()  # each thread had its own connection to the file DB

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first, second = ({feed_id for feed_id, _ in c} for c in claims)
    assert len(claims[0]) + len(claims[1]) == 40
    assert first.isdisjoint(second)


# --- per-host limits ------------------------------------------------------------


@pytest.mark.django_db
def test_host_allows_at_most_n_concurrent_requests(settings):
    settings.HOST_MAX_CONCURRENT, settings.HOST_MIN_DELAY_SECONDS = 2, 0
    tokens = [hostlimits.try_acquire("news.example") for _ in range(3)]
    assert tokens[0] and tokens[1] and tokens[2] is None
    hostlimits.release("news.example", tokens[0])
    assert hostlimits.try_acquire("news.example") is not None
    assert hostlimits.try_acquire("other.example") is not None  # hosts are independent


@pytest.mark.django_db
def test_host_minimum_delay_between_requests(settings):
    settings.HOST_MAX_CONCURRENT, settings.HOST_MIN_DELAY_SECONDS = 4, 30
    first = hostlimits.try_acquire("news.example")
    hostlimits.release("news.example", first)
    assert hostlimits.try_acquire("news.example") is None  # free slot, but too soon
    assert 29 <= hostlimits.seconds_until_turn("news.example") <= 30


@pytest.mark.django_db
def test_host_without_a_minimum_delay_gives_a_turn_for_one_update(settings, django_assert_num_queries):
    settings.HOST_MAX_CONCURRENT, settings.HOST_MIN_DELAY_SECONDS = 2, 0
    hostlimits.release("news.example", hostlimits.try_acquire("news.example"))  # the host's rows exist
    with django_assert_num_queries(1):
        assert hostlimits.try_acquire("news.example") is not None


@pytest.mark.django_db
def test_a_turn_is_one_update_however_many_of_the_hosts_slots_are_held(settings, django_assert_num_queries):
    settings.HOST_MAX_CONCURRENT, settings.HOST_MIN_DELAY_SECONDS = 4, 0
    held = [hostlimits.try_acquire("news.example") for _ in range(3)]
    hostlimits.release("news.example", held[0])  # the lowest slot free again, the next two held
    with django_assert_num_queries(1):
        assert hostlimits.try_acquire("news.example") is not None
    with django_assert_num_queries(1):
        assert hostlimits.try_acquire("news.example") is not None  # the last slot


@pytest.mark.django_db
def test_a_lowered_host_limit_leaves_the_higher_slots_unused(settings):
    settings.HOST_MAX_CONCURRENT, settings.HOST_MIN_DELAY_SECONDS = 3, 0
    hostlimits.release("news.example", hostlimits.try_acquire("news.example"))  # three rows exist
    settings.HOST_MAX_CONCURRENT = 1
    assert hostlimits.try_acquire("news.example") is not None
    assert hostlimits.try_acquire("news.example") is None


@pytest.mark.django_db
def test_slot_of_a_dead_worker_is_freed_when_its_lease_runs_out(settings):
    settings.HOST_MAX_CONCURRENT, settings.HOST_MIN_DELAY_SECONDS = 1, 0
    assert hostlimits.try_acquire("news.example")  # and never released: the worker died
    assert hostlimits.try_acquire("news.example") is None
    hostlimits.HostSlot.objects.update(held_until=timezone.now() - timedelta(seconds=1))
    assert hostlimits.try_acquire("news.example") is not None


@pytest.mark.django_db
def test_busy_host_defers_the_feed_without_an_error(fakeweb, crawler, settings, monkeypatch):
    monkeypatch.setattr("ingest.polling.HOST_WAIT_SECONDS", 0)
    settings.HOST_MAX_CONCURRENT = 1
    fakeweb.route("/feed", body=rss(THREE), headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    [(_, token)] = claim_due_feeds(NOW, limit=5)
    assert hostlimits.try_acquire("127.0.0.1")  # another worker is on this host
    assert poll_feed(reload(feed), NOW).status == "deferred"
    feed = reload(feed)
    assert feed.error_count == 0 and feed.claim_token == "" and feed.claimed_until is None
    assert NOW < feed.next_poll_at <= NOW + timedelta(minutes=1)
    assert fakeweb.requests == []


@pytest.mark.django_db
def test_editor_pausing_a_feed_during_its_poll_keeps_it_paused(fakeweb, crawler, monkeypatch):
    fakeweb.route("/feed", body=rss(THREE), headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    real_fetch = http.fetch

    def fetch_while_an_editor_pauses(url, **kwargs):
        Feed.objects.filter(pk=feed.pk).update(paused=True, category_hint="sport")
        return real_fetch(url, **kwargs)

    monkeypatch.setattr(http, "fetch", fetch_while_an_editor_pauses)
    claim_due_feeds(NOW, limit=5)
    assert poll_feed(reload(feed), NOW).status == "ok"
    feed = reload(feed)
    assert feed.paused and feed.category_hint == "sport"
    assert feed.last_success_at == NOW and feed.claim_token == ""
    assert Article.objects.count() == 3


# --- article pages --------------------------------------------------------------


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
