"""The marginal abatement cost curve, against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eip_analysis import appraise, load_case, plots
from eip_analysis.cases import SURVEY_STATUSES
from eip_analysis.cases import load_case as load
from eip_analysis.errors import InputError
from eip_analysis.portfolio import (
    abatement_curve,
    barrier_frequency,
    marginal_abatement_cost,
    progress,
    status_by_park,
    survey_table,
)

from .conftest import MINI

CRF_10PCT_10YR = 0.10 / (1 - 1.1**-10)  # 0.162745 (A/P, 10%, 10) of the interest tables


@pytest.fixture
def mini():
    return appraise(load_case(MINI))


class TestMarginalAbatementCost:
    def test_hand_computed(self):
        # (100,000 x 0.162745 - 17,000) / 500 = -1.45 USD/tCO2e: it saves money
        assert marginal_abatement_cost(100_000, 17_000, 500, 0.10, 10) == pytest.approx(
            (100_000 * CRF_10PCT_10YR - 17_000) / 500, rel=1e-12)

    def test_no_abatement_is_not_divided(self):
        assert math.isnan(marginal_abatement_cost(1.0, 0.0, 0.0, 0.1, 10))
        assert math.isnan(marginal_abatement_cost(1.0, 0.0, -5.0, 0.1, 10))
        np.testing.assert_array_equal(
            np.isnan(marginal_abatement_cost([1, 1], [0, 0], [0, 10], 0.1, 10)), [True, False])

    def test_the_mini_case_from_its_own_figures(self, mini):
        row = abatement_curve([mini], n_draws=0).iloc[0]
        m = mini.metrics
        expected = (m.capex_usd * CRF_10PCT_10YR - m.annual_net_benefit_usd) / \
            m.co2e_avoided_t_per_year
        assert row["crf"] == pytest.approx(CRF_10PCT_10YR, rel=1e-12)
        assert row["mac_usd_per_tco2e"] == pytest.approx(expected, rel=1e-12)
        assert np.sign(row["mac_usd_per_tco2e"]) == np.sign(m.abatement_cost_usd_per_tco2e)


class TestCurve:
    def test_sorted_cheapest_first_and_cases_without_abatement_listed_last(
            self, mini, write_case, mini_data):
        mini_data["id"] = "MINI-02"
        for f in mini_data["resource_flows"]:  # the same fuel before and after: nothing avoided
            f["project_per_year"] = dict(f["baseline_per_year"])
        flat = appraise(load(write_case(mini_data, name="MINI-02")))
        assert flat.metrics.co2e_avoided_t_per_year == 0
        curve = abatement_curve([flat, mini], n_draws=0)
        assert curve["case_id"].tolist() == ["MINI-01", "MINI-02"]
        assert curve["counted"].tolist() == [True, False]
        assert math.isnan(curve.loc[1, "mac_usd_per_tco2e"])
        assert "avoids no emissions" in curve.loc[1, "note"]

    def test_whiskers_bracket_the_base_and_are_seeded(self, mini):
        a = abatement_curve([mini], n_draws=500, seed=7).iloc[0]
        b = abatement_curve([mini], n_draws=500, seed=7).iloc[0]
        assert a["mac_p10_usd_per_tco2e"] == b["mac_p10_usd_per_tco2e"]
        assert a["mac_p10_usd_per_tco2e"] < a["mac_usd_per_tco2e"] < a["mac_p90_usd_per_tco2e"]

    def test_the_twelve_cases(self):
        from eip_analysis import load_cases

        curve = abatement_curve([appraise(c) for c in load_cases().values()], n_draws=0)
        on = curve[curve["counted"]]
        assert on["mac_usd_per_tco2e"].is_monotonic_increasing
        off = curve[~curve["counted"]].set_index("case_id")
        assert (off[off["alternative_to"] == ""]["co2e_avoided_t_per_year"] <= 0).all()
        # TN-03 and TN-04 retire the same boilers: only the cheaper (TN-03) adds its tonnes
        assert off.loc["TN-04", "alternative_to"] == "TN-03"
        assert off.loc["TN-04", "note"].startswith("alternative to TN-03")
        assert len(curve) == 12

    def test_the_better_ranked_of_two_alternatives_is_on_the_curve(self):
        from eip_analysis import load_cases

        appraisals = [appraise(c) for c in load_cases().values()]
        curve = abatement_curve(appraisals, n_draws=0, order=["TN-04", "TN-03"]).set_index(
            "case_id")
        assert curve.loc["TN-04", "counted"] and not curve.loc["TN-03", "counted"]
        assert curve.loc["TN-03", "alternative_to"] == "TN-04"

    def test_later_capex_is_annualised_at_its_present_value(self):
        # HK-02 replaces its inverters in year 12: PV(capex) < capex, and the MAC uses the PV
        hk02 = appraise(load("HK-02"))
        row = abatement_curve([hk02], n_draws=0).iloc[0]
        m = hk02.metrics
        assert m.capex_pv_usd < m.capex_usd
        assert row["annualised_capex_usd_per_year"] == pytest.approx(m.capex_pv_usd * row["crf"])
        assert row["mac_usd_per_tco2e"] == pytest.approx(
            (m.capex_pv_usd * row["crf"] - m.annual_net_benefit_usd) / m.co2e_avoided_t_per_year)

    def test_charts(self, mini):
        curve = abatement_curve([mini], n_draws=200)
        fig = plots.abatement_curve_chart(curve)
        bars = [p for p in fig.axes[0].patches if p.get_gid() == "mac-MINI-01"]
        assert len(bars) == 1
        assert bars[0].get_width() == pytest.approx(mini.metrics.co2e_avoided_t_per_year)
        assert bars[0].get_height() == pytest.approx(curve.loc[0, "mac_usd_per_tco2e"])
        scatter = plots.npv_vs_abatement_chart(curve)
        assert any(line.get_gid() == "case-MINI-01" for line in scatter.axes[0].lines)


# -- survey status and barriers ------------------------------------------------------------------


def _with_rounds(mini_data, write_case, name, rounds, park=None):
    data = {**mini_data, "id": name, "survey": rounds}
    if park:
        data["park"] = park
    return load(write_case(data, name=name))


def _round(year, status, barriers=(), source="assumption: test round"):
    return {"round": year, "status": status, "barriers": list(barriers), "source": source}


class TestStatusAndBarriers:
    def test_status_by_park_counts_the_latest_round(self, mini_data, write_case):
        a = _with_rounds(mini_data, write_case, "A-01",
                         [_round(2020, "studied"), _round(2021, "operating")])
        b = _with_rounds(mini_data, write_case, "B-01", [_round(2020, "studied")],
                         park="Hoa Khanh")
        table = status_by_park([a, b]).set_index(["park", "status"])
        assert table.loc[("Tra Noc 1&2", "operating"), "cases"] == 1
        assert table.loc[("Tra Noc 1&2", "studied"), "cases"] == 0
        assert table.loc[("Hoa Khanh", "studied"), "case_ids"] == "B-01"
        assert len(table) == 2 * len(SURVEY_STATUSES)

    def test_barrier_frequency_counts_cases_and_the_npv_they_hold_back(
            self, mini_data, write_case):
        a = appraise(_with_rounds(mini_data, write_case, "A-01",
                                  [_round(2020, "studied", ["financial", "market"])]))
        b = appraise(_with_rounds(mini_data, write_case, "B-01",
                                  [_round(2020, "studied", ["financial"])]))
        table = barrier_frequency([a, b]).set_index("barrier")
        assert table.loc["financial", "cases"] == 2
        assert table.loc["financial", "npv_blocked_usd"] == pytest.approx(2 * a.npv_usd)
        assert table.loc["market", "positive_npv_blocked_usd"] == pytest.approx(
            max(a.npv_usd, 0.0))
        assert table.index[0] == "financial"  # most frequent first
        assert table.loc["regulatory/permits", "cases"] == 0

    def test_progress_between_rounds(self, mini_data, write_case):
        a = _with_rounds(mini_data, write_case, "A-01", [
            _round(2021, "in_implementation", ["logistics"]),
            _round(2020, "negotiating", ["financial", "logistics"]),
            _round(2022, "dropped", ["market"])])
        rows = progress([a]).to_dict("records")
        assert [(r["from_round"], r["to_round"], r["direction"]) for r in rows] == [
            (2020, 2021, "forward"), (2021, 2022, "dropped")]
        assert rows[0]["barriers_removed"] == "financial" and rows[1]["barriers_added"] == "market"

    def test_the_twelve_cases_respect_the_public_record(self):
        from eip_analysis import load_cases

        cases = list(load_cases().values())
        latest = {c.id: c.latest_survey for c in cases}
        implementing = sorted(cid for cid, s in latest.items() if s.status == "in_implementation")
        assert implementing == ["HK-02", "TN-03"]  # 2 of 12 by 2021, one per park
        for cid in implementing:
            assert "demonstration-detail/4" in latest[cid].source
        assert survey_table(cases)["source"].str.len().min() >= 3

    @pytest.mark.parametrize("round_, field, words", [
        (_round(2020, "finished"), "survey[0].status", "not_started"),
        (_round(2020, "studied", ["money"]), "survey[0].barriers[0]", "financial"),
        (_round(2020, "studied", ["market", "market"]), "survey[0].barriers",
         "each barrier at most once"),
    ])
    def test_bad_rounds_are_one_line_naming_file_and_field(self, mini_data, write_case, round_,
                                                           field, words):
        data = {**mini_data, "survey": [round_]}
        with pytest.raises(InputError) as err:
            load(write_case(data))
        text = str(err.value)
        assert "\n" not in text and "MINI-01.yaml" in text and field in text and words in text
