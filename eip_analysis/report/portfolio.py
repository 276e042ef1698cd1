"""The portfolio report's parameters and its run, computed once.

:class:`PortfolioParameters` is what papermill injects into ``notebooks/portfolio_report.ipynb``
and what ``eip-analysis portfolio`` sets (``--park``, ``--selection FILE``, ``-p
weights.npv_usd=0.2``...); :meth:`PortfolioContext.build` loads the cases of the folder once,
appraises them, reads their ESMP registers, runs their Monte Carlo, and computes the shortlist,
its stability, the abatement curve, the park totals and the work-plan that every section reads.
A case that cannot be compared (a broken case file or ESMP register, an orphan register) is
left out with its one-line error; the others still run.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, get_args

import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .. import esmp, paths
from ..appraisal import Appraisal, appraise
from ..cases import Case, valid_cases
from ..errors import InputError
from ..portfolio import abatement, indicators, selection, workplan
from .parameters import DEFAULT_MC_DRAWS, DEFAULT_MC_SEED, MC_DRAWS_RANGE, _cases_dir, _whole

#: Parks a portfolio report can be filtered to (those of the case schema).
PARKS = get_args(Case.model_fields["park"].annotation)


def _park(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if value not in PARKS:
        raise InputError(" or ".join(PARKS) + " (or none for both)", field="park", got=value)
    return value


def _existing_file(name: str):
    def check(value: Any) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str | os.PathLike) or not Path(value).is_file():
            raise InputError("an existing file", field=name, got=value)
        return str(Path(value).resolve())

    return BeforeValidator(check)


def _selection_overrides(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise InputError("a mapping of selection entries (weights.npv_usd: 0.2, ...)",
                         field="selection", got=value)
    return dict(value)


def _date(value: Any) -> str | None:
    if value is None or value == "":
        return None
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InputError("a date YYYY-MM-DD", field="plan_start", got=value) from None


def _csv_path(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | os.PathLike) or Path(value).suffix.lower() != ".csv":
        raise InputError("a file path ending in .csv", field="portfolio_csv_path", got=value)
    return str(Path(value).resolve())


class PortfolioParameters(BaseModel):
    """The validated parameters of a portfolio report.

    Examples
    --------
    >>> PortfolioParameters(park="Hoa Khanh", selection={"weights.npv_usd": "0.2"}).park
    'Hoa Khanh'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    cases_dir: Annotated[str | None, BeforeValidator(_cases_dir), Field(
        default=None, description="folder of case files; None: data/raw/cases")]
    park: Annotated[str | None, BeforeValidator(_park), Field(
        default=None, description='"Hoa Khanh" or "Tra Noc 1&2"; None: both parks')]
    selection_file: Annotated[str | None, _existing_file("selection_file"), Field(
        default=None, description="a selection file amending data/raw/parameters/"
                                  "selection.yaml; None: that file")]
    selection: Annotated[dict[str, Any], BeforeValidator(_selection_overrides), Field(
        default_factory=dict, description='selection entries set for this run, e.g. '
                                          '{"weights.npv_usd": 0.2, "thresholds.min_score": 0.5}')]
    mc_draws: Annotated[int, _whole("mc_draws", *MC_DRAWS_RANGE), Field(
        default=DEFAULT_MC_DRAWS, description="Monte Carlo draws for P(NPV > 0), an integer "
                                              "from 100 to 200,000")]
    mc_seed: Annotated[int, _whole("mc_seed", 0), Field(
        default=DEFAULT_MC_SEED, description="seed of the Monte Carlo draws (same as the "
                                             "opportunity reports')")]
    mac_draws: Annotated[int, _whole("mac_draws", 0, MC_DRAWS_RANGE[1]), Field(
        default=abatement.DEFAULT_MAC_DRAWS, description="Monte Carlo draws for the MAC "
                                                         "whiskers (0: none)")]
    plan_start: Annotated[str | None, BeforeValidator(_date), Field(
        default=None, description="first day of the work-plan, YYYY-MM-DD; None: "
                                  "data/raw/parameters/workplan.yaml")]
    portfolio_csv_path: Annotated[str | None, BeforeValidator(_csv_path), Field(
        default=None, description="write data/processed/portfolio.csv of this run here; "
                                  "None: no file")]

    @classmethod
    def from_namespace(cls, namespace: dict[str, Any]) -> PortfolioParameters:
        """The parameters from the variables of the notebook's ``parameters`` cell."""
        return check_portfolio_parameters(**{n: namespace[n] for n in cls.model_fields
                                             if n in namespace})

    @property
    def given(self) -> dict[str, Any]:
        """The parameters set away from their defaults (the output path left out)."""
        return {k: getattr(self, k) for k, f in type(self).model_fields.items()
                if k != "portfolio_csv_path" and getattr(self, k) != f.get_default(
                    call_default_factory=True)}


