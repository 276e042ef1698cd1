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
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import esmp, formatting, paths
from ..appraisal import Appraisal
from ..errors import InputError
from ..fields import FIELDS
from ..files import atomic_write_text
from ..financing import FinancingAppraisal
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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


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
    source: Text
    rules: Annotated[list[Rule], Field(min_length=1)]
    kinds: dict[str, list[Candidate]]


class Procedure(_Strict):
    procedure: Text
    authority: Text
    source: Text


class Permit(_Strict):
    name: Text
    kinds: list[str]
    cases: list[str] | None = None
    extra_cases: list[str] = Field(default_factory=list)
    authority: Text
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
    return _load_requirements(str(path.resolve()), _mtime(path))


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


@lru_cache(maxsize=4)
def _load_requirements(path_text: str, _mtime_ns: int) -> Requirements:
    from ..cases import read_yaml

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
        err = exc.errors(include_url=False)[0]
        where = ".".join(f"[{x}]" if isinstance(x, int) else str(x) for x in err["loc"])
        expected = "this field (required)" if err["type"] == "missing" else err["msg"]
        raise InputError(expected, file=path, field=where.replace(".[", "[") or None) from None
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

    @property
    def case(self):
        return self.context.case

    @property
    def appraisal(self) -> Appraisal:
        return self.context.appraisal

    def section(self, key: str) -> ProposalSection:
        return next(s for s in self.sections if s.key == key)


class _Money:
    """USD amounts as text with VND beside, at the run's exchange rate."""

    def __init__(self, appraisal: Appraisal) -> None:
        self.rate = float(appraisal.parameters["exchange_rate_vnd_per_usd"])

    def __call__(self, usd: float, per: str = "") -> str:
        if usd is None or not np.isfinite(usd):
            return formatting.money(usd)
        vnd = data.convert_usd(float(usd), "VND", self.rate)
        suffix = f" {per}" if per else ""
        return f"{formatting.money(usd)}{suffix} ({formatting.money(vnd, 'VND')}{suffix})"

    @property
    def basis(self) -> str:
        return (f"USD, with VND beside at {formatting.plain(self.rate)} VND/USD (the run's "
                "exchange rate)")


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
           FROM_AUTHORITY: "status-authority"}.get(status, "")
    return Cell(parts=[Part(status, kind="span", cls=cls)], attrs={"data-status": status})


def _ratio(x: float) -> str:
    return "not applicable" if x is None or math.isnan(x) else f"{x:.2f}"


def _scalar(a: np.ndarray) -> float:
    return float(np.asarray(a).reshape(-1)[0])


# -- the sections ----------------------------------------------------------------------------------


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
    def borrower_words(self) -> str:
        who = self.fa.flows.terms.borrower
        if who == "project":
            return ("the project as a whole (both parties' investment and savings, as one "
                    "project company would hold them)")
        role = self.case.supplier_role if who == "supplier" else self.case.receiver_role
        return f"the {who} ({role})"

    def conservative_min_dscr(self) -> float:
        results = self.sensitivity.tables["scenarios"].set_index("scenario")
        return float(results.loc["conservative", "min_dscr"])

    def party_gain(self, party: str) -> tuple[str, str]:
        """(``clear``, ``marginal`` or ``loses``, a sentence) for one party."""
        v = self.view.set_index("party")
        row = v.loc[party]
        npv, capex = float(row["npv_usd"]), float(row["capex_usd"])
        base = capex if capex > 0 else float(v.loc["project", "capex_usd"])
        whose = "its own investment" if capex > 0 else "the project's investment"
        name = f"the {party} ({row['role']})"
        if npv < 0:
            return "loses", (f"At the assumed prices {name} loses: its NPV is "
                             f"{formatting.money(npv)}.")
        share = npv / base if base > 0 else math.inf
        if share < MARGINAL_NPV_SHARE:
            return "marginal", (
                f"The gain of {name} is marginal: its NPV is only {formatting.money(npv)}, "
                f"{formatting.percent(share)} of {whose} ({formatting.money(base)}); a small "
                "price or cost change turns it negative.")
        return "clear", (f"{name[0].upper()}{name[1:]} gains: NPV {formatting.money(npv)} "
                         f"({formatting.percent(share)} of {whose}).")


