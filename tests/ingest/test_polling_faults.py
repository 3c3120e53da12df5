"""Fault injection at the polling level: poll_feed against a misbehaving
local server (tests/fakeweb.py), one test per case. Each checks the outcome
and that nothing was lost or duplicated: the articles stored, the feed's
error state and when it will be polled next."""

import gzip
from datetime import UTC, datetime, timedelta

import pytest

from ingest.models import Article, Feed
from ingest.polling import poll_feed
from tests.fakeweb import Blackhole, drip, redirect
from tests.httpcheck import PUBLIC_IP, FakeNet

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
MiB = 1 << 20


def rss(items, *, encoding="utf-8") -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        + (f"<guid>{guid}</guid>" if guid else "")
        + "<pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item>"
        for title, link, guid in items
    )
    channel = f"<channel><title>T</title>{entries}</channel>"
    doc = f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0">{channel}</rss>'
    return doc.encode(encoding)


THREE = [(f"Story {i}", f"https://news.example/story-{i}", f"g{i}") for i in range(3)]


def reload(feed) -> Feed:
    return Feed.objects.get(pk=feed.pk)


def assert_failed_once(feed, reason_part: str):
    """The error is recorded, nothing stored, and the feed is retried after
    the first backoff step (5 minutes, jittered)."""
    feed = reload(feed)
    assert Article.objects.count() == 0
    assert feed.error_count == 1
    assert reason_part in feed.last_error
    assert NOW + timedelta(seconds=299) <= feed.next_poll_at <= NOW + timedelta(seconds=331)
    assert feed.claim_token == ""


@pytest.fixture
def net(monkeypatch, fakeweb):
    return FakeNet(monkeypatch, fakeweb.port)


pytestmark = pytest.mark.django_db


def test_connect_timeout_is_recorded_and_retried(crawler, settings):
    settings.FETCH_CONNECT_TIMEOUT = 0.3
    blackhole = Blackhole()
    try:
        feed = crawler(blackhole.url("/feed"))
        result = poll_feed(feed, NOW)
    finally:
        blackhole.close()
    assert result.status == "error"
    assert_failed_once(feed, "timed out")


def test_slow_drip_is_cut_at_total_timeout(fakeweb, crawler, settings):
    settings.FETCH_TOTAL_TIMEOUT = 0.5
    body = rss(THREE)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n\r\n" % len(body)
    fakeweb.route("/feed", handler=drip(head + body, interval=0.02))
    feed = crawler(fakeweb.url("/feed"))
    assert poll_feed(feed, NOW).status == "error"
    assert_failed_once(feed, "no complete response")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_is_recorded_and_retried(status, fakeweb, crawler):
    fakeweb.route("/feed", body=b"oops", status=status)
    feed = crawler(fakeweb.url("/feed"))
    assert poll_feed(feed, NOW).status == "error"
    assert_failed_once(feed, f"HTTP {status}")


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(status, fakeweb, crawler):
    fakeweb.route("/feed", body=b"slow down", status=status, headers={"Retry-After": "7200"})
    feed = crawler(fakeweb.url("/feed"))
    poll_feed(feed, NOW)
    feed = reload(feed)
    assert Article.objects.count() == 0
    assert feed.error_count == 1
    assert f"HTTP {status}" in feed.last_error
    assert NOW + timedelta(seconds=7200) <= feed.next_poll_at <= NOW + timedelta(seconds=7200 * 1.1 + 1)


def test_redirect_chain_301_302_is_followed_but_not_adopted(fakeweb, crawler):
    fakeweb.route("/old", handler=redirect("/middle", status=301))
    fakeweb.route("/middle", handler=redirect("/feed", status=302))
    fakeweb.route("/feed", body=rss(THREE), headers=RSS)
    feed = crawler(fakeweb.url("/old"))
    for poll in range(3):
        assert poll_feed(reload(feed), NOW + timedelta(hours=poll)).status == "ok"
    feed = reload(feed)
    assert Article.objects.count() == 3
    assert feed.url == fakeweb.url("/old")  # a 302 in the chain: the move is not for good
    assert feed.error_count == 0
    assert feed.next_poll_at > NOW + timedelta(hours=2)


