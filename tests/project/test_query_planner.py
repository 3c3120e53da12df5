"""SQLite gets table statistics for its query planner from the hourly work."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from trends.tasks import run_hourly_work

pytestmark = pytest.mark.django_db


def _statistics_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL keeps its own statistics")
def test_hourly_work_leaves_sqlite_statistics_for_the_planner():
    from tests.factories import make_story

    make_story("Storm closes airport", article_count=3)
    run_hourly_work(datetime(2026, 1, 5, 12, 5, tzinfo=UTC))
    assert "sqlite_stat1" in _statistics_tables()
