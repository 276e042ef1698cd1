"""Case schema: one YAML file per symbiosis opportunity, validated into a typed :class:`Case`.

Every number in a case file is a *sourced quantity*::

    amount: {value: 2.0e9, unit: VND, source: "assumption: 300 m HDPE line at ...", low: 1.6e9, high: 2.6e9}

``source`` is either a citation or starts with the word ``assumption`` followed by a one-line
engineering basis. ``low``/``high`` (and optionally ``distribution``) make the number a driver for
sensitivity and Monte Carlo analysis.

Conventions
-----------
- Prices are constant (real) prices of the project-wide ``price_year``; the discount rate is real.
- Years are integers, year 0 = today; capex items carry their year, so construction may span several
  years. Operation runs from ``operation_start_year`` for ``lifetime_years`` years; salvage is
  received in the last operating year.
- Money is in the case ``currency`` (VND or USD); the appraisal converts to USD with the exchange
  rate parameter.
- Each money line belongs to a party, ``supplier`` or ``receiver`` of the exchange; ``transfers``
  are payments between the two (they cancel in the project view, they split the benefit).

Bad input raises :class:`~eip_analysis.errors.InputError` naming the file, the field and what was
expected.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import paths
from .emissions import FLOW_UNITS
from .errors import InputError
from .parameters import Parameter, check_overrides

PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
CURRENCIES = ("VND", "USD")
#: Physical units a quantity may be counted in (a price is then ``<currency>/<unit>``).
QUANTITY_UNITS = ("t", "kg", "MWh", "kWh", "GJ", "m3", "kWp", "unit", "person-day")
DISTRIBUTIONS = ("triangular", "uniform", "normal", "lognormal")
PARTIES = ("supplier", "receiver")

Name = Annotated[str, Field(pattern=PLAIN_NAME.pattern, max_length=64)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Quantity(_Strict):
    """A number with its unit and its source (or the word *assumption*), optionally a range."""

    value: FiniteFloat
    unit: str
    source: Annotated[str, Field(min_length=3)]
    low: FiniteFloat | None = None
    high: FiniteFloat | None = None
    distribution: Literal["triangular", "uniform", "normal", "lognormal"] | None = None

    @field_validator("value", "low", "high", mode="before")
    @classmethod
    def _not_bool(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("a number, not true/false")  # noqa: TRY004 (pydantic wants ValueError)
        return v

    @model_validator(mode="after")
    def _range(self) -> Quantity:
        if (self.low is None) != (self.high is None):
            raise ValueError("low and high given together")
        if self.low is not None and not (self.low <= self.value <= self.high):
            raise ValueError(
                f"low <= value <= high, got low={self.low:g}, value={self.value:g}, high={self.high:g}"
            )
        if self.distribution is not None and self.low is None:
            raise ValueError(f"low and high with distribution {self.distribution!r}")
        if self.distribution == "lognormal" and self.low is not None and self.low <= 0:
            raise ValueError("low > 0 for a lognormal distribution")
        return self

    @property
    def is_assumption(self) -> bool:
        return self.source.lower().startswith("assumption")

    @property
    def has_range(self) -> bool:
        return self.low is not None


class CapexItem(_Strict):
    """Investment in one year [case currency]."""

    name: Name
    description: Text
    party: Literal["supplier", "receiver"]
    year: Annotated[int, Field(ge=0, le=60)]
    amount: Quantity


class Salvage(_Strict):
    """Residual value of the assets, received by ``party`` in the last operating year."""

    party: Literal["supplier", "receiver"]
    amount: Quantity


class AnnualLine(_Strict):
    """A recurring yearly money line: ``amount_per_year``, or ``quantity_per_year x unit_price``.

    ``quantity_from_flow`` takes the quantity from a resource flow instead: for a benefit the
    quantity avoided (baseline - project), for an opex line the quantity added (project - baseline).
    """

    name: Name
    description: Text
    party: Literal["supplier", "receiver"]
    kind: Literal[
        "avoided_purchase", "avoided_disposal", "product_sale", "service_fee", "operating_cost", "other"
    ] = "other"
    amount_per_year: Quantity | None = None
    quantity_per_year: Quantity | None = None
    quantity_from_flow: str | None = None
    unit_price: Quantity | None = None

    @model_validator(mode="after")
    def _one_form(self) -> AnnualLine:
        has_amount = self.amount_per_year is not None
        has_qty = (self.quantity_per_year is not None) or (self.quantity_from_flow is not None)
        if self.quantity_per_year is not None and self.quantity_from_flow is not None:
            raise ValueError("either quantity_per_year or quantity_from_flow, not both")
        if has_amount == (has_qty or self.unit_price is not None):
            raise ValueError("either amount_per_year, or a quantity with unit_price")
        if has_qty != (self.unit_price is not None):
            raise ValueError("a quantity (quantity_per_year or quantity_from_flow) with unit_price")
        return self


class Transfer(_Strict):
    """A payment between the parties: ``payer`` pays the other party quantity x unit_price."""

    name: Name
    description: Text
    payer: Literal["supplier", "receiver"]
    quantity_per_year: Quantity | None = None
    quantity_from_flow: str | None = None
    unit_price: Quantity

    @model_validator(mode="after")
    def _one_quantity(self) -> Transfer:
        if (self.quantity_per_year is None) == (self.quantity_from_flow is None):
            raise ValueError("exactly one of quantity_per_year or quantity_from_flow")
        return self

    @property
    def payee(self) -> str:
        return "receiver" if self.payer == "supplier" else "supplier"


class ResourceFlow(_Strict):
    """A yearly resource use before (baseline) and with the exchange (project)."""

    flow: str
    party: Literal["supplier", "receiver"]
    description: Text
    baseline_per_year: Quantity
    project_per_year: Quantity

    @field_validator("flow")
    @classmethod
    def _known_flow(cls, v: str) -> str:
        if v not in FLOW_UNITS:
            raise ValueError(f"a known flow ({', '.join(FLOW_UNITS)})")
        return v


class Financing(_Strict):
    """Loan terms for the case; a field left out takes the project-wide default parameter.

    ``tenor_years`` counts from the first operating year and includes the ``grace_years``
    (interest only); the loan finances ``debt_share`` of the capex spent before the first
    principal repayment, in the year it is spent. ``interest_rate`` is *nominal* (as a bank
    quotes it); see :mod:`eip_analysis.financing` for the real/nominal convention.
    """

    lender: str = ""
    borrower: Literal["project", "supplier", "receiver"] = "project"
    debt_share: Quantity | None = None  # [fraction of capex]
    interest_rate: Quantity | None = None  # nominal [1/yr]
    tenor_years: Quantity | None = None  # [yr], from the first operating year, incl. grace
    grace_years: Quantity | None = None  # [yr], interest only
    repayment: Literal["annuity", "equal_principal"] | None = None
    upfront_fee: Quantity | None = None  # [fraction of the amount drawn]
    target_min_dscr: Quantity | None = None  # [ratio]


class TaxIncentive(_Strict):
    """Corporate income tax incentive (Law on CIT arts. 13-14; Decree 218/2013/ND-CP arts. 15-16).

    The preferential rate runs for ``preferential_years`` from the first operating (revenue) year
    (left out: for the whole life); the ``exempt_years`` (tax 0) then ``reduced_years`` (tax
    times ``1 - reduction``) start in the first year with taxable income, at the latest in the
    fourth operating year.
    """

    basis: Text
    preferential_rate: Quantity | None = None  # [fraction]
    preferential_years: Quantity | None = None  # [yr]
    exempt_years: Quantity | None = None  # [yr]
    reduced_years: Quantity | None = None  # [yr]
    reduction: Quantity | None = None  # [fraction of the tax payable], e.g. 0.5

    @model_validator(mode="after")
    def _reduction_with_years(self) -> TaxIncentive:
        if (self.reduced_years is not None and self.reduced_years.value > 0
                and self.reduction is None):
            raise ValueError("reduction (e.g. 0.5 for 50% off) with reduced_years")
        if self.preferential_years is not None and self.preferential_rate is None:
            raise ValueError("preferential_rate with preferential_years")
        return self


class Tax(_Strict):
    """Corporate income tax terms of the case beyond the ``tax_rate`` parameter."""

    incentive: TaxIncentive | None = None
    depreciation_years: Quantity | None = None  # straight-line [yr]


#: Unit of each number of the ``financing:`` and ``tax:`` blocks, by path.
FINANCING_UNITS: dict[str, str] = {
    "financing.debt_share": "fraction",
    "financing.interest_rate": "1/yr",
    "financing.tenor_years": "yr",
    "financing.grace_years": "yr",
    "financing.upfront_fee": "fraction",
    "financing.target_min_dscr": "ratio",
    "tax.depreciation_years": "yr",
    "tax.incentive.preferential_rate": "fraction",
    "tax.incentive.preferential_years": "yr",
    "tax.incentive.exempt_years": "yr",
    "tax.incentive.reduced_years": "yr",
    "tax.incentive.reduction": "fraction",
}

#: The project-wide parameter (``data/raw/parameters/financing.yaml``) each block entry overrides.
FINANCING_PARAMETERS: dict[str, str] = {
    "financing.debt_share": "debt_share",
    "financing.interest_rate": "loan_interest_rate",
    "financing.tenor_years": "loan_tenor_years",
    "financing.grace_years": "loan_grace_years",
    "financing.repayment": "loan_repayment",
    "financing.upfront_fee": "loan_upfront_fee",
    "financing.target_min_dscr": "target_min_dscr",
    "tax.depreciation_years": "depreciation_years",
}


class SurveyRound(_Strict):
    """Implementation status and barriers found by one survey round."""

    round: Annotated[int, Field(ge=2000, le=2100)]
    status: Literal[
        "implemented", "in_progress", "planned", "not_implemented", "abandoned", "unknown"
    ]
    barriers: list[
        Literal[
            "financial", "technical", "regulatory", "information", "organisational", "market",
            "trust", "logistics",
        ]
    ] = []
    notes: str = ""
    source: Annotated[str, Field(min_length=3)]


class Case(_Strict):
    """One industrial symbiosis opportunity, as read from ``data/raw/cases/<id>.yaml``."""

    id: Name
    park: Literal["Hoa Khanh", "Tra Noc 1&2"]
    title: Text
    kind: Literal[
        "by-product energy", "by-product material", "shared infrastructure", "shared service",
        "water",
    ]
    exchange: Text
    supplier_role: Text
    receiver_role: Text
    data_quality: Literal["illustrative", "surveyed"]
    data_note: str = ""
    survey: list[SurveyRound] = Field(min_length=1)
    next_steps: list[Text] = []
    currency: Literal["VND", "USD"]
    operation_start_year: Annotated[int, Field(ge=1, le=20)] = 1
    lifetime_years: Quantity
    salvage: Salvage | None = None
    capex: list[CapexItem] = Field(min_length=1)
    opex: list[AnnualLine] = []
    benefits: list[AnnualLine] = Field(min_length=1)
    transfers: list[Transfer] = []
    resource_flows: list[ResourceFlow] = []
    parameters: dict[str, Parameter] = {}
    financing: Financing | None = None
    tax: Tax | None = None
    source_file: str | None = None
    sha256: str | None = None

    # -- views used by the other modules ------------------------------------------------------
    @property
    def lifetime(self) -> int:
        return round(self.lifetime_years.value)

    @property
    def horizon_years(self) -> int:
        """Last year of the cash-flow table (last operating year, or a later capex year)."""
        last_op = self.operation_start_year + self.lifetime - 1
        return max(last_op, max(c.year for c in self.capex))

    @property
    def is_illustrative(self) -> bool:
        return self.data_quality == "illustrative"

    @property
    def latest_survey(self) -> SurveyRound:
        return max(self.survey, key=lambda s: s.round)

    def flow(self, key: str) -> ResourceFlow:
        return next(f for f in self.resource_flows if f.flow == key)

    def quantities(self) -> Iterator[tuple[str, Quantity, str]]:
        """Every sourced number as ``(path, quantity, label)``; paths address drivers."""
        yield "lifetime_years", self.lifetime_years, "Operating lifetime"
        if self.salvage is not None:
            yield "salvage.amount", self.salvage.amount, "Salvage value at end of life"
        for c in self.capex:
            yield f"capex.{c.name}.amount", c.amount, f"Capex: {c.description} (year {c.year})"
        for section, label in (("opex", "Opex"), ("benefits", "Benefit"), ("transfers", "Transfer")):
            for line in getattr(self, section):
                for attr in ("amount_per_year", "quantity_per_year", "unit_price"):
                    q = getattr(line, attr, None)
                    if q is not None:
                        words = attr.replace("_", " ")
                        yield f"{section}.{line.name}.{attr}", q, f"{label}: {line.description}, {words}"
        for f in self.resource_flows:
            for attr in ("baseline_per_year", "project_per_year"):
                q = getattr(f, attr)
                yield (
                    f"resource_flows.{f.flow}.{attr}", q,
                    f"Resource flow {f.flow} ({f.party}): {attr.split('_')[0]}",
                )
        yield from self.financing_quantities()

    def parameter_overrides(self) -> dict[str, Parameter]:
        """The case's ``parameters:`` merged with its ``financing:``/``tax:`` block entries.

        Block entries appear under their parameter name (``financing.interest_rate`` ->
        ``loan_interest_rate``, see :data:`FINANCING_PARAMETERS`), with the block's source.
        """
        merged = dict(self.parameters)
        for path, q, _ in self.financing_quantities():
            name = FINANCING_PARAMETERS.get(path)
            if name is not None:
                merged[name] = Parameter(value=q.value, unit=q.unit, source=f"{path}: {q.source}",
                                         low=q.low, high=q.high)
        if self.financing is not None and self.financing.repayment is not None:
            merged["loan_repayment"] = Parameter(
                value=self.financing.repayment, unit="",
                source=f"financing.repayment of the case ({self.financing.lender or 'lender'})")
        return merged

    def financing_quantities(self) -> Iterator[tuple[str, Quantity, str]]:
        """The numbers of the ``financing:`` and ``tax:`` blocks, as ``(path, quantity, label)``."""
        blocks = (("financing", self.financing, "Financing"), ("tax", self.tax, "Tax"),
                  ("tax.incentive", self.tax.incentive if self.tax else None, "Tax incentive"))
        for prefix, block, label in blocks:
            for name in type(block).model_fields if block is not None else ():
                q = getattr(block, name)
                if isinstance(q, Quantity):
                    yield f"{prefix}.{name}", q, f"{label}: {name.replace('_', ' ')}"


# -- loading ----------------------------------------------------------------------------------


def _cross_field_checks(case: Case) -> Iterator[tuple[str, str, object]]:
    """Yield ``(field, expected, got)`` for rules that tie several fields together."""
    for section in ("capex", "opex", "benefits", "transfers"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(case, section)):
            if item.name in seen:
                yield f"{section}[{i}].name", f"a name not used before in {section}", item.name
            seen.add(item.name)
    flows = [f.flow for f in case.resource_flows]
    for i, key in enumerate(flows):
        if key in flows[:i]:
            yield f"resource_flows[{i}].flow", "each resource flow at most once", key
    for section in ("opex", "benefits", "transfers"):
        for i, item in enumerate(getattr(case, section)):
            key = item.quantity_from_flow
            if key is None:
                continue
            if key not in flows:
                yield (f"{section}[{i}].quantity_from_flow",
                       f"one of this case's resource flows ({', '.join(flows) or 'none'})", key)
                continue
            f = case.flow(key)
            change = f.baseline_per_year.value - f.project_per_year.value
            if section == "benefits" and change < 0:
                yield (f"{section}[{i}].quantity_from_flow",
                       "a flow that falls from baseline to project (the quantity avoided)", key)
            if section == "opex" and change > 0:
                yield (f"{section}[{i}].quantity_from_flow",
                       "a flow that rises from baseline to project (the quantity added)", key)


def _unit_checks(case: Case) -> Iterator[tuple[str, str, str]]:
    """Yield ``(field, unit_found, unit_expected)`` for every unit that does not fit."""
    cur = case.currency

    def expect(field: str, q: Quantity | None, allowed: set[str] | str) -> Iterator:
        if q is None:
            return
        allowed = {allowed} if isinstance(allowed, str) else allowed
        if q.unit not in allowed:
            yield field, q.unit, " or ".join(sorted(allowed))

    yield from expect("lifetime_years", case.lifetime_years, "yr")
    yield from expect("salvage.amount", case.salvage.amount if case.salvage else None, cur)
    for i, c in enumerate(case.capex):
        yield from expect(f"capex[{i}].amount", c.amount, cur)
    per_year = {f"{u}/yr" for u in QUANTITY_UNITS}
    for section in ("opex", "benefits", "transfers"):
        for i, line in enumerate(getattr(case, section)):
            where = f"{section}[{i}]"
            yield from expect(f"{where}.amount_per_year", getattr(line, "amount_per_year", None),
                              f"{cur}/yr")
            if line.quantity_per_year is not None:
                yield from expect(f"{where}.quantity_per_year", line.quantity_per_year, per_year)
                qty_unit = line.quantity_per_year.unit.removesuffix("/yr")
            elif line.quantity_from_flow is not None:
                qty_unit = FLOW_UNITS[line.quantity_from_flow].removesuffix("/yr")
            else:
                continue
            yield from expect(f"{where}.unit_price", line.unit_price, f"{cur}/{qty_unit}")
    for i, f in enumerate(case.resource_flows):
        for attr in ("baseline_per_year", "project_per_year"):
            yield from expect(f"resource_flows[{i}].{attr}", getattr(f, attr), FLOW_UNITS[f.flow])
    for path, q, _ in case.financing_quantities():
        yield from expect(path, q, FINANCING_UNITS[path])


def _checks_beyond_schema(case: Case) -> Iterator[tuple[str, str, object]]:
    """Yield ``(field, expected, got)`` for values the schema's types cannot rule out."""
    yield from _financing_checks(case)
    life = case.lifetime_years
    for attr in ("value", "low", "high"):
        years = getattr(life, attr)
        if years is not None and (years < 1 or years != round(years)):
            yield f"lifetime_years.{attr}", "a whole number of years, at least 1 [yr]", years
    last_operating_year = case.operation_start_year + case.lifetime - 1
    for i, c in enumerate(case.capex):
        if c.year > last_operating_year:
            yield (f"capex[{i}].year", f"a year within the life (0-{last_operating_year})",
                   c.year)
    for path, q, _ in case.quantities():
        for attr in ("value", "low"):
            if getattr(q, attr) is not None and getattr(q, attr) < 0:
                yield (f"{path}.{attr}", "a non-negative number (signs come from the section)",
                       getattr(q, attr))


