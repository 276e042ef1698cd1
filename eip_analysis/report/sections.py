"""What a report shows, as data: key figures, tables, sentences and the analysis sections.

Every builder here returns frames, numbers and sentences, never HTML; the page is rendered from
templates by :mod:`eip_analysis.report.render`. Money arrives in USD from the analyses;
:func:`convert_usd` and :func:`cashflows_in` convert it to the reporting currency (USD or VND)
at the run's ``exchange_rate_vnd_per_usd``. Labels and units come from the field registry
(:mod:`eip_analysis.fields`).
"""

from __future__ import annotations

import functools
import math
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__, finance, formatting, i18n, paths
from ..appraisal import Appraisal
from ..errors import InputError
from ..fields import FIELDS, KEY_FIGURES, OPTIONAL_KEY_FIGURES
from ..financing import FinancingAppraisal, appraise_financing
from ..i18n import N_
from ..i18n import gettext as _
from ..parties import parties_warnings, party_view, transfer_price_range
from ..risk import input_words  # re-exported: the report layer translates input labels with it
from .parameters import REPORTING_CURRENCIES, RunParameters, describe_parameters, run_key

# -- numbers in the reporting currency ------------------------------------------------------------


def convert_usd(amount_usd: Any, currency: str, exchange_rate_vnd_per_usd: float) -> Any:
    """Convert USD amounts to the reporting currency.

    Parameters
    ----------
    amount_usd : float, array or pandas.Series
        Amounts [USD] (or [USD/yr], [USD/tCO2e]: the rate applies to the money part).
    currency : str
        ``"USD"`` (returned unchanged) or ``"VND"``.
    exchange_rate_vnd_per_usd : float
        [VND/USD], the run's ``exchange_rate_vnd_per_usd`` parameter.

    Examples
    --------
    >>> convert_usd(100.0, "VND", 23159.78)
    2315978.0
    """
    if currency == "USD":
        return amount_usd
    if currency == "VND":
        return amount_usd * exchange_rate_vnd_per_usd
    raise InputError(" or ".join(REPORTING_CURRENCIES), field="currency", got=currency)


def _rate(appraisal: Appraisal) -> float:
    return float(appraisal.parameters["exchange_rate_vnd_per_usd"])


def cashflows_in(appraisal: Appraisal, currency: str = "USD") -> pd.DataFrame:
    """``Appraisal.cashflows`` in the reporting currency.

    Returns
    -------
    pandas.DataFrame
        One row per year; every money column (:data:`eip_analysis.fields.FIELDS` kind
        ``money``) converted and renamed ``*_<currency>`` in lower case (``net_cash_flow_vnd``
        [VND]); other columns unchanged.
    """
    table = appraisal.cashflows.copy()
    renames = {}
    for column in table.columns:
        f = FIELDS.get(column)
        if f is not None and f.kind == "money" and f.unit == "USD":
            table[column] = convert_usd(table[column], currency, _rate(appraisal))
            renames[column] = column.removesuffix("_usd") + f"_{currency.lower()}"
    return table.rename(columns=renames)


def format_figure(value: float, unit: str, currency: str = "USD") -> str:
    """A key figure as a reader at a bank writes it, chosen by its unit.

    Parameters
    ----------
    value : float
        The figure; nan and inf read as words ("not defined", "never").
    unit : str
        ``"<currency>"``, ``"<currency>/yr"``, ``"<currency>/tCO2e"``, ``"1/yr"`` (a rate),
        ``"yr"`` (a duration) or a physical unit (``"tCO2e/yr"``, ``"t/yr"``, ``"m3/yr"``).
    currency : str
        Reporting currency (VND amounts are shown without decimals).

    Returns
    -------
    str
        ``"USD 66,706"``, ``"USD 30,910 per year"``, ``"-USD 0.60 per tCO2e"``, ``"16.5%"``,
        ``"5.4 years"``, ``"1,205 tCO2e/yr"``.
    """
    if unit == currency:
        return formatting.money(value, currency)
    if unit == f"{currency}/yr":
        return formatting.money(value, currency) + " " + _("per year")
    if unit == f"{currency}/tCO2e":
        digits = 0 if currency == "VND" else formatting.sensible_digits(value)
        text = formatting.money(value, currency, digits=digits)
        return text + (" " + _("per tCO2e") if np.isfinite(value) else "")
    if unit == "1/yr":
        return formatting.percent(value)
    if unit == "yr":
        return formatting.years(value)
    return formatting.quantity(value, unit)


