"""Case -> yearly cash flows: signs, timing, parties, vectorised scenarios."""

from __future__ import annotations

import numpy as np
import pytest

from eip_analysis.cases import load_case
from eip_analysis.cashflow import build, flow_quantities
from eip_analysis.errors import InputError

from .conftest import MINI


@pytest.fixture
def mini():
    return load_case(MINI)


class TestBuild:
    def test_hand_worked_mini_case(self, mini):
        # Year 0: -100,000 capex. Years 1-10: coal 500 t x 60 = 30,000 avoided,
        # - 5,000 maintenance - 800 t wood x 10 = 8,000 handling -> +17,000 a year.
        cf = build(mini)
        assert cf.years.tolist() == list(range(11))
        np.testing.assert_allclose(cf.net[0], [-100_000] + [17_000] * 10)
        np.testing.assert_allclose(cf.section("capex")[0, 0], -100_000)
        np.testing.assert_allclose(cf.section("benefits")[0, 1:], 30_000)
        np.testing.assert_allclose(cf.section("opex")[0, 1:], -13_000)

    def test_parties_sum_to_project_and_transfers_cancel(self, mini):
        # Receiver pays 800 t x 15 = 12,000 a year to the supplier.
        cf = build(mini)
        supplier, receiver = cf.party_net("supplier")[0], cf.party_net("receiver")[0]
        np.testing.assert_allclose(supplier + receiver, cf.net[0])
        np.testing.assert_allclose(supplier[1:], 12_000 - 5_000)
        np.testing.assert_allclose(receiver[1:], 30_000 - 8_000 - 12_000)

    def test_capex_over_several_years_and_late_start(self, mini):
        data = mini.model_dump(exclude={"source_file", "sha256"})
        data["capex"].append({**data["capex"][0], "name": "stage2", "year": 1})
        data["operation_start_year"] = 2
        case = type(mini).model_validate(data)
        cf = build(case)
        assert cf.years[-1] == 11  # operation years 2..11
        np.testing.assert_allclose(cf.net[0, :3], [-100_000, -100_000, 17_000])
        assert not cf.operating[0, :2].any() and cf.operating[0, 2:].all()

    def test_salvage_in_last_operating_year(self, mini):
        data = mini.model_dump(exclude={"source_file", "sha256"})
        data["salvage"] = {"party": "supplier",
                           "amount": {"value": 7_000, "unit": "USD", "source": "assumption: x"}}
        cf = build(type(mini).model_validate(data))
        assert cf.section("salvage")[0].tolist() == [0] * 10 + [7_000]
        assert cf.party_net("supplier")[0, -1] == pytest.approx(7_000 + 12_000 - 5_000)


class TestScenarios:
    def test_array_values_give_one_row_per_scenario(self, mini):
        prices = np.array([45.0, 60.0, 75.0])
        cf = build(mini, {"benefits.coal.unit_price": prices})
        assert cf.net.shape == (3, 11)
        np.testing.assert_allclose(cf.net[:, 1], 500 * prices - 13_000)

    def test_rows_equal_single_runs(self, mini):
        draws = {"capex.dryer.amount": np.array([80_000.0, 120_000.0]),
                 "resource_flows.wood.project_per_year": np.array([700.0, 900.0])}
        many = build(mini, draws).net
        for i in range(2):
            one = build(mini, {k: v[i] for k, v in draws.items()}).net[0]
            np.testing.assert_allclose(many[i], one)

    def test_lifetime_varies_by_scenario(self, mini):
        cf = build(mini, {"lifetime_years": np.array([8.0, 12.0])})
        assert cf.net.shape == (2, 13)
        assert cf.operating[0].sum() == 8 and cf.operating[1].sum() == 12
        assert cf.net[0, 9:].tolist() == [0, 0, 0, 0]

    def test_unknown_path_is_an_error(self, mini):
        with pytest.raises(InputError, match="paths of this case's numbers"):
            build(mini, {"capex.nope.amount": 1.0})

    def test_flow_quantities(self, mini):
        q = flow_quantities(mini)
        assert q["coal_bituminous"][0].item() == 500 and q["wood"][1].item() == 800