def _summary(r: _Run) -> ProposalSection:
    a, fa, m, case = r.a, r.fa, r.money, r.case
    rate = r.term("loan_interest_rate")
    figures = data.key_figures(a).set_index("key")
    vnd = data.key_figures(a, "VND").set_index("key")["text"]
    request = [
        ("Loan amount", m(fa.debt_usd)),
        ("Currency", ("VND (the rate assumed is a VND lending rate); amounts here in "
                     f"{m.basis}")),
        ("Tenor", f"{r.tenor_years} years from commissioning, grace included"),
        ("Grace", f"{r.grace_years} year(s), interest only"),
        ("Interest rate", f"{formatting.percent(rate, digits=2)} a year, nominal"),
        ("Lender assumed", fa.flows.terms.lender),
        ("Borrower modelled", r.borrower_words),
        ("Purpose", (f"{case.title}: finance "
                    f"{formatting.percent(r.term('debt_share'), digits=0)} of the investment "
                    f"({m(a.capex_usd)}, both parties, all years)")),
    ]
    keys = ["loan_amount", "currency", "tenor", "grace", "interest_rate", "lender", "borrower",
            "purpose"]
    rows, fkeys = [], []
    for k in SUMMARY_FIGURES:
        if k not in figures.index:
            continue
        f = figures.loc[k]
        text = str(f["text"])
        if FIELDS[data.KEY_FIGURES[k]].kind == "money" and np.isfinite(f["value"]):
            text = f"{text} ({vnd[k]})"
        rows.append((str(f["label"]), text))
        fkeys.append(k)
    rows.insert(2, (f"Minimum DSCR (lender's target {r.target:.2f})", _ratio(fa.min_dscr)))
    fkeys.insert(2, "min_dscr")
    warnings = []
    if a.npv_usd < 0:
        warnings.append(f"The project's NPV is negative ({formatting.money(a.npv_usd)}): as "
                        "appraised the exchange does not pay for itself, and a lender would "
                        "need a change of design or price, or outside support, to finance it.")
    if fa.debt_usd > 0 and not fa.min_dscr >= r.target:
        warnings.append(f"The minimum DSCR ({_ratio(fa.min_dscr)}) is below the lender's "
                        f"{r.target:.2f} target: the loan as asked is not covered; see "
                        "repayment capacity.")
    for party in ("supplier", "receiver"):
        verdict, sentence = r.party_gain(party)
        if verdict != "clear":
            warnings.append(sentence)
    warnings += list(a.warnings)
    return ProposalSection("summary", SECTIONS["summary"], [
        Block("p", f"Request: a loan of {m(fa.debt_usd)} over {r.tenor_years} years "
                   f"({r.grace_years} of grace) at {formatting.percent(rate, digits=2)} "
                   f"nominal, {str(r.term('loan_repayment')).replace('_', ' ')} repayment, to "
                   f"{r.borrower_words}."),
        Block("p", f"Purpose: {case.exchange}"),
        Block("table", _facts(request, "proposal-request", "The request", keys)),
        Block("table", _facts(rows, "proposal-key-figures",
                              "Key figures (project view: before financing and tax, constant "
                              "prices; the DSCR from the financing model)", fkeys)),
        Block("warnings", warnings),
    ])


def _transfer_quantity(r: _Run, t) -> tuple[float, str]:
    """Yearly quantity of a transfer [its unit/yr] and that unit."""
    unit = t.unit_price.unit.split("/", 1)[-1]
    if t.quantity_from_flow is not None:
        change = r.a.base_flows.flows.change(t.quantity_from_flow)
        return abs(_scalar(change)), unit
    return float(t.quantity_per_year.value), unit


