"""One report run, computed once: the case, its parameters, its cash flows and appraisal.

A :class:`RunContext` is built once per report (:meth:`RunContext.build`); every section of
the report, the key figures handed to the batch and the bank workbook read it, so the case
file is parsed once and the base case is appraised once. The run's overrides are recorded
explicitly (:attr:`RunContext.overrides`), never recovered from the source texts of the
parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..appraisal import Appraisal, appraise
from ..cases import Case, load_case
from ..cashflow import CashFlows
from ..parameters import ResolvedParameters
from .parameters import RunParameters


@dataclass(frozen=True)
class RunContext:
    """A frozen run: its parameters, the case, the base appraisal; analyses derived once.

    Attributes
    ----------
    run : RunParameters
        The validated run parameters.
    appraisal : Appraisal
        The base appraisal with this run's overrides (it carries the case, the resolved
        parameters and the cash-flow arrays).
    """

    run: RunParameters
    appraisal: Appraisal

    @classmethod
    def build(cls, run: RunParameters, case: Case | None = None) -> RunContext:
        """Load the case (once) and appraise it with the run's overrides; make the run's
        ``language`` the active language of this process (:func:`eip_analysis.i18n.set_language`:
        every section, table and chart the kernel draws next is in it).

        Raises
        ------
        InputError
            A broken case file or a value the model rejects, in one line.
        """
        from ..i18n import set_language

        set_language(run.language)
        case = case if case is not None else load_case(run.case_id, run.cases_dir)
        return cls(run=run, appraisal=appraise(case, **run.overrides))

    @property
    def case(self) -> Case:
        return self.appraisal.case

    @property
    def parameters(self) -> ResolvedParameters:
        """Resolved parameters: defaults < case < this run's overrides, each with its origin."""
        return self.appraisal.parameters

    @property
    def overrides(self) -> dict[str, Any]:
        """The project-wide parameters this run sets (``{"discount_rate": 0.08}``)."""
        return self.parameters.run_overrides

    @property
    def cashflows(self) -> CashFlows:
        return self.appraisal.base_flows

    @property
    def currency(self) -> str:
        return self.run.currency

    @property
    def language(self) -> str:
        return self.run.language

    @cached_property
    def financing(self):
        """:func:`eip_analysis.financing.appraise_financing` of the same run (computed once)."""
        from ..financing import appraise_financing

        return appraise_financing(self.appraisal)
