"""End-to-end crawl benchmark with real workers.

Serves N feeds x M items, each item with an article page (real article texts
from ../shared/data/giveme5w1h), from a local HTTP server, and lets real
Celery worker processes poll, fetch, extract, embed and assign them, on a
temporary file-system broker and a temporary SQLite file (never
var/surge.sqlite3). Stage times come from ingest.timing's log, written by
every worker process and added up here.

First it measures the bare model: the same texts the workers will embed
(title and feed summary), embedded in batches by this process with the
workers' settings (TORCH_THREADS threads, EMBEDDING_BATCH_SIZE), after a
warm-up pass over the same texts. Then it starts the workers, waits until each has loaded its
model (they do so at start, see trends.tasks) and times the crawl from the
first poll to the last article in a story. `ratio` is the crawl's
articles/s over the bare model's texts/s, the mean of two measurements, one
before the workers start and one after they stop: this machine's speed drifts
by a fifth between runs a minute apart, and bracketing the crawl cancels a
steady drift instead of charging it to one side. The stories' words (their own
task, after each burst) are waited for too: `words_done_seconds` is when the
last of them was written, and their time is in the stage table.

The command re-runs itself as a "driver" process whose environment points
Django at the temporary database, so this process never opens the real one."""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ingest.timing import STAGES, read_totals
from lab.crawl_bench.bare_model import bare_embedding_rates, bare_rate
from lab.crawl_bench.feeds import BenchServer, load_texts
from lab.crawl_bench.workers import (
    cpu_seconds,
    machine_ticks,
    per_article,
    shares_of_machine,
    start_worker,
    stop_workers,
    wait_until_idle,
    wait_until_ready,
)

# How often the driver counts the articles in stories. The crawl's end is read
# to within this: a 0.5 s tick added 0.25 s on average to a 5 s crawl.
SETTLE_TICK = 0.05


