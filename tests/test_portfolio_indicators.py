"""Park totals: the sum of the cases, each overlap counted once; the EIP criteria table."""

from __future__ import annotations

import copy

import pytest

from eip_analysis import appraise, load_case
from eip_analysis.checks import SharedResource
from eip_analysis.errors import InputError
from eip_analysis.portfolio.indicators import (
    ALL_PARKS,
    INFORMED_BY,
    TOTAL_METRICS,
    counted_once,
    indicator_table,
    load_indicators,
    park_totals,
)


def _case(write_case, mini_data, case_id, park="Hoa Khanh", excludes=(), husk=None):
    data = copy.deepcopy(mini_data)
    data.update(id=case_id, park=park)
    data["excludes"] = [{"case": x, "reason": "Same boiler."} for x in excludes]
    if husk:
        data["competes_for"] = [{"resource": "husk", "quantity_per_year": {
            "value": husk, "unit": "t/yr", "source": "assumption: test"}}]
    return appraise(load_case(write_case(data)))


@pytest.fixture
def four(write_case, mini_data):
    """A and B exclude each other (Hoa Khanh); C in Hoa Khanh; D in Tra Noc."""
    return [_case(write_case, mini_data, "A-01", excludes=["B-01"], husk=300),
            _case(write_case, mini_data, "B-01", excludes=["A-01"], husk=500),
            _case(write_case, mini_data, "C-01"),
            _case(write_case, mini_data, "D-01", park="Tra Noc 1&2", husk=200)]


HUSK = {"husk": SharedResource(park="Tra Noc 1&2", description="test", supply_per_year={
    "value": 400, "unit": "t/yr", "source": "assumption: test"})}


class TestTotals:
    def test_the_sum_of_the_cases_with_each_overlap_once(self, four):
        order = ["B-01", "C-01", "A-01", "D-01"]  # B ranks above A: B is counted
        t = park_totals(four, order, shortlisted=["B-01", "D-01"], resources=HUSK)
        t = t.set_index(["park", "set"])
        by_id = {a.case.id: a for a in four}
        for metric in TOTAL_METRICS:
            hk = t.loc[("Hoa Khanh", "all cases"), metric]
            assert hk == pytest.approx(getattr(by_id["B-01"].metrics, metric)
                                       + getattr(by_id["C-01"].metrics, metric))
            both = t.loc[(ALL_PARKS, "all cases"), metric]
            assert both == pytest.approx(hk + getattr(by_id["D-01"].metrics, metric))
            short = t.loc[(ALL_PARKS, "shortlist"), metric]
            assert short == pytest.approx(getattr(by_id["B-01"].metrics, metric)
                                          + getattr(by_id["D-01"].metrics, metric))
        assert t.loc[("Hoa Khanh", "all cases"), "case_ids"] == "B-01, C-01"
        assert t.loc[("Hoa Khanh", "all cases"), "left_out"] == (
            "A-01 excludes B-01, which ranks higher and is counted")
        assert t.loc[(ALL_PARKS, "all cases"), "shared_resources"] == (
            "husk: 700 of 400 t/yr (more than the supply)")
        assert t.loc[("Tra Noc 1&2", "shortlist"), "cases"] == 1

    def test_the_better_ranked_of_an_exclusive_pair_is_counted(self, four):
        counted, left = counted_once(four, ["A-01", "B-01", "C-01", "D-01"])
        assert [a.case.id for a in counted] == ["A-01", "C-01", "D-01"]
        assert list(left) == ["B-01"]

    def test_one_park_has_no_both_parks_row(self, four):
        t = park_totals(four[:3], ["A-01", "B-01", "C-01"], [], resources={})
        assert set(t["park"]) == {"Hoa Khanh"}


class TestIndicators:
    def test_every_row_is_sourced_and_informed_by_a_total(self):
        t = load_indicators()
        assert len(t) >= 8
        assert set(t["informed_by"]) <= set(INFORMED_BY)
        assert (t["source"].str.len() > 10).all()
        assert {"IEIP 2.0", "Decree 35/2022"} <= set(t["framework"])

    def test_the_figures_are_the_totals(self, four):
        totals = park_totals(four, ["A-01", "B-01", "C-01", "D-01"], ["A-01", "D-01"],
                             resources={})
        t = indicator_table(totals, load_indicators())
        short = totals[totals["set"] == "shortlist"].set_index("park")
        row = t[t["unit"] == "tCO2e/yr"].iloc[0]
        assert row[ALL_PARKS] == pytest.approx(short.loc[ALL_PARKS, "co2e_avoided_t_per_year"])
        exchanges = t[t["unit"] == "exchanges"].iloc[0]
        assert exchanges["Hoa Khanh"] == 1 and exchanges[ALL_PARKS] == 2

    @pytest.mark.parametrize("text, message", [
        ("framework,criterion\nx,y\n", "expected columns framework"),
        ("framework,criterion,text,informed_by,how,source\nIEIP 2.0,a,b,gdp,c,somewhere\n",
         "line 2: informed_by: expected one of"),
        ("framework,criterion,text,informed_by,how,source\nIEIP 2.0,a,b,exchanges,c,\n",
         "line 2: source: expected a source"),
    ])
    def test_bad_tables_in_one_line(self, tmp_path, text, message):
        path = tmp_path / "eip_indicators.csv"
        path.write_text(text)
        with pytest.raises(InputError, match=message):
            load_indicators(path)
