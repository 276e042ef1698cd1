"""Benchmark: vectorised Monte Carlo (``eip_analysis.risk.monte_carlo``) of every case against
a loop of ``appraise``, one draw per call.

For each case of ``data/raw/cases`` (12) it draws 10,000 seeded scenarios of the uncertain
inputs and times, in the same process:

* the vectorised simulation (blocks of ``risk.BLOCK_DRAWS`` draws, one vectorised evaluation
  each): median of ``REPEATS_VECTORISED`` runs;
* a Python loop of ``appraise(case, values=draw)`` over the first ``N_LOOP`` draws only (a
  loop over all 10,000 would take minutes per case), median of ``REPEATS_LOOP`` runs, scaled to
  10,000 draws (x 10,000 / ``N_LOOP``: the loop's cost per draw does not depend on the draw);

both for the project metrics (NPV, IRR, payback) and with the financing metrics (equity NPV and
IRR, minimum DSCR; the loop then adds ``evaluate_financing`` per draw, no debt sizing, like the
simulation). It checks that the loop's NPVs (and equity NPVs) equal the simulation's for those
draws (relative 1e-9), measures the peak memory of one vectorised run with financing
(``tracemalloc``: the largest total of Python and numpy allocations during the run, in one
extra untimed run) and the peak resident memory of the process, prints a table and writes
``benchmarks/results/monte_carlo.json``. Takes about 1-2 minutes on 2 cores. Run from the
repository root::

    .venv/bin/python benchmarks/bench_monte_carlo.py [CASE_ID ...]

Not a test: nothing here asserts on timings (the exit status is 1 when the vectorised project
simulation is not ``TARGET_SPEEDUP`` times faster than the loop for every case, or a check
fails).
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import median_time, peak_rss_mb, write_result

from eip_analysis import appraise, load_case, paths
from eip_analysis.financing import evaluate_financing, resolve_parameters
from eip_analysis.risk import BLOCK_DRAWS, DEFAULT_SEED, monte_carlo

N_DRAWS = 10_000
N_LOOP = 40
REPEATS_VECTORISED = 3
REPEATS_LOOP = 3
TARGET_SPEEDUP = 50.0
VARIANTS = (("project", False), ("financing", True))


def loop(case, draws: dict[str, np.ndarray], n: int, financing: bool) -> list[tuple[float, float]]:
    """``(NPV, equity NPV or nan)`` of the first ``n`` draws, appraised one by one."""
    project_paths = {p for p, _, _ in case.quantities()}
    out = []
    for k in range(n):
        values = {p: float(v[k]) for p, v in draws.items() if p in project_paths}
        a = appraise(case, values=values)
        if financing:  # the same financing metrics as the simulation, one draw per call
            params = resolve_parameters(case).values
            terms = {p: float(v[k]) for p, v in draws.items()}
            fin = evaluate_financing(case, params, terms, debt_capacity=False)
            out.append((a.npv_usd, float(fin["equity_npv_usd"][0])))
        else:
            out.append((a.npv_usd, np.nan))
    return out


def traced_peak_mb(func) -> float:
    """Peak of the memory allocated (Python and numpy, ``tracemalloc``) while ``func`` runs [MB]."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def measure(case) -> dict:
    """The figures of one case: per variant seconds, scaled loop seconds, speed-up, agreement."""
    row: dict = {}
    for name, financing in VARIANTS:
        t_vec, mc = median_time(lambda f=financing: monte_carlo(case, n_draws=N_DRAWS,
                                                                financing=f),
                                REPEATS_VECTORISED)
        t_loop, results = median_time(lambda m=mc, f=financing: loop(case, m.inputs, N_LOOP, f),
                                      REPEATS_LOOP)
        t_loop_scaled = t_loop * N_DRAWS / N_LOOP
        npv = np.array([r[0] for r in results])
        agree = bool(np.allclose(npv, mc.outputs["npv_usd"][:N_LOOP], rtol=1e-9, atol=1e-6))
        if financing:
            eq = np.array([r[1] for r in results])
            agree &= bool(np.allclose(eq, mc.outputs["equity_npv_usd"][:N_LOOP], rtol=1e-9,
                                      atol=1e-6, equal_nan=True))
        row[name] = {"vectorised_s": t_vec, "loop_s_measured": t_loop,
                     "loop_s_scaled": t_loop_scaled, "speedup": t_loop_scaled / t_vec,
                     "agree": agree}
        row["drivers"] = len(mc.drivers)
    row["peak_traced_mb"] = traced_peak_mb(lambda: monte_carlo(case, n_draws=N_DRAWS))
    return row


