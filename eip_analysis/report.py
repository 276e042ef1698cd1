"""One investment-case report: its parameters, what it shows, one notebook run and the HTML export.

The report notebook ``notebooks/opportunity_report.ipynb`` only presents. Every table, figure and
sentence with a number in it comes from a function here (or in :mod:`eip_analysis.plots`), so the
numbers are unit-tested and the notebook does no arithmetic:

- :func:`check_parameters` validates the notebook's papermill parameters (papermill does not),
  so a wrong one fails in the first cell with one line;
- :func:`key_figures`, :func:`cashflow_table`, :func:`emissions_table`, :func:`assumptions_table`,
  :func:`provenance` compute what is shown; the ``*_html`` functions render it, escaping every
  text that comes from a case file (a case title ``<script>...`` shows as text);
- :func:`run_report` executes the notebook for one case with papermill and writes a
  self-contained HTML page (:func:`export_html`: no code, no prompts, images embedded, no request
  to any other host), atomically, so a failed run never replaces the last good report.

Money arrives in USD from :func:`eip_analysis.appraise`; :func:`convert_usd` and
:func:`cashflows_in` convert it to the reporting currency (USD or VND) at the run's
``exchange_rate_vnd_per_usd``.
"""

from __future__ import annotations

import base64
import copy
import html
import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__, formatting, paths, plots
from .appraisal import Appraisal, appraise
from .cases import Case, case_path, load_case
from .errors import InputError
from .files import atomic_write_text
from .parameters import coerce

#: The report notebook.
NOTEBOOK = paths.REPO_ROOT / "notebooks" / "opportunity_report.ipynb"
#: Currencies a report can be written in.
REPORTING_CURRENCIES = ("USD", "VND")
#: Names of the report notebook's ``parameters`` cell, in order (a test checks they agree).
NOTEBOOK_PARAMETERS = (
    "case_id", "cases_dir", "discount_rate", "currency", "exchange_rate_vnd_per_usd",
    "grid_factor_year", "gwp_set", "mc_draws", "mc_seed",
)
#: Parameters a batch run may set with ``-p NAME=VALUE`` (the case comes from other options).
RUN_PARAMETERS = NOTEBOOK_PARAMETERS[2:]
#: Run parameters that are passed on to :func:`eip_analysis.appraise` as overrides.
APPRAISAL_OVERRIDES = ("discount_rate", "exchange_rate_vnd_per_usd", "grid_factor_year", "gwp_set")
#: Default number of Monte Carlo draws and their seed (:func:`eip_analysis.risk.report_sections`).
DEFAULT_MC_DRAWS = 10_000
DEFAULT_MC_SEED = 20211130
#: Fewest and most Monte Carlo draws a report accepts: fewer give P10/P90 that jump from seed to
#: seed; more take minutes and gigabytes without changing a figure shown to one decimal.
MC_DRAWS_RANGE = (100, 200_000)
#: Kernel command-line options: keep the kernel's own log off the terminal. ipykernel warns on
#: every start that a local kernel talks over TCP without encryption (papermill's default) and
#: logs an error when jupyter_client interrupts it on shutdown, as it always does; errors in the
#: notebook itself arrive as messages and are reported by :func:`one_line_error`.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
#: Cell tags that never show in the HTML (papermill's parameter cells).
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell"})


class ReportError(RuntimeError):
    """A report could not be produced for a reason other than its inputs (one line)."""


# -- parameters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportParameters:
    """The validated parameters of one report run (see :func:`check_parameters`).

    ``None`` means "the value of the parameters file" (or of the case's ``parameters:`` block).
    """

    case_id: str
    cases_dir: str | None = None
    discount_rate: float | None = None  #: real discount rate [1/yr]
    currency: str = "USD"  #: reporting currency, USD or VND
    exchange_rate_vnd_per_usd: float | None = None  #: [VND/USD]
    grid_factor_year: int | None = None  #: year of the Viet Nam grid emission factor
    gwp_set: str | None = None  #: AR5 or AR6
    mc_draws: int = DEFAULT_MC_DRAWS  #: Monte Carlo draws of the risk sections
    mc_seed: int = DEFAULT_MC_SEED  #: seed of the Monte Carlo draws (same seed, same figures)

    @property
    def overrides(self) -> dict[str, Any]:
        """Keyword overrides for :func:`eip_analysis.appraise` (only those given)."""
        return {k: getattr(self, k) for k in APPRAISAL_OVERRIDES if getattr(self, k) is not None}

    @property
    def given(self) -> dict[str, Any]:
        """The run parameters set for this run (not ``None``, currency when not USD)."""
        out = self.overrides
        if self.currency != "USD":
            out = {"currency": self.currency, **out}
        if self.mc_draws != DEFAULT_MC_DRAWS:
            out["mc_draws"] = self.mc_draws
        if self.mc_seed != DEFAULT_MC_SEED:
            out["mc_seed"] = self.mc_seed
        return out

    def notebook_parameters(self) -> dict[str, Any]:
        """All notebook parameters, for papermill."""
        return asdict(self)

    def load_case(self) -> Case:
        """Load and validate the case; raises :class:`InputError` in one line."""
        return load_case(self.case_id, self.cases_dir)

    def appraise(self) -> Appraisal:
        """Load the case and appraise it with this run's overrides."""
        return appraise(self.load_case(), **self.overrides)


