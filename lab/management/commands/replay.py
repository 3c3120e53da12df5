"""Replay a recorded news stream through Surge's real crawler and workers."""

import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from ingest import clock
from ingest.models import Article, Feed, ReplayClock, Source
from ingest.outlets import publisher_name
from lab.newsriver import feed_category_hints, read_stream
from lab.replay.feed_server import ReplayFeeds, start_server
from lab.replay.pages import read_full_text_stream
from surge.celery import celery_command
from trends.measure.hourly import floor_hour
from trends.models import Story, StorySnapshot
from trends.tasks import update_hourly_snapshots

# What the spawned workers need for a replay: the feeds live on 127.0.0.1,
# the article pages are on the internet (unreachable offline), the beat must
# tick often because one real second is many replayed minutes, and the one
# local host stands in for some eighty outlets, so per-host politeness limits
# sized for one real site would throttle the whole replay.
WORKER_ENV = {
    "HOST_MAX_CONCURRENT": "64",
    "HOST_MIN_DELAY_SECONDS": "0",
    "ALLOW_PRIVATE_ADDRESSES": "1",
    "FETCH_ARTICLE_PAGES": "0",
    "POLL_TICK_SECONDS": "1",
    "HOURLY_TICK_SECONDS": "1",
    "FEEDS_PER_TICK": "500",
    "FEED_MIN_INTERVAL_SECONDS": "900",
}


class ReplayTimeline:
    """The replayed clock, shared with the workers through the ReplayClock row.
    It pauses while the workers have a backlog, so that on a slow machine the
    replay slows down instead of snapshotting hours whose articles have not
    been processed yet, and it stands still at `holds_at` (every process
    applies the hold, see ingest.clock) until released."""

    def __init__(self, start: datetime, speed: float, holds_at: datetime | None = None):
        self.speed = speed
        self.holds_at = holds_at
        self._anchor_simulated = start
        self._anchor_real = timezone.now()
        self.paused = False
        ReplayClock.objects.all().delete()
        ReplayClock.objects.create(
            simulated_start=start, real_start=self._anchor_real, speed=speed, holds_at=holds_at
        )
        clock.reset_cache()

    def now(self) -> datetime:
        speed = 0 if self.paused else self.speed
        return clock.replayed(self._anchor_simulated, self._anchor_real, speed, self.holds_at, timezone.now())

    def pause(self):
        if not self.paused:
            self._set(self.now(), paused=True)

    def resume(self):
        if self.paused:
            self._set(self._anchor_simulated, paused=False)

    def stop_at(self, moment: datetime):
        """Stand still at `moment`, hold released."""
        self.holds_at = None
        self._set(moment, paused=True)

    def _set(self, simulated: datetime, *, paused: bool):
        self._anchor_simulated, self._anchor_real, self.paused = simulated, timezone.now(), paused
        ReplayClock.objects.update(
            simulated_start=simulated,
            real_start=self._anchor_real,
            speed=0 if paused else self.speed,
            holds_at=self.holds_at,
        )


# The replayed clock waits while more articles than this wait for a worker,
# and gives up when the backlog has not moved for STALL_SECONDS.
BACKLOG_PAUSE, BACKLOG_RESUME = 150, 30
STALL_SECONDS = 300
# The clock holds this far short of the last whole hour while that hour's
# items are collected, so the hour is not yet complete (trends.measure.hourly).
LAST_MOMENT = timedelta(seconds=1)
# How long the final collection may take, and then the last hour's measurement.
FINISH_SECONDS, LAST_HOUR_SECONDS = 180, 60