def check_portfolio_parameters(**parameters: Any) -> PortfolioParameters:
    """Validate the portfolio notebook's parameters; one line naming the one that is wrong."""
    unknown = [k for k in parameters if k not in PortfolioParameters.model_fields]
    if unknown:
        raise InputError(f"a portfolio parameter ({', '.join(PortfolioParameters.model_fields)})",
                         field=unknown[0])
    try:
        return PortfolioParameters(**parameters)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, InputError):
            raise cause from None
        raise InputError(err["msg"], field=".".join(map(str, err["loc"]))) from None


def _sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass(frozen=True)
class PortfolioContext:
    """Everything the portfolio report shows, computed once from its parameters."""

    parameters: PortfolioParameters
    appraisals: tuple[Appraisal, ...]
    errors: tuple[str, ...]  #: cases left out, one line each
    registers: dict[str, esmp.Register]
    selection: selection.Selection
    result: selection.SelectionResult
    stability: pd.DataFrame
    curve: pd.DataFrame
    totals: pd.DataFrame
    indicators: pd.DataFrame
    workplan: workplan.Workplan
    plan: pd.DataFrame
    inputs: dict[str, str] = field(default_factory=dict)  #: input file -> SHA-256

    @classmethod
    def build(cls, run: PortfolioParameters) -> PortfolioContext:
        """Load, appraise and compare the cases of ``run`` (one park or both).

        Raises
        ------
        InputError
            A bad selection or work-plan file, an override that does not parse, or no case
            left to compare; a bad case file or register only leaves that case out.
        """
        chosen = selection.load_selection(run.selection_file)
        chosen = selection.with_overrides(chosen, run.selection) if run.selection else chosen
        plan_steps = workplan.load_workplan()
        if run.plan_start:
            start = plan_steps.plan_start.model_copy(update={
                "value": datetime.date.fromisoformat(run.plan_start),
                "source": "assumption: set for this run (override)"})
            plan_steps = plan_steps.model_copy(update={"plan_start": start})
        good, bad = valid_cases(run.cases_dir)
        errors = [str(err) for _, err in bad]
        known = {c.id for c in good} | {p.stem for p, _ in bad}
        folder = Path(run.cases_dir) if run.cases_dir else paths.cases_dir()
        for orphan in sorted((folder.parent / "esmp").glob("*.yaml")):
            if orphan.stem not in known:
                errors.append(str(InputError("the register of a case of the cases folder",
                                             file=orphan, field="case", got=orphan.stem)))
        appraisals, registers, inputs = [], {}, {}
        for c in good:
            if run.park and c.park != run.park:
                continue
            try:
                a = appraise(c)
                reg = esmp.register_for(c)
            except InputError as err:
                errors.append(str(err))
                continue
            appraisals.append(a)
            inputs[_shown(c.source_file)] = c.sha256 or ""
            if reg is not None:
                registers[c.id] = reg
                inputs[_shown(reg.source_file)] = _sha256(reg.source_file)
        if not appraisals:
            raise InputError("at least one valid case" + (f" in {run.park}" if run.park else ""),
                             file=folder)
        for f in (chosen.source_file, plan_steps.source_file,
                  paths.parameters_dir() / selection.SELECTION_FILE,
                  paths.factors_dir() / indicators.INDICATORS_FILE):
            if f and Path(f).is_file():
                inputs[_shown(f)] = _sha256(f)
        probabilities = selection.probabilities_npv_positive(
            appraisals, n_draws=run.mc_draws, seed=run.mc_seed)
        result = selection.shortlist(appraisals, probabilities,
                                     {a.case.id: registers.get(a.case.id) for a in appraisals},
                                     chosen)
        order = result.table["case_id"].tolist()
        totals = indicators.park_totals(appraisals, order, result.shortlist)
        categories = dict(zip(result.table["case_id"], result.table["esmp_category"],
                              strict=True))
        plan = workplan.work_plan([a.case for a in appraisals if a.case.id in result.shortlist],
                                  categories, plan_steps)
        return cls(
            parameters=run, appraisals=tuple(sorted(appraisals, key=lambda a: a.case.id)),
            errors=tuple(errors), registers=registers, selection=chosen, result=result,
            stability=selection.stability(result),
            curve=abatement.abatement_curve(appraisals, n_draws=run.mac_draws, seed=run.mc_seed,
                                            order=order),
            totals=totals, indicators=indicators.indicator_table(
                totals, indicators.load_indicators()),
            workplan=plan_steps, plan=plan, inputs=dict(sorted(inputs.items())))

    @property
    def cases(self) -> list[Case]:
        return [a.case for a in self.appraisals]

    def write_csv(self, path: str | Path | None = None) -> Path:
        """``data/processed/portfolio.csv`` of this run (:func:`eip_analysis.processed.
        write_portfolio`)."""
        from ..processed import write_portfolio

        return write_portfolio(self.result, path)


def _shown(path: str | Path | None) -> str:
    p = Path(path or "")
    try:
        return str(p.resolve().relative_to(paths.REPO_ROOT))
    except ValueError:
        return str(p)
