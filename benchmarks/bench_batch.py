"""Benchmark: the batch of reports against its floor, incremental rebuilds, peak memory.

Measured in one run of this script, on the cases of ``data/raw/cases`` (12):

* **floor**: the same number of papermill executions of a minimal notebook (imports pandas and
  matplotlib, draws one figure), each exported to HTML by nbconvert, ``J`` at a time in ``J``
  worker processes (spawned for the run, imports paid once per worker, as the batch's);
* **batch**: ``eip-analysis run --all --jobs J --force`` (a subprocess, as a user runs it,
  warm kernels reused within each worker) into a temporary folder;
* **nothing changed**: the same command again without ``--force`` (every case skipped);
* **one case changed**: a copy of the cases folder with one case file edited (only that case
  is rebuilt);
* **peak memory** [MB] of the batch's worker processes and of its kernels (psutil, sampled
  every 0.1 s; resident set size).

Prints a table and writes ``benchmarks/results/batch.json``. Run from the repository root::

    .venv/bin/python benchmarks/bench_batch.py [--jobs 1 2]

Not a test: nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import write_result

from eip_analysis import paths

CLI = str(Path(sys.executable).parent / "eip-analysis")
MINIMAL_CELLS = (
    "import pandas as pd\nimport matplotlib.pyplot as plt",
    "fig, ax = plt.subplots(figsize=(6, 3))\nax.plot(pd.Series(range(10)) ** 2)\nplt.show()",
)


class PeakMemory:
    """Peak resident memory [MB] of the processes under ``root``: workers, kernels, the rest."""

    def __init__(self, root: int) -> None:
        self.root, self.peak = root, {"worker": 0.0, "kernel": 0.0, "main": 0.0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:  # noqa: PYI034
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.root)
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for p in procs:
                try:
                    cmd = " ".join(p.cmdline())
                    rss_mb = p.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                kind = ("kernel" if "ipykernel" in cmd else
                        "worker" if "multiprocessing" in cmd or "spawn_main" in cmd
                        or "distributed" in cmd else "main")
                self.peak[kind] = max(self.peak[kind], rss_mb)
            time.sleep(0.1)


def _minimal_run(args: tuple[str, str]) -> float:
    """One floor unit: papermill runs the minimal notebook, nbconvert exports it to HTML."""
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    src, out = args
    start = time.perf_counter()
    nb = papermill.execute_notebook(src, out + ".ipynb", kernel_name="python3",
                                    progress_bar=False, log_output=False,
                                    extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    body, _ = HTMLExporter(template_name="basic", exclude_input=True).from_notebook_node(
        nbformat.from_dict(nb))
    Path(out + ".html").write_text(body, encoding="utf-8")
    return time.perf_counter() - start


def floor_s(n: int, jobs: int) -> tuple[float, dict[str, float]]:
    """Wall time [s] of ``n`` minimal papermill + nbconvert runs, ``jobs`` at a time."""
    import nbformat

    with tempfile.TemporaryDirectory() as tmp:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in MINIMAL_CELLS])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        src = Path(tmp) / "minimal.ipynb"
        nbformat.write(nb, src)
        work = [(str(src), str(Path(tmp) / f"out{i}")) for i in range(n)]
        with PeakMemory(os.getpid()) as memory:
            start = time.perf_counter()
            with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
                list(pool.map(_minimal_run, work))
            wall = time.perf_counter() - start
    return wall, memory.peak


def run_cli(*args: str) -> tuple[float, dict[str, float], str]:
    """Wall time [s], peak memory and output of one ``eip-analysis`` command."""
    start = time.perf_counter()
    proc = subprocess.Popen([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    with PeakMemory(proc.pid) as memory:
        out, _ = proc.communicate()
    return time.perf_counter() - start, memory.peak, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[2])
    args = parser.parse_args()
    case_ids = sorted(p.stem for p in paths.cases_dir().glob("*.yaml"))
    n = len(case_ids)
    results: dict[str, object] = {"cases": n, "runs": {}}
    print(f"{n} cases in {paths.cases_dir()}\n")
    header = (f"{'jobs':>4s} {'floor [s]':>9s} {'batch [s]':>9s} {'s/report':>8s} "
              f"{'x floor':>7s} {'worker MB':>9s} {'kernel MB':>9s}")
    print(header + "\n" + "-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        shutil.copytree(paths.cases_dir(), raw / "cases")
        shutil.copytree(paths.raw_dir() / "esmp", raw / "esmp")
        for jobs in args.jobs:
            out = Path(tmp) / f"reports-{jobs}"
            floor, _ = floor_s(n, jobs)
            wall, peak, printed = run_cli("run", "--all", "--jobs", str(jobs), "--force",
                                          "--cases", str(raw / "cases"), "--output", str(out))
            if "0 failed" not in printed:
                print(printed)
            results["runs"][str(jobs)] = {
                "floor_s": floor, "batch_s": wall, "per_report_s": wall / n,
                "ratio_to_floor": wall / floor, "peak_worker_mb": peak["worker"],
                "peak_kernel_mb": peak["kernel"], "peak_main_mb": peak["main"]}
            print(f"{jobs:4d} {floor:9.1f} {wall:9.1f} {wall / n:8.2f} {wall / floor:7.2f} "
                  f"{peak['worker']:9.0f} {peak['kernel']:9.0f}")
        jobs = args.jobs[-1]
        out = Path(tmp) / f"reports-{jobs}"
        full = results["runs"][str(jobs)]["batch_s"]
        unchanged, _, printed = run_cli("run", "--all", "--jobs", str(jobs), "--cases",
                                        str(raw / "cases"), "--output", str(out))
        skipped = sum(1 for line in printed.splitlines() if line.split()[1:2] == ["skipped"])
        edited = raw / "cases" / case_ids[0]
        edited = edited.with_suffix(".yaml")
        edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        one, _, printed = run_cli("run", "--all", "--jobs", str(jobs), "--cases",
                                  str(raw / "cases"), "--output", str(out))
        rebuilt = [line.split()[0] for line in printed.splitlines()
                   if " ok " in f" {line} " and "(changed: case file)" in line]
    results["nothing_changed"] = {"seconds": unchanged, "share_of_full_run": unchanged / full,
                                  "skipped": skipped}
    results["one_case_changed"] = {"seconds": one, "share_of_full_run": one / full,
                                   "rebuilt": rebuilt}
    print(f"\nnothing changed: {unchanged:.2f} s = {unchanged / full:.1%} of the full run "
          f"(target < 5%), {skipped} of {n} skipped")
    print(f"one case file changed: {one:.1f} s, rebuilt {', '.join(rebuilt) or 'none'}")
    two = results["runs"][str(jobs)]
    print(f"batch / floor at {jobs} jobs: {two['ratio_to_floor']:.2f} (target <= 1.0); "
          f"peak worker {two['peak_worker_mb']:.0f} MB, kernel {two['peak_kernel_mb']:.0f} MB "
          f"(target < 500 MB each)")
    path = write_result("batch", results)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
