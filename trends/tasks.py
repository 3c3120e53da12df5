"""Celery tasks for stories: thin wrappers around trends.stories.pipeline and
trends.measure.hourly, which the tests call directly."""

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from ingest import clock
from ingest.dedup import prune_text_bands
from surge.query_planner import refresh_statistics
from trends.measure.hourly import hours_to_snapshot, run_hourly_pass
from trends.stories import pipeline
from trends.stories.converged import merge_converged_stories
from trends.words.briefs import stories as story_briefs


@worker_process_init.connect
def load_models(**kwargs):
    """One embedding model (and language model) per worker process, loaded
    before its first task (solo pool, or each prefork child), so no batch
    waits seconds for them."""
    from threadpoolctl import threadpool_limits

    from ingest.extraction import warm_up
    from trends.stories.embedding import embed_texts

    # numpy's BLAS gets the same thread budget as torch: with a thread per
    # core in every worker process, the hourly merge pass's matrix products
    # spin against each other (measured: 14 ms per nearest-story lookup
    # instead of 2 on this 2-core machine under load).
    threadpool_limits(limits=settings.TORCH_THREADS, user_api="blas")

    embed_texts(["Loading the embedding model and running it once."])
    warm_up()


@shared_task(name="trends.process_pending_articles")
def process_pending_articles():
    """Sent after a poll that stored articles, and by beat as a sweep: picks
    up whatever a lost task left behind once its claim has expired."""
    pipeline.process_pending(clock.now(), refresh_words=_send_words_refresh)


def _send_words_refresh(story_ids: list[int], now) -> None:
    refresh_story_words.delay(story_ids)


@shared_task(name="trends.refresh_story_words")
def refresh_story_words(story_ids: list[int]):
    """Re-derive the words (headline, topics, brief) of stories whose members
    changed; sent by process_pending_articles after each burst."""
    pipeline.refresh_words_here(story_ids, clock.now())


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
    if hours:
        refresh_statistics()


@shared_task(name="trends.write_model_briefs")
def write_model_briefs():
    """Beat sends this every minute when BRIEF_LLM_URL is set; each story is
    sent to the model at most once per BRIEF_LLM_INTERVAL_MINUTES."""
    story_briefs.write_model_briefs(clock.now())
