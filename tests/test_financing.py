"""Financing and tax: loan schedule, DSCR, tax incentives, equity view, parties, bad input.

Hand-worked example used below ("MINI-01 with a loan"): MINI-01 (capex 100,000 USD in year 0,
+17,000 a year in years 1-10) with 60% debt at 8% nominal, tenor 5 years, no grace, equal
principal, 1% upfront fee, CIT 20%, straight-line depreciation over 10 years, no inflation.
"""

from __future__ import annotations

import math

import numpy as np
import numpy_financial as npf
import pytest

from eip_analysis import appraise, load_case
from eip_analysis.cases import load_case as load
from eip_analysis.errors import InputError
from eip_analysis.financing import (
    Incentive,
    appraise_financing,
    build_financing,
    corporate_income_tax,
    evaluate_financing,
    loan_schedule,
    resolve_parameters,
    straight_line_depreciation,
)

from .conftest import MINI, one_line_error

ANNUITY_10PCT_10YR = (1 - 1.1**-10) / 0.10  # 6.144567

LOAN_TERMS = {"inflation_rate": 0.0, "tax_rate": 0.20, "debt_share": 0.6,
              "loan_interest_rate": 0.08, "loan_tenor_years": 5, "loan_grace_years": 0,
              "loan_repayment": "equal_principal", "loan_upfront_fee": 0.01,
              "depreciation_years": 10}

# By hand: loan 60,000 drawn in year 0, fee 600 paid (and expensed) in year 0 -> tax loss 600.
# Principal 12,000 a year in years 1-5; interest 8% of the opening balance:
INTEREST = [4_800, 3_840, 2_880, 1_920, 960]
DEBT_SERVICE = [12_000 + i for i in INTEREST]  # 16,800 15,840 14,880 13,920 12,960
# Assessable income = 17,000 - depreciation 10,000 - interest; year 1 also offsets the 600 loss:
#   y1 2,200 - 600 = 1,600 -> tax 320; y2 3,160 -> 632; y3 4,120 -> 824; y4 5,080 -> 1,016;
#   y5 6,040 -> 1,208; y6-10 7,000 -> 1,400.
TAX = [0, 320, 632, 824, 1_016, 1_208] + [1_400] * 5
# CFADS = 17,000 - tax: 16,680 16,368 16,176 15,984 15,792
CFADS = [17_000 - t for t in TAX[1:6]]
DSCR = [c / d for c, d in zip(CFADS, DEBT_SERVICE)]  # 0.992857 1.033333 1.087097 1.148276 1.218519
# Equity: year 0 -100,000 + 60,000 - 600 = -40,600; years 1-5 CFADS - debt service;
# years 6-10 17,000 - 1,400 = 15,600.
EQUITY = [-40_600] + [c - d for c, d in zip(CFADS, DEBT_SERVICE)] + [15_600] * 5


@pytest.fixture
def mini():
    return load_case(MINI)


def _with(write_case, data, **blocks):
    data = dict(data)
    data.update(blocks)
    return load(write_case(data))


