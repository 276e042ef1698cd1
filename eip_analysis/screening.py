"""Screening: candidate exchanges from a park's inventory, valued, ranked and allocated.

For every output stream of a tenant and every input stream of another, the compatibility table
(``data/raw/screening/compatibility.yaml``) says whether the output can meet the input, how the
quantities convert and which quality limits apply. Each compatible pair gets, per year:

- the **matched quantity**: min(supply, demand converted to supply units), where the conversion
  is energy for energy for fuels (``r = NCV_s x eta_s / (NCV_d x eta_d)`` tonnes of the receiver's
  fuel per tonne of the residue, NCVs from :func:`eip_analysis.emissions.fuel_ncv` with the
  stream's moisture or NCV as received), mass x yield for materials, m3 for m3 for water, PV
  yield per m2 of roof, t of steam (and the coal it saves) for steam, person-days for a service;
- the **distance** between the tenants' grid positions x a road factor, and the **transport
  cost** (truck: handling + cost per t-km; pipe: cost per unit-km);
- the **indicative annual value** for each party: supplier = avoided disposal - forgone sale -
  transport; receiver = avoided purchase - treatment (capex not included: a screening value, not
  an NPV; the transfer price that splits it comes with the case);
- the **indicative tCO2e avoided** [tCO2e/yr] with the package's emission rules
  (:func:`eip_analysis.emissions.flow_co2e_t` on the receiver's fuel avoided, the residue burnt,
  the supplier's route today (flare, landfill), composting, truck diesel, leakage of a residue
  sold today (:func:`eip_analysis.emissions.leakage_fuel_t`), electricity);
- the **barriers** such exchanges meet (``data/raw/screening/barriers.yaml``).

A pair that fails a quality limit (moisture, contamination, salinity, storage time, food
contact, distance...) is kept as *rejected* with the reason.

Allocation
----------
**Greedy by value.** Pairs with a positive value are taken in decreasing order of their value
at full match; each takes min(what is left of the supply stream, what is left of each demand it
draws on), so a stream given to one receiver is never offered twice (a supply may be split over
several receivers and a demand met by several suppliers: one-to-many both ways). A steam pair
also draws on the coal stream of the boilers it would retire, so it competes with biomass for
the same boilers (the TN-03/TN-04 overlap of the domain review).

Why greedy rather than a linear program: values are linear in the quantity and the problem is a
small transportation problem, so an LP (:func:`lp_optimum`, scipy's HiGHS) finds the optimum;
but the greedy order is the order a facilitator would approach the tenants in, every allocation
can be explained in one sentence ("the stream went to the higher-value pair X"), it is stable
when a small number changes, and on the two inventories it reaches the LP optimum within a few
percent (``tests/test_screening.py`` checks the gap). The LP is kept as the check.

Conventions: money in the inventory currency (VND), per year, constant prices; USD with the
``exchange_rate_vnd_per_usd`` parameter. tCO2e positive = avoided.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import yaml
from pydantic import AfterValidator, Field, ValidationError, model_validator

from . import emissions, files, paths
from .cases import Party, _Strict, read_yaml, validation_error
from .errors import InputError
from .inventory import (
    PARKS,
    Inventory,
    Stream,
    Tenant,
    attributes,
    load_inventory,
    materials,
    screening_dir,
)

TO_BE_SURVEYED = "to be surveyed"

# -- tables ------------------------------------------------------------------------------------


CONVERSIONS = ("energy", "mass", "volume", "pv", "steam", "service")
TRANSPORTS = ("truck", "water_pipe", "steam_pipe", "gas_pipe", "none")


def _known_material(name: str) -> str:
    if name not in materials():
        raise ValueError("a material of materials.yaml")
    return name


Material = Annotated[str, AfterValidator(_known_material)]


class Sourced(_Strict):
    """A number of the table with its source (``yield``, ``max_distance_km``...)."""

    value: float
    source: str


class Treatment(Sourced):
    """Preparation and handling cost [currency per unit of the supply], paid by ``party``."""

    unit: str
    party: Party = "receiver"


class Limit(_Strict):
    """A quality limit on one attribute of a stream: ``max`` and/or ``min``."""

    max: float | None = None
    min: float | None = None
    source: str

    @model_validator(mode="after")
    def _a_bound(self) -> Limit:
        if self.max is None and self.min is None:
            raise ValueError("a max or a min")
        return self


class Rule(_Strict):
    """One row of the compatibility table (``yield`` and ``treatment_cost`` in the file)."""

    id: str
    kind: str
    description: str = ""
    supply: tuple[Material, ...]
    demand: tuple[Material, ...]
    conversion: Literal[CONVERSIONS]
    transport: Literal[TRANSPORTS]
    source: str
    treatment: Treatment | None = Field(None, alias="treatment_cost")
    limits: dict[Literal["supply", "demand"], dict[str, Limit]] = Field(
        default_factory=dict)
    yield_: Sourced | None = Field(None, alias="yield")
    max_distance_km: Sourced | None = None
    same_tenant: bool = False
    supplier_role: str | None = None
    project_flow: str | None = None
    electricity_kwh_per_unit: Sourced | None = None


def load_compatibility(path: str | Path | None = None) -> tuple[dict[str, Any], list[Rule]]:
    """``(settings, rules)`` of the compatibility table; settings are ``{value, unit, source}``
    mappings (``boiler_efficiency`` one per fuel material).

    Raises
    ------
    InputError
        One line naming the file and the field: a rule that is not a mapping, a key that is
        not a field (a misspelt ``limits:`` would otherwise drop a quality limit), a missing
        field, an unknown conversion, transport, material or quality attribute.
    """
    path = Path(path) if path is not None else screening_dir() / "compatibility.yaml"
    data, _ = read_yaml(path)
    if not isinstance(data, dict) or "settings" not in data or "rules" not in data:
        raise InputError("a mapping with settings: and rules:", file=path)
    if not isinstance(data["rules"], list):
        raise InputError("a list of rules", file=path, field="rules")
    rules = []
    for i, r in enumerate(data["rules"]):
        if not isinstance(r, dict):
            raise InputError("a mapping of rule fields (id, kind, supply, demand, conversion, "
                             "transport, source...)", file=path, field=f"rules[{i}]")
        where = f"rules[{i}] ({r.get('id', '?')})"
        try:
            rule = Rule.model_validate(r)
        except ValidationError as exc:
            raise validation_error(exc, path, where=where) from None
        for side, limits in rule.limits.items():  # a misspelt attribute would never be checked
            for name in limits:
                if name not in attributes():
                    raise InputError(f"a quality attribute of materials.yaml "
                                     f"({', '.join(attributes())})", file=path,
                                     field=f"{where}.limits.{side}.{name}", got=name)
        rules.append(rule)
    return data["settings"], rules


def load_barriers(path: str | Path | None = None) -> dict[str, Any]:
    path = Path(path) if path is not None else screening_dir() / "barriers.yaml"
    data, _ = read_yaml(path)
    return data


# -- candidates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One pair (output stream -> input stream); money [VND/yr], tCO2e [tCO2e/yr]."""

    id: str
    park: str
    rule: str
    kind: str
    status: str  #: "compatible" or "rejected"
    reason: str
    supplier: str
    supplier_role: str
    supply_stream: str
    supply_material: str
    receiver: str
    receiver_role: str
    demand_stream: str
    demand_material: str
    distance_km: float
    supply_available: float
    supply_unit: str
    demand_available: float
    demand_unit: str
    #: demand units met per supply unit (t coal per t husk, MWh per m2 ...)
    ratio: float
    matched_supply: float
    matched_demand: float
    transport_per_unit: float
    treatment_per_unit: float
    supplier_value_per_unit: float
    receiver_value_per_unit: float
    co2e_per_unit: float
    supplier_value: float
    receiver_value: float
    value: float
    value_usd: float
    co2e_t: float
    barriers: str
    notes: str
    #: extra demand streams the pair draws on, ``((stream id, use per supply unit), ...)``
    draws_on: tuple[tuple[str, float], ...] = ()
    allocated_supply: float = 0.0
    allocated_demand: float = 0.0
    allocated_value: float = 0.0
    allocated_value_usd: float = 0.0
    allocated_co2e_t: float = 0.0
    allocation: str = ""
    rank_value: int | None = None
    rank_co2e: int | None = None


