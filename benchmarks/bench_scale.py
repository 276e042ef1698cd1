"""Benchmark: how the cost of ``validate``, ``metrics`` and Monte Carlo grows with the number
of cases, from 50 to 500 synthetic cases.

The synthetic cases are seeded perturbed copies of the 12 files of ``data/raw/cases``: copy
``k`` (``SYN-0001``, ``SYN-0002``...) is case file ``k mod 12`` with a new id and title, no
``excludes:`` (the cases it names are not in the synthetic folder) and every money number
(unit ``VND...``/``USD...``: amounts, yearly amounts, prices; its value, low and high alike)
multiplied by a factor drawn uniformly from 0.8-1.25 (``numpy.random.default_rng(SEED)``).
They are written as YAML into a temporary folder per size, so they go through the same
loader and validation as real case files. For each size (50, 100, 250, 500 cases) it times
(``validate`` and ``metrics``: median of 3 runs up to 100 cases; everything else one run, of
seconds to tens of seconds):

* ``validate``: :func:`eip_analysis.cases.valid_cases` of the folder, what
  ``eip-analysis validate`` runs;
* ``metrics``: what ``eip-analysis metrics`` runs: ``valid_cases``, ``appraise`` of every
  case, :func:`eip_analysis.processed.write_processed` (``metrics.csv``, one cash-flow table per
  case and ``fields.csv``, into a temporary folder) and the summary table;
* Monte Carlo of every case, ``N_DRAWS`` draws each (1,000, with financing metrics: with the
  2,000 first planned the script takes 4-5 minutes on 2 cores; ``--draws 2000`` runs it), with
  :func:`eip_analysis.risk.monte_carlo_many` locally (``client=None``) and on a
  ``LocalCluster`` of 2 worker processes (:func:`eip_analysis.cluster.dask_client`; started once,
  its start-up time reported apart); the two results are compared (bit for bit).

It prints seconds, seconds per case and the peak resident memory of this process (the high-water
mark so far: sizes run in increasing order, so it is that of the largest run so far) and of the
cluster's workers, fits ``seconds = a + b x cases`` (least squares) and the exponent ``k`` of
``seconds ~ cases^k`` (log-log fit: 1 is linear, below 1 a fixed cost shared by more cases,
above 1 a cost per case that grows with the number of cases) for each step, and writes
``benchmarks/results/scale.json`` (with the load average, as other processes on the machine
slow every figure down). Run from the repository root (about 2-3 minutes on 2 cores)::

    .venv/bin/python benchmarks/bench_scale.py [--sizes 50 100 250 500] [--draws 1000]

Not a test: nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import copy
import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import median_time, peak_rss_mb, write_result

from eip_analysis import paths
from eip_analysis.cases import valid_cases
from eip_analysis.cli import appraise_folder, summary_table
from eip_analysis.cluster import dask_client
from eip_analysis.processed import write_processed
from eip_analysis.risk import BLOCK_DRAWS, DEFAULT_SEED, monte_carlo_many

SEED = 20240611
SIZES = (50, 100, 250, 500)
N_DRAWS = 1_000
#: Runs of validate and metrics (median) up to SMALL cases, one run above.
REPEATS_SMALL, SMALL = 3, 100
N_WORKERS = 2
FACTOR_LOW, FACTOR_HIGH = 0.8, 1.25
CURRENCIES = ("VND", "USD")
WARM_UP_CASES = 12
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when there is one
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
STEPS = ("validate", "metrics", "monte_carlo_local", "monte_carlo_cluster")


def _scale_money(node, rng: np.random.Generator) -> None:
    """Multiply every money quantity in ``node`` (value, low, high) by one seeded factor each."""
    if isinstance(node, dict):
        unit = node.get("unit")
        if "value" in node and isinstance(unit, str) and unit.startswith(CURRENCIES):
            factor = float(rng.uniform(FACTOR_LOW, FACTOR_HIGH))
            for key in ("value", "low", "high"):
                if isinstance(node.get(key), (int, float)) and not isinstance(node[key], bool):
                    node[key] = float(node[key]) * factor
        for child in node.values():
            _scale_money(child, rng)
    elif isinstance(node, list):
        for child in node:
            _scale_money(child, rng)


def write_synthetic_cases(n: int, folder: Path, seed: int = SEED) -> list[str]:
    """Write ``n`` perturbed copies of the case files as ``folder/SYN-<k>.yaml``; their ids."""
    sources = sorted(paths.cases_dir().glob("*.yaml"))
    originals = [yaml.load(p.read_text(encoding="utf-8"), Loader=_LOADER) for p in sources]
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for k in range(n):
        data = copy.deepcopy(originals[k % len(originals)])
        cid = f"SYN-{k + 1:04d}"
        data["title"] = f"{data['title']} (synthetic copy of {data['id']})"
        data["id"] = cid
        data.pop("excludes", None)
        _scale_money(data, rng)
        text = yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
        (folder / f"{cid}.yaml").write_text(text, encoding="utf-8")
        ids.append(cid)
    return ids


def _timed(func, repeats: int = 1):
    """Median wall time [s] of ``repeats`` calls, and the last result."""
    return median_time(func, repeats)


def run_metrics(folder: Path, output: Path) -> tuple[list[Path], str, int]:
    """What ``eip-analysis metrics --cases folder --output output`` does (``cli._metrics``):
    the files written, the summary table it prints and the number of cases that failed."""
    appraisals, bad = appraise_folder(folder)
    written = write_processed(appraisals, output)
    return written, summary_table(appraisals), len(bad)


def warm_up(root: Path, files: list[Path], client) -> None:
    """Run every step once on a few cases, so that the first size does not pay the imports,
    caches and first calls (here and in the workers)."""
    folder = root / "warm_up"
    folder.mkdir()
    for p in files:
        (folder / p.name).write_bytes(p.read_bytes())
    good, _ = valid_cases(folder)
    run_metrics(folder, root / "processed_warm_up")
    monte_carlo_many(good, n_draws=200)
    # one task per case, so that every worker runs some (and loads the compiled IRR kernel)
    monte_carlo_many(good, n_draws=BLOCK_DRAWS, client=client, chunk_draws=BLOCK_DRAWS)


def identical(a: dict, b: dict) -> tuple[bool, int]:
    """Whether two ``monte_carlo_many`` results are equal to the last bit; values that differ."""
    differ = 0
    for cid, x in a.items():
        for k, v in x.outputs.items():
            w = b[cid].outputs[k]
            differ += int(np.count_nonzero(~((v == w) | (np.isnan(v) & np.isnan(w)))))
    return differ == 0, differ


def worker_peak_rss_mb(client) -> float:
    """The largest peak resident memory [MB] of the cluster's workers."""
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    return max(peaks.values())


