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
  one and dropped after (lab.clustering.scratch_db), never the project's
  database. Each size runs in its own child process on its own fresh
  database, so sizes differ only by history; they are timed one after another.

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
from datetime import UTC, datetime, timedelta

import numpy as np
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from lab.clustering import assign_bench
from lab.clustering.scratch_db import is_scratch, scratch_database

LIVE_STORIES = 2000  # stories open at once, as a busy deployment would have
DB_ARTICLES_PER_CALL = 10  # articles per StoryAssigner.assign call, as one task hands over
START = datetime(2026, 1, 1, tzinfo=UTC)
ENGINES = {"sqlite": f"SQLite file under {tempfile.gettempdir()}", "postgresql": "PostgreSQL database"}


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
        """One child process and one fresh scratch file per size, so every
        size starts from the same state and differs only by stored history."""
        sizes = [int(s) for s in options["db_sizes"].split(",") if s]
        walls, cpus, live_after = {}, {}, {}
        for size in sizes:
            with scratch_database(str(size)) as database:
                env = {**os.environ, **database, "DEBUG": "1"}
                command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench_assign", "--db-child"]
                command += ["--db-sizes", str(size), "--db-articles", str(options["db_articles"])]
                command += ["--db-repeats", str(options["db_repeats"])]
                done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
                lines = done.stdout.strip().splitlines()
                if done.returncode or not lines:
                    raise CommandError(f"database benchmark at {size} failed (exit {done.returncode})")
                child = json.loads(lines[-1])
            walls[size], cpus[size], live_after[size] = child["walls"], child["cpus"], child["live_after"]
        self.stdout.write(
            f"database: StoryAssigner.assign on a fresh scratch {ENGINES[connection.vendor]} "
            f"per size, {DB_ARTICLES_PER_CALL} articles per call, {LIVE_STORIES} live stories at start, "
            f"{options['db_repeats']} repeats x {options['db_articles']} articles per size (after a warm-up "
            "repeat); history = closed stories with one stored article (with embedding) each"
        )
        return self._table(sizes, walls, cpus, live_after)

    def _db_child(self, options):
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
        walls, cpus = [], []
        for repeat in range(options["db_repeats"] + 1):  # repeat 0 is the warm-up
            vectors = assign_bench.articles_near(live_vectors, options["db_articles"], rng)
            titles = assign_bench.synthetic_titles(len(vectors), rng)
            articles = assign_bench.add_db_waiting_articles(vectors, titles, f"r{repeat}", now)
            wall, cpu = assign_bench.time_db_assign(assigner, articles, DB_ARTICLES_PER_CALL, now)
            if repeat:
                walls.append(wall)
                cpus.append(cpu)
        self.stdout.write(json.dumps({"walls": walls, "cpus": cpus, "live_after": len(assigner.live)}))

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
