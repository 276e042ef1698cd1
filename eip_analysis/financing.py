"""Financing and tax: how the loan is repaid, what the owner earns, and each party's share.

The case cash flows (:mod:`eip_analysis.cashflow`) are the *project* view before financing and
tax, in constant prices. This module adds what a bank and a firm's owner ask about: a loan
schedule, corporate income tax with Vietnamese incentives and loss carry-forward, the after-tax
project and equity cash flows, the debt service coverage ratio (DSCR), the largest debt the
project carries at a target DSCR, and the two parties' view of the exchange with the range of
transfer prices that leaves both better off.

Everything is vectorised like :func:`eip_analysis.appraisal.evaluate`: :func:`build_financing`
and :func:`evaluate_financing` take ``values={path: array of n}`` and return ``(n, years)`` and
``(n,)`` arrays, so Monte Carlo runs through them in one call.

Conventions
-----------
**Real vs nominal.** Case prices are constant (real) prices of year 0 and the ``discount_rate``
is real; banks quote *nominal* interest rates. Each real flow of year ``t`` is inflated to
nominal money, ``nominal_t = real_t (1 + i)^t`` with ``i`` the ``inflation_rate`` parameter
(Viet Nam CPI, GSO). Debt service, depreciation (on the nominal historical cost, not indexed)
and tax are computed in nominal money, as the bank and the tax office see them. The resulting
after-tax and equity flows are discounted at the nominal rate ``(1 + r)(1 + i) - 1``, which is
identical to deflating them by ``(1 + i)^t`` and discounting at the real rate ``r``; NPVs are
therefore in USD of year 0, comparable with the pre-tax project NPV. IRRs are reported in real
terms (comparable with the project IRR); the nominal IRR is ``(1 + IRR_real)(1 + i) - 1``.
With ``i = 0``, no debt and no tax the after-tax project NPV equals the pre-tax NPV.

**Borrower.** By default the borrower is the *project* (both parties' lines together, as a
project company would hold them; transfers cancel). ``financing.borrower: supplier`` (or
``receiver``) finances that party's capex from that party's own lines and the transfers it
receives or pays instead.

**Loan.** Debt finances ``debt_share`` of the capex spent in each year before the first
principal repayment, drawn in the year the capex is spent (end-of-year convention). Interest
during construction (years before ``operation_start_year``) is capitalised into the balance and
into the depreciable cost (VAS 16 borrowing costs). The tenor counts from the first operating
year and includes the grace years, in which interest is paid but no principal; principal is
then repaid over ``tenor - grace`` years, as an annuity (level debt service) or in equal
instalments. Capex after the grace period is paid by the owner. The upfront fee is a share of
each amount drawn, paid by the owner at drawdown and expensed for tax in that year. A tenor
longer than a scenario's life is shortened to the life (and reported).

**Tax.** Taxable income = operating cash flow (benefits - opex, plus transfers for a party
borrower) + salvage - depreciation - interest paid - fees, in nominal money; depreciation is
straight-line over ``depreciation_years`` from the first operating year (capex during
operation: from the next year), the book value left at the end of the life written off. Losses
are carried forward up to ``loss_carryforward_years`` (5 in Viet Nam, Law on CIT art. 16),
oldest first. The project is taxed *standalone*: its losses do not offset the firm's other
profits (conservative). Incentives: see :func:`corporate_income_tax`. The after-tax *project*
cash flow uses the tax of the unlevered project (no interest deduction), the equity cash flow
the tax actually paid with the loan.

**DSCR.** ``CFADS_t = operating cash flow + salvage - tax paid - capex not financed by the
loan`` and ``DSCR_t = CFADS_t / (interest paid + principal)`` in every year with debt service,
so that ``equity cash flow = CFADS - debt service - fees`` (nominal). The minimum and the
average are taken over the years with debt service.

**Parameters and precedence.** Defaults in ``data/raw/parameters/financing.yaml`` (each with a
source) < the case's ``parameters:`` < the case's ``financing:``/``tax:`` blocks < this run's
overrides (``appraise_financing(case, loan_interest_rate=0.036)``) < ``values=`` per scenario
(paths ``financing.<field>``, ``tax.depreciation_years``, ``tax.incentive.<field>``,
``parameters.inflation_rate``, ``parameters.tax_rate``, ``parameters.discount_rate``).

References
----------
.. [1] Law on Corporate Income Tax No. 14/2008/QH12 (amended by Laws 32/2013/QH13 and
   71/2014/QH13), arts. 10 (rates), 13-14 (incentive rates, exemption and reduction),
   16 (loss carry-forward).
.. [2] Decree 218/2013/ND-CP guiding the Law on CIT, arts. 15-16 (when incentive periods start).
.. [3] E. R. Yescombe, *Principles of Project Finance*, 2nd ed., Academic Press, 2014, ch. 12
   (cover ratios, debt sizing).
.. [4] R. A. Brealey, S. C. Myers and F. Allen, *Principles of Corporate Finance*, McGraw-Hill,
   ch. "Inflation and capital budgeting" (discount nominal flows at nominal rates).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from . import finance, formatting
from .appraisal import Appraisal, run_of
from .cases import FINANCING_PARAMETERS, Case
from .cashflow import CashFlows, Values, build
from .errors import InputError
from .i18n import N_, fmt
from .i18n import gettext as _
from .parameters import ResolvedParameters, resolve, usd_per_unit
from .quantities import Quantity

#: Paths a run may vary per scenario through ``values=`` besides the case's own numbers.
PARAMETER_PATHS: dict[str, str] = {
    **{p: n for p, n in FINANCING_PARAMETERS.items() if p != "financing.repayment"},
    "parameters.inflation_rate": "inflation_rate",
    "parameters.tax_rate": "tax_rate",
    "parameters.discount_rate": "discount_rate",
}
INCENTIVE_FIELDS = ("preferential_rate", "preferential_years", "exempt_years", "reduced_years",
                    "reduction")
#: The terms-table names of the incentive fields (marked for the catalog, looked up where shown).
INCENTIVE_TERMS = {"preferential_rate": N_("tax incentive: preferential rate"),
                   "preferential_years": N_("tax incentive: preferential years"),
                   "exempt_years": N_("tax incentive: exempt years"),
                   "reduced_years": N_("tax incentive: reduced years"),
                   "reduction": N_("tax incentive: reduction")}
#: The operating year (1 = first) in which an exemption starts at the latest (Decree 218, 16.1).
EXEMPTION_START_LATEST_YEAR = 4
_BISECTION_STEPS = 40


# ---------------------------------------------------------------------------------------------
# Parameters and terms
# ---------------------------------------------------------------------------------------------


def resolve_parameters(
    case: Case, overrides: Mapping[str, Any] | None = None, *, parameters_dir=None,
) -> ResolvedParameters:
    """All parameters of one financing run: defaults < case < case blocks < run ``overrides``."""
    return resolve(case.parameter_overrides(), overrides, directory=parameters_dir,
                   case_file=case.source_file)


def _column(x: Any) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return a.reshape(-1, 1) if a.ndim else a.reshape(1, 1)


@dataclass(frozen=True)
class Incentive:
    """A CIT incentive as ``(n, 1)`` arrays (``preferential_rate`` nan: none; years inf: life)."""

    preferential_rate: np.ndarray
    preferential_years: np.ndarray
    exempt_years: np.ndarray
    reduced_years: np.ndarray
    reduction: np.ndarray
    basis: str = ""


@dataclass(frozen=True)
class Terms:
    """Loan, tax and rate terms of one financing run, each an ``(n, 1)`` array or a scalar."""

    debt_share: np.ndarray  #: [fraction of capex]
    interest_rate: np.ndarray  #: nominal [1/yr]
    tenor_years: np.ndarray  #: [yr], from the first operating year, incl. grace
    grace_years: np.ndarray  #: [yr]
    upfront_fee: np.ndarray  #: [fraction of the amount drawn]
    target_min_dscr: np.ndarray  #: [-]
    inflation_rate: np.ndarray  #: [1/yr]
    discount_rate: np.ndarray  #: real [1/yr]
    tax_rate: np.ndarray  #: standard CIT rate [fraction]
    depreciation_years: np.ndarray  #: [yr]
    loss_carryforward_years: int  #: [yr]
    repayment: str  #: "annuity" or "equal_principal"
    borrower: str  #: "project", "supplier" or "receiver"
    lender: str
    incentive: Incentive | None

    @property
    def n_scenarios(self) -> int:
        """Number of scenario rows the terms carry (1 when every term is a single value)."""
        arrays = [v for v in vars(self).values() if isinstance(v, np.ndarray)]
        if self.incentive is not None:
            arrays += [v for v in vars(self.incentive).values() if isinstance(v, np.ndarray)]
        return max(a.shape[0] for a in arrays)

    @property
    def nominal_discount_rate(self) -> np.ndarray:
        """``(1 + r)(1 + i) - 1`` [1/yr], the rate for nominal flows (Fisher)."""
        return (1.0 + self.discount_rate) * (1.0 + self.inflation_rate) - 1.0


def terms_for(case: Case, params: Mapping[str, Any], values: Values | None = None) -> Terms:
    """Resolve the financing terms of ``case``; ``values`` may give one per scenario.

    Parameters
    ----------
    case : Case
        A validated case.
    params : mapping
        Resolved parameter values (:func:`resolve_parameters`, so the case blocks are in).
    values : mapping of str to float or array, optional
        Per-scenario overrides by path (see :data:`PARAMETER_PATHS` and
        ``tax.incentive.<field>``).
    """
    values = values or {}

    def get(path: str, name: str) -> np.ndarray:
        return _column(values.get(path, params[name]))

    inc = case.tax.incentive if case.tax is not None else None
    incentive = None
    if inc is not None:
        def q(name: str, default: float) -> np.ndarray:
            quantity: Quantity | None = getattr(inc, name)
            base = default if quantity is None else quantity.value
            return _column(values.get(f"tax.incentive.{name}", base))

        incentive = Incentive(
            preferential_rate=q("preferential_rate", math.nan),
            preferential_years=q("preferential_years", math.inf),
            exempt_years=np.rint(q("exempt_years", 0.0)),
            reduced_years=np.rint(q("reduced_years", 0.0)),
            reduction=q("reduction", 0.0),
            basis=inc.basis,
        )
    fin = case.financing
    return Terms(
        debt_share=get("financing.debt_share", "debt_share"),
        interest_rate=get("financing.interest_rate", "loan_interest_rate"),
        tenor_years=np.rint(get("financing.tenor_years", "loan_tenor_years")),
        grace_years=np.rint(get("financing.grace_years", "loan_grace_years")),
        upfront_fee=get("financing.upfront_fee", "loan_upfront_fee"),
        target_min_dscr=get("financing.target_min_dscr", "target_min_dscr"),
        inflation_rate=get("parameters.inflation_rate", "inflation_rate"),
        discount_rate=get("parameters.discount_rate", "discount_rate"),
        tax_rate=get("parameters.tax_rate", "tax_rate"),
        depreciation_years=np.rint(get("tax.depreciation_years", "depreciation_years")),
        loss_carryforward_years=int(params["loss_carryforward_years"]),
        repayment=str(params["loan_repayment"]),
        borrower=fin.borrower if fin is not None else "project",
        lender=(fin.lender if fin is not None else "") or _("commercial bank (default terms)"),
        incentive=incentive,
    )


def split_values(case: Case, values: Values | None) -> tuple[dict, dict]:
    """Split ``values`` into the paths :func:`eip_analysis.cashflow.build` reads and the rest.

    Returns
    -------
    (dict, dict)
        ``(for_cashflows, for_terms)``: the case's project numbers, then the financing, tax
        and parameter paths (:data:`PARAMETER_PATHS`, ``tax.incentive.<field>``). An unknown
        path raises :class:`~eip_analysis.errors.InputError`.
    """
    project = {p for p, _, _ in case.quantities()} - {p for p, _, _ in case.financing_quantities()}
    term_paths = set(PARAMETER_PATHS) | {f"tax.incentive.{f}" for f in INCENTIVE_FIELDS}
    for_cf, for_terms = {}, {}
    for path, v in (values or {}).items():
        if path in project:
            for_cf[path] = v
        elif path in term_paths:
            for_terms[path] = v
        else:
            raise InputError(f"paths of this case's numbers or financing terms "
                             f"({', '.join(sorted(project | term_paths))})",
                             field="values", got=path)
    return for_cf, for_terms


# ---------------------------------------------------------------------------------------------
# Pure building blocks: loan, depreciation, tax
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanSchedule:
    """Yearly loan schedule, each array ``(n, years)`` [currency, nominal]."""

    opening_balance: np.ndarray
    drawdown: np.ndarray
    interest: np.ndarray  #: accrued on the opening balance
    capitalised_interest: np.ndarray  #: interest during construction, added to the balance
    interest_paid: np.ndarray
    principal: np.ndarray
    closing_balance: np.ndarray

    @property
    def debt_service(self) -> np.ndarray:
        """Interest paid + principal [currency]."""
        return self.interest_paid + self.principal


def loan_schedule(
    drawdown: np.ndarray,
    interest_rate: float | np.ndarray,
    *,
    first_operating_year: int,
    grace_years: float | np.ndarray,
    tenor_years: float | np.ndarray,
    repayment: str = "equal_principal",
) -> LoanSchedule:
    """Loan schedule with capitalised interest during construction, grace, then repayment.

    Parameters
    ----------
    drawdown : array_like, shape (n, T) or (T,)
        Amount drawn at the end of each year ``0 .. T-1`` [currency, nominal].
    interest_rate : float or array_like, shape (n, 1)
        Nominal interest rate [1/yr], on the opening balance of each year.
    first_operating_year : int
        ``s``: interest of years ``< s`` is capitalised, from ``s`` it is paid.
    grace_years : int or array_like, shape (n, 1)
        ``g``: interest-only years ``s .. s+g-1`` [yr].
    tenor_years : int or array_like, shape (n, 1)
        ``N``: the last repayment is in year ``s + N - 1`` [yr]; ``N > g``.
    repayment : {"annuity", "equal_principal"}
        Level debt service, or equal principal instalments with interest on the declining
        balance.

    Returns
    -------
    LoanSchedule
        Arrays ``(n, T)`` [currency]; ``closing_balance`` is zero after the last repayment.

    Notes
    -----
    With opening balance :math:`B_t`, rate :math:`r` and :math:`m_t = s + N - t` repayment
    years left (in the repayment period :math:`s + g \\le t \\le s + N - 1`):

    .. math::

        I_t = r B_t, \\qquad
        P_t = \\begin{cases}
            B_t \\, r / (1 - (1 + r)^{-m_t}) - I_t & \\text{annuity} \\\\
            B_t / m_t & \\text{equal principal}
        \\end{cases}

    :math:`B_{t+1} = B_t + I_t [t < s] + D_t - P_t`. Re-amortising the balance over the
    years left each year gives the textbook schedules when all draws precede the repayment
    period (level payments; equal principal) [1]_.

    References
    ----------
    .. [1] D. G. Newnan, T. G. Eschenbach and J. P. Lavelle, *Engineering Economic Analysis*,
       Oxford University Press, chapter "Interest and equivalence" (loan repayment plans).

    Examples
    --------
    >>> s = loan_schedule([[100.0, 0, 0, 0]], 0.10, first_operating_year=1, grace_years=1,
    ...                   tenor_years=3, repayment="equal_principal")
    >>> s.interest_paid[0].tolist(), s.principal[0].tolist()
    ([0.0, 10.0, 10.0, 5.0], [0.0, 0.0, 50.0, 50.0])
    """
    if repayment not in ("annuity", "equal_principal"):
        raise InputError("annuity or equal_principal", field="loan_repayment", got=repayment)
    draws = np.atleast_2d(np.asarray(drawdown, dtype=float))
    n, n_years = draws.shape
    rate = np.broadcast_to(np.asarray(interest_rate, dtype=float).reshape(-1), (n,))
    grace = np.broadcast_to(np.asarray(grace_years, dtype=float).reshape(-1), (n,))
    tenor = np.broadcast_to(np.asarray(tenor_years, dtype=float).reshape(-1), (n,))
    s = first_operating_year
    last_repayment = s + tenor - 1
    out = {k: np.zeros((n, n_years)) for k in (
        "opening_balance", "interest", "capitalised_interest", "interest_paid", "principal",
        "closing_balance")}
    balance = np.zeros(n)
    for t in range(n_years):
        out["opening_balance"][:, t] = balance
        interest = rate * balance
        out["interest"][:, t] = interest
        if t < s:
            out["capitalised_interest"][:, t] = interest
            principal = np.zeros(n)
        else:
            out["interest_paid"][:, t] = interest
            left = last_repayment - t + 1  # repayment years left, this one included
            repaying = (t >= s + grace) & (left >= 1)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                if repayment == "annuity":
                    factor = np.where(rate > 0, rate / -np.expm1(-left * np.log1p(rate)),
                                      1.0 / left)
                    principal = balance * factor - interest
                else:
                    principal = balance / left
            principal = np.where(repaying, principal, 0.0)
            # last repayment year (and any year after it): repay the balance exactly
            principal = np.where(left <= 1, balance, principal)
        out["principal"][:, t] = principal
        balance = balance + out["capitalised_interest"][:, t] + draws[:, t] - principal
        out["closing_balance"][:, t] = balance
    return LoanSchedule(drawdown=draws, **out)


def straight_line_depreciation(
    investment: np.ndarray,
    *,
    first_operating_year: int,
    depreciation_years: float | np.ndarray,
    last_operating_year: float | np.ndarray,
) -> np.ndarray:
    """Straight-line depreciation of each year's investment, written off by the end of life.

    Parameters
    ----------
    investment : array_like, shape (n, T)
        Depreciable cost added in each year [currency] (capex, capitalised interest).
    first_operating_year : int
        Investment before this year is depreciated from it; later investment from the next
        year.
    depreciation_years : int or array_like, shape (n, 1)
        ``L`` [yr].
    last_operating_year : int or array_like, shape (n, 1)
        Book value left in this year is written off (expensed) in it [yr].

    Returns
    -------
    numpy.ndarray, shape (n, T)
        Depreciation charge [currency/yr]; each row sums to the row's investment.

    Notes
    -----
    Cost :math:`K_c` of year :math:`c` is charged :math:`K_c / L` in each of the years
    :math:`a_c .. a_c + L - 1` (:math:`a_c = \\max(s, c + 1)` for :math:`c \\ge s`, else
    :math:`s`) up to the last operating year, where the remainder is written off [1]_.

    References
    ----------
    .. [1] Ministry of Finance, Circular 45/2013/TT-BTC on the management, use and
       depreciation of fixed assets, art. 13 (straight-line method).
    """
    inv = np.atleast_2d(np.asarray(investment, dtype=float))
    n, n_years = inv.shape
    years = np.arange(n_years)[None, :]
    life = np.asarray(depreciation_years, dtype=float).reshape(-1, 1)
    last = np.asarray(last_operating_year, dtype=float).reshape(-1, 1)
    out = np.zeros((n, n_years))
    for c in np.flatnonzero(np.any(inv != 0, axis=0)):
        cost = inv[:, c:c + 1]
        start = first_operating_year if c < first_operating_year else c + 1
        charge = np.where((years >= start) & (years < start + life) & (years <= last),
                          cost / life, 0.0)
        remaining = cost - charge.sum(axis=1, keepdims=True)
        write_off_year = np.maximum(last, c)
        out += charge + remaining * (years == write_off_year)
    return out


@dataclass(frozen=True)
class TaxResult:
    """Corporate income tax per year, arrays ``(n, T)``; ``incentive_start_year`` ``(n,)``."""

    taxable_income: np.ndarray  #: after loss offset [currency]
    loss_used: np.ndarray  #: earlier losses offset this year [currency]
    loss_expired: np.ndarray  #: losses that can no longer be carried forward [currency]
    rate: np.ndarray  #: effective rate applied [fraction]
    tax: np.ndarray  #: tax payable [currency]
    incentive_start_year: np.ndarray  #: first exempt year; nan without an incentive


def corporate_income_tax(
    income: np.ndarray,
    *,
    first_operating_year: int,
    standard_rate: float | np.ndarray,
    incentive: Incentive | None = None,
    carryforward_years: int = 5,
) -> TaxResult:
    """Corporate income tax with loss carry-forward and a Vietnamese incentive schedule.

    Parameters
    ----------
    income : array_like, shape (n, T)
        Assessable income (losses negative) of years ``0 .. T-1`` [currency].
    first_operating_year : int
        ``s``, the first year with revenue [yr].
    standard_rate : float or array_like, shape (n, 1)
        Standard CIT rate [fraction] (20% since 2016).
    incentive : Incentive, optional
        Preferential rate and its years, exempt years, reduced years and the reduction.
    carryforward_years : int
        A loss of year ``t`` offsets income of years ``t+1 .. t+carryforward_years`` [yr].

    Returns
    -------
    TaxResult

    Notes
    -----
    Losses are offset oldest first. With an incentive, the base rate of year :math:`t` is the
    preferential rate for :math:`s \\le t < s + n_{pref}` (counted from the first revenue
    year), else the standard rate. Exemption and reduction count from the first year
    :math:`e` with taxable income after loss offset, and at the latest from the fourth
    operating year (:math:`e \\le s + 3`) [2]_:

    .. math::

        \\tau_t = \\begin{cases}
            0 & e \\le t < e + n_{ex} \\\\
            (1 - \\rho) \\, \\tau^{base}_t & e + n_{ex} \\le t < e + n_{ex} + n_{red} \\\\
            \\tau^{base}_t & \\text{otherwise}
        \\end{cases}

    e.g. 10% for 15 years, 4 years exempt, 9 years at 50% off: 0% (4 years), 5% (9 years),
    10% (2 years), then 20% [1]_ (domain brief).

    References
    ----------
    .. [1] Law on Corporate Income Tax No. 14/2008/QH12 as amended, arts. 13, 14, 16.
    .. [2] Decree 218/2013/ND-CP, arts. 15 (preferential rate from the first revenue year)
       and 16 (exemption from the first taxable-income year, at the latest the fourth
       revenue year).
    """
    inc = np.atleast_2d(np.asarray(income, dtype=float))
    n, n_years = inc.shape
    s = first_operating_year
    std = np.broadcast_to(np.asarray(standard_rate, dtype=float).reshape(-1), (n,))
    losses = np.zeros((n, n_years))
    taxable, used, expired, rate = (np.zeros((n, n_years)) for _ in range(4))
    start = np.full(n, np.inf)
    if incentive is not None:
        def flat(a: np.ndarray) -> np.ndarray:
            return np.broadcast_to(np.asarray(a, dtype=float).reshape(-1), (n,))

        pref_rate = flat(incentive.preferential_rate)
        pref_years = flat(incentive.preferential_years)
        exempt = flat(incentive.exempt_years)
        reduced = flat(incentive.reduced_years)
        reduction = flat(incentive.reduction)
    for t in range(n_years):
        remaining = np.maximum(inc[:, t], 0.0)
        for k in range(max(0, t - carryforward_years), t):
            use = np.minimum(remaining, losses[:, k])
            losses[:, k] -= use
            remaining -= use
            used[:, t] += use
        losses[:, t] = np.maximum(-inc[:, t], 0.0)
        if t - carryforward_years >= 0:
            expired[:, t] = losses[:, t - carryforward_years]
            losses[:, t - carryforward_years] = 0.0
        taxable[:, t] = remaining
        if incentive is None:
            rate[:, t] = std
            continue
        if t >= s:
            begins = np.isinf(start) & ((remaining > 0) | (t >= s + EXEMPTION_START_LATEST_YEAR - 1))
            start[begins] = t
        in_pref = (t >= s) & (t < s + pref_years) & ~np.isnan(pref_rate)
        base = np.where(in_pref, np.nan_to_num(pref_rate), std)
        k = t - start  # -inf before the start
        factor = np.where((k >= 0) & (k < exempt), 0.0,
                          np.where((k >= exempt) & (k < exempt + reduced), 1.0 - reduction, 1.0))
        rate[:, t] = base * factor
    return TaxResult(
        taxable_income=taxable, loss_used=used, loss_expired=expired, rate=rate,
        tax=taxable * rate,
        incentive_start_year=np.where(np.isinf(start), np.nan, start) if incentive
        else np.full(n, np.nan),
    )


# ---------------------------------------------------------------------------------------------
# The financing model of a case, vectorised
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unlevered:
    """The borrower's flows before financing [USD, nominal], ``(n, T)`` arrays."""

    years: np.ndarray
    index: np.ndarray  # (1 + i)^t
    operating: np.ndarray
    last_operating_year: np.ndarray  # (n, 1)
    capex: np.ndarray  # positive
    operating_cash_flow: np.ndarray  # benefits - opex (+ transfers for a party)
    salvage: np.ndarray
    tenor_years: np.ndarray  # (n, 1), shortened to the life
    grace_years: np.ndarray  # (n, 1)
    eligible: np.ndarray  # (n, T) bool: capex year financed by the loan