def fit(sizes: list[int], seconds: list[float]) -> dict[str, float]:
    """Least-squares line ``seconds = a + b n`` (with R^2) and log-log exponent ``k``."""
    n, t = np.asarray(sizes, float), np.asarray(seconds, float)
    b, a = np.polyfit(n, t, 1)
    pred = a + b * n
    r2 = 1.0 - float(np.sum((t - pred) ** 2)) / float(np.sum((t - t.mean()) ** 2))
    k = float(np.polyfit(np.log(n), np.log(t), 1)[0])
    return {"intercept_s": float(a), "slope_s_per_case": float(b), "r2": r2, "exponent": k}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--draws", type=int, default=N_DRAWS)
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    rows: list[dict] = []
    load_start = os.getloadavg()
    total_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as tmp:
        root = Path(tmp)
        gen_s, _ = _timed(lambda: write_synthetic_cases(max(sizes), root / "all"))
        all_files = sorted((root / "all").glob("*.yaml"))
        print(f"{max(sizes)} synthetic cases written in {gen_s:.1f} s; Monte Carlo "
              f"{args.draws:,} draws per case (seed {DEFAULT_SEED}), with financing metrics")
        t0 = time.perf_counter()
        with dask_client(n_workers=N_WORKERS) as client:
            start_s = time.perf_counter() - t0
            print(f"LocalCluster of {N_WORKERS} workers started in {start_s:.1f} s")
            warm_s, _ = _timed(lambda: warm_up(root, all_files[:WARM_UP_CASES], client))
            print(f"warm-up (imports and first calls here and in the workers, untimed in the "
                  f"table): {warm_s:.1f} s")
            head = (f"{'cases':>5s} {'step':20s} {'seconds':>8s} {'ms/case':>8s} "
                    f"{'peak RSS MB':>11s}")
            print(head)
            print("-" * len(head))
            for n in sizes:
                folder = root / f"cases_{n}"
                folder.mkdir()
                for p in all_files[:n]:
                    (folder / p.name).write_bytes(p.read_bytes())
                row: dict = {"cases": n, "load_average_before": os.getloadavg()[0]}
                reps = REPEATS_SMALL if n <= SMALL else 1
                row["repeats_validate_metrics"] = reps
                row["validate_s"], (good, bad) = _timed(lambda f=folder: valid_cases(f), reps)
                if bad:
                    print(f"error: {len(bad)} synthetic case(s) invalid: {bad[0][1]}")
                    return 1
                row["validate_peak_rss_mb"] = peak_rss_mb()
                row["metrics_s"], (written, _, failed) = _timed(
                    lambda f=folder, n=n: run_metrics(f, root / f"processed_{n}"), reps)
                if failed or len(written) != n + 2:
                    print(f"error: metrics of {failed} synthetic case(s) failed")
                    return 1
                row["metrics_peak_rss_mb"] = peak_rss_mb()
                row["monte_carlo_local_s"], local = _timed(
                    lambda g=good: monte_carlo_many(g, n_draws=args.draws))
                row["monte_carlo_local_peak_rss_mb"] = peak_rss_mb()
                row["monte_carlo_cluster_s"], remote = _timed(
                    lambda g=good: monte_carlo_many(g, n_draws=args.draws, client=client))
                row["monte_carlo_cluster_peak_rss_mb"] = peak_rss_mb()
                row["worker_peak_rss_mb"] = worker_peak_rss_mb(client)
                row["cluster_identical"], row["cluster_values_differing"] = identical(local,
                                                                                      remote)
                for step in STEPS:
                    s = row[f"{step}_s"]
                    row[f"{step}_ms_per_case"] = 1000.0 * s / n
                    print(f"{n:5d} {step:20s} {s:8.2f} {1000.0 * s / n:8.1f} "
                          f"{row[f'{step}_peak_rss_mb']:11.0f}")
                row["load_average_after"] = os.getloadavg()[0]
                print(f"{'':5s} cluster = local to the last bit: {row['cluster_identical']} "
                      f"({row['cluster_values_differing']} values differ); workers' peak RSS "
                      f"{row['worker_peak_rss_mb']:.0f} MB; load average "
                      f"{row['load_average_before']:.1f} -> {row['load_average_after']:.1f}")
                rows.append(row)
                del good, local, remote
                gc.collect()
    fits = {}
    if len(sizes) >= 2:
        print("\nfit seconds = a + b x cases (least squares), exponent k of seconds ~ cases^k")
        print(f"{'step':20s} {'a [s]':>7s} {'b [ms/case]':>11s} {'R^2':>7s} {'k':>5s}  grows")
        for step in STEPS:
            f = fit(sizes, [r[f"{step}_s"] for r in rows])
            f["linear"] = bool(f["exponent"] <= 1.1)  # no worse than linear
            fits[step] = f
            print(f"{step:20s} {f['intercept_s']:7.2f} {1000 * f['slope_s_per_case']:11.1f} "
                  f"{f['r2']:7.4f} {f['exponent']:5.2f}  "
                  f"{'linearly (or less)' if f['linear'] else 'faster than linearly'}")
    total_s = time.perf_counter() - total_start
    load_end = os.getloadavg()
    print(f"\ntotal {total_s:.0f} s; peak RSS of this process {peak_rss_mb():.0f} MB; load "
          f"average {load_start[0]:.1f} -> {load_end[0]:.1f}")
    out = write_result("scale", {
        "sizes": sizes, "n_draws": args.draws, "seed": DEFAULT_SEED, "n_workers": N_WORKERS,
        "synthetic_seed": SEED, "factor_range": [FACTOR_LOW, FACTOR_HIGH],
        "generate_s": gen_s, "cluster_start_s": start_s, "rows": rows, "fits": fits,
        "total_s": total_s, "peak_rss_mb": peak_rss_mb(),
        "load_average": [load_start[0], load_end[0]]})
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
