"""The investment proposal (eip-analysis proposal): sections in the order of a credit appraisal,
figures equal to the library's, company fields never invented, escaped, illustrative banner,
one-line errors without partial files, and its PDF."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

import numpy as np
import pytest
import yaml

from eip_analysis import formatting, load_case
from eip_analysis.appraisal import appraise
from eip_analysis.cli import main
from eip_analysis.errors import InputError
from eip_analysis.financing import appraise_financing
from eip_analysis.parties import party_view
from eip_analysis.report import pdf
from eip_analysis.report import proposal as prop
from eip_analysis.report.notebook import PRINT_BANNER

from .conftest import FIXTURE_CASES

needs_browser = pytest.mark.skipif(pdf.find_browser() is None,
                                   reason="no headless Chromium on this machine")
RUN_DATE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def hk02():
    p = prop.build_proposal("HK-02", run_date=RUN_DATE)
    return p, prop.proposal_html(p)


@pytest.fixture(scope="module")
def mini():
    p = prop.build_proposal("MINI-01", FIXTURE_CASES, run_date=RUN_DATE)
    return p, prop.proposal_html(p)


def _section_html(html: str, key: str) -> str:
    start = html.index(f'<section class="proposal" id="{key}">')
    return html[start:html.index("</section>\n", start) if "</section>\n" in html[start:]
                else len(html)]


def _text(fragment: str) -> str:
    import html as html_lib

    fragment = re.sub(r'src="data:image/png;base64,[^"]+"', "", fragment)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_every_section_is_there_in_the_order_of_a_credit_appraisal(hk02):
    p, html = hk02
    assert [s.key for s in p.sections] == list(prop.SECTIONS)
    found = re.findall(r'<section class="proposal" id="([a-z-]+)"><h2>(\d+)\. ([^<]+)</h2>', html)
    assert [k for k, _, _ in found] == list(prop.SECTIONS)
    assert [int(n) for _, n, _ in found] == list(range(1, 13))
    assert [t for _, _, t in found] == list(prop.SECTIONS.values())
    assert html.index('id="documents"') < html.index('<footer class="provenance">')


def test_figures_are_the_librarys(hk02):
    p, html = hk02
    case = load_case("HK-02")
    a = appraise(case)
    fa = appraise_financing(a)
    assert p.figures["debt_usd"] == fa.debt_usd
    assert p.figures["min_dscr"] == fa.min_dscr
    assert p.figures["npv_usd"] == a.npv_usd
    summary = _text(_section_html(html, "summary"))
    assert f"Loan amount {prop._vnd_text(fa.debt_usd * a.parameters['exchange_rate_vnd_per_usd'])}" \
        f" ({formatting.money(fa.debt_usd)})" in summary
    assert f"{fa.min_dscr:.2f}" in summary and formatting.money(a.npv_usd) in summary
    assert formatting.percent(a.irr) in summary
    assert f"{int(fa.parameters['loan_tenor_years'])} years" in summary
    assert formatting.percent(fa.parameters["loan_interest_rate"], digits=2) in summary
    # VND (the loan's currency) first, USD beside, at the run's rate, rounded to millions
    assert "VND 9,036 million (USD 390,159)" in summary
    assert "1,432,044,909" not in summary
    # DSCR by year: the library's loan schedule, every year with debt service
    rows = re.findall(r"<tr><td[^>]*>(\d+)</td>.*?<td class=\"num\">([-\d.]+)</td></tr>",
                      _section_html(html, "repayment").split('id="proposal-dscr"')[1]
                      .split("</table>")[0])
    loan = fa.loan_table()
    served = loan[loan["debt_service_usd"] > 0]
    assert [int(y) for y, _ in rows] == served["year"].astype(int).tolist()
    assert [float(d) for _, d in rows] == pytest.approx(served["dscr"].round(2).tolist())
    conservative = p.figures["conservative_min_dscr"]
    repayment = _text(_section_html(html, "repayment"))
    assert f"Minimum DSCR, conservative scenario {conservative:.2f}" in repayment
    assert conservative < fa.target_min_dscr
    assert "In the conservative scenario the minimum DSCR is" in repayment
    assert formatting.money(fa.debt_capacity_usd) in repayment


def test_sources_equal_uses_and_the_loan_is_the_librarys(hk02):
    p, html = hk02
    fa = p.financing
    fl = fa.flows
    eligible_capex = float((fl.capex[0] * fl.unlevered.eligible[0]).sum())
    fees = float(fl.fees[0].sum())
    assert p.figures["total_uses_usd"] == pytest.approx(eligible_capex + fees, rel=1e-12)
    assert p.figures["equity_usd"] + fa.debt_usd == pytest.approx(p.figures["total_uses_usd"])
    assert fa.debt_usd == pytest.approx(fa.parameters["debt_share"] * eligible_capex)
    table = _section_html(html, "sources-uses")
    loan_row = re.search(r'<tr data-side="source" data-key="loan">(.*?)</tr>', table).group(1)
    assert formatting.money(fa.debt_usd) in loan_row
    totals = re.findall(r'<tr class="total" data-side="(uses|sources)">(.*?)</tr>', table)
    assert len(totals) == 2 and _text(totals[0][1]).split("Total uses ")[1] == \
        _text(totals[1][1]).split("Total sources ")[1]
    assert "Replacement of the string inverters" in _text(table)  # year-12 capex: not financed


def test_a_thin_margin_is_said_without_contradicting_that_both_gain(hk02):
    p, html = hk02
    view = party_view(p.appraisal).set_index("party")
    esco = view.loc["supplier", "npv_usd"]
    capex = view.loc["supplier", "capex_usd"]
    assert 0 < esco < prop.MARGINAL_NPV_SHARE * capex
    parties = _text(_section_html(html, "parties"))
    assert ("Both parties gain at the assumed transfer price; the margin of the supplier "
            f"(energy service company) is thin ({formatting.percent(esco / capex)} of its "
            "investment)") in parties
    assert "cannot be claimed" not in html
    # the verdicts are structured: the thin margin is a flag, not a word searched in a sentence
    r = _run_of(p)
    assert r.gains["supplier"].verdict == "marginal" and r.gain.both and r.gain.thin
    assert r.gains["supplier"].share == pytest.approx(esco / capex)
    assert r.gain.sentence in _text(html)
    assert "lies inside the range" in parties
    assert "pays the supplier (energy service company) 1,502,100 VND/MWh" in parties
    # and where both clearly gain, it is said
    hk01 = prop.build_proposal("HK-01", run_date=RUN_DATE)
    assert "Both parties gain at the assumed transfer price" in hk01.section("parties").text()
    assert "NPV is negative" not in hk01.section("summary").text()
    tn01 = prop.build_proposal("TN-01", run_date=RUN_DATE)
    assert "The project's NPV is negative" in tn01.section("summary").text()
    assert "loses" in tn01.section("parties").text()
    r = _run_of(tn01)
    assert not r.gain.both and not r.gain.thin
    assert "loses" in {g.verdict for g in r.gains.values()}


def _run_of(p) -> prop._Run:
    """The shared state of a proposal's sections, rebuilt from the proposal's run."""
    a = p.appraisal
    return prop._Run(context=p.context, fa=p.financing, money=prop._Money(a),
                     view=party_view(a), prices=[transfer_price_range(a, t.name)
                                                 for t in a.case.transfers],
                     sensitivity=None, register=None, requirements=prop.load_requirements())


def test_company_fields_are_to_be_supplied_never_invented(hk02):
    _, html = hk02
    table = html.split('id="proposal-company-fields"')[1].split("</table>")[0]
    for field in ("Legal name", "Enterprise registration number",
                  "Audited financial statements, last 3 years", "Existing debt",
                  "Collateral offered"):
        row = re.search(rf'<tr data-field="{re.escape(field)}[^"]*">(.*?)</tr>', table).group(1)
        assert _text(row).count(prop.TO_SUPPLY) == 2, field
    financing = _text(_section_html(html, "financing"))
    assert f"Security offered {prop.TO_SUPPLY}" in financing
    documents = _section_html(html, "documents")
    statuses = set(re.findall(r'<tr data-status="([^"]+)">', documents))
    assert statuses == {prop.AVAILABLE, prop.TO_SUPPLY, prop.FROM_AUTHORITY, prop.NEXT_STEP}


def test_green_credit_permits_and_heads_of_terms(hk02):
    p, html = hk02
    green = _text(_section_html(html, "green-credit"))
    citation = prop.load_requirements().green_taxonomy.citation
    assert citation == "Decision 21/2025/QD-TTg"
    assert f"Criteria of {citation}" in green and prop.TO_CONFIRM in green
    assert f"Green-credit confirmation under {citation}" in _text(_section_html(html, "documents"))
    assert "Production of solar power" in green
    permits = _text(_section_html(html, "permits"))
    assert "Decree 135/2024/ND-CP" in permits and "not listed in Appendices III-V" in permits
    terms = _text(_section_html(html, "heads-of-terms"))
    for head in ("Volume 1,290 MWh/yr", "Take-or-pay (offtake) to be negotiated",
                 "Quality specification",
                 "Price 1,502,100 VND/MWh", "Price indexation", "Back-up supply",
                 f"Term {p.case.lifetime} years", "Termination to be negotiated"):
        assert head in terms, head


def test_requirements_cover_every_kind_and_cite_a_source():
    req = prop.load_requirements()
    for cid in ("HK-01", "HK-02", "HK-03", "HK-04", "HK-05", "HK-06", "TN-01", "TN-02", "TN-03",
                "TN-04", "TN-05", "TN-06"):
        case = load_case(cid)
        assert req.candidates(cid, case.kind), cid
        assert req.permits_for(cid, case.kind), cid


def test_a_broken_requirements_file_is_one_line_naming_file_and_field(tmp_path):
    data = yaml.safe_load(prop.requirements_path().read_text())
    del data["permits"][0]["source"]
    path = tmp_path / "requirements.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as info:
        prop.load_requirements(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    assert "permits[0].source: expected this required field" in message
    # the same wording as case files and ESMP registers (eip_analysis.cases.validation_error)
    data = yaml.safe_load(prop.requirements_path().read_text())
    data["green_taxonomy"]["decisoin"] = "misspelt"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match=r"green_taxonomy\.decisoin: expected no such field"):
        prop.load_requirements(path)


def test_case_text_is_escaped(write_case, mini_data):
    mini_data["title"] = "<script>alert('x')</script> & co"
    mini_data["supplier_role"] = "<b>supplier</b>"
    path = write_case(mini_data)
    html = prop.proposal_html(prop.build_proposal("MINI-01", path.parent, run_date=RUN_DATE))
    assert "<script>" not in html and "<b>supplier" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in html
    assert "&lt;b&gt;supplier&lt;/b&gt;" in html
    assert "http://" not in html and "https://" not in html.replace('"https://', "")


def test_illustrative_banner_and_data_quality(mini, write_case, mini_data):
    p, html = mini
    assert p.case.is_illustrative
    assert 'id="illustrative-banner"' in html and "Data quality: <strong>illustrative" in html
    assert PRINT_BANNER in html  # on every printed page (@page)
    mini_data["data_quality"] = "surveyed"
    path = write_case(mini_data)
    surveyed = prop.proposal_html(prop.build_proposal("MINI-01", path.parent))
    assert 'id="illustrative-banner"' not in surveyed and PRINT_BANNER not in surveyed


def test_provenance_names_version_sha_and_parameters(mini):
    p, html = mini
    footer = html.split('<footer class="provenance">')[1]
    assert p.case.sha256 in footer and "eip-analysis" in footer
    assert "exchange_rate_vnd_per_usd = " in footer


def test_no_esmp_register_is_said_not_invented(write_case, mini_data):
    path = write_case(mini_data)  # a folder without a sibling esmp/: no register
    p = prop.build_proposal("MINI-01", path.parent)
    assert "No environmental and social risk register for MINI-01" in \
        p.section("environment").blocks[0].content
    assert "is not known" in p.section("permits").text()


def test_cli_writes_a_proposal_without_temporary_files(tmp_path, capsys):
    assert main(["proposal", "MINI-01", "--cases", str(FIXTURE_CASES),
                 "--output", str(tmp_path)]) == 0
    assert (tmp_path / "MINI-01.html").is_file()
    assert "1 proposal(s) written, 0 failed" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MINI-01.html"]


def test_cli_unknown_case_is_one_line_and_writes_nothing(tmp_path, capsys):
    assert main(["proposal", "NOPE-01", "--output", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "case id" in err and "NOPE-01" in err
    assert not (tmp_path / "out").exists()


def test_cli_broken_case_file_is_one_line_naming_file_and_field(tmp_path, capsys, write_case,
                                                               mini_data):
    mini_data["capex"][0]["amount"]["value"] = "lots"
    path = write_case(mini_data)
    out = tmp_path / "out"
    assert main(["proposal", "MINI-01", "--cases", str(path.parent), "--output", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and "capex[0].amount.value" in err[0]
    assert not out.exists() or not list(out.iterdir())


def test_cli_all_keeps_going_past_a_broken_case(tmp_path, capsys, write_case, mini_data):
    write_case(mini_data)
    bad = dict(mini_data, id="BAD-01")
    bad["lifetime_years"] = {"value": -3, "unit": "yr", "source": "assumption: broken"}
    write_case(bad)
    out = tmp_path / "out"
    assert main(["proposal", "--all", "--cases", str(write_case.folder),
                 "--output", str(out)]) == 1
    captured = capsys.readouterr()
    assert "BAD-01.yaml" in captured.err and len(captured.err.strip().splitlines()) == 1
    assert sorted(p.name for p in out.iterdir()) == ["MINI-01.html"]


def test_pdf_pages_include_the_proposals(tmp_path):
    (tmp_path / "HK-01.html").write_text("<p>report</p>")
    (tmp_path / "index.html").write_text("<p>index</p>")
    (tmp_path / "proposals").mkdir()
    (tmp_path / "proposals" / "HK-01.html").write_text("<p>proposal</p>")
    assert pdf.report_pages(tmp_path) == [tmp_path / "HK-01.html",
                                          tmp_path / "proposals" / "HK-01.html"]
    assert pdf.stale_pages(tmp_path) == pdf.report_pages(tmp_path)


@needs_browser
def test_the_pdf_of_a_proposal_prints_with_header_banner_and_page_numbers(tmp_path, capsys):
    from pypdf import PdfReader

    folder = tmp_path / "proposals"
    assert main(["proposal", "MINI-01", "--cases", str(FIXTURE_CASES),
                 "--output", str(folder)]) == 0
    assert main(["pdf", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "1 PDF(s) written, 0 failed, 1 in" in out
    reader = PdfReader(folder / "MINI-01.pdf")
    texts = [page.extract_text() for page in reader.pages]
    assert 4 <= len(texts) <= 20
    for k, text in enumerate(texts, 1):
        assert re.search(r"(Investment proposal|Screening note) · MINI-01 · Tra Noc 1&2 · ",
                         text)
        assert PRINT_BANNER in text
        assert f"Page {k} of {len(texts)}" in text
    whole = unicodedata.normalize("NFKC", " ".join(" ".join(texts).split()))  # ligatures
    fa = appraise_financing(appraise(load_case("MINI-01", FIXTURE_CASES)))
    assert f"({formatting.money(fa.debt_usd)})" in whole
    for title in prop.SECTIONS.values():
        assert title in whole, title
    assert not list(folder.glob(".*")), "temporary file left behind"
    assert np.isfinite(fa.min_dscr)


# -- the credit officer's review: screening notes, real borrower, loan base, contracts -------------

from eip_analysis.parties import transfer_price_range


@pytest.fixture(scope="module")
def tn01():
    p = prop.build_proposal("TN-01", run_date=RUN_DATE)
    return p, prop.proposal_html(p)


@pytest.fixture(scope="module")
def tn05():
    p = prop.build_proposal("TN-05", run_date=RUN_DATE)
    return p, prop.proposal_html(p)


def _own_text(html: str) -> str:
    """The proposal's own text: without the shared sensitivity section and the provenance."""
    html = html.split('<footer class="provenance">')[0]
    return _text(html.replace(_section_html(html, "sensitivity"), ""))