@dataclass(frozen=True)
class _Levered:
    loan: LoanSchedule
    fees: np.ndarray
    depreciation: np.ndarray
    tax: TaxResult
    cfads: np.ndarray
    dscr: np.ndarray


@dataclass(frozen=True)
class FinancingFlows:
    """Yearly financing model of a case for ``n`` scenarios, arrays ``(n, T)`` [USD nominal].

    Divide a nominal array by :attr:`index` for constant (real) USD of year 0.
    """

    case_id: str
    terms: Terms
    years: np.ndarray
    index: np.ndarray  #: inflation index ``(1 + i)^t`` [-]
    operating: np.ndarray
    capex: np.ndarray  #: investment, positive
    operating_cash_flow: np.ndarray  #: benefits - opex (+ transfers for a party borrower)
    salvage: np.ndarray
    loan: LoanSchedule
    fees: np.ndarray  #: upfront fee paid at drawdown
    depreciation: np.ndarray  #: with capitalised interest in the cost
    tax: TaxResult  #: tax paid with the loan
    tax_unlevered: TaxResult  #: tax of the project without debt
    project_after_tax: np.ndarray  #: operating + salvage - capex - unlevered tax
    equity: np.ndarray  #: project flows + loan flows - fees - tax paid
    cfads: np.ndarray  #: cash flow available for debt service
    dscr: np.ndarray  #: CFADS / debt service; nan without debt service
    tenor_years: np.ndarray  #: (n, 1) tenor applied (shortened to the life) [yr]
    unlevered: _Unlevered = field(repr=False)

    def real(self, nominal: np.ndarray) -> np.ndarray:
        """Nominal USD -> constant USD of year 0."""
        return nominal / self.index


