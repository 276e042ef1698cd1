"""The investment proposal of one opportunity: what a Vietnamese lender's credit appraisal reads.

``eip-analysis proposal CASE_ID`` writes ``reports/proposals/<id>.html`` (and ``eip-analysis
pdf`` prints it). Its twelve sections come in the order of a credit appraisal: summary of the
request; borrower and offtaker; project; sources and uses of funds; financing request;
repayment capacity; sensitivity; environmental and social risk; green-credit eligibility;
permits; heads of terms of the exchange contract; document checklist. Then the provenance.

Every figure comes from the library, computed once per proposal: the appraisal and the
financing of one :class:`~eip_analysis.report.context.RunContext`, the parties' view
(:mod:`eip_analysis.parties`), scenarios and switching values (:mod:`eip_analysis.risk`, through
:func:`~eip_analysis.report.sections.sensitivity_section`) and the ESMP register
(:mod:`eip_analysis.esmp`). What the library does not know (the companies' legal names,
registration numbers, audited accounts, existing debt, collateral; take-or-pay, quality and
termination clauses) is written "to be supplied by the company" or "to be negotiated", never
invented. Green-credit candidates and permits are sourced data by kind of exchange
(``data/raw/parameters/proposal/requirements.yaml``), shown as indicative, "to be confirmed
by the lender".

:func:`build_proposal` returns the proposal as data (:class:`Proposal`: sections of
paragraphs, tables and figures); :func:`proposal_html` renders it through
``templates/proposal.html.j2`` and the one table macro (autoescape: case text shows as text);
:func:`write_proposal` writes the page atomically (a failed run leaves no partial file).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from markupsafe import Markup
from pydantic import Field, ValidationError

from .. import esmp, finance, formatting, paths
from ..appraisal import Appraisal, run_of
from ..cases import Financing, _Strict, read_yaml, validation_error
from ..errors import InputError
from ..fields import FIELDS
from ..files import atomic_write_text
from ..financing import FinancingAppraisal, appraise_financing, evaluate_financing
from ..parameters import usd_per_unit
from ..parties import TransferPriceRange, party_view, transfer_price_range
from . import render
from . import sections as data
from .context import RunContext
from .parameters import RunParameters, check_parameters
from .render import Cell, Part, Row, Table

#: The sourced data of the proposal, relative to the parameters folder.
REQUIREMENTS_FILE = Path("proposal") / "requirements.yaml"
#: Words for what the package does not know.
TO_SUPPLY = "to be supplied by the company"
TO_NEGOTIATE = "to be negotiated"
TO_CONFIRM = "indicative, to be confirmed by the lender"
#: Statuses of the document checklist.
AVAILABLE = "available from this package"
FROM_AUTHORITY = "to be obtained from an authority"
NEXT_STEP = "to be done (next step of the case)"
#: Titles of the document: a bankable request, or a screening note when it is not one.
PROPOSAL_TITLE = "Investment proposal"
SCREENING_TITLE = "Screening note: not ready for a credit request"
#: The kind of document in the running header and above the title of a screening note.
SCREENING_KIND = "Screening note"
#: A debt capacity below this share of the loan asked is "well below" it (assumption of this
#: package: a loan cut by more than a tenth is a different request, not a detail).
CAPACITY_SHORTFALL_SHARE = 0.90
#: The Viet Nam Environment Protection Fund lends up to 70% of the cost, up to 10 years
#: (domain brief, /work/shared/domain/BRIEF.md, "Money").
VEPF_MAX_SHARE = 0.70
VEPF_MAX_TENOR_YEARS = 10
#: Longest tenor a commercial bank is assumed to give an SME investment loan (assumption of
#: this package, as the default tenor's source: within the Fund's 10-year maximum).
MAX_TENOR_YEARS = 10
#: Grace years tried when a structure that meets the covenant is searched (assumption: one
#: or two interest-only years are usual for a plant that earns from its first year).
GRACE_TRIED = (1, 2)
#: An IRR below this is shown as not meaningful (most of the investment is never recovered).
IRR_NOT_MEANINGFUL_BELOW = -0.5
#: A party's NPV below this share of its own capex (of the project's capex when it invests
#: nothing) is a marginal gain: "both parties gain" is not claimed. Assumption of this package:
#: a profitability index under 1.1 leaves no margin for a price or cost surprise.
MARGINAL_NPV_SHARE = 0.10
#: The sections, in the order of a credit appraisal: key -> title.
SECTIONS = {
    "summary": "Summary of the request",
    "parties": "Borrower and offtaker",
    "project": "Project description",
    "sources-uses": "Sources and uses of funds",
    "financing": "Financing request",
    "repayment": "Repayment capacity",
    "sensitivity": "Sensitivity and switching values",
    "environment": "Environmental and social risk",
    "green-credit": "Green-credit eligibility",
    "permits": "Permits and licences",
    "heads-of-terms": "Heads of terms of the exchange contract",
    "documents": "Document checklist",
}
#: The key figures of the summary (keys of :func:`~eip_analysis.report.sections.key_figures`).
SUMMARY_FIGURES = ("npv", "irr", "payback", "co2e_avoided_per_year", "abatement_cost")


# -- the sourced data (requirements.yaml) -------------------------------------------------------

Text = Annotated[str, Field(min_length=3)]


class Rule(_Strict):
    criterion: Text
    evidence: Text
    source: Text


class Candidate(_Strict):
    sector: Text
    project_type: Text
    evidence: Text
    source: Text
    cases: list[str] | None = None


class Taxonomy(_Strict):
    decision: Text
    citation: Text  #: the decision's short name, e.g. in captions and the document checklist
    source: Text
    rules: Annotated[list[Rule], Field(min_length=1)]
    kinds: dict[str, list[Candidate]]


#: When a permit is needed, in the order of a loan: words shown in the proposal.
TIMINGS = {"before_drawdown": "before the first drawdown",
           "before_construction": "before construction starts",
           "before_operation": "before operation (commissioning)"}


class Procedure(_Strict):
    procedure: Text
    authority: Text
    timing: Literal[tuple(TIMINGS)]
    source: Text


class Permit(_Strict):
    name: Text
    kinds: list[str]
    cases: list[str] | None = None
    extra_cases: list[str] = Field(default_factory=list)
    authority: Text
    timing: Literal[tuple(TIMINGS)]
    source: Text

    def applies(self, case_id: str, kind: str) -> bool:
        return case_id in self.extra_cases or (
            kind in self.kinds and (self.cases is None or case_id in self.cases))


class Requirements(_Strict):
    """``requirements.yaml``: green taxonomy, environmental procedure, permits."""

    green_taxonomy: Taxonomy
    environmental_procedure: dict[str, Procedure]
    permits: list[Permit]

    def candidates(self, case_id: str, kind: str) -> list[Candidate]:
        return [c for c in self.green_taxonomy.kinds.get(kind, [])
                if c.cases is None or case_id in c.cases]

    def permits_for(self, case_id: str, kind: str) -> list[Permit]:
        return [p for p in self.permits if p.applies(case_id, kind)]


def requirements_path() -> Path:
    """``data/raw/parameters/proposal/requirements.yaml`` (or under ``$EIP_DATA_DIR``)."""
    return paths.parameters_dir() / REQUIREMENTS_FILE


def load_requirements(path: str | Path | None = None) -> Requirements:
    """Read and validate the proposal's sourced data.

    Raises
    ------
    InputError
        One line naming the file and the field: no file, bad YAML, a missing source, an
        unknown key, an environmental procedure missing for a Decree 08 appendix.
    """
    path = Path(path) if path is not None else requirements_path()
    stat = data._stat(path)
    return _load_requirements(str(path.resolve()), stat.st_mtime_ns if stat is not None else -1)


@lru_cache(maxsize=4)
def _load_requirements(path_text: str, _mtime_ns: int) -> Requirements:
    path = Path(path_text)
    if not path.is_file():
        raise InputError("the proposal's sourced data (green taxonomy, permits)", file=path)
    raw, _ = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError("a mapping with green_taxonomy, environmental_procedure and permits",
                         file=path)
    try:
        req = Requirements.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, path) from None
    missing = [a for a in esmp.APPENDICES if a not in req.environmental_procedure]
    if missing:
        raise InputError(f"a procedure for every Decree 08 appendix ({', '.join(esmp.APPENDICES)})",
                         file=path, field="environmental_procedure", got=missing[0])
    return req


# -- the proposal as data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One piece of a section, in order: ``p`` (a paragraph), ``table`` (a
    :class:`~eip_analysis.report.render.Table`), ``html`` (a rendered fragment of the reports:
    an analysis section, a figure), ``warnings`` (sentences) or ``note`` (a muted line)."""

    kind: str
    content: Any


@dataclass(frozen=True)
class ProposalSection:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def text(self) -> str:
        """Paragraphs and warnings of the section, for tests and summaries."""
        out = []
        for b in self.blocks:
            if b.kind in ("p", "note"):
                out.append(str(b.content))
            elif b.kind == "warnings":
                out += [str(w) for w in b.content]
        return "\n".join(out)


@dataclass(frozen=True)
class Proposal:
    """An investment proposal computed once: the run, its analyses and the sections."""

    context: RunContext
    financing: FinancingAppraisal
    sections: list[ProposalSection]
    figures: dict[str, float]  #: the headline numbers, unformatted (tests, summaries)
    run_date: datetime
    heading: str = PROPOSAL_TITLE  #: PROPOSAL_TITLE or SCREENING_TITLE
    verdict: str = ""  #: the reason, in one sentence, when it is a screening note
    borrower_alone: FinancingAppraisal | None = None  #: the main party borrowing alone

    @property
    def is_screening(self) -> bool:
        return self.heading == SCREENING_TITLE

    @property
    def kind(self) -> str:
        """The kind of document in few words: :data:`SCREENING_KIND` or :data:`PROPOSAL_TITLE`."""
        return SCREENING_KIND if self.is_screening else PROPOSAL_TITLE

    @property
    def case(self):
        return self.context.case

    @property
    def appraisal(self) -> Appraisal:
        return self.context.appraisal

    def section(self, key: str) -> ProposalSection:
        return next(s for s in self.sections if s.key == key)




