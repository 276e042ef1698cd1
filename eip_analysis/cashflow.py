"""Case -> yearly cash flows, vectorised over a leading scenario axis.

:func:`build` turns a validated :class:`~eip_analysis.cases.Case` into arrays of shape
``(n_scenarios, n_years)`` in the case currency. Any sourced number of the case can be replaced by
a scalar or by an array of ``n_scenarios`` values through ``values={path: value}``, where ``path``
is one of the paths listed by :meth:`Case.quantities` (``"capex.pipeline.amount"``,
``"benefits.coal.unit_price"``, ``"lifetime_years"``...). That is how sensitivity and Monte Carlo
analyses run in one call instead of one call per draw.

Sign convention: money into the project is positive; capex and opex are negative.
Timing convention: year 0 = today; capex in its year; opex, benefits and transfers in every
operating year ``operation_start_year .. operation_start_year + lifetime - 1``; salvage in the last
operating year.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .cases import AnnualLine, Case, Transfer
from .errors import InputError
from .flows import FlowResolver
from .quantities import Quantity

Values = Mapping[str, float | np.ndarray]


@dataclass(frozen=True)
class CashFlows:
    """Yearly cash flows of a case, each array ``(n_scenarios, n_years)`` in the case currency."""

    years: np.ndarray
    operating: np.ndarray  # bool (n, T): the year is an operating year
    lines: dict[str, np.ndarray]  # signed flow of each capex/opex/benefit/salvage line
    line_party: dict[str, str]
    line_section: dict[str, str]
    transfers: dict[str, np.ndarray] = field(default_factory=dict)  # net received, per party
    lifetime_years: np.ndarray = field(default_factory=lambda: np.ones((1, 1), dtype=int))
    flows: FlowResolver | None = None  # the resource-flow quantities the lines were built from

    def flow_quantities(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Baseline and project quantity per year of each resource flow, each ``(n, 1)``."""
        return _quantities(self.flows)

    def section(self, name: str) -> np.ndarray:
        """Sum of the lines of one section (``capex``, ``opex``, ``benefits``, ``salvage``)."""
        parts = [a for k, a in self.lines.items() if self.line_section[k] == name]
        if not parts:
            return np.zeros(self.operating.shape)
        return np.sum(np.broadcast_arrays(*parts), axis=0)

    @property
    def net(self) -> np.ndarray:
        """Project cash flow, both parties together (transfers cancel)."""
        return np.sum(np.broadcast_arrays(*self.lines.values()), axis=0)

    def party_net(self, party: str) -> np.ndarray:
        """One party's cash flow: its own lines plus the transfers it receives (or pays)."""
        own = [a for k, a in self.lines.items() if self.line_party[k] == party]
        total = np.sum(np.broadcast_arrays(*own, np.zeros(self.operating.shape)), axis=0)
        return total + self.transfers.get(party, 0.0)


def _column(x: float | np.ndarray, path: str) -> np.ndarray:
    """A scalar or ``(n,)`` array as an ``(n, 1)`` column that broadcasts against years."""
    a = np.asarray(x, dtype=float)
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a[:, None]
    raise InputError("a number or a 1-D array of scenario values", field=path,
                     got=f"array of shape {a.shape}")


class _Reader:
    """Looks up each number: the override in ``values`` if any, else the case's value."""

    def __init__(self, case: Case, values: Values | None) -> None:
        self.case = case
        self.values = dict(values or {})
        known = {p for p, _, _ in case.quantities()}
        unknown = sorted(set(self.values) - known - {"parameters.discount_rate"})
        if unknown:
            raise InputError(f"paths of this case's numbers ({', '.join(sorted(known))})",
                             field="values", got=unknown[0])

    def __call__(self, path: str, q: Quantity) -> np.ndarray:
        return _column(self.values.get(path, q.value), path)

    @functools.cached_property
    def flows(self) -> FlowResolver:
        """Each resource flow's baseline and project quantity, derived ones computed once."""
        return FlowResolver(self.case.resource_flows, self)

    def flow_change(self, flow: str) -> np.ndarray:
        """Quantity avoided per year for a flow: baseline - project (n, 1)."""
        return self.flows.change(flow)

    def annual(self, section: str, line: AnnualLine | Transfer) -> np.ndarray:
        """Yearly amount of a line [case currency/yr], positive, shape (n, 1)."""
        prefix = f"{section}.{line.name}"
        amount = getattr(line, "amount_per_year", None)
        if amount is not None:
            return self(f"{prefix}.amount_per_year", amount)
        if line.quantity_from_flow is not None:
            # benefits: the quantity avoided; opex: the quantity added; transfers: the change.
            qty = self.flow_change(line.quantity_from_flow)
            qty = {"benefits": qty, "opex": -qty}.get(section, np.abs(qty))
        else:
            qty = self(f"{prefix}.quantity_per_year", line.quantity_per_year)
        return qty * self(f"{prefix}.unit_price", line.unit_price)