def check_parameters(
    case_id: Any,
    cases_dir: Any = None,
    discount_rate: Any = None,
    currency: Any = "USD",
    exchange_rate_vnd_per_usd: Any = None,
    grid_factor_year: Any = None,
    gwp_set: Any = None,
    mc_draws: Any = DEFAULT_MC_DRAWS,
    mc_seed: Any = DEFAULT_MC_SEED,
) -> ReportParameters:
    """Validate the report notebook's parameters and return them typed.

    Papermill injects parameters without checking them; the notebook's first cell calls this,
    so a wrong parameter stops the run there with one line naming the parameter.

    Parameters
    ----------
    case_id : str
        Case id, a plain name with a file ``<cases_dir>/<case_id>.yaml``.
    cases_dir : str or path, optional
        Folder of case files (default ``data/raw/cases``, or ``$EIP_DATA_DIR/raw/cases``).
    discount_rate : float or str, optional
        Real discount rate [1/yr] in [0, 1); ``None`` keeps the parameters file's value.
    currency : str
        Reporting currency, ``"USD"`` or ``"VND"`` (case-insensitive).
    exchange_rate_vnd_per_usd : float or str, optional
        [VND/USD]; ``None`` keeps the parameters file's value.
    grid_factor_year : int or str, optional
        Year of the Viet Nam grid emission factor [yr]; ``None`` keeps the parameters file's.
    gwp_set : str, optional
        ``"AR5"`` or ``"AR6"`` GWP100 values; ``None`` keeps the parameters file's.
    mc_draws : int or str
        Monte Carlo draws of the risk sections, an integer from 100 to 200,000
        (:data:`MC_DRAWS_RANGE`; default 10,000).
    mc_seed : int or str
        Seed of the Monte Carlo draws, an integer >= 0 (default 20211130).

    Returns
    -------
    ReportParameters
        Typed values (strings such as ``"0.08"`` from the command line are converted).

    Raises
    ------
    InputError
        One line: ``discount_rate: expected a real discount rate in [0, 1) [1/yr], got 1.5``.

    Examples
    --------
    >>> from eip_analysis.report import check_parameters
    >>> check_parameters("HK-01", discount_rate="0.08").discount_rate
    0.08
    """
    if not isinstance(case_id, str):
        raise InputError("a case id (text)", field="case_id", got=case_id)
    folder = None
    if cases_dir is not None:
        if not isinstance(cases_dir, str | os.PathLike) or not Path(cases_dir).is_dir():
            raise InputError("an existing folder of case files", field="cases_dir", got=cases_dir)
        folder = str(Path(cases_dir).resolve())
    case_path(case_id, folder)  # a plain name with a case file, or one line naming the ids
    if not isinstance(currency, str) or currency.upper() not in REPORTING_CURRENCIES:
        raise InputError(" or ".join(REPORTING_CURRENCIES), field="currency", got=currency)
    given = {"discount_rate": discount_rate, "exchange_rate_vnd_per_usd": exchange_rate_vnd_per_usd,
             "grid_factor_year": grid_factor_year, "gwp_set": gwp_set}
    typed = {k: None if v is None else coerce(k, v, field=k) for k, v in given.items()}
    return ReportParameters(case_id=case_id, cases_dir=folder, currency=currency.upper(),
                            mc_draws=_whole_number("mc_draws", mc_draws, *MC_DRAWS_RANGE),
                            mc_seed=_whole_number("mc_seed", mc_seed, 0), **typed)


def _whole_number(name: str, value: Any, smallest: int, largest: int | None = None) -> int:
    """``value`` (an int, or its text from the command line) in ``[smallest, largest]``."""
    expected = (f"an integer >= {smallest}" if largest is None
                else f"an integer from {smallest:,} to {largest:,}")
    number: Any = value
    if isinstance(value, str):
        try:
            number = int(value.strip().replace("_", ""))
        except ValueError:
            raise InputError(expected, field=name, got=value) from None
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if (isinstance(number, bool) or not isinstance(number, int | np.integer) or number < smallest
            or (largest is not None and number > largest)):
        raise InputError(expected, field=name, got=value)
    return int(number)


def parse_assignments(assignments: Sequence[str]) -> dict[str, str]:
    """``["discount_rate=0.08", ...]`` (command line ``-p``) -> ``{"discount_rate": "0.08"}``.

    Only names are checked here (:data:`RUN_PARAMETERS`); :func:`check_parameters` checks values.

    Raises
    ------
    InputError
        ``-p: expected NAME=VALUE, got 'x'``, an unknown name, or a name given twice.
    """
    out: dict[str, str] = {}
    for text in assignments:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError("NAME=VALUE", field="-p", got=text)
        if name not in RUN_PARAMETERS:
            raise InputError(f"a report parameter ({', '.join(RUN_PARAMETERS)})", field="-p",
                             got=name)
        if name in out:
            raise InputError("each parameter at most once", field="-p", got=name)
        out[name] = value.strip()
    return out


# -- numbers in the reporting currency ------------------------------------------------------------


def convert_usd(amount_usd: Any, currency: str, exchange_rate_vnd_per_usd: float) -> Any:
    """Convert USD amounts to the reporting currency.

    Parameters
    ----------
    amount_usd : float, array or pandas.Series
        Amounts [USD] (or [USD/yr], [USD/tCO2e]: the rate applies to the money part).
    currency : str
        ``"USD"`` (returned unchanged) or ``"VND"``.
    exchange_rate_vnd_per_usd : float
        [VND/USD], the run's ``exchange_rate_vnd_per_usd`` parameter.

    Returns
    -------
    Same type as ``amount_usd``, in [currency].

    Examples
    --------
    >>> from eip_analysis.report import convert_usd
    >>> convert_usd(100.0, "VND", 23159.78)
    2315978.0
    """
    if currency == "USD":
        return amount_usd
    if currency == "VND":
        return amount_usd * exchange_rate_vnd_per_usd
    raise InputError(" or ".join(REPORTING_CURRENCIES), field="currency", got=currency)


def _rate(appraisal: Appraisal) -> float:
    return float(appraisal.parameters["exchange_rate_vnd_per_usd"])


def cashflows_in(appraisal: Appraisal, currency: str = "USD") -> pd.DataFrame:
    """``Appraisal.cashflows`` in the reporting currency.

    Parameters
    ----------
    appraisal : Appraisal
    currency : str
        ``"USD"`` or ``"VND"``.

    Returns
    -------
    pandas.DataFrame
        One row per year; every ``*_usd`` column converted and renamed ``*_<currency>`` in
        lower case (``net_cash_flow_vnd`` [VND]); other columns unchanged.
    """
    table = appraisal.cashflows.copy()
    suffix = f"_{currency.lower()}"
    renames = {}
    for column in table.columns:
        if column.endswith("_usd"):
            table[column] = convert_usd(table[column], currency, _rate(appraisal))
            renames[column] = column.removesuffix("_usd") + suffix
    return table.rename(columns=renames)


def _money_digits(value: float, currency: str) -> int:
    return 0 if currency == "VND" else formatting.sensible_digits(value)


def format_figure(value: float, unit: str, currency: str = "USD") -> str:
    """A key figure as a reader at a bank writes it, chosen by its unit.

    Parameters
    ----------
    value : float
        The figure; nan and inf read as words ("not defined", "never").
    unit : str
        ``"<currency>"``, ``"<currency>/yr"``, ``"<currency>/tCO2e"``, ``"1/yr"`` (a rate),
        ``"yr"`` (a duration) or a physical unit (``"tCO2e/yr"``, ``"t/yr"``, ``"m3/yr"``).
    currency : str
        Reporting currency (VND amounts are shown without decimals).

    Returns
    -------
    str
        ``"USD 66,706"``, ``"USD 30,910 per year"``, ``"-USD 0.60 per tCO2e"``, ``"16.5%"``,
        ``"5.4 years"``, ``"1,205 tCO2e/yr"``.
    """
    if unit == currency:
        return formatting.money(value, currency)
    if unit == f"{currency}/yr":
        return formatting.money(value, currency) + " per year"
    if unit == f"{currency}/tCO2e":
        text = formatting.money(value, currency, digits=_money_digits(value, currency))
        return text + (" per tCO2e" if np.isfinite(value) else "")
    if unit == "1/yr":
        return formatting.percent(value)
    if unit == "yr":
        return formatting.years(value)
    return formatting.quantity(value, unit)


ABATEMENT_LABEL = "Abatement cost (negative: the exchange saves money while it cuts emissions)"


