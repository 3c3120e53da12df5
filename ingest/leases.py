"""Claims on feeds and articles are short leases in real time, renewed by a
heartbeat while the work goes on.

A claim is a conditional UPDATE that sets claimed_until and a claim token
(ingest/polling.py, trends/pipeline.py). A live worker keeps its claim by
pushing claimed_until forward every CLAIM_LEASE_SECONDS / 3 from a thread
beside the work, so a slow fetch or a long batch never loses it; a dead
worker stops renewing, and its work is claimed again by another worker
within about CLAIM_LEASE_SECONDS (plus one scheduler tick). Long leases
without a heartbeat made a crashed worker's articles wait 10 minutes."""

import logging
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

log = logging.getLogger(__name__)
BEATS_PER_LEASE = 3  # a lease survives two missed beats


def lease_seconds() -> float:
    return float(settings.CLAIM_LEASE_SECONDS)


def lease_end(real_now: datetime | None = None) -> datetime:
    """When a claim taken (or renewed) now runs out, in real time."""
    return (real_now or timezone.now()) + timedelta(seconds=lease_seconds())


def renew(model, token: str) -> int:
    """Push the lease of every row of `model` held with `token`; 0 once the
    claim is released or taken over (the token no longer matches)."""
    if not token:
        return 0
    return model.objects.filter(claim_token=token).update(claimed_until=lease_end())


@contextmanager
def heartbeat(model, token: str):
    """Renew the claim of `token` on `model` rows while the block runs."""
    stop = threading.Event()
    interval = lease_seconds() / BEATS_PER_LEASE

    def beat():
        try:
            while not stop.wait(interval):
                try:
                    if not renew(model, token):
                        return  # released or taken over: nothing left to keep
                except DatabaseError as exc:  # a busy database: try again at the next beat
                    log.warning("lease heartbeat for %s failed: %s", model.__name__, exc)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"lease-heartbeat-{model.__name__}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        # A beat blocked on a busy database finishes on its own: once the
        # claim is released its UPDATE matches no row.
        thread.join(timeout=1)
