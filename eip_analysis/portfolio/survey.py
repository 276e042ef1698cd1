"""Survey status and barriers across the opportunities.

The survey rounds of each case file (``survey:``) are the data: :func:`survey_table` lists them,
:func:`status_by_park` counts the cases per status at their latest round,
:func:`barrier_frequency` says which barriers block how many cases and how much NPV, and
:func:`progress` compares a case's rounds where it has more than one. Statuses and barrier
categories are those of :data:`eip_analysis.cases.SURVEY_STATUSES` and
:data:`~eip_analysis.cases.BARRIER_CATEGORIES`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import pandas as pd

from ..appraisal import Appraisal
from ..cases import BARRIER_CATEGORIES, SURVEY_STATUSES, Case, barrier_words


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