def _unlevered(case: Case, cf: CashFlows, terms: Terms, usd: float) -> _Unlevered:
    who = terms.borrower

    def section(name: str) -> np.ndarray:
        parts = [a for k, a in cf.lines.items()
                 if cf.line_section[k] == name and (who == "project" or cf.line_party[k] == who)]
        return np.sum(np.broadcast_arrays(*parts, np.zeros(cf.operating.shape)), axis=0)

    ocf = section("benefits") + section("opex")
    if who != "project":
        ocf = ocf + cf.transfers.get(who, 0.0)
    years = cf.years
    n = max(cf.operating.shape[0], terms.n_scenarios)  # cash flows or terms may vary
    shape = (n, years.size)
    index = np.broadcast_to((1.0 + terms.inflation_rate) ** years[None, :], shape)
    s = case.operation_start_year
    life = np.broadcast_to(cf.lifetime_years.astype(float), (n, 1))
    tenor = np.broadcast_to(np.minimum(terms.tenor_years, life), (n, 1))
    grace = np.broadcast_to(np.clip(terms.grace_years, 0, tenor - 1), (n, 1))
    return _Unlevered(
        years=years,
        index=index,
        operating=np.broadcast_to(cf.operating, shape),
        last_operating_year=s + life - 1,
        capex=-section("capex") * usd * index + 0.0,  # + 0.0: no negative zeros
        operating_cash_flow=ocf * usd * index,
        salvage=section("salvage") * usd * index,
        tenor_years=tenor,
        grace_years=grace,
        eligible=years[None, :] < s + grace,
    )