def _q(setting: dict) -> float:
    return float(setting["value"])


def _distance_km(a: Tenant, b: Tenant, road_factor: float) -> float:
    if a.id == b.id:
        return 0.0
    return math.hypot(a.location.x_km - b.location.x_km,
                      a.location.y_km - b.location.y_km) * road_factor


def _fuel_key(material: str) -> str | None:
    return materials()[material].get("fuel")


def stream_ncv(s: Stream) -> float:
    """Net calorific value as received of a fuel stream [GJ/t]: the stream's NCV as received,
    else the IPCC NCV with its moisture (dry-basis fuels), else the table or vocabulary value."""
    m = materials()[s.material]
    if "ncv_gj_per_t" in m:
        return float(m["ncv_gj_per_t"]["value"])
    fuel = m.get("fuel")
    if fuel is None:
        raise InputError("a fuel material", field=f"stream {s.id}", got=s.material)
    ncv = s.attr("ncv_as_received")
    if ncv is not None:
        return float(emissions.fuel_ncv(fuel, ncv_as_received=ncv))
    if emissions.fuel_factors(fuel)["ncv_basis"] == "dry":
        return float(emissions.fuel_ncv(fuel, moisture=s.attr("moisture")))
    return float(emissions.fuel_ncv(fuel))


def _efficiency(settings: dict, material: str, stream: Stream | None = None) -> float:
    if stream is not None and stream.attr("boiler_efficiency") is not None:
        return float(stream.attr("boiler_efficiency"))
    return _q(settings["boiler_efficiency"][material])


def _route_co2e_per_unit(s: Stream, grid_year: int, gwp: str) -> tuple[float, str]:
    """Emissions of today's route per unit of the supply stream [tCO2e/unit], and a note."""
    m = materials()[s.material]
    if s.route == "flare":
        eta = emissions.flare_efficiency(s.flare)
        return float(emissions.flow_co2e_t("biogas_flared", 1.0, grid_year=grid_year, gwp=gwp,
                                           destruction_efficiency=eta)), f"{s.flare} flare slip"
    if s.route == "landfill" and m.get("landfill"):
        flow = m["landfill"]
        if not emissions.is_counted(flow):
            return 0.0, f"{flow} not converted"
        return float(emissions.flow_co2e_t(flow, 1.0, grid_year=grid_year, gwp=gwp)), \
            f"{flow} methane commitment"
    if s.route == "open_burning":
        return float(emissions.flow_co2e_t("open_burning", 1.0, grid_year=grid_year, gwp=gwp)), \
            "open burning"
    if s.route == "incineration":
        return 0.0, "incineration not counted (waste-to-energy)"
    return 0.0, ""


def _truck_co2e_per_t(settings: dict, km: float, grid_year: int, gwp: str) -> float:
    diesel_t = _q(settings["truck_diesel_kg_per_t_km"]) * km / 1000.0
    return float(emissions.flow_co2e_t("diesel", diesel_t, grid_year=grid_year, gwp=gwp))


def _transport_per_unit(rule: Rule, settings: dict, km: float, same: bool) -> float:
    if rule.transport == "none" or same:
        return 0.0
    if rule.transport == "truck":
        return _q(settings["truck_handling_per_t"]) + _q(settings["truck_cost_per_t_km"]) * km
    return _q(settings[{"water_pipe": "water_pipe_cost_per_m3_km",
                        "steam_pipe": "steam_pipe_cost_per_t_km",
                        "gas_pipe": "gas_pipe_cost_per_t_km"}[rule.transport]]) * km


def _limit_failures(rule: Rule, s: Stream, d: Stream, km: float) -> tuple[list[str], list[str]]:
    """``(reasons the pair is rejected, notes on limits not checked)``."""
    fails, unchecked = [], []
    for side, stream in (("supply", s), ("demand", d)):
        for attr, lim in (rule.limits.get(side) or {}).items():
            x = stream.attr(attr)
            if x is None:
                unchecked.append(f"{attr} of {stream.id} not stated: to be surveyed")
                continue
            if lim.max is not None and x > lim.max:
                fails.append(f"{attr} {x:g} of {stream.id} above the limit {lim.max:g} "
                             f"({lim.source})")
            if lim.min is not None and x < lim.min:
                fails.append(f"{attr} {x:g} of {stream.id} below the limit {lim.min:g} "
                             f"({lim.source})")
    if rule.max_distance_km is not None and km > rule.max_distance_km.value:
        fails.append(f"distance {km:.1f} km above {rule.max_distance_km.value:g} km "
                     f"({rule.max_distance_km.source})")
    return fails, unchecked


def _barriers(rule: Rule, s: Stream, table: dict) -> str:
    out = list(table.get("by_kind", {}).get(rule.kind, {}).get("barriers", []))
    out += [b for b in table.get("by_material", {}).get(s.material, {}).get("barriers", [])
            if b not in out]
    return ", ".join(out)


