"""Where the real data is (../shared/data, read in place), and real newsriver
items put into the database through the pipeline's cores, without HTTP: for
tests of the stages after the crawler (site, velocity). Tests that read the
data carry `@pytest.mark.needs_real_data`."""

import os
from datetime import datetime, timedelta
from pathlib import Path

from ingest.feeds import FeedItem
from ingest.models import Article, Feed
from ingest.polling import store_item
from lab.newsriver import category_hint, read_stream
from tests.factories import make_source
from trends.measure.hourly import floor_hour
from trends.stories.pipeline import embed_and_assign
from trends.tasks import run_hourly_work
from trends.words.refresh import refresh_stories

# ../shared/data beside the repository (see README); SURGE_TEST_DATA points elsewhere.
DATA = Path(os.environ.get("SURGE_TEST_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
NEWSRIVER = DATA / "newsriver" / "items-2025-12_2026-01.jsonl.gz"


def real_data_missing() -> str | None:
    """Why tests marked `needs_real_data` are skipped (tests/conftest.py), or
    None when the data is there."""
    if DATA.is_dir():
        return None
    return f"real data not found at {DATA} (see README: ../shared/data)"


def load_stream(start: datetime, end: datetime, *, max_items: int | None = None) -> int:
    """Store, embed and cluster the items first seen in [start, end), hour by
    hour on the stream's own clock, with the hourly task's work (merge pass,
    snapshots) after each hour, as the workers do."""
    items = read_stream(NEWSRIVER, start=start, end=end)[:max_items]
    feeds: dict[str, Feed] = {}
    hour = floor_hour(start) + timedelta(hours=1)
    stored = 0
    pending: list[int] = []
    for item in items:
        while item.first_seen >= hour:
            _flush(pending, hour)
            pending = []
            hour += timedelta(hours=1)
        feed = feeds.get(item.domain) or _feed_for(item, feeds)
        article_id = store_item(
            feed,
            FeedItem(item.link, item.link, item.title, "", item.published),
            item.first_seen,
        )
        if article_id:
            stored += 1
            pending.append(article_id)
    _flush(pending, hour)
    return stored


def _flush(article_ids: list[int], hour_end: datetime):
    Article.objects.filter(pk__in=article_ids).update(stage=Article.Stage.EXTRACTED)
    touched = embed_and_assign(article_ids, hour_end)
    refresh_stories(touched, hour_end)
    run_hourly_work(hour_end)


def _feed_for(item, feeds) -> Feed:
    source = make_source(item.domain, name=item.source[:200])
    feed, _ = Feed.objects.get_or_create(
        url=f"http://127.0.0.1/replay/{item.domain}.xml",
        defaults={"source": source, "category_hint": category_hint(item.category)},
    )
    feeds[item.domain] = feed
    return feed
