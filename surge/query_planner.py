"""Table statistics for SQLite's query planner.

PostgreSQL gathers them itself (autovacuum). SQLite has none until ANALYZE
runs, and without them it prefers an equality index that matches nearly every
row ("not merged into another story") over the range that matches the few
live stories, so listings scanned the whole history. PRAGMA optimize, with a
row limit per index, is what SQLite recommends running now and then."""

from django.db import connection

# Rows sampled per index: cheap even at millions of rows, enough to tell a range from a scan.
ANALYSIS_LIMIT = 1000


def refresh_statistics() -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        # 0x10002: analyse every table whose statistics are missing or stale.
        cursor.execute("PRAGMA optimize=0x10002")