def key_figures(appraisal: Appraisal, currency: str = "USD") -> pd.DataFrame:
    """The headline figures of a report, in the order a bank reads them.

    Parameters
    ----------
    appraisal : Appraisal
    currency : str
        Reporting currency for money figures, ``"USD"`` or ``"VND"``.

    Returns
    -------
    pandas.DataFrame
        One row per figure: ``key`` (stable id, also the HTML ``data-key``), ``label``,
        ``value`` (in ``unit``; money in ``currency``), ``unit`` and ``text``
        (:func:`format_figure`). Rows: capex, annual net benefit, NPV, IRR, MIRR, payback,
        discounted payback, tCO2e avoided per year and over the life, abatement cost, then each
        party's NPV and, where not zero, waste diverted and water saved.
    """
    m, case, p = appraisal.metrics, appraisal.case, appraisal.parameters

    def money(usd: float) -> float:
        return float(convert_usd(usd, currency, _rate(appraisal)))

    rate = formatting.percent(p["discount_rate"])
    mirr_label = (f"Modified IRR (MIRR): finance rate {formatting.percent(p['mirr_finance_rate'])}, "
                  f"reinvestment rate {formatting.percent(p['mirr_reinvest_rate'])}")
    npv_label = f"Net present value (NPV), before financing and tax, at a {rate} real discount rate"
    rows = [
        ("capex", "Investment (capex), both parties, undiscounted", money(m.capex_usd), currency),
        ("annual_net_benefit", "Annual net benefit (benefits minus opex), first operating year",
         money(m.annual_net_benefit_usd), f"{currency}/yr"),
        ("npv", npv_label, money(m.npv_usd), currency),
        ("irr", "Internal rate of return (IRR), real, before financing and tax", m.irr, "1/yr"),
        ("mirr", mirr_label, m.mirr, "1/yr"),
        ("payback", "Simple payback, counted from year 0", m.payback_years, "yr"),
        ("discounted_payback", f"Discounted payback at {rate}, counted from year 0",
         m.discounted_payback_years, "yr"),
        ("co2e_avoided_per_year", "Emissions avoided per year", m.co2e_avoided_t_per_year,
         "tCO2e/yr"),
        ("co2e_avoided_lifetime", f"Emissions avoided over the {case.lifetime}-year life",
         m.co2e_avoided_t_lifetime, "tCO2e"),
        ("abatement_cost", ABATEMENT_LABEL, money(m.abatement_cost_usd_per_tco2e),
         f"{currency}/tCO2e"),
        ("supplier_npv", f"NPV for the supplier ({case.supplier_role}), after transfers",
         money(m.supplier_npv_usd), currency),
        ("receiver_npv", f"NPV for the receiver ({case.receiver_role}), after transfers",
         money(m.receiver_npv_usd), currency),
    ]
    if m.waste_diverted_t_per_year:
        rows.append(("waste_diverted", "Waste diverted from landfill",
                     m.waste_diverted_t_per_year, "t/yr"))
    if m.water_saved_m3_per_year:
        rows.append(("water_saved", "Water saved", m.water_saved_m3_per_year, "m3/yr"))
    table = pd.DataFrame(rows, columns=["key", "label", "value", "unit"])
    table["text"] = [format_figure(v, u, currency) for v, u in zip(table["value"], table["unit"])]
    return table


def key_figures_side_by_side(appraisals: dict[str, Appraisal],
                             currency: str = "USD") -> pd.DataFrame:
    """Formatted key figures of several appraisals of a case, one column per appraisal.

    Parameters
    ----------
    appraisals : dict of str to Appraisal
        Column name -> appraisal, e.g. ``{"base": appraise(case), "8%": appraise(case,
        discount_rate=0.08)}``.
    currency : str
        Reporting currency for money figures.

    Returns
    -------
    pandas.DataFrame
        Indexed by key figure (:func:`key_figures` keys, in their order), a ``label`` column
        (of the first appraisal) and one text column per appraisal; a figure an appraisal does
        not have (an indicator that is zero there) reads ``""``.
    """
    tables = {name: key_figures(a, currency).set_index("key") for name, a in appraisals.items()}
    keys = list(dict.fromkeys(k for t in tables.values() for k in t.index))
    first = next(iter(tables.values()))
    out = pd.DataFrame({"label": [first["label"].get(k, k) for k in keys]}, index=keys)
    for name, t in tables.items():
        out[name] = [t["text"].get(k, "") for k in keys]
    return out


def _status_words(status: str) -> str:
    return status.replace("_", " ")


def _input_value(x: Any, unit: str, path: str) -> str:
    """An input as entered: rates as percentages, calendar years without separators."""
    if unit in ("1/yr", "fraction"):
        return formatting.plain(x * 100.0, max_decimals=4) + "%"
    calendar_year = path.startswith("parameters.") and path.endswith("_year")
    return formatting.plain(x, thousands=not calendar_year)


def assumptions_table(appraisal: Appraisal) -> pd.DataFrame:
    """Every input of the report with its value, unit, range and source, formatted for people.

    Parameters
    ----------
    appraisal : Appraisal

    Returns
    -------
    pandas.DataFrame
        ``Appraisal.assumptions()`` as text: columns ``path`` (the address for
        ``appraise(case, values={path: ...})``), ``input``, ``value``, ``unit``, ``range``
        (``"low to high"`` or empty), ``source`` and ``is_assumption`` (the source starts with
        the word *assumption*). Rates are shown as percentages, calendar years without
        thousands separators.
    """
    raw = appraisal.assumptions()
    rows = []
    for r in raw.itertuples(index=False):
        has_range = r.low is not None and not pd.isna(r.low)
        source = str(r.source)
        rows.append({
            "path": r.path, "input": r.input, "value": _input_value(r.value, r.unit, r.path),
            "unit": {"1/yr": "per year", "fraction": ""}.get(r.unit, r.unit),
            "range": (f"{_input_value(r.low, r.unit, r.path)} to "
                      f"{_input_value(r.high, r.unit, r.path)}") if has_range else "",
            "source": source,
            "is_assumption": source.lower().removeprefix("case override: ").startswith(
                "assumption"),
        })
    return pd.DataFrame(rows, columns=["path", "input", "value", "unit", "range", "source",
                                       "is_assumption"])