def _pair(rule: Rule, inv: Inventory, ts: Tenant, s: Stream, td: Tenant, d: Stream,
          settings: dict, params: dict, barriers: dict) -> Candidate:
    grid_year, gwp = int(params["grid_factor_year"]), str(params["gwp_set"])
    usd = float(params["exchange_rate_vnd_per_usd"])
    same = ts.id == td.id
    km = _distance_km(ts, td, _q(settings["road_factor"]))
    fails, notes = _limit_failures(rule, s, d, km)
    draws: list[tuple[str, float]] = []
    purchase = float(d.purchase_price.value) if d.purchase_price else 0.0
    disposal = float(s.disposal_cost.value) if s.disposal_cost else 0.0
    sale = float(s.sale_price.value) if s.sale_price else 0.0
    transport = _transport_per_unit(rule, settings, km, same)
    treatment = rule.treatment.value if rule.treatment else 0.0
    treat_party = rule.treatment.party if rule.treatment else "receiver"
    route_co2e, route_note = _route_co2e_per_unit(s, grid_year, gwp)
    co2e = route_co2e
    if route_note:
        notes.append(route_note)
    if rule.transport == "truck" and not same:
        co2e -= _truck_co2e_per_t(settings, km, grid_year, gwp)
    ratio = 1.0
    extra_receiver = 0.0
    supply_qty = float(s.quantity.value)
    demand_qty = float(d.quantity.value)
    if rule.conversion == "energy":
        ncv_s, ncv_d = stream_ncv(s), stream_ncv(d)
        eta_s, eta_d = _efficiency(settings, s.material), _efficiency(settings, d.material, d)
        ratio = ncv_s * eta_s / (ncv_d * eta_d)
        fuel_s, fuel_d = _fuel_key(s.material), _fuel_key(d.material)
        co2e += float(emissions.flow_co2e_t(fuel_d, ratio, grid_year=grid_year, gwp=gwp,
                                            ncv_gj_per_t=ncv_d))
        if fuel_s is not None:
            co2e -= float(emissions.flow_co2e_t(fuel_s, 1.0, grid_year=grid_year, gwp=gwp,
                                                ncv_gj_per_t=ncv_s))
        else:
            notes.append(f"{s.material} CH4/N2O not counted (no IPCC row)")
        if s.route == "sale" and fuel_s in emissions.RESIDUE_FUELS:
            share = _q(settings["leakage_share_when_sold"])
            repl = settings["leakage_replacement_fuel"]["value"]
            repl_t = emissions.leakage_fuel_t(fuel_s, share, repl, residue_ncv_gj_per_t=ncv_s)
            co2e -= float(emissions.flow_co2e_t(repl, repl_t, grid_year=grid_year, gwp=gwp))
            notes.append(f"leakage: {share:g} of the residue sold today replaced by {repl}")
        notes.append(f"NCV {ncv_s:.2f} -> {ncv_d:.2f} GJ/t, efficiency {eta_s:.2f} -> {eta_d:.2f}")
    elif rule.conversion in ("mass", "volume"):
        ratio = rule.yield_.value if rule.yield_ else 1.0
        if rule.project_flow:
            co2e -= float(emissions.flow_co2e_t(rule.project_flow, 1.0, grid_year=grid_year,
                                                gwp=gwp))
        if rule.electricity_kwh_per_unit:
            co2e -= float(emissions.electricity_emissions(
                rule.electricity_kwh_per_unit.value / 1000.0, grid_year))
    elif rule.conversion == "pv":
        ratio = _q(settings["pv_yield_mwh_per_kwp"]) / _q(settings["pv_m2_per_kwp"])
        co2e += float(emissions.electricity_emissions(ratio, grid_year))
        treatment = ratio * _q(settings["pv_cost_per_mwh"])
        treat_party = "supplier"
    elif rule.conversion == "steam":
        coal = inv.stream(d.fuel_stream)
        fuel_in = inv.stream(s.fuel_stream)
        h = _q(settings["steam_enthalpy_gj_per_t"])
        pipe = _q(settings["steam_pipeline_efficiency"])
        eta_r = _efficiency(settings, coal.material, coal)
        eta_s = _efficiency(settings, fuel_in.material, s)
        coal_per_t = h / (eta_r * stream_ncv(coal))
        fuel_per_t = h / (pipe * eta_s * stream_ncv(fuel_in))
        draws.append((coal.id, coal_per_t))
        co2e += float(emissions.flow_co2e_t(_fuel_key(coal.material), coal_per_t,
                                            grid_year=grid_year, gwp=gwp))
        co2e -= float(emissions.flow_co2e_t(_fuel_key(fuel_in.material), fuel_per_t,
                                            grid_year=grid_year, gwp=gwp,
                                            ncv_gj_per_t=stream_ncv(fuel_in)))
        treatment = fuel_per_t * float(fuel_in.purchase_price.value if fuel_in.purchase_price
                                       else 0.0)
        treat_party = "supplier"
        notes.append(f"{coal_per_t:.3f} t {coal.material} saved and {fuel_per_t:.3f} t "
                     f"{fuel_in.material} burnt per t of steam")
    elif rule.conversion == "service":
        coal = inv.stream(d.fuel_stream)
        eta_now = _efficiency(settings, coal.material, coal)
        target = _q(settings["service_target_efficiency"])
        saved = float(coal.quantity.value) * max(0.0, 1.0 - eta_now / target)
        if eta_now >= target:
            fails.append(f"boiler efficiency {eta_now:g} already at the service target "
                         f"{target:g}")
        per_day = saved / demand_qty if demand_qty else 0.0
        extra_receiver = per_day * float(coal.purchase_price.value if coal.purchase_price else 0)
        co2e += float(emissions.flow_co2e_t(_fuel_key(coal.material), per_day,
                                            grid_year=grid_year, gwp=gwp))
        treatment = _q(settings["service_day_cost"])
        treat_party = "supplier"
        purchase = 0.0
        notes.append(f"{saved:.0f} t/yr {coal.material} saved ({eta_now:g} -> {target:g})")
    supplier_v = disposal - sale - transport - (treatment if treat_party == "supplier" else 0)
    receiver_v = ratio * purchase + extra_receiver - (
        treatment if treat_party == "receiver" else 0)
    matched = min(supply_qty, demand_qty / ratio if ratio > 0 else 0.0)
    for key, use in draws:
        matched = min(matched, float(inv.stream(key).quantity.value) / use)
    status = "rejected" if fails else "compatible"
    if status == "rejected":
        matched = 0.0
    vpu = supplier_v + receiver_v
    return Candidate(
        id=f"{s.id}:{d.id}", park=inv.park, rule=rule.id, kind=rule.kind, status=status,
        reason="; ".join(fails), supplier=ts.id,
        supplier_role=rule.supplier_role or ts.role, supply_stream=s.id,
        supply_material=s.material, receiver=td.id, receiver_role=td.role, demand_stream=d.id,
        demand_material=d.material, distance_km=km, supply_available=supply_qty,
        supply_unit=s.quantity.unit, demand_available=demand_qty, demand_unit=d.quantity.unit,
        ratio=ratio, matched_supply=matched, matched_demand=matched * ratio,
        transport_per_unit=transport, treatment_per_unit=treatment,
        supplier_value_per_unit=supplier_v, receiver_value_per_unit=receiver_v,
        co2e_per_unit=co2e, supplier_value=matched * supplier_v,
        receiver_value=matched * receiver_v, value=matched * vpu, value_usd=matched * vpu / usd,
        co2e_t=matched * co2e, barriers=_barriers(rule, s, barriers), notes="; ".join(notes),
        draws_on=tuple(draws))


