"""Case -> Appraisal: cash-flow table, feasibility metrics, emissions, indicators and warnings.

:func:`evaluate` is the vectorised core (one metric array per name, one element per scenario) that
sensitivity and Monte Carlo analyses call once; :func:`appraise` runs it for the base case and
wraps the result with the tables a report shows.

All money metrics are in USD (names end in ``_usd``): case amounts in VND are divided by the
``exchange_rate_vnd_per_usd`` parameter. Prices are constant, the discount rate is real.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from . import emissions, finance, formatting
from .cases import Case
from .cashflow import CashFlows, Values, build
from .errors import InputError
from .i18n import gettext as _
from .i18n import ngettext, word
from .parameters import ResolvedParameters, resolve, usd_per_unit


@dataclass(frozen=True)
class Metrics:
    """Headline feasibility metrics of one case (project view, both parties together)."""

    capex_usd: float  #: total investment, undiscounted [USD]
    capex_pv_usd: float  #: present value of the investment at the discount rate [USD]
    annual_net_benefit_usd: float  #: benefits - opex in an operating year [USD/yr]
    npv_usd: float  #: net present value at the discount rate [USD]
    irr: float  #: internal rate of return [1/yr]; nan when not defined
    mirr: float  #: modified IRR (finance and reinvestment rate parameters) [1/yr]
    payback_years: float  #: simple payback from year 0, construction included [yr]; inf: never
    discounted_payback_years: float  #: discounted payback from year 0 [yr]; inf: never
    co2e_avoided_t_per_year: float  #: baseline - project, average operating year [tCO2e/yr]
    co2e_avoided_t_lifetime: float  #: over the operating life [tCO2e]
    abatement_cost_usd_per_tco2e: float  #: -NPV / discounted tCO2e avoided [USD/tCO2e]
    profitability_index: float  #: 1 + NPV / PV(capex), capex in any year [-]
    supplier_npv_usd: float  #: supplier's NPV incl. transfers [USD]
    receiver_npv_usd: float  #: receiver's NPV incl. transfers [USD]
    waste_diverted_t_per_year: float  #: waste to landfill, incineration, open burning avoided [t/yr]
    water_saved_m3_per_year: float  #: water use avoided [m3/yr]
    sign_changes: int  #: sign changes of the project cash flow [-]

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


METRIC_NAMES = tuple(f.name for f in fields(Metrics))


def flow_emissions(
    case: Case, params: Mapping[str, Any], values: Values | None = None,
    cashflows: CashFlows | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Baseline and project emissions of each resource flow in each year [tCO2e/yr].

    Each value is a pair of ``(n_scenarios, n_years)`` arrays over the years of the cash-flow
    table, zero outside the operating years. Landfill flows follow the first-order-decay model
    (``landfill_method`` ``fod``: the methane each year's deposits emit within the table's
    years) or the methane commitment of each year's deposit (``commitment``); electricity
    follows the grid-factor path (``grid_factor_change_per_year``, ``grid_margin``). A residue
    flow whose ``leakage`` is ``displaced`` adds a ``leakage.<flow>`` entry: the replacement
    fuel its present users burn instead, on the project side.
    """
    cf = cashflows if cashflows is not None else build(case, values)
    resolver = cf.flows
    operating = cf.operating.astype(float)
    n_years = operating.shape[1]
    gwp, grid_year = params["gwp_set"], params["grid_factor_year"]
    since_start = np.maximum(cf.years - case.operation_start_year, 0)
    grid = emissions.grid_factor_path(grid_year, n_years, params["grid_factor_change_per_year"],
                                      margin=params["grid_margin"])[since_start]
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for f in case.resource_flows:
        pair = []
        for side in ("baseline", "project"):
            q = _column(resolver.quantity(f.flow, side))
            yearly = q * operating
            if f.flow == "electricity":
                pair.append(yearly * grid[None, :])
            elif f.flow in emissions.LANDFILL_FLOWS and f.flow != "waste_landfill" and (
                    params["landfill_method"] == "fod"):
                ch4 = emissions.landfill_fod_ch4_t(f.flow.removeprefix("landfill_"), yearly,
                                                   mcf=emissions.landfill_site_mcf(f.site))
                pair.append(ch4 * emissions.gwp("CH4", gwp))
            else:
                eta = None
                if f.flow == "biogas_flared":
                    eta = (resolver.read(f"resource_flows.{f.flow}.destruction_efficiency",
                                         f.destruction_efficiency)
                           if f.destruction_efficiency is not None
                           else emissions.flare_efficiency(f.flare))
                per_year = emissions.flow_co2e_t(
                    f.flow, q, grid_year=grid_year, gwp=gwp,
                    ncv_gj_per_t=resolver.ncv(f.flow) if f.flow in emissions.FUELS else None,
                    mcf=emissions.landfill_site_mcf(f.site) if f.flow in emissions.LANDFILL_FLOWS
                    else None, destruction_efficiency=eta)
                pair.append(_column(per_year) * operating)
        out[f.flow] = (pair[0], pair[1])
        if f.leakage is not None and f.leakage.assessment == "displaced":
            per_year = emissions.flow_co2e_t(f.leakage.replacement_fuel,
                                             _leakage_fuel_t(f, resolver), grid_year=grid_year,
                                             gwp=gwp)
            project = _column(per_year) * operating
            out[f"leakage.{f.flow}"] = (np.zeros_like(project), project)
    return out