def main(argv: list[str]) -> int:
    ids = argv or sorted(p.stem for p in paths.cases_dir().glob("*.yaml"))
    cases = [load_case(i) for i in ids]
    monte_carlo(cases[0], n_draws=100)  # warm-up: imports, caches, first calls
    load_start = os.getloadavg()
    start = time.perf_counter()
    print(f"Monte Carlo of {len(cases)} cases: {N_DRAWS:,} draws each (seed {DEFAULT_SEED}, "
          f"blocks of {BLOCK_DRAWS:,}), median of {REPEATS_VECTORISED}; loop of appraise over "
          f"the first {N_LOOP} draws, median of {REPEATS_LOOP}, scaled to {N_DRAWS:,}")
    head = (f"{'case':6s} {'drv':>3s} | {'project: vec [s]':>16s} {'loop [s]':>9s} "
            f"{'speed-up':>8s} | {'+ financing: vec [s]':>20s} {'loop [s]':>9s} "
            f"{'speed-up':>8s} | {'agree':5s} {'peak MB':>7s}")
    print(head)
    print("-" * len(head))
    rows: dict[str, dict] = {}
    for case in cases:
        r = rows[case.id] = measure(case)
        p, f = r["project"], r["financing"]
        print(f"{case.id:6s} {r['drivers']:3d} | {p['vectorised_s']:16.3f} "
              f"{p['loop_s_scaled']:9.1f} {p['speedup']:7.0f}x | {f['vectorised_s']:20.3f} "
              f"{f['loop_s_scaled']:9.1f} {f['speedup']:7.0f}x | "
              f"{p['agree'] and f['agree']!s:5s} {r['peak_traced_mb']:7.0f}")
    totals = {name: {"vectorised_s": sum(r[name]["vectorised_s"] for r in rows.values()),
                     "loop_s_scaled": sum(r[name]["loop_s_scaled"] for r in rows.values())}
              for name, _ in VARIANTS}
    for t in totals.values():
        t["speedup"] = t["loop_s_scaled"] / t["vectorised_s"]
    p, f = totals["project"], totals["financing"]
    print("-" * len(head))
    print(f"{'all':6s} {'':3s} | {p['vectorised_s']:16.3f} {p['loop_s_scaled']:9.1f} "
          f"{p['speedup']:7.0f}x | {f['vectorised_s']:20.3f} {f['loop_s_scaled']:9.1f} "
          f"{f['speedup']:7.0f}x |")
    agree = all(r[name]["agree"] for r in rows.values() for name, _ in VARIANTS)
    least = min(r["project"]["speedup"] for r in rows.values())
    ok = agree and least >= TARGET_SPEEDUP
    elapsed = time.perf_counter() - start
    print(f"loop and vectorised NPVs agree: {agree}; smallest project speed-up {least:.0f}x "
          f"(target >= {TARGET_SPEEDUP:.0f}x: {'met' if least >= TARGET_SPEEDUP else 'NOT met'})")
    print(f"peak MB: tracemalloc peak of one 10,000-draw run with financing; peak RSS of this "
          f"process {peak_rss_mb():.0f} MB; {elapsed:.0f} s; load average "
          f"{load_start[0]:.1f} -> {os.getloadavg()[0]:.1f}")
    out = write_result("monte_carlo", {
        "n_draws": N_DRAWS, "seed": DEFAULT_SEED, "block_draws": BLOCK_DRAWS, "n_loop": N_LOOP,
        "loop_scaled_by": N_DRAWS / N_LOOP, "repeats_vectorised": REPEATS_VECTORISED,
        "repeats_loop": REPEATS_LOOP, "statistic": "median", "cases": rows, "totals": totals,
        "agree": agree, "target_speedup": TARGET_SPEEDUP, "target_met": ok,
        "peak_rss_mb": peak_rss_mb(), "elapsed_s": elapsed,
        "load_average": [load_start[0], os.getloadavg()[0]]})
    print(f"wrote {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
