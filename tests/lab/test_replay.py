"""The replay demo: a recorded stream served as live feeds on 127.0.0.1, polled
by real worker processes on a replayed clock."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.request import urlopen

import feedparser
import pytest
from django.core.management import call_command

from ingest.canonical import canonical_url
from ingest.models import Article, ReplayClock
from lab.newsriver import StreamItem, read_stream
from lab.replay.feed_server import ReplayFeeds, start_server
from tests.realdata import NEWSRIVER
from tests.workers import worker_environment
from trends.models import Story, StorySnapshot

START = datetime(2026, 1, 3, 6, 0, tzinfo=UTC)


def _item(title, minutes):
    seen = START + timedelta(minutes=minutes)
    return StreamItem("Wire", "wire.example", title, f"https://wire.example/{minutes}", seen, seen, "")


def test_replay_feed_shows_only_items_already_seen_on_the_replayed_clock():
    now = {"t": START + timedelta(minutes=10)}
    feeds = ReplayFeeds([_item("early", 5), _item("late", 30)], lambda: now["t"])
    server = start_server(feeds)
    url = f"http://127.0.0.1:{server.server_address[1]}/feeds/wire.example.xml"
    try:
        assert [e.title for e in feedparser.parse(urlopen(url).read()).entries] == ["early"]
        now["t"] = START + timedelta(minutes=40)
        assert [e.title for e in feedparser.parse(urlopen(url).read()).entries] == ["late", "early"]
    finally:
        server.shutdown()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_real_data
def test_replay_with_real_workers_builds_stories_on_the_replayed_clock(monkeypatch):
    for name, value in worker_environment(TORCH_THREADS="1").items():
        monkeypatch.setenv(name, value)
    call_command("replay", str(NEWSRIVER), start=START.isoformat(), days=0.125, speed=900, port=0, workers=1)
    end = START + timedelta(hours=3)
    clock = ReplayClock.objects.get()
    assert (clock.simulated_start, clock.speed) == (end, 0)  # frozen at the end of the replay
    assert Article.objects.count() > 100
    assert not Article.objects.exclude(stage=Article.Stage.ASSIGNED).exists()
    assert StorySnapshot.objects.filter(hour=end).exists()
    top = Story.objects.filter(merged_into__isnull=True).order_by("-velocity").first()
    assert "venezuela" in " ".join(top.articles.values_list("title", flat=True)).lower()
    assert all(a.published_at <= end for a in Article.objects.all())  # never a future time
    _assert_the_last_hour_was_collected_then_measured(end)


def _assert_the_last_hour_was_collected_then_measured(end):
    """Every item first seen in the last replayed hour is stored, and that
    hour's snapshots count every article published in it."""
    last_hour = read_stream(NEWSRIVER, start=end - timedelta(hours=1), end=end)
    stored = set(Article.objects.values_list("canonical_url", flat=True))
    assert {canonical_url(item.link) for item in last_hour} <= stored
    published_in_hour = Counter(
        Article.objects.filter(published_at__gte=end - timedelta(hours=1), published_at__lt=end).values_list(
            "story_id", flat=True
        )
    )
    measured = dict(StorySnapshot.objects.filter(hour=end).values_list("story_id", "articles"))
    assert {story: measured.get(story) for story in published_in_hour} == published_in_hour


@pytest.mark.django_db
def test_replayed_clock_stands_still_at_its_hold_in_every_process():
    from django.utils import timezone

    from ingest import clock

    hold = START + timedelta(hours=1)
    ReplayClock.objects.create(
        simulated_start=START, real_start=timezone.now() - timedelta(seconds=10), speed=3600, holds_at=hold
    )
    clock.reset_cache()
    assert clock.now() == hold  # ten real seconds at 3600x would be ten replayed hours


def test_replay_holds_just_short_of_its_last_whole_hour():
    from lab.management.commands.replay import LAST_MOMENT, _hold_for

    last_hour_end = START + timedelta(hours=3)
    assert _hold_for(START, last_hour_end + timedelta(minutes=30)) == last_hour_end - LAST_MOMENT
    assert _hold_for(START, START + timedelta(minutes=30)) is None  # no whole hour to measure


@pytest.mark.django_db
@pytest.mark.needs_real_data
def test_release_clock_returns_the_database_to_wall_clock_time():
    from django.utils import timezone

    from ingest import clock

    ReplayClock.objects.create(simulated_start=START, real_start=timezone.now(), speed=0)
    clock.reset_cache()
    assert clock.now() == START
    call_command("replay", str(NEWSRIVER), release_clock=True)
    clock.reset_cache()
    assert not ReplayClock.objects.exists()
    assert clock.now() > START + timedelta(days=300)


def test_replay_refuses_a_missing_file():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such file"):
        call_command("replay", "/nonexistent/stream.jsonl.gz")