def _levered(case: Case, u: _Unlevered, terms: Terms, debt_share: np.ndarray) -> _Levered:
    s = case.operation_start_year
    draws = debt_share * u.capex * u.eligible
    loan = loan_schedule(draws, terms.interest_rate, first_operating_year=s,
                         grace_years=u.grace_years, tenor_years=u.tenor_years,
                         repayment=terms.repayment)
    fees = terms.upfront_fee * draws
    depreciation = straight_line_depreciation(
        u.capex + loan.capitalised_interest, first_operating_year=s,
        depreciation_years=terms.depreciation_years, last_operating_year=u.last_operating_year)
    income = u.operating_cash_flow + u.salvage - depreciation - loan.interest_paid - fees
    tax = corporate_income_tax(income, first_operating_year=s, standard_rate=terms.tax_rate,
                               incentive=terms.incentive,
                               carryforward_years=terms.loss_carryforward_years)
    cfads = u.operating_cash_flow + u.salvage - tax.tax - (u.capex - draws)
    service = loan.debt_service
    with np.errstate(divide="ignore", invalid="ignore"):
        dscr = np.where(service > 0, cfads / service, np.nan)
    return _Levered(loan=loan, fees=fees, depreciation=depreciation, tax=tax, cfads=cfads,
                    dscr=dscr)


