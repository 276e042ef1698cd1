"""Benchmark: seconds per HTML report, one after the other and in parallel processes.

Renders every case of ``data/raw/cases`` into a temporary folder with
:func:`eip_analysis.batch.run_cases`, once with 1 job and once with ``--jobs`` (default 2),
and prints the wall time, the seconds per report and the mean report size. The baseline,
measured in the same process, is a minimal papermill run (a one-cell notebook in the same
kernel): the ratio says how much of a report's time is our work rather than kernel start-up.
Run from the repository root::

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


def minimal_papermill_s(repeats: int = 3) -> float:
    """Best wall time [s] of papermill executing a one-cell notebook (kernel start included)."""
    import nbformat
    import papermill

    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        src = Path(tmp) / "minimal.ipynb"
        nbformat.write(nb, src)
        for _ in range(repeats):
            start = time.perf_counter()
            papermill.execute_notebook(str(src), str(Path(tmp) / "out.ipynb"),
                                       kernel_name="python3", progress_bar=False)
            best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    case_ids = sorted(p.stem for p in paths.cases_dir().glob("*.yaml"))
    print(f"{len(case_ids)} cases in {paths.cases_dir()}")
    baseline_s = minimal_papermill_s()
    print(f"baseline: minimal papermill run {baseline_s:.2f} s")
    print(f"{'jobs':>4s} {'wall [s]':>9s} {'s/report':>9s} {'x baseline':>10s} {'written':>8s} "
          f"{'mean kB':>8s}")
    for jobs in sorted({1, args.jobs}):
        wall_s, n, size_kb = measure(jobs, case_ids)
        per_report_s = wall_s / max(len(case_ids), 1)
        print(f"{jobs:4d} {wall_s:9.1f} {per_report_s:9.2f} {per_report_s / baseline_s:10.1f} "
              f"{n:8d} {size_kb:8.0f}")


if __name__ == "__main__":
    main()