def test_a_negative_npv_case_is_a_screening_note_with_the_support_gap(tn01):
    p, html = tn01
    assert p.appraisal.npv_usd < 0
    assert p.heading == prop.SCREENING_TITLE and p.is_screening
    title = re.search(r'<h1 id="report-title">(.*?)</h1>', html).group(1)
    assert title.startswith(prop.SCREENING_TITLE)
    verdict = _text(re.search(r'<p class="verdict" id="screening-verdict"[^>]*>(.*?)</p>',
                              html).group(1))
    assert verdict.startswith("Not submitted for credit") and verdict.count(". ") == 0
    assert "NPV is negative" in verdict
    summary = p.section("summary").text()
    assert "Request: a loan" not in summary
    gap = transfer_price_range(p.appraisal).support_needed_usd
    assert p.figures["support_gap_usd"] == gap == pytest.approx(-p.appraisal.npv_usd)
    assert f"Support gap: {prop._Money(p.appraisal)(gap)}" in summary
    assert "What would close it" in summary
    assert "<title>Screening note" in html
    # one kind of document, in the page's eyebrow and in the printed running header
    assert p.kind == prop.SCREENING_KIND
    assert f'id="document-kind">{prop.SCREENING_KIND} &middot;' in html
    assert prop.print_texts(p)[0].startswith(f"{prop.SCREENING_KIND} · TN-01 · ")


