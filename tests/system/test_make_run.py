"""`make run` runs web, worker and scheduler under supervisord
(supervisord.conf): a worker or scheduler that crashes is started again on
its own, and the site answers throughout."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.workers import worker_environment

ROOT = Path(__file__).resolve().parents[2]
PORT = 8141  # in this worktree's range
SUPERVISORD = Path(sys.executable).with_name("supervisord")
SUPERVISORCTL = Path(sys.executable).with_name("supervisorctl")


def site_answers() -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/how-it-works/", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.fixture
def make_run(tmp_path, transactional_db):
    """supervisord with the repository's configuration, on the test database."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            pytest.skip(f"port {PORT} is in use")
    env = worker_environment(
        SURGE_VAR_DIR=str(tmp_path),
        SURGE_BIND=f"127.0.0.1:{PORT}",
        WORKER_CONCURRENCY="1",
        SURGE_PYTHON=sys.executable,
        LOG_LEVEL="WARNING",
    )
    env.pop("DEBUG", None)
    env.setdefault("SECRET_KEY", "make-run-test-key")
    supervisord = subprocess.Popen(
        [str(SUPERVISORD), "-c", str(ROOT / "supervisord.conf")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def pid_of(program: str) -> int:
        result = subprocess.run(
            [str(SUPERVISORCTL), "-c", str(ROOT / "supervisord.conf"), "pid", program],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        try:
            return int(result.stdout.strip())
        except ValueError:
            return 0

    try:
        yield pid_of
    finally:
        supervisord.send_signal(signal.SIGTERM)
        try:
            supervisord.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(supervisord.pid, signal.SIGKILL)
            supervisord.wait()


@pytest.mark.slow
@pytest.mark.parametrize("program", ["worker", "beat"])
def test_a_crashed_process_is_restarted_and_the_site_stays_up(make_run, program):
    pid_of = make_run
    assert wait(site_answers, timeout=90), "the site never came up"
    assert wait(lambda: pid_of(program) > 0, timeout=60)
    crashed = pid_of(program)
    time.sleep(4)  # past startsecs: supervisord counts it as running
    os.killpg(crashed, signal.SIGKILL)  # the process and its pool, as a crash or the OOM killer would
    assert site_answers(), "the site went down with the " + program
    assert wait(lambda: pid_of(program) not in (0, crashed), timeout=60), f"{program} was not restarted"
    assert site_answers()
