"""robots.txt for article pages: kept in the database for every worker,
fetched again when stale, and fetched only in the host's turn."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ingest import hostlimits, robots
from ingest.extraction import extract_article
from ingest.models import RobotsRules
from tests.ingest.test_extraction import _article, page

RULES = b"User-agent: SurgeBot\nDisallow: /private/\n"


@pytest.mark.django_db
def test_robots_txt_is_fetched_once_per_origin_and_kept_in_the_database(fakeweb, crawler):
    fakeweb.route("/robots.txt", body=RULES)
    assert robots.can_fetch(fakeweb.url("/news/a"), max_wait=1) is True
    assert robots.can_fetch(fakeweb.url("/private/b"), max_wait=1) is False
    assert [r.path for r in fakeweb.requests] == ["/robots.txt"]
    stored = RobotsRules.objects.get(origin=robots.origin_of(fakeweb.url("/")))
    assert stored.rules == RULES.decode()
    assert stored.expires_at > timezone.now() + timedelta(hours=23)


@pytest.mark.django_db
def test_rules_another_worker_stored_are_used_without_asking_the_site(fakeweb, crawler):
    RobotsRules.objects.create(
        origin=robots.origin_of(fakeweb.url("/")),
        rules=RULES.decode(),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    assert robots.can_fetch(fakeweb.url("/private/b"), max_wait=1) is False
    assert fakeweb.requests == []


@pytest.mark.django_db
def test_stale_rules_are_fetched_again_and_replaced(fakeweb, crawler):
    origin = robots.origin_of(fakeweb.url("/"))
    RobotsRules.objects.create(origin=origin, rules=robots.DISALLOW_ALL, expires_at=timezone.now())
    fakeweb.route("/robots.txt", status=404, body=b"")
    assert robots.can_fetch(fakeweb.url("/news/a"), max_wait=1) is True
    assert [r.path for r in fakeweb.requests] == ["/robots.txt"]
    assert RobotsRules.objects.get(origin=origin).rules == robots.ALLOW_ALL


@pytest.mark.django_db
def test_robots_fetch_waits_for_the_hosts_turn_and_a_busy_site_skips_the_page(fakeweb, crawler, settings):
    settings.HOST_MAX_CONCURRENT = 1
    url = fakeweb.url("/news/a")
    token = hostlimits.acquire(hostlimits.host_of(url), max_wait=1)  # another worker's request in flight
    try:
        assert robots.can_fetch(url, max_wait=0.2) is None
        assert fakeweb.requests == []
    finally:
        hostlimits.release(hostlimits.host_of(url), token)
    assert robots.can_fetch(url, max_wait=1) is True  # no robots.txt route: 404, everything allowed


@pytest.mark.django_db
def test_article_page_is_skipped_with_a_note_while_the_site_is_busy(fakeweb, crawler, settings, monkeypatch):
    from ingest import page_downloads

    crawler(fakeweb.url("/feed"))
    fakeweb.route("/a", body=page(), headers={"Content-Type": "text/html"})
    monkeypatch.setattr(page_downloads, "HOST_WAIT_SECONDS", 0.2)
    settings.HOST_MAX_CONCURRENT = 1
    article = _article(fakeweb.url("/a"))
    host = hostlimits.host_of(article.url)
    token = hostlimits.acquire(host, max_wait=1)
    try:
        extract_article(article)
    finally:
        hostlimits.release(host, token)
    article.refresh_from_db()
    assert article.extraction_note == "site busy: page not fetched"
    assert fakeweb.requests == []


@pytest.mark.django_db
def test_article_on_a_private_address_says_so_and_stores_no_robots_rules(settings):
    from datetime import UTC, datetime

    from ingest.extraction import extract_article
    from ingest.models import Article, Source

    settings.ALLOW_PRIVATE_ADDRESSES = False
    settings.FETCH_ARTICLE_PAGES = True
    settings.HOST_MIN_DELAY_SECONDS = 0
    now = datetime(2026, 1, 5, tzinfo=UTC)
    source = Source.objects.create(name="Intranet", domain="intranet.example")
    article = Article.objects.create(
        source=source,
        url="http://10.1.2.3/internal/report",
        canonical_url="http://10.1.2.3/internal/report",
        title="An article linking to a private address",
        published_at=now,
        fetched_at=now,
    )
    extract_article(article)
    article.refresh_from_db()
    assert article.extraction_note == "page not fetched: 10.1.2.3 is not a public address"
    assert "robots" not in article.extraction_note
    assert not RobotsRules.objects.exists()
    assert article.stage == Article.Stage.EXTRACTED  # the summary stands in, nothing is lost


@pytest.mark.django_db
def test_a_worker_reads_an_origins_rules_once_until_they_expire(fakeweb, crawler, django_assert_num_queries):
    fakeweb.route("/robots.txt", body=RULES)
    assert robots.can_fetch(fakeweb.url("/private/a"), max_wait=1) is False
    with django_assert_num_queries(0):
        assert robots.can_fetch(fakeweb.url("/news/b"), max_wait=1) is True
        assert robots.can_fetch(fakeweb.url("/private/c"), max_wait=1) is False
    assert [r.path for r in fakeweb.requests] == ["/robots.txt"]


@pytest.mark.django_db
def test_kept_rules_give_way_to_the_stored_ones_when_they_expire(fakeweb, crawler, monkeypatch):
    origin = robots.origin_of(fakeweb.url("/"))
    now = timezone.now()
    RobotsRules.objects.create(origin=origin, rules=robots.ALLOW_ALL, expires_at=now + timedelta(hours=1))
    assert robots.can_fetch(fakeweb.url("/private/b"), max_wait=1) is True
    # Another worker has since stored newer rules; two hours on, ours have expired.
    newer = {"rules": RULES.decode(), "expires_at": now + timedelta(hours=3)}
    RobotsRules.objects.filter(origin=origin).update(**newer)
    monkeypatch.setattr(robots.timezone, "now", lambda: now + timedelta(hours=2))
    assert robots.can_fetch(fakeweb.url("/private/b"), max_wait=1) is False
    assert fakeweb.requests == []
