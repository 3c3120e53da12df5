"""The benchmarks' --json output is stable for anyone who scripts it: the
last line is one JSON object with the keys README's benchmark table lists.
Run small, in a throwaway SURGE_VAR_DIR (figures are not checked here: a
benchmark measures, a test does not time)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _last_line_json(tmp_path, *command: str, keep_database: bool = False) -> dict:
    env = dict(os.environ, DEBUG="1", SURGE_VAR_DIR=str(tmp_path), LOG_LEVEL="WARNING")
    dropped = ("SQLITE_PATH", "CACHE_URL") if keep_database else ("DATABASE_URL", "SQLITE_PATH", "CACHE_URL")
    for name in dropped:
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "manage.py", *command, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _scratch_databases_left() -> list[str]:
    """PostgreSQL databases the lab made and did not drop (none on SQLite)."""
    if not os.environ.get("DATABASE_URL"):
        return []
    import psycopg

    from lab.scratch_db import SCRATCH_PREFIX

    with psycopg.connect(os.environ["DATABASE_URL"]) as admin:
        names = [row[0] for row in admin.execute("SELECT datname FROM pg_database")]
    return [name for name in names if name.startswith(SCRATCH_PREFIX)]


def test_bench_site_sweeps_sizes_on_databases_of_its_own_of_the_configured_engine(tmp_path):
    figures = _last_line_json(
        tmp_path, "bench_site", "--articles", "600,900", "--seconds", "0.5", keep_database=True
    )
    for key in (
        "front_rps",
        "trend_rps",
        "big_trend_rps",
        "static_rps",
        "front_ratio",
        "trend_ratio",
        "big_trend_ratio",
        "front_p99_ms",
        "trend_p99_ms",
        "front_queries",
        "trend_queries",
    ):
        assert isinstance(figures[key], int | float), key
    assert [size["articles"] for size in figures["sweep"]] == [600, 900] and figures["articles"] == 900
    assert figures["front_errors"] == figures["trend_errors"] == figures["big_trend_errors"] == 0
    assert figures["database"] == ("postgresql" if os.environ.get("DATABASE_URL") else "sqlite3")
    assert not _scratch_databases_left()


def test_bench_site_refuses_to_fill_a_postgresql_database_it_did_not_create():
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("on SQLite bench_site builds in the file its parent names")
    with pytest.raises(CommandError, match="refusing to fill"):
        call_command("bench_site", build_only=True, articles="600")


def test_bench_assign_times_the_workers_path_on_a_scratch_database_of_the_configured_engine(tmp_path):
    sizes = ["--sizes", "", "--db-sizes", "40,80", "--db-articles", "10", "--db-repeats", "2"]
    figures = _last_line_json(tmp_path, "bench_assign", *sizes, keep_database=True)
    assert set(figures["db_us"]) == {"40", "80"} and figures["db_spread"] >= 0
    assert [row["history_stories"] for row in figures["database"]["sizes"]] == [40, 80]
    assert all(len(row["wall_repeats"]) == 2 for row in figures["database"]["sizes"])
    assert not _scratch_databases_left()


def test_bench_assign_refuses_to_fill_a_database_it_did_not_create():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="refusing to fill"):
        call_command("bench_assign", db_child=True, db_sizes="10")


def test_bench_velocity_runs_on_a_throwaway_database_of_the_configured_engine(tmp_path):
    figures = _last_line_json(tmp_path, "bench_velocity", "--stories", "30", "-v", "0", keep_database=True)
    assert figures["stories"] == 30
    assert isinstance(figures["seconds"], float) and isinstance(figures["queries"], int)
    assert figures["database"] == ("postgresql" if os.environ.get("DATABASE_URL") else "sqlite")
    assert not _scratch_databases_left()
    assert not list(tmp_path.glob("*.sqlite3"))  # nothing left beside the site's files either


def test_bench_crawl_json_keys(tmp_path):
    figures = _last_line_json(tmp_path, "bench_crawl", "--feeds", "2", "--items", "3", "--workers", "1")
    assert figures["articles_assigned"] == 6
    for key in ("articles_per_second", "bare_embed_per_second", "ratio"):
        assert isinstance(figures[key], float) and figures[key] > 0, key
    assert set(figures["stage_share"]) == {"fetch", "parse", "extract", "embed", "assign", "refresh"}
    # where the cores went while crawling: shares of the machine that add up to one
    shares = figures["machine_share"]
    assert set(shares) == {"idle", "workers", "others"}
    assert all(0 <= share <= 1 for share in shares.values())
    assert abs(sum(shares.values()) - 1) <= 0.05
    # the bare rate brackets the crawl: measured before the workers start and after they stop
    before, after = figures["bare_embed_per_second_before"], figures["bare_embed_per_second_after"]
    assert before > 0 and after > 0
    assert abs(figures["bare_embed_per_second"] - (before + after) / 2) <= 0.01
    # the words stage runs in its own tasks after the burst, and is waited for
    assert figures["words_done_seconds"] >= figures["wall_seconds"]
    assert figures["stage_seconds"]["refresh"] > 0


def test_bare_rate_is_timed_on_a_warm_model_over_the_workers_texts(monkeypatch):
    from lab.crawl_bench import bare_model
    from trends.stories import embedding

    passes = []
    monkeypatch.setattr(embedding, "get_model", lambda: None)
    monkeypatch.setattr(embedding, "embed_texts", lambda texts: passes.append(list(texts)))
    texts = [f"headline {n}" for n in range(40)]
    per_second, _cpu_ms = bare_model.bare_rate(texts)
    # the first pass after loading runs slower: it warms the model and is not timed
    assert passes == [texts, texts]
    assert per_second > 0


class _FakeCreation:
    """Django's test-database machinery, recording what it was asked."""

    def __init__(self, connection, fail: bool):
        self.connection, self.fail, self.destroyed = connection, fail, []

    def create_test_db(self, **kwargs):
        self.connection.settings_dict["NAME"] = self.connection.settings_dict["TEST"]["NAME"]
        if self.fail:
            raise RuntimeError("a migration failed")

    def destroy_test_db(self, old_name, **kwargs):
        self.destroyed.append(self.connection.settings_dict["NAME"])
        self.connection.settings_dict["NAME"] = old_name


class _FakeConnection:
    def __init__(self, vendor: str, fail: bool = False):
        self.vendor = vendor
        self.settings_dict = {"NAME": "surge", "TEST": {"NAME": "configured_test"}}
        self.creation = _FakeCreation(self, fail)


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_throwaway_database_is_dropped_and_the_connection_restored_even_when_creating_it_fails(
    monkeypatch, vendor
):
    from lab import scratch_db

    for fail in (False, True):
        fake = _FakeConnection(vendor, fail=fail)
        monkeypatch.setattr(scratch_db, "connection", fake)
        try:
            with scratch_db.throwaway_database():
                assert fake.settings_dict["NAME"] != "surge"
        except RuntimeError:
            assert fail
        assert fake.settings_dict == {"NAME": "surge", "TEST": {"NAME": "configured_test"}}
        (dropped,) = fake.creation.destroyed
        assert dropped != "surge" and dropped != "configured_test"
        if vendor == "postgresql":
            assert dropped.startswith(scratch_db.SCRATCH_PREFIX)
