"""The marginal abatement cost (MAC) curve of the opportunities.

A marginal abatement cost (MAC) curve ranks the exchanges by what each tonne of CO2e avoided
costs a year::

    MAC = (capex x CRF(r, n) + annual O&M change - annual savings) / annual tCO2e avoided
        = (PV(capex) x CRF(r, n) - annual net benefit) / annual tCO2e avoided   [USD/tCO2e]

with CRF the capital recovery factor at the run's real discount rate ``r`` over the operating
life ``n`` (:func:`eip_analysis.finance.capital_recovery_factor`), PV(capex) the investment of
every year discounted to year 0 (a replacement in year 12 counts for what it is worth today;
capex in year 0 only is the textbook ``capex x CRF``), the annual net benefit that of the first
operating year (benefits minus opex, both parties; constant prices) and the tCO2e of an average
operating year (:class:`eip_analysis.Metrics`). A negative MAC is an exchange that saves money
while it cuts emissions. It is the annualised (levelised) form of McKinsey's and the World
Bank's curves (World Bank ESMAP, *MACTool*, 2016); the report's abatement cost is the
discounted form (-NPV / discounted tCO2e) and agrees with it in sign.

Exchanges that add emissions or avoid none have no MAC: they are listed, never divided by zero.
Of two exchanges that exclude each other (``excludes:``: the same boilers) only one can be
built, so only the better-ranked is added to the curve's cumulative tonnes; the other is listed
as its alternative. The P10 and P90 of the MAC come from Monte Carlo draws of the reports'
uncertain inputs (:func:`eip_analysis.risk.sample`, same seed; 2,000 draws by default), over
the draws that avoid emissions (the share that does not is noted).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .. import finance
from ..appraisal import Appraisal
from ..cases import exclusive_left_out
from ..risk import DEFAULT_SEED, UNCERTAIN_PARAMETERS, drivers, evaluate_metrics, sample

#: Metrics a MAC is computed from, per Monte Carlo draw.
_MAC_METRICS = ("capex_pv_usd", "annual_net_benefit_usd", "co2e_avoided_t_per_year")
#: Monte Carlo draws for the MAC whiskers (fewer than a report's: two percentiles only).
DEFAULT_MAC_DRAWS = 2_000


def marginal_abatement_cost(capex_pv_usd, annual_net_benefit_usd, co2e_avoided_t_per_year,
                            discount_rate, lifetime_years):
    """MAC [USD/tCO2e] = (PV(capex) x CRF(r, n) - annual net benefit) / tCO2e avoided per year.

    ``nan`` where the exchange avoids no emissions (tCO2e <= 0): no division by zero.

    Examples
    --------
    >>> round(marginal_abatement_cost(100_000, 17_000, 500, 0.10, 10), 2)
    -1.45
    >>> marginal_abatement_cost(100_000, 17_000, 0, 0.10, 10)
    nan
    """
    tonnes = np.asarray(co2e_avoided_t_per_year, dtype=float)
    annual_cost = (np.asarray(capex_pv_usd, dtype=float)
                   * finance.capital_recovery_factor(discount_rate, lifetime_years)
                   - np.asarray(annual_net_benefit_usd, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        mac = np.where(tonnes > 0, annual_cost / np.where(tonnes > 0, tonnes, 1.0), np.nan)
    return float(mac) if mac.ndim == 0 else mac


def _mac_draws(a: Appraisal, n_draws: int, seed: int) -> np.ndarray:
    """The MAC of each Monte Carlo draw of ``a``'s uncertain inputs (nan: no abatement)."""
    ds = drivers(a.case, a.parameters, parameters=UNCERTAIN_PARAMETERS)
    inputs = sample(ds, n_draws, np.random.default_rng(seed))
    out = evaluate_metrics(a.case, a.parameters.values, inputs, _MAC_METRICS)
    lifetime = np.rint(np.broadcast_to(inputs.get("lifetime_years", a.case.lifetime_years.value),
                                       (n_draws,)))
    rate = np.broadcast_to(inputs.get("parameters.discount_rate", a.parameters["discount_rate"]),
                           (n_draws,))
    return marginal_abatement_cost(out["capex_pv_usd"], out["annual_net_benefit_usd"],
                                   out["co2e_avoided_t_per_year"], rate, lifetime)


