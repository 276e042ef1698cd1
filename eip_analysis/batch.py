"""Many report runs: one case in, one status out, in parallel processes, then an index page.

The unit of work is :func:`run_one`: a plain function of a picklable :class:`ReportTask` that
never raises for a failing case and returns a small :class:`CaseStatus` (case id, ok or failed,
seconds, report path or the error in one line). :func:`run_cases` maps it over the cases in a
supervised pool of worker processes (:func:`eip_analysis.pool.run_supervised`; processes, not
threads: papermill changes the working directory of the process while a notebook runs);
another executor (Dask...) can map the same function.

``eip-analysis run`` (:mod:`eip_analysis.cli`) runs the cases, writes ``reports/<id>.html``,
keeps the executed notebooks in ``reports/notebooks/``, with ``--workbooks`` the bank workbooks
in ``reports/workbooks/<id>.xlsx`` (written by the notebook from the report's own appraisal),
the statuses in ``reports/status/<id>.json`` (each as soon as its case finishes) and writes
``reports/index.html`` from the statuses of every case of the cases folder of the run (a status
records its cases folder; statuses of another folder are left out). A worker process that dies
(out of memory, killed) fails its case only, after one retry; SIGINT and SIGTERM stop the run
and leave every report on disk described by its status (the index checks each report's run
key); one run at a time writes to an output folder (:func:`output_lock`).

The worker does not parse the case: the notebook does, once, and glues the report's summary
(key figures as the report shows them, the case's SHA-256, title, park) into its executed copy
(:func:`eip_analysis.report.read_summary`); the status and the index are written from it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import freshness, paths, pool, report
from .errors import InputError
from .fields import INDEX_FIGURES
from .files import atomic_write_text
from .paths import PLAIN_NAME, case_path


@dataclass(frozen=True)
class ReportTask:
    """One report to produce; plain values only, so it pickles to any worker.

    ``parameters`` are the run parameters as given (``{"discount_rate": "0.08"}``);
    :func:`run_one` validates them with :func:`eip_analysis.report.check_parameters`.
    """

    case_id: str
    output_dir: str
    cases_dir: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    notebook: str = str(report.NOTEBOOK)
    workbooks: bool = False  #: also write ``<output_dir>/workbooks/<id>.xlsx``
    #: write ``<output_dir>/status/<id>.json`` in the worker, right after the report (so a
    #: report on disk is described by its status even if the batch itself is killed)
    write_status: bool = False
    scratch_dir: str | None = None  #: folder for papermill's temporary notebooks
    #: the build key's parts (:mod:`eip_analysis.freshness`), recorded in the status
    build_parts: Mapping[str, str] = field(default_factory=dict)

    def build_key(self) -> freshness.BuildKey:
        """The key of what this report is made from (:func:`keyed`)."""
        return freshness.BuildKey(dict(self.build_parts)) if self.build_parts else \
            keyed(self).build_key()


@dataclass(frozen=True)
class CaseStatus:
    """What became of one case: ok with its report, or failed with one line."""

    case_id: str
    ok: bool
    seconds: float  #: wall time of the run [s]
    report: str | None = None  #: path of the HTML report when ok
    workbook: str | None = None  #: path of the bank workbook when ok and asked for
    workbook_sha256: str = ""  #: SHA-256 of that workbook as this run wrote it
    error: str | None = None  #: the error in one line when failed
    title: str = ""
    park: str = ""
    data_quality: str = ""
    currency: str = "USD"
    figures: dict[str, str] = field(default_factory=dict)  #: INDEX_FIGURES key -> text
    parameters: dict[str, Any] = field(default_factory=dict)  #: run parameters given
    finished: str = ""  #: ISO date and time (UTC) the run ended
    cases_dir: str = ""  #: resolved folder of the case file ("" in statuses of older versions)
    case_sha256: str = ""  #: SHA-256 of the case file the report was computed from
    run_key: str = ""  #: key of the run (:func:`eip_analysis.report.run_key`), also in the report
    build_key: str = ""  #: key of its inputs, code and parameters (:mod:`eip_analysis.freshness`)
    build_parts: dict[str, str] = field(default_factory=dict)  #: the key's parts

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> CaseStatus:
        return cls(**json.loads(text))


def resolved_cases_dir(cases_dir: str | Path | None) -> str:
    """The cases folder as an absolute path (default folder when ``None``), as statuses keep it."""
    return str(Path(cases_dir if cases_dir is not None else paths.cases_dir()).resolve())


def failed_status(task: ReportTask, error: str, seconds: float = 0.0) -> CaseStatus:
    """A failed status for ``task`` made outside :func:`run_one` (its worker died)."""
    return CaseStatus(case_id=task.case_id, ok=False, seconds=seconds, error=error,
                      parameters=dict(task.parameters),
                      finished=datetime.now(UTC).isoformat(timespec="seconds"),
                      cases_dir=resolved_cases_dir(task.cases_dir))


def _failed_summary(task: ReportTask, since: float) -> dict[str, Any]:
    """The summary the notebook of this run glued before it failed (title, park...), or ``{}``
    (a failed notebook older than ``since``, a :func:`time.time`, is another run's)."""
    import nbformat  # (slow to import: only when a case failed)

    failed = report.report_paths(task.output_dir, task.case_id)["failed"]
    try:
        if failed.stat().st_mtime < since:
            return {}
        return report.read_summary(nbformat.read(str(failed), as_version=4)) or {}
    except (OSError, ValueError, AttributeError):
        return {}


def run_one(task: ReportTask) -> CaseStatus:
    """Produce one report; never raises for a failing case (except on Ctrl-C).

    Parameters
    ----------
    task : ReportTask

    Returns
    -------
    CaseStatus
        ``ok`` with the report path and the index figures (those the executed notebook glued:
        the report's own), or ``failed`` with the error in one line
        (:func:`eip_analysis.report.one_line_error`); ``seconds`` is the wall time [s].
    """
    start, started = time.perf_counter(), time.time()
    key = task.build_key()
    info: dict[str, Any] = {"parameters": dict(task.parameters),
                            "cases_dir": resolved_cases_dir(task.cases_dir),
                            "build_key": key.key, "build_parts": dict(key.parts)}
    summary: dict[str, Any] = {}
    try:
        target = workbook_path(task.output_dir, task.case_id) if task.workbooks else None
        run = report.check_parameters(task.case_id, task.cases_dir, workbook_path=target,
                                      **task.parameters)
        info["currency"] = run.currency
        info["parameters"] = run.given
        html, summary = report.execute_report(run, task.output_dir, notebook=task.notebook,
                                              require_summary=True, build_key=key.key,
                                              scratch_dir=task.scratch_dir)
        info.update(figures={k: summary["figures"][k] for k in INDEX_FIGURES},
                    workbook=summary.get("workbook"))
        if info["workbook"]:
            info["workbook_sha256"] = _sha256(info["workbook"])
        ok, error, path = True, None, str(html)
    except Exception as exc:  # noqa: BLE001 - a failing case is a status, not a crash
        ok, error, path = False, report.one_line_error(exc), None
        summary = summary or _failed_summary(task, started)
        info.pop("workbook", None), info.pop("workbook_sha256", None)
    info.update({k: summary[k] for k in ("title", "park", "data_quality", "case_sha256")
                 if k in summary})
    if ok:
        info["run_key"] = summary.get("run_key", "")
    else:
        info.pop("build_key"), info.pop("build_parts")
    status = CaseStatus(case_id=task.case_id, ok=ok, seconds=time.perf_counter() - start,
                        report=path, error=error, finished=datetime.now(UTC).isoformat(
                            timespec="seconds"), **info)
    if task.write_status and not pool.stopping():
        status = with_previous_details(status, task.output_dir)
        try:
            write_statuses([status], task.output_dir)
        except OSError as exc:  # a full disk or a folder made read-only: the case fails
            status = replace(status, ok=False, report=None,
                             error=f"status not written: {exc.strerror or exc}")
    return status


# -- incremental rebuilds ---------------------------------------------------------------------


def keyed(task: ReportTask, shared: Mapping[str, str] | None = None,
          across: Mapping[str, str] | None = None) -> ReportTask:
    """``task`` with the parts of its build key (``shared``: :func:`freshness.shared_parts`,
    ``across``: :func:`freshness.across_cases`, computed once for many tasks). A case id
    without a file gets the key of a missing file; its run fails with the usual one line."""
    folder = Path(task.cases_dir) if task.cases_dir is not None else paths.cases_dir()
    try:
        case_file = case_path(task.case_id, folder)
    except InputError:
        case_file = folder / f"{task.case_id}.yaml"
    run = {"parameters": dict(task.parameters), "cases_dir": resolved_cases_dir(task.cases_dir),
           "workbooks": task.workbooks}
    key = freshness.report_key(case_file, Path(task.notebook), run, shared, across)
    return replace(task, build_parts=key.parts)


def rebuild_reason(task: ReportTask) -> str | None:
    """Why ``task``'s report must be built (in words), or ``None``: its report on disk, and
    its workbook when asked for, were built from the same key and its status says ok."""
    previous = read_statuses(task.output_dir, [task.case_id])
    if not previous:
        return "no report yet"
    status = _checked(previous[0], task.output_dir)
    if not status.ok:
        return "its last run failed" if not previous[0].ok else status.error
    html = report.report_paths(task.output_dir, task.case_id)["html"]
    if report_build_key(html) != status.build_key:
        return "the report on disk was written by another run"
    if task.workbooks and not (status.workbook and status.workbook_sha256
                               and _sha256(status.workbook) == status.workbook_sha256):
        return "no workbook of this run on disk"
    changed = task.build_key().changed(status.build_parts)
    return f"changed: {', '.join(changed)}" if changed else None


def _sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, ``""`` when it cannot be read."""
    import hashlib

    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def plan(tasks: Sequence[ReportTask], *, force: bool = False
         ) -> tuple[list[ReportTask], list[CaseStatus], dict[str, str]]:
    """Split ``tasks`` into those to run and the statuses of those up to date (skipped).

    Returns
    -------
    (tasks to run, statuses of the skipped, {case id: why it is run or skipped})
    """
    shared = freshness.shared_parts()
    across: dict[str | None, dict[str, str]] = {}
    to_run, skipped, why = [], [], {}
    for task in tasks:
        if task.cases_dir not in across:
            folder = Path(task.cases_dir) if task.cases_dir is not None else paths.cases_dir()
            across[task.cases_dir] = freshness.across_cases(folder)
        task = keyed(task, shared, across[task.cases_dir])
        reason = "--force" if force else rebuild_reason(task)
        if reason is None:
            skipped.append(read_statuses(task.output_dir, [task.case_id])[0])
            why[task.case_id] = "unchanged inputs, code and parameters"
        else:
            to_run.append(task)
            why[task.case_id] = reason
    return to_run, skipped, why


def _portfolio_key_path(output_dir: str | Path) -> Path:
    """Where the portfolio report's build key is kept (not a case id: no status of a case)."""
    return Path(output_dir) / "status" / "_portfolio.json"


def write_portfolio_key(output_dir: str | Path, key: freshness.BuildKey,
                        csv_path: str | Path) -> None:
    """Record the build key of the portfolio report just written, and its CSV's SHA-256."""
    atomic_write_text(_portfolio_key_path(output_dir),
                      json.dumps({"build_key": key.key, "build_parts": key.parts,
                                  "csv_sha256": _sha256(csv_path)}, indent=1,
                                 sort_keys=True) + "\n")


def portfolio_rebuild_reason(output_dir: str | Path, key: freshness.BuildKey,
                             run: Any) -> str | None:
    """Why the portfolio report must be built, or ``None``: it, its CSV and its recorded key
    are on disk and the key is ``key``."""
    html = report.report_paths(output_dir, report.notebook.PORTFOLIO_NAME)["html"]
    if not html.is_file():
        return "no report yet"
    if not Path(run.portfolio_csv_path).is_file():
        return "its CSV is missing"
    try:
        recorded = json.loads(_portfolio_key_path(output_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no build key recorded"
    if report_build_key(html) != recorded.get("build_key"):
        return "the report on disk comes from another run than its recorded key"
    if _sha256(run.portfolio_csv_path) != recorded.get("csv_sha256"):
        return "its CSV was written by another run"
    changed = key.changed(recorded.get("build_parts"))
    return f"changed: {', '.join(changed)}" if changed else None


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, unit="report", file=sys.stderr, disable=not sys.stderr.isatty(),
                leave=False)


#: Prefix of a run's scratch folder in the system's temporary folder (then the run's pid).
SCRATCH_PREFIX = "eip-run-"


def remove_stale_scratch(folder: str | Path | None = None) -> list[Path]:
    """Remove the scratch folders of runs whose process is gone (a run killed with
    ``kill -9``; its workers remove it too when they can tell). Returns those removed."""
    removed = []
    for d in Path(folder or tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*"):
        pid = d.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if not (pid.isdigit() and d.is_dir()):
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
        except OSError:
            continue
    return removed


def run_cases(tasks: Sequence[ReportTask], *, jobs: int = 1,
              on_status: Callable[[CaseStatus], Any] | None = None,
              executor: str = "local", scheduler: str | None = None) -> list[CaseStatus]:
    """Run :func:`run_one` over ``tasks``, ``jobs`` at a time; statuses sorted by case id.

    Parameters
    ----------
    tasks : sequence of ReportTask
    jobs : int
        Worker processes (at least 1). With 1 the reports run one after the other in this
        process; with more, in a supervised pool (:func:`eip_analysis.pool.run_supervised`).
    on_status : callable, optional
        Called with each status as soon as its case finishes.
    executor : {"local", "dask"}
        ``"dask"``: one task per case on a Dask distributed cluster (:func:`run_on_dask`).
    scheduler : str, optional
        With ``"dask"``: the address of a running scheduler (default: a local cluster of
        ``jobs`` worker processes on loopback).

    Returns
    -------
    list of CaseStatus
        One per task. A worker process that dies (killed, out of memory) is replaced and its
        case run once more, then failed with the reason; the other cases are not touched.
        Papermill's temporary notebooks go to one scratch folder of the run, removed at its
        end whatever happened. A progress bar shows on a terminal (stderr is a TTY).

    Raises
    ------
    eip_analysis.pool.Interrupted
        On SIGINT or SIGTERM (in the pool) or Ctrl-C: no new case started, running ones
        stopped (their kernels shut down); ``.results`` holds the statuses of the finished.
    """
    if jobs < 1:
        raise InputError("a number of jobs >= 1", field="--jobs", got=jobs)
    statuses: list[CaseStatus] = []

    def done(status: CaseStatus) -> None:
        statuses.append(status)
        if on_status is not None:
            on_status(status)

    if executor not in ("local", "dask"):
        raise InputError("local or dask", field="--executor", got=executor)
    if executor == "dask":
        with _progress(len(tasks)) as bar:
            def shown(status: CaseStatus) -> None:
                done(status)
                bar.set_postfix_str(status.case_id)
                bar.update()

            run_on_dask(tasks, jobs=jobs, scheduler=scheduler, on_status=shown)
        return sorted(statuses, key=lambda s: s.case_id)
    remove_stale_scratch()
    scratch = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
    tasks = [replace(t, scratch_dir=scratch) for t in tasks]
    start = time.perf_counter()
    try:
        with _progress(len(tasks)) as bar:
            def progress(status: CaseStatus) -> None:
                done(status)
                bar.set_postfix_str(status.case_id)
                bar.update()

            if jobs == 1 or len(tasks) <= 1:
                try:
                    with report.reused_kernels():
                        for task in tasks:
                            progress(run_one(task))
                except pool.Interrupted as stop:  # SIGTERM (the command's handler)
                    raise pool.Interrupted(list(statuses), stop.signal) from None
                except KeyboardInterrupt:
                    raise pool.Interrupted(list(statuses), signal.SIGINT) from None
            else:
                def died(task: ReportTask, why: str) -> CaseStatus:
                    status = failed_status(task, why, time.perf_counter() - start)
                    if task.write_status:  # its worker could not write it
                        with contextlib.suppress(OSError):
                            write_statuses([with_previous_details(status, task.output_dir)],
                                           task.output_dir)
                    return status

                pool.run_supervised(tasks, run_one, jobs=jobs, died=died, on_result=progress,
                                    scratch=scratch, worker_context=report.kernels.batch_worker)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return sorted(statuses, key=lambda s: s.case_id)


#: One report at a time per process: papermill changes the process's working directory, and
#: the process has one warm kernel (a Dask worker with several threads runs them in turn).
_ONE_REPORT_AT_A_TIME = threading.Lock()


#: In a Dask worker: the code it loaded, and the data parts its warm kernel has read.
_LOADED: dict[str, Any] = {}


def run_one_reusing_kernel(task: ReportTask) -> CaseStatus:
    """:func:`run_one` in this process's warm kernel, kept for the next task (a Dask worker
    runs many; :func:`eip_analysis.report.kernels.keep_for_process`).

    A worker of a running cluster outlives a command: one whose package code differs from
    the command's fails the case (restart the workers); one whose factor tables or parameter
    files changed since its kernel read them gets a new kernel (it caches those tables)."""
    with _ONE_REPORT_AT_A_TIME:
        report.kernels.skip_iri_format_checks()
        report.kernels.keep_for_process()
        code = _LOADED.setdefault("code", freshness.code_hash())
        if task.build_parts and task.build_parts.get("code") != code:
            return failed_status(task, "this Dask worker runs another version of the package "
                                       "or its libraries than the command: restart the workers")
        data = {k: task.build_parts.get(k) for k in ("factors", "parameters")}
        if _LOADED.get("data", data) != data:
            report.kernels.discard_all()
        _LOADED["data"] = data
        return run_one(task)


def run_on_dask(tasks: Sequence[ReportTask], *, jobs: int, scheduler: str | None,
                on_status: Callable[[CaseStatus], Any]) -> None:
    """One Dask task per case: :func:`run_one` on the cluster's workers, which write the
    reports and statuses to the output folder (it must be shared with them).

    A worker that dies fails its case only: the scheduler runs it once more on another
    worker, then the case fails with the reason (``allowed-failures`` is 1 on a local
    cluster; a running scheduler keeps its own setting). Ctrl-C or SIGTERM cancels the cases
    not started; a local cluster is stopped with its workers, whose kernels then exit.
    """
    import dask
    from distributed import as_completed

    from .cluster import dask_client

    with (dask.config.set({"distributed.scheduler.allowed-failures": 1}),
          dask_client(scheduler, n_workers=jobs) as client):
        futures = {client.submit(run_one_reusing_kernel, replace(t, scratch_dir=None),
                                 pure=False, key=f"report-{t.case_id}-{os.getpid()}-{n}"): t
                   for n, t in enumerate(tasks)}
        finished: list[CaseStatus] = []
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    status = future.result()
                except Exception as exc:  # noqa: BLE001 - the worker died or was lost
                    status = failed_status(task, f"Dask worker failed: "
                                                 f"{report.one_line_error(exc)}")
                    if task.write_status:
                        with contextlib.suppress(OSError):
                            write_statuses([with_previous_details(status, task.output_dir)],
                                           task.output_dir)
                finished.append(status)
                on_status(status)
        except pool.Interrupted as stop:
            client.cancel(list(futures))
            raise pool.Interrupted(finished, stop.signal) from None
        except KeyboardInterrupt:
            client.cancel(list(futures))
            raise pool.Interrupted(finished, signal.SIGINT) from None


# -- statuses on disk and the index ------------------------------------------------------------


def workbook_path(output_dir: str | Path, case_id: str) -> Path:
    """``<output_dir>/workbooks/<case_id>.xlsx``."""
    return Path(output_dir) / "workbooks" / f"{case_id}.xlsx"


def status_path(output_dir: str | Path, case_id: str) -> Path:
    """``<output_dir>/status/<case_id>.json``."""
    return Path(output_dir) / "status" / f"{case_id}.json"


def write_statuses(statuses: Iterable[CaseStatus], output_dir: str | Path) -> None:
    """Keep each case's latest status next to its report (atomic writes)."""
    for s in statuses:
        atomic_write_text(status_path(output_dir, s.case_id), s.to_json())


def with_previous_details(status: CaseStatus, output_dir: str | Path) -> CaseStatus:
    """A failed status that never loaded its case, with title, park and data quality of the
    case's previous status (same cases folder) when there is one; other statuses unchanged."""
    if status.ok or (status.title and status.park):
        return status
    previous = read_statuses(output_dir, [status.case_id])
    if not previous or previous[0].cases_dir != status.cases_dir:
        return status
    p = previous[0]
    return replace(status, title=status.title or p.title, park=status.park or p.park,
                   data_quality=status.data_quality or p.data_quality)


def check_output_folder(folder: str | Path) -> Path:
    """Create ``folder`` if needed and make sure files can be written in it, before any run.

    Raises
    ------
    InputError
        One line naming the folder: it is a file, or not writable.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".write-test.", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        why = ("it is a file" if folder.exists() and not folder.is_dir()
               else exc.strerror or type(exc).__name__)
        raise InputError(f"a folder where the reports can be written ({why})", file=folder,
                         field="--output") from None
    return folder


LOCK_FILE = ".eip-analysis.lock"


@contextlib.contextmanager
def output_lock(folder: str | Path):
    """Hold the lock of an output folder for a run (``<folder>/.eip-analysis.lock``).

    Raises
    ------
    InputError
        One line when another run holds it: ``<folder>: --output: expected a folder no other
        run is writing to (pid N holds its lock...)``. The lock is an advisory ``flock``: the
        kernel frees it if the process dies; the file is removed when the run ends (a waiter
        checks that it locked the file still in place).
    """
    import fcntl

    path = Path(folder) / LOCK_FILE
    while True:
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise InputError(f"a folder no other run is writing to (pid {holder} holds its "
                             "lock; wait for it or choose another --output)", file=folder,
                             field="--output") from None
        try:
            same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()  # the holder removed it as we opened it: take the new one
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        handle.close()


def read_statuses(output_dir: str | Path, case_ids: Iterable[str]) -> list[CaseStatus]:
    """The latest status of each case in ``case_ids`` that has one, sorted by case id."""
    out = []
    for cid in sorted(set(case_ids)):
        p = status_path(output_dir, cid)
        if p.exists():
            try:
                out.append(CaseStatus.from_json(p.read_text(encoding="utf-8")))
            except (ValueError, TypeError):
                continue  # a status from another version: the next run rewrites it
    return out


def index_statuses(output_dir: str | Path,
                   cases_dir: str | Path | None = None) -> list[CaseStatus]:
    """The statuses the index shows: those of the cases in ``cases_dir`` (default folder when
    ``None``) that were run from that very folder (a status of a same-named case of another
    folder is left out)."""
    folder = resolved_cases_dir(cases_dir)
    ids = [p.stem for p in Path(folder).glob("*.yaml") if PLAIN_NAME.match(p.stem)]
    return [_checked(s, output_dir) for s in read_statuses(output_dir, ids)
            if s.cases_dir == folder]


def _head_meta(path: str | Path, name: str) -> str:
    """The hex key of ``<meta name="{name}">`` in a report's head (``""`` if none, unreadable)."""
    pattern = re.compile(rb'<meta name="' + name.encode() + rb'" content="([0-9a-f]+)">')
    try:
        with open(path, "rb") as handle:
            found = pattern.search(handle.read(4096))
    except OSError:
        return ""
    return found.group(1).decode("ascii") if found else ""


def report_run_key(path: str | Path) -> str:
    """The run key a report records in its head (``""`` when none or unreadable)."""
    return _head_meta(path, "eip-run-key")


def report_build_key(path: str | Path) -> str:
    """The build key a report records in its head (:mod:`eip_analysis.freshness`)."""
    return _head_meta(path, "eip-build-key")


def _checked(status: CaseStatus, output_dir: str | Path) -> CaseStatus:
    """An ok status whose report on disk records another run (or none) is shown failed: the
    index never links figures of one run to the report of another."""
    if not status.ok:
        return status
    html = report.report_paths(output_dir, status.case_id)["html"]
    if not html.is_file():
        return replace(status, ok=False, report=None, error="its report is missing")
    if status.run_key and report_run_key(html) != status.run_key:
        return replace(status, ok=False, report=None,
                       error="the report on disk comes from another run than this status "
                             "(rerun the case)")
    return status


#: Languages and the subfolder of an output folder holding their reports (``reports/vi/``);
#: the language of the output folder itself has none.
LANGUAGE_FOLDERS = {"vi": "vi"}


def parse_languages(text: str | None, given: Mapping[str, Any]) -> list[str | None]:
    """The languages of ``eip-analysis run --languages en,vi``, in order; ``[None]`` without
    the option (the run's own ``-p language``, written into the output folder itself).

    Raises
    ------
    InputError
        One line: an unknown language, one given twice, or ``--languages`` together with
        ``-p language``.

    >>> parse_languages("en, vi", {})
    ['en', 'vi']
    >>> parse_languages(None, {"language": "vi"})
    [None]
    """
    from .i18n import check_language

    if text is None:
        return [None]
    if "language" in given:
        raise InputError("either --languages or -p language, not both", field="--languages",
                         got=text)
    out: list[str | None] = []
    for part in str(text).split(","):
        try:
            language = check_language(part)
        except InputError:
            raise InputError('languages among "en", "vi", separated by commas',
                             field="--languages", got=text) from None
        if language in out:
            raise InputError("each language at most once", field="--languages", got=text)
        out.append(language)
    return out


def language_folder(output_dir: str | Path, language: str | None) -> Path:
    """Where ``eip-analysis run --languages`` writes the reports in ``language``:
    ``<output_dir>`` for English (and without ``--languages``), ``<output_dir>/vi`` for
    Vietnamese."""
    sub = LANGUAGE_FOLDERS.get(language) if language else None
    return Path(output_dir) / sub if sub else Path(output_dir)


def language_parameters(given: Mapping[str, Any], language: str | None) -> dict[str, Any]:
    """The run parameters of the reports in ``language``: ``given`` with ``language`` (an
    English run keeps the parameters, and so the run and build keys, of a run without
    ``--languages``)."""
    if language is None or language == "en":
        return dict(given)
    return {**given, "language": language}


def _index_language(statuses: Sequence[CaseStatus]) -> str:
    """The language of an output folder's reports: that of its runs (English if mixed)."""
    languages = {s.parameters.get("language", "en") for s in statuses}
    return languages.pop() if len(languages) == 1 else "en"


def write_index(output_dir: str | Path, cases_dir: str | Path | None = None) -> Path:
    """Write ``<output_dir>/index.html`` from :func:`index_statuses`.

    Each case's row also links its reports in the other languages (``<output_dir>/vi/``,
    where their statuses are ok), its investment proposal (``proposals/<id>.html``) and
    their PDFs; each language folder with reports gets its own index, in its language,
    linking back.
    """
    output_dir = Path(output_dir)
    folder_of_cases = resolved_cases_dir(cases_dir)
    statuses = index_statuses(output_dir, cases_dir)
    language = _index_language(statuses)
    others: dict[str, dict[str, CaseStatus]] = {}
    for other, sub in LANGUAGE_FOLDERS.items():
        if other != language and (output_dir / sub / "status").is_dir():
            others[other] = {s.case_id: s for s in index_statuses(output_dir / sub, cases_dir)}
    index = atomic_write_text(output_dir / "index.html", report.index_html(
        statuses, output_dir, cases_dir=folder_of_cases, language=language,
        other_reports=others))
    for other, by_case in others.items():
        if by_case:
            folder = output_dir / LANGUAGE_FOLDERS[other]
            atomic_write_text(folder / "index.html", report.index_html(
                list(by_case.values()), folder, cases_dir=folder_of_cases, language=other,
                reports_root=output_dir,
                other_reports={language: {s.case_id: s for s in statuses}}))
    return index


def summary_table(statuses: Sequence[CaseStatus], why: Mapping[str, str] | None = None,
                  skipped: Iterable[str] = ()) -> str:
    """Fixed-width summary: case, status, seconds, report path or the error in one line, and
    (with ``why``, from :func:`plan`) why each case was built or skipped; the cases in
    ``skipped`` show as ``skipped`` with the seconds of this run (0)."""
    skipped = set(skipped)
    width = max([len("case"), *(len(s.case_id) for s in statuses)])
    lines = [f"{'case':{width}s}  {'status':7s}  {'seconds':>7s}  report or error",
             "-" * (width + 40)]
    for s in statuses:
        word = "skipped" if s.case_id in skipped else "ok" if s.ok else "FAILED"
        seconds = 0.0 if s.case_id in skipped else s.seconds
        text = s.report if s.ok else s.error
        if why and s.case_id in why and (s.ok or s.case_id in skipped):
            text = f"{text}  ({why[s.case_id]})"
        lines.append(f"{s.case_id:{width}s}  {word:7s}  {seconds:7.1f}  {text}")
    return "\n".join(lines)
