"""Warm kernels: one Jupyter kernel per process reused for many notebooks, reset between them.

A cold papermill run starts a kernel (about a second) and the notebook's first cell imports
pandas, matplotlib and the package (about two more) before any work is done. Inside
:func:`reused_kernels` (the batch enters it once per worker process),
:func:`~eip_analysis.report.execute_notebook` runs every notebook in a kernel started once,
with those imports done, through a papermill engine that keeps the kernel
(:class:`ReusedKernelEngine`). Before each notebook the kernel is reset to the state of a
fresh one (:func:`reset_kernel`): the user namespace, the input and output history and the
execution counter, matplotlib's figures and settings, the warning filters and the working
directory. What stays is what the reports may share: imported modules and their caches of
the package's read-only tables (a batch reads them once). Not reset, because the package's
notebooks never change them: pandas options, ``os.environ``, ``sys.path``, numpy's global
random state and error settings, IPython's display formatters; a notebook of your own that
changes them should not run in a reused kernel. A report from a reused kernel equals the report of a fresh
kernel (tested, apart from the run date).

A kernel that dies during a notebook is replaced and that notebook is run once more; after a
notebook that failed for any other reason the kernel is replaced too, so a half-run notebook
never leaves state behind. Leaving :func:`reused_kernels` (or the process ending on a signal
inside it) shuts the kernels down; a kernel whose process is gone exits by itself
(ipykernel's parent poller).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

#: Modules a report kernel imports once, before its first notebook.
WARM_IMPORTS = ("pandas", "matplotlib.pyplot", "IPython.display", "eip_analysis",
                "eip_analysis.report", "eip_analysis.plots", "eip_analysis.portfolio",
                "eip_analysis.workbook")
#: Seconds a kernel may take to start and answer.
START_TIMEOUT_S = 60.0
#: Seconds its imports may take (a first call of the IRR solver after an installation
#: compiles it, several seconds, longer on a busy machine).
PREPARE_TIMEOUT_S = 600.0
#: What the kernel restores before each notebook (:func:`snapshot_kernel`).
_SNAPSHOT: dict[str, Any] = {}


# -- in the kernel ---------------------------------------------------------------------------------


def prepare_kernel() -> None:
    """In a new kernel: import :data:`WARM_IMPORTS` and record the state to restore."""
    import importlib

    for name in WARM_IMPORTS:
        importlib.import_module(name)
    from eip_analysis.finance import irr, xirr

    irr([-1.0, 1.1])  # loads the compiled IRR solver (numba's cache) before the first report
    xirr(["2027-01-01", "2028-01-01"], [-1.0, 1.1])
    snapshot_kernel()


def snapshot_kernel() -> None:
    """Record matplotlib's settings and the warning filters of this (fresh) kernel."""
    import warnings

    import matplotlib

    _SNAPSHOT.update(rc=dict(matplotlib.rcParams), filters=list(warnings.filters))


def reset_kernel(cwd: str) -> None:
    """In the kernel: back to the state of a fresh kernel, working in ``cwd``.

    Clears the user namespace, the history and the execution counter (IPython's ``reset``),
    closes every figure, restores matplotlib's settings and the warning filters recorded by
    :func:`snapshot_kernel`, and changes to ``cwd``.
    """
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=True)  # namespace, In/Out, execution_count = 1
    plt.close("all")
    with warnings.catch_warnings():  # restoring deprecated settings warns
        warnings.simplefilter("ignore")
        dict.update(matplotlib.rcParams, _SNAPSHOT["rc"])
    warnings.filters[:] = _SNAPSHOT["filters"]
    os.chdir(cwd)


# -- in the process that runs notebooks ----------------------------------------------------------


