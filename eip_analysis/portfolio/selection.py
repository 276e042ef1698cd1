"""Which solutions to take forward: a multi-criteria score, a rule-based shortlist, its stability.

**The score.** Each case gets a value from 0 (worst) to 1 (best) on each criterion of
:data:`CRITERIA`, and its score is the weighted mean of those values, with the weights of
``data/raw/parameters/selection.yaml`` (:func:`load_selection`)::

    score = sum_i(w_i x v_i) / sum_i(w_i)                                    [0-1]

Two normalisations (:func:`normalise`), said for each criterion in :data:`CRITERIA`:

- *min-max over the cases compared, and zero* for the quantities without a natural scale
  (NPV, MIRR, tCO2e, water, waste): ``(x - lo) / (hi - lo)`` with ``lo = min(worst, 0)`` and
  ``hi = max(best, 0)``, so the best case scores 1 when it gains anything, a case that gains
  nothing scores what nothing is worth against the others, and one case alone is scored
  against zero (a positive NPV 1, none 0); an undefined MIRR scores 0. A filter (one park)
  therefore compares the cases of that park with each other.
- *fixed scales* for the others: P(NPV > 0) as it is; the payback as the share of the case's
  life (construction and operating years) left after it, "never" 0; the status by its step along
  not started (0), studied (0.25), negotiating (0.5), in implementation (0.75), operating (1);
  barriers as 1 - (sum of the severities of the case's barriers) / (sum over all seven
  categories); the ESMP as 1 - (highest residual rating - 1) / 24; data quality surveyed (1),
  estimated (0.5), illustrative (0).

**The shortlist** (:func:`shortlist`). A case is *implementable* when all of these hold, and
each that fails is its reason in words (:data:`RULES`): not dropped; a positive base NPV;
P(NPV > 0) at or above its threshold; no blocking barrier at its latest round; an ESMP register
whose lender's category is at most the acceptable one; a score at or above its threshold. Then,
best score first, a case is kept unless a case already kept excludes it (``excludes:`` of
either file: "the better one is kept") or the shortlist would draw more of a shared resource
(``data/raw/shared_resources.yaml``) than its stated supply.

**Stability** (:func:`stability`). The shortlist is recomputed for weights drawn from a
Dirichlet distribution around the weights (concentration ``c``: ``alpha_i = c x w_i``) and for
each weight in turn 50% lower and higher: a case shortlisted in nearly every draw does not
depend on the weights chosen.

References
----------
1. Belton, V. and Stewart, T. (2002). *Multiple Criteria Decision Analysis: An Integrated
   Approach*. Kluwer: weighted sum of value scores, min-max value functions.
2. Butler, J., Jia, J. and Dyer, J. (1997). Simulation techniques for the sensitivity analysis
   of multi-criteria decision models. *EJOR* 103(3): random weights around the chosen ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import paths
from ..appraisal import Appraisal
from ..cases import BARRIER_CATEGORIES, SURVEY_STATUSES, barrier_words, read_yaml
from ..checks import SharedResource, load_shared_resources, resource_demand
from ..errors import InputError
from ..esmp import Register, lender_category

SELECTION_FILE = "selection.yaml"
#: Lender's categories from the lowest risk, for the ``max_esmp_category`` threshold.
ESMP_CATEGORIES = ("C", "B", "A")
DATA_QUALITY_VALUE = {"surveyed": 1.0, "estimated": 0.5, "illustrative": 0.0}


@dataclass(frozen=True)
class Criterion:
    """One criterion of the score: its words, whether more is better, how it is normalised."""

    label: str
    unit: str
    higher_is_better: bool
    scale: Literal["min-max", "fixed"]
    normalisation: str  #: in words, for the report


#: The criteria in the order of the weights file: name -> :class:`Criterion`.
CRITERIA: dict[str, Criterion] = {
    "npv_usd": Criterion("NPV", "USD", True, "min-max",
                         "linear between the lowest (0) and highest (1) NPV of the cases, "
                         "zero always in the range"),
    "mirr": Criterion("MIRR", "1/yr", True, "min-max",
                      "linear between the lowest (0) and highest (1) MIRR, zero in the range; "
                      "undefined: 0"),
    "payback_years": Criterion("Simple payback", "yr", False, "fixed",
                               "1 - payback / (construction + operating years): the share of "
                               "the case's life left after payback; never: 0"),
    "probability_npv_positive": Criterion("P(NPV > 0)", "fraction", True, "fixed",
                                          "the Monte Carlo share of draws with NPV > 0, as it is"),
    "co2e_avoided_t_per_year": Criterion("tCO2e avoided", "tCO2e/yr", True, "min-max",
                                         "linear between the lowest (0) and highest (1) "
                                         "tCO2e avoided a year, zero in the range (a case that "
                                         "adds emissions scores below one that avoids none)"),
    "water_saved_m3_per_year": Criterion("Water saved", "m3/yr", True, "min-max",
                                         "linear between none (0) and the most (1) water "
                                         "saved a year"),
    "waste_diverted_t_per_year": Criterion("Waste diverted", "t/yr", True, "min-max",
                                           "linear between none (0) and the most (1) waste "
                                           "diverted a year"),
    "barrier_severity": Criterion("Barriers", "severity points", False, "fixed",
                                  "1 - (sum of the severities of the case's barriers) / (sum "
                                  "of the severities of all seven categories)"),
    "status": Criterion("Status", "", True, "fixed",
                        "step along not started (0), studied (0.25), negotiating (0.5), "
                        "in implementation (0.75), operating (1)"),
    "esmp_residual": Criterion("ESMP residual risk", "rating 1-25", False, "fixed",
                               "1 - (highest residual rating - 1) / 24; no register: 0"),
    "data_quality": Criterion("Data quality", "", True, "fixed",
                              "surveyed (1), estimated (0.5), illustrative (0)"),
}


# -- the selection parameters ---------------------------------------------------------------------


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    unit: str = ""
    source: Annotated[str, Field(min_length=3)]


class Weight(_Entry):
    value: Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Fraction(_Entry):
    value: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class Category(_Entry):
    value: Literal[ESMP_CATEGORIES]


class Severity(_Entry):
    value: Annotated[int, Field(ge=1, le=3, strict=True)]


class Count(_Entry):
    value: Annotated[int, Field(ge=0, le=1_000_000, strict=True)]


class Concentration(_Entry):
    value: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]


class Change(_Entry):
    value: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]


class Seed(_Entry):
    value: Annotated[int, Field(ge=0, strict=True)]


class Weights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    npv_usd: Weight
    mirr: Weight
    payback_years: Weight
    probability_npv_positive: Weight
    co2e_avoided_t_per_year: Weight
    water_saved_m3_per_year: Weight
    waste_diverted_t_per_year: Weight
    barrier_severity: Weight
    status: Weight
    esmp_residual: Weight
    data_quality: Weight


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_probability_npv_positive: Fraction
    min_score: Fraction
    max_esmp_category: Category


class BarrierSeverity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    technical: Severity
    financial: Severity
    regulatory_permits: Severity
    organisational: Severity
    information_trust: Severity
    market: Severity
    logistics: Severity


class StabilitySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    dirichlet_draws: Count
    dirichlet_concentration: Concentration
    one_at_a_time_change: Change
    seed: Seed


class Selection(BaseModel):
    """The selection parameters (``data/raw/parameters/selection.yaml``), each sourced."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    weights: Weights
    thresholds: Thresholds
    barrier_severity: BarrierSeverity
    stability: StabilitySettings
    source_file: str | None = None

    @property
    def weight_values(self) -> dict[str, float]:
        """Criterion -> weight, in the order of :data:`CRITERIA`."""
        return {k: getattr(self.weights, k).value for k in CRITERIA}

    def value(self, dotted: str) -> Any:
        group, name = dotted.split(".", 1)
        return getattr(getattr(self, group), name).value

    def table(self) -> pd.DataFrame:
        """Every entry: ``parameter`` (dotted name), ``value``, ``unit``, ``source``."""
        return pd.DataFrame([
            {"parameter": f"{group}.{name}", "value": entry.value, "unit": entry.unit,
             "source": entry.source}
            for group in ("weights", "thresholds", "barrier_severity", "stability")
            for name, entry in getattr(self, group)])


