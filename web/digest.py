"""Which trends a day's digest lists, and which days have one.

A day is a UTC day on Surge's clock. A story belongs to a day when the hourly
pass measured it during that day (a snapshot whose hour ends after the day's
midnight and at or before the next), and the day's digest ranks its stories
by the highest velocity they reached that day. Listing rules as everywhere
(web.queries.listed_stories). Each helper is one or two SQL queries."""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Max, Min, Q

from trends.models import Story, StorySnapshot
from web.queries import CARD_FIELDS, listed_stories

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + DAY


def _day_of(hour_end: datetime) -> date:
    """The day a snapshot's hour lies in (the hour ending at midnight is the day before's)."""
    return (hour_end - HOUR).date()


def _listed_snapshots():
    return StorySnapshot.objects.filter(story__in=listed_stories().values("pk"))


def day_stories(day: date, limit: int) -> list[Story]:
    start, end = _bounds(day)
    peaks = (
        _listed_snapshots()
        .filter(hour__gt=start, hour__lte=end)
        .values("story_id")
        .annotate(day_peak=Max("velocity"))
        .order_by("-day_peak", "story_id")[:limit]
    )
    order = [row["story_id"] for row in peaks]
    stories = Story.objects.filter(pk__in=order).only(*CARD_FIELDS).in_bulk()
    return [stories[pk] for pk in order if pk in stories]


def latest_day(now: datetime) -> date | None:
    """The latest day, up to now, with a listed story measured in it."""
    last = _listed_snapshots().filter(hour__lte=now).aggregate(last=Max("hour"))["last"]
    return _day_of(last) if last else None


def neighbour_days(day: date, now: datetime) -> tuple[date | None, date | None]:
    """The nearest earlier and later days (up to now) that have trends."""
    start, end = _bounds(day)
    found = _listed_snapshots().aggregate(
        before=Max("hour", filter=Q(hour__lte=start)),
        after=Min("hour", filter=Q(hour__gt=end, hour__lte=now)),
    )
    before = _day_of(found["before"]) if found["before"] else None
    after = _day_of(found["after"]) if found["after"] else None
    return before, after
