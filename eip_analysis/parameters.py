"""Project-wide parameters (discount rate, exchange rate, grid-factor year, ...) with their sources.

Defaults live in ``data/raw/parameters/*.yaml``, one sourced entry per name::

    discount_rate: {value: 0.10, unit: 1/yr, source: "assumption: 10% real, tested 8-12%"}

A case may override any of them under ``parameters:``; a run may override them again
(``appraise(case, discount_rate=0.08)``, ``eip-analysis run -p discount_rate=0.08``). Every value
keeps the source it came from, so a report can print it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)

from . import paths
from .errors import InputError
from .quantities import Parameter


def _grid_year_ok(year: int) -> int:
    from .emissions import grid_emission_factor

    grid_emission_factor(int(year))  # InputError for a year without a published factor
    return year


def _p(kind: Any, unit: str, expected: str, **constraints: Any) -> Any:
    """One parameter of :class:`ParameterValues`: its type, constraints, unit and the words of
    its error (``expected ...``); a number must be finite."""
    if kind is float:
        constraints["allow_inf_nan"] = False
    return Annotated[kind, Field(json_schema_extra={"unit": unit,
                                                    "expected": expected},
                                 **constraints)]


_Rate = float
_Year = int


class ParameterValues(BaseModel):
    """The project-wide parameters the package knows, with their units and constraints.

    The one definition of what each parameter must be: :func:`coerce` validates a value with
    the field of its name, the defaults files and a case's ``parameters:`` block are checked
    against it, and :class:`eip_analysis.report.RunParameters` reuses it for the run
    parameters of a report. A name not listed here is an error (a typo, usually).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    discount_rate: _p(_Rate, "1/yr", "a real discount rate in [0, 1) [1/yr]", ge=0, lt=1)
    exchange_rate_vnd_per_usd: _p(float, "VND/USD", "a rate from 1,000 to 100,000 [VND/USD]",
                                  ge=1_000, le=100_000)
    price_year: _p(_Year, "yr", "a year between 2000 and 2100", ge=2000, le=2100)
    grid_factor_year: Annotated[_p(_Year, "yr", "a year with a published grid emission factor "
                                   "(data/raw/factors/grid_emission_factors.csv)"),
                                AfterValidator(_grid_year_ok)]
    gwp_set: _p(Literal["AR5", "AR6"], "", "AR5 or AR6")
    grid_factor_change_per_year: _p(_Rate, "1/yr", "a relative change of the grid factor in "
                                    "(-0.2, 0.2) [1/yr]", gt=-0.2, lt=0.2)
    grid_margin: _p(Literal["combined", "solar"], "", "combined or solar")
    landfill_method: _p(Literal["fod", "commitment"], "", "fod or commitment")
    tax_rate: _p(float, "fraction", "a tax rate in [0, 1]", ge=0, le=1)
    mirr_finance_rate: _p(_Rate, "1/yr", "a rate in (-1, 1) [1/yr]", gt=-1, lt=1)
    mirr_reinvest_rate: _p(_Rate, "1/yr", "a rate in (-1, 1) [1/yr]", gt=-1, lt=1)
    # Financing and tax defaults (data/raw/parameters/financing.yaml); a case's `financing:` and
    # `tax:` blocks override them (see eip_analysis.financing).
    inflation_rate: _p(_Rate, "1/yr", "an inflation rate in (-0.5, 1) [1/yr]", gt=-0.5, lt=1)
    debt_share: _p(float, "fraction", "a debt share in [0, 1] [fraction of capex]", ge=0, le=1)
    loan_interest_rate: _p(_Rate, "1/yr", "a nominal interest rate in [0, 1) [1/yr]", ge=0,
                           lt=1)
    loan_tenor_years: _p(_Year, "yr", "a whole number of years from 1 to 40 [yr]", ge=1, le=40)
    loan_grace_years: _p(_Year, "yr", "a whole number of years from 0 to 39 [yr]", ge=0, le=39)
    loan_repayment: _p(Literal["annuity", "equal_principal"], "", "annuity or equal_principal")
    loan_upfront_fee: _p(float, "fraction", "a fee in [0, 1] [fraction of the loan]", ge=0,
                         le=1)
    target_min_dscr: _p(float, "ratio", "a positive ratio [-]", gt=0)
    depreciation_years: _p(_Year, "yr", "a whole number of years from 1 to 50 [yr]", ge=1,
                           le=50)
    loss_carryforward_years: _p(_Year, "yr", "a whole number of years from 0 to 20 [yr]", ge=0,
                                le=20)


