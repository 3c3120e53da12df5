"""Throwaway databases for the lab's evaluations and benchmarks, never the
site's data.

- throwaway_database: this process's own connection moves to Django's test
  database (created, migrated, destroyed after), as the test suite does.
- scratch_database: a fresh, empty database for a child process, on the
  engine this process is configured for: a SQLite file under the temporary
  directory, or a PostgreSQL database created beside the configured one and
  dropped after. The child refuses to fill anything is_scratch does not
  recognise."""

import os
import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

SCRATCH_PREFIX = "surge_scratch_"


@contextmanager
def throwaway_database():
    """Moves this process's default connection to a test database of its
    own (migrated by Django's test machinery, destroyed after): a SQLite file
    under the temporary directory, or a PostgreSQL database with a name of its
    own, so two lab commands running at once never share one."""
    with tempfile.TemporaryDirectory(prefix="surge-scratch-") as folder:
        test_name = (
            f"{SCRATCH_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
            if connection.vendor == "postgresql"
            else str(Path(folder) / "throwaway.sqlite3")
        )
        test_settings = connection.settings_dict.setdefault("TEST", {})
        configured_test_name = test_settings.get("NAME")
        test_settings["NAME"] = test_name
        old_name = connection.settings_dict["NAME"]
        try:
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            yield
        finally:
            # Also when creating or migrating failed half way: the connection
            # goes back to the configured database and the scratch one is dropped.
            if connection.settings_dict["NAME"] != old_name:
                connection.creation.destroy_test_db(old_name, verbosity=0)
            test_settings["NAME"] = configured_test_name


@contextmanager
def scratch_database(tag: str):
    """Yields the environment variables that point a child process at a
    fresh, empty database of its own."""
    if connection.vendor == "postgresql":
        name = f"{SCRATCH_PREFIX}{os.getpid()}_{tag}"
        with _admin_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield {"DATABASE_URL": _url_with_database(os.environ["DATABASE_URL"], name)}
        finally:
            with _admin_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    with tempfile.TemporaryDirectory(prefix="surge-scratch-") as folder:
        yield {"SQLITE_PATH": str(Path(folder) / "scratch.sqlite3"), "DATABASE_URL": ""}


def is_scratch() -> bool:
    """Whether this process's database is one scratch_database made."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "postgresql":
        return name.startswith(SCRATCH_PREFIX)
    return connection.vendor == "sqlite" and name.startswith(tempfile.gettempdir())


@contextmanager
def _admin_cursor():
    """A cursor outside any transaction (CREATE DATABASE refuses to run in
    one, and the caller may be inside a test's)."""
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    ) as admin:
        with admin.cursor() as cursor:
            yield cursor


def _url_with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