class TestLoanSchedule:
    def test_equal_principal_by_hand(self):
        s = loan_schedule([[60_000.0] + [0.0] * 6], 0.08, first_operating_year=1,
                          grace_years=0, tenor_years=5, repayment="equal_principal")
        np.testing.assert_allclose(s.principal[0, 1:6], 12_000)
        np.testing.assert_allclose(s.interest_paid[0, 1:6], INTEREST)
        np.testing.assert_allclose(s.closing_balance[0], [60_000, 48_000, 36_000, 24_000,
                                                          12_000, 0, 0], atol=1e-9)

    def test_annuity_by_hand(self):
        # 100,000 at 10%, 1 grace year, tenor 4: interest only in year 1, then a level payment
        # 100,000 x 0.1 / (1 - 1.1^-3) = 40,211.48 in years 2-4:
        #   y2 interest 10,000.00, principal 30,211.48, balance 69,788.52
        #   y3 interest  6,978.85, principal 33,232.63, balance 36,555.89
        #   y4 interest  3,655.59, principal 36,555.89, balance 0
        s = loan_schedule([[100_000.0, 0, 0, 0, 0, 0]], 0.10, first_operating_year=1,
                          grace_years=1, tenor_years=4, repayment="annuity")
        payment = 100_000 * 0.1 / (1 - 1.1**-3)
        assert payment == pytest.approx(40_211.48, abs=0.01)
        np.testing.assert_allclose(s.debt_service[0], [0, 10_000, payment, payment, payment, 0])
        np.testing.assert_allclose(s.interest_paid[0, 2:5], [10_000, 6_978.85, 3_655.59],
                                   atol=0.01)
        np.testing.assert_allclose(s.principal[0, 2:5], [30_211.48, 33_232.63, 36_555.89],
                                   atol=0.01)
        assert s.closing_balance[0, -1] == pytest.approx(0, abs=1e-9)

    def test_interest_during_construction_is_capitalised(self):
        # Draws 50 (year 0) and 50 (year 1), operation from year 2, 10%: year 1 interest 5 on
        # the 50 is added to the balance (50 + 5 + 50 = 105 at the end of year 1); equal
        # principal over 2 years from year 2: 52.5 each, interest 10.5 then 5.25.
        s = loan_schedule([[50.0, 50.0, 0, 0, 0]], 0.10, first_operating_year=2,
                          grace_years=0, tenor_years=2)
        np.testing.assert_allclose(s.capitalised_interest[0], [0, 5, 0, 0, 0])
        np.testing.assert_allclose(s.closing_balance[0, :2], [50, 105])
        np.testing.assert_allclose(s.opening_balance[0, 2], 105)
        np.testing.assert_allclose(s.principal[0], [0, 0, 52.5, 52.5, 0])
        np.testing.assert_allclose(s.interest_paid[0], [0, 0, 10.5, 5.25, 0])

    def test_vectorised_rows_differ(self):
        s = loan_schedule(np.array([[100.0, 0, 0], [200.0, 0, 0]]), np.array([[0.1], [0.0]]),
                          first_operating_year=1, grace_years=0, tenor_years=2)
        np.testing.assert_allclose(s.debt_service, [[0, 60, 55], [0, 100, 100]])

    def test_unknown_profile(self):
        with pytest.raises(InputError, match="annuity or equal_principal"):
            loan_schedule([[1.0]], 0.1, first_operating_year=1, grace_years=0, tenor_years=1,
                          repayment="bullet")


class TestDepreciation:
    def test_straight_line_and_write_off_at_end_of_life(self):
        # 100 over 10 years but the life ends in year 4: 10 a year in years 1-3, 70 in year 4.
        d = straight_line_depreciation([[100.0, 0, 0, 0, 0, 0]], first_operating_year=1,
                                       depreciation_years=10, last_operating_year=4)
        np.testing.assert_allclose(d[0], [0, 10, 10, 10, 70, 0])

    def test_capex_during_operation_starts_next_year(self):
        d = straight_line_depreciation([[0, 0, 30.0, 0, 0, 0]], first_operating_year=1,
                                       depreciation_years=3, last_operating_year=5)
        np.testing.assert_allclose(d[0], [0, 0, 0, 10, 10, 10])