#: Source recorded for a value set for one run (``appraise(case, discount_rate=0.08)``).
RUN_OVERRIDE_SOURCE = "assumption: set for this run (override)"

#: Parameter name -> its pydantic field (type, constraints, unit, words of the error).
PARAMETER_FIELDS = ParameterValues.model_fields


def parameter_unit(name: str) -> str:
    """The unit of parameter ``name`` (``"1/yr"``, ``"VND/USD"``, ``""`` for words)."""
    return PARAMETER_FIELDS[name].json_schema_extra["unit"]


def parameter_expected(name: str) -> str:
    """What parameter ``name`` must be, in words (``"a real discount rate in [0, 1) [1/yr]"``)."""
    return PARAMETER_FIELDS[name].json_schema_extra["expected"]


@cache
def _adapter(name: str) -> TypeAdapter:
    f = PARAMETER_FIELDS[name]
    return TypeAdapter(Annotated[f.annotation, *f.metadata] if f.metadata else f.annotation)


def coerce(name: str, value: Any, *, file: str | Path | None = None, field: str | None = None):
    """Check ``value`` against parameter ``name`` of :class:`ParameterValues`; return it typed.

    Text from the command line (``"0.08"``, ``"2021"``) is converted; a whole number is
    accepted for a year only when it is whole (``2021.0`` yes, ``2021.5`` no); booleans never.

    Raises
    ------
    InputError
        ``field: expected <words of the parameter>, got <value>``.
    """
    field = field or name
    if name not in PARAMETER_FIELDS:
        raise InputError(f"a known parameter ({', '.join(sorted(PARAMETER_FIELDS))})", file=file,
                         field=field, got=name)
    typed: Any = value
    try:
        if isinstance(value, bool):
            raise ValueError  # noqa: TRY004 (caught just below)
        kind = PARAMETER_FIELDS[name].annotation
        if kind is int:
            number = float(value)
            if not number.is_integer():
                raise ValueError
            typed = int(number)
        elif kind is float:
            typed = float(value)
        typed = _adapter(name).validate_python(typed)
    except (TypeError, ValueError, InputError):  # pydantic's ValidationError is a ValueError
        raise InputError(parameter_expected(name), file=file, field=field, got=value) from None
    return typed


def _check_unit(name: str, p: Parameter, file, field) -> None:
    unit = parameter_unit(name)
    if unit and p.unit != unit:
        raise InputError(f"unit {unit}", file=file, field=f"{field}.unit", got=p.unit)


def check_overrides(overrides: Mapping[str, Any], *, file: str | Path | None = None) -> None:
    """Validate a case's ``parameters:`` block (names, units, values)."""
    for name, p in overrides.items():
        field = f"parameters.{name}"
        if name not in PARAMETER_FIELDS:
            raise InputError(f"a known parameter ({', '.join(sorted(PARAMETER_FIELDS))})",
                             file=file, field=field)
        coerce(name, p.value, file=file, field=f"{field}.value")
        _check_unit(name, p, file, field)


#: Files of the parameters folder that are not project-wide parameters: the selection of
#: the portfolio (:mod:`eip_analysis.portfolio.selection`) and the work-plan steps
#: (:mod:`eip_analysis.portfolio.workplan`), each read by its own module.
OTHER_FILES = ("selection.yaml", "workplan.yaml")