def _vnd_text(vnd: float) -> str:
    """VND rounded for a lender: millions above VND 10 million (no spurious precision)."""
    if vnd is None or not np.isfinite(vnd):
        return formatting.money(vnd)
    sign = "-" if vnd < 0 else ""
    v = abs(float(vnd))
    if v >= 1e8:
        return f"{sign}VND {v / 1e6:,.0f} million"
    if v >= 1e7:
        return f"{sign}VND {v / 1e6:,.1f} million"
    return f"{sign}VND {round(v, -3):,.0f}"


class _Money:
    """Amounts as text, VND (the loan's currency) first with USD beside, at the run's rate."""

    def __init__(self, appraisal: Appraisal) -> None:
        self.rate = float(appraisal.parameters["exchange_rate_vnd_per_usd"])
        self.rate_source = str(appraisal.parameters.sources.get(
            "exchange_rate_vnd_per_usd", "the run's parameter"))

    def vnd(self, usd: float) -> str:
        return _vnd_text(data.convert_usd(float(usd), "VND", self.rate))

    def __call__(self, usd: float, per: str = "") -> str:
        if usd is None or not np.isfinite(usd):
            return formatting.money(usd)
        suffix = f" {per}" if per else ""
        return f"{self.vnd(usd)}{suffix} ({formatting.money(usd)}{suffix})"

    @property
    def basis(self) -> str:
        return (f"VND (the loan's currency), with USD beside at {formatting.plain(self.rate)} "
                f"VND/USD (the run's exchange rate: {self.rate_source})")

    @property
    def nominal_usd(self) -> str:
        return (f"USD nominal: nominal VND converted at the fixed {formatting.plain(self.rate)} "
                "VND/USD of the run")


def _facts(rows: Sequence[tuple[str, str]], table_id: str, caption: str | None = None,
           keys: Sequence[str] | None = None) -> Table:
    """A two-column table: row header, value (``data-key`` on each row when ``keys``)."""
    return Table(id=table_id, classes="facts proposal-facts", wrap=False, caption=caption, rows=[
        Row([Cell(label, header=True), Cell(value)],
            attrs={"data-key": keys[i]} if keys else {})
        for i, (label, value) in enumerate(rows)])


def _grid(header: Sequence[str], rows: Sequence[Sequence[Any]], table_id: str, *,
          caption: str | None = None, numeric: Sequence[int] = (),
          classes: str = "analysis", row_attrs: Sequence[dict] | None = None) -> Table:
    """A table of text cells (numbers already formatted)."""
    numeric = set(numeric)

    def cell(j: int, value: Any) -> Cell:
        if isinstance(value, Cell):
            return value
        return Cell("" if value is None else str(value), numeric=j in numeric)

    return Table(id=table_id, classes=classes, caption=caption,
                 header=[Cell(h, numeric=j in numeric) for j, h in enumerate(header)],
                 rows=[Row([cell(j, v) for j, v in enumerate(r)],
                           attrs=row_attrs[i] if row_attrs else {})
                       for i, r in enumerate(rows)])


def _status_cell(status: str) -> Cell:
    cls = {AVAILABLE: "status-ok", TO_SUPPLY: "status-supply",
           FROM_AUTHORITY: "status-authority", NEXT_STEP: "status-supply"}.get(status, "")
    return Cell(parts=[Part(status, kind="span", cls=cls)], attrs={"data-status": status})


def _ratio(x: float) -> str:
    """A DSCR: two decimals; a negative one (CFADS below zero) is not a cover ratio."""
    if x is None or math.isnan(x):
        return "not applicable"
    if x < 0:
        return "not meaningful (cash flow before debt service negative)"
    return f"{x:.2f}"


def _scalar(a: np.ndarray) -> float:
    return float(np.asarray(a).reshape(-1)[0])


def _n_years(n: int, what: str = "year") -> str:
    """``1 year``, ``2 years``."""
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def _year_words(years: Sequence[int]) -> str:
    """``year 0``, ``years 0, 1``; ``none``."""
    ys = [str(int(y)) for y in years]
    if not ys:
        return "none"
    return f"year {ys[0]}" if len(ys) == 1 else f"years {', '.join(ys)}"


_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_YEAR_S = re.compile(r"year\(s\) ((?:\d+(?:, )?)+(?: \.\.\.)?)")


def _clean(text: str, case=None) -> str:
    """Library text for people: ``year(s) 2`` -> ``year 2``, case line names in words."""
    text = _YEAR_S.sub(lambda mt: ("year " if "," not in mt.group(1) and "..." not in mt.group(1)
                                   else "years ") + mt.group(1), str(text))
    text = text.replace("year(s)", "years")
    names = {}
    if case is not None:
        for line in (*case.capex, *case.opex, *case.benefits, *case.transfers):
            names[line.name] = f"the line \u201c{line.description}\u201d"
    return _SNAKE.sub(lambda mt: names.get(mt.group(0), mt.group(0).replace("_", " ")), text)


def _irr_text(irr: float, capex: float | None = None) -> str:
    if capex is not None and capex <= 0:
        return "no investment"
    if irr is not None and np.isfinite(irr) and irr < IRR_NOT_MEANINGFUL_BELOW:
        return (f"not meaningful ({formatting.percent(irr)}: most of the investment is never "
                "recovered)")
    return formatting.percent(irr)


def _payback_text(years: float, capex: float) -> str:
    return "no investment" if capex <= 0 else formatting.years(years)


def _is_assumption(source: str, notes: str = "") -> bool:
    return "assumption" in source.lower() or notes.lower().startswith("assumption")


def _is_vepf(lender: str) -> bool:
    return "vepf" in lender.lower() or "environment protection fund" in lender.lower()


# -- the sections ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Structure:
    """A loan structure within the lender's limits that meets the covenant (computed)."""

    tenor_years: int
    grace_years: int
    repayment: str
    fa: FinancingAppraisal

    def words(self, m: _Money) -> str:
        return (f"{self.tenor_years}-year tenor with {_n_years(self.grace_years)} of grace "
                f"({self.repayment.replace('_', ' ')} repayment), the same amount "
                f"{m(self.fa.debt_usd)}: minimum DSCR {_ratio(self.fa.min_dscr)}")


@dataclass(frozen=True)
class _Gain:
    """One party's gain at the assumed prices (:meth:`_Run.gains`)."""

    party: str
    verdict: str  #: ``clear``, ``marginal`` or ``loses``
    sentence: str
    share: float  #: NPV over its own capex (the project's when it invests nothing)
    own: bool  #: the share is of its own investment


@dataclass(frozen=True)
class _GainVerdict:
    """The two parties' gains in one sentence without contradiction."""

    both: bool  #: both parties gain (NPV >= 0)
    thin: bool  #: both gain, but one's margin is thin (:data:`MARGINAL_NPV_SHARE`)
    sentence: str


@dataclass(frozen=True)
class _TransferTerms:
    """A transfer with its price range, yearly quantity and yearly value (constant prices)."""

    transfer: Any
    price: TransferPriceRange
    quantity: float  #: [unit/yr]
    unit: str
    yearly_usd: float  #: quantity x the assumed price [USD/yr]


