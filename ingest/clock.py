"""Surge's notion of 'now'.

Normally the wall clock. During a replay (ingest.ReplayClock has a row) it is
the replayed timeline, so that story times, hourly snapshots and "9h ago"
follow the stream's own dates. Cores take `now` as an argument; only tasks,
views and commands call clock.now().
"""

import time
from datetime import datetime

from django.utils import timezone

_CACHE_SECONDS = 1.0
_cached_at = -1e9
_cached_clock = None


def now() -> datetime:
    clock = _replay_clock()
    real = timezone.now()
    if clock is None:
        return real
    return replayed(clock.simulated_start, clock.real_start, clock.speed, clock.holds_at, real)


def replayed(simulated_start, real_start, speed: float, holds_at, real: datetime) -> datetime:
    """The replayed moment at real time `real`, never past holds_at."""
    moment = simulated_start + (real - real_start) * speed
    return min(moment, holds_at) if holds_at is not None else moment


def reset_cache() -> None:
    global _cached_at
    _cached_at = -1e9


def _replay_clock():
    global _cached_at, _cached_clock
    if time.monotonic() - _cached_at > _CACHE_SECONDS:
        from ingest.models import ReplayClock

        _cached_clock = ReplayClock.objects.first()
        _cached_at = time.monotonic()
    return _cached_clock
