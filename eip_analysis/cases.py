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

import datetime
import hashlib
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from . import paths
from .emissions import (
    FLARE_TYPES,
    FLOW_UNITS,
    FUELS,
    LANDFILL_FLOWS,
    LANDFILL_SITES,
    RESIDUE_FUELS,
    WASTEWATER_TREATMENTS,
    fuel_factors,
)
from .errors import InputError, unexpected
from .files import read_input_bytes
from .flows import FlowResolver
from .parameters import Parameter, check_overrides
from .paths import PLAIN_NAME, case_path
from .quantities import Quantity

CURRENCIES = ("VND", "USD")
#: Physical units a quantity may be counted in (a price is then ``<currency>/<unit>``).
QUANTITY_UNITS = ("t", "kg", "MWh", "kWh", "GJ", "m3", "kWp", "unit", "person-day")
#: A party of an exchange: the firm whose residue, energy or service it is, or the one using it.
Party = Literal["supplier", "receiver"]
#: The parties, in the order reports show them.
PARTIES: tuple[str, ...] = get_args(Party)

Name = Annotated[str, Field(pattern=PLAIN_NAME.pattern, max_length=64)]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Benchmark(_Strict):
    """Compare a figure with a sourced typical range of ``data/raw/factors/typical_ranges.csv``.

    On a capex item the figure is the amount [USD] per ``per`` (e.g. USD per kWp); on a fuel
    flow, the baseline fuel energy [GJ/yr] per ``per`` (e.g. GJ per tonne of paper).
    """

    range: Name
    per: Quantity


#: What a capex item is for; ``contingency`` and ``working_capital`` are read by the checks,
#: ``working_capital`` is released in the last operating year.
CAPEX_KINDS = ("equipment", "civil", "installation", "engineering", "permits", "land",
               "contingency", "working_capital", "other")


class CapexItem(_Strict):
    """Investment in one year [case currency]."""

    name: Name
    description: Text
    party: Party
    year: Annotated[int, Field(ge=0, le=60)]
    kind: Literal[CAPEX_KINDS] = "other"
    amount: Quantity
    benchmark: Benchmark | None = None


class Salvage(_Strict):
    """Residual value of the assets, received by ``party`` in the last operating year."""

    party: Party
    amount: Quantity


class AnnualLine(_Strict):
    """A recurring yearly money line: ``amount_per_year``, or ``quantity_per_year x unit_price``.

    ``quantity_from_flow`` takes the quantity from a resource flow instead: for a benefit the
    quantity avoided (baseline - project), for an opex line the quantity added (project - baseline).
    """

    name: Name
    description: Text
    party: Party
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
    payer: Party
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


class UsefulHeat(_Strict):
    """Tonnes of fuel from the useful heat it must supply: heat / efficiency / NCV as received."""

    method: Literal["useful_heat"]
    useful_heat: Quantity  # [GJ/yr]
    efficiency: Quantity  # boiler efficiency with this fuel [fraction]
    basis: Text


class FuelReplaced(_Strict):
    """Tonnes of this fuel replaced by the increase of fuel ``by``, energy for energy.

    replaced [t/yr] = increase of ``by`` [t/yr] x NCV(by) x ``efficiency_by`` /
    (``efficiency`` x NCV(this)); on the baseline side the result is project + replaced.
    """

    method: Literal["fuel_replaced"]
    by: str
    efficiency_by: Quantity  # boiler efficiency burning the new fuel [fraction]
    efficiency: Quantity  # boiler efficiency burning this (replaced) fuel [fraction]


class WastewaterMethane(_Strict):
    """Methane [t CH4/yr] from the COD removed: COD x Bo x MCF (IPCC 2006 Vol. 5 Ch. 6)."""

    method: Literal["wastewater_methane"]
    cod_removed: Quantity  # [t/yr] of COD
    treatment: Literal[WASTEWATER_TREATMENTS]
    bo: Quantity | None = None  # [t/t] CH4 per COD; default the IPCC 0.25


class SameAs(_Strict):
    """The same yearly quantity as another flow's side (e.g. the biogas flared today is the
    biogas burnt in the project)."""

    method: Literal["same_as"]
    flow: str
    side: Literal["baseline", "project"]


def _amount_kind(v: Any) -> str:
    return str(v.get("method", "quantity")) if isinstance(v, dict) else (
        getattr(v, "method", "quantity"))


