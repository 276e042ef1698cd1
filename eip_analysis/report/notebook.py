"""Running the report notebook with papermill and exporting it as one self-contained page.

:func:`execute_report` executes ``notebooks/opportunity_report.ipynb`` for one case and writes
``<id>.html`` atomically, so a failed run never replaces the last good report; it returns the
report's summary (key figures as shown, case SHA-256, title...) that the notebook glued into a
hidden output (:func:`glue`, :func:`read_summary`), so the batch and the index show exactly
what the report shows without parsing the case again.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .. import i18n, paths
from ..errors import InputError
from ..files import atomic_write_bytes, atomic_write_text
from ..i18n import N_
from . import kernels

if TYPE_CHECKING:
    from .parameters import RunParameters

#: The report notebook.
NOTEBOOK = paths.REPO_ROOT / "notebooks" / "opportunity_report.ipynb"
#: The portfolio report notebook (:func:`execute_portfolio`).
PORTFOLIO_NOTEBOOK = paths.REPO_ROOT / "notebooks" / "portfolio_report.ipynb"
#: Name of the portfolio report's files in the output folder (``portfolio.html``...).
PORTFOLIO_NAME = "portfolio"
#: Title of the portfolio report's page.
PORTFOLIO_TITLE = "Industrial symbiosis portfolio: which solutions to take forward"
#: Kernel command-line options: keep the kernel's own log off the terminal. ipykernel warns on
#: every start that a local kernel talks over TCP without encryption (papermill's default) and
#: logs an error when jupyter_client interrupts it on shutdown, as it always does; errors in the
#: notebook itself arrive as messages and are reported by :func:`one_line_error`.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: Cell tags that never show in the HTML (papermill's parameter cells, the glued summary).
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell", "summary"})
#: MIME type of the report summary the notebook glues (scrapbook-style) for the batch.
SUMMARY_MIME = "application/vnd.eip-analysis.summary+json"


class ReportError(RuntimeError):
    """A report could not be produced for a reason other than its inputs (one line)."""


# -- the summary glued into the executed notebook --------------------------------------------


def glue(summary: dict[str, Any]) -> None:
    """Display ``summary`` as a JSON output of MIME type :data:`SUMMARY_MIME` (in a cell tagged
    ``summary``, hidden from the HTML), for :func:`read_summary`."""
    from IPython.display import display

    display({SUMMARY_MIME: summary}, raw=True)


def read_summary(nb) -> dict[str, Any] | None:
    """The summary glued by :func:`glue` in an executed notebook, or ``None``."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            value = out.get("data", {}).get(SUMMARY_MIME)
            if value is not None:
                return dict(value)
    return None


# -- HTML export ----------------------------------------------------------------------------------


def _shown(cell) -> bool:
    if HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
        return False
    return cell.cell_type == "markdown" or (cell.cell_type == "code" and bool(cell.outputs))


#: The banner of every printed page of a report that is not surveyed data.
PRINT_BANNER = N_("Illustrative figures: engineering estimates, not survey data")
#: The banner of every printed page of the portfolio report.
PORTFOLIO_PRINT_BANNER = "Cases marked illustrative are engineering estimates, not survey data"


def print_texts(summary: dict[str, Any] | None) -> tuple[str, str]:
    """Running header (case and run date) and banner of a report's printed pages, in the
    report's language (``summary["language"]``, English when absent)."""
    from datetime import UTC, datetime

    if not summary:
        date = datetime.now(UTC).strftime("%Y-%m-%d")
        return f"Portfolio report · {date}", PORTFOLIO_PRINT_BANNER
    with i18n.use_language(summary.get("language", "en")):
        date = i18n.format_run_date(datetime.now(UTC), with_time=False)
        banner = "" if summary.get("data_quality") == "surveyed" else i18n.gettext(PRINT_BANNER)
    return f"{summary.get('case_id', '')} · {summary.get('park', '')} · {date}", banner


def report_language(summary: dict[str, Any] | None) -> str:
    """The language a report was written in (its glued summary's ``language``; English)."""
    return (summary or {}).get("language", "en")