def cashflow_table(appraisal: Appraisal, currency: str = "USD") -> pd.DataFrame:
    """Yearly cash flows in the reporting currency, with a total row.

    Parameters
    ----------
    appraisal : Appraisal
    currency : str
        ``"USD"`` or ``"VND"``.

    Returns
    -------
    pandas.DataFrame
        :func:`cashflows_in` plus a last row with ``phase == "total"`` holding the sums of the
        yearly flows (its discounted cash flow is the NPV; cumulative columns and the discount
        factor are nan there).
    """
    table = cashflows_in(appraisal, currency)
    cur = currency.lower()
    flows = ["capex", "opex", "benefits", "salvage", "net_cash_flow", "discounted_cash_flow",
             "supplier_net", "receiver_net"]
    total = {c: np.nan for c in table.columns}
    total.update({f"{c}_{cur}": table[f"{c}_{cur}"].sum() for c in flows})
    total.update({"year": None, "phase": "total"})
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def emissions_table(appraisal: Appraisal) -> pd.DataFrame:
    """``Appraisal.emissions`` with a total row over the flows converted to tCO2e.

    Parameters
    ----------
    appraisal : Appraisal

    Returns
    -------
    pandas.DataFrame
        One row per resource flow (columns of ``Appraisal.emissions``, tCO2e/yr) and a last row
        with ``flow == "total"``: the sums of baseline, project and avoided [tCO2e/yr] over the
        counted flows; its avoided value equals ``Metrics.co2e_avoided_t_per_year``.
    """
    em = appraisal.emissions
    counted = em[em["counted"].astype(bool)]
    total = {c: np.nan for c in em.columns}
    total.update({
        "flow": "total", "party": "", "description": "Total of the flows counted in tCO2e",
        "unit": "", "counted": True, "method": "",
        **{c: float(counted[c].sum()) for c in ("baseline_co2e_t_per_year",
                                                "project_co2e_t_per_year",
                                                "avoided_co2e_t_per_year")},
    })
    return pd.concat([em, pd.DataFrame([total])], ignore_index=True)


def git_commit(repo: str | Path | None = None) -> str | None:
    """The git commit of the code, with a note when files differ from it; ``None`` outside git."""
    repo = Path(repo) if repo is not None else paths.REPO_ROOT
    if not (repo / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head} (with uncommitted changes)" if dirty else head


def _describe_run(run: ReportParameters) -> str:
    given = run.given
    if not given:
        return "none: values of the parameters file and the case"
    return ", ".join(f"{k} = {v}" for k, v in given.items())


def provenance(appraisal: Appraisal, run: ReportParameters,
               *, run_date: datetime | None = None) -> list[tuple[str, str, str]]:
    """What a reader needs to reproduce the report: ``(key, label, text)`` rows.

    Parameters
    ----------
    appraisal : Appraisal
    run : ReportParameters
        The parameters of this run.
    run_date : datetime, optional
        Default now (UTC).

    Returns
    -------
    list of tuple
        Package version, git commit (or "not available"), case file and its SHA-256, run
        parameters, parameter values used with their units, run date, Python of the kernel.
    """
    case = appraisal.case
    run_date = run_date or datetime.now(UTC)
    source = Path(case.source_file or "")
    try:
        shown_file = str(source.resolve().relative_to(paths.REPO_ROOT))
    except ValueError:
        shown_file = str(source)
    used = "; ".join(
        f"{p['parameter']} = {formatting.plain(p['value'], thousands=False)}"
        + (f" [{p['unit']}]" if p["unit"] else "")
        for p in appraisal.parameters.table()
    )
    return [
        ("package", "Package", f"eip-analysis {__version__}"),
        ("git_commit", "Git commit", git_commit() or "not available (not a git checkout)"),
        ("case_file", "Case file", shown_file),
        ("case_sha256", "SHA-256 of the case file", case.sha256 or "not available"),
        ("run_parameters", "Run parameters (overrides)", _describe_run(run)),
        ("parameters_used", "Parameter values used", used),
        ("run_date", "Run date", run_date.strftime("%Y-%m-%d %H:%M UTC")),
        ("python", "Python", f"{sys.executable} ({sys.version.split()[0]})"),
    ]


# -- HTML fragments (every text from a case file is escaped) -----------------------------------


class Html(str):
    """Markup that is already safe (built here from escaped parts); other text gets escaped."""


NUM = ' class="num"'


def escape(text: Any) -> str:
    """``text`` as HTML text (``<`` -> ``&lt;``, quotes too), unless it is :class:`Html`."""
    return text if isinstance(text, Html) else html.escape(str(text), quote=True)


_e = escape


def _table_html(header: Sequence[str], rows: Sequence[Sequence[Any]], *, table_id: str,
                numeric: Sequence[int] = (), caption: str | None = None,
                row_attrs: Sequence[str] | None = None, classes: str = "",
                notes: Sequence[str] | None = None) -> Html:
    """A table; ``notes`` (one text per row, may be empty) go in a full-width row under their
    row, so a long note never widens the table past the page."""
    numeric = set(numeric)

    def cells(values: Sequence[Any], tag: str) -> str:
        return "".join(
            f"<{tag}{NUM if i in numeric else ''}>{_e(v)}</{tag}>" for i, v in enumerate(values)
        )

    parts = [f'<div class="table-wrap"><table id="{_e(table_id)}" class="{_e(classes)}">']
    if caption:
        parts.append(f"<caption>{_e(caption)}</caption>")
    parts.append(f"<thead><tr>{cells(header, 'th')}</tr></thead><tbody>")
    for i, row in enumerate(rows):
        attrs = f" {row_attrs[i]}" if row_attrs else ""
        note = notes[i] if notes else ""
        if note:
            attrs += ' class="has-note"'
        parts.append(f"<tr{attrs}>{cells(row, 'td')}</tr>")
        if note:
            parts.append(f'<tr class="note"><td colspan="{len(header)}">{_e(note)}</td></tr>')
    parts.append("</tbody></table></div>")
    return Html("".join(parts))


def title_block_html(appraisal: Appraisal, currency: str = "USD") -> Html:
    """Title block: opportunity, park, roles, exchange, survey status, data quality.

    Cases with ``data_quality: illustrative`` get a banner "Illustrative figures".
    """
    c, p = appraisal.case, appraisal.parameters
    survey = c.latest_survey
    banner = ""
    if c.is_illustrative:
        banner = (
            '<div class="banner" id="illustrative-banner" role="note"><strong>Illustrative '
            "figures.</strong> The quantities and prices of this case are engineering estimates, "
            "not survey data: confirm them before any investment decision.</div>"
        )
    converted = (f"{currency}, converted from the case's {c.currency} amounts at "
                 f"{formatting.plain(p['exchange_rate_vnd_per_usd'])} VND/USD")
    prices = (f"constant {p['price_year']} prices, real discount rate "
              f"{formatting.percent(p['discount_rate'])}")
    facts = [
        ("Park", c.park),
        ("Kind of exchange", c.kind),
        ("Supplier", c.supplier_role),
        ("Receiver", c.receiver_role),
        (f"Status ({survey.round} survey)", _status_words(survey.status)),
        ("Data quality", f"{c.data_quality}: {c.data_note}" if c.data_note else c.data_quality),
        ("Reporting currency", converted if c.currency != currency else currency),
        ("Prices", prices),
    ]
    rows = "".join(f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in facts)
    return Html(
        f'<header class="title-block"><p class="eyebrow">Industrial symbiosis investment case '
        f'&middot; <span id="case-id">{_e(c.id)}</span> &middot; {_e(c.park)}</p>'
        f'<h1 id="report-title">{_e(c.title)}</h1>{banner}'
        f'<p class="exchange">{_e(c.exchange)}</p>'
        f'<table class="facts" id="case-facts"><tbody>{rows}</tbody></table></header>'
    )