class TestTax:
    def test_incentive_schedule_year_by_year(self):
        # Brief: 10% for 15 years, 4 years exempt, then 9 years at 50% of 10%, then 20%.
        inc = Incentive(preferential_rate=np.array([[0.10]]),
                        preferential_years=np.array([[15.0]]), exempt_years=np.array([[4.0]]),
                        reduced_years=np.array([[9.0]]), reduction=np.array([[0.5]]))
        income = np.array([[0.0] + [100.0] * 20])
        r = corporate_income_tax(income, first_operating_year=1, standard_rate=0.2,
                                 incentive=inc)
        expected = [0.2] + [0.0] * 4 + [0.05] * 9 + [0.10] * 2 + [0.20] * 5
        np.testing.assert_allclose(r.rate[0], expected)
        np.testing.assert_allclose(r.tax[0], income[0] * expected)
        assert r.incentive_start_year[0] == 1

    def test_exemption_starts_with_first_taxable_income_at_the_latest_in_year_4(self):
        inc = Incentive(preferential_rate=np.array([[np.nan]]),
                        preferential_years=np.array([[np.inf]]), exempt_years=np.array([[2.0]]),
                        reduced_years=np.array([[0.0]]), reduction=np.array([[0.0]]))
        # Row 0: losses in years 1-2, first taxable income in year 3 -> exempt 3-4.
        # Row 1: losses in years 1-6 -> the exemption starts in year 4 anyway (exempt 4-5,
        # wasted on losses), the first taxable income in year 7 pays the full 20%.
        income = np.array([[0, -10, -10, 100, 100, 100, 100, 100],
                           [0, -10, -10, -10, -10, -10, -10, 100]], dtype=float)
        r = corporate_income_tax(income, first_operating_year=1, standard_rate=0.2,
                                 incentive=inc)
        assert r.incentive_start_year.tolist() == [3, 4]
        np.testing.assert_allclose(r.rate[0, 3:], [0, 0, 0.2, 0.2, 0.2])
        np.testing.assert_allclose(r.rate[1, 4:], [0, 0, 0.2, 0.2])
        assert r.tax[1, 7] == pytest.approx(0.2 * (100 - 50))  # 5 x 10 of losses offset

    def test_loss_carry_forward_five_years_oldest_first(self):
        # Loss of 100 in year 1, usable in years 2-6 only: 10 a year -> 50 used, 50 expire
        # at the end of year 6 (Law on CIT art. 16).
        income = np.array([[0, -100, 10, 10, 10, 10, 10, 10, 10]], dtype=float)
        r = corporate_income_tax(income, first_operating_year=1, standard_rate=0.2)
        np.testing.assert_allclose(r.loss_used[0], [0, 0, 10, 10, 10, 10, 10, 0, 0])
        np.testing.assert_allclose(r.loss_expired[0], [0, 0, 0, 0, 0, 0, 50, 0, 0])
        np.testing.assert_allclose(r.tax[0], [0, 0, 0, 0, 0, 0, 0, 2, 2])

    def test_incentive_block_of_a_case(self, write_case, mini_data):
        pct = {"unit": "fraction", "source": "Law on CIT art. 13 (domain brief)"}
        yrs = {"unit": "yr", "source": "Law on CIT art. 14 (domain brief)"}
        case = _with(write_case, mini_data, lifetime_years={
            "value": 20, "unit": "yr", "source": "assumption: fixture"}, tax={"incentive": {
                "basis": "Law on CIT arts. 13-14: 10% for 15 years, 4 exempt, 9 at 50% off",
                "preferential_rate": {"value": 0.10, **pct},
                "preferential_years": {"value": 15, **yrs},
                "exempt_years": {"value": 4, **yrs}, "reduced_years": {"value": 9, **yrs},
                "reduction": {"value": 0.5, **pct}}})
        fa = appraise_financing(case, debt_share=0.0, inflation_rate=0.0)
        rates = fa.table["cit_rate"].to_numpy()
        np.testing.assert_allclose(rates[1:], [0] * 4 + [0.05] * 9 + [0.10] * 2 + [0.20] * 5)
        assert "tax.incentive.exempt_years" in {p for p, _, _ in case.quantities()}


class TestHandWorkedLoan:
    def test_schedule_tax_dscr_and_equity(self, mini):
        fa = appraise_financing(mini, **LOAN_TERMS)
        t = fa.table
        np.testing.assert_allclose(t["interest_paid_usd"][1:6], INTEREST)
        np.testing.assert_allclose(t["debt_service_usd"][1:6], DEBT_SERVICE)
        np.testing.assert_allclose(t["tax_usd"], TAX)
        np.testing.assert_allclose(t["cfads_usd"][1:6], CFADS)
        np.testing.assert_allclose(t["dscr"][1:6], DSCR)
        assert t["dscr"][6:].isna().all()
        np.testing.assert_allclose(t["equity_cash_flow_usd"], EQUITY)
        assert fa.min_dscr == pytest.approx(16_680 / 16_800)  # 0.992857, year 1
        assert fa.average_dscr == pytest.approx(np.mean(DSCR))
        assert fa.debt_usd == pytest.approx(60_000)
        assert fa.equity_invested_usd == pytest.approx(40_600)

    def test_equity_irr_and_npv_against_numpy_financial(self, mini):
        fa = appraise_financing(mini, **LOAN_TERMS)
        assert fa.equity_irr == pytest.approx(npf.irr(EQUITY), rel=1e-9)
        assert fa.equity_npv_usd == pytest.approx(npf.npv(0.10, EQUITY), rel=1e-9)
        assert fa.equity_irr_nominal == pytest.approx(fa.equity_irr)  # no inflation
        cum = np.cumsum(EQUITY)
        k = int(np.flatnonzero(cum < 0).max())
        assert fa.equity_payback_years == pytest.approx(k - cum[k] / EQUITY[k + 1])

    def test_warnings_say_dscr_below_one(self, mini):
        fa = appraise_financing(mini, **LOAN_TERMS)
        assert any("DSCR falls to 0.99" in w and "year(s) 1" in w for w in fa.warnings)
        assert any("Cash shortfall" in w and "year(s) 1" in w for w in fa.warnings)

    def test_debt_capacity_gives_the_target_dscr(self, mini):
        fa = appraise_financing(mini, **LOAN_TERMS, target_min_dscr=1.25)
        share = fa.debt_capacity_share
        assert 0 < share < 0.6
        again = appraise_financing(mini, **{**LOAN_TERMS, "debt_share": share})
        assert again.min_dscr == pytest.approx(1.25, abs=1e-6)
        assert any("carries at most" in w for w in fa.warnings)

    def test_no_debt_no_dscr(self, mini):
        fa = appraise_financing(mini, debt_share=0.0)
        assert math.isnan(fa.min_dscr) and fa.debt_usd == 0
        assert any(w.startswith("No debt") for w in fa.warnings)

    def test_full_debt_means_no_equity_at_risk(self, mini):
        fa = appraise_financing(mini, debt_share=1.0, loan_upfront_fee=0.0)
        assert any("No equity at risk" in w for w in fa.warnings)
        assert any("Equity IRR not defined" in w for w in fa.warnings)


