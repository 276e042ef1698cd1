"""The bank workbook: one .xlsx per case that a credit officer can audit and change.

``eip-analysis workbook CASE_ID [--output DIR]`` writes ``reports/workbooks/<id>.xlsx``
(atomically); :func:`write_workbook` does the same for the batch. Every cell that looks like an
input is live, and everything computed is a spreadsheet formula over the inputs and the case's
real cash flows. Sheets:

* **Summary**: the inputs (discount and inflation rates, debt share, loan rate, tenor, grace,
  repayment profile, fee, lender's minimum DSCR, tax rate, depreciation period, loss
  carry-forward, CIT incentive), then every headline metric as a live formula
  (``=NPV(rate, C4:C13)+C3``, ``=IRR(...)``, ``=MIN(...)`` of the DSCR cells) beside the
  value the library computed with the inputs as written, the warnings, and notes on the year-0
  and real/nominal conventions.
* **Assumptions**: every input of the case with unit, range and source, then every parameter
  with its source.
* **Cash flows**: the project view by year in constant USD (net = live sum of the lines),
  with each party's net cash flow.
* **Financing**: the borrower's real flows (the case's numbers), inflated to nominal money,
  then tax, after-tax project and equity cash flows, CFADS and DSCR.
* **Loan**: drawdowns, interest (capitalised in construction), principal (annuity or equal
  instalments over the years left, after grace) and balances.
* **Tax** and **Tax without loan**: straight-line depreciation of each year's cost, assessable
  income, losses carried forward by year of loss (oldest first, expiring), taxable income and
  the CIT rate of each year with the preferential rate, exemption and reduction.

Inputs are blue on yellow and are the only unlocked cells; every sheet is protected without a
password. The formulas are those of :mod:`eip_analysis.financing` step for step; the test
recomputes them with an independent engine after changing inputs and compares every cell with
the library run at the same inputs.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import paths
from .appraisal import Appraisal, appraise
from .cases import Case
from .fields import FIELDS
from .files import atomic_write_bytes
from .financing import (
    EXEMPTION_START_LATEST_YEAR,
    INCENTIVE_FIELDS,
    FinancingAppraisal,
    TaxResult,
    appraise_financing,
)

MONEY = "#,##0;[Red]-#,##0"
RATE = "0.00%"
RATIO = "0.00"
BOLD = Font(bold=True)
INPUT = Font(color="1F4E79", bold=True)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
FIRST_ROW = 3  # year 0 sits in row 3 of the yearly sheets (row 1 titles, row 2 units)

YEAR_0_NOTE = (
    "Year-0 convention: year 0 is today and is not discounted. Excel's NPV(rate, v1..vn) "
    "discounts its first value by one period, so every NPV here is written "
    "=NPV(rate, year 1..n) + year 0, which equals the library's npv(rate, [v0, v1..vn]).")
REAL_NOMINAL_NOTE = (
    "Real vs nominal: the 'Cash flows' sheet is in constant USD of year 0 and is discounted "
    "at the real rate. The 'Financing', 'Loan' and 'Tax' sheets are in nominal USD (real x "
    "inflation index, as the bank and the tax office see it) and are discounted at the nominal "
    "rate (1 + real)(1 + inflation) - 1; the real IRR is (1 + nominal IRR) / (1 + inflation) - 1.")
LIBRARY_NOTE = (
    "Columns marked (library, real) are the case's own cash flows in constant USD; every other "
    "number of the yearly sheets is a formula over them and the inputs. 'Library value' is what "
    "eip_analysis computed with the inputs as written: after you change an input the "
    "difference column shows how far the new result is from it. Debt capacity (a search for "
    "the largest loan at the minimum DSCR) is the library's at the inputs as written.")


def _text(cell):
    """Keep a cell of words a string: openpyxl would store text that starts with ``=`` as a
    formula, and case text (``=HYPERLINK(...)``) must never become one (OWASP CSV injection).
    Formulas are written only where the package writes them, never through this."""
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


class _Sheet:
    """A yearly sheet: named columns, a title row and a unit row, one row per year.

    Columns are declared with :meth:`add` (formulas may refer to columns declared later, on
    this sheet or another) and written with :meth:`write`.
    """

    def __init__(self, ws, n_years: int) -> None:
        self.ws, self.n_years = ws, n_years
        self.cols: dict[str, int] = {}
        self._pending: list[tuple] = []

    def col(self, key: str) -> str:
        return get_column_letter(self.cols[key])

    def cell(self, key: str, year: int) -> str:
        return f"{self.col(key)}{FIRST_ROW + year}"

    def ref(self, key: str, first: int = 0, last: int | None = None, *,
            sheet: bool = True) -> str:
        last = self.n_years - 1 if last is None else last
        c = self.col(key)
        rng = f"${c}${FIRST_ROW + first}:${c}${FIRST_ROW + last}"
        return f"'{self.ws.title}'!{rng}" if sheet else rng

    def add(self, key: str, title: str, unit: str, cells, number_format: str = MONEY,
            width: int = 14, *, expect: Sequence[float] | None = None) -> None:
        """Declare a column; ``cells`` is a sequence of values or a function year -> formula;
        ``expect``: the library's value of each year, which the formula must reproduce."""
        self.cols[key] = len(self.cols) + 1
        self._pending.append((key, title, unit, cells, number_format, width, expect))

    def write(self) -> dict[str, float]:
        """Write the declared columns; returns ``{"Sheet!C5": library value}`` of every
        formula cell with an expected (finite) value."""
        ws = self.ws
        expected: dict[str, float] = {}
        for key, title, unit, cells, number_format, width, expect in self._pending:
            j = self.cols[key]
            head = _text(ws.cell(row=1, column=j, value=title))
            head.font, head.fill = BOLD, HEADER_FILL
            head.alignment = Alignment(wrap_text=True, vertical="top")
            _text(ws.cell(row=2, column=j, value=unit)).font = Font(italic=True)
            for t in range(self.n_years):
                v = cells(t) if callable(cells) else cells[t]
                if isinstance(v, np.generic):
                    v = v.item()
                if isinstance(v, float) and not math.isfinite(v):
                    v = None
                cell = ws.cell(row=FIRST_ROW + t, column=j, value=v)
                cell.number_format = number_format
                if not callable(cells):  # values, not the package's formulas
                    _text(cell)
                if expect is not None and isinstance(v, str) and v.startswith("="):
                    value = float(np.asarray(expect)[t])
                    if math.isfinite(value):
                        expected[f"{ws.title}!{cell.coordinate}"] = value
            ws.column_dimensions[get_column_letter(j)].width = width
        ws.row_dimensions[1].height = 60
        ws.freeze_panes = "B3"
        self._pending.clear()
        return expected