def abatement_curve(appraisals: Iterable[Appraisal], *, n_draws: int = DEFAULT_MAC_DRAWS,
                    seed: int = DEFAULT_SEED,
                    order: Sequence[str] | None = None) -> pd.DataFrame:
    """The MAC curve of the appraisals: one row per case, those with a MAC cheapest first.

    Parameters
    ----------
    appraisals : iterable of Appraisal
        One per case, each with its run's parameters.
    n_draws : int
        Monte Carlo draws for the P10/P90 whiskers (0: no whiskers).
    seed : int
        Seed of the draws (same seed, same whiskers).
    order : sequence of str, optional
        Case ids best first (the selection's rank): of cases that exclude each other the first
        is on the curve. Default: the cheaper MAC.

    Returns
    -------
    pandas.DataFrame
        ``case_id``, ``park``, ``title``, ``capex_usd``, ``capex_pv_usd``, ``crf`` [1/yr],
        ``annualised_capex_usd_per_year``, ``annual_net_benefit_usd``,
        ``co2e_avoided_t_per_year``, ``mac_usd_per_tco2e``, ``mac_p10_usd_per_tco2e``,
        ``mac_p90_usd_per_tco2e``, ``npv_usd``, ``counted`` (the case avoids emissions and is on
        the curve), ``alternative_to`` (the better case it excludes, then not counted) and
        ``note`` (why a case is not on the curve, or how many draws avoid none).
        Counted cases come first, sorted by MAC ascending (ties by case id), then the others by
        case id.
    """
    appraisals = list(appraisals)
    rows = []
    for a in appraisals:
        m, p = a.metrics, a.parameters
        crf = float(finance.capital_recovery_factor(p["discount_rate"], a.case.lifetime))
        mac = marginal_abatement_cost(m.capex_pv_usd, m.annual_net_benefit_usd,
                                      m.co2e_avoided_t_per_year, p["discount_rate"],
                                      a.case.lifetime)
        counted = m.co2e_avoided_t_per_year > 0
        p10 = p90 = np.nan
        note = ""
        if not counted:
            note = ("adds emissions: no abatement cost" if m.co2e_avoided_t_per_year < 0
                    else "avoids no emissions: no abatement cost")
        elif n_draws:
            draws = _mac_draws(a, n_draws, seed)
            finite = draws[np.isfinite(draws)]
            if finite.size:
                p10, p90 = np.quantile(finite, [0.1, 0.9]).tolist()
            if finite.size < draws.size:
                note = (f"{1 - finite.size / draws.size:.0%} of the Monte Carlo draws avoid no "
                        "emissions")
        rows.append({
            "case_id": a.case.id, "park": a.case.park, "title": a.case.title,
            "capex_usd": m.capex_usd, "capex_pv_usd": m.capex_pv_usd, "crf": crf,
            "annualised_capex_usd_per_year": m.capex_pv_usd * crf,
            "annual_net_benefit_usd": m.annual_net_benefit_usd,
            "co2e_avoided_t_per_year": m.co2e_avoided_t_per_year, "mac_usd_per_tco2e": mac,
            "mac_p10_usd_per_tco2e": p10, "mac_p90_usd_per_tco2e": p90, "npv_usd": m.npv_usd,
            "counted": bool(counted), "note": note,
        })
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["alternative_to"] = ""
    by_mac = table[table["counted"]].sort_values(["mac_usd_per_tco2e", "case_id"])["case_id"]
    avoiding = [a.case for a in appraisals if a.case.id in set(by_mac)]
    left = exclusive_left_out(avoiding, [*(order or []), *by_mac])
    for i in table.index[table["case_id"].isin(list(left))]:
        rival = left[table.at[i, "case_id"]]
        table.at[i, "counted"] = False
        table.at[i, "alternative_to"] = rival
        reason = (f"alternative to {rival} (they exclude each other): not added to the "
                  f"curve; MAC {table.at[i, 'mac_usd_per_tco2e']:,.0f} USD/tCO2e")
        table.at[i, "note"] = "; ".join(x for x in (reason, table.at[i, "note"]) if x)
    table["_order"] = np.where(table["counted"], table["mac_usd_per_tco2e"], np.inf)
    return (table.sort_values(["_order", "case_id"], kind="stable").drop(columns="_order")
            .reset_index(drop=True))
