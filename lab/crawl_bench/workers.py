"""Real Celery worker processes for the crawl benchmark: started on the
temporary broker, waited for until they answer and until they are idle,
stopped, and the CPU they used."""

import os
import signal
import subprocess
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from surge.celery import celery_command


def start_worker(workdir: Path, name: str, *, own_session: bool = False) -> subprocess.Popen:
    """A solo-pool worker named name@host, its log in workdir/<name>.log."""
    return start_celery(
        workdir,
        name,
        "worker",
        "--pool",
        "solo",
        "--loglevel",
        "WARNING",
        "--hostname",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        own_session=own_session,
    )


def start_celery(
    workdir: Path, log_name: str, *arguments: str, own_session: bool = False
) -> subprocess.Popen:
    """`celery <arguments>` in the background, its output in workdir/<log_name>.log.
    own_session: in a session of its own, so that killpg reaches it and anything it started."""
    log = open(workdir / f"{log_name}.log", "w")  # noqa: SIM115 -- lives as long as the process
    return subprocess.Popen(
        celery_command(*arguments),
        cwd=settings.BASE_DIR,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=own_session,
    )


def wait_until_ready(workers: list[subprocess.Popen], timeout: float = 300) -> None:
    """Until every worker answers a ping: it has loaded its model and consumes."""
    from surge.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(w.poll() is not None for w in workers):
            raise CommandError("a worker exited while starting; see its log")
        if len(app.control.ping(timeout=1.0)) >= len(workers):
            return
    raise CommandError(f"the workers did not answer within {timeout:.0f} s")


def wait_until_idle(workers: list[subprocess.Popen], timeout: float) -> bool:
    """Until the broker's queue is empty and every worker answers with no task
    running or reserved, twice in a row (a solo worker busy with a task cannot
    answer at all)."""
    from surge.celery import app

    queue = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline and quiet < 2:
        if any(w.poll() is not None for w in workers):
            raise CommandError("a worker exited early; see its log above")
        inspect = app.control.inspect(timeout=1.0)
        active, reserved = inspect.active() or {}, inspect.reserved() or {}
        idle = (
            not any(name.endswith(".celery.msg") for name in os.listdir(queue))  # pidbox replies aside
            and len(active) >= len(workers)
            and not any(active.values())
            and not any(reserved.values())
        )
        quiet = quiet + 1 if idle else 0
        if not idle:
            time.sleep(0.2)
    return quiet >= 2


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()


def cpu_seconds(workers: list[subprocess.Popen]) -> float | None:
    """User + system CPU of the worker processes so far (Linux /proc; None elsewhere)."""
    try:
        total = 0
        for worker in workers:
            fields = Path(f"/proc/{worker.pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def machine_ticks() -> tuple[int, int] | None:
    """(busy, all) CPU ticks of the whole machine so far, every core and
    process counted (Linux /proc/stat; None elsewhere): with the workers' own
    CPU, how much of the cores went to them, to other processes, or idle."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle, iowait
    return sum(fields) - idle, sum(fields)


def shares_of_machine(ticks_before, ticks_after, cpu_before, cpu_after) -> dict[str, float | None]:
    """Shares of the machine's CPU time between two machine_ticks() readings
    (and the workers' cpu_seconds() at the same moments): idle, used by the
    worker processes, used by everything else."""
    if None in (ticks_before, ticks_after, cpu_before, cpu_after):
        return {"idle": None, "workers": None, "others": None}
    worker_cpu_seconds = cpu_after - cpu_before
    busy, total = (after - before for before, after in zip(ticks_before, ticks_after, strict=True))
    if total <= 0:
        return {"idle": None, "workers": None, "others": None}
    workers = worker_cpu_seconds * os.sysconf("SC_CLK_TCK") / total
    return {
        "idle": round(1 - busy / total, 3),
        "workers": round(workers, 3),
        "others": round(max(busy / total - workers, 0.0), 3),
    }


def per_article(before: float | None, after: float | None, articles: int) -> float | None:
    if before is None or after is None:
        return None
    return round(1000 * (after - before) / max(articles, 1), 2)
