"""The full-text replay: Giveme5W1H articles served as feeds and article
pages on 127.0.0.1, so extraction and text briefs run without internet."""

from datetime import UTC, datetime, timedelta
from urllib.error import HTTPError
from urllib.request import urlopen

import feedparser
import pytest

from lab.replay.feed_server import ReplayFeeds, start_server
from lab.replay.pages import read_full_text_stream
from tests.giveme import GIVEME

START = datetime(2026, 1, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def full_text(real_data):
    return read_full_text_stream(GIVEME, START, 2)


def test_articles_are_retimed_onto_the_replayed_days_in_publication_order(full_text):
    items, pages, _summaries = full_text
    assert len(items) > 300 and len(pages) == len(items)
    times = [i.first_seen for i in items]
    assert times == sorted(times) and times[0] == START and times[-1] < START + timedelta(days=2)
    assert all(i.published is None for i in items)  # the feed dates them at their replayed moment


def test_feed_links_to_pages_on_the_replay_server_that_appear_with_their_item(full_text):
    items, pages, summaries = full_text
    first = items[0]
    now = {"t": first.first_seen}
    feeds = ReplayFeeds(items, lambda: now["t"], pages, summaries)
    server = start_server(feeds)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        entries = feedparser.parse(urlopen(f"{base}/feeds/{first.domain}.xml").read()).entries
        assert entries[-1].link == base + first.link
        assert entries[-1].summary == summaries[first.link]
        page = urlopen(entries[-1].link).read().decode()
        assert "<article><h1>" in page and 'rel="canonical"' in page and page.count("<p>") >= 3
        later = next(i for i in items if i.first_seen > first.first_seen)
        with pytest.raises(HTTPError):
            urlopen(base + later.link)  # not yet published on the replayed clock
    finally:
        server.shutdown()


def test_the_page_text_extracts_to_the_articles_lead(full_text):
    import trafilatura

    from trends.words.briefs.evidence import lead_sentences

    items, pages, _summaries = full_text
    doc = trafilatura.bare_extraction(pages[items[5].link].decode(), with_metadata=True)
    lead = lead_sentences(doc.text, items[5].title)
    assert lead and all(len(s) >= 40 for s in lead)
