"""Benchmark the hourly pass: its time and query count over N live stories
with a week of hourly snapshots each.

    python manage.py bench_velocity --stories 10000 [--articles 4] [--json]

Runs in a throwaway database (lab.scratch_db), never the site's."""

import json
import random
import time
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext
from tqdm import tqdm

from ingest.models import Article, Source
from lab.scratch_db import throwaway_database
from surge.bulk_rows import insert_rows
from trends.measure.hourly import run_hourly_pass
from trends.models import Story, StorySnapshot

HOUR_END = datetime(2026, 1, 15, 12, tzinfo=UTC)
WEEK_HOURS = 7 * 24
OUTLETS = 100
BATCH = 20000


class Command(BaseCommand):
    help = "Time the hourly velocity pass over many live stories with a week of snapshots."

    def add_arguments(self, parser):
        parser.add_argument("--stories", type=int, default=10000)
        parser.add_argument("--articles", type=int, default=4, help="articles per story in the last day")
        parser.add_argument("--json", action="store_true", help="last line: the figures as one JSON object")

    def handle(self, *args, stories, articles, json: bool, **options):
        as_json = json
        progress = options["verbosity"] > 0
        with throwaway_database():
            self._fill(stories, articles, progress)
            reset_queries()  # the fill filled the query log; count from empty
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                run_hourly_pass(HOUR_END)
                seconds = time.perf_counter() - started
            figures = {
                "stories": stories,
                "snapshots_before": stories * WEEK_HOURS,
                "articles": stories * articles,
                "seconds": round(seconds, 3),
                "queries": len(queries.captured_queries),
                "database": connection.vendor,
            }
            written = StorySnapshot.objects.filter(hour=HOUR_END).count()
        self.stdout.write(
            f"hourly pass over {stories} live stories ({stories * WEEK_HOURS} snapshots of the past week, "
            f"{stories * articles} articles in the last day; {figures['database']}): "
            f"{figures['seconds']:.2f} s, {figures['queries']} queries, {written} snapshots written"
        )
        if as_json:
            self.stdout.write(json_dumps(figures))

    def _fill(self, stories: int, articles: int, progress: bool) -> None:
        rng = random.Random(7)
        with transaction.atomic():
            Source.objects.bulk_create(
                [Source(name=f"Outlet {i}", domain=f"outlet{i}.example") for i in range(OUTLETS)]
            )
            source_ids = list(Source.objects.values_list("pk", flat=True))
            first_seen = HOUR_END - timedelta(hours=WEEK_HOURS)
            created = Story.objects.bulk_create(
                [
                    Story(
                        headline=f"Story {n}",
                        first_seen_at=first_seen,
                        last_seen_at=HOUR_END - timedelta(minutes=rng.randint(1, 600)),
                        centroid_sum=b"",
                        article_count=articles,
                        source_count=articles,
                    )
                    for n in range(stories)
                ],
                batch_size=BATCH,
            )
            story_ids = [s.pk for s in created] or list(Story.objects.values_list("pk", flat=True))
            # surge.bulk_rows: a statement per chunk of rows, not per 90 rows.
            rows = []
            for story_id in tqdm(story_ids, desc="snapshots", disable=not progress):
                for h in range(WEEK_HOURS, 0, -1):
                    velocity = rng.random() * 5
                    rows.append(
                        {
                            "story_id": story_id,
                            "hour": HOUR_END - timedelta(hours=h),
                            "articles": rng.randint(0, 3),
                            "total_articles": articles,
                            "sources": articles,
                            "effective_sources": velocity,
                            "article_rate": velocity,
                            "velocity": velocity,
                            "lifecycle": "peaking",
                        }
                    )
                if len(rows) >= BATCH:
                    insert_rows(StorySnapshot, rows)
                    rows = []
            insert_rows(StorySnapshot, rows)
            rows = []
            for story_id in story_ids:
                for k in range(articles):
                    url = f"https://bench.example/{story_id}/{k}"
                    rows.append(
                        {
                            "source_id": rng.choice(source_ids),
                            "url": url,
                            "canonical_url": url,
                            "title": f"Article {k} of story {story_id}",
                            "published_at": HOUR_END - timedelta(minutes=rng.randint(1, 24 * 60 - 1)),
                            "fetched_at": HOUR_END,
                            "story_id": story_id,
                        }
                    )
                if len(rows) >= BATCH:
                    insert_rows(Article, rows)
                    rows = []
            insert_rows(Article, rows)


def json_dumps(figures: dict) -> str:
    return json.dumps(figures)
