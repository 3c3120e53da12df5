"""Stage timing for bench_crawl. When the SURGE_TIMING_LOG environment
variable names a file, every timed block appends one line "stage seconds" to
it; worker processes append to the same file (short O_APPEND writes do not
interleave) and the benchmark adds the lines up afterwards. Off, it costs
nothing."""

import os
import time
from contextlib import contextmanager

STAGES = ("fetch", "parse", "extract", "embed", "assign", "refresh")


@contextmanager
def timed(stage: str):
    path = os.environ.get("SURGE_TIMING_LOG")
    if not path:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        with open(path, "a", encoding="ascii") as log:
            log.write(f"{stage} {time.perf_counter() - start:.6f}\n")


def read_totals(path) -> dict[str, float]:
    """Seconds per stage, summed over every line of a timing log."""
    totals = dict.fromkeys(STAGES, 0.0)
    with open(path, encoding="ascii") as log:
        for line in log:
            stage, _, seconds = line.partition(" ")
            try:
                totals[stage] = totals.get(stage, 0.0) + float(seconds)
            except ValueError:
                continue
    return totals
