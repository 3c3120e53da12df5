"""Per-host politeness shared by every worker process: at most
HOST_MAX_CONCURRENT requests in flight to one host, and requests to one host
started at least HOST_MIN_DELAY_SECONDS apart.

Both live in the database so that separate worker processes agree. A slot is
a lease in real time (HostSlot.held_until): a worker killed while holding one
loses it when the lease runs out, so nothing stays locked for good. Each
acquisition is a conditional UPDATE that only one worker can win."""

import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ingest.models import HostPace, HostSlot

# A slot is held for one fetch, which FETCH_TOTAL_TIMEOUT bounds: a killed
# worker's slot is free again soon after.
SLOT_MARGIN_SECONDS = 10
POLL_SECONDS = 0.05  # how often a waiting worker looks again
# Every page takes a slot, keeps the host's pace and gives the slot back:
# built by the ORM, each of those statements cost about 0.7 ms of a worker's
# CPU (bench_crawl's workers spend 30-45 ms an article in all); written out,
# about 16 µs.
_SLOTS, _PACES = HostSlot._meta.db_table, HostPace._meta.db_table


def slot_lease() -> timedelta:
    return timedelta(seconds=float(settings.FETCH_TOTAL_TIMEOUT) + SLOT_MARGIN_SECONDS)


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def max_concurrent() -> int:
    return settings.HOST_MAX_CONCURRENT


def min_delay() -> float:
    return settings.HOST_MIN_DELAY_SECONDS


@contextmanager
def host_turn(url: str, *, max_wait: float):
    """Wait (up to max_wait seconds) for this host's turn, then yield True
    while the request runs; yield False when the host stayed busy."""
    host = host_of(url)
    token = acquire(host, max_wait=max_wait) if host else "no-host"
    if token is None:
        yield False
        return
    try:
        yield True
    finally:
        if host:
            release(host, token)


def acquire(host: str, *, max_wait: float) -> str | None:
    give_up_at = time.monotonic() + max_wait
    while True:
        token = try_acquire(host)
        if token is not None:
            return token
        left = give_up_at - time.monotonic()
        if left <= 0:
            return None
        time.sleep(min(max(seconds_until_turn(host), POLL_SECONDS), left))


def try_acquire(host: str) -> str | None:
    """One attempt: a free slot, then the host's pace. Returns the slot's
    token, or None when the host is busy or was asked too recently."""
    real_now = timezone.now()
    token = _take_slot(host, real_now)
    if token is None and _ensure_rows(host, real_now):
        token = _take_slot(host, real_now)  # a new host: its rows exist now
    if token is None:
        return None
    if min_delay() <= 0:
        return token  # no pace to keep: a query a page saved
    paced = _execute(
        f"UPDATE {_PACES} SET next_request_at = %s WHERE host = %s AND next_request_at <= %s",
        [_db_time(real_now + timedelta(seconds=min_delay())), host, _db_time(real_now)],
    )
    if not paced:
        release(host, token)
        return None
    return token


def _take_slot(host: str, real_now) -> str | None:
    """One UPDATE takes the host's lowest free slot. The outer condition
    repeats the free test, so two workers racing for one row never both win;
    on PostgreSQL the loser gets None though another slot may be free, and
    asks again like any worker that found the host busy."""
    token = str(uuid.uuid4())
    now, free = _db_time(real_now), "(held_until IS NULL OR held_until < %s)"
    taken = _execute(
        f"UPDATE {_SLOTS} SET held_until = %s, token = %s WHERE id = (SELECT id FROM {_SLOTS} "
        f"WHERE host = %s AND slot < %s AND {free} ORDER BY slot LIMIT 1) AND {free}",
        [_db_time(real_now + slot_lease()), token, host, max_concurrent(), now, now],
    )
    return token if taken else None


def release(host: str, token: str) -> None:
    _execute(
        f"UPDATE {_SLOTS} SET held_until = NULL, token = '' WHERE host = %s AND token = %s",
        [host, token],
    )


def seconds_until_turn(host: str) -> float:
    next_at = HostPace.objects.filter(host=host).values_list("next_request_at", flat=True).first()
    if next_at is None:
        return 0.0
    return max(0.0, (next_at - timezone.now()).total_seconds())


def _ensure_rows(host: str, real_now) -> bool:
    """Create the host's slot and pace rows if any is missing (a host seen
    for the first time, or HOST_MAX_CONCURRENT raised). Returns whether it
    created any. Asked only when no slot could be taken, so a page of a known
    host costs no query for it."""
    wanted = max_concurrent()
    if HostSlot.objects.filter(host=host, slot__lt=wanted).count() >= wanted:
        return False
    with transaction.atomic():  # never slots without the pace row, which would bar the host for good
        HostSlot.objects.bulk_create(
            [HostSlot(host=host, slot=slot) for slot in range(wanted)], ignore_conflicts=True
        )
        HostPace.objects.bulk_create([HostPace(host=host, next_request_at=real_now)], ignore_conflicts=True)
    return True


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _db_time(moment):
    return connection.ops.adapt_datetimefield_value(moment)
