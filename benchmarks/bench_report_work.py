"""Benchmark: the work behind one report: case-file parses, ``cashflow.build`` calls, seconds.

For each case, one report is produced with :func:`eip_analysis.batch.run_one` (the batch
worker, in this process) and its notebook kernel; a profile hook counts, in the worker and in
the kernel separately, the calls of ``eip_analysis.cases._read_yaml`` (one per case file parsed)
and of ``eip_analysis.cashflow.build``. The hook reaches the kernel through a
``sitecustomize`` module on ``PYTHONPATH`` (a temporary folder), so the library carries no
instrumentation. Seconds are the median of three unprofiled runs. Run from the repository
root::

    .venv/bin/python benchmarks/bench_report_work.py [CASE_ID ...]

Writes ``benchmarks/results/report_work.json`` and prints a table. Not a test.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Unprofiled runs per case; the median is reported.
REPEATS = 3
#: Functions counted: (file suffix, function name) -> counter name.
COUNTED = {("eip_analysis/cases.py", "_read_yaml"): "case_parses",
           ("eip_analysis/cashflow.py", "build"): "cashflow_build"}

HOOK = '''
import json, os, sys, threading
_out = os.environ.get("EIP_COUNT_DIR")
if _out:
    _counted = %r
    _counts = {name: 0 for name in _counted.values()}
    _seen = {}
    def _profile(frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        name = _seen.get(code, 0)
        if name == 0:
            name = _seen[code] = next((n for (f, fn), n in _counted.items()
                                       if code.co_name == fn and code.co_filename.endswith(f)),
                                      None)
        if name:
            _counts[name] += 1
            with open(os.path.join(_out, "counts-%%d.json" %% os.getpid()), "w") as fh:
                json.dump(_counts, fh)
    sys.setprofile(_profile)
    threading.setprofile(_profile)
'''


def _read_counts(folder: Path, pid: int | None = None) -> dict[str, int]:
    total = {name: 0 for name in COUNTED.values()}
    for f in folder.glob("counts-*.json"):
        if pid is not None and f.name != f"counts-{pid}.json":
            continue
        for k, v in json.loads(f.read_text()).items():
            total[k] += v
        f.unlink()
    return total


def main(case_ids: list[str]) -> dict:
    from eip_analysis.batch import ReportTask, run_one

    results = {}
    with tempfile.TemporaryDirectory() as hook_dir, tempfile.TemporaryDirectory() as out:
        hook = Path(hook_dir)
        (hook / "sitecustomize.py").write_text(HOOK % (COUNTED,))
        counts = hook / "counts"
        counts.mkdir()
        for cid in case_ids:
            task = ReportTask(case_id=cid, output_dir=out)
            times = []
            for _ in range(REPEATS):  # unprofiled: seconds, median of the repeats
                start = time.perf_counter()
                run_one(task)
                times.append(time.perf_counter() - start)
            seconds = statistics.median(times)
            env = {"EIP_COUNT_DIR": str(counts),
                   "PYTHONPATH": os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")])}
            saved = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
            try:
                spec = importlib.util.spec_from_file_location(  # the hook, in this process
                    "eip_count_hook", hook / "sitecustomize.py")
                spec.loader.exec_module(importlib.util.module_from_spec(spec))
                status = run_one(task)
            finally:
                sys.setprofile(None)
                import threading
                threading.setprofile(None)
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
            worker = _read_counts(counts, os.getpid())
            kernel = _read_counts(counts)
            results[cid] = {"ok": status.ok, "seconds": round(seconds, 2),
                            "worker": worker, "kernel": kernel}
    return results


if __name__ == "__main__":
    ids = sys.argv[1:] or ["HK-01", "TN-05"]
    res = main(ids)
    print(f"{'case':7s} {'s':>6s} {'parses w/k':>11s} {'build w/k':>10s}")
    for cid, r in res.items():
        w, k = r["worker"], r["kernel"]
        print(f"{cid:7s} {r['seconds']:6.2f} {w['case_parses']:>5d}/{k['case_parses']:<5d} "
              f"{w['cashflow_build']:>4d}/{k['cashflow_build']:<5d}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report_work.json").write_text(json.dumps(res, indent=1) + "\n")