#: Run override source (``-p weights.npv_usd=0.2``).
OVERRIDE_SOURCE = "assumption: set for this run (override)"


#: What each kind of entry's value must be, in words.
_EXPECTED = {Weight: "a weight: a finite number >= 0", Fraction: "a number from 0 to 1",
             Category: "A, B or C", Severity: "a whole number from 1 to 3",
             Count: "a whole number from 0 to 1,000,000",
             Concentration: "a positive number up to 1,000,000",
             Change: "a fraction strictly between 0 and 1", Seed: "a whole number >= 0"}
_GROUPS = {"weights": Weights, "thresholds": Thresholds, "barrier_severity": BarrierSeverity,
           "stability": StabilitySettings}


def _expected_of(loc: tuple) -> str | None:
    """The words for the value at ``loc`` (``("weights", "npv_usd", "value")``), if known."""
    if len(loc) >= 3 and loc[0] in _GROUPS and loc[2] == "value":
        f = _GROUPS[loc[0]].model_fields.get(loc[1])
        return _EXPECTED.get(f.annotation) if f is not None else None
    return None


def _names() -> list[str]:
    return [f"{g}.{n}" for g, model in (("weights", Weights), ("thresholds", Thresholds),
                                        ("barrier_severity", BarrierSeverity),
                                        ("stability", StabilitySettings))
            for n in model.model_fields]


