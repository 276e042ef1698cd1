"""Project-wide parameters (discount rate, exchange rate, grid-factor year, ...) with their sources.

Defaults live in ``data/raw/parameters/*.yaml``, one sourced entry per name::

    discount_rate: {value: 0.10, unit: 1/yr, source: "assumption: 10% real, tested 8-12%"}

A case may override any of them under ``parameters:``; a run may override them again
(``appraise(case, discount_rate=0.08)``, ``eip-analysis run -p discount_rate=0.08``). Every value
keeps the source it came from, so a report can print it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import paths
from .errors import InputError


class Parameter(BaseModel):
    """A parameter value with its unit and source; numeric ones may carry a range."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float | str
    unit: str = ""
    source: Annotated[str, Field(min_length=3)]
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _range(self) -> Parameter:
        if (self.low is None) != (self.high is None):
            raise ValueError("low and high given together")
        if self.low is not None and not (self.low <= float(self.value) <= self.high):
            raise ValueError("low <= value <= high")
        return self


@dataclass(frozen=True)
class Spec:
    """What a parameter must be: its Python type, unit and a check with words for the error."""

    kind: type
    unit: str
    expected: str
    check: Callable[[Any], bool]


def _grid_year_ok(year: int) -> bool:
    from .emissions import grid_emission_factor

    try:
        grid_emission_factor(int(year))
    except InputError:
        return False
    return True


#: The parameters the package knows; a name not listed here is an error (a typo, usually).
SPECS: dict[str, Spec] = {
    "discount_rate": Spec(float, "1/yr", "a real discount rate in [0, 1) [1/yr]",
                          lambda v: 0 <= v < 1),
    "exchange_rate_vnd_per_usd": Spec(float, "VND/USD", "a positive rate [VND/USD]",
                                      lambda v: v > 0),
    "price_year": Spec(int, "yr", "a year between 2000 and 2100", lambda v: 2000 <= v <= 2100),
    "grid_factor_year": Spec(int, "yr", "a year with a published grid emission factor "
                             "(data/raw/factors/grid_emission_factors.csv)",
                             _grid_year_ok),
    "gwp_set": Spec(str, "", "AR5 or AR6", lambda v: v in ("AR5", "AR6")),
    "grid_factor_change_per_year": Spec(float, "1/yr", "a relative change of the grid factor "
                                        "in (-0.2, 0.2) [1/yr]", lambda v: -0.2 < v < 0.2),
    "grid_margin": Spec(str, "", "combined or solar", lambda v: v in ("combined", "solar")),
    "landfill_method": Spec(str, "", "fod or commitment", lambda v: v in ("fod", "commitment")),
    "tax_rate": Spec(float, "fraction", "a tax rate in [0, 1]", lambda v: 0 <= v <= 1),
    "mirr_finance_rate": Spec(float, "1/yr", "a rate in (-1, 1) [1/yr]", lambda v: -1 < v < 1),
    "mirr_reinvest_rate": Spec(float, "1/yr", "a rate in (-1, 1) [1/yr]", lambda v: -1 < v < 1),
    # Financing and tax defaults (data/raw/parameters/financing.yaml); a case's `financing:` and
    # `tax:` blocks override them (see eip_analysis.financing).
    "inflation_rate": Spec(float, "1/yr", "an inflation rate in (-0.5, 1) [1/yr]",
                           lambda v: -0.5 < v < 1),
    "debt_share": Spec(float, "fraction", "a debt share in [0, 1] [fraction of capex]",
                       lambda v: 0 <= v <= 1),
    "loan_interest_rate": Spec(float, "1/yr", "a nominal interest rate in [0, 1) [1/yr]",
                               lambda v: 0 <= v < 1),
    "loan_tenor_years": Spec(int, "yr", "a whole number of years from 1 to 40 [yr]",
                             lambda v: 1 <= v <= 40),
    "loan_grace_years": Spec(int, "yr", "a whole number of years from 0 to 39 [yr]",
                             lambda v: 0 <= v <= 39),
    "loan_repayment": Spec(str, "", "annuity or equal_principal",
                           lambda v: v in ("annuity", "equal_principal")),
    "loan_upfront_fee": Spec(float, "fraction", "a fee in [0, 1] [fraction of the loan]",
                             lambda v: 0 <= v <= 1),
    "target_min_dscr": Spec(float, "ratio", "a positive ratio [-]", lambda v: v > 0),
    "depreciation_years": Spec(int, "yr", "a whole number of years from 1 to 50 [yr]",
                               lambda v: 1 <= v <= 50),
    "loss_carryforward_years": Spec(int, "yr", "a whole number of years from 0 to 20 [yr]",
                                    lambda v: 0 <= v <= 20),
}

