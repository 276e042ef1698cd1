"""Benchmark: vectorised ``eip_analysis.finance.irr`` against a loop of ``numpy_financial.irr``.

Builds a seeded 10,000 x 21 array of conventional investment cash flows (year 0 negative, then
20 years of positive, noisy inflows; IRRs spread over about 0-40 %), times both in the same
process (best of a few repeats, ``time.perf_counter``), checks that they agree and prints a
small table. Run from the repository root::

    .venv/bin/python benchmarks/bench_irr.py

Not a test: nothing here asserts on timings.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import numpy_financial as npf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best_time

from eip_analysis.finance import capital_recovery_factor, irr

SEED = 20240611
N_SCENARIOS = 10_000
N_YEARS = 20
REPEATS_VECTORISED = 7
REPEATS_LOOP = 3
TARGET_SPEEDUP = 20.0


def make_cashflows(seed: int = SEED) -> np.ndarray:
    """Conventional flows, shape (N_SCENARIOS, N_YEARS + 1); IRRs about 1-40 % (a few above)."""
    rng = np.random.default_rng(seed)
    capex = rng.uniform(1e5, 1e7, N_SCENARIOS)  # [currency]
    target_irr = rng.uniform(0.01, 0.37, N_SCENARIOS)  # [1/yr]
    level_inflow = capex * capital_recovery_factor(target_irr, N_YEARS)  # [currency/yr]
    noise = rng.lognormal(mean=0.0, sigma=0.15, size=(N_SCENARIOS, N_YEARS))
    noise /= noise.mean(axis=1, keepdims=True)  # keep each row's average inflow level
    flows = np.empty((N_SCENARIOS, N_YEARS + 1))
    flows[:, 0] = -capex
    flows[:, 1:] = level_inflow[:, np.newaxis] * noise
    return flows


def main() -> int:
    flows = make_cashflows()
    irr(flows[:10])  # warm-up (imports, first-call allocations)

    t_vec, ours = best_time(lambda: np.asarray(irr(flows)), REPEATS_VECTORISED)
    t_loop, theirs = best_time(lambda: np.array([npf.irr(row) for row in flows]), REPEATS_LOOP)

    both = np.isfinite(ours) & np.isfinite(theirs)
    max_diff = float(np.max(np.abs(ours[both] - theirs[both]))) if both.any() else np.nan
    nan_mismatch = int((np.isfinite(ours) != np.isfinite(theirs)).sum())
    speedup = t_loop / t_vec

    print(f"IRR of {N_SCENARIOS:,} x {N_YEARS + 1} conventional cash flows (seed {SEED})")
    print(f"IRR range: {np.nanmin(ours):.2%} to {np.nanmax(ours):.2%}")
    print()
    print(f"{'method':<44} {'seconds':>10}")
    print(f"{'-' * 44} {'-' * 10}")
    print(f"{'eip_analysis.finance.irr (whole array)':<44} {t_vec:>10.4f}")
    print(f"{'numpy_financial.irr (Python loop over rows)':<44} {t_loop:>10.4f}")
    print()
    print(f"speed-up: {speedup:.1f}x (target >= {TARGET_SPEEDUP:.0f}x)")
    print(f"agreement: max |difference| {max_diff:.2e} over {int(both.sum()):,} rows")
    print(f"           rows finite in one result only: {nan_mismatch}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
