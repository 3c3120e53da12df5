"""Benchmark the readers' site at load size.

    python manage.py bench_site [--articles 100000] [--seconds 5] [--concurrency 4] [--json]
    python manage.py bench_site --articles 10000,100000,1000000   # the sweep

For each size:

1. builds a database of that many articles in its own SQLite file under
   var/bench/ (synthetic stories, articles, snapshots, topics and briefs,
   written in bulk: the shape of real data, not its words; kept for the
   next run), or with DATABASE_URL in a PostgreSQL database of its own,
   created beside that one and dropped after (lab.scratch_db);
2. counts the SQL queries and times one request of the front page, the
   fastest trend page and the biggest trend page (the story with the most
   articles), built afresh (page cache empty) and then from the cache;
3. serves it with gunicorn (DEBUG off, static files by WhiteNoise) and
   drives those three pages and a static file, one after the other in the
   same run, with a Python load generator (keep-alive HTTP clients in
   threads), printing requests/s, p50/p99 latency and each page's rate as
   a share of the static file's.

The page cache is the one CACHE_URL names (files under var/ by default); the
benchmark empties it before it measures, so never point it at production's.
The database is built by a child process (this command with --build-only)
so that its settings point at the bench's database, never the site's.
With --json the last line is one JSON object (keys in README)."""

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from lab.scratch_db import is_scratch, scratch_database
from lab.site_data import ARTICLES_PER_STORY, build_site_data

PAGES = ("front", "trend", "big_trend")


