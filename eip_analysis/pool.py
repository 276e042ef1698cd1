"""A supervised pool of worker processes: a dead worker fails only its task; a signal stops all.

:func:`run_supervised` runs a picklable function over picklable tasks in ``jobs`` long-lived
``spawn`` worker processes (imports paid once per worker, as with
:class:`concurrent.futures.ProcessPoolExecutor`), with the promises a batch of reports needs
and that executor does not keep:

- **A dead worker fails only its own task.** A worker killed or out of memory is replaced; its
  task is run once more, then given the ``died`` result (the executor fails every pending task
  once one worker dies).
- **SIGINT and SIGTERM stop the run.** Nothing new is started; running tasks are stopped (the
  workers get SIGTERM, which raises :class:`KeyboardInterrupt` in the task, so papermill shuts
  its kernel down and removes its temporary files); the supervisor waits for them, then raises
  :class:`Interrupted` with the results it has.
- **Workers die with the supervisor.** Each worker asks Linux to send it SIGTERM when its parent
  dies (``prctl(PR_SET_PDEATHSIG)``), and runs in its own session so the terminal's Ctrl-C
  reaches the supervisor only; a kernel whose worker is gone exits by itself (ipykernel's
  parent poller).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from typing import Any

#: Seconds a stopped worker gets to shut its kernel down before it is killed.
STOP_GRACE_S = 30.0
_PR_SET_PDEATHSIG = 1


class Interrupted(KeyboardInterrupt):
    """The run was stopped by SIGINT or SIGTERM; ``results`` are those of the tasks that
    finished, ``signal`` the signal number."""

    def __init__(self, results: list[Any], signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.results = results
        self.signal = signum


def _die_with_parent(parent: int) -> None:
    """SIGTERM to this process when its parent dies (Linux); no-op elsewhere."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


#: In a worker: the supervisor's pid and its stop event (``None`` outside a worker).
_WORKER: dict[str, Any] = {}


def stopping() -> bool:
    """In a worker: the run is being stopped (a signal, or the supervisor is gone), so the task
    should keep nothing of what it was doing (no status, no failed notebook). Always
    ``False`` outside a worker."""
    if not _WORKER:
        return False
    return (_WORKER["stopped"] or _WORKER["event"].is_set()
            or os.getppid() != _WORKER["parent"])


def _stop(signum, frame) -> None:
    _WORKER["stopped"] = True
    raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")


def _worker(conn, fn: Callable[[Any], Any], parent: int, scratch: str | None, event,
            context: Callable[[], contextlib.AbstractContextManager] | None = None) -> None:
    """The loop of one worker: a task in, its result out, until ``None`` or a signal; the
    whole loop inside ``context()`` when given."""
    with contextlib.suppress(OSError):
        os.setsid()  # the terminal's Ctrl-C goes to the supervisor, which stops us
    _die_with_parent(parent)
    _WORKER.update(parent=parent, event=event, stopped=False)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        with context() if context is not None else contextlib.nullcontext():
            while True:
                # (again before each task: nbclient resets SIGTERM and SIGINT after a notebook)
                signal.signal(signal.SIGTERM, _stop)
                signal.signal(signal.SIGINT, _stop)
                task = conn.recv()
                if task is None:
                    return
                conn.send(fn(task))
    except (KeyboardInterrupt, EOFError, BrokenPipeError):
        return
    finally:
        if scratch and _parent_gone(conn, parent):  # the supervisor was killed: clean up
            shutil.rmtree(scratch, ignore_errors=True)


def _parent_gone(conn, parent: int, wait_s: float = 5.0) -> bool:
    """The supervisor has died: this worker was reparented, or the supervisor's end of the
    pipe is closed. A worker stopped by a signal while the stop event is unset was told by
    Linux that its parent's *thread* ended; the rest of the process (numpy's threads) may
    take a moment to follow, so that case waits up to ``wait_s`` for it."""
    if _WORKER["event"].is_set():
        return False  # the supervisor stopped us, and cleans up itself
    deadline = time.monotonic() + wait_s
    while True:
        if os.getppid() != parent:
            return True
        try:
            if conn.poll(0):
                conn.recv()
        except (EOFError, OSError):
            return True
        if not _WORKER["stopped"] or time.monotonic() > deadline:
            return False
        time.sleep(0.05)