class Command(BaseCommand):
    help = (
        "Replay a newsriver stream (.jsonl.gz) in time order: serve it as one RSS feed per outlet "
        "on 127.0.0.1, each item appearing at its time-compressed first-seen moment, and let "
        "Surge's workers poll it. Story times follow the replayed clock."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="e.g. ../shared/data/newsriver/items-2025-12_2026-01.jsonl.gz")
        parser.add_argument("--speed", type=float, default=720, help="replayed seconds per real second")
        parser.add_argument("--start", default="2026-01-02T00:00:00Z", help="replayed start (UTC)")
        parser.add_argument("--days", type=float, default=3, help="how many replayed days")
        parser.add_argument("--port", type=int, default=8765, help="port of the local feed server")
        parser.add_argument("--workers", type=int, default=2, help="worker processes to start")
        parser.add_argument(
            "--no-workers", action="store_true", help="start no worker or beat (they run elsewhere)"
        )
        parser.add_argument(
            "--full-text",
            action="store_true",
            help="PATH is the Giveme5W1H file (../shared/data/giveme5w1h/news_cluster.jsonl.gz): serve its "
            "articles as feeds and article pages, re-timed onto the replayed days, and let the workers fetch "
            "and extract the pages",
        )
        parser.add_argument(
            "--release-clock",
            action="store_true",
            help="only remove a finished replay's frozen clock, so this database follows real time again",
        )

    def handle(self, *args, **options):
        if options["release_clock"]:
            ReplayClock.objects.all().delete()
            self.stdout.write("Replay clock removed: Surge's clock is the wall clock again.")
            return
        if options["speed"] <= 0 or options["days"] <= 0:
            raise CommandError("--speed and --days must be positive")
        try:
            start = datetime.fromisoformat(options["start"]).astimezone(UTC)
        except ValueError:
            raise CommandError(f"--start is not an ISO 8601 time: {options['start']!r}") from None
        end = start + timedelta(days=options["days"])
        if not os.path.exists(options["path"]):
            raise CommandError(f"no such file: {options['path']}")

        call_command("migrate", verbosity=0)
        self.stdout.write(f"Reading {options['path']} …")
        pages, summaries = {}, {}
        if options["full_text"]:
            items, pages, summaries = read_full_text_stream(options["path"], start, options["days"])
        else:
            # A feed shows its newest items, so outlets' earlier items are there at the start too.
            items = read_stream(options["path"], start=start - timedelta(days=1), end=end)
        if not items:
            raise CommandError("the stream has no items in that period")

        speed = options["speed"]
        timeline = ReplayTimeline(start, speed, holds_at=_hold_for(start, end))
        feeds = ReplayFeeds(items, timeline.now, pages, summaries)
        # The feed server is Surge's own: when its port is taken, any free one serves.
        server = start_server(feeds, options["port"], any_port_if_busy=True)
        port = server.server_address[1]
        self._register_feeds(items, port, start)

        extra_env = {"FETCH_ARTICLE_PAGES": "1"} if options["full_text"] else {}
        children = [] if options["no_workers"] else self._start_workers(options["workers"], extra_env)
        self.stdout.write(
            f"Replaying {len(items)} items from {len(feeds.domains())} outlets, "
            f"{start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M} UTC at {speed:g}× "
            f"(about {(end - start).total_seconds() / speed / 60:.1f} minutes); feeds on 127.0.0.1:{port}"
        )
        try:
            self._follow(start, end, timeline)
            # The clock stays frozen at the end of the replay so the site shows that moment.
            self._finish(end, timeline, replay_feeds=Feed.objects.filter(url__startswith=feeds_root(port)))
        finally:
            timeline.stop_at(end)
            for child in children:
                child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
            server.shutdown()
        self._print_top_trends()

    def _register_feeds(self, items, port, start):
        names = {i.domain: i.source for i in items}
        hints = feed_category_hints(items)
        for domain, feed_title in names.items():
            name = publisher_name(feed_title, domain)[:200]
            source, created = Source.objects.get_or_create(domain=domain, defaults={"name": name})
            if not created and source.name == feed_title[:200] != name:
                # Named from its feed title by an earlier replay, never by an editor.
                source.name = name
                source.save(update_fields=["name"])
            url = f"{feeds_root(port)}{domain}.xml"
            # Feeds of an earlier replay on another port (never a real feed).
            earlier = Feed.objects.filter(source=source, url__startswith="http://127.0.0.1:")
            earlier.filter(url__endswith=f"/feeds/{domain}.xml").exclude(url=url).delete()
            Feed.objects.update_or_create(
                url=url,
                defaults={
                    "source": source,
                    "category_hint": hints[domain],
                    "next_poll_at": start,
                    "claimed_until": None,
                    "paused": False,
                    "etag": "",
                    "last_modified": "",
                    # An earlier replay's reads say nothing of this one's (see _collect).
                    "last_polled_at": None,
                    "last_success_at": None,
                },
            )

    def _start_workers(self, count, extra_env=None):
        env = {**os.environ, **WORKER_ENV, **(extra_env or {})}
        worker = celery_command(
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={max(count, 1)}",
            "-n",
            "replay@%h",
        )
        beat = celery_command("beat", "--loglevel=WARNING")
        return [subprocess.Popen(worker, env=env), subprocess.Popen(beat, env=env)]

    def _follow(self, start, end, timeline):
        """Run the replayed clock until it stands at its hold (or `end`)."""
        total_hours = int((end - start).total_seconds() // 3600)
        last_backlog, moved_at = None, time.monotonic()
        with tqdm(total=total_hours, unit="h", desc="replayed hours") as bar:
            while (now := timeline.now()) < (timeline.holds_at or end):
                backlog = _waiting_articles().count()
                if backlog != last_backlog or not timeline.paused:
                    last_backlog, moved_at = backlog, time.monotonic()
                elif time.monotonic() - moved_at > STALL_SECONDS:
                    raise CommandError(
                        f"the workers made no progress for {STALL_SECONDS} s ({backlog} articles waiting): "
                        "are they running? (see --no-workers)"
                    )
                if backlog > BACKLOG_PAUSE:
                    timeline.pause()
                elif backlog < BACKLOG_RESUME:
                    timeline.resume()
                bar.update(int((now - start).total_seconds() // 3600) - bar.n)
                bar.set_postfix(
                    clock=f"{now:%m-%d %H:%M}" + (" (waiting for workers)" if timeline.paused else ""),
                    articles=Article.objects.count(),
                    stories=Story.objects.count(),
                )
                time.sleep(0.5)
            bar.update(total_hours - bar.n)

    def _finish(self, end, timeline, replay_feeds):
        """Bring in everything the replayed period brought, then measure its
        last hour. While the clock holds just short of that hour's end, every
        feed is read once more and the workers work off their backlog (a
        worker busy with a burst may not have polled for the last replayed
        minutes), so the hourly pass cannot measure the hour half-collected;
        then the clock moves to `end`, what came after the hour is collected
        the same way, and the last hour is measured."""
        if timeline.holds_at is not None:
            self._collect(replay_feeds, timeline.holds_at)
        timeline.stop_at(end)
        self._collect(replay_feeds, end)
        self._wait_for_last_hour(end)

    def _collect(self, replay_feeds, moment):
        """Wait until every replay feed was read at `moment` and no article waits."""
        deadline = time.monotonic() + FINISH_SECONDS
        while time.monotonic() < deadline:
            unread = replay_feeds.filter(paused=False).filter(
                Q(last_success_at__isnull=True) | Q(last_success_at__lt=moment)
            )
            # A poll that began earlier, failed or was deferred scheduled its next one later.
            later = Q(next_poll_at__isnull=True) | Q(next_poll_at__gt=moment)
            unread.filter(later).update(next_poll_at=moment)
            if not unread.exists() and not _waiting_articles().exists():
                return
            time.sleep(1)
        self.stderr.write(f"the workers did not collect everything up to {moment:%m-%d %H:%M} in time")

    def _wait_for_last_hour(self, end):
        deadline, asked_at = time.monotonic() + LAST_HOUR_SECONDS, 0.0
        while time.monotonic() < deadline:
            if StorySnapshot.objects.filter(hour__gte=floor_hour(end)).exists():
                return
            if time.monotonic() - asked_at > 10:
                # Ask for it now rather than wait for the beat's tick.
                update_hourly_snapshots.delay()
                asked_at = time.monotonic()
            time.sleep(1)
        self.stderr.write("the last hour was not measured in time")

    def _print_top_trends(self):
        self.stdout.write("\nTop trends at the end of the replay:")
        top = Story.objects.filter(merged_into__isnull=True, is_hidden=False).order_by("-velocity")[:10]
        for story in top:
            self.stdout.write(
                f"  {story.velocity:6.2f}  {story.lifecycle:8} {story.source_count:3} sources "
                f"{story.article_count:4} articles  {story.headline[:80]}"
            )


def _hold_for(start: datetime, end: datetime) -> datetime | None:
    """Where the clock holds while the replay's last whole hour is collected:
    just short of that hour's end (None when the replay completes no hour)."""
    last_hour_end = floor_hour(end)
    return last_hour_end - LAST_MOMENT if last_hour_end - LAST_MOMENT > start else None


def _waiting_articles():
    """Articles a worker will still process: neither in a story nor given up
    on (FAILED), nor set aside to be retried after a delay."""
    done = Q(stage__in=[Article.Stage.ASSIGNED, Article.Stage.FAILED])
    retry_later = Q(claim_token="", claimed_until__gt=timezone.now())
    return Article.objects.exclude(done).exclude(retry_later)


def feeds_root(port: int) -> str:
    """Where the local feed server serves the replay's feeds."""
    return f"http://127.0.0.1:{port}/feeds/"