def _who(case, party: str) -> str:
    return f"the {party} ({case.supplier_role if party == 'supplier' else case.receiver_role})"


def _parties(r: _Run) -> ProposalSection:
    case, m = r.case, r.money
    blocks = [Block("p", f"Supplier: {case.supplier_role}. Receiver: {case.receiver_role}. "
                         f"Borrower in the financing model: {r.borrower_words}.")]
    for t, tpr in zip(case.transfers, r.prices, strict=True):
        qty, unit = _transfer_quantity(r, t)
        yearly = qty * tpr.base_price * usd_per_unit(r.fa.parameters.values, case.currency)
        blocks.append(Block("p", (
            f"Who pays whom: {_who(case, t.payer)} pays {_who(case, t.payee)} "
            f"{tpr.price_text(tpr.base_price)} on {formatting.quantity(qty, unit + '/yr')}, "
            f"about {m(yearly, 'a year')} ({t.name.replace('_', ' ')}: {t.description}).")))
    if not case.transfers:
        blocks.append(Block("p", "The case has no payment between the parties."))
    v = r.view.set_index("party")
    verdicts = {p: r.party_gain(p) for p in ("supplier", "receiver")}
    rows = []
    for party in ("supplier", "receiver", "project"):
        row = v.loc[party]
        rows.append([party, row["role"], formatting.number(row["capex_usd"]),
                     formatting.number(row["annual_net_usd"]),
                     formatting.number(row["transfers_usd_per_year"]),
                     formatting.number(row["npv_usd"]), formatting.percent(row["irr"]),
                     formatting.years(row["payback_years"]),
                     verdicts[party][0] if party in verdicts else ""])
    header = [FIELDS["party"].label, FIELDS["role"].label, FIELDS["capex_usd"].header,
              FIELDS["annual_net_usd"].header, FIELDS["transfers_usd_per_year"].header,
              FIELDS["npv_usd"].header, FIELDS["irr"].label, FIELDS["payback_years"].label,
              "Gain"]
    blocks.append(Block("table", _grid(
        header, rows, "proposal-parties", numeric=range(2, 8),
        caption="Each party's own cash flow with the transfers, before financing and tax "
                f"(USD, constant prices; a gain below {MARGINAL_NPV_SHARE:.0%} of the party's "
                "own investment is read as marginal)",
        row_attrs=[{"data-party": p} for p in ("supplier", "receiver", "project")])))
    both = all(v_[0] == "clear" for v_ in verdicts.values())
    if both:
        blocks.append(Block("p", "Both parties gain at the assumed transfer price. "
                            + " ".join(s for _, s in verdicts.values())))
    else:
        blocks.append(Block("warnings", [s for verdict, s in verdicts.values()
                                         if verdict != "clear"]
                            + [("\"Both parties gain\" cannot be claimed at the assumed "
                               "price: the contract price must be renegotiated or the exchange "
                               "supported before a lender relies on the offtake.")]))
    for tpr in r.prices:
        blocks.append(Block("p", tpr.words()))
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


