"""What the portfolio report shows, as data: one :class:`~eip_analysis.report.Section` each.

Every section reads the :class:`~eip_analysis.report.portfolio.PortfolioContext` computed
once; nothing here computes a figure the library does not (the tables are the library's frames,
the sentences name its numbers).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from .. import __version__, esmp, formatting, plots, screening
from ..errors import InputError
from ..i18n import gettext as _
from ..inventory import PARKS as INVENTORY_PARKS
from ..inventory import load_inventory
from ..portfolio import barrier_frequency, progress, status_by_park, survey_table
from ..portfolio.selection import CRITERIA
from ..portfolio.workplan import critical_path_words
from .portfolio import PortfolioContext
from .sections import Section, git_commit


def overview_section(ctx: PortfolioContext) -> Section:
    """The answer first: cases compared, the shortlist, the cases left out of the comparison."""
    t = ctx.result.table
    park = ctx.parameters.park or "Hoa Khanh and Tra Noc 1&2"
    short = t[t["shortlisted"]]
    text = [f"{len(t)} opportunities compared in {park}. Shortlisted for technical assistance "
            f"and financing, best score first: "
            + (", ".join(f"{r.case_id} ({r.title}, score {r.score:.2f})"
                         for r in short.itertuples()) if len(short) else "none") + "."]
    data_quality = sorted({a.case.data_quality for a in ctx.appraisals})
    if "illustrative" in data_quality:
        text.append("The case figures, survey rounds and ESMP registers are illustrative: "
                    "engineering estimates and labelled assumptions, to be replaced by the "
                    "survey's data before any decision.")
    warnings = [f"Left out of the comparison: {e}" for e in ctx.errors]
    return Section(title="Overview", key="overview", text=text, warnings=warnings)


def status_section(ctx: PortfolioContext) -> Section:
    """Status by park, barrier frequency with the NPV they hold back, progress between rounds."""
    cases = ctx.cases
    by_park = status_by_park(cases)
    by_park = by_park[by_park["cases"] > 0].reset_index(drop=True)
    by_park["status"] = by_park["status"].str.replace("_", " ")
    moves = progress(cases)
    for c in ("from_status", "to_status"):
        moves[c] = moves[c].str.replace("_", " ")
    rounds = survey_table(cases)
    rounds["status"] = rounds["status"].str.replace("_", " ")
    frequency = barrier_frequency(ctx.appraisals)
    text = []
    if len(frequency) and frequency["cases"].iloc[0]:
        top = frequency.iloc[0]
        costly = frequency.loc[frequency["positive_npv_blocked_usd"].idxmax()]
        text.append(f"The most frequent barrier is {top['barrier']} ({top['cases']:.0f} of "
                    f"{len(cases)} cases). The one standing before the most value is "
                    f"{costly['barrier']}: {formatting.money(costly['positive_npv_blocked_usd'])}"
                    f" of positive NPV in {costly['case_ids']} (a case with several barriers "
                    f"counts under each, so the amounts do not add up across barriers).")
    text.append("A barrier marked blocking in the survey is one that no assistance removes "
                "(a buyer who pays more than the exchange can, a law); it keeps the case off the "
                "shortlist. The others are steps of the work-plan.")
    return Section(title="Status and barriers", key="status",
                   tables={"status_by_park": by_park, "barrier_frequency": frequency,
                           "progress": moves, "survey_rounds": rounds}, text=text)


def selection_section(ctx: PortfolioContext) -> Section:
    """The criteria with weights and normalisation, the ranking and the reason of each
    exclusion, the thresholds."""
    weights = ctx.selection.weight_values
    total = sum(weights.values())
    criteria = pd.DataFrame([{
        "criterion": c.label, "weight_share": weights[k] / total, "normalisation":
        c.normalisation, "source": getattr(ctx.selection.weights, k).source}
        for k, c in CRITERIA.items()])
    t = ctx.result.table
    ranking = t[["rank", "case_id", "title", "score", "shortlisted", "reason"]]
    values = t[["case_id", *(f"v_{k}" for k in CRITERIA)]]
    th = ctx.selection.thresholds
    thresholds = pd.DataFrame([
        {"parameter": f"thresholds.{name}", "value": entry.value, "unit": entry.unit,
         "source": entry.source} for name, entry in th])
    thresholds["value"] = thresholds["value"].astype(str)
    text = [
        ("Each criterion gives a case a value from 0 (worst) to 1 (best); the score is the "
        "weighted mean of the values. The weights below are shares of their sum."),
        ("A case is shortlisted when it is not dropped, has a positive base NPV (project view, "
         "before financing and tax), a P(NPV > 0) "
         f"of at least {th.min_probability_npv_positive.value:.0%}, no blocking barrier, an "
         f"ESMP register with a lender's category of {_categories_up_to(th)} and a "
         f"score of at least {th.min_score.value:.2f}; of two cases that exclude each other the "
         "better-scored is kept, and the shortlist never draws more of a shared resource than "
         "its stated supply."),
    ]
    near = [r for r in t.itertuples() if not r.shortlisted and r.reason
            and "; " not in r.reason]
    if near:
        text.append("Excluded by one rule only (a change of that rule's threshold or of the "
                    "case's figures would bring them in): "
                    + "; ".join(f"{r.case_id}, {r.reason}" for r in near) + ".")
    by_id = {a.case.id: a for a in ctx.appraisals}
    parties = pd.DataFrame([{
        "case_id": cid, "npv_usd": by_id[cid].metrics.npv_usd,
        "supplier_npv_usd": by_id[cid].metrics.supplier_npv_usd,
        "receiver_npv_usd": by_id[cid].metrics.receiver_npv_usd,
        "payback_years": by_id[cid].metrics.payback_years,
        "discounted_payback_years": by_id[cid].metrics.discounted_payback_years,
    } for cid in ctx.result.shortlist])
    warnings = [f"{r.case_id}: the {party} gains little or nothing at the assumed transfer "
                f"price (NPV {formatting.money(v)} of the project's "
                f"{formatting.money(r.npv_usd)}); its opportunity report gives the range of "
                "prices at which both gain, to be agreed before a bank sees the case."
                for r in parties.itertuples()
                for party, v in (("supplier", r.supplier_npv_usd),
                                 ("receiver", r.receiver_npv_usd))
                if v < 0.1 * r.npv_usd]
    return Section(title="Selection of implementable solutions", key="selection",
                   tables={"criteria": criteria, "ranking": ranking,
                           "shortlist_parties": parties, "criterion_values": values,
                           "thresholds": thresholds}, text=text, warnings=warnings)


def _categories_up_to(thresholds) -> str:
    """``"B or C"`` for a highest acceptable category of B."""
    from ..portfolio.selection import ESMP_CATEGORIES

    allowed = ESMP_CATEGORIES[:ESMP_CATEGORIES.index(thresholds.max_esmp_category.value) + 1]
    return " or ".join(reversed(allowed))


def stability_section(ctx: PortfolioContext) -> Section:
    """How often each case stays shortlisted when the weights vary, table and figure."""
    st = ctx.selection.stability
    s = ctx.stability
    unstable = s[~s["stable"]]
    text = [
        (f"The shortlist recomputed for {st.dirichlet_draws.value:,} weight vectors drawn from a "
         f"Dirichlet distribution around the weights (concentration "
         f"{st.dirichlet_concentration.value:g}, seed {st.seed.value}) and for each weight in "
         f"turn {st.one_at_a_time_change.value:.0%} lower and higher "
         f"({int(s['one_at_a_time_variations'].iloc[0]) if len(s) else 0} variations)."),
        ("Every case keeps its place in or out of the shortlist in at least 90% of the draws: "
         "the selection does not hang on the weights chosen; the rules (NPV, P(NPV > 0), "
         "barriers, ESMP) decide it." if unstable.empty else
         "Cases whose place depends on the weights (shortlisted in 10-90% of the draws): "
         + ", ".join(f"{r.case_id} ({r.share_shortlisted_dirichlet:.0%})"
                     for r in unstable.itertuples()) + "."),
    ]
    return Section(title="Stability of the shortlist", key="stability",
                   tables={"stability": s}, figures={"stability": plots.stability_chart(s)},
                   text=text)


def abatement_section(ctx: PortfolioContext) -> Section:
    """The MAC curve and the NPV-tCO2e view."""
    curve = ctx.curve
    shown = curve[["case_id", "title", "capex_usd", "capex_pv_usd",
                   "annualised_capex_usd_per_year",
                   "annual_net_benefit_usd", "co2e_avoided_t_per_year", "mac_usd_per_tco2e",
                   "mac_p10_usd_per_tco2e", "mac_p90_usd_per_tco2e", "npv_usd", "note"]]
    off = curve[~curve["counted"]]
    text = [(f"Annualised capex is the present value of every year's investment times the "
            f"capital recovery factor; the annual net benefit is that of the first operating "
            f"year and the tCO2e those of an average operating year. Whiskers: P10 and P90 of "
            f"{ctx.parameters.mac_draws:,} seeded Monte Carlo draws of the uncertain inputs.")]
    if len(off):
        text.append("Not on the curve: " + "; ".join(f"{r.case_id}, {r.note}"
                                                     for r in off.itertuples()) + ".")
    return Section(title="Abatement cost curve", key="abatement", tables={"mac": shown},
                   figures={"mac_curve": plots.abatement_curve_chart(curve),
                            "npv_vs_abatement": plots.npv_vs_abatement_chart(
                                curve, ctx.result.shortlist)},
                   text=text)


def esmp_heat_section(ctx: PortfolioContext) -> Section:
    """Cases x ESMP areas: highest residual rating, and each case's lender's category."""
    heat = esmp.heat_map(ctx.registers)
    missing = sorted({a.case.id for a in ctx.appraisals} - set(ctx.registers))
    warnings = [f"{cid} has no ESMP register: no lender's category." for cid in missing]
    figures = {"esmp_heat_map": plots.esmp_heat_map_chart(heat, esmp.AREAS)} if len(heat) else {}
    counts = heat["category"].value_counts().to_dict() if len(heat) else {}
    text = ["Lender's categories (Circular 17/2022/TT-NHNN): "
            + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("A", "B", "C")) + ". The rule: A "
            "for a project in Appendix III of Decree 08/2022 or a residual rating of 15 or "
            "more, B for Appendix IV or a residual rating of 8 or more, else C. The map shows "
            "residual ratings, after mitigation."]
    high = [(cid, r) for cid, reg in sorted(ctx.registers.items()) for r in reg.risks
            if r.rating >= esmp.CATEGORY_A_RESIDUAL]
    if high:
        warnings.append("Before mitigation these risks rate 15 or more, the category A level: "
                        + "; ".join(f"{cid} {r.hazard.rstrip('.')} ({r.rating})"
                                    for cid, r in high)
                        + ". The categories rest on their mitigation working; a lender will "
                        "ask for it in the contract and the monitoring.")
    return Section(title="Environmental and social risk across the portfolio", key="esmp-heat",
                   tables={"esmp_heat_map": heat}, figures=figures, text=text,
                   warnings=warnings)


def workplan_section(ctx: PortfolioContext) -> Section:
    """The steps of each shortlisted case to a bank's decision, Gantt chart, critical path."""
    plan = ctx.plan
    text = [(f"From {ctx.workplan.plan_start.value.isoformat()} "
            f"({ctx.workplan.plan_start.source}); each case from its latest survey status. "
            "The plans run side by side and do not share the programme's staff.")]
    text += [critical_path_words(plan, cid) for cid in ctx.result.shortlist]
    start = ctx.workplan.plan_start.value
    by_id = {a.case.id: a.case for a in ctx.appraisals}
    stale = sorted(cid for cid in ctx.result.shortlist
                   if start.year - by_id[cid].latest_survey.round > 1)
    warnings = [(f"{', '.join(stale)}: the latest survey round is more than a year before the "
                "plan starts; re-survey the status and barriers before committing to the "
                "dates.")] if stale else []
    if plan.empty:
        return Section(title="Work-plan to a bank submission", key="workplan",
                       text=text + ["No shortlisted case has a step left."], warnings=warnings)
    shown = plan[["case_id", "name", "owner", "duration_weeks", "start_date", "finish_date",
                  "slack_weeks", "critical", "gate"]].rename(columns={"name": "step_name"})
    shown = shown.assign(start_date=shown["start_date"].map(str),
                         finish_date=shown["finish_date"].map(str))
    for weeks in ("duration_weeks", "slack_weeks"):  # whole weeks read as whole numbers
        if (shown[weeks] % 1 == 0).all():
            shown[weeks] = shown[weeks].astype(int)
    return Section(title="Work-plan to a bank submission", key="workplan",
                   tables={"workplan": shown}, figures={"gantt": plots.gantt_chart(plan)},
                   text=text, warnings=warnings)