@dataclass
class _Run:
    """What the sections share: computed once per proposal."""

    context: RunContext
    fa: FinancingAppraisal
    money: _Money
    view: pd.DataFrame
    prices: list[TransferPriceRange]
    sensitivity: data.Section
    register: esmp.Register | None
    requirements: Requirements
    alone: FinancingAppraisal | None = None  #: the main party borrowing alone (pooled borrower)
    structure: _Structure | None = None  #: a structure that passes, when the asked one fails

    @property
    def a(self) -> Appraisal:
        return self.context.appraisal

    @property
    def case(self):
        return self.context.case

    def term(self, name: str) -> Any:
        return self.fa.parameters[name]

    @property
    def tenor_years(self) -> int:
        return int(_scalar(self.fa.flows.tenor_years))

    @property
    def grace_years(self) -> int:
        return int(_scalar(self.fa.flows.unlevered.grace_years))

    @property
    def target(self) -> float:
        return self.fa.target_min_dscr

    @property
    def pooled(self) -> bool:
        """The borrower modelled is both parties pooled (no such legal entity)."""
        return self.fa.flows.terms.borrower == "project"

    @cached_property
    def parties(self) -> pd.DataFrame:
        """The parties' view indexed by party (``supplier``, ``receiver``, ``project``)."""
        return self.view.set_index("party")

    @cached_property
    def transfers(self) -> list[_TransferTerms]:
        """The case's transfers with their prices, quantities and yearly values."""
        usd = usd_per_unit(self.fa.parameters.values, self.case.currency)
        out = []
        for t, tpr in zip(self.case.transfers, self.prices, strict=True):
            qty, unit = _quantity(self, t)
            out.append(_TransferTerms(t, tpr, qty, unit, qty * tpr.base_price * usd))
        return out

    @property
    def main_party(self) -> str:
        """The party that owns most of the capex (the supplier on a tie)."""
        v = self.parties
        return ("receiver" if float(v.loc["receiver", "capex_usd"])
                > float(v.loc["supplier", "capex_usd"]) else "supplier")

    @property
    def borrower_party(self) -> str:
        """The company that would borrow: the modelled party, else the main party."""
        return self.main_party if self.pooled else self.fa.flows.terms.borrower

    def role(self, party: str) -> str:
        return self.case.supplier_role if party == "supplier" else self.case.receiver_role

    @property
    def borrower_words(self) -> str:
        if self.pooled:
            return ("both parties pooled (their investment and savings together, as if one "
                    "project company held them)")
        who = self.fa.flows.terms.borrower
        return f"the {who} ({self.role(who)})"

    @property
    def eligible_capex_usd(self) -> float:
        fl = self.fa.flows
        return float((fl.capex[0] * fl.unlevered.eligible[0]).sum())

    @property
    def eligible_years(self) -> list[int]:
        fl = self.fa.flows
        yrs = fl.years[fl.unlevered.eligible[0] & (fl.capex[0] > 0)]
        return [int(y) for y in yrs]

    @property
    def support_gap_usd(self) -> float:
        """PV of the outside support that lets both parties break even (the library's)."""
        if self.prices:
            return max(p.support_needed_usd for p in self.prices)
        return max(0.0, -self.a.npv_usd)

    @property
    def adds_emissions(self) -> bool:
        return not self.a.co2e_avoided_t_per_year > 0

    def conservative_min_dscr(self) -> float:
        results = self.sensitivity.tables["scenarios"].set_index("scenario")
        return float(results.loc["conservative", "min_dscr"])

    def covenant_fails(self) -> bool:
        return self.fa.debt_usd > 0 and not self.fa.min_dscr >= self.target

    def capacity_short(self) -> bool:
        return (self.fa.debt_usd > 0
                and self.fa.debt_capacity_usd < CAPACITY_SHORTFALL_SHARE * self.fa.debt_usd)

    def screening_reasons(self) -> list[str]:
        out = []
        if self.a.npv_usd < 0:
            out.append(f"the project's NPV is negative ({self.money(self.a.npv_usd)})")
        if self.covenant_fails():
            out.append(f"the minimum DSCR ({_ratio(self.fa.min_dscr)}) is below the lender's "
                       f"{self.target:.2f} target")
        if self.capacity_short():
            out.append(f"the debt capacity ({self.money(self.fa.debt_capacity_usd)}) is well "
                       f"below the {self.money(self.fa.debt_usd)} asked")
        return out

    @cached_property
    def verdict(self) -> str:
        """Why the case is a screening note, in one sentence (``""``: it is a proposal)."""
        reasons = self.screening_reasons()
        if not reasons:
            return ""
        joined = (reasons[0] if len(reasons) == 1
                  else ", ".join(reasons[:-1]) + " and " + reasons[-1])
        return (f"Not submitted for credit as it stands: {joined}; the sections below show the "
                "gap and what would close it.")

    def _party_gain(self, party: str) -> _Gain:
        v = self.parties
        row = v.loc[party]
        npv, capex = float(row["npv_usd"]), float(row["capex_usd"])
        own = capex > 0
        base = capex if own else float(v.loc["project", "capex_usd"])
        whose = "its own investment" if own else "the project's investment"
        name = f"the {party} ({row['role']})"
        share = npv / base if base > 0 else math.inf
        if npv < 0:
            return _Gain(party, "loses", (f"At the assumed prices {name} loses: its NPV is "
                                          f"{formatting.money(npv)}."), share, own)
        if share < MARGINAL_NPV_SHARE:
            return _Gain(party, "marginal", (
                f"The margin of {name} is thin: its NPV is only {formatting.money(npv)}, "
                f"{formatting.percent(share)} of {whose} ({formatting.money(base)}); a small "
                "price or cost change turns it negative."), share, own)
        return _Gain(party, "clear", (f"{name[0].upper()}{name[1:]} gains: NPV "
                                      f"{formatting.money(npv)} ({formatting.percent(share)} "
                                      f"of {whose})."), share, own)

    @cached_property
    def gains(self) -> dict[str, _Gain]:
        """Each party's gain at the assumed prices: supplier, receiver."""
        return {p: self._party_gain(p) for p in ("supplier", "receiver")}

    @cached_property
    def gain(self) -> _GainVerdict:
        """Whether both parties gain, and whether a margin is thin, in one sentence."""
        gains = self.gains.values()
        losers = [g.sentence for g in gains if g.verdict == "loses"]
        if losers:
            return _GainVerdict(False, False, " ".join(losers)
                                + " The two parties do not both gain at the assumed price.")
        thin = [f"the margin of the {g.party} ({self.role(g.party)}) is thin "
                f"({formatting.percent(g.share)} of {'its' if g.own else 'the project'} "
                "investment)" for g in gains if g.verdict == "marginal"]
        if thin:
            return _GainVerdict(True, True, (
                "Both parties gain at the assumed transfer price; " + " and ".join(thin)
                + ": a small price or cost change turns it negative."))
        return _GainVerdict(True, False, "Both parties gain at the assumed transfer price. "
                            + " ".join(g.sentence for g in gains))


def _support_words(r: _Run) -> str:
    """The support gap (the library's) and what would close it, computed."""
    a, m = r.a, r.money
    gap = r.support_gap_usd
    rate = float(a.parameters["discount_rate"])
    s, life = r.case.operation_start_year, r.case.lifetime
    # The level amount of years s .. s + life - 1 worth ``gap`` in year 0: the capital recovery
    # factor over the life (years 1 .. life), compounded to the year before the first one.
    yearly = gap * float(finance.capital_recovery_factor(rate, life)) * (1.0 + rate) ** (s - 1)
    support = ("a grant, or concessional finance whose grant element is worth as much"
               if r.adds_emissions else
               "a grant, concessional finance whose grant element is worth as much, or a "
               "carbon payment of that present value")
    return (f"Support gap: {m(gap)} in present value (the outside support that lets both "
            f"parties break even: {support}). What would close it: that support; or net "
            f"benefits higher by {m(yearly, 'a year')} (constant prices) in each of the "
            f"{life} operating years; or an investment cut by {m(gap)} in present value. "
            "No transfer price closes it: a price only moves value between the parties.")


def _summary(r: _Run) -> ProposalSection:
    a, fa, m, case = r.a, r.fa, r.money, r.case
    rate = r.term("loan_interest_rate")
    figures = data.key_figures(a).set_index("key")
    vnd = data.key_figures(a, "VND").set_index("key")
    share = float(r.term("debt_share"))
    base = r.eligible_capex_usd
    request = [
        ("Loan amount", m(fa.debt_usd)),
        ("Currency", f"VND (the rate assumed is a VND lending rate); amounts in {m.basis}"),
        ("Tenor", f"{_n_years(r.tenor_years)} from commissioning, grace included"),
        ("Grace", f"{_n_years(r.grace_years)}, interest only"),
        ("Interest rate", f"{formatting.percent(rate, digits=2)} a year, nominal"),
        ("Lender assumed", fa.flows.terms.lender),
        ("Borrower modelled", r.borrower_words),
        ("Purpose", (f"{case.title}: the loan is {formatting.percent(share, digits=0)} of "
                     f"{m(base)}, the borrower's eligible capex (spent before the first "
                     f"principal repayment, {_year_words(r.eligible_years)}, in nominal money); "
                     f"{m(fa.debt_usd)}")),
    ]
    keys = ["loan_amount", "currency", "tenor", "grace", "interest_rate", "lender", "borrower",
            "purpose"]
    rows, fkeys = [], []
    for k in SUMMARY_FIGURES:
        if k not in figures.index:
            continue
        f = figures.loc[k]
        label, text = str(f["label"]), str(f["text"])
        value = float(f["value"]) if f["value"] is not None else math.nan
        if k == "irr":
            text = _irr_text(a.irr)
        elif k == "co2e_avoided_per_year" and not value > 0:
            label = "Emissions added per year" if value < 0 else "Emissions avoided per year"
            text = formatting.quantity(abs(value), "tCO2e/yr")
        elif k == "abatement_cost":
            if r.adds_emissions or not np.isfinite(value):
                label, text = ("Abatement cost", "not defined: the exchange avoids no "
                               "emissions" if r.adds_emissions else "not defined")
            elif value < 0:
                label = "Abatement cost (negative: the exchange saves money while it cuts emissions)"
                text = f"{text} ({_vnd_text(float(vnd.loc[k, 'value']))} per tCO2e)"
            else:
                label = "Abatement cost (cost per tCO2e avoided)"
                text = f"{text} ({_vnd_text(float(vnd.loc[k, 'value']))} per tCO2e)"
        elif FIELDS[data.KEY_FIGURES[k]].kind == "money" and np.isfinite(value):
            text = m(value)
        rows.append((label, text))
        fkeys.append(k)
    rows.insert(2, (f"Minimum DSCR (lender's target {r.target:.2f})", _ratio(fa.min_dscr)))
    fkeys.insert(2, "min_dscr")
    rows.insert(3, (f"Debt capacity at a minimum DSCR of {r.target:.2f}",
                    f"{m(fa.debt_capacity_usd)} (asked: {m(fa.debt_usd)})"))
    fkeys.insert(3, "debt_capacity")
    warnings = []
    if a.npv_usd < 0:
        warnings.append(f"The project's NPV is negative ({formatting.money(a.npv_usd)}): as "
                        "appraised the exchange does not pay for itself; it needs a change of "
                        "design or price, or outside support, before a lender can finance it.")
    if r.covenant_fails():
        warnings.append(f"The minimum DSCR ({_ratio(fa.min_dscr)}) is below the lender's "
                        f"{r.target:.2f} target: the loan as asked is not covered; see "
                        "repayment capacity.")
    if not r.gain.both or r.gain.thin:
        warnings.append(r.gain.sentence)
    warnings += [_clean(w, case) for w in a.warnings]
    blocks = []
    if r.verdict:
        blocks.append(Block("p", r.verdict))
        if a.npv_usd < 0:
            blocks.append(Block("p", _support_words(r)))
        elif r.covenant_fails() or r.capacity_short():
            text = (f"Largest loan meeting the covenant (the library's debt capacity at a "
                    f"minimum DSCR of {r.target:.2f}, same terms): {m(fa.debt_capacity_usd)}, "
                    f"{formatting.percent(fa.debt_capacity_share, digits=0)} of the eligible "
                    f"capex, against {m(fa.debt_usd)} asked "
                    f"({formatting.percent(share, digits=0)}).")
            if r.structure is not None:
                text += (" A structure within the lender's limits that passes, computed: "
                         f"{r.structure.words(m)}.")
            else:
                text += (" No tenor up to the lender's limit, with one or two grace years, "
                         "meets the covenant at the amount asked: cut the request to the "
                         "debt capacity.")
            blocks.append(Block("p", text))
        blocks.append(Block("p", (
            f"Loan modelled (for reference, not a request): {m(fa.debt_usd)} over "
            f"{_n_years(r.tenor_years)} ({r.grace_years} of grace) at "
            f"{formatting.percent(rate, digits=2)} nominal, "
            f"{str(r.term('loan_repayment')).replace('_', ' ')} repayment, borrower: "
            f"{r.borrower_words}.")))
    else:
        blocks.append(Block("p", (
            f"Request: a loan of {m(fa.debt_usd)} over {_n_years(r.tenor_years)} "
            f"({r.grace_years} of grace) at {formatting.percent(rate, digits=2)} nominal, "
            f"{str(r.term('loan_repayment')).replace('_', ' ')} repayment, to "
            f"{r.borrower_words}.")))
    if r.pooled and r.alone is not None:
        blocks.append(Block("p", _alone_sentence(r)))
    blocks += [
        Block("p", f"Purpose: {case.exchange}"),
        Block("table", _facts(request, "proposal-request",
                              "The loan modelled" if r.verdict else "The request", keys)),
        Block("table", _facts(rows, "proposal-key-figures",
                              "Key figures (project view: before financing and tax, constant "
                              "prices; DSCR and debt capacity from the financing model)", fkeys)),
        Block("warnings", warnings),
    ]
    return ProposalSection("summary", SECTIONS["summary"], blocks)


