"""Start real Celery worker processes against the test database and broker."""

import os
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from surge.celery import celery_command

ROOT = Path(__file__).resolve().parent.parent


def worker_environment(**extra: str) -> dict[str, str]:
    """The test process's environment, pointed at the test database (pytest-django
    renamed it) so a subprocess sees the rows the test committed."""
    env = dict(os.environ)
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        auth = f"{db['USER']}:{db['PASSWORD']}@" if db["USER"] else ""
        env["DATABASE_URL"] = f"postgres://{auth}{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env.update(extra)
    return env


@contextmanager
def celery_worker(env: dict[str, str], *, name: str = "test", concurrency: int = 1):
    command = celery_command(
        "worker",
        "--loglevel=WARNING",
        "--pool=prefork",
        f"--concurrency={concurrency}",
        "-n",
        f"{name}@%h",
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
    )
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition, *, timeout: float, interval: float = 0.2, process=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if process is not None and process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise AssertionError(f"worker exited with {process.returncode}:\n{output[-3000:]}")
        time.sleep(interval)
    return False


def start_celery(env: dict[str, str], *arguments: str) -> subprocess.Popen:
    """A Celery process (worker or beat) in a session of its own, so that
    os.killpg reaches it and anything it started, as a crash would."""
    return subprocess.Popen(
        celery_command(*arguments),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_celery(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