def _run_words(appraisal: Appraisal) -> dict[str, str]:
    """Run values the key-figure descriptions name in braces (see :mod:`eip_analysis.fields`)."""
    p, c = appraisal.parameters, appraisal.case
    language = i18n.current_language()
    return {"discount_rate": formatting.percent(p["discount_rate"]),
            "mirr_finance_rate": formatting.percent(p["mirr_finance_rate"]),
            "mirr_reinvest_rate": formatting.percent(p["mirr_reinvest_rate"]),
            "lifetime": str(c.lifetime),
            "supplier_role": c.text_in("supplier_role", language)[0],
            "receiver_role": c.text_in("receiver_role", language)[0]}


def key_figures(appraisal: Appraisal, currency: str = "USD") -> pd.DataFrame:
    """The headline figures of a report, in the order a bank reads them.

    Parameters
    ----------
    appraisal : Appraisal
    currency : str
        Reporting currency for money figures, ``"USD"`` or ``"VND"``.

    Returns
    -------
    pandas.DataFrame
        One row per figure of :data:`eip_analysis.fields.KEY_FIGURES`: ``key`` (stable id, also
        the HTML ``data-key``), ``label`` (the field's description with the run's values),
        ``value`` (in ``unit``; money in ``currency``), ``unit`` and ``text``
        (:func:`format_figure`). Waste diverted and water saved only where not zero.
    """
    words = _run_words(appraisal)
    rows = []
    for key, name in KEY_FIGURES.items():
        f = FIELDS[name]
        value = float(getattr(appraisal.metrics, name))
        if key in OPTIONAL_KEY_FIGURES and not value:
            continue
        unit = f.unit
        if f.kind == "money":
            value = float(convert_usd(value, currency, _rate(appraisal)))
            unit = unit.replace("USD", currency, 1)
        rows.append((key, f.shown_description.format(**words), value, unit))
    table = pd.DataFrame(rows, columns=["key", "label", "value", "unit"])
    table["text"] = [format_figure(v, u, currency) for v, u in zip(table["value"], table["unit"])]
    return table


def key_figures_side_by_side(appraisals: dict[str, Appraisal],
                             currency: str = "USD") -> pd.DataFrame:
    """Formatted key figures of several appraisals of a case, one column per appraisal.

    Returns
    -------
    pandas.DataFrame
        Indexed by key figure (:func:`key_figures` keys, in their order), a ``label`` column
        (of the first appraisal) and one text column per appraisal; a figure an appraisal does
        not have (an indicator that is zero there) reads ``""``.
    """
    tables = {name: key_figures(a, currency).set_index("key") for name, a in appraisals.items()}
    keys = list(dict.fromkeys(k for t in tables.values() for k in t.index))
    first = next(iter(tables.values()))
    out = pd.DataFrame({"label": [first["label"].get(k, k) for k in keys]}, index=keys)
    for name, t in tables.items():
        out[name] = [t["text"].get(k, "") for k in keys]
    return out


def irr_roots(appraisal: Appraisal) -> list[float]:
    """Every real IRR of the project cash flow (r > -1), sorted [1/yr].

    One root is the usual case; with more than one sign change there may be several, and a
    spreadsheet's ``IRR`` returns the one nearest its guess, so the report lists them all.
    """
    net = appraisal.cashflows["net_cash_flow_usd"].to_numpy(dtype=float)
    return [float(r) for r in finance.irr_roots(net)]


def irr_roots_sentence(appraisal: Appraisal) -> str:
    """A sentence on the project's IRRs where there is more than one, or ``""``."""
    roots = irr_roots(appraisal)
    if len(roots) < 2:
        return ""
    listed = ", ".join(formatting.percent(r) for r in roots)
    shown = formatting.percent(appraisal.metrics.irr)
    return _("The project cash flow changes sign {changes} times and has {n} internal rates "
             "of return: {listed}. The key figures show {shown} (the one nearest 10%); a "
             "spreadsheet's IRR may return another, depending on its guess. Read the NPV."
             ).format(changes=appraisal.metrics.sign_changes, n=len(roots), listed=listed,
                      shown=shown)


# -- tables ---------------------------------------------------------------------------------------


