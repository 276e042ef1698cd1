"""The ``eip-analysis`` command: the front door that imports the commands of the package.

``eip-analysis validate``  check every case file; one line per problem.
``eip-analysis metrics``   appraise every valid case; write ``data/processed/``; print a summary.
``eip-analysis check``     plausibility checks across the cases (:mod:`eip_analysis.checks`).
``eip-analysis workbook``  the bank workbook of cases (:mod:`eip_analysis.workbook`).
``eip-analysis run``       the HTML reports and their index (:mod:`eip_analysis.batch`).
``eip-analysis portfolio`` the portfolio report and ``data/processed/portfolio.csv``
                           (:mod:`eip_analysis.portfolio`).
``eip-analysis proposal``  the investment proposal of each case for a lender
                           (:mod:`eip_analysis.report.proposal`).
``eip-analysis pdf``       print the reports and proposals to PDF
                           (:mod:`eip_analysis.report.pdf`).

Each subcommand is its arguments and a handler here, calling the library; no module of the
library imports this one. User mistakes print one line (file: field: expected ...) and exit 1;
no traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from . import __version__, formatting, paths
from .errors import InputError, unexpected
from .paths import PLAIN_NAME, case_path

#: The subcommands: name -> (help, add_arguments, handler), in the order ``--help`` lists them.
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable]] = {}


def command(name: str, help: str, arguments: Callable[[argparse.ArgumentParser], None]):
    def register(handler: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = (help, arguments, handler)
        return handler

    return register


def _cases_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cases", type=Path, default=None,
                   help="folder of case files (default data/raw/cases)")


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


@command("validate", "check every case file against the schema", _cases_arg)
def _validate(args: argparse.Namespace) -> int:
    from .cases import valid_cases

    good, bad = valid_cases(args.cases)
    for case in good:
        print(f"ok    {case.id:8s} {case.title}")
    drafts = 0
    for path, err in bad:
        gaps = _draft_gaps(path)
        drafts += bool(gaps)
        for line in gaps or [str(err)]:  # a draft: one line per field still to be surveyed
            _error(line)
    print(f"{len(good)} valid, {len(bad)} invalid"
          + (f" ({drafts} draft(s) with fields still to be surveyed)" if drafts else ""))
    return 1 if bad else 0


def _draft_gaps(path: Path) -> list[str]:
    """The fields a drafted case (``eip-analysis draft-case``) still lacks; [] for any other
    file, whose own error is then shown."""
    from .errors import InputError
    from .screening import draft_gaps

    try:
        return draft_gaps(path)
    except (InputError, OSError):
        return []


def _metrics_args(p: argparse.ArgumentParser) -> None:
    _cases_arg(p)
    p.add_argument("--output", type=Path, default=None,
                   help="folder for metrics.csv and cashflows/ (default data/processed)")


def summary_table(appraisals) -> str:
    """A fixed-width summary of headline metrics, one line per case."""
    head = (f"{'case':8s} {'NPV':>16s} {'IRR':>8s} {'payback':>12s} "
            f"{'tCO2e/yr':>10s} {'USD/tCO2e':>11s}  data")
    lines = [head, "-" * len(head)]
    for a in sorted(appraisals, key=lambda a: a.case.id):
        m = a.metrics
        lines.append(
            f"{a.case.id:8s} {formatting.money(m.npv_usd):>16s} {formatting.percent(m.irr):>8s} "
            f"{formatting.years(m.payback_years):>12s} "
            f"{formatting.number(m.co2e_avoided_t_per_year):>10s} "
            f"{formatting.number(m.abatement_cost_usd_per_tco2e):>11s}  {a.case.data_quality}"
        )
    return "\n".join(lines)


def appraise_folder(folder: Path | None) -> tuple[list, list[tuple[Path, InputError]]]:
    """What ``eip-analysis metrics`` appraises: every valid case of ``folder`` (default
    folder when ``None``), and (file, one-line error) of each case that failed to load or
    to appraise."""
    from .appraisal import appraise
    from .cases import valid_cases

    good, bad = valid_cases(folder)
    appraisals = []
    for case in good:
        try:
            appraisals.append(appraise(case))
        except InputError as err:
            bad.append((Path(case.source_file or case.id), err))
        except Exception as exc:  # noqa: BLE001 - any per-case failure is that case's line
            bad.append((Path(case.source_file or case.id),
                        unexpected(exc, file=case.source_file)))
    return appraisals, bad


@command("metrics", "appraise every case; write data/processed/ and print a summary",
         _metrics_args)
def _metrics(args: argparse.Namespace) -> int:
    from .processed import write_processed

    appraisals, bad = appraise_folder(args.cases)
    out = args.output if args.output is not None else paths.processed_dir()
    written = write_processed(appraisals, out)
    print(summary_table(appraisals))
    print(f"\nwrote {written[0]}, {len(written) - 2} cash-flow tables in {out / 'cashflows'} "
          f"and the data dictionary {written[-1]}")
    for _, err in bad:
        _error(str(err))
    return 1 if bad else 0


def _check_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="*", metavar="ID", help="case ids (default: all)")
    _cases_arg(p)
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when a warning is not accepted by its case file")


@command("check", "plausibility checks across the cases, one line per finding", _check_args)
def _check(args: argparse.Namespace) -> int:
    from .cases import valid_cases
    from .checks import run_checks

    good, bad = valid_cases(args.cases)
    if args.ids:
        unknown = sorted(set(args.ids) - {c.id for c in good} - {p.stem for p, _ in bad})
        if unknown:
            raise InputError(f"case ids among {', '.join(sorted(c.id for c in good))}",
                             field="ID", got=unknown[0])
    findings, errors = run_checks(good)
    if args.ids:
        findings = [f for f in findings if f.case_id in args.ids]
    for f in findings:
        print(f.line())
    for _, err in [*bad, *errors]:
        print(f"error: {err}")
    open_ = [f for f in findings if not f.accepted]
    print(f"{len(open_)} warning(s), {len(findings) - len(open_)} accepted, "
          f"{len(bad) + len(errors)} case(s) not checked")
    return 1 if (bad or errors or (args.strict and open_)) else 0


def _workbook_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("case_ids", nargs="*", metavar="CASE_ID", help="case ids (e.g. HK-01)")
    p.add_argument("--all", action="store_true", help="every valid case")
    p.add_argument("--output", type=Path, default=None,
                   help="folder for the workbooks (default reports/workbooks)")
    _cases_arg(p)


@command("workbook", "write the bank workbook (.xlsx with live formulas) of cases",
         _workbook_args)
def _workbook(args: argparse.Namespace) -> int:
    from .cases import load_case
    from .workbook import write_workbook

    if args.all:
        from .cases import valid_cases

        cases, bad = valid_cases(args.cases)
    elif args.case_ids:
        cases, bad = [load_case(i, args.cases) for i in args.case_ids], []
    else:
        raise InputError("one or more case ids, or --all", field="workbook")
    failed = 0
    for _, err in bad:
        _error(str(err))
        failed += 1
    for case in cases:
        try:
            out = write_workbook(case, args.output)
        except InputError as err:
            _error(str(err))
            failed += 1
            continue
        print(f"wrote {out}")
    return 1 if failed else 0


def _run_args(p: argparse.ArgumentParser) -> None:
    from .report import RUN_PARAMETERS

    p.add_argument("case_ids", nargs="*", metavar="CASE_ID", help="cases to report on")
    p.add_argument("--all", action="store_true", help="every case of the cases folder")
    p.add_argument("--jobs", "-j", type=int, default=1, help="reports run in parallel (default 1)")
    p.add_argument("--output", type=Path, default=None,
                   help="folder for the reports (default reports/)")
    p.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                   help=f"report parameter for every case: {', '.join(RUN_PARAMETERS)} "
                        "(repeat for several)")
    p.add_argument("--workbooks", action="store_true",
                   help="also write the bank workbook of each case, <output>/workbooks/<id>.xlsx")
    p.add_argument("--languages", default=None, metavar="LANG[,LANG]",
                   help="write the reports in these languages (en, vi): English in <output>, "
                        "Vietnamese in <output>/vi; the index links both (default: the "
                        "run's -p language, English)")
    p.add_argument("--force", action="store_true",
                   help="rebuild every report, also those whose inputs, code and parameters "
                        "have not changed since the report on disk")
    _executor_args(p)
    _cases_arg(p)


def _executor_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local worker processes (default) or a Dask distributed cluster")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="with --executor dask: a running scheduler (tcp://host:8786); "
                        "default: a local cluster of --jobs worker processes")


def _case_ids(args: argparse.Namespace) -> tuple[list[str], list[Path]]:
    """The case ids to run, and (with ``--all``) the ``*.yaml`` files of the folder whose
    names are not plain ids: every command considers the same files, and those fail."""
    if args.all == bool(args.case_ids):
        raise InputError("case ids or --all (not both)", field="run")
    folder = args.cases if args.cases is not None else paths.cases_dir()
    if args.cases is not None and not folder.is_dir():
        raise InputError("an existing folder of case files", file=folder)
    if args.all:
        files = sorted(folder.glob("*.yaml"))
        ids = [p.stem for p in files if PLAIN_NAME.match(p.stem)]
        if not files:
            raise InputError("a folder with case files (*.yaml)", file=folder)
        return ids, [p for p in files if not PLAIN_NAME.match(p.stem)]
    for cid in args.case_ids:
        if not PLAIN_NAME.match(cid):
            raise InputError("a case id of the cases folder (a plain name; for a file "
                             "elsewhere, give its folder with --cases)", field="CASE_ID",
                             got=cid)
        case_path(cid, folder)  # unknown ids: one line listing the known ones
    return list(dict.fromkeys(args.case_ids)), []


@command("run", "render the HTML investment-case report of each case, and an index", _run_args)
def _run(args: argparse.Namespace) -> int:
    from . import batch, report
    from .pool import Interrupted

    ids, odd = _case_ids(args)
    given = report.parse_assignments(args.parameter)
    languages = batch.parse_languages(args.languages, given)
    cases_dir = str(args.cases.resolve()) if args.cases is not None else None
    if ids and given:  # bad -p values fail in one line before anything is written
        report.check_parameters(ids[0], cases_dir, **given)
    output = (args.output if args.output is not None else paths.reports_dir()).resolve()
    if args.jobs < 1:
        raise InputError("a number of jobs >= 1", field="--jobs", got=args.jobs)
    batch.check_output_folder(output)  # an unwritable --output fails in one line, before any run
    for language in languages:
        batch.check_output_folder(batch.language_folder(output, language))
    by_language = {language: [batch.ReportTask(
        case_id=cid, output_dir=str(batch.language_folder(output, language)),
        cases_dir=cases_dir, parameters=batch.language_parameters(given, language),
        workbooks=args.workbooks, write_status=True) for cid in ids] for language in languages}
    skipped = [batch.CaseStatus(case_id=p.name, ok=False, seconds=0.0,
                                error=f"{p}: expected a file named <plain id>.yaml "
                                      "(letters, digits, '-', '_'): not run")
               for p in odd]
    interrupted = None

    if args.scheduler is not None and args.executor != "dask":
        raise InputError("--scheduler together with --executor dask", field="--scheduler",
                         got=args.scheduler)
    statuses, unchanged_ids, why, pending = [], set(), {}, []
    with batch.output_lock(output):
        for language, group in by_language.items():  # one language after the other
            folder = batch.language_folder(output, language)
            label = "" if len(languages) == 1 else f" [{language or 'en'}]"

            def keep(status: batch.CaseStatus, folder: Path = folder) -> None:
                # the worker wrote it already; again, here, if not
                batch.write_statuses([batch.with_previous_details(status, folder)], folder)

            to_run, same, reasons = batch.plan(group, force=args.force)
            pending += [t.case_id + label for t in to_run]
            try:
                done = batch.run_cases(to_run, jobs=args.jobs, on_status=keep,
                                       executor=args.executor, scheduler=args.scheduler)
            except Interrupted as stop:
                interrupted, done = stop, list(stop.results)
            shown = sorted([*done, *same], key=lambda s: s.case_id)
            statuses += [replace(s, case_id=s.case_id + label) for s in shown]
            unchanged_ids |= {s.case_id + label for s in same}
            why.update({cid + label: w for cid, w in reasons.items()})
            if interrupted is not None:
                break
        try:
            index = batch.write_index(output, cases_dir)
        except OSError as exc:
            index = f"not written ({exc.strerror or exc})"
        indexed = batch.index_statuses(output, cases_dir)
    statuses = [*statuses, *skipped]
    print(batch.summary_table(statuses, why, skipped=unchanged_ids))
    n_failed = sum(not s.ok for s in statuses)
    n_index_failed = sum(not s.ok for s in indexed)
    n_written = len(statuses) - n_failed - len(unchanged_ids)
    n_skipped = (f", {len(unchanged_ids)} skipped as unchanged (--force rebuilds them)"
                 if unchanged_ids else "")
    print(f"\nthis run: {n_written} report(s) written, {n_failed} failed{n_skipped}; index: "
          f"{index} ({len(indexed)} cases, {n_index_failed} failed at their last run)")
    if interrupted is not None:
        finished = {s.case_id for s in statuses}
        left = [cid for cid in pending if cid not in finished]
        _error(f"{interrupted}: {len(left)} case(s) not run or stopped ({', '.join(left)}); "
               "their reports and statuses on disk are those of their last complete run")
        return 130
    return 1 if n_failed else 0


def _portfolio_args(p: argparse.ArgumentParser) -> None:
    from .report.portfolio import PARKS

    p.add_argument("--park", choices=PARKS, default=None, help="one park (default: both)")
    p.add_argument("--selection", type=Path, default=None, metavar="FILE",
                   help="a selection file amending data/raw/parameters/selection.yaml")
    p.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                   help="a selection entry for this run, e.g. weights.npv_usd=0.2, "
                        "thresholds.min_score=0.5 (repeat for several)")
    p.add_argument("--plan-start", default=None, metavar="YYYY-MM-DD",
                   help="first day of the work-plan (default: data/raw/parameters/workplan.yaml)")
    p.add_argument("--mc-draws", default=None, metavar="N",
                   help="Monte Carlo draws per case for P(NPV > 0) (default 10,000)")
    p.add_argument("--output", type=Path, default=None,
                   help="folder for portfolio.html (default reports/)")
    p.add_argument("--processed", type=Path, default=None,
                   help="folder for portfolio.csv (default data/processed)")
    p.add_argument("--force", action="store_true",
                   help="rebuild the report also when its inputs, code and parameters have not "
                        "changed")
    _cases_arg(p)


@command("portfolio", "the portfolio report: status, shortlist with reasons, stability, MAC "
         "curve, ESMP heat map, work-plan, park totals", _portfolio_args)
def _portfolio(args: argparse.Namespace) -> int:
    from . import batch, freshness, report
    from .portfolio import load_selection, with_overrides

    overrides: dict[str, str] = {}
    for text in args.parameter:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise InputError("NAME=VALUE", field="-p", got=text)
        if name.strip() in overrides:
            raise InputError("each entry at most once", field="-p", got=name.strip())
        overrides[name.strip()] = value.strip()
    # bad weights or thresholds fail here, in one line, before the notebook runs
    with_overrides(load_selection(args.selection), overrides)
    processed = (args.processed if args.processed is not None else paths.processed_dir())
    given = {"park": args.park, "selection_file": args.selection, "selection": overrides,
             "plan_start": args.plan_start,
             "cases_dir": str(args.cases.resolve()) if args.cases is not None else None,
             "portfolio_csv_path": str((processed / "portfolio.csv").resolve())}
    if args.mc_draws is not None:
        given["mc_draws"] = args.mc_draws
    run = report.check_portfolio_parameters(**given)
    output = (args.output if args.output is not None else paths.reports_dir()).resolve()
    batch.check_output_folder(output)
    batch.check_output_folder(processed)
    cases_dir = Path(run.cases_dir) if run.cases_dir else paths.cases_dir()
    key = freshness.portfolio_key(cases_dir, report.PORTFOLIO_NOTEBOOK, run.model_dump(),
                                  args.selection)
    with batch.output_lock(output):
        reason = "--force" if args.force else batch.portfolio_rebuild_reason(output, key, run)
        if reason is None:
            index = batch.write_index(output, run.cases_dir)
            print(f"skipped {output / 'portfolio.html'}: unchanged inputs, code and parameters "
                  f"(--force rebuilds it); wrote {index}")
            return 0
        try:
            html = report.execute_portfolio(run, output, build_key=key.key)
        except Exception as exc:  # noqa: BLE001 - any notebook error: its one line, no traceback
            _error(f"portfolio: {report.one_line_error(exc)}")
            return 1
        batch.write_portfolio_key(output, key, run.portfolio_csv_path)
        index = batch.write_index(output, run.cases_dir)
    print(f"wrote {html} ({reason}), {run.portfolio_csv_path} and {index}")
    return 0


def _proposal_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("case_ids", nargs="*", metavar="CASE_ID", help="case ids (e.g. HK-01)")
    p.add_argument("--all", action="store_true", help="every case of the cases folder")
    p.add_argument("--output", type=Path, default=None,
                   help="folder for the proposals (default reports/proposals)")
    _cases_arg(p)


@command("proposal", "write the investment proposal of each case for a lender (HTML; "
         "`eip-analysis pdf` prints it)", _proposal_args)
def _proposal(args: argparse.Namespace) -> int:
    from .report.proposal import load_requirements, proposals_dir, write_proposal

    if args.all == bool(args.case_ids):
        raise InputError("case ids or --all (not both)", field="proposal")
    ids, odd = _case_ids(args)
    requirements = load_requirements()  # a broken requirements file: one line, nothing written
    output = (args.output if args.output is not None else proposals_dir()).resolve()
    failed = 0
    for path in odd:
        _error(f"{path}: expected a file named <plain id>.yaml (letters, digits, '-', '_'): "
               "no proposal")
        failed += 1
    for cid in ids:
        try:
            written = write_proposal(cid, output, args.cases, requirements=requirements)
        except InputError as err:
            _error(str(err))
            failed += 1
            continue
        except Exception as exc:  # noqa: BLE001 - any per-case failure is that case's line
            folder = args.cases if args.cases is not None else paths.cases_dir()
            _error(str(unexpected(exc, file=folder / f"{cid}.yaml")))
            failed += 1
            continue
        print(f"wrote {written}")
    print(f"{len(ids) + len(odd) - failed} proposal(s) written, {failed} failed, in {output}")
    return 1 if failed else 0


def _pdf_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", type=Path, default=None,
                   help="folder of the reports (default reports/)")
    p.add_argument("--force", action="store_true",
                   help="print every report, also those whose PDF is newer than the page")
    _cases_arg(p)


@command("pdf", "print each HTML report of the output folder (the portfolio report and the "
         "proposals in <output>/proposals too) to an A4 PDF beside it, with headless Chromium",
         _pdf_args)
def _pdf(args: argparse.Namespace) -> int:
    from . import batch
    from .report import pdf
    from .report.notebook import ReportError

    output = (args.output if args.output is not None else paths.reports_dir()).resolve()
    if not output.is_dir():
        raise InputError("an existing folder of reports", field="--output", got=str(output))
    browser = pdf.find_browser()
    if browser is None:
        print(f"PDFs not written: {pdf.HOW_TO_GET}")
        return 0
    pages = pdf.report_pages(output) if args.force else pdf.stale_pages(output)
    failed = 0
    with batch.output_lock(output):
        for page in pages:
            try:
                written = pdf.to_pdf(page, browser=browser)
                print(f"wrote {written}")
            except ReportError as exc:
                failed += 1
                _error(str(exc))
        if (output / "index.html").is_file():  # it links the PDFs now
            batch.write_index(output, str(args.cases.resolve()) if args.cases else None)
    print(f"{len(pages) - failed} PDF(s) written, {failed} failed, "
          f"{len(pdf.report_pdfs(output))} in {output}")
    return 1 if failed else 0


def _screen_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("park", nargs="?", default=None, metavar="PARK",
                   help="hoa_khanh, tra_noc or an inventory file (default: both parks)")
    p.add_argument("--top", type=int, default=10, help="candidates printed (default 10)")
    p.add_argument("--output", type=Path, default=None,
                   help="folder for <park>.csv (default data/processed/screening)")


@command("screen", "candidate exchanges from a park's inventory: write "
         "data/processed/screening/<park>.csv and print the top candidates", _screen_args)
def _screen(args: argparse.Namespace) -> int:
    from .inventory import PARKS
    from .screening import screen, summary_lines, write_screening

    parks = [args.park] if args.park else list(PARKS.values())
    for park in parks:
        inv, cands = screen(park)
        out = write_screening(inv.key, cands, args.output)
        print(f"{inv.park} ({inv.source_file}, {inv.data_quality}):")
        print("\n".join(summary_lines(cands, args.top)))
        print(f"wrote {out}\n")
    return 0


def _draft_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("candidate", metavar="CANDIDATE",
                   help="a candidate id <supply stream>:<demand stream> (eip-analysis screen)")
    p.add_argument("--id", required=True, dest="new_id", metavar="NEW-ID",
                   help="id of the new case (data/raw/cases/NEW-ID.yaml; never overwritten)")
    _cases_arg(p)


@command("draft-case", "write a draft case file from a screening candidate; fields to survey "
         "are marked 'to be surveyed'", _draft_args)
def _draft_case(args: argparse.Namespace) -> int:
    from .screening import draft_gaps, write_draft

    path = write_draft(args.candidate, args.new_id, args.cases)
    gaps = draft_gaps(path)
    print(f"wrote {path} ({len(gaps)} field(s) to be surveyed):")
    for line in gaps:
        print(f"  {line}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eip-analysis",
        description="Investment cases for industrial symbiosis opportunities.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, arguments, handler) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        arguments(p)
        p.set_defaults(handler=handler)
    return parser


class _TerminalSafe:
    """A text stream that escapes control characters (case text never drives the terminal)."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(formatting.terminal_safe(text))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _terminate(signum, frame) -> None:
    from .pool import Interrupted

    raise Interrupted([], signum)


def main(argv: Sequence[str] | None = None) -> int:
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalSafe(out), _TerminalSafe(err)
    try:  # SIGTERM stops a run as Ctrl-C does: kernels shut down, temporary files removed
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread (a test runner's thread): leave it alone
        previous = None
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("run", "portfolio"):  # this process may run notebooks
        from .report.kernels import skip_iri_format_checks

        skip_iri_format_checks()
    try:
        return int(args.handler(args) or 0)
    except InputError as err:
        _error(str(err))
        return 1
    except OSError as err:  # a file that cannot be read or written: one line, no traceback
        where = f": {err.filename}" if err.filename else ""
        _error(f"{err.strerror or type(err).__name__}{where}")
        return 1
    except KeyboardInterrupt:
        _error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