def skip_iri_format_checks() -> None:
    """In a process the package owns (a batch worker, the command line), before papermill is
    imported: jsonschema, imported by nbformat, builds 38 grammars of ``rfc3987-syntax`` at
    import (about 2 s of CPU per process) to check the ``iri`` format, which no notebook
    schema uses. Marking that optional module absent makes jsonschema skip that check; nothing
    else changes. Not done in a user's own process (JupyterLab), where it could matter."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None: "import" raises ImportError


@contextlib.contextmanager
def batch_worker() -> Iterator[None]:
    """What a batch worker process runs inside: :func:`skip_iri_format_checks`, then
    :func:`reused_kernels`."""
    skip_iri_format_checks()
    with reused_kernels():
        yield



class WarmKernel:
    """A kernel started once (:data:`WARM_IMPORTS` imported), run by ``km`` and ``kc``.

    The manager and client are jupyter_client's asynchronous ones, as nbclient's own: while
    a cell runs, nbclient polls the kernel's liveness alongside its output, which a blocking
    client would not let it do (a dead kernel would hang the run).
    """

    def __init__(self, kernel_name: str, cwd: str, extra_arguments: list[str]) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self._sync = run_sync
        self.kernel_name, self.cwd = kernel_name, cwd
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        self.kc = None
        try:  # a signal during the start still shuts down what was started
            self._sync(self.km.start_kernel)(extra_arguments=list(extra_arguments), cwd=cwd)
            self.kc = self.km.client()
            self.kc.start_channels()
            self._sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT_S)
            self.run("import eip_analysis.report.kernels as _k; _k.prepare_kernel()",
                     timeout_s=PREPARE_TIMEOUT_S)
        except BaseException:
            self.shutdown()
            raise
        self.notebooks = 0  #: notebooks run in this kernel

    @property
    def pid(self) -> int | None:
        """The kernel's process id (``None`` once it is gone)."""
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def alive(self) -> bool:
        return bool(self.km.has_kernel and self._sync(self.km.is_alive)())

    def run(self, code: str, timeout_s: float = START_TIMEOUT_S) -> None:
        """Execute ``code`` quietly (no history, no execution count); raise if it fails."""
        from queue import Empty

        from .notebook import ReportError

        msg_id = self.kc.execute(code, silent=True, store_history=False)
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                reply = self._sync(self.kc.get_shell_msg)(
                    timeout=max(deadline - time.monotonic(), 0.1))
            except Empty:
                raise ReportError(f"the kernel did not answer in {timeout_s:.0f} s") from None
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise ReportError(f"kernel set-up failed: {content.get('ename', 'error')}: "
                              f"{content.get('evalue', '')}")

    def reset(self, cwd: str) -> None:
        """The state of a fresh kernel, working in ``cwd`` (:func:`reset_kernel`)."""
        self.run(f"import eip_analysis.report.kernels as _k; _k.reset_kernel({cwd!r})")
        self.cwd = cwd

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            if self.kc is not None:
                self.kc.stop_channels()
        with contextlib.suppress(Exception):
            if self.km.has_kernel:
                self._sync(self.km.shutdown_kernel)(now=True)


#: The warm kernels of this process while :func:`reused_kernels` is active (else ``None``).
_KERNELS: dict[str, WarmKernel] | None = None


def active() -> bool:
    """Notebooks of this process run in reused kernels (inside :func:`reused_kernels`)."""
    return _KERNELS is not None


@contextlib.contextmanager
def reused_kernels() -> Iterator[None]:
    """Within: notebooks run in one warm kernel per kernel name; on exit they are shut down."""
    global _KERNELS
    if _KERNELS is not None:  # nested: the outer one owns the kernels
        yield
        return
    _KERNELS = {}
    try:
        yield
    finally:
        _shutdown_all()


def keep_for_process() -> None:
    """Reuse kernels from now until this process ends (a Dask worker, whose loop is not
    ours to wrap in :func:`reused_kernels`); they are shut down at exit."""
    global _KERNELS
    if _KERNELS is None:
        _KERNELS = {}
        atexit.register(_shutdown_all)


def _shutdown_all() -> None:
    global _KERNELS
    kernels, _KERNELS = _KERNELS or {}, None
    for kernel in kernels.values():
        kernel.shutdown()


def kernel_for(kernel_name: str, cwd: str, extra_arguments: list[str]) -> WarmKernel:
    """The warm kernel for ``kernel_name`` (started if there is none or it died), reset to a
    fresh kernel's state in ``cwd``."""
    assert _KERNELS is not None, "only inside reused_kernels()"
    kernel = _KERNELS.get(kernel_name)
    if kernel is not None and not kernel.alive():
        discard(kernel)
        kernel = None
    if kernel is None:
        kernel = _KERNELS[kernel_name] = WarmKernel(kernel_name, cwd, extra_arguments)
    try:
        kernel.reset(cwd)
    except BaseException:
        discard(kernel)
        raise
    kernel.notebooks += 1
    return kernel


def discard_all() -> None:
    """Shut down every warm kernel of this process; the next notebook starts a new one."""
    if _KERNELS:
        for kernel in list(_KERNELS.values()):
            discard(kernel)


def discard(kernel: WarmKernel) -> None:
    """Shut ``kernel`` down; the next notebook starts a new one."""
    if _KERNELS is not None and _KERNELS.get(kernel.kernel_name) is kernel:
        del _KERNELS[kernel.kernel_name]
    kernel.shutdown()


# -- the papermill engine ------------------------------------------------------------------------

#: papermill's name of the engine that runs a notebook in a :class:`WarmKernel`.
ENGINE_NAME = "eip-reused-kernel"


def engine_name() -> str:
    """Register the engine with papermill (again: harmless) and return its name.

    The engine is papermill's nbclient engine given a running kernel (``kernel=`` a
    :class:`WarmKernel` among papermill's engine arguments): its client neither starts nor
    shuts down the kernel, nor stops the kernel's channels.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, logger, papermill_engines

    class Client(PapermillNotebookClient):
        def __init__(self, nb_man, kernel: WarmKernel, **kw: Any) -> None:
            super().__init__(nb_man, km=kernel.km, **kw)
            self.kc = kernel.kc

    class ReusedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, *, kernel: WarmKernel, **kwargs):
            kwargs.pop("input_path", None)
            kwargs.pop("extra_arguments", None)  # for starting a kernel: it runs already
            return Client(nb_man, kernel, timeout=execution_timeout,
                          startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                          log_output=log_output, stdout_file=stdout_file,
                          stderr_file=stderr_file, **kwargs).execute()

    papermill_engines.register(ENGINE_NAME, ReusedKernelEngine)
    return ENGINE_NAME