class Command(BaseCommand):
    help = "Build a load-size database, serve it with gunicorn and measure the site's pages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles", default="100000", help="articles in the database; a comma list runs a sweep"
        )
        parser.add_argument("--seconds", type=float, default=5.0, help="load per page")
        parser.add_argument("--concurrency", type=int, default=4)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument("--json", action="store_true", help="last line: the figures as one JSON object")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="SQLite: rebuild even if the file exists (a PostgreSQL database is always new)",
        )
        parser.add_argument("--build-only", action="store_true", help=argparse_hidden())
        parser.add_argument("--count-only", help=argparse_hidden())

    def handle(self, *args, **options):
        try:
            sizes = [int(n) for n in str(options["articles"]).split(",") if n.strip()]
        except ValueError:
            raise CommandError("--articles takes whole numbers, e.g. 100000 or 10000,100000") from None
        if not sizes or min(sizes) < ARTICLES_PER_STORY:
            raise CommandError(f"--articles needs at least {ARTICLES_PER_STORY} articles")
        if options["build_only"]:
            self._build(sizes[0])
            return
        if options["count_only"]:
            Path(options["count_only"]).write_text(json.dumps(_count_pages()))
            return
        runs = [self._run(size, options) for size in sizes]
        self._report(runs, options)

    # --- one size --------------------------------------------------------------

    def _run(self, size: int, options) -> dict:
        bench_dir = Path(settings.VAR_DIR) / "bench"
        bench_dir.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "postgresql":
            with scratch_database(f"site_{size}") as database_env:
                return self._run_on(size, bench_dir, database_env, options)
        # SQLite files are kept for the next run: a million articles take minutes to build.
        db_path = bench_dir / f"site-{size}.sqlite3"
        if options["rebuild"] and db_path.exists():
            db_path.unlink()
        return self._run_on(size, bench_dir, {"SQLITE_PATH": str(db_path)}, options)

    def _run_on(self, size: int, bench_dir: Path, database_env: dict, options) -> dict:
        env = dict(os.environ, DEBUG="1", LOG_LEVEL="WARNING", **database_env)
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
        subprocess.run([*manage, "createcachetable"], env=env, check=True)
        subprocess.run([*manage, "bench_site", "--build-only", "--articles", str(size)], env=env, check=True)
        counts_file = bench_dir / f"site-{size}.counts.json"
        subprocess.run([*manage, "bench_site", "--count-only", str(counts_file)], env=env, check=True)
        counts = json.loads(counts_file.read_text())
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)

        port = _free_port()
        server_env = dict(env, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(40))
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
        targets = {name: counts["pages"][name]["path"] for name in PAGES}
        targets["static"] = settings.STATIC_URL + "css/site.css"
        try:
            _wait_for(port)
            loads = _load_in_turns(port, targets, options["seconds"], options["concurrency"])
        finally:
            server.terminate()
            server.wait(timeout=20)
        return {"articles": counts["articles"], "stories": counts["stories"], "loads": loads, **counts}

    def _report(self, runs: list[dict], options) -> None:
        self.stdout.write(
            f"gunicorn {options['workers']} workers, {options['concurrency']} clients, "
            f"{options['seconds']:.0f} s per page; database {runs[0]['database']}, cache {runs[0]['cache']}"
        )
        header = (
            f"{'articles':>9} {'page':<10} {'req/s':>8} {'x static':>8} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'err':>4} {'SQL built':>9} {'SQL cached':>10} {'built ms':>8} {'rebuilt ms':>10} "
            f"{'KB':>6}  path"
        )
        self.stdout.write(header)
        summaries = []
        for run in runs:
            static = run["loads"]["static"]["requests_per_second"] or 1.0
            summary = {"articles": run["articles"], "stories": run["stories"]}
            for name in (*PAGES, "static"):
                load = run["loads"][name]
                page = run["pages"].get(name, {})
                ratio = load["requests_per_second"] / static
                self.stdout.write(
                    f"{run['articles']:>9} {name:<10} {load['requests_per_second']:>8.1f} {ratio:>8.2f} "
                    f"{load['p50_ms']:>7.1f} {load['p99_ms']:>7.1f} {load['errors']:>4} "
                    f"{page.get('queries_built', '-'):>9} {page.get('queries_cached', '-'):>10} "
                    f"{page.get('built_ms', '-'):>8} {page.get('rebuilt_ms', '-'):>10} "
                    f"{page.get('bytes', 0) / 1024:>6.1f}  "
                    f"{page.get('path', settings.STATIC_URL + 'css/site.css')}"
                    + (f"  ({page['articles']} articles)" if "articles" in page else "")
                )
                summary[f"{name}_rps"] = load["requests_per_second"]
                summary[f"{name}_p50_ms"] = load["p50_ms"]
                summary[f"{name}_p99_ms"] = load["p99_ms"]
                summary[f"{name}_errors"] = load["errors"]
                if name != "static":
                    summary[f"{name}_ratio"] = round(ratio, 3)
                    summary[f"{name}_queries"] = page["queries_built"]
                    summary[f"{name}_cached_queries"] = page["queries_cached"]
                    summary[f"{name}_built_ms"] = page["built_ms"]
                    summary[f"{name}_rebuilt_ms"] = page["rebuilt_ms"]
                    summary[f"{name}_bytes"] = page["bytes"]
            summary["big_trend_articles"] = run["pages"]["big_trend"]["articles"]
            summaries.append(summary)
        if options["json"]:
            # The largest size at the top level; every size under "sweep".
            figures = dict(summaries[-1])
            figures.update(
                database=runs[0]["database"],
                cache=runs[0]["cache"],
                concurrency=options["concurrency"],
                gunicorn_workers=options["workers"],
                seconds_per_page=options["seconds"],
                sweep=summaries,
            )
            self.stdout.write(json.dumps(figures))

    # --- building the load-size database (in the child process) ------------

    def _build(self, article_total: int) -> None:
        from trends.models import Story

        if connection.vendor == "postgresql" and not is_scratch():
            raise CommandError("refusing to fill a database bench_site did not create")
        if Story.objects.exists():
            return  # a SQLite file built by an earlier run
        from ingest import clock
        from ingest.models import ReplayClock

        built_at = clock.now()
        build_site_data(article_total)
        ReplayClock.objects.create(simulated_start=built_at, real_start=built_at, speed=1.0)
        # A live PostgreSQL database has planner statistics (autovacuum keeps
        # them); right after a bulk load it has none, and the planner guessed a
        # nested loop over 25,000 topic links for the related trends.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # A page cached for another database of the same name must not answer for this one.
        from django.core.cache import cache

        cache.clear()


