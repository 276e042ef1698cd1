"""Park totals, overlaps removed, and the eco-industrial park criteria they inform.

:func:`park_totals` adds up capex, annual net benefit, tCO2e, water and waste diverted per park
(and for both parks), for all cases and for the shortlist. No total counts a boiler or a tonne
twice: of cases that exclude each other (``excludes:``: the same boilers, the same oil) only the
best-ranked is counted, and the others are named as left out; the cases' draw on a shared
resource (``data/raw/shared_resources.yaml``) is set against its stated supply. Cases that
overlap without excluding each other (HK-01 and HK-06 sell fuel to one steam supplier, for two
boilers) add up, as their case files explain.

:func:`indicator_table` sets the totals against the criteria of the International Framework for
Eco-Industrial Parks 2.0 (World Bank, UNIDO, GIZ, 2021) and Decree 35/2022/ND-CP that they
inform (``data/raw/factors/eip_indicators.csv``, each row sourced). It says which criterion a
figure informs, never whether a park meets it: the park's own totals (its energy use, water
use, emissions) are not in the package.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from .. import paths
from ..appraisal import Appraisal
from ..cases import exclusive_left_out
from ..checks import SharedResource, load_shared_resources, resource_demand
from ..errors import InputError

#: The metrics a park total adds up.
TOTAL_METRICS = ("capex_usd", "annual_net_benefit_usd", "co2e_avoided_t_per_year",
                 "water_saved_m3_per_year", "waste_diverted_t_per_year")
#: What the indicator table may say a criterion is informed by: a total, or the count of
#: exchanges.
INFORMED_BY = (*TOTAL_METRICS, "exchanges")
INDICATORS_FILE = "eip_indicators.csv"
ALL_PARKS = "both parks"


def counted_once(appraisals: Sequence[Appraisal], order: Sequence[str]) -> tuple[
        list[Appraisal], dict[str, str]]:
    """The appraisals a total counts, and the ones it leaves out with the reason.

    ``order``: case ids, best first (the selection's rank); of cases that exclude each other,
    the first in ``order`` is counted (:func:`eip_analysis.cases.exclusive_left_out`).
    """
    left = exclusive_left_out([a.case for a in appraisals], order)
    counted = sorted((a for a in appraisals if a.case.id not in left), key=lambda a: a.case.id)
    return counted, {k: f"excludes {v}, which ranks higher and is counted"
                     for k, v in left.items()}


def _resource_words(appraisals: Sequence[Appraisal],
                    resources: Mapping[str, SharedResource]) -> str:
    drawn: dict[str, float] = {}
    for a in appraisals:
        for r, q in resource_demand(a.case).items():
            drawn[r] = drawn.get(r, 0.0) + q
    parts = []
    for r, q in sorted(drawn.items()):
        if r in resources:
            s = resources[r].supply_per_year
            over = " (more than the supply)" if q > s.value else ""
            parts.append(f"{r}: {q:,.0f} of {s.value:,.0f} {s.unit}{over}")
    return "; ".join(parts)


def park_totals(appraisals: Sequence[Appraisal], order: Sequence[str],
                shortlisted: Sequence[str],
                resources: Mapping[str, SharedResource] | None = None) -> pd.DataFrame:
    """Totals per park and for both parks, for all cases and for the shortlist.

    Parameters
    ----------
    appraisals : sequence of Appraisal
    order : sequence of str
        Case ids best first (:class:`~eip_analysis.portfolio.SelectionResult` rank order).
    shortlisted : sequence of str
        The shortlisted case ids.
    resources : mapping, optional
        Shared resources (default ``data/raw/shared_resources.yaml``).

    Returns
    -------
    pandas.DataFrame
        ``park`` (a park or ``both parks``), ``set`` (``all cases`` or ``shortlist``),
        ``cases`` (count), ``case_ids``, the :data:`TOTAL_METRICS` (sums), ``left_out``
        (cases not counted and why) and ``shared_resources`` (what the counted cases draw on
        each shared resource against its supply).
    """
    resources = load_shared_resources() if resources is None else resources
    parks = sorted({a.case.park for a in appraisals})
    rows = []
    for park in [*parks, ALL_PARKS] if len(parks) > 1 else parks:
        in_park = [a for a in appraisals if park in (ALL_PARKS, a.case.park)]
        for name, members in (("all cases", in_park),
                              ("shortlist", [a for a in in_park if a.case.id in shortlisted])):
            counted, left_out = counted_once(members, order)
            row = {"park": park, "set": name, "cases": len(counted),
                   "case_ids": ", ".join(a.case.id for a in counted)}
            for m in TOTAL_METRICS:
                row[m] = float(sum(getattr(a.metrics, m) for a in counted))
            row["left_out"] = "; ".join(f"{k} {v}" for k, v in left_out.items())
            row["shared_resources"] = _resource_words(counted, resources)
            rows.append(row)
    return pd.DataFrame(rows, columns=["park", "set", "cases", "case_ids", *TOTAL_METRICS,
                                       "left_out", "shared_resources"])


def load_indicators(path: str | Path | None = None) -> pd.DataFrame:
    """The EIP criteria the totals inform (``data/raw/factors/eip_indicators.csv``).

    Raises
    ------
    InputError
        A missing column, an ``informed_by`` outside :data:`INFORMED_BY`, a row without a
        source: one line naming the file and the line.
    """
    path = Path(path) if path is not None else paths.factors_dir() / INDICATORS_FILE
    columns = ("framework", "criterion", "text", "informed_by", "how", "source")
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"columns {', '.join(columns)}", file=path,
                                 field=f"missing {missing[0]}")
            rows = []
            for line, row in enumerate(reader, start=2):
                if row["informed_by"] not in INFORMED_BY:
                    raise InputError(f"one of {', '.join(INFORMED_BY)}", file=path,
                                     field=f"line {line}: informed_by", got=row["informed_by"])
                if len((row["source"] or "").strip()) < 3:
                    raise InputError("a source", file=path, field=f"line {line}: source")
                rows.append({c: (row[c] or "").strip() for c in columns})
    except FileNotFoundError:
        raise InputError("a table of eco-industrial park criteria", file=path) from None
    except UnicodeDecodeError:
        raise InputError("UTF-8 text", file=path) from None
    return pd.DataFrame(rows, columns=list(columns))


def indicator_table(totals: pd.DataFrame, indicators: pd.DataFrame,
                    set_name: str = "shortlist") -> pd.DataFrame:
    """Each criterion with the figure of each park that informs it (``set_name``'s totals).

    Returns
    -------
    pandas.DataFrame
        ``framework``, ``criterion``, ``text``, ``informed_by`` (in words), ``unit``, one
        column per park of ``totals`` (the figure: a total, or the number of exchanges),
        ``how``, ``source``.
    """
    from ..fields import FIELDS

    chosen = totals[totals["set"] == set_name]
    out = indicators.copy()
    for row in chosen.itertuples(index=False):
        figures = {m: getattr(row, m) for m in TOTAL_METRICS}
        figures["exchanges"] = float(row.cases)
        out[row.park] = [figures[k] for k in indicators["informed_by"]]
    out["unit"] = [FIELDS[k].unit if k in FIELDS else "exchanges"
                   for k in indicators["informed_by"]]
    out["informed_by"] = [FIELDS[k].label if k in FIELDS else "Exchanges counted"
                          for k in indicators["informed_by"]]
    return out[["framework", "criterion", "text", "informed_by", "unit", *chosen["park"],
                "how", "source"]]
