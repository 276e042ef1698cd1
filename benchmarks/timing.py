"""Helpers shared by the benchmark scripts (not a test; nothing asserts on timings).

Every benchmark measures its figures and its baselines in the same process, reports medians
of repeats, prints a table and writes ``benchmarks/results/<name>.json`` (ignored by git).
"""

from __future__ import annotations

import json
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def best_time(func: Callable[[], T], repeats: int) -> tuple[float, T]:
    """Best wall time [s] of ``repeats`` calls (at least one), and the last result."""
    best = float("inf")
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def median_time(func: Callable[[], T], repeats: int) -> tuple[float, T]:
    """Median wall time [s] of ``repeats`` calls (at least one), and the last result."""
    times = []
    result = None
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory [MB] of this process (``RUSAGE_SELF``) or of its waited-for
    children (``RUSAGE_CHILDREN``: the largest of them), from ``getrusage`` (kB on Linux)."""
    return resource.getrusage(who).ru_maxrss / 1024.0


def write_result(name: str, data: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/<name>.json`` with the machine and the time of the run."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    record = {"benchmark": name,
              "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "python": sys.version.split()[0], "machine": platform.machine(),
              "cpus": _cpus(), **data}
    path.write_text(json.dumps(record, indent=1, default=float) + "\n", encoding="utf-8")
    return path


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
