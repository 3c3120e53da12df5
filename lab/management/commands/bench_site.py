"""Benchmark the readers' site at load size.

    python manage.py bench_site [--articles 100000] [--seconds 5] [--concurrency 4] [--json]

1. builds a database of that many articles in its own SQLite file under
   var/bench/ (synthetic stories, articles, snapshots, topics and briefs,
   written with bulk_create: the shape of real data, not its words);
2. counts the SQL queries of the front page and a trend page on it;
3. serves it with gunicorn (DEBUG off, static files by WhiteNoise) and
   drives the front page, a trend page and a static file, one after the
   other in the same run, with a Python load generator (keep-alive HTTP
   clients in threads), printing requests/s and p50/p99 latency.

The database is built by a child process (this command with --build-only)
so that its settings point at the bench file, not at var/surge.sqlite3."""

import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

ARTICLES_PER_STORY = 20
SOURCES = 120
TOPICS = 400
SNAPSHOT_HOURS = 24
WORDS = ["markets", "storm", "election", "match"]


class Command(BaseCommand):
    help = "Build a load-size database, serve it with gunicorn and measure the site's pages."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=100_000)
        parser.add_argument("--seconds", type=float, default=5.0, help="load per page")
        parser.add_argument("--concurrency", type=int, default=4)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        parser.add_argument("--rebuild", action="store_true", help="rebuild even if the file exists")
        parser.add_argument("--build-only", action="store_true", help=argparse_hidden())

    def handle(self, *args, **options):
        if options["build_only"]:
            self._build_and_count(options["articles"])
            return
        bench_dir = Path(settings.VAR_DIR) / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        db_path = bench_dir / f"site-{options['articles']}.sqlite3"
        env = dict(os.environ, SQLITE_PATH=str(db_path), DEBUG="1")
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        if options["rebuild"] and db_path.exists():
            db_path.unlink()
        counts_file = bench_dir / f"site-{options['articles']}.counts.json"
        if not db_path.exists() or not counts_file.exists():
            self.stderr.write(f"building {db_path} ...")
            subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
            subprocess.run(
                [*manage, "bench_site", "--build-only", "--articles", str(options["articles"])],
                env=env,
                check=True,
            )
        else:
            # A database kept from an earlier run may predate a migration.
            subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
        counts = json.loads(counts_file.read_text())
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)

        port = _free_port()
        server_env = dict(env, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(40), LOG_LEVEL="WARNING")
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "surge.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(options["workers"]),
                "--log-level",
                "warning",
            ],
            env=server_env,
            cwd=settings.BASE_DIR,
        )
        try:
            _wait_for(port)
            targets = {
                "front page": "/",
                "trend page": counts["trend_url"],
                "static file": settings.STATIC_URL + "css/site.css",
            }
            results = {}
            for name, path in targets.items():
                _load(port, path, 1.0, options["concurrency"])  # warm-up
                results[name] = _load(port, path, options["seconds"], options["concurrency"])
                results[name]["path"] = path
                results[name]["sql_queries"] = counts["queries"].get(name)
        finally:
            server.terminate()
            server.wait(timeout=20)

        report = {
            "articles": counts["articles"],
            "stories": counts["stories"],
            "concurrency": options["concurrency"],
            "gunicorn_workers": options["workers"],
            "seconds_per_page": options["seconds"],
            "pages": results,
        }
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        self.stdout.write(
            f"{report['articles']} articles, {report['stories']} stories; "
            f"gunicorn {options['workers']} workers, "
            f"{options['concurrency']} clients, {options['seconds']:.0f} s per page"
        )
        self.stdout.write(
            f"{'page':<12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'SQL':>5}  path"
        )
        for name, row in results.items():
            sql = "-" if row["sql_queries"] is None else str(row["sql_queries"])
            self.stdout.write(
                f"{name:<12} {row['requests_per_second']:>8.1f} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} "
                f"{row['errors']:>7} {sql:>5}  {row['path']}"
            )

    # --- building the load-size database (in the child process) ------------

    def _build_and_count(self, article_total: int) -> None:
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from ingest import clock
        from ingest.models import Article
        from trends.models import Story

        if not Story.objects.exists():
            _build(article_total)
        counts = {"articles": Article.objects.count(), "stories": Story.objects.count(), "queries": {}}
        top = Story.objects.filter(is_hidden=False, merged_into__isnull=True).order_by("-velocity").first()
        counts["trend_url"] = f"/trend/{top.pk}/"
        client = Client()
        for name, path in (("front page", "/"), ("trend page", counts["trend_url"])):
            clock.reset_cache()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, HTTP_HOST="127.0.0.1")
            assert response.status_code == 200, (path, response.status_code)
            counts["queries"][name] = len(captured)
        out = Path(settings.DATABASES["default"]["NAME"]).with_suffix(".counts.json")
        out.write_text(json.dumps(counts))


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS


def _build(article_total: int) -> None:
    """Synthetic stories of varied size over the last two days, each with
    articles from several outlets, hourly snapshots, topics and a brief."""
    from django.db import transaction
    from django.db.models import Count, Min

    from ingest import clock
    from ingest.models import Article, Source
    from trends.models import Story, StorySnapshot, StoryTopic, Topic

    rng = random.Random(7)
    now = clock.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        sources = Source.objects.bulk_create(
            [Source(name=f"Outlet {i}", domain=f"outlet{i}.example") for i in range(SOURCES)]
        )
        topics = Topic.objects.bulk_create(
            [Topic(name=f"Topic {i}", slug=f"topic-{i}", kind="term") for i in range(TOPICS)]
        )
        story_total = max(article_total // ARTICLES_PER_STORY, 1)
        stories = []
        for i in range(story_total):
            first = now - timedelta(hours=rng.uniform(1, 47))
            velocity = rng.expovariate(1.0)
            stories.append(
                Story(
                    headline=f"Synthetic story {i}: {rng.choice(WORDS)} update",
                    dek="A second line chosen from the coverage.",
                    category=rng.choice(["world", "politics", "business", "technology", "sport"]),
                    first_seen_at=first,
                    last_seen_at=min(first + timedelta(hours=rng.uniform(0, 20)), now),
                    centroid_sum=b"",
                    article_count=0,
                    source_count=0,
                    lifecycle=rng.choice(["emerging", "rising", "peaking", "fading"]),
                    velocity=velocity,
                    first_velocity=velocity * rng.uniform(0.1, 1.5),
                    peak_velocity=velocity * 1.5,
                    forecast="fades",
                    forecast_probability=0.6,
                )
            )
        stories = Story.objects.bulk_create(stories, batch_size=2000)

        articles, per_story = [], {}
        for n in tqdm(range(article_total), desc="articles", unit="art", mininterval=1):
            story = (
                stories[min(int(rng.paretovariate(1.2)) - 1, len(stories) - 1)]
                if n % 3 == 0
                else stories[n % len(stories)]
            )
            source = sources[rng.randrange(SOURCES)]
            per_story.setdefault(story.pk, set()).add(source.pk)
            published = story.first_seen_at + (story.last_seen_at - story.first_seen_at) * rng.random()
            articles.append(
                Article(
                    source=source,
                    url=f"https://{source.domain}/a/{n}",
                    canonical_url=f"https://{source.domain}/a/{n}",
                    title=f"Article {n} about story {story.pk}",
                    summary="A summary sentence from the feed about what happened today in this story.",
                    published_at=published,
                    fetched_at=published,
                    stage=Article.Stage.ASSIGNED,
                    story=story,
                )
            )
            if len(articles) == 5000:
                Article.objects.bulk_create(articles, batch_size=5000)
                articles = []
        Article.objects.bulk_create(articles, batch_size=5000)

        counts = {}
        for story_id, count in Article.objects.values_list("story_id").annotate(n=Count("id")):
            counts[story_id] = count
        first_articles = dict(Article.objects.values_list("story_id").annotate(first=Min("id")))
        for story in stories:
            story.article_count = counts.get(story.pk, 0)
            story.source_count = len(per_story.get(story.pk, ()))
            cited = first_articles.get(story.pk)
            story.brief = {
                "sentences": [
                    {"text": "A summary sentence from the feed about what happened.", "citations": [cited]}
                ]
                if cited
                else [],
                "supported_share": 1.0,
                "corroborated_share": 0.0,
            }
            story.brief_updated_at = now
        Story.objects.bulk_update(
            stories, ["article_count", "source_count", "brief", "brief_updated_at"], batch_size=2000
        )

        snapshots = [
            StorySnapshot(
                story=story,
                hour=hour - timedelta(hours=h),
                articles=1,
                total_articles=story.article_count,
                sources=story.source_count,
                effective_sources=1.0,
                article_rate=1.0,
                velocity=story.velocity * rng.uniform(0.5, 1.5),
                lifecycle=story.lifecycle,
            )
            for story in stories
            for h in range(SNAPSHOT_HOURS)
            if hour - timedelta(hours=h) >= story.first_seen_at
        ]
        StorySnapshot.objects.bulk_create(snapshots, batch_size=5000)
        StoryTopic.objects.bulk_create(
            [
                StoryTopic(story=story, topic=topic, weight=1)
                for story in stories
                for topic in rng.sample(topics, 3)
            ],
            batch_size=5000,
        )


def _load(port: int, path: str, seconds: float, concurrency: int) -> dict:
    """Keep-alive HTTP clients in threads; latency per request."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        connection = HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    with lock:
                        errors[0] += 1
                if response.will_close:
                    connection.close()
                    connection = HTTPConnection("127.0.0.1", port, timeout=30)
            except OSError:
                with lock:
                    errors[0] += 1
                connection.close()
                connection = HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    if not latencies:
        return {"requests": 0, "requests_per_second": 0.0, "p50_ms": 0.0, "p99_ms": 0.0, "errors": errors[0]}
    return {
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[min(int(len(latencies) * 0.99), len(latencies) - 1)] * 1000, 2),
        "errors": errors[0],
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")