def _input_value(x: Any, unit: str, path: str) -> str:
    """An input as entered: rates as percentages, calendar years without separators."""
    if unit in ("1/yr", "fraction"):
        return formatting.plain(x * 100.0, max_decimals=4) + "%"
    calendar_year = path.startswith("parameters.") and path.endswith("_year")
    return formatting.plain(x, thousands=not calendar_year)


def assumptions_table(appraisal: Appraisal) -> pd.DataFrame:
    """Every input of the report with its value, unit, range and source, formatted for people.

    Returns
    -------
    pandas.DataFrame
        ``Appraisal.assumptions()`` as text: columns ``path`` (the address for
        ``appraise(case, values={path: ...})``), ``input``, ``value``, ``unit``, ``range``
        (``"low to high"`` or empty), ``source`` and ``is_assumption`` (the source starts with
        the word *assumption*). Rates are shown as percentages, calendar years without
        thousands separators.
    """
    raw = appraisal.assumptions()
    rows = []
    for r in raw.itertuples(index=False):
        has_range = r.low is not None and not pd.isna(r.low)
        source = str(r.source)
        rows.append({
            "path": r.path, "input": r.input, "value": _input_value(r.value, r.unit, r.path),
            "unit": {"1/yr": _("per year"), "fraction": ""}.get(r.unit, r.unit),
            "range": _("{low} to {high}").format(low=_input_value(r.low, r.unit, r.path),
                                                 high=_input_value(r.high, r.unit, r.path))
            if has_range else "",
            "source": source,
            "is_assumption": source.lower().removeprefix("case override: ").startswith(
                "assumption"),
        })
    return pd.DataFrame(rows, columns=["path", "input", "value", "unit", "range", "source",
                                       "is_assumption"])


#: Money columns of the yearly cash-flow table, in order (fields of the registry).
CASHFLOW_MONEY = ("capex_usd", "opex_usd", "benefits_usd", "salvage_usd", "net_cash_flow_usd",
                  "cumulative_cash_flow_usd", "discounted_cash_flow_usd",
                  "cumulative_discounted_usd", "supplier_net_usd", "receiver_net_usd")
_FLOW_TOTALS = ("capex", "opex", "benefits", "salvage", "net_cash_flow", "discounted_cash_flow",
                "supplier_net", "receiver_net")


def cashflow_table(appraisal: Appraisal, currency: str = "USD") -> pd.DataFrame:
    """Yearly cash flows in the reporting currency, with a total row.

    Returns
    -------
    pandas.DataFrame
        :func:`cashflows_in` plus a last row with ``phase == "total"`` holding the sums of the
        yearly flows (its discounted cash flow is the NPV; cumulative columns and the discount
        factor are nan there).
    """
    table = cashflows_in(appraisal, currency)
    cur = currency.lower()
    total = {c: np.nan for c in table.columns}
    total.update({f"{c}_{cur}": table[f"{c}_{cur}"].sum() for c in _FLOW_TOTALS})
    total.update({"year": None, "phase": "total"})
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def emissions_table(appraisal: Appraisal) -> pd.DataFrame:
    """``Appraisal.emissions`` with a total row over the flows converted to tCO2e.

    Returns
    -------
    pandas.DataFrame
        One row per resource flow (columns of ``Appraisal.emissions``, tCO2e/yr) and a last row
        with ``flow == "total"``: the sums of baseline, project and avoided [tCO2e/yr] over the
        counted flows; its avoided value equals ``Metrics.co2e_avoided_t_per_year``.
    """
    em = appraisal.emissions
    counted = em[em["counted"].astype(bool)]
    total = {c: np.nan for c in em.columns}
    total.update({
        "flow": "total", "party": "", "description": "Total of the flows counted in tCO2e",
        "unit": "", "counted": True, "method": "",
        **{c: float(counted[c].sum()) for c in ("baseline_co2e_t_per_year",
                                                "project_co2e_t_per_year",
                                                "avoided_co2e_t_per_year")},
    })
    return pd.concat([em, pd.DataFrame([total])], ignore_index=True)


def git_commit(repo: str | Path | None = None) -> str | None:
    """The git commit of the code, with a note when files differ from it; ``None`` outside git."""
    repo = Path(repo) if repo is not None else paths.REPO_ROOT
    if not (repo / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head} (with uncommitted changes)" if dirty else head