def candidates(inv: Inventory, *, settings: dict | None = None, rules: Sequence[Rule] | None = None,
               params: dict | None = None) -> list[Candidate]:
    """Every pair the compatibility table allows (compatible or rejected), not yet allocated."""
    if settings is None or rules is None:
        settings, rules = load_compatibility()
    if params is None:
        from .parameters import resolve

        params = resolve().values
    barriers = load_barriers()
    out = []
    for rule in rules:
        for ts, s in inv.streams():
            if s.direction != "output" or s.material not in rule.supply:
                continue
            for td, d in inv.streams():
                if d.direction != "input" or d.material not in rule.demand:
                    continue
                if (ts.id == td.id) != rule.same_tenant:
                    continue
                out.append(_pair(rule, inv, ts, s, td, d, settings, params, barriers))
    return out


def allocate(cands: Iterable[Candidate], inv: Inventory) -> list[Candidate]:
    """Greedy allocation by value (see the module docstring): returns every candidate with its
    ``allocated_*`` fields, ``allocation`` (why or why not) and ranks by value and tCO2e."""
    cands = list(cands)
    left = {s.id: float(s.quantity.value) for _, s in inv.streams()}
    taken_by: dict[str, str] = {}
    order = sorted(range(len(cands)), key=lambda i: (-cands[i].value, cands[i].id))
    out = list(cands)
    for i in order:
        c = cands[i]
        if c.status != "compatible":
            out[i] = replace(c, allocation=f"rejected: {c.reason}")
            continue
        if c.value <= 0:
            out[i] = replace(c, allocation="not allocated: no positive value at screening "
                             "prices")
            continue
        uses = [(c.supply_stream, 1.0), (c.demand_stream, c.ratio), *c.draws_on]
        amount = min(left[k] / u for k, u in uses if u > 0)
        amount = min(amount, c.matched_supply)
        if amount <= 1e-9 * max(c.matched_supply, 1.0):
            short = next(k for k, u in uses if left[k] / u <= 1e-9 * max(c.matched_supply, 1))
            out[i] = replace(c, allocation=f"not allocated: {short} already given to "
                             f"{taken_by.get(short, 'another pair')}")
            continue
        for k, u in uses:
            left[k] -= amount * u
            if left[k] <= 1e-9 * max(c.matched_supply, 1.0):
                taken_by.setdefault(k, c.id)
        vpu = c.supplier_value_per_unit + c.receiver_value_per_unit
        usd = c.value_usd / c.value if c.value else 0.0
        part = "allocated" if amount >= c.matched_supply * (1 - 1e-9) else \
            f"partly allocated ({amount / c.matched_supply:.0%} of the match)"
        out[i] = replace(c, allocated_supply=amount, allocated_demand=amount * c.ratio,
                         allocated_value=amount * vpu, allocated_value_usd=amount * vpu * usd,
                         allocated_co2e_t=amount * c.co2e_per_unit, allocation=part)
    got = [c for c in out if c.allocated_supply > 0]
    by_value = sorted(got, key=lambda c: (-c.allocated_value, c.id))
    by_co2e = sorted(got, key=lambda c: (-c.allocated_co2e_t, c.id))
    rv = {c.id: r for r, c in enumerate(by_value, start=1)}
    rc = {c.id: r for r, c in enumerate(by_co2e, start=1)}
    return [replace(c, rank_value=rv.get(c.id), rank_co2e=rc.get(c.id)) for c in out]


def lp_optimum(cands: Iterable[Candidate], inv: Inventory) -> float:
    """The largest total value [VND/yr] any allocation can reach (scipy ``linprog``, HiGHS):
    the check on :func:`allocate`'s greedy order."""
    from scipy.optimize import linprog

    cs = [c for c in cands if c.status == "compatible" and c.value > 0]
    if not cs:
        return 0.0
    keys = sorted({k for c in cs for k, _ in [(c.supply_stream, 1), (c.demand_stream, 1),
                                               *c.draws_on]})
    idx = {k: i for i, k in enumerate(keys)}
    a = [[0.0] * len(cs) for _ in keys]
    for j, c in enumerate(cs):
        for k, u in [(c.supply_stream, 1.0), (c.demand_stream, c.ratio), *c.draws_on]:
            a[idx[k]][j] += u
    b = [float(inv.stream(k).quantity.value) for k in keys]
    vpu = [-(c.supplier_value_per_unit + c.receiver_value_per_unit) for c in cs]
    res = linprog(vpu, A_ub=a, b_ub=b, bounds=[(0, c.matched_supply) for c in cs],
                  method="highs")
    return float(-res.fun)


def screen(park: str | Path, **kwargs: Any) -> tuple[Inventory, list[Candidate]]:
    """Load a park's inventory, list its candidates and allocate them."""
    inv = load_inventory(park)
    return inv, allocate(candidates(inv, **kwargs), inv)


def top(cands: Iterable[Candidate], n: int = 10, by: str = "value") -> list[Candidate]:
    """The ``n`` best allocated candidates by ``"value"`` or ``"co2e"``."""
    key = "rank_value" if by == "value" else "rank_co2e"
    got = [c for c in cands if getattr(c, key) is not None]
    return sorted(got, key=lambda c: getattr(c, key))[:n]


# -- output --------------------------------------------------------------------------------------

