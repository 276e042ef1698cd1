"""Yearly quantities of a case's resource flows: given, or derived from physics.

A side (baseline or project) of a resource flow is either a sourced number in the flow's unit or a
derivation the library computes, so that tonnes, energy, moisture and efficiencies cannot
contradict each other:

- ``useful_heat``: tonnes of fuel = useful heat [GJ/yr] / boiler efficiency / NCV as received;
- ``fuel_replaced``: tonnes of this fuel replaced by the increase of another fuel, energy for
  energy: increase x NCV(new) x efficiency(new) / (efficiency(this) x NCV(this));
- ``wastewater_methane``: t CH4 = COD removed x Bo x MCF(treatment) (IPCC 2006 Vol. 5 Ch. 6);
- ``same_as``: the quantity of another flow's side.

The NCV of a fuel flow is as received: :func:`eip_analysis.emissions.fuel_ncv` with the flow's
``moisture`` or ``ncv_as_received``. Every function works on numbers or on ``(n, 1)`` scenario
columns: ``read(path, quantity)`` returns the value to use for a sourced number (the case's, or
a scenario's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import emissions
from .errors import InputError

Read = Callable[[str, Any], Any]


def scalar_read(path: str, q: Any) -> float:
    """The case's own value of a sourced number (no scenario)."""
    return q.value


class FlowResolver:
    """Computes each side of each resource flow once, with a reader for the sourced numbers."""

    def __init__(self, flows: list, read: Read = scalar_read) -> None:
        self.flows = {f.flow: f for f in flows}
        self.read = read
        self._cache: dict[tuple[str, str], Any] = {}

    def ncv(self, flow: str) -> Any:
        """Net calorific value as received of a fuel flow [GJ/t]."""
        f = self.flows[flow]
        prefix = f"resource_flows.{flow}"
        if f.ncv_as_received is not None:
            return emissions.fuel_ncv(flow, ncv_as_received=self.read(
                f"{prefix}.ncv_as_received", f.ncv_as_received))
        if f.moisture is not None:
            return emissions.fuel_ncv(flow, moisture=self.read(f"{prefix}.moisture", f.moisture))
        return emissions.fuel_ncv(flow)

    def quantity(self, flow: str, side: str) -> Any:
        """Yearly quantity of ``flow`` on ``side`` (``baseline`` or ``project``) [flow unit/yr]."""
        key = (flow, side)
        if key not in self._cache:
            self._cache[key] = self._compute(flow, side)
        return self._cache[key]

    def change(self, flow: str) -> Any:
        """Baseline minus project [flow unit/yr]: the quantity avoided."""
        return self.quantity(flow, "baseline") - self.quantity(flow, "project")

    def _compute(self, flow: str, side: str) -> Any:
        f = self.flows[flow]
        amount = f.side(side)
        path = f"resource_flows.{flow}.{side}_per_year"
        method = getattr(amount, "method", None)
        if method is None:
            return self.read(path, amount)
        if method == "useful_heat":
            heat = self.read(f"{path}.useful_heat", amount.useful_heat)
            eff = self.read(f"{path}.efficiency", amount.efficiency)
            return heat / eff / self.ncv(flow)
        if method == "fuel_replaced":
            new = amount.by
            increase = self.quantity(new, "project") - self.quantity(new, "baseline")
            heat = increase * self.ncv(new) * self.read(f"{path}.efficiency_by",
                                                        amount.efficiency_by)
            replaced = heat / self.read(f"{path}.efficiency", amount.efficiency) / self.ncv(flow)
            other = self.quantity(flow, "project" if side == "baseline" else "baseline")
            return other + replaced if side == "baseline" else other - replaced
        if method == "wastewater_methane":
            bo = (self.read(f"{path}.bo", amount.bo) if amount.bo is not None
                  else emissions.waste_factors()["bo_cod"])
            return emissions.wastewater_methane_t(
                self.read(f"{path}.cod_removed", amount.cod_removed), bo,
                emissions.wastewater_mcf(amount.treatment))
        if method == "same_as":
            return self.quantity(amount.flow, amount.side)
        raise InputError("a known flow method", field=path, got=method)  # pragma: no cover