def test_no_carbon_payment_and_not_eligible_when_the_exchange_adds_emissions(tn01):
    p, html = tn01
    assert p.appraisal.co2e_avoided_t_per_year < 0
    assert "carbon payment" not in _own_text(html)
    green = _text(_section_html(html, "green-credit"))
    assert "not eligible as appraised" in green and "must rest on another" not in green
    key = _text(html.split('id="proposal-key-figures"')[1].split("</table>")[0])
    added = formatting.quantity(-p.appraisal.co2e_avoided_t_per_year, "tCO2e/yr")
    assert f"Emissions added per year {added}" in key
    assert "negative: the exchange saves money" not in key


def test_a_covenant_failure_shows_the_debt_capacity_and_a_structure_that_passes(hk02):
    p, _ = hk02
    fa = p.financing
    assert p.appraisal.npv_usd > 0 and fa.min_dscr < fa.target_min_dscr
    assert p.is_screening
    summary = p.section("summary").text()
    m = prop._Money(p.appraisal)
    assert "Largest loan meeting the covenant" in summary
    assert m(fa.debt_capacity_usd) in summary and m(fa.debt_usd) in summary
    # the structure is the library's run with those terms, and it passes
    found = re.search(r"(\d+)-year tenor with (\d+) years? of grace \((annuity|equal principal) "
                      r"repayment\).*?minimum DSCR (\d+\.\d+)", summary)
    tenor, grace, rep, dscr = found.groups()
    check = appraise_financing(p.appraisal, loan_tenor_years=int(tenor),
                               loan_grace_years=int(grace), loan_repayment=rep.replace(" ", "_"))
    assert check.min_dscr >= fa.target_min_dscr
    assert float(dscr) == pytest.approx(check.min_dscr, abs=0.005)
    assert check.debt_usd == pytest.approx(fa.debt_usd)
    assert int(tenor) <= prop.MAX_TENOR_YEARS
    assert (int(tenor), int(grace), rep, dscr) == (9, 1, "annuity", "1.34")
    assert p.figures["structure_min_dscr"] == pytest.approx(1.3383, abs=5e-5)
    assert p.figures["structure_min_dscr"] == check.min_dscr
    # the first that passes: every structure tried before it (shorter tenors) fails
    asked = int(fa.parameters["loan_tenor_years"])
    for t in range(asked, int(tenor)):
        for g in prop.GRACE_TRIED:
            for profile in ("annuity", "equal_principal"):
                if g < t:
                    trial = appraise_financing(p.appraisal, loan_tenor_years=t,
                                               loan_grace_years=g, loan_repayment=profile)
                    assert trial.min_dscr < fa.target_min_dscr, (t, g, profile)


