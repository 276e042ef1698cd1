"""Numba kernel of :func:`eip_analysis.finance.irr` and :func:`eip_analysis.finance.xirr`.

Imported lazily by those two functions (importing numba takes a noticeable fraction of a
second); nothing else in the package needs it. The compiled code is cached on disk
(``cache=True``: in ``__pycache__`` next to this file, or in numba's user cache directory if
that is not writable, or in ``NUMBA_CACHE_DIR``), so only the first call after an
installation or a change of this file compiles.

:func:`prepare_rows` finds each row's non-zero span, sign changes and search range;
:func:`solve_rows` then solves every row, one after the other, by the method documented in
:func:`eip_analysis.finance.irr`:

* In x = ln(1 + r), the NPV multiplied by exp(c x) has the same roots. c is the time of the
  row's first non-zero flow for x >= 0 and of its last for x < 0, so every exponential is
  <= 1 and the term of that flow is exactly the flow. This *scaled NPV* is evaluated by a
  nested (Horner-type) recurrence over the row's columns from its last to its first non-zero
  flow (x >= 0; the other way for x < 0), ``S <- v_j + exp(-h |x|) S``, h the time between
  adjacent columns, so an evaluation takes one exponential per distinct gap h (one for annual
  flows). Its derivatives in x and the sum of its absolute terms (the rounding-noise level)
  come from the same recurrence with the coefficients ``(c - t_j) v_j``,
  ``(c - t_j)**2 v_j`` and ``|v_j|``.
* Each row searches |x| <= X = min(30, 700 / T), T the time between its first and last
  non-zero flows (so no term falls below exp(-700)), on the grid x0 + 0.2 sinh(k du),
  x0 = ln(1 + guess), plus the points -X, 0 and X: du = 0.1 (spacing 0.02 near the guess) for
  rows with one sign change, 0.01 (0.002) for rows with several. The grid of each kind of row
  reaches the widest X among those rows; a row uses its part of it, its end points moved to
  -X and X. The grids and the exponentials at their points are computed once per call (by
  the caller, :func:`eip_analysis.finance._solve_irr`), and the scaled NPV is evaluated at
  BLOCK grid points at a time (independent recurrences, which the CPU overlaps).
* A row with exactly one sign change has exactly one root and the sign of its scaled NPV
  changes only there (Descartes' rule of signs), so the grid is evaluated from x0 towards the
  sign change and no further; the root is nan if the sign does not change within the range.
* A row with several sign changes: every grid point of its range is evaluated; a cell
  brackets a root if the sign changes across it or either end is an exact zero; the nearest
  such cell below x0 and the nearest above are refined.
* Refinement: Newton's method safeguarded by bisection (Numerical Recipes' ``rtsafe``) from
  the regula falsi point of the cell, to machine precision; of the two candidates, the root
  nearest x0 is kept, ties to the larger rate.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

EPS = 2.220446049250313e-16  # np.finfo(np.float64).eps
#: Largest |ln(1 + r)| searched (r from about -1 + 9e-14 to 1.07e13).
X_MAX = 30.0
#: Largest exponent |c - t| |x| of a non-zero flow (exp(-700) is still a normal float).
EXP_BUDGET = 700.0
MAX_ITER = 100
#: Grid points evaluated together (independent recurrences; the code below is unrolled to 8).
BLOCK = 8

# error_model="numpy": a float division by zero gives inf/nan instead of raising;
# fastmath={"contract"}: multiply-adds may be fused (one rounding instead of two), nothing
# else of IEEE arithmetic is relaxed (no reassociation, nan and inf kept).
_JIT = {"cache": True, "nogil": True, "error_model": "numpy", "fastmath": {"contract"}}


@intrinsic
def _borrowed(typingctx, array):
    """A view of ``array`` that holds no reference to its memory, valid while ``array`` is.

    numba counts the references to an array (atomic operations) each time it is passed to a
    function that is not inlined; in the loop over rows that cost as much as the arithmetic.
    :func:`solve_rows` therefore works on borrowed views of its array arguments, which its
    caller holds. (A view without a memory owner is what ``numba.carray`` makes.)
    """

    def codegen(context, builder, signature, args):
        view = context.make_array(signature.args[0])(context, builder, value=args[0])
        view.meminfo = context.get_constant_null(types.MemInfoPointer(types.voidptr))
        return view._getvalue()

    return array(array), codegen


# Argument names used throughout: a row is ``v`` (its flows) with ``first`` and ``last``, the
# columns of its first and last non-zero flow. The times are ``times`` [years], ``gaps`` (the
# distinct steps times[j] - times[j - 1]), ``gap_index`` (for each column j >= 1 the index in
# ``gaps`` of its step) and ``factor``, a scratch array of gaps.size factors.

# --------------------------------------------------------------------------------------------
# The scaled NPV of one row
# --------------------------------------------------------------------------------------------


@njit(**_JIT)
def _value(v, first, last, gap_index, gaps, factor, x):
    """Scaled NPV ``sum_j v_j exp((c - t_j) x)`` of one row at x."""
    ax = abs(x)
    for k in range(gaps.size):
        factor[k] = math.exp(-gaps[k] * ax)
    uniform = gaps.size == 1
    g = factor[0]
    if x >= 0.0:
        s = v[last]
        for j in range(last - 1, first - 1, -1):
            s = v[j] + (g if uniform else factor[gap_index[j + 1]]) * s
    else:
        s = v[first]
        for j in range(first + 1, last + 1):
            s = v[j] + (g if uniform else factor[gap_index[j]]) * s
    return s


@njit(**_JIT)
def _newton(v, first, last, times, gap_index, gaps, factor, a, b, fa, fb):
    """Root in x of the scaled NPV of a row in the bracket [a, b] (values fa, fb).

    Newton's method safeguarded by bisection: steps that leave the (shrinking) bracket are
    replaced by bisection. A step ``s`` is final when it is below the tolerance, or when the
    standard estimate of the error left after it, ``|f''/(2 f')| s**2``, is; or when |f| is
    at the rounding-noise level (the Newton step is then still the best estimate, if it stays
    inside the bracket). The scaling c is that of the side of 0 the cell is on.
    """
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    # 0 is a grid point, so the cell is on one side of it: c = t_first for x >= 0 (the sums
    # run from the last column down), t_last for x < 0 (from the first column up).
    if 0.5 * (a + b) >= 0.0:
        start, stop, step, shift, c = last, first - 1, -1, 1, times[first]
    else:
        start, stop, step, shift, c = first, last + 1, 1, 0, times[last]
    uniform = gaps.size == 1
    x = a - fa * (b - a) / (fb - fa)  # regula falsi start
    if not (math.isfinite(x) and a < x < b):
        x = 0.5 * (a + b)
    positive_a = fa > 0.0
    for _ in range(MAX_ITER):
        # f, f', f'' and sum |terms| by the nested recurrence, coefficients v, e v, e^2 v, |v|
        # with e = c - t_j the exponent of column j.
        ax = abs(x)
        for k in range(gaps.size):
            factor[k] = math.exp(-gaps[k] * ax)
        g = factor[0]
        j = start
        e = c - times[j]
        f = v[j]
        df = e * f
        d2f = e * df
        magnitude = abs(f)
        j += step
        while j != stop:
            h = g if uniform else factor[gap_index[j + shift]]
            e = c - times[j]
            w = v[j]
            ew = e * w
            f = w + h * f
            df = ew + h * df
            d2f = e * ew + h * d2f
            magnitude = abs(w) + h * magnitude
            j += step

        at_noise = abs(f) <= 2.0 * EPS * magnitude
        if (f > 0.0) if positive_a else (f < 0.0):
            a = x
        else:
            b = x
        newton_step = f / df
        x_new = x - newton_step
        error_after = abs(0.5 * d2f / df) * newton_step * newton_step
        bisect = not (math.isfinite(x_new) and a < x_new < b)
        if bisect:
            x_new = 0.5 * (a + b)
        tol = 2.0 * EPS * max(abs(x_new), 1e-300)
        quadratic = (not bisect) and abs(newton_step) <= 1e-4 and error_after <= tol
        if at_noise or quadratic or abs(x_new - x) <= tol or b - a <= 2.0 * tol:
            return x if (at_noise and bisect) else x_new
        x = x_new
    return x  # iteration limit (not reached in practice): best estimate


# --------------------------------------------------------------------------------------------
# The grid
# --------------------------------------------------------------------------------------------
# A grid is ``points`` (sorted), ``table`` (table[k, i] = exp(-gaps[k] |points[i]|), padded
# with BLOCK zero columns), ``j_zero`` and ``j0`` (the indices of 0 and of x0). A row searches
# the points ``lo`` to ``hi`` (the last point <= -x_max and the first >= x_max), which stand
# for -x_max and x_max.


@njit(**_JIT)
def _block(v, first, last, gap_index, table, q, upper):
    """Scaled NPV of a row at the BLOCK grid points q, q + 1, ... (all on the side ``upper``
    of 0): BLOCK independent recurrences, which the CPU overlaps."""
    if upper:
        j, stop, step, shift = last, first - 1, -1, 1
    else:
        j, stop, step, shift = first, last + 1, 1, 0
    s = v[j]
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = s
    j += step
    if table.shape[0] == 1:  # evenly spaced times: the same factors for every column
        g0, g1, g2, g3 = table[0, q], table[0, q + 1], table[0, q + 2], table[0, q + 3]
        g4, g5, g6, g7 = table[0, q + 4], table[0, q + 5], table[0, q + 6], table[0, q + 7]
        while j != stop:
            w = v[j]
            a0 = w + g0 * a0
            a1 = w + g1 * a1
            a2 = w + g2 * a2
            a3 = w + g3 * a3
            a4 = w + g4 * a4
            a5 = w + g5 * a5
            a6 = w + g6 * a6
            a7 = w + g7 * a7
            j += step
    else:
        while j != stop:
            k = gap_index[j + shift]
            w = v[j]
            a0 = w + table[k, q] * a0
            a1 = w + table[k, q + 1] * a1
            a2 = w + table[k, q + 2] * a2
            a3 = w + table[k, q + 3] * a3
            a4 = w + table[k, q + 4] * a4
            a5 = w + table[k, q + 5] * a5
            a6 = w + table[k, q + 6] * a6
            a7 = w + table[k, q + 7] * a7
            j += step
    return a0, a1, a2, a3, a4, a5, a6, a7


@njit(**_JIT)
def _index(points, x, right):
    """``np.searchsorted(points, x, side="right" if right else "left")``."""
    lo = 0
    hi = points.size
    while lo < hi:
        mid = (lo + hi) // 2
        if points[mid] < x or (right and points[mid] == x):
            lo = mid + 1
        else:
            hi = mid
    return lo


# --------------------------------------------------------------------------------------------
# All rows
# --------------------------------------------------------------------------------------------
# The per-row search is written out in the loop of solve_rows rather than split into
# functions: a call that passes many arrays costs about as much as evaluating a block of grid
# points (numba passes each array as a struct of seven fields).

_SEARCHING, _DOWN, _UP = 0, 1, 2  # states of the search of a row with one sign change


@njit(**_JIT)
def prepare_rows(flows, times, x_max, first, last, several):
    """Per row of ``flows`` (C-contiguous; ``times`` [years] ascending from 0): its search
    limit X = min(30, 700 / T) into ``x_max`` (nan if there is nothing to solve: a nan or
    inf, no sign change, or all non-zero flows at one time), the columns of its first and
    last non-zero flows and whether it has several sign changes.

    Returns the narrowest X, the widest X among the rows with one sign change and the widest
    among those with several (inf, 0, 0 if there is no row to solve).
    """
    m, n = flows.shape
    narrowest = np.inf
    widest_one = 0.0
    widest_several = 0.0
    for i in range(m):
        x_max[i] = np.nan
        lo = -1
        hi = -1
        changes = 0
        previous = 0.0
        finite = True
        for j in range(n):
            value = flows[i, j]
            if not math.isfinite(value):
                finite = False
                break
            if value != 0.0:
                if lo < 0:
                    lo = j
                elif (value > 0.0) != (previous > 0.0):
                    changes += 1
                hi = j
                previous = value
        if not finite or changes == 0:
            continue
        span = times[hi] - times[lo]
        if not span > 0.0:  # all non-zero flows at one time: the NPV does not depend on r
            continue
        limit = min(X_MAX, EXP_BUDGET / span)
        x_max[i] = limit
        first[i] = lo
        last[i] = hi
        several[i] = changes > 1
        narrowest = min(narrowest, limit)
        if changes > 1:
            widest_several = max(widest_several, limit)
        else:
            widest_one = max(widest_one, limit)
    return narrowest, widest_one, widest_several


@njit(**_JIT)
def solve_rows(
    flows,
    times,
    gap_index,
    gaps,
    x0,
    x_max,
    first,
    last,
    several,
    points_one,
    table_one,
    points_several,
    table_several,
    factor,
    values,
    out,
):
    """IRR [1/yr] per row of ``flows`` into ``out`` (nan where ``x_max`` is nan).

    ``flows``, ``times``, ``x_max``, ``first``, ``last``, ``several``: as filled by
    :func:`prepare_rows`; x0 = ln(1 + guess), inside (-x_max, x_max) of every row to solve.
    ``gaps``: the distinct time steps between adjacent columns [years], ``gap_index[j]``
    (j >= 1) the index in ``gaps`` of ``times[j] - times[j - 1]``. ``points_one`` and
    ``points_several``: the grids of the rows with one sign change and with several,
    ascending, with the points x0 and 0, reaching the widest x_max of those rows; the
    tables: ``table[k, i] = exp(-gaps[k] |points[i]|)``, padded with BLOCK zero columns.
    ``factor``: scratch of gaps.size, ``values``: scratch of the larger grid size + BLOCK.
    """
    # Borrowed views (see _borrowed): the caller holds the arrays during the call.
    flows, times, gap_index, gaps = (
        _borrowed(flows),
        _borrowed(times),
        _borrowed(gap_index),
        _borrowed(gaps),
    )
    points_one, table_one = _borrowed(points_one), _borrowed(table_one)
    points_several, table_several = _borrowed(points_several), _borrowed(table_several)
    factor, values = _borrowed(factor), _borrowed(values)
    m = flows.shape[0]
    zero_one, j0_one = _index(points_one, 0.0, False), _index(points_one, x0, False)
    zero_several = _index(points_several, 0.0, False)
    j0_several = _index(points_several, x0, False)
    previous_one = previous_several = np.nan  # x_max of the previous row of each kind
    lo_one = hi_one = lo_several = hi_several = 0

    for i in range(m):
        limit = x_max[i]
        if math.isnan(limit):
            out[i] = np.nan
            continue
        v = flows[i]
        row_first = first[i]
        row_last = last[i]
        # The row searches the grid points lo..hi: the last point <= -limit and the first
        # >= limit, which stand for -limit and limit (their values are computed there).
        if several[i]:
            points, table, j_zero, j0 = points_several, table_several, zero_several, j0_several
            if limit != previous_several:
                lo_several = _index(points, -limit, True) - 1
                hi_several = _index(points, limit, False)
                previous_several = limit
            lo, hi = lo_several, hi_several
            i0, i1 = lo, hi + 1  # every point of the range
        else:
            points, table, j_zero, j0 = points_one, table_one, zero_one, j0_one
            if limit != previous_one:
                lo_one = _index(points, -limit, True) - 1
                hi_one = _index(points, limit, False)
                previous_one = limit
            lo, hi = lo_one, hi_one
            i0, i1 = j0, min(hi + 1, j0 + BLOCK)  # from x0 up, to begin with
        # With one sign change, the scaled NPV has above the root the sign of the first
        # non-zero flow (its limit as x -> inf) and below it the other sign; "positive" is
        # > 0, so an exact zero counts with the negative values. The root's cell is
        # [c, c + 1], c the last point on the lower side, searched from x0 up, or down if x0
        # is on the upper side already.
        high = v[row_first] > 0.0
        state = _SEARCHING
        cell_below = cell_above = -1  # the cells to refine (below and above x0)
        while True:
            # The scaled NPV at the points i0 <= i < i1, BLOCK points at a time; a block
            # lies on one side of 0 (x >= 0 from j_zero on).
            q = i0
            while q < i1:
                upper = q >= j_zero
                stop = min(q + BLOCK, i1) if upper else min(q + BLOCK, i1, j_zero)
                a0, a1, a2, a3, a4, a5, a6, a7 = _block(
                    v, row_first, row_last, gap_index, table, q, upper
                )
                values[q] = a0
                count = stop - q
                if count > 1:
                    values[q + 1] = a1
                if count > 2:
                    values[q + 2] = a2
                if count > 3:
                    values[q + 3] = a3
                if count > 4:
                    values[q + 4] = a4
                if count > 5:
                    values[q + 5] = a5
                if count > 6:
                    values[q + 6] = a6
                if count > 7:
                    values[q + 7] = a7
                q = stop
            if i0 == lo:
                values[lo] = _value(v, row_first, row_last, gap_index, gaps, factor, -limit)
            if i1 - 1 == hi:
                values[hi] = _value(v, row_first, row_last, gap_index, gaps, factor, limit)

            if several[i]:
                # A cell brackets a root if the sign changes across it or either end is an
                # exact zero (which also catches a touching root at a grid point): the
                # nearest such cell below x0 and the nearest above.
                for k in range(j0 - 1, lo - 1, -1):
                    fa, fb = values[k], values[k + 1]
                    if (fa > 0.0) != (fb > 0.0) or fa == 0.0 or fb == 0.0:
                        cell_below = k
                        break
                for k in range(j0, hi):
                    fa, fb = values[k], values[k + 1]
                    if (fa > 0.0) != (fb > 0.0) or fa == 0.0 or fb == 0.0:
                        cell_above = k
                        break
                break
            if state == _SEARCHING and (values[j0] > 0.0) == high:
                state = _DOWN
                i0, i1 = max(lo, j0 - BLOCK), j0
                continue
            if state == _DOWN:  # i1 is on the upper side
                for c in range(i1 - 1, i0 - 1, -1):
                    if (values[c] > 0.0) != high:
                        cell_below = c
                        break
                if cell_below >= 0 or i0 == lo:
                    break
                i0, i1 = max(lo, i0 - BLOCK), i0
                continue
            state = _UP  # i0 - 1 (or x0 = i0) is on the lower side
            for c in range(i0 if i0 > j0 else j0 + 1, i1):
                if (values[c] > 0.0) == high:
                    cell_above = c - 1
                    break
            if cell_above >= 0 or i1 > hi:
                break
            i0, i1 = i1, min(hi + 1, i1 + BLOCK)

        # Refine the cells: safeguarded Newton from each; the root nearest x0 (ties: the
        # larger rate).
        best = np.nan
        for k in (cell_below, cell_above):
            if k < 0:
                continue
            a = -limit if k == lo else points[k]
            b = limit if k + 1 == hi else points[k + 1]
            root = _newton(
                v,
                row_first,
                row_last,
                times,
                gap_index,
                gaps,
                factor,
                a,
                b,
                values[k],
                values[k + 1],
            )
            if math.isnan(best) or abs(root - x0) <= abs(x0 - best):
                best = root
        out[i] = math.expm1(best)
