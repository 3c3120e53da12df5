"""The typed environment readers reject junk and the settings module refuses
to start without a secret key when DEBUG is off."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from surge.env import database_from_url, env_bool, env_float, env_int, env_list, env_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "raw,expected", [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SURGE_FLAG", raw)
    assert env_bool("SURGE_FLAG") is expected


def test_env_bool_rejects_junk(monkeypatch):
    monkeypatch.setenv("SURGE_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SURGE_FLAG"):
        env_bool("SURGE_FLAG")


def test_env_int_uses_default_when_unset(monkeypatch):
    monkeypatch.delenv("SURGE_N", raising=False)
    assert env_int("SURGE_N", 7) == 7


def test_env_int_rejects_non_numbers_and_out_of_range(monkeypatch):
    monkeypatch.setenv("SURGE_N", "12abc")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("SURGE_N", 1)
    monkeypatch.setenv("SURGE_N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("SURGE_N", 1, minimum=1)


def test_env_float_rejects_nan(monkeypatch):
    monkeypatch.setenv("SURGE_X", "nan")
    with pytest.raises(ImproperlyConfigured):
        env_float("SURGE_X", 1.0)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("SURGE_HOSTS", " a.example , b.example,,")
    assert env_list("SURGE_HOSTS", []) == ["a.example", "b.example"]


def test_env_url_rejects_unknown_scheme(monkeypatch):
    monkeypatch.setenv("SURGE_BROKER", "amqp://guest@localhost//")
    with pytest.raises(ImproperlyConfigured, match="redis://"):
        env_url("SURGE_BROKER", "filesystem://", schemes=("filesystem", "redis"))


def test_database_url_becomes_a_postgres_entry():
    entry = database_from_url("postgres://surge:pw@db.internal:5433/news")
    assert entry["ENGINE"] == "django.db.backends.postgresql"
    assert (entry["NAME"], entry["USER"], entry["PASSWORD"], entry["HOST"], entry["PORT"]) == (
        "news",
        "surge",
        "pw",
        "db.internal",
        "5433",
    )


def test_database_url_must_be_postgres():
    with pytest.raises(ImproperlyConfigured, match="postgres://"):
        database_from_url("mysql://x@y/z")


def _start_django(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "surge.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_without_debug_is_a_clear_startup_error():
    result = _start_django({})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_junk_debug_value_is_a_clear_startup_error():
    result = _start_django({"DEBUG": "sometimes", "SECRET_KEY": "x"})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_sqlite_is_the_default_database(settings):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("this run uses DATABASE_URL")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def test_cache_url_picks_the_backend(tmp_path):
    from surge.env import cache_from_url

    assert cache_from_url("file://", tmp_path)["LOCATION"] == str(tmp_path.resolve() / "cache" / "pages")
    assert cache_from_url("file:///srv/surge-cache", tmp_path)["LOCATION"] == "/srv/surge-cache"
    assert cache_from_url("db://", tmp_path)["LOCATION"] == "surge_cache"
    assert cache_from_url("db://page_cache", tmp_path)["LOCATION"] == "page_cache"
    redis = cache_from_url("redis://127.0.0.1:6379/1", tmp_path)
    assert redis["BACKEND"].endswith("RedisCache") and redis["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert cache_from_url("locmem://", tmp_path)["BACKEND"].endswith("LocMemCache")


def test_cache_url_rejects_unknown_schemes_and_table_names(tmp_path):
    from surge.env import cache_from_url

    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must start with one of"):
        cache_from_url("memcached://127.0.0.1:11211", tmp_path)
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL names a table"):
        cache_from_url("db://pages;drop", tmp_path)