def test_a_pooled_borrower_is_said_not_to_exist_and_the_party_alone_is_the_librarys(hk02, tn01):
    from eip_analysis.cases import Financing

    for p, html, party, dscr in ((*hk02, "supplier", "0.87"), (*tn01, "receiver", "0.21")):
        case = p.case
        assert p.financing.flows.terms.borrower == "project"
        alone_case = case.model_copy(update={"financing": Financing(borrower=party)})
        alone = appraise_financing(alone_case)
        assert p.figures["alone_min_dscr"] == alone.min_dscr
        assert p.figures["alone_debt_usd"] == alone.debt_usd
        assert f"{alone.min_dscr:.2f}" == dscr
        parties = _text(_section_html(html, "parties"))
        assert "No such legal entity exists" in parties
        row = re.search(rf'<tr data-borrower="{party}">(.*?)</tr>', html).group(1)
        assert dscr in _text(row)
        assert prop._Money(p.appraisal)(float(alone.table["debt_service_usd"].max())) in _text(row)


def test_the_loan_base_is_the_eligible_capex_the_library_finances(hk02, tn05):
    for p, html in (hk02, tn05):
        fa = p.financing
        fl = fa.flows
        base = float((fl.capex[0] * fl.unlevered.eligible[0]).sum())
        assert fa.debt_usd == pytest.approx(fa.parameters["debt_share"] * base)
        purpose = _text(re.search(r'<tr data-key="purpose">(.*?)</tr>', html).group(1))
        m = prop._Money(p.appraisal)
        assert f"of {m(base)}, the borrower's eligible capex" in purpose
        assert "of the investment" not in purpose and "all years" not in purpose
    # TN-05: the tenants' own capex is outside the WWTP's loan, and said so
    assert "outside this loan" in _text(_section_html(tn05[1], "sources-uses"))
    # working capital inside the term loan is said
    assert "Working capital is financed inside the term loan" in \
        _text(_section_html(hk02[1], "sources-uses"))