#: A side of a resource flow: a sourced number, or a derivation the library computes.
FlowAmount = Annotated[
    Annotated[Quantity, Tag("quantity")] | Annotated[UsefulHeat, Tag("useful_heat")] | Annotated[FuelReplaced, Tag("fuel_replaced")] | Annotated[WastewaterMethane, Tag("wastewater_methane")] | Annotated[SameAs, Tag("same_as")],
    Discriminator(_amount_kind),
]


class Leakage(_Strict):
    """What happens to the residue's present users (CDM Tool 16 leakage from biomass).

    ``surplus``: the residue is shown to be surplus (the basis says how); ``displaced``: a
    ``share_displaced`` of the project's extra use is taken from users who burn
    ``replacement_fuel`` instead (counted); ``not_assessed``: said in words in the report.
    """

    assessment: Literal["surplus", "displaced", "not_assessed"]
    displaced_use: Text
    basis: Text
    share_displaced: Quantity | None = None  # [fraction]
    replacement_fuel: str | None = None

    @model_validator(mode="after")
    def _displaced_needs(self) -> Leakage:
        if self.assessment == "displaced" and (self.share_displaced is None
                                               or self.replacement_fuel is None):
            raise ValueError("share_displaced and replacement_fuel with assessment displaced")
        if self.replacement_fuel is not None and self.replacement_fuel not in FUELS:
            raise ValueError(f"a replacement fuel among {', '.join(FUELS)}")
        return self


class ResourceFlow(_Strict):
    """A yearly resource use before (baseline) and with the exchange (project).

    Each side is a sourced quantity in the flow's unit or a derivation (``method:``
    ``useful_heat``, ``fuel_replaced``, ``wastewater_methane``, ``same_as``). Biomass fuels
    state their ``moisture`` or ``ncv_as_received``; landfill flows their ``site``; flared
    biogas its ``flare`` type (or a measured ``destruction_efficiency``); residues taken from
    present users their ``leakage``.
    """

    flow: str
    party: Party
    description: Text
    baseline_per_year: FlowAmount
    project_per_year: FlowAmount
    moisture: Quantity | None = None  # wet basis [fraction]
    ncv_as_received: Quantity | None = None  # [GJ/t]
    site: Literal[LANDFILL_SITES] | None = None
    flare: Literal[FLARE_TYPES] | None = None
    destruction_efficiency: Quantity | None = None  # measured [fraction]
    leakage: Leakage | None = None
    benchmark: Benchmark | None = None

    @field_validator("flow")
    @classmethod
    def _known_flow(cls, v: str) -> str:
        if v not in FLOW_UNITS:
            raise ValueError(f"a known flow ({', '.join(FLOW_UNITS)})")
        return v

    def side(self, name: str) -> Any:
        return getattr(self, f"{name}_per_year")


class Revision(_Strict):
    """One change made to the case file after a review: what, from what, to what, why."""

    date: datetime.date
    field: Text
    old: str | float | int
    new: str | float | int
    why: Text
    source: Annotated[str, Field(min_length=3)]


class Exclusion(_Strict):
    """Another case this one cannot coexist with (same boilers, same oil...)."""

    case: Name
    reason: Text


class CompetesFor(_Strict):
    """A shared resource the case draws on (``data/raw/shared_resources.yaml``): the demand is
    the increase of ``flow`` (or ``quantity_per_year``)."""

    resource: Name
    flow: str | None = None
    quantity_per_year: Quantity | None = None

    @model_validator(mode="after")
    def _one(self) -> CompetesFor:
        if (self.flow is None) == (self.quantity_per_year is None):
            raise ValueError("exactly one of flow or quantity_per_year")
        return self


class AcceptedWarning(_Strict):
    """A plausibility warning the case accepts, with the reason (``eip-analysis check``)."""

    check: Name
    field: str = ""
    reason: Text


class Financing(_Strict):
    """Loan terms for the case; a field left out takes the project-wide default parameter.

    ``tenor_years`` counts from the first operating year and includes the ``grace_years``
    (interest only); the loan finances ``debt_share`` of the capex spent before the first
    principal repayment, in the year it is spent. ``interest_rate`` is *nominal* (as a bank
    quotes it); see :mod:`eip_analysis.financing` for the real/nominal convention.
    """

    lender: str = ""
    borrower: Literal["project", *PARTIES] = "project"
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