#: Columns of ``data/processed/screening/<park>.csv`` with their units.
CSV_COLUMNS: dict[str, str] = {
    "rank_value": "-", "rank_co2e": "-", "id": "-", "rule": "-", "kind": "-",
    "status": "-", "allocation": "-", "supplier": "-", "supplier_role": "-",
    "supply_stream": "-", "supply_material": "-", "receiver": "-", "receiver_role": "-",
    "demand_stream": "-", "demand_material": "-", "distance_km": "km",
    "supply_available": "supply unit/yr", "supply_unit": "-", "demand_available": "demand unit/yr",
    "demand_unit": "-", "ratio": "demand unit per supply unit",
    "matched_supply": "supply unit/yr", "matched_demand": "demand unit/yr",
    "allocated_supply": "supply unit/yr", "allocated_demand": "demand unit/yr",
    "transport_per_unit": "VND per supply unit", "treatment_per_unit": "VND per supply unit",
    "supplier_value": "VND/yr", "receiver_value": "VND/yr", "value": "VND/yr",
    "value_usd": "USD/yr", "allocated_value": "VND/yr", "allocated_value_usd": "USD/yr",
    "co2e_t": "tCO2e/yr", "allocated_co2e_t": "tCO2e/yr", "barriers": "-", "reason": "-",
    "notes": "-",
}


def frame(cands: Iterable[Candidate]) -> pd.DataFrame:
    """One row per pair: allocated ones by rank, then the others by value, then rejected."""
    rows = [asdict(c) for c in cands]
    df = pd.DataFrame(rows, columns=[*CSV_COLUMNS])
    df["_o"] = [(0 if r["rank_value"] else 1 if r["status"] == "compatible" else 2,
                 r["rank_value"] or 0, -r["value"], r["id"]) for r in rows]
    df = df.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
    for col in ("rank_value", "rank_co2e"):
        df[col] = df[col].astype("Int64")
    return df


def write_screening(park: str, cands: Iterable[Candidate], directory: str | Path | None = None
                    ) -> Path:
    """Write ``data/processed/screening/<park>.csv`` atomically (text cells never formulas)."""
    from .files import atomic_write_text
    from .processed import _csv

    directory = Path(directory) if directory is not None else paths.processed_dir() / "screening"
    return atomic_write_text(directory / f"{park}.csv", _csv(frame(cands)))


def summary_lines(cands: Sequence[Candidate], n: int = 10) -> list[str]:
    """The top candidates by value, then by tCO2e, as fixed-width lines."""
    head = (f"{'#':>3s} {'candidate':22s} {'kind':21s} {'supplier -> receiver':44s} "
            f"{'USD/yr':>10s} {'tCO2e/yr':>9s}")
    out = []
    for by, label in (("value", "by value"), ("co2e", "by tCO2e avoided")):
        out += [f"top {n} {label}:", head]
        for c in top(cands, n, by):
            rank = c.rank_value if by == "value" else c.rank_co2e
            pair = f"{c.supplier_role} ({c.supply_material}) -> {c.receiver_role}"
            out.append(f"{rank:>3d} {c.id:22s} {c.kind:21s} {pair[:44]:44s} "
                       f"{c.allocated_value_usd:>10,.0f} {c.allocated_co2e_t:>9,.0f}")
        out.append("")
    n_rej = sum(c.status == "rejected" for c in cands)
    n_all = sum(c.allocated_supply > 0 for c in cands)
    out.append(f"{len(cands)} pairs: {n_all} allocated, {n_rej} rejected by a quality limit")
    return out


# -- draft cases -----------------------------------------------------------------------------


def _tbs(unit: str, what: str) -> dict:
    """A 'to be surveyed' marker: a quantity whose value is the words, so the case loader
    refuses it until filled and :func:`draft_gaps` can list it."""
    return {"value": TO_BE_SURVEYED, "unit": unit, "source": f"{TO_BE_SURVEYED}: {what}"}


def _src(inv: Inventory, s: Stream, what: str = "") -> str:
    base = f"inventory {inv.source_file}, stream {s.id}"
    return f"{base}{': ' + what if what else ''} ({s.quantity.source})" if not what else \
        f"{base}: {what}"


def _num(value: float, unit: str, source: str) -> dict:
    return {"value": float(f"{value:.6g}"), "unit": unit, "source": source}


def _price(inv: Inventory, s: Stream, kind: str) -> dict:
    q = getattr(s, kind)
    return _num(q.value, q.unit, f"inventory {inv.source_file}, stream {s.id} {kind}: {q.source}")


def find_candidate(candidate_id: str) -> tuple[Inventory, Candidate]:
    """The candidate ``<supply stream>:<demand stream>`` in whichever park's inventory holds it."""
    if ":" not in candidate_id:
        raise InputError("a candidate id <supply stream>:<demand stream> (eip-analysis screen "
                         "lists them)", field="CANDIDATE", got=candidate_id)
    supply = candidate_id.split(":", 1)[0]
    for key in PARKS.values():
        try:
            inv = load_inventory(key)
        except InputError:
            continue
        if any(s.id == supply for _, s in inv.streams()):
            cands = allocate(candidates(inv), inv)
            for c in cands:
                if c.id == candidate_id:
                    return inv, c
            raise InputError(f"a candidate of {inv.source_file} (eip-analysis screen "
                             f"{key} lists them)", field="CANDIDATE", got=candidate_id)
    raise InputError("a candidate whose supply stream is in an inventory of "
                     f"{paths.raw_dir() / 'inventories'}", field="CANDIDATE", got=candidate_id)