def provenance(appraisal: Appraisal, run: RunParameters,
               *, run_date: datetime | None = None) -> list[tuple[str, str, str]]:
    """What a reader needs to reproduce the report: ``(key, label, text)`` rows.

    Package version, git commit (or "not available"), case file and its SHA-256, run
    parameters, parameter values used with their units, run date, Python of the kernel.
    """
    case = appraisal.case
    run_date = run_date or datetime.now(UTC)
    source = Path(case.source_file or "")
    try:
        shown_file = str(source.resolve().relative_to(paths.REPO_ROOT))
    except ValueError:
        shown_file = str(source)
    used = "; ".join(
        f"{p['parameter']} = {formatting.plain(p['value'], thousands=False)}"
        + (f" [{p['unit']}]" if p["unit"] else "")
        for p in appraisal.parameters.table()
    )
    described = describe_parameters(run.given,
                                    empty=_("none: values of the parameters file and the case"))
    return [
        ("package", _("Package"), f"eip-analysis {__version__}"),
        ("git_commit", _("Git commit"),
         git_commit() or _("not available (not a git checkout)")),
        ("case_file", _("Case file"), shown_file),
        ("case_sha256", _("SHA-256 of the case file"), case.sha256 or _("not available")),
        ("run_parameters", _("Run parameters (overrides)"), described),
        ("parameters_used", _("Parameter values used"), used),
        ("run_date", _("Run date"), i18n.format_run_date(run_date)),
        ("python", "Python", f"{sys.executable} ({sys.version.split()[0]})"),
    ]


def check_findings(appraisal: Appraisal) -> tuple[list[str], list[str]]:
    """The plausibility findings of ``eip-analysis check`` for this case: (open, accepted).

    The case's own checks and, from the other valid cases of its folder, the shared resources
    and exclusions it is part of (the case itself is not parsed again); accepted findings carry
    the case file's reason.
    """
    from .. import checks

    case = appraisal.case
    findings = checks.check_case(appraisal)
    folder = Path(case.source_file).parent if case.source_file else None
    if folder is not None and folder.is_dir():
        findings += [f for f in _across_cases(folder) if f.case_id == case.id]
    open_ = [f"{f.field}: {f.message} [{f.check}]" for f in findings if not f.accepted]
    accepted = [f"{f.field}: {f.message} [{f.check}; " + _("accepted by the case file: {why}")
                .format(why=f.accepted) + "]" for f in findings if f.accepted]
    return open_, accepted


def _across_cases(folder: Path) -> tuple:
    """The findings across the valid cases of ``folder`` (:func:`checks.check_portfolio`),
    computed once per state of the folder: a kernel reused for many reports (the batch)
    parses the folder's cases once, not once per report, and again only when a case file or
    the shared-resources file changes (name, size or modification time). The findings are
    sentences in the active language, which is part of the key."""
    from .. import checks

    files = [*sorted(folder.glob("*.yaml")), paths.raw_dir() / checks.SHARED_RESOURCES_FILE]
    signature = tuple((str(p), st.st_size, st.st_mtime_ns) for p in files
                      if (st := _stat(p)) is not None)
    return _across_cases_of(str(folder), signature, i18n.current_language())


def _stat(path: Path):
    try:
        return path.stat()
    except OSError:
        return None


@functools.lru_cache(maxsize=4)
def _across_cases_of(folder: str, signature: tuple, language: str) -> tuple:
    from .. import checks
    from ..cases import scan_cases

    cases = [c for _, c in scan_cases(folder) if not isinstance(c, InputError)]
    with i18n.use_language(language):
        return tuple(checks.check_portfolio(cases))