def _restart_clock() -> None:
    """Surge's clock runs on from the moment the data was built (a replay
    clock at speed 1), so a database built days ago still has live trends."""
    from django.db.models import Max
    from django.utils import timezone

    from ingest import clock
    from ingest.models import ReplayClock
    from trends.models import Story

    built_at = ReplayClock.objects.values_list("simulated_start", flat=True).first()
    built_at = built_at or Story.objects.aggregate(last=Max("last_seen_at"))["last"]
    ReplayClock.objects.all().delete()
    ReplayClock.objects.create(simulated_start=built_at, real_start=timezone.now(), speed=1.0)
    clock.reset_cache()


def _count_pages() -> dict:
    """Queries, time and size of each page built afresh, then from the cache."""
    from django.core.cache import cache
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from ingest import clock
    from ingest.models import Article
    from web.caching import page_key
    from web.queries import public_stories

    _restart_clock()
    cache.clear()
    top = public_stories().order_by("-velocity").first()
    biggest = public_stories().order_by("-article_count", "id").first()
    paths = {
        "front": ("/", None),
        "trend": (f"/trend/{top.pk}/", top.article_count),
        "big_trend": (f"/trend/{biggest.pk}/", biggest.article_count),
    }
    client = Client()
    for path, _articles in paths.values():  # templates compiled, database pages warm
        client.get(path, HTTP_HOST="127.0.0.1")
    cache.clear()
    pages = {}
    for name, (path, articles) in paths.items():
        figures = {"path": path}
        if articles is not None:
            figures["articles"] = articles
        # built: nothing cached; cached: the page as the cache serves it;
        # rebuilt: the page again once its minute is over (the story unchanged).
        for state in ("built", "cached", "rebuilt"):
            if state == "rebuilt":
                cache.delete(page_key(RequestFactory().get(path, HTTP_HOST="127.0.0.1")))
            clock.reset_cache()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, HTTP_HOST="127.0.0.1")
            figures[f"{state}_ms"] = round((time.perf_counter() - started) * 1000, 1)
            if response.status_code != 200:
                raise CommandError(f"{path} answered {response.status_code}")
            figures[f"queries_{state}"] = len(captured)
        figures["bytes"] = len(response.content)
        pages[name] = figures
    database = settings.DATABASES["default"]
    return {
        "articles": Article.objects.count(),
        "stories": public_stories().count(),
        "pages": pages,
        "database": database["ENGINE"].rsplit(".", 1)[-1],
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
    }


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS


TURN_SECONDS = 0.5


def _load_in_turns(port: int, targets: dict[str, str], seconds: float, concurrency: int) -> dict:
    """Each target loaded for `seconds` in all, in turns of TURN_SECONDS one
    after the other, so that a change in the machine's other load between
    the start and the end of the run weighs on every target alike."""
    for path in targets.values():
        _load(port, path, 0.5, concurrency)  # warm-up
    turns = max(round(seconds / TURN_SECONDS), 1)
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for _ in range(turns):
        for name, path in targets.items():
            runs[name].append(_load(port, path, seconds / turns, concurrency))
    loads = {}
    for name, parts in runs.items():
        latencies = sorted(ms for part in parts for ms in part["latencies_ms"])
        elapsed = sum(part["seconds"] for part in parts)
        loads[name] = {
            "requests": len(latencies),
            "requests_per_second": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 2) if latencies else 0.0,
            "p99_ms": round(latencies[min(int(len(latencies) * 0.99), len(latencies) - 1)], 2)
            if latencies
            else 0.0,
            "errors": sum(part["errors"] for part in parts),
        }
    return loads


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
    return {
        "seconds": time.perf_counter() - started,
        "latencies_ms": [seconds * 1000 for seconds in latencies],
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
