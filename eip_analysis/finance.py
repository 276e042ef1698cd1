"""Pure, vectorised discounted-cash-flow metrics.

Numbers in, numbers out: NumPy only, no files, no pandas, no SciPy; :func:`irr` and
:func:`xirr` run a compiled root finder, :mod:`eip_analysis.finance_kernel` (Numba), which is
imported on their first call, not with this module. Every function is a pure function of its
arguments.

Conventions
-----------
* **Periods.** Periodic cash flows are annual: ``cashflows[t]`` falls at the end of year ``t``
  and ``cashflows[0]`` falls *today* (year 0) and is not discounted, as in numpy-financial. Excel's
  ``NPV`` is different: it discounts its first value by one period (see :func:`npv`).
* **Signs.** Money paid out (investment, costs) is negative, money received is positive.
* **Rates.** Rates are decimal fractions per year (``0.08`` is 8 %/yr) and must be greater than
  ``-1``; a rate ``<= -1`` gives ``nan``.
* **Shapes.** The periodic functions (:func:`npv`, :func:`irr`, :func:`mirr`,
  :func:`payback_period`, :func:`discounted_payback_period`, :func:`profitability_index`,
  :func:`sign_changes`) take a 1-D sequence of flows (one case; the result is a Python scalar)
  or a 2-D array whose rows are scenarios (the result is a 1-D array, one value per row). Rates
  broadcast against the rows: a scalar, or one rate per row.
* **Missing values.** A row containing ``nan`` (or ``inf``) gives ``nan``; nothing raises.
* **Dated flows.** :func:`xnpv` and :func:`xirr` use Excel's Actual/365 day count measured from
  the *first date in the list*, which must be the earliest date.
* **IRR root.** Where the NPV polynomial has several roots above ``-1`` (non-conventional flows,
  see :func:`sign_changes`), :func:`irr` and :func:`xirr` return the root nearest the guess
  (10 % by default, like Excel) measured in continuously compounded terms ``ln(1 + r)``;
  :func:`irr_roots` lists all the roots of one sequence of flows. Leading and trailing zero
  flows never change an IRR.
* **Invalid shapes** (not 1-D or 2-D, no flows, dates that do not match) raise
  :class:`eip_analysis.errors.InputError`, a :class:`ValueError`.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from eip_analysis.errors import InputError

__all__ = [
    "capital_recovery_factor",
    "discounted_payback_period",
    "irr",
    "irr_roots",
    "mirr",
    "npv",
    "payback_period",
    "profitability_index",
    "sign_changes",
    "xirr",
    "xnpv",
]

FloatOrArray = float | NDArray[np.float64]
DateLike = _dt.date | np.datetime64 | str

_EPS = np.finfo(np.float64).eps
# IRR search grids, x = ln(1 + guess) + _GRID_SCALE * sinh(u), u evenly spaced by these steps
# (the search itself is in eip_analysis.finance_kernel).
_GRID_SCALE = 0.2
_COARSE_DU = 0.1  # spacing near the guess 0.02 in ln(1 + r); one sign change: unique root
_DENSE_DU = 0.01  # spacing near the guess 0.002 in ln(1 + r); several sign changes
_MAX_ITER = 100  # Newton iterations of irr_roots
# irr_roots: eigenvalues z with |Im z| <= tol |z| are taken as real candidates; candidates
# are kept where |NPV| <= _ROOT_NOISE (N) eps sum|v_t d^t|; candidates whose 1 + r agree to
# _ROOT_RTOL are one root; |ln(1 + r)| < _Y_MAX keeps 1 + r a finite, non-zero float.
_ROOT_IMAG_TOL = 0.1
_ROOT_NOISE = 64.0
_ROOT_RTOL = 1e-8
_Y_MAX = 709.0


# --------------------------------------------------------------------------------------------
# Input helpers
# --------------------------------------------------------------------------------------------


def _flows_2d(cashflows: ArrayLike, name: str = "cashflows") -> tuple[NDArray[np.float64], bool]:
    """Return ``cashflows`` as a float 2-D array (rows = scenarios) and whether it was 1-D."""
    try:
        arr = np.asarray(cashflows, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} as numbers [currency]", got=cashflows) from exc
    if arr.ndim not in (1, 2):
        raise InputError(
            f"{name} as a 1-D sequence or a 2-D array (rows = scenarios) [currency]",
            got=f"array of shape {arr.shape}",
        )
    if arr.shape[-1] == 0:
        raise InputError(f"at least one value in {name} [currency]", got=f"shape {arr.shape}")
    one_d = arr.ndim == 1
    return (arr[np.newaxis, :] if one_d else arr), one_d


def _row_param(value: ArrayLike, n_rows: int, name: str) -> NDArray[np.float64]:
    """Broadcast a scalar or per-row parameter to shape ``(n_rows,)``."""
    arr = np.asarray(value, dtype=np.float64)
    try:
        return np.broadcast_to(arr, (n_rows,)).astype(np.float64)
    except ValueError as exc:
        raise InputError(
            f"{name} as a scalar or one value per row ({n_rows} rows)",
            got=f"array of shape {arr.shape}",
        ) from exc


def _finish(values: NDArray[np.float64], one_d: bool) -> FloatOrArray:
    """Return a Python float for a 1-D input, else the 1-D array of per-row values."""
    return float(values[0]) if one_d else values


def _scalar_or_array(values: NDArray[np.float64]) -> FloatOrArray:
    return float(values) if values.ndim == 0 else values


def _day_offsets(dates: ArrayLike | Sequence[DateLike], n: int) -> NDArray[np.int64]:
    """Days from the first of ``dates`` (which must be the earliest) to each date."""
    raw = np.asarray(dates)
    if raw.dtype.kind in "biufc":
        raise InputError(
            "dates as datetime.date, numpy.datetime64 or ISO 'YYYY-MM-DD' strings, not numbers",
            got=dates,
        )
    try:
        days = raw.astype("datetime64[D]")
    except (TypeError, ValueError) as exc:
        raise InputError(
            "dates as datetime.date, numpy.datetime64 or ISO 'YYYY-MM-DD' strings", got=dates
        ) from exc
    if days.ndim != 1 or days.shape[0] != n:
        raise InputError(f"one date per cash flow ({n} dates)", got=f"dates of shape {days.shape}")
    if np.isnat(days).any():
        raise InputError("dates without NaT", got=dates)
    offsets = (days - days[0]).astype(np.int64)
    if (offsets < 0).any():
        raise InputError("the first date to be the earliest (Excel: #NUM!)", got=dates)
    return offsets


def _year_fractions(dates: ArrayLike | Sequence[DateLike], n: int) -> NDArray[np.float64]:
    """Actual/365 year fractions of ``dates`` from the first date (Excel's XNPV/XIRR)."""
    return _day_offsets(dates, n) / 365.0


def _checked_guess(guess: float) -> float:
    try:
        value = float(guess)
    except (TypeError, ValueError) as exc:
        raise InputError("guess as a number > -1 [1/yr]", got=guess) from exc
    if not (math.isfinite(value) and value > -1.0):
        raise InputError("guess as a finite number > -1 [1/yr]", got=guess)
    return value


def _finite_rows(flows: NDArray[np.float64]) -> NDArray[np.bool_]:
    return np.isfinite(flows).all(axis=1)


# --------------------------------------------------------------------------------------------
# Present value
# --------------------------------------------------------------------------------------------


def _present_value(
    rate: ArrayLike, flows: NDArray[np.float64], times: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Sum of ``flows / (1 + rate) ** times`` over the last axis; nan for ``rate <= -1``."""
    r = np.asarray(rate, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        growth = np.where(r > -1.0, 1.0 + r, np.nan)
        factors = growth[..., np.newaxis] ** -times
        total = (flows * factors).sum(axis=-1)
    total = np.where(np.isfinite(flows).all(axis=-1), total, np.nan)
    return np.asarray(total, dtype=np.float64)


def npv(rate: ArrayLike, cashflows: ArrayLike) -> FloatOrArray:
    """Net present value of annual cash flows, the first one today.

    Parameters
    ----------
    rate : float or array_like
        Discount rate [1/yr], greater than -1. With 2-D `cashflows`, a scalar or one rate per
        row. With 1-D `cashflows`, an array of rates gives the NPV at each rate (an NPV
        profile).
    cashflows : array_like, shape (N,) or (M, N)
        Cash flows [currency] at the end of years ``0, 1, ..., N - 1``; ``cashflows[0]`` falls
        today and is not discounted. A 2-D array holds one scenario per row.

    Returns
    -------
    out : float or ndarray
        Net present value [currency]: a float for 1-D `cashflows` and a scalar `rate`, else an
        array of the broadcast shape of `rate` and the rows. ``nan`` where `rate` <= -1 or a
        row holds ``nan`` or ``inf``.

    Warnings
    --------
    Excel's ``NPV(rate, value1, ..., valuen)`` discounts its *first* value by one period: it
    treats ``value1`` as falling at the end of year 1. Here ``cashflows[0]`` falls today, so

    * ``Excel NPV(r, v1, ..., vn) == npv(r, [0, v1, ..., vn])``, and
    * ``Excel NPV(r, v1, ..., vn) + v0 == npv(r, [v0, v1, ..., vn])``.

    Passing a range that includes the year-0 outlay to Excel's ``NPV`` therefore returns this
    function's NPV divided by ``1 + r``; the Excel documentation example below shows the
    translation.

    Notes
    -----
    For cash flows :math:`v_0, \\dots, v_{N-1}` and rate :math:`r` [1]_:

    .. math:: \\mathrm{NPV}(r) = \\sum_{t=0}^{N-1} \\frac{v_t}{(1 + r)^{t}}

    References
    ----------
    .. [1] R. A. Brealey, S. C. Myers and F. Allen, *Principles of Corporate Finance*,
       McGraw-Hill, chapter "How to Calculate Present Values".
    .. [2] L. J. Gitman, *Principles of Managerial Finance, Brief*, 3rd ed., Addison-Wesley,
       2003, p. 346.
    .. [3] Microsoft, "NPV function", Microsoft Support (Excel documentation).

    Examples
    --------
    >>> from eip_analysis.finance import npv
    >>> round(npv(0.08, [-40_000, 5_000, 8_000, 12_000, 30_000]), 5)
    3065.22267

    Excel's documentation example ``NPV(10%, -10000, 3000, 4200, 6800) = 1,188.44`` has the
    -10,000 at the end of year 1, so it is a leading zero here:

    >>> round(npv(0.10, [0, -10_000, 3_000, 4_200, 6_800]), 2)
    1188.44

    Scenarios as rows, one rate per row:

    >>> npv([0.05, 0.10], [[-100, 60, 60], [-100, 60, 60]]).round(4)
    array([11.5646,  4.1322])
    """
    flows, one_d = _flows_2d(cashflows)
    times = np.arange(flows.shape[1], dtype=np.float64)
    r = np.asarray(rate, dtype=np.float64)
    if one_d:
        return _scalar_or_array(_present_value(r, flows[0], times))
    return _present_value(_row_param(r, flows.shape[0], "rate"), flows, times)


def xnpv(
    rate: ArrayLike, dates: ArrayLike | Sequence[DateLike], cashflows: ArrayLike
) -> FloatOrArray:
    """Net present value of dated cash flows (Excel's XNPV).

    Parameters
    ----------
    rate : float or array_like
        Annual discount rate [1/yr], greater than -1; with 2-D `cashflows` a scalar or one rate
        per row.
    dates : sequence of datetime.date, numpy.datetime64 or ISO 'YYYY-MM-DD' str, shape (N,)
        Payment dates, one per column of `cashflows`. The first date is the valuation date and
        must be the earliest; the others may be in any order. Times are truncated to days.
    cashflows : array_like, shape (N,) or (M, N)
        Cash flows [currency]; a 2-D array holds one scenario per row (all rows share `dates`).

    Returns
    -------
    out : float or ndarray
        Net present value at the first date [currency]; a float for 1-D `cashflows`, else one
        value per row. ``nan`` where `rate` <= -1 or a row holds ``nan``.

    Raises
    ------
    InputError
        If the dates are not dates, do not match the flows, or a date precedes the first date.

    Warnings
    --------
    The day count is Actual/365 from the first date, as in Excel: a leap year is
    366/365 of a year, so a flow exactly one calendar year later is *not* discounted by exactly
    ``1 + rate`` when the year contains 29 February. The first flow is not discounted, unlike
    Excel's periodic ``NPV``.

    Notes
    -----
    With dates :math:`d_i` [days] [1]_:

    .. math:: \\mathrm{XNPV}(r) = \\sum_i \\frac{v_i}{(1 + r)^{(d_i - d_0) / 365}}

    References
    ----------
    .. [1] Microsoft, "XNPV function", Microsoft Support (Excel documentation).

    Examples
    --------
    Excel's documentation example (rate 9 %, result 2,086.65):

    >>> from eip_analysis.finance import xnpv
    >>> dates = ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]
    >>> round(xnpv(0.09, dates, [-10_000, 2_750, 4_250, 3_250, 2_750]), 2)
    2086.65
    """
    flows, one_d = _flows_2d(cashflows)
    times = _year_fractions(dates, flows.shape[1])
    r = np.asarray(rate, dtype=np.float64)
    if one_d:
        return _scalar_or_array(_present_value(r, flows[0], times))
    return _present_value(_row_param(r, flows.shape[0], "rate"), flows, times)


# --------------------------------------------------------------------------------------------
# Sign changes and the IRR root finder
# --------------------------------------------------------------------------------------------


def _sign_change_counts(flows: NDArray[np.float64]) -> NDArray[np.int64]:
    """Number of sign changes per row, zeros skipped (rows assumed finite)."""
    signs = np.sign(flows).astype(np.int8)
    if signs.all():  # no zeros: adjacent comparison suffices
        return np.count_nonzero(signs[:, 1:] != signs[:, :-1], axis=1).astype(np.int64)
    n = flows.shape[1]
    position = np.where(signs != 0, np.arange(n), -1)
    last_nonzero = np.maximum.accumulate(position, axis=1)
    # Sign of the most recent non-zero flow strictly before column t (0 if none).
    previous = np.zeros_like(signs)
    if n > 1:
        before = last_nonzero[:, :-1]
        rows = np.arange(flows.shape[0])[:, np.newaxis]
        previous[:, 1:] = np.where(before >= 0, signs[rows, np.maximum(before, 0)], 0)
    changes = (signs != 0) & (previous != 0) & (signs != previous)
    return changes.sum(axis=1).astype(np.int64)


def sign_changes(cashflows: ArrayLike) -> int | float | NDArray[np.float64]:
    """Number of sign changes in a cash-flow sequence, zeros ignored.

    Parameters
    ----------
    cashflows : array_like, shape (N,) or (M, N)
        Cash flows [currency]; a 2-D array holds one scenario per row.

    Returns
    -------
    out : int, float or ndarray
        For 1-D input an ``int`` (``nan``, a float, if the flows hold ``nan``). For 2-D input a
        float array with one count per row, so that a row with ``nan`` can give ``nan``.

    Warnings
    --------
    The count bounds the number of internal rates of return, it does not give it: two sign
    changes may still have no IRR, or one. Use ``sign_changes(x) > 1`` as the flag "several
    IRRs possible; report NPV or MIRR alongside the IRR".

    Notes
    -----
    By Descartes' rule of signs [1]_, applied to the NPV as a polynomial in the discount
    factor :math:`d = 1 / (1 + r)`, :math:`\\sum_t v_t d^t`, the number of rates
    :math:`r > -1` with zero NPV (counted with multiplicity) equals the number of sign changes
    of :math:`v_0, v_1, \\dots` minus an even number. Flows with one sign change
    ("conventional" flows) have exactly one IRR. The rule also holds for real exponents
    (dated flows) [2]_.

    References
    ----------
    .. [1] D. Teichroew, A. A. Robichek and M. Montalbano, "An analysis of criteria for
       investment and financing decisions under certainty", *Management Science* 12(3),
       151-179, 1965.
    .. [2] G. J. O. Jameson, "Counting zeros of generalised polynomials: Descartes' rule of
       signs and Laguerre's extensions", *The Mathematical Gazette* 90(518), 223-234, 2006.

    Examples
    --------
    >>> from eip_analysis.finance import sign_changes
    >>> sign_changes([-100, 0, 50, 60])
    1
    >>> sign_changes([-50, -100, 600, 300, -100])
    2
    >>> sign_changes([[-1, 1, -1], [1, 2, 3]])
    array([2., 0.])
    """
    flows, one_d = _flows_2d(cashflows)
    finite = _finite_rows(flows)
    counts = np.full(flows.shape[0], np.nan)
    if finite.any():
        counts[finite] = _sign_change_counts(flows[finite])
    if one_d:
        return int(counts[0]) if finite[0] else float("nan")
    return counts


def _root_grid(x0: float, x_max: float, du: float) -> NDArray[np.float64]:
    """Grid in x = ln(1 + r) over [-x_max, x_max], dense near x0; x0 and 0 are grid points."""
    lo = np.arcsinh((-x_max - x0) / _GRID_SCALE)
    hi = np.arcsinh((x_max - x0) / _GRID_SCALE)
    k = np.arange(np.ceil(lo / du), np.floor(hi / du) + 1.0)
    grid = x0 + _GRID_SCALE * np.sinh(k * du)
    return np.unique(np.concatenate(([-x_max, 0.0, x_max], grid)))


def _solve_irr(
    flows: NDArray[np.float64],
    times: NDArray[np.float64],
    steps: NDArray[np.float64],
    guess: float,
) -> NDArray[np.float64]:
    """IRR per row of ``flows`` at ``times`` [years, ascending, times[0] == 0]; nan rows allowed.

    ``steps``: ``times[j] - times[j - 1]`` for j >= 1, as exactly as the caller knows them
    (the kernel uses one factor exp(-step |x|) per distinct step). Builds the two search
    grids and their factor tables and runs the compiled kernel
    :mod:`eip_analysis.finance_kernel` (imported here, not with this module: numba is only
    loaded when an IRR is computed). Raises :class:`InputError` if the guess lies outside
    the search range of a row.
    """
    from eip_analysis import finance_kernel as kernel  # numba: loaded on first use only

    flows = np.ascontiguousarray(flows)
    times = np.ascontiguousarray(times)
    m = flows.shape[0]
    x_max = np.empty(m)
    first = np.empty(m, dtype=np.int64)
    last = np.empty(m, dtype=np.int64)
    several = np.empty(m, dtype=np.bool_)
    narrowest, widest_one, widest_several = kernel.prepare_rows(
        flows, times, x_max, first, last, several
    )
    x0 = math.log1p(guess)
    if not -narrowest < x0 < narrowest:
        raise InputError(
            f"guess between {math.expm1(-narrowest):.3g} and {math.expm1(narrowest):.3g} [1/yr]",
            got=guess,
        )
    gaps, inverse = np.unique(steps, return_inverse=True)
    gap_index = np.zeros(times.size, dtype=np.int64)
    gap_index[1:] = inverse.reshape(-1)
    grids = []
    for widest, du in ((widest_one, _COARSE_DU), (widest_several, _DENSE_DU)):
        points = _root_grid(x0, widest, du) if widest > 0.0 else np.zeros(1)
        table = np.zeros((gaps.size, points.size + kernel.BLOCK))
        table[:, : points.size] = np.exp(-gaps[:, np.newaxis] * np.abs(points))
        grids += [points, table]
    out = np.empty(m)
    kernel.solve_rows(
        flows,
        times,
        gap_index,
        gaps,
        x0,
        x_max,
        first,
        last,
        several,
        *grids,
        np.empty(gaps.size),
        np.empty(max(grids[0].size, grids[2].size) + kernel.BLOCK),
        out,
    )
    return out


def irr(cashflows: ArrayLike, *, guess: float = 0.1) -> FloatOrArray:
    """Internal rate of return of annual cash flows, vectorised over scenarios.

    Parameters
    ----------
    cashflows : array_like, shape (N,) or (M, N)
        Cash flows [currency] at the end of years ``0, ..., N - 1`` (``cashflows[0]`` today). A
        2-D array holds one scenario per row; all rows are solved in one call of compiled code,
        without a Python loop over rows.
    guess : float, optional
        Rate [1/yr] that selects the root when there are several (default 0.1, Excel's default
        guess). It does not affect flows with one sign change.

    Returns
    -------
    out : float or ndarray
        IRR [1/yr], a float for 1-D input, else one value per row. ``nan`` where no rate
        ``r > -1`` makes the NPV zero (flows all of one sign, all zero), where a row holds
        ``nan``, or where the only roots lie outside the searched range (see Notes).

    Warnings
    --------
    * Flows with more than one sign change (e.g. a decommissioning cost at the end) can have
      several IRRs or none; check :func:`sign_changes`. The IRR returned is then one genuine
      root chosen by the rule below; it is not a ranking criterion on its own, use the NPV or
      :func:`mirr` alongside it.
    * numpy-financial 1.0's ``irr`` returns the root *closest to zero* and so can disagree
      with this function (and with Excel) on non-conventional flows, e.g.
      ``[-50, -100, 600, 300, -100]`` has roots -76.9 % and 185.4 %: numpy-financial returns
      -0.769, Excel and this function 1.854 (numpy-financial issue #28).

    Notes
    -----
    The IRR is the rate :math:`r > -1` that solves [1]_

    .. math:: \\sum_{t=0}^{N-1} \\frac{v_t}{(1 + r)^{t}} = 0.

    *Method.* Leading and trailing zero flows do not change the roots and are ignored: each
    row is solved over its span :math:`T` [years] from its first to its last non-zero flow
    (each row gets its own scaling and range). The equation is solved in the continuously
    compounded rate :math:`x = \\ln(1 + r)`, over :math:`|x| \\le X`,
    :math:`X = \\min(30, 700 / T)`: for spans up to 23 years :math:`-1 + 10^{-13} < r < 10^{13}`,
    for 50 years :math:`X = 14`, :math:`-1 + 10^{-6} < r < 1.2 \\times 10^{6}`. The NPV,
    multiplied by a positive factor that keeps every exponential :math:`\\le 1` and the first
    (for :math:`x \\ge 0`) or last (for :math:`x < 0`) non-zero flow's term exactly equal to
    that flow, is evaluated on a grid in :math:`x`, sign changes between grid points give
    brackets, and each selected bracket is refined by Newton's method safeguarded by
    bisection [2]_, started at the bracket's regula falsi point, to machine precision. Rows
    with one sign change have exactly one root, and their NPV changes sign only there (see
    :func:`sign_changes`): they use a coarse grid (spacing 0.02 in :math:`x` near the guess),
    evaluated from the guess towards the sign change only; the result is ``nan`` if the sign
    does not change within the range. Rows with more sign changes use a fine grid (spacing
    0.002 near the guess, widening with distance), evaluated over the whole range; the
    nearest bracket below the guess and the nearest above are refined. Two roots closer
    together than the fine grid spacing, and roots of even multiplicity where the NPV touches
    zero without crossing it, may be missed; :func:`irr_roots` lists every root of one
    cash-flow sequence. The rows are solved one after another by compiled code
    (:mod:`eip_analysis.finance_kernel`, Numba, compiled on the first call after an
    installation and cached on disk), which evaluates the NPV by nested multiplication (one
    exponential per evaluation for annual flows), at 8 grid points at a time.

    *Root selection.* Among the roots, the one nearest the guess in :math:`x`, i.e. the
    :math:`r` minimising :math:`|\\ln(1 + r) - \\ln(1 + g)|`, is returned (ties: the larger
    rate). Reasons: the result is a deterministic function of the flows (an unguarded
    Newton iteration from a guess, as in Excel, may jump to a distant root or fail); with the
    default :math:`g = 10\\,\\%` it returns what users expected in the cases reported against
    numpy-financial - Excel's 185 % in issue #28 and the reporter's 12 % in issue #39 - where
    the "closest to zero" rule returns -76.9 % and -1.8 % for projects with a positive NPV at
    10 %; and measuring distance in :math:`\\ln(1 + r)` treats a doubling and a halving of
    value as equally far, so roots near -100 % (near-total loss) are far from a plausible
    guess rather than close to it. Every root is a genuine IRR and can be interpreted with
    the matching stream of invested capital [3]_; pass `guess` to select another one, or use
    :func:`irr_roots` to get them all (a finite ``irr(v)`` is always one of
    ``irr_roots(v)``).

    References
    ----------
    .. [1] L. J. Gitman, *Principles of Managerial Finance, Brief*, 3rd ed., Addison-Wesley,
       2003, p. 348.
    .. [2] W. H. Press, S. A. Teukolsky, W. T. Vetterling and B. P. Flannery, *Numerical
       Recipes*, 3rd ed., Cambridge University Press, 2007, section 9.4.
    .. [3] G. B. Hazen, "A new perspective on multiple internal rates of return",
       *The Engineering Economist* 48(1), 31-51, 2003.
    .. [4] Microsoft, "IRR function", Microsoft Support (Excel documentation).

    Examples
    --------
    Excel's documentation examples:

    >>> from eip_analysis.finance import irr
    >>> round(irr([-70_000, 12_000, 15_000, 18_000, 21_000, 26_000]), 4)
    0.0866
    >>> round(irr([-70_000, 12_000, 15_000, 18_000, 21_000]), 4)
    -0.0212

    Extreme but genuine roots, and no root:

    >>> round(irr([-1, 100]), 12), round(irr([-100, 1]), 12)
    (99.0, -0.99)
    >>> irr([100, 200, 300])
    nan

    A non-conventional project with two IRRs (-76.9 % and 185.4 %):

    >>> round(irr([-50, -100, 600, 300, -100]), 4)
    1.8544
    >>> round(irr([-50, -100, 600, 300, -100], guess=-0.5), 4)
    -0.7689

    Scenarios as rows:

    >>> irr([[-100, 110, 0], [-100, 60, 60]]).round(6)
    array([0.1     , 0.130662])

    Leading and trailing zero years do not change the result:

    >>> irr([0, 0, -100, 110] + [0] * 200) == irr([-100, 110])
    True
    """
    flows, one_d = _flows_2d(cashflows)
    n = flows.shape[1]
    times = np.arange(n, dtype=np.float64)
    out = _solve_irr(flows, times, np.ones(max(n - 1, 0)), _checked_guess(guess))
    return _finish(out, one_d)


def xirr(
    dates: ArrayLike | Sequence[DateLike], cashflows: ArrayLike, *, guess: float = 0.1
) -> FloatOrArray:
    """Internal rate of return of dated cash flows (Excel's XIRR), vectorised over scenarios.

    Parameters
    ----------
    dates : sequence of datetime.date, numpy.datetime64 or ISO 'YYYY-MM-DD' str, shape (N,)
        Payment dates, one per column of `cashflows`; the first must be the earliest, the
        others may be in any order.
    cashflows : array_like, shape (N,) or (M, N)
        Cash flows [currency]; a 2-D array holds one scenario per row, all sharing `dates`.
    guess : float, optional
        Annual rate [1/yr] that selects the root when there are several (default 0.1, Excel's
        default guess).

    Returns
    -------
    out : float or ndarray
        Annual IRR [1/yr] (Actual/365 compounding), a float for 1-D input, else one value per
        row; ``nan`` where there is no root (see :func:`irr`).

    Raises
    ------
    InputError
        If the dates are not dates, do not match the flows, or a date precedes the first date.

    Warnings
    --------
    Excel's XIRR iterates from the guess and returns ``#NUM!`` when it fails; this function
    searches the whole range and returns the root nearest the guess. The two can differ on
    flows with several sign changes.

    Notes
    -----
    Solves :math:`\\sum_i v_i (1 + r)^{-(d_i - d_0)/365} = 0` for :math:`r > -1` [1]_ with the
    method and root-selection rule of :func:`irr` (times in years need not be integers;
    Descartes' rule of signs still bounds the number of roots [2]_). As there, zero amounts
    at the earliest or latest dates do not change the result: the search range is set by the
    time between the first and the last non-zero flow.

    References
    ----------
    .. [1] Microsoft, "XIRR function", Microsoft Support (Excel documentation).
    .. [2] G. J. O. Jameson, "Counting zeros of generalised polynomials: Descartes' rule of
       signs and Laguerre's extensions", *The Mathematical Gazette* 90(518), 223-234, 2006.

    Examples
    --------
    Excel's documentation example gives 0.373362535; the exact root is 0.37336253352, the
    difference being within Excel's stopping tolerance (0.000001 %):

    >>> from eip_analysis.finance import xirr
    >>> dates = ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]
    >>> round(xirr(dates, [-10_000, 2_750, 4_250, 3_250, 2_750]), 11)
    0.37336253352
    """
    flows, one_d = _flows_2d(cashflows)
    days = _day_offsets(dates, flows.shape[1])
    order = np.argsort(days, kind="stable")
    if (np.diff(order) != 1).any():  # not in date order already (a copy of the flows)
        days, flows = days[order], flows[:, order]
    steps = np.diff(days) / 365.0  # exact day counts: one factor per distinct step
    out = _solve_irr(flows, days / 365.0, steps, _checked_guess(guess))
    return _finish(out, one_d)


def _scaled_npv_terms(
    y: NDArray[np.float64], degree: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Exponents ``s - t`` and terms ``exp((s - t) y)`` for t = 0..degree, per y (rows).

    ``s`` = 0 for y >= 0 and ``degree`` for y < 0, so every exponent is <= 0 (as in
    :func:`irr`): the scaled NPV ``terms @ v`` has the same sign and roots as the
    NPV at r = exp(y) - 1.
    """
    shift = np.where(y >= 0.0, 0.0, float(degree))
    exponent = shift[:, np.newaxis] - np.arange(degree + 1, dtype=np.float64)[np.newaxis, :]
    return exponent, np.exp(exponent * y[:, np.newaxis])


def _relative_residual(coef: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """|NPV| / sum(|v_t| (1 + r)^-t) at r = exp(y) - 1: 0 at a root, about eps at best."""
    _, terms = _scaled_npv_terms(y, coef.size - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(terms @ coef) / (terms @ np.abs(coef))


def _polish_roots(coef: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Newton's method on the scaled NPV in y = ln(1 + r) from each start in ``y``.

    Steps are limited to 1 in y; the iterate with the smallest relative residual is kept, so
    a start is never made worse (a start that is not near a real root keeps a large
    residual and is rejected by the caller).
    """
    degree = coef.size - 1
    best = y.copy()
    best_res = _relative_residual(coef, y)
    active = np.ones(y.size, dtype=bool)
    for _ in range(_MAX_ITER):
        if not active.any():
            break
        exponent, terms = _scaled_npv_terms(y, degree)
        f = terms @ coef
        df = (terms * exponent) @ coef
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.clip(f / df, -1.0, 1.0)
        y_new = np.where(active & np.isfinite(step), y - step, y)
        res = _relative_residual(coef, y_new)
        better = res < best_res
        best = np.where(better, y_new, best)
        best_res = np.where(better, res, best_res)
        converged = ~np.isfinite(step) | (np.abs(step) <= 4.0 * _EPS * np.maximum(np.abs(y), 1.0))
        active &= ~converged & (best_res > 0.0)
        y = y_new
    return best


def irr_roots(cashflows: ArrayLike) -> NDArray[np.float64]:
    """Every internal rate of return of one sequence of annual cash flows.

    Parameters
    ----------
    cashflows : array_like, shape (N,)
        Cash flows [currency] at the end of years ``0, ..., N - 1`` (``cashflows[0]`` today),
        as for :func:`irr`; one scenario only.

    Returns
    -------
    roots : ndarray, shape (K,)
        Every real rate ``r > -1`` [1/yr] with zero NPV, each once, in ascending order
        (``K <=`` :func:`sign_changes` of the flows). Empty when there is none: flows all of
        one sign, a single non-zero flow, all zeros (for which every rate gives zero NPV).
        ``array([nan])`` if the flows hold ``nan`` or ``inf``, as :func:`irr` gives ``nan``.

    Raises
    ------
    InputError
        If `cashflows` is not a non-empty 1-D sequence of numbers.

    Warnings
    --------
    :func:`irr` returns *one* of these roots, the one nearest its `guess` (10 % by default)
    in :math:`\\ln(1 + r)` among the roots it finds in its search range (so a finite
    ``irr(v)`` is always in ``irr_roots(v)``). Excel's ``IRR`` iterates from its own guess
    (also 10 % by default) and may return another one of these roots, or ``#NUM!``, depending
    on that guess. With more than one root, no single IRR ranks the project: report the NPV
    or :func:`mirr` alongside.

    Notes
    -----
    Leading and trailing zeros are stripped (they do not change the roots). With the
    discount factor :math:`d = 1 / (1 + r)` the NPV is the polynomial
    :math:`\\sum_t v_t d^t` [1]_. Its roots are the eigenvalues of the companion matrix
    (:func:`numpy.polynomial.polynomial.polyroots`), computed for this polynomial and for the
    reversed one (roots :math:`1 / d`), so that both small and large rates start accurate.

    * Every eigenvalue with a positive real part and an imaginary part below 0.1 of its
      modulus gives a real start: rounding spreads a root of multiplicity :math:`m` over a
      circle of radius about :math:`\\epsilon^{1/m}`, so a double root may come out as a
      complex pair.
    * Each start is polished by Newton's method on the NPV in :math:`\\ln(1 + r)` (scaled as
      in :func:`irr`, so nothing overflows) and kept only if the NPV there is at rounding
      level, :math:`|\\mathrm{NPV}| \\le 64 N \\epsilon \\sum_t |v_t| d^t`: a complex pair
      that is not a real root is dropped.
    * Copies of one root are merged: two polished values are one root if their
      :math:`1 + r` agree to a relative :math:`10^{-8}`, or if the NPV midway between them is
      still at rounding level (the numerical spread of a multiple root, where the NPV
      touches zero); the root reported is their mean. A root of multiplicity :math:`m` is
      therefore reported once, accurate to about :math:`\\epsilon^{1/m}`.
    * By Descartes' rule of signs there are at most :func:`sign_changes` roots, and exactly
      one for one sign change; if rounding produced more, the best resolved are kept.

    References
    ----------
    .. [1] D. Teichroew, A. A. Robichek and M. Montalbano, "An analysis of criteria for
       investment and financing decisions under certainty", *Management Science* 12(3),
       151-179, 1965.
    .. [2] J. H. Lorie and L. J. Savage, "Three problems in rationing capital", *The Journal
       of Business* 28(4), 229-239, 1955 (the "pump" example with IRRs 25 % and 400 %).

    Examples
    --------
    Lorie and Savage's pump problem [2]_: NPV zero at 25 % and at 400 %:

    >>> from eip_analysis.finance import irr, irr_roots
    >>> irr_roots([-1_600, 10_000, -10_000])
    array([0.25, 4.  ])
    >>> round(irr([-1_600, 10_000, -10_000]), 12)  # the root nearest the 10 % guess
    0.25

    A conventional investment has one root, flows of one sign none:

    >>> irr_roots([-100, 60, 60]).round(6)
    array([0.130662])
    >>> irr_roots([100, 200, 300])
    array([], dtype=float64)
    """
    try:
        flows = np.asarray(cashflows, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("cashflows as numbers [currency]", got=cashflows) from exc
    if flows.ndim != 1 or flows.size == 0:
        raise InputError(
            "cashflows as a non-empty 1-D sequence [currency]", got=f"shape {flows.shape}"
        )
    if not np.isfinite(flows).all():
        return np.array([np.nan])
    nonzero = np.flatnonzero(flows)
    if nonzero.size < 2:
        return np.empty(0)
    coef = flows[nonzero[0] : nonzero[-1] + 1]
    changes = int(_sign_change_counts(coef[np.newaxis, :])[0])
    if changes == 0:
        return np.empty(0)
    degree = coef.size - 1

    # Candidates y = ln(1 + r) = -ln(d) from the polynomial in d and from the one in 1/d.
    starts = []
    for poly, sign in ((coef, -1.0), (coef[::-1], 1.0)):
        z = np.polynomial.polynomial.polyroots(poly)
        real = (z.real > 0.0) & (np.abs(z.imag) <= _ROOT_IMAG_TOL * np.abs(z))
        starts.append(sign * np.log(z.real[real]))
    y = np.concatenate(starts)
    y = _polish_roots(coef, y[np.isfinite(y)])
    residual = _relative_residual(coef, y)
    tolerance = _ROOT_NOISE * (degree + 1) * _EPS
    representable = np.isfinite(y) & (np.abs(y) < _Y_MAX) & np.isfinite(residual)
    keep = representable & (residual <= tolerance)
    if changes == 1 and not keep.any() and representable.any():
        # Exactly one root exists: take the best-resolved candidate.
        keep = representable & (residual == residual[representable].min())
    order = np.argsort(y[keep])
    y, residual = y[keep][order], residual[keep][order]
    if y.size == 0:
        return np.empty(0)

    # Merge copies of one root into clusters; each cluster gives its mean.
    with np.errstate(invalid="ignore"):
        gap = np.diff(y)
        same = (gap <= _ROOT_RTOL) | (_relative_residual(coef, y[:-1] + 0.5 * gap) <= tolerance)
    cluster = np.concatenate(([0], np.cumsum(~same)))
    n_clusters = int(cluster[-1]) + 1
    size = np.bincount(cluster, minlength=n_clusters)
    roots_y = np.bincount(cluster, weights=y, minlength=n_clusters) / size
    if n_clusters > changes:  # Descartes: at most `changes` roots; keep the best-resolved
        best = np.full(n_clusters, np.inf)
        np.minimum.at(best, cluster, residual)
        roots_y = np.sort(roots_y[np.argsort(best, kind="stable")[:changes]])
    return np.expm1(roots_y)


# --------------------------------------------------------------------------------------------
# MIRR, profitability index, capital recovery
# --------------------------------------------------------------------------------------------


def mirr(cashflows: ArrayLike, finance_rate: ArrayLike, reinvest_rate: ArrayLike) -> FloatOrArray:
    """Modified internal rate of return (Excel's MIRR).

    Parameters
    ----------
    cashflows : array_like, shape (N,) or (M, N)
        Cash flows [currency] at the end of years ``0, ..., N - 1``; a 2-D array holds one
        scenario per row.
    finance_rate : float or array_like
        Rate [1/yr] at which the negative flows are discounted to year 0 (cost of finance); a
        scalar or one per row.
    reinvest_rate : float or array_like
        Rate [1/yr] at which the positive flows are compounded to year ``N - 1``; a scalar or
        one per row.

    Returns
    -------
    out : float or ndarray
        MIRR [1/yr]; a float for 1-D input, else one value per row. ``nan`` where a row has no
        negative or no positive flow, holds ``nan``, or a rate is <= -1.

    Warnings
    --------
    ``N`` counts *every* value, zeros included (as Excel does): trailing zero years are not
    neutral, the inflows compound at the reinvestment rate until year ``N - 1`` and the MIRR
    moves towards that rate. The first value is at year 0, so ``N`` values span ``N - 1``
    years.

    Notes
    -----
    With :math:`f` the finance rate, :math:`g` the reinvestment rate [1]_ [2]_:

    .. math::

        \\mathrm{MIRR} = \\left( \\frac{\\sum_{v_t > 0} v_t (1 + g)^{N-1-t}}
        {-\\sum_{v_t < 0} v_t (1 + f)^{-t}} \\right)^{1/(N-1)} - 1

    which equals Excel's
    ``(-NPV(g, positives) * (1 + g)^N / (NPV(f, negatives) * (1 + f)))^(1/(N-1)) - 1``.

    References
    ----------
    .. [1] S. A. Y. Lin, "The modified internal rate of return and investment criterion",
       *The Engineering Economist* 21(4), 237-247, 1976.
    .. [2] Microsoft, "MIRR function", Microsoft Support (Excel documentation).

    Examples
    --------
    Excel's documentation example (finance 10 %, reinvestment 12 %: 12.61 %):

    >>> from eip_analysis.finance import mirr
    >>> round(mirr([-120_000, 39_000, 30_000, 21_000, 37_000, 46_000], 0.10, 0.12), 4)
    0.1261
    >>> mirr([39_000, 30_000, 21_000], 0.10, 0.12)
    nan
    """
    flows, one_d = _flows_2d(cashflows)
    m, n = flows.shape
    fin = _row_param(finance_rate, m, "finance_rate")
    rei = _row_param(reinvest_rate, m, "reinvest_rate")
    t = np.arange(n, dtype=np.float64)
    positive = np.where(flows > 0, flows, 0.0)
    negative = np.where(flows < 0, flows, 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        future_in = _present_value(rei, positive, t - (n - 1))  # compounded to year N - 1
        present_out = _present_value(fin, negative, t)
        out = (future_in / -present_out) ** (1.0 / (n - 1)) - 1.0 if n > 1 else np.full(m, 0.0)
    valid = (flows > 0).any(axis=1) & (flows < 0).any(axis=1) & _finite_rows(flows)
    return _finish(np.where(valid, out, np.nan), one_d)


def profitability_index(rate: ArrayLike, cashflows: ArrayLike) -> FloatOrArray:
    """Profitability index: present value of the later flows per unit of initial outlay.

    Parameters
    ----------
    rate : float or array_like
        Discount rate [1/yr], greater than -1; with 2-D `cashflows` a scalar or one per row.
    cashflows : array_like, shape (N,) or (M, N)
        Cash flows [currency] at the end of years ``0, ..., N - 1``; ``cashflows[0]`` is the
        initial outlay (negative). A 2-D array holds one scenario per row.

    Returns
    -------
    out : float or ndarray
        PI [-] (dimensionless); a float for 1-D input, else one value per row. ``nan`` where
        ``cashflows[0] >= 0`` (no initial outlay) or a row holds ``nan``.

    Warnings
    --------
    Some texts define PI as ``NPV / outlay`` (= this PI - 1). Later negative flows (further
    investment) are netted into the numerator here, not added to the outlay, so two projects
    with the same NPV can have different PIs depending on how their investment is phased.

    Notes
    -----
    .. math:: \\mathrm{PI} = \\frac{\\sum_{t=1}^{N-1} v_t (1 + r)^{-t}}{-v_0}
              = 1 + \\frac{\\mathrm{NPV}(r)}{-v_0}

    PI > 1 exactly when NPV > 0 [1]_.

    References
    ----------
    .. [1] S. A. Ross, R. W. Westerfield and J. F. Jaffe, *Corporate Finance*, McGraw-Hill,
       chapter "Net Present Value and Other Investment Rules", section "The Profitability
       Index".

    Examples
    --------
    >>> from eip_analysis.finance import profitability_index
    >>> round(profitability_index(0.12, [-20, 70, 10]), 4)
    3.5236
    >>> profitability_index(0.12, [0, 70, 10])
    nan
    """
    flows, one_d = _flows_2d(cashflows)
    m, n = flows.shape
    r = _row_param(rate, m, "rate")
    later = flows.copy()
    later[:, 0] = 0.0
    pv_later = _present_value(r, later, np.arange(n, dtype=np.float64))
    outlay = -flows[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(outlay > 0, pv_later / outlay, np.nan)
    return _finish(np.where(_finite_rows(flows), out, np.nan), one_d)


def capital_recovery_factor(rate: ArrayLike, years: ArrayLike) -> FloatOrArray:
    """Capital recovery factor (A/P, r, n): the level annual payment that repays 1 unit.

    Parameters
    ----------
    rate : float or array_like
        Interest rate [1/yr], greater than -1.
    years : float or array_like
        Repayment period n [years], > 0; broadcast against `rate`.

    Returns
    -------
    out : float or ndarray
        CRF [1/yr]: annual payment per unit of present value. A float for scalar inputs,
        else an array of the broadcast shape. ``nan`` where `rate` <= -1 or `years` <= 0.

    Warnings
    --------
    The annuity is paid at the *end* of each year (ordinary annuity). To annualise a capital
    cost: ``annual_cost = capex * capital_recovery_factor(rate, years)``. At ``rate = 0`` the
    formula is 0/0; the limit ``1 / n`` is returned.

    Notes
    -----
    .. math:: \\mathrm{CRF}(r, n) = \\frac{r (1 + r)^n}{(1 + r)^n - 1}
              = \\frac{r}{1 - (1 + r)^{-n}}

    evaluated as ``r / -expm1(-n * log1p(r))`` to stay accurate for small :math:`r`, with
    :math:`\\lim_{r \\to 0} \\mathrm{CRF} = 1/n` [1]_ [2]_.

    References
    ----------
    .. [1] D. G. Newnan, T. G. Eschenbach and J. P. Lavelle, *Engineering Economic Analysis*,
       Oxford University Press, compound interest tables (A/P).
    .. [2] L. Blank and A. Tarquin, *Engineering Economy*, McGraw-Hill, chapter 2 and
       interest factor tables.

    Examples
    --------
    >>> from eip_analysis.finance import capital_recovery_factor
    >>> round(capital_recovery_factor(0.10, 10), 5)
    0.16275
    >>> capital_recovery_factor(0.0, 4)
    0.25
    >>> capital_recovery_factor([0.05, 0.10], 20).round(5)
    array([0.08024, 0.11746])
    """
    r = np.asarray(rate, dtype=np.float64)
    n = np.asarray(years, dtype=np.float64)
    r, n = np.broadcast_arrays(r, n)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        general = r / -np.expm1(-n * np.log1p(np.where(r > -1.0, r, np.nan)))
        out = np.where(r == 0.0, 1.0 / n, general)
    out = np.where((r > -1.0) & (n > 0.0), out, np.nan)
    return _scalar_or_array(np.asarray(out, dtype=np.float64))


# --------------------------------------------------------------------------------------------
# Payback
# --------------------------------------------------------------------------------------------


def _payback(flows: NDArray[np.float64]) -> NDArray[np.float64]:
    """Interpolated payback [years] per row of (possibly discounted) flows."""
    m, n = flows.shape
    finite = _finite_rows(flows)
    cumulative = np.cumsum(np.where(finite[:, np.newaxis], flows, 0.0), axis=1)
    negative = cumulative < 0.0
    out = np.zeros(m)
    ever_negative = negative.any(axis=1)
    last_negative = n - 1 - np.argmax(negative[:, ::-1], axis=1)
    never = ever_negative & (last_negative == n - 1)
    out[never] = np.inf
    rows = np.flatnonzero(ever_negative & ~never)
    k = last_negative[rows]
    # C[k] < 0 <= C[k + 1], so flows[k + 1] > 0; clip guards against rounding only.
    fraction = -cumulative[rows, k] / flows[rows, k + 1]
    out[rows] = k + np.clip(fraction, 0.0, 1.0)
    return np.where(finite, out, np.nan)


def payback_period(cashflows: ArrayLike) -> FloatOrArray:
    """Simple (undiscounted) payback period, interpolated within the year.

    Parameters
    ----------
    cashflows : array_like, shape (N,) or (M, N)
        Cash flows [currency] at the end of years ``0, ..., N - 1``; a 2-D array holds one
        scenario per row.

    Returns
    -------
    out : float or ndarray
        Payback period [years] counted from year 0, a float for 1-D input, else one value per
        row. ``0.0`` if the cumulative cash flow is never negative (in particular if
        ``cashflows[0] >= 0`` and it stays so); ``inf`` if the cumulative cash flow is still
        negative at the last year; ``nan`` if a row holds ``nan``.

    Warnings
    --------
    * Payback ignores everything after the payback year and the time value of money; use it
      as a liquidity indicator next to NPV, not as a decision rule.
    * If the cumulative cash flow turns negative again after a first payback (a later
      reinvestment or a decommissioning cost), the payback reported is the *last* crossing,
      the time after which the cumulative cash flow stays >= 0, not the first one.
    * Flows are taken as arriving evenly through each year for the interpolation, while
      NPV and IRR take them at year end.

    Notes
    -----
    With cumulative cash flow :math:`C_t = \\sum_{s \\le t} v_s` and :math:`k` the last year
    with :math:`C_k < 0` (when :math:`k < N - 1`), :math:`C_{k+1} \\ge 0` and [1]_

    .. math:: \\mathrm{payback} = k + \\frac{-C_k}{v_{k+1}},

    i.e. for a crossing between the end of year :math:`t - 1` and the end of year :math:`t`,
    :math:`(t - 1) + (-C_{t-1}) / v_t`, which lies in :math:`(t - 1, t]`.

    References
    ----------
    .. [1] S. A. Ross, R. W. Westerfield and B. D. Jordan, *Fundamentals of Corporate
       Finance*, McGraw-Hill, chapter "Net Present Value and Other Investment Criteria",
       section "The Payback Rule".

    Examples
    --------
    >>> from eip_analysis.finance import payback_period
    >>> payback_period([-500, 100, 200, 500])
    2.4
    >>> payback_period([-100, 30, 30])
    inf
    >>> payback_period([[-1000, 300, 400, 500], [50, 10, 10, 10]])
    array([2.6, 0. ])
    """
    flows, one_d = _flows_2d(cashflows)
    return _finish(_payback(flows), one_d)


def discounted_payback_period(rate: ArrayLike, cashflows: ArrayLike) -> FloatOrArray:
    """Discounted payback period, interpolated within the year.

    Parameters
    ----------
    rate : float or array_like
        Discount rate [1/yr], greater than -1; with 2-D `cashflows` a scalar or one per row.
    cashflows : array_like, shape (N,) or (M, N)
        Cash flows [currency] at the end of years ``0, ..., N - 1``; a 2-D array holds one
        scenario per row.

    Returns
    -------
    out : float or ndarray
        Years [years] until the cumulative *discounted* cash flow turns (and stays)
        non-negative; a float for 1-D input, else one value per row. Same conventions as
        :func:`payback_period` (``0.0`` never negative, ``inf`` never recovered, ``nan`` for
        ``nan`` input or `rate` <= -1).

    Warnings
    --------
    The interpolation is linear in the *discounted* flow of the crossing year. With
    ``rate = 0`` the result equals :func:`payback_period`. Because the last crossing is
    used, the discounted payback is finite exactly when ``npv(rate, cashflows) >= 0``.

    Notes
    -----
    :func:`payback_period` applied to :math:`v_t (1 + r)^{-t}` [1]_.

    References
    ----------
    .. [1] S. A. Ross, R. W. Westerfield and B. D. Jordan, *Fundamentals of Corporate
       Finance*, McGraw-Hill, chapter "Net Present Value and Other Investment Criteria",
       section "The Discounted Payback".

    Examples
    --------
    >>> from eip_analysis.finance import discounted_payback_period
    >>> round(discounted_payback_period(0.10, [-1000, 500, 500, 500]), 4)
    2.352
    >>> discounted_payback_period(0.0, [-500, 100, 200, 500])
    2.4
    """
    flows, one_d = _flows_2d(cashflows)
    m, n = flows.shape
    r = _row_param(rate, m, "rate")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        growth = np.where(r > -1.0, 1.0 + r, np.nan)
        discounted = flows * growth[:, np.newaxis] ** -np.arange(n, dtype=np.float64)
    return _finish(_payback(discounted), one_d)