def key_figures_html(appraisal: Appraisal, currency: str = "USD") -> Html:
    """The key-figures table, ``id="key-figures"``; each row and value cell has ``data-key``
    (:func:`key_figures` keys) and the value cell ``data-value`` (the unformatted number)."""
    table = key_figures(appraisal, currency)
    rows = "".join(
        f'<tr data-key="{_e(r.key)}"><th scope="row">{_e(r.label)}</th>'
        f'<td class="num" data-key="{_e(r.key)}" data-value="{_e(repr(float(r.value)))}">'
        f"{_e(r.text)}</td></tr>"
        for r in table.itertuples(index=False)
    )
    return Html(
        f'<table id="key-figures" class="figures"><caption>Project view: both parties together, '
        f"amounts in {_e(currency)}, constant prices</caption><tbody>{rows}</tbody></table>"
    )


def warnings_html(appraisal: Appraisal) -> Html:
    """The appraisal's warnings in words (``Appraisal.warnings``), or a line saying there are none."""
    return warnings_list_html(appraisal.warnings, element_id="warnings",
                              empty="No warnings: every metric above is defined and both parties "
                                    "gain at the assumed transfer prices.")


def checks_html(appraisal: Appraisal) -> Html:
    """The plausibility findings of ``eip-analysis check`` for this case, open ones first.

    The case's own checks and, from the other valid cases of its folder, the shared resources
    and exclusions it is part of; accepted findings carry the case file's reason.
    """
    from . import checks
    from .cases import scan_cases

    case = appraisal.case
    findings = checks.check_case(appraisal)
    folder = Path(case.source_file).parent if case.source_file else None
    if folder is not None and folder.is_dir():
        others = [c for _, c in scan_cases(folder) if not isinstance(c, InputError)]
        findings += [f for f in checks.check_portfolio(others) if f.case_id == case.id]
    open_ = [f"{f.field}: {f.message} [{f.check}]" for f in findings if not f.accepted]
    accepted = [f"{f.field}: {f.message} [{f.check}; accepted by the case file: {f.accepted}]"
                for f in findings if f.accepted]
    return Html(warnings_list_html(open_, element_id="checks",
                                   empty="No open plausibility warning.")
                + warnings_list_html(accepted, element_id="checks-accepted"))


def warnings_list_html(warnings: Sequence[str], *, element_id: str | None = None,
                       empty: str | None = None) -> Html:
    """Warnings (one sentence each, escaped) as a "Read with care" list.

    With no warnings: ``empty`` as a muted line, or nothing when ``empty`` is ``None``.
    """
    id_attr = f' id="{_e(element_id)}"' if element_id else ""
    if not warnings:
        return Html(f'<p class="no-warnings"{id_attr}>{_e(empty)}</p>' if empty else "")
    items = "".join(f"<li>{_e(w)}</li>" for w in warnings)
    return Html(f'<div class="warnings"{id_attr} role="note"><p><strong>Read with care'
                f"</strong></p><ul>{items}</ul></div>")


def _source_html(source: str, is_assumption: bool) -> Html:
    if not is_assumption:
        return Html(_e(source))
    prefix, word = "", "assumption"
    text = source
    if text.lower().startswith("case override: "):
        prefix, text = text[: len("case override: ")], text[len("case override: "):]
    rest = text[len(word):]
    return Html(f"{_e(prefix)}<em>{_e(text[: len(word)])}</em>{_e(rest)}")


def assumptions_html(appraisal: Appraisal) -> Html:
    """The assumptions table (:func:`assumptions_table`), sources with *assumption* in italics."""
    table = assumptions_table(appraisal)
    rows = [[r.input, r.value, r.unit, r.range, _source_html(r.source, r.is_assumption)]
            for r in table.itertuples(index=False)]
    attrs = [f'data-path="{_e(p)}"' for p in table["path"]]
    return _table_html(["Input", "Value", "Unit", "Range (low to high)", "Source"], rows,
                       table_id="assumptions", numeric=(1,), row_attrs=attrs,
                       classes="assumptions")


def cashflow_html(appraisal: Appraisal, currency: str = "USD") -> Html:
    """The yearly cash-flow table (:func:`cashflow_table`), amounts rounded to whole units."""
    table = cashflow_table(appraisal, currency)
    cur = currency.lower()
    largest = table.filter(like=f"_{cur}").abs().max().max()
    divisor, word, digits = (1e6, " million", 1) if largest >= 1e9 else (1.0, "", 0)
    money_columns = [("capex", "Capex"), ("opex", "Opex"), ("benefits", "Benefits"),
                     ("salvage", "Salvage"), ("net_cash_flow", "Net cash flow"),
                     ("cumulative_cash_flow", "Cumulative"),
                     ("discounted_cash_flow", "Discounted cash flow"),
                     ("cumulative_discounted", "Cumulative discounted"),
                     ("supplier_net", "Supplier, after transfers"),
                     ("receiver_net", "Receiver, after transfers")]
    header = ["Year", "Phase", *[label for _, label in money_columns[:6]], "Discount factor",
              *[label for _, label in money_columns[6:]]]
    rows, attrs = [], []
    for r in table.to_dict("records"):
        total = r["phase"] == "total"

        def amount(name: str, _r=r) -> str:
            v = _r[f"{name}_{cur}"]
            return "" if pd.isna(v) else formatting.number(v / divisor, digits=digits)

        cells = ["Total" if total else str(int(r["year"])), "" if total else r["phase"]]
        cells += [amount(n) for n, _ in money_columns[:6]]
        cells.append("" if total else formatting.number(r["discount_factor"], digits=4))
        cells += [amount(n) for n, _ in money_columns[6:]]
        rows.append(cells)
        attrs.append('class="total"' if total else f'data-year="{int(r["year"])}"')
    return _table_html(header, rows, table_id="cashflows", numeric=range(2, len(header)),
                       caption=f"Amounts in {currency}{word} per year, constant prices; a cash flow "
                               "falls at the end of its year; the total of the discounted cash "
                               "flow is the NPV.",
                       row_attrs=attrs, classes="cashflows")


