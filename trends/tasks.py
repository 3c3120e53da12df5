"""Celery tasks for stories: thin wrappers around trends.pipeline and
trends.hourly, which the tests call directly."""

from celery import shared_task

from ingest.dedup import prune_text_bands
from surge import clock
from trends import pipeline
from trends.hourly import hours_to_snapshot, run_hourly_pass
from trends.merging import merge_converged_stories


@shared_task(name="trends.process_pending_articles")
def process_pending_articles():
    """Sent after a poll that stored articles, and by beat as a sweep: picks
    up whatever a lost task left behind once its claim has expired."""
    pipeline.process_pending(clock.now())


@shared_task(name="trends.update_hourly_snapshots")
def update_hourly_snapshots():
    run_hourly_work(clock.now())


def run_hourly_work(now):
    """Everything the hourly task does (evaluate_clustering replays it too)."""
    hours = hours_to_snapshot(now)
    if hours:
        # Two stories opened for one event become one before the hour is measured.
        merge_converged_stories(now)
    for hour_end in hours:
        run_hourly_pass(hour_end)
    prune_text_bands(now)