@lru_cache(maxsize=8)
def _load_defaults(directory: str) -> dict[str, Parameter]:
    folder = Path(directory)
    files = sorted(f for f in folder.glob("*.yaml") if f.name not in OTHER_FILES)
    if not files:
        raise InputError("a folder with parameter files (*.yaml)", file=folder)
    out: dict[str, Parameter] = {}
    for f in files:
        try:
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise InputError("valid YAML without tags", file=f,
                             field=str(getattr(exc, "problem", "") or "") or None) from None
        if not isinstance(data, dict):
            raise InputError("a mapping of parameter names", file=f)
        for name, raw in data.items():
            if name in out:
                raise InputError("each parameter defined in one file only", file=f, field=name)
            try:
                p = Parameter.model_validate(raw)
            except ValidationError as exc:
                err = exc.errors(include_url=False)[0]
                loc = ".".join(str(x) for x in err["loc"])
                raise InputError(err["msg"], file=f, field=f"{name}.{loc}".rstrip(".")) from None
            coerce(name, p.value, file=f, field=f"{name}.value")
            _check_unit(name, p, f, name)
            out[name] = p
    missing = sorted(set(PARAMETER_FIELDS) - set(out))
    if missing:
        raise InputError(f"a default for every parameter (missing: {', '.join(missing)})",
                         file=folder)
    return out


def load_defaults(directory: str | Path | None = None) -> dict[str, Parameter]:
    """Read the project-wide defaults (``data/raw/parameters/*.yaml``)."""
    directory = Path(directory) if directory is not None else paths.parameters_dir()
    return dict(_load_defaults(str(directory.resolve())))


#: Where a resolved value came from: the defaults files, the case file, or this run.
ORIGINS = ("default", "case", "run")


@dataclass(frozen=True)
class ResolvedParameters:
    """Parameter values for one appraisal, each with its source, unit and origin.

    ``origins[name]`` says where the value came from (:data:`ORIGINS`), so the overrides of a
    run are known without reading the source texts (:attr:`run_overrides`).
    """

    values: dict[str, Any]
    sources: dict[str, str]
    units: dict[str, str]
    origins: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @property
    def run_overrides(self) -> dict[str, Any]:
        """The values set for this run (``appraise(case, discount_rate=0.08)``), by name."""
        return {k: v for k, v in self.values.items() if self.origins.get(k) == "run"}

    def table(self) -> list[dict[str, Any]]:
        return [
            {"parameter": k, "value": self.values[k], "unit": self.units[k],
             "source": self.sources[k], "origin": self.origins.get(k, "default")}
            for k in sorted(self.values)
        ]


def usd_per_unit(values: Mapping[str, Any], currency: str) -> float:
    """USD per unit of ``currency`` (``"USD"`` or ``"VND"``) at the run's exchange rate.

    >>> usd_per_unit({"exchange_rate_vnd_per_usd": 25_000.0}, "VND")
    4e-05
    """
    if currency == "USD":
        return 1.0
    if currency == "VND":
        return 1.0 / values["exchange_rate_vnd_per_usd"]
    raise InputError("USD or VND", field="currency", got=currency)


def resolve(
    case_overrides: Mapping[str, Parameter] | None = None,
    run_overrides: Mapping[str, Any] | None = None,
    *,
    directory: str | Path | None = None,
    case_file: str | None = None,
) -> ResolvedParameters:
    """Defaults, then the case's ``parameters:`` block, then this run's overrides."""
    defaults = load_defaults(directory)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    origins: dict[str, str] = {}
    for name, p in defaults.items():
        values[name] = coerce(name, p.value)
        sources[name], origins[name] = p.source, "default"
    for name, p in (case_overrides or {}).items():
        values[name] = coerce(name, p.value, file=case_file, field=f"parameters.{name}")
        sources[name], origins[name] = f"case override: {p.source}", "case"
    for name, v in (run_overrides or {}).items():
        values[name] = coerce(name, v, field=f"override {name}")
        sources[name], origins[name] = RUN_OVERRIDE_SOURCE, "run"
    return ResolvedParameters(values, sources, {k: parameter_unit(k) for k in values}, origins)
