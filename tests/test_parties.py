"""Both parties' view: each party's NPV and the transfer-price range, against hand-worked answers.

MINI-01 (tests/data/cases/MINI-01.yaml): the supplier invests 100,000 and sells 800 t/yr at the
transfer price to the receiver, who saves 30,000 - 8,000 a year; 10 years at 10%.
"""

from __future__ import annotations

import math

import pytest

from eip_analysis import appraise, load_case
from eip_analysis.cases import load_case as load
from eip_analysis.errors import InputError
from eip_analysis.parties import PARTIES, party_view, transfer_price_range

from .conftest import MINI

ANNUITY_10PCT_10YR = (1 - 1.1**-10) / 0.10  # 6.144567


@pytest.fixture
def mini():
    return load_case(MINI)


class TestParties:
    def test_party_npvs_add_up(self, mini):
        view = party_view(mini).set_index("party")
        assert view.loc["supplier", "npv_usd"] + view.loc["receiver", "npv_usd"] == \
            pytest.approx(view.loc["project", "npv_usd"])
        assert math.isnan(view.loc["receiver", "irr"])  # invests nothing

    def test_transfer_price_range_known_answer(self, mini):
        # Supplier (payee): -100,000 + (800 p - 5,000) A >= 0 -> p >= (5,000 + 100,000 / A) / 800
        # Receiver (payer): (30,000 - 8,000 - 800 p) A >= 0 -> p <= 27.5 USD/t
        tpr = transfer_price_range(mini)
        p_min = (5_000 + 100_000 / ANNUITY_10PCT_10YR) / 800  # 26.593
        assert tpr.min_price == pytest.approx(p_min, rel=1e-9)
        assert tpr.max_price == pytest.approx(27.5, rel=1e-9)
        assert tpr.equal_split_price == pytest.approx((p_min + 27.5) / 2, rel=1e-9)
        assert tpr.feasible and tpr.support_needed_usd == 0
        payer, payee = tpr.npv_at([tpr.min_price, tpr.max_price])
        assert payee[0] == pytest.approx(0, abs=1e-6) and payer[1] == pytest.approx(0, abs=1e-6)
        assert "outside the range" in tpr.words()

    def test_empty_range_says_how_much_support(self, write_case, mini_data):
        mini_data["capex"][0]["amount"].update(value=150_000, low=None, high=None)
        case = load(write_case(mini_data))
        tpr = transfer_price_range(case)
        npv = -150_000 + 17_000 * ANNUITY_10PCT_10YR
        assert not tpr.feasible
        assert tpr.support_needed_usd == pytest.approx(-npv, rel=1e-9)
        assert "cannot work without outside support" in tpr.words()

    def test_unknown_transfer_name(self, mini):
        with pytest.raises(InputError, match="wood_price"):
            transfer_price_range(mini, "nope")

    def test_an_appraisal_is_reused_and_its_overrides_kept(self, mini):
        a = appraise(mini, discount_rate=0.08)
        assert party_view(a).set_index("party").loc["project", "npv_usd"] == \
            pytest.approx(a.npv_usd)
        assert transfer_price_range(a).project_npv_usd == pytest.approx(a.npv_usd)

    def test_one_party_type(self):
        from eip_analysis.cases import PARTIES as schema_parties

        assert PARTIES == schema_parties == ("supplier", "receiver")