def build(case: Case, values: Values | None = None) -> CashFlows:
    """Yearly cash flows of ``case`` for one or many scenarios.

    Parameters
    ----------
    case : Case
        A validated case.
    values : mapping of str to float or array, optional
        Replacement values by number path (see :meth:`Case.quantities`); arrays of length
        ``n_scenarios`` give one scenario per element.

    Returns
    -------
    CashFlows
        Arrays ``(n_scenarios, n_years)`` [case currency], years ``0 .. horizon``.
    """
    read = _Reader(case, values)
    lifetime = np.rint(read("lifetime_years", case.lifetime_years)).astype(int)
    if np.any(lifetime < 1):
        raise InputError("a lifetime of at least 1 [yr]", field="lifetime_years",
                         got=int(lifetime.min()))
    start = case.operation_start_year
    last_capex_year = max(c.year for c in case.capex)
    horizon = max(start + int(lifetime.max()) - 1, last_capex_year)
    years = np.arange(horizon + 1)
    operating = (years >= start) & (years < start + lifetime)  # (n, T)
    final_year = years == (start + lifetime - 1)

    lines: dict[str, np.ndarray] = {}
    party: dict[str, str] = {}
    section: dict[str, str] = {}

    def add(key: str, sec: str, who: str, flow: np.ndarray) -> None:
        lines[key], section[key], party[key] = flow, sec, who

    for c in case.capex:
        amount = read(f"capex.{c.name}.amount", c.amount)
        add(f"capex.{c.name}", "capex", c.party, -amount * (years == c.year))
        if c.kind == "working_capital":  # tied up while operating, released at the end
            add(f"salvage.{c.name}_release", "salvage", c.party, amount * final_year)
    for line in case.opex:
        add(f"opex.{line.name}", "opex", line.party, -read.annual("opex", line) * operating)
    for line in case.benefits:
        add(f"benefits.{line.name}", "benefits", line.party,
            read.annual("benefits", line) * operating)
    if case.salvage is not None:
        amount = read("salvage.amount", case.salvage.amount)
        add("salvage", "salvage", case.salvage.party, amount * final_year)

    transfers: dict[str, np.ndarray] = {}
    for t in case.transfers:
        paid = read.annual("transfers", t) * operating
        transfers[t.payer] = transfers.get(t.payer, 0.0) - paid
        transfers[t.payee] = transfers.get(t.payee, 0.0) + paid

    n = max([a.shape[0] for a in lines.values()] + [operating.shape[0]]
            + [np.shape(a)[0] for a in transfers.values()]
            + [np.size(read.values.get("parameters.discount_rate", 1.0))])
    shape = (n, years.size)
    return CashFlows(
        years=years,
        operating=np.broadcast_to(operating, shape),
        lines={k: np.broadcast_to(a, shape) for k, a in lines.items()},
        line_party=party,
        line_section=section,
        transfers={k: np.broadcast_to(a, shape) for k, a in transfers.items()},
        lifetime_years=np.broadcast_to(lifetime, (n, 1)),
        flows=read.flows,
    )


def flow_quantities(case: Case, values: Values | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Baseline and project quantity per year of each resource flow, each ``(n, 1)``."""
    return _quantities(_Reader(case, values).flows)


def _quantities(resolver: FlowResolver) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {flow: (np.asarray(resolver.quantity(flow, "baseline"), dtype=float),
                   np.asarray(resolver.quantity(flow, "project"), dtype=float))
            for flow in resolver.flows}


def flow_resolver(case: Case, values: Values | None = None) -> FlowResolver:
    """The :class:`~eip_analysis.flows.FlowResolver` of ``case`` under ``values``."""
    return _Reader(case, values).flows