def _npv_formula(rate_cell: str, sheet: _Sheet, key: str) -> str:
    return f"=NPV({rate_cell},{sheet.ref(key, 1)})+'{sheet.ws.title}'!{sheet.cell(key, 0)}"


#: The input cells of the Summary sheet, in order: (name, label, unit, number format). The
#: name is the parameter a run overrides (``appraise_financing(case, loan_interest_rate=0.05)``)
#: or ``incentive.<field>`` of the case's CIT incentive.
INPUTS: tuple[tuple[str, str, str, str], ...] = (
    ("discount_rate", "Discount rate, real", "1/yr", RATE),
    ("inflation_rate", "Inflation rate (Viet Nam CPI)", "1/yr", RATE),
    ("debt_share", "Debt share of the capex spent before the first repayment", "fraction",
     RATE),
    ("loan_interest_rate", "Loan interest rate, nominal", "1/yr", RATE),
    ("loan_tenor_years", "Loan tenor from the first operating year, grace included", "yr",
     "0"),
    ("loan_grace_years", "Grace years (interest only)", "yr", "0"),
    ("loan_repayment", "Repayment: annuity or equal_principal", "", "@"),
    ("loan_upfront_fee", "Upfront fee, share of each amount drawn", "fraction", RATE),
    ("target_min_dscr", "Lender's minimum DSCR", "-", RATIO),
    ("tax_rate", "Corporate income tax rate, standard", "fraction", RATE),
    ("depreciation_years", "Depreciation period, straight line", "yr", "0"),
    ("loss_carryforward_years", "Tax loss carry-forward", "yr", "0"),
    ("incentive.preferential_rate", "CIT incentive: preferential rate (empty: none)",
     "fraction", RATE),
    ("incentive.preferential_years",
     ("CIT incentive: years at the preferential rate from the first operating year "
      "(empty: the whole life)"), "yr", "0"),
    ("incentive.exempt_years", "CIT incentive: exempt years", "yr", "0"),
    ("incentive.reduced_years", "CIT incentive: years at a reduced rate after them", "yr", "0"),
    ("incentive.reduction", "CIT incentive: reduction of the rate in those years", "fraction",
     RATE),
)
FIRST_INPUT_ROW = 5
#: Derived terms below the inputs: (key, label, unit, number format).
DERIVED: tuple[tuple[str, str, str, str], ...] = (
    ("nominal", "Discount rate, nominal = (1 + real)(1 + inflation) - 1", "1/yr", RATE),
    ("start", "First operating year (case)", "yr", "0"),
    ("life", "Operating life (case)", "yr", "0"),
    ("last", "Last operating year", "yr", "0"),
    ("tenor", "Tenor applied (at most the life)", "yr", "0"),
    ("grace", "Grace applied (at most the tenor - 1)", "yr", "0"),
)
#: The operating year (0 = first) from which a CIT exemption starts at the latest (Decree 218).
EXEMPTION_START_OFFSET = EXEMPTION_START_LATEST_YEAR - 1


def input_cell(name: str) -> str:
    """The Summary cell of input ``name`` (one of :data:`INPUTS`), e.g. ``"Summary!B8"``."""
    names = [n for n, *_ in INPUTS]
    return f"Summary!B{FIRST_INPUT_ROW + names.index(name)}"


