"""ESMP registers: validation in one line, ratings, the lender's category, the report section."""

from __future__ import annotations

import math

import pytest
import yaml

from eip_analysis import appraise, esmp, load_case, report
from eip_analysis.errors import InputError

from .conftest import FIXTURE_CASES, MINI

FIXTURE_ESMP = FIXTURE_CASES.parent / "esmp"


@pytest.fixture
def register_data():
    return yaml.safe_load((FIXTURE_ESMP / "MINI-01.yaml").read_text())


def _write(tmp_path, data, name="MINI-01"):
    (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return tmp_path


class TestRatings:
    @pytest.mark.parametrize("rating, words", [(1, "low"), (4, "low"), (5, "medium"),
                                               (9, "medium"), (10, "high"), (16, "high"),
                                               (20, "very high"), (25, "very high")])
    def test_bands_of_the_5x5_matrix(self, rating, words):
        assert esmp.rating_words(rating) == words

    def test_fixture(self):
        r = esmp.load_register("MINI-01", FIXTURE_ESMP)
        assert [x.rating for x in r.risks] == [12, 9, 6]
        assert [x.residual_rating for x in r.risks] == [6, 4, 3]
        assert r.max_residual == 6


class TestLenderCategory:
    def _with(self, register_data, tmp_path, appendix="not_listed", residual=(1, 1)):
        register_data["decree_08_appendix"] = appendix
        register_data["risks"][0]["likelihood"] = register_data["risks"][0]["severity"] = 5
        register_data["risks"][0]["residual_likelihood"] = residual[0]
        register_data["risks"][0]["residual_severity"] = residual[1]
        return esmp.load_register("MINI-01", _write(tmp_path, register_data))

    @pytest.mark.parametrize("appendix, residual, category", [
        ("III", (1, 1), "A"), ("not_listed", (3, 5), "A"), ("IV", (1, 1), "B"),
        ("V", (2, 4), "B"), ("V", (1, 4), "C"), ("not_listed", (1, 1), "C")])
    def test_the_rule(self, register_data, tmp_path, appendix, residual, category):
        got, rule = esmp.lender_category(self._with(register_data, tmp_path, appendix, residual))
        assert got == category and rule.startswith(category)


class TestBadRegisters:
    @pytest.mark.parametrize("change, field, words", [
        (lambda d: d["risks"][0].update(likelihood=6), "risks[0].likelihood", "less than or"),
        (lambda d: d["risks"][0].update(area="noise"), "risks[0].area", "labour"),
        (lambda d: d["risks"][0].pop("mitigation"), "risks[0].mitigation", "required"),
        (lambda d: d["risks"][0].update(residual_likelihood=5, residual_severity=5), "risks[0]",
         "residual rating"),
        (lambda d: d.update(decree_08_appendix="VI"), "decree_08_appendix", "III"),
        (lambda d: d.update(case="HK-01"), "case", "register of MINI-01"),
        (lambda d: d["risks"].append(dict(d["risks"][0])), "risks", "each risk id once"),
    ])
    def test_one_line_naming_file_and_field(self, register_data, tmp_path, change, field,
                                            words):
        change(register_data)
        with pytest.raises(InputError) as err:
            esmp.load_register("MINI-01", _write(tmp_path, register_data))
        text = str(err.value)
        assert "\n" not in text and "MINI-01.yaml" in text and field in text and words in text

    def test_not_yaml(self, tmp_path):
        (tmp_path / "MINI-01.yaml").write_text("risks: [oops\n")
        with pytest.raises(InputError, match="MINI-01.yaml: line 2, column 1: expected valid YAML"):
            esmp.load_register("MINI-01", tmp_path)


class TestReportSection:
    def test_the_register_and_the_category(self):
        a = appraise(load_case(MINI))
        section = report.esmp_section(a)
        assert "C (low)" in section.text[0]
        assert len(section.tables["esmp"]) == 3
        html = section._repr_html_()
        assert 'id="esmp-esmp"' in html and "QCVN 19:2024/BTNMT" in html

    def test_a_case_without_register_says_so(self, mini_data, write_case):
        mini_data["id"] = "NOREG-01"
        a = appraise(load_case(write_case(mini_data, name="NOREG-01")))
        section = report.esmp_section(a)
        assert "No environmental and social risk register for NOREG-01" in section.warnings[0]

    def test_heat_map(self):
        reg = esmp.load_register("MINI-01", FIXTURE_ESMP)
        row = esmp.heat_map({"MINI-01": reg}).iloc[0]
        assert (row["labour"], row["resource_pollution"], row["community"]) == (6, 4, 3)
        assert row["category"] == "C"
        assert not math.isnan(row["labour"])


def test_every_project_case_has_a_valid_register():
    from eip_analysis import load_cases

    for cid in load_cases():
        r = esmp.load_register(cid)
        assert {x.area for x in r.risks} == set(esmp.AREAS), cid
        assert r.data_quality == "illustrative"
        assert all(x.source.lower().startswith("assumption") for x in r.risks)


def test_scores_read_as_whole_numbers():
    reg = esmp.load_register("MINI-01", FIXTURE_ESMP)
    html = report.frame_html(esmp.risk_table(reg), table_id="t")
    assert '<td class="num">12</td>' in html and "12.0" not in html and "4.00" not in html


def test_a_register_is_read_as_safely_as_a_case(tmp_path):
    (tmp_path / "MINI-01.yaml").mkdir()
    with pytest.raises(InputError, match="MINI-01.yaml: expected a regular file, not a folder"):
        esmp.load_register("MINI-01", tmp_path)
    (tmp_path / "MINI-02.yaml").write_text("case: MINI-02\ncase: MINI-02\n")
    with pytest.raises(InputError, match="line 2: expected each key once in a mapping"):
        esmp.load_register("MINI-02", tmp_path)