class _Slot:
    """One worker process and the task it runs."""

    def __init__(self, context, fn, parent: int, scratch: str | None, event,
                 worker_context=None) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker, args=(child, fn, parent, scratch, event, worker_context),
            daemon=True)
        self.process.start()
        child.close()
        self.task_index: int | None = None

    def give(self, index: int, task: Any) -> None:
        self.task_index = index
        self.conn.send(task)

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                os.kill(self.process.pid, signal.SIGTERM)

    def close(self, timeout: float) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            if self.task_index is None and self.process.is_alive():
                self.conn.send(None)
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def run_supervised(tasks: Sequence[Any], fn: Callable[[Any], Any], *, jobs: int,
                   died: Callable[[Any, str], Any], on_result: Callable[[Any], Any] | None = None,
                   retries: int = 1, stop_grace_s: float = STOP_GRACE_S,
                   scratch: str | None = None,
                   worker_context: Callable[[], contextlib.AbstractContextManager] | None = None
                   ) -> list[Any]:
    """``[fn(task) for task in tasks]`` in ``jobs`` worker processes, in completion order.

    Parameters
    ----------
    tasks : sequence
        Picklable tasks.
    fn : callable
        A picklable (module-level) function of one task; it should not raise.
    jobs : int
        Worker processes, at least 1.
    died : callable
        ``died(task, why)``: the result of a task whose worker died ``retries + 1`` times.
    on_result : callable, optional
        Called with each result as it arrives.
    retries : int
        How many times a task whose worker died is run again.
    stop_grace_s : float
        Seconds stopped workers get to clean up before they are killed [s].
    scratch : str, optional
        A temporary folder of the run: if the supervisor itself is killed, the workers remove
        it as they exit (the supervisor's caller removes it otherwise).
    worker_context : callable, optional
        A picklable function returning a context manager that each worker enters once,
        around all its tasks (the batch's warm kernels: started once per worker, shut down as
        it ends).

    Raises
    ------
    Interrupted
        On SIGINT or SIGTERM (with the results so far); every worker has ended by then.
    """
    context = multiprocessing.get_context("spawn")
    parent = os.getpid()
    pending = list(range(len(tasks)))[::-1]  # a stack: the first task first
    tries = [0] * len(tasks)
    results: list[Any] = []
    caught: list[int] = []

    def on_signal(signum, frame) -> None:
        caught.append(signum)

    event = context.Event()
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    slots = [_Slot(context, fn, parent, scratch, event, worker_context) for _ in range(max(1, min(jobs, len(tasks))))]
    try:
        while (pending or any(s.task_index is not None for s in slots)) and not caught:
            for n, slot in enumerate(slots):
                if slot.task_index is not None or not pending:
                    continue
                if not slot.process.is_alive():  # died while idle: a fresh one takes over
                    slot.close(5.0)
                    slots[n] = slot = _Slot(context, fn, parent, scratch, event, worker_context)
                i = pending.pop()
                try:
                    slot.give(i, tasks[i])
                except OSError:  # it died as the task was sent: the task waits for the next
                    slot.task_index = None
                    pending.append(i)
                    continue
                tries[i] += 1
            busy = [s for s in slots if s.task_index is not None]
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy],
                         timeout=0.5)
            for slot in list(slots):
                if slot.task_index is None:
                    continue
                if slot.conn in ready:
                    try:
                        result = slot.conn.recv()
                    except (EOFError, OSError):
                        result = None
                    else:
                        slot.task_index = None
                        results.append(result)
                        if on_result is not None:
                            on_result(result)
                        continue
                if slot.process.sentinel in ready or not slot.process.is_alive():
                    i = slot.task_index
                    slot.task_index = None
                    slot.close(5.0)  # dead already: this only reaps it
                    code = slot.process.exitcode
                    slots[slots.index(slot)] = _Slot(context, fn, parent, scratch, event, worker_context)
                    if tries[i] <= retries and not caught:
                        pending.append(i)
                    else:
                        why = (f"worker process died (exit code {code}; out of memory or "
                               "killed?)")
                        result = died(tasks[i], why)
                        results.append(result)
                        if on_result is not None:
                            on_result(result)
    finally:
        if any(slot.task_index is not None for slot in slots):
            event.set()  # before the signal: what the tasks do from now on is not kept
        for slot in slots:
            if slot.task_index is not None:
                slot.stop()
        for slot in slots:
            slot.close(stop_grace_s)
        for s, handler in previous.items():
            signal.signal(s, handler)
    if caught:
        raise Interrupted(results, caught[0])
    return results