#: Where an opportunity stands at a survey round, from first idea to running (or dropped).
SURVEY_STATUSES = ("not_started", "studied", "negotiating", "in_implementation", "operating",
                   "dropped")
#: What blocks an opportunity, in the categories of the follow-up programme's survey.
BARRIER_CATEGORIES = ("technical", "financial", "regulatory_permits", "organisational",
                      "information_trust", "market", "logistics")
#: Barrier categories in words where the name is not (the others read as they are).
BARRIER_WORDS = {"regulatory_permits": "regulatory/permits",
                 "information_trust": "information/trust"}


def barrier_words(barrier: str) -> str:
    """``"regulatory_permits"`` -> ``"regulatory/permits"``."""
    return BARRIER_WORDS.get(barrier, barrier)


class SurveyRound(_Strict):
    """Implementation status and barriers found by one survey round.

    ``data_quality`` says how the round's finding was obtained (default: the case's own).
    """

    round: Annotated[int, Field(ge=2000, le=2100)]
    status: Literal[SURVEY_STATUSES]
    barriers: list[Literal[BARRIER_CATEGORIES]] = []
    #: Barriers (among ``barriers``) that stop the exchange whatever assistance it gets, until
    #: a party outside the programme changes its position (a buyer paying more, a law).
    blocking: list[Literal[BARRIER_CATEGORIES]] = []
    notes: str = ""
    data_quality: Literal["surveyed", "estimated", "illustrative"] | None = None
    source: Annotated[str, Field(min_length=3)]

    @field_validator("barriers")
    @classmethod
    def _each_once(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("each barrier at most once")
        return v

    @model_validator(mode="after")
    def _blocking_among_barriers(self) -> SurveyRound:
        extra = [b for b in self.blocking if b not in self.barriers]
        if extra:
            raise ValueError(f"blocking barriers among the round's barriers (not {extra[0]})")
        return self


#: Case texts that may carry a Vietnamese version in the case's ``vi:`` mapping.
TRANSLATABLE_TEXTS = ("title", "exchange", "supplier_role", "receiver_role", "data_note")


class CaseTexts(_Strict):
    """The case's own texts in Vietnamese (the case file's ``vi:`` mapping), each optional::

        vi:
          title: Đốt khí sinh học của nhà máy bia trong lò hơi của đơn vị cấp hơi
          exchange: >-
            Khí sinh học từ bể kỵ khí ...
          next_steps: [..., ...]      # all of them, in the order of next_steps
          survey_notes: {2020: ...}   # by survey round

    A text not given is shown in English in a Vietnamese report, marked as not translated.
    """

    title: Text | None = None
    exchange: Text | None = None
    supplier_role: Text | None = None
    receiver_role: Text | None = None
    data_note: Text | None = None
    next_steps: list[Text] | None = None
    survey_notes: dict[int, Text] = {}


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
    currency: Literal[CURRENCIES]
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
    vat_basis: str = ""
    excludes: list[Exclusion] = []
    competes_for: list[CompetesFor] = []
    accepted_warnings: list[AcceptedWarning] = []
    revisions: list[Revision] = []
    #: The case's texts in Vietnamese (:class:`CaseTexts`), where written.
    vi: CaseTexts | None = None
    source_file: str | None = None
    sha256: str | None = None

    @model_validator(mode="after")
    def _translations_match(self) -> Case:
        if self.vi is None:
            return self
        if self.vi.next_steps is not None and len(self.vi.next_steps) != len(self.next_steps):
            raise ValueError(f"vi.next_steps: one text per next step ({len(self.next_steps)}), "
                             f"not {len(self.vi.next_steps)}")
        rounds = {s.round for s in self.survey}
        extra = sorted(set(self.vi.survey_notes) - rounds)
        if extra:
            raise ValueError(f"vi.survey_notes: rounds of the survey ({sorted(rounds)}), "
                             f"not {extra[0]}")
        return self

    def text_in(self, name: str, language: str) -> tuple[str, bool]:
        """The case text ``name`` (:data:`TRANSLATABLE_TEXTS`) in ``language``, and whether it
        is in that language: ``("...", False)`` is the English text, not translated.

        >>> case = load_case("HK-01")
        >>> case.text_in("title", "en") == (case.title, True)
        True
        """
        english = getattr(self, name)
        if language == "en" or not english:
            return english, True
        local = getattr(self.vi, name, None) if self.vi is not None else None
        return (local, True) if local else (english, False)

    def next_steps_in(self, language: str) -> list[tuple[str, bool]]:
        """Each next step in ``language`` (or in English, ``False``: not translated)."""
        local = self.vi.next_steps if language != "en" and self.vi is not None else None
        if language == "en":
            return [(step, True) for step in self.next_steps]
        return [(t, True) for t in local] if local else [(s, False) for s in self.next_steps]

    def survey_notes_in(self, survey_round: int, language: str) -> tuple[str, bool]:
        """The notes of a survey round in ``language`` (or in English, ``False``)."""
        english = next((s.notes for s in self.survey if s.round == survey_round), "")
        if language == "en" or not english:
            return english, True
        local = self.vi.survey_notes.get(survey_round) if self.vi is not None else None
        return (local, True) if local else (english, False)

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
            yield from flow_quantities_of(f)
        for c in self.competes_for:
            if c.quantity_per_year is not None:
                yield (f"competes_for.{c.resource}.quantity_per_year", c.quantity_per_year,
                       f"Demand on shared resource {c.resource}")
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


def flow_quantities_of(f: ResourceFlow) -> Iterator[tuple[str, Quantity, str]]:
    """The sourced numbers of one resource flow, as ``(path, quantity, label)``."""
    prefix = f"resource_flows.{f.flow}"
    label = f"Resource flow {f.flow} ({f.party})"
    for side in ("baseline", "project"):
        amount = f.side(side)
        path = f"{prefix}.{side}_per_year"
        if isinstance(amount, Quantity):
            yield path, amount, f"{label}: {side}"
            continue
        for name in type(amount).model_fields:
            q = getattr(amount, name)
            if isinstance(q, Quantity):
                yield f"{path}.{name}", q, f"{label}: {side}, {name.replace('_', ' ')}"
    for name in ("moisture", "ncv_as_received", "destruction_efficiency"):
        q = getattr(f, name)
        if q is not None:
            yield f"{prefix}.{name}", q, f"{label}: {name.replace('_', ' ')}"
    if f.leakage is not None and f.leakage.share_displaced is not None:
        yield (f"{prefix}.leakage.share_displaced", f.leakage.share_displaced,
               f"{label}: share of the residue taken from present users")
    if f.benchmark is not None:
        yield f"{prefix}.benchmark.per", f.benchmark.per, f"{label}: benchmark basis"


#: Unit of each number inside a flow derivation or flow attribute, by field name.
FLOW_FIELD_UNITS: dict[str, str] = {
    "useful_heat": "GJ/yr", "efficiency": "fraction", "efficiency_by": "fraction",
    "cod_removed": "t/yr", "bo": "t/t", "moisture": "fraction", "ncv_as_received": "GJ/t",
    "destruction_efficiency": "fraction", "share_displaced": "fraction",
}


def _flow_rules(case: Case) -> Iterator[tuple[str, str, object]]:
    """Yield ``(field, expected, got)`` for flow attributes that do not fit the flow."""
    flows = {f.flow: f for f in case.resource_flows}
    for i, f in enumerate(case.resource_flows):
        where = f"resource_flows[{i}]"
        is_fuel = f.flow in FUELS
        for side in ("baseline", "project"):
            amount = f.side(side)
            at = f"{where}.{side}_per_year"
            if isinstance(amount, UsefulHeat | FuelReplaced) and not is_fuel:
                yield f"{at}.method", "useful_heat or fuel_replaced on a fuel flow only", f.flow
            if isinstance(amount, WastewaterMethane) and f.flow not in ("biogas",
                                                                        "biogas_flared"):
                yield f"{at}.method", "wastewater_methane on biogas or biogas_flared", f.flow
            if isinstance(amount, FuelReplaced):
                if amount.by not in flows or amount.by not in FUELS or amount.by == f.flow:
                    yield (f"{at}.by", "another fuel flow of this case", amount.by)
                elif any(isinstance(flows[amount.by].side(s), FuelReplaced | SameAs)
                         for s in ("baseline", "project")):
                    yield (f"{at}.by", "a fuel flow given by quantities, useful heat or COD",
                           amount.by)
            if isinstance(amount, SameAs):
                other = flows.get(amount.flow)
                if other is None or amount.flow == f.flow:
                    yield f"{at}.flow", "another resource flow of this case", amount.flow
                elif isinstance(other.side(amount.side), SameAs | FuelReplaced):
                    yield (f"{at}.flow", "a flow side given by a quantity or a direct derivation",
                           amount.flow)
                elif FLOW_UNITS[other.flow] != FLOW_UNITS[f.flow]:
                    yield (f"{at}.flow", f"a flow in {FLOW_UNITS[f.flow]}", amount.flow)
        if not is_fuel:
            for name in ("moisture", "ncv_as_received"):
                if getattr(f, name) is not None:
                    yield f"{where}.{name}", "a fuel flow (moisture and NCV are fuel properties)", f.flow
        elif f.moisture is not None and f.ncv_as_received is not None:
            yield f"{where}.moisture", "moisture or ncv_as_received, not both", f.flow
        elif f.moisture is not None and fuel_factors(f.flow)["ncv_basis"] != "dry":
            yield (f"{where}.moisture", (f"ncv_as_received instead (the IPCC NCV of {f.flow} is "
                   "already as received)"), f.flow)
        elif (fuel_factors(f.flow)["ncv_basis"] == "dry" and f.moisture is None
              and f.ncv_as_received is None):
            yield (f"{where}.moisture", (f"the moisture (wet basis) or ncv_as_received of the "
                   f"{f.flow} (its IPCC NCV is on a dry basis)"), None)
        if f.moisture is not None and not 0 <= f.moisture.value < 0.7:
            yield f"{where}.moisture.value", "a moisture on a wet basis in [0, 0.7) [fraction]", f.moisture.value
        if f.site is not None and f.flow not in LANDFILL_FLOWS:
            yield f"{where}.site", "a landfill flow (landfill_<type>)", f.flow
        if (f.flare is not None or f.destruction_efficiency is not None) and f.flow != "biogas_flared":
            yield f"{where}.flare", "the biogas_flared flow", f.flow
        if f.flow == "biogas_flared" and f.flare is None and f.destruction_efficiency is None:
            yield (f"{where}.flare", (f"the flare type ({', '.join(FLARE_TYPES)}) or a measured "
                   "destruction_efficiency"), None)
        if f.leakage is not None and f.flow not in RESIDUE_FUELS and f.flow != "fuel_oil":
            yield (f"{where}.leakage", (f"a residue flow ({', '.join(RESIDUE_FUELS)}) or fuel_oil "
                   "standing for a residue oil"), f.flow)
    for path, q, _ in case.quantities():
        name = path.rsplit(".", 1)[-1]
        if FLOW_FIELD_UNITS.get(name) == "fraction" and path.startswith("resource_flows"):
            for attr in ("value", "low", "high"):
                x = getattr(q, attr)
                if x is not None and not 0 <= x <= 1:
                    yield f"{path}.{attr}", "a fraction in [0, 1]", x
            if name.startswith("efficiency") and q.value <= 0:
                yield f"{path}.value", "an efficiency above 0", q.value
    for i, c in enumerate(case.competes_for):
        if c.flow is not None and c.flow not in flows:
            yield f"competes_for[{i}].flow", "one of this case's resource flows", c.flow
    for i, x in enumerate(case.excludes):
        if x.case == case.id:
            yield f"excludes[{i}].case", "another case's id", x.case


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
            if key is not None and key not in flows:
                yield (f"{section}[{i}].quantity_from_flow",
                       f"one of this case's resource flows ({', '.join(flows) or 'none'})", key)


def _direction_checks(case: Case) -> Iterator[tuple[str, str, object]]:
    """A benefit takes a quantity avoided, an opex line a quantity added (flows derived)."""
    resolver = FlowResolver(case.resource_flows)
    for section in ("opex", "benefits"):
        for i, item in enumerate(getattr(case, section)):
            key = item.quantity_from_flow
            if key is None:
                continue
            change = resolver.change(key)
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
            amount = getattr(f, attr)
            if isinstance(amount, Quantity):
                yield from expect(f"resource_flows[{i}].{attr}", amount, FLOW_UNITS[f.flow])
                continue
            for name in type(amount).model_fields:
                q = getattr(amount, name)
                if isinstance(q, Quantity):
                    yield from expect(f"resource_flows[{i}].{attr}.{name}", q,
                                      FLOW_FIELD_UNITS[name])
        for name in ("moisture", "ncv_as_received", "destruction_efficiency"):
            yield from expect(f"resource_flows[{i}].{name}", getattr(f, name),
                              FLOW_FIELD_UNITS[name])
        if f.leakage is not None:
            yield from expect(f"resource_flows[{i}].leakage.share_displaced",
                              f.leakage.share_displaced, "fraction")
    for i, c in enumerate(case.competes_for):
        if c.quantity_per_year is not None:
            yield from expect(f"competes_for[{i}].quantity_per_year", c.quantity_per_year,
                              {f"{u}/yr" for u in QUANTITY_UNITS})
    for path, q, _ in case.financing_quantities():
        yield from expect(path, q, FINANCING_UNITS[path])


def _checks_beyond_schema(case: Case) -> Iterator[tuple[str, str, object]]:
    """Yield ``(field, expected, got)`` for values the schema's types cannot rule out."""
    yield from _financing_checks(case)
    life = case.lifetime_years
    for attr in ("value", "low", "high"):
        years = getattr(life, attr)
        if years is not None and (years < 1 or years > MAX_LIFETIME_YEARS
                                  or years != round(years)):
            yield (f"lifetime_years.{attr}",
                   f"a whole number of years from 1 to {MAX_LIFETIME_YEARS} [yr]", years)
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


#: Longest operating life a case may state [yr]: boilers, pipelines and PV last 20-30 years;
#: 50 is the longest life of plant in the depreciation tables (Circular 45/2013/TT-BTC: 50
#: years for buildings), and longer lives only feed a runaway cash-flow table.
MAX_LIFETIME_YEARS = 50
#: Deepest nesting of lists and mappings a case file may have (the schema needs 4).
MAX_NESTING = 20


class _DuplicateKey(yaml.constructor.ConstructorError):
    pass


class _NoTagsLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe YAML loader (libyaml's when PyYAML has it, ~10x faster); any tag
    (``!!python/object``...) is refused by the safe loader already; a key given twice in one
    mapping is an error (YAML 1.2 says keys are unique; PyYAML would keep the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise _DuplicateKey(None, None, f"key {key!r} given twice", key_node.start_mark)
            seen.add(key) if isinstance(key, str | int | float | bool) else None
        return super().construct_mapping(node, deep=deep)


def _too_deep(node: yaml.Node) -> bool:
    """Nesting deeper than :data:`MAX_NESTING` (checked without recursion)."""
    stack = [(node, 1)]
    while stack:
        n, depth = stack.pop()
        if depth > MAX_NESTING:
            return True
        if isinstance(n, yaml.SequenceNode):
            stack.extend((c, depth + 1) for c in n.value)
        elif isinstance(n, yaml.MappingNode):
            stack.extend((v, depth + 1) for _, v in n.value)
    return False


def read_yaml(path: Path) -> tuple[Any, bytes]:
    """Parse one YAML input file safely: ``(data, the bytes on disk)``.

    Only a regular file of bounded size (:func:`eip_analysis.files.read_input_bytes`), UTF-8,
    without tags, nested at most :data:`MAX_NESTING` deep, each key once per mapping; any
    other file is an :class:`InputError` naming the file (and the line where there is one).
    Case files and ESMP registers are read with it.
    """
    try:
        raw = read_input_bytes(path)
    except FileNotFoundError:
        raise InputError("an existing case file", file=path) from None
    except ValueError as exc:
        raise InputError(str(exc), file=path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("a UTF-8 text file", file=path) from None
    try:
        loader = _NoTagsLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None and _too_deep(node):
                raise InputError(f"lists and mappings nested at most {MAX_NESTING} deep",
                                 file=path)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        return data, raw
    except _DuplicateKey as exc:
        mark = exc.problem_mark
        raise InputError("each key once in a mapping", file=path,
                         field=f"line {mark.line + 1}" if mark else None,
                         got=str(exc.problem).split("'")[1] if "'" in str(exc.problem)
                         else exc.problem) from None
    except RecursionError:
        raise InputError(f"lists and mappings nested at most {MAX_NESTING} deep",
                         file=path) from None
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


def validation_error(exc: ValidationError, path: Path, *, where: str = "") -> InputError:
    """The first problem pydantic found in an input file as one line: the file, the field
    (``where`` before it, e.g. a row), what was expected and what was given. Case files, ESMP
    registers, inventories and the proposal's data are validated with it."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    # pydantic puts the member name of a union in the location; drop type tags like 'literal'.
    field = ".".join(p for p in (where, _loc(loc)) if p) or None
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


def parse_case(data: Any, path: Path, text: str | bytes = b"") -> Case:
    """Validate already-parsed YAML ``data`` read from ``path`` into a :class:`Case`; the
    SHA-256 recorded is of ``text``, the bytes on disk (a str is taken as UTF-8)."""
    if not isinstance(data, dict):
        raise InputError("a mapping of case fields at the top level", file=path,
                         got=type(data).__name__)
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, path) from None
    if case.id != path.stem:
        raise InputError(f"the file name's id {path.stem!r}", file=path, field="id", got=case.id)
    for field, expected, got in _cross_field_checks(case):
        raise InputError(expected, file=path, field=field, got=got)
    for field, unit, expected in _unit_checks(case):
        raise InputError(f"unit {expected}", file=path, field=f"{field}.unit", got=unit)
    for field, expected, got in itertools.chain(_flow_rules(case), _direction_checks(case)):
        raise InputError(expected, file=path, field=field, got=got)
    for field, expected, got in _checks_beyond_schema(case):
        raise InputError(expected, file=path, field=field, got=got)
    check_overrides(case.parameters, file=path)
    digest = hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()
    return case.model_copy(update={"source_file": str(path), "sha256": digest})


def exclusive_left_out(cases: Sequence[Case], order: Sequence[str]) -> dict[str, str]:
    """Of cases that exclude each other (``excludes:`` of either file), the ones left out:
    walking ``order`` (case ids, best first; ids not in it come last, by id), a case is left
    out when a case already kept excludes it. Returns ``{left out id: the kept rival's id}``.

    >>> exclusive_left_out([], [])
    {}
    """
    rank: dict[str, int] = {}
    for i, cid in enumerate(order):
        rank.setdefault(cid, i)  # the first mention counts
    ids = {c.id for c in cases}
    rivals = {c.id: set() for c in cases}
    for c in cases:
        for x in c.excludes:
            if x.case in ids:
                rivals[c.id].add(x.case)
                rivals[x.case].add(c.id)
    kept: list[str] = []
    left: dict[str, str] = {}
    for cid in sorted(ids, key=lambda i: (rank.get(i, len(rank)), i)):
        rival = next((k for k in kept if k in rivals[cid]), None)
        if rival is None:
            kept.append(cid)
        else:
            left[cid] = rival
    return dict(sorted(left.items()))


def load_case(id_or_path: str | Path, cases_dir: str | Path | None = None) -> Case:
    """Load and validate one case by id (``"HK-01"``) or path.

    Raises
    ------
    InputError
        One line naming the file, the field and what was expected.
    """
    path = case_path(id_or_path, cases_dir)
    data, text = read_yaml(path)
    return parse_case(data, path, text)


def scan_cases(directory: str | Path | None = None, *,
               skip: str | Path | None = None) -> list[tuple[Path, Case | InputError]]:
    """Validate every ``*.yaml`` in ``directory`` (but ``skip``, a file already loaded); each
    result is a Case or the InputError."""
    directory = Path(directory) if directory is not None else paths.cases_dir()
    if not directory.is_dir():
        raise InputError("an existing folder of case files", file=directory)
    skipped = Path(skip).resolve() if skip is not None else None
    out: list[tuple[Path, Case | InputError]] = []
    for p in sorted(directory.glob("*.yaml")):
        if skipped is not None and p.resolve() == skipped:
            continue
        try:
            if not PLAIN_NAME.match(p.stem):
                raise InputError("a file named <plain id>.yaml", file=p)
            out.append((p, load_case(p)))
        except InputError as exc:
            out.append((p, exc))
        except Exception as exc:  # noqa: BLE001 - any per-case failure is that case's line
            out.append((p, unexpected(exc, file=p)))
    return out


def valid_cases(directory: str | Path | None = None
                ) -> tuple[list[Case], list[tuple[Path, InputError]]]:
    """Every case of the folder that validates, and the errors of those that do not."""
    good, bad = [], []
    for path, result in scan_cases(directory):
        (bad.append((path, result)) if isinstance(result, InputError) else good.append(result))
    return good, bad


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
