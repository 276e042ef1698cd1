"""Benchmark: ``eip_analysis.finance.irr`` and ``xirr`` (Numba kernel) against loops of
``pyxirr`` and ``numpy_financial`` and against one vectorised NPV pass.

Seeded conventional cash flows (year-0 outlay, then 20 years of noisy inflows; IRRs about
1-40 %), N x 21 for N = 1,000 / 10,000 / 100,000. For each N, in the same process (medians of
repeats, ``time.perf_counter``):

* ``irr`` of the whole array (after one warm-up call, so no compilation is timed);
* a Python loop of ``pyxirr.irr`` over the rows;
* a Python loop of ``numpy_financial.irr`` over at most ``NPF_ROWS`` rows, scaled linearly to
  N rows (its cost per row does not depend on the row; a loop over 100,000 rows would take
  minutes);
* one vectorised ``npv(0.1, flows)`` pass (the target's yardstick) and, for reference, the
  matrix-vector product ``flows @ 1.1 ** -t`` (the least work any NPV pass can do);
* the largest |difference| between ``irr`` and the ``pyxirr`` loop.

The same for ``xirr`` at N = 10,000 and 100,000 (yearly dates from 2027-01-01, three of them
moved to irregular days) against a loop of ``pyxirr.xirr`` and one ``xnpv`` pass.

First-call time: ``python -c`` subprocesses with ``NUMBA_CACHE_DIR`` pointing to a fresh
temporary folder, run twice: the first compiles the kernel (cold cache), the second loads it
(warm cache); each reports the import of ``eip_analysis.finance`` and its first ``irr`` and
``xirr`` calls (numba's own import included). Peak memory: the peak resident memory of this
process and of those subprocesses.

Prints a table, says whether each target of issue 11 is met, and writes
``benchmarks/results/irr.json``. Takes about a minute on 2 cores. Run from the repository
root::

    .venv/bin/python benchmarks/bench_irr.py

Not a test: nothing here asserts on timings (the exit status is 1 when a target is missed).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pyxirr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import median_time, peak_rss_mb, write_result

from eip_analysis.finance import capital_recovery_factor, irr, npv, xirr, xnpv

SEED = 20240611
N_YEARS = 20
SIZES = (1_000, 10_000, 100_000)
XIRR_SIZES = (10_000, 100_000)
NPF_ROWS = 2_000  # rows of the numpy-financial loop; scaled linearly to N
REPEATS_OURS = 7
REPEATS_NPV = 15
REPEATS_LOOP = 3
# Issue 11, at N = 100,000: at least 5x faster than looping pyxirr, at most 25x one NPV pass.
TARGET_VS_PYXIRR = 5.0
TARGET_VS_NPV = 25.0
AGREEMENT_RTOL = 1e-9  # irr vs pyxirr.irr (pyxirr.xirr stops earlier: see tests)

CHILD = """
import json, sys, time
start = time.perf_counter()
import eip_analysis.finance as finance
imported = time.perf_counter()
finance.irr([-100.0, 60.0, 60.0])
first_irr = time.perf_counter()
finance.xirr(["2027-01-01", "2028-03-01"], [-1.0, 2.0])
first_xirr = time.perf_counter()
print(json.dumps({"import_s": imported - start, "first_irr_s": first_irr - imported,
                  "first_xirr_s": first_xirr - first_irr}))