def build_workbook(
    case_or_appraisal: Case | Appraisal, *, parameters_dir: str | Path | None = None,
    financing: FinancingAppraisal | None = None, **overrides: Any,
) -> tuple[Workbook, dict[str, Any]]:
    """The workbook of one case and the library values its formulas must reproduce.

    Parameters
    ----------
    case_or_appraisal : Case or Appraisal
        An appraisal is written as it is (its run's parameters, nothing recomputed); a case, or
        an appraisal computed with ``values=`` (the sheets show the case's own inputs), is
        appraised first with ``parameters_dir`` and ``overrides``.
    financing : FinancingAppraisal, optional
        The financing appraisal of the same run when the caller has it (a report's
        :class:`~eip_analysis.report.RunContext`); else computed from the appraisal.

    Returns
    -------
    (openpyxl.Workbook, dict)
        The workbook, and ``{cell (e.g. "Loan!H7"): library value}`` for every formula cell
        the library also computes: the yearly loan, tax, after-tax, equity and DSCR cells and
        the summary's metrics. The cell layout depends only on the case, so the values of a
        run with other inputs (``build_workbook(case, loan_interest_rate=0.05)``) are what
        this workbook's formulas give once those inputs are typed into its input cells.
    """
    if isinstance(case_or_appraisal, Appraisal) and not overrides and not case_or_appraisal.values:
        a = case_or_appraisal
    else:
        case = (case_or_appraisal.case if isinstance(case_or_appraisal, Appraisal)
                else case_or_appraisal)
        run = (case_or_appraisal.parameters.run_overrides
               if isinstance(case_or_appraisal, Appraisal) else {})
        a = appraise(case, parameters_dir=parameters_dir, **{**run, **overrides})
        financing = None
    fa = financing if financing is not None else appraise_financing(a)
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    assumptions = wb.create_sheet("Assumptions")
    _assumptions_sheet(assumptions, a, fa)

    rates = _input_cells(summary, a, fa)
    cash = _Sheet(wb.create_sheet("Cash flows"), len(a.cashflows))
    _cash_flow_sheet(cash, a, rates)
    n = len(fa.table)
    fin = _Sheet(wb.create_sheet("Financing"), n)
    loan = _Sheet(wb.create_sheet("Loan"), n)
    tax = _Sheet(wb.create_sheet("Tax"), n)
    untaxed = _Sheet(wb.create_sheet("Tax without loan"), n)
    _financing_sheet(fin, fa, loan, tax, untaxed, rates)
    _loan_sheet(loan, fa, fin, rates)
    _tax_sheet(tax, fin, rates, fa.flows.tax, loan=loan,
               assessable=fa.table["assessable_income_usd"])
    _tax_sheet(untaxed, fin, rates, fa.flows.tax_unlevered, loan=None)
    expected: dict[str, Any] = {}
    for sheet in (cash, fin, loan, tax, untaxed):
        expected.update(sheet.write())
    expected.update(_summary_metrics(summary, a, fa, cash, loan, fin, rates))
    for ws in wb.worksheets:
        ws.protection.sheet = True  # no password: a reader sees what to change, can unlock
    return wb, expected


def _number(x: Any) -> float | None:
    """A finite float, else ``None`` (an empty cell)."""
    x = float(np.asarray(x).reshape(-1)[0])
    return x if math.isfinite(x) else None


def _input_cells(ws, a: Appraisal, fa: FinancingAppraisal) -> dict[str, str]:
    c = a.case
    ws["A1"] = f"{c.id}: {c.title}"
    _text(ws["A1"])
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = (f"{c.park}. Supplier: {c.supplier_role}; receiver: {c.receiver_role}. "
                f"Data: {c.data_quality}" + (f" ({c.data_note})" if c.data_note else "") + ".")
    ws["A3"] = ("Inputs (blue on yellow) are the only cells that are not locked: change one and "
                "the loan schedule, tax, after-tax and equity cash flows, DSCR and every result "
                "below follow. The sheets are protected without a password (Review > Unprotect "
                "Sheet) so that a formula is not overwritten by mistake.")
    ws["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A3:E3")
    ws.row_dimensions[3].height = 45
    ws["A4"] = "Inputs"
    ws["A4"].font = BOLD
    p = fa.parameters
    inc = fa.flows.terms.incentive
    values: dict[str, Any] = {k: p[k] for k, *_ in INPUTS if not k.startswith("incentive.")}
    for k in ("loan_tenor_years", "loan_grace_years", "depreciation_years",
              "loss_carryforward_years"):
        values[k] = round(float(values[k]))
    values["loan_repayment"] = str(values["loan_repayment"])
    for name in INCENTIVE_FIELDS:  # empty rate and years: none, the whole life
        default = None if name.startswith("preferential") else 0
        values[f"incentive.{name}"] = (default if inc is None
                                       else _number(getattr(inc, name)))
    cells: dict[str, str] = {}
    for i, (key, label, unit, fmt) in enumerate(INPUTS):
        r = FIRST_INPUT_ROW + i
        _text(ws.cell(row=r, column=1, value=label))
        cell = ws.cell(row=r, column=2, value=values[key])
        cell.number_format = fmt
        cell.font, cell.fill = INPUT, INPUT_FILL
        cell.protection = Protection(locked=False)
        if key == "loan_repayment":
            _text(cell)
            choice = DataValidation(type="list", formula1='"annuity,equal_principal"',
                                    allow_blank=False)
            ws.add_data_validation(choice)
            choice.add(cell)
        _text(ws.cell(row=r, column=4, value=unit))
        cells[key] = f"Summary!$B${r}"
    cells["discount"], cells["inflation"] = cells["discount_rate"], cells["inflation_rate"]
    cells["interest"] = cells["loan_interest_rate"]
    r0 = FIRST_INPUT_ROW + len(INPUTS) + 1  # a blank row between inputs and derived terms
    last_year = int(fa.flows.unlevered.last_operating_year.reshape(-1)[0])
    start = c.operation_start_year
    derived: dict[str, Any] = {}
    rows = {key: r0 + i for i, (key, *_) in enumerate(DERIVED)}
    cells.update({key: f"Summary!$B${r}" for key, r in rows.items()})
    derived["nominal"] = f"=(1+{cells['discount_rate']})*(1+{cells['inflation_rate']})-1"
    derived["start"] = start
    derived["life"] = last_year - start + 1
    derived["last"] = f"={cells['start']}+{cells['life']}-1"
    derived["tenor"] = f"=MIN(ROUND({cells['loan_tenor_years']},0),{cells['life']})"
    derived["grace"] = (f"=MIN(MAX(ROUND({cells['loan_grace_years']},0),0),"
                        f"{cells['tenor']}-1)")
    for key, label, unit, fmt in DERIVED:
        r = rows[key]
        _text(ws.cell(row=r, column=1, value=label))
        ws.cell(row=r, column=2, value=derived[key]).number_format = fmt
        _text(ws.cell(row=r, column=4, value=unit))
    ws.column_dimensions["A"].width = 62
    for col, w in zip("BCDE", (18, 18, 14, 12), strict=True):
        ws.column_dimensions[col].width = w
    return cells


