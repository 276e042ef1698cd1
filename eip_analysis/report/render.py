"""HTML of the reports and the index, from Jinja2 templates with autoescape.

The templates live in ``eip_analysis/report/templates/`` (``page``, ``index``, one macro for
every table, the stylesheet as a file). Python here only turns the data of
:mod:`eip_analysis.report.sections` into table rows and cells (:class:`Table`, :class:`Row`,
:class:`Cell`) with their words formatted; every text reaches the page through the templates,
escaped (a case title ``<script>...`` shows as text). Each function returns a
:class:`Fragment`: :class:`markupsafe.Markup` that also displays itself in JupyterLab.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .. import __version__, formatting, i18n
from ..appraisal import Appraisal
from ..cases import Case, barrier_words
from ..fields import FIELDS, INDEX_FIGURES, KEY_FIGURES
from ..fields import field as registered
from ..i18n import N_, WORDS, word  # noqa: F401 (WORDS, word: re-exported)
from ..i18n import gettext as _
from . import sections as data
from .parameters import RunParameters, describe_parameters


class Fragment(Markup):
    """Safe HTML rendered from a template; displays itself in JupyterLab (``_repr_html_``)."""

    def _repr_html_(self) -> str:
        return str(self)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of the package templates (autoescape on, undefined is an error).

    Templates translate their fixed text with ``jinja2.ext.i18n`` (``{% trans %}``, ``_()``),
    looked up in the active language of :mod:`eip_analysis.i18n` when rendered (new-style
    gettext: placeholders by name, their values escaped).
    """
    env = Environment(loader=PackageLoader("eip_analysis.report", "templates"),
                      autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False,
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True,
                                  pgettext=i18n.pgettext)
    return env


def render(template: str, **context: Any) -> Fragment:
    """Render ``templates/<template>`` with ``context`` (every value escaped)."""
    return Fragment(environment().get_template(template).render(**context))