def _alone_sentence(r: _Run) -> str:
    al, m, p = r.alone, r.money, r.main_party
    peak = float(al.table["debt_service_usd"].max())
    return (f"Borrower: the financing model pools both parties, but no such legal entity "
            f"exists. If the {p} ({r.role(p)}), which owns most of the capex, borrowed alone "
            f"on the same terms: loan {m(al.debt_usd)}, largest yearly debt service "
            f"{m(peak)}, minimum DSCR {_ratio(al.min_dscr)} (target {r.target:.2f}), debt "
            f"capacity {m(al.debt_capacity_usd)}.")


def _quantity(r: _Run, line) -> tuple[float, str]:
    """Yearly quantity of a quantity x price line (a transfer, a benefit) [its unit/yr] and
    that unit: its ``quantity_per_year``, or the size of the change of its resource flow."""
    unit = line.unit_price.unit.split("/", 1)[-1]
    if line.quantity_from_flow is not None:
        return abs(_scalar(r.a.base_flows.flows.change(line.quantity_from_flow))), unit
    return float(line.quantity_per_year.value), unit


def _who(case, party: str) -> str:
    return f"the {party} ({case.supplier_role if party == 'supplier' else case.receiver_role})"


def _price_words(tpr: TransferPriceRange, t) -> str:
    """The transfer-price range in words (the library's figures); the transfer named by its
    description, never by its name in the case file."""
    what = f"the price of \u201c{t.description}\u201d"
    if not tpr.feasible:
        return (f"No value of {what} lets both parties break even: the exchange as a whole "
                f"has a negative NPV ({formatting.money(tpr.project_npv_usd)}); see the "
                "support gap in the summary. At "
                f"{tpr.price_text(tpr.equal_split_price)} the shortfall would be shared "
                "equally." if np.isfinite(tpr.equal_split_price) else
                f"No value of {what} lets both parties break even; see the support gap in the "
                "summary.")
    if tpr.npv_slope_usd_per_price == 0:
        return (f"The transfer \u201c{t.description}\u201d has no volume: its price does not "
                "matter.")
    base_in = tpr.min_price <= tpr.base_price <= tpr.max_price
    text = (f"Both parties keep NPV >= 0 when {what} is between "
            f"{tpr.price_text(tpr.min_price)} ({tpr.payee} breaks even) and "
            f"{tpr.price_text(tpr.max_price)} ({tpr.payer} breaks even); the assumed "
            f"{tpr.price_text(tpr.base_price)} lies {'inside' if base_in else 'outside'} the "
            f"range. Equal NPVs for both at {tpr.price_text(tpr.equal_split_price)}.")
    if tpr.min_price < 0:
        text += f" A negative price means the {tpr.payee} pays the {tpr.payer} (a gate fee)."
    return text


def _parties(r: _Run) -> ProposalSection:
    case, m = r.case, r.money
    blocks = [Block("p", f"Supplier: {case.supplier_role}. Receiver: {case.receiver_role}. "
                         f"Borrower in the financing model: {r.borrower_words}.")]
    if r.pooled:
        blocks.append(Block("p", (
            "No such legal entity exists: the cash flow available for debt service pools both "
            "parties' savings, and the loan funds both parties' assets. A lender lends to one "
            "company, which repays from its own cash flow only.")))
        if r.alone is not None:
            al, p = r.alone, r.main_party
            rows = []
            for label, f in (("Both parties pooled (as modelled)", r.fa),
                             (f"The {p} ({r.role(p)}) alone", al)):
                rows.append([label, m(f.debt_usd), m(float(f.table["debt_service_usd"].max())),
                             _ratio(f.min_dscr), m(f.debt_capacity_usd)])
            blocks.append(Block("table", _grid(
                ["Borrower", "Loan", "Largest yearly debt service (nominal)", "Minimum DSCR",
                 f"Debt capacity at DSCR {r.target:.2f}"], rows, "proposal-borrower-alone",
                numeric=(1, 2, 3, 4),
                caption=(f"If the party that owns most of the capex borrowed alone (the "
                         f"library's financing model with the {p} as borrower, same terms; "
                         "VND with USD beside)"),
                row_attrs=[{"data-borrower": "project"}, {"data-borrower": p}])))
            other = "receiver" if p == "supplier" else "supplier"
            other_capex = float(r.parties.loc[other, "capex_usd"])
            if other_capex > 0:
                blocks.append(Block("note", (
                    f"As modelled the loan also funds the {other}'s ({r.role(other)}) "
                    f"investment ({m(other_capex)}, constant prices), an asset the "
                    f"{p} would not own; borrowing alone, the {p} finances its own capex only.")))
        else:
            blocks.append(Block("warnings", [
                ("The financing model could not be run with one party as borrower: the DSCR of "
                "a single borrower is not shown.")]))
    for x in r.transfers:
        t, tpr = x.transfer, x.price
        blocks.append(Block("p", (
            f"Who pays whom: {_who(case, t.payer)} pays {_who(case, t.payee)} "
            f"{tpr.price_text(tpr.base_price)} on "
            f"{formatting.quantity(x.quantity, x.unit + '/yr')}, "
            f"about {m(x.yearly_usd, 'a year')} ({t.description}).")))
    if not case.transfers:
        blocks.append(Block("p", "The case has no payment between the parties."))
    rows = []
    for party in ("supplier", "receiver", "project"):
        row = r.parties.loc[party]
        capex = float(row["capex_usd"])
        rows.append([party, row["role"], formatting.number(capex),
                     formatting.number(row["annual_net_usd"]),
                     formatting.number(row["transfers_usd_per_year"]),
                     formatting.number(row["npv_usd"]), _irr_text(row["irr"], capex),
                     _payback_text(row["payback_years"], capex),
                     r.gains[party].verdict if party in r.gains else ""])
    header = [FIELDS["party"].label, FIELDS["role"].label, FIELDS["capex_usd"].header,
              FIELDS["annual_net_usd"].header, FIELDS["transfers_usd_per_year"].header,
              FIELDS["npv_usd"].header, FIELDS["irr"].label, FIELDS["payback_years"].label,
              "Gain"]
    blocks.append(Block("table", _grid(
        header, rows, "proposal-parties", numeric=range(2, 8),
        caption="Each party's own cash flow with the transfers, before financing and tax "
                f"(USD, constant prices; a gain below {MARGINAL_NPV_SHARE:.0%} of the party's "
                "own investment is read as a thin margin)",
        row_attrs=[{"data-party": p} for p in ("supplier", "receiver", "project")])))
    if r.gain.both and not r.gain.thin:
        blocks.append(Block("p", r.gain.sentence))
    else:
        extra = ("" if r.gain.both else " The contract price must be renegotiated or the "
                 "exchange supported before a lender relies on the contract.")
        blocks.append(Block("warnings", [r.gain.sentence + extra]))
    for x in r.transfers:
        blocks.append(Block("p", _price_words(x.price, x.transfer)))
    company = [("Legal name", TO_SUPPLY, TO_SUPPLY),
               ("Enterprise registration number", TO_SUPPLY, TO_SUPPLY),
               ("Audited financial statements, last 3 years", TO_SUPPLY, TO_SUPPLY),
               ("Existing debt (lenders, balances, maturities; CIC credit report)", TO_SUPPLY,
                TO_SUPPLY),
               ("Collateral offered", TO_SUPPLY, TO_SUPPLY)]
    blocks.append(Block("table", _grid(
        ["Field", f"Supplier ({case.supplier_role})", f"Receiver ({case.receiver_role})"],
        [[label, _status_cell(s), _status_cell(rc)] for label, s, rc in company],
        "proposal-company-fields",
        caption="What the companies supply (the package does not hold them and invents none)",
        row_attrs=[{"data-field": label} for label, _, _ in company])))
    return ProposalSection("parties", SECTIONS["parties"], blocks)


def _status_words(survey) -> str:
    status = survey.status.replace("_", " ")
    if _is_assumption(survey.source, survey.notes):
        return (f"{status} (assumption, not a survey finding: {survey.source})")
    return f"{status} (source: {survey.source})"