def _assumptions_sheet(ws, a: Appraisal, fa: FinancingAppraisal) -> None:
    head = ["input", "path", "value", "unit", "low", "high", "distribution", "source"]
    for j, h in enumerate(head, 1):
        ws.cell(row=1, column=j, value=h).font = BOLD
        ws.cell(row=1, column=j).fill = HEADER_FILL
    r = 2
    for path, q, label in a.case.quantities():
        for j, v in enumerate([label, path, q.value, q.unit, q.low, q.high,
                               q.distribution or ("triangular" if q.has_range else None),
                               q.source], 1):
            _text(ws.cell(row=r, column=j, value=v))
        r += 1
    for row in fa.parameters.table():
        for j, v in ((1, f"Parameter: {row['parameter'].replace('_', ' ')}"),
                     (2, f"parameters.{row['parameter']}"), (3, row["value"]),
                     (4, row["unit"]), (8, row["source"])):
            _text(ws.cell(row=r, column=j, value=v))
        r += 1
    for term in fa.terms_table().itertuples():
        if term.term in ("lender", "borrower") or term.term.startswith("tax incentive: basis"):
            _text(ws.cell(row=r, column=1, value=f"Financing: {term.term}"))
            _text(ws.cell(row=r, column=3, value=str(term.value)))
            _text(ws.cell(row=r, column=8, value=term.source))
            r += 1
    for j, w in enumerate([52, 40, 16, 12, 14, 14, 12, 100], 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = "A2"


def _cash_flow_sheet(s: _Sheet, a: Appraisal, rates: dict[str, str]) -> None:
    t = a.cashflows
    s.add("year", "Year", "yr", t["year"].tolist(), "0", 6)
    s.add("phase", "Phase", "", t["phase"].tolist(), "@", 13)
    for key in ("capex", "opex", "benefits", "salvage"):
        s.add(key, key.capitalize(), "USD (real)", t[f"{key}_usd"].tolist())
    s.add("net", "Net cash flow (both parties)", "USD (real)",
          lambda y: f"=SUM({s.cell('capex', y)}:{s.cell('salvage', y)})")
    s.add("discount", "Discount factor", "-",
          lambda y: f"=1/(1+{rates['discount']})^{s.cell('year', y)}", "0.0000")
    s.add("discounted", "Discounted net cash flow", "USD (real)",
          lambda y: f"={s.cell('net', y)}*{s.cell('discount', y)}")
    s.add("cumulative", "Cumulative net cash flow", "USD (real)",
          lambda y: f"=SUM({s.cell('net', 0)}:{s.cell('net', y)})")
    s.add("supplier", f"Supplier net ({a.case.supplier_role})", "USD (real)",
          t["supplier_net_usd"].tolist(), width=18)
    s.add("receiver", f"Receiver net ({a.case.receiver_role})", "USD (real)",
          t["receiver_net_usd"].tolist(), width=18)


def _financing_sheet(s: _Sheet, fa: FinancingAppraisal, loan: _Sheet, tax: _Sheet,
                     untaxed: _Sheet, rates: dict[str, str]) -> None:
    t, fl = fa.table, fa.flows
    u = fl.unlevered
    s.add("year", "Year", "yr", t["year"].tolist(), "0", 6)
    borrower = fl.terms.borrower
    whose = "both parties" if borrower == "project" else f"the {borrower}"
    for key, nominal, label in (("capex", u.capex, "Capex"),
                                ("ocf", u.operating_cash_flow,
                                 "Operating cash flow (benefits - opex"
                                 + (")" if borrower == "project" else " + transfers)")),
                                ("salvage", u.salvage, "Salvage")):
        s.add(f"{key}_real", f"{label}, {whose} (library, real)", "USD (real)",
              (nominal[0] / u.index[0]).tolist(), width=16)
    s.add("index", "Inflation index (1 + i)^year", "-",
          lambda y: f"=(1+{rates['inflation']})^{s.cell('year', y)}", "0.0000",
          expect=t["inflation_index"])
    for key, column, title in (("capex", "capex_usd", "Capex"),
                               ("ocf", "operating_cash_flow_usd", "Operating cash flow"),
                               ("salvage", "salvage_usd", "Salvage")):
        s.add(key, title, "USD (nominal)",
              lambda y, key=key: f"={s.cell(key + '_real', y)}*{s.cell('index', y)}",
              expect=t[column])
    s.add("drawdown", "Loan drawdown", "USD (nominal)",
          lambda y: f"='Loan'!{loan.cell('drawdown', y)}", expect=t["drawdown_usd"])
    s.add("fee", "Upfront fee", "USD (nominal)",
          lambda y: f"={s.cell('drawdown', y)}*{rates['loan_upfront_fee']}",
          expect=t["upfront_fee_usd"])
    s.add("interest", "Interest paid", "USD (nominal)",
          lambda y: f"='Loan'!{loan.cell('paid', y)}", expect=t["interest_paid_usd"])
    s.add("principal", "Principal", "USD (nominal)",
          lambda y: f"='Loan'!{loan.cell('principal', y)}", expect=t["principal_usd"])
    s.add("tax", "Tax paid (sheet Tax)", "USD (nominal)",
          lambda y: f"='Tax'!{tax.cell('tax', y)}", expect=t["tax_usd"])
    s.add("tax_unlevered", "Tax without the loan (sheet Tax without loan)", "USD (nominal)",
          lambda y: f"='Tax without loan'!{untaxed.cell('tax', y)}",
          expect=t["tax_unlevered_usd"], width=16)
    s.add("project", "After-tax project cash flow", "USD (nominal)",
          lambda y: (f"={s.cell('ocf', y)}+{s.cell('salvage', y)}-{s.cell('capex', y)}"
                     f"-{s.cell('tax_unlevered', y)}"), width=16,
          expect=t["project_cash_flow_after_tax_usd"])
    s.add("equity", "Equity cash flow", "USD (nominal)",
          lambda y: (f"={s.cell('ocf', y)}+{s.cell('salvage', y)}-{s.cell('capex', y)}"
                     f"+{s.cell('drawdown', y)}-{s.cell('fee', y)}-{s.cell('interest', y)}"
                     f"-{s.cell('principal', y)}-{s.cell('tax', y)}"), width=16,
          expect=t["equity_cash_flow_usd"])
    s.add("cfads", "Cash flow available for debt service", "USD (nominal)",
          lambda y: (f"={s.cell('ocf', y)}+{s.cell('salvage', y)}-{s.cell('tax', y)}"
                     f"-({s.cell('capex', y)}-{s.cell('drawdown', y)})"), width=16,
          expect=t["cfads_usd"])
    s.add("service", "Debt service", "USD (nominal)",
          lambda y: f"={s.cell('interest', y)}+{s.cell('principal', y)}",
          expect=t["debt_service_usd"])
    s.add("dscr", "DSCR", "-",
          # ROUND: a repaid balance may keep a 1e-12 residue that must not count as debt.
          lambda y: (f'=IF(ROUND({s.cell("service", y)},2)>0,'
                     f'{s.cell("cfads", y)}/{s.cell("service", y)},"")'), RATIO, 9,
          expect=t["dscr"])


def _loan_sheet(s: _Sheet, fa: FinancingAppraisal, fin: _Sheet, rates: dict[str, str]) -> None:
    t = fa.table
    start, tenor, grace = rates["start"], rates["tenor"], rates["grace"]
    rate = rates["loan_interest_rate"]
    s.add("year", "Year", "yr", t["year"].tolist(), "0", 6)
    s.add("opening", "Opening balance", "USD (nominal)",
          lambda y: 0 if y == 0 else f"={s.cell('closing', y - 1)}",
          expect=t["opening_balance_usd"])
    s.add("drawdown", "Drawdown: debt share x capex of the years before the first repayment",
          "USD (nominal)",
          lambda y: (f"=IF({s.cell('year', y)}<{start}+{grace},"
                     f"{rates['debt_share']}*'Financing'!{fin.cell('capex', y)},0)"),
          expect=t["drawdown_usd"], width=18)
    s.add("interest", "Interest accrued", "USD (nominal)",
          lambda y: f"={s.cell('opening', y)}*{rate}", expect=t["interest_usd"])
    s.add("capitalised", "Interest capitalised (construction)", "USD (nominal)",
          lambda y: f"=IF({s.cell('year', y)}<{start},{s.cell('interest', y)},0)",
          expect=t["capitalised_interest_usd"])
    s.add("paid", "Interest paid", "USD (nominal)",
          lambda y: f"=IF({s.cell('year', y)}<{start},0,{s.cell('interest', y)})",
          expect=t["interest_paid_usd"])
    s.add("left", "Repayment years left, this one included", "yr",
          lambda y: f"={start}+{tenor}-{s.cell('year', y)}", "0", 10)
    # Library: principal = balance in the last repayment year (and after); in the repayment
    # years before it an annuity or equal instalments over the years left; none in grace.
    s.add("principal", "Principal", "USD (nominal)",
          lambda y: (f"=IF({s.cell('year', y)}<{start},0,"
                     f"IF({s.cell('left', y)}<=1,{s.cell('opening', y)},"
                     f"IF({s.cell('year', y)}<{start}+{grace},0,"
                     f"IF(AND({rates['loan_repayment']}=\"annuity\",{rate}>0),"
                     f"{s.cell('opening', y)}*{rate}/(1-(1+{rate})^-{s.cell('left', y)})"
                     f"-{s.cell('interest', y)},"
                     f"{s.cell('opening', y)}/{s.cell('left', y)}))))"),
          expect=t["principal_usd"])
    s.add("closing", "Closing balance", "USD (nominal)",
          lambda y: (f"={s.cell('opening', y)}+{s.cell('capitalised', y)}"
                     f"+{s.cell('drawdown', y)}-{s.cell('principal', y)}"),
          expect=t["closing_balance_usd"])
    s.add("service", "Debt service", "USD (nominal)",
          lambda y: f"={s.cell('paid', y)}+{s.cell('principal', y)}",
          expect=t["debt_service_usd"])


def _tax_sheet(s: _Sheet, fin: _Sheet, rates: dict[str, str], library: TaxResult, *,
               loan: _Sheet | None, assessable: Sequence[float] | None = None) -> None:
    """Corporate income tax with straight-line depreciation, loss carry-forward (oldest first,
    by year of loss) and the incentive schedule, as formulas; ``loan=None``: the project
    without the loan (no capitalised interest, interest or fees)."""
    n = s.n_years
    f = "'Financing'!"
    start, last = rates["start"], rates["last"]
    life = rates["depreciation_years"]
    keep = rates["loss_carryforward_years"]
    s.add("year", "Year", "yr", list(range(n)), "0", 6)
    s.add("investment", "Depreciable cost added: capex"
          + (" + capitalised interest" if loan else ""), "USD (nominal)",
          (lambda y: f"={f}{fin.cell('capex', y)}+'Loan'!{loan.cell('capitalised', y)}")
          if loan else (lambda y: f"={f}{fin.cell('capex', y)}"), width=16)
    s.add("from", "Depreciated from year", "yr",
          lambda y: f"=IF({s.cell('year', y)}<{start},{start},{s.cell('year', y)}+1)", "0", 11)
    s.add("charged", "Years charged within the life", "yr",
          lambda y: (f"=MAX(0,MIN({s.cell('from', y)}+{life}-1,{last},{n - 1})"
                     f"-{s.cell('from', y)}+1)"), "0", 11)
    s.add("written_off", "Book value written off in the last operating year", "USD (nominal)",
          lambda y: (f"={s.cell('investment', y)}-{s.cell('investment', y)}/{life}"
                     f"*{s.cell('charged', y)}"), width=16)
    s.add("write_off_year", "Written off in year", "yr",
          lambda y: f"=MAX({last},{s.cell('year', y)})", "0", 11)
    s.add("depreciation", "Depreciation", "USD (nominal)",
          lambda y: (f"=SUMPRODUCT({s.ref('investment', sheet=False)}/{life},"
                     f"({s.cell('year', y)}>={s.ref('from', sheet=False)})"
                     f"*({s.cell('year', y)}<{s.ref('from', sheet=False)}+{life})"
                     f"*({s.cell('year', y)}<={last}))"
                     f"+SUMIF({s.ref('write_off_year', sheet=False)},{s.cell('year', y)},"
                     f"{s.ref('written_off', sheet=False)})"))
    s.add("assessable", "Assessable income", "USD (nominal)",
          lambda y: (f"={f}{fin.cell('ocf', y)}+{f}{fin.cell('salvage', y)}"
                     f"-{s.cell('depreciation', y)}"
                     + (f"-'Loan'!{loan.cell('paid', y)}-{f}{fin.cell('fee', y)}"
                        if loan else "")),
          expect=assessable)
    s.add("profit", "Income before loss offset", "USD (nominal)",
          lambda y: f"=MAX({s.cell('assessable', y)},0)")
    # Losses are offset oldest first and the oldest expire first, so what is used or expired
    # is always the oldest part of the cumulative losses: consumed_t = max(consumed_t-1 +
    # used_t, losses of the years up to t - carry-forward years).
    s.add("loss", "Loss of the year", "USD (nominal)",
          lambda y: f"=MAX(-{s.cell('assessable', y)},0)")
    s.add("available", "Earlier losses still available", "USD (nominal)",
          lambda y: 0 if y == 0 else (f"=SUM({s.cell('loss', 0)}:{s.cell('loss', y - 1)})"
                                      f"-{s.cell('consumed', y - 1)}"), width=16)
    s.add("loss_used", "Earlier losses offset", "USD (nominal)",
          lambda y: f"=MIN({s.cell('profit', y)},{s.cell('available', y)})",
          expect=library.loss_used[0])
    s.add("consumed", "Losses offset or expired so far", "USD (nominal)",
          lambda y: (f"=MAX({s.cell('consumed', y - 1) + '+' if y else ''}"
                     f"{s.cell('loss_used', y)},SUMPRODUCT({s.ref('loss', sheet=False)},"
                     f"({s.ref('year', sheet=False)}<={s.cell('year', y)}-{keep})*1))"),
          width=16)
    s.add("expired", "Losses expired (older than the carry-forward)", "USD (nominal)",
          lambda y: (f"={s.cell('consumed', y)}-{s.cell('loss_used', y)}"
                     + (f"-{s.cell('consumed', y - 1)}" if y else "")),
          expect=library.loss_expired[0], width=16)
    s.add("taxable", "Taxable income", "USD (nominal)",
          lambda y: f"={s.cell('profit', y)}-{s.cell('loss_used', y)}",
          expect=library.taxable_income[0])
    s.add("starts", "Incentive may start (taxable income, or operating year 4)", "yr",
          lambda y: (f"=IF(AND({s.cell('year', y)}>={start},OR({s.cell('taxable', y)}>0,"
                     f"{s.cell('year', y)}>={start}+{EXEMPTION_START_OFFSET})),"
                     f"{s.cell('year', y)},9999)"), "0", 12)
    s.add("first", "First exempt year", "yr",
          lambda y: f"=MIN({s.ref('starts', sheet=False)})", "0", 10)
    pref, pref_years = rates["incentive.preferential_rate"], rates["incentive.preferential_years"]
    s.add("base", "Base rate (preferential or standard)", "-",
          lambda y: (f"=IF(AND(ISNUMBER({pref}),{s.cell('year', y)}>={start},"
                     f"OR(NOT(ISNUMBER({pref_years})),{s.cell('year', y)}<{start}+{pref_years}"
                     f")),{pref},{rates['tax_rate']})"), RATE, 11)
    exempt, reduced = rates["incentive.exempt_years"], rates["incentive.reduced_years"]
    s.add("rate", "CIT rate after exemption and reduction", "-",
          lambda y: (f"={s.cell('base', y)}*IF(AND({s.cell('year', y)}>={s.cell('first', y)},"
                     f"{s.cell('year', y)}<{s.cell('first', y)}+ROUND({exempt},0)),0,"
                     f"IF(AND({s.cell('year', y)}>={s.cell('first', y)}+ROUND({exempt},0),"
                     f"{s.cell('year', y)}<{s.cell('first', y)}+ROUND({exempt},0)"
                     f"+ROUND({reduced},0)),1-{rates['incentive.reduction']},1))"),
          RATE, 11, expect=library.rate[0])
    s.add("tax", "Tax paid", "USD (nominal)",
          lambda y: f"={s.cell('taxable', y)}*{s.cell('rate', y)}", expect=library.tax[0])


def _irr(cells: str, near: float) -> str:
    """``IRR(cells, guess)``: the guess, the library's IRR at the inputs as written rounded to
    a percent, is only where the spreadsheet's Newton search starts (LibreOffice and Excel give
    up from their default 10% on an IRR such as -92%); after an input changes it still finds
    the root next to it."""
    return f"IRR({cells},{round(near, 2)})" if math.isfinite(near) else f"IRR({cells})"


def _summary_metrics(ws, a: Appraisal, fa: FinancingAppraisal, cash: _Sheet, loan: _Sheet,
                     fin: _Sheet, rates: dict[str, str]) -> dict[str, Any]:
    m, f = a.metrics, fa.metrics
    real = rates["discount"]
    nominal = rates["nominal"]
    infl = rates["inflation"]
    dscr = fin.ref("dscr")
    inflation = float(fa.parameters["inflation_rate"])

    def nominal_irr(real_irr: float) -> float:
        return (1 + real_irr) * (1 + inflation) - 1

    def row(name: str, formula: str, value: float, fmt: str, label: str | None = None):
        f = FIELDS[name]
        return (name, label or f.description, formula, value, f.unit, fmt)

    rows = [
        row("npv_usd", _npv_formula(real, cash, "net"), m.npv_usd, MONEY,
            "Project NPV (before financing and tax, real)"),
        row("irr", f"={_irr(cash.ref('net'), m.irr)}", m.irr, RATE, "Project IRR (real)"),
        row("supplier_npv_usd", _npv_formula(real, cash, "supplier"), m.supplier_npv_usd, MONEY,
            "Supplier NPV (its lines and transfers)"),
        row("receiver_npv_usd", _npv_formula(real, cash, "receiver"), m.receiver_npv_usd, MONEY,
            "Receiver NPV (its lines and transfers)"),
        row("project_npv_after_tax_usd", _npv_formula(nominal, fin, "project"),
            f.project_npv_after_tax_usd, MONEY),
        row("project_irr_after_tax",
            f"=(1+{_irr(fin.ref('project'), nominal_irr(f.project_irr_after_tax))})"
            f"/(1+{infl})-1",
            f.project_irr_after_tax, RATE),
        row("equity_npv_usd", _npv_formula(nominal, fin, "equity"), f.equity_npv_usd, MONEY),
        row("equity_irr_nominal", f"={_irr(fin.ref('equity'), f.equity_irr_nominal)}",
            f.equity_irr_nominal, RATE),
        row("equity_irr",
            f"=(1+{_irr(fin.ref('equity'), f.equity_irr_nominal)})/(1+{infl})-1",
            f.equity_irr, RATE),
        row("min_dscr", f'=IF(COUNT({dscr})=0,"no debt",MIN({dscr}))', f.min_dscr, RATIO),
        row("average_dscr", f'=IF(COUNT({dscr})=0,"no debt",AVERAGE({dscr}))',
            f.average_dscr, RATIO),
        row("debt_usd", f"=SUM({loan.ref('drawdown')})", f.debt_usd, MONEY),
    ]
    start = FIRST_INPUT_ROW + len(INPUTS) + len(DERIVED) + 4
    ws.cell(row=start - 2, column=1, value="Results").font = BOLD
    for j, h in enumerate(["Metric", "Spreadsheet (live formula)",
                           "Library value (inputs as written)", "Unit", "Difference"], 1):
        ws.cell(row=start - 1, column=j, value=h).font = BOLD
        ws.cell(row=start - 1, column=j).fill = HEADER_FILL
        ws.cell(row=start - 1, column=j).alignment = Alignment(wrap_text=True)
    expected: dict[str, Any] = {}
    r = start
    min_row = 0
    for name, label, formula, value, unit, fmt in rows:
        _text(ws.cell(row=r, column=1, value=label))
        ws.cell(row=r, column=2, value=formula).number_format = fmt
        lib = None if value is None or not math.isfinite(value) else float(value)
        ws.cell(row=r, column=3, value=lib if lib is not None else "not defined")
        ws.cell(row=r, column=3).number_format = fmt
        _text(ws.cell(row=r, column=4, value=unit))
        if lib is not None:
            ws.cell(row=r, column=5, value=f'=IFERROR(B{r}-C{r},"")').number_format = "0.0E+00"
            expected[f"Summary!B{r}"] = lib
        if name == "min_dscr":
            min_row = r
        r += 1
    _text(ws.cell(row=r, column=1, value="Minimum DSCR meets the lender's minimum"))
    ws.cell(row=r, column=2, value=(f'=IF(ISNUMBER(B{min_row}),IF(B{min_row}>='
                                    f'{rates["target_min_dscr"]},"yes","no"),"no debt")'))
    r += 1
    capacity = f.debt_capacity_usd
    _text(ws.cell(row=r, column=1, value="Debt capacity at the lender's minimum DSCR "
                                         "(library, inputs as written)"))
    ws.cell(row=r, column=3, value=capacity if math.isfinite(capacity) else "not defined")
    ws.cell(row=r, column=3).number_format = MONEY
    _text(ws.cell(row=r, column=4, value="USD"))
    r += 2
    for note in (YEAR_0_NOTE, REAL_NOMINAL_NOTE, LIBRARY_NOTE):
        ws.cell(row=r, column=1, value=note).alignment = Alignment(wrap_text=True,
                                                                    vertical="top")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
        ws.row_dimensions[r].height = 60
        r += 1
    r += 1
    warnings = list(a.warnings) + [w for w in fa.warnings if w not in a.warnings]
    ws.cell(row=r, column=1, value="Warnings (at the inputs as written)").font = BOLD
    for w in warnings or ["None."]:
        r += 1
        _text(ws.cell(row=r, column=1, value=w)).alignment = Alignment(wrap_text=True)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
        ws.row_dimensions[r].height = 30
    return expected


def workbook_bytes(case_or_appraisal: Case | Appraisal, **kwargs: Any) -> bytes:
    """The .xlsx file of one case as bytes (see :func:`build_workbook`)."""
    wb, _ = build_workbook(case_or_appraisal, **kwargs)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def default_path(case_id: str) -> Path:
    """``reports/workbooks/<id>.xlsx``."""
    return paths.reports_dir() / "workbooks" / f"{case_id}.xlsx"


def write_workbook(
    case_or_appraisal: Case | Appraisal, path: str | Path | None = None, *,
    parameters_dir: str | Path | None = None, financing: FinancingAppraisal | None = None,
    **overrides: Any,
) -> Path:
    """Write the bank workbook of one case, atomically; returns the path written.

    Parameters
    ----------
    case_or_appraisal : Case or Appraisal
        The case (an appraisal's run overrides are kept).
    path : path, optional
        The .xlsx file, or a folder to write ``<id>.xlsx`` in; default
        ``reports/workbooks/<id>.xlsx``.
    parameters_dir : path, optional
        Folder of the parameter defaults.
    **overrides
        Parameter overrides for this run.
    """
    case = (case_or_appraisal.case if isinstance(case_or_appraisal, Appraisal)
            else case_or_appraisal)
    if path is None:
        target = default_path(case.id)
    else:
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target / f"{case.id}.xlsx"
    data = workbook_bytes(case_or_appraisal, parameters_dir=parameters_dir, financing=financing,
                          **overrides)
    return atomic_write_bytes(target, data)


__all__: Sequence[str] = ("INPUTS", "build_workbook", "default_path", "input_cell",
                          "workbook_bytes", "write_workbook")
