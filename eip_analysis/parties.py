"""Both parties' view of an exchange: each party's own cash flow and the transfer-price range.

An exchange goes ahead only if both the supplier and the receiver gain. The project view
(:mod:`eip_analysis.appraisal`) adds their cash flows up, so the transfers between them cancel;
here each party keeps its own lines plus the transfers it receives (+) or pays (-), on the same
basis as the case metrics (constant prices, real discount rate, before financing and tax). The
two parties' NPVs add up to the project NPV; a transfer price moves value between them, and
:func:`transfer_price_range` finds the prices at which both break even.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import finance, formatting
from .appraisal import Appraisal, run_of
from .cases import PARTIES, Case, Party
from .cashflow import Values, build
from .errors import InputError
from .financing import split_values
from .i18n import N_, word
from .i18n import gettext as _
from .parameters import usd_per_unit


def party_view(
    case: Case | Appraisal, *, values: Values | None = None, parameters_dir=None,
    **overrides: Any,
) -> pd.DataFrame:
    """Each party's own cash flow (its lines plus the transfers) before financing and tax.

    Returns
    -------
    pandas.DataFrame
        Rows ``supplier``, ``receiver``, ``project`` (both): ``role``, ``capex_usd``,
        ``annual_net_usd`` (first operating year), ``transfers_usd_per_year`` (received +,
        paid -), ``npv_usd``, ``irr`` (real; nan when not defined), ``payback_years``.

    Notes
    -----
    Same basis as the case metrics: constant prices, real discount rate, pre-tax. The two
    NPVs add up to the project NPV; transfers move value between them.
    """
    case, params, cf = run_of(case, overrides, parameters_dir=parameters_dir)
    for_cf, _ = split_values(case, values)
    if cf is None or for_cf:
        cf = build(case, for_cf)
    usd = usd_per_unit(params.values, case.currency)
    rate = params["discount_rate"]
    s = case.operation_start_year
    rows = []
    for who, role in ((*PARTIES[:1], case.supplier_role), (*PARTIES[1:], case.receiver_role),
                      ("project", "both parties")):
        flows = (cf.net if who == "project" else cf.party_net(who))[0] * usd
        capex = sum(-a[0].sum() for k, a in cf.lines.items()
                    if cf.line_section[k] == "capex" and who in ("project", cf.line_party[k]))
        transfers = 0.0 if who == "project" else float(
            np.asarray(cf.transfers.get(who, np.zeros(cf.operating.shape)))[0, s])
        rows.append({
            "party": who, "role": role, "capex_usd": capex * usd,
            "annual_net_usd": float(flows[s] if s < flows.size else np.nan),
            "transfers_usd_per_year": transfers * usd,
            "npv_usd": finance.npv(rate, flows), "irr": finance.irr(flows),
            "payback_years": finance.payback_period(flows),
        })
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class TransferPriceRange:
    """The transfer prices for which both parties' NPV is at least zero.

    Prices are in the case currency per unit of the transfer (``unit``); NPVs in USD.
    ``min_price`` is where the payee breaks even, ``max_price`` where the payer does; the
    range is empty (``feasible`` False) when ``min_price > max_price``.
    """

    case_id: str
    transfer: str
    path: str
    description: str
    unit: str
    payer: Party
    payee: Party
    base_price: float
    min_price: float
    max_price: float
    equal_split_price: float  #: both parties get the same NPV
    npv_slope_usd_per_price: float  #: payee's NPV gain per unit of price [USD per (unit)]
    supplier_npv_usd: float  #: at the base price
    receiver_npv_usd: float
    project_npv_usd: float
    support_needed_usd: float  #: PV of outside support that closes the gap; 0 when feasible

    @property
    def feasible(self) -> bool:
        return bool(self.min_price <= self.max_price)

    def npv_at(self, price: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(payer NPV, payee NPV)`` [USD] at ``price`` [case currency/unit] (exact: linear)."""
        b = self.npv_slope_usd_per_price
        payer0 = getattr(self, f"{self.payer}_npv_usd") + b * self.base_price
        payee0 = getattr(self, f"{self.payee}_npv_usd") - b * self.base_price
        p = np.asarray(price, dtype=float)
        return payer0 - b * p, payee0 + b * p

    def price_text(self, price: float) -> str:
        """``price`` with four significant digits (at least) and the unit."""
        return formatting.significant(price, self.unit)

    def words(self) -> str:
        """The result in a sentence or three for a report, in the active language."""
        name = self.transfer.replace("_", " ")  # the case's own name of the transfer
        if self.npv_slope_usd_per_price == 0:
            if self.feasible:
                return _("The {transfer} transfer has no volume, so its price does not matter: "
                         "both parties gain.").format(transfer=name)
            return _("The {transfer} transfer has no volume, so no price can rebalance the "
                     "exchange; outside support of {support} (present value) would be needed "
                     "for both parties to break even.").format(
                transfer=name, support=formatting.money(self.support_needed_usd))
        if not self.feasible:
            return _(
                "No price of the {transfer} transfer lets both parties break even: the exchange "
                "as a whole has a negative NPV ({npv}). It cannot work without outside support "
                "of at least {support} in present value (a grant, a concessional loan or a "
                "carbon payment worth as much). At {price} the shortfall would be shared "
                "equally.").format(
                transfer=name, npv=formatting.money(self.project_npv_usd),
                support=formatting.money(self.support_needed_usd),
                price=self.price_text(self.equal_split_price))
        base_in = self.min_price <= self.base_price <= self.max_price
        sentence = (N_("Both parties gain (NPV >= 0) when the price of the {transfer} transfer "
                       "is between {low} ({payee} breaks even) and {high} ({payer} breaks "
                       "even); the assumed {base} lies inside the range. Equal NPVs for both at "
                       "{equal}.") if base_in else
                    N_("Both parties gain (NPV >= 0) when the price of the {transfer} transfer "
                       "is between {low} ({payee} breaks even) and {high} ({payer} breaks "
                       "even); the assumed {base} lies outside the range. Equal NPVs for both "
                       "at {equal}."))
        text = _(sentence).format(
            transfer=name, low=self.price_text(self.min_price), payee=word(self.payee),
            high=self.price_text(self.max_price), payer=word(self.payer),
            base=self.price_text(self.base_price), equal=self.price_text(self.equal_split_price))
        if self.min_price < 0:
            text += " " + _("A negative price means the {payee} pays the {payer} (a gate "
                            "fee).").format(payee=word(self.payee), payer=word(self.payer))
        return text


