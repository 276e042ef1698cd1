"""The ``eip-analysis`` command.

``eip-analysis validate``  check every case file; one line per problem.
``eip-analysis metrics``   appraise every valid case; write ``data/processed/``; print a summary.

User mistakes print one line (file: field: expected ...) and exit 1; no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__, formatting, paths
from .appraisal import appraise
from .cases import Case, scan_cases
from .errors import InputError

#: Modules whose import registers more subcommands (``run``, ``workbook``).
SUBCOMMAND_MODULES: tuple[str, ...] = ("batch", "workbook", "checks")

#: Subcommands register here: name -> (add_arguments, handler). Other modules add their own.
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


def valid_cases(cases_dir: Path | None) -> tuple[list[Case], list[tuple[Path, InputError]]]:
    """Every case of the folder that validates, and the errors of those that do not."""
    good, bad = [], []
    for path, result in scan_cases(cases_dir):
        (bad.append((path, result)) if isinstance(result, InputError) else good.append(result))
    return good, bad


@command("validate", "check every case file against the schema", _cases_arg)
def _validate(args: argparse.Namespace) -> int:
    good, bad = valid_cases(args.cases)
    for case in good:
        print(f"ok    {case.id:8s} {case.title}")
    for _, err in bad:
        _error(str(err))
    print(f"{len(good)} valid, {len(bad)} invalid")
    return 1 if bad else 0


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


@command("metrics", "appraise every case; write data/processed/ and print a summary",
         _metrics_args)
def _metrics(args: argparse.Namespace) -> int:
    from .processed import write_processed

    good, bad = valid_cases(args.cases)
    appraisals = []
    for case in good:
        try:
            appraisals.append(appraise(case))
        except InputError as err:
            bad.append((Path(case.source_file or case.id), err))
    out = args.output if args.output is not None else paths.processed_dir()
    written = write_processed(appraisals, out)
    print(summary_table(appraisals))
    print(f"\nwrote {written[0]} and {len(written) - 1} cash-flow tables in {out / 'cashflows'}")
    for _, err in bad:
        _error(str(err))
    return 1 if bad else 0


def build_parser() -> argparse.ArgumentParser:
    # Modules that register further subcommands are imported here, not at import time of
    # this module, so `import eip_analysis` stays light.
    for module in SUBCOMMAND_MODULES:
        importlib.import_module(f"{__package__}.{module}")
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