def emissions_html(appraisal: Appraisal) -> Html:
    """The emissions table (:func:`emissions_table`) with how each flow is counted."""
    table = emissions_table(appraisal)

    def t(v: float, counted: bool) -> str:
        return formatting.quantity(v) if counted else "not counted"

    rows, attrs = [], []
    for r in table.to_dict("records"):
        counted = bool(r["counted"])
        if r["flow"] == "total":
            rows.append(["Total (counted flows)", "", "", "",
                         t(r["baseline_co2e_t_per_year"], True),
                         t(r["project_co2e_t_per_year"], True),
                         t(r["avoided_co2e_t_per_year"], True), ""])
            attrs.append('class="total" data-flow="total"')
            continue
        unit = r["unit"]
        rows.append([
            formatting.flow_label(r["flow"]), r["party"],
            formatting.quantity(r["baseline_quantity"], unit),
            formatting.quantity(r["project_quantity"], unit),
            t(r["baseline_co2e_t_per_year"], counted), t(r["project_co2e_t_per_year"], counted),
            t(r["avoided_co2e_t_per_year"], counted), r["method"],
        ])
        attrs.append(f'data-flow="{_e(r["flow"])}"')
    return _table_html(
        ["Source", "Party", "Baseline use", "Use with the exchange", "Baseline [tCO2e/yr]",
         "With the exchange [tCO2e/yr]", "Avoided [tCO2e/yr]", "How it is counted"],
        rows, table_id="emissions", numeric=(2, 3, 4, 5, 6), row_attrs=attrs,
        classes="emissions",
        caption="Baseline: resource use today; with the exchange: resource use once it runs. "
                "Avoided = baseline minus with the exchange; negative means more emissions.")


def barriers_html(case: Case) -> Html:
    """Survey rounds (status, barriers, notes, source) and the next steps of the case."""
    parts = []
    for s in sorted(case.survey, key=lambda s: s.round):
        barriers = ", ".join(s.barriers) if s.barriers else "none recorded"
        parts.append(
            f'<div class="survey" data-round="{s.round}"><h3>{s.round} survey: '
            f"{_e(_status_words(s.status))}</h3><p><strong>Barriers:</strong> {_e(barriers)}</p>"
            + (f"<p>{_e(s.notes)}</p>" if s.notes else "")
            + f'<p class="source">Source: {_e(s.source)}</p></div>'
        )
    if case.next_steps:
        steps = "".join(f"<li>{_e(step)}</li>" for step in case.next_steps)
        parts.append(f'<h3>Next steps</h3><ol id="next-steps">{steps}</ol>')
    else:
        parts.append('<h3>Next steps</h3><p id="next-steps">None recorded in the case file.</p>')
    return Html(f'<section class="barriers" id="barriers">{"".join(parts)}</section>')


def provenance_html(appraisal: Appraisal, run: ReportParameters,
                    *, run_date: datetime | None = None) -> Html:
    """The provenance footer (:func:`provenance`), one ``data-key`` per row."""
    rows = "".join(
        f'<tr data-key="{_e(k)}"><th scope="row">{_e(label)}</th><td>{_e(text)}</td></tr>'
        for k, label, text in provenance(appraisal, run, run_date=run_date)
    )
    return Html(f'<footer class="provenance"><table id="provenance"><tbody>{rows}</tbody>'
                "</table></footer>")


def figure_html(fig, *, alt: str, dpi: int = 150) -> Html:
    """Embed a matplotlib figure as a PNG data URI (no file, no request to any host).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str
        Text alternative (escaped).
    dpi : int
        Resolution [dots per inch]; 150 prints sharply and keeps a chart near 60 kB.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Html(f'<figure class="chart"><img src="data:image/png;base64,{data}" '
                f'alt="{_e(alt)}"></figure>')


# -- sections of the risk and financing analysis (eip_analysis.risk.report_sections) -------------

#: Words for table names of :class:`eip_analysis.financing.Section` (a caption above the table).
SECTION_TABLE_CAPTIONS = {
    "summary": "Summary",
    "terms": "Financing terms and their sources",
    "loan": "Loan schedule by year (CFADS: cash flow available for debt service; DSCR: debt "
            "service coverage ratio, CFADS divided by debt service)",
    "tax": "Corporate income tax (CIT) by year",
    "parties": "Each party's own cash flow, transfers between them included",
    "transfer_price": "Transfer prices at which each party breaks even",
    "scenarios": "Scenarios",
    "scenario_inputs": "Inputs of each scenario",
    "tornado": "One input at a time, over its assessed range; the switching value is the value "
               "of the input at which the NPV turns zero",
    "inputs": "Uncertain inputs and the distributions they are drawn from",
}
#: Column words where the name alone does not say it: ``column -> (header, kind)``.
_COLUMN_WORDS = {
    "metric_base": ("NPV at the base value [USD]", "money"),
    "metric_at_low": ("NPV at the low end [USD]", "money"),
    "metric_at_high": ("NPV at the high end [USD]", "money"),
    "swing": ("Swing of the NPV [USD]", "money"),
    "change_from_base": ("Switching value, change from base", "percent"),
    "within_range": ("Switching value within the range", "bool"),
    "share_undefined": ("Draws where it is undefined", "percent"),
    "probability": ("Probability", "percent"),
    "probability_of": ("Probability of", "text"),
    "payback_years": ("Payback [years]", "years"),
    "p10": ("P10", "unit"), "p50": ("P50", "unit"), "p90": ("P90", "unit"),
}
#: Columns whose numbers are in the unit of their row's ``unit`` column.
_ROW_UNIT_COLUMNS = frozenset({
    "value", "base", "low", "high", "conservative", "optimistic", "switching_value", "mean",
    "p10", "p50", "p90", "base_price", "min_price", "max_price", "equal_split_price"})
#: Machine columns not shown (addresses and checks; the label column says what a row is).
_HIDDEN_COLUMNS = frozenset({"path", "metric_at_switching"})
_ACRONYMS = {"npv": "NPV", "irr": "IRR", "mirr": "MIRR", "dscr": "DSCR", "cfads": "CFADS",
             "cit": "CIT", "usd": "USD", "vnd": "VND", "p10": "P10", "p50": "P50", "p90": "P90"}
_RATE_UNITS = frozenset({"1/yr", "fraction"})


def _words(name: str) -> str:
    """``"equity_npv"`` -> ``"Equity NPV"`` (identifiers in words, acronyms in capitals)."""
    words = [_ACRONYMS.get(w, w) for w in str(name).replace("_", " ").split()]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _column_kind(name: str, dtype: Any) -> tuple[str, str]:
    """Header in words with its unit, and how to format the column's values."""
    if name in _COLUMN_WORDS:
        return _COLUMN_WORDS[name]
    for suffix, unit in (("_usd_per_year", "USD/yr"), ("_usd", "USD")):
        if name.endswith(suffix):
            return f"{_words(name.removesuffix(suffix))} [{unit}]", "money"
    if name.endswith("_years"):
        return f"{_words(name.removesuffix('_years'))} [years]", "years"
    if name == "irr" or name.endswith(("_irr", "_rate")):
        return _words(name), "percent"
    if "dscr" in name:
        return _words(name), "ratio"
    if name in _ROW_UNIT_COLUMNS:
        return _words(name), "unit"
    if name == "unit":
        return "Unit", "unit_name"
    if pd.api.types.is_bool_dtype(dtype):
        return _words(name), "bool"
    if name == "year":
        return "Year", "year"
    if pd.api.types.is_numeric_dtype(dtype):
        return _words(name), "number"
    return _words(name), "text"


