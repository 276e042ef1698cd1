"""PDF copies of the HTML reports, printed by headless Chromium.

A credit file takes PDFs. :func:`to_pdf` prints one report page with Chromium's
``--print-to-pdf``: A4, and the page's print styles (``templates/report.css``, ``@media
print``; ``templates/page.html.j2``, ``@page``) give every page a running header (case and
run date), the illustrative banner when the case is illustrative, and "Page n of N"; tables
rows, figures and headings are not split across pages. Nothing is fetched: the page is
self-contained. ``eip-analysis pdf`` prints every report of an output folder, and every
investment proposal of its ``proposals/`` folder, whose PDF is missing or older than its
HTML; on a machine without Chromium it says in one line how to get one and writes nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..files import atomic_write_bytes
from .notebook import ReportError

#: Executables tried, in order, when ``$EIP_CHROMIUM`` is not set.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: How to get one, said when there is none.
HOW_TO_GET = ("no headless Chromium found: install it (Debian/Ubuntu: apt-get install "
              "chromium) or set EIP_CHROMIUM to its executable, then run `eip-analysis pdf`")
#: Longest time one page may take to print [s].
TIMEOUT_S = 120.0


def find_browser() -> str | None:
    """The Chromium executable: ``$EIP_CHROMIUM`` if set, else the first of :data:`BROWSERS`
    on the PATH, else ``None``."""
    given = os.environ.get("EIP_CHROMIUM")
    if given:
        return shutil.which(given) or (given if Path(given).is_file() else None)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def to_pdf(html: str | Path, pdf: str | Path | None = None, *,
           browser: str | None = None) -> Path:
    """Print ``html`` (a report page on disk) to ``pdf`` (default: same name, ``.pdf``).

    Written atomically: Chromium prints into a private temporary folder, the file is then
    written into place atomically, so a failed or stopped print leaves the last good PDF.

    Raises
    ------
    ReportError
        No browser (:data:`HOW_TO_GET`), the page is missing, or Chromium failed or timed
        out (its last line of output).
    """
    html = Path(html).resolve()
    pdf = Path(pdf) if pdf is not None else html.with_suffix(".pdf")
    browser = browser or find_browser()
    if browser is None:
        raise ReportError(HOW_TO_GET)
    if not html.is_file():
        raise ReportError(f"{html}: no such report to print")
    with tempfile.TemporaryDirectory(prefix="eip-pdf-") as tmp:
        out = Path(tmp) / "page.pdf"
        command = [browser, "--headless", "--disable-gpu", "--no-pdf-header-footer",
                   "--no-first-run", "--disable-extensions", f"--user-data-dir={tmp}/profile",
                   f"--print-to-pdf={out}", html.as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run as root otherwise
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S,
                                  check=False)
        except subprocess.TimeoutExpired:
            raise ReportError(f"{html.name}: Chromium did not print it in {TIMEOUT_S:.0f} s") \
                from None
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            lines = [line for line in (done.stderr or "").splitlines() if line.strip()]
            raise ReportError(f"{html.name}: Chromium could not print it "
                              f"({lines[-1][:200] if lines else f'exit {done.returncode}'})")
        atomic_write_bytes(pdf, out.read_bytes())
    return pdf


#: Sub-folders of a reports folder whose pages are printed too: the investment proposals
#: (:mod:`eip_analysis.report.proposal`, ``reports/proposals/<id>.html``) and the reports in
#: Vietnamese (``reports/vi/<id>.html``).
PAGE_FOLDERS = ("proposals", "vi")


def report_pages(folder: str | Path) -> list[Path]:
    """The pages of a reports folder that are printed: ``<id>.html`` and ``portfolio.html``
    (not the index), then those of :data:`PAGE_FOLDERS` (the proposals, the Vietnamese
    reports; not their index)."""
    folder = Path(folder)
    pages = []
    for where in (folder, *(folder / sub for sub in PAGE_FOLDERS)):
        pages += [p for p in sorted(where.glob("*.html")) if p.name != "index.html"]
    return pages


def report_pdfs(folder: str | Path) -> list[Path]:
    """The PDFs of a reports folder and of its :data:`PAGE_FOLDERS`."""
    folder = Path(folder)
    return [*sorted(folder.glob("*.pdf")),
            *(p for sub in PAGE_FOLDERS for p in sorted((folder / sub).glob("*.pdf")))]


def stale_pages(folder: str | Path) -> list[Path]:
    """The pages of :func:`report_pages` whose PDF is missing or older than the page."""
    pages = []
    for html in report_pages(folder):
        pdf = html.with_suffix(".pdf")
        if not pdf.is_file() or pdf.stat().st_mtime_ns < html.stat().st_mtime_ns:
            pages.append(html)
    return pages


def current_pdf(html: str | Path) -> Path | None:
    """The PDF of a report page when it is at least as new as the page, else ``None``."""
    html, pdf = Path(html), Path(html).with_suffix(".pdf")
    try:
        return pdf if pdf.stat().st_mtime_ns >= html.stat().st_mtime_ns else None
    except OSError:
        return None