# -- the analysis sections ------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """What a report section shows: tables, figures, paragraphs and warnings, all computed.

    The page shows ``text`` (paragraphs), then ``tables`` (DataFrames, columns from the field
    registry), then ``figures`` (matplotlib Figures), then ``warnings`` (one sentence each). In
    JupyterLab a section displays itself (``_repr_html_``).
    """

    title: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    key: str = ""  #: id of the section on the page (``financing``, ``monte-carlo``...)
    #: Captions of tables and text alternatives of figures, by name, where the section writes
    #: its own (else those of :mod:`eip_analysis.report.render` for the name)
    captions: dict[str, str] = field(default_factory=dict)
    alts: dict[str, str] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        from .render import section_html

        return str(section_html(self, section_id=self.key or "section"))


#: :func:`esmp_section` reads the case's register itself unless given one.
_READ = object()


def esmp_section(appraisal: Appraisal, register: Any = _READ) -> Section:
    """Section "Environmental and social management plan": the register and the lender's
    category (:mod:`eip_analysis.esmp`), or a warning that the case has no register.

    ``register``: the case's register when the caller has read it already
    (:func:`eip_analysis.esmp.register_for`, ``None``: the case has none).

    Raises
    ------
    InputError
        A register that exists but does not validate (one line naming file and field).
    """
    from .. import esmp

    case = appraisal.case
    if register is _READ:
        register = esmp.register_for(case)
    if register is None:
        missing = _("No environmental and social risk register for {case}: write "
                    "data/raw/esmp/{case}.yaml before a lender can categorise the project."
                    ).format(case=case.id)
        return Section(title=_("Environmental and social management plan"), key="esmp",
                       text=[missing], warnings=[missing])
    rule = esmp.lender_category(register)[1]
    areas = sorted({r.area for r in register.risks}, key=list(esmp.AREAS).index)
    area_words = {k: _(v) for k, v in esmp.AREAS.items()}
    text = [
        _("Environmental and social risk category for a lender (Circular 17/2022/TT-NHNN): "
          "{rule}.").format(rule=rule),
        (_("Not listed in the appendices of Decree 08/2022/ND-CP")
         if register.decree_08_appendix == "not_listed"
         else _("Appendix {appendix} of Decree 08/2022/ND-CP").format(
             appendix=register.decree_08_appendix))
        + f"; {register.decree_08_source}.",
        _("{n} risks in {k} of the 3 areas ({areas}); data quality: {quality}.").format(
            n=len(register.risks), k=len(areas), areas=", ".join(area_words[a] for a in areas),
            quality=_(register.data_quality)),
    ]
    warnings = [_("{hazard}: residual rating {rating} ({level}) after mitigation.").format(
                    hazard=r.hazard, rating=r.residual_rating,
                    level=_(esmp.rating_words(r.residual_rating)))
                for r in register.risks if r.residual_rating >= esmp.CATEGORY_B_RESIDUAL]
    if len(areas) < len(esmp.AREAS):
        warnings.append(_("The register leaves out an area of the ESMP: {areas}.").format(
            areas=", ".join(area_words[a] for a in esmp.AREAS if a not in areas)))
    if register.data_quality == "illustrative":
        warnings.append(_("The ESMP register is illustrative: the beneficiaries' own "
                          "assessment replaces it before a credit decision."))
    return Section(title=_("Environmental and social management plan"), key="esmp",
                   tables={"esmp": esmp.risk_table(register)}, text=text, warnings=warnings)


def financing_summary(fa: FinancingAppraisal) -> pd.DataFrame:
    """Headline financing metrics as a table for a report: metric, value, unit, in words."""
    m, p = fa.metrics, fa.parameters
    nominal = fa.flows.terms.nominal_discount_rate.reshape(-1)[0]

    def ratio(x: float) -> str:
        return _("not applicable") if math.isnan(x) else formatting.number(x, digits=2)

    def row(name: str, unit: str, text: str, label: str | None = None) -> tuple:
        return (label or FIELDS[name].shown_description, getattr(m, name), unit, text)

    money = formatting.money
    nominal_usd = _("USD nominal")
    return pd.DataFrame([
        row("debt_usd", nominal_usd, money(m.debt_usd), _("Loan drawn")),
        row("equity_invested_usd", nominal_usd, money(m.equity_invested_usd),
            _("Own funds invested (incl. fees)")),
        row("project_npv_after_tax_usd", "USD", money(m.project_npv_after_tax_usd),
            FIELDS["project_npv_after_tax_usd"].shown_label),
        row("project_irr_after_tax", "1/yr", formatting.percent(m.project_irr_after_tax)),
        row("equity_npv_usd", "USD", money(m.equity_npv_usd),
            FIELDS["equity_npv_usd"].shown_label),
        row("equity_irr", "1/yr", formatting.percent(m.equity_irr)),
        row("equity_irr_nominal", "1/yr", formatting.percent(m.equity_irr_nominal)),
        row("equity_payback_years", "yr", formatting.years(m.equity_payback_years),
            FIELDS["equity_payback_years"].shown_label),
        row("min_dscr", "-", ratio(m.min_dscr)),
        row("average_dscr", "-", ratio(m.average_dscr)),
        row("debt_capacity_usd", nominal_usd, money(m.debt_capacity_usd) + " ("
            + _("{share} of eligible capex").format(
                share=formatting.percent(m.debt_capacity_share, digits=0)) + ")",
            _("Debt capacity at minimum DSCR {dscr}").format(
                dscr=formatting.number(fa.target_min_dscr, digits=2))),
        row("tax_pv_usd", "USD", money(m.tax_pv_usd)),
        (_("Discount rate (real / nominal)"), p["discount_rate"], "1/yr",
         f"{formatting.percent(p['discount_rate'])} / {formatting.percent(nominal, digits=2)}"),
    ], columns=["metric", "value", "unit", "in words"])


def financing_section(fa: FinancingAppraisal | Appraisal, *, figures: bool = True) -> Section:
    """Section "Financing and debt service": terms, metrics, loan and tax, DSCR chart."""
    if isinstance(fa, Appraisal):
        fa = appraise_financing(fa)
    t = fa.flows.terms
    infl = float(t.inflation_rate.reshape(-1)[0])
    borrower = (_("the project (both parties)") if t.borrower == "project"
                else _("the {party}").format(party=_(t.borrower)))
    text = [
        _("Lender: {lender}; borrower: {borrower}. {share} of the capex is borrowed at {rate} "
          "nominal over {tenor} years ({grace} interest-only), {repayment} repayment.").format(
            lender=t.lender, borrower=borrower,
            share=formatting.percent(float(t.debt_share.reshape(-1)[0]), digits=0),
            rate=formatting.percent(float(t.interest_rate.reshape(-1)[0]), digits=2),
            tenor=int(fa.flows.tenor_years.reshape(-1)[0]),
            grace=int(fa.flows.unlevered.grace_years.reshape(-1)[0]),
            repayment=_(t.repayment.replace("_", " "))),
        _("Case prices are constant; they are inflated at {inflation} a year (Viet Nam CPI) for "
          "debt service and tax, and the after-tax and equity flows are discounted at the "
          "nominal rate, so the NPVs are in USD of year 0.").format(
            inflation=formatting.percent(infl)),
    ]
    figs = {}
    if figures:
        from .. import plots

        figs["dscr"] = plots.dscr_chart(fa.table, target_min_dscr=fa.target_min_dscr)
    return Section(
        title=_("Financing and debt service"), key="financing",
        tables={"summary": financing_summary(fa), "terms": fa.terms_table(),
                "loan": fa.loan_table(), "tax": fa.tax_table()},
        figures=figs, text=text, warnings=list(fa.warnings),
    )


def parties_section(appraisal: Appraisal, transfer: str | None = None, *,
                    figures: bool = True) -> Section:
    """Section "Both parties' view": each party's NPV/IRR and the transfer-price range."""
    case = appraisal.case
    view = party_view(appraisal)
    tables = {"parties": view}
    text, warnings, figs = [], [], {}
    if case.transfers:
        tpr = transfer_price_range(appraisal, transfer)
        tables["transfer_price"] = pd.DataFrame([{
            "transfer": tpr.transfer, "unit": tpr.unit, "payer": tpr.payer,
            "base_price": tpr.base_price, "min_price": tpr.min_price,
            "max_price": tpr.max_price, "equal_split_price": tpr.equal_split_price,
            "feasible": tpr.feasible, "support_needed_usd": tpr.support_needed_usd,
        }])
        text.append(tpr.words())
        warnings = parties_warnings(view, tpr)
        if figures:
            from .. import plots

            figs["transfer_price"] = plots.transfer_price_chart(tpr)
    else:
        text.append(_("The case has no transfer between the parties."))
    return Section(title=_("Both parties' view of the exchange"), key="parties", tables=tables,
                   figures=figs, text=text, warnings=warnings)