def draft_data(inv: Inventory, c: Candidate, new_id: str) -> dict:
    """The case-file mapping of a draft for candidate ``c`` (see :func:`write_draft`)."""
    if c.status != "compatible":
        raise InputError(f"a compatible candidate (this one is rejected: {c.reason})",
                         field="CANDIDATE", got=c.id)
    settings, rules = load_compatibility()
    rule = next(r for r in rules if r.id == c.rule)
    s, d = inv.stream(c.supply_stream), inv.stream(c.demand_stream)
    qty = c.allocated_supply or c.matched_supply
    dem = qty * c.ratio
    su, du = s.quantity.unit, d.quantity.unit
    per_s = su.removesuffix("/yr")
    cur = inv.currency
    match_src = (f"screening of {inv.source_file}: matched {qty:,.4g} {su} of stream {s.id} "
                 f"({s.quantity.source}) against {d.id} ({d.quantity.source})")
    flows: list[dict] = []
    benefits: list[dict] = []
    opex: list[dict] = []
    transfers: list[dict] = []
    capex = [{"name": "investment", "description": f"Equipment and works for: {rule.description}",
              "party": "receiver" if rule.conversion in ("energy", "mass") else "supplier",
              "year": 0, "kind": "equipment", "amount": _tbs(cur, f"capex of the exchange [{cur}]")}]
    eff_src = "data/raw/screening/compatibility.yaml boiler_efficiency"

    def line(name, desc, party, kind, price, *, flow=None, q=None) -> dict:
        out = {"name": name, "description": desc, "party": party, "kind": kind}
        if flow is not None:
            out["quantity_from_flow"] = flow
        else:
            out["quantity_per_year"] = q
        out["unit_price"] = price
        return out

    q_s = _num(qty, su, match_src)
    q_d = _num(dem, du, match_src)
    waste_flow: dict | None = None  # the supplier's disposal flow that falls, if any
    transport = _num(c.transport_per_unit, f"{cur}/{per_s}",
                     f"screening: {rule.transport} over {c.distance_km:.2f} km "
                     "(data/raw/screening/compatibility.yaml settings)")
    if rule.conversion == "energy":
        fs, fd = _fuel_key(s.material), _fuel_key(d.material)
        eta_s = _efficiency(settings, s.material)
        eta_d = _efficiency(settings, d.material, d)
        if fs is not None:
            new = {"flow": fs, "party": "receiver",
                   "description": f"{s.material} from {c.supplier_role} burnt by the receiver",
                   "baseline_per_year": _num(0, "t/yr", "screening: not burnt there today"),
                   "project_per_year": q_s}
            if s.attr("ncv_as_received") is not None:
                new["ncv_as_received"] = _num(s.attr("ncv_as_received"), "GJ/t",
                                              _src(inv, s, s.quality["ncv_as_received"].source))
            elif emissions.fuel_factors(fs)["ncv_basis"] == "dry":
                new["moisture"] = _num(s.attr("moisture"), "fraction",
                                       _src(inv, s, s.quality["moisture"].source))
            if s.route == "sale" and fs in emissions.RESIDUE_FUELS:
                new["leakage"] = {"assessment": "not_assessed",
                                  "displaced_use": f"present buyers of the {s.material} "
                                                   "(inventory route: sale)",
                                  "basis": f"{TO_BE_SURVEYED}: whether the {s.material} is "
                                           "surplus (CDM Tool 16 test) and who would replace it"}
            old_base = {"method": "fuel_replaced", "by": fs,
                        "efficiency_by": _num(eta_s, "fraction", eff_src),
                        "efficiency": _num(eta_d, "fraction",
                                           _src(inv, d, "boiler efficiency")
                                           if d.attr("boiler_efficiency") else eff_src)}
        else:
            new = None
            old_base = q_d
        old = {"flow": fd, "party": "receiver",
               "description": f"{d.material} the receiver burns today (the share replaced)",
               "baseline_per_year": old_base,
               "project_per_year": _num(0, "t/yr", "screening: fully replaced")}
        if emissions.fuel_factors(fd)["ncv_basis"] == "dry":
            old["moisture"] = _num(d.attr("moisture"), "fraction",
                                   _src(inv, d, d.quality["moisture"].source))
        elif d.attr("ncv_as_received") is not None:
            old["ncv_as_received"] = _num(d.attr("ncv_as_received"), "GJ/t",
                                          _src(inv, d, d.quality["ncv_as_received"].source))
        flows.append(old)
        if new is not None:
            flows.append(new)
        if s.route == "flare":
            flows.append({"flow": "biogas_flared", "party": "supplier",
                          "description": "biogas flared today", "flare": s.flare,
                          "baseline_per_year": {"method": "same_as", "flow": fs,
                                                "side": "project"},
                          "project_per_year": _num(0, "t/yr", "screening: no longer flared")})
        benefits.append(line(f"{d.material}_avoided", f"{d.material} no longer bought",
                             "receiver", "avoided_purchase", _price(inv, d, "purchase_price"),
                             flow=fd))
        supply_flow = {"flow": fs} if fs else {"q": q_s}
    elif rule.conversion in ("mass", "volume"):
        supply_flow = {"q": q_s}
        m = materials()[s.material]
        waste = m.get("landfill") if s.route == "landfill" else (
            "incineration" if s.route == "incineration" else None)
        if waste:
            flows.append({"flow": waste, "party": "supplier",
                          "description": f"{s.material} sent to {s.route} today",
                          "baseline_per_year": q_s,
                          "project_per_year": _num(0, "t/yr", "screening: all diverted")})
            waste_flow = {"flow": waste}
        if rule.project_flow:
            flows.append({"flow": rule.project_flow, "party": "receiver",
                          "description": f"{s.material} treated by {rule.project_flow}",
                          "baseline_per_year": _num(0, "t/yr", "screening: none today"),
                          "project_per_year": q_d})
        if rule.conversion == "volume":
            flows.append({"flow": "water", "party": "receiver",
                          "description": "tap water replaced", "baseline_per_year": q_d,
                          "project_per_year": _num(0, "m3/yr", "screening: replaced share")})
            kwh = rule.electricity_kwh_per_unit.value
            flows.append({"flow": "electricity", "party": "supplier",
                          "description": "electricity of the added treatment and pumping",
                          "baseline_per_year": _num(0, "MWh/yr", "screening: none today"),
                          "project_per_year": _num(qty * kwh / 1000, "MWh/yr",
                                                   f"screening: {kwh:g} kWh/m3 "
                                                   f"({rule.electricity_kwh_per_unit.source})")})
            benefits.append(line("tap_water_avoided", "tap water no longer bought", "receiver",
                                 "avoided_purchase", _price(inv, d, "purchase_price"),
                                 flow="water"))
        else:
            benefits.append(line(f"{d.material}_avoided", f"{d.material} no longer bought",
                                 "receiver", "avoided_purchase",
                                 _price(inv, d, "purchase_price"), q=q_d))
    elif rule.conversion == "pv":
        supply_flow = None
        flows.append({"flow": "electricity", "party": "receiver",
                      "description": "grid electricity replaced by rooftop PV",
                      "baseline_per_year": q_d,
                      "project_per_year": _num(0, "MWh/yr", "screening: PV output self-consumed")})
        benefits.append(line("grid_power_avoided", "grid electricity no longer bought",
                             "receiver", "avoided_purchase", _price(inv, d, "purchase_price"),
                             flow="electricity"))
        opex.append({"name": "pv_om", "description": "PV operation, cleaning and insurance",
                     "party": "supplier", "kind": "operating_cost",
                     "amount_per_year": _tbs(f"{cur}/yr", f"PV O&M [{cur}/yr]")})
        transfers.append({"name": "ppa_price", "description": "receiver pays per MWh of PV",
                          "payer": "receiver", "quantity_from_flow": "electricity",
                          "unit_price": _tbs(f"{cur}/MWh", f"PPA price [{cur}/MWh]")})
    elif rule.conversion in ("steam", "service"):
        coal = inv.stream(d.fuel_stream)
        fk = _fuel_key(coal.material)
        eta_now = _efficiency(settings, coal.material, coal)
        ncv = stream_ncv(coal)
        if rule.conversion == "steam":
            fuel_in = inv.stream(s.fuel_stream)
            h = _q(settings["steam_enthalpy_gj_per_t"])
            pipe = _q(settings["steam_pipeline_efficiency"])
            heat_src = (f"screening: {qty:,.0f} t/yr steam x {h:g} GJ/t "
                        f"({settings['steam_enthalpy_gj_per_t']['source']})")
            flows.append({"flow": fk, "party": "receiver",
                          "description": f"{coal.material} of the receiver's own boilers",
                          "baseline_per_year": {"method": "useful_heat",
                                                "useful_heat": _num(qty * h, "GJ/yr", heat_src),
                                                "efficiency": _num(eta_now, "fraction",
                                                                   _src(inv, coal, "boiler efficiency")),
                                                "basis": heat_src},
                          "project_per_year": _num(0, "t/yr", "screening: own boilers retired")})
            ff = _fuel_key(fuel_in.material)
            sup = {"flow": ff, "party": "supplier",
                   "description": f"{fuel_in.material} burnt for the steam sold",
                   "baseline_per_year": _num(0, "t/yr", "screening: increment only"),
                   "project_per_year": {"method": "useful_heat",
                                        "useful_heat": _num(qty * h / pipe, "GJ/yr",
                                                            f"{heat_src} / pipeline {pipe:g}"),
                                        "efficiency": _num(_efficiency(settings, fuel_in.material, s),
                                                           "fraction", _src(inv, s, "boiler efficiency")),
                                        "basis": heat_src}}
            if fuel_in.attr("ncv_as_received") is not None:
                sup["ncv_as_received"] = _num(fuel_in.attr("ncv_as_received"), "GJ/t",
                                              _src(inv, fuel_in, "NCV as received"))
            flows.append(sup)
            opex.append(line("fuel", f"{fuel_in.material} for the steam sold", "supplier",
                             "operating_cost", _price(inv, fuel_in, "purchase_price"), flow=ff))
            benefits.append({"name": "own_boiler_om", "description": "operation and upkeep "
                             "of the receiver's retired boilers", "party": "receiver",
                             "kind": "avoided_purchase",
                             "amount_per_year": _tbs(f"{cur}/yr", "O&M of the receiver's own "
                                                     f"boilers no longer run [{cur}/yr]")})
            supply_flow = {"q": q_s}
        else:
            target = _q(settings["service_target_efficiency"])
            heat = float(coal.quantity.value) * ncv * eta_now
            heat_src = (f"screening: {coal.quantity.value:,.0f} t/yr x {ncv:g} GJ/t x "
                        f"{eta_now:g} (inventory stream {coal.id})")
            flows.append({"flow": fk, "party": "receiver",
                          "description": f"{coal.material} of the receiver's boilers",
                          "baseline_per_year": {"method": "useful_heat",
                                                "useful_heat": _num(heat, "GJ/yr", heat_src),
                                                "efficiency": _num(eta_now, "fraction",
                                                                   _src(inv, coal, "boiler efficiency")),
                                                "basis": heat_src},
                          "project_per_year": {"method": "useful_heat",
                                               "useful_heat": _num(heat, "GJ/yr", heat_src),
                                               "efficiency": _num(target, "fraction",
                                                                  settings["service_target_efficiency"]["source"]),
                                               "basis": heat_src}})
            opex.append(line("operators", "certified operators' time", "supplier",
                             "operating_cost",
                             _num(_q(settings["service_day_cost"]), f"{cur}/person-day",
                                  settings["service_day_cost"]["source"]), q=q_s))
            supply_flow = None
        benefits.append(line(f"{coal.material}_avoided", f"{coal.material} no longer bought",
                             "receiver", "avoided_purchase", _price(inv, coal, "purchase_price"),
                             flow=fk))
    if rule.conversion in ("energy", "mass", "volume", "steam"):
        if s.sale_price is not None and s.sale_price.value > 0:
            opex.append(line("forgone_sale", f"present sale of the {s.material} given up",
                             "supplier", "other", _price(inv, s, "sale_price"), **supply_flow))
        if s.disposal_cost is not None and s.disposal_cost.value > 0:
            falling = waste_flow or {"q": q_s}  # a benefit takes a falling flow
            benefits.append(line("disposal_avoided", f"{s.route} of the {s.material} avoided",
                                 "supplier", "avoided_disposal",
                                 _price(inv, s, "disposal_cost"), **falling))
        if c.transport_per_unit > 0:
            opex.append(line("transport", f"{rule.transport.replace('_', ' ')} to the receiver",
                             "supplier", "operating_cost", transport, **supply_flow))
        if rule.treatment and rule.conversion != "steam":
            t = rule.treatment
            opex.append(line("treatment", f"preparation and handling ({rule.id})",
                             t.party, "operating_cost",
                             _num(t.value, f"{cur}/{per_s}", t.source), **supply_flow))
        transfers.append({"name": "price", "description": f"receiver pays per {per_s} of "
                          f"{s.material}", "payer": "receiver",
                          **({"quantity_from_flow": supply_flow["flow"]} if "flow" in supply_flow
                             else {"quantity_per_year": supply_flow["q"]}),
                          "unit_price": _tbs(f"{cur}/{per_s}", f"negotiated price [{cur}/{per_s}]")})
    if rule.conversion == "service":
        transfers.append({"name": "service_fee", "description": "receiver pays per person-day",
                          "payer": "receiver", "quantity_per_year": q_s,
                          "unit_price": _tbs(f"{cur}/person-day", f"fee [{cur}/person-day]")})
    barriers = [b for b in c.barriers.split(", ") if b]
    return {
        "id": new_id, "park": inv.park,
        "title": f"{s.material.replace('_', ' ')} from {c.supplier_role} to {c.receiver_role}",
        "kind": c.kind,
        "exchange": f"Screening candidate {c.id}: {rule.description} ({c.supplier} "
                    f"{s.id} -> {c.receiver} {d.id}, {c.distance_km:.2f} km). Drafted from the "
                    f"inventory; every field marked '{TO_BE_SURVEYED}' must be filled.",
        "supplier_role": c.supplier_role, "receiver_role": c.receiver_role,
        "data_quality": "illustrative",
        "data_note": (f"Draft from the illustrative inventory {inv.source_file} (eip-analysis "
                      f"draft-case {c.id}); quantities and prices are the inventory's, to be "
                      "confirmed by the survey."),
        "survey": [{"round": datetime.date.today().year, "status": "not_started",
                    "barriers": barriers,
                    "notes": f"Screening: indicative value {c.allocated_value_usd or c.value_usd:,.0f}"
                             f" USD/yr, {c.allocated_co2e_t or c.co2e_t:,.0f} tCO2e/yr. {c.notes}",
                    "data_quality": "illustrative",
                    "source": "screening (eip_analysis.screening); barriers typical of the kind "
                              "(data/raw/screening/barriers.yaml)"}],
        "next_steps": ["Survey the quantities, qualities and prices of the two streams.",
                       f"Fill every '{TO_BE_SURVEYED}' field (eip-analysis validate lists them)."],
        "currency": cur, "operation_start_year": 1,
        "lifetime_years": _tbs("yr", "operating life [yr], whole years"),
        "capex": capex, "opex": opex, "benefits": benefits, "transfers": transfers,
        "resource_flows": flows,
    }