def totals_section(ctx: PortfolioContext) -> Section:
    """Park totals (overlaps removed) and the EIP criteria they inform."""
    text = [
        ("Totals add the cases' own figures. Of cases that exclude each other (the same boilers, "
        "the same oil) only the better-ranked is counted, and the cases' draw on a shared "
        "resource is set against its stated supply. Cases that share a party without "
        "excluding each other (one steam supplier with two boilers) add up, and where one "
        "case's quantity falls when another is done (less coal burned, less ash to use), the "
        "totals keep each case file's figure and its data note gives the size of the overlap."),
        ("The criteria below are those the totals inform, not a test that a park meets them: "
        "the parks' own energy, water and emissions totals are not in the package. The IEIP "
        "2.0 rows name its performance categories only: its indicator tables were not "
        "verified against the published text."),
    ]
    short = ctx.totals[ctx.totals["set"] == "shortlist"].iloc[-1]
    missing = [words for metric, words in (("water_saved_m3_per_year", "saves no water"),
                                           ("waste_diverted_t_per_year", "diverts no waste"))
               if short[metric] <= 0]
    if missing:
        t = ctx.result.table
        others = {m: ", ".join(t.loc[t[m] > 0, "case_id"]) or "none"
                  for m in ("water_saved_m3_per_year", "waste_diverted_t_per_year")}
        text.append(f"The shortlist {' and '.join(missing)}: the water and waste criteria get "
                    f"nothing from it. Cases that would: water {others['water_saved_m3_per_year']}"
                    f"; waste {others['waste_diverted_t_per_year']}.")
    criteria = ctx.indicators.drop(columns=["how", "source"]).assign(
        note=[f"{how.rstrip('.')}. Source: {source}" for how, source in zip(
            ctx.indicators["how"], ctx.indicators["source"], strict=True)])
    return Section(title="Park totals and eco-industrial park criteria", key="totals",
                   tables={"park_totals": ctx.totals, "eip_indicators": criteria},
                   text=text)