def sensitivity_section(appraisal: Appraisal, *, metric: str = "npv_usd",
                        figures: bool = True) -> Section:
    """Section "Scenarios and sensitivity": scenarios, tornado table and chart."""
    from .. import risk

    sc = risk.scenarios(appraisal)
    tor = risk.tornado(appraisal, metric=metric)
    f = FIELDS[metric]
    word, unit = risk.metric_word(metric), f.unit
    fmt = risk.format_value
    text, warnings = [], []
    shown_word = _(word)
    if len(tor):
        top = ", ".join(input_words(label) for label in tor["label"].head(3))
        text.append(_("The {metric} is most sensitive to: {inputs}.").format(
            metric=shown_word, inputs=top))
        base_value = float(tor["metric_base"].iloc[0])
        target = tor.attrs["target"]
        negative = base_value >= target
        for _row, r in tor[tor["within_range"].astype(bool)].iterrows():
            below = r["switching_value"] < r["base"]
            sentence = {
                (True, True): N_("The {metric} turns negative within the assessed range if "
                                 "{input} falls below {value} (base {base}, range {low} to "
                                 "{high})."),
                (True, False): N_("The {metric} turns negative within the assessed range if "
                                  "{input} rises above {value} (base {base}, range {low} to "
                                  "{high})."),
                (False, True): N_("The {metric} turns positive within the assessed range if "
                                  "{input} falls below {value} (base {base}, range {low} to "
                                  "{high})."),
                (False, False): N_("The {metric} turns positive within the assessed range if "
                                   "{input} rises above {value} (base {base}, range {low} to "
                                   "{high})."),
            }[(negative, below)]
            warnings.append(_(sentence).format(
                metric=shown_word, input=risk.input_label(r["label"], in_sentence=True),
                value=fmt(r["switching_value"], r["unit"]), base=fmt(r["base"], r["unit"]),
                low=fmt(r["low"], r["unit"]), high=fmt(r["high"], r["unit"])))
    else:
        text.append(_("No input of this case carries a range (low/high): no sensitivity "
                      "shown."))
    res = sc.results.set_index("scenario")
    cons = res.loc["conservative", "npv_usd"]
    text.append(_("NPV: base {base}, conservative {conservative}, optimistic {optimistic}.")
                .format(base=formatting.money(res.loc["base", "npv_usd"]),
                        conservative=formatting.money(cons),
                        optimistic=formatting.money(res.loc["optimistic", "npv_usd"])))
    if cons < 0 <= res.loc["base", "npv_usd"]:
        warnings.append(_("In the conservative scenario the NPV is negative ({npv}).").format(
            npv=formatting.money(cons)))
    figs = {}
    if figures and len(tor):
        from .. import plots

        figs["tornado"] = plots.tornado_chart(tor, metric_label=shown_word, unit=unit)
    return Section(title=_("Scenarios and sensitivity"), key="sensitivity",
                   tables={"scenarios": sc.results, "scenario_inputs": sc.inputs,
                           "tornado": tor}, figures=figs, text=text, warnings=warnings)