def _validate(data: Any, file: str | Path | None) -> Selection:
    if not isinstance(data, dict):
        raise InputError("a mapping with weights, thresholds, barrier_severity and stability",
                         file=file)
    try:
        selection = Selection.model_validate({**data, "source_file": str(file) if file else None})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        field = ".".join(str(x) for x in err["loc"])
        expected = _expected_of(err["loc"]) or err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            expected = "this field (required)"
        elif err["type"] == "extra_forbidden":
            expected = f"a known entry ({', '.join(_names())})"
        got = err.get("input") if err["type"] not in ("missing", "extra_forbidden") and not \
            isinstance(err.get("input"), dict | list) else None
        raise InputError(expected, file=file, field=field, got=got) from None
    if sum(selection.weight_values.values()) <= 0:
        raise InputError("weights that sum to more than zero", file=file, field="weights")
    return selection


def _read(path: Path) -> dict:
    if not path.exists():
        raise InputError("a selection file (weights, thresholds, barrier_severity, stability)",
                         file=path)
    return read_yaml(path)[0]


def load_selection(path: str | Path | None = None, *, base: str | Path | None = None) -> Selection:
    """Read and validate the selection parameters.

    Parameters
    ----------
    path : path, optional
        A selection file. Default: ``data/raw/parameters/selection.yaml``.
    base : path, optional
        A complete file that ``path`` amends: entries ``path`` omits keep ``base``'s values
        (``--selection FILE`` with only the weights to change). Default: no base when ``path``
        is the default file, else the default file.

    Raises
    ------
    InputError
        One line naming the file and the entry: bad YAML, an unknown entry, a weight that is
        negative or not a number, weights that sum to zero, a threshold outside [0, 1].
    """
    default = paths.parameters_dir() / SELECTION_FILE
    path = Path(path) if path is not None else default
    data = _read(path)
    if base is None and path.resolve() != default.resolve():
        base = default
    if base is not None and isinstance(data, dict):
        merged = _read(Path(base))
        for group, entries in data.items():
            if isinstance(entries, dict) and isinstance(merged.get(group), dict):
                merged[group] = {**merged[group], **entries}
            else:
                merged[group] = entries
        data = merged
    return _validate(data, path)


def with_overrides(selection: Selection, overrides: Mapping[str, Any]) -> Selection:
    """``selection`` with entries set for this run: ``{"weights.npv_usd": "0.2"}``.

    Raises
    ------
    InputError
        ``override weights.npv_usd: expected ...``: an unknown name or a bad value (text is
        converted as on the command line).
    """
    data = selection.model_dump(exclude={"source_file"})
    for dotted, raw in overrides.items():
        if dotted not in _names():
            raise InputError(f"a selection entry ({', '.join(_names())})",
                             field=f"override {dotted}")
        group, name = dotted.split(".", 1)
        value: Any = raw
        if isinstance(raw, str):
            text = raw.strip()
            try:
                number = float(text)
            except ValueError:
                value = text
            else:
                value = int(number) if number.is_integer() and isinstance(
                    data[group][name]["value"], int) else number
        data[group][name] = {**data[group][name], "value": value, "source": OVERRIDE_SOURCE}
    try:
        out = _validate(data, None)
    except InputError as err:
        field = (err.field or "").removesuffix(".value")
        raise InputError(err.expected, field=f"override {field}", got=err.got) from None
    return out.model_copy(update={"source_file": selection.source_file})