def _project(r: _Run) -> ProposalSection:
    case, a, m = r.case, r.a, r.money
    survey = case.latest_survey
    facts = [
        ("Park", case.park), ("Kind of exchange", case.kind),
        ("Supplier", case.supplier_role), ("Receiver", case.receiver_role),
        (f"Status ({survey.round} survey)", _status_words(survey)),
        ("Operating life", f"{_n_years(case.lifetime)} from year {case.operation_start_year}"),
        ("Data quality", f"{case.data_quality}: {case.data_note}" if case.data_note
         else case.data_quality),
    ]
    usd = usd_per_unit(a.parameters.values, case.currency)
    capex = [[c.description, c.party, str(c.year), c.kind.replace("_", " "),
              m(c.amount.value * usd)] for c in case.capex]
    em = a.emissions
    flows = [[formatting.flow_label(f["flow"]), f["party"], f["description"],
              formatting.quantity(f["baseline_quantity"], f["unit"]),
              formatting.quantity(f["project_quantity"], f["unit"]),
              formatting.quantity(f["baseline_quantity"] - f["project_quantity"], f["unit"])]
             for f in em.to_dict("records")]
    return ProposalSection("project", SECTIONS["project"], [
        Block("p", case.exchange),
        Block("table", _facts(facts, "proposal-project-facts")),
        Block("table", _grid(
            [FIELDS["description"].label, FIELDS["party"].label, FIELDS["year"].label,
             "Kind", "Amount"], capex, "proposal-capex", numeric=(2, 4),
            caption=f"Investment (technology and works), constant prices, {m.basis}")),
        Block("table", _grid(
            [FIELDS["flow"].label, FIELDS["party"].label, FIELDS["description"].label,
             FIELDS["baseline_quantity"].label, FIELDS["project_quantity"].label, "Change"],
            flows, "proposal-quantities", numeric=(3, 4, 5),
            caption="Quantities per year: today, with the exchange, and the change (the key "
                    "quantities a lender asks metered data for)")),
    ])


def _sources_uses(r: _Run) -> tuple[ProposalSection, dict[str, float]]:
    case, fa, m = r.case, r.fa, r.money
    cf, fl = r.a.base_flows, fa.flows
    usd = usd_per_unit(fa.parameters.values, case.currency)
    who = fl.terms.borrower
    eligible = fl.unlevered.eligible[0]
    index = fl.index[0]
    uses, later, outside, working = [], [], [], []
    for c in case.capex:
        nominal = -cf.lines[f"capex.{c.name}"][0] * usd * index
        if who != "project" and c.party != who:
            outside.append((f"{c.description} (year {c.year}, {c.party})",
                            float(nominal.sum())))
            continue
        financed = float((nominal * eligible).sum())
        after = float((nominal * ~eligible).sum())
        if financed:
            uses.append((f"{c.description} (year {c.year}, {c.party})", financed))
            if c.kind == "working_capital":
                working.append((c.description, financed))
        if after:
            later.append((f"{c.description} (year {c.year}, {c.party})", after))
    fees = float(fl.fees[0].sum())
    total_uses = sum(v for _, v in uses) + fees
    equity = total_uses - fa.debt_usd
    idc = float(fl.loan.capitalised_interest[0].sum())
    share = float(r.term("debt_share"))
    rows = [[label, m(v)] for label, v in uses]
    rows.append([(f"Upfront fee ({formatting.percent(r.term('loan_upfront_fee'))} of the "
                 "loan)"), m(fees)])
    rows.append(["Total uses", m(total_uses)])
    n_uses = len(rows)
    rows.append([(f"Loan: {formatting.percent(share, digits=0)} of the eligible capex "
                  f"{m(r.eligible_capex_usd)} ({fl.terms.lender})"), m(fa.debt_usd)])
    rows.append(["Own funds (equity) of the borrower", m(equity)])
    rows.append(["Total sources", m(fa.debt_usd + equity)])
    attrs = ([{"data-side": "use"}] * (n_uses - 1) + [{"class": "total", "data-side": "uses"}]
             + [{"data-side": "source", "data-key": "loan"},
                {"data-side": "source", "data-key": "equity"},
                {"class": "total", "data-side": "sources"}])
    blocks = [
        Block("p", (f"Uses: the investment of {r.borrower_words} in the years before the first "
                    f"principal repayment ({_year_words(r.eligible_years)}), in nominal money "
                    f"(inflated at {formatting.percent(r.term('inflation_rate'))} a year), and "
                    f"the loan fee. Sources: the loan, {formatting.percent(share, digits=0)} of "
                    f"that eligible capex ({m(r.eligible_capex_usd)}, the base the library "
                    "finances), and the borrower's own funds.")),
        Block("table", _grid(["Item", "Amount"], rows, "proposal-sources-uses", numeric=(1,),
                             caption=f"Sources and uses of funds, {m.basis}", row_attrs=attrs)),
    ]
    if working:
        blocks.append(Block("note", (
            "Working capital is financed inside the term loan: "
            + "; ".join(f"{d} ({m(v)})" for d, v in working)
            + f", {formatting.percent(share, digits=0)} of it borrowed; a lender may prefer a "
              "separate working-capital line.")))
    if idc > 0.5:
        blocks.append(Block("note", f"Interest during construction, capitalised into the loan "
                                    f"balance (not drawn): {m(idc)}."))
    if later:
        blocks.append(Block("table", _grid(
            ["Later investment, paid by the owner from operating cash flow", "Amount"],
            [[label, m(v)] for label, v in later], "proposal-later-capex", numeric=(1,),
            caption="Capex after the drawdown period (nominal)")))
    if outside:
        other = "receiver" if who == "supplier" else "supplier"
        blocks.append(Block("table", _grid(
            [f"Investment of the {other} ({r.role(other)}), outside this loan", "Amount"],
            [[label, m(v)] for label, v in outside], "proposal-outside-capex", numeric=(1,),
            caption=(f"Not in these sources and uses: financed by the {other} from its own "
                     f"funds or its own loan ({TO_SUPPLY}), nominal"))))
    blocks.append(Block("note", f"Own funds of the borrower over the whole life, later capex "
                                f"and fees included: {m(fa.equity_invested_usd)} (nominal)."))
    return (ProposalSection("sources-uses", SECTIONS["sources-uses"], blocks),
            {"total_uses_usd": total_uses, "equity_usd": equity, "fees_usd": fees})


#: The loan and tax terms in words (the terms table of the library names parameters).
TERM_LABELS = {
    "lender": "Lender", "borrower": "Borrower", "debt_share": "Debt share",
    "loan_interest_rate": "Interest rate (nominal)", "loan_tenor_years": "Tenor",
    "loan_grace_years": "Grace period", "loan_repayment": "Repayment profile",
    "loan_upfront_fee": "Upfront fee", "target_min_dscr": "Minimum DSCR (covenant)",
    "inflation_rate": "Inflation rate", "discount_rate": "Discount rate (real)",
    "tax_rate": "Corporate income tax rate", "depreciation_years": "Depreciation period",
    "loss_carryforward_years": "Tax-loss carry-forward",
}
_SOURCE_WORDS = (
    (re.compile(r"financing\.borrower of the case \(default: the project\)"),
     "the case file (default: both parties pooled)"),
    (re.compile(r"financing\.lender of the case"), "the case file"),
    (re.compile(r"case override: financing\.repayment of the case"),
     "the case file (financing terms)"),
    (re.compile(r"case override: (?:financing|tax)\.[a-z_.]+:\s*"),
     "the case file (financing terms): "),
    (re.compile(r"case tax\.incentive\.basis"), "the case file (tax incentive)"),
)


def _term_value(term: str, value: Any, unit: str, r: _Run) -> str:
    if term == "borrower":
        return r.borrower_words if value == "project" else f"the {value} ({r.role(value)})"
    if isinstance(value, str):
        return value.replace("_", " ")
    if term in ("debt_share", "loan_upfront_fee", "tax_rate") or unit in ("1/yr", "fraction"):
        return formatting.percent(float(value), digits=2 if term == "loan_interest_rate" else 1)
    if unit == "yr":
        return _n_years(round(float(value)))
    if unit == "ratio":
        return f"{float(value):.2f}"
    return formatting.plain(value)


def _terms_table(r: _Run) -> Table:
    rows = []
    for rec in r.fa.terms_table().to_dict("records"):
        term = str(rec["term"])
        label = TERM_LABELS.get(term, term.replace("_", " ").capitalize())
        source = str(rec["source"])
        for pattern, words in _SOURCE_WORDS:
            source = pattern.sub(words, source)
        rows.append([label, _term_value(term, rec["value"], str(rec["unit"] or ""), r),
                     _clean(source, r.case)])
    return _grid(["Term", "Value", "Source"], rows, "proposal-terms",
                 caption="Loan and tax terms and their sources")


