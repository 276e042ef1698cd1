"""Plausibility checks: where a case looks implausible to a domain reviewer, in one line each.

:func:`check_case` looks at one appraised case, :func:`check_portfolio` across cases (shared
resources, cases that exclude each other). Each :class:`Finding` names the case, the field and
the check; a case file may accept a finding with a reason (``accepted_warnings: [{check, field,
reason}]``), and the finding is then printed as accepted. ``eip-analysis check [IDS]`` prints
them; ``make reports`` runs it (warnings only) and each report lists its case's findings.

The checks (``check`` codes):

- ``energy_balance``: in a fuel switch, the fuel energy [GJ/yr, as received] the project burns
  against the energy it replaces lies outside the ratio two boiler efficiencies allow
  (:data:`BOILER_EFFICIENCY_BOUNDS`), or a declared boiler efficiency lies outside them;
- ``range``: an input or a case parameter outside its own low/high range;
- ``verify_returns``: IRR above 50% or simple payback under a year: verify, naming the two
  drivers whose switching value is closest to their base value;
- ``unit_cost``: a benchmarked figure (capex per kWp, per metre, fuel energy per tonne of
  product) outside the sourced range of ``data/raw/factors/typical_ranges.csv``;
- ``contingency``: no capex item of kind ``contingency``;
- ``baseline_source``: a non-zero baseline quantity whose source gives no basis;
- ``leakage``: a residue taken from present users without a ``leakage`` statement;
- ``vat``: the case does not say whether its prices include VAT;
- ``shared_resource``: the cases drawing on a shared resource need more than its stated supply
  (mutually exclusive cases counted once, the larger demand);
- ``excludes``: an exclusion naming an unknown case, or not declared by both cases.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from . import emissions, formatting, paths
from .appraisal import Appraisal, appraise
from .cases import Case
from .cashflow import flow_resolver
from .errors import InputError, unexpected
from .flows import FlowResolver
from .i18n import current_language, fmt
from .i18n import gettext as _
from .quantities import Quantity

#: Efficiency of an industrial boiler on the NCV basis [fraction]: below, a boiler is broken;
#: above, it condenses (not the fire-tube and chain-grate boilers of the parks).
BOILER_EFFICIENCY_BOUNDS = (0.55, 0.92)
#: Returns that ask for a second look.
IRR_VERIFY = 0.50  # [1/yr]
PAYBACK_VERIFY_YEARS = 1.0  # [yr]
RANGES_FILE = "typical_ranges.csv"
SHARED_RESOURCES_FILE = "shared_resources.yaml"


@dataclass(frozen=True)
class Finding:
    """One plausibility warning: the case, the field, the check code and what was found."""

    case_id: str
    check: str
    field: str
    message: str
    accepted: str = ""  #: the reason the case file gives for accepting it, if it does

    def line(self) -> str:
        head = "accepted" if self.accepted else "warning"
        tail = f" (accepted: {self.accepted})" if self.accepted else ""
        return f"{head}: {self.case_id}: {self.field}: [{self.check}] {self.message}{tail}"


class TypicalRange(BaseModel):
    model_config = ConfigDict(frozen=True)
    key: str
    unit: str
    low: float
    high: float
    source: str


@functools.lru_cache(maxsize=4)
def typical_ranges(directory: str | None = None) -> dict[str, TypicalRange]:
    """The sourced typical ranges (``data/raw/factors/typical_ranges.csv``) by key."""
    path = (Path(directory) if directory else paths.factors_dir()) / RANGES_FILE
    out: dict[str, TypicalRange] = {}
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    r = TypicalRange(key=row["key"], unit=row["unit"], low=float(row["low"]),
                                     high=float(row["high"]), source=row["source"])
                except (KeyError, TypeError, ValueError, ValidationError):
                    raise InputError("key, unit, low, high and source (numbers for low and "
                                     "high)", file=path, field=f"line {line}") from None
                if not (math.isfinite(r.low) and math.isfinite(r.high) and r.low <= r.high
                        and len(r.source.strip()) >= 3):
                    raise InputError("finite low <= high and a source", file=path,
                                     field=f"line {line}")
                out[r.key] = r
    except FileNotFoundError:
        raise InputError("a table of typical ranges", file=path) from None
    return out


class SharedResource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    park: str
    description: str
    supply_per_year: Quantity


def load_shared_resources(path: str | Path | None = None) -> dict[str, SharedResource]:
    """``data/raw/shared_resources.yaml``: each shared resource and its stated supply."""
    path = Path(path) if path is not None else paths.raw_dir() / SHARED_RESOURCES_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        raise InputError("valid YAML", file=path) from None
    if not isinstance(data, dict):
        raise InputError("a mapping of resource names", file=path)
    out = {}
    for name, raw in data.items():
        try:
            out[str(name)] = SharedResource.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise InputError(err["msg"], file=path, field=f"{name}.{loc}") from None
    return out


# -- one case -----------------------------------------------------------------------------------


def _fuel_energy(a: Appraisal, resolver: FlowResolver) -> dict[str, dict[str, float]]:
    """Per party: fuel energy [GJ/yr] added and removed by the exchange (as received)."""
    out: dict[str, dict[str, float]] = {}
    for f in a.case.resource_flows:
        if f.flow not in emissions.FUELS:
            continue
        change_t = float(np.ravel(resolver.change(f.flow))[0])
        energy = change_t * float(np.ravel(resolver.ncv(f.flow))[0])
        side = out.setdefault(f.party, {"removed": 0.0, "added": 0.0})
        side["removed" if energy > 0 else "added"] += abs(energy)
    return out


def _energy_balance(a: Appraisal, resolver: FlowResolver) -> Iterable[tuple[str, str]]:
    lo, hi = BOILER_EFFICIENCY_BOUNDS
    for i, f in enumerate(a.case.resource_flows):
        for side in ("baseline", "project"):
            amount = f.side(side)
            for name in ("efficiency", "efficiency_by"):
                q = getattr(amount, name, None)
                if isinstance(q, Quantity) and not lo <= q.value <= hi:
                    yield (f"resource_flows[{i}].{side}_per_year.{name}",
                           _("boiler efficiency {value} outside {low}-{high} (NCV basis, "
                             "industrial boilers)").format(
                               value=fmt(q.value, ".0%"), low=fmt(lo, ".0%"),
                               high=fmt(hi, ".0%")))
    for party, e in _fuel_energy(a, resolver).items():
        if e["removed"] > 0 and e["added"] > 0:
            ratio = e["added"] / e["removed"]
            if not lo / hi <= ratio <= hi / lo:
                yield (f"resource_flows ({party})",
                       _("the fuel energy burnt with the exchange is {ratio} x the energy it "
                         "replaces ({added} against {removed} GJ/yr), outside {ratio_low}-"
                         "{ratio_high}, the ratio of two boiler efficiencies in {low}-{high}: "
                         "check tonnes, moisture and efficiencies").format(
                           ratio=fmt(ratio, ".2f"), added=fmt(e["added"], ",.0f"),
                           removed=fmt(e["removed"], ",.0f"), ratio_low=fmt(lo / hi, ".2f"),
                           ratio_high=fmt(hi / lo, ".2f"), low=fmt(lo, ".0%"),
                           high=fmt(hi, ".0%")))


def _ranges(case: Case) -> Iterable[tuple[str, str]]:
    for path, q, _label in case.quantities():
        if q.low is not None and not q.low <= q.value <= q.high:
            yield path, _("value {value} outside its own range {low}-{high}").format(
                value=fmt(q.value, "g"), low=fmt(q.low, "g"), high=fmt(q.high, "g"))
    for name, p in case.parameters.items():
        if p.low is not None and not p.low <= float(p.value) <= p.high:
            yield f"parameters.{name}", _("value {value} outside its own range").format(
                value=p.value if current_language() == "en" else formatting.plain(p.value))


def _verify_returns(a: Appraisal) -> Iterable[tuple[str, str]]:
    from .risk import input_label, switching_values  # risk imports the appraisal: when needed

    m = a.metrics
    high_irr = np.isfinite(m.irr) and m.irr > IRR_VERIFY
    quick = np.isfinite(m.payback_years) and m.payback_years < PAYBACK_VERIFY_YEARS
    if not (high_irr or quick):
        return
    sv = switching_values(a)
    sv = sv[np.isfinite(sv["change_from_base"].astype(float))]
    closest = sv.reindex(sv["change_from_base"].astype(float).abs().sort_values().index)[:2]
    drivers = "; ".join(_("{input} ({change} to NPV 0)").format(
        input=input_label(r.label), change=fmt(r.change_from_base, "+.0%"))
        for r in closest.itertuples()) or _("no driver reaches NPV 0")
    if high_irr:
        yield "metrics", _("IRR {irr} above {limit}: verify; the drivers closest to switching "
                           "are {drivers}").format(irr=fmt(m.irr, ".0%"),
                                                   limit=fmt(IRR_VERIFY, ".0%"), drivers=drivers)
    else:
        yield "metrics", _("payback {years} years under {limit}: verify; the drivers closest to "
                           "switching are {drivers}").format(
            years=fmt(m.payback_years, ".1f"), limit=fmt(PAYBACK_VERIFY_YEARS, "g"),
            drivers=drivers)


def _benchmarks(a: Appraisal, resolver: FlowResolver) -> Iterable[tuple[str, str]]:
    ranges = typical_ranges()
    usd = (1.0 / a.parameters["exchange_rate_vnd_per_usd"] if a.case.currency == "VND" else 1.0)
    items = [(f"capex[{i}]", c.benchmark, c.amount.value * usd, "USD")
             for i, c in enumerate(a.case.capex) if c.benchmark is not None]
    for i, f in enumerate(a.case.resource_flows):
        if f.benchmark is not None and f.flow in emissions.FUELS:
            gj = float(np.ravel(resolver.quantity(f.flow, "baseline") * resolver.ncv(f.flow))[0])
            items.append((f"resource_flows[{i}]", f.benchmark, gj, "GJ"))
    for where, bench, figure, numerator in items:
        r = ranges.get(bench.range)
        if r is None:
            yield f"{where}.benchmark.range", _("unknown range {range} (see {file})").format(
                range=repr(bench.range), file=RANGES_FILE)
            continue
        if bench.per.value <= 0:
            yield f"{where}.benchmark.per", _("a positive basis")
            continue
        unit = f"{numerator}/{bench.per.unit.removesuffix('/yr')}"
        if unit != r.unit.replace("(", "").replace(")", ""):
            yield f"{where}.benchmark", _("a basis in the range's unit {unit}, got {got}").format(
                unit=r.unit, got=unit)
            continue
        value = figure / bench.per.value
        if not r.low <= value <= r.high:
            yield (f"{where}.benchmark",
                   _("{value} {unit} outside the typical {low}-{high} {unit} ({range}: "
                     "{source})").format(value=fmt(value, ",.4g"), unit=r.unit,
                                         low=fmt(r.low, ",.4g"), high=fmt(r.high, ",.4g"),
                                         range=bench.range, source=r.source[:120]))


def _case_rules(a: Appraisal, resolver: FlowResolver) -> Iterable[tuple[str, str, str]]:
    case = a.case
    if not any(c.kind == "contingency" for c in case.capex):
        yield "contingency", "capex", _("no contingency: add a capex item of kind contingency")
    if not case.vat_basis.strip():
        yield "vat", "vat_basis", _("the case does not say whether its prices include VAT")
    for i, f in enumerate(case.resource_flows):
        base = f.baseline_per_year
        if isinstance(base, Quantity) and base.value != 0:
            basis = base.source.strip()
            if basis.lower().startswith("assumption"):
                basis = basis[len("assumption"):].strip(" :")
            if len(basis) < 12:
                yield ("baseline_source", f"resource_flows[{i}].baseline_per_year.source",
                       _("a baseline flow with no source or basis"))
        increase = -float(np.ravel(resolver.change(f.flow))[0])
        if f.flow in emissions.RESIDUE_FUELS and increase > 0 and f.leakage is None:
            yield ("leakage", f"resource_flows[{i}].leakage",
                   _("{tonnes} t/yr of {flow} taken with no leakage statement: who uses it "
                     "today?").format(tonnes=fmt(increase, ",.0f"), flow=f.flow))


def check_case(a: Appraisal | Case) -> list[Finding]:
    """The plausibility findings of one case (see the module docstring for the checks)."""
    a = a if isinstance(a, Appraisal) else appraise(a)
    resolver = flow_resolver(a.case)
    raw: list[tuple[str, str, str]] = []
    raw += [("energy_balance", f, m) for f, m in _energy_balance(a, resolver)]
    raw += [("range", f, m) for f, m in _ranges(a.case)]
    raw += [("verify_returns", f, m) for f, m in _verify_returns(a)]
    raw += [("unit_cost", f, m) for f, m in _benchmarks(a, resolver)]
    raw += list(_case_rules(a, resolver))
    return [_finding(a.case, *r) for r in raw]


def _finding(case: Case, check: str, field: str, message: str) -> Finding:
    reason = next((w.reason for w in case.accepted_warnings if w.check == check
                   and (not w.field or field.startswith(w.field))), "")
    return Finding(case.id, check, field, message, reason)


# -- across cases -------------------------------------------------------------------------------


def check_portfolio(cases: Sequence[Case],
                    resources: dict[str, SharedResource] | None = None) -> list[Finding]:
    """Shared resources over-drawn and exclusions that do not match, across ``cases``."""
    resources = load_shared_resources() if resources is None else resources
    by_id = {c.id: c for c in cases}
    out: list[Finding] = []
    for c in cases:
        for i, x in enumerate(c.excludes):
            other = by_id.get(x.case)
            if other is None:
                out.append(_finding(c, "excludes", f"excludes[{i}].case",
                                    _("{case} is not among the cases checked").format(
                                        case=x.case)))
            elif c.id not in {y.case for y in other.excludes}:
                out.append(_finding(c, "excludes", f"excludes[{i}].case",
                                    _("{case} does not exclude {other} in return").format(
                                        case=x.case, other=c.id)))
    demand: dict[str, dict[str, float]] = {}
    for c in cases:
        for i, d in enumerate(c.competes_for):
            if d.resource not in resources:
                out.append(_finding(c, "shared_resource", f"competes_for[{i}].resource",
                                    _("unknown shared resource {resource} (see {file})").format(
                                        resource=repr(d.resource), file=SHARED_RESOURCES_FILE)))
        for name, qty in resource_demand(c).items():
            if name in resources:
                demand.setdefault(name, {})[c.id] = qty
    for name, users in sorted(demand.items()):
        total = _demand_once(users, by_id)
        supply = resources[name].supply_per_year
        if total > supply.value:
            unit = supply.unit
            detail = ", ".join(f"{k} {fmt(v, ',.0f')}" for k, v in sorted(users.items()))
            for cid in sorted(users):
                c = by_id[cid]
                i = next(j for j, d in enumerate(c.competes_for) if d.resource == name)
                out.append(_finding(
                    c, "shared_resource", f"competes_for[{i}]",
                    _("{resource}: the cases need {total} {unit} ({detail}; mutually exclusive "
                      "cases counted once) against a stated supply of {supply} {unit}").format(
                        resource=name, total=fmt(total, ",.0f"), unit=unit, detail=detail,
                        supply=fmt(supply.value, ",.0f"))))
    return out


def resource_demand(case: Case) -> dict[str, float]:
    """What ``case`` draws on each shared resource it competes for, per year, in the unit of
    the resource's supply: its ``quantity_per_year``, else the increase of its ``flow``
    (never negative)."""
    resolver = flow_resolver(case) if case.competes_for else None
    out: dict[str, float] = {}
    for d in case.competes_for:
        qty = (d.quantity_per_year.value if d.quantity_per_year is not None
               else -float(np.ravel(resolver.change(d.flow))[0]))
        out[d.resource] = max(qty, 0.0)
    return out


def _demand_once(users: dict[str, float], by_id: dict[str, Case]) -> float:
    """Total demand, a group of mutually exclusive cases counted by its largest member."""
    remaining = dict(users)
    total = 0.0
    while remaining:
        cid, qty = max(remaining.items(), key=lambda kv: (kv[1], kv[0]))
        total += qty
        del remaining[cid]
        for x in by_id[cid].excludes:
            remaining.pop(x.case, None)
    return total


def run_checks(cases: Sequence[Case]) -> tuple[list[Finding], list[tuple[str, InputError]]]:
    """Every finding of ``cases`` (per case, then across them); errors of cases that fail."""
    findings: list[Finding] = []
    errors: list[tuple[str, InputError]] = []
    for c in cases:
        try:
            findings += check_case(c)
        except InputError as err:
            errors.append((c.id, err))
        except Exception as exc:  # noqa: BLE001 - any per-case failure is that case's line
            errors.append((c.id, unexpected(exc, file=c.source_file)))
    findings += check_portfolio(cases)
    return findings, errors
