"""Screening: conversions by hand, quality limits, allocation, recall of the 12 known
exchanges, the CSV and CLI, and a drafted case that validates and appraises once filled."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
import yaml

from eip_analysis import cli, emissions
from eip_analysis.appraisal import appraise
from eip_analysis.cases import load_case
from eip_analysis.errors import InputError
from eip_analysis.inventory import screening_dir
from eip_analysis.screening import (
    TO_BE_SURVEYED,
    case_words,
    draft_gaps,
    known_cases,
    load_compatibility,
    lp_optimum,
    network,
    screen,
    write_draft,
    write_screening,
)


@pytest.fixture(scope="module")
def parks():
    return {p: screen(p) for p in ("hoa_khanh", "tra_noc")}


def _cand(parks, park, cid):
    return next(c for c in parks[park][1] if c.id == cid)


# -- conversions against hand computations ---------------------------------------------------


def test_husk_for_coal_energy_for_energy(parks):
    c = _cand(parks, "tra_noc", "TN-T01-S1:TN-T04-S2")
    ratio = 14.45 * 0.72 / (25.8 * 0.78)  # t coal per t husk: NCV x efficiency, both fuels
    assert c.ratio == pytest.approx(ratio)
    assert c.matched_supply == pytest.approx(min(6000, 1160 / ratio))  # husk limited by coal
    assert c.matched_demand == pytest.approx(min(6000 * ratio, 1160))
    km = ((0.5 - 1.4) ** 2 + (0.4 - 0.5) ** 2) ** 0.5 * 1.3
    transport = 60000 + 3000 * km
    assert c.transport_per_unit == pytest.approx(transport)
    assert c.supplier_value_per_unit == pytest.approx(-850000 - transport)  # husk sold today
    assert c.receiver_value_per_unit == pytest.approx(ratio * 3.0e6 - 67000)


def test_wood_at_30_percent_moisture_for_coal(parks):
    c = _cand(parks, "hoa_khanh", "HK-T05-S1:HK-T03-S3")
    ncv = 15.6 * (1 - 0.30) - 2.443 * 0.30  # ISO 18125 as received, IPCC 15.6 dry
    assert ncv == pytest.approx(emissions.fuel_ncv("wood", moisture=0.30))
    assert c.ratio == pytest.approx(ncv * 0.72 / (25.8 * 0.70))
    assert c.matched_supply == pytest.approx(2100)  # all the wood: the mill burns 3,023 t coal


def test_effluent_volume_match(parks):
    c = _cand(parks, "tra_noc", "TN-T11-S1:TN-T04-S4")
    assert c.ratio == 1.0
    assert c.matched_supply == pytest.approx(100000)  # m3 for m3, the tenant's need
    km = ((2.2 - 1.4) ** 2 + (1.9 - 0.5) ** 2) ** 0.5 * 1.3
    assert c.value == pytest.approx(100000 * (11810 - 4000 - 850 * km))
    # the added treatment electricity is counted, tap water is not converted
    assert c.co2e_t == pytest.approx(-emissions.electricity_emissions(100000 * 0.5 / 1000,
                                                                       2023))


def test_biogas_counts_the_flare_slip(parks):
    c = _cand(parks, "hoa_khanh", "HK-T01-S1:HK-T02-S1")
    slip = emissions.flow_co2e_t("biogas_flared", 178.5, grid_year=2023,
                                 destruction_efficiency=emissions.flare_efficiency("open"))
    assert c.co2e_t > slip > 0  # flare slip avoided, plus the wood's CH4/N2O, minus biogas


# -- quality limits, allocation ---------------------------------------------------------------


@pytest.mark.parametrize("park, cid, words", [
    ("hoa_khanh", "HK-T05-S2:HK-T03-S3", "moisture 0.55 of HK-T05-S2 above the limit 0.45"),
    ("hoa_khanh", "HK-T10-S1:HK-T04-S1", "contamination 0.3 of HK-T10-S1 above the limit 0.1"),
    ("tra_noc", "TN-T06-S3:TN-T10-S1", "salinity 0.04 of TN-T06-S3 above the limit 0.02"),
    ("tra_noc", "TN-T06-S2:TN-T08-S1", "storage_hours 30"),
    ("tra_noc", "TN-T11-S1:TN-T04-S5", "food_contact 1 of TN-T04-S5"),
])
def test_a_stream_failing_a_quality_limit_is_not_matched(parks, park, cid, words):
    c = _cand(parks, park, cid)
    assert c.status == "rejected" and words in c.reason
    assert c.matched_supply == 0 and c.allocated_supply == 0
    assert c.allocation.startswith("rejected: ")



def _rule_error(tmp_path, change) -> str:
    """The one-line error of the compatibility table with ``change(rules)`` applied."""
    data = yaml.safe_load((screening_dir() / "compatibility.yaml").read_text())
    change(data["rules"])
    path = tmp_path / "compatibility.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError) as info:
        load_compatibility(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: rules["), message
    return message


def _rename(rule: dict, old: str, new: str) -> None:
    rule[new] = rule.pop(old)


@pytest.mark.parametrize("change, words", [
    # a misspelt key would silently drop the moisture limit (or the distance limit)
    (lambda rules: _rename(rules[0], "limits", "limts"),
     "rules[0] (biomass_for_coal).limts: expected no such field (check its spelling)"),
    (lambda rules: _rename(rules[1], "max_distance_km", "max_distance"),
     "rules[1] (biogas_for_boiler_fuel).max_distance: expected no such field"),
    (lambda rules: _rename(rules[0]["limits"]["supply"]["moisture"], "max", "maximum"),
     "rules[0] (biomass_for_coal).limits.supply.moisture.maximum: expected no such field"),
    (lambda rules: _rename(rules[0]["limits"]["supply"], "moisture", "moisure"),
     "rules[0] (biomass_for_coal).limits.supply.moisure: expected a quality attribute"),
    (lambda rules: rules.__setitem__(2, ["fish_oil", "fuel_oil"]),
     "rules[2]: expected a mapping of rule fields"),
    (lambda rules: rules[0].pop("source"),
     "rules[0] (biomass_for_coal).source: expected this required field"),
    (lambda rules: rules[0].__setitem__("conversion", "heat"),
     "rules[0] (biomass_for_coal).conversion: expected 'energy', 'mass'"),
    (lambda rules: rules[0].__setitem__("transport", "barge"),
     "rules[0] (biomass_for_coal).transport: expected 'truck', "),
    (lambda rules: rules[0]["supply"].append("unobtanium"),
     "rules[0] (biomass_for_coal).supply[2]: expected a material of materials.yaml, got 'unob"),
])
def test_a_bad_compatibility_rule_is_one_line_naming_file_and_field(tmp_path, change, words):
    assert words in _rule_error(tmp_path, change)


@pytest.mark.parametrize("park", ["hoa_khanh", "tra_noc"])
def test_allocation_never_offers_a_stream_twice(parks, park):
    inv, cands = parks[park]
    used = defaultdict(float)
    for c in cands:
        used[c.supply_stream] += c.allocated_supply
        used[c.demand_stream] += c.allocated_demand
        for key, per in c.draws_on:
            used[key] += c.allocated_supply * per
    for key, amount in used.items():
        assert amount <= inv.stream(key).quantity.value * (1 + 1e-9), key
    # a stream fully taken is refused to the next pair, with the pair that took it
    refused = [c for c in cands if c.allocation.startswith("not allocated: ")
               and "already given to" in c.allocation]
    assert refused
    # greedy within 5% of the linear-programming optimum
    greedy = sum(c.allocated_value for c in cands)
    assert greedy >= 0.95 * lp_optimum(cands, inv)


def test_one_demand_met_by_many_suppliers(parks):
    _, cands = parks["hoa_khanh"]
    paper = [c for c in cands if c.demand_stream == "HK-T04-S1" and c.allocated_supply > 0]
    assert len(paper) >= 10  # park tenants -> kraft mill (HK-05)


def test_steam_and_husk_compete_for_the_same_boilers(parks):
    _, cands = parks["tra_noc"]
    steam = next(c for c in cands if c.id == "TN-T09-S2:TN-T07-S2")
    assert steam.draws_on[0][0] == "TN-T07-S1"
    husk = next(c for c in cands if c.id == "TN-T03-S1:TN-T07-S1")
    coal = 1883
    assert husk.allocated_demand + steam.allocated_supply * steam.draws_on[0][1] == \
        pytest.approx(coal)


# -- recall of the 12 known exchanges --------------------------------------------------------

#: id -> (park, supply material, supplier words, receiver words, kind)
KNOWN = {
    "HK-01": ("hoa_khanh", "biogas", "brewery", "steam supplier", "by-product energy"),
    "HK-02": ("hoa_khanh", "roof_space", "", "paper mill", "shared infrastructure"),
    "HK-03": ("hoa_khanh", "boiler_operator_time", "steam supplier", "paper mill",
              "shared service"),
    "HK-04": ("hoa_khanh", "boiler_ash", "", "brick maker", "by-product material"),
    "HK-05": ("hoa_khanh", "waste_paper", "", "kraft paper mill", "by-product material"),
    "HK-06": ("hoa_khanh", "wood_waste", "wood products", "steam supplier", "by-product energy"),
    "TN-01": ("tra_noc", "fish_byproducts", "processor", "fishmeal", "by-product material"),
    "TN-02": ("tra_noc", "fish_oil", "fishmeal", "seafood", "by-product energy"),
    "TN-03": ("tra_noc", "rice_husk", "rice mill", "seafood", "by-product energy"),
    "TN-04": ("tra_noc", "steam", "steam supplier", "seafood", "shared infrastructure"),
    "TN-05": ("tra_noc", "treated_effluent", "wastewater", "", "water"),
    "TN-06": ("tra_noc", "sludge_organic", "seafood", "compost", "by-product material"),
}
TOP_VALUE, TOP_CO2E = 15, 10


def recall(parks) -> dict[str, tuple[str, str]]:
    """Per known exchange: ``(found | found, other receiver | not found, why)``."""
    out = {}
    for cid, (park, material, supplier, receiver, kind) in KNOWN.items():
        cands = parks[park][1]
        same = [c for c in cands if c.supply_material == material and c.kind == kind
                and supplier in f"{c.supplier_role} {c.supply_stream}".lower() + " " +
                parks[park][0].tenant_of(c.supply_stream).sector]
        top = [c for c in same if (c.rank_value or 99) <= TOP_VALUE
               or (c.rank_co2e or 99) <= TOP_CO2E]
        top.sort(key=lambda c: (c.rank_value or 99, c.rank_co2e or 99))
        exact = [c for c in top if receiver in c.receiver_role]
        if exact:
            c = exact[0]
            out[cid] = ("found", f"{c.id} rank {c.rank_value} by value, {c.rank_co2e} by tCO2e")
        elif top:
            c = top[0]
            pair = next((p for p in same if receiver in p.receiver_role), None)
            out[cid] = ("found, other receiver",
                        (f"{c.id} ({c.receiver_role}, rank {c.rank_value}); the known pair "
                         f"{pair.id if pair else '-'}: {pair.allocation if pair else 'none'}"))
        else:
            pair = next((p for p in same if receiver in p.receiver_role), None)
            why = (f"{pair.id}: {pair.allocation}, {pair.value_usd:,.0f} USD/yr at screening "
                   "prices" if pair else "no such pair in the inventory")
            out[cid] = ("not found", why)
    return out


def test_recall_of_the_12_known_exchanges(parks, capsys):
    result = recall(parks)
    with capsys.disabled():
        print("\nrecall of the 12 known exchanges (top "
              f"{TOP_VALUE} by value or top {TOP_CO2E} by tCO2e):")
        for cid, (level, why) in result.items():
            print(f"  {cid} [{KNOWN[cid][4]}]: {level}: {why}")
    kinds_found = {KNOWN[c][4] for c, (lvl, _) in result.items() if lvl.startswith("found")}
    kinds_all = {k[4] for k in KNOWN.values()}
    print("kinds found:", sorted(kinds_found), "not:", sorted(kinds_all - kinds_found))
    assert {"by-product energy", "by-product material", "shared infrastructure",
            "water"} <= kinds_found
    # every known exchange is at least screened: found, or its pair listed with the reason
    for cid, (level, why) in result.items():
        assert level.startswith("found") or "no such pair" not in why, (cid, why)
    # the two misses are the ones the domain review predicts: a service worth about its cost
    # (HK-03) and fish oil that sells for more than the fuel oil it would replace (TN-02)
    assert {c for c, (lvl, _) in result.items() if lvl == "not found"} <= {"HK-03", "TN-02"}


# -- CSV, CLI ----------------------------------------------------------------------------------


def test_screening_csv_is_text_safe_and_sorted(parks, tmp_path):
    _, cands = parks["hoa_khanh"]
    path = write_screening("hoa_khanh", cands, tmp_path)
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == len(cands)
    assert rows[0]["rank_value"] == "1"
    for row in rows:
        for v in row.values():
            assert not (v[:1] in "=+@" and v), v
    assert any(r["status"] == "rejected" and r["reason"] for r in rows)


def test_cli_screen_and_draft_case(tmp_path, capsys, monkeypatch):
    assert cli.main(["screen", "hoa_khanh", "--top", "5", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "top 5 by value" in out and (tmp_path / "hoa_khanh.csv").is_file()
    cases = tmp_path / "cases"
    assert cli.main(["draft-case", "HK-T19-S1:HK-T04-S1", "--id", "HK-07",
                     "--cases", str(cases)]) == 0
    assert "to be surveyed" in capsys.readouterr().out
    before = (cases / "HK-07.yaml").read_bytes()
    assert cli.main(["draft-case", "HK-T19-S1:HK-T04-S1", "--id", "HK-07",
                     "--cases", str(cases)]) == 1
    assert "never overwrites" in capsys.readouterr().err
    assert (cases / "HK-07.yaml").read_bytes() == before
    assert cli.main(["draft-case", "HK-T05-S2:HK-T03-S3", "--id", "HK-08",
                     "--cases", str(cases)]) == 1
    assert "rejected: moisture" in capsys.readouterr().err


# -- drafts ------------------------------------------------------------------------------------


def _fill(node) -> None:
    """Fill every 'to be surveyed' marker with a plausible number or text, as a surveyor would."""
    if isinstance(node, dict):
        if node.get("value") == TO_BE_SURVEYED:
            unit = node["unit"]
            node["value"] = (12 if unit == "yr" else 5.0e9 if "/" not in unit
                             else 0.2e9 if unit.endswith("/yr") else 0.8 * 1e6)
            node["source"] = "assumption: filled by the test"
            return
        for k, v in list(node.items()):
            if isinstance(v, str) and v.startswith(TO_BE_SURVEYED):
                node[k] = "filled by the test"
            else:
                _fill(v)
    elif isinstance(node, list):
        for v in node:
            _fill(v)


@pytest.mark.parametrize("candidate", [
    "HK-T01-S1:HK-T02-S1",   # biogas now flared -> wood chips (energy, flare slip)
    "HK-T05-S1:HK-T03-S3",   # wood sold today -> coal (energy, leakage)
    "HK-T19-S1:HK-T04-S1",   # waste paper landfilled -> kraft mill (mass)
    "HK-T02-S4:HK-T03-S4",   # boiler operation service
    "TN-T09-S2:TN-T07-S2",   # shared steam
    "TN-T11-S1:TN-T04-S4",   # effluent reuse (volume)
    "TN-T05-S3:TN-T10-S1",   # sludge incinerated today -> compost
    "TN-T22-S2:TN-T22-S1",   # rooftop PV
    "TN-T08-S2:TN-T06-S1",   # fish oil -> fuel oil (no IPCC row)
])
def test_a_drafted_case_validates_and_appraises_once_filled(tmp_path, parks, candidate):
    path = write_draft(candidate, "DRAFT-01", tmp_path)
    data = yaml.safe_load(path.read_text())
    assert data["data_quality"] == "illustrative"
    gaps = draft_gaps(path)
    assert gaps and all(g.startswith(f"{path}: ") and "\n" not in g for g in gaps)
    assert any("lifetime_years" in g for g in gaps) and any("capex[0]" in g for g in gaps)
    with pytest.raises(InputError) as info:  # the loader refuses a draft until it is filled
        load_case(path)
    assert TO_BE_SURVEYED in str(info.value)
    # every number is the inventory's (or the screening's tables) or a marker
    text = path.read_text()
    assert "inventory " in text
    _fill(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert draft_gaps(path) == []
    a = appraise(load_case(path))
    assert a.metrics.capex_usd > 0
    park = "hoa_khanh" if candidate.startswith("HK") else "tra_noc"
    c = _cand(parks, park, candidate)
    assert a.metrics.co2e_avoided_t_per_year == pytest.approx(c.allocated_co2e_t or c.co2e_t, rel=0.6, abs=5) or \
        candidate in ("HK-T05-S1:HK-T03-S3", "HK-T19-S1:HK-T04-S1")  # leakage, landfill method


def test_draft_of_an_unknown_candidate_is_one_line(tmp_path):
    with pytest.raises(InputError) as info:
        write_draft("HK-T99-S1:HK-T04-S1", "X-01", tmp_path)
    assert "CANDIDATE" in str(info.value) and "\n" not in str(info.value)


# -- candidates that already have a case -------------------------------------------------------


def test_every_known_case_is_a_pair_of_the_inventories(parks):
    known = known_cases(inv for inv, _ in parks.values())
    assert sorted(known.values()) == [f"HK-0{i}" for i in range(1, 7)] + \
        [f"TN-0{i}" for i in range(1, 7)]
    every = {c.id: c for _, cands in parks.values() for c in cands}
    assert set(known) <= set(every)  # each pair is screened (compatible or rejected)
    hk01 = every["HK-T01-S1:HK-T02-S1"]
    assert case_words(hk01, known) == "HK-01"
    # the biogas went to the noodle factory: a new candidate whose supply is HK-01's
    assert case_words(every["HK-T01-S1:HK-T22-S1"], known) == "new (its supply is in HK-01)"


def test_network_edges_are_the_allocated_candidates(parks):
    inv, cands = parks["tra_noc"]
    known = known_cases(i for i, _ in parks.values())
    nodes, edges = network(inv, cands, known)
    assert len(nodes) == len(inv.tenants)
    assert sorted(edges["candidate"]) == sorted(c.id for c in cands if c.rank_value is not None)
    assert set(edges["supplier"]) | set(edges["receiver"]) <= set(nodes["tenant"])
    assert edges.loc[edges["candidate"] == "TN-T03-S1:TN-T07-S1", "has_case"].item()


@pytest.mark.parametrize("text, message", [
    ("- HK-01\n", "a mapping of case id"),
    ("HK-01: HK-T01-S1\n", "HK-01"),
    ("HK-01: HK-T01-S1:NOPE-S9\n", "NOPE-S9"),
])
def test_a_bad_known_cases_file_is_one_line(parks, tmp_path, text, message):
    path = tmp_path / "known_cases.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        known_cases((inv for inv, _ in parks.values()), path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    assert message in str(info.value)
