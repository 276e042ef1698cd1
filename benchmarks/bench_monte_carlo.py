"""Benchmark: vectorised Monte Carlo (``eip_analysis.risk.monte_carlo``) against a loop of
``appraise`` once per draw.

Draws 10,000 seeded scenarios of one case's uncertain inputs, times the vectorised simulation
(one call of ``appraisal.evaluate`` for all draws; best of a few repeats,
``time.perf_counter``), times a Python loop of ``appraise(case, values=draw)`` over the first
200 draws and scales it to 10,000, checks that both give the same NPVs, and prints seconds and
the speed-up. The same is done with the financing metrics (equity NPV/IRR, DSCR) against a loop
of ``appraise`` + ``evaluate_financing`` (one draw per call, no debt sizing, like the
simulation). Run from the repository root::

    .venv/bin/python benchmarks/bench_monte_carlo.py [CASE_ID]

Not a test: nothing here asserts on timings.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best_time

from eip_analysis import appraise, load_case
from eip_analysis.financing import evaluate_financing, resolve_parameters
from eip_analysis.risk import DEFAULT_SEED, monte_carlo

N_DRAWS = 10_000
N_LOOP = 200
REPEATS_VECTORISED = 5
TARGET_SPEEDUP = 50.0
DEFAULT_CASE = "HK-01"


def loop(case, draws: dict[str, np.ndarray], n: int, financing: bool) -> tuple[float, list]:
    """Wall time [s] of appraising the first ``n`` draws one by one, and their results."""
    project_paths = {p for p, _, _ in case.quantities()}
    out = []
    start = time.perf_counter()
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
    return time.perf_counter() - start, out


def main(argv: list[str]) -> int:
    case = load_case(argv[0] if argv else DEFAULT_CASE)
    print(f"Monte Carlo of {case.id}: {N_DRAWS:,} draws, seed {DEFAULT_SEED}; loop of "
          f"{N_LOOP} draws scaled to {N_DRAWS:,}")
    print(f"{'metrics':22s} {'vectorised [s]':>15s} {'loop [s]':>12s} {'speed-up':>10s}  agree")
    ok = True
    for financing in (False, True):
        t_vec, mc = best_time(lambda f=financing: monte_carlo(case, n_draws=N_DRAWS,
                                                              financing=f),
                              REPEATS_VECTORISED)
        t_loop, results = loop(case, mc.inputs, N_LOOP, financing)
        t_loop_scaled = t_loop * N_DRAWS / N_LOOP
        npv = np.array([r[0] for r in results])
        agree = np.allclose(npv, mc.outputs["npv_usd"][:N_LOOP], rtol=1e-9, atol=1e-6)
        if financing:
            eq = np.array([r[1] for r in results])
            agree &= np.allclose(eq, mc.outputs["equity_npv_usd"][:N_LOOP], rtol=1e-9,
                                 atol=1e-6)
        speedup = t_loop_scaled / t_vec
        ok &= bool(agree) and (financing or speedup >= TARGET_SPEEDUP)
        label = "project + financing" if financing else "project (NPV, IRR...)"
        print(f"{label:22s} {t_vec:15.3f} {t_loop_scaled:12.1f} {speedup:9.0f}x  {agree}")
    print(f"target: project Monte Carlo >= {TARGET_SPEEDUP:.0f}x faster than the loop: "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
