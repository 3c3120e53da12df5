"""Polite polling: conditional GET, intervals, backoff, claims, per-host
limits (the article pages' side is in test_extraction.py)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ingest import hostlimits, http
from ingest.models import Article, Feed
from ingest.polling import adaptive_interval, claim_due_feeds, error_backoff_seconds, poll_feed
from tests.ingest.test_polling_faults import RSS, THREE, rss

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


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