def _leakage_fuel_t(f: Any, resolver: Any) -> np.ndarray:
    """Replacement fuel the residue's present users burn instead [t/yr], ``(n, 1)``."""
    share = _column(resolver.read(f"resource_flows.{f.flow}.leakage.share_displaced",
                                  f.leakage.share_displaced))
    taken = np.maximum(-_column(resolver.change(f.flow)), 0.0) * share
    return _column(emissions.leakage_fuel_t(f.flow, taken, f.leakage.replacement_fuel,
                                            residue_ncv_gj_per_t=resolver.ncv(f.flow)))


def _column(x: Any) -> np.ndarray:
    """A number, ``(n,)`` or ``(n, 1)`` array as an ``(n, 1)`` column."""
    a = np.asarray(x, dtype=float)
    return a.reshape(-1, 1) if a.ndim < 2 else a


def _reduction(quantities: Mapping[str, tuple[np.ndarray, np.ndarray]], flows, n: int
               ) -> np.ndarray:
    """Baseline minus project quantity, summed over ``flows`` the case has, shape ``(n,)``."""
    total = np.zeros((n, 1))
    for flow in flows:
        if flow in quantities:
            base, proj = quantities[flow]
            total = total + (base - proj)
    return np.broadcast_to(total, (n, 1))[:, 0]


