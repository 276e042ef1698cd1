"""Warm kernels: a report from a reused kernel equals one from a fresh kernel; a kernel left in
any state is reset; a dead kernel is replaced and its notebook run once more."""

from __future__ import annotations

import os
import re
import time

import nbformat
import pytest

from eip_analysis import report
from eip_analysis.report import kernels

from .conftest import FIXTURE_CASES

pytestmark = pytest.mark.notebook

#: What differs between two runs of the same report: the run date and time.
_RUN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?( UTC)?")


@pytest.fixture(autouse=True)
def _no_kernels_kept():
    """Each test starts, and must end, with no warm kernel in this process."""
    assert kernels._KERNELS is None, "another test left warm kernels active"
    yield
    assert kernels._KERNELS is None


def _without_run_date(html: str) -> str:
    return _RUN_DATE.sub("<date>", html)


def _notebook(tmp_path, name: str, *sources: str):
    """A notebook of code cells (the first one tagged ``parameters``)."""
    cells = [nbformat.v4.new_code_cell(s) for s in sources]
    cells[0].metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _run(path, parameters, tmp_path, name=None):
    out = report.report_paths(tmp_path / "out", name or path.stem)
    return report.execute_notebook(path, parameters, out, title=lambda s: "t")[0]


def _pid_gone(pid: int, wait_s: float = 10.0) -> bool:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone too
            if stat.read().split(")")[-1].split()[0] == "Z":
                return True
        time.sleep(0.1)
    return False


def test_a_report_from_a_reused_kernel_equals_one_from_a_fresh_kernel(tmp_path):
    cases = str(FIXTURE_CASES)
    fresh = report.execute_report(report.check_parameters("MINI-01", cases), tmp_path / "fresh")
    with report.reused_kernels():
        # another report first, in VND, so that the kernel holds its state
        report.execute_report(report.check_parameters("MINI-01", cases, currency="VND"),
                              tmp_path / "other")
        reused = report.execute_report(report.check_parameters("MINI-01", cases),
                                       tmp_path / "reused")
        assert kernels._KERNELS["python3"].notebooks == 2  # one kernel ran both
    assert fresh[1] == reused[1]  # the summary glued: figures, key...
    assert (_without_run_date(reused[0].read_text(encoding="utf-8"))
            == _without_run_date(fresh[0].read_text(encoding="utf-8")))
    counts = [[c.get("execution_count") for c in nbformat.read(p, as_version=4).cells
               if c.cell_type == "code"]
              for p in (tmp_path / "fresh" / "notebooks" / "MINI-01.ipynb",
                        tmp_path / "reused" / "notebooks" / "MINI-01.ipynb")]
    assert counts[0] == counts[1] and counts[0][0] == 1


def test_the_kernel_is_reset_between_notebooks(tmp_path):
    dirty = _notebook(tmp_path, "dirty", "x = 1", (
        "import matplotlib, matplotlib.pyplot as plt, os, warnings\n"
        "left_over = 42\n"
        "matplotlib.rcParams['lines.linewidth'] = 9.0\n"
        "plt.figure()\n"
        "warnings.simplefilter('error')\n"
        "os.chdir('/')"))
    check = _notebook(tmp_path, "check", "x = 1", (
        "import matplotlib, matplotlib.pyplot as plt, os, warnings\n"
        "assert 'left_over' not in globals()\n"
        "assert matplotlib.rcParams['lines.linewidth'] != 9.0\n"
        "assert plt.get_fignums() == []\n"
        "assert not any(f[0] == 'error' and f[2] is Warning for f in warnings.filters)\n"
        f"assert os.getcwd() == {str(tmp_path)!r}, os.getcwd()"))
    with report.reused_kernels():
        _run(dirty, {}, tmp_path)
        pid = kernels._KERNELS["python3"].pid
        _run(check, {}, tmp_path)  # raises if any assertion fails
        assert kernels._KERNELS["python3"].pid == pid  # the same kernel, reset


def test_a_kernel_that_dies_is_replaced_and_its_notebook_run_once_more(tmp_path):
    marker = tmp_path / "died-once"
    dies_once = _notebook(tmp_path, "dies_once", "marker = ''", (
        "import os, pathlib, signal\n"
        "if not pathlib.Path(marker).exists():\n"
        "    pathlib.Path(marker).write_text('x')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)"), "print('survived')")
    always = _notebook(tmp_path, "always", "x = 1",
                       "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    with report.reused_kernels():
        html = _run(dies_once, {"marker": str(marker)}, tmp_path)
        assert "survived" in html.read_text(encoding="utf-8") and marker.exists()
        first = kernels._KERNELS["python3"].pid
        with pytest.raises(report.ReportError, match="the kernel died twice"):
            _run(always, {}, tmp_path)
        assert "python3" not in kernels._KERNELS  # no dead kernel kept
        html = _run(dies_once, {"marker": str(marker)}, tmp_path, name="again")
        assert kernels._KERNELS["python3"].pid != first  # a new kernel for the next notebook


def test_a_failed_notebook_gets_a_new_kernel_and_kernels_end_with_the_context(tmp_path):
    fails = _notebook(tmp_path, "fails", "x = 1", "raise ValueError('on purpose')")
    ok = _notebook(tmp_path, "ok", "x = 1", "print('ok')")
    with report.reused_kernels():
        _run(ok, {}, tmp_path)
        first = kernels._KERNELS["python3"].pid
        with pytest.raises(Exception, match="on purpose"):
            _run(fails, {}, tmp_path)
        assert _pid_gone(first)  # replaced: a failing notebook leaves no state behind
        _run(ok, {}, tmp_path, name="ok2")
        last = kernels._KERNELS["python3"].pid
        assert last != first
    assert kernels._KERNELS is None and _pid_gone(last)


def test_outside_the_context_each_notebook_gets_a_fresh_kernel(tmp_path):
    ok = _notebook(tmp_path, "pid", "x = 1", "import os; print(f'kernel pid {os.getpid()}.')")
    pids = {re.search(r"kernel pid (\d+)\.", _run(ok, {}, tmp_path, name=f"p{n}").read_text(
        encoding="utf-8")).group(1) for n in range(2)}
    assert len(pids) == 2 and not kernels.active()