def _financing_checks(case: Case) -> Iterator[tuple[str, str, object]]:
    """Loan and tax terms a lender would reject as impossible (ranges checked at both ends)."""
    lifetime = case.lifetime_years.value
    for path, q, _ in case.financing_quantities():
        unit = FINANCING_UNITS[path]
        for attr, x in (("value", q.value), ("low", q.low), ("high", q.high)):
            if x is None:
                continue
            where = f"{path}.{attr}"
            if path == "financing.debt_share" and not 0 <= x <= 1:
                yield where, "a debt share in [0, 1] [fraction of capex]", x
            elif unit == "fraction" and not 0 <= x <= 1:
                yield where, "a fraction in [0, 1]", x
            elif path == "financing.interest_rate" and not 0 <= x < 1:
                yield where, "a nominal interest rate in [0, 1) [1/yr]", x
            elif unit == "yr" and x != int(x):
                yield where, "a whole number of years [yr]", x
            elif path == "financing.target_min_dscr" and not x > 0:
                yield where, "a positive ratio [-]", x
    fin = case.financing
    for path, name in FINANCING_PARAMETERS.items():
        block, field = path.split(".")
        if name in case.parameters and getattr(getattr(case, block), field, None) is not None:
            yield f"parameters.{name}", f"the value in one place only ({path} sets it)", name
    if fin is not None and fin.tenor_years is not None:
        tenor = fin.tenor_years
        if tenor.value < 1:
            yield "financing.tenor_years.value", "a tenor of at least 1 [yr]", tenor.value
        if max(tenor.value, tenor.high or 0) > lifetime:
            yield ("financing.tenor_years.value",
                   f"a tenor not longer than the operating lifetime ({lifetime:g} yr) [yr]",
                   max(tenor.value, tenor.high or 0))
        if fin.grace_years is not None and fin.grace_years.value >= tenor.value:
            yield ("financing.grace_years.value",
                   f"fewer grace years than the tenor ({tenor.value:g} yr) [yr]",
                   fin.grace_years.value)