def test_heads_of_terms_follow_who_pays_whom(hk02, tn01):
    _, html = tn01
    terms = _text(_section_html(html, "heads-of-terms"))
    assert "Supply-or-pay to be negotiated" in terms and "Take-or-pay" not in terms
    offtake = _text(html.split('id="proposal-offtake"')[1].split("</table>")[0])
    assert "Fishmeal sold" in offtake and "900 t/yr" in offtake and "600 t/yr" in offtake
    _, html = hk02
    terms = _text(_section_html(html, "heads-of-terms"))
    assert "linked to the EVN tariff" in terms and "Assumption" in terms
    assert "does not cover the largest yearly debt service" in terms


def test_repayment_labels_average_dscr_and_compares_vepf_cap(hk02, tn05):
    p, html = hk02
    rep = _text(_section_html(html, "repayment"))
    assert "Average DSCR, all years with debt service (interest-only years included) 1.40" in rep
    loan = p.financing.loan_table()
    repaying = loan[loan["principal_usd"] > 0]["dscr"].mean()
    assert f"Average DSCR, repayment years only {repaying:.2f}" in rep
    p, html = tn05
    rep = _text(_section_html(html, "repayment"))
    assert p.financing.debt_capacity_share > prop.VEPF_MAX_SHARE
    assert "VEPF lends at most 70%" in rep
    assert "At the high end of the rate range (3.6%)" in rep