def _project(r: _Run) -> ProposalSection:
    case, a, m = r.case, r.a, r.money
    survey = case.latest_survey
    facts = [
        ("Park", case.park), ("Kind of exchange", case.kind),
        ("Supplier", case.supplier_role), ("Receiver", case.receiver_role),
        (f"Status ({survey.round} survey)", survey.status.replace("_", " ")),
        ("Operating life", f"{case.lifetime} years from year {case.operation_start_year}"),
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
    uses, later = [], []
    for c in case.capex:
        if who != "project" and c.party != who:
            continue
        nominal = -cf.lines[f"capex.{c.name}"][0] * usd * index
        financed = float((nominal * eligible).sum())
        after = float((nominal * ~eligible).sum())
        if financed:
            uses.append((f"{c.description} (year {c.year}, {c.party})", financed))
        if after:
            later.append((f"{c.description} (year {c.year}, {c.party})", after))
    fees = float(fl.fees[0].sum())
    total_uses = sum(v for _, v in uses) + fees
    equity = total_uses - fa.debt_usd
    idc = float(fl.loan.capitalised_interest[0].sum())
    rows = [[label, m(v)] for label, v in uses]
    rows.append([(f"Upfront fee ({formatting.percent(r.term('loan_upfront_fee'))} of the "
                 "loan)"), m(fees)])
    rows.append(["Total uses", m(total_uses)])
    n_uses = len(rows)
    rows.append([(f"Loan ({formatting.percent(r.term('debt_share'), digits=0)} of the capex "
                 f"financed, {fl.terms.lender})"), m(fa.debt_usd)])
    rows.append(["Own funds (equity) of the borrower", m(equity)])
    rows.append(["Total sources", m(fa.debt_usd + equity)])
    attrs = ([{"data-side": "use"}] * (n_uses - 1) + [{"class": "total", "data-side": "uses"}]
             + [{"data-side": "source", "data-key": "loan"},
                {"data-side": "source", "data-key": "equity"},
                {"class": "total", "data-side": "sources"}])
    blocks = [
        Block("p", f"Uses: the investment of {r.borrower_words} in the years before the first principal repayment "
                   f"(to year {int(np.flatnonzero(eligible).max())}), in nominal money "
                   f"(inflated at {formatting.percent(r.term('inflation_rate'))} a year), and "
                   "the loan fee. Sources: the loan at the debt share of the financing terms, "
                   "and the borrower's own funds."),
        Block("table", _grid(["Item", "Amount"], rows, "proposal-sources-uses", numeric=(1,),
                             caption=f"Sources and uses of funds, {m.basis}", row_attrs=attrs)),
    ]
    if idc > 0.5:
        blocks.append(Block("note", f"Interest during construction, capitalised into the loan "
                                    f"balance (not drawn): {m(idc)}."))
    if later:
        blocks.append(Block("table", _grid(
            ["Later investment, paid by the owner from operating cash flow", "Amount"],
            [[label, m(v)] for label, v in later], "proposal-later-capex", numeric=(1,),
            caption="Capex after the drawdown period (nominal)")))
    blocks.append(Block("note", f"Own funds over the whole life, later capex and fees included: "
                                f"{m(fa.equity_invested_usd)} (the library's equity invested)."))
    return (ProposalSection("sources-uses", SECTIONS["sources-uses"], blocks),
            {"total_uses_usd": total_uses, "equity_usd": equity, "fees_usd": fees})


def _financing(r: _Run, fees: float) -> ProposalSection:
    fa, m = r.fa, r.money
    draw_years = fa.table.loc[fa.table["drawdown_usd"] > 0, "year"].astype(int).tolist()
    facts = [
        ("Amount", m(fa.debt_usd)),
        ("Lender assumed", fa.flows.terms.lender),
        ("Borrower modelled", r.borrower_words),
        ("Drawdown", f"year(s) {', '.join(map(str, draw_years)) or 'none'}, with the capex"),
        ("Tenor", f"{r.tenor_years} years from commissioning, grace included"
                  + (f" (asked {int(r.term('loan_tenor_years'))}, shortened to the life)"
                     if r.tenor_years < int(r.term("loan_tenor_years")) else "")),
        ("Grace", f"{r.grace_years} year(s), interest paid, no principal"),
        ("Interest rate", (f"{formatting.percent(r.term('loan_interest_rate'), digits=2)} a "
                          "year, nominal, on the declining balance")),
        ("Repayment profile", str(r.term("loan_repayment")).replace("_", " ")),
        ("Upfront fee", (f"{formatting.percent(r.term('loan_upfront_fee'))} of each amount drawn"
                        f": {m(fees)}")),
        ("Covenant assumed", f"minimum DSCR {r.target:.2f}"),
        ("Security offered", TO_SUPPLY),
    ]
    terms = fa.terms_table()
    return ProposalSection("financing", SECTIONS["financing"], [
        Block("table", _facts(facts, "proposal-financing-request", "The financing request",
                              ["amount", "lender", "borrower", "drawdown", "tenor", "grace",
                               "interest_rate", "repayment", "upfront_fee", "covenant",
                               "security"])),
        Block("html", render.frame_html(terms, table_id="proposal-terms",
                                        caption="Loan and tax terms and their sources")),
    ])


def _repayment(r: _Run) -> ProposalSection:
    fa, m = r.fa, r.money
    loan = fa.loan_table()
    served = loan[loan["debt_service_usd"] > 0][
        ["year", "cfads_usd", "interest_paid_usd", "principal_usd", "debt_service_usd",
         "closing_balance_usd", "dscr"]].reset_index(drop=True)
    conservative = r.conservative_min_dscr()
    facts = [
        ("Minimum DSCR", f"{_ratio(fa.min_dscr)} (target {r.target:.2f})"),
        ("Average DSCR", _ratio(fa.average_dscr)),
        (f"Debt capacity at a minimum DSCR of {r.target:.2f}",
         (f"{m(fa.debt_capacity_usd)}, {formatting.percent(fa.debt_capacity_share, digits=0)} "
         f"of the eligible capex (asked: {formatting.percent(r.term('debt_share'), digits=0)},"
         f" {m(fa.debt_usd)})")),
        ("Minimum DSCR, conservative scenario", _ratio(conservative)),
        ("Equity NPV", m(fa.equity_npv_usd)),
        ("Equity IRR (real)", formatting.percent(fa.equity_irr)),
    ]
    blocks = [
        Block("p", "DSCR = cash flow available for debt service (CFADS: operating cash flow "
                   "after tax, less the capex not financed by the loan) divided by interest "
                   "and principal, in nominal money, in each year with debt service."),
        Block("table", _facts(facts, "proposal-dscr-summary", keys=[
            "min_dscr", "average_dscr", "debt_capacity", "conservative_min_dscr",
            "equity_npv", "equity_irr"])),
    ]
    if len(served):
        blocks.append(Block("html", render.frame_html(
            served, table_id="proposal-dscr",
            caption="Debt service and its cover by year (USD nominal)")))
        from .. import plots

        blocks.append(Block("html", render.figure_html(
            plots.dscr_chart(fa.table, target_min_dscr=r.target),
            alt="DSCR by year against the lender's minimum")))
    warnings = list(fa.warnings)
    if fa.debt_usd > 0 and not conservative >= r.target:
        warnings.append(f"In the conservative scenario the minimum DSCR is "
                        f"{_ratio(conservative)}, below the lender's {r.target:.2f} target.")
    blocks.append(Block("warnings", warnings))
    return ProposalSection("repayment", SECTIONS["repayment"], blocks)


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
    section = data.esmp_section(r.a)
    if r.register is not None:
        section = replace(section, tables={"esmp": section.tables["esmp"][list(ESMP_COLUMNS)]})
    return ProposalSection("environment", SECTIONS["environment"], [
        Block("html", render.section_html(section, section_id="proposal-esmp"))])


def _procedure(r: _Run) -> Procedure | None:
    if r.register is None:
        return None
    return r.requirements.environmental_procedure[r.register.decree_08_appendix]


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
            "proposal-green-rules", caption="Criteria of Decision 21/2025/QD-TTg")),
    ]
    if candidates:
        blocks.append(Block("table", _grid(
            ["Sector", "Candidate project type", "Evidence needed", "Source"],
            [[c.sector, c.project_type, c.evidence, c.source] for c in candidates],
            "proposal-green-candidates",
            caption=f"Project types of Appendix I the exchange may meet ({TO_CONFIRM})")))
    else:
        blocks.append(Block("warnings", [
            (f"No candidate project type recorded for the kind {case.kind!r} in "
            f"{REQUIREMENTS_FILE}: green-credit eligibility not assessed.")]))
    if r.a.co2e_avoided_t_per_year <= 0:
        blocks.append(Block("warnings", [
            (f"The exchange does not avoid greenhouse gas "
            f"({formatting.quantity(r.a.co2e_avoided_t_per_year, 'tCO2e/yr')}): its "
            "environmental benefit must rest on another criterion (water, waste).")]))
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
                     f"register): {proc.procedure}"), proc.authority, proc.source,
                     _status_cell(FROM_AUTHORITY)])
        attrs.append({"data-permit": "environmental_procedure"})
        needed.append((f"Environmental procedure: {proc.procedure}", proc.authority))
    for p in r.requirements.permits_for(case.id, case.kind):
        rows.append([p.name, p.authority, p.source, _status_cell(FROM_AUTHORITY)])
        attrs.append({"data-permit": p.name})
        needed.append((p.name, p.authority))
    blocks = [Block("p", "Indicative, to be confirmed by the lender and a legal review: the "
                         "permits and licences the exchange needs under the Law on "
                         "Environmental Protection 2020, Decree 08/2022/ND-CP and the sector "
                         "rules, by kind of exchange.")]
    if proc is None:
        blocks.append(Block("warnings", [
            (f"No ESMP register for {case.id}: the Decree 08/2022 appendix, hence the "
            "environmental procedure (EIA, licence or registration), is not known.")]))
    blocks.append(Block("table", _grid(["Permit or licence", "Authority", "Source", "Status"],
                                       rows, "proposal-permits", row_attrs=attrs)))
    return ProposalSection("permits", SECTIONS["permits"], blocks), needed


