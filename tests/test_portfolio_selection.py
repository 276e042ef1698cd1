"""Selection of implementable solutions: the score by hand, each exclusion reason, stability,
the selection file and its overrides in one line."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from eip_analysis import appraise, load_case
from eip_analysis.checks import SharedResource
from eip_analysis.errors import InputError
from eip_analysis.esmp import load_register
from eip_analysis.portfolio import selection as sel
from eip_analysis.portfolio.selection import (
    CRITERIA,
    dirichlet_weights,
    load_selection,
    normalise,
    scores,
    shortlist,
    stability,
    weight_variations,
    with_overrides,
)

from .conftest import FIXTURE_CASES, MINI

FIXTURE_ESMP = FIXTURE_CASES.parent / "esmp"
#: The weights of data/raw/parameters/selection.yaml, in the order of CRITERIA.
W = dict(zip(CRITERIA, (0.12, 0.07, 0.05, 0.09, 0.17, 0.08, 0.08, 0.10, 0.09, 0.08, 0.07),
             strict=True))


@pytest.fixture(scope="module")
def selection():
    return load_selection()


@pytest.fixture(scope="module")
def register():
    return load_register("MINI-01", FIXTURE_ESMP)


class TestScoreByHand:
    """Two cases, every criterion normalised and weighted by hand."""

    RAW = pd.DataFrame({
        "npv_usd": [100.0, -50.0], "mirr": [0.10, 0.05], "payback_years": [5.0, math.inf],
        "life_years": [11, 11], "probability_npv_positive": [0.8, 0.3],
        "co2e_avoided_t_per_year": [200.0, 100.0], "water_saved_m3_per_year": [0.0, 0.0],
        "waste_diverted_t_per_year": [50.0, 0.0], "barrier_severity": [3, 7],
        "status_step": [0.5, 0.0], "esmp_residual": [6.0, 12.0],
        "data_quality": ["illustrative", "surveyed"]})

    def test_the_file_holds_these_weights(self, selection):
        assert selection.weight_values == pytest.approx(W)
        assert sum(W.values()) == pytest.approx(1.0)

    def test_values(self, selection):
        v = normalise(self.RAW, selection)
        # min-max over the two cases and zero: NPV over [-50, 100], MIRR over [0, 0.10],
        # tCO2e over [0, 200], waste over [0, 50]; neither saves water: 0 for both
        assert v["npv_usd"].tolist() == [1.0, 0.0]
        assert v["mirr"].tolist() == pytest.approx([1.0, 0.5])
        assert v["co2e_avoided_t_per_year"].tolist() == [1.0, 0.5]
        assert v["waste_diverted_t_per_year"].tolist() == [1.0, 0.0]
        assert v["water_saved_m3_per_year"].tolist() == [0.0, 0.0]
        assert v["payback_years"].tolist() == pytest.approx([1 - 5 / 11, 0.0])  # never: 0
        # severities sum to 14 over the seven categories (2+2+3+1+1+3+2)
        assert v["barrier_severity"].tolist() == pytest.approx([1 - 3 / 14, 1 - 7 / 14])
        assert v["esmp_residual"].tolist() == pytest.approx([1 - 5 / 24, 1 - 11 / 24])
        assert v["data_quality"].tolist() == [0.0, 1.0]

    def test_scores(self, selection):
        a = (0.12 * 1 + 0.07 * 1 + 0.05 * (6 / 11) + 0.09 * 0.8 + 0.17 * 1 + 0.08 * 0
             + 0.08 * 1 + 0.10 * (11 / 14) + 0.09 * 0.5 + 0.08 * (19 / 24) + 0.07 * 0)
        b = (0.12 * 0 + 0.07 * 0.5 + 0.05 * 0 + 0.09 * 0.3 + 0.17 * 0.5 + 0.08 * 0 + 0.08 * 0
             + 0.10 * 0.5 + 0.09 * 0 + 0.08 * (13 / 24) + 0.07 * 1)
        assert a == pytest.approx(0.7261775, abs=1e-7)
        assert b == pytest.approx(0.3103333, abs=1e-7)
        got = scores(normalise(self.RAW, selection), selection.weight_values)
        np.testing.assert_allclose(got, [a, b], rtol=1e-12)

    def test_weights_are_relative(self, selection):
        values = normalise(self.RAW, selection)
        doubled = {k: 2 * w for k, w in selection.weight_values.items()}
        np.testing.assert_allclose(scores(values, doubled),
                                   scores(values, selection.weight_values), rtol=1e-12)


# -- crafted cases, one per exclusion reason ---------------------------------------------------


def _case(write_case, mini_data, case_id, change=None):
    data = copy.deepcopy(mini_data)
    data["id"] = case_id
    if change:
        change(data)
    return appraise(load_case(write_case(data)))


def _run(appraisals, register, selection, probabilities=None, registers=None, resources=None):
    probabilities = probabilities or {a.case.id: 0.9 for a in appraisals}
    registers = registers if registers is not None else {a.case.id: register for a in appraisals}
    result = shortlist(appraisals, probabilities, registers, selection,
                       resources=resources if resources is not None else {})
    return result.table.set_index("case_id")


class TestExclusionReasons:
    def test_a_good_case_is_shortlisted(self, write_case, mini_data, register, selection):
        t = _run([_case(write_case, mini_data, "OK-01")], register, selection)
        assert bool(t.loc["OK-01", "shortlisted"]) and t.loc["OK-01", "reason"] == ""

    def test_dropped(self, write_case, mini_data, register, selection):
        def drop(d):
            d["survey"].append({"round": 2021, "status": "dropped", "source": "assumption: test"})
        t = _run([_case(write_case, mini_data, "DR-01", drop)], register, selection)
        assert t.loc["DR-01", "reason"].startswith("dropped at the 2021 survey")
        assert not t.loc["DR-01", "shortlisted"]

    def test_negative_npv(self, write_case, mini_data, register, selection):
        def dear(d):
            d["capex"][0]["amount"].update(value=500_000, low=400_000, high=600_000)
        a = _case(write_case, mini_data, "NEG-01", dear)
        t = _run([a], register, selection)
        assert f"base NPV of USD {a.metrics.npv_usd:,.0f} is not positive" in t.loc["NEG-01",
                                                                                   "reason"]

    def test_probability_below_the_threshold(self, write_case, mini_data, register, selection):
        a = _case(write_case, mini_data, "LOW-01")
        t = _run([a], register, selection, probabilities={"LOW-01": 0.55})
        assert t.loc["LOW-01", "reason"] == "P(NPV > 0) of 55.0% is below the 70% threshold"

    def test_blocking_barrier(self, write_case, mini_data, register, selection):
        def block(d):
            d["survey"][0].update(barriers=["financial", "market"], blocking=["market"])
        t = _run([_case(write_case, mini_data, "BL-01", block)], register, selection)
        assert t.loc["BL-01", "reason"] == "blocking barrier at the 2020 survey: market"

    def test_blocking_must_be_among_the_barriers(self, write_case, mini_data):
        data = copy.deepcopy(mini_data)
        data["survey"][0]["blocking"] = ["market"]
        with pytest.raises(InputError, match="survey"):
            load_case(write_case(data))

    def test_no_register_and_category_a(self, write_case, mini_data, register, selection):
        a, b = (_case(write_case, mini_data, i) for i in ("NR-01", "CA-01"))
        worst = register.model_copy(update={"risks": [
            register.risks[0].model_copy(update={"residual_likelihood": 4,
                                                 "residual_severity": 4})]})
        t = _run([a, b], register, selection, registers={"NR-01": None, "CA-01": worst})
        assert t.loc["NR-01", "reason"] == "no ESMP register"
        assert t.loc["CA-01", "reason"].startswith("lender's E&S category A (high): a residual "
                                                   "rating of 16")
        assert t.loc["CA-01", "reason"].endswith("above the acceptable B")

    def test_score_below_the_threshold(self, write_case, mini_data, register, selection):
        strict = with_overrides(selection, {"thresholds.min_score": "0.99"})
        t = _run([_case(write_case, mini_data, "SC-01")], register, strict)
        score = t.loc["SC-01", "score"]
        assert t.loc["SC-01", "reason"] == f"score of {score:.2f} is below the 0.99 threshold"

    def test_mutually_exclusive_the_better_is_kept(self, write_case, mini_data, register,
                                                   selection):
        def excl(other):
            def change(d):
                d["excludes"] = [{"case": other, "reason": "Same boiler."}]
            return change
        a = _case(write_case, mini_data, "EX-01", excl("EX-02"))
        b = _case(write_case, mini_data, "EX-02", excl("EX-01"))
        t = _run([a, b], register, selection, probabilities={"EX-01": 0.95, "EX-02": 0.75})
        assert t.loc["EX-01", "shortlisted"] and not t.loc["EX-02", "shortlisted"]
        assert t.loc["EX-02", "reason"] == (
            f"mutually exclusive with EX-01, which scores higher ({t.loc['EX-01', 'score']:.2f} "
            f"against {t.loc['EX-02', 'score']:.2f}): Same boiler.")

    def test_shared_resource_over_drawn(self, write_case, mini_data, register, selection):
        def draw(d):
            d["competes_for"] = [{"resource": "husk", "quantity_per_year": {
                "value": 600, "unit": "t/yr", "source": "assumption: test"}}]
        a = _case(write_case, mini_data, "SR-01", draw)
        b = _case(write_case, mini_data, "SR-02", draw)
        husk = {"husk": SharedResource(park="Hoa Khanh", description="test", supply_per_year={
            "value": 1000, "unit": "t/yr", "source": "assumption: test"})}
        t = _run([a, b], register, selection, probabilities={"SR-01": 0.95, "SR-02": 0.9},
                 resources=husk)
        assert t.loc["SR-01", "shortlisted"] and not t.loc["SR-02", "shortlisted"]
        assert t.loc["SR-02", "reason"] == ("husk: the better-scored cases already draw 600 of "
                                            "the stated 1,000 t/yr; this case needs 600 more")

    def test_every_rule_has_been_hit(self):
        # the rules above, one test each (dropped ... shared resource)
        assert set(sel.RULES) == {"dropped", "npv", "probability", "blocking", "esmp", "score",
                                  "excluded", "shared_resource"}


class TestStability:
    def test_dirichlet_draws_sum_to_one_around_the_weights(self):
        w = dirichlet_weights(W, 20, 4000, seed=1)
        np.testing.assert_allclose(w.sum(axis=1), 1.0)
        np.testing.assert_allclose(w.mean(axis=0), list(W.values()), atol=0.01)
        np.testing.assert_array_equal(dirichlet_weights(W, 20, 10, seed=1),
                                      dirichlet_weights(W, 20, 10, seed=1))  # seeded

    def test_zero_weights_stay_zero(self):
        w = dict(W, mirr=0.0)
        assert np.all(dirichlet_weights(w, 20, 50, seed=1)[:, list(CRITERIA).index("mirr")] == 0)
        rows, labels = weight_variations(w, 0.5)
        assert len(rows) == 2 * (len(CRITERIA) - 1) and "mirr -50%" not in labels

    def test_one_at_a_time(self):
        rows, labels = weight_variations(W, 0.5)
        assert labels[:2] == ["npv_usd -50%", "npv_usd +50%"]
        assert rows[0][0] == pytest.approx(0.06) and rows[1][0] == pytest.approx(0.18)
        np.testing.assert_allclose(rows[0][1:], list(W.values())[1:])

    def test_a_case_that_passes_every_rule_whatever_the_weights(self, write_case, mini_data,
                                                                register, selection):
        a = _case(write_case, mini_data, "ST-01")
        b = _case(write_case, mini_data, "ST-02")
        no_score_rule = with_overrides(selection, {"thresholds.min_score": "0"})
        result = shortlist([a, b], {"ST-01": 0.9, "ST-02": 0.2}, {"ST-01": register,
                                                                  "ST-02": register},
                           no_score_rule, resources={})
        s = stability(result).set_index("case_id")
        assert s.loc["ST-01", "share_shortlisted_dirichlet"] == 1.0
        assert s.loc["ST-01", "one_at_a_time_shortlisted"] == s.loc["ST-01",
                                                                    "one_at_a_time_variations"]
        assert s.loc["ST-02", "share_shortlisted_dirichlet"] == 0.0  # fails P(NPV > 0)
        assert s["stable"].all()

    def test_the_score_threshold_makes_a_case_depend_on_the_weights(
            self, write_case, mini_data, register, selection):
        a = _case(write_case, mini_data, "TH-01")
        b = _case(write_case, mini_data, "TH-02")
        probabilities = {"TH-01": 0.9, "TH-02": 0.8}
        base = shortlist([a, b], probabilities, {"TH-01": register, "TH-02": register},
                         selection, resources={})
        score = float(base.table.set_index("case_id").loc["TH-02", "score"])
        near = with_overrides(selection, {"thresholds.min_score": f"{score - 0.005:.4f}"})
        result = shortlist([a, b], probabilities, {"TH-01": register, "TH-02": register},
                           near, resources={})
        s = stability(result).set_index("case_id")
        assert 0.0 < s.loc["TH-02", "share_shortlisted_dirichlet"] < 1.0
        assert not s.loc["TH-02", "stable"]


class TestTheRealPortfolio:
    def test_the_shortlist_and_its_reasons(self, selection):
        from eip_analysis.cases import valid_cases
        from eip_analysis.esmp import register_for
        from eip_analysis.portfolio import probabilities_npv_positive

        cases, _ = valid_cases()
        appraisals = [appraise(c) for c in cases]
        probabilities = probabilities_npv_positive(appraisals, n_draws=2000, seed=20211130)
        result = shortlist(appraisals, probabilities, {c.id: register_for(c) for c in cases},
                           selection)
        t = result.table.set_index("case_id")
        # every case either shortlisted or excluded with a reason, never both
        assert ((t["reason"] == "") == t["shortlisted"]).all()
        assert "blocking barrier at the 2020 survey: market" in t.loc["TN-02", "reason"]
        for cid in t.index[t["npv_usd"] <= 0]:
            assert "is not positive" in t.loc[cid, "reason"]
        # of the cases that exclude each other, never both shortlisted
        assert not (t.loc["TN-03", "shortlisted"] and t.loc["TN-04", "shortlisted"])
        assert not (t.loc["TN-01", "shortlisted"] and t.loc["TN-02", "shortlisted"])


class TestSelectionFile:
    def test_overrides_keep_the_other_entries_and_say_so(self, selection):
        s = with_overrides(selection, {"weights.npv_usd": "0.3"})
        assert s.weights.npv_usd.value == 0.3 and s.weights.mirr.value == 0.07
        assert s.weights.npv_usd.source.startswith("assumption: set for this run")

    @pytest.mark.parametrize("name, value, message", [
        ("weights.npv_usd", "abc", ("override weights.npv_usd: expected a weight: a finite "
                                   "number >= 0, got 'abc'")),
        ("weights.npv_usd", "-1", "override weights.npv_usd: expected a weight"),
        ("weights.npv_usd", "inf", "override weights.npv_usd: expected a weight"),
        ("weights.nope", "1", "override weights.nope: expected a selection entry"),
        ("thresholds.min_score", "1.5", ("override thresholds.min_score: expected a number "
                                        "from 0 to 1")),
        ("thresholds.max_esmp_category", "D", "expected A, B or C"),
        ("barrier_severity.market", "4", "expected a whole number from 1 to 3"),
    ])
    def test_bad_overrides_in_one_line(self, selection, name, value, message):
        with pytest.raises(InputError) as err:
            with_overrides(selection, {name: value})
        assert message in str(err.value) and "\n" not in str(err.value)

    def test_weights_that_sum_to_zero(self, selection):
        zero = {f"weights.{k}": "0" for k in CRITERIA}
        with pytest.raises(InputError, match="weights: expected weights that sum to more "
                                             "than zero"):
            with_overrides(selection, zero)

    def test_a_file_amends_the_default_one(self, tmp_path):
        path = tmp_path / "mine.yaml"
        path.write_text(yaml.safe_dump({"weights": {"npv_usd": {"value": 0.5,
                                                                "source": "assumption: test"}}}))
        s = load_selection(path)
        assert s.weights.npv_usd.value == 0.5 and s.thresholds.min_score.value == 0.4

    @pytest.mark.parametrize("text, message", [
        ("weights: [\n", "mine.yaml: line 2, column 1: expected valid YAML"),
        ("- 1\n", "mine.yaml: expected a mapping with weights"),
        ("weights: {npv_usd: {value: -1, source: abc}}\n",
         "mine.yaml: weights.npv_usd.value: expected a weight: a finite number >= 0, got -1"),
        ("weights: {npv_usd: {value: 1}}\n", ("mine.yaml: weights.npv_usd.source: expected "
                                             "this field (required)")),
        ("colour: {blue: 1}\n", "mine.yaml: colour: expected a known entry"),
    ])
    def test_bad_files_in_one_line(self, tmp_path, text, message):
        path = tmp_path / "mine.yaml"
        path.write_text(text)
        with pytest.raises(InputError) as err:
            load_selection(path)
        assert message in str(err.value) and "\n" not in str(err.value)

    def test_the_parameters_loader_skips_it(self):
        from eip_analysis.parameters import OTHER_FILES, load_defaults

        assert "selection.yaml" in OTHER_FILES
        assert "weights" not in load_defaults()

    def test_every_weight_has_a_source(self, selection):
        table = selection.table()
        assert (table["source"].str.len() > 10).all()
        assert table["parameter"].str.startswith("weights.").sum() == len(CRITERIA)


def test_the_mini_case_fixture_is_shortlisted_with_its_register(register, selection):
    a = appraise(load_case(MINI))
    result = shortlist([a], {"MINI-01": 0.9}, {"MINI-01": register}, selection, resources={})
    assert result.shortlist == ["MINI-01"]