class _NoTagsLoader(yaml.SafeLoader):
    """Safe YAML loader; any tag (``!!python/object``...) is refused by SafeLoader already."""


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("an existing case file", file=path) from None
    except UnicodeDecodeError:
        raise InputError("a UTF-8 text file", file=path) from None
    try:
        return yaml.load(text, Loader=_NoTagsLoader), text
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line = f"line {mark.line + 1}" if mark else None
        raise InputError(
            "plain YAML without tags (such as !!python/object)", file=path, field=line,
            got=str(exc.problem).split("'")[1] if "'" in str(exc.problem) else exc.problem,
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise InputError(
            f"valid YAML ({getattr(exc, 'problem', None) or 'parse error'})", file=path, field=line
        ) from None


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _validation_error(exc: ValidationError, path: Path) -> InputError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    # pydantic puts the member name of a union in the location; drop type tags like 'literal'.
    field = _loc(loc) or None
    kind = first["type"]
    msg = first["msg"].removeprefix("Value error, ")
    if kind == "missing":
        expected = "this required field"
    elif kind == "extra_forbidden":
        expected = "no such field (check its spelling)"
    elif kind == "literal_error":
        expected = msg.removeprefix("Input should be ")
    elif kind == "string_pattern_mismatch" and loc and loc[-1] in ("id", "name"):
        expected = "a plain name (letters, digits, '-' and '_')"
    elif msg.startswith("Input should be "):
        expected = "a value " + msg.removeprefix("Input should be ")
        expected = expected.replace("a value a ", "a ").replace("a value an ", "an ")
    elif msg.startswith("String should have "):
        expected = "text with " + msg.removeprefix("String should have ")
    else:
        expected = msg[0].lower() + msg[1:] if msg else kind
    more = len(errors) - 1
    if more:
        expected += f" (and {more} more problem{'s' if more > 1 else ''} in this file)"
    got = first.get("input") if kind not in ("missing", "model_type") else None
    if isinstance(got, dict | list):
        got = None
    return InputError(expected, file=path, field=field, got=got)


def parse_case(data: Any, path: Path, text: str = "") -> Case:
    """Validate already-parsed YAML ``data`` read from ``path`` into a :class:`Case`."""
    if not isinstance(data, dict):
        raise InputError("a mapping of case fields at the top level", file=path,
                         got=type(data).__name__)
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, path) from None
    if case.id != path.stem:
        raise InputError(f"the file name's id {path.stem!r}", file=path, field="id", got=case.id)
    for field, expected, got in _cross_field_checks(case):
        raise InputError(expected, file=path, field=field, got=got)
    for field, unit, expected in _unit_checks(case):
        raise InputError(f"unit {expected}", file=path, field=f"{field}.unit", got=unit)
    for field, expected, got in _checks_beyond_schema(case):
        raise InputError(expected, file=path, field=field, got=got)
    check_overrides(case.parameters, file=path)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return case.model_copy(update={"source_file": str(path), "sha256": digest})


