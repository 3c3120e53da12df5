import os
import sys

from celery import Celery

from surge import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surge.settings")
broker.install()  # atomic writes for the embedded file-system broker

app = Celery("surge")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def schedule_periodic_tasks(sender, **kwargs):
    from django.conf import settings

    # Ticks carry no expiry: celery discarded expiring beat messages on arrival
    # here (the hourly pass never ran). Each tick is idempotent and cheap when
    # there is nothing to do, so ticks queued behind busy workers cost little.
    for interval, task in (
        (settings.POLL_TICK_SECONDS, "ingest.poll_due_feeds"),
        (settings.POLL_TICK_SECONDS, "trends.process_pending_articles"),
        (settings.HOURLY_TICK_SECONDS, "trends.update_hourly_snapshots"),
    ):
        sender.add_periodic_task(interval, sender.signature(task))
    if settings.BRIEF_LLM_URL:
        sender.add_periodic_task(60.0, sender.signature("trends.write_model_briefs"))


def celery_command(*arguments: str) -> list[str]:
    """The command line that starts a Celery process (worker, beat) of this
    app with the current interpreter: used by replay, bench_crawl and tests."""
    return [sys.executable, "-m", "celery", "-A", "surge", *arguments]
