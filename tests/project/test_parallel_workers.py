"""Parallel test processes never share a Redis database (tests/parallel_workers.py)."""

from tests.parallel_workers import redis_database_for_worker


def test_first_worker_keeps_the_configured_redis_database():
    assert redis_database_for_worker("redis://127.0.0.1:56379/0", 0) == "redis://127.0.0.1:56379/0"


def test_second_worker_moves_to_a_database_of_its_own():
    assert redis_database_for_worker("redis://127.0.0.1:56379/1", 1) == "redis://127.0.0.1:56379/5"


def test_url_without_a_database_counts_from_zero_and_keeps_its_options():
    assert redis_database_for_worker("rediss://:pw@cache:6380?ssl_cert_reqs=none", 1) == (
        "rediss://:pw@cache:6380/4?ssl_cert_reqs=none"
    )