def test_negative_dscrs_and_zero_capex_paybacks_are_not_printed(tn01):
    p, html = tn01
    assert prop._ratio(-6.27).startswith("not meaningful")
    assert p.figures["conservative_min_dscr"] < 0
    own = _own_text(html)
    assert f"{p.figures['conservative_min_dscr']:.2f}" not in own
    row = _text(re.search(r'<tr data-party="supplier">(.*?)</tr>', html).group(1))
    assert "0.0 years" not in row and "no investment" in row


def test_no_internal_identifiers_in_the_proposals_own_text(hk02, tn01, tn05):
    for _, html in (hk02, tn01, tn05):
        own = _own_text(html)
        for bad in ("forgone_byproduct_sale", "financing.borrower", "case override",
                    "target min dscr", "year(s)", "the library's equity invested",
                    "ppa price", "byproduct price", "tax.incentive"):
            assert bad not in own, bad
        assert not re.search(r"(?<![\d.])1 years", own)
        words = re.sub(r"\S+\.(yaml|html|xlsx)", "", own)  # file paths may have _
        assert not re.findall(r"\b[a-z]+_[a-z_]+\b", words)


def test_assumed_survey_status_next_steps_and_permit_timing(hk02, tn01, tn05):
    p, html = hk02
    status = _text(re.search(r"<tr><th[^>]*>Status \(2021 survey\)</th>(.*?)</tr>",
                             html).group(1))
    assert status.startswith("in implementation (assumption")
    documents = _section_html(html, "documents")
    for step in p.case.next_steps:
        assert step in _text(documents)
    for p, html in (hk02, tn01, tn05):
        permits = _section_html(html, "permits")
        timings = re.findall(r'data-timing="([a-z_]+)"', permits)
        assert timings and set(timings) <= set(prop.TIMINGS)
        assert len(timings) == len(re.findall(r'<tr data-permit=', permits))
    assert "Investment Registration Certificate" in _text(_section_html(tn01[1], "permits"))
    assert "ammonia" in _text(_section_html(tn01[1], "permits"))
    assert "right-of-way" in _text(_section_html(tn05[1], "permits"))


def test_a_bankable_case_keeps_the_request():
    hk01 = prop.build_proposal("HK-01", run_date=RUN_DATE)
    if hk01.appraisal.npv_usd >= 0 and hk01.financing.min_dscr >= hk01.financing.target_min_dscr \
            and not hk01.is_screening:
        assert hk01.heading == prop.PROPOSAL_TITLE and not hk01.verdict
        assert "Request: a loan of" in hk01.section("summary").text()
    else:
        assert hk01.is_screening


def test_the_esmp_register_is_read_once_per_proposal(monkeypatch):
    from eip_analysis import esmp

    calls = []
    read = esmp.register_for
    monkeypatch.setattr(esmp, "register_for", lambda case: calls.append(case.id) or read(case))
    p = prop.build_proposal("HK-02", run_date=RUN_DATE)
    assert calls == ["HK-02"]
    assert "No environmental and social risk register" not in \
        p.section("environment").blocks[0].content