# -- the criteria ---------------------------------------------------------------------------------


def criteria_table(appraisals: Sequence[Appraisal], probabilities: Mapping[str, float],
                   registers: Mapping[str, Register | None],
                   selection: Selection) -> pd.DataFrame:
    """The raw value of each criterion of each case (one row per case, by case id).

    ``probabilities``: P(NPV > 0) per case id (:func:`probabilities_npv_positive`);
    ``registers``: ESMP register per case id (``None``: the case has none).
    """
    severity = {b: getattr(selection.barrier_severity, b).value for b in BARRIER_CATEGORIES}
    steps = [s for s in SURVEY_STATUSES if s != "dropped"]
    rows = []
    for a in sorted(appraisals, key=lambda a: a.case.id):
        m, c = a.metrics, a.case
        latest = c.latest_survey
        reg = registers.get(c.id)
        category = lender_category(reg) if reg is not None else ("", "")
        rows.append({
            "case_id": c.id, "park": c.park, "title": c.title,
            "npv_usd": m.npv_usd, "mirr": m.mirr, "payback_years": m.payback_years,
            "life_years": c.operation_start_year + c.lifetime,
            "probability_npv_positive": probabilities[c.id],
            "co2e_avoided_t_per_year": m.co2e_avoided_t_per_year,
            "water_saved_m3_per_year": m.water_saved_m3_per_year,
            "waste_diverted_t_per_year": m.waste_diverted_t_per_year,
            "barrier_severity": sum(severity[b] for b in latest.barriers),
            "status": latest.status,
            "status_step": (steps.index(latest.status) / (len(steps) - 1)
                            if latest.status in steps else 0.0),
            "esmp_residual": reg.max_residual if reg is not None else np.nan,
            "esmp_category": category[0], "esmp_rule": category[1],
            "data_quality": c.data_quality,
            "barriers": ", ".join(barrier_words(b) for b in latest.barriers),
            "blocking": ", ".join(barrier_words(b) for b in latest.blocking),
            "survey_round": latest.round,
        })
    return pd.DataFrame(rows)