def _financing(r: _Run, fees: float) -> ProposalSection:
    fa, m = r.fa, r.money
    draw_years = fa.table.loc[fa.table["drawdown_usd"] > 0, "year"].astype(int).tolist()
    facts = [
        ("Amount", m(fa.debt_usd)),
        ("Loan base", (f"{formatting.percent(r.term('debt_share'), digits=0)} of the eligible "
                       f"capex {m(r.eligible_capex_usd)} (spent before the first principal "
                       f"repayment, {_year_words(r.eligible_years)}, nominal)")),
        ("Lender assumed", fa.flows.terms.lender),
        ("Borrower modelled", r.borrower_words),
        ("Drawdown", f"{_year_words(draw_years)}, with the capex"),
        ("Tenor", f"{_n_years(r.tenor_years)} from commissioning, grace included"
                  + (f" (asked {int(r.term('loan_tenor_years'))}, shortened to the life)"
                     if r.tenor_years < int(r.term("loan_tenor_years")) else "")),
        ("Grace", f"{_n_years(r.grace_years)}, interest paid, no principal"),
        ("Interest rate", (f"{formatting.percent(r.term('loan_interest_rate'), digits=2)} a "
                          "year, nominal, on the declining balance")),
        ("Repayment profile", str(r.term("loan_repayment")).replace("_", " ")),
        ("Upfront fee", (f"{formatting.percent(r.term('loan_upfront_fee'))} of each amount drawn"
                        f": {m(fees)}")),
        ("Covenant assumed", f"minimum DSCR {r.target:.2f}"),
        ("Security offered", TO_SUPPLY),
    ]
    blocks = []
    if r.verdict:
        blocks.append(Block("warnings", [
            ("The terms below are those modelled, not a request: see the summary for the "
            "reason and what would close the gap.")]))
    blocks += [
        Block("table", _facts(facts, "proposal-financing-request", "The financing request",
                              ["amount", "loan_base", "lender", "borrower", "drawdown", "tenor",
                               "grace", "interest_rate", "repayment", "upfront_fee", "covenant",
                               "security"])),
        Block("table", _terms_table(r)),
    ]
    return ProposalSection("financing", SECTIONS["financing"], blocks)


def _repayment(r: _Run) -> ProposalSection:
    fa, m = r.fa, r.money
    loan = fa.loan_table()
    served = loan[loan["debt_service_usd"] > 0].reset_index(drop=True)
    repaying = served[served["principal_usd"] > 0]
    avg_repaying = float(repaying["dscr"].mean()) if len(repaying) else math.nan
    conservative = r.conservative_min_dscr()
    facts = [
        ("Minimum DSCR", f"{_ratio(fa.min_dscr)} (target {r.target:.2f})"),
        ("Average DSCR, all years with debt service (interest-only years included)",
         _ratio(fa.average_dscr)),
        ("Average DSCR, repayment years only", _ratio(avg_repaying)),
        (f"Debt capacity at a minimum DSCR of {r.target:.2f}",
         (f"{m(fa.debt_capacity_usd)}, {formatting.percent(fa.debt_capacity_share, digits=0)} "
          f"of the eligible capex (asked: {formatting.percent(r.term('debt_share'), digits=0)},"
          f" {m(fa.debt_usd)})")),
        ("Minimum DSCR, conservative scenario", _ratio(conservative)),
        ("Equity NPV", m(fa.equity_npv_usd)),
        ("Equity IRR (real)", formatting.percent(fa.equity_irr)),
    ]
    keys = ["min_dscr", "average_dscr", "average_dscr_repaying", "debt_capacity",
            "conservative_min_dscr", "equity_npv", "equity_irr"]
    warnings = []
    if _is_vepf(fa.flows.terms.lender):
        cap = min(fa.debt_capacity_share, VEPF_MAX_SHARE)
        limit = (f"Debt capacity within VEPF's limit (up to "
                 f"{formatting.percent(VEPF_MAX_SHARE, digits=0)} of the cost, domain brief)")
        facts.insert(4, (limit,
                         (f"{formatting.percent(cap, digits=0)} of the eligible capex, "
                         f"{m(cap * r.eligible_capex_usd)}")))
        keys.insert(4, "vepf_capacity")
        if fa.debt_capacity_share > VEPF_MAX_SHARE:
            warnings.append(
                f"The cash flow would carry {formatting.percent(fa.debt_capacity_share, digits=0)}"
                f" of the eligible capex, but VEPF lends at most "
                f"{formatting.percent(VEPF_MAX_SHARE, digits=0)} of the cost: the loan is "
                f"capped at {m(VEPF_MAX_SHARE * r.eligible_capex_usd)}.")
    high = _rate_high(r)
    if high is not None:
        rate, hf = high
        facts.append((f"At the high end of the rate range ({formatting.percent(rate, digits=1)})",
                      (f"minimum DSCR {_ratio(hf.min_dscr)}, debt capacity "
                      f"{m(hf.debt_capacity_usd)}")))
        keys.append("rate_high")
    blocks = [
        Block("p", "DSCR = cash flow available for debt service (CFADS: operating cash flow "
                   "after tax, less the capex not financed by the loan) divided by interest "
                   "and principal, in nominal money, in each year with debt service."),
        Block("table", _facts(facts, "proposal-dscr-summary", keys=keys)),
    ]
    if len(served):
        rows = [[str(int(x["year"])), formatting.number(x["cfads_usd"]),
                 formatting.number(x["interest_paid_usd"]), formatting.number(x["principal_usd"]),
                 formatting.number(x["debt_service_usd"]),
                 formatting.number(x["closing_balance_usd"]),
                 _ratio(x["dscr"]) if x["dscr"] >= 0 else "not meaningful"]
                for x in served.to_dict("records")]
        blocks.append(Block("table", _grid(
            ["Year", "CFADS [USD]", "Interest paid [USD]", "Principal [USD]",
             "Debt service [USD]", "Closing balance [USD]", "DSCR"], rows, "proposal-dscr",
            numeric=range(7),
            caption=f"Debt service and its cover by year ({m.nominal_usd})")))
        from .. import plots

        blocks.append(Block("html", render.figure_html(
            plots.dscr_chart(fa.table, target_min_dscr=r.target), name="dscr")))
    warnings = [_clean(w, r.case) for w in fa.warnings] + warnings
    if fa.debt_usd > 0 and not conservative >= r.target:
        warnings.append(f"In the conservative scenario the minimum DSCR is "
                        f"{_ratio(conservative)}, below the lender's {r.target:.2f} target.")
    blocks.append(Block("warnings", warnings))
    return ProposalSection("repayment", SECTIONS["repayment"], blocks)


def _rate_high(r: _Run) -> tuple[float, FinancingAppraisal] | None:
    """The financing at the high end of the case's interest-rate range, when it gives one."""
    fin = r.case.financing
    q = fin.interest_rate if fin is not None else None
    if q is None or q.high is None or not q.high > float(r.term("loan_interest_rate")):
        return None
    return float(q.high), appraise_financing(r.a, loan_interest_rate=float(q.high))


def _sensitivity(r: _Run) -> ProposalSection:
    shown = replace(r.sensitivity, tables={k: v for k, v in r.sensitivity.tables.items()
                                           if k != "scenario_inputs"})
    return ProposalSection("sensitivity", SECTIONS["sensitivity"], [
        Block("html", render.section_html(shown, section_id="proposal-sensitivity")),
        Block("note", "The inputs of each scenario (every driver at its unfavourable or "
                      "favourable end) are listed in the investment-case report."),
    ])


#: Columns of the ESMP summary table (fields of the registry).
ESMP_COLUMNS = ("area", "hazard", "rating", "mitigation", "responsible", "residual_rating",
                "residual_level")


def _environment(r: _Run) -> ProposalSection:
    section = data.esmp_section(r.a, register=r.register)
    if r.register is not None:
        section = replace(section, tables={"esmp": section.tables["esmp"][list(ESMP_COLUMNS)]})
    return ProposalSection("environment", SECTIONS["environment"], [
        Block("html", render.section_html(section, section_id="proposal-esmp"))])


def _procedure(r: _Run) -> Procedure | None:
    if r.register is None:
        return None
    return r.requirements.environmental_procedure[r.register.decree_08_appendix]


def _candidate_status(r: _Run, c: Candidate) -> str:
    text = f"{c.project_type} {c.evidence}".lower()
    if r.adds_emissions and ("greenhouse" in text or c.sector == "Energy"):
        return ("not eligible as appraised: the exchange adds emissions "
                f"({formatting.quantity(-r.a.co2e_avoided_t_per_year, 'tCO2e/yr')})")
    if c.sector == "Environmental services" and not r.a.waste_diverted_t_per_year > 0:
        return ("not eligible as appraised: no waste is diverted (the residue's baseline is a "
                "sale or another use)")
    return "candidate, " + TO_CONFIRM


def _green_credit(r: _Run) -> ProposalSection:
    tax = r.requirements.green_taxonomy
    case = r.case
    candidates = r.requirements.candidates(case.id, case.kind)
    blocks = [
        Block("p", f"Indicative, to be confirmed by the lender: under {tax.decision}, a project "
                   "qualifies for green credit when it meets every criterion below; the "
                   "project types listed are the closest candidates for this exchange "
                   f"({case.kind}). Source: {tax.source}."),
        Block("table", _grid(
            ["Criterion", "Evidence needed", "Source"],
            [[rule.criterion, rule.evidence, rule.source] for rule in tax.rules],
            "proposal-green-rules", caption=f"Criteria of {tax.citation}")),
    ]
    statuses = [_candidate_status(r, c) for c in candidates]
    if candidates:
        blocks.append(Block("table", _grid(
            ["Sector", "Candidate project type", "Evidence needed", "As appraised", "Source"],
            [[c.sector, c.project_type, c.evidence, s, c.source]
             for c, s in zip(candidates, statuses, strict=True)],
            "proposal-green-candidates",
            caption=f"Project types of Appendix I the exchange may meet ({TO_CONFIRM})")))
    else:
        blocks.append(Block("warnings", [
            (f"No candidate project type recorded for the kind {case.kind!r} in "
            f"{REQUIREMENTS_FILE}: green-credit eligibility not assessed.")]))
    if r.adds_emissions:
        added = formatting.quantity(-r.a.co2e_avoided_t_per_year, "tCO2e/yr")
        other = []
        if r.a.waste_diverted_t_per_year > 0:
            other.append("waste diverted")
        if r.a.water_saved_m3_per_year > 0:
            other.append("water saved")
        tail = (f"; any green credit must rest on the {' and '.join(other)} criterion"
                if other else
                "; it diverts no waste and saves no water either: not eligible as appraised "
                "under any criterion of the taxonomy")
        blocks.append(Block("warnings", [
            (f"The exchange adds emissions ({added}): not eligible as appraised under an "
            f"emission-reduction criterion{tail}.")]))
    return ProposalSection("green-credit", SECTIONS["green-credit"], blocks)