def export_html(nb, *, title: str, run_key: str = "", build_key: str = "") -> str:
    """A self-contained HTML page of an executed notebook: outputs and text, nothing else.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    title : str
        Page title (escaped).
    run_key : str
        The key of the run (a ``<meta name="eip-run-key">``).
    build_key : str
        The key of its inputs, code and parameters (:mod:`eip_analysis.freshness`; a
        ``<meta name="eip-build-key">``).

    Returns
    -------
    str
        The page (``templates/page.html.j2`` around nbconvert's cells): no code, no prompts, no
        papermill parameter cells, no stderr output; images embedded as data URIs; styles
        inline; no ``<script>``, no font, style or script fetched from any host. In the
        report's language (:func:`report_language`): each markdown cell translated whole
        from the catalog (:func:`eip_analysis.i18n.translate_markdown`), the page's ``lang``.
    """
    from .render import page_html

    summary = read_summary(nb)
    language = report_language(summary)
    header, banner = print_texts(summary)
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if _shown(c)]
    for cell in nb.cells:
        if cell.cell_type == "markdown" and language != "en":
            cell.source = i18n.translate_markdown(cell.source, language)
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.get("name") == "stderr")]
    body, _ = _html_exporter().from_notebook_node(nb)
    return page_html(title, Markup(body.strip()), run_key=run_key,  # nbconvert's: trusted
                     build_key=build_key, print_header=header, print_banner=banner,
                     language=language)


@functools.lru_cache(maxsize=1)
def _html_exporter():
    """nbconvert's HTML exporter of the report cells, made once per process (it compiles its
    templates when first used; a batch worker exports many reports)."""
    from jinja2 import FileSystemLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="basic",
        extra_loaders=[FileSystemLoader(str(Path(__file__).parent / "templates"))],
        template_file="notebook.html.j2",
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    )


# -- the kernel -----------------------------------------------------------------------------------


