"""The portfolio report: its parameters, its run (bad inputs leave one case out), its sections,
portfolio.csv, the command, and the notebook executed through papermill with a park filter."""

from __future__ import annotations

import copy
import shutil

import papermill
import pytest
import yaml

from eip_analysis import cli, fields, report
from eip_analysis.errors import InputError
from eip_analysis.report.parameters import parameters_cell
from eip_analysis.report.portfolio import PortfolioContext, PortfolioParameters
from eip_analysis.report.render import section_html

from .conftest import FIXTURE_CASES
from .test_report import external_references

FIXTURE_ESMP = FIXTURE_CASES.parent / "esmp"
FAST = {"mc_draws": 200, "mac_draws": 0}


@pytest.fixture
def folder(tmp_path, mini_data):
    """A data folder with three cases: MINI-01 and MINI-02 (Hoa Khanh), MINI-03 (Tra Noc)."""
    cases, registers = tmp_path / "raw" / "cases", tmp_path / "raw" / "esmp"
    cases.mkdir(parents=True)
    registers.mkdir()
    register = yaml.safe_load((FIXTURE_ESMP / "MINI-01.yaml").read_text())
    for cid, park in (("MINI-01", "Hoa Khanh"), ("MINI-02", "Hoa Khanh"),
                      ("MINI-03", "Tra Noc 1&2")):
        data = copy.deepcopy(mini_data)
        data.update(id=cid, park=park)
        (cases / f"{cid}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
        (registers / f"{cid}.yaml").write_text(yaml.safe_dump(dict(register, case=cid)))
    return tmp_path / "raw"


class TestParameters:
    def test_the_notebook_cell_is_written_from_the_model(self):
        import nbformat

        nb = nbformat.read(str(report.PORTFOLIO_NOTEBOOK), as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert cell.source == parameters_cell(PortfolioParameters)
        found = papermill.inspect_notebook(str(report.PORTFOLIO_NOTEBOOK))
        assert tuple(found) == tuple(PortfolioParameters.model_fields)

    def test_the_committed_notebook_has_no_outputs(self):
        import nbformat

        nb = nbformat.read(str(report.PORTFOLIO_NOTEBOOK), as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")

    @pytest.mark.parametrize("given, message", [
        ({"park": "Hanoi"}, "park: expected Hoa Khanh or Tra Noc 1&2"),
        ({"plan_start": "2022-02-30"}, "plan_start: expected a date YYYY-MM-DD"),
        ({"mc_draws": "ten"}, "mc_draws: expected an integer from 100 to 200,000"),
        ({"selection": ["weights.npv_usd"]}, "selection: expected a mapping"),
        ({"selection_file": "/nonexistent.yaml"}, "selection_file: expected an existing file"),
        ({"portfolio_csv_path": "out.xlsx"}, "portfolio_csv_path: expected a file path ending"),
        ({"colour": "blue"}, "colour: expected a portfolio parameter"),
    ])
    def test_bad_parameters_in_one_line(self, given, message):
        with pytest.raises(InputError) as err:
            report.check_portfolio_parameters(**given)
        assert message in str(err.value) and "\n" not in str(err.value)


class TestContext:
    def test_a_park_filter(self, folder):
        ctx = PortfolioContext.build(PortfolioParameters(
            cases_dir=str(folder / "cases"), park="Hoa Khanh", **FAST))
        assert [a.case.id for a in ctx.appraisals] == ["MINI-01", "MINI-02"]
        assert set(ctx.totals["park"]) == {"Hoa Khanh"}

    def test_a_bad_case_or_register_leaves_that_case_out(self, folder):
        (folder / "cases" / "MINI-02.yaml").write_text("id: [unclosed\n")
        register = yaml.safe_load((folder / "esmp" / "MINI-03.yaml").read_text())
        register["risks"][0]["area"] = "weather"
        (folder / "esmp" / "MINI-03.yaml").write_text(yaml.safe_dump(register))
        shutil.copy(folder / "esmp" / "MINI-01.yaml", folder / "esmp" / "XX-99.yaml")
        ctx = PortfolioContext.build(PortfolioParameters(cases_dir=str(folder / "cases"),
                                                         **FAST))
        assert [a.case.id for a in ctx.appraisals] == ["MINI-01"]
        errors = "\n".join(ctx.errors)
        assert len(ctx.errors) == 3
        assert "MINI-02.yaml" in errors
        assert "MINI-03.yaml: risks[0].area" in errors
        assert "XX-99.yaml: case: expected the register of a case of the cases folder" in errors
        assert all("\n" not in e for e in ctx.errors)
        overview = report.portfolio_sections(ctx)["overview"]
        assert len(overview.warnings) == 3

    def test_no_case_left_is_one_line(self, folder):
        (folder / "cases" / "MINI-03.yaml").unlink()
        (folder / "esmp" / "MINI-03.yaml").unlink()
        with pytest.raises(InputError, match="expected at least one valid case in Tra Noc"):
            PortfolioContext.build(PortfolioParameters(
                cases_dir=str(folder / "cases"), park="Tra Noc 1&2", **FAST))

    def test_selection_overrides_reach_the_shortlist(self, folder):
        ctx = PortfolioContext.build(PortfolioParameters(
            cases_dir=str(folder / "cases"), selection={"thresholds.min_score": "1"}, **FAST))
        assert ctx.result.shortlist == []
        assert ctx.selection.thresholds.min_score.source.startswith("assumption: set for this")

    def test_portfolio_csv_is_byte_reproducible_and_never_a_formula(self, folder, tmp_path):
        data = yaml.safe_load((folder / "cases" / "MINI-01.yaml").read_text())
        data["title"] = "=HYPERLINK(\"http://x\")"
        (folder / "cases" / "MINI-01.yaml").write_text(yaml.safe_dump(data))
        run = PortfolioParameters(cases_dir=str(folder / "cases"), **FAST)
        a = PortfolioContext.build(run).write_csv(tmp_path / "a.csv").read_bytes()
        b = PortfolioContext.build(run).write_csv(tmp_path / "b.csv").read_bytes()
        assert a == b
        assert b"'=HYPERLINK" in a
        header = a.decode().splitlines()[0].split(",")
        assert header[:7] == ["case_id", "park", "title", "score", "rank", "shortlisted",
                              "reason"]
        assert not fields.unregistered(header)

    def test_sections_escape_case_text_and_use_registered_columns(self, folder):
        data = yaml.safe_load((folder / "cases" / "MINI-01.yaml").read_text())
        data["title"] = "<script>alert(1)</script> & $x$"
        (folder / "cases" / "MINI-01.yaml").write_text(yaml.safe_dump(data))
        ctx = PortfolioContext.build(PortfolioParameters(cases_dir=str(folder / "cases"),
                                                         **FAST))
        html = ""
        for key, section in report.portfolio_sections(ctx).items():
            for table in section.tables.values():
                assert not fields.unregistered(table.columns), key
            html += str(section_html(section, section_id=key))
        html += str(report.portfolio_title_html(ctx))
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class TestCommand:
    @pytest.mark.parametrize("argv, message", [
        (["-p", "weights.npv_usd=abc"], "override weights.npv_usd: expected a weight"),
        (["-p", "weights.npv_usd"], "-p: expected NAME=VALUE"),
        (["--plan-start", "someday"], "plan_start: expected a date YYYY-MM-DD"),
    ])
    def test_bad_input_is_one_line_before_any_run(self, capsys, argv, message):
        assert cli.main(["portfolio", *argv]) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1

    def test_weights_that_sum_to_zero(self, capsys, tmp_path):
        from eip_analysis.portfolio import CRITERIA

        path = tmp_path / "zero.yaml"
        path.write_text(yaml.safe_dump({"weights": {k: {"value": 0, "source": "test"}
                                                    for k in CRITERIA}}))
        assert cli.main(["portfolio", "--selection", str(path)]) == 1
        assert "weights: expected weights that sum to more than zero" in capsys.readouterr().err


@pytest.mark.notebook
def test_the_portfolio_notebook_runs_with_a_park_filter(folder, tmp_path, capsys):
    out, processed = tmp_path / "reports", tmp_path / "processed"
    code = cli.main(["portfolio", "--cases", str(folder / "cases"), "--park", "Hoa Khanh",
                     "--mc-draws", "200", "--output", str(out), "--processed", str(processed),
                     "-p", "weights.npv_usd=0.2", "-p",
                     "thresholds.min_probability_npv_positive=0"])
    assert code == 0, capsys.readouterr().err
    html = (out / "portfolio.html").read_text()
    assert 'id="illustrative-banner"' in html and 'id="portfolio-parks">Hoa Khanh<' in html
    assert "MINI-03" not in html.split('id="provenance"')[0]
    assert "<script" not in html.lower() and not external_references(html)
    assert "weights.npv_usd" in html  # the override, in the provenance
    for code_text in ("PortfolioContext.build", "In&nbsp;[", "portfolio_csv_path"):
        assert code_text not in html
    # stability, MAC curve, NPV-tCO2e, ESMP heat map, Gantt, Hoa Khanh's candidate network
    assert html.count("data:image/png;base64,") == 6  # and the screening network
    csv = (processed / "portfolio.csv").read_text().splitlines()
    assert len(csv) == 3 and csv[0].startswith("case_id,park,title,score,rank")
    assert 'href="portfolio.html"' in (out / "index.html").read_text()
    assert not list(out.glob("notebooks/.*")), "no temporary notebook left"


def test_the_screening_section_shows_candidates_network_and_known_cases(folder):
    from eip_analysis import screening
    from eip_analysis.inventory import load_inventory

    ctx = PortfolioContext.build(PortfolioParameters(cases_dir=str(folder / "cases"), **FAST))
    section = report.portfolio_sections(ctx)["screening"]
    assert set(section.tables) == {"screening_hoa_khanh", "screening_tra_noc"}
    assert set(section.figures) == {"screening_network_hoa_khanh", "screening_network_tra_noc"}
    inv = load_inventory("tra_noc")
    best = screening.top(screening.allocate(screening.candidates(inv), inv), 10)
    table = section.tables["screening_tra_noc"]
    assert list(table["candidate"]) == [c.id for c in best]  # the library's ranking
    assert list(table["screening_value_usd_per_year"]) == [c.allocated_value_usd for c in best]
    assert table["rank_value"].tolist() == list(range(1, 11))
    # the known exchanges among the best are named by their case; the others are new
    assert {"TN-01", "TN-03", "TN-04"} <= set(table["existing_case"])
    assert (table["existing_case"].str.startswith("new")).sum() >= 3
    hk = section.tables["screening_hoa_khanh"]
    assert "new (its supply is in HK-01)" in set(hk["existing_case"])  # biogas, other receiver
    words = " ".join(section.text)
    assert "Hoa Khanh: 26 tenants" in words and "not allocated: HK-01 (HK-T01-S1 already given" in words
    html = str(section_html(section, section_id="screening"))
    assert html.count("data:image/png;base64,") == 2
    # one park only with --park
    one = PortfolioContext.build(PortfolioParameters(cases_dir=str(folder / "cases"),
                                                     park="Tra Noc 1&2", **FAST))
    assert set(report.portfolio_sections(one)["screening"].tables) == {"screening_tra_noc"}