class Command(BaseCommand):
    help = (
        "Crawl N local feeds x M items end to end with real workers; print feeds/s, articles/s, stage shares."
    )

    def add_arguments(self, parser):
        parser.add_argument("--feeds", type=int, default=20)
        parser.add_argument("--items", type=int, default=20)
        parser.add_argument("--workers", type=int, default=2, help="worker processes (solo pool each)")
        parser.add_argument("--timeout", type=float, default=900, help="give up after this many seconds")
        parser.add_argument(
            "--page-latency",
            type=float,
            default=0.0,
            help="seconds the local server waits before each answer, as a distant outlet's would "
            "(default 0: the goal's setting; e.g. 0.2 shows what fetching costs on the real web)",
        )
        parser.add_argument("--json", action="store_true", help="last line: one JSON object")
        parser.add_argument("--driver-dir", help=argparse.SUPPRESS)

    def handle(self, *args, **opts):
        if opts["driver_dir"]:
            return self._drive(opts)
        workdir = Path(tempfile.mkdtemp(prefix="surge-bench-"))
        env = {
            **os.environ,
            # Workers as they run in production: DEBUG off (on, Django also
            # records every query, about a millisecond an article).
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "SURGE_VAR_DIR": str(workdir),
            "SQLITE_PATH": str(workdir / "bench.sqlite3"),
            "CELERY_BROKER_URL": "filesystem://",
            "ALLOW_PRIVATE_ADDRESSES": "1",
            "HOST_MIN_DELAY_SECONDS": "0",
            "HOST_MAX_CONCURRENT": "8",
            "FEEDS_PER_TICK": str(max(opts["feeds"], 1)),
            "SURGE_TIMING_LOG": str(workdir / "timing.log"),
            "LOAD_DEFAULT_FEEDS": "0",
            "TORCH_THREADS": "1",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("DATABASE_URL", None)
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench_crawl"]
        command += [
            "--feeds",
            str(opts["feeds"]),
            "--items",
            str(opts["items"]),
            "--workers",
            str(opts["workers"]),
        ]
        command += ["--timeout", str(opts["timeout"]), "--page-latency", str(opts["page_latency"])]
        command += ["--driver-dir", str(workdir)]
        if opts["json"]:
            command.append("--json")
        try:
            done = subprocess.run(command, env=env, check=False)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        if done.returncode:
            raise CommandError(f"benchmark driver failed (exit {done.returncode})")

    # --- the driver, in the temporary environment ------------------------------

    def _drive(self, opts):
        from ingest.models import Article, Feed, Source

        workdir = Path(opts["driver_dir"])
        n_feeds, n_items = opts["feeds"], opts["items"]
        call_command("migrate", verbosity=0)
        server = BenchServer(n_feeds, n_items, load_texts(), latency=opts["page_latency"])
        for i in range(n_feeds):
            source = Source.objects.create(name=f"Bench outlet {i}", domain=f"bench{i}.example")
            Feed.objects.create(url=server.url(f"/feed/{i}.xml"), source=source)
        expected = n_feeds * n_items

        bare_texts = server.texts_to_embed()
        bare = bare_embedding_rates(bare_texts, opts["workers"])
        workers = [start_worker(workdir, f"bench{n}") for n in range(opts["workers"])]
        try:
            from ingest.tasks import poll_due_feeds

            wait_until_ready(workers)
            cpu_at_start, ticks_at_start = cpu_seconds(workers), machine_ticks()
            started = time.monotonic()
            poll_due_feeds.delay()
            feeds_done_at = first_in_story_at = None
            with tqdm(total=expected, desc="articles in stories", unit="art", file=sys.stderr) as bar:
                while True:
                    time.sleep(SETTLE_TICK)
                    if any(w.poll() is not None for w in workers):
                        raise CommandError("a worker exited early; see its log above")
                    if (
                        feeds_done_at is None
                        and not Feed.objects.filter(last_polled_at__isnull=True).exists()
                    ):
                        feeds_done_at = time.monotonic()
                    settled = Article.objects.filter(story__isnull=False).count()
                    settled += Article.objects.filter(stage=Article.Stage.FAILED).count()
                    bar.update(settled - bar.n)
                    if settled and first_in_story_at is None:
                        first_in_story_at = time.monotonic()
                    if settled >= expected or time.monotonic() - started > opts["timeout"]:
                        break
            elapsed = time.monotonic() - started
            cpu_at_crawl_end, ticks_at_crawl_end = cpu_seconds(workers), machine_ticks()
            # The words stage runs in its own tasks after the bursts: wait for
            # it too, so its time is counted and reported beside the crawl's.
            words_elapsed = wait_until_idle(workers, opts["timeout"]) and time.monotonic() - started
            cpu_at_idle = cpu_seconds(workers)
        finally:
            stop_workers(workers)
            server.stop()
        _bracket(bare, *bare_rate(bare_texts))

        stored = Article.objects.count()
        assigned = Article.objects.filter(story__isnull=False).count()
        timing_log = workdir / "timing.log"
        totals = read_totals(timing_log) if timing_log.exists() else dict.fromkeys(STAGES, 0.0)
        staged = sum(totals[s] for s in STAGES) or 1.0
        result = {
            "feeds": n_feeds,
            "items_per_feed": n_items,
            "page_latency_seconds": opts["page_latency"],
            "workers": opts["workers"],
            "articles_stored": stored,
            "articles_assigned": assigned,
            "duplicates_linked": Article.objects.filter(duplicate_of__isnull=False).count(),
            "with_page_text": Article.objects.exclude(text="").count(),
            "wall_seconds": round(elapsed, 2),
            "feeds_per_second": round(n_feeds / (feeds_done_at - started), 2) if feeds_done_at else 0.0,
            "articles_per_second": round(assigned / elapsed, 2),
            "first_in_story_seconds": round(first_in_story_at - started, 2) if first_in_story_at else None,
            "words_done_seconds": round(words_elapsed, 2) if words_elapsed else None,
            "bare_embed_per_second": bare["per_second"],
            "bare_embed_per_second_before": bare["per_second_before"],
            "bare_embed_per_second_after": bare["per_second_after"],
            "bare_embed_per_second_all_threads": bare["all_threads_per_second"],
            "ratio": round(assigned / elapsed / bare["per_second"], 3),
            # CPU the worker processes used (all their threads), per article: what
            # the ratio comes to when nothing else shares the cores.
            "bare_embed_cpu_ms": bare["cpu_ms_per_text"],
            "worker_cpu_ms_per_article": per_article(cpu_at_start, cpu_at_crawl_end, assigned),
            "words_cpu_ms_per_article": per_article(cpu_at_crawl_end, cpu_at_idle, assigned),
            # Where the machine's cores went while the workers crawled.
            "machine_share": shares_of_machine(
                ticks_at_start, ticks_at_crawl_end, cpu_at_start, cpu_at_crawl_end
            ),
            "stage_seconds": {s: round(totals[s], 2) for s in STAGES},
            "stage_share": {s: round(totals[s] / staged, 3) for s in STAGES},
            "stage_ms_per_article": {s: round(1000 * totals[s] / max(assigned, 1), 2) for s in STAGES},
        }
        self.stdout.write(
            f"bare model: {bare['per_second']} texts/s ({bare['per_second_before']} before the crawl, "
            f"{bare['per_second_after']} after; {bare['threads']} torch thread(s) a process, "
            f"batch {bare['batch_size']}); {bare['all_threads_per_second']} texts/s with "
            f"{bare['all_threads']} threads, the workers' total"
        )
        self.stdout.write(
            f"{n_feeds} feeds x {n_items} items, {opts['workers']} workers: {stored} stored, "
            f"{assigned} in stories ({result['with_page_text']} with page text, "
            f"{result['duplicates_linked']} near-duplicates linked) in {elapsed:.1f} s"
        )
        self.stdout.write(
            f"feeds/s {result['feeds_per_second']}  articles/s {result['articles_per_second']}  "
            f"= {result['ratio']:.2f}x the bare model (workers started and their models loaded first)"
        )
        if result["worker_cpu_ms_per_article"] is not None:
            cpu_ratio = opts["workers"] * bare["cpu_ms_per_text"] / result["worker_cpu_ms_per_article"]
            result["cpu_ratio"] = round(min(cpu_ratio, opts["workers"]), 3)
            self.stdout.write(
                f"CPU: {result['worker_cpu_ms_per_article']} ms of worker CPU an article while crawling "
                f"(+{result['words_cpu_ms_per_article']} for the words after), bare model "
                f"{bare['cpu_ms_per_text']} ms a text: {result['cpu_ratio']:.2f}x with a core per worker"
            )
        shares = result["machine_share"]
        if shares["idle"] is not None:
            self.stdout.write(
                f"the machine's cores while crawling: {shares['workers']:.1%} the workers, "
                f"{shares['others']:.1%} other processes (this benchmark's feed server included), "
                f"{shares['idle']:.1%} idle"
            )
        if words_elapsed:
            self.stdout.write(f"every story's words refreshed {words_elapsed:.1f} s after the first poll")
        else:
            self.stdout.write("the words stage did not finish in time")
        for stage in STAGES:
            self.stdout.write(
                f"  {stage:<8} {totals[stage]:8.2f} s  {100 * totals[stage] / staged:5.1f} %  "
                f"{result['stage_ms_per_article'][stage]:7.2f} ms/article"
            )
        if opts["json"]:
            self.stdout.write(json.dumps(result))
        if assigned < expected:
            raise CommandError(f"only {assigned} of {expected} articles reached a story in time")


def _bracket(bare: dict, per_second_after: float, cpu_ms_after: float) -> None:
    """The bare rate and CPU a text become the means of the measurements before and after the crawl."""
    bare["per_second_before"], bare["per_second_after"] = bare["per_second"], per_second_after
    bare["per_second"] = round((bare["per_second"] + per_second_after) / 2, 2)
    bare["cpu_ms_per_text"] = round((bare["cpu_ms_per_text"] + cpu_ms_after) / 2, 2)
