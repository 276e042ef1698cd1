"""Scenarios, one-way sensitivity, switching values and Monte Carlo on MINI-01 and variants."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eip_analysis import appraise, load_case
from eip_analysis.cases import load_case as load
from eip_analysis.errors import InputError
from eip_analysis.risk import (
    BLOCK_DRAWS,
    Z_95,
    Driver,
    distribution_parameters,
    drivers,
    monte_carlo,
    monte_carlo_many,
    one_way,
    sample,
    scenarios,
    switching_values,
    tornado,
)

from .conftest import MINI

ANNUITY_10PCT_10YR = (1 - 1.1**-10) / 0.10  # 6.144567


@pytest.fixture
def mini():
    return load_case(MINI)


def _driver(dist: str, low=2.0, base=4.0, high=8.0) -> Driver:
    return Driver("x", "x", "USD", base, low, high, dist, "test", 0.0, math.inf)


class TestDrivers:
    def test_case_ranges_then_parameters(self, mini):
        from eip_analysis.financing import resolve_parameters

        ds = drivers(mini, resolve_parameters(mini), parameters=["discount_rate"])
        assert [d.path for d in ds] == [
            "lifetime_years", "capex.dryer.amount", "benefits.coal.unit_price",
            "transfers.wood_price.unit_price", "parameters.discount_rate"]
        assert ds[0].whole_years and ds[1].distribution == "triangular"
        assert (ds[-1].low, ds[-1].base, ds[-1].high) == (0.08, 0.10, 0.12)


class TestDistributions:
    @pytest.mark.parametrize("dist", ["normal", "lognormal"])
    def test_low_and_high_are_p5_and_p95(self, dist):
        x = sample([_driver(dist)], 400_000, np.random.default_rng(1))["x"]
        np.testing.assert_allclose(np.quantile(x, [0.05, 0.95]), [2.0, 8.0], rtol=0.01)

    def test_parameters(self):
        assert distribution_parameters(_driver("triangular")) == {
            "left": 2.0, "mode": 4.0, "right": 8.0}
        normal = distribution_parameters(_driver("normal"))
        assert normal == {"mean": 5.0, "sd": pytest.approx(6.0 / (2 * Z_95))}
        logn = distribution_parameters(_driver("lognormal"))
        assert math.exp(logn["mu"]) == pytest.approx(4.0)  # median = geometric mean of 2 and 8

    def test_triangular_mode_is_the_value_and_draws_stay_in_range(self):
        x = sample([_driver("triangular")], 200_000, np.random.default_rng(2))["x"]
        assert x.min() >= 2.0 and x.max() <= 8.0
        assert x.mean() == pytest.approx((2 + 4 + 8) / 3, rel=0.01)

    def test_normal_is_clipped_to_the_domain(self):
        x = sample([_driver("normal", low=0.0, base=1.0, high=2.0)], 10_000,
                   np.random.default_rng(3))["x"]
        assert x.min() >= 0.0

    def test_unknown_distribution(self):
        with pytest.raises(InputError, match="triangular, uniform, normal or lognormal"):
            distribution_parameters(_driver("cauchy"))


class TestOneWay:
    def test_ends_match_single_appraisals(self, mini):
        ow = one_way(mini).set_index("path")
        for path in ("capex.dryer.amount", "benefits.coal.unit_price", "lifetime_years"):
            row = ow.loc[path]
            assert row["metric_at_low"] == pytest.approx(
                appraise(mini, values={path: row["low"]}).npv_usd)
            assert row["metric_at_high"] == pytest.approx(
                appraise(mini, values={path: row["high"]}).npv_usd)
        # coal 45..75 USD/t: 500 t x 15 USD x A = 46,084 either way; swing 92,169
        assert ow.loc["benefits.coal.unit_price", "swing"] == pytest.approx(
            500 * 30 * ANNUITY_10PCT_10YR)
        assert ow.loc["capex.dryer.amount", "favourable_end"] == "low"

    def test_tornado_is_ordered_and_leaves_out_drivers_without_effect(self, mini):
        tor = tornado(mini)
        assert list(tor["swing"]) == sorted(tor["swing"], reverse=True)
        assert tor["path"].iloc[0] == "benefits.coal.unit_price"
        assert "transfers.wood_price.unit_price" not in set(tor["path"])  # cancels in the project


class TestSwitchingValues:
    def test_npv_is_zero_at_the_switching_value(self, mini):
        sv = switching_values(mini).set_index("path")
        for path in ("capex.dryer.amount", "benefits.coal.unit_price",
                     "parameters.discount_rate"):
            x = sv.loc[path, "switching_value"]
            assert abs(sv.loc[path, "metric_at_switching"]) < 1e-6
            npv = appraise(mini, **({"discount_rate": x} if path.startswith("parameters")
                                    else {"values": {path: x}})).npv_usd
            assert npv == pytest.approx(0, abs=1e-6)
        # by hand: capex = 17,000 A = 104,457.64; coal price = (100,000 / A + 500 x 60 - 17,000)
        # / 500 = 58.55 USD/t
        assert sv.loc["capex.dryer.amount", "switching_value"] == pytest.approx(
            17_000 * ANNUITY_10PCT_10YR, rel=1e-9)
        assert sv.loc["benefits.coal.unit_price", "switching_value"] == pytest.approx(
            (100_000 / ANNUITY_10PCT_10YR - 17_000 + 30_000) / 500, rel=1e-9)

    def test_switching_discount_rate_is_the_irr(self, mini):
        sv = switching_values(mini).set_index("path")
        assert sv.loc["parameters.discount_rate", "switching_value"] == pytest.approx(
            appraise(mini).irr, abs=1e-9)

    def test_lifetime_switches_between_whole_years(self, mini):
        sv = switching_values(mini).set_index("path")
        x = sv.loc["lifetime_years", "switching_value"]
        assert 9 < x < 10
        assert appraise(mini, values={"lifetime_years": 9}).npv_usd < 0
        assert appraise(mini, values={"lifetime_years": 10}).npv_usd > 0
        assert "whole years" in sv.loc["lifetime_years", "note"]

    def test_none_in_range_says_so(self, write_case, mini_data):
        # Capex 300,000: even with no maintenance at all NPV = -300,000 + 22,000 A < 0.
        mini_data["capex"][0]["amount"].update(value=300_000, low=None, high=None)
        mini_data["opex"][0]["amount_per_year"].update(low=0, high=10_000)
        case = load(write_case(mini_data))
        sv = switching_values(case).set_index("path")
        row = sv.loc["opex.maintenance.amount_per_year"]
        assert math.isnan(row["switching_value"]) and not row["within_range"]
        assert row["note"].startswith("None in range: NPV stays below 0")


class TestScenarios:
    def test_conservative_base_optimistic(self, mini):
        sc = scenarios(mini)
        npv = sc.results.set_index("scenario")["npv_usd"]
        assert npv["conservative"] < npv["base"] < npv["optimistic"]
        assert npv["base"] == pytest.approx(appraise(mini).npv_usd)
        inputs = sc.inputs.set_index("path")
        assert inputs.loc["capex.dryer.amount", "conservative"] == 120_000
        assert inputs.loc["benefits.coal.unit_price", "conservative"] == 45
        assert inputs.loc["lifetime_years", "optimistic"] == 12
        # conservative by hand: 8 years, capex 120,000, coal 45 -> 9,500 a year
        assert npv["conservative"] == pytest.approx(
            -120_000 + 9_500 * (1 - 1.1**-8) / 0.1, rel=1e-9)
        # a higher loan rate only moves the equity view: conservative takes the high end
        assert inputs.loc["financing.interest_rate", "conservative"] == 0.10


class TestMonteCarlo:
    def test_same_seed_same_results_other_seed_other_results(self, mini):
        a = monte_carlo(mini, n_draws=500, seed=7)
        b = monte_carlo(mini, n_draws=500, seed=7)
        c = monte_carlo(mini, n_draws=500, seed=8)
        for k in a.outputs:
            np.testing.assert_array_equal(a.outputs[k], b.outputs[k])
        assert a.summary().equals(b.summary())
        assert not np.array_equal(a.outputs["npv_usd"], c.outputs["npv_usd"])

    def test_draws_match_single_appraisals(self, mini):
        mc = monte_carlo(mini, n_draws=50, seed=3, financing=False)
        for k in (0, 17, 49):
            one = appraise(mini, values={p: float(v[k]) for p, v in mc.inputs.items()
                                         if not p.startswith(("parameters.", "financing."))})
            assert mc.outputs["npv_usd"][k] == pytest.approx(one.npv_usd, rel=1e-12)
            assert mc.outputs["irr"][k] == pytest.approx(one.irr, rel=1e-9)

    def test_mean_converges_to_base_npv_for_symmetric_inputs(self, write_case, mini_data):
        # Linear in each input, independent symmetric draws (value at the middle of the range):
        # E[NPV] = NPV(E[inputs]) = base NPV. The error must shrink like 1/sqrt(n).
        mini_data["lifetime_years"] = {"value": 10, "unit": "yr", "source": "assumption: x"}
        mini_data["capex"][0]["amount"].update(distribution="uniform")
        mini_data["benefits"][0]["unit_price"].update(distribution="normal")
        case = load(write_case(mini_data))
        base = appraise(case).npv_usd
        for n in (1_000, 100_000):
            mc = monte_carlo(case, n_draws=n, seed=11, financing=False)
            npv = mc.outputs["npv_usd"]
            se = npv.std() / math.sqrt(n)
            assert abs(npv.mean() - base) < 4 * se
        assert abs(npv.mean() - base) < 0.015 * npv.std()  # 100,000 draws: 1.5% of a sd

    def test_summary(self, mini):
        mc = monte_carlo(mini, n_draws=2_000, seed=5)
        s = mc.summary().set_index("metric")
        assert s.loc["npv_usd", "p10"] < s.loc["npv_usd", "p50"] < s.loc["npv_usd", "p90"]
        assert s.loc["npv_usd", "probability"] == pytest.approx(mc.probability_npv_positive)
        assert 0 < mc.probability_npv_positive < 1
        assert s.loc["irr", "p10"] < s.loc["irr", "p50"] < s.loc["irr", "p90"]
        assert s.loc["payback_years", "p10"] <= s.loc["payback_years", "p90"]
        assert {"equity_npv_usd", "min_dscr"} <= set(s.index)
        assert set(mc.dscr_probabilities()) == {"below_1", "below_target"}

    def test_bad_number_of_draws(self, mini):
        with pytest.raises(InputError, match="whole number of draws"):
            monte_carlo(mini, n_draws=0)


class TestMonteCarloMany:
    """Many cases at once, locally (the cluster path: tests/test_cluster.py)."""

    def test_equals_monte_carlo_of_each_case(self, mini, write_case, mini_data):
        mini_data["id"] = "MINI-02"
        mini_data["capex"][0]["amount"].update(distribution="uniform")
        other = load(write_case(mini_data))
        n = BLOCK_DRAWS + 333  # two blocks, the second partial
        many = monte_carlo_many([mini, other], n_draws=n, seed=9)
        assert list(many) == ["MINI-01", "MINI-02"]
        for case in (mini, other):
            one = monte_carlo(case, n_draws=n, seed=9)
            got = many[case.id]
            assert (got.n_draws, got.seed, got.drivers, got.base) == (
                n, 9, one.drivers, one.base)
            for k in one.inputs:
                assert np.array_equal(got.inputs[k], one.inputs[k])
            for k in one.outputs:
                assert np.array_equal(got.outputs[k], one.outputs[k], equal_nan=True)
        assert not np.array_equal(many["MINI-01"].outputs["npv_usd"],
                                  many["MINI-02"].outputs["npv_usd"])

    def test_ids_and_paths_are_loaded(self, mini):
        many = monte_carlo_many([MINI], n_draws=200, seed=1, financing=False)
        assert list(many) == ["MINI-01"] and set(many["MINI-01"].outputs) == {
            "npv_usd", "irr", "payback_years"}
        assert np.array_equal(many["MINI-01"].outputs["npv_usd"],
                              monte_carlo(mini, n_draws=200, seed=1,
                                          financing=False).outputs["npv_usd"])

    @pytest.mark.parametrize("chunk", [0, -BLOCK_DRAWS, 2.5, "2000", True])
    def test_chunk_draws_must_be_a_whole_number(self, mini, chunk):
        with pytest.raises(InputError) as info:
            monte_carlo_many([mini], n_draws=100, chunk_draws=chunk)
        msg = str(info.value)
        assert msg.startswith("chunk_draws: expected a whole number of draws >= 1")
        assert "\n" not in msg

    def test_chunk_draws_must_be_whole_blocks(self, mini):
        with pytest.raises(InputError, match=f"chunk_draws: expected a multiple of "
                                             f"{BLOCK_DRAWS:,} draws"):
            monte_carlo_many([mini], n_draws=100, chunk_draws=BLOCK_DRAWS + 1)

    def test_bad_number_of_draws_and_duplicate_ids(self, mini):
        with pytest.raises(InputError, match="n_draws: expected a whole number of draws"):
            monte_carlo_many([mini], n_draws=0)
        with pytest.raises(InputError, match="cases: expected cases with different ids, "
                                             "got 'MINI-01'"):
            monte_carlo_many([mini, MINI], n_draws=10)

    def test_a_bad_case_file_is_one_line(self, mini, write_case, mini_data):
        mini_data["benefits"][0]["unit_price"].update(low=80, high=50)
        path = write_case(mini_data)
        with pytest.raises(InputError) as info:
            monte_carlo_many([mini, path], n_draws=10)
        msg = str(info.value)
        assert msg.startswith(str(path)) and "\n" not in msg


class TestBadRiskInput:
    """The schema catches bad ranges on any driver, including loan terms."""

    def test_low_above_high_on_a_driver(self, write_case, mini_data):
        mini_data["benefits"][0]["unit_price"].update(low=80, high=50)
        path = write_case(mini_data)
        with pytest.raises(InputError) as info:
            load(path)
        msg = str(info.value)
        assert msg.startswith(str(path)) and "\n" not in msg
        assert "benefits[0].unit_price" in msg and "low <= value <= high" in msg

    def test_unknown_distribution_on_a_driver(self, write_case, mini_data):
        mini_data["benefits"][0]["unit_price"]["distribution"] = "pareto"
        path = write_case(mini_data)
        with pytest.raises(InputError) as info:
            load(path)
        msg = str(info.value)
        assert msg.startswith(str(path)) and "distribution" in msg and "lognormal" in msg

    def test_unknown_path_in_values(self, mini):
        from eip_analysis.risk import evaluate_metrics

        with pytest.raises(InputError, match="paths of this case"):
            evaluate_metrics(mini, {}, {"capex.nope.amount": np.ones(2)}, ["npv_usd"])


