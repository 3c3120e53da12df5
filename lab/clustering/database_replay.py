"""Replaying a labelled stream through the workers' own code path, on a
throwaway database, and reading a database's stories back as labels.

replay_through_workers stores each item as the crawler would (store_item, at
its first sighting), then runs exactly what the workers run: the claim
batches of trends.stories.pipeline (extraction, dedup, assignment with the live
window, word refresh) and, whenever the clock enters a new hour, the hourly
task's work (trends.tasks.run_hourly_work: merge pass, snapshots, pruning).
Items arrive in first_seen order, grouped as the archive's snapshots saw
them, and every step gets the stream's real times as its clock. Embeddings
come from the evaluation's cache (the same model and text the workers embed:
the replay serves headlines only), so nothing is embedded twice.

It runs on a database lab.scratch_db.throwaway_database creates and destroys
around it, never on the site's data."""

from datetime import timedelta
from itertools import groupby

import numpy as np
from django.test.utils import override_settings
from tqdm import tqdm

from ingest.canonical import canonical_url
from ingest.feeds import FeedItem
from ingest.models import Article, Feed, Source
from lab.clustering.datasets import LabelledArticle
from trends.stories.embedding import to_bytes


def replay_through_workers(
    articles: list[LabelledArticle], vectors: np.ndarray, *, progress: bool = True
) -> list[str]:
    """The story of each article (as 'db:<id>') after the workers' path ran
    over the stream. Call it inside lab.scratch_db.throwaway_database()."""
    from ingest.polling import store_item
    from trends.measure.hourly import floor_hour
    from trends.stories.assignment import assigner
    from trends.stories.pipeline import process_pending
    from trends.tasks import run_hourly_work

    assigner.reset()  # a worker starting on this database
    feeds: dict[str, Feed] = {}
    order = sorted(range(len(articles)), key=lambda row: articles[row].arrived_at)
    hour = None
    with override_settings(FETCH_ARTICLE_PAGES=False):
        bar = tqdm(total=len(articles), desc="replaying through the workers", disable=not progress)
        for now, rows in groupby(order, key=lambda row: articles[row].arrived_at):
            rows = list(rows)
            if hour is not None and floor_hour(now) > hour:
                run_hourly_work(now)
            hour = floor_hour(now)
            for row in rows:
                article = articles[row]
                feed = feeds.get(article.source) or _feed_for(article, feeds)
                item = FeedItem(article.link, article.link, article.title, "", article.published_at)
                stored = store_item(feed, item, now)
                if stored:
                    Article.objects.filter(pk=stored).update(embedding=to_bytes(vectors[row]))
            process_pending(now, max_batches=10_000)
            bar.update(len(rows))
        bar.close()
        last = max(a.arrived_at for a in articles)
        run_hourly_work(floor_hour(last) + timedelta(hours=1))
    return labels_from_database(articles)


def labels_from_database(articles: list[LabelledArticle]) -> list[str | None]:
    """The story each labelled item ended in, found by its link (canonical
    URL, as the crawler stores it); None for an item the database lacks."""
    wanted = {canonical_url(a.link) for a in articles if a.link}
    story_of: dict[str, int | None] = {}
    urls = sorted(wanted)
    for first in range(0, len(urls), 500):
        rows = Article.objects.filter(canonical_url__in=urls[first : first + 500]).values_list(
            "canonical_url", "story_id"
        )
        story_of.update(rows)
    labels = []
    for article in articles:
        story = story_of.get(canonical_url(article.link)) if article.link else None
        labels.append(f"db:{story}" if story is not None else None)
    return labels


def _feed_for(article: LabelledArticle, feeds: dict[str, Feed]) -> Feed:
    domain = article.source or "unknown"
    source, _ = Source.objects.get_or_create(domain=domain, defaults={"name": domain[:200]})
    feed, _ = Feed.objects.get_or_create(
        url=f"http://127.0.0.1/feeds/{domain}.xml",
        defaults={"source": source, "category_hint": article.gold_category},
    )
    feeds[domain] = feed
    return feed
