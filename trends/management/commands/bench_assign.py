"""Per-article assignment time at several stored-history sizes.

    manage.py bench_assign --sizes 10000,100000,1000000 [--json]

What is measured: trends.clustering.OnlineClusterer.assign (choose_story over
the in-memory LiveIndex, centroid update, stale-story closing), the same
decision path StoryAssigner runs inside its database transaction, with
synthetic unit vectors. For each size, that many stories are first streamed
through the clusterer's index on a simulated clock (opened, then closed after
STORY_LIVE_HOURS as in production), so the index carries the history's
churn; then timed articles are assigned. The database round trips of
StoryAssigner are not in the figure: they are per-article primary-key
queries, also independent of history size."""

import json
import time
from datetime import UTC, datetime, timedelta

import numpy as np
from django.core.management.base import BaseCommand
from tqdm import tqdm

from trends.clustering import ClusterParams, OnlineClusterer
from trends.embedding import DIMENSIONS

LIVE_STORIES = 2000  # stories open at once, as a busy deployment would have
TIMED_ARTICLES = 2000


class Command(BaseCommand):
    help = "Benchmark per-article story assignment against stored-history size."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="10000,100000,1000000")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        sizes = [int(s) for s in options["sizes"].split(",")]
        self._measure(LIVE_STORIES)  # warm-up: first-touch memory and BLAS start-up
        results = []
        for size in sizes:
            microseconds = self._measure(size)
            results.append(
                {"history_stories": size, "live_stories": LIVE_STORIES, "us_per_article": microseconds}
            )
            self.stdout.write(
                f"history {size:>9} stories, {LIVE_STORIES} live: {microseconds:8.1f} us per article"
            )
        fastest = min(r["us_per_article"] for r in results)
        slowest = max(r["us_per_article"] for r in results)
        spread = (slowest - fastest) / fastest
        self.stdout.write(f"spread between sizes: {spread:.1%} (flat means within 25%)")
        self.stdout.write(
            "measured: in-memory OnlineClusterer.assign (the workers' decision path), synthetic vectors"
        )
        if options["json"]:
            self.stdout.write(json.dumps({"sizes": results, "spread": round(spread, 4)}))

    def _measure(self, history: int) -> float:
        rng = np.random.default_rng(7)
        params = ClusterParams.from_settings()
        clusterer = OnlineClusterer(DIMENSIONS, params)
        # Spread the history over time so that about LIVE_STORIES are live at once.
        step = timedelta(hours=params.live_hours) / LIVE_STORIES
        clock = datetime(2026, 1, 1, tzinfo=UTC)
        batch = 10_000
        for start in tqdm(range(0, history, batch), desc=f"history {history}", disable=history < 100_000):
            vectors = _unit(rng.standard_normal((min(batch, history - start), DIMENSIONS), dtype=np.float32))
            for vector in vectors:
                story_id = clusterer._next_id
                clusterer._next_id += 1
                clusterer.sums[story_id] = clusterer.seeds[story_id] = vector
                clusterer.sizes[story_id] = 1
                clusterer.touch(story_id, clock)
                clusterer.index.put(story_id, vector)
                clock += step
                clusterer.close_stale(clock)
        # Timed: articles near live stories (joins) and unrelated ones (new stories).
        live = clusterer.index.ids()
        anchors = np.stack([clusterer.index.centroid(s) for s in rng.choice(live, TIMED_ARTICLES)])
        noise = rng.standard_normal(anchors.shape, dtype=np.float32) * 0.03
        articles = _unit(np.where(rng.random((TIMED_ARTICLES, 1)) < 0.5, anchors + noise, noise))
        began = time.perf_counter()
        for vector in articles:
            clock += step
            clusterer.assign(vector, clock)
        return (time.perf_counter() - began) / TIMED_ARTICLES * 1e6


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