def _permits(r: _Run) -> tuple[ProposalSection, list[tuple[str, str]]]:
    case = r.case
    rows, attrs, needed = [], [], []
    proc = _procedure(r)
    if proc is not None:
        appendix = r.register.decree_08_appendix
        where = ("not listed in Appendices III-V" if appendix == "not_listed"
                 else f"Appendix {appendix}")
        rows.append([(f"Environmental procedure ({where} of Decree 08/2022/ND-CP, per the ESMP "
                     f"register): {proc.procedure}"), TIMINGS[proc.timing], proc.authority,
                     proc.source, _status_cell(FROM_AUTHORITY)])
        attrs.append({"data-permit": "environmental_procedure", "data-timing": proc.timing})
        needed.append((f"Environmental procedure: {proc.procedure} ({TIMINGS[proc.timing]})",
                       proc.authority))
    for p in r.requirements.permits_for(case.id, case.kind):
        rows.append([p.name, TIMINGS[p.timing], p.authority, p.source,
                     _status_cell(FROM_AUTHORITY)])
        attrs.append({"data-permit": p.name, "data-timing": p.timing})
        needed.append((f"{p.name} ({TIMINGS[p.timing]})", p.authority))
    blocks = [Block("p", "Indicative, to be confirmed by the lender and a legal review: the "
                         "permits and licences the exchange needs under the Law on "
                         "Environmental Protection 2020, Decree 08/2022/ND-CP and the sector "
                         "rules, by kind of exchange, with when each is needed.")]
    if proc is None:
        blocks.append(Block("warnings", [
            (f"No ESMP register for {case.id}: the Decree 08/2022 appendix, hence the "
            "environmental procedure (EIA, licence or registration), is not known.")]))
    blocks.append(Block("table", _grid(["Permit or licence", "Needed", "Authority", "Source",
                                        "Status"], rows, "proposal-permits", row_attrs=attrs)))
    return ProposalSection("permits", SECTIONS["permits"], blocks), needed


def _indexation(r: _Run, source: str) -> str:
    s = source.lower()
    if "evn" in s:
        ref = ("the EVN tariff the price is derived from (a fixed discount to the EVN tariff in "
               "force, reset when EVN's tariff changes)")
    elif "water" in s or "215/q" in s:
        ref = "the water tariff the price is derived from (reset when the tariff changes)"
    elif "market" in s or "price series" in s:
        ref = "the market price the price is derived from (a published price series)"
    else:
        ref = "the reference the price is derived from (its source above)"
    return (f"Assumption of this proposal ({TO_NEGOTIATE}): linked to {ref}. The financing model "
            f"lets the price keep its real value (it rises with inflation, "
            f"{formatting.percent(r.term('inflation_rate'))} a year), which holds only if "
            "that reference keeps pace with inflation.")


def _volume_words(r: _Run, t, qty: float, unit: str) -> str:
    q = t.quantity_per_year
    where = (f"source: {_clean(q.source, r.case)}" if q is not None
             else "from its resource flow")
    return (f"{formatting.quantity(qty, unit + '/yr')} (the case's estimate, {where}; not a "
            "contracted quantity: the contract must fix a minimum, must-take or deemed "
            "quantity, and the lender will ask for metered data or a P90 estimate)")


def _sales_lines(r: _Run, party: str) -> list:
    return [b for b in r.case.benefits if b.party == party and b.kind == "product_sale"]


def _sale_yearly_usd(r: _Run, line) -> tuple[float, float, str]:
    """(quantity, USD a year in constant prices, unit) of a benefit line: the amount is the
    library's (its cash-flow line in an operating year, signed as the library signs it); the
    quantity that of a quantity x price line (nan for an amount a year, unit ``""``)."""
    cf = r.a.base_flows
    yearly = float(cf.lines[f"benefits.{line.name}"][0, cf.operating[0]][0])
    yearly *= usd_per_unit(r.fa.parameters.values, r.case.currency)
    if line.amount_per_year is not None:
        return math.nan, yearly, ""
    qty, unit = _quantity(r, line)
    return qty, yearly, unit


def _heads_of_terms(r: _Run) -> ProposalSection:
    case, fa, m = r.case, r.fa, r.money
    borrower = r.borrower_party
    blocks = [Block("p", (
        f"Contracts by who pays whom, for the borrower {_who(case, borrower)}"
        + (" (the party that owns most of the capex: the model pools both parties)"
           if r.pooled else "") + ": a supply-or-pay contract where the borrower buys, an "
        "offtake (take-or-pay) contract where it sells."))]
    if not case.transfers:
        blocks.append(Block("p", "The case has no payment between the parties: the contract "
                                 "sets out the service or access only; every head of terms "
                                 f"is {TO_NEGOTIATE}."))
    table = fa.table
    service = table["debt_service_usd"]
    peak = float(service.max()) if len(service) else 0.0
    peak_year = int(table.loc[service.idxmax(), "year"]) if peak > 0 else None
    index = float(table.loc[service.idxmax(), "inflation_index"]) if peak > 0 else 1.0
    contracted = 0.0  # the borrower's contracted revenue, USD nominal, in the peak year
    for n, x in enumerate(r.transfers, 1):
        t, tpr, qty, unit, yearly = x.transfer, x.price, x.quantity, x.unit, x.yearly_usd
        sells = t.payee == borrower
        if sells:
            contracted += yearly * index
            label = "Take-or-pay (offtake)"
            clause = (f"{TO_NEGOTIATE}: {_who(case, t.payer)} takes the volume or pays for it; "
                      f"this revenue is about {m(yearly * index)} (nominal) in year {peak_year}"
                      f", against the largest yearly debt service of {m(peak)} in that year"
                      if peak > 0 else f"{TO_NEGOTIATE}: the payer takes the volume or pays")
        else:
            label = "Supply-or-pay"
            clause = (f"{TO_NEGOTIATE}: {_who(case, t.payee)} delivers the volume to the "
                      "specification or pays the borrower's extra cost of buying it elsewhere")
        price_range = ((f"{tpr.price_text(tpr.min_price)} to {tpr.price_text(tpr.max_price)} "
                        f"(equal split at {tpr.price_text(tpr.equal_split_price)})")
                       if tpr.feasible and tpr.npv_slope_usd_per_price > 0
                       else "none: see borrower and offtaker")
        rows = [
            ("Parties", f"{_who(case, t.payer)} (payer) and {_who(case, t.payee)} (payee)"),
            ("Subject", t.description),
            ("Volume", _volume_words(r, t, qty, unit)),
            (label, clause),
            ("Quality specification", (f"{TO_NEGOTIATE} (parameters of what is delivered, "
                                      "sampling and testing, rejection of off-specification "
                                      "deliveries)")),
            ("Price", (f"{tpr.price_text(tpr.base_price)}, about {m(yearly, 'a year')} "
                       f"(constant prices); source: {_clean(t.unit_price.source, case)}")),
            ("Price range where both parties gain", price_range),
            ("Price indexation", _indexation(r, t.unit_price.source)),
            ("Back-up supply", (f"{TO_NEGOTIATE} (who supplies, and who pays, when the exchange "
                               "stops: the baseline supply stays available)")),
            ("Term", (f"{_n_years(case.lifetime)} from commissioning (the case's life), at "
                      f"least the {r.tenor_years}-year loan tenor")),
            ("Termination", (f"{TO_NEGOTIATE} (events of default, notice, compensation, step-in "
                            "rights for the lender)")),
        ]
        blocks.append(Block("table", _facts(
            rows, f"proposal-heads-of-terms-{n}", f"Heads of terms: {t.description}",
            ["parties", "subject", "volume", "take_or_pay" if sells else "supply_or_pay",
             "quality", "price", "price_range", "indexation", "backup", "term",
             "termination"])))
    sales = _sales_lines(r, borrower)
    if sales:
        rows = []
        for line in sales:
            qty, yearly, unit = _sale_yearly_usd(r, line)
            contracted += yearly * index
            price = (formatting.significant(float(line.unit_price.value), line.unit_price.unit)
                     if line.unit_price is not None else "")
            rows.append([line.description,
                         formatting.quantity(qty, unit + "/yr") if unit else "",
                         price, m(yearly, "a year"),
                         (f"{TO_NEGOTIATE}: volume, specification, price basis and indexation "
                         f"to the product's market price series, term at least the "
                         f"{r.tenor_years}-year tenor")])
        blocks.append(Block("table", _grid(
            ["Product sold", "Volume", "Price", "Revenue (constant prices)", "Offtake contract"],
            rows, "proposal-offtake", numeric=(1, 2, 3),
            caption=(f"Product offtake contracts the lender needs: the borrower's revenue from "
                     f"selling products ({m.basis})"))))
    if peak > 0 and (case.transfers or sales):
        if contracted + 0.5 < peak:
            blocks.append(Block("warnings", [
                (f"The revenue under these contracts alone ({m(contracted)}, nominal, in year "
                f"{peak_year}) "
                f"does not cover the largest yearly debt service ({m(peak)}): the loan also "
                "rests on uncontracted savings or sales.")]))
        else:
            blocks.append(Block("note", (
                f"The revenue under these contracts ({m(contracted)}, nominal, in year "
                f"{peak_year}, once signed) covers "
                f"the largest yearly debt service ({m(peak)}) before operating costs.")))
    return ProposalSection("heads-of-terms", SECTIONS["heads-of-terms"], blocks)