def _heads_of_terms(r: _Run) -> ProposalSection:
    case, fa, m = r.case, r.fa, r.money
    blocks = []
    if not case.transfers:
        blocks.append(Block("p", "The case has no payment between the parties: the contract "
                                 "sets out the service or access only; every head of terms "
                                 f"is {TO_NEGOTIATE}."))
    service = fa.table["debt_service_usd"]
    peak = float(service.max()) if len(service) else 0.0
    for n, (t, tpr) in enumerate(zip(case.transfers, r.prices, strict=True), 1):
        qty, unit = _transfer_quantity(r, t)
        yearly = qty * tpr.base_price * usd_per_unit(fa.parameters.values, case.currency)
        rows = [
            ("Parties", f"{_who(case, t.payer)} (payer) and {_who(case, t.payee)} (payee)"),
            ("Subject", t.description),
            ("Volume", f"{formatting.quantity(qty, unit + '/yr')} (the case's quantity)"),
            ("Take-or-pay", f"{TO_NEGOTIATE}; lender's reference: the largest yearly debt "
                            f"service is {m(peak)} (nominal)" if peak > 0 else TO_NEGOTIATE),
            ("Quality specification", (f"{TO_NEGOTIATE} (parameters of what is delivered, "
                                      "sampling and testing, rejection of off-specification "
                                      "deliveries)")),
            ("Price", (f"{tpr.price_text(tpr.base_price)}, about {m(yearly, 'a year')}; source: "
                      f"{t.unit_price.source}")),
            ("Price range where both parties gain",
             (f"{tpr.price_text(tpr.min_price)} to {tpr.price_text(tpr.max_price)} (equal split "
              f"at {tpr.price_text(tpr.equal_split_price)})") if tpr.feasible
             and tpr.npv_slope_usd_per_price > 0 else "none: see borrower and offtaker"),
            ("Price indexation", (f"{TO_NEGOTIATE}; the financing model keeps the price's real "
                                 f"value (indexed to inflation, "
                                 f"{formatting.percent(r.term('inflation_rate'))} a year)")),
            ("Back-up supply", (f"{TO_NEGOTIATE} (who supplies, and who pays, when the exchange "
                               "stops: the baseline supply stays available)")),
            ("Term", (f"{case.lifetime} years from commissioning (the case's life), at least "
                     f"the {r.tenor_years}-year loan tenor")),
            ("Termination", (f"{TO_NEGOTIATE} (events of default, notice, compensation, step-in "
                            "rights for the lender)")),
        ]
        blocks.append(Block("table", _facts(
            rows, f"proposal-heads-of-terms-{n}", f"Heads of terms: {t.name.replace('_', ' ')}",
            ["parties", "subject", "volume", "take_or_pay", "quality", "price", "price_range",
             "indexation", "backup", "term", "termination"])))
    return ProposalSection("heads-of-terms", SECTIONS["heads-of-terms"], blocks)