def test_permanent_redirect_is_adopted_only_after_it_repeats(fakeweb, crawler):
    fakeweb.route("/old", handler=redirect("/new", status=301))
    fakeweb.route("/new", body=rss(THREE), headers=RSS)
    feed = crawler(fakeweb.url("/old"))
    poll_feed(feed, NOW)
    assert reload(feed).url == fakeweb.url("/old")
    assert reload(feed).redirect_count == 1
    poll_feed(reload(feed), NOW + timedelta(hours=1))
    assert reload(feed).url == fakeweb.url("/new")
    assert Article.objects.count() == 3


def test_redirect_loop_is_an_error(fakeweb, crawler):
    fakeweb.route("/a", handler=redirect("/b"))
    fakeweb.route("/b", handler=redirect("/a"))
    feed = crawler(fakeweb.url("/a"))
    assert poll_feed(feed, NOW).status == "error"
    assert_failed_once(feed, "redirects")


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/feed",
        "http://10.0.0.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/feed",
    ],
)
def test_redirect_to_private_address_is_refused(target, fakeweb, net, crawler, settings):
    settings.ALLOW_PRIVATE_ADDRESSES = False
    net.resolve("public.example", [PUBLIC_IP])
    fakeweb.route("/go", handler=redirect(target.format(port=fakeweb.port)))
    fakeweb.route("/feed", body=rss(THREE), headers=RSS)
    feed = crawler(fakeweb.url("/go", host="public.example"))
    assert poll_feed(feed, NOW).status == "error"
    assert_failed_once(feed, "not a public address")
    assert net.connected == [PUBLIC_IP]  # the refused hop was never dialled


def test_hostname_resolving_to_private_address_is_refused(fakeweb, net, crawler, settings):
    settings.ALLOW_PRIVATE_ADDRESSES = False
    net.resolve("intranet.example", ["10.1.2.3"])
    feed = crawler(fakeweb.url("/feed", host="intranet.example"))
    assert poll_feed(feed, NOW).status == "error"
    assert_failed_once(feed, "10.1.2.3")
    assert net.connected == []