def build_financing(
    case: Case, params: Mapping[str, Any], values: Values | None = None,
    cashflows: CashFlows | None = None,
) -> FinancingFlows:
    """The yearly financing model of ``case`` for one or many scenarios.

    Parameters
    ----------
    case : Case
        A validated case.
    params : mapping
        Resolved parameter values, from :func:`resolve_parameters` (so the case's
        ``financing:`` and ``tax:`` blocks are in).
    values : mapping of str to float or array, optional
        Per-scenario replacements by path: the case's numbers, financing terms
        (``financing.interest_rate``...), ``parameters.inflation_rate``...
    cashflows : CashFlows, optional
        Already built case cash flows for the same ``values``.

    Returns
    -------
    FinancingFlows
        Arrays ``(n, T)`` in nominal USD; see the module conventions.
    """
    for_cf, for_terms = split_values(case, values)
    cf = cashflows if cashflows is not None else build(case, for_cf)
    terms = terms_for(case, params, for_terms)
    u = _unlevered(case, cf, terms, usd_per_unit(params, case.currency))
    lev = _levered(case, u, terms, terms.debt_share)
    n = u.capex.shape[0]
    zero_debt = _levered(case, u, terms, np.zeros((n, 1)))
    # Unlevered tax: the same model without the loan (no interest, fees or capitalised interest).
    project_after_tax = u.operating_cash_flow + u.salvage - u.capex - zero_debt.tax.tax
    loan = lev.loan
    equity = (u.operating_cash_flow + u.salvage - u.capex + loan.drawdown - lev.fees
              - loan.debt_service - lev.tax.tax)
    return FinancingFlows(
        case_id=case.id, terms=terms, years=u.years, index=u.index, operating=u.operating,
        capex=u.capex, operating_cash_flow=u.operating_cash_flow, salvage=u.salvage,
        loan=loan, fees=lev.fees, depreciation=lev.depreciation, tax=lev.tax,
        tax_unlevered=zero_debt.tax, project_after_tax=project_after_tax, equity=equity,
        cfads=lev.cfads, dscr=lev.dscr, tenor_years=u.tenor_years, unlevered=u,
    )