def _documents(r: _Run, permits: list[tuple[str, str]]) -> ProposalSection:
    cid = r.case.id
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
        ("Green-credit confirmation under Decision 21/2025/QD-TTg (if green credit is asked)",
         FROM_AUTHORITY, ("the agency competent for the environmental procedure, or an "
                         "independent verification organisation")),
    ]
    return ProposalSection("documents", SECTIONS["documents"], [
        Block("table", _grid(["Document", "Status", "From"],
                             [[d, _status_cell(s), f] for d, s, f in rows],
                             "proposal-documents",
                             row_attrs=[{"data-status": s} for _, s, _ in rows])),
    ])


def _sensitivity_of(a: Appraisal) -> data.Section:
    """:func:`~eip_analysis.report.sections.sensitivity_section` with its chart; the switching
    value scan runs inputs out to the ends of their domains, where a model may divide by zero:
    those points are no-crossings, not errors, so numpy's warnings about them are not shown."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return data.sensitivity_section(a)


def build_proposal(case_id: str, cases_dir: str | Path | None = None, *,
                   run: RunParameters | None = None, requirements: Requirements | None = None,
                   run_date: datetime | None = None) -> Proposal:
    """The investment proposal of one case, as data.

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
             sensitivity=_sensitivity_of(a), register=register,
             requirements=requirements)
    sources_uses, totals = _sources_uses(r)
    permits, needed = _permits(r)
    sections = [_summary(r), _parties(r), _project(r), sources_uses,
                _financing(r, totals["fees_usd"]), _repayment(r), _sensitivity(r),
                _environment(r), _green_credit(r), permits, _heads_of_terms(r),
                _documents(r, needed)]
    figures = {"debt_usd": fa.debt_usd, "min_dscr": fa.min_dscr, "npv_usd": a.npv_usd,
               "conservative_min_dscr": r.conservative_min_dscr(), **totals}
    return Proposal(context=context, financing=fa, sections=sections, figures=figures,
                    run_date=run_date or datetime.now(UTC))


