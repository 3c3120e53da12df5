"""The cores of manage.py bench_assign: per-article assignment time against
stored-history size, in memory (OnlineClusterer) and through the database
(StoryAssigner), with synthetic unit vectors.

Both build a history of closed stories around a fixed live set, so the only
thing that changes between sizes is how much history is stored; a cost that
grew with it would show as a spread between sizes."""

import time
from datetime import datetime, timedelta

import numpy as np
from tqdm import tqdm

from trends.stories.clustering import ClusterParams, OnlineClusterer
from trends.stories.embedding import DIMENSIONS


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def articles_near(centroids: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Half the articles close to a live story (they join it), half unrelated
    (they start a story): both branches of the decision get timed."""
    anchors = centroids[rng.integers(0, len(centroids), count)]
    noise = rng.standard_normal(anchors.shape).astype(np.float32) * 0.03
    joins = rng.random((count, 1)) < 0.5
    return unit_rows(np.where(joins, anchors + noise, rng.standard_normal(anchors.shape).astype(np.float32)))


def synthetic_titles(count: int, rng: np.random.Generator) -> list[str]:
    """Six words from a 5,000-word vocabulary each, so the title-term part of
    the decision rule does its work as with real headlines."""
    return [" ".join(f"term{k}" for k in rng.integers(0, 5000, 6)) for _ in range(count)]


# --- in memory -------------------------------------------------------------


def memory_clusterer_with_history(
    history: int, live: int, start: datetime, rng: np.random.Generator
) -> tuple[OnlineClusterer, datetime, timedelta]:
    """A clusterer that has streamed `history` one-article stories on a clock
    paced so that about `live` are open at once (older ones closed by the
    clusterer's own close_stale, as in production). Returns it with its clock
    and the clock step per article."""
    params = ClusterParams.from_settings()
    clusterer = OnlineClusterer(DIMENSIONS, params)
    step = timedelta(hours=params.live_hours) / live
    clock = start
    chunk = 10_000
    for first in tqdm(range(0, history, chunk), desc=f"history {history}", disable=history < 100_000):
        count = min(chunk, history - first)
        vectors = unit_rows(rng.standard_normal((count, DIMENSIONS)))
        for vector, title in zip(vectors, synthetic_titles(count, rng), strict=True):
            clusterer.start_story(vector, clock, title)
            clock += step
    clusterer.close_stale(clock)
    return clusterer, clock, step


def time_memory_assign(
    clusterer: OnlineClusterer, vectors: np.ndarray, titles: list[str], clock: datetime, step: timedelta
) -> tuple[float, float, datetime]:
    """(wall, CPU) microseconds per article for OnlineClusterer.assign over
    `vectors` and their titles, and the clock after them."""
    wall, cpu = time.perf_counter(), time.process_time()
    for vector, title in zip(vectors, titles, strict=True):
        clock += step
        clusterer.assign(vector, clock, title)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall / len(vectors) * 1e6, cpu / len(vectors) * 1e6, clock


# --- through the database ----------------------------------------------------

BENCH_DOMAIN = "bench-assign.invalid"


def add_db_history(stories: int, first_number: int, closed_before: datetime, rng: np.random.Generator):
    """Store `stories` closed one-article stories (article title and embedding
    included), with bulk_create. Their updated_at is set in the past, as for stories
    closed long ago, so a worker's incremental sync never re-reads them."""
    from ingest.models import Article, Source
    from trends.models import Story
    from trends.stories.embedding import to_bytes

    source, _ = Source.objects.get_or_create(domain=BENCH_DOMAIN, defaults={"name": "bench"})
    chunk = 5_000
    for first in tqdm(range(0, stories, chunk), desc=f"storing {stories} closed stories", unit_scale=chunk):
        count = min(chunk, stories - first)
        vectors = unit_rows(rng.standard_normal((count, DIMENSIONS)))
        numbers = range(first_number + first, first_number + first + count)
        when = [closed_before - timedelta(minutes=int(n % 500_000)) for n in numbers]
        made = Story.objects.bulk_create(
            Story(
                headline=f"history {n}",
                first_seen_at=at,
                last_seen_at=at,
                is_open=False,
                centroid_sum=to_bytes(v),
                article_count=1,
                source_count=1,
            )
            for n, at, v in zip(numbers, when, vectors, strict=True)
        )
        Article.objects.bulk_create(
            Article(
                source=source,
                url=f"https://{BENCH_DOMAIN}/h/{n}",
                canonical_url=f"https://{BENCH_DOMAIN}/h/{n}",
                title=f"history {n}",
                published_at=at,
                fetched_at=at,
                stage=Article.Stage.ASSIGNED,
                embedding=to_bytes(v),
                story=story,
            )
            for n, at, v, story in zip(numbers, when, vectors, made, strict=True)
        )
    Story.objects.filter(is_open=False).update(updated_at=closed_before)


def add_db_live_stories(live: int, now: datetime, live_hours: float, rng: np.random.Generator) -> np.ndarray:
    """`live` open stories seen within the live window, one embedded article
    each (what a worker loads them from); returns their vectors."""
    from ingest.models import Article, Source
    from trends.models import Story
    from trends.stories.embedding import to_bytes

    source, _ = Source.objects.get_or_create(domain=BENCH_DOMAIN, defaults={"name": "bench"})
    vectors = unit_rows(rng.standard_normal((live, DIMENSIONS)))
    seen = [now - timedelta(hours=float(age)) for age in rng.random(live) * live_hours / 2]
    titles = synthetic_titles(live, rng)
    made = Story.objects.bulk_create(
        Story(
            headline=title,
            first_seen_at=at,
            last_seen_at=at,
            centroid_sum=to_bytes(v),
            article_count=1,
            source_count=1,
        )
        for title, at, v in zip(titles, seen, vectors, strict=True)
    )
    Article.objects.bulk_create(
        _bench_article(source, f"live/{n}", title, at, v, Article.Stage.ASSIGNED, story)
        for n, (title, at, v, story) in enumerate(zip(titles, seen, vectors, made, strict=True))
    )
    Story.objects.filter(is_open=True).update(updated_at=now - timedelta(hours=1))
    return vectors


def add_db_waiting_articles(vectors: np.ndarray, titles: list[str], tag: str, now: datetime) -> list:
    """Embedded articles waiting for assignment, as the embedding task leaves them."""
    from ingest.models import Article, Source

    source = Source.objects.get(domain=BENCH_DOMAIN)
    return Article.objects.bulk_create(
        _bench_article(source, f"{tag}/{n}", title, now, v, Article.Stage.EXTRACTED)
        for n, (v, title) in enumerate(zip(vectors, titles, strict=True))
    )


def _bench_article(source, path: str, title: str, at: datetime, vector, stage, story=None):
    """An embedded benchmark article at https://BENCH_DOMAIN/<path>, seen and published at `at`."""
    from ingest.models import Article
    from trends.stories.embedding import to_bytes

    url = f"https://{BENCH_DOMAIN}/{path}"
    return Article(
        source=source,
        url=url,
        canonical_url=url,
        title=title,
        published_at=at,
        fetched_at=at,
        stage=stage,
        embedding=to_bytes(vector),
        story=story,
    )


def time_db_assign(assigner, articles: list, per_call: int, now: datetime) -> tuple[float, float]:
    """(wall, CPU) microseconds per article for StoryAssigner.assign, called
    with `per_call` articles at a time as the assignment task does."""
    wall, cpu = time.perf_counter(), time.process_time()
    for first in range(0, len(articles), per_call):
        assigner.assign(articles[first : first + per_call], now)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall / len(articles) * 1e6, cpu / len(articles) * 1e6


def live_centroids(clusterer: OnlineClusterer) -> np.ndarray:
    """The live stories' unit centroids, one row each (what new articles are drawn near)."""
    return unit_rows(np.stack([p.centroid_sum for p in clusterer.live.profiles.values()]))