def transfer_price_range(
    case: Case | Appraisal, transfer: str | None = None, *, values: Values | None = None,
    parameters_dir=None, **overrides: Any,
) -> TransferPriceRange:
    """The range of a transfer's unit price that leaves both parties' NPV >= 0.

    Parameters
    ----------
    case : Case
        A validated case with at least one transfer.
    transfer : str, optional
        Name of the transfer to vary (default: the first); the others stay at their values.
    values, parameters_dir, **overrides
        As for :func:`party_view`.

    Returns
    -------
    TransferPriceRange

    Notes
    -----
    Each party's NPV is linear in the price :math:`p` of the transfer,
    :math:`\\mathrm{NPV}_{payee}(p) = a_{payee} + b p` and
    :math:`\\mathrm{NPV}_{payer}(p) = a_{payer} - b p` with :math:`b = \\sum_t q_t / (1 + r)^t`
    the discounted quantity. Two evaluations (:math:`p = 0` and :math:`p = 1`) give
    :math:`a` and :math:`b` exactly, and

    .. math:: p_{min} = -a_{payee} / b, \\quad p_{max} = a_{payer} / b,
        \\quad p_{equal} = (a_{payer} - a_{payee}) / (2 b).

    The range is empty iff :math:`a_{payee} + a_{payer} = \\mathrm{NPV}_{project} < 0`; the
    smallest outside support (present value) that lets both break even is then
    :math:`-\\mathrm{NPV}_{project}`.
    """
    case, params, _ = run_of(case, overrides, parameters_dir=parameters_dir)
    if not case.transfers:
        raise InputError("a case with at least one transfer between the parties",
                         file=case.source_file, field="transfers")
    names = [t.name for t in case.transfers]
    if transfer is None:
        transfer = names[0]
    if transfer not in names:
        raise InputError(f"one of this case's transfers ({', '.join(names)})",
                         file=case.source_file, field="transfer", got=transfer)
    t = next(t for t in case.transfers if t.name == transfer)
    path = f"transfers.{t.name}.unit_price"
    for_cf, _ = split_values(case, values)
    base_price = float(for_cf.get(path, t.unit_price.value))
    probe = {**{k: np.full(3, v, dtype=float) for k, v in for_cf.items()},
             path: np.array([0.0, 1.0, base_price])}
    cf = build(case, probe)
    usd = usd_per_unit(params.values, case.currency)
    rate = params["discount_rate"]
    npv = {who: finance.npv(rate, cf.party_net(who) * usd) for who in PARTIES}
    payer, payee = t.payer, t.payee
    a_payer, a_payee = npv[payer][0], npv[payee][0]
    slope = npv[payee][1] - npv[payee][0]
    project = a_payer + a_payee
    if slope > 0:
        lo, hi = -a_payee / slope, a_payer / slope
        split = (a_payer - a_payee) / (2 * slope)
    else:
        ok = min(a_payer, a_payee) >= 0
        lo, hi = (-math.inf, math.inf) if ok else (math.inf, -math.inf)
        split = math.nan
    if slope > 0:
        support = max(0.0, -project)
    else:
        support = max(0.0, -a_payer) + max(0.0, -a_payee)
    return TransferPriceRange(
        case_id=case.id, transfer=t.name, path=path, description=t.description,
        unit=t.unit_price.unit, payer=payer, payee=payee, base_price=base_price,
        min_price=float(lo), max_price=float(hi), equal_split_price=float(split),
        npv_slope_usd_per_price=float(slope), supplier_npv_usd=float(npv["supplier"][2]),
        receiver_npv_usd=float(npv["receiver"][2]), project_npv_usd=float(project),
        support_needed_usd=float(support),
    )


def parties_warnings(view: pd.DataFrame, tpr: TransferPriceRange) -> list[str]:
    """Warnings in words on the two parties' view, in the active language."""
    out = []
    for _index, row in view[view["party"] != "project"].iterrows():
        if row["capex_usd"] <= 0 and not np.isfinite(row["irr"]):
            out.append(_("The {party} invests nothing, so its IRR is not defined; read its "
                         "NPV.").format(party=word(row["party"])))
    if not tpr.feasible:
        out.append(tpr.words())
    elif not (tpr.min_price <= tpr.base_price <= tpr.max_price):
        loser = tpr.payee if tpr.base_price < tpr.min_price else tpr.payer
        out.append(_("At the assumed {transfer} price ({price}) the {party} loses; a price "
                     "between {low} and {high} lets both gain.").format(
            transfer=tpr.transfer, price=tpr.price_text(tpr.base_price), party=word(loser),
            low=tpr.price_text(tpr.min_price), high=tpr.price_text(tpr.max_price)))
    return out
