"""Benchmark: seconds per HTML report, one after the other and in parallel processes.

Renders every case of ``data/raw/cases`` into a temporary folder with
:func:`eip_analysis.batch.run_cases`, once with 1 job and once with ``--jobs`` (default 2),
and prints the wall time, the seconds per report and the mean report size. Run from the
repository root::

    .venv/bin/python benchmarks/bench_batch.py [--jobs N]

Not a test: nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eip_analysis import paths
from eip_analysis.batch import ReportTask, run_cases


def measure(jobs: int, case_ids: list[str]) -> tuple[float, int, float]:
    """Wall time [s], reports written and mean report size [kB] for one batch run."""
    with tempfile.TemporaryDirectory() as out:
        tasks = [ReportTask(case_id=cid, output_dir=out) for cid in case_ids]
        start = time.perf_counter()
        statuses = run_cases(tasks, jobs=jobs)
        wall_s = time.perf_counter() - start
        written = [Path(s.report) for s in statuses if s.ok]
        size_kb = sum(p.stat().st_size for p in written) / max(len(written), 1) / 1024
    return wall_s, len(written), size_kb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    case_ids = sorted(p.stem for p in paths.cases_dir().glob("*.yaml"))
    print(f"{len(case_ids)} cases in {paths.cases_dir()}")
    print(f"{'jobs':>4s} {'wall [s]':>9s} {'s/report':>9s} {'written':>8s} {'mean kB':>8s}")
    for jobs in sorted({1, args.jobs}):
        wall_s, n, size_kb = measure(jobs, case_ids)
        print(f"{jobs:4d} {wall_s:9.1f} {wall_s / max(len(case_ids), 1):9.2f} {n:8d} "
              f"{size_kb:8.0f}")


if __name__ == "__main__":
    main()
