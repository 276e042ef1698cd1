"""Timing helper shared by the benchmark scripts (not a test; nothing asserts on timings)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def best_time(func: Callable[[], T], repeats: int) -> tuple[float, T]:
    """Best wall time [s] of ``repeats`` calls (at least one), and the last result."""
    best = float("inf")
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result