def monte_carlo_section(appraisal: Appraisal, *, n_draws: int, seed: int,
                        figures: bool = True) -> Section:
    """Section "Monte Carlo": distribution of NPV, IRR, payback (and equity, DSCR)."""
    from .. import risk

    mc = risk.monte_carlo(appraisal, n_draws=n_draws, seed=seed)
    summary = mc.summary()
    p = mc.probability_npv_positive
    npv = summary.set_index("metric").loc["npv_usd"]
    def share(x: float) -> str:  # 0.3456 -> "35%" (the English "{:.0%}")
        return f"{x:.0%}" if i18n.current_language() == "en" else formatting.percent(x, digits=0)

    text = [_("{draws} draws (seed {seed}) of {n} uncertain inputs, drawn independently.")
            .format(draws=formatting.number(mc.n_draws), seed=mc.seed, n=len(mc.drivers)),
            _("Probability that the NPV is positive: {p}. NPV P10 {p10}, P50 {p50}, P90 {p90}.")
            .format(p=share(p), p10=formatting.money(npv["p10"]),
                    p50=formatting.money(npv["p50"]), p90=formatting.money(npv["p90"]))]
    warnings = []
    if not mc.drivers:
        text.append(_("No input carries a range: every draw equals the base case."))
    if p < 0.5:
        warnings.append(_("The NPV is negative in {share} of the Monte Carlo draws.").format(
            share=share(1 - p)))
    dscr = mc.dscr_probabilities()
    if dscr:
        text.append(_("Minimum DSCR below 1.0 in {below_1} of the draws, below the {target} "
                      "target in {below_target}.").format(
            below_1=share(dscr["below_1"]),
            target=formatting.number(mc.target_min_dscr, digits=2),
            below_target=share(dscr["below_target"])))
        if dscr["below_1"] >= 0.1:
            warnings.append(_("Debt service is not covered (DSCR < 1.0) in {share} of the "
                              "Monte Carlo draws.").format(share=share(dscr["below_1"])))
    figs = {}
    if figures:
        from .. import plots

        figs["npv_distribution"] = plots.monte_carlo_chart(
            mc.outputs["npv_usd"], metric_label="NPV", unit="USD", base_value=mc.base["npv_usd"])
    return Section(title=_("Monte Carlo simulation"), key="monte-carlo",
                   tables={"summary": summary, "inputs": risk.drivers_table(mc.drivers)},
                   figures=figs, text=text, warnings=warnings)


