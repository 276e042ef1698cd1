"""Reports in Vietnamese: the catalog, the language parameter, Vietnamese numbers, case texts
marked as not translated, charts with diacritics, and a Vietnamese report with no English
fixed text (eip_analysis.i18n and the report layer)."""

from __future__ import annotations

import html.parser
import re
import warnings

import pytest
from babel.messages.pofile import read_po

from eip_analysis import formatting, i18n
from eip_analysis.cases import load_case
from eip_analysis.errors import InputError
from eip_analysis.report import check_parameters, parse_assignments

from .conftest import FIXTURE_CASES, MINI


def _catalog():
    with i18n.po_path("vi").open("rb") as handle:
        return read_po(handle, locale="vi")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


# -- the catalog ---------------------------------------------------------------------------------


class TestCatalog:
    def test_every_message_has_a_vietnamese_translation(self):
        catalog = _catalog()
        assert not catalog.fuzzy  # the header
        empty = [m.id for m in catalog if m.id and (
            not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
        fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
        assert not empty, f"{len(empty)} messages without msgstr, e.g. {empty[:3]}"
        assert not fuzzy, f"fuzzy entries: {fuzzy[:3]}"
        assert len([m for m in catalog if m.id]) > 400

    def test_catalog_is_up_to_date_with_the_sources(self):
        extracted = {m.id for m in i18n.extract_catalog() if m.id}
        in_po = {m.id for m in _catalog() if m.id}
        with i18n.TEMPLATE.open("rb") as handle:
            in_pot = {m.id for m in read_po(handle) if m.id}
        assert extracted - in_po == set(), "new messages: python -m eip_analysis.i18n extract"
        assert in_po - extracted == set(), "messages gone from the sources still in the .po"
        assert in_pot == extracted

    def test_placeholders_are_kept(self):
        for m in _catalog():
            if not m.id or isinstance(m.id, tuple):
                continue
            assert set(re.findall(r"\{(\w*)\}", m.id)) == set(re.findall(r"\{(\w*)\}",
                                                                         m.string)), m.id
            assert sorted(re.findall(r"%\((\w+)\)s", m.id)) == sorted(
                re.findall(r"%\((\w+)\)s", m.string)), m.id

    def test_compiled_on_first_use_when_the_mo_is_missing_or_stale(self, tmp_path, monkeypatch):
        import shutil

        po = tmp_path / "vi" / "LC_MESSAGES" / "eip_analysis.po"
        po.parent.mkdir(parents=True)
        shutil.copy(i18n.po_path("vi"), po)
        monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
        assert not po.with_suffix(".mo").exists()
        assert i18n.translator("vi").gettext("Key figures") == "Key figures"  # not a msgid
        assert i18n.translator("vi").gettext("Payback") == "Thời gian hoàn vốn"
        assert po.with_suffix(".mo").is_file()  # written beside the .po

    def test_glossary_has_every_language(self):
        from eip_analysis.report.render import glossary_terms

        terms = glossary_terms()
        assert {"NPV", "IRR", "MIRR", "DSCR", "CFADS", "tCO2e", "ESMP"} <= {
            t["abbreviation"] for t in terms}
        for t in terms:
            for language in i18n.LANGUAGES[1:]:
                assert t[language]["term"] and t[language]["note"], t["en"]


# -- the parameter -------------------------------------------------------------------------------


class TestLanguageParameter:
    def test_vnd_is_the_default_currency_of_a_vietnamese_report(self):
        assert check_parameters("MINI-01", FIXTURE_CASES).currency == "USD"
        run = check_parameters("MINI-01", FIXTURE_CASES, language="vi")
        assert (run.language, run.currency) == ("vi", "VND")
        assert run.given == {"currency": "VND", "language": "vi"}

    def test_an_explicit_currency_wins(self):
        run = check_parameters("MINI-01", FIXTURE_CASES, language="vi", currency="USD")
        assert run.currency == "USD"

    @pytest.mark.parametrize("bad", ["fr", "", "english", 1])
    def test_bad_language_is_one_line(self, bad):
        with pytest.raises(InputError) as err:
            check_parameters("MINI-01", FIXTURE_CASES, language=bad)
        message = str(err.value)
        assert "\n" not in message
        assert message.startswith('language: expected "en" or "vi"')

    def test_run_accepts_language(self):
        assert parse_assignments(["language=vi"]) == {"language": "vi"}

    def test_languages_option(self):
        from eip_analysis.batch import language_folder, language_parameters, parse_languages

        assert parse_languages("en,vi", {}) == ["en", "vi"]
        assert language_parameters({"discount_rate": "0.08"}, "vi") == {
            "discount_rate": "0.08", "language": "vi"}
        assert language_parameters({}, "en") == {}  # the English run key of today
        assert language_folder("/r", "vi").as_posix() == "/r/vi"
        for bad, words in (("en,fr", "languages among"), ("vi,vi", "at most once")):
            with pytest.raises(InputError, match=words):
                parse_languages(bad, {})
        with pytest.raises(InputError, match="not both"):
            parse_languages("vi", {"language": "vi"})

    def test_the_language_is_in_the_run_and_build_keys(self, tmp_path):
        from eip_analysis.batch import ReportTask, keyed

        en = keyed(ReportTask("MINI-01", str(tmp_path), str(FIXTURE_CASES)))
        vi = keyed(ReportTask("MINI-01", str(tmp_path / "vi"), str(FIXTURE_CASES),
                              parameters={"language": "vi"}))
        assert en.build_parts["run"] != vi.build_parts["run"]
        assert en.build_parts["code"] == vi.build_parts["code"]


# -- numbers and dates -------------------------------------------------------------------------


class TestVietnameseNumbers:
    def test_numbers(self):
        with i18n.use_language("vi"):
            assert formatting.plain(1234567.8) == "1.234.567,8"
            assert formatting.number(1234567.8, digits=1) == "1.234.567,8"
            assert formatting.percent(0.0866) == "8,7%"
            assert formatting.years(2.6) == "2,6 năm"
            assert formatting.years(float("inf")) == "không bao giờ"
            assert formatting.money(float("nan")) == "không xác định"
            assert formatting.quantity(1205.37, "tCO2e/yr") == "1.205 tCO2e/năm"
            assert formatting.plain(2023, thousands=False) == "2023"
        assert formatting.plain(1234567.8) == "1,234,567.8"  # English unchanged

    def test_money_as_babel_writes_it(self):
        with i18n.use_language("vi"):
            assert formatting.money(1234567.8, "VND") == "1.234.568\u00a0₫"
            assert formatting.money(-1234.5, "USD", digits=2) == "-1.234,50\u00a0US$"

    def test_dates(self):
        from datetime import UTC, datetime

        moment = datetime(2026, 5, 3, 14, 5, tzinfo=UTC)
        assert i18n.format_run_date(moment) == "2026-05-03 14:05 UTC"
        with i18n.use_language("vi"):
            assert i18n.format_run_date(moment) == "14:05 UTC, ngày 03/05/2026"


# -- case texts ----------------------------------------------------------------------------------


class TestCaseTexts:
    def test_real_cases_carry_vietnamese_titles(self):
        case = load_case("HK-01")
        title, translated = case.text_in("title", "vi")
        assert translated and "khí sinh học" in title.lower()
        assert all(ok for _, ok in case.next_steps_in("vi"))

    def test_a_missing_translation_is_the_english_text(self):
        case = load_case(MINI)
        assert case.text_in("title", "vi") == (case.title, False)
        assert case.text_in("title", "en") == (case.title, True)

    def test_next_steps_must_match(self, mini_data, write_case):
        from .conftest import one_line_error

        mini_data["vi"] = {"next_steps": ["một", "hai", "ba", "bốn", "năm", "sáu"]}
        assert "vi.next_steps: one text per next step" in one_line_error(write_case, mini_data)

    def test_untranslated_marker_and_escaping(self, mini_data, write_case):
        from eip_analysis import appraise
        from eip_analysis.report import barriers_html, title_block_html

        mini_data["vi"] = {"title": "<script>alert('tiêu đề')</script> Dăm gỗ"}
        case = load_case(write_case(mini_data))
        with i18n.use_language("vi"):
            page = str(title_block_html(appraise(case), "VND"))
            steps = str(barriers_html(case))
        assert "<script>" not in page
        assert "&lt;script&gt;alert(&#39;tiêu đề&#39;)&lt;/script&gt; Dăm gỗ" in page
        # the exchange has no Vietnamese version: English, lang="en", marked
        assert (f'<span lang="en">{case.exchange}</span> <span class="untranslated">(chưa dịch)'
                f'</span>') in page
        assert '<span class="untranslated">(chưa dịch)</span>' in steps


# -- charts --------------------------------------------------------------------------------------


def test_a_chart_with_vietnamese_diacritics_has_no_missing_glyph(mini_data, write_case):
    import io

    from eip_analysis import appraise
    from eip_analysis.report import cash_flow_figure

    mini_data["vi"] = {"title": "Dăm gỗ thay than"}
    appraisal = appraise(load_case(write_case(mini_data)))
    with i18n.use_language("vi"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = cash_flow_figure(appraisal, "VND")
        fig.suptitle("Thời gian hoàn vốn có chiết khấu · Phát thải giảm được · ỹ ặ ữ đ")
        fig.savefig(io.BytesIO(), format="png")
    assert "Dòng tiền cộng dồn" in fig.axes[0].get_title(loc="left")
    assert not [w for w in caught if "missing from" in str(w.message)
                or "Glyph" in str(w.message)], [str(w.message) for w in caught]


# -- a Vietnamese report -------------------------------------------------------------------------


def _english_pieces() -> set[str]:
    """The fixed English words of the catalog's messages (around their placeholders), each long
    enough to be English prose (more than 12 characters, two words or more), where the
    Vietnamese translation differs."""
    pieces = set()
    for m in _catalog():
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        for msgid in ids:
            if not msgid or msgid in (m.string if isinstance(m.string, tuple) else (m.string,)):
                continue  # the same in both languages (NPV, IRR, P10...)
            for piece in re.split(r"\{\w*\}|%\(\w+\)s|<[^>]+>|&\w+;", msgid.replace("%%", "%")):
                piece = re.sub(r"\s+", " ", piece).strip(" .,;:()[]")
                if len(piece) > 12 and " " in piece:
                    pieces.add(piece)
    return pieces


# -- the library's sentences ---------------------------------------------------------------------


def _library_sentences(case_id: str) -> dict[str, list[str]]:
    """Every sentence the library writes for one case (warnings, findings, tornado notes, the
    transfer-price sentence, the emissions notes), in the active language."""
    from eip_analysis import appraise, checks, risk
    from eip_analysis.financing import appraise_financing
    from eip_analysis.parties import parties_warnings, party_view, transfer_price_range

    a = appraise(load_case(case_id))
    tpr = transfer_price_range(a)
    fa = appraise_financing(a)
    return {
        "warnings": list(a.warnings),
        "financing": list(fa.warnings),
        "lender": [fa.flows.terms.lender],
        "parties": parties_warnings(party_view(a), tpr),
        "transfer_price": [tpr.words()],
        "tornado": list(risk.tornado(a)["note"]),
        "scenarios": list(risk.scenarios(a).results["description"]),
        "methods": list(a.emissions["method"]),
        "checks": [f.message for f in checks.check_case(a)],
    }


def _findings(mini_data, write_case) -> list[str]:
    """Plausibility findings of a crafted case and portfolio: no contingency, no VAT basis, no
    leakage statement, IRR to verify, a unit cost and an exclusion that does not match."""
    from eip_analysis.checks import check_case, check_portfolio

    mini_data["benefits"][0]["unit_price"].update(value=200, low=150, high=250)
    mini_data["capex"][0]["benchmark"] = {"range": "steam_pipeline_capex", "per": {
        "value": 1000, "unit": "m", "source": "assumption: 1 km line"}}
    mini_data["excludes"] = [{"case": "MINI-01", "reason": "fixture"}]
    a = load_case(write_case(dict(mini_data, id="A-01"), "A-01"))
    b = load_case(write_case(dict(mini_data, excludes=[]), "MINI-01"))
    return [f.message for f in check_case(a) + check_portfolio([a, b], {})]


@pytest.fixture(scope="module")
def both():
    """(English, Vietnamese) sentences of two cases with many warnings."""
    out = {}
    for case_id in ("TN-01", "HK-05"):
        with i18n.use_language("en"):
            en = _library_sentences(case_id)
        with i18n.use_language("vi"):
            vi = _library_sentences(case_id)
        out[case_id] = (en, vi)
    return out


class TestLibrarySentences:
    def test_vietnamese_sentences_are_translated(self, both):
        english = _english_pieces()
        for case_id, (en, vi) in both.items():
            assert len(vi["warnings"]) >= 1 and len(vi["financing"]) >= 3, case_id
            for kind in ("warnings", "financing", "lender", "parties", "transfer_price",
                         "tornado", "scenarios", "methods"):
                assert len(en[kind]) == len(vi[kind]) > 0, (case_id, kind)
                for e, v in zip(en[kind], vi[kind]):
                    assert v != e, (case_id, kind, v)
                    found = sorted(p for p in english if p in v)
                    if kind == "methods":  # the case's own basis of a leakage statement
                        found = [p for p in found if p not in e.split("Basis: ")[-1]]
                    assert not found, (case_id, kind, found, v)

    def test_findings_are_translated(self, mini_data, write_case):
        import copy

        with i18n.use_language("en"):
            en = _findings(copy.deepcopy(mini_data), write_case)
        with i18n.use_language("vi"):
            vi = _findings(copy.deepcopy(mini_data), write_case)
        assert len(en) == len(vi) >= 6
        english = _english_pieces()
        for e, v in zip(en, vi):
            assert v != e
            assert not [p for p in english if p in v], v
        assert any("thuế GTGT" in v for v in vi)
        assert any(v.startswith("MINI-01 không khai báo loại trừ A-01") for v in vi)

    def test_english_unchanged(self, both):
        en = both["TN-01"][0]
        assert "Never paid back: cumulative cash flow stays negative over the 12-year life." \
            in en["warnings"]
        assert any(w.startswith("The exchange adds ") and " tCO2e a year (mostly leakage (rice "
                   "husk users)) instead of avoiding emissions" in w for w in en["warnings"])
        assert en["lender"] == ["commercial bank (default terms)"]
        assert en["transfer_price"][0].startswith(
            "No price of the byproduct price transfer lets both parties break even: the "
            "exchange as a whole has a negative NPV (-USD 619,415).")
        assert any(n.startswith("None in range: NPV stays below 0 for any ")
                   for n in en["tornado"])
        assert en["scenarios"][0] == "every input at its value"
        assert any(n.startswith("NPV zero at ") and "(inside the assessed range " in n
                   for n in en["tornado"])

    def test_warnings_follow_the_language_of_the_run(self):
        from eip_analysis.report import RunContext

        english = RunContext.build(check_parameters("TN-01")).appraisal.warnings
        vietnamese = RunContext.build(check_parameters("TN-01", language="vi")).appraisal.warnings
        assert vietnamese[0].startswith("Không bao giờ hoàn vốn")
        assert english[0].startswith("Never paid back")
        assert RunContext.build(check_parameters("TN-01")).appraisal.warnings == english

    def test_cross_case_findings_are_cached_per_language(self, mini_data, write_case):
        from eip_analysis.report import sections

        mini_data["excludes"] = [{"case": "NONE-01", "reason": "fixture"}]
        case = load_case(write_case(mini_data))
        folder = write_case.folder
        with i18n.use_language("en"):
            en = [f.message for f in sections._across_cases(folder) if f.case_id == case.id]
        with i18n.use_language("vi"):
            vi = [f.message for f in sections._across_cases(folder) if f.case_id == case.id]
        assert en == ["NONE-01 is not among the cases checked"]
        assert vi == ["NONE-01 không nằm trong các dự án được kiểm tra"]

    def test_vocabulary_moved_with_a_re_export(self):
        from eip_analysis.report import render

        assert render.word is i18n.word and render.WORDS is i18n.WORDS
        with i18n.use_language("vi"):
            assert i18n.word("supplier") == "bên cung cấp"
            assert i18n.word("triangular") == "phân phối tam giác"
            assert i18n.fmt(0.123, "+.1%") == "+12,3%"
        assert i18n.fmt(1234.5, ",.4g") == format(1234.5, ",.4g")


class _Visible(html.parser.HTMLParser):
    """The text a reader sees (not styles, not the title), English case text (lang="en")
    left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        english = dict(attrs).get("lang") == "en"
        self._stack.append(english)
        if tag in ("style", "title") or english:
            self._skip += 1
        if tag == "img":
            self.parts.append(dict(attrs).get("alt") or "")

    def handle_endtag(self, tag):
        if self._stack and (self._stack.pop() or tag in ("style", "title")):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


@pytest.fixture(scope="module")
def vietnamese_report(tmp_path_factory):
    from eip_analysis.report import execute_report

    out = tmp_path_factory.mktemp("vi")
    run = check_parameters("MINI-01", FIXTURE_CASES, language="vi")
    html_path, summary = execute_report(run, out)
    return html_path.read_text(encoding="utf-8"), summary


@pytest.mark.notebook
class TestVietnameseReport:
    def test_no_english_fixed_text(self, vietnamese_report):
        page, _ = vietnamese_report
        parser = _Visible()
        parser.feed(page)
        text = re.sub(r"\s+", " ", " ".join(parser.parts))
        found = []
        for m in _catalog():
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            for msgid in ids:
                if not msgid or msgid in (m.string if isinstance(m.string, tuple)
                                          else (m.string,)):
                    continue  # the same in both languages (NPV, IRR, P10...)
                # the fixed words around placeholders, each long enough to be English prose
                for piece in re.split(r"\{\w*\}|%\(\w+\)s|<[^>]+>|&\w+;", msgid.replace("%%",
                                                                                           "%")):
                    piece = re.sub(r"\s+", " ", piece).strip(" .,;:()[]")
                    if len(piece) > 12 and " " in piece and piece in text:
                        found.append(piece)
        assert not found, f"English fixed text in the Vietnamese report: {sorted(set(found))}"

    def test_vietnamese_page_numbers_vnd_and_untranslated_marks(self, vietnamese_report):
        page, summary = vietnamese_report
        assert '<html lang="vi">' in page
        assert summary["language"] == "vi" and summary["currency"] == "VND"
        assert re.search(r"\d{1,3}(\.\d{3})+\u00a0₫", page)  # 2.315.978.000 ₫
        assert re.search(r"\d+,\d%", page)  # 11,0%
        assert '"Trang " counter(page) "/" counter(pages)' in page  # printed pages
        assert "Các chỉ tiêu chính" in page
        assert '<span class="untranslated">(chưa dịch)</span>' in page
        assert 'id="glossary"' in page and "Hệ số khả năng trả nợ" in page
