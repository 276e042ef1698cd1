"""Scenarios, one-way sensitivity (tornado, switching values) and Monte Carlo, vectorised.

Every analysis here is a handful of calls to the vectorised evaluators
(:func:`eip_analysis.appraisal.evaluate` and :func:`eip_analysis.financing.evaluate_financing`)
with ``values={path: array}``: one row per scenario, never a Python loop per draw.

Conventions
-----------
**Drivers.** A driver is a number of the case with ``low`` and ``high`` (any path of
:meth:`Case.quantities`, including the ``financing:`` and ``tax:`` blocks), plus chosen
project-wide parameters that carry a range in ``data/raw/parameters`` (the discount rate for
the tornado; inflation and the loan interest rate for financing metrics). Drivers vary
independently (no correlation is modelled).

**Distributions** (Monte Carlo), from ``value`` (the base), ``low`` and ``high``:

============  ==============================================================================
triangular    min = low, mode = value, max = high (the default when none is given)
uniform       between low and high
normal        low and high are the 5th and 95th percentiles: mean = (low + high) / 2,
              sd = (high - low) / (2 x 1.6449); draws outside the input's domain (below 0 for
              amounts, outside [0, 1] for fractions) are clipped to it
lognormal     low and high are the 5th and 95th percentiles of a lognormal: ln X is normal
              with mean (ln low + ln high) / 2 and sd (ln high - ln low) / (2 x 1.6449)
============  ==============================================================================

With an asymmetric range the normal's mean is the middle of the range, not ``value``; use
triangular or lognormal for skewed inputs. Whole-year inputs (lifetime, tenor) are drawn as
real numbers and rounded to whole years by the model.

**Blocks of draws, and clusters** (Monte Carlo). The inputs of all draws come from one
``numpy.random.default_rng(seed)`` per case; the draws are then evaluated in consecutive
blocks of :data:`BLOCK_DRAWS` (one vectorised call per block). A vectorised evaluation is
not exact row by row to the last bit: numpy may add up a row's years in another order when the
array has few rows (cutting 10,000 draws into pieces of 1 or 7 rows changes the last bit of some
NPVs), so a draw's result is a function of its block. :func:`monte_carlo` evaluates the blocks
in this process; :func:`monte_carlo_many` sends chunks of whole blocks to the workers of a Dask
cluster (:func:`eip_analysis.cluster.dask_client`) and concatenates them in order: the same
blocks, hence results identical to the last bit, whatever the chunk size or the number of
workers, as long as the workers run the same numerical code (same machine type, same numpy and
numba, no BLAS in the evaluation).

**Scenarios.** *Base*: every input at its value. *Conservative*: every driver at the end of
its range that gives the lower NPV in the one-way analysis (its unfavourable end);
*optimistic*: every driver at its favourable end. The direction is judged one driver at a time
at the base case, so it is the sign of each driver's own NPV effect (for loan terms and
inflation, which do not move the pre-financing NPV, the sign of their equity NPV effect).

**Switching value.** The value of one driver, the others at base, at which the metric (NPV by
default) equals the target (0): found by scanning outward from the base value over the
driver's domain (to 1,000 times the range), then refined by regula falsi (Illinois) to
machine precision, so nonlinear maps (discount rate, lifetime) are handled. Whole-year
drivers change the model in steps: their switching value is interpolated linearly between
the last whole year on one side and the first on the other. No sign change in the domain
gives ``nan`` and a sentence saying so.

References
----------
.. [1] D. Vose, *Risk Analysis: A Quantitative Guide*, 3rd ed., Wiley, 2008 (distributions
   from expert ranges, P5/P95 elicitation, tornado charts).
.. [2] Asian Development Bank, *Guidelines for the Economic Analysis of Projects*, 2017,
   appendix on sensitivity and risk analysis (switching values, Monte Carlo).
.. [3] M. Dowell and P. Jarratt, "A modified regula falsi method for computing the root of an
   equation", *BIT* 11, 168-174, 1971 (the Illinois method).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import formatting
from .appraisal import METRIC_NAMES, Appraisal, evaluate, run_of
from .cases import Case, load_case
from .cashflow import CashFlows, build
from .errors import InputError
from .fields import FIELDS
from .financing import FINANCING_METRIC_NAMES, PARAMETER_PATHS, evaluate_financing, split_values
from .i18n import N_, current_language, fmt, word
from .i18n import gettext as _
from .parameters import ResolvedParameters, load_defaults

#: Default number of Monte Carlo draws and seed (same seed, same draws, same results).
DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20211130
#: Draws evaluated together, in one vectorised call (module conventions, Monte Carlo).
BLOCK_DRAWS = 2_000
#: Draws per task of :func:`monte_carlo_many` on a cluster (whole blocks).
DEFAULT_CHUNK_DRAWS = 2 * BLOCK_DRAWS
#: 95th percentile of the standard normal distribution.
Z_95 = 1.6448536269514722
#: Parameters (with a range in data/raw/parameters) varied in the tornado.
TORNADO_PARAMETERS = ("discount_rate", "inflation_rate", "loan_interest_rate", "debt_share")
#: Parameters treated as uncertain (market) inputs in scenarios and Monte Carlo; the discount
#: rate and the debt share are choices, not risks.
UNCERTAIN_PARAMETERS = ("inflation_rate", "loan_interest_rate")
_PARAMETER_PATH = {name: path for path, name in PARAMETER_PATHS.items()}
_SCAN_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0,
               20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
_MAX_ITER = 100


def metric_word(name: str) -> str:
    """A metric as a sentence names it (``"NPV"``, ``"payback"``, ``"minimum DSCR"``), from
    its label in :data:`eip_analysis.fields.FIELDS`."""
    label = FIELDS[name].label if name in FIELDS else name
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def input_label(label: str, *, in_sentence: bool = False) -> str:
    """An input's label (:attr:`Driver.label`) in the active language: in English as written
    (lower case with ``in_sentence``), in another language with its fixed words translated
    (:func:`input_words`; the case's own words as written)."""
    if current_language() == "en":
        return label.lower() if in_sentence else label
    return input_words(label)


#: The fixed words of the inputs' labels (:meth:`eip_analysis.cases.Case.quantities`,
#: :meth:`eip_analysis.appraisal.Appraisal.assumptions`) around the case's own words, for
#: :func:`input_words`: (pattern, message).
_INPUT_PATTERNS = (
    (r"^Operating lifetime$", N_("Operating lifetime")),
    (r"^Salvage value at end of life$", N_("Salvage value at end of life")),
    (r"^Capex: (?P<text>.*) \(year (?P<year>\d+)\)$", N_("Capex: {text} (year {year})")),
    (r"^Opex: (?P<text>.*), amount per year$", N_("Opex: {text}, amount per year")),
    (r"^Opex: (?P<text>.*), quantity per year$", N_("Opex: {text}, quantity per year")),
    (r"^Opex: (?P<text>.*), unit price$", N_("Opex: {text}, unit price")),
    (r"^Benefit: (?P<text>.*), amount per year$", N_("Benefit: {text}, amount per year")),
    (r"^Benefit: (?P<text>.*), quantity per year$", N_("Benefit: {text}, quantity per year")),
    (r"^Benefit: (?P<text>.*), unit price$", N_("Benefit: {text}, unit price")),
    (r"^Transfer: (?P<text>.*), quantity per year$", N_("Transfer: {text}, quantity per year")),
    (r"^Transfer: (?P<text>.*), unit price$", N_("Transfer: {text}, unit price")),
    (r"^Resource flow (?P<text>\S+) \((?P<party>supplier|receiver)\): (?P<what>.*)$",
     N_("Resource flow {text} ({party}): {what}")),
    (r"^Parameter: (?P<text>.*)$", N_("Parameter: {text}")),
)


def input_words(label: str) -> str:
    """An input's label in the report's language: its fixed words translated (``Capex: ...
    (year 0)`` -> ``Vốn đầu tư: ... (năm 0)``), the case's own words (descriptions, flow
    names) as written; other labels unchanged. English: the label itself."""
    if current_language() == "en":
        return label
    for pattern, message in _INPUT_PATTERNS:
        found = re.match(pattern, label)
        if found:
            parts = found.groupdict()
            if "party" in parts:
                parts["party"] = _(parts["party"])
            if "what" in parts:  # "baseline", "project, cod removed": the side translated
                side, sep, rest = parts["what"].partition(", ")
                side = {"baseline": _("baseline"), "project": _("with the exchange")}.get(
                    side, side)
                parts["what"] = side + sep + rest
            if message == "Parameter: {text}":
                parts["text"] = word(parts["text"])
            elif "text" in parts and re.fullmatch(r"[a-z_]+", parts["text"] or ""):
                parts["text"] = formatting.flow_label(parts["text"])
            return _(message).format(**parts)
    return label


# ---------------------------------------------------------------------------------------------
# Drivers and evaluation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Driver:
    """An input varied by the analyses, with its range, distribution and domain."""

    path: str
    label: str
    unit: str
    base: float
    low: float
    high: float
    distribution: str  #: effective distribution (triangular when the case gives none)
    source: str
    lower_bound: float  #: smallest value that makes sense (domain)
    upper_bound: float

    @property
    def whole_years(self) -> bool:
        return self.unit == "yr"


def _domain(path: str, unit: str) -> tuple[float, float]:
    if path == "parameters.discount_rate":
        return -0.99, 10.0
    if path == "parameters.inflation_rate":
        return -0.5, 1.0
    if path == "lifetime_years":
        return 1.0, 100.0
    name = path.rsplit(".", 1)[-1]
    if name == "moisture":  # wetter fuel does not burn (cases.py refuses 0.7 and above)
        return 0.0, 0.69
    if name == "bo":  # IPCC maximum methane producing capacity [t CH4/t COD]
        return 0.0, 0.25
    if name in ("efficiency", "efficiency_by"):  # a boiler converts some heat
        return 0.05, 1.0
    if unit == "fraction":
        return 0.0, 1.0
    if unit == "1/yr":
        return 0.0, 1.0
    if unit == "yr":
        return 0.0, 60.0
    return 0.0, math.inf


def drivers(
    case: Case, params: ResolvedParameters | None = None, *,
    parameters: Iterable[str] = (), financing: bool = True,
    parameters_dir: str | Path | None = None,
) -> list[Driver]:
    """The inputs with a range: the case's numbers, then the named parameters.

    Parameters
    ----------
    case : Case
        A validated case.
    params : ResolvedParameters, optional
        Parameters of the run (:func:`eip_analysis.financing.resolve_parameters`); needed for
        ``parameters``.
    parameters : iterable of str
        Parameter names (e.g. ``"discount_rate"``) to add when they carry ``low``/``high``
        and the case does not set them in its ``financing:``/``tax:`` blocks.
    financing : bool
        Include the numbers of the case's ``financing:`` and ``tax:`` blocks.
    parameters_dir : path, optional
        Folder of the parameter defaults, whose ``low``/``high`` give the parameters' ranges.

    Returns
    -------
    list of Driver
        In the order of :meth:`Case.quantities`, then ``parameters``.
    """
    out = []
    fin_paths = {p for p, _, _ in case.financing_quantities()}
    for path, q, label in case.quantities():
        if not q.has_range or (path in fin_paths and not financing):
            continue
        lb, ub = _domain(path, q.unit)
        out.append(Driver(path, label, q.unit, q.value, q.low, q.high,
                          q.distribution or "triangular", q.source, lb, ub))
    defaults = load_defaults(parameters_dir) if params is not None else {}
    for name in parameters:
        path = _PARAMETER_PATH[name]
        if params is None or path in fin_paths:
            continue
        p = case.parameters.get(name, defaults.get(name))
        if p is None or p.low is None or p.high is None:
            continue
        base = float(params[name])
        if not p.low <= base <= p.high:
            continue  # a run override outside the default range: the range no longer applies
        unit = params.units[name]
        lb, ub = _domain(path, unit)
        out.append(Driver(path, f"Parameter: {name.replace('_', ' ')}", unit, base,
                          float(p.low), float(p.high), "triangular", params.sources[name],
                          lb, ub))
    return out


def _needs_financing(metrics: Iterable[str]) -> bool:
    return any(m in FINANCING_METRIC_NAMES for m in metrics)


def evaluate_metrics(
    case: Case, params: Mapping[str, Any], values: Mapping[str, Any] | None,
    metrics: Sequence[str], *, cashflows: CashFlows | None = None,
) -> dict[str, np.ndarray]:
    """The named metrics for every scenario row of ``values``, arrays ``(n,)``.

    Project metrics (:data:`eip_analysis.appraisal.METRIC_NAMES`) come from
    :func:`~eip_analysis.appraisal.evaluate`, financing metrics
    (:data:`~eip_analysis.financing.FINANCING_METRIC_NAMES`) from
    :func:`~eip_analysis.financing.evaluate_financing`; the case cash flows are built once
    (or taken from ``cashflows``, the base case's, when ``values`` change no case number).
    """
    unknown = [m for m in metrics if m not in METRIC_NAMES and m not in FINANCING_METRIC_NAMES]
    if unknown:
        raise InputError(f"metric names ({', '.join(METRIC_NAMES + FINANCING_METRIC_NAMES)})",
                         field="metric", got=unknown[0])
    values = dict(values or {})
    for_cf, _ = split_values(case, values)
    out: dict[str, np.ndarray] = {}
    # Scans reach the edges of the domain (capex 0, a lifetime of 75 years...), where some
    # ratios are not defined and some flows overflow: no-crossings, not errors.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cf = cashflows if cashflows is not None and not for_cf else build(case, for_cf)
        n = max([np.size(v) for v in values.values()] + [cf.operating.shape[0]])
        if cf.operating.shape[0] < n:  # only parameters vary: the same cash flows in every row
            cf = _broadcast_rows(cf, n)
        if any(m in METRIC_NAMES for m in metrics):
            project_values = dict(for_cf)
            if "parameters.discount_rate" in values:
                project_values["parameters.discount_rate"] = values["parameters.discount_rate"]
            out.update(evaluate(case, params, project_values, cashflows=cf))
        if _needs_financing(metrics):
            out.update(evaluate_financing(
                case, params, values, cashflows=cf,
                debt_capacity=any(m.startswith("debt_capacity") for m in metrics)))
    return {m: np.broadcast_to(np.asarray(out[m], dtype=float), (n,)).copy() for m in metrics}


def _broadcast_rows(cf: CashFlows, n: int) -> CashFlows:
    """``cf`` repeated over ``n`` scenario rows (read-only views, no copies)."""
    shape = (n, cf.years.size)
    return replace(
        cf, operating=np.broadcast_to(cf.operating, shape),
        lines={k: np.broadcast_to(a, shape) for k, a in cf.lines.items()},
        transfers={k: np.broadcast_to(a, shape) for k, a in cf.transfers.items()},
        lifetime_years=np.broadcast_to(cf.lifetime_years, (n, 1)))


def _rows(drivers_: Sequence[Driver], settings: Sequence[dict[str, float]]) -> dict[str, np.ndarray]:
    """``values`` for one scenario per element of ``settings`` (others at base)."""
    return {d.path: np.array([s.get(d.path, d.base) for s in settings], dtype=float)
            for d in drivers_}


# ---------------------------------------------------------------------------------------------
# One-way sensitivity, switching values, tornado
# ---------------------------------------------------------------------------------------------


def one_way(
    case: Case | Appraisal, drivers_: Sequence[Driver] | None = None, *,
    metric: str = "npv_usd", parameters_dir: str | Path | None = None, **overrides: Any,
) -> pd.DataFrame:
    """Each driver from low to high, the others at base: the metric at both ends.

    Returns
    -------
    pandas.DataFrame
        One row per driver, largest swing first: ``path``, ``label``, ``unit``, ``base``,
        ``low``, ``high``, ``metric_base``, ``metric_at_low``, ``metric_at_high``, ``swing``
        (``|at_high - at_low|``), ``favourable_end`` (``"low"``, ``"high"`` or ``"none"``).
    """
    case, params, _ = run_of(case, overrides, parameters_dir=parameters_dir)
    ds = drivers_ if drivers_ is not None else drivers(
        case, params, parameters=TORNADO_PARAMETERS, parameters_dir=parameters_dir)
    settings = [{}] + [s for d in ds for s in ({d.path: d.low}, {d.path: d.high})]
    m = evaluate_metrics(case, params.values, _rows(ds, settings), [metric])[metric]
    at_low, at_high = m[1::2], m[2::2]
    table = pd.DataFrame({
        "path": [d.path for d in ds], "label": [d.label for d in ds],
        "unit": [d.unit for d in ds], "base": [d.base for d in ds],
        "low": [d.low for d in ds], "high": [d.high for d in ds],
        "metric_base": m[0], "metric_at_low": at_low, "metric_at_high": at_high,
        "swing": np.abs(at_high - at_low),
        "favourable_end": np.where(at_high > at_low, "high",
                                   np.where(at_low > at_high, "low", "none")),
    })
    table.attrs["metric"] = metric
    return table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def _scan_points(d: Driver) -> np.ndarray:
    if d.whole_years:
        hi = min(d.upper_bound, max(d.high, d.base) + 60)
        return np.arange(math.ceil(d.lower_bound), math.floor(hi) + 1, dtype=float)
    scale = max(abs(d.high - d.low), abs(d.base), 1e-12)
    offsets = np.array(_SCAN_STEPS) * scale
    pts = np.concatenate(([d.base, d.lower_bound], d.base - offsets, d.base + offsets))
    if math.isfinite(d.upper_bound):
        pts = np.append(pts, d.upper_bound)
    return np.unique(np.clip(pts, d.lower_bound, d.upper_bound))


def _crossing(x: np.ndarray, f: np.ndarray, base: float) -> tuple[float, float] | None:
    """Bracket ``(a, b)`` of the sign change of ``f`` nearest ``base`` (``f`` sorted by ``x``)."""
    ok = np.isfinite(f)
    x, f = x[ok], f[ok]
    if x.size < 2:
        return None
    exact = np.flatnonzero(f == 0)
    brackets = [(x[i], x[i]) for i in exact]
    change = np.flatnonzero(np.sign(f[:-1]) * np.sign(f[1:]) < 0)
    brackets += [(x[i], x[i + 1]) for i in change]
    if not brackets:
        return None
    return min(brackets, key=lambda ab: min(abs(ab[0] - base), abs(ab[1] - base)))


def switching_values(
    case: Case | Appraisal, drivers_: Sequence[Driver] | None = None, *,
    metric: str = "npv_usd", target: float = 0.0, parameters_dir: str | Path | None = None,
    **overrides: Any,
) -> pd.DataFrame:
    """For each driver (others at base), the value at which ``metric`` equals ``target``.

    Returns
    -------
    pandas.DataFrame
        One row per driver: ``path``, ``label``, ``unit``, ``base``, ``low``, ``high``,
        ``switching_value`` (nan when none), ``change_from_base`` [fraction],
        ``within_range`` (low <= value <= high), ``metric_at_switching`` (the metric evaluated
        there; for whole-year drivers the interpolated value, i.e. the target) and ``note``
        (a sentence).

    Notes
    -----
    Scan (one vectorised call over all drivers and scan points), then the Illinois variant of
    regula falsi on all bracketed drivers at once, until the bracket is below
    :math:`10^{-12}` of the driver's scale or the metric is within :math:`10^{-9}` of its
    scale of the target [1]_. Switching values as defined for project appraisal [2]_.

    References
    ----------
    .. [1] M. Dowell and P. Jarratt, "A modified regula falsi method for computing the root
       of an equation", *BIT* 11, 168-174, 1971.
    .. [2] Asian Development Bank, *Guidelines for the Economic Analysis of Projects*, 2017
       (sensitivity indicators and switching values).
    """
    case, params, _ = run_of(case, overrides, parameters_dir=parameters_dir)
    ds = drivers_ if drivers_ is not None else drivers(
        case, params, parameters=TORNADO_PARAMETERS, parameters_dir=parameters_dir)
    word = metric_word(metric)
    grids = [_scan_points(d) for d in ds]
    settings = [{}] + [{d.path: x} for d, g in zip(ds, grids) for x in g]
    scan = evaluate_metrics(case, params.values, _rows(ds, settings), [metric])[metric]
    f_base = scan[0] - target
    f_all = scan[1:] - target
    tol_f = 1e-9 * max(1.0, abs(scan[0]))

    solution = np.full(len(ds), np.nan)
    brackets: dict[int, tuple[float, float, float, float]] = {}
    pos = 0
    for j, (d, g) in enumerate(zip(ds, grids)):
        f = f_all[pos:pos + g.size]
        pos += g.size
        br = _crossing(g, f, d.base)
        if br is None:
            continue
        a, b = br
        fa, fb = f[np.searchsorted(g, a)], f[np.searchsorted(g, b)]
        if a == b or fa == 0:
            solution[j] = a
        elif fb == 0:
            solution[j] = b
        elif d.whole_years:
            solution[j] = a + fa / (fa - fb) * (b - a)
        else:
            brackets[j] = (a, b, fa, fb)

    # Illinois regula falsi, all bracketed drivers at once.
    side = dict.fromkeys(brackets, 0)
    for _ in range(_MAX_ITER):
        if not brackets:
            break
        idx = list(brackets)
        guess = {}
        for j in idx:
            a, b, fa, fb = brackets[j]
            guess[j] = b - fb * (b - a) / (fb - fa)
        f_new = evaluate_metrics(case, params.values,
                                 _rows(ds, [{ds[j].path: guess[j]} for j in idx]),
                                 [metric])[metric] - target
        for k, j in enumerate(idx):
            a, b, fa, fb = brackets[j]
            c, fc = guess[j], f_new[k]
            scale = max(abs(ds[j].high - ds[j].low), abs(ds[j].base), 1e-12)
            if not np.isfinite(fc):
                del brackets[j]  # the metric is not defined there: no switching value
                continue
            if abs(fc) <= tol_f or abs(b - a) <= 1e-12 * scale:
                solution[j] = c
                del brackets[j]
                continue
            if fc * fb > 0:  # c replaces b; a is kept (halve fa the second time in a row)
                b, fb = c, fc
                if side[j] == -1:
                    fa *= 0.5
                side[j] = -1
            else:  # c replaces a
                a, fa = c, fc
                if side[j] == 1:
                    fb *= 0.5
                side[j] = 1
            brackets[j] = (a, b, fa, fb)
    for j, (a, b, fa, fb) in brackets.items():  # not converged: best of the bracket
        solution[j] = a if abs(fa) < abs(fb) else b

    found = np.isfinite(solution)
    check = np.full(len(ds), np.nan)
    cont = [j for j in range(len(ds)) if found[j] and not ds[j].whole_years]
    if cont:
        check[cont] = evaluate_metrics(
            case, params.values, _rows(ds, [{ds[j].path: solution[j]} for j in cont]),
            [metric])[metric]
    for j in range(len(ds)):
        if found[j] and ds[j].whole_years:
            check[j] = target

    rows = []
    for j, d in enumerate(ds):
        x = solution[j]
        change = (x - d.base) / d.base if d.base and np.isfinite(x) else math.nan
        within = bool(np.isfinite(x) and d.low <= x <= d.high)
        rows.append({
            "path": d.path, "label": d.label, "unit": d.unit, "base": d.base, "low": d.low,
            "high": d.high, "switching_value": x, "change_from_base": change,
            "within_range": within, "metric_at_switching": check[j],
            "note": _switching_note(d, x, f_base, grids[j], word, target, within),
        })
    table = pd.DataFrame(rows, columns=[
        "path", "label", "unit", "base", "low", "high", "switching_value", "change_from_base",
        "within_range", "metric_at_switching", "note"])
    table.attrs.update(metric=metric, target=target)
    return table


def format_value(x: float, unit: str = "") -> str:
    """``x`` with four significant digits and ``unit``; rates and fractions as percentages."""
    if not math.isfinite(x):
        return formatting.number(x)
    if unit in ("1/yr", "fraction"):
        return formatting.percent(x, digits=1) + (formatting.unit_words("/yr")
                                                  if unit == "1/yr" else "")
    return formatting.significant(x, unit)


def _switching_note(d: Driver, x: float, f_base: float, grid: np.ndarray, word: str,
                    target: float, within: bool) -> str:
    """The tornado's note on one driver, in the active language."""
    metric = _(word)
    label = input_label(d.label, in_sentence=True)
    if not math.isfinite(x):
        sentence = (N_("None in range: {metric} stays above {target} for any {input} from "
                       "{low} to {high}.") if f_base > 0 else
                    N_("None in range: {metric} stays below {target} for any {input} from "
                       "{low} to {high}."))
        return _(sentence).format(metric=metric, target=format_value(target), input=label,
                                  low=format_value(grid.min(), d.unit),
                                  high=format_value(grid.max(), d.unit))
    goal = (_("{metric} = {target}").format(metric=metric, target=format_value(target))
            if target else _("{metric} zero").format(metric=metric))
    numbers = {"goal": goal, "value": format_value(x, d.unit),
               "low": format_value(d.low, d.unit), "high": format_value(d.high, d.unit)}
    if d.base:
        sentence = (N_("{goal} at {value} (inside the assessed range {low} to {high}; {change} "
                       "from the base {base}).") if within else
                    N_("{goal} at {value} (outside the assessed range {low} to {high}; {change} "
                       "from the base {base})."))
        numbers.update(change=fmt((x - d.base) / d.base, "+.1%"),
                       base=format_value(d.base, d.unit))
    else:
        sentence = (N_("{goal} at {value} (inside the assessed range {low} to {high}).")
                    if within else
                    N_("{goal} at {value} (outside the assessed range {low} to {high})."))
    text = _(sentence).format(**numbers)
    if d.whole_years:
        text += " " + _("The model moves in whole years; the value is interpolated between "
                        "them.")
    return text


def tornado(
    case: Case | Appraisal, drivers_: Sequence[Driver] | None = None, *,
    metric: str = "npv_usd", parameters_dir: str | Path | None = None, **overrides: Any,
) -> pd.DataFrame:
    """One-way sensitivity with switching values: the table behind a tornado chart.

    Returns
    -------
    pandas.DataFrame
        :func:`one_way` columns (largest swing first, drivers without effect on the metric
        left out) plus ``switching_value``, ``within_range`` and ``note`` from
        :func:`switching_values` (target 0 for NPVs, 1.0 for ``min_dscr``).
    """
    run = case  # the case or appraisal, passed on so the analyses below resolve nothing again
    case, params, _ = run_of(run, overrides, parameters_dir=parameters_dir)
    ds = drivers_ if drivers_ is not None else drivers(
        case, params, parameters=TORNADO_PARAMETERS, parameters_dir=parameters_dir)
    ow = one_way(run, ds, metric=metric, parameters_dir=parameters_dir, **overrides)
    ow = ow[ow["swing"] > 1e-9 * max(1.0, abs(ow["metric_base"].iloc[0]))] if len(ow) else ow
    keep = set(ow["path"])
    target = 1.0 if metric == "min_dscr" else 0.0
    sv = switching_values(run, [d for d in ds if d.path in keep], metric=metric, target=target,
                          parameters_dir=parameters_dir, **overrides)
    table = ow.astype({"path": str}).merge(
        sv[["path", "switching_value", "change_from_base", "within_range",
            "metric_at_switching", "note"]].astype({"path": str}), on="path", how="left")
    table.attrs.update(metric=metric, target=target)
    return table


# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenarios:
    """Base, conservative and optimistic scenarios: results and the inputs of each."""

    results: pd.DataFrame  #: one row per scenario, one column per metric
    inputs: pd.DataFrame  #: one row per driver: base, conservative and optimistic values


SCENARIO_METRICS = ("npv_usd", "irr", "payback_years")
SCENARIO_FINANCING_METRICS = ("equity_npv_usd", "equity_irr", "min_dscr")


def scenarios(
    case: Case | Appraisal, drivers_: Sequence[Driver] | None = None, *,
    financing: bool = True, parameters_dir: str | Path | None = None, **overrides: Any,
) -> Scenarios:
    """Base, conservative and optimistic scenarios (module conventions), in one call.

    Parameters
    ----------
    case : Case or Appraisal
    drivers_ : sequence of Driver, optional
        Default: the case's ranges and :data:`UNCERTAIN_PARAMETERS`.
    financing : bool
        Also report equity NPV, equity IRR and minimum DSCR.
    """
    run = case  # the case or appraisal, passed on so the analyses below resolve nothing again
    case, params, _flows = run_of(run, overrides, parameters_dir=parameters_dir)
    ds = drivers_ if drivers_ is not None else drivers(
        case, params, parameters=UNCERTAIN_PARAMETERS, parameters_dir=parameters_dir)
    ow = one_way(run, ds, metric="npv_usd", parameters_dir=parameters_dir, **overrides)
    end = dict(zip(ow["path"], ow["favourable_end"]))
    if financing and "none" in end.values():  # loan terms: judged by their equity NPV effect
        eq = one_way(run, [d for d in ds if end[d.path] == "none"], metric="equity_npv_usd",
                     parameters_dir=parameters_dir, **overrides)
        end.update(zip(eq["path"], eq["favourable_end"]))
    by_path = {d.path: d for d in ds}

    def at(d: Driver, favourable: bool) -> float:
        e = end[d.path]
        if e == "none":
            return d.base
        pick_high = (e == "high") == favourable
        return d.high if pick_high else d.low

    conservative = {d.path: at(d, False) for d in ds}
    optimistic = {d.path: at(d, True) for d in ds}
    metrics = list(SCENARIO_METRICS) + (list(SCENARIO_FINANCING_METRICS) if financing else [])
    out = evaluate_metrics(case, params.values, _rows(ds, [{}, conservative, optimistic]),
                           metrics)
    results = pd.DataFrame({"scenario": ["base", "conservative", "optimistic"],
                            "description": [  # the names stay keys: word() shows them
                                _("every input at its value"),
                                _("every driver at the end of its range that lowers NPV"),
                                _("every driver at the end of its range that raises NPV")],
                            **out})
    inputs = pd.DataFrame([{
        "path": p, "label": by_path[p].label, "unit": by_path[p].unit, "base": by_path[p].base,
        "conservative": conservative[p], "optimistic": optimistic[p],
    } for p in ow["path"]])
    return Scenarios(results=results, inputs=inputs)


# ---------------------------------------------------------------------------------------------
# Monte Carlo
# ---------------------------------------------------------------------------------------------


#: The parameters of the distributions as :func:`drivers_table` names them (for the catalog).
DISTRIBUTION_PARAMETER_WORDS = {"left": N_("left"), "mode": N_("mode"), "right": N_("right"),
                                "low": N_("low"), "high": N_("high"), "mean": N_("mean"),
                                "sd": N_("sd"), "mu": "mu", "sigma": "sigma"}  # symbols: as they are


def distribution_parameters(d: Driver) -> dict[str, float]:
    """The parameters of ``d``'s distribution (see the module table) [driver unit]."""
    if d.distribution == "triangular":
        return {"left": d.low, "mode": d.base, "right": d.high}
    if d.distribution == "uniform":
        return {"low": d.low, "high": d.high}
    if d.distribution == "normal":
        return {"mean": 0.5 * (d.low + d.high), "sd": (d.high - d.low) / (2 * Z_95)}
    if d.distribution == "lognormal":
        lo, hi = math.log(d.low), math.log(d.high)
        return {"mu": 0.5 * (lo + hi), "sigma": (hi - lo) / (2 * Z_95)}
    raise InputError("triangular, uniform, normal or lognormal", field=f"{d.path}.distribution",
                     got=d.distribution)


def sample(drivers_: Sequence[Driver], n_draws: int, rng: np.random.Generator
           ) -> dict[str, np.ndarray]:
    """``n_draws`` independent draws of each driver, in driver order from ``rng``.

    Returns
    -------
    dict of str to numpy.ndarray
        ``{path: array (n_draws,)}``, clipped to each driver's domain.
    """
    out = {}
    for d in drivers_:
        p = distribution_parameters(d)
        if d.high == d.low:
            x = np.full(n_draws, d.base, dtype=float)
        elif d.distribution == "triangular":
            x = rng.triangular(p["left"], p["mode"], p["right"], n_draws)
        elif d.distribution == "uniform":
            x = rng.uniform(p["low"], p["high"], n_draws)
        elif d.distribution == "normal":
            x = rng.normal(p["mean"], p["sd"], n_draws)
        else:
            x = rng.lognormal(p["mu"], p["sigma"], n_draws)
        out[d.path] = np.clip(x, d.lower_bound, d.upper_bound)
    return out


@dataclass(frozen=True)
class MonteCarloResult:
    """Draws of the inputs and the metrics they give, one element per draw."""

    case_id: str
    n_draws: int
    seed: int
    drivers: tuple[Driver, ...]
    inputs: dict[str, np.ndarray] = field(repr=False)
    outputs: dict[str, np.ndarray] = field(repr=False)
    base: dict[str, float] = field(default_factory=dict)
    target_min_dscr: float = math.nan

    @property
    def probability_npv_positive(self) -> float:
        """Share of draws with NPV > 0 [-]."""
        return float(np.mean(self.outputs["npv_usd"] > 0))

    def summary(self) -> pd.DataFrame:
        """Per metric: base, mean, P10, P50, P90, share of draws where it is not defined.

        Percentiles of IRRs are over the draws where the IRR is defined; paybacks use the
        inverted-CDF rule so that "never" (inf) is a valid percentile.
        """
        rows = []
        for name, x in self.outputs.items():
            word, unit = metric_word(name), FIELDS[name].unit
            finite = x[~np.isnan(x)]
            undefined = 1.0 - finite.size / x.size
            if finite.size == 0:
                q = [math.nan] * 3
                mean = math.nan
            elif name.endswith("payback_years"):
                q = np.quantile(finite, [0.1, 0.5, 0.9], method="inverted_cdf").tolist()
                mean = float(np.mean(finite)) if np.all(np.isfinite(finite)) else math.inf
            else:
                q = np.quantile(finite, [0.1, 0.5, 0.9]).tolist()
                mean = float(np.mean(finite)) if np.all(np.isfinite(finite)) else math.nan
            row = {"metric": name, "label": word, "unit": unit,
                   "base": self.base.get(name, math.nan), "mean": mean,
                   "p10": q[0], "p50": q[1], "p90": q[2], "share_undefined": undefined}
            if name.endswith("npv_usd"):
                row["probability"] = float(np.mean(x > 0))
                row["probability_of"] = f"{word} > 0"
            elif name == "min_dscr":
                row["probability"] = float(np.mean(finite < 1.0)) if finite.size else math.nan
                row["probability_of"] = "minimum DSCR < 1.0"
            rows.append(row)
        return pd.DataFrame(rows)

    def dscr_probabilities(self) -> dict[str, float]:
        """Shares of draws with minimum DSCR below 1.0 and below the target [-].

        Among the draws with debt service (a DSCR), as in :meth:`summary`.
        """
        x = self.outputs.get("min_dscr")
        if x is None or np.all(np.isnan(x)):
            return {}
        x = x[~np.isnan(x)]
        return {"below_1": float(np.mean(x < 1.0)),
                "below_target": float(np.mean(x < self.target_min_dscr))}


MONTE_CARLO_METRICS = ("npv_usd", "irr", "payback_years")
MONTE_CARLO_FINANCING_METRICS = ("equity_npv_usd", "equity_irr", "min_dscr")


@dataclass(frozen=True)
class _Plan:
    """One case's Monte Carlo before its draws are evaluated: the run, the drawn inputs, the
    metrics to compute and their base values (everything but the vectorised evaluation)."""

    case: Case
    params: ResolvedParameters
    drivers: tuple[Driver, ...]
    inputs: dict[str, np.ndarray]
    metrics: tuple[str, ...]
    base: dict[str, float]
    n_draws: int
    seed: int

    def result(self, outputs: dict[str, np.ndarray]) -> MonteCarloResult:
        """The result, given the metrics of every draw (arrays ``(n_draws,)``)."""
        return MonteCarloResult(
            case_id=self.case.id, n_draws=self.n_draws, seed=self.seed, drivers=self.drivers,
            inputs=self.inputs, outputs=outputs, base=self.base,
            target_min_dscr=float(self.params["target_min_dscr"]))


def _whole_number(value: Any, name: str, expected: str) -> int:
    """``value`` as an int >= 1, else a one-line InputError naming the argument ``name``."""
    try:
        ok = int(value) == value and value >= 1
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok or isinstance(value, bool):
        raise InputError(expected, field=name, got=value)
    return int(value)


def _plan(
    case: Case | Appraisal, n_draws: int, seed: int, drivers_: Sequence[Driver] | None,
    financing: bool, parameters_dir: str | Path | None, overrides: Mapping[str, Any],
) -> _Plan:
    """Resolve the run, draw the inputs (one ``default_rng(seed)`` per case, driver order) and
    evaluate the base case: every InputError of a Monte Carlo run is raised here."""
    n = _whole_number(n_draws, "n_draws", "a whole number of draws >= 1")
    case, params, cf = run_of(case, overrides, parameters_dir=parameters_dir)
    ds = tuple(drivers_ if drivers_ is not None else drivers(
        case, params, parameters=UNCERTAIN_PARAMETERS, parameters_dir=parameters_dir))
    inputs = sample(ds, n, np.random.default_rng(seed))
    metrics = MONTE_CARLO_METRICS + (MONTE_CARLO_FINANCING_METRICS if financing else ())
    base = {k: float(v[0]) for k, v in
            evaluate_metrics(case, params.values, {}, metrics, cashflows=cf).items()}
    return _Plan(case=case, params=params, drivers=ds, inputs=inputs, metrics=metrics,
                 base=base, n_draws=n, seed=seed)


def _evaluate_draws(
    case: Case, params: Mapping[str, Any], inputs: Mapping[str, np.ndarray],
    metrics: Sequence[str], n_draws: int,
) -> dict[str, np.ndarray]:
    """The metrics of ``n_draws`` draws (``inputs``: arrays ``(n_draws,)``), evaluated in
    consecutive blocks of :data:`BLOCK_DRAWS` draws, the first starting at draw 0.

    The one evaluator of :func:`monte_carlo` and of the workers of :func:`monte_carlo_many`
    (which give it whole blocks), so both give the same numbers to the last bit.
    """
    parts = []
    for start in range(0, n_draws, BLOCK_DRAWS):
        stop = min(start + BLOCK_DRAWS, n_draws)
        out = evaluate_metrics(case, params, {p: x[start:stop] for p, x in inputs.items()},
                               metrics)
        # no driver: the base case's one row, repeated in every draw
        parts.append({m: np.broadcast_to(out[m], (stop - start,)) for m in metrics})
    return {m: np.concatenate([part[m] for part in parts]) for m in metrics}


def monte_carlo(
    case: Case | Appraisal, *, n_draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
    drivers_: Sequence[Driver] | None = None, financing: bool = True,
    parameters_dir: str | Path | None = None, **overrides: Any,
) -> MonteCarloResult:
    """Monte Carlo simulation of the case: ``n_draws`` seeded draws, evaluated vectorised.

    The draws are evaluated in blocks of :data:`BLOCK_DRAWS` (one vectorised call each; see
    the module conventions); :func:`monte_carlo_many` runs the same blocks on a cluster.

    Parameters
    ----------
    case : Case or Appraisal
    n_draws : int
        Number of draws (default 10,000).
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives identical results.
    drivers_ : sequence of Driver, optional
        Default: the case's ranges and :data:`UNCERTAIN_PARAMETERS`.
    financing : bool
        Also equity NPV, equity IRR and minimum DSCR.

    Returns
    -------
    MonteCarloResult
        ``.summary()`` (P10/P50/P90...), ``.probability_npv_positive``, ``.outputs[metric]``.
    """
    plan = _plan(case, n_draws, seed, drivers_, financing, parameters_dir, overrides)
    return plan.result(_evaluate_draws(plan.case, plan.params.values, plan.inputs,
                                       plan.metrics, plan.n_draws))


class _WorkerInputError(tuple):
    """An InputError raised on a worker, sent back as its fields (a pickled InputError would
    come back with its one line garbled) and raised again, as it was, in the client."""

    def error(self) -> InputError:
        expected, file, field_, got = self
        return InputError(expected, file=file, field=field_, got=got)


def _evaluate_chunk(run: tuple[Case, dict[str, Any], tuple[str, ...]],
                    inputs: Mapping[str, np.ndarray], n_draws: int
                    ) -> dict[str, np.ndarray] | _WorkerInputError:
    """Task of :func:`monte_carlo_many` on a worker: :func:`_evaluate_draws` of one chunk of
    whole blocks; ``run`` is the case, its parameter values and the metrics."""
    case, params, metrics = run
    try:
        return _evaluate_draws(case, params, inputs, metrics, n_draws)
    except InputError as err:
        return _WorkerInputError((err.expected, err.file, err.field, err.got))


def monte_carlo_many(
    cases: Iterable[Case | Appraisal | str | Path], *, n_draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED, client: Any = None, chunk_draws: int = DEFAULT_CHUNK_DRAWS,
    financing: bool = True, parameters_dir: str | Path | None = None, **overrides: Any,
) -> dict[str, MonteCarloResult]:
    """:func:`monte_carlo` of many cases, locally or in chunks of draws on a Dask cluster.

    Every case is resolved, its inputs drawn and its base case evaluated here, in the client
    (cheap; a bad case or argument fails here, in one line, before anything is sent). Without
    ``client`` the draws are then evaluated in this process; with a
    :class:`distributed.Client` (:func:`eip_analysis.cluster.dask_client`) the draws of every
    case are cut into chunks of ``chunk_draws`` and sent, all cases at once, in tasks of at
    most ``chunk_draws`` draws (the short last chunks of several cases share a task); the
    chunks come back in order. Either way each case's result is identical, to the last bit,
    to ``monte_carlo(case, n_draws=n_draws, seed=seed, ...)``: the same
    generator draws the inputs and the workers evaluate the same blocks of
    :data:`BLOCK_DRAWS` draws (module conventions).

    Parameters
    ----------
    cases : iterable of Case, Appraisal, case id or path
        Ids and paths are loaded with :func:`eip_analysis.cases.load_case`. Ids must differ.
    n_draws : int
        Draws per case (default 10,000).
    seed : int
        Seed of each case's :func:`numpy.random.default_rng` (the same for every case, as
        :func:`monte_carlo` would use it).
    client : distributed.Client, optional
        ``None``: evaluate locally, case after case.
    chunk_draws : int
        Draws per task on the cluster: a multiple of :data:`BLOCK_DRAWS` (default
        :data:`DEFAULT_CHUNK_DRAWS`, two blocks); it need not divide ``n_draws`` (each case's
        last chunk is shorter).
    financing : bool
        Also equity NPV, equity IRR and minimum DSCR.
    parameters_dir : path, optional
        Folder of the parameter defaults.
    **overrides
        Run parameters for every case (``discount_rate=0.08``), as for :func:`monte_carlo`.

    Returns
    -------
    dict of str to MonteCarloResult
        By case id, in the order of ``cases``.

    Raises
    ------
    InputError
        A case that does not load or resolve, two cases with one id, ``n_draws`` or
        ``chunk_draws`` not a whole number >= 1, ``chunk_draws`` not a multiple of
        :data:`BLOCK_DRAWS`; an InputError on a worker is raised again here as the same line.
    """
    chunk = _whole_number(chunk_draws, "chunk_draws",
                          f"a whole number of draws >= 1, a multiple of {BLOCK_DRAWS:,} "
                          "(BLOCK_DRAWS, the draws evaluated together)")
    if chunk % BLOCK_DRAWS:
        raise InputError(f"a multiple of {BLOCK_DRAWS:,} draws (BLOCK_DRAWS, the draws "
                         "evaluated together)", field="chunk_draws", got=chunk_draws)
    plans: list[_Plan] = []
    for item in cases:
        case = load_case(item) if isinstance(item, (str, Path)) else item
        plan = _plan(case, n_draws, seed, None, financing, parameters_dir, overrides)
        if any(p.case.id == plan.case.id for p in plans):
            raise InputError("cases with different ids", field="cases", got=plan.case.id)
        plans.append(plan)
    if client is None:
        outputs = [_evaluate_draws(p.case, p.params.values, p.inputs, p.metrics, p.n_draws)
                   for p in plans]
    else:
        outputs = _evaluate_on_cluster(client, plans, chunk)
    return {p.case.id: p.result(out) for p, out in zip(plans, outputs)}


def _evaluate_pieces(pieces: Sequence[tuple[Any, Mapping[str, np.ndarray], int]]
                     ) -> list[dict[str, np.ndarray] | _WorkerInputError]:
    """Task of :func:`monte_carlo_many` on a worker: :func:`_evaluate_chunk` of each piece
    ``(run, inputs, n_draws)``, in order."""
    return [_evaluate_chunk(*piece) for piece in pieces]


def _evaluate_on_cluster(client: Any, plans: Sequence[_Plan], chunk_draws: int
                         ) -> list[dict[str, np.ndarray]]:
    """The metrics of every plan's draws, in tasks of at most ``chunk_draws`` draws.

    Each case's draws are cut into chunks of ``chunk_draws`` (the last one shorter); the
    chunks, in order, are packed into tasks of at most ``chunk_draws`` draws, so that cases
    with few draws share a task (a task of a few milliseconds would cost the scheduler
    about as much as it computes). Each piece carries its case and parameters (some 15 kB
    pickled): no data lives on a worker, so the scheduler hands every task to whichever worker
    is free.
    """
    tasks: list[list[tuple[int, tuple]]] = [[]]
    size = 0
    for i, p in enumerate(plans):
        run = (p.case, dict(p.params.values), p.metrics)
        for start in range(0, p.n_draws, chunk_draws):
            n = min(chunk_draws, p.n_draws - start)
            if size + n > chunk_draws:
                tasks.append([])
                size = 0
            tasks[-1].append((i, (run, {path: x[start:start + n]
                                        for path, x in p.inputs.items()}, n)))
            size += n
    futures: list[Any] = []
    try:
        futures = [client.submit(_evaluate_pieces, [piece for _, piece in task], pure=False)
                   for task in tasks if task]
        results = client.gather(futures)
    except BaseException:
        client.cancel(futures)
        raise
    parts: list[list[Any]] = [[] for _ in plans]
    for task, result in zip([t for t in tasks if t], results):
        for (i, _piece), part in zip(task, result):
            if isinstance(part, _WorkerInputError):
                raise part.error()
            parts[i].append(part)
    return [{m: np.concatenate([part[m] for part in chunks]) for m in p.metrics}
            for p, chunks in zip(plans, parts)]


def drivers_table(drivers_: Sequence[Driver]) -> pd.DataFrame:
    """The drivers with range, distribution and its parameters, for a report."""
    return pd.DataFrame([{
        "path": d.path, "label": d.label, "unit": d.unit, "base": d.base, "low": d.low,
        "high": d.high, "distribution": d.distribution,
        "parameters": ", ".join(f"{_(DISTRIBUTION_PARAMETER_WORDS[k])} {format_value(v)}"
                                for k, v in distribution_parameters(d).items()),
        "source": d.source,
    } for d in drivers_])
