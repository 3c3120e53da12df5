"""How long the work of a crashed worker waits before another worker takes it
over, measured with real processes.

One local feed of N items whose article pages answer slowly, a real Celery
beat and a real worker process (solo pool: the process doing the work is the
one killed). Once the worker is part-way through its batch it is killed with
SIGKILL (no clean-up of any kind), a second worker is started, and the clock
runs until every article is in a story. Printed: the seconds from the kill
until the second worker claims the dead batch, and until every article is
assigned; every article must be stored once and assigned.

Runs on a temporary SQLite file and file-system broker, like bench_crawl."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from lab.crawl_bench.feeds import BenchServer, load_texts
from lab.crawl_bench.workers import start_celery, start_worker


class SlowPages(BenchServer):
    """bench_crawl's server, with article pages that take `delay` seconds."""

    def __init__(self, n_items: int, texts: list[dict], delay: float):
        self.delay = delay
        super().__init__(1, n_items, texts)

    def respond(self, path: str):
        if path.startswith("/article/"):
            time.sleep(self.delay)
        return super().respond(path)


class Command(BaseCommand):
    help = "Kill a real worker mid-batch; print how long until another worker has taken its work over."

    def add_arguments(self, parser):
        parser.add_argument(
            "--items", type=int, default=24, help="articles in the feed (one batch: at most 32)"
        )
        parser.add_argument("--page-delay", type=float, default=1.0, help="seconds each article page takes")
        parser.add_argument("--kill-after", type=int, default=3, help="kill once this many are extracted")
        parser.add_argument("--timeout", type=float, default=1500, help="give up after this many seconds")
        parser.add_argument("--json", action="store_true", help="last line: one JSON object")
        parser.add_argument("--driver-dir", help=argparse.SUPPRESS)

    def handle(self, *args, **opts):
        if opts["driver_dir"]:
            return self._drive(opts)
        workdir = Path(tempfile.mkdtemp(prefix="surge-recovery-"))
        env = {
            **os.environ,
            "DEBUG": "1",
            "SURGE_VAR_DIR": str(workdir),
            "SQLITE_PATH": str(workdir / "bench.sqlite3"),
            "CELERY_BROKER_URL": "filesystem://",
            "ALLOW_PRIVATE_ADDRESSES": "1",
            "HOST_MIN_DELAY_SECONDS": "0",
            "HOST_MAX_CONCURRENT": "8",
            "LOAD_DEFAULT_FEEDS": "0",
            "TORCH_THREADS": "1",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("DATABASE_URL", None)
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench_recovery"]
        for name in ("items", "page_delay", "kill_after", "timeout"):
            command += [f"--{name.replace('_', '-')}", str(opts[name])]
        command += ["--driver-dir", str(workdir)] + (["--json"] if opts["json"] else [])
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
        items = opts["items"]
        call_command("migrate", verbosity=0)
        server = SlowPages(items, load_texts(), opts["page_delay"])
        source = Source.objects.create(name="Recovery outlet", domain="recovery.example")
        Feed.objects.create(url=server.url("/feed/0.xml"), source=source)

        processes = {"beat": start_celery(workdir, "beat", "beat", "--loglevel", "WARNING", own_session=True)}
        processes["first"] = start_worker(workdir, "first", own_session=True)
        started = time.monotonic()
        try:
            first_token = _wait_until_mid_batch(opts, processes["first"], started)
            os.killpg(processes["first"].pid, signal.SIGKILL)
            killed_at = time.monotonic()
            processes["first"].wait()
            dead_batch = list(Article.objects.filter(claim_token=first_token).values_list("pk", flat=True))
            held = len(dead_batch)
            self.stderr.write(f"killed the worker holding {held} claimed articles")
            processes["second"] = start_worker(workdir, "second", own_session=True)
            taken_over = None
            with tqdm(
                total=items, desc="articles in stories", unit="art", file=sys.stderr, mininterval=5
            ) as bar:
                while True:
                    time.sleep(0.25)
                    if processes["second"].poll() is not None:
                        raise CommandError("the second worker exited; see its log")
                    # Taken over: the dead batch's claim gave way to another.
                    if (
                        taken_over is None
                        and Article.objects.filter(pk__in=dead_batch)
                        .exclude(claim_token=first_token)
                        .exists()
                    ):
                        taken_over = time.monotonic()
                    assigned = Article.objects.filter(stage=Article.Stage.ASSIGNED).count()
                    bar.update(assigned - bar.n)
                    if assigned >= items or time.monotonic() - killed_at > opts["timeout"]:
                        break
            recovered = time.monotonic()
        finally:
            for process in processes.values():
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            server.stop()

        stored = Article.objects.count()
        distinct = Article.objects.values("canonical_url").distinct().count()
        assigned = Article.objects.filter(stage=Article.Stage.ASSIGNED, story__isnull=False).count()
        result = {
            "items": items,
            "claim_lease_seconds": getattr(settings, "CLAIM_LEASE_SECONDS", None),
            "poll_tick_seconds": settings.POLL_TICK_SECONDS,
            "held_by_killed_worker": held,
            "takeover_seconds": round(taken_over - killed_at, 1) if taken_over else None,
            "recovery_seconds": round(recovered - killed_at, 1),
            "articles_stored": stored,
            "distinct_urls": distinct,
            "articles_assigned": assigned,
        }
        self.stdout.write(
            f"worker killed holding {held} of {items} articles; "
            f"taken over after {result['takeover_seconds']} s, "
            f"every article in a story {result['recovery_seconds']} s after the kill "
            f"({stored} stored, {distinct} distinct, {assigned} assigned)"
        )
        if opts["json"]:
            self.stdout.write(json.dumps(result))
        if assigned < items or stored != items or distinct != items:
            raise CommandError(f"{assigned} of {items} assigned, {stored} stored: work was lost or doubled")


def _wait_until_mid_batch(opts, worker, started) -> str:
    """The claim token of the batch the first worker is working through,
    once `kill_after` of its articles are extracted."""
    from ingest.models import Article
    from ingest.tasks import poll_due_feeds

    poll_due_feeds.delay()
    while time.monotonic() - started < opts["timeout"]:
        time.sleep(0.1)
        if worker.poll() is not None:
            raise CommandError("the first worker exited early; see its log")
        batch = Article.objects.exclude(claim_token="")
        extracted = batch.filter(stage=Article.Stage.EXTRACTED).count()
        token = batch.values_list("claim_token", flat=True).first()
        if token and extracted >= opts["kill_after"]:
            return token
    raise CommandError("the first worker never got part-way through a batch")