#: Units of durations: one decimal as in the key figures, and an infinite one reads "never".
_YEAR_UNITS = frozenset({"yr", "years"})
#: Units as a section table shows them next to a value already formatted (a rate reads as a
#: percentage, so "fraction" says nothing more).
_UNIT_WORDS = {"fraction": "", "1/yr": "per year", "yr": "years", "-": ""}


def _in_unit(value: float, unit: str) -> str:
    """A value in its row's unit, by the rules of the key figures: rates as percentages with
    one decimal, durations with one decimal (whole years as they are; inf reads "never")."""
    if unit in _RATE_UNITS:
        return formatting.percent(value)
    if unit in _YEAR_UNITS:
        whole = np.isfinite(value) and float(value).is_integer()
        return formatting.number(value, digits=0 if whole else 1, inf="never")
    if unit in ("-", "ratio"):
        return formatting.number(value, digits=2)
    if abs(value) >= 100:
        return formatting.number(value)
    return formatting.plain(round(value, 4))


def _cell(value: Any, kind: str, unit: str = "") -> str:
    """One value of a section table as a reader at a bank writes it."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        if kind == "unit_name":
            return _UNIT_WORDS.get(value, value)
        plain_id = value.replace("_", "").isalnum() and value.islower() and "_" in value
        return value.replace("_", " ") if plain_id else value
    if kind == "bool" or isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if kind == "money":
        return formatting.number(value)
    if kind == "percent":
        return formatting.percent(value)
    if kind == "years":
        return formatting.number(value, digits=1, inf="never")
    if kind == "ratio":
        return formatting.number(value, digits=2)
    if kind == "year":
        return str(int(value))
    if kind == "unit":
        return _in_unit(float(value), unit)
    return formatting.number(value, digits=formatting.sensible_digits(value))


def frame_html(table: pd.DataFrame, *, table_id: str, caption: str | None = None) -> Html:
    """A table of computed results (DataFrame) for people, escaped (:func:`_table_html`).

    Column names read as words with their unit (``npv_usd`` -> ``NPV [USD]``); money with
    thousands separators, rates as percentages, DSCRs with two decimals; columns ``value``,
    ``base``, ``low``... in the unit of their row's ``unit`` column; machine columns (``path``)
    left out, and ``value``/``unit`` too when an ``in words`` column says the same. In a wide
    table (more than 8 columns) a ``note`` column goes in a full-width row under its row.
    """
    hidden = set(_HIDDEN_COLUMNS)
    if "in words" in table.columns:
        hidden |= {"value", "unit"}
    if "label" in table.columns:
        hidden.add("metric")
    columns = [c for c in table.columns if c not in hidden]
    notes = None
    if "note" in columns and len(columns) > 8:  # a wide table: the note goes under its row
        columns.remove("note")
        notes = ["" if pd.isna(v) else str(v) for v in table["note"]]
    kinds = {c: _column_kind(str(c), table[c].dtype) for c in columns}
    units = table["unit"] if "unit" in table.columns else pd.Series("", index=table.index)
    rows = [[_cell(table.at[i, c], kinds[c][1], "" if pd.isna(units[i]) else str(units[i]))
             for c in columns] for i in table.index]
    numeric = [j for j, c in enumerate(columns) if kinds[c][1] not in ("text", "bool")
               and pd.api.types.is_numeric_dtype(table[c].dtype)]
    classes = "analysis wide" if len(columns) > 8 else "analysis"
    return _table_html([kinds[c][0] for c in columns], rows, table_id=table_id,
                       numeric=numeric, caption=caption, classes=classes, notes=notes)


def section_html(section: Any, *, section_id: str) -> Html:
    """One section of :func:`eip_analysis.risk.report_sections`, for the report page.

    Paragraphs (``Section.text``), then tables (:func:`frame_html`, captions from
    :data:`SECTION_TABLE_CAPTIONS`), then figures (:func:`figure_html`), then the section's
    warnings (:func:`warnings_list_html`). A table named ``warnings`` is shown as that list.
    Every text is escaped; element ids start with ``section_id``.
    """
    parts = [f'<section class="analysis" id="{_e(section_id)}">']
    parts += [f"<p>{_e(t)}</p>" for t in section.text]
    for name, table in section.tables.items():
        if name == "warnings" or table is None or table.empty:
            continue
        parts.append(frame_html(table, table_id=f"{section_id}-{name}".replace("_", "-"),
                                caption=SECTION_TABLE_CAPTIONS.get(name, _words(name))))
    for name, fig in section.figures.items():
        parts.append(figure_html(fig, alt=f"{section.title}: {_words(name).lower()} chart"))
    parts.append(warnings_list_html(section.warnings, element_id=f"{section_id}-warnings"))
    parts.append("</section>")
    return Html("".join(parts))


def cash_flow_figure(appraisal: Appraisal, currency: str = "USD"):
    """:func:`eip_analysis.plots.cumulative_cash_flow` of an appraisal, in ``currency``."""
    return plots.cumulative_cash_flow(
        cashflows_in(appraisal, currency), currency=currency,
        payback_years=appraisal.metrics.payback_years,
        discounted_payback_years=appraisal.metrics.discounted_payback_years,
    )


def emissions_figure(appraisal: Appraisal):
    """:func:`eip_analysis.plots.emissions_by_source` of an appraisal."""
    return plots.emissions_by_source(appraisal.emissions)


# -- the page -----------------------------------------------------------------------------------

#: Styles of every page (reports and index): system fonts only, nothing fetched, print-friendly.
REPORT_CSS = """
:root { --ink: #1a1a1a; --muted: #5f6368; --rule: #d0d4d9; --accent: #1f4e79; --warn: #8a4b00; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans", sans-serif; }
main.report { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 1.7em; margin: 0.2em 0 0.4em; color: var(--accent); }
h2 { font-size: 1.3em; margin: 1.6em 0 0.5em; padding-bottom: 0.2em;
  border-bottom: 2px solid var(--accent); color: var(--accent); }
h3 { font-size: 1.05em; margin: 1.1em 0 0.3em; }
a.anchor-link { display: none; }
p { margin: 0.4em 0 0.7em; max-width: 80ch; }
.eyebrow { color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em;
  font-size: 0.8em; margin: 0; }
.exchange { font-size: 1.05em; }
.banner { border: 2px solid var(--warn); background: #fff4e5; color: var(--warn);
  padding: 8px 12px; margin: 10px 0; max-width: 80ch; }
.warnings { border-left: 4px solid var(--warn); background: #fff8ef; padding: 6px 14px;
  margin: 12px 0; max-width: 80ch; }
.warnings ul { margin: 0.2em 0 0.4em 1.2em; padding: 0; }
.no-warnings { color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.9em; }
caption { caption-side: top; text-align: left; color: var(--muted); padding: 0 0 4px;
  font-size: 0.95em; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 8px; vertical-align: top;
  text-align: left; }
thead th { border-bottom: 2px solid var(--ink); font-weight: 600; vertical-align: bottom; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
.table-wrap { overflow-x: auto; }
tr.total td { font-weight: 600; border-top: 2px solid var(--ink); }
table.facts th, table.figures th { font-weight: normal; color: var(--muted); padding-right: 24px; }
table.facts th { white-space: nowrap; }
table.figures { font-size: 1em; min-width: 60%; }
table.figures td { font-weight: 600; }
table.cashflows, table.wide { font-size: 0.78em; }
table.wide th, table.wide td { padding: 3px 4px; }
table.wide, table.index { width: 100%; }
table.wide td, table.index td { overflow-wrap: break-word; }
table.wide td:first-child { min-width: 9em; }
table.index th, table.index td { padding: 4px 5px; }
tr.has-note td { border-bottom: none; }
tr.note td { color: var(--muted); padding-top: 0; padding-left: 2em; }
section.analysis { margin-bottom: 1em; }
table.cashflows th, table.cashflows td { padding: 3px 6px; }
table.assumptions, table.emissions { width: 100%; }
table.assumptions td:first-child { min-width: 16em; }
table.emissions td:first-child { min-width: 9em; }
table.index td:nth-child(2) { min-width: 12em; }
table.emissions td:last-child, table.assumptions td:last-child { font-size: 0.85em;
  color: var(--muted); min-width: 18em; }
figure.chart { margin: 8px 0 16px; }
figure.chart img { width: 100%; max-width: 800px; height: auto; }
.survey .source { color: var(--muted); font-size: 0.85em; }
footer.provenance { margin-top: 2em; color: var(--muted); font-size: 0.85em; }
footer.provenance table { font-size: 1em; width: 100%; }
footer.provenance th { white-space: nowrap; }
footer.provenance td { overflow-wrap: anywhere; }
.status-failed { color: #a50e0e; font-weight: 600; }
table.index td:first-child, table.index td:nth-child(3) { white-space: nowrap; }
.status-ok { color: #137333; }
@media print {
  body { font-size: 10.5pt; }
  main.report { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  table, figure { break-inside: avoid; }
  table.cashflows, table.assumptions { break-inside: auto; }
}
"""

def _page_start(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="eip-analysis {_e(__version__)}">\n'
        f"<title>{_e(title)}</title>\n<style>{REPORT_CSS}</style>\n</head>\n<body>\n"
        '<main class="report">\n'
    )


_PAGE_END = "\n</main>\n</body>\n</html>\n"

#: nbconvert template: the cells of the ``basic`` template inside the page of :func:`page_html`.
_PAGE_TEMPLATE = """{%- extends 'basic/index.html.j2' -%}
{%- block header -%}{{ resources.eip_page_start }}{%- endblock header -%}
{%- block footer -%}{{ resources.eip_page_end }}{%- endblock footer -%}
"""


def page_html(title: str, body: str) -> str:
    """A complete self-contained page (styles inline, nothing fetched) around trusted ``body``."""
    return _page_start(title) + body + _PAGE_END


def _shown(cell) -> bool:
    if HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
        return False
    return cell.cell_type == "markdown" or (cell.cell_type == "code" and bool(cell.outputs))


def export_html(nb, *, title: str) -> str:
    """A self-contained HTML page of an executed notebook: outputs and text, nothing else.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    title : str
        Page title (escaped).

    Returns
    -------
    str
        The page: no code, no prompts, no papermill parameter cells, no stderr output; images
        embedded as data URIs; styles inline (:data:`REPORT_CSS`); no ``<script>``, no font,
        style or script fetched from any host, so it opens offline.
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if _shown(c)]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.get("name") == "stderr")]
    exporter = HTMLExporter(
        template_name="basic",
        extra_loaders=[DictLoader({"eip_report.html.j2": _PAGE_TEMPLATE})],
        template_file="eip_report.html.j2",
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(
        nb, resources={"eip_page_start": _page_start(title), "eip_page_end": _PAGE_END})
    return body


# -- running the notebook -------------------------------------------------------------------------


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
        When the kernel spec points at another interpreter (for instance a user-level
        ``python3`` kernel of another Python), whose packages would differ from this one's.
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


def report_paths(output_dir: str | Path, case_id: str) -> dict[str, Path]:
    """Where a run writes: ``html``, the executed ``notebook`` and a ``failed`` notebook."""
    output_dir = Path(output_dir)
    return {
        "html": output_dir / f"{case_id}.html",
        "notebook": output_dir / "notebooks" / f"{case_id}.ipynb",
        "failed": output_dir / "notebooks" / f"{case_id}.failed.ipynb",
    }


def run_report(
    run: ReportParameters,
    output_dir: str | Path | None = None,
    *,
    notebook: str | Path = NOTEBOOK,
    kernel_name: str = "python3",
    cell_timeout_s: float = 600.0,
) -> Path:
    """Execute the report notebook for one case and write its self-contained HTML page.

    Parameters
    ----------
    run : ReportParameters
        From :func:`check_parameters`.
    output_dir : path, optional
        Default ``reports/``. Writes ``<id>.html`` and keeps the executed notebook as
        ``notebooks/<id>.ipynb``; a failed run keeps it as ``notebooks/<id>.failed.ipynb``.
    notebook : path
        The notebook to execute (tests pass notebooks that fail on purpose).
    kernel_name : str
        Jupyter kernel; it must run this environment's Python (:func:`check_kernel`).
    cell_timeout_s : float
        Longest time one cell may run [s].

    Returns
    -------
    Path
        The HTML report.

    Raises
    ------
    InputError
        The case file or a parameter is wrong (checked before a kernel starts).
    papermill.exceptions.PapermillExecutionError, ReportError, ...
        The notebook failed; :func:`one_line_error` says why in one line. Nothing is
        half-written and the last good report is left in place: the HTML is written to a
        temporary file and renamed only after a successful run.
    """
    import papermill

    case = run.load_case()  # fail fast, before a kernel starts, on a broken case file
    check_kernel(kernel_name)
    out = report_paths(output_dir if output_dir is not None else paths.reports_dir(), run.case_id)
    folder = out["notebook"].parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{run.case_id}.", suffix=".ipynb", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    notebook = Path(notebook).resolve()
    try:
        executed = papermill.execute_notebook(
            str(notebook), str(tmp), parameters=run.notebook_parameters(),
            kernel_name=kernel_name, cwd=str(notebook.parent), progress_bar=False,
            log_output=False, request_save_on_cell_execute=False,
            execution_timeout=cell_timeout_s, extra_arguments=KERNEL_ARGUMENTS,
        )
        atomic_write_text(out["html"], export_html(executed, title=f"{case.id}: {case.title}"))
        tmp.chmod(0o644)
        os.replace(tmp, out["notebook"])
        out["failed"].unlink(missing_ok=True)
    except BaseException:
        if tmp.exists() and tmp.stat().st_size > 0:
            tmp.chmod(0o644)
            os.replace(tmp, out["failed"])
        tmp.unlink(missing_ok=True)
        raise
    return out["html"]