#: Candidates per park in the screening section's table.
SCREENING_TOP = 10


def screening_section(ctx: PortfolioContext) -> Section:
    """New exchanges found by screening each park's inventory (:mod:`eip_analysis.screening`):
    the best candidates by indicative value, the park's supply-demand network, and which
    candidates already have a case."""
    parks = [p for p in INVENTORY_PARKS if not ctx.parameters.park or p == ctx.parameters.park]
    tables, figures, text, captions, alts = {}, {}, [], {}, {}
    try:
        every = {p: load_inventory(key) for p, key in INVENTORY_PARKS.items()}
        known = screening.known_cases(every.values())
        inventories = {p: every[p] for p in parks}
    except InputError as exc:
        return Section(title="Screening: new exchanges", key="screening",
                       warnings=[f"No screening: {exc}"])
    text.append("Candidate exchanges found by matching every output stream of a park's "
                "tenants with every input stream of another, from the park's illustrative "
                "inventory (data/raw/inventories/): matched quantity, transport by distance, "
                "an indicative annual value for both parties (avoided disposal and purchase "
                "minus transport and treatment, before capex: a screening value, not an NPV) "
                "and indicative tCO2e with the package's emission rules. Each stream is "
                "offered once: the candidates are taken greedily by value (checked against a "
                "linear program). The command eip-analysis draft-case CANDIDATE --id NEW-ID "
                "turns one into a draft case file.")
    for park, inv in inventories.items():
        cands = screening.allocate(screening.candidates(inv), inv)
        best = screening.top(cands, SCREENING_TOP)
        key = INVENTORY_PARKS[park]
        tables[f"screening_{key}"] = pd.DataFrame([{
            "rank_value": c.rank_value, "candidate": c.id, "kind": c.kind,
            "exchange": f"{c.supply_material.replace('_', ' ')}: {c.supplier_role} -> "
                        f"{c.receiver_role}",
            "quantity_exchanged": formatting.quantity(c.allocated_supply, c.supply_unit),
            "screening_value_usd_per_year": c.allocated_value_usd,
            "screening_co2e_t_per_year": c.allocated_co2e_t,
            "existing_case": screening.case_words(c, known), "barriers": c.barriers,
        } for c in best])
        captions[f"screening_{key}"] = _("{park}: the best candidate exchanges by indicative "
                                         "value").format(park=park)
        alts[f"screening_network_{key}"] = _("{park}: the tenants and their candidate exchanges, "
                                             "arrow width by indicative value").format(park=park)
        nodes, edges = screening.network(inv, cands, known)
        figures[f"screening_network_{key}"] = plots.screening_network_chart(
            nodes, edges, title=f"{park}: candidate exchanges (arrow width: indicative value)")
        allocated = [c for c in cands if c.rank_value is not None]
        rejected = [c for c in cands if c.status == "rejected"]
        ids = {s.id for _, s in inv.streams()}
        here = {cid for pair, cid in known.items() if pair.split(":")[0] in ids}
        cased = sorted({known[c.id] for c in allocated if c.id in known})
        by_id = {c.id: c for c in cands}
        why = {pair: by_id[pair].allocation.removeprefix("not allocated: ")
               if pair in by_id else "not screened" for pair in known}
        uncased = [f"{cid} ({why[pair]})"
                   for pair, cid in sorted(known.items(), key=lambda kv: kv[1])
                   if cid in here - set(cased)]
        text.append(
            f"{park}: {len(inv.tenants)} tenants, {sum(1 for _ in inv.streams())} streams; "
            f"{len(cands) - len(rejected)} compatible pairs, {len(rejected)} rejected on a "
            f"quality limit or distance, {len(allocated)} allocated. Among them the cases "
            + (", ".join(cased) if cased else "none")
            + (f"; not allocated: {'; '.join(uncased)}" if uncased else "")
            + ".")
    return Section(title="Screening: new exchanges", key="screening", tables=tables,
                   figures=figures, text=text, captions=captions, alts=alts)