class TestRealAndNominal:
    def test_no_tax_no_debt_after_tax_npv_is_the_real_npv_at_any_inflation(self, mini):
        for inflation in (0.0, 0.05):
            fa = appraise_financing(mini, inflation_rate=inflation, tax_rate=0.0, debt_share=0)
            assert fa.project_npv_after_tax_usd == pytest.approx(appraise(mini).npv_usd)
            assert fa.project_irr_after_tax == pytest.approx(appraise(mini).irr)

    def test_debt_at_the_nominal_discount_rate_leaves_equity_npv_unchanged(self, mini):
        # Without tax and fees, a loan at the nominal cost of capital (1 + r)(1 + i) - 1 has zero
        # NPV, so equity NPV = project NPV (Modigliani-Miller without taxes).
        i = 0.04
        fa = appraise_financing(mini, inflation_rate=i, tax_rate=0.0, debt_share=0.7,
                                loan_upfront_fee=0.0, loan_interest_rate=1.1 * (1 + i) - 1)
        assert fa.equity_npv_usd == pytest.approx(appraise(mini).npv_usd, rel=1e-9)

    def test_inflation_raises_nominal_flows(self, mini):
        fa = appraise_financing(mini, inflation_rate=0.05, tax_rate=0.0, debt_share=0)
        np.testing.assert_allclose(fa.table["operating_cash_flow_usd"][1:4],
                                   [17_000 * 1.05, 17_000 * 1.05**2, 17_000 * 1.05**3])
        assert fa.equity_irr_nominal == pytest.approx((1 + fa.equity_irr) * 1.05 - 1)


class TestVectorised:
    def test_arrays_match_one_by_one(self, mini):
        params = resolve_parameters(mini).values
        values = {"capex.dryer.amount": np.array([80_000.0, 100_000, 120_000]),
                  "financing.interest_rate": np.array([0.05, 0.083, 0.10]),
                  "lifetime_years": np.array([8.0, 10, 12])}
        out = evaluate_financing(mini, params, values)
        for k in range(3):
            one = appraise_financing(mini, values={p: float(v[k]) for p, v in values.items()})
            for name, arr in out.items():
                assert arr[k] == pytest.approx(getattr(one, name), rel=1e-9, nan_ok=True), name

    def test_only_terms_vary(self, mini):
        params = resolve_parameters(mini).values
        out = evaluate_financing(mini, params, {
            "financing.interest_rate": np.array([0.03, 0.12]),
            "parameters.inflation_rate": np.array([0.0, 0.05])})
        for k, (rate, infl) in enumerate([(0.03, 0.0), (0.12, 0.05)]):
            one = appraise_financing(mini, loan_interest_rate=rate, inflation_rate=infl)
            assert out["equity_npv_usd"][k] == pytest.approx(one.equity_npv_usd, rel=1e-12)
            assert out["min_dscr"][k] == pytest.approx(one.min_dscr, rel=1e-12)

    def test_tenor_is_shortened_to_a_short_life(self, mini):
        params = resolve_parameters(mini, {"loan_tenor_years": 10}).values
        fl = build_financing(mini, params, {"lifetime_years": np.array([6.0, 12.0])})
        assert fl.tenor_years.ravel().tolist() == [6, 10]
        assert fl.loan.closing_balance[0, 6] == pytest.approx(0, abs=1e-6)


FIN_SOURCE = "assumption: fixture loan terms"