def _documents(r: _Run, permits: list[tuple[str, str]]) -> ProposalSection:
    cid = r.case.id
    green = r.requirements.green_taxonomy.citation
    register = (f"ESMP risk register (data/raw/esmp/{cid}.yaml; "
                f"{r.register.data_quality})" if r.register is not None else None)
    rows = [
        ("This investment proposal (HTML and PDF)", AVAILABLE, f"reports/proposals/{cid}.html"),
        (("Investment-case report: assumptions with sources, cash flows, emissions, financing, "
         "Monte Carlo"), AVAILABLE, f"eip-analysis run {cid}: reports/{cid}.html"),
        ("Bank workbook with live formulas", AVAILABLE,
         f"eip-analysis workbook {cid}: reports/workbooks/{cid}.xlsx"),
        ("Case file: every quantity and price with its source", AVAILABLE,
         f"data/raw/cases/{cid}.yaml"),
        *([(register, AVAILABLE, "the beneficiaries' own assessment replaces it")]
          if register else []),
        *[(step, NEXT_STEP, "the case's next steps (case file)") for step in r.case.next_steps],
        ("Enterprise registration certificates of both parties", TO_SUPPLY, "both parties"),
        ("Audited financial statements, last 3 years", TO_SUPPLY, "borrower and offtaker"),
        ("Existing debt and credit history (CIC report)", TO_SUPPLY, "borrower"),
        ("Collateral documents and valuation", TO_SUPPLY, "borrower"),
        ("Board or owners' resolution to borrow and to sign the exchange contract", TO_SUPPLY,
         "both parties"),
        ("Signed exchange contract (heads of terms above)", TO_SUPPLY, "both parties"),
        ("12 months of metered data for the key quantities", TO_SUPPLY, "both parties"),
        ("Supplier quotations or EPC offer for the capex lines", TO_SUPPLY, "borrower"),
        ("Land, roof or site use rights for the works", TO_SUPPLY, "host party"),
        *[(name, FROM_AUTHORITY, authority) for name, authority in permits],
        (f"Green-credit confirmation under {green} (if green credit is asked)",
         FROM_AUTHORITY, ("the agency competent for the environmental procedure, or an "
                         "independent verification organisation")),
    ]
    return ProposalSection("documents", SECTIONS["documents"], [
        Block("table", _grid(["Document", "Status", "From"],
                             [[d, _status_cell(s), f] for d, s, f in rows],
                             "proposal-documents",
                             row_attrs=[{"data-status": s} for _, s, _ in rows])),
    ])


def borrower_alone(a: Appraisal, party: str) -> FinancingAppraisal:
    """The library's financing of ``a``'s case with ``party`` as the only borrower (the case's
    other terms and the run's overrides kept): a modified copy of the case, the file untouched."""
    case = a.case
    fin = (case.financing.model_copy(update={"borrower": party}) if case.financing is not None
           else Financing(borrower=party))
    alone = case.model_copy(update={"financing": fin})
    return appraise_financing(alone, **dict(a.parameters.run_overrides))


def passing_structure(a: Appraisal, fa: FinancingAppraisal) -> _Structure | None:
    """The first loan structure within the lender's limits that meets the covenant at the
    amount asked: tenors from the one asked up to the limit (VEPF 10 years, else
    :data:`MAX_TENOR_YEARS`, never beyond the life), one or two grace years, the repayment
    asked then the other profile. ``None`` when none does (then cut the loan to capacity)."""
    case = a.case
    asked_tenor = int(fa.parameters["loan_tenor_years"])
    limit = min(VEPF_MAX_TENOR_YEARS if _is_vepf(fa.flows.terms.lender) else MAX_TENOR_YEARS,
                case.lifetime)
    asked_rep = str(fa.parameters["loan_repayment"])
    profiles = [asked_rep] + [p for p in ("annuity", "equal_principal") if p != asked_rep]
    # The case's cash flows do not change with the loan terms: built once (unless the
    # appraisal replaced numbers of the case, whose flows the trials must not start from).
    cashflows = None if a.values else a.base_flows
    for tenor in range(asked_tenor, limit + 1):
        for grace in GRACE_TRIED:
            if grace >= tenor:
                continue
            for rep in profiles:
                if (tenor, grace, rep) == (asked_tenor, int(fa.parameters["loan_grace_years"]),
                                           asked_rep):
                    continue
                overrides = {"loan_tenor_years": tenor, "loan_grace_years": grace,
                             "loan_repayment": rep}
                # the minimum DSCR only (no debt-capacity sizing, no tables) for each trial
                case, params, _ = run_of(a, overrides)  # keeps the run's overrides
                min_dscr = evaluate_financing(case, params.values, cashflows=cashflows,
                                              debt_capacity=False)["min_dscr"][0]
                if min_dscr >= fa.target_min_dscr:
                    return _Structure(tenor, grace, rep, appraise_financing(a, **overrides))
    return None


def build_proposal(case_id: str, cases_dir: str | Path | None = None, *,
                   run: RunParameters | None = None, requirements: Requirements | None = None,
                   run_date: datetime | None = None) -> Proposal:
    """The investment proposal of one case, as data.

    A case whose project NPV is negative, whose minimum DSCR misses the lender's target or
    whose debt capacity is well below the loan asked is a screening note
    (:data:`SCREENING_TITLE`), with the reason at the top, the support gap and what would
    close it (computed by the library), and, where the covenant fails on a positive NPV, the
    debt capacity and a loan structure within the lender's limits that passes.

    Parameters
    ----------
    case_id : str
        A case id of ``cases_dir`` (default ``data/raw/cases``).
    cases_dir : path, optional
    run : RunParameters, optional
        The run (default: the case's parameters and the defaults, no override).
    requirements : Requirements, optional
        Default: :func:`load_requirements`.
    run_date : datetime, optional
        Date of the provenance and the printed header (default now, UTC).

    Raises
    ------
    InputError
        An unknown case, a broken case file, ESMP register or requirements file: one line
        naming the file and the field.
    """
    run = run if run is not None else check_parameters(
        case_id, str(cases_dir) if cases_dir is not None else None)
    requirements = requirements if requirements is not None else load_requirements()
    context = RunContext.build(run)
    a = context.appraisal
    fa = context.financing
    register = esmp.register_for(a.case)
    prices = [transfer_price_range(a, t.name) for t in a.case.transfers]
    r = _Run(context=context, fa=fa, money=_Money(a), view=party_view(a), prices=prices,
             sensitivity=data.sensitivity_section(a), register=register,
             requirements=requirements)
    if r.pooled and fa.debt_usd > 0:
        try:
            r.alone = borrower_alone(a, r.main_party)
        except (InputError, ValueError):
            r.alone = None
    if a.npv_usd >= 0 and (r.covenant_fails() or r.capacity_short()):
        r.structure = passing_structure(a, fa)
    sources_uses, totals = _sources_uses(r)
    permits, needed = _permits(r)
    sections = [_summary(r), _parties(r), _project(r), sources_uses,
                _financing(r, totals["fees_usd"]), _repayment(r), _sensitivity(r),
                _environment(r), _green_credit(r), permits, _heads_of_terms(r),
                _documents(r, needed)]
    figures = {"debt_usd": fa.debt_usd, "min_dscr": fa.min_dscr, "npv_usd": a.npv_usd,
               "debt_capacity_usd": fa.debt_capacity_usd, "support_gap_usd": r.support_gap_usd,
               "conservative_min_dscr": r.conservative_min_dscr(), **totals}
    if r.alone is not None:
        figures["alone_min_dscr"] = r.alone.min_dscr
        figures["alone_debt_usd"] = r.alone.debt_usd
    if r.structure is not None:
        figures["structure_min_dscr"] = r.structure.fa.min_dscr
    verdict = r.verdict
    return Proposal(context=context, financing=fa, sections=sections, figures=figures,
                    run_date=run_date or datetime.now(UTC),
                    heading=SCREENING_TITLE if verdict else PROPOSAL_TITLE, verdict=verdict,
                    borrower_alone=r.alone)


# -- the page ----------------------------------------------------------------------------------------


def print_texts(proposal: Proposal) -> tuple[str, str]:
    """Running header (proposal or screening note, case, park, date) and banner of the
    printed pages."""
    from .notebook import PRINT_BANNER

    case = proposal.case
    banner = "" if case.data_quality == "surveyed" else PRINT_BANNER
    date = proposal.run_date.strftime("%Y-%m-%d")
    return f"{proposal.kind} · {case.id} · {case.park} · {date}", banner


def proposal_html(proposal: Proposal) -> str:
    """The proposal as a complete self-contained page (the reports' page and stylesheet)."""
    case = proposal.case
    header, banner = print_texts(proposal)
    body = render.render(
        "proposal.html.j2", case=case, sections=proposal.sections, heading=proposal.heading,
        kind=proposal.kind, verdict=proposal.verdict,
        facts=_facts([("Park", case.park), ("Supplier", case.supplier_role),
                      ("Receiver", case.receiver_role),
                      ("Data quality", f"{case.data_quality}: {case.data_note}"
                       if case.data_note else case.data_quality),
                      ("Prepared", (f"{proposal.run_date:%Y-%m-%d} by eip-analysis; every "
                                   "figure from the package's appraisal of the case file"))],
                     "proposal-facts"),
        provenance=render.provenance_html(proposal.appraisal, proposal.context.run,
                                          run_date=proposal.run_date))
    return render.page_html(f"{proposal.heading}: {case.id}: {case.title}", Markup(body),
                            print_header=header, print_banner=banner)


def proposals_dir() -> Path:
    """``reports/proposals`` (or under ``$EIP_REPORTS_DIR``)."""
    return paths.reports_dir() / "proposals"


def write_proposal(case_id: str, output_dir: str | Path | None = None,
                   cases_dir: str | Path | None = None, *,
                   requirements: Requirements | None = None) -> Path:
    """Build the proposal of ``case_id`` and write ``<output_dir>/<id>.html`` atomically.

    Nothing is written when anything fails (the page is rendered in full first).
    """
    proposal = build_proposal(case_id, cases_dir, requirements=requirements)
    html = proposal_html(proposal)
    out = Path(output_dir) if output_dir is not None else proposals_dir()
    return atomic_write_text(out / f"{proposal.case.id}.html", html)