def report_sections(
    appraisal: Appraisal, *, n_draws: int, seed: int, figures: bool = True,
    financing: FinancingAppraisal | None = None,
) -> dict[str, Section]:
    """All bankability sections of a report, and a last one that lists every warning.

    Parameters
    ----------
    appraisal : Appraisal
        The run's base appraisal (its parameters and cash flows are reused by every section).
    n_draws, seed : int
        Monte Carlo draws and seed.
    figures : bool
        Draw the charts.
    financing : FinancingAppraisal, optional
        The run's financing appraisal when already computed (:attr:`RunContext.financing`).

    Returns
    -------
    dict of str to Section
        ``"financing"``, ``"parties"``, ``"sensitivity"``, ``"monte_carlo"``, ``"warnings"``
        (the warnings of the appraisal and of every section, each once, in that order).
    """
    sections = {
        "financing": financing_section(financing or appraisal, figures=figures),
        "parties": parties_section(appraisal, figures=figures),
        "sensitivity": sensitivity_section(appraisal, figures=figures),
        "monte_carlo": monte_carlo_section(appraisal, n_draws=n_draws, seed=seed,
                                           figures=figures),
    }
    every = list(appraisal.warnings)
    roots = irr_roots_sentence(appraisal)
    if roots:
        every.append(roots)
    for s in sections.values():
        every += [w for w in s.warnings if w not in every]
    sections["warnings"] = Section(title=_("Warnings"), key="all-warnings",
                                   text=[] if every else
                                   [_("No warning: every result is defined and every test "
                                      "met.")],
                                   warnings=every,
                                   tables={"warnings": pd.DataFrame({"warning": every})})
    return sections


def summary(context: Any) -> dict[str, Any]:
    """What the batch and the index take from an executed report (so they show what it shows).

    Returns
    -------
    dict
        ``case_id``, ``title`` (in the report's language where the case has it), ``park``,
        ``data_quality``, ``currency``, ``language``, ``case_sha256``,
        ``parameters`` (the run parameters given), ``figures`` (key figure key -> the text the
        report shows), ``workbook`` (its path, or ``None``) and ``run_key``
        (:func:`~eip_analysis.report.parameters.run_key`, also in the page's head).
    """
    case = context.case
    figures = key_figures(context.appraisal, context.currency).set_index("key")["text"]
    language = getattr(context.run, "language", "en")
    out = {"case_id": case.id, "title": case.text_in("title", language)[0], "park": case.park,
           "data_quality": case.data_quality, "currency": context.currency,
           "case_sha256": case.sha256, "parameters": context.run.given,
           "figures": {str(k): str(v) for k, v in figures.items()},
           "workbook": context.run.workbook_path,
           "run_key": run_key(case.id, case.sha256, context.run.given, context.run.cases_dir)}
    if language != "en":  # (an English summary as before)
        out["language"] = language
    return out


def cash_flow_figure(appraisal: Appraisal, currency: str = "USD"):
    """:func:`eip_analysis.plots.cumulative_cash_flow` of an appraisal, in ``currency``."""
    from .. import plots

    return plots.cumulative_cash_flow(
        cashflows_in(appraisal, currency), currency=currency,
        payback_years=appraisal.metrics.payback_years,
        discounted_payback_years=appraisal.metrics.discounted_payback_years,
    )


def emissions_figure(appraisal: Appraisal):
    """:func:`eip_analysis.plots.emissions_by_source` of an appraisal."""
    from .. import plots

    return plots.emissions_by_source(appraisal.emissions)