class TestBadFinancingInput:
    """Financing and tax blocks: one line naming the file, the field and what was expected."""

    def test_debt_share_above_one(self, write_case, mini_data):
        mini_data["financing"] = {"debt_share": {"value": 1.2, "unit": "fraction",
                                                 "source": FIN_SOURCE}}
        msg = one_line_error(write_case, mini_data)
        assert "financing.debt_share.value" in msg and "[0, 1]" in msg and "1.2" in msg

    def test_debt_share_range_below_zero(self, write_case, mini_data):
        mini_data["financing"] = {"debt_share": {"value": 0.5, "low": -0.1, "high": 0.6,
                                                 "unit": "fraction", "source": FIN_SOURCE}}
        msg = one_line_error(write_case, mini_data)
        assert "financing.debt_share" in msg and "[0, 1]" in msg

    def test_tenor_longer_than_lifetime(self, write_case, mini_data):
        mini_data["financing"] = {"tenor_years": {"value": 12, "unit": "yr",
                                                  "source": FIN_SOURCE}}
        msg = one_line_error(write_case, mini_data)
        assert "financing.tenor_years" in msg and "not longer than the operating lifetime" in msg

    def test_grace_not_shorter_than_tenor(self, write_case, mini_data):
        mini_data["financing"] = {
            "tenor_years": {"value": 5, "unit": "yr", "source": FIN_SOURCE},
            "grace_years": {"value": 5, "unit": "yr", "source": FIN_SOURCE}}
        msg = one_line_error(write_case, mini_data)
        assert "financing.grace_years" in msg and "fewer grace years" in msg

    def test_low_above_high_in_financing(self, write_case, mini_data):
        mini_data["financing"] = {"interest_rate": {
            "value": 0.05, "low": 0.06, "high": 0.04, "unit": "1/yr", "source": FIN_SOURCE}}
        msg = one_line_error(write_case, mini_data)
        assert "financing.interest_rate" in msg and "low <= value <= high" in msg

    def test_unknown_distribution_in_financing(self, write_case, mini_data):
        mini_data["financing"] = {"interest_rate": {
            "value": 0.05, "low": 0.04, "high": 0.06, "distribution": "beta", "unit": "1/yr",
            "source": FIN_SOURCE}}
        msg = one_line_error(write_case, mini_data)
        assert "financing.interest_rate.distribution" in msg and "triangular" in msg

    def test_wrong_unit(self, write_case, mini_data):
        mini_data["financing"] = {"interest_rate": {"value": 5, "unit": "%",
                                                    "source": FIN_SOURCE}}
        msg = one_line_error(write_case, mini_data)
        assert "financing.interest_rate.unit" in msg and "1/yr" in msg

    def test_unknown_repayment_profile(self, write_case, mini_data):
        mini_data["financing"] = {"repayment": "bullet"}
        msg = one_line_error(write_case, mini_data)
        assert "financing.repayment" in msg and "annuity" in msg

    def test_fractional_years(self, write_case, mini_data):
        mini_data["financing"] = {"tenor_years": {"value": 5.5, "unit": "yr",
                                                  "source": FIN_SOURCE}}
        msg = one_line_error(write_case, mini_data)
        assert "financing.tenor_years.value" in msg and "whole number" in msg

    def test_same_term_in_two_places(self, write_case, mini_data):
        mini_data["financing"] = {"debt_share": {"value": 0.5, "unit": "fraction",
                                                 "source": FIN_SOURCE}}
        mini_data["parameters"] = {"debt_share": {"value": 0.4, "unit": "fraction",
                                                  "source": FIN_SOURCE}}
        msg = one_line_error(write_case, mini_data)
        assert "parameters.debt_share" in msg and "one place" in msg

    def test_bad_parameter_override(self):
        from eip_analysis.parameters import coerce

        with pytest.raises(InputError, match=r"debt share in \[0, 1\]"):
            coerce("debt_share", 1.5)

    def test_valid_block_loads_and_is_used(self, write_case, mini_data):
        mini_data["financing"] = {
            "lender": "Viet Nam Environment Protection Fund", "repayment": "annuity",
            "interest_rate": {"value": 0.036, "unit": "1/yr",
                              "source": "VEPF preferential rate 3.6%/yr (domain brief)"},
            "tenor_years": {"value": 10, "unit": "yr", "source": "VEPF up to 10 years"}}
        case = load(write_case(mini_data))
        fa = appraise_financing(case)
        terms = fa.terms_table().set_index("term")
        assert terms.loc["loan_interest_rate", "value"] == 0.036
        assert "VEPF" in terms.loc["loan_interest_rate", "source"]
        assert terms.loc["loan_repayment", "value"] == "annuity"
        ds = fa.table["debt_service_usd"].to_numpy()[2:11]
        np.testing.assert_allclose(ds, ds[0])  # annuity: level after the grace year
        # a run override still wins over the case block
        assert appraise_financing(case, loan_interest_rate=0.05).parameters[
            "loan_interest_rate"] == 0.05