def case_path(id_or_path: str | Path, cases_dir: str | Path | None = None) -> Path:
    """The file of a case given its id (looked up in ``cases_dir``) or a path to a YAML file."""
    text = str(id_or_path)
    if text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        p = Path(text)
        if p.suffix in (".yaml", ".yml") and p.exists():
            return p
        if not PLAIN_NAME.match(p.name.removesuffix(p.suffix)) or p.suffix not in (".yaml", ".yml"):
            raise InputError("a case id that is a plain name (letters, digits, '-', '_') or "
                             "the path of an existing .yaml file", field="case id", got=text)
        raise InputError("an existing case file", file=p)
    if not PLAIN_NAME.match(text):
        raise InputError("a plain name (letters, digits, '-' and '_')", field="case id", got=text)
    directory = Path(cases_dir) if cases_dir is not None else paths.cases_dir()
    p = directory / f"{text}.yaml"
    if not p.exists():
        known = sorted(q.stem for q in directory.glob("*.yaml"))
        raise InputError(f"one of the case ids in {directory} ({', '.join(known) or 'none'})",
                         field="case id", got=text)
    return p


def load_case(id_or_path: str | Path, cases_dir: str | Path | None = None) -> Case:
    """Load and validate one case by id (``"HK-01"``) or path.

    Raises
    ------
    InputError
        One line naming the file, the field and what was expected.
    """
    path = case_path(id_or_path, cases_dir)
    data, text = _read_yaml(path)
    return parse_case(data, path, text)


def scan_cases(directory: str | Path | None = None) -> list[tuple[Path, Case | InputError]]:
    """Validate every ``*.yaml`` in ``directory``; each result is a Case or the InputError."""
    directory = Path(directory) if directory is not None else paths.cases_dir()
    if not directory.is_dir():
        raise InputError("an existing folder of case files", file=directory)
    out: list[tuple[Path, Case | InputError]] = []
    for p in sorted(directory.glob("*.yaml")):
        try:
            if not PLAIN_NAME.match(p.stem):
                raise InputError("a file named <plain id>.yaml", file=p)
            out.append((p, load_case(p)))
        except InputError as exc:
            out.append((p, exc))
    return out


def load_cases(directory: str | Path | None = None) -> dict[str, Case]:
    """Load every case in ``directory`` (default ``data/raw/cases``); raises on the first bad file.

    Use :func:`scan_cases` to validate all files and collect the errors instead.
    """
    cases: dict[str, Case] = {}
    for _, result in scan_cases(directory):
        if isinstance(result, InputError):
            raise result
        cases[result.id] = result
    return cases
