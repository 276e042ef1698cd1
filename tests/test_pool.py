"""The supervised pool under faults: a dead worker fails only its task, a retry, signals stop
the run, workers die with their supervisor, the run's scratch folder is removed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from eip_analysis import pool

REPO = Path(__file__).resolve().parent.parent


def square_or_die(task):
    """Dies (as if killed) on a negative task every time; squares the others."""
    if task < 0:
        os._exit(3)
    return task * task


def die_once(task):
    """Dies the first time it sees its task (a marker file says it has), then succeeds."""
    marker, value = task
    if not Path(marker).exists():
        Path(marker).write_text("tried")
        os._exit(9)
    return value


def sleep_and_record(task):
    """Writes this worker's pid to ``folder/<pid>`` and sleeps (a long report)."""
    folder, seconds = task
    (Path(folder) / str(os.getpid())).write_text("")
    time.sleep(seconds)
    return seconds


def _died(task, why):
    return ("died", task, why)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return False


class TestDeadWorker:
    def test_only_its_task_fails_and_the_others_run(self):
        results = pool.run_supervised([1, 2, -1, 3, 4], square_or_die, jobs=2, died=_died)
        assert sorted(r for r in results if not isinstance(r, tuple)) == [1, 4, 9, 16]
        (dead,) = [r for r in results if isinstance(r, tuple)]
        assert dead[:2] == ("died", -1) and "exit code 3" in dead[2]

    def test_its_task_is_retried_once(self, tmp_path):
        tasks = [(str(tmp_path / f"m{i}"), i) for i in range(3)]
        assert sorted(pool.run_supervised(tasks, die_once, jobs=2, died=_died)) == [0, 1, 2]

    def test_without_retries_it_fails_at_once(self, tmp_path):
        tasks = [(str(tmp_path / "m"), 7)]
        (result,) = pool.run_supervised(tasks, die_once, jobs=1, died=_died, retries=0)
        assert result[0] == "died"


def _supervisor(tmp_path, seconds=60, n=3):
    """A process running the pool over slow tasks; returns it, its workers' record folder and
    its scratch folder."""
    record, scratch = tmp_path / "pids", tmp_path / "scratch"
    record.mkdir()
    scratch.mkdir()
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from eip_analysis import pool
        from tests.test_pool import sleep_and_record, _died
        try:
            pool.run_supervised([({str(record)!r}, {seconds})] * {n}, sleep_and_record,
                                jobs=2, died=_died, scratch={str(scratch)!r},
                                stop_grace_s=10)
        except pool.Interrupted as stop:
            print("interrupted", stop.signal, len(stop.results), flush=True)
            sys.exit(130)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while len(list(record.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = [int(p.name) for p in record.iterdir()]
    assert len(workers) == 2, "the workers did not start"
    return proc, workers, scratch


def _gone(pids, timeout=15.0) -> bool:
    deadline = time.monotonic() + timeout
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(_alive(p) for p in pids)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl and /proc are Linux's")
class TestSignals:
    @pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
    def test_a_signal_stops_the_run_and_its_workers(self, tmp_path, signum):
        proc, workers, _ = _supervisor(tmp_path)
        proc.send_signal(signum)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 130
        assert out.startswith(f"interrupted {int(signum)} 0")
        assert _gone(workers), "a worker outlived the stopped run"

    def test_workers_die_with_a_killed_supervisor(self, tmp_path):
        proc, workers, _ = _supervisor(tmp_path)
        proc.kill()
        proc.wait(timeout=10)
        assert _gone(workers), "orphan worker processes"


def test_the_next_run_removes_the_scratch_of_a_killed_one(tmp_path):
    from eip_analysis import batch

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f"{batch.SCRATCH_PREFIX}{dead}-abc"
    (stale / "eip-nb-x").mkdir(parents=True)
    live = tmp_path / f"{batch.SCRATCH_PREFIX}{os.getpid()}-abc"
    live.mkdir()
    assert batch.remove_stale_scratch(tmp_path) == [stale]
    assert not stale.exists() and live.exists()


def test_stopping_is_false_outside_a_worker():
    assert pool.stopping() is False


def exit_when_idle(task):
    """Returns, then makes its worker exit as soon as it is idle (a worker lost between
    tasks)."""
    import threading

    threading.Timer(0.05, lambda: os._exit(5)).start()
    return task


def test_a_worker_lost_between_tasks_is_replaced():
    # the run ends (no hang on a dead idle worker) with one result per task: its value, or
    # "died" if both of its tries met a worker on its way out
    results = pool.run_supervised([1, 2, 3, 4], exit_when_idle, jobs=2, died=_died)
    assert sorted(r[1] if isinstance(r, tuple) else r for r in results) == [1, 2, 3, 4]
    assert sum(not isinstance(r, tuple) for r in results) >= 2