#: Source recorded for a value set for one run (``appraise(case, discount_rate=0.08)``).
RUN_OVERRIDE_SOURCE = "assumption: set for this run (override)"


def coerce(name: str, value: Any, *, file: str | Path | None = None, field: str | None = None):
    """Check ``value`` against the spec of parameter ``name`` and return it typed."""
    field = field or name
    spec = SPECS.get(name)
    if spec is None:
        raise InputError(f"a known parameter ({', '.join(sorted(SPECS))})", file=file,
                         field=field, got=name)
    try:
        if isinstance(value, bool):
            raise ValueError  # noqa: TRY004 (caught just below)
        if spec.kind is int:
            typed = int(value)
            if float(value) != typed:
                raise ValueError
        elif spec.kind is float:
            typed = float(value)
        else:
            typed = str(value)
        ok = spec.check(typed)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError(spec.expected, file=file, field=field, got=value)
    return typed


def _check_unit(name: str, p: Parameter, file, field) -> None:
    unit = SPECS[name].unit
    if unit and p.unit != unit:
        raise InputError(f"unit {unit}", file=file, field=f"{field}.unit", got=p.unit)


def check_overrides(overrides: Mapping[str, Any], *, file: str | Path | None = None) -> None:
    """Validate a case's ``parameters:`` block (names, units, values)."""
    for name, p in overrides.items():
        field = f"parameters.{name}"
        if name not in SPECS:
            raise InputError(f"a known parameter ({', '.join(sorted(SPECS))})", file=file,
                             field=field)
        coerce(name, p.value, file=file, field=f"{field}.value")
        _check_unit(name, p, file, field)


@lru_cache(maxsize=8)
def _load_defaults(directory: str) -> dict[str, Parameter]:
    folder = Path(directory)
    files = sorted(folder.glob("*.yaml"))
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
    missing = sorted(set(SPECS) - set(out))
    if missing:
        raise InputError(f"a default for every parameter (missing: {', '.join(missing)})",
                         file=folder)
    return out


def load_defaults(directory: str | Path | None = None) -> dict[str, Parameter]:
    """Read the project-wide defaults (``data/raw/parameters/*.yaml``)."""
    directory = Path(directory) if directory is not None else paths.parameters_dir()
    return dict(_load_defaults(str(directory.resolve())))


@dataclass(frozen=True)
class ResolvedParameters:
    """Parameter values for one appraisal, each with the source it came from."""

    values: dict[str, Any]
    sources: dict[str, str]
    units: dict[str, str]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def table(self) -> list[dict[str, Any]]:
        return [
            {"parameter": k, "value": self.values[k], "unit": self.units[k],
             "source": self.sources[k]}
            for k in sorted(self.values)
        ]


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
    for name, p in defaults.items():
        values[name] = coerce(name, p.value)
        sources[name] = p.source
    for name, p in (case_overrides or {}).items():
        values[name] = coerce(name, p.value, file=case_file, field=f"parameters.{name}")
        sources[name] = f"case override: {p.source}"
    for name, v in (run_overrides or {}).items():
        values[name] = coerce(name, v, field=f"override {name}")
        sources[name] = RUN_OVERRIDE_SOURCE
    return ResolvedParameters(values, sources, {k: SPECS[k].unit for k in values})
