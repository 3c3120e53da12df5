import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surge.settings")

app = Celery("surge")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def schedule_periodic_tasks(sender, **kwargs):
    from django.conf import settings

    sender.add_periodic_task(settings.POLL_TICK_SECONDS, sender.signature("ingest.poll_due_feeds"))
    sender.add_periodic_task(settings.HOURLY_TICK_SECONDS, sender.signature("trends.update_hourly_snapshots"))
