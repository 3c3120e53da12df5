"""Parallel test runs (pytest-xdist, `-n 2` in `make test`): each worker gets
its own SURGE_VAR_DIR (SQLite files, page cache, file-system broker) and its
own Redis databases, so tests running side by side share no state.

Loaded with `-p` from pytest.ini, so it runs before pytest-django reads the
settings; the test database name itself is suffixed by pytest-django."""

import os
import re

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", ...
    if not worker:
        return
    number = int(worker.removeprefix("gw"))
    var_dir = os.environ.get("SURGE_VAR_DIR", "var")
    os.environ["SURGE_VAR_DIR"] = os.path.join(var_dir, worker)
    for name in ("CELERY_BROKER_URL", "CACHE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("redis://", "rediss://")):
            os.environ[name] = redis_database_for_worker(url, number)


def redis_database_for_worker(url: str, number: int) -> str:
    """The URL with its database index moved by 4 per worker (0 -> 0, 4, 8, ...):
    room for a broker and a cache database side by side in Redis's 16."""
    match = re.match(r"^(rediss?://[^/?#]*)(?:/(\d*))?(.*)$", url)
    base, database, rest = match.group(1), match.group(2), match.group(3)
    return f"{base}/{int(database or 0) + 4 * number}{rest}"
