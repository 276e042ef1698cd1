"""Tests for eip_analysis.flows: derived flow quantities against hand computations."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from eip_analysis.appraisal import appraise
from eip_analysis.cases import load_case
from eip_analysis.cashflow import flow_quantities, flow_resolver

from .conftest import one_line_error

Q = {"unit": "fraction", "source": "assumption: fixture"}


@pytest.fixture
def switch(mini_data):
    """MINI-01 with the coal computed from the wood, energy for energy."""
    data = copy.deepcopy(mini_data)
    data["resource_flows"][0]["baseline_per_year"] = {
        "method": "fuel_replaced", "by": "wood",
        "efficiency_by": {"value": 0.72, **Q}, "efficiency": {"value": 0.78, **Q}}
    return data


def test_fuel_replaced_energy_for_energy(switch, write_case):
    case = load_case(write_case(switch))
    coal = flow_resolver(case).quantity("coal_bituminous", "baseline")
    # 800 t wood x 15.6 GJ/t x 0.72 / 0.78 / 25.8 GJ/t = 446.5 t coal
    assert coal.item() == pytest.approx(800 * 15.6 * 0.72 / 0.78 / 25.8)


def test_fuel_replaced_follows_the_moisture_and_the_drivers(switch, write_case):
    switch["resource_flows"][1].pop("ncv_as_received")
    switch["resource_flows"][1]["moisture"] = {"value": 0.35, "low": 0.25, "high": 0.45, **Q}
    case = load_case(write_case(switch))
    q = flow_quantities(case, {"resource_flows.wood.moisture": np.array([0.25, 0.45])})
    ncv = 15.6 * (1 - np.array([0.25, 0.45])) - 2.443 * np.array([0.25, 0.45])
    assert q["coal_bituminous"][0][:, 0] == pytest.approx(800 * ncv * 0.72 / 0.78 / 25.8)
    a = appraise(case)  # the benefit (coal avoided) reads the same tonnes
    coal_t = 800 * (15.6 * 0.65 - 2.443 * 0.35) * 0.72 / 0.78 / 25.8
    assert a.cashflows["benefits_usd"].iloc[1] == pytest.approx(coal_t * 60)


def test_useful_heat(mini_data, write_case):
    mini_data["resource_flows"][0]["baseline_per_year"] = {
        "method": "useful_heat", "basis": "fixture: 10,000 GJ of steam a year",
        "useful_heat": {"value": 10000, "unit": "GJ/yr", "source": "assumption: fixture"},
        "efficiency": {"value": 0.8, **Q}}
    case = load_case(write_case(mini_data))
    assert flow_resolver(case).quantity("coal_bituminous", "baseline").item() == (
        pytest.approx(10000 / 0.8 / 25.8))


def test_wastewater_methane_and_same_as(mini_data, write_case):
    mini_data["resource_flows"] += [
        {"flow": "biogas", "party": "receiver", "description": "Biogas burnt",
         "baseline_per_year": {"value": 0, "unit": "t/yr", "source": "assumption: none today"},
         "project_per_year": {"method": "wastewater_methane", "treatment": "anaerobic_reactor",
                              "cod_removed": {"value": 892.5, "unit": "t/yr",
                                              "source": "assumption: fixture"}}},
        {"flow": "biogas_flared", "party": "supplier", "description": "Biogas flared today",
         "flare": "open",
         "baseline_per_year": {"method": "same_as", "flow": "biogas", "side": "project"},
         "project_per_year": {"value": 0, "unit": "t/yr", "source": "assumption: none"}}]
    case = load_case(write_case(mini_data))
    r = flow_resolver(case)
    assert r.quantity("biogas", "project").item() == pytest.approx(892.5 * 0.25 * 0.8)
    assert r.quantity("biogas_flared", "baseline").item() == pytest.approx(178.5)
    em = appraise(case).emissions.set_index("flow")
    # the open flare lets half through: 89.25 t CH4 x 28 = 2,499 tCO2e/yr avoided
    assert em.loc["biogas_flared", "avoided_co2e_t_per_year"] == pytest.approx(89.25 * 28)


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["resource_flows"][0].update(baseline_per_year={
        "method": "fuel_replaced", "by": "diesel", "efficiency_by": {"value": 0.7, **Q},
        "efficiency": {"value": 0.7, **Q}}),
     "resource_flows[0].baseline_per_year.by: expected another fuel flow of this case"),
    (lambda d: d["resource_flows"][1].pop("ncv_as_received"),
     "resource_flows[1].moisture: expected the moisture (wet basis) or ncv_as_received"),
    (lambda d: d["resource_flows"][0].update(moisture={"value": 0.1, **Q}),
     "resource_flows[0].moisture: expected ncv_as_received instead"),
    (lambda d: d["resource_flows"][0].update(baseline_per_year={
        "method": "useful_heat", "basis": "x", "efficiency": {"value": 0.8, **Q},
        "useful_heat": {"value": 1, "unit": "MJ/yr", "source": "assumption: x"}}),
     "resource_flows[0].baseline_per_year.useful_heat.unit: expected unit GJ/yr"),
    (lambda d: d["resource_flows"][0].update(site="managed_anaerobic"),
     "resource_flows[0].site: expected a landfill flow"),
    (lambda d: d["resource_flows"][1].update(leakage={
        "assessment": "displaced", "displaced_use": "kilns", "basis": "x"}),
     "share_displaced and replacement_fuel with assessment displaced"),
])
def test_bad_flow_derivations_give_one_line(mini_data, write_case, change, expected):
    change(mini_data)
    assert expected in one_line_error(write_case, mini_data)


def test_leakage_counts_the_replacement_fuel(mini_data, write_case):
    mini_data["resource_flows"][1]["leakage"] = {
        "assessment": "displaced", "displaced_use": "brick kilns", "basis": "fixture",
        "share_displaced": {"value": 0.5, **Q}, "replacement_fuel": "coal_bituminous"}
    a = appraise(load_case(write_case(mini_data)))
    em = a.emissions.set_index("flow")
    coal_t = 400 * 15.6 / 25.8  # half the 800 t of wood, energy for energy
    per_t_coal = 25.8e-3 * (94600 + 10 * 28 + 1.5 * 265) / 1000
    assert em.loc["leakage.wood", "project_co2e_t_per_year"] == pytest.approx(coal_t * per_t_coal)
    assert em.loc["leakage.wood", "project_quantity"] == pytest.approx(coal_t)
    assert em.loc["leakage.wood", "unit"] == "t/yr"
    assert "Leakage (CDM Tool 16)" in em.loc["leakage.wood", "method"]