# -- tables as data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A run of a cell's content: ``text``, ``em``, ``strong``, ``link`` (``href``), ``br``, a
    ``span`` with a class, or ``foreign``: English case text in another language's report
    (``<span lang="en">``)."""

    text: str = ""
    kind: str = "text"
    href: str = ""
    cls: str = ""


@dataclass(frozen=True)
class Cell:
    text: Any = ""
    numeric: bool = False
    header: bool = False  #: a row header (``<th scope="row">``)
    attrs: Mapping[str, Any] = field(default_factory=dict)
    parts: Sequence[Part] | None = None

    @property
    def all_attrs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scope": "row"} if self.header else {}
        if self.numeric:
            out["class"] = "num"
        return {**out, **self.attrs}


@dataclass(frozen=True)
class Row:
    cells: Sequence[Cell]
    attrs: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""

    @property
    def all_attrs(self) -> dict[str, Any]:
        return {**self.attrs, **({"class": "has-note"} if self.note else {})}


@dataclass(frozen=True)
class Table:
    id: str | None
    rows: Sequence[Row]
    header: Sequence[Cell] | None = None
    caption: str | None = None
    classes: str | None = None
    wrap: bool = True  #: inside a ``div.table-wrap`` (scrolls sideways on a narrow screen)

    @property
    def width(self) -> int:
        return len(self.header) if self.header else max((len(r.cells) for r in self.rows),
                                                        default=1)


def _head(labels: Iterable[str], numeric: Iterable[int] = ()) -> list[Cell]:
    numeric = set(numeric)
    return [Cell(text, numeric=i in numeric, attrs={}) for i, text in enumerate(labels)]


def _header_cell(text: str) -> Cell:
    return Cell(text, header=True)


def table_html(table: Table) -> Fragment:
    """Any :class:`Table` through the one table macro."""
    return render("table.html.j2", table=table)


def _facts_table(rows: Iterable[tuple[str, Any]], *, table_id: str, classes: str | None,
                 attrs: Iterable[Mapping[str, Any]] | None = None, caption: str | None = None,
                 numeric_values: bool = False) -> Table:
    """A two-column table: a row header and a value (text, or a list of :class:`Part`)."""
    attrs = list(attrs) if attrs is not None else None

    def value_cell(value: Any, i: int) -> Cell:
        cell_attrs = attrs[i].get("cell", {}) if attrs else {}
        if isinstance(value, list):
            return Cell(parts=value, numeric=numeric_values, attrs=cell_attrs)
        return Cell(value, numeric=numeric_values, attrs=cell_attrs)

    return Table(id=table_id, classes=classes, wrap=False, caption=caption, rows=[
        Row([_header_cell(label), value_cell(value, i)],
            attrs=(attrs[i].get("row", {}) if attrs else {}))
        for i, (label, value) in enumerate(rows)])


# -- words of the case's fixed vocabularies, and its own texts --------------------------------

# The words of the case's fixed vocabularies and :func:`word` are in eip_analysis.i18n (the
# library's sentences use them too), imported above and re-exported from here.


def local_parts(text: str, translated: bool) -> list[Part]:
    """A case text as cell parts: itself, or (not in the report's language) the English text
    with ``lang="en"`` and a "(not translated)" badge."""
    if translated:
        return [Part(text)]
    return [Part(text, kind="foreign"), Part(" "),
            Part(_("(not translated)"), kind="span", cls="untranslated")]


def local_text(text: str, translated: bool) -> dict[str, Any]:
    """A case text for a template's ``local()`` macro."""
    return {"text": text, "translated": translated}


# -- the report's fragments -------------------------------------------------------------------


def title_block_html(appraisal: Appraisal, currency: str = "USD") -> Fragment:
    """Title block: opportunity, park, roles, exchange, survey status, data quality.

    Cases with ``data_quality: illustrative`` get a banner "Illustrative figures".
    """
    c, p = appraisal.case, appraisal.parameters
    lang = i18n.current_language()
    survey = c.latest_survey
    converted = _("{currency}, converted from the case's {case_currency} amounts at {rate} "
                  "VND/USD").format(currency=currency, case_currency=c.currency,
                                    rate=formatting.plain(p["exchange_rate_vnd_per_usd"]))
    prices = _("constant {year} prices, real discount rate {rate}").format(
        year=p["price_year"], rate=formatting.percent(p["discount_rate"]))
    quality = [Part(word(c.data_quality))]
    if c.data_note:
        quality += [Part(": "), *local_parts(*c.text_in("data_note", lang))]
    facts = [
        (_("Park"), c.park),
        (_("Kind of exchange"), word(c.kind)),
        (_("Supplier"), local_parts(*c.text_in("supplier_role", lang))),
        (_("Receiver"), local_parts(*c.text_in("receiver_role", lang))),
        (_("Status ({round} survey)").format(round=survey.round), word(survey.status)),
        (_("Data quality"), quality if c.data_note else word(c.data_quality)),
        (_("Reporting currency"), converted if c.currency != currency else currency),
        (_("Prices"), prices),
    ]
    return render("title_block.html.j2", case=c, title=local_text(*c.text_in("title", lang)),
                  exchange=local_text(*c.text_in("exchange", lang)),
                  facts=_facts_table(facts, table_id="case-facts", classes="facts"))


def portfolio_title_html(context) -> Fragment:
    """Title block of the portfolio report: parks, cases compared, shortlist, run settings.

    ``context``: a :class:`~eip_analysis.report.portfolio.PortfolioContext`. Where any case is
    illustrative, the banner "Illustrative figures" shows.
    """
    t = context.result.table
    parks = context.parameters.park or "Hoa Khanh and Tra Noc 1&2"
    p = context.appraisals[0].parameters
    facts = [
        ("Parks", parks),
        ("Opportunities compared", f"{len(t)}: {', '.join(sorted(t['case_id']))}"),
        ("Shortlisted", ", ".join(context.result.shortlist) or "none"),
        ("Left out (errors)", str(len(context.errors))),
        ("Money", (f"USD (VND amounts at {formatting.plain(p['exchange_rate_vnd_per_usd'])} "
                   f"VND/USD), constant {p['price_year']} prices, real discount rate "
                   f"{formatting.percent(p['discount_rate'])}; NPVs are the project's (both "
                   "parties), before financing and corporate income tax")),
        ("Monte Carlo", (f"P(NPV > 0): {context.parameters.mc_draws:,} draws per case; MAC "
                         f"whiskers: {context.parameters.mac_draws:,} draws; seed "
                         f"{context.parameters.mc_seed}")),
    ]
    illustrative = any(a.case.data_quality == "illustrative" for a in context.appraisals)
    return render("portfolio_title.html.j2", parks=parks, illustrative=illustrative,
                  title="Which industrial symbiosis solutions to take forward",
                  facts=_facts_table(facts, table_id="portfolio-facts", classes="facts"))


def key_figures_html(appraisal: Appraisal, currency: str = "USD") -> Fragment:
    """The key-figures table, ``id="key-figures"``; each row and value cell has ``data-key``
    (:func:`~eip_analysis.report.sections.key_figures` keys) and the value cell ``data-value``
    (the unformatted number)."""
    t = data.key_figures(appraisal, currency)
    rows = [Row([_header_cell(r.label),
                 Cell(r.text, numeric=True,
                      attrs={"data-key": r.key, "data-value": repr(float(r.value))})],
                attrs={"data-key": r.key}) for r in t.itertuples(index=False)]
    return table_html(Table(id="key-figures", classes="figures", wrap=False, rows=rows,
                            caption=_("Project view: both parties together, amounts in "
                                      "{currency}, constant prices").format(currency=currency)))


def warnings_list_html(warnings: Sequence[str], *, element_id: str | None = None,
                       empty: str | None = None) -> Fragment:
    """Warnings (one sentence each, escaped) as a "Read with care" list.

    With no warnings: ``empty`` as a muted line, or nothing when ``empty`` is ``None``.
    """
    return render("warnings.html.j2",
                  lists=[{"warnings": list(warnings), "id": element_id, "empty": empty}])


def warnings_html(appraisal: Appraisal) -> Fragment:
    """The appraisal's warnings in words, the IRR roots where there are several, or a line
    saying there are none."""
    roots = data.irr_roots_sentence(appraisal)
    return warnings_list_html([*appraisal.warnings, *([roots] if roots else [])],
                              element_id="warnings",
                              empty=_("No warnings: every metric above is defined and both "
                                      "parties gain at the assumed transfer prices."))


def checks_html(appraisal: Appraisal) -> Fragment:
    """The plausibility findings of ``eip-analysis check`` for this case, open ones first."""
    open_, accepted = data.check_findings(appraisal)
    return render("warnings.html.j2", lists=[
        {"warnings": open_, "id": "checks", "empty": _("No open plausibility warning.")},
        {"warnings": accepted, "id": "checks-accepted", "empty": None}])


def _source_parts(source: str, is_assumption: bool) -> list[Part]:
    """A source with the word *assumption* in italics."""
    if not is_assumption:
        return [Part(source)]
    prefix = "case override: " if source.lower().startswith("case override: ") else ""
    text = source[len(prefix):]
    word = len("assumption")
    return [Part(source[:len(prefix)]), Part(text[:word], kind="em"), Part(text[word:])]


def assumptions_html(appraisal: Appraisal) -> Fragment:
    """The assumptions table, sources with *assumption* in italics."""
    t = data.assumptions_table(appraisal)
    columns = ("input", "value", "unit", "range", "source")
    english = {"lang": "en"} if i18n.current_language() != "en" else {}
    rows = [Row([Cell(data.input_words(r.input)), Cell(word(r.value), numeric=True),
                 Cell(formatting.unit_words(r.unit)), Cell(r.range),
                 Cell(parts=_source_parts(r.source, r.is_assumption), attrs=english)],
                attrs={"data-path": r.path}) for r in t.itertuples(index=False)]
    return table_html(Table(id="assumptions", classes="assumptions", rows=rows,
                            header=_head([FIELDS[c].shown_label for c in columns],
                                         numeric=(1,))))


def cashflow_html(appraisal: Appraisal, currency: str = "USD") -> Fragment:
    """The yearly cash-flow table, amounts rounded to whole units (millions past 1e9)."""
    t = data.cashflow_table(appraisal, currency)
    cur = currency.lower()
    money = [c.removesuffix("_usd") + f"_{cur}" for c in data.CASHFLOW_MONEY]
    largest = t[money].abs().max().max()
    divisor, scale, digits = ((1e6, " " + _("million"), 1) if largest >= 1e9
                              else (1.0, "", 0))
    columns = ["year", "phase", *data.CASHFLOW_MONEY[:6], "discount_factor",
               *data.CASHFLOW_MONEY[6:]]
    header = _head([FIELDS[c].shown_label for c in columns], numeric=range(2, len(columns)))

    def amount(v: float) -> str:
        return "" if pd.isna(v) else formatting.number(v / divisor, digits=digits)

    rows = []
    for r in t.to_dict("records"):
        total = r["phase"] == "total"
        cells = [Cell(_("Total") if total else str(int(r["year"]))),
                 Cell("" if total else word(r["phase"]))]
        cells += [Cell(amount(r[c]), numeric=True) for c in money[:6]]
        cells.append(Cell("" if total else formatting.number(r["discount_factor"], digits=4),
                          numeric=True))
        cells += [Cell(amount(r[c]), numeric=True) for c in money[6:]]
        rows.append(Row(cells, attrs={"class": "total"} if total
                        else {"data-year": int(r["year"])}))
    return table_html(Table(
        id="cashflows", classes="cashflows", header=header, rows=rows,
        caption=_("Amounts in {currency}{scale} per year, constant prices; a cash flow falls "
                  "at the end of its year; the total of the discounted cash flow is the NPV.")
        .format(currency=currency, scale=scale)))


def emissions_html(appraisal: Appraisal) -> Fragment:
    """The emissions table with how each flow is counted."""
    t = data.emissions_table(appraisal)
    columns = ("flow", "party", "baseline_quantity", "project_quantity",
               "baseline_co2e_t_per_year", "project_co2e_t_per_year", "avoided_co2e_t_per_year",
               "method")

    def co2e(v: float, counted: bool) -> str:
        return formatting.quantity(v) if counted else _("not counted")

    rows = []
    for r in t.to_dict("records"):
        counted = bool(r["counted"])
        tonnes = [Cell(co2e(r[c], counted or r["flow"] == "total"), numeric=True)
                  for c in columns[4:7]]
        if r["flow"] == "total":
            rows.append(Row([Cell(_("Total (counted flows)")), Cell(""), Cell("", numeric=True),
                             Cell("", numeric=True), *tonnes, Cell("")],
                            attrs={"class": "total", "data-flow": "total"}))
            continue
        unit = r["unit"]
        rows.append(Row([
            Cell(formatting.flow_label(r["flow"])), Cell(word(r["party"])),
            Cell(formatting.quantity(r["baseline_quantity"], unit), numeric=True),
            Cell(formatting.quantity(r["project_quantity"], unit), numeric=True),
            *tonnes, Cell(r["method"])], attrs={"data-flow": r["flow"]}))
    return table_html(Table(
        id="emissions", classes="emissions", rows=rows,
        header=_head([registered(c).shown_header for c in columns], numeric=(2, 3, 4, 5, 6)),
        caption=_("Baseline: resource use today; with the exchange: resource use once it "
                  "runs. Avoided = baseline minus with the exchange; negative means more "
                  "emissions.")))


def barriers_html(case: Case) -> Fragment:
    """Survey rounds (status, barriers, notes, source) and the next steps of the case."""
    lang = i18n.current_language()
    rounds = [{"round": s.round, "status": word(s.status),
               "barriers": (", ".join(word(barrier_words(b)) for b in s.barriers)
                            if s.barriers else _("none recorded")),
               "notes": local_text(*case.survey_notes_in(s.round, lang)), "source": s.source,
               "foreign_source": lang != "en"}
              for s in sorted(case.survey, key=lambda s: s.round)]
    return render("barriers.html.j2", rounds=rounds,
                  next_steps=[local_text(*step) for step in case.next_steps_in(lang)])


def provenance_html(appraisal: Appraisal, run: RunParameters,
                    *, run_date: datetime | None = None) -> Fragment:
    """The provenance footer, one ``data-key`` per row."""
    rows = data.provenance(appraisal, run, run_date=run_date)
    table = _facts_table([(label, text) for _, label, text in rows], table_id="provenance",
                         classes=None, attrs=[{"row": {"data-key": k}} for k, _, _ in rows])
    return render("provenance.html.j2", table=table)


def figure_html(fig, *, alt: str | None = None, name: str | None = None,
                dpi: int = 150) -> Fragment:
    """A matplotlib figure embedded as a PNG data URI (no file, no request to any host).

    ``alt``: its text alternative, or ``name``: that of a chart of :data:`FIGURE_ALTS`, in the
    report's language. ``dpi`` [dots per inch]: 150 prints sharply and keeps a chart near
    60 kB.
    """
    if alt is None:
        alt = _(FIGURE_ALTS[name]) if name in FIGURE_ALTS else ""
    return render("figure.html.j2", figure=_png(fig, alt=alt, dpi=dpi))


def _png(fig, *, alt: str, dpi: int = 150) -> dict[str, str]:
    """A figure as base64 PNG data (no software stamp, so the same figure gives the same bytes)
    and its text alternative."""
    import matplotlib as mpl

    from ..plots import PLAIN_TEXT

    buffer = io.BytesIO()
    with mpl.rc_context(PLAIN_TEXT):  # case text drawn as written, never as mathtext
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return {"data": base64.b64encode(buffer.getvalue()).decode("ascii"), "alt": alt}


# -- section tables through the field registry -------------------------------------------------

#: Captions of the section tables, by table name.
SECTION_TABLE_CAPTIONS = {
    "summary": N_("Summary"),
    "terms": N_("Financing terms and their sources"),
    "loan": N_("Loan schedule by year (CFADS: cash flow available for debt service; DSCR: debt "
            "service coverage ratio, CFADS divided by debt service)"),
    "tax": N_("Corporate income tax (CIT) by year"),
    "parties": N_("Each party's own cash flow, transfers between them included"),
    "transfer_price": N_("Transfer prices at which each party breaks even"),
    "scenarios": N_("Scenarios"),
    "scenario_inputs": N_("Inputs of each scenario"),
    "tornado": N_("One input at a time, over its assessed range; the switching value is the value "
               "of the input at which the NPV turns zero"),
    "inputs": N_("Uncertain inputs and the distributions they are drawn from"),
    "esmp": N_("Risk register: rating = likelihood x severity (1-25; low 1-4, medium 5-9, high "
            "10-16, very high 20-25), before and after mitigation"),
    # the portfolio report
    "status_by_park": N_("Cases by park and status at their latest survey round"),
    "barrier_frequency": N_("Barriers at the latest round: how many cases and how much NPV each "
                         "holds back"),
    "progress": N_("What changed between survey rounds"),
    "survey_rounds": N_("Every survey round"),
    "criteria": N_("Criteria of the score, their weights and how each becomes a value from 0 to 1"),
    "ranking": N_("Ranking and shortlist, with the reason for each exclusion"),
    "shortlist_parties": N_("The shortlisted cases: project NPV, each party's NPV at the assumed "
                         "transfer price, paybacks"),
    "criterion_values": N_("The value (0 worst, 1 best) of each case on each criterion"),
    "thresholds": N_("Thresholds of the shortlist"),
    "stability": N_("Shortlist under varied weights"),
    "mac": N_("Marginal abatement cost of each case (whiskers: Monte Carlo P10 to P90)"),
    "esmp_heat_map": N_("Highest residual rating by case and ESMP area, and the lender's category"),
    "workplan": N_("Steps to the bank's decision (dates are earliest starts and finishes)"),
    "park_totals": N_("Totals by park, all cases and the shortlist; of cases that exclude each "
                   "other only the better-ranked is counted"),
    "eip_indicators": N_("Eco-industrial park criteria the shortlist's totals inform (not a test "
                      "that a park meets them)"),
    "provenance": N_("What this report was computed from"),
}
#: Text alternatives of the section charts, by figure name.
FIGURE_ALTS = {
    "cash_flow": N_("Cumulative cash flow and cumulative discounted cash flow by year, with "
                    "payback points"),
    "emissions": N_("Emissions by resource flow, baseline and with the exchange, in tCO2e per "
                    "year"),
    "dscr": N_("DSCR by year against the lender's minimum"),
    "transfer_price": N_("Each party's NPV against the transfer price"),
    "tornado": N_("Tornado: the NPV at the low and high end of each input"),
    "npv_distribution": N_("Distribution of the NPV over the Monte Carlo draws"),
    "stability": N_("Share of the weight variations in which each case is shortlisted"),
    "mac_curve": N_("Marginal abatement cost curve, bar width tCO2e avoided per year"),
    "npv_vs_abatement": N_("NPV against tCO2e avoided per year, one point per case"),
    "esmp_heat_map": N_("Highest residual rating by case and ESMP area"),
    "gantt": N_("Gantt chart of the work-plan with the critical path and go/no-go gates"),
}
#: Machine columns not shown (addresses and checks; the label column says what a row is).
_HIDDEN_COLUMNS = frozenset({"path", "metric_at_switching"})
_RATE_UNITS = frozenset({"1/yr", "fraction"})
_YEAR_UNITS = frozenset({"yr", "years"})
#: Units as a section table shows them next to a value already formatted.
_UNIT_WORDS = {"fraction": "", "1/yr": N_("per year"), "yr": N_("years"), "-": ""}


def _in_unit(value: float, unit: str) -> str:
    """A value in its row's unit, by the rules of the key figures: rates as percentages with
    one decimal, durations with one decimal (whole years as they are; inf reads "never")."""
    if unit in _RATE_UNITS:
        return formatting.percent(value)
    if unit in _YEAR_UNITS:
        whole = np.isfinite(value) and float(value).is_integer()
        return formatting.number(value, digits=0 if whole else 1, inf=N_("never"))
    if unit in ("-", "ratio"):
        return formatting.number(value, digits=2)
    if abs(value) >= 100:
        return formatting.number(value)
    return formatting.plain(round(value, 4))


def _cell_text(value: Any, kind: str, unit: str = "") -> str:
    """One value of a section table as a reader at a bank writes it (by its field's kind)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        if kind == "unit_name":
            shown = _UNIT_WORDS.get(value, value)
            return (_(shown) if value in _UNIT_WORDS else formatting.unit_words(shown)) \
                if shown else shown
        plain_id = value.replace("_", "").isalnum() and value.islower() and "_" in value
        return word(value.replace("_", " ") if plain_id else value)
    if kind == "bool" or isinstance(value, bool | np.bool_):
        return _("yes") if value else _("no")
    if kind == "money":
        return formatting.number(value)
    if kind == "rate":
        return formatting.percent(value)
    if kind == "duration":
        return formatting.number(value, digits=1, inf=N_("never"))
    if kind == "ratio":
        return formatting.number(value, digits=2)
    if kind == "year":
        return str(int(value))
    if kind == "row_unit":
        return _in_unit(float(value), unit)
    if isinstance(value, int | np.integer):  # counts and 1-5 scores: whole numbers as they are
        return formatting.number(value)
    return formatting.number(value, digits=formatting.sensible_digits(value))


def frame_table(table: pd.DataFrame, *, table_id: str, caption: str | None = None) -> Table:
    """A table of computed results (DataFrame) for people, columns from the field registry.

    Headers are the registered labels with their units (``npv_usd`` -> ``NPV [USD]``); values
    by the field's kind: money with thousands separators, rates as percentages, DSCRs with two
    decimals, ``row_unit`` columns (``value``, ``base``, ``p50``...) in their row's ``unit``;
    machine columns (``path``) left out, and ``value``/``unit`` too when an ``in words``
    column says the same. In a wide table (more than 8 columns) a ``note`` column goes in a
    full-width row under its row. A column without a registered field is an error (a
    :class:`KeyError` naming it): units are never guessed from a name.
    """
    hidden = set(_HIDDEN_COLUMNS)
    if "in words" in table.columns:
        hidden |= {"value", "unit"}
    if "label" in table.columns:
        hidden.add("metric")
    columns = [c for c in table.columns if c not in hidden]
    notes = None
    if "note" in columns and len(columns) > 8:
        columns.remove("note")
        notes = ["" if pd.isna(v) else str(v) for v in table["note"]]
    fields = {c: registered(str(c)) for c in columns}
    units = table["unit"] if "unit" in table.columns else pd.Series("", index=table.index)
    numeric = [j for j, c in enumerate(columns) if fields[c].kind not in ("text", "bool")
               and pd.api.types.is_numeric_dtype(table[c].dtype)]
    foreign = i18n.current_language() != "en"
    english = {"lang": "en"}  # the sources: citations and engineering notes, in English

    def text(value: Any, column: str, unit: str) -> str:
        shown = _cell_text(value, fields[column].kind, unit)
        return data.input_words(shown) if foreign and column in ("label", "input") else shown

    rows = []
    for n, i in enumerate(table.index):
        unit = "" if pd.isna(units[i]) else str(units[i])
        cells = [Cell(text(table.at[i, c], c, unit), numeric=j in numeric,
                      attrs=english if foreign and c == "source" else {})
                 for j, c in enumerate(columns)]
        rows.append(Row(cells, note=notes[n] if notes else ""))
    return Table(id=table_id, rows=rows, caption=caption,
                 header=_head([fields[c].shown_header for c in columns], numeric=numeric),
                 classes="analysis wide" if len(columns) > 8 else "analysis")


def frame_html(table: pd.DataFrame, *, table_id: str, caption: str | None = None) -> Fragment:
    """:func:`frame_table` rendered."""
    return table_html(frame_table(table, table_id=table_id, caption=caption))


def section_html(section: data.Section, *, section_id: str) -> Fragment:
    """One analysis section: paragraphs, then tables, then figures, then its warnings.

    A table named ``warnings`` is shown as the warnings list; element ids start with
    ``section_id``.
    """
    tables = [frame_table(t, table_id=f"{section_id}-{name}".replace("_", "-"),
                          caption=section.captions.get(name) or (
                              _(SECTION_TABLE_CAPTIONS[name])
                              if name in SECTION_TABLE_CAPTIONS else None))
              for name, t in section.tables.items()
              if name != "warnings" and t is not None and not t.empty]
    figures = [_png(fig, alt=f"{section.title}: "
                    f"{section.alts.get(name) or _(FIGURE_ALTS[name])}")
               for name, fig in section.figures.items()]
    return render("section.html.j2", id=section_id, text=list(section.text), tables=tables,
                  figures=figures, warnings=list(section.warnings))


# -- pages ----------------------------------------------------------------------------------------


def css_string(text: str) -> Markup:
    r"""``text`` as a quoted CSS string, safe inside a ``<style>`` element: quotes, backslashes,
    angle brackets and control characters are written as CSS escapes.

    >>> print(css_string('a "b" </style>'))
    "a \22 b\22  \3c /style\3e "
    """
    out = []
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')  # escaped above


def page_html(title: str, body: Markup | str, *, run_key: str = "", build_key: str = "",
              print_header: str = "", print_banner: str = "", language: str | None = None) -> str:
    """A complete self-contained page (styles inline, nothing fetched) around ``body``.

    ``body`` is HTML already rendered (a :class:`Fragment`, nbconvert's cells); a plain
    ``str`` is escaped. ``run_key`` (:func:`eip_analysis.report.run_key`) goes into a
    ``<meta name="eip-run-key">``, so the index can check that a report is the one its status
    describes; ``build_key`` (:mod:`eip_analysis.freshness`) into a
    ``<meta name="eip-build-key">``. Printed (PDF, :mod:`eip_analysis.report.pdf`), every A4
    page carries ``print_header`` (default: the title) top left, ``print_banner`` (the
    illustrative warning) top right and "Page n of N" bottom right. ``language`` (default the
    active one) is the page's ``lang`` and the language of its fixed words.
    """
    language = language or i18n.current_language()
    with i18n.use_language(language):
        page_of = _("Page {page} of {pages}").split("{page}")
        before, between = page_of[0], page_of[1].split("{pages}")[0] if len(page_of) > 1 else ""
        after = page_of[1].split("{pages}")[1] if "{pages}" in page_of[-1] else ""
        return str(render("page.html.j2", title=title, body=body, version=__version__,
                          run_key=run_key, build_key=build_key, language=language,
                          page_before=css_string(before), page_between=css_string(between),
                          page_after=css_string(after),
                          print_header=css_string(print_header or title),
                          print_banner=css_string(print_banner))) + "\n"


#: Where the other documents of a case are, relative to the folder of the English reports:
#: the Vietnamese reports and the investment proposals.
LANGUAGE_FOLDERS = {"en": "", "vi": "vi"}
PROPOSALS_FOLDER = "proposals"


def _doc_links(page: Path, index_dir: Path, label: str) -> list[Part]:
    """``<br>(label, PDF)``: a link to a document of the case, and to its PDF when that is
    current; nothing when the page is not there."""
    import os

    from .pdf import current_pdf

    if not page.is_file():
        return []
    href = Path(os.path.relpath(page, index_dir)).as_posix()
    parts = [Part(kind="br"), Part("("), Part(label, kind="link", href=href)]
    if current_pdf(page) is not None:
        parts += [Part(", "), Part("PDF", kind="link",
                                   href=Path(href).with_suffix(".pdf").as_posix())]
    return [*parts, Part(")")]


def index_html(statuses: Sequence[Any], output_dir: str | Path,
               *, generated: datetime | None = None, cases_dir: str | None = None,
               language: str = "en", reports_root: str | Path | None = None,
               other_reports: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """The index page: one row per case with headline figures, status and link; then failures.

    Links the portfolio report when ``<output_dir>/portfolio.html`` is there.

    Parameters
    ----------
    statuses : sequence of :class:`eip_analysis.batch.CaseStatus`
    output_dir : path
        Folder of the index; report links are relative to it, and a failed case links to its
        last good report when one is there.
    generated : datetime, optional
        Date shown on the page (default now, UTC).
    cases_dir : str, optional
        Folder of the case files, named in the summary line.
    language : str
        Language of the page (``"vi"``: the index of ``reports/vi/``).
    reports_root : path, optional
        The folder of the English reports (default ``output_dir``), under which ``vi/`` holds
        the Vietnamese reports and ``proposals/`` the investment proposals.
    other_reports : mapping, optional
        Language -> {case id: ok status} of the reports in the other languages: each case's
        row links its report in that language (and its PDF) when its status is ok.
    """
    with i18n.use_language(language):
        return _index_html(statuses, Path(output_dir), generated=generated,
                           cases_dir=cases_dir, language=language,
                           root=Path(reports_root) if reports_root is not None
                           else Path(output_dir), other_reports=other_reports or {})


#: The name of each language in the index's links.
LANGUAGE_NAMES = {"en": N_("English"), "vi": N_("Vietnamese")}


def _index_html(statuses, output_dir: Path, *, generated, cases_dir, language, root,
                other_reports) -> str:
    generated = generated or datetime.now(UTC)
    described = {describe_parameters(s.parameters) for s in statuses}
    per_row = len(described) > 1  # a column only when the runs differ
    from .pdf import current_pdf

    figure_fields = [FIELDS[KEY_FIGURES[k]] for k in INDEX_FIGURES]
    labels = [FIELDS[n].shown_label for n in ("case_id", "title", "park", "data_quality")]
    labels += [f.shown_label for f in figure_fields] + [FIELDS["status"].shown_label,
                                                        FIELDS["seconds"].shown_header]
    labels += [FIELDS["run_parameters"].shown_label] if per_row else []
    numeric = set(range(4, 4 + len(INDEX_FIGURES))) | {4 + len(INDEX_FIGURES) + 1}
    rows = []
    for s in statuses:
        report = output_dir / f"{s.case_id}.html"
        if s.ok:
            link = [Part(s.case_id, kind="link", href=report.name)]
            if current_pdf(report) is not None:
                link += [Part(kind="br"), Part("("), Part("PDF", kind="link",
                                                          href=report.with_suffix(".pdf").name),
                         Part(")")]
            if s.workbook:
                link += [Part(kind="br"), Part("("), Part(
                    _("workbook"), kind="link", href=f"workbooks/{Path(s.workbook).name}"),
                         Part(")")]
            status = Part(_("ok"), kind="span", cls="status-ok")
        else:
            link = [Part(s.case_id)]
            if report.exists():
                link += [Part(kind="br"), Part("("),
                         Part(_("last good report"), kind="link", href=report.name), Part(")")]
            status = Part(_("failed"), kind="span", cls="status-failed")
        for other, by_case in other_reports.items():
            if by_case.get(s.case_id) is not None and by_case[s.case_id].ok:
                folder = root / LANGUAGE_FOLDERS[other] if LANGUAGE_FOLDERS[other] else root
                link += _doc_links(folder / f"{s.case_id}.html", output_dir,
                                   _(LANGUAGE_NAMES[other]))
        link += _doc_links(root / PROPOSALS_FOLDER / f"{s.case_id}.html", output_dir,
                           _("proposal"))
        texts = [s.title, s.park, word(s.data_quality),
                 *[s.figures.get(k, "") if s.ok else "" for k in INDEX_FIGURES]]
        cells = [Cell(parts=link), *[Cell(t, numeric=j + 1 in numeric)
                                     for j, t in enumerate(texts)],
                 Cell(parts=[status]), Cell(f"{s.seconds:.1f}" if language == "en" else
                                            formatting.number(s.seconds, digits=1),
                                            numeric=True)]
        if per_row:
            cells.append(Cell(describe_parameters(s.parameters)))
        rows.append(Row(cells, attrs={"data-case": s.case_id,
                                      "data-status": "ok" if s.ok else "failed"}))
    failed = [s for s in statuses if not s.ok]
    portfolio = root / "portfolio.html"
    import os

    body = render("index.html.j2", n_ok=len(statuses) - len(failed), failed=failed,
                  generated=i18n.format_run_date(generated), version=__version__,
                  shared_parameters=described.pop() if len(described) == 1 else "",
                  cases_dir=cases_dir or "",
                  portfolio=(Path(os.path.relpath(portfolio, output_dir)).as_posix()
                             if portfolio.is_file() else ""),
                  portfolio_pdf=(Path(os.path.relpath(portfolio.with_suffix(".pdf"),
                                                      output_dir)).as_posix()
                                 if current_pdf(portfolio) else ""),
                  table=Table(id="reports", classes="index", rows=rows,
                              header=_head(labels, numeric=numeric)))
    return page_html(_("Investment-case reports"), body, language=language)


# -- the glossary ----------------------------------------------------------------------------

#: The glossary's terms: ``eip_analysis/locale/glossary.yaml``.
GLOSSARY_FILE = i18n.LOCALE_DIR / "glossary.yaml"


@lru_cache(maxsize=1)
def glossary_terms() -> tuple[dict[str, Any], ...]:
    """The terms of :data:`GLOSSARY_FILE`: ``en``, ``abbreviation`` and, per language other
    than English, ``{"term": ..., "note": ...}``."""
    import yaml

    return tuple(yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))["terms"])


def glossary_html(language: str | None = None) -> Fragment:
    """The glossary section of a report not in English: each financial and environmental
    term in the report's language, with the English term and its abbreviation beside it and
    a one-sentence explanation; ``id="glossary"``. English: an empty fragment (the English
    report has none)."""
    language = language or i18n.current_language()
    if language == "en":
        return Fragment("")
    with i18n.use_language(language):
        rows = [Row([Cell(t[language]["term"], header=True),
                     Cell(parts=[Part(t["abbreviation"], kind="strong"), Part(" · ")
                                 if t["abbreviation"] else Part(""),
                                 Part(t["en"], kind="foreign")]),
                     Cell(t[language]["note"])], attrs={"data-term": t["en"]})
                for t in glossary_terms()]
        table = Table(id="glossary-terms", classes="analysis glossary", rows=rows,
                      header=_head([_("Term"), _("Abbreviation · English"), _("Meaning")]),
                      caption=_("Financial and environmental terms of this report"))
        return render("glossary.html.j2", table=table)
