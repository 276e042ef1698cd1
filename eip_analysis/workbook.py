"""The bank workbook: one .xlsx per case that a credit officer can audit and change.

``eip-analysis workbook CASE_ID [--output DIR]`` writes ``reports/workbooks/<id>.xlsx``
(atomically); :func:`write_workbook` does the same for the batch. Sheets:

* **Summary**: the rates as input cells, then every headline metric as a *live formula* over
  the cash-flow cells (``=NPV(rate, C4:C13)+C3``, ``=IRR(...)``, ``=MIN(...)`` of the DSCR
  cells) beside the value the library computed and their difference, the warnings, and a note
  on the year-0 convention.
* **Assumptions**: every input of the case with unit, range and source, then every parameter
  with its source.
* **Cash flows**: the project view by year in constant USD (net = live sum of the lines),
  with each party's net cash flow.
* **Financing**: the nominal view: inflation index, tax, after-tax project and equity cash
  flows, CFADS and DSCR, most as formulas over the loan and cash-flow cells.
* **Loan**: the loan schedule; interest and balances are formulas, principal instalments
  are the library's.

Values the spreadsheet cannot recompute simply (the principal of an annuity, taxable income
after the 5-year loss carry-forward, the incentive rate of each year) are written as numbers
and labelled "(library)" in the header; everything downstream of them is a formula.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import paths
from .appraisal import Appraisal, appraise
from .cases import Case
from .fields import FIELDS
from .files import atomic_write_bytes
from .financing import FinancingAppraisal, appraise_financing

MONEY = "#,##0;[Red]-#,##0"
RATE = "0.00%"
RATIO = "0.00"
BOLD = Font(bold=True)
INPUT = Font(color="1F4E79", bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
FIRST_ROW = 3  # year 0 sits in row 3 of the yearly sheets (row 1 titles, row 2 units)

YEAR_0_NOTE = (
    "Year-0 convention: year 0 is today and is not discounted. Excel's NPV(rate, v1..vn) "
    "discounts its first value by one period, so every NPV here is written "
    "=NPV(rate, year 1..n) + year 0, which equals the library's npv(rate, [v0, v1..vn]).")
REAL_NOMINAL_NOTE = (
    "Real vs nominal: the 'Cash flows' sheet is in constant USD of year 0 and is discounted "
    "at the real rate. The 'Financing' sheet is in nominal USD (real x inflation index, as "
    "the bank and the tax office see it) and is discounted at the nominal rate "
    "(1 + real)(1 + inflation) - 1; the real IRR is (1 + nominal IRR) / (1 + inflation) - 1.")


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
        rng = f"{c}{FIRST_ROW + first}:{c}{FIRST_ROW + last}"
        return f"'{self.ws.title}'!{rng}" if sheet else rng

    def add(self, key: str, title: str, unit: str, cells, number_format: str = MONEY,
            width: int = 14) -> None:
        """Declare a column; ``cells`` is a sequence of values or a function year -> formula."""
        self.cols[key] = len(self.cols) + 1
        self._pending.append((key, title, unit, cells, number_format, width))

    def write(self) -> None:
        ws = self.ws
        for key, title, unit, cells, number_format, width in self._pending:
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
            ws.column_dimensions[get_column_letter(j)].width = width
        ws.row_dimensions[1].height = 45
        ws.freeze_panes = "B3"
        self._pending.clear()


def _npv_formula(rate_cell: str, sheet: _Sheet, key: str) -> str:
    return f"=NPV({rate_cell},{sheet.ref(key, 1)})+'{sheet.ws.title}'!{sheet.cell(key, 0)}"


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
        The workbook, and ``{summary cell (e.g. "Summary!B14"): library value}`` for every
        live formula of the summary (the test recomputes them with an independent evaluator).
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

    n = len(a.cashflows)
    rates = _rate_cells(summary, a, fa)
    cash = _Sheet(wb.create_sheet("Cash flows"), n)
    _cash_flow_sheet(cash, a, rates)
    loan = _Sheet(wb.create_sheet("Loan"), len(fa.table))
    fin = _Sheet(wb.create_sheet("Financing"), len(fa.table))
    _loan_sheet(loan, fa, rates)
    _financing_sheet(fin, fa, loan, rates)
    for sheet in (cash, loan, fin):
        sheet.write()
    expected = _summary_metrics(summary, a, fa, cash, loan, fin, rates)
    return wb, expected


def _rate_cells(ws, a: Appraisal, fa: FinancingAppraisal) -> dict[str, str]:
    c = a.case
    ws["A1"] = f"{c.id}: {c.title}"
    _text(ws["A1"])
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = (f"{c.park}. Supplier: {c.supplier_role}; receiver: {c.receiver_role}. "
                f"Data: {c.data_quality}" + (f" ({c.data_note})" if c.data_note else "") + ".")
    ws["A4"] = ("Rates. Input cells (blue): change them and the NPVs below follow. The others "
                "are the run's values for reference: the nominal flows, tax and loan principal "
                "come from the library, so change inflation or the loan rate in the case file "
                "or data/raw/parameters/ and write the workbook again.")
    ws["A4"].font = BOLD
    p = fa.parameters
    rows = [  # key, label, value, unit, format, live input
        ("discount", "Discount rate, real (input)", p["discount_rate"], "1/yr", RATE, True),
        ("inflation", "Inflation rate, Viet Nam CPI (reference)", p["inflation_rate"], "1/yr",
         RATE, False),
        ("nominal", "Discount rate, nominal = (1 + real)(1 + inflation) - 1", None, "1/yr",
         RATE, False),
        ("interest", "Loan interest rate, nominal (reference)", p["loan_interest_rate"], "1/yr",
         RATE, False),
        ("target", "Lender's minimum DSCR (reference)", p["target_min_dscr"], "-", RATIO,
         False),
    ]
    cells = {}
    for i, (key, label, value, unit, fmt, live) in enumerate(rows):
        r = 5 + i
        _text(ws.cell(row=r, column=1, value=label))
        cell = ws.cell(row=r, column=2, value=value)
        cell.number_format = fmt
        if live:
            cell.font = INPUT
        _text(ws.cell(row=r, column=4, value=unit))
        cells[key] = f"Summary!$B${r}"
    ws["B7"] = "=(1+B5)*(1+B6)-1"
    ws.column_dimensions["A"].width = 58
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 18
    ws.column_dimensions["D"].width = 14
    ws.column_dimensions["E"].width = 12
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


def _loan_sheet(s: _Sheet, fa: FinancingAppraisal, rates: dict[str, str]) -> None:
    t = fa.table
    s.add("year", "Year", "yr", t["year"].tolist(), "0", 6)
    s.add("opening", "Opening balance", "USD (nominal)",
          lambda y: 0 if y == 0 else f"={s.cell('closing', y - 1)}")
    s.add("drawdown", "Drawdown (library: debt share x capex)", "USD (nominal)",
          t["drawdown_usd"].tolist())
    s.add("interest", "Interest accrued", "USD (nominal)",
          lambda y: f"={s.cell('opening', y)}*{rates['interest']}")
    construction = fa.case.operation_start_year
    s.add("capitalised", "Interest capitalised (construction)", "USD (nominal)",
          lambda y: f"={s.cell('interest', y)}" if y < construction else 0)
    s.add("paid", "Interest paid", "USD (nominal)",
          lambda y: 0 if y < construction else f"={s.cell('interest', y)}")
    s.add("principal", "Principal (library)", "USD (nominal)", t["principal_usd"].tolist())
    s.add("closing", "Closing balance", "USD (nominal)",
          lambda y: (f"={s.cell('opening', y)}+{s.cell('capitalised', y)}"
                     f"+{s.cell('drawdown', y)}-{s.cell('principal', y)}"))
    s.add("service", "Debt service", "USD (nominal)",
          lambda y: f"={s.cell('paid', y)}+{s.cell('principal', y)}")


def _financing_sheet(s: _Sheet, fa: FinancingAppraisal, loan: _Sheet,
                     rates: dict[str, str]) -> None:
    t = fa.table
    s.add("year", "Year", "yr", t["year"].tolist(), "0", 6)
    s.add("index", "Inflation index (1 + i)^year", "-",
          lambda y: f"=(1+{rates['inflation']})^{s.cell('year', y)}", "0.0000")
    s.add("capex", "Capex", "USD (nominal)", t["capex_usd"].tolist())
    s.add("ocf", "Operating cash flow (benefits - opex)", "USD (nominal)",
          t["operating_cash_flow_usd"].tolist())
    s.add("salvage", "Salvage", "USD (nominal)", t["salvage_usd"].tolist())
    s.add("drawdown", "Loan drawdown", "USD (nominal)",
          lambda y: f"='Loan'!{loan.cell('drawdown', y)}")
    s.add("fee", "Upfront fee (library)", "USD (nominal)", t["upfront_fee_usd"].tolist())
    s.add("interest", "Interest paid", "USD (nominal)",
          lambda y: f"='Loan'!{loan.cell('paid', y)}")
    s.add("principal", "Principal", "USD (nominal)",
          lambda y: f"='Loan'!{loan.cell('principal', y)}")
    s.add("depreciation", "Depreciation (library)", "USD (nominal)",
          t["depreciation_usd"].tolist())
    s.add("assessable", "Assessable income", "USD (nominal)",
          lambda y: (f"={s.cell('ocf', y)}+{s.cell('salvage', y)}-{s.cell('depreciation', y)}"
                     f"-{s.cell('interest', y)}-{s.cell('fee', y)}"))
    s.add("taxable", "Taxable income after loss carry-forward (library)", "USD (nominal)",
          t["taxable_income_usd"].tolist(), width=18)
    s.add("rate", "CIT rate incl. incentives (library)", "-", t["cit_rate"].tolist(), RATE)
    s.add("tax", "Tax paid", "USD (nominal)",
          lambda y: f"={s.cell('taxable', y)}*{s.cell('rate', y)}")
    s.add("tax_unlevered", "Tax without the loan (library)", "USD (nominal)",
          t["tax_unlevered_usd"].tolist())
    s.add("project", "After-tax project cash flow", "USD (nominal)",
          lambda y: (f"={s.cell('ocf', y)}+{s.cell('salvage', y)}-{s.cell('capex', y)}"
                     f"-{s.cell('tax_unlevered', y)}"), width=16)
    s.add("equity", "Equity cash flow", "USD (nominal)",
          lambda y: (f"={s.cell('ocf', y)}+{s.cell('salvage', y)}-{s.cell('capex', y)}"
                     f"+{s.cell('drawdown', y)}-{s.cell('fee', y)}-{s.cell('interest', y)}"
                     f"-{s.cell('principal', y)}-{s.cell('tax', y)}"), width=16)
    s.add("cfads", "Cash flow available for debt service", "USD (nominal)",
          lambda y: (f"={s.cell('ocf', y)}+{s.cell('salvage', y)}-{s.cell('tax', y)}"
                     f"-({s.cell('capex', y)}-{s.cell('drawdown', y)})"), width=16)
    s.add("service", "Debt service", "USD (nominal)",
          lambda y: f"={s.cell('interest', y)}+{s.cell('principal', y)}")
    s.add("dscr", "DSCR", "-",
          # ROUND: a repaid balance may keep a 1e-12 residue that must not count as debt.
          lambda y: (f'=IF(ROUND({s.cell("service", y)},2)>0,'
                     f'{s.cell("cfads", y)}/{s.cell("service", y)},"")'), RATIO, 9)


def _summary_metrics(ws, a: Appraisal, fa: FinancingAppraisal, cash: _Sheet, loan: _Sheet,
                     fin: _Sheet, rates: dict[str, str]) -> dict[str, Any]:
    m, f = a.metrics, fa.metrics
    real = rates["discount"]
    nominal = rates["nominal"]
    infl = rates["inflation"]
    dscr = fin.ref("dscr")
    def row(name: str, formula: str, value: float, fmt: str, label: str | None = None):
        f = FIELDS[name]
        return (label or f.description, formula, value, f.unit, fmt)

    rows = [
        row("npv_usd", _npv_formula(real, cash, "net"), m.npv_usd, MONEY,
            "Project NPV (before financing and tax, real)"),
        row("irr", f"=IRR({cash.ref('net')})", m.irr, RATE, "Project IRR (real)"),
        row("supplier_npv_usd", _npv_formula(real, cash, "supplier"), m.supplier_npv_usd, MONEY,
            "Supplier NPV (its lines and transfers)"),
        row("receiver_npv_usd", _npv_formula(real, cash, "receiver"), m.receiver_npv_usd, MONEY,
            "Receiver NPV (its lines and transfers)"),
        row("project_npv_after_tax_usd", _npv_formula(nominal, fin, "project"),
            f.project_npv_after_tax_usd, MONEY),
        row("project_irr_after_tax", f"=(1+IRR({fin.ref('project')}))/(1+{infl})-1",
            f.project_irr_after_tax, RATE),
        row("equity_npv_usd", _npv_formula(nominal, fin, "equity"), f.equity_npv_usd, MONEY),
        row("equity_irr_nominal", f"=IRR({fin.ref('equity')})", f.equity_irr_nominal, RATE),
        row("equity_irr", f"=(1+IRR({fin.ref('equity')}))/(1+{infl})-1", f.equity_irr, RATE),
        row("min_dscr", f"=MIN({dscr})", f.min_dscr, RATIO),
        row("average_dscr", f"=AVERAGE({dscr})", f.average_dscr, RATIO),
        row("debt_usd", f"=SUM({loan.ref('drawdown')})", f.debt_usd, MONEY),
    ]
    start = 12
    for j, h in enumerate(["Metric", "Spreadsheet (live formula)", "Library value", "Unit",
                           "Difference"], 1):
        ws.cell(row=start - 1, column=j, value=h).font = BOLD
        ws.cell(row=start - 1, column=j).fill = HEADER_FILL
    ws.cell(row=start - 2, column=1, value="Results").font = BOLD
    expected: dict[str, Any] = {}
    for i, (label, formula, value, unit, fmt) in enumerate(rows):
        r = start + i
        _text(ws.cell(row=r, column=1, value=label))
        has_debt = f.debt_usd > 0 or "DSCR" not in label
        ws.cell(row=r, column=2, value=formula if has_debt else "no debt").number_format = fmt
        lib = None if value is None or not math.isfinite(value) else float(value)
        ws.cell(row=r, column=3, value=lib if lib is not None else "not defined")
        ws.cell(row=r, column=3).number_format = fmt
        _text(ws.cell(row=r, column=4, value=unit))
        if lib is not None and has_debt:
            ws.cell(row=r, column=5, value=f'=IFERROR(B{r}-C{r},"")').number_format = "0.0E+00"
            expected[f"Summary!B{r}"] = lib
    r = start + len(rows) + 1
    library_note = ("Columns marked (library) are values computed by eip_analysis (loss "
                    "carry-forward, incentive schedule, principal instalments); every other "
                    "number downstream is a formula.")
    for note in (YEAR_0_NOTE, REAL_NOMINAL_NOTE, library_note):
        ws.cell(row=r, column=1, value=note).alignment = Alignment(wrap_text=True,
                                                                    vertical="top")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
        ws.row_dimensions[r].height = 48
        r += 1
    r += 1
    warnings = list(a.warnings) + [w for w in fa.warnings if w not in a.warnings]
    ws.cell(row=r, column=1, value="Warnings").font = BOLD
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


__all__: Sequence[str] = ("build_workbook", "default_path", "workbook_bytes", "write_workbook")