def evaluate(
    case: Case, params: Mapping[str, Any], values: Values | None = None,
    cashflows: CashFlows | None = None,
) -> dict[str, np.ndarray]:
    """All :class:`Metrics` for one or many scenarios, as arrays of shape ``(n_scenarios,)``.

    ``params`` holds the resolved parameter values; ``values`` replaces numbers of the case by
    path (see :func:`eip_analysis.cashflow.build`); ``values["parameters.discount_rate"]`` may also
    vary the discount rate per scenario.
    """
    cf = cashflows if cashflows is not None else build(case, values)
    usd = usd_per_unit(params, case.currency)
    net = cf.net * usd
    n = net.shape[0]
    rate = np.broadcast_to(
        np.asarray((values or {}).get("parameters.discount_rate", params["discount_rate"]),
                   dtype=float), (n,))
    discount = (1.0 + rate[:, None]) ** -cf.years[None, :]
    npv = finance.npv(rate, net)

    # Each row's own horizon: rows padded with zeros to the longest life would change MIRR.
    last_year = np.maximum(case.operation_start_year + cf.lifetime_years[:, 0] - 1,
                           max(c.year for c in case.capex))
    mirr = np.full(n, np.nan)
    for horizon in np.unique(last_year):
        rows = last_year == horizon
        mirr[rows] = finance.mirr(net[rows, : horizon + 1], params["mirr_finance_rate"],
                                  params["mirr_reinvest_rate"])
    pv_capex = -finance.npv(rate, cf.section("capex") * usd)

    first_op = case.operation_start_year
    annual_net = (cf.section("benefits") + cf.section("opex"))[:, first_op] * usd

    quantities = cf.flow_quantities()
    em = flow_emissions(case, params, values, cf)
    avoided_by_year = np.zeros(cf.operating.shape)
    for base, proj in em.values():
        avoided_by_year = avoided_by_year + (base - proj)
    lifetime = cf.lifetime_years[:, 0].astype(float)
    avoided_life = avoided_by_year.sum(axis=1)
    avoided = avoided_life / lifetime  # average operating year
    pv_t = np.sum(avoided_by_year * discount, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        abatement = np.where((avoided > 0) & (pv_t > 0), -npv / pv_t, np.nan)

    return {
        "capex_usd": -cf.section("capex").sum(axis=1) * usd,
        "capex_pv_usd": pv_capex,
        "annual_net_benefit_usd": annual_net,
        "npv_usd": npv,
        "irr": finance.irr(net),
        "mirr": mirr,
        "payback_years": finance.payback_period(net),
        "discounted_payback_years": finance.discounted_payback_period(rate, net),
        "co2e_avoided_t_per_year": avoided,
        "co2e_avoided_t_lifetime": avoided_life,
        "abatement_cost_usd_per_tco2e": abatement,
        "profitability_index": 1.0 + npv / pv_capex,
        "supplier_npv_usd": finance.npv(rate, cf.party_net("supplier") * usd),
        "receiver_npv_usd": finance.npv(rate, cf.party_net("receiver") * usd),
        "waste_diverted_t_per_year": _reduction(quantities, emissions.WASTE_FLOWS, n),
        "water_saved_m3_per_year": _reduction(quantities, ("water",), n),
        "sign_changes": finance.sign_changes(net),
    }


def warnings_for(m: Metrics, case: Case, *, ever_paid_back: bool = False,
                 largest_increase: str = "") -> list[str]:
    """Plain-language warnings where a metric means nothing or fails a test, in the active
    language (:mod:`eip_analysis.i18n`; a report kernel sets its run's before it appraises).

    ``ever_paid_back``: the cumulative cash flow reaches zero at some point (then a missing
    payback means it dipped below zero again). ``largest_increase``: the resource flow whose
    emissions grow most, named when the exchange adds emissions.
    """
    out = []
    if m.sign_changes == 0:
        out.append(_("IRR not defined: the cash flows never change sign, so no discount rate "
                     "makes NPV zero. Read NPV."))
    elif not np.isfinite(m.irr):
        out.append(_("IRR not defined: no real rate makes NPV zero. Read NPV and MIRR."))
    if m.sign_changes > 1:
        out.append(ngettext("Multiple IRRs possible: the cash flow changes sign {count} time; "
                            "read MIRR and NPV.",
                            "Multiple IRRs possible: the cash flow changes sign {count} times; "
                            "read MIRR and NPV.", m.sign_changes).format(count=m.sign_changes))
    if not np.isfinite(m.payback_years) and ever_paid_back:
        out.append(_("Not paid back for good: the cumulative cash flow turns positive, then "
                     "negative again before the end of the life."))
    elif not np.isfinite(m.payback_years):
        out.append(_("Never paid back: cumulative cash flow stays negative over the "
                     "{years}-year life.").format(years=case.lifetime))
    elif not np.isfinite(m.discounted_payback_years):
        out.append(_("Not paid back in discounted terms within the life: NPV is negative."))
    if not m.co2e_avoided_t_per_year > 0:
        if m.co2e_avoided_t_per_year < 0:
            added = formatting.quantity(-m.co2e_avoided_t_per_year)
            if largest_increase:
                out.append(_("The exchange adds {tco2e} tCO2e a year (mostly {flow}) instead of "
                             "avoiding emissions: abatement cost per tCO2e is not defined.")
                           .format(tco2e=added, flow=largest_increase.lower()))
            else:
                out.append(_("The exchange adds {tco2e} tCO2e a year instead of avoiding "
                             "emissions: abatement cost per tCO2e is not defined.")
                           .format(tco2e=added))
        else:
            out.append(_("No net emissions avoided: abatement cost per tCO2e is not defined."))
    if m.npv_usd >= 0 and min(m.supplier_npv_usd, m.receiver_npv_usd) < 0:
        loser = "supplier" if m.supplier_npv_usd < 0 else "receiver"
        out.append(_("The exchange creates value but the {party} loses at the assumed transfer "
                     "prices: renegotiate the split.").format(party=word(loser)))
    return out


@dataclass(frozen=True)
class Appraisal:
    """Everything computed for one case under one set of parameters."""

    case: Case
    parameters: ResolvedParameters
    metrics: Metrics
    cashflows: pd.DataFrame
    emissions: pd.DataFrame
    warnings: list[str]
    #: The cash-flow arrays (one scenario) the metrics come from, for analyses of the same run.
    base_flows: CashFlows | None = field(default=None, repr=False, compare=False)
    #: The ``values=`` replacements the appraisal was computed with (``{}``: the case as filed).
    values: dict[str, float] = field(default_factory=dict, repr=False, compare=False)

    def __getattr__(self, name: str) -> Any:  # a.npv_usd reads a.metrics.npv_usd
        if name in METRIC_NAMES:
            return getattr(self.metrics, name)
        raise AttributeError(name)

    def metrics_row(self) -> dict[str, Any]:
        """One row of ``metrics.csv``: identity, metrics, data quality, warnings."""
        c = self.case
        row: dict[str, Any] = {
            "case_id": c.id, "park": c.park, "title": c.title, "kind": c.kind,
            "data_quality": c.data_quality, "status": c.latest_survey.status,
            "currency": c.currency, "lifetime_years": c.lifetime,
        }
        row.update(self.metrics.as_dict())
        row["discount_rate"] = self.parameters["discount_rate"]
        row["warnings"] = " | ".join(self.warnings)
        row["case_sha256"] = c.sha256
        return row

    def assumptions(self) -> pd.DataFrame:
        """Every input with its value, unit and source (or *assumption*), then the parameters."""
        rows = [
            {"input": label, "path": path, "value": q.value, "unit": q.unit,
             "low": q.low, "high": q.high, "source": q.source}
            for path, q, label in self.case.quantities()
        ]
        for p in self.parameters.table():
            rows.append({"input": f"Parameter: {p['parameter'].replace('_', ' ')}", "path": f"parameters.{p['parameter']}",
                         "value": p["value"], "unit": p["unit"], "low": None, "high": None,
                         "source": p["source"]})
        return pd.DataFrame(rows)


def _cashflow_table(cf: CashFlows, usd: float, rate: float, case: Case) -> pd.DataFrame:
    years = cf.years
    net = cf.net[0] * usd
    discount = (1.0 + rate) ** -years.astype(float)
    phase = np.where(cf.operating[0], "operation", "construction")
    phase = np.where(years > case.operation_start_year + case.lifetime - 1, "after life", phase)
    table = pd.DataFrame({
        "year": years,
        "phase": phase,
        "capex_usd": cf.section("capex")[0] * usd,
        "opex_usd": cf.section("opex")[0] * usd,
        "benefits_usd": cf.section("benefits")[0] * usd,
        "salvage_usd": cf.section("salvage")[0] * usd,
        "net_cash_flow_usd": net,
        "discount_factor": discount,
        "discounted_cash_flow_usd": net * discount,
    })
    table["cumulative_cash_flow_usd"] = table["net_cash_flow_usd"].cumsum()
    table["cumulative_discounted_usd"] = table["discounted_cash_flow_usd"].cumsum()
    table["supplier_net_usd"] = cf.party_net("supplier")[0] * usd
    table["receiver_net_usd"] = cf.party_net("receiver")[0] * usd
    return table


def _leakage_words(f: Any, increase: float) -> str:
    """What the emissions table says of a residue's present users, if anything."""
    if f.leakage is not None and f.leakage.assessment != "displaced":
        return " " + emissions.leakage_note(f.flow, f.leakage)
    if f.leakage is None and f.flow in emissions.RESIDUE_FUELS and increase > 0:
        return " " + _("Leakage not assessed: the case does not say who uses this residue "
                       "today.")
    return ""


def _emissions_table(case: Case, params: Mapping[str, Any], values: Values | None,
                     cf: CashFlows) -> pd.DataFrame:
    """One row per resource flow (and leakage), quantities and tCO2e of an average operating
    year."""
    quantities = cf.flow_quantities()
    em = flow_emissions(case, params, values, cf)
    life = float(cf.lifetime_years[0, 0])
    flows = {f.flow: f for f in case.resource_flows}
    resolver = cf.flows
    rows = []
    for key, (eb, ep) in em.items():
        base_t, proj_t = float(eb[0].sum() / life), float(ep[0].sum() / life)
        if key.startswith("leakage."):
            f = flows[key.removeprefix("leakage.")]
            fuel = formatting.flow_label(f.leakage.replacement_fuel).lower()
            rows.append({
                "flow": key, "party": f.party,
                "description": f"Leakage: {fuel} burnt instead by the present users of the "
                               f"{f.flow.replace('_', ' ')} ({f.leakage.displaced_use})",
                "unit": "t/yr", "baseline_quantity": 0.0,
                "project_quantity": float(_leakage_fuel_t(f, resolver)[0, 0]),
                "baseline_co2e_t_per_year": base_t, "project_co2e_t_per_year": proj_t,
                "avoided_co2e_t_per_year": base_t - proj_t, "counted": True,
                "method": emissions.leakage_note(f.flow, f.leakage),
            })
            continue
        f = flows[key]
        qb, qp = quantities[key]
        rows.append({
            "flow": key, "party": f.party, "description": f.description,
            "unit": emissions.FLOW_UNITS[key],
            "baseline_quantity": float(qb.ravel()[0]), "project_quantity": float(qp.ravel()[0]),
            "baseline_co2e_t_per_year": base_t, "project_co2e_t_per_year": proj_t,
            "avoided_co2e_t_per_year": base_t - proj_t,
            "counted": emissions.is_counted(key),
            "method": emissions.flow_note(
                key, grid_year=params["grid_factor_year"],
                grid_change_per_year=params["grid_factor_change_per_year"],
                grid_margin=params["grid_margin"], landfill_method=params["landfill_method"],
                site=f.site, flare=f.flare,
                ncv_gj_per_t=float(np.ravel(resolver.ncv(key))[0]) if key in emissions.FUELS
                else None, moisture=f.moisture.value if f.moisture is not None else None,
            ) + _leakage_words(f, float(qp.ravel()[0]) - float(qb.ravel()[0])),
        })
    return pd.DataFrame(rows, columns=[
        "flow", "party", "description", "unit", "baseline_quantity", "project_quantity",
        "baseline_co2e_t_per_year", "project_co2e_t_per_year", "avoided_co2e_t_per_year",
        "counted", "method"])


def appraise(case: Case, *, values: Values | None = None, parameters_dir=None,
             **overrides: Any) -> Appraisal:
    """Appraise one case.

    Parameters
    ----------
    case : Case
        From :func:`eip_analysis.load_case`.
    values : mapping, optional
        Replace numbers of the case by path, e.g. ``{"benefits.coal.unit_price": 2.0e6}``
        (paths: ``[p for p, _, _ in case.quantities()]``).
    parameters_dir : path, optional
        Folder of the parameter defaults (default ``data/raw/parameters``).
    **overrides
        Parameter overrides for this run, e.g. ``discount_rate=0.08, gwp_set="AR6"``.

    Returns
    -------
    Appraisal
        ``.metrics`` (:class:`Metrics`, also readable as ``appraisal.npv_usd``), ``.cashflows``
        (one row per year, USD), ``.emissions`` (one row per resource flow), ``.warnings``.

    Examples
    --------
    >>> from eip_analysis import load_case, appraise
    >>> a = appraise(load_case("HK-06"), discount_rate=0.08)
    >>> a.npv_usd > 0
    True
    """
    values = dict(values or {})
    for path, v in values.items():
        if np.ndim(v) != 0:
            raise InputError("a single number per path in appraise(); use evaluate() for arrays",
                             field=path)
    if "parameters.discount_rate" in values:  # one source of truth: the resolved parameters
        overrides["discount_rate"] = values.pop("parameters.discount_rate")
    params = resolve(case.parameter_overrides(), overrides, directory=parameters_dir,
                     case_file=case.source_file)
    cf = build(case, values)
    raw = evaluate(case, params.values, values, cashflows=cf)
    _check_finite(case, raw)
    metrics = Metrics(**{
        k: (int(v[0]) if k == "sign_changes" else float(v[0])) for k, v in raw.items()
    })
    usd = usd_per_unit(params.values, case.currency)
    table = _cashflow_table(cf, usd, params["discount_rate"], case)
    emissions_table = _emissions_table(case, params.values, values, cf)
    increases = emissions_table[emissions_table["avoided_co2e_t_per_year"] < 0]
    largest_increase = "" if increases.empty else formatting.flow_label(
        increases.sort_values("avoided_co2e_t_per_year")["flow"].iloc[0])
    return Appraisal(
        case=case,
        parameters=params,
        metrics=metrics,
        cashflows=table,
        emissions=emissions_table,
        warnings=warnings_for(metrics, case,
                              ever_paid_back=bool((table["cumulative_cash_flow_usd"] > 0).any()),
                              largest_increase=largest_increase),
        base_flows=cf,
        values=values,
    )


#: Results that are finite for any valid case (an IRR, a payback or an abatement cost may be
#: undefined or "never"; these may not).
_ALWAYS_FINITE = ("capex_usd", "capex_pv_usd", "annual_net_benefit_usd", "npv_usd",
                  "co2e_avoided_t_per_year", "supplier_npv_usd", "receiver_npv_usd")


def _check_finite(case: Case, raw: Mapping[str, np.ndarray]) -> None:
    """An infinite or undefined total is an input error naming the case and its largest
    inputs (figures that validate one by one can still overflow together)."""
    bad = [k for k in _ALWAYS_FINITE if k in raw and not np.all(np.isfinite(raw[k]))]
    if not bad:
        return
    largest = sorted(((abs(q.value), path) for path, q, _ in case.quantities()
                      if isinstance(q.value, int | float)), reverse=True)[:3]
    inputs = ", ".join(f"{path} = {v:.3g}" for v, path in largest)
    raise InputError(f"finite results ({', '.join(bad)} overflow); the largest inputs are "
                     f"{inputs}", file=case.source_file)


def run_of(
    case_or_appraisal: Case | Appraisal, overrides: Mapping[str, Any] | None = None, *,
    parameters_dir=None,
) -> tuple[Case, ResolvedParameters, CashFlows | None]:
    """The case, the resolved parameters and the base cash flows of one run.

    From an :class:`Appraisal` with no further ``overrides``: its own parameters and cash flows,
    nothing recomputed (cash flows ``None`` when it was computed with ``values=``: the analyses
    vary the case's own numbers, so they must not start from changed flows). Otherwise the parameters are resolved (an appraisal's run overrides,
    :attr:`ResolvedParameters.run_overrides`, are kept and ``overrides`` win over them) and the
    cash flows are ``None`` (the caller builds those it needs).
    """
    if isinstance(case_or_appraisal, Appraisal):
        a = case_or_appraisal
        if not overrides:
            return a.case, a.parameters, None if a.values else a.base_flows
        case, run = a.case, {**a.parameters.run_overrides, **overrides}
    else:
        case, run = case_or_appraisal, dict(overrides or {})
    params = resolve(case.parameter_overrides(), run, directory=parameters_dir,
                     case_file=case.source_file)
    return case, params, None