def _nan_reduce(func, a: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        has = ~np.all(np.isnan(a), axis=1)
        out = np.full(a.shape[0], np.nan)
        if has.any():
            out[has] = func(a[has], axis=1)
    return out


def debt_capacity_share(case: Case, flows: FinancingFlows) -> np.ndarray:
    """Largest debt share in [0, 1] whose minimum DSCR is at least the target, per scenario.

    Notes
    -----
    The minimum DSCR falls as the debt share rises (debt service is proportional to the debt,
    the interest tax shield grows more slowly), so the share is found by bisection, all
    scenarios at once, to :math:`2^{-40}`. The tenor, grace, rate and profile of the case are
    kept; 1.0 means the target holds even with all eligible capex borrowed [1]_.

    References
    ----------
    .. [1] E. R. Yescombe, *Principles of Project Finance*, 2nd ed., Academic Press, 2014,
       ch. 12 (debt sizing by cover ratios).
    """
    u, terms = flows.unlevered, flows.terms
    n = u.capex.shape[0]
    target = np.broadcast_to(terms.target_min_dscr.reshape(-1), (n,))

    def ok(share: np.ndarray) -> np.ndarray:
        dscr = _levered(case, u, terms, share[:, None]).dscr
        worst = _nan_reduce(np.nanmin, dscr)
        return np.isnan(worst) | (worst >= target)

    lo, hi = np.zeros(n), np.ones(n)
    full = ok(hi)
    for _step in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        good = ok(mid)
        lo, hi = np.where(good, mid, lo), np.where(good, hi, mid)
    return np.where(full, 1.0, lo)


#: Names of the vectorised financing metrics (:func:`evaluate_financing`).
FINANCING_METRIC_NAMES = (
    "debt_usd", "equity_invested_usd", "project_npv_after_tax_usd", "project_irr_after_tax",
    "equity_npv_usd", "equity_irr", "equity_irr_nominal", "equity_payback_years", "min_dscr",
    "average_dscr", "debt_capacity_usd", "debt_capacity_share", "tax_pv_usd",
)


def evaluate_financing(
    case: Case, params: Mapping[str, Any], values: Values | None = None,
    cashflows: CashFlows | None = None, *, flows: FinancingFlows | None = None,
    debt_capacity: bool = True,
) -> dict[str, np.ndarray]:
    """Financing metrics for one or many scenarios, arrays of shape ``(n,)``.

    Parameters
    ----------
    case, params, values, cashflows
        As for :func:`build_financing`.
    flows : FinancingFlows, optional
        An already built model (then ``values`` and ``cashflows`` are not used).
    debt_capacity : bool
        Also size the largest debt at the target DSCR (40 more model runs); else nan.

    Returns
    -------
    dict of str to numpy.ndarray
        ``debt_usd`` (sum drawn, nominal), ``equity_invested_usd`` (capex not borrowed + fees,
        nominal), ``project_npv_after_tax_usd`` and ``equity_npv_usd`` (USD of year 0),
        ``project_irr_after_tax`` and ``equity_irr`` (real [1/yr]), ``equity_irr_nominal``,
        ``equity_payback_years`` (of the nominal equity flows [yr]), ``min_dscr`` and
        ``average_dscr`` [-] (nan without debt), ``debt_capacity_usd`` (nominal),
        ``debt_capacity_share``, ``tax_pv_usd``.

    Notes
    -----
    :math:`\\mathrm{NPV} = \\sum_t F^{nom}_t / ((1 + r)(1 + i))^t
    = \\sum_t (F^{nom}_t / (1 + i)^t) / (1 + r)^t` [1]_; the real IRR of the deflated flows
    equals :math:`(1 + \\mathrm{IRR}_{nom}) / (1 + i) - 1`.

    References
    ----------
    .. [1] R. A. Brealey, S. C. Myers and F. Allen, *Principles of Corporate Finance*,
       McGraw-Hill, ch. "Inflation and capital budgeting".
    """
    fl = flows if flows is not None else build_financing(case, params, values, cashflows)
    n = fl.capex.shape[0]
    rate = np.broadcast_to(fl.terms.discount_rate.reshape(-1), (n,))
    infl = np.broadcast_to(fl.terms.inflation_rate.reshape(-1), (n,))
    project_real = fl.real(fl.project_after_tax)
    equity_real = fl.real(fl.equity)
    equity_irr = finance.irr(equity_real)
    debt = fl.loan.drawdown.sum(axis=1)
    if debt_capacity:
        share = debt_capacity_share(case, fl)
        eligible = (fl.unlevered.capex * fl.unlevered.eligible).sum(axis=1)
        capacity = share * eligible
    else:
        share = capacity = np.full(n, np.nan)
    return {
        "debt_usd": debt,
        "equity_invested_usd": (fl.capex - fl.loan.drawdown + fl.fees).sum(axis=1),
        "project_npv_after_tax_usd": finance.npv(rate, project_real),
        "project_irr_after_tax": finance.irr(project_real),
        "equity_npv_usd": finance.npv(rate, equity_real),
        "equity_irr": equity_irr,
        "equity_irr_nominal": (1.0 + equity_irr) * (1.0 + infl) - 1.0,
        "equity_payback_years": finance.payback_period(fl.equity),
        "min_dscr": _nan_reduce(np.nanmin, fl.dscr),
        "average_dscr": _nan_reduce(np.nanmean, fl.dscr),
        "debt_capacity_usd": capacity,
        "debt_capacity_share": share,
        "tax_pv_usd": finance.npv(rate, fl.real(fl.tax.tax)),
    }


# ---------------------------------------------------------------------------------------------
# One case, one scenario: tables and warnings
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinancingMetrics:
    """Headline financing metrics of one case (see :func:`evaluate_financing`)."""

    debt_usd: float  #: loan drawn, nominal [USD]
    equity_invested_usd: float  #: own funds in the investment + fees, nominal [USD]
    project_npv_after_tax_usd: float  #: [USD of year 0]
    project_irr_after_tax: float  #: real [1/yr]
    equity_npv_usd: float  #: [USD of year 0]
    equity_irr: float  #: real [1/yr]; nan when not defined
    equity_irr_nominal: float  #: nominal [1/yr]
    equity_payback_years: float  #: [yr]; inf when never
    min_dscr: float  #: [-]; nan without debt
    average_dscr: float  #: [-]
    debt_capacity_usd: float  #: largest debt at the target minimum DSCR, nominal [USD]
    debt_capacity_share: float  #: the same as a share of the eligible capex [-]
    tax_pv_usd: float  #: present value of the tax paid [USD of year 0]

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class FinancingAppraisal:
    """The financing view of one case: metrics, a yearly table and warnings in words."""

    case: Case
    parameters: ResolvedParameters
    metrics: FinancingMetrics
    flows: FinancingFlows = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    warnings: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        if name in FINANCING_METRIC_NAMES:
            return getattr(self.metrics, name)
        raise AttributeError(name)

    @property
    def target_min_dscr(self) -> float:
        return float(self.flows.terms.target_min_dscr.reshape(-1)[0])

    def loan_table(self) -> pd.DataFrame:
        """Loan schedule by year (years with a balance or a payment) [USD nominal]."""
        cols = ["year", "opening_balance_usd", "drawdown_usd", "interest_usd",
                "capitalised_interest_usd", "interest_paid_usd", "principal_usd",
                "debt_service_usd", "closing_balance_usd", "cfads_usd", "dscr"]
        t = self.table[cols]
        active = (t[cols[1:-2]].abs().sum(axis=1) > 0)
        return t[active].reset_index(drop=True)

    def tax_table(self) -> pd.DataFrame:
        """Tax by year: income, depreciation, losses, rate and tax [USD nominal]."""
        return self.table[["year", "phase", "operating_cash_flow_usd", "salvage_usd",
                           "depreciation_usd", "interest_paid_usd", "upfront_fee_usd",
                           "assessable_income_usd", "loss_used_usd", "taxable_income_usd",
                           "cit_rate", "tax_usd"]]

    def terms_table(self) -> pd.DataFrame:
        """The loan and tax terms used, with their sources."""
        p = self.parameters
        names = ["debt_share", "loan_interest_rate", "loan_tenor_years", "loan_grace_years",
                 "loan_repayment", "loan_upfront_fee", "target_min_dscr", "inflation_rate",
                 "discount_rate", "tax_rate", "depreciation_years", "loss_carryforward_years"]
        rows = [{"term": k, "value": p[k], "unit": p.units[k], "source": p.sources[k]}
                for k in names]
        rows.insert(0, {"term": "lender", "value": self.flows.terms.lender, "unit": "",
                        "source": "financing.lender of the case" if self.case.financing
                        else "default terms"})
        rows.insert(1, {"term": "borrower", "value": self.flows.terms.borrower, "unit": "",
                        "source": "financing.borrower of the case (default: the project)"})
        inc = self.case.tax.incentive if self.case.tax else None
        if inc is not None:
            for name in INCENTIVE_FIELDS:
                q = getattr(inc, name)
                if q is not None:
                    rows.append({"term": _(INCENTIVE_TERMS[name]),
                                 "value": q.value, "unit": q.unit, "source": q.source})
            rows.append({"term": _("tax incentive: basis"), "value": inc.basis, "unit": "",
                         "source": "case tax.incentive.basis"})
        return pd.DataFrame(rows)


def _phase(case: Case, years: np.ndarray, last_operating_year: int) -> np.ndarray:
    phase = np.where(years < case.operation_start_year, "construction", "operation")
    return np.where(years > last_operating_year, "after life", phase)


def _yearly_table(case: Case, fl: FinancingFlows) -> pd.DataFrame:
    r = 0
    last = int(fl.unlevered.last_operating_year.reshape(-1)[r])
    loan, tax = fl.loan, fl.tax
    depreciation = fl.depreciation[r]
    assessable = (fl.operating_cash_flow[r] + fl.salvage[r] - depreciation
                  - loan.interest_paid[r] - fl.fees[r])
    return pd.DataFrame({
        "year": fl.years,
        "phase": _phase(case, fl.years, last),
        "inflation_index": fl.index[r],
        "capex_usd": fl.capex[r],
        "operating_cash_flow_usd": fl.operating_cash_flow[r],
        "salvage_usd": fl.salvage[r],
        "drawdown_usd": loan.drawdown[r],
        "upfront_fee_usd": fl.fees[r],
        "opening_balance_usd": loan.opening_balance[r],
        "interest_usd": loan.interest[r],
        "capitalised_interest_usd": loan.capitalised_interest[r],
        "interest_paid_usd": loan.interest_paid[r],
        "principal_usd": loan.principal[r],
        "debt_service_usd": loan.debt_service[r],
        "closing_balance_usd": loan.closing_balance[r],
        "depreciation_usd": depreciation,
        "assessable_income_usd": assessable,
        "loss_used_usd": tax.loss_used[r],
        "taxable_income_usd": tax.taxable_income[r],
        "cit_rate": tax.rate[r],
        "tax_usd": tax.tax[r],
        "tax_unlevered_usd": fl.tax_unlevered.tax[r],
        "cfads_usd": fl.cfads[r],
        "dscr": fl.dscr[r],
        "project_cash_flow_after_tax_usd": fl.project_after_tax[r],
        "equity_cash_flow_usd": fl.equity[r],
        "project_cash_flow_after_tax_real_usd": fl.real(fl.project_after_tax)[r],
        "equity_cash_flow_real_usd": fl.real(fl.equity)[r],
    })


def _year_list(years: np.ndarray) -> str:
    ys = [int(y) for y in years]
    return ", ".join(str(y) for y in ys[:6]) + (" ..." if len(ys) > 6 else "")


#: Below this share of own money in the investment, equity returns are flagged as leverage-driven.
THIN_EQUITY_SHARE = 0.05


def financing_warnings(fa: FinancingAppraisal) -> list[str]:
    """Plain-language warnings where a financing result means nothing or fails a lender's test,
    in the active language."""
    m, fl, case = fa.metrics, fa.flows, fa.case
    t = fa.table
    out: list[str] = []
    target = fa.target_min_dscr
    lifetime_years = int(fl.unlevered.last_operating_year.reshape(-1)[0]) \
        - case.operation_start_year + 1
    tenor_asked = int(fl.terms.tenor_years.reshape(-1)[0])
    if tenor_asked > lifetime_years:
        out.append(_("Loan tenor shortened from {asked} to {used} years: the loan cannot run "
                     "beyond the operating life.").format(asked=tenor_asked, used=lifetime_years))
    grace_asked = int(fl.terms.grace_years.reshape(-1)[0])
    grace_used = int(fl.unlevered.grace_years.reshape(-1)[0])
    if grace_asked > grace_used:
        out.append(_("Grace period shortened from {asked} to {used} years: at least one year of "
                     "the tenor must repay principal.").format(asked=grace_asked, used=grace_used))
    if m.debt_usd <= 0:
        out.append(_("No debt: DSCR and debt capacity do not apply; equity carries the whole "
                     "investment."))
    else:
        dscr = t["dscr"].to_numpy()
        below1 = t["year"][dscr < 1.0].to_numpy()
        below_target = t["year"][dscr < target].to_numpy()
        if below1.size:
            out.append(_(
                "Debt service not covered: DSCR falls to {dscr} (below {one} in year(s) "
                "{years}); the owner must add cash or the loan must be reshaped (longer tenor, "
                "more grace, lower debt share).").format(
                dscr=fmt(m.min_dscr, ".2f"), one=fmt(1.0, ".1f"), years=_year_list(below1)))
        elif below_target.size:
            out.append(_("Fails the lender's cover test: minimum DSCR {dscr} is below the "
                         "{target} target in year(s) {years}.").format(
                dscr=fmt(m.min_dscr, ".2f"), target=fmt(target, ".2f"),
                years=_year_list(below_target)))
        if m.debt_capacity_usd + 0.5 < m.debt_usd:
            out.append(_(
                "The project carries at most {capacity} of debt ({share} of the capex) at a "
                "minimum DSCR of {target}, less than the {debt} assumed.").format(
                capacity=formatting.money(m.debt_capacity_usd),
                share=formatting.percent(m.debt_capacity_share, digits=0),
                target=fmt(target, ".2f"), debt=formatting.money(m.debt_usd)))
    if m.equity_invested_usd <= 0 and m.debt_usd <= 0:
        out.append(_("No investment by the borrower: equity returns (IRR, payback) are not "
                     "meaningful."))
    elif m.equity_invested_usd <= 0:
        out.append(_("No equity at risk: the loan covers the whole investment, so equity "
                     "returns (IRR, payback) are not meaningful."))
    elif m.equity_invested_usd < THIN_EQUITY_SHARE * (m.equity_invested_usd + m.debt_usd):
        share = m.equity_invested_usd / (m.equity_invested_usd + m.debt_usd)
        out.append(_("Thin equity: the owner puts in {share} of the money, so equity IRR and "
                     "payback are inflated by leverage; read the equity NPV and the DSCR.")
                   .format(share=formatting.percent(share)))
    if not np.isfinite(m.equity_irr):
        flows = fl.equity[0]
        if flows.sum() < 0 and (flows > 0).any():
            out.append(_("Equity IRR not defined: the owner never gets its money back. Read "
                         "the equity NPV."))
        elif finance.sign_changes(flows) == 0:
            out.append(_("Equity IRR not defined: the equity cash flow never changes sign. "
                         "Read the equity NPV."))
        else:
            out.append(_("Equity IRR not defined: no rate makes the equity NPV zero. Read the "
                         "equity NPV."))
    if m.equity_npv_usd < 0:
        out.append(_(
            "Equity NPV is negative ({npv}): after tax and debt service the owner earns less "
            "than the {rate} real return asked.").format(
            npv=formatting.money(m.equity_npv_usd),
            rate=formatting.percent(fa.parameters["discount_rate"])))
    op = t[(t["phase"] == "operation") & (t["equity_cash_flow_usd"] < -0.5)]
    op = op[op["capex_usd"] <= 0]
    if m.debt_usd > 0 and len(op):
        out.append(_("Cash shortfall: the owner must inject {amount} (nominal) in operating "
                     "year(s) {years} to meet debt service.").format(
            amount=formatting.money(-op["equity_cash_flow_usd"].sum()),
            years=_year_list(op["year"])))
    expired = fl.tax.loss_expired[0].sum()
    if expired > 0.5:
        out.append(_("Tax losses of {amount} (nominal) expire unused after {years} years of "
                     "carry-forward.").format(amount=formatting.money(expired),
                                              years=fl.terms.loss_carryforward_years))
    return out


def appraise_financing(
    case: Case | Appraisal, *, values: Values | None = None, parameters_dir=None,
    **overrides: Any,
) -> FinancingAppraisal:
    """Financing, tax and the equity view of one case.

    Parameters
    ----------
    case : Case or Appraisal
        From :func:`eip_analysis.load_case`, or an appraisal of it, whose parameters and cash
        flows are then reused (nothing re-resolved, no cash flow rebuilt).
    values : mapping of str to float, optional
        Single replacement values by path (case numbers or financing terms).
    parameters_dir : path, optional
        Folder of the parameter defaults.
    **overrides
        Parameter overrides for this run, e.g. ``loan_interest_rate=0.036, debt_share=0.7``.

    Returns
    -------
    FinancingAppraisal
        ``.metrics`` (also ``fa.equity_irr``...), ``.table`` (one row per year),
        ``.loan_table()``, ``.tax_table()``, ``.terms_table()``, ``.warnings``.

    Examples
    --------
    >>> from eip_analysis import load_case
    >>> fa = appraise_financing(load_case("tests/data/cases/MINI-01.yaml"), inflation_rate=0.0,
    ...                         tax_rate=0.0, debt_share=0.0)
    >>> round(fa.project_npv_after_tax_usd, 2)
    4457.64
    """
    for path, v in (values or {}).items():
        if np.ndim(v) != 0:
            raise InputError("a single number per path; use evaluate_financing() for arrays",
                             field=path)
    case, params, cf = run_of(case, overrides, parameters_dir=parameters_dir)
    for_cf, _ = split_values(case, values)
    flows = build_financing(case, params.values, values, cashflows=None if for_cf else cf)
    raw = evaluate_financing(case, params.values, flows=flows)
    metrics = FinancingMetrics(**{k: float(v[0]) for k, v in raw.items()})
    fa = FinancingAppraisal(case=case, parameters=params, metrics=metrics, flows=flows,
                            table=_yearly_table(case, flows))
    fa.warnings.extend(financing_warnings(fa))
    return fa


def financing_summary(fa: FinancingAppraisal) -> pd.DataFrame:
    """Headline financing metrics as a table for a report: metric, value, unit, in words."""
    m, p = fa.metrics, fa.parameters
    nominal = fa.flows.terms.nominal_discount_rate.reshape(-1)[0]
    rows = [
        ("Loan drawn", m.debt_usd, "USD nominal", formatting.money(m.debt_usd)),
        ("Own funds invested (incl. fees)", m.equity_invested_usd, "USD nominal",
         formatting.money(m.equity_invested_usd)),
        ("After-tax project NPV", m.project_npv_after_tax_usd, "USD",
         formatting.money(m.project_npv_after_tax_usd)),
        ("After-tax project IRR (real)", m.project_irr_after_tax, "1/yr",
         formatting.percent(m.project_irr_after_tax)),
        ("Equity NPV", m.equity_npv_usd, "USD", formatting.money(m.equity_npv_usd)),
        ("Equity IRR (real)", m.equity_irr, "1/yr", formatting.percent(m.equity_irr)),
        ("Equity IRR (nominal)", m.equity_irr_nominal, "1/yr",
         formatting.percent(m.equity_irr_nominal)),
        ("Equity payback", m.equity_payback_years, "yr", formatting.years(m.equity_payback_years)),
        ("Minimum DSCR", m.min_dscr, "-",
         "not applicable" if math.isnan(m.min_dscr) else f"{m.min_dscr:.2f}"),
        ("Average DSCR", m.average_dscr, "-",
         "not applicable" if math.isnan(m.average_dscr) else f"{m.average_dscr:.2f}"),
        (f"Debt capacity at minimum DSCR {fa.target_min_dscr:.2f}", m.debt_capacity_usd,
         "USD nominal", formatting.money(m.debt_capacity_usd)
         + f" ({formatting.percent(m.debt_capacity_share, digits=0)} of eligible capex)"),
        ("Present value of tax paid", m.tax_pv_usd, "USD", formatting.money(m.tax_pv_usd)),
        ("Discount rate (real / nominal)", p["discount_rate"], "1/yr",
         f"{formatting.percent(p['discount_rate'])} / {formatting.percent(nominal, digits=2)}"),
    ]
    return pd.DataFrame(rows, columns=["metric", "value", "unit", "in words"])
