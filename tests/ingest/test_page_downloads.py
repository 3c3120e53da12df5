"""A batch's article pages are fetched several at a time: only the requests
run in threads, while robots.txt and the per-host limits are checked, taken
and given back in the worker's own thread."""

import threading
import time

import pytest

from ingest.models import HostSlot
from ingest.page_downloads import download_pages
from tests.fakeweb import redirect
from tests.ingest.test_extraction import _article, page


def _slow_pages(fakeweb, paths: list[str], seconds: float = 0.3) -> dict:
    """Routes answering after `seconds`; returns the most requests seen in flight at once."""
    seen = {"now": 0, "most": 0}
    lock = threading.Lock()

    def handler(_h):
        with lock:
            seen["now"] += 1
            seen["most"] = max(seen["most"], seen["now"])
        time.sleep(seconds)
        with lock:
            seen["now"] -= 1
        return 200, {"Content-Type": "text/html"}, page()

    for path in paths:
        fakeweb.route(path, handler=handler)
    return seen


@pytest.mark.django_db
def test_a_batchs_pages_are_fetched_several_at_a_time_up_to_the_hosts_limit(fakeweb, crawler, settings):
    crawler(fakeweb.url("/feed"))
    settings.HOST_MAX_CONCURRENT = 3
    paths = [f"/a{n}" for n in range(7)]
    seen = _slow_pages(fakeweb, paths)
    articles = [_article(fakeweb.url(path)) for path in paths]
    downloads = download_pages(articles)
    assert seen["most"] == 3  # as many as the host allows at once, never more
    assert sorted(downloads) == sorted(a.pk for a in articles)
    assert all(response.status == 200 and note == "" for response, note in downloads.values())
    assert not HostSlot.objects.filter(held_until__isnull=False).exists()  # every slot given back


@pytest.mark.django_db
def test_a_page_that_fails_to_arrive_says_why_and_its_batch_mates_arrive(fakeweb, crawler):
    crawler(fakeweb.url("/feed"))
    _slow_pages(fakeweb, ["/a0", "/a2"], seconds=0.05)
    fakeweb.route("/a1", handler=redirect("/a1"))  # a redirect loop
    articles = [_article(fakeweb.url(path)) for path in ("/a0", "/a1", "/a2")]
    downloads = download_pages(articles)
    assert downloads[articles[0].pk][0].status == downloads[articles[2].pk][0].status == 200
    response, note = downloads[articles[1].pk]
    assert response is None and note.startswith("page fetch failed")


@pytest.mark.django_db
def test_a_worker_has_at_most_page_fetches_pages_in_flight(fakeweb, crawler, settings):
    crawler(fakeweb.url("/feed"))
    settings.HOST_MAX_CONCURRENT = 8
    settings.PAGE_FETCHES = 2
    paths = [f"/b{n}" for n in range(5)]
    seen = _slow_pages(fakeweb, paths, seconds=0.2)
    downloads = download_pages([_article(fakeweb.url(path)) for path in paths])
    assert seen["most"] == 2
    assert len(downloads) == 5


@pytest.mark.django_db
def test_a_slot_that_cannot_be_given_back_costs_no_page(fakeweb, crawler, monkeypatch):
    from ingest import hostlimits

    crawler(fakeweb.url("/feed"))
    _slow_pages(fakeweb, ["/c0", "/c1"], seconds=0.05)
    articles = [_article(fakeweb.url(path)) for path in ("/c0", "/c1")]
    download_pages(articles[:1])  # robots.txt read and kept: only the pages' slots are left to give back
    monkeypatch.setattr(hostlimits, "release", lambda host, token: 1 / 0)
    downloads = download_pages(articles)
    assert all(downloads[a.pk][0].status == 200 for a in articles)


@pytest.mark.django_db
def test_a_busy_host_is_asked_again_only_when_a_fetch_finishes(fakeweb, crawler, settings, monkeypatch):
    from ingest import hostlimits

    crawler(fakeweb.url("/feed"))
    settings.HOST_MAX_CONCURRENT = 2
    paths = [f"/d{n}" for n in range(6)]
    _slow_pages(fakeweb, paths, seconds=0.05)
    articles = [_article(fakeweb.url(path)) for path in paths]
    download_pages(articles[:1])  # robots.txt read and kept
    other_worker = hostlimits.try_acquire("127.0.0.1")  # holds one of the two slots throughout
    asked = []
    real_try_acquire = hostlimits.try_acquire
    monkeypatch.setattr(hostlimits, "try_acquire", lambda host: asked.append(host) or real_try_acquire(host))
    downloads = download_pages(articles)
    hostlimits.release("127.0.0.1", other_worker)
    assert all(downloads[a.pk][0].status == 200 for a in articles)
    # One page at a time gets the free slot: each finished fetch lets one page
    # in and one more learn the host is busy (asking for every waiting page
    # after each fetch took 21 attempts here).
    assert len(asked) <= 2 * len(articles)


@pytest.mark.django_db
def test_pages_that_arrive_at_once_are_fetched_two_at_a_time(fakeweb, crawler, settings, monkeypatch):
    from ingest import page_downloads

    crawler(fakeweb.url("/feed"))
    settings.HOST_MAX_CONCURRENT = 8
    monkeypatch.setattr(page_downloads, "SLOW_PAGE_SECONDS", 30)  # every page counts as prompt
    paths = [f"/e{n}" for n in range(6)]
    seen = _slow_pages(fakeweb, paths, seconds=0.05)
    downloads = download_pages([_article(fakeweb.url(path)) for path in paths])
    assert seen["most"] == page_downloads.FIRST_FETCHES == 2
    assert len(downloads) == 6


@pytest.mark.django_db
def test_pages_slow_to_arrive_open_up_to_page_fetches_in_flight(fakeweb, crawler, settings, monkeypatch):
    from ingest import page_downloads

    crawler(fakeweb.url("/feed"))
    settings.HOST_MAX_CONCURRENT, settings.PAGE_FETCHES = 8, 5
    monkeypatch.setattr(page_downloads, "SLOW_PAGE_SECONDS", 0.01)
    paths = [f"/f{n}" for n in range(7)]
    seen = _slow_pages(fakeweb, paths, seconds=0.3)
    downloads = download_pages([_article(fakeweb.url(path)) for path in paths])
    assert seen["most"] == 5
    assert len(downloads) == 7