def test_malformed_xml_is_a_feed_error(fakeweb, crawler):
    fakeweb.route("/feed", body=b"<rss><channel><<<item>>>&&&</chan", headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    assert poll_feed(feed, NOW).status == "error"
    assert_failed_once(feed, "malformed feed")


def test_truncated_feed_keeps_the_complete_items(fakeweb, crawler):
    body = rss(THREE)
    cut = body[: body.index(b"<item>", body.index(b"story-1")) + 20]  # inside the third item
    fakeweb.route("/feed", body=cut, headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    assert poll_feed(feed, NOW).status == "ok"
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Story 0", "Story 1"]
    assert reload(feed).error_count == 0


def test_wrong_declared_charset_still_decodes_titles(fakeweb, crawler):
    body = rss(
        [("Économie: la crise s'aggrave à Zürich", "https://news.example/e", "e1")], encoding="iso-8859-1"
    )
    body = body.replace(b'encoding="iso-8859-1"', b'encoding="utf-8"')  # declared utf-8, is latin-1
    fakeweb.route("/feed", body=body, headers={"Content-Type": "text/xml; charset=utf-8"})
    feed = crawler(fakeweb.url("/feed"))
    assert poll_feed(feed, NOW).status == "ok"
    assert list(Article.objects.values_list("title", flat=True)) == ["Économie: la crise s'aggrave à Zürich"]


def test_50_mb_body_is_refused(fakeweb, crawler):
    chunk = b"<!-- padding -->" * 4096
    fakeweb.route("/feed", handler=lambda h: (200, dict(RSS), (chunk for _ in range(50 * MiB // len(chunk)))))
    feed = crawler(fakeweb.url("/feed"))
    assert poll_feed(feed, NOW).status == "error"
    assert_failed_once(feed, "byte limit")


def test_gzip_bomb_is_refused(fakeweb, crawler):
    bomb = gzip.compress(b"\0" * (200 * MiB), compresslevel=9)
    fakeweb.route("/feed", body=bomb, headers={**RSS, "Content-Encoding": "gzip"})
    feed = crawler(fakeweb.url("/feed"))
    assert poll_feed(feed, NOW).status == "error"
    assert_failed_once(feed, "byte limit")


def test_html_page_instead_of_a_feed_is_a_feed_error(fakeweb, crawler):
    page = b"<!doctype html><html><head><title>Home</title></head><body><h1>News</h1><p>Hi</p></body></html>"
    fakeweb.route("/feed", body=page, headers={"Content-Type": "text/html"})
    feed = crawler(fakeweb.url("/feed"))
    assert poll_feed(feed, NOW).status == "error"
    assert_failed_once(feed, "not a feed")


def test_items_sharing_one_guid_are_all_stored_once(fakeweb, crawler):
    items = [(f"Story {i}", f"https://news.example/s{i}", "same-guid") for i in range(5)]
    fakeweb.route("/feed", body=rss(items), headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    poll_feed(feed, NOW)
    assert Article.objects.count() == 5
    poll_feed(reload(feed), NOW + timedelta(hours=1))  # and again: no duplicates
    assert Article.objects.count() == 5
    assert reload(feed).error_count == 0


def test_items_without_guid_are_stored_once_each(fakeweb, crawler):
    items = [(f"Story {i}", f"https://news.example/n{i}", "") for i in range(4)]
    fakeweb.route("/feed", body=rss(items), headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    poll_feed(feed, NOW)
    poll_feed(reload(feed), NOW + timedelta(hours=1))
    assert Article.objects.count() == 4


@pytest.mark.parametrize("guid", ["stable-guid", ""])
def test_item_whose_title_changes_between_polls_stays_one_article(guid, fakeweb, crawler):
    fakeweb.route("/feed", body=rss([("First headline", "https://news.example/a", guid)]), headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    poll_feed(feed, NOW)
    fakeweb.route("/feed", body=rss([("Edited headline", "https://news.example/a", guid)]), headers=RSS)
    poll_feed(reload(feed), NOW + timedelta(hours=1))
    assert list(Article.objects.values_list("title", flat=True)) == ["Edited headline"]


def test_same_article_under_two_urls_is_stored_once(fakeweb, crawler):
    items = [
        ("Story", "https://news.example/story?utm_source=rss&utm_medium=feed", "a"),
        ("Story", "https://NEWS.example:443/story#comments", "b"),
    ]
    fakeweb.route("/feed", body=rss(items), headers=RSS)
    feed = crawler(fakeweb.url("/feed"))
    poll_feed(feed, NOW)
    other = crawler(fakeweb.url("/feed?copy"), domain="other.example")
    poll_feed(other, NOW)  # a second feed carrying the same link
    assert list(Article.objects.values_list("canonical_url", flat=True)) == ["https://news.example/story"]


def test_future_and_missing_dates_fall_back_to_first_seen(fakeweb, crawler):
    doc = (
        '<rss version="2.0"><channel><title>T</title>'
        "<item><title>Future</title><link>https://news.example/f</link>"
        "<pubDate>Sun, 05 Jan 2031 10:00:00 GMT</pubDate></item>"
        "<item><title>Undated</title><link>https://news.example/u</link></item>"
        "<item><title>Junk date</title><link>https://news.example/j</link><pubDate>yesterday-ish</pubDate></item>"
        "</channel></rss>"
    )
    fakeweb.route("/feed", body=doc.encode(), headers=RSS)
    poll_feed(crawler(fakeweb.url("/feed")), NOW)
    assert Article.objects.count() == 3
    assert set(Article.objects.values_list("published_at", flat=True)) == {NOW}


def test_html_in_titles_and_relative_links_are_cleaned(fakeweb, crawler):
    doc = (
        '<rss version="2.0"><channel><title>T</title><item>'
        "<title>&lt;b&gt;Bold&lt;/b&gt; move &amp;amp; &lt;script&gt;alert(1)&lt;/script&gt;more</title>"
        "<link>/news/relative-story</link></item></channel></rss>"
    )
    fakeweb.route("/feed", body=doc.encode(), headers=RSS)
    poll_feed(crawler(fakeweb.url("/feed")), NOW)
    article = Article.objects.get()
    assert article.title == "Bold move & more"
    assert article.url == fakeweb.url("/news/relative-story")