def normalise(raw: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """The 0-1 value of each criterion of each case (columns: the names of :data:`CRITERIA`),
    by the normalisation :data:`CRITERIA` states."""
    out = pd.DataFrame(index=raw.index)
    for name, crit in CRITERIA.items():
        if name == "status":
            out[name] = raw["status_step"].astype(float)
        elif name == "barrier_severity":
            total = sum(getattr(selection.barrier_severity, b).value for b in BARRIER_CATEGORIES)
            out[name] = 1.0 - raw[name].astype(float) / total
        elif name == "esmp_residual":
            out[name] = (1.0 - (raw[name].astype(float) - 1.0) / 24.0).fillna(0.0)
        elif name == "data_quality":
            out[name] = raw[name].map(DATA_QUALITY_VALUE).astype(float)
        elif name == "payback_years":
            share = 1.0 - raw[name].astype(float) / raw["life_years"].astype(float)
            out[name] = share.clip(lower=0.0).fillna(0.0)
        elif name == "probability_npv_positive":
            out[name] = raw[name].astype(float)
        else:
            out[name] = _min_max(raw[name].to_numpy(dtype=float), crit.higher_is_better)
    return out


def _min_max(x: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Min-max over the finite values and zero; nan scores 0.

    >>> _min_max(np.array([100.0, -50.0]), True).tolist()
    [1.0, 0.0]
    >>> _min_max(np.array([0.10, 0.05]), True).tolist()  # against zero: 0.05 is half of 0.10
    [1.0, 0.5]
    >>> _min_max(np.array([7.0]), True).tolist(), _min_max(np.array([0.0, 0.0]), True).tolist()
    ([1.0], [0.0, 0.0])
    """
    x = np.asarray(x, dtype=float) if higher_is_better else -np.asarray(x, dtype=float)
    finite = np.isfinite(x)
    value = np.zeros_like(x)
    if finite.any():
        lo, hi = min(x[finite].min(), 0.0), max(x[finite].max(), 0.0)
        if hi > lo:
            value[finite] = (x[finite] - lo) / (hi - lo)
    return value


def scores(values: pd.DataFrame, weights: Mapping[str, float]) -> np.ndarray:
    """The weighted mean of the 0-1 values, one score per row [0-1]."""
    w = np.array([weights[k] for k in CRITERIA], dtype=float)
    return values[list(CRITERIA)].to_numpy(dtype=float) @ w / w.sum()


# -- the shortlist ----------------------------------------------------------------------------

#: The rules of the shortlist, in the order their reasons are given.
RULES = ("dropped", "npv", "probability", "blocking", "esmp", "score", "excluded",
         "shared_resource")


@dataclass(frozen=True)
class _Fixed:
    """What the rules need of each case, apart from the score."""

    ids: tuple[str, ...]
    reasons: tuple[tuple[str, ...], ...]  #: reasons that do not depend on the weights
    excludes: dict[str, dict[str, str]]  #: case -> excluded case -> reason (both directions)
    demand: dict[str, dict[str, float]]  #: case -> shared resource -> demand per year
    resources: dict[str, SharedResource]


def _fixed(raw: pd.DataFrame, appraisals: Sequence[Appraisal], selection: Selection,
           resources: Mapping[str, SharedResource]) -> _Fixed:
    t = selection.thresholds
    allowed = ESMP_CATEGORIES[:ESMP_CATEGORIES.index(t.max_esmp_category.value) + 1]
    reasons = []
    for row in raw.itertuples(index=False):
        why = []
        if row.status == "dropped":
            why.append(f"dropped at the {row.survey_round} survey")
        if not row.npv_usd > 0:
            why.append(f"base NPV of USD {row.npv_usd:,.0f} is not positive")
        if row.probability_npv_positive < t.min_probability_npv_positive.value:
            why.append(f"P(NPV > 0) of {row.probability_npv_positive:.1%} is below the "
                       f"{t.min_probability_npv_positive.value:.0%} threshold")
        if row.blocking:
            why.append(f"blocking barrier at the {row.survey_round} survey: {row.blocking}")
        if not row.esmp_category:
            why.append("no ESMP register")
        elif row.esmp_category not in allowed:
            why.append(f"lender's E&S category {row.esmp_rule}, above the acceptable "
                       f"{t.max_esmp_category.value}")
        reasons.append(tuple(why))
    excludes: dict[str, dict[str, str]] = {cid: {} for cid in raw["case_id"]}
    for a in appraisals:
        for x in a.case.excludes:
            if x.case in excludes:
                excludes[a.case.id].setdefault(x.case, x.reason)
                excludes[x.case].setdefault(a.case.id, x.reason)
    demand = {a.case.id: {k: v for k, v in resource_demand(a.case).items() if k in resources}
              for a in appraisals}
    return _Fixed(tuple(raw["case_id"]), tuple(reasons), excludes, demand, dict(resources))


def _apply(fixed: _Fixed, score: np.ndarray, min_score: float,
           words: bool = True) -> tuple[np.ndarray, list[list[str]]]:
    """Shortlisted flags and reasons for one vector of scores."""
    n = len(fixed.ids)
    reasons: list[list[str]] = [list(r) for r in fixed.reasons] if words else [[] for _ in range(n)]
    eligible = np.array([not r for r in fixed.reasons])
    low = score < min_score
    if words:
        for i in np.flatnonzero(low):
            reasons[i].append(f"score of {score[i]:.2f} is below the {min_score:.2f} threshold")
    eligible &= ~low
    kept = np.zeros(n, dtype=bool)
    drawn: dict[str, float] = {}
    index = {cid: i for i, cid in enumerate(fixed.ids)}
    for i in sorted(np.flatnonzero(eligible), key=lambda i: (-score[i], fixed.ids[i])):
        cid = fixed.ids[i]
        rival = next((k for k in fixed.excludes[cid] if kept[index[k]]), None)
        if rival is not None:
            if words:
                reasons[i].append(
                    f"mutually exclusive with {rival}, which scores higher "
                    f"({score[index[rival]]:.2f} against {score[i]:.2f}): "
                    f"{fixed.excludes[cid][rival].strip()}")
            continue
        over = next((r for r, q in fixed.demand[cid].items()
                     if drawn.get(r, 0.0) + q > fixed.resources[r].supply_per_year.value), None)
        if over is not None:
            if words:
                s = fixed.resources[over].supply_per_year
                reasons[i].append(
                    f"{over}: the better-scored cases already draw {drawn.get(over, 0.0):,.0f} of "
                    f"the stated {s.value:,.0f} {s.unit}; this case needs "
                    f"{fixed.demand[cid][over]:,.0f} more")
            continue
        kept[i] = True
        for r, q in fixed.demand[cid].items():
            drawn[r] = drawn.get(r, 0.0) + q
    return kept, reasons


@dataclass(frozen=True)
class SelectionResult:
    """The criteria, score, rank, shortlist and reasons of each case, and the parameters used.

    ``table`` columns: ``case_id``, ``park``, ``title``, the raw criteria (names of
    :data:`CRITERIA`; ``status`` in words), ``esmp_category``, ``barriers``, ``blocking``,
    ``v_<criterion>`` (the 0-1 values), ``score``, ``rank`` (1 = best score), ``shortlisted``,
    ``reason`` (why not, in words; ``""`` for a shortlisted case).
    """

    table: pd.DataFrame
    selection: Selection
    fixed: _Fixed

    @property
    def shortlist(self) -> list[str]:
        return self.table.loc[self.table["shortlisted"], "case_id"].tolist()

    def values(self) -> pd.DataFrame:
        """The 0-1 values, one row per case (columns: the criteria)."""
        cols = {f"v_{k}": k for k in CRITERIA}
        return self.table[list(cols)].rename(columns=cols)


def shortlist(appraisals: Sequence[Appraisal], probabilities: Mapping[str, float],
              registers: Mapping[str, Register | None], selection: Selection | None = None, *,
              resources: Mapping[str, SharedResource] | None = None) -> SelectionResult:
    """Score, rank and shortlist the cases; say why each excluded case is excluded.

    Parameters
    ----------
    appraisals : sequence of Appraisal
        The cases compared (one park, or all).
    probabilities : mapping
        Case id -> P(NPV > 0) [-] (:func:`probabilities_npv_positive`).
    registers : mapping
        Case id -> ESMP register or ``None`` (:func:`eip_analysis.esmp.register_for`).
    selection : Selection, optional
        Default: :func:`load_selection`.
    resources : mapping, optional
        Shared resources (default ``data/raw/shared_resources.yaml``).

    Returns
    -------
    SelectionResult
        Sorted by rank.
    """
    selection = selection if selection is not None else load_selection()
    resources = load_shared_resources() if resources is None else resources
    raw = criteria_table(appraisals, probabilities, registers, selection)
    values = normalise(raw, selection)
    score = scores(values, selection.weight_values)
    fixed = _fixed(raw, appraisals, selection, resources)
    kept, reasons = _apply(fixed, score, selection.thresholds.min_score.value)
    table = raw.drop(columns=["status_step", "life_years"]).copy()
    for k in CRITERIA:
        table[f"v_{k}"] = values[k].to_numpy()
    table["score"] = score
    order = sorted(range(len(score)), key=lambda i: (-score[i], fixed.ids[i]))
    rank = np.empty(len(score), dtype=int)
    rank[order] = np.arange(1, len(score) + 1)
    table["rank"] = rank
    table["shortlisted"] = kept
    table["reason"] = ["; ".join(r) for r in reasons]
    table = table.sort_values("rank", ignore_index=True)
    return SelectionResult(table=table, selection=selection, fixed=fixed)


# -- stability under the weights ------------------------------------------------------------------


def weight_variations(weights: Mapping[str, float], change: float) -> tuple[np.ndarray, list[str]]:
    """Each weight in turn ``(1 - change)`` and ``(1 + change)`` times, the others unchanged:
    a ``(2 x criteria, criteria)`` array and the label of each row; zero weights are skipped."""
    base = np.array([weights[k] for k in CRITERIA], dtype=float)
    rows, labels = [], []
    for j, name in enumerate(CRITERIA):
        if base[j] == 0:
            continue
        for factor, sign in ((1 - change, "-"), (1 + change, "+")):
            w = base.copy()
            w[j] *= factor
            rows.append(w)
            labels.append(f"{name} {sign}{change:.0%}")
    return np.array(rows).reshape(-1, len(base)), labels


def dirichlet_weights(weights: Mapping[str, float], concentration: float, n_draws: int,
                      seed: int) -> np.ndarray:
    """``n_draws`` weight vectors from Dirichlet(``concentration`` x w / sum(w)); zero weights
    stay zero. Rows sum to 1."""
    base = np.array([weights[k] for k in CRITERIA], dtype=float)
    base = base / base.sum()
    out = np.zeros((n_draws, base.size))
    positive = base > 0
    if n_draws:
        out[:, positive] = np.random.default_rng(seed).dirichlet(concentration * base[positive],
                                                                 n_draws)
    return out


def stability(result: SelectionResult) -> pd.DataFrame:
    """How often each case is shortlisted when the weights vary.

    Returns
    -------
    pandas.DataFrame
        One row per case, in rank order: ``case_id``, ``shortlisted`` (with the file's
        weights), ``share_shortlisted_dirichlet`` (share of the Dirichlet draws),
        ``one_at_a_time_shortlisted`` and ``one_at_a_time_variations`` (in how many of the
        +-change variations it is shortlisted), ``rank_best`` and ``rank_worst`` (over the
        Dirichlet draws), ``stable`` (shortlisted in >= 90% of the draws, or in <= 10%: the
        decision does not depend on the weights).
    """
    st = result.selection.stability
    weights = result.selection.weight_values
    values = result.values().to_numpy(dtype=float)
    fixed = result.fixed
    min_score = result.selection.thresholds.min_score.value
    # the table is in rank order; the fixed reasons are in case-id order
    order = [fixed.ids.index(cid) for cid in result.table["case_id"]]
    fixed = replace(fixed, ids=tuple(fixed.ids[i] for i in order),
                    reasons=tuple(fixed.reasons[i] for i in order))
    dirichlet = dirichlet_weights(weights, st.dirichlet_concentration.value,
                                  st.dirichlet_draws.value, st.seed.value)
    oat, _ = weight_variations(weights, st.one_at_a_time_change.value)

    def runs(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(w):
            return np.zeros((0, len(order)), bool), np.zeros((0, len(order)), int)
        s = values @ w.T / w.sum(axis=1)  # cases x draws
        kept = np.array([_apply(fixed, s[:, k], min_score, words=False)[0]
                         for k in range(s.shape[1])])
        ranks = (-s.T).argsort(axis=1, kind="stable").argsort(axis=1) + 1
        return kept, ranks

    kept_d, ranks_d = runs(dirichlet)
    kept_o, _ = runs(oat)
    share = kept_d.mean(axis=0) if len(kept_d) else np.full(len(order), np.nan)
    out = pd.DataFrame({
        "case_id": result.table["case_id"], "shortlisted": result.table["shortlisted"],
        "share_shortlisted_dirichlet": share,
        "one_at_a_time_shortlisted": kept_o.sum(axis=0) if len(kept_o) else 0,
        "one_at_a_time_variations": len(oat),
        "rank_best": ranks_d.min(axis=0) if len(ranks_d) else result.table["rank"],
        "rank_worst": ranks_d.max(axis=0) if len(ranks_d) else result.table["rank"],
    })
    out["stable"] = (share >= 0.9) | (share <= 0.1)
    return out.reset_index(drop=True)


# -- inputs of a portfolio run ------------------------------------------------------------------


def probabilities_npv_positive(appraisals: Iterable[Appraisal], *, n_draws: int,
                               seed: int) -> dict[str, float]:
    """P(NPV > 0) of each case from the reports' Monte Carlo (same draws, same seed) [-]."""
    from ..risk import monte_carlo

    return {a.case.id: monte_carlo(a, n_draws=n_draws, seed=seed,
                                   financing=False).probability_npv_positive
            for a in appraisals}


#: Columns of ``data/processed/portfolio.csv``, in order.
PORTFOLIO_COLUMNS = ("case_id", "park", "title", "score", "rank", "shortlisted", "reason",
                     *CRITERIA, "esmp_category", *(f"v_{k}" for k in CRITERIA))


def portfolio_csv_frame(result: SelectionResult) -> pd.DataFrame:
    """The rows of ``data/processed/portfolio.csv``: one per case, by rank."""
    return result.table[list(PORTFOLIO_COLUMNS)]