def provenance_rows(ctx: PortfolioContext, *, run_date: datetime | None = None) -> pd.DataFrame:
    """Package version, git commit, every input file with its SHA-256, parameters, run date."""
    run_date = run_date or datetime.now(UTC)
    given = ctx.parameters.given
    rows = [("Package", f"eip-analysis {__version__}"),
            ("Git commit", git_commit() or "not available (not a git checkout)"),
            ("Run parameters", ", ".join(f"{k} = {v}" for k, v in given.items())
             or "none: the files' values"),
            ("Run date", run_date.strftime("%Y-%m-%d %H:%M UTC"))]
    rows += [(f"SHA-256 of {name}", sha) for name, sha in ctx.inputs.items()]
    return pd.DataFrame(rows, columns=["item", "text"])


def portfolio_sections(ctx: PortfolioContext) -> dict[str, Section]:
    """Every section of the portfolio report, by key, in page order."""
    return {"overview": overview_section(ctx), "status": status_section(ctx),
            "selection": selection_section(ctx), "stability": stability_section(ctx),
            "abatement": abatement_section(ctx), "esmp": esmp_heat_section(ctx),
            "workplan": workplan_section(ctx), "totals": totals_section(ctx),
            "screening": screening_section(ctx),
            "provenance": Section(title="Provenance", key="provenance",
                                  tables={"provenance": provenance_rows(ctx)})}