def kernel_executable(kernel_name: str = "python3") -> str:
    """The Python executable a Jupyter kernel would run, as jupyter_client launches it.

    jupyter_client replaces a kernel spec's bare ``python`` with ``sys.executable``, so the
    ``python3`` spec of ipykernel runs this very environment's interpreter.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
    except NoSuchKernel:
        raise ReportError(f"no Jupyter kernel named {kernel_name!r}: install one with "
                          f"`{sys.executable} -m ipykernel install --sys-prefix`") from None
    major, minor = sys.version_info[:2]
    if argv and argv[0] in {"python", f"python{major}", f"python{major}.{minor}"}:
        return sys.executable
    return argv[0] if argv else ""


def check_kernel(kernel_name: str = "python3") -> str:
    """Make sure the kernel runs this environment's Python; return its executable.

    Raises
    ------
    ReportError
        When the kernel spec points at another interpreter, whose packages would differ.
    """
    exe = kernel_executable(kernel_name)
    if Path(exe).parent.absolute() != Path(sys.executable).parent.absolute():
        raise ReportError(f"kernel {kernel_name!r} runs {exe}, not this environment's "
                          f"{sys.executable}: run `{sys.executable} -m ipykernel install "
                          "--sys-prefix` or remove the other kernel spec")
    return exe


def _first_line(text: Any) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= 300 else line[:297] + "..."


def one_line_error(exc: BaseException) -> str:
    """Reduce the error of a failed report to one line a user can act on.

    An :class:`InputError` (raised in the library or inside the notebook) gives its own message;
    another error in a notebook cell gives ``notebook cell In [n]: <Name>: <message>``; a dead
    kernel or a cell timeout says so.
    """
    if isinstance(exc, InputError | ReportError):
        return _first_line(exc)
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        if exc.ename == "InputError":
            return _first_line(exc.evalue)
        value = _first_line(exc.evalue)
        return f"notebook cell In [{exc.exec_count}]: {exc.ename}" + (f": {value}" if value else "")
    if isinstance(exc, DeadKernelError):
        return f"the notebook's kernel died: {_first_line(exc) or 'no message'}"
    if isinstance(exc, CellTimeoutError):
        return f"a notebook cell timed out: {_first_line(exc)}"
    text = _first_line(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- one run --------------------------------------------------------------------------------------


def report_paths(output_dir: str | Path, case_id: str) -> dict[str, Path]:
    """Where a run writes: ``html``, the executed ``notebook`` and a ``failed`` notebook."""
    output_dir = Path(output_dir)
    return {
        "html": output_dir / f"{case_id}.html",
        "notebook": output_dir / "notebooks" / f"{case_id}.ipynb",
        "failed": output_dir / "notebooks" / f"{case_id}.failed.ipynb",
    }


def execute_report(
    run: RunParameters,
    output_dir: str | Path | None = None,
    *,
    notebook: str | Path = NOTEBOOK,
    kernel_name: str = "python3",
    cell_timeout_s: float = 600.0,
    require_summary: bool = False,
    scratch_dir: str | Path | None = None,
    build_key: str = "",
) -> tuple[Path, dict[str, Any] | None]:
    """Execute the report notebook for one case and write its self-contained HTML page.

    Parameters
    ----------
    run : RunParameters
        From :func:`~eip_analysis.report.check_parameters`.
    output_dir : path, optional
        Default ``reports/``. Writes ``<id>.html`` and keeps the executed notebook as
        ``notebooks/<id>.ipynb``; a failed run keeps it as ``notebooks/<id>.failed.ipynb``.
    notebook : path
        The notebook to execute (tests pass notebooks that fail on purpose).
    kernel_name : str
        Jupyter kernel; it must run this environment's Python (:func:`check_kernel`).
    cell_timeout_s : float
        Longest time one cell may run [s].
    require_summary : bool
        Fail (before writing anything) when the notebook glued no summary (the batch needs it).
    scratch_dir : path, optional
        Where papermill's temporary notebook goes (see :func:`execute_notebook`).
    build_key : str
        Recorded in the page's head (:mod:`eip_analysis.freshness`).

    Returns
    -------
    (Path, dict or None)
        The HTML report and the summary the notebook glued (:func:`read_summary`).

    Raises
    ------
    papermill.exceptions.PapermillExecutionError, ReportError, ...
        The notebook failed (a broken case file fails in its first cell, with the case's
        one-line :class:`InputError`); :func:`one_line_error` says why in one line. Nothing is
        half-written and the last good report is left in place: the HTML is written to a
        temporary file and renamed only after a successful run.
    """
    def title(summary: dict[str, Any] | None) -> str:
        if require_summary and not summary:
            raise ReportError("the notebook glued no summary (a cell tagged summary calling "
                              "eip_analysis.report.glue)")
        return f"{summary['case_id']}: {summary['title']}" if summary else run.case_id

    out = report_paths(output_dir if output_dir is not None else paths.reports_dir(), run.case_id)
    return execute_notebook(notebook, run.notebook_parameters(), out, title=title,
                            kernel_name=kernel_name, cell_timeout_s=cell_timeout_s,
                            scratch_dir=scratch_dir, build_key=build_key)


def execute_portfolio(run, output_dir: str | Path | None = None, *,
                      notebook: str | Path = PORTFOLIO_NOTEBOOK, kernel_name: str = "python3",
                      cell_timeout_s: float = 600.0, build_key: str = "") -> Path:
    """Execute the portfolio notebook and write ``<output_dir>/portfolio.html`` atomically.

    ``run``: :class:`~eip_analysis.report.portfolio.PortfolioParameters`. The executed notebook
    is kept as ``notebooks/portfolio.ipynb`` (``portfolio.failed.ipynb`` when it fails); the
    errors are those of :func:`execute_report`.
    """
    out = report_paths(output_dir if output_dir is not None else paths.reports_dir(),
                       PORTFOLIO_NAME)
    return execute_notebook(notebook, run.model_dump(), out, title=lambda _: PORTFOLIO_TITLE,
                            kernel_name=kernel_name, cell_timeout_s=cell_timeout_s,
                            build_key=build_key)[0]


def _literal_path(path: Path) -> str:
    """``path`` as papermill must receive it to take it literally: papermill formats its paths
    with the parameters (``str.format``), so a ``{`` or ``}`` in a folder name is doubled."""
    return str(path).replace("{", "{{").replace("}", "}}")


def execute_notebook(
    notebook: str | Path, parameters: dict[str, Any], out: dict[str, Path], *,
    title, kernel_name: str = "python3", cell_timeout_s: float = 600.0,
    scratch_dir: str | Path | None = None, build_key: str = "",
) -> tuple[Path, dict[str, Any] | None]:
    """Execute ``notebook`` with ``parameters`` by papermill and write ``out["html"]``.

    ``out`` holds the paths of :func:`report_paths`; ``title(summary)`` gives the page title
    from the glued summary (and may raise :class:`ReportError` before anything is written).

    Nothing half-written is ever left in the output folder: papermill writes the executed
    notebook into a private temporary folder (under ``scratch_dir`` when given, the batch's
    folder for the run, else the system's), removed whatever happens; the page and the kept
    notebook are then written atomically. A failed run keeps its notebook as ``out["failed"]``
    only when it is complete JSON (a full disk truncates it), and leaves the last good page.
    """
    import json

    check_kernel(kernel_name)
    notebook = Path(notebook).resolve()
    with tempfile.TemporaryDirectory(prefix="eip-nb-", dir=scratch_dir,
                                     ignore_cleanup_errors=True) as scratch:
        tmp = Path(scratch) / f"{out['html'].stem}.ipynb"
        try:
            executed = _papermill_run(notebook, tmp, parameters, kernel_name, cell_timeout_s)
            summary = read_summary(executed)
            page = export_html(executed, title=title(summary), build_key=build_key,
                               run_key=(summary or {}).get("run_key", ""))
            kept = tmp.read_bytes()
            atomic_write_text(out["html"], page)
            atomic_write_bytes(out["notebook"], kept)
            out["failed"].unlink(missing_ok=True)
        except KeyboardInterrupt:  # stopped: nothing of this run is kept
            raise
        except BaseException:
            from ..pool import stopping

            if stopping():  # a batch being stopped: nothing of this run is kept
                raise
            with contextlib.suppress(OSError, ValueError):
                data = tmp.read_bytes()
                json.loads(data)  # a notebook cut short (full disk) is not kept
                atomic_write_bytes(out["failed"], data)
            raise
    return out["html"], summary


def _papermill_run(notebook: Path, target: Path, parameters: dict[str, Any], kernel_name: str,
                   cell_timeout_s: float):
    """papermill's run of ``notebook`` into ``target``: in a fresh kernel, or inside
    :func:`~eip_analysis.report.kernels.reused_kernels` in this process's warm kernel (reset
    first). A warm kernel that dies is replaced and the notebook run once more; one that ran
    a failing notebook is replaced before the next."""
    import papermill
    from nbclient.exceptions import DeadKernelError

    options = {"parameters": parameters, "kernel_name": kernel_name,
               "cwd": str(notebook.parent), "progress_bar": False, "log_output": False,
               "request_save_on_cell_execute": False, "execution_timeout": cell_timeout_s,
               "extra_arguments": KERNEL_ARGUMENTS}
    source, target_text = _literal_path(notebook), _literal_path(target)
    if not kernels.active():
        return papermill.execute_notebook(source, target_text, **options)
    for attempt in (1, 2):
        kernel = kernels.kernel_for(kernel_name, str(notebook.parent), KERNEL_ARGUMENTS)
        try:
            return papermill.execute_notebook(source, target_text, kernel=kernel,
                                              engine_name=kernels.engine_name(), **options)
        except DeadKernelError:
            kernels.discard(kernel)
            if attempt == 2:
                raise ReportError("the kernel died twice while running the notebook (out of "
                                  "memory or killed?)") from None
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):  # stopped: the cell's pending task ends with
                logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # the kernel; unlogged
            kernels.discard(kernel)
            raise
    raise AssertionError("unreachable")


def run_report(run: RunParameters, output_dir: str | Path | None = None,
               **kwargs: Any) -> Path:
    """:func:`execute_report`, returning the HTML report's path only."""
    return execute_report(run, output_dir, **kwargs)[0]
