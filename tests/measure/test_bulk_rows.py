"""Rows written in one statement (surge.bulk_rows) read back exactly as the
ORM's own writes do, and the hourly pass that uses them runs the same number
of queries for 5 stories as for 200."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingest.models import Article, Source
from surge.bulk_rows import insert_rows, update_rows
from trends.measure.hourly import run_hourly_pass
from trends.models import Story, StorySnapshot

pytestmark = pytest.mark.django_db

HOUR = datetime(2026, 1, 3, 12, tzinfo=UTC)


def _stories(count: int, at: datetime = HOUR) -> list[Story]:
    return Story.objects.bulk_create(
        [
            Story(
                headline=f"Story {n}",
                first_seen_at=at - timedelta(hours=5),
                last_seen_at=at - timedelta(minutes=10),
                centroid_sum=b"",
                article_count=2,
                source_count=2,
            )
            for n in range(count)
        ]
    )


def _snapshot(story_id: int, hour: datetime, velocity: float) -> dict:
    return {
        "story_id": story_id,
        "hour": hour,
        "articles": 1,
        "total_articles": 2,
        "sources": 2,
        "effective_sources": 1.5,
        "article_rate": 2.0,
        "velocity": velocity,
        "lifecycle": "rising",
    }


def test_inserted_rows_read_back_like_the_orms_own():
    story = _stories(1)[0]
    insert_rows(StorySnapshot, [_snapshot(story.pk, HOUR - timedelta(hours=h), h / 2) for h in range(3)])
    rows = StorySnapshot.objects.filter(story=story, hour__gt=HOUR - timedelta(hours=2)).order_by("hour")
    assert [(r.hour, r.velocity) for r in rows] == [(HOUR - timedelta(hours=1), 0.5), (HOUR, 0.0)]
    # Fields the rows leave out get the model's defaults, as create() gives them.
    assert {(r.forecast, r.forecast_probability) for r in rows} == {("", None)}


def test_insert_ignoring_conflicts_keeps_the_rows_already_there():
    story = _stories(1)[0]
    insert_rows(StorySnapshot, [_snapshot(story.pk, HOUR, 1.0)])
    insert_rows(
        StorySnapshot,
        [_snapshot(story.pk, HOUR, 9.0), _snapshot(story.pk, HOUR + timedelta(hours=1), 2.0)],
        ignore_conflicts=True,
    )
    assert list(
        StorySnapshot.objects.filter(story=story).order_by("hour").values_list("velocity", flat=True)
    ) == [
        1.0,
        2.0,
    ]


def test_inserted_articles_get_every_default_the_model_declares():
    source = Source.objects.create(name="Outlet", domain="outlet.example")
    insert_rows(
        Article,
        [
            {
                "source_id": source.pk,
                "url": "https://outlet.example/a",
                "canonical_url": "https://outlet.example/a",
                "title": "A title",
                "published_at": HOUR,
                "fetched_at": HOUR,
            }
        ],
    )
    article = Article.objects.get()
    assert (article.stage, article.text, article.story_id) == (Article.Stage.NEW, "", None)


def test_update_sets_the_given_fields_of_matching_rows_only():
    first, second, untouched = _stories(3)
    stamp = Story.objects.get(pk=first.pk).updated_at
    update_rows(
        Story,
        [
            {"id": first.pk, "velocity": 4.5, "lifecycle": "peaking", "forecast_probability": None},
            {"id": second.pk, "velocity": 0.25, "lifecycle": "fading", "forecast_probability": 0.8},
        ],
    )
    rows = {s.pk: s for s in Story.objects.all()}
    assert (rows[first.pk].velocity, rows[first.pk].lifecycle) == (4.5, "peaking")
    assert (rows[second.pk].velocity, rows[second.pk].forecast_probability) == (0.25, 0.8)
    assert (rows[untouched.pk].velocity, rows[untouched.pk].lifecycle) == (0, "emerging")
    assert rows[first.pk].headline == "Story 0" and rows[first.pk].updated_at == stamp


def _hourly_queries(count: int, hour_end: datetime) -> int:
    source = Source.objects.get_or_create(name="Outlet", domain="outlet.example")[0]
    stories = _stories(count, at=hour_end)
    Article.objects.bulk_create(
        [
            Article(
                source=source,
                url=f"https://outlet.example/{s.pk}/{k}",
                canonical_url=f"https://outlet.example/{s.pk}/{k}",
                title=f"Article {k}",
                published_at=hour_end - timedelta(minutes=20 + k),
                fetched_at=HOUR,
                story=s,
            )
            for s in stories
            for k in range(2)
        ]
    )
    with CaptureQueriesContext(connection) as queries:
        run_hourly_pass(hour_end)
    assert StorySnapshot.objects.filter(hour=hour_end).count() == count
    return len(queries)


def test_hourly_pass_query_count_does_not_grow_with_stories():
    # Three days apart: the first stories are no longer tracked when the second pass runs.
    assert _hourly_queries(5, HOUR) == _hourly_queries(200, HOUR + timedelta(days=3))