# -- the page ----------------------------------------------------------------------------------------


def print_texts(proposal: Proposal) -> tuple[str, str]:
    """Running header (proposal, case, park, date) and banner of the printed pages."""
    from .notebook import PRINT_BANNER

    case = proposal.case
    banner = "" if case.data_quality == "surveyed" else PRINT_BANNER
    date = proposal.run_date.strftime("%Y-%m-%d")
    return f"Investment proposal · {case.id} · {case.park} · {date}", banner


def proposal_html(proposal: Proposal) -> str:
    """The proposal as a complete self-contained page (the reports' page and stylesheet)."""
    case = proposal.case
    header, banner = print_texts(proposal)
    body = render.render(
        "proposal.html.j2", case=case, sections=proposal.sections,
        facts=_facts([("Park", case.park), ("Supplier", case.supplier_role),
                      ("Receiver", case.receiver_role),
                      ("Data quality", f"{case.data_quality}: {case.data_note}"
                       if case.data_note else case.data_quality),
                      ("Prepared", (f"{proposal.run_date:%Y-%m-%d} by eip-analysis; every "
                                   "figure from the package's appraisal of the case file"))],
                     "proposal-facts"),
        provenance=render.provenance_html(proposal.appraisal, proposal.context.run,
                                          run_date=proposal.run_date))
    return render.page_html(f"Investment proposal: {case.id}: {case.title}", Markup(body),
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
