"""The programme's view across the opportunities: status and barriers, and the abatement curve.

**Status and barriers.** The survey rounds of each case file (``survey:``) are the data:
:func:`survey_table` lists them, :func:`status_by_park` counts the cases per status at their
latest round, :func:`barrier_frequency` says which barriers block how many cases and how much
NPV, and :func:`progress` compares a case's rounds where it has more than one. Statuses and
barrier categories are those of :data:`eip_analysis.cases.SURVEY_STATUSES` and
:data:`~eip_analysis.cases.BARRIER_CATEGORIES`.

**The marginal abatement cost curve.**
A marginal abatement cost (MAC) curve ranks the exchanges by what each tonne of CO2e avoided
costs a year::

    MAC = (capex x CRF(r, n) + annual O&M change - annual savings) / annual tCO2e avoided
        = (capex x CRF(r, n) - annual net benefit) / annual tCO2e avoided      [USD/tCO2e]

with CRF the capital recovery factor at the run's real discount rate ``r`` over the operating
life ``n`` (:func:`eip_analysis.finance.capital_recovery_factor`), the annual net benefit that of
the first operating year (benefits minus opex, both parties) and the tCO2e of an average
operating year (:class:`eip_analysis.Metrics`). A negative MAC is an exchange that saves money
while it cuts emissions. It is the annualised (levelised) form of McKinsey's and the World
Bank's curves (World Bank ESMAP, *MACTool*, 2016); the report's abatement cost is the
discounted form (-NPV / discounted tCO2e) and agrees with it in sign.

Exchanges that add emissions or avoid none have no MAC: they are listed, never divided by zero.
The P10 and P90 of the MAC come from the same Monte Carlo draws as the reports'
(:func:`eip_analysis.risk.sample`, same seed), over the draws that avoid emissions.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from . import finance
from .appraisal import Appraisal
from .cases import BARRIER_CATEGORIES, SURVEY_STATUSES, Case, barrier_words
from .risk import DEFAULT_SEED, UNCERTAIN_PARAMETERS, drivers, evaluate_metrics, sample


def survey_table(cases: Iterable[Case]) -> pd.DataFrame:
    """Every survey round of every case: ``case_id``, ``park``, ``round``, ``status``,
    ``barriers`` (in words, comma-separated), ``data_quality`` (the round's, else the case's),
    ``source``; sorted by case and round."""
    rows = [{"case_id": c.id, "park": c.park, "round": s.round, "status": s.status,
             "barriers": ", ".join(barrier_words(b) for b in s.barriers),
             "data_quality": s.data_quality or c.data_quality, "source": s.source}
            for c in cases for s in c.survey]
    columns = ["case_id", "park", "round", "status", "barriers", "data_quality", "source"]
    return pd.DataFrame(rows, columns=columns).sort_values(["case_id", "round"],
                                                           ignore_index=True)


def status_by_park(cases: Iterable[Case]) -> pd.DataFrame:
    """Cases per park and status at each case's latest round.

    Returns
    -------
    pandas.DataFrame
        One row per park and status of :data:`~eip_analysis.cases.SURVEY_STATUSES` (in that
        order, zero counts included): ``park``, ``status``, ``cases`` (count), ``case_ids``.
    """
    latest = {}
    for c in cases:
        latest.setdefault(c.park, {}).setdefault(c.latest_survey.status, []).append(c.id)
    rows = [{"park": park, "status": status, "cases": len(ids := sorted(by.get(status, []))),
             "case_ids": ", ".join(ids)}
            for park, by in sorted(latest.items()) for status in SURVEY_STATUSES]
    return pd.DataFrame(rows, columns=["park", "status", "cases", "case_ids"])


def barrier_frequency(appraisals: Iterable[Appraisal]) -> pd.DataFrame:
    """Which barriers block how many cases and how much NPV, at each case's latest round.

    Returns
    -------
    pandas.DataFrame
        One row per barrier category, most frequent first (ties in the order of
        :data:`~eip_analysis.cases.BARRIER_CATEGORIES`): ``barrier`` (in words), ``cases``,
        ``case_ids``, ``npv_blocked_usd`` (sum of the NPVs of those cases) and
        ``positive_npv_blocked_usd`` (sum of their positive NPVs: the value the barrier holds
        back). A case with several barriers counts under each.
    """
    appraisals = list(appraisals)
    rows = []
    for order, barrier in enumerate(BARRIER_CATEGORIES):
        hit = [a for a in appraisals if barrier in a.case.latest_survey.barriers]
        npv = [a.metrics.npv_usd for a in hit]
        rows.append({"barrier": barrier_words(barrier), "cases": len(hit),
                     "case_ids": ", ".join(sorted(a.case.id for a in hit)),
                     "npv_blocked_usd": float(sum(npv)),
                     "positive_npv_blocked_usd": float(sum(max(v, 0.0) for v in npv)),
                     "_order": order})
    table = pd.DataFrame(rows)
    table = table.sort_values(["cases", "_order"], ascending=[False, True], kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)


def progress(cases: Sequence[Case]) -> pd.DataFrame:
    """What changed between consecutive survey rounds, for the cases with more than one.

    Returns
    -------
    pandas.DataFrame
        ``case_id``, ``from_round``, ``to_round``, ``from_status``, ``to_status``,
        ``direction`` (``forward``, ``back``, ``unchanged`` along
        :data:`~eip_analysis.cases.SURVEY_STATUSES`, or ``dropped``), ``barriers_removed``,
        ``barriers_added`` (in words).
    """
    rank = {s: i for i, s in enumerate(SURVEY_STATUSES)}
    rows = []
    for c in sorted(cases, key=lambda c: c.id):
        rounds = sorted(c.survey, key=lambda s: s.round)
        for a, b in itertools.pairwise(rounds):
            if b.status == "dropped":
                direction = "dropped"
            else:
                step = rank[b.status] - rank[a.status]
                direction = "forward" if step > 0 else "back" if step < 0 else "unchanged"
            rows.append({
                "case_id": c.id, "from_round": a.round, "to_round": b.round,
                "from_status": a.status, "to_status": b.status, "direction": direction,
                "barriers_removed": ", ".join(barrier_words(x) for x in a.barriers
                                              if x not in b.barriers),
                "barriers_added": ", ".join(barrier_words(x) for x in b.barriers
                                            if x not in a.barriers),
            })
    columns = ["case_id", "from_round", "to_round", "from_status", "to_status", "direction",
               "barriers_removed", "barriers_added"]
    return pd.DataFrame(rows, columns=columns)


#: Metrics a MAC is computed from, per Monte Carlo draw.
_MAC_METRICS = ("capex_usd", "annual_net_benefit_usd", "co2e_avoided_t_per_year")
#: Monte Carlo draws for the MAC whiskers (fewer than a report's: two percentiles only).
DEFAULT_MAC_DRAWS = 2_000


def marginal_abatement_cost(capex_usd, annual_net_benefit_usd, co2e_avoided_t_per_year,
                            discount_rate, lifetime_years):
    """MAC [USD/tCO2e] = (capex x CRF(r, n) - annual net benefit) / tCO2e avoided per year.

    ``nan`` where the exchange avoids no emissions (tCO2e <= 0): no division by zero.

    Examples
    --------
    >>> round(marginal_abatement_cost(100_000, 17_000, 500, 0.10, 10), 2)
    -1.45
    >>> marginal_abatement_cost(100_000, 17_000, 0, 0.10, 10)
    nan
    """
    tonnes = np.asarray(co2e_avoided_t_per_year, dtype=float)
    annual_cost = (np.asarray(capex_usd, dtype=float)
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
    return marginal_abatement_cost(out["capex_usd"], out["annual_net_benefit_usd"],
                                   out["co2e_avoided_t_per_year"], rate, lifetime)


def abatement_curve(appraisals: Iterable[Appraisal], *, n_draws: int = DEFAULT_MAC_DRAWS,
                    seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The MAC curve of the appraisals: one row per case, those with a MAC cheapest first.

    Parameters
    ----------
    appraisals : iterable of Appraisal
        One per case, each with its run's parameters.
    n_draws : int
        Monte Carlo draws for the P10/P90 whiskers (0: no whiskers).
    seed : int
        Seed of the draws (same seed, same whiskers).

    Returns
    -------
    pandas.DataFrame
        ``case_id``, ``park``, ``title``, ``capex_usd``, ``crf`` [1/yr],
        ``annualised_capex_usd_per_year``, ``annual_net_benefit_usd``,
        ``co2e_avoided_t_per_year``, ``mac_usd_per_tco2e``, ``mac_p10_usd_per_tco2e``,
        ``mac_p90_usd_per_tco2e``, ``npv_usd``, ``counted`` (the case avoids emissions and is on
        the curve) and ``note`` (why a case is not on the curve, or how many draws avoid none).
        Counted cases come first, sorted by MAC ascending (ties by case id), then the others by
        case id.
    """
    rows = []
    for a in appraisals:
        m, p = a.metrics, a.parameters
        crf = float(finance.capital_recovery_factor(p["discount_rate"], a.case.lifetime))
        mac = marginal_abatement_cost(m.capex_usd, m.annual_net_benefit_usd,
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
            "capex_usd": m.capex_usd, "crf": crf,
            "annualised_capex_usd_per_year": m.capex_usd * crf,
            "annual_net_benefit_usd": m.annual_net_benefit_usd,
            "co2e_avoided_t_per_year": m.co2e_avoided_t_per_year, "mac_usd_per_tco2e": mac,
            "mac_p10_usd_per_tco2e": p10, "mac_p90_usd_per_tco2e": p90, "npv_usd": m.npv_usd,
            "counted": bool(counted), "note": note,
        })
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["_order"] = np.where(table["counted"], table["mac_usd_per_tco2e"], np.inf)
    return (table.sort_values(["_order", "case_id"], kind="stable").drop(columns="_order")
            .reset_index(drop=True))