def write_draft(candidate_id: str, new_id: str, cases_dir: str | Path | None = None) -> Path:
    """Write ``data/raw/cases/<new_id>.yaml`` for a screening candidate; never overwrites.

    Every number is the inventory's (sourced to the inventory file and stream) or a
    ``{value: to be surveyed, unit: ..., source: "to be surveyed: <what is expected>"}``
    marker, which the case loader refuses until it is filled and :func:`draft_gaps` lists.
    """
    from .paths import PLAIN_NAME

    if not PLAIN_NAME.match(new_id):
        raise InputError("a plain case id (letters, digits, '-', '_')", field="--id", got=new_id)
    folder = Path(cases_dir) if cases_dir is not None else paths.cases_dir()
    path = folder / f"{new_id}.yaml"
    if path.exists():
        raise InputError("a case id without a file (draft-case never overwrites)", file=path,
                         field="--id", got=new_id)
    inv, c = find_candidate(candidate_id)
    data = draft_data(inv, c, new_id)
    text = (f"# {new_id}: DRAFT from screening candidate {c.id} ({inv.park}).\n"
            f"# Numbers come from {inv.source_file} or are marked '{TO_BE_SURVEYED}';\n"
            "# `eip-analysis validate` lists what is still missing.\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
    try:  # fails if the file appeared meanwhile: never overwrites
        files.atomic_write_text(path, text, overwrite=False)
    except FileExistsError:
        raise InputError("a case id without a file (draft-case never overwrites)", file=path,
                         field="--id", got=new_id) from None
    return path


def _gaps(node: Any, where: str) -> Iterable[tuple[str, str]]:
    if isinstance(node, dict):
        if node.get("value") == TO_BE_SURVEYED:
            what = str(node.get("source", "")).removeprefix(f"{TO_BE_SURVEYED}:").strip()
            unit = node.get("unit")
            yield where, (what or "a number") + (f" in {unit}" if unit and unit not in what
                                                    else "")
            return
        for k, v in node.items():
            yield from _gaps(v, f"{where}.{k}" if where else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            name = v.get("name") or v.get("flow") if isinstance(v, dict) else None
            yield from _gaps(v, f"{where}[{i}]" + (f" ({name})" if name else ""))
    elif isinstance(node, str) and node.startswith(TO_BE_SURVEYED):
        yield where, node.removeprefix(TO_BE_SURVEYED).lstrip(": ") or "a text"


def draft_gaps(path: str | Path) -> list[str]:
    """One line per field a draft case still lacks: ``<file>: <field>: expected <what>``.

    A field lacks its value while it holds the ``to be surveyed`` marker (a quantity whose
    value is those words, or a text starting with them). An empty list: nothing is missing
    (the case loader then validates the rest).
    """
    path = Path(path)
    data, _ = read_yaml(path)
    return [f"{path}: {field}: expected {what} ({TO_BE_SURVEYED})"
            for field, what in _gaps(data, "")]


# -- candidates that already have a case ----------------------------------------------------------

#: Which known case each inventory pair stands for (``data/raw/screening/known_cases.yaml``).
KNOWN_CASES_FILE = "known_cases.yaml"


def known_cases(inventories: Iterable[Inventory], path: str | Path | None = None
                ) -> dict[str, str]:
    """``{candidate id: case id}`` of the pairs that stand for a known case.

    Raises
    ------
    InputError
        One line naming the file and the case: not a mapping of case id to
        ``"<supply stream>:<demand stream>"``, or a stream that no inventory has.
    """
    path = Path(path) if path is not None else screening_dir() / KNOWN_CASES_FILE
    data, _ = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("a mapping of case id to '<supply stream>:<demand stream>'", file=path)
    streams = {s.id for inv in inventories for _, s in inv.streams()}
    out: dict[str, str] = {}
    for case_id, pair in data.items():
        parts = pair.split(":") if isinstance(pair, str) else []
        if len(parts) != 2 or not all(p in streams for p in parts):
            raise InputError("'<supply stream>:<demand stream>' of the inventories' streams",
                             file=path, field=str(case_id), got=pair)
        out[pair] = str(case_id)
    return out


def case_words(c: Candidate, known: dict[str, str]) -> str:
    """``"HK-01"`` when the pair is a known case; ``"new (its supply is in HK-01)"`` when its
    supply stream is a known case's with another receiver; else ``"new"``."""
    if c.id in known:
        return known[c.id]
    others = sorted({cid for pair, cid in known.items()
                     if pair.split(":")[0] == c.supply_stream})
    return f"new (its supply is in {', '.join(others)})" if others else "new"


def network(inv: Inventory, cands: Iterable[Candidate], known: dict[str, str]
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The park's supply-demand network: ``(nodes, edges)``.

    ``nodes``: every tenant (``tenant``, ``role``, ``x_km``, ``y_km``); ``edges``: every
    allocated candidate (``candidate``, ``supplier``, ``receiver``, ``value_usd`` [USD/yr],
    ``co2e_t`` [tCO2e/yr], ``has_case``: the pair is a known case).
    """
    nodes = pd.DataFrame([{"tenant": t.id, "role": t.role, "x_km": t.location.x_km,
                           "y_km": t.location.y_km} for t in inv.tenants])
    edges = pd.DataFrame([{"candidate": c.id, "supplier": c.supplier, "receiver": c.receiver,
                           "value_usd": c.allocated_value_usd, "co2e_t": c.allocated_co2e_t,
                           "has_case": c.id in known}
                          for c in cands if c.rank_value is not None],
                         columns=["candidate", "supplier", "receiver", "value_usd", "co2e_t",
                                  "has_case"])
    return nodes, edges
