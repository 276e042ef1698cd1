"""Tests for eip_analysis.checks: each check fires on a crafted case and is silent on a clean one."""

from __future__ import annotations

import copy

import pytest

from eip_analysis import checks
from eip_analysis.appraisal import appraise
from eip_analysis.cases import load_case
from eip_analysis.checks import check_case, check_portfolio
from eip_analysis.cli import main


@pytest.fixture
def clean(mini_data):
    """MINI-01 with what the checks ask for: contingency, VAT basis, a leakage statement."""
    data = copy.deepcopy(mini_data)
    data["capex"].append({
        "name": "contingency", "description": "Contingency", "party": "supplier", "year": 0,
        "kind": "contingency",
        "amount": {"value": 15000, "unit": "USD", "source": "assumption: 15% of base capex"}})
    data["vat_basis"] = "All prices exclude VAT."
    data["resource_flows"][1]["leakage"] = {
        "assessment": "surplus", "displaced_use": "none: the residue is landfilled today",
        "basis": "fixture: surplus shown by a survey"}
    return data


def codes(data, write_case):
    return sorted({f.check for f in check_case(load_case(write_case(data)))})


def test_clean_case_is_silent(clean, write_case):
    assert check_case(load_case(write_case(clean))) == []


def test_missing_contingency_vat_and_leakage(mini_data, write_case):
    assert codes(mini_data, write_case) == ["contingency", "leakage", "vat"]


def test_energy_balance_flags_wood_that_cannot_replace_the_coal(clean, write_case):
    clean["resource_flows"][1]["project_per_year"]["value"] = 2000  # 2.5x the energy of the coal
    found = check_case(load_case(write_case(clean)))
    assert [f.check for f in found] == ["energy_balance"]
    assert "2.42 x the energy it replaces" in found[0].message


def test_energy_balance_flags_an_implausible_efficiency(clean, write_case):
    clean["resource_flows"][0]["baseline_per_year"] = {
        "method": "fuel_replaced", "by": "wood",
        "efficiency_by": {"value": 0.99, "unit": "fraction", "source": "assumption: x"},
        "efficiency": {"value": 0.78, "unit": "fraction", "source": "assumption: x"}}
    found = check_case(load_case(write_case(clean)))
    assert {f.field for f in found} == {"resource_flows[0].baseline_per_year.efficiency_by"}


def test_verify_returns_names_two_drivers(clean, write_case):
    clean["benefits"][0]["unit_price"].update(value=200, low=150, high=250)  # IRR far above 50%
    found = [f for f in check_case(load_case(write_case(clean))) if f.check == "verify_returns"]
    assert len(found) == 1
    assert "verify" in found[0].message and found[0].message.count("to NPV 0") == 2


def test_unit_cost_outside_typical_range(clean, write_case):
    clean["capex"][0]["benchmark"] = {"range": "steam_pipeline_capex", "per": {
        "value": 1000, "unit": "m", "source": "assumption: 1 km line"}}  # USD 100/m: too cheap
    found = check_case(load_case(write_case(clean)))
    assert [f.check for f in found] == ["unit_cost"]
    assert "100 USD/m outside the typical 150-600" in found[0].message
    clean["capex"][0]["benchmark"]["per"]["value"] = 400  # USD 250/m
    assert check_case(load_case(write_case(clean))) == []


def test_baseline_without_basis(clean, write_case):
    clean["resource_flows"][0]["baseline_per_year"]["source"] = "assumption"
    assert codes(clean, write_case) == ["baseline_source"]


def test_range_check(clean, write_case):
    case = load_case(write_case(clean))
    q = case.capex[0].amount.model_copy(update={"value": 1e6})  # bypasses the schema
    bad = case.model_copy(update={"capex": [case.capex[0].model_copy(update={"amount": q}),
                                             case.capex[1]]})
    assert "range" in {f.check for f in check_case(appraise(bad))}


def test_accepted_warning_carries_its_reason(mini_data, write_case):
    mini_data["accepted_warnings"] = [{"check": "vat", "reason": "fixture: no VAT applies"}]
    found = {f.check: f for f in check_case(load_case(write_case(mini_data)))}
    assert found["vat"].accepted == "fixture: no VAT applies"
    assert found["vat"].line().startswith("accepted: MINI-01: vat_basis: [vat]")
    assert found["contingency"].accepted == ""


def _husk_case(clean, cid, tonnes, excludes=()):
    data = copy.deepcopy(clean)
    data["id"] = cid
    data["resource_flows"][1]["flow"] = "rice_husk"
    data["resource_flows"][1].pop("ncv_as_received")
    data["resource_flows"][1]["project_per_year"]["value"] = tonnes
    data["opex"][1]["quantity_from_flow"] = "rice_husk"
    data["transfers"][0]["quantity_from_flow"] = "rice_husk"
    data["competes_for"] = [{"resource": "husk", "flow": "rice_husk"}]
    data["excludes"] = [{"case": x, "reason": "same boilers"} for x in excludes]
    return data


def test_shared_resource_counts_exclusive_cases_once(clean, write_case):
    resource = checks.SharedResource(park="Tra Noc 1&2", description="husk", supply_per_year={
        "value": 1500, "unit": "t/yr", "source": "assumption: fixture"})
    a = load_case(write_case(_husk_case(clean, "A-01", 1000, ["B-01"])))
    b = load_case(write_case(_husk_case(clean, "B-01", 1200, ["A-01"])))
    c = load_case(write_case(_husk_case(clean, "C-01", 400)))
    assert check_portfolio([a, b], {"husk": resource}) == []  # 1,200 counted, not 2,200
    found = check_portfolio([a, b, c], {"husk": resource})  # 1,200 + 400 > 1,500
    assert {f.case_id for f in found} == {"A-01", "B-01", "C-01"}
    assert all("need 1,600 t/yr" in f.message for f in found)


def test_exclusions_must_match(clean, write_case):
    a = load_case(write_case(_husk_case(clean, "A-01", 1000, ["B-01"])))
    b = load_case(write_case(_husk_case(clean, "B-01", 1000)))
    found = check_portfolio([a, b], {})
    assert [(f.case_id, f.check) for f in found if f.check == "excludes"] == [
        ("A-01", "excludes")]
    assert "does not exclude A-01 in return" in found[0].message


def test_command_prints_one_line_per_finding(mini_data, write_case, capsys):
    write_case(mini_data)
    assert main(["check", "--cases", str(write_case.folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "3 warning(s), 0 accepted, 0 case(s) not checked"
    assert all(line.startswith("warning: MINI-01: ") for line in out[:-1])
    assert main(["check", "--strict", "--cases", str(write_case.folder)]) == 1


def test_command_reports_an_unknown_id_in_one_line(mini_data, write_case, capsys):
    write_case(mini_data)
    assert main(["check", "X-99", "--cases", str(write_case.folder)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ID: expected case ids among MINI-01") and "\n" not in err


def test_project_cases_print_only_accepted_warnings():
    from eip_analysis.cases import load_cases

    findings, errors = checks.run_checks(list(load_cases().values()))
    assert errors == []
    assert [f.line() for f in findings if not f.accepted] == []
