"""Appraisal: metrics checked by hand on MINI-01, the 12 cases, warnings, vectorised evaluate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eip_analysis import appraise, evaluate, load_case, load_cases
from eip_analysis.finance import capital_recovery_factor
from eip_analysis.parameters import resolve

from .conftest import MINI, each_mapping

# MINI-01 by hand: -100,000 in year 0, +17,000 in years 1-10, 10% real.
ANNUITY_10PCT_10YR = (1 - 1.1**-10) / 0.10  # 6.144567 (standard annuity table)
NPV_MINI = -100_000 + 17_000 * ANNUITY_10PCT_10YR  # 4,457.64
# IPCC 2006 defaults (Vol. 2 Tables 1.2, 1.4, 2.3), AR5 GWPs (CH4 28, N2O 265):
# coal 500 t x 25.8 TJ/Gg = 12.9 TJ: CO2 12.9 x 94.6 = 1,220.34 t; CH4 12.9 x 10 kg = 0.129 t
#   x 28 = 3.612; N2O 12.9 x 1.5 kg = 0.01935 t x 265 = 5.12775 -> 1,229.08 tCO2e
# wood 800 t x 15.6 = 12.48 TJ: CO2 biogenic (memo); CH4 0.3744 t x 28 = 10.4832;
#   N2O 0.04992 t x 265 = 13.2288 -> 23.712 tCO2e
CO2E_AVOIDED_MINI = 1220.34 + 3.612 + 5.12775 - 10.4832 - 13.2288


@pytest.fixture
def mini():
    return load_case(MINI)


class TestAppraiseMini:
    def test_headline_metrics_by_hand(self, mini):
        a = appraise(mini)
        assert a.capex_usd == pytest.approx(100_000)
        assert a.annual_net_benefit_usd == pytest.approx(17_000)
        assert a.npv_usd == pytest.approx(NPV_MINI, abs=0.01)
        assert a.npv_usd == pytest.approx(4457.64, abs=0.01)
        assert a.payback_years == pytest.approx(100_000 / 17_000)
        assert a.co2e_avoided_t_per_year == pytest.approx(CO2E_AVOIDED_MINI, rel=1e-9)
        assert a.co2e_avoided_t_lifetime == pytest.approx(10 * CO2E_AVOIDED_MINI, rel=1e-9)

    def test_irr_makes_npv_zero(self, mini):
        a = appraise(mini)
        assert 17_000 * (1 - (1 + a.irr) ** -10) / a.irr == pytest.approx(100_000, rel=1e-9)

    def test_abatement_cost_equals_the_brief_formula(self, mini):
        # MAC = (capex x CRF + delta O&M - annual savings) / annual tCO2e (domain brief)
        a = appraise(mini)
        mac = (100_000 * capital_recovery_factor(0.10, 10) - 17_000) / CO2E_AVOIDED_MINI
        assert a.abatement_cost_usd_per_tco2e == pytest.approx(mac, rel=1e-9)
        assert mac == pytest.approx(-0.6019, abs=1e-4)

    def test_party_npvs(self, mini):
        a = appraise(mini)
        assert a.supplier_npv_usd == pytest.approx(-100_000 + 7_000 * ANNUITY_10PCT_10YR)
        assert a.receiver_npv_usd == pytest.approx(10_000 * ANNUITY_10PCT_10YR)
        assert a.supplier_npv_usd + a.receiver_npv_usd == pytest.approx(a.npv_usd)
        assert any("supplier loses" in w for w in a.warnings)

    def test_cashflow_table(self, mini):
        t = appraise(mini).cashflows
        assert len(t) == 11 and t["year"].tolist() == list(range(11))
        assert t["cumulative_discounted_usd"].iloc[-1] == pytest.approx(NPV_MINI, abs=0.01)
        assert t["phase"].iloc[0] == "construction" and set(t["phase"].iloc[1:]) == {"operation"}

    def test_overrides_and_values(self, mini):
        at_8 = appraise(mini, discount_rate=0.08)
        assert at_8.npv_usd == pytest.approx(-100_000 + 17_000 * (1 - 1.08**-10) / 0.08)
        assert "override" in at_8.parameters.sources["discount_rate"]
        cheaper = appraise(mini, values={"capex.dryer.amount": 90_000})
        assert cheaper.npv_usd == pytest.approx(NPV_MINI + 10_000)

    def test_ar6_changes_emissions(self, mini):
        assert appraise(mini, gwp_set="AR6").co2e_avoided_t_per_year != pytest.approx(
            appraise(mini).co2e_avoided_t_per_year)

    def test_assumptions_table_lists_every_input_with_source(self, mini):
        table = appraise(mini).assumptions()
        assert table["source"].str.len().min() > 3
        assert "capex.dryer.amount" in set(table["path"])
        assert "parameters.discount_rate" in set(table["path"])

    def test_vnd_case_is_converted_at_the_exchange_rate(self, mini):
        data = mini.model_dump(exclude={"source_file", "sha256"})
        rate = resolve()["exchange_rate_vnd_per_usd"]
        data["currency"] = "VND"

        def scale(node):
            if {"value", "unit", "source"} <= set(node) and "USD" in node["unit"]:
                node["unit"] = node["unit"].replace("USD", "VND")
                for k in ("value", "low", "high"):
                    if node.get(k) is not None:
                        node[k] *= rate

        each_mapping(data, scale)
        vnd = appraise(type(mini).model_validate(data))
        assert vnd.npv_usd == pytest.approx(NPV_MINI, rel=1e-9)


class TestWarnings:
    def _with_flows(self, mini, flows):
        data = mini.model_dump(exclude={"source_file", "sha256"})
        data["opex"] = data["opex"][:1]
        data["benefits"] = [{
            "name": "b", "description": "yearly benefit", "party": "receiver",
            "amount_per_year": {"value": flows, "unit": "USD/yr", "source": "assumption: x"}}]
        data["transfers"] = []
        return type(mini).model_validate(data)

    def test_never_paid_back(self, mini):
        a = appraise(self._with_flows(mini, 6_000.0))  # +1,000 a year against 100,000
        assert not math.isfinite(a.payback_years)
        assert any(w.startswith("Never paid back") for w in a.warnings)

    def test_no_emissions_avoided(self, mini):
        data = mini.model_dump(exclude={"source_file", "sha256"})
        data["resource_flows"][1]["project_per_year"]["value"] = 80_000
        a = appraise(type(mini).model_validate(data))
        assert math.isnan(a.abatement_cost_usd_per_tco2e)
        assert any(w.startswith("The exchange adds") and "(mostly wood)" in w
                   and "abatement cost per tCO2e is not defined" in w for w in a.warnings)

    def test_multiple_irrs_flagged(self, mini):
        data = mini.model_dump(exclude={"source_file", "sha256"})
        # A big removal cost at the end of life: -, +, ..., + then - again.
        data["capex"].append({**data["capex"][0], "name": "removal", "year": 10,
                              "amount": {"value": 150_000, "unit": "USD",
                                         "source": "assumption: x"}})
        a = appraise(type(mini).model_validate(data))
        assert a.sign_changes == 2
        assert any(w.startswith("Multiple IRRs possible") for w in a.warnings)


class TestEvaluate:
    def test_rows_equal_appraise(self, mini):
        params = resolve().values
        prices = np.array([45.0, 60.0, 75.0])
        many = evaluate(mini, params, {"benefits.coal.unit_price": prices})
        for i, p in enumerate(prices):
            one = appraise(mini, values={"benefits.coal.unit_price": p})
            assert many["npv_usd"][i] == pytest.approx(one.npv_usd)
            assert many["irr"][i] == pytest.approx(one.irr)


class TestReviewFindings:
    """Regression tests for an independent review of the appraisal."""

    def test_mirr_of_a_row_does_not_depend_on_other_rows_lifetimes(self, mini):
        params = resolve().values
        both = evaluate(mini, params, {"lifetime_years": np.array([8.0, 12.0])})["mirr"]
        alone = evaluate(mini, params, {"lifetime_years": 8.0})["mirr"]
        assert both[0] == pytest.approx(alone[0])

    def test_profitability_index_counts_capex_in_every_year(self, mini):
        # Capex 50,000 in year 0 and 50,000 in year 1, operation from year 2.
        data = mini.model_dump(exclude={"source_file", "sha256"})
        half = {**data["capex"][0]["amount"], "value": 50_000, "low": None, "high": None}
        data["capex"] = [{**data["capex"][0], "amount": half},
                         {**data["capex"][0], "name": "stage2", "year": 1, "amount": half}]
        data["operation_start_year"] = 2
        a = appraise(type(mini).model_validate(data))
        pv_capex = 50_000 + 50_000 / 1.1
        assert a.profitability_index == pytest.approx(1 + a.npv_usd / pv_capex)

    def test_discount_rate_through_values_is_one_rate_everywhere(self, mini):
        a = appraise(mini, values={"parameters.discount_rate": 0.05})
        assert a.npv_usd == pytest.approx(appraise(mini, discount_rate=0.05).npv_usd)
        assert a.cashflows["cumulative_discounted_usd"].iloc[-1] == pytest.approx(a.npv_usd)
        assert a.metrics_row()["discount_rate"] == 0.05

    def test_discount_rate_array_alone_sets_the_scenarios(self, mini):
        rates = np.array([0.08, 0.12])
        npv = evaluate(mini, resolve().values, {"parameters.discount_rate": rates})["npv_usd"]
        assert npv == pytest.approx([appraise(mini, discount_rate=r).npv_usd for r in rates])

    def test_paid_back_then_negative_again_is_worded_as_such(self, mini):
        data = mini.model_dump(exclude={"source_file", "sha256"})
        data["capex"].append({**data["capex"][0], "name": "removal", "year": 10,
                              "amount": {"value": 150_000, "unit": "USD",
                                         "source": "assumption: x"}})
        a = appraise(type(mini).model_validate(data))
        assert any(w.startswith("Not paid back for good") for w in a.warnings)


class TestProjectCases:
    def test_all_twelve_appraise_to_finite_npv(self):
        cases = load_cases()
        assert len(cases) == 12
        for cid, case in cases.items():
            a = appraise(case)
            assert math.isfinite(a.npv_usd), cid
            assert a.capex_usd > 0, cid
            assert math.isfinite(a.co2e_avoided_t_per_year), cid


class TestEmissionsOverTheLife:
    """Year-by-year emissions: first-order decay of landfill, grid-factor path."""

    def _landfill_case(self, mini_data, write_case):
        mini_data["resource_flows"].append({
            "flow": "landfill_food", "party": "supplier", "description": "Food waste landfilled",
            "site": "managed_anaerobic",
            "baseline_per_year": {"value": 1000, "unit": "t/yr",
                                  "source": "assumption: fixture, landfilled today"},
            "project_per_year": {"value": 0, "unit": "t/yr", "source": "assumption: fixture"}})
        return load_case(write_case(mini_data))

    def test_fod_against_hand_computation(self, mini_data, write_case):
        import math

        case = self._landfill_case(mini_data, write_case)
        a = appraise(case, landfill_method="fod")
        row = a.emissions.set_index("flow").loc["landfill_food"]
        # deposits in years 1..10; CH4 per t = 0.15 x 0.5 x MCF 1.0 x 0.5 x 16/12 x phi 0.85
        per_t = 0.15 * 0.5 * 1.0 * 0.5 * 16 / 12 * 0.85
        k = 0.4
        total = sum(1000 * per_t * math.exp(-k * (y - x)) * (1 - math.exp(-k))
                    for y in range(1, 11) for x in range(1, y + 1))
        assert row["baseline_co2e_t_per_year"] == pytest.approx(total * 28 / 10)
        assert "first-order-decay" in row["method"]
        b = appraise(case, landfill_method="commitment")
        commitment = b.emissions.set_index("flow").loc["landfill_food"]
        assert commitment["baseline_co2e_t_per_year"] == pytest.approx(
            1000 * 0.15 * 0.5 * 1.0 * 0.5 * 16 / 12 * 28)
        assert a.co2e_avoided_t_per_year < b.co2e_avoided_t_per_year

    def test_grid_path_lowers_later_years(self, mini_data, write_case):
        mini_data["resource_flows"].append({
            "flow": "electricity", "party": "receiver", "description": "Grid power saved",
            "baseline_per_year": {"value": 100, "unit": "MWh/yr",
                                  "source": "assumption: fixture, metered today"},
            "project_per_year": {"value": 0, "unit": "MWh/yr", "source": "assumption: x"}})
        case = load_case(write_case(mini_data))
        flat = appraise(case).emissions.set_index("flow").loc["electricity"]
        falling = appraise(case, grid_factor_change_per_year=-0.05).emissions.set_index(
            "flow").loc["electricity"]
        assert flat["avoided_co2e_t_per_year"] == pytest.approx(65.92)
        assert falling["avoided_co2e_t_per_year"] == pytest.approx(
            65.92 * sum(0.95 ** t for t in range(10)) / 10)


def test_non_finite_results_name_the_case_and_its_largest_inputs():
    from eip_analysis.errors import InputError

    case = load_case(MINI)
    with pytest.raises(InputError) as err:
        appraise(case, values={"capex.dryer.amount": 1e308, "benefits.coal.unit_price": 1e308})
    text = str(err.value)
    assert text.startswith(f"{case.source_file}: expected finite results (")
    assert "overflow); the largest inputs are" in text