"""


def make_cashflows(n_rows: int, seed: int = SEED) -> np.ndarray:
    """Conventional flows, shape (n_rows, N_YEARS + 1); IRRs about 1-40 % (a few above)."""
    rng = np.random.default_rng(seed)
    capex = rng.uniform(1e5, 1e7, n_rows)  # [currency]
    target_irr = rng.uniform(0.01, 0.37, n_rows)  # [1/yr]
    level_inflow = capex * capital_recovery_factor(target_irr, N_YEARS)  # [currency/yr]
    noise = rng.lognormal(mean=0.0, sigma=0.15, size=(n_rows, N_YEARS))
    noise /= noise.mean(axis=1, keepdims=True)  # keep each row's average inflow level
    flows = np.empty((n_rows, N_YEARS + 1))
    flows[:, 0] = -capex
    flows[:, 1:] = level_inflow[:, np.newaxis] * noise
    return flows


def make_dates() -> list[dt.date]:
    """Yearly dates from 2027-01-01, three moved to irregular days."""
    dates = [dt.date(2027 + k, 1, 1) for k in range(N_YEARS + 1)]
    dates[3] = dt.date(2030, 3, 15)
    dates[10] = dt.date(2037, 7, 1)
    dates[17] = dt.date(2043, 11, 30)
    return dates


def first_call_times() -> dict[str, dict[str, float]]:
    """Import and first-call seconds in fresh processes: cold numba cache, then warm."""
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for label in ("cold_cache", "warm_cache"):
            done = subprocess.run(
                [sys.executable, "-c", CHILD], cwd=ROOT, env=env, check=True,
                capture_output=True, text=True,
            )  # fmt: skip
            out[label] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def relative_difference(ours: np.ndarray, theirs: np.ndarray) -> float:
    return float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-12)))


def bench_irr(n_rows: int) -> dict[str, float]:
    flows = make_cashflows(n_rows)
    t_ours, ours = median_time(lambda: np.asarray(irr(flows)), REPEATS_OURS)
    t_pyxirr, theirs = median_time(
        lambda: np.array([pyxirr.irr(row) for row in flows], dtype=float), REPEATS_LOOP
    )
    subset = flows[:NPF_ROWS]
    t_npf_subset, npf_values = median_time(
        lambda: np.array([npf.irr(row) for row in subset]), REPEATS_LOOP
    )
    t_npf = t_npf_subset * n_rows / subset.shape[0]
    t_npv, _ = median_time(lambda: npv(0.1, flows), REPEATS_NPV)
    factors = 1.1 ** -np.arange(flows.shape[1], dtype=np.float64)
    t_matvec, _ = median_time(lambda: flows @ factors, REPEATS_NPV)
    return {
        "rows": n_rows,
        "irr_s": t_ours,
        "pyxirr_loop_s": t_pyxirr,
        "npf_loop_s": t_npf,
        "npf_loop_rows_timed": subset.shape[0],
        "npv_pass_s": t_npv,
        "matvec_pass_s": t_matvec,
        "pyxirr_over_ours": t_pyxirr / t_ours,
        "ours_over_npv": t_ours / t_npv,
        "ours_over_matvec": t_ours / t_matvec,
        "npf_over_ours": t_npf / t_ours,
        "max_abs_diff_pyxirr": float(np.max(np.abs(ours - theirs))),
        "max_rel_diff_pyxirr": relative_difference(ours, theirs),
        "max_abs_diff_npf": float(np.max(np.abs(ours[: subset.shape[0]] - npf_values))),
        "nan_rows": int(np.isnan(ours).sum()),
    }


def bench_xirr(n_rows: int) -> dict[str, float]:
    flows = make_cashflows(n_rows)
    dates = make_dates()
    t_ours, ours = median_time(lambda: np.asarray(xirr(dates, flows)), REPEATS_OURS)
    t_pyxirr, theirs = median_time(
        lambda: np.array([pyxirr.xirr(dates, row) for row in flows], dtype=float), REPEATS_LOOP
    )
    t_xnpv, _ = median_time(lambda: xnpv(0.1, dates, flows), REPEATS_NPV)
    return {
        "rows": n_rows,
        "xirr_s": t_ours,
        "pyxirr_loop_s": t_pyxirr,
        "xnpv_pass_s": t_xnpv,
        "pyxirr_over_ours": t_pyxirr / t_ours,
        "ours_over_xnpv": t_ours / t_xnpv,
        "max_abs_diff_pyxirr": float(np.max(np.abs(ours - theirs))),
        "max_rel_diff_pyxirr": relative_difference(ours, theirs),
        "nan_rows": int(np.isnan(ours).sum()),
    }


def main() -> int:
    first_call = first_call_times()
    child_rss = peak_rss_mb(resource.RUSAGE_CHILDREN)
    flows = make_cashflows(10)
    irr(flows)  # warm-up: kernel import (cache load or compilation) outside the timings
    xirr(make_dates(), flows)

    irr_rows = [bench_irr(n) for n in SIZES]
    xirr_rows = [bench_xirr(n) for n in XIRR_SIZES]
    big, xbig = irr_rows[-1], xirr_rows[-1]
    targets = {
        "irr_vs_pyxirr": big["pyxirr_over_ours"] >= TARGET_VS_PYXIRR,
        "irr_vs_npv": big["ours_over_npv"] <= TARGET_VS_NPV,
        "irr_vs_matvec": big["ours_over_matvec"] <= TARGET_VS_NPV,
        "irr_same_roots": all(r["max_rel_diff_pyxirr"] <= AGREEMENT_RTOL for r in irr_rows),
        "xirr_vs_pyxirr": xbig["pyxirr_over_ours"] >= TARGET_VS_PYXIRR,
        "xirr_vs_xnpv": xbig["ours_over_xnpv"] <= TARGET_VS_NPV,
    }

    ms = 1e3
    print(f"IRR of N x {N_YEARS + 1} conventional cash flows (seed {SEED}); medians, ms")
    print(
        f"{'N':>8} {'irr':>8} {'pyxirr':>9} {'npf*':>9} {'npv':>8} {'matvec':>7}"
        f" {'pyxirr/irr':>10} {'irr/npv':>8} {'irr/matv':>8} {'npf/irr':>8} {'max|d|':>8}"
    )
    for r in irr_rows:
        print(
            f"{r['rows']:>8,} {r['irr_s'] * ms:>8.2f} {r['pyxirr_loop_s'] * ms:>9.1f}"
            f" {r['npf_loop_s'] * ms:>9.0f} {r['npv_pass_s'] * ms:>8.2f}"
            f" {r['matvec_pass_s'] * ms:>7.2f} {r['pyxirr_over_ours']:>10.1f}"
            f" {r['ours_over_npv']:>8.2f} {r['ours_over_matvec']:>8.1f}"
            f" {r['npf_over_ours']:>8.0f} {r['max_abs_diff_pyxirr']:>8.1e}"
        )
    print(
        f"  npf*: numpy_financial.irr looped over {NPF_ROWS:,} rows (all rows when fewer),"
        " scaled linearly to N; matvec: flows @ 1.1**-t, the least work of an NPV pass;"
        " max|d|: largest |irr - pyxirr.irr|"
    )
    print()
    print("XIRR, yearly dates from 2027-01-01 with 3 irregular ones; medians, ms")
    print(
        f"{'N':>8} {'xirr':>8} {'pyxirr':>9} {'xnpv':>8} {'pyxirr/xirr':>11} {'xirr/xnpv':>9}"
        f" {'max|d|':>8}"
    )
    for r in xirr_rows:
        print(
            f"{r['rows']:>8,} {r['xirr_s'] * ms:>8.2f} {r['pyxirr_loop_s'] * ms:>9.1f}"
            f" {r['xnpv_pass_s'] * ms:>8.2f} {r['pyxirr_over_ours']:>11.1f}"
            f" {r['ours_over_xnpv']:>9.2f} {r['max_abs_diff_pyxirr']:>8.1e}"
        )
    print()
    print("First call in a fresh process [s] (numba import included in the first irr call):")
    for label, times in first_call.items():
        print(
            f"  {label:<11} import eip_analysis.finance {times['import_s']:.2f},"
            f" first irr {times['first_irr_s']:.2f}, first xirr {times['first_xirr_s']:.3f}"
        )
    rss = peak_rss_mb()
    print(
        f"Peak resident memory: this process {rss:.0f} MB, compiling subprocess {child_rss:.0f} MB"
    )
    print()
    labels = {
        "irr_vs_pyxirr": f"irr >= {TARGET_VS_PYXIRR:.0f}x faster than a pyxirr loop (N = 100,000)",
        "irr_vs_npv": f"irr <= {TARGET_VS_NPV:.0f}x one finance.npv pass (N = 100,000)",
        "irr_vs_matvec": f"irr <= {TARGET_VS_NPV:.0f}x one bare flows @ v product (N = 100,000;"
                         f" {big['ours_over_matvec']:.0f}x)",
        "irr_same_roots": f"irr equals pyxirr.irr to rtol {AGREEMENT_RTOL:g} (every N)",
        "xirr_vs_pyxirr": f"xirr >= {TARGET_VS_PYXIRR:.0f}x faster than a pyxirr.xirr loop",
        "xirr_vs_xnpv": f"xirr <= {TARGET_VS_NPV:.0f}x one xnpv pass (N = 100,000)",
    }
    print("Targets (issue 11):")
    for key, ok in targets.items():
        print(f"  {'met    ' if ok else 'NOT MET'}  {labels[key]}")

    path = write_result(
        "irr",
        {
            "n_years": N_YEARS,
            "seed": SEED,
            "npf_rows_timed": NPF_ROWS,
            "irr": irr_rows,
            "xirr": xirr_rows,
            "first_call_s": first_call,
            "peak_rss_mb": rss,
            "peak_rss_compile_subprocess_mb": child_rss,
            "targets": {
                "vs_pyxirr_min": TARGET_VS_PYXIRR,
                "vs_npv_max": TARGET_VS_NPV,
                "agreement_rtol": AGREEMENT_RTOL,
                "met": targets,
            },
        },
    )
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
