"""Fetching a batch's article pages several at a time.

A page from a distant server takes tens to hundreds of milliseconds to
arrive, nearly all of it waiting, so one page after another left a worker
idle most of the time (bench_crawl --page-latency 0.2: the machine 79% idle,
8 articles/s). Here up to settings.PAGE_FETCHES pages are in flight at once.
Only the HTTP requests run in the pool's threads; robots.txt and the per-host limits
(ingest.robots, ingest.hostlimits: database rows shared by every worker) are
checked, taken and given back in the calling thread, so the pool never opens
a database connection of its own."""

import logging
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import NamedTuple

from django.conf import settings

from ingest import hostlimits, http, robots
from ingest.models import Article

log = logging.getLogger(__name__)
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
# Pages in flight at first; up to settings.PAGE_FETCHES once none of them
# has arrived after SLOW_PAGE_SECONDS. Eight fetches at once from a server
# that answers in a millisecond left the workers' cores 17% idle
# (bench_crawl: threads queueing for the interpreter lock the embedding
# thread needs between its steps), against 5% with two.
FIRST_FETCHES = 2
SLOW_PAGE_SECONDS = 0.02
HOST_WAIT_SECONDS = 60  # then the page is skipped and the summary stands in

# A page's response, or None with the reason there is none; or what raised.
Download = tuple[http.Response | None, str] | Exception


class _InFlight(NamedTuple):
    future: Future
    host: str
    slot_token: str


def download_pages(articles: list[Article]) -> dict[int, Download]:
    """Each article's page by primary key. A page whose host is busy waits
    for a fetch of this batch to finish and tries again; with nothing left
    in flight it waits for its host's turn as long as HOST_WAIT_SECONDS."""
    results: dict[int, Download] = {}
    waiting = deque(articles)
    in_flight: dict[Future, tuple[Article, _InFlight]] = {}
    most = min(FIRST_FETCHES, settings.PAGE_FETCHES)
    # The pool starts a thread only when no idle one can take the request.
    with ThreadPoolExecutor(settings.PAGE_FETCHES, thread_name_prefix="page") as pool:
        while waiting or in_flight:
            # A host that refused a slot is not asked again until one of our
            # fetches finishes: asking for each of its waiting pages cost
            # every worker a query a page, hundreds a claim.
            busy_hosts: set[str] = set()
            for _ in range(len(waiting)):
                if len(in_flight) >= most:
                    break
                article = waiting.popleft()
                if hostlimits.host_of(article.url) in busy_hosts:
                    waiting.append(article)
                    continue
                try:
                    started = _start(pool, article, may_wait=not in_flight)
                except Exception as exc:  # noqa: BLE001 -- this article's failure, not the batch's
                    results[article.pk] = exc
                    continue
                if started is None:
                    busy_hosts.add(hostlimits.host_of(article.url))
                    waiting.append(article)  # its host is busy: after a fetch of ours finishes
                elif isinstance(started, _InFlight):
                    in_flight[started.future] = (article, started)
                else:
                    results[article.pk] = started
            if in_flight:
                opened_up = most >= settings.PAGE_FETCHES
                done, _ = wait(
                    in_flight, timeout=None if opened_up else SLOW_PAGE_SECONDS, return_when=FIRST_COMPLETED
                )
                if not done:
                    most = settings.PAGE_FETCHES  # the pages are slow to come: fetch more at once
                for future in done:
                    article, started = in_flight.pop(future)
                    _release(started)
                    results[article.pk] = _outcome(future)
    return results


def _start(pool: ThreadPoolExecutor, article: Article, *, may_wait: bool) -> "_InFlight | Download | None":
    """A fetch under way; a final (None, reason); or None when the host is
    busy and may_wait is off."""
    refused = _refused_by_robots(article.url)
    if refused:
        return None, refused
    host = hostlimits.host_of(article.url)
    if not host:
        return None, "no web link"
    if may_wait:
        token = hostlimits.acquire(host, max_wait=HOST_WAIT_SECONDS)
        if token is None:
            return None, "site busy: page not fetched"
    else:
        token = hostlimits.try_acquire(host)
        if token is None:
            return None
    return _InFlight(pool.submit(http.fetch, article.url, accept=PAGE_ACCEPT), host, token)


def _release(started: _InFlight) -> None:
    try:
        hostlimits.release(started.host, started.slot_token)
    except Exception:  # the page is here; the slot's lease runs out on its own
        log.exception("could not give back a slot of %s", started.host)


def _refused_by_robots(url: str) -> str:
    """Why the page may not be fetched ("" when it may)."""
    try:
        allowed = robots.can_fetch(url, max_wait=HOST_WAIT_SECONDS)
    except http.BlockedAddress as exc:  # a private address or a scheme other than http(s)
        return f"page not fetched: {exc.reason}"
    except ValueError:  # protego on a URL it cannot parse
        return "page URL not understood"
    if allowed is None:
        return "site busy: page not fetched"
    return "" if allowed else "page disallowed by robots.txt"


def _outcome(future: Future) -> Download:
    try:
        return future.result(), ""
    except http.FetchError as exc:
        return None, f"page fetch failed: {exc.reason}"
    except Exception as exc:  # noqa: BLE001 -- handed to the article's extraction to raise
        return exc
