"""Per-article assignment time at several stored-history sizes.

    manage.py bench_assign [--sizes 10000,100000,1000000] [--db-sizes 10000,100000,1000000] [--json]

Two figures, both with synthetic unit vectors, synthetic six-word titles (so
the title-term part of the rule runs) and a fixed live set:

- in memory: trends.stories.clustering.OnlineClusterer.assign (choose_story: the
  centroid index, then the join scorer on the nearest live stories; the
  profile update; stale-story closing) after streaming `size`
  stories through it on a simulated clock (opened, then closed after
  STORY_LIVE_HOURS). One clusterer per size is built first, then the timed
  repeats go round the sizes in turn, so a change in machine load hits every
  size alike. Median of the repeats per size.
- through the database: trends.stories.assignment.StoryAssigner.assign (lock, sync,
  close-stale, story writes) on a scratch database that holds `size` closed
  stories with one article each, plus the live set: a SQLite file under /tmp,
  or with DATABASE_URL a PostgreSQL database created beside the configured
  one and dropped after (lab.scratch_db), never the project's
  database. Each size runs in its own child process on its own fresh
  database, so sizes differ only by history; the children fill their
  databases side by side, then the timed repeats go round the sizes in turn.

Each figure is wall-clock and process CPU time per article; "spread" is
(slowest median - fastest median) / fastest median across sizes. The JSON
line also carries the headline figures flat: memory_us and db_us (stored
stories -> wall us/article) and memory_spread and db_spread (wall)."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta

import numpy as np
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from lab.clustering import assign_bench
from lab.scratch_db import is_scratch, scratch_database

LIVE_STORIES = 2000  # stories open at once, as a busy deployment would have
DB_ARTICLES_PER_CALL = 10  # articles per StoryAssigner.assign call, as one task hands over
START = datetime(2026, 1, 1, tzinfo=UTC)
ENGINES = {"sqlite": f"SQLite file under {tempfile.gettempdir()}", "postgresql": "PostgreSQL database"}


class _Child:
    """A --db-child process: one JSON line back for each line sent."""

    def __init__(self, size: int, process: subprocess.Popen):
        self.size, self.process = size, process

    def read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            raise CommandError(f"database benchmark at {self.size} failed (exit {code})")
        return json.loads(line)

    def ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.read()


@contextmanager
def _db_child_process(size: int, options):
    """A child that fills a scratch database with `size` stored stories and
    times repeats on request; its database is dropped when it is done."""
    with scratch_database(str(size)) as database:
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_assign", "--db-child"]
        command += ["--db-sizes", str(size), "--db-articles", str(options["db_articles"])]
        env = {**os.environ, **database, "DEBUG": "1"}
        process = subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            yield _Child(size, process)
        finally:
            if process.poll() is None:
                process.stdin.close()
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


class Command(BaseCommand):
    help = "Benchmark per-article story assignment against stored-history size."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="10000,100000,1000000", help="in-memory history sizes")
        parser.add_argument(
            "--db-sizes",
            default="10000,100000,1000000",
            help="database history sizes ('' skips the database part)",
        )
        parser.add_argument("--repeats", type=int, default=7)
        parser.add_argument("--articles", type=int, default=1000, help="in memory: articles per repeat")
        parser.add_argument("--db-articles", type=int, default=200, help="database: articles per repeat")
        parser.add_argument("--db-repeats", type=int, default=5)
        parser.add_argument("--json", action="store_true")
        # Internal: the child process that runs the database part on a scratch database.
        parser.add_argument("--db-child", action="store_true", help="(internal)")

    def handle(self, *args, **options):
        if options["db_child"]:
            self._db_child(options)
            return
        report = {"live_stories": LIVE_STORIES}
        sizes = [int(s) for s in options["sizes"].split(",") if s]
        if sizes:
            report["memory"] = self._memory(sizes, options)
        db_sizes = [int(s) for s in options["db_sizes"].split(",") if s]
        if db_sizes:
            report["database"] = self._database(options)
        for key, part in (("memory", "memory"), ("db", "database")):
            if part in report:
                rows = report[part]["sizes"]
                report[f"{key}_us"] = {str(r["history_stories"]): r["us_per_article_wall"] for r in rows}
                report[f"{key}_spread"] = report[part]["spread_wall"]
        if options["json"]:
            self.stdout.write(json.dumps(report))

    # --- in memory -----------------------------------------------------------

    def _memory(self, sizes, options):
        rng = np.random.default_rng(7)
        built = {}
        for size in sizes:
            clusterer, clock, step = assign_bench.memory_clusterer_with_history(
                size, LIVE_STORIES, START, rng
            )
            built[size] = [clusterer, clock, step]
        walls = {size: [] for size in sizes}
        cpus = {size: [] for size in sizes}
        for repeat in range(options["repeats"] + 1):  # repeat 0 is the warm-up, not counted
            for size in sizes:
                clusterer, clock, step = built[size]
                centroids = assign_bench.live_centroids(clusterer)
                vectors = assign_bench.articles_near(centroids, options["articles"], rng)
                titles = assign_bench.synthetic_titles(len(vectors), rng)
                wall, cpu, built[size][1] = assign_bench.time_memory_assign(
                    clusterer, vectors, titles, clock, step
                )
                if repeat:
                    walls[size].append(wall)
                    cpus[size].append(cpu)
        self.stdout.write(
            f"in memory: OnlineClusterer.assign, {LIVE_STORIES} live stories, "
            f"{options['repeats']} repeats x {options['articles']} articles per size (after a warm-up repeat)"
        )
        return self._table(sizes, walls, cpus, {s: len(built[s][0].live) for s in sizes})

    # --- through the database ------------------------------------------------

    def _database(self, options):
        """One child process and one fresh scratch database per size, so every
        size starts from the same state and differs only by stored history.
        The children fill their databases side by side, then the timed
        repeats go round the sizes in turn, as in memory: a change of machine
        speed during the run hits every size alike instead of one."""
        sizes = [int(s) for s in options["db_sizes"].split(",") if s]
        walls = {size: [] for size in sizes}
        cpus = {size: [] for size in sizes}
        with ExitStack() as stack:
            children = {size: stack.enter_context(_db_child_process(size, options)) for size in sizes}
            for child in children.values():
                child.read()  # ready: its history is stored
            for repeat in range(options["db_repeats"] + 1):  # repeat 0 is the warm-up
                for size, child in children.items():
                    timed = child.ask("time")
                    if repeat:
                        walls[size].append(timed["wall"])
                        cpus[size].append(timed["cpu"])
            live_after = {size: child.ask("stop")["live_after"] for size, child in children.items()}
        self.stdout.write(
            f"database: StoryAssigner.assign on a fresh scratch {ENGINES[connection.vendor]} "
            f"per size, {DB_ARTICLES_PER_CALL} articles per call, {LIVE_STORIES} live stories at start, "
            f"{options['db_repeats']} repeats x {options['db_articles']} articles per size (after a warm-up "
            "repeat, sizes in turn); history = closed stories with one stored article (with embedding) each"
        )
        return self._table(sizes, walls, cpus, live_after)

    def _db_child(self, options):
        """Fills its scratch database, says it is ready, then times one repeat
        each time the parent writes "time" and answers "stop" with its live
        story count."""
        from trends.stories.assignment import StoryAssigner

        if not is_scratch():
            name = connection.settings_dict["NAME"]
            raise CommandError(f"refusing to fill {name}: the database part runs on a scratch database only")
        call_command("migrate", verbosity=0)
        size = int(options["db_sizes"])
        rng = np.random.default_rng(11)
        now = START
        live_vectors = assign_bench.add_db_live_stories(LIVE_STORIES, now, settings.STORY_LIVE_HOURS, rng)
        assign_bench.add_db_history(size, 0, now - timedelta(days=3), rng)  # long closed
        assigner = StoryAssigner()  # a worker starting up: its cold sync loads open stories only
        self._answer({"ready": size})
        for repeat, command in enumerate(sys.stdin):
            if command.strip() != "time":
                break
            vectors = assign_bench.articles_near(live_vectors, options["db_articles"], rng)
            titles = assign_bench.synthetic_titles(len(vectors), rng)
            articles = assign_bench.add_db_waiting_articles(vectors, titles, f"r{repeat}", now)
            wall, cpu = assign_bench.time_db_assign(assigner, articles, DB_ARTICLES_PER_CALL, now)
            self._answer({"wall": wall, "cpu": cpu})
        self._answer({"live_after": len(assigner.live)})

    def _answer(self, message: dict):
        self.stdout.write(json.dumps(message))
        self.stdout.flush()

    # --- output --------------------------------------------------------------

    def _table(self, sizes, walls, cpus, live_after):
        rows = []
        self.stdout.write(
            f"{'history':>10}{'live after':>12}{'wall us/article':>17}{'(min-max)':>20}{'CPU us/article':>16}"
        )
        for size in sizes:
            wall, cpu = statistics.median(walls[size]), statistics.median(cpus[size])
            rows.append(
                {
                    "history_stories": size,
                    "live_after": live_after[size],
                    "us_per_article_wall": round(wall, 1),
                    "us_per_article_cpu": round(cpu, 1),
                    "wall_repeats": [round(w, 1) for w in walls[size]],
                }
            )
            span = f"({min(walls[size]):.1f}-{max(walls[size]):.1f})"
            self.stdout.write(f"{size:>10}{live_after[size]:>12}{wall:>17.1f}{span:>20}{cpu:>16.1f}")
        result = {"sizes": rows}
        for key in ("wall", "cpu"):
            medians = [r[f"us_per_article_{key}"] for r in rows]
            spread = (max(medians) - min(medians)) / min(medians) if min(medians) else 0.0
            result[f"spread_{key}"] = round(spread, 4)
        self.stdout.write(
            f"spread between sizes: wall {result['spread_wall']:.1%}, CPU {result['spread_cpu']:.1%} "
            "(flat means within 25%)"
        )
        return result
