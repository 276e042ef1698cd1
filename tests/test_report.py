"""One report: parameters, figures, tables, escaping, the notebook run and the HTML page."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from eip_analysis import __version__, appraise, formatting, load_case, report, risk
from eip_analysis.cases import load_case as load
from eip_analysis.errors import InputError
from eip_analysis.report import Section, sections

from .conftest import FIXTURE_CASES, MINI, each_mapping

NOTEBOOKS = Path(__file__).resolve().parent / "data" / "notebooks"
RATE = 23159.78  # exchange_rate_vnd_per_usd of data/raw/parameters [VND/USD]
XSS = "<script>alert(1)</script>"


# -- helpers shared with test_batch -------------------------------------------------------------


class _Collector(HTMLParser):
    """Text of the elements carrying a ``data-key`` inside a table with a given id."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.key, self.found = table_id, False, None, {}
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "td" and "data-key" in a:
            self.key = a["data-key"]
            self.found[self.key] = ""
            self.values[self.key] = a.get("data-value", "")

    def handle_endtag(self, tag):
        if tag == "td":
            self.key = None
        elif tag == "table":
            self.inside = False

    def handle_data(self, data):
        if self.key is not None:
            self.found[self.key] += data


def key_figures_in(html: str) -> dict[str, str]:
    """``{data-key: shown text}`` of the key-figures table of a page."""
    parser = _Collector("key-figures")
    parser.feed(html)
    return parser.found


REMOTE_URL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
REMOTE_CSS = re.compile(r"@import|url\(\s*[\"']?\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
URL_ATTRIBUTES = {"src", "href", "srcset", "action", "formaction", "poster", "data",
                  "background", "cite", "manifest", "xlink:href"}


class _References(HTMLParser):
    """Collect references to other hosts from real tags (not from text that looks like one)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        self.in_style = tag == "style"
        for name, value in attrs:
            value = value or ""
            if name in URL_ATTRIBUTES and any(REMOTE_URL.match(v.strip().split(" ")[0])
                                              for v in value.split(",") if v.strip()):
                self.found.append(f"<{tag} {name}={value}>")
            if name == "style" and REMOTE_CSS.search(value):
                self.found.append(f"<{tag} style={value}>")

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style and REMOTE_CSS.search(data):
            self.found.append(REMOTE_CSS.search(data).group(0))


def external_references(html: str) -> list[str]:
    """Every reference to another host: URL attributes of tags, @import and url() in CSS."""
    parser = _References()
    parser.feed(html)
    return parser.found


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mini():
    return appraise(load_case(MINI))


def _vnd_variant(data: dict) -> dict:
    """MINI-01 with every amount in VND (same numbers, now read as VND)."""
    data = json.loads(json.dumps(data))
    data["currency"] = "VND"

    def walk(node):
        if "unit" in node and isinstance(node["unit"], str) and node["unit"].startswith("USD"):
            node["unit"] = "VND" + node["unit"][3:]

    each_mapping(data, walk)
    return data


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """MINI-01 run once through the report notebook with papermill."""
    out = tmp_path_factory.mktemp("reports")
    run = report.check_parameters("MINI-01", FIXTURE_CASES, mc_draws=500)  # keep it fast
    html_path = report.run_report(run, out)
    return {"out": out, "html_path": html_path, "html": html_path.read_text(encoding="utf-8"),
            "appraisal": report.RunContext.build(run).appraisal}


# -- parameters --------------------------------------------------------------------------------


class TestCheckParameters:
    def test_defaults_are_none_and_usd(self):
        run = report.check_parameters("MINI-01", FIXTURE_CASES)
        assert run.currency == "USD" and run.overrides == {} and run.given == {}
        assert run.cases_dir == str(FIXTURE_CASES.resolve())

    def test_strings_from_the_command_line_are_typed(self):
        run = report.check_parameters("MINI-01", FIXTURE_CASES, discount_rate="0.08",
                                      currency="vnd", grid_factor_year="2020", gwp_set="AR6",
                                      exchange_rate_vnd_per_usd="25000")
        assert run.overrides == {"discount_rate": 0.08, "exchange_rate_vnd_per_usd": 25000.0,
                                 "grid_factor_year": 2020, "gwp_set": "AR6"}
        assert run.currency == "VND"
        assert report.RunContext.build(run).parameters["discount_rate"] == 0.08
        assert report.RunContext.build(run).overrides == run.overrides

    def test_monte_carlo_draws_and_seed(self):
        run = report.check_parameters("MINI-01", FIXTURE_CASES, mc_draws="500", mc_seed=7)
        assert (run.mc_draws, run.mc_seed) == (500, 7)
        assert run.given == {"mc_draws": 500, "mc_seed": 7}
        default = report.check_parameters("MINI-01", FIXTURE_CASES)
        assert (default.mc_draws, default.mc_seed) == (10_000, 20211130) and default.given == {}
        for bad in (0, -5, 2.5, "many", True, 99, 200_001, "10_000_000"):
            with pytest.raises(InputError,
                               match="mc_draws: expected an integer from 100 to 200,000"):
                report.check_parameters("MINI-01", FIXTURE_CASES, mc_draws=bad)
        with pytest.raises(InputError, match="mc_seed: expected an integer >= 0"):
            report.check_parameters("MINI-01", FIXTURE_CASES, mc_seed=-1)

    @pytest.mark.parametrize("kwargs, message", [
        ({"discount_rate": 1.5}, "discount_rate: expected a real discount rate in [0, 1)"),
        ({"discount_rate": "ten"}, "discount_rate: expected a real discount rate"),
        ({"currency": "EUR"}, "currency: expected USD or VND, got 'EUR'"),
        ({"grid_factor_year": 1990}, "grid_factor_year: expected a year with a published grid"),
        ({"gwp_set": "AR4"}, "gwp_set: expected AR5 or AR6, got 'AR4'"),
        ({"exchange_rate_vnd_per_usd": -1}, "exchange_rate_vnd_per_usd: expected a rate from 1,000"),
    ])
    def test_a_bad_value_is_one_line_naming_the_parameter(self, kwargs, message):
        with pytest.raises(InputError) as err:
            report.check_parameters("MINI-01", FIXTURE_CASES, **kwargs)
        assert str(err.value).startswith(message) and "\n" not in str(err.value)

    def test_unknown_case_lists_the_known_ones(self):
        with pytest.raises(InputError, match="one of the case ids.*MINI-01"):
            report.check_parameters("NOPE-01", FIXTURE_CASES)

    @pytest.mark.parametrize("bad", ["../MINI-01", "a b", 42])
    def test_case_id_must_be_a_plain_name(self, bad):
        with pytest.raises(InputError, match="case id|case_id"):
            report.check_parameters(bad, FIXTURE_CASES)

    def test_missing_cases_folder(self, tmp_path):
        with pytest.raises(InputError, match="cases_dir: expected an existing folder"):
            report.check_parameters("MINI-01", tmp_path / "nope")

    def test_notebook_parameter_cell_matches_check_parameters(self):
        found = papermill.inspect_notebook(str(report.NOTEBOOK))
        assert tuple(found) == report.NOTEBOOK_PARAMETERS
        assert found["case_id"]["default"] == '"HK-01"'
        assert all(found[n]["default"] == "None" for n in report.APPRAISAL_OVERRIDES)
        assert all(found[n]["help"] for n in found), "every parameter is commented"


class TestParseAssignments:
    def test_pairs(self):
        assert report.parse_assignments(["discount_rate=0.08", "currency = VND"]) == {
            "discount_rate": "0.08", "currency": "VND"}

    @pytest.mark.parametrize("bad, message", [
        ("discount_rate", "-p: expected NAME=VALUE"),
        ("=0.1", "-p: expected NAME=VALUE"),
        ("tax=0.2", "-p: expected a report parameter"),
        ("case_id=HK-01", "-p: expected a report parameter"),
    ])
    def test_bad_pairs(self, bad, message):
        with pytest.raises(InputError, match=re.escape(message)):
            report.parse_assignments([bad])


# -- figures and tables ------------------------------------------------------------------------


class TestConvertUsd:
    def test_usd_unchanged_vnd_at_the_rate(self):
        assert report.convert_usd(12.5, "USD", RATE) == 12.5
        assert report.convert_usd(100.0, "VND", RATE) == pytest.approx(2_315_978.0)

    def test_unknown_currency(self):
        with pytest.raises(InputError, match="USD or VND"):
            report.convert_usd(1.0, "EUR", RATE)

    def test_cashflows_in_vnd_renames_and_converts_money_only(self, mini):
        vnd = report.cashflows_in(mini, "VND")
        assert "net_cash_flow_vnd" in vnd and "net_cash_flow_usd" not in vnd
        assert vnd["net_cash_flow_vnd"].tolist() == pytest.approx(
            (mini.cashflows["net_cash_flow_usd"] * RATE).tolist())
        assert vnd["discount_factor"].tolist() == mini.cashflows["discount_factor"].tolist()

    def test_a_vnd_case_reported_in_vnd_shows_its_own_amounts(self, mini_data, write_case):
        case = load_case(write_case(_vnd_variant(mini_data)))
        figures = report.key_figures(appraise(case), "VND").set_index("key")
        assert figures.loc["capex", "value"] == pytest.approx(100_000.0)
        assert figures.loc["capex", "text"] == "VND 100,000"
        assert figures.loc["irr", "value"] == pytest.approx(appraise(load_case(MINI)).irr)


class TestFormatFigure:
    @pytest.mark.parametrize("value, unit, currency, text", [
        (66705.6, "USD", "USD", "USD 66,706"),
        (-56988.03, "USD", "USD", "-USD 56,988"),
        (30909.6, "USD/yr", "USD", "USD 30,910 per year"),
        (-0.6019, "USD/tCO2e", "USD", "-USD 0.60 per tCO2e"),
        (-13939.4, "VND/tCO2e", "VND", "-VND 13,939 per tCO2e"),
        (float("nan"), "USD/tCO2e", "USD", "not defined"),
        (0.16497, "1/yr", "USD", "16.5%"),
        (float("nan"), "1/yr", "USD", "not defined"),
        (5.448, "yr", "USD", "5.4 years"),
        (math.inf, "yr", "USD", "never"),
        (1205.37, "tCO2e/yr", "USD", "1,205 tCO2e/yr"),
        (0.615, "tCO2e/yr", "USD", "0.61 tCO2e/yr"),
        (2_315_978.4, "VND", "VND", "VND 2,315,978"),
    ])
    def test_examples(self, value, unit, currency, text):
        assert report.format_figure(value, unit, currency) == text


class TestKeyFigures:
    def test_values_are_the_appraisal_metrics(self, mini):
        table = report.key_figures(mini).set_index("key")
        m = mini.metrics
        expected = {
            "capex": m.capex_usd, "annual_net_benefit": m.annual_net_benefit_usd,
            "npv": m.npv_usd, "irr": m.irr, "mirr": m.mirr, "payback": m.payback_years,
            "discounted_payback": m.discounted_payback_years,
            "co2e_avoided_per_year": m.co2e_avoided_t_per_year,
            "co2e_avoided_lifetime": m.co2e_avoided_t_lifetime,
            "abatement_cost": m.abatement_cost_usd_per_tco2e,
            "supplier_npv": m.supplier_npv_usd, "receiver_npv": m.receiver_npv_usd,
        }
        assert list(table.index) == list(expected)  # the order a bank reads
        for key, value in expected.items():
            assert table.loc[key, "value"] == value, key
            assert table.loc[key, "text"] == report.format_figure(value, table.loc[key, "unit"])

    def test_hand_worked_mini_figures(self, mini):
        text = report.key_figures(mini).set_index("key")["text"]
        assert text["capex"] == "USD 100,000"
        assert text["annual_net_benefit"] == "USD 17,000 per year"
        assert text["npv"] == "USD 4,458"
        assert text["co2e_avoided_lifetime"] == "12,054 tCO2e"

    def test_vnd_converts_money_not_rates_nor_tonnes(self, mini):
        usd = report.key_figures(mini, "USD").set_index("key")["value"]
        vnd = report.key_figures(mini, "VND").set_index("key")["value"]
        for key in ("capex", "annual_net_benefit", "npv", "abatement_cost", "supplier_npv"):
            assert vnd[key] == pytest.approx(usd[key] * RATE)
        for key in ("irr", "mirr", "payback", "co2e_avoided_per_year"):
            assert vnd[key] == usd[key]

    def test_labels_carry_the_discount_rate_of_the_run(self):
        a = appraise(load_case(MINI), discount_rate=0.08)
        label = report.key_figures(a).set_index("key").loc["npv", "label"]
        assert "8.0% real discount rate" in label

    def test_headline_npv_and_irr_say_before_financing_and_tax(self):
        labels = report.key_figures(appraise(load_case(MINI))).set_index("key")["label"]
        assert labels["npv"] == ("Net present value (NPV), before financing and tax, at a 10.0% "
                                 "real discount rate")
        assert "before financing and tax" in labels["irr"]

    def test_indicators_appear_when_not_zero(self, mini_data, write_case):
        mini_data["resource_flows"].append({
            "flow": "water", "party": "receiver", "description": "Cooling water",
            "baseline_per_year": {"value": 1000, "unit": "m3/yr", "source": "assumption: x"},
            "project_per_year": {"value": 400, "unit": "m3/yr", "source": "assumption: x"}})
        table = report.key_figures(appraise(load_case(write_case(mini_data)))).set_index("key")
        assert table.loc["water_saved", "text"] == "600 m3/yr"
        assert "waste_diverted" not in table.index

    def test_meaningless_results_are_said_in_words(self, mini_data, write_case):
        mini_data["benefits"][0]["unit_price"] = {"value": 10, "unit": "USD/t",
                                                  "source": "assumption: x"}
        a = appraise(load_case(write_case(mini_data)))
        text = report.key_figures(a).set_index("key")["text"]
        assert text["irr"] == "not defined" and text["payback"] == "never"
        html = report.warnings_html(a)
        assert "IRR not defined" in html and "Never paid back" in html


class TestKeyFiguresSideBySide:
    def test_one_column_per_appraisal(self, mini):
        changed = appraise(mini.case, discount_rate=0.08)
        table = report.key_figures_side_by_side({"base": mini, "8%": changed})
        assert list(table.columns) == ["label", "base", "8%"]
        assert table.loc["npv", "base"] == "USD 4,458"
        assert table.loc["npv", "8%"] == report.format_figure(changed.npv_usd, "USD")
        assert table.loc["irr", "base"] == table.loc["irr", "8%"]


class TestTables:
    def test_assumptions_list_every_input_and_parameter(self, mini):
        table = report.assumptions_table(mini)
        paths = {p for p, _, _ in mini.case.quantities()}
        assert paths <= set(table["path"])
        assert {f"parameters.{p['parameter']}" for p in mini.parameters.table()} <= set(
            table["path"])
        row = table.set_index("path")
        assert row.loc["capex.dryer.amount", "value"] == "100,000"
        assert row.loc["capex.dryer.amount", "range"] == "80,000 to 120,000"
        assert row.loc["parameters.discount_rate", "value"] == "10%"
        assert row.loc["parameters.exchange_rate_vnd_per_usd", "value"] == "23,159.78"
        assert row.loc["parameters.price_year", "value"] == "2021"
        assert row.loc["capex.dryer.amount", "is_assumption"]

    def test_assumption_sources_are_marked_in_html(self, mini):
        html = report.assumptions_html(mini)
        assert '<em>assumption</em>: fixture' in html
        assert 'data-path="capex.dryer.amount"' in html

    def test_cash_flow_total_row_discounts_to_npv(self, mini):
        table = report.cashflow_table(mini)
        total = table[table["phase"] == "total"].iloc[0]
        assert total["discounted_cash_flow_usd"] == pytest.approx(mini.npv_usd)
        assert total["net_cash_flow_usd"] == pytest.approx(70_000.0)
        assert len(table) == len(mini.cashflows) + 1

    def test_cash_flow_html_shows_whole_units_or_millions(self, mini):
        usd = report.cashflow_html(mini)
        assert "Amounts in USD per year" in usd and "-100,000" in usd and "4,458" in usd
        vnd = report.cashflow_html(mini, "VND")
        assert "Amounts in VND million per year" in vnd
        assert formatting.number(-100_000 * RATE / 1e6, digits=1) in vnd  # -2,316.0

    def test_emissions_total_equals_the_metric(self, mini):
        table = report.emissions_table(mini)
        total = table[table["flow"] == "total"].iloc[0]
        assert total["avoided_co2e_t_per_year"] == pytest.approx(mini.co2e_avoided_t_per_year)
        html = report.emissions_html(mini)
        assert "Bituminous coal" in html and "IPCC 2006" in html and "1,205" in html

    def test_uncounted_flows_say_so(self, mini_data, write_case):
        mini_data["resource_flows"].append({
            "flow": "waste_landfill", "party": "supplier", "description": "Offcuts landfilled",
            "baseline_per_year": {"value": 50, "unit": "t/yr", "source": "assumption: x"},
            "project_per_year": {"value": 0, "unit": "t/yr", "source": "assumption: x"}})
        html = report.emissions_html(appraise(load_case(write_case(mini_data))))
        assert "not counted" in html and "first-order-decay" in html

    def test_provenance(self, mini):
        run = report.check_parameters("MINI-01", FIXTURE_CASES, discount_rate=0.08)
        rows = {k: text for k, _, text in report.provenance(
            mini, run, run_date=datetime(2021, 5, 1, 8, 30, tzinfo=UTC))}
        assert rows["package"] == f"eip-analysis {__version__}"
        assert rows["case_sha256"] == mini.case.sha256 and len(rows["case_sha256"]) == 64
        assert rows["case_file"] == "tests/data/cases/MINI-01.yaml"
        assert rows["run_parameters"] == "discount_rate = 0.08"
        assert "discount_rate = 0.1 [1/yr]" in rows["parameters_used"]
        assert rows["run_date"] == "2021-05-01 08:30 UTC"
        assert rows["git_commit"]

    def test_git_commit_outside_a_checkout_is_none(self, tmp_path):
        assert report.git_commit(tmp_path) is None


class TestEscaping:
    def test_case_text_never_becomes_markup(self, mini):
        case = mini.case.model_copy(update={
            "title": XSS, "exchange": "<img src=x onerror=alert(2)>", "supplier_role": '"><b>x',
            "data_note": "<i>note</i>", "next_steps": ["<a href='//evil.example'>go</a>"]})
        a = appraise(case)
        page = "".join([report.title_block_html(a), report.key_figures_html(a),
                        report.barriers_html(case), report.assumptions_html(a)])
        assert "<script" not in page and "<img" not in page and "<a " not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&#34;&gt;&lt;b&gt;x" in page  # markupsafe writes a quote as &#34;
        assert not external_references(page)

    def test_section_text_tables_and_warnings_are_escaped(self):
        df = pd.DataFrame({"label": [XSS], "npv_usd": [1234567.8], "irr": [0.1234],
                           "path": ["x.y"]})
        section = Section(title="T", text=[XSS], tables={"t": df}, warnings=[XSS])
        page = report.section_html(section, section_id="s")
        assert "<script" not in page
        assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3
        assert "<th>Label</th>" in page and '<th class="num">NPV [USD]</th>' in page
        assert ">1,234,568<" in page and ">12.3%<" in page and "x.y" not in page

    def test_section_tables_follow_the_rules_of_the_key_figures(self):
        scenarios = pd.DataFrame({"scenario": ["base", "conservative"], "irr": [0.16497, -0.03],
                                  "payback_years": [5.447993, np.inf]})
        page = report.frame_html(scenarios, table_id="s")
        assert ">5.4<" in page and ">never<" in page and "unbounded" not in page
        assert ">16.5%<" in page
        summary = pd.DataFrame({"metric": ["payback_years", "irr", "dscr"],
                                "label": ["payback", "IRR", "minimum DSCR"],
                                "unit": ["yr", "1/yr", "-"], "p10": [4.74872, 0.105339, 0.98211],
                                "p90": [np.inf, 0.195628, 1.388889]})
        page = report.frame_html(summary, table_id="mc")
        assert ">4.7<" in page and ">never<" in page and ">10.5%<" in page and ">19.6%<" in page
        assert ">0.98<" in page and ">1/yr<" not in page and ">-<" not in page
        terms = pd.DataFrame({"term": ["debt_share", "loan_tenor_years", "loan_interest_rate"],
                              "value": [0.6, 7, 0.083], "unit": ["fraction", "yr", "1/yr"]})
        page = report.frame_html(terms, table_id="terms")
        assert ">60.0%<" in page and ">8.3%<" in page and ">7<" in page
        assert ">fraction<" not in page and ">per year<" in page and ">years<" in page

    def test_templates_escape_text_and_keep_rendered_fragments(self):
        from markupsafe import Markup

        from eip_analysis.report.render import environment

        assert environment().autoescape is True
        inner = report.warnings_list_html(["<b>"])
        assert "&lt;b&gt;" in inner and isinstance(inner, Markup)
        page = report.page_html("T <1>", inner)
        assert page.count("&lt;b&gt;") == 1 and "<title>T &lt;1&gt;</title>" in page
        assert "&lt;li&gt;" not in page  # a rendered fragment is not escaped twice
        assert "&lt;p&gt;" in report.page_html("T", "<p>")  # plain text is escaped

    def test_fragments_and_sections_display_in_jupyterlab(self, mini):
        fragment = report.key_figures_html(mini)
        assert fragment._repr_html_() == str(fragment)
        section = Section(title="T", text=["words"], key="k")
        assert section._repr_html_().startswith('<section class="analysis" id="k">')

    def test_illustrative_banner(self, mini):
        assert 'id="illustrative-banner"' in report.title_block_html(mini)
        surveyed = appraise(mini.case.model_copy(update={"data_quality": "surveyed"}))
        assert "illustrative-banner" not in report.title_block_html(surveyed)


class TestFigureHtml:
    def test_png_embedded_as_data_uri(self, mini):
        html = report.figure_html(report.cash_flow_figure(mini), alt='cash "flow"')
        assert html.startswith('<figure class="chart"><img src="data:image/png;base64,iVBOR')
        assert 'alt="cash &#34;flow&#34;"' in html


class TestExportHtml:
    def _notebook(self):
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell("case_id = 'SECRET-PARAM'")
        params.metadata["tags"] = ["parameters"]
        shown = nbformat.v4.new_code_cell("display(HTML(x))", outputs=[
            nbformat.v4.new_output("display_data", data={"text/html": "<p id='x'>shown</p>"}),
            nbformat.v4.new_output("stream", name="stderr", text="a warning from a library"),
        ])
        silent = nbformat.v4.new_code_cell("import os  # no output")
        nb.cells = [params, nbformat.v4.new_markdown_cell("## A heading"), shown, silent]
        return nb

    def test_only_outputs_and_text(self):
        page = report.export_html(self._notebook(), title="T <1>")
        assert "<title>T &lt;1&gt;</title>" in page
        assert '<p id="x">shown</p>' in page and "A heading" in page
        for hidden in ("SECRET-PARAM", "display(HTML", "import os", "a warning", "In&nbsp;["):
            assert hidden not in page

    def test_self_contained(self):
        page = report.export_html(self._notebook(), title="T")
        assert "<script" not in page.lower()
        assert not external_references(page)
        assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")

    def test_external_reference_detector(self):
        for bad in ('<script src="https://cdn.example/x.js">', "<link href='//fonts.x/y'>",
                    "<style>@import url(local.css);</style>",
                    "<div style=\"background: url( 'http://x/y.png')\">",
                    '<img srcset="a.png 1x, https://x/b.png 2x">'):
            assert external_references(bad), bad
        for ok in ('<a href="#Key-figures">', '<a href="MINI-01.html">',
                   '<img src="data:image/png;base64,AAAA">',
                   "<p>&lt;iframe src='//evil.example'&gt;</p>"):
            assert not external_references(ok), ok


class TestKernel:
    def test_python3_kernel_is_this_environment(self):
        assert report.kernel_executable("python3") == sys.executable
        assert report.check_kernel("python3") == sys.executable

    def test_a_kernel_of_another_python_is_refused(self, tmp_path, monkeypatch):
        spec = tmp_path / "kernels" / "other"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": ["/opt/elsewhere/bin/python", "-m", "ipykernel_launcher", "-f",
                     "{connection_file}"], "display_name": "other", "language": "python"}))
        monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
        with pytest.raises(report.ReportError, match="runs /opt/elsewhere/bin/python"):
            report.check_kernel("other")

    def test_missing_kernel(self):
        with pytest.raises(report.ReportError, match="no Jupyter kernel named"):
            report.kernel_executable("no-such-kernel-here")


class TestOneLineError:
    def _pm(self, ename, evalue, exec_count=3):
        return PapermillExecutionError(2, exec_count, "src", ename, evalue, ["tb"])

    def test_input_error_inside_a_notebook_is_its_message(self):
        err = self._pm("InputError", "discount_rate: expected a rate, got 1.5")
        assert report.one_line_error(err) == "discount_rate: expected a rate, got 1.5"

    def test_other_errors_name_the_cell(self):
        err = self._pm("ZeroDivisionError", "division by zero\nmore")
        assert report.one_line_error(err) == ("notebook cell In [3]: ZeroDivisionError: "
                                              "division by zero")

    def test_library_errors(self):
        assert report.one_line_error(InputError("x", field="f")) == "f: expected x"
        assert report.one_line_error(RuntimeError("boom\ntrace")) == "RuntimeError: boom"
        assert report.one_line_error(KeyError()) == "KeyError"

    def test_dead_kernel(self):
        from nbclient.exceptions import DeadKernelError

        assert report.one_line_error(DeadKernelError("Kernel died")).startswith(
            "the notebook's kernel died")


# -- the notebook, executed --------------------------------------------------------------------


class TestExecutedReport:
    @pytest.mark.notebook
    def test_figures_equal_the_library_values(self, executed):
        shown = key_figures_in(executed["html"])
        expected = report.key_figures(executed["appraisal"]).set_index("key")["text"].to_dict()
        assert shown == expected

    @pytest.mark.notebook
    def test_self_contained_small_and_without_code(self, executed):
        html = executed["html"]
        assert not external_references(html)
        assert "<script" not in html.lower()
        assert len(html.encode()) < 1_500_000
        for code in ("check_parameters(", "display(HTML", "case_id = ", "In&nbsp;[", "Out["):
            assert code not in html
        # cash flow, emissions, DSCR, transfer price, tornado, NPV distribution
        assert html.count("data:image/png;base64,") == 6

    @pytest.mark.notebook
    def test_sections_in_reading_order(self, executed):
        html = executed["html"]
        marks = ['id="report-title"', 'id="key-figures"', 'id="warnings"', 'id="assumptions"',
                 'id="cashflows"', 'id="emissions"', 'id="financing"', 'id="parties"',
                 'id="sensitivity"', 'id="monte-carlo"', 'id="all-warnings"', 'id="barriers"',
                 'id="provenance"']
        positions = [html.index(m) for m in marks]
        assert positions == sorted(positions)
        assert 'id="illustrative-banner"' in html

    @pytest.mark.notebook
    def test_risk_sections_with_their_headings_and_the_transfer_price_range(self, executed):
        html = executed["html"]
        for heading in ("Financing and debt service", "Both parties&#39;", "Sensitivity",
                        "Monte Carlo", "All warnings"):
            assert heading in html or heading.replace("&#39;", "'") in html, heading
        assert ("Both parties gain (NPV &gt;= 0) when the price of the wood price transfer is "
                "between 26.59 USD/t (supplier breaks even) and 27.5 USD/t") in html
        assert "500 draws (seed 20211130)" in html
        for table in ("financing-loan", "financing-tax", "parties-parties",
                      "parties-transfer-price", "sensitivity-tornado", "monte-carlo-summary"):
            assert f'id="{table}"' in html, table
        assert "Probability that the NPV is positive" in html

    @pytest.mark.notebook
    def test_provenance_names_version_hash_and_the_kernel_python(self, executed):
        html = executed["html"]
        case = executed["appraisal"].case
        assert f"eip-analysis {__version__}" in html and case.sha256 in html
        # the kernel papermill started runs this environment's interpreter
        assert f"{sys.executable} (" in html

    @pytest.mark.notebook
    def test_executed_notebook_is_kept_and_no_temporary_file_left(self, executed):
        out = executed["out"]
        kept = out / "notebooks" / "MINI-01.ipynb"
        nb = nbformat.read(kept, as_version=4)
        assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
        assert sorted(p.name for p in (out / "notebooks").iterdir()) == ["MINI-01.ipynb"]
        assert sorted(p.name for p in out.iterdir()) == ["MINI-01.html", "notebooks"]

    @pytest.mark.notebook
    def test_bad_parameter_fails_in_the_first_cell_with_one_line(self, tmp_path):
        with pytest.raises(PapermillExecutionError) as err:
            papermill.execute_notebook(
                str(report.NOTEBOOK), str(tmp_path / "out.ipynb"), kernel_name="python3",
                parameters={"case_id": "MINI-01", "cases_dir": str(FIXTURE_CASES),
                            "discount_rate": 1.5},
                progress_bar=False, extra_arguments=report.KERNEL_ARGUMENTS)
        nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        tags = [c.metadata.get("tags", []) for c in code]
        assert tags[0] == ["parameters"] and tags[1] == ["injected-parameters"]
        assert "RunParameters.from_namespace(" in code[2].source  # first after the parameters
        assert err.value.exec_count == code[2].execution_count
        assert err.value.ename == "InputError"
        assert report.one_line_error(err.value) == (
            "discount_rate: expected a real discount rate in [0, 1) [1/yr], got 1.5")


@pytest.mark.notebook
def test_explore_notebook_runs_on_a_case(tmp_path):
    notebook = report.NOTEBOOK.parent / "explore_case.ipynb"
    papermill.execute_notebook(
        str(notebook), str(tmp_path / "explore.ipynb"), kernel_name="python3",
        parameters={"case_id": "MINI-01", "cases_dir": str(FIXTURE_CASES)},
        cwd=str(notebook.parent), progress_bar=False, extra_arguments=report.KERNEL_ARGUMENTS)
    nb = nbformat.read(tmp_path / "explore.ipynb", as_version=4)
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert len(images) == 3  # the base chart, then the changed cash flows and emissions


def _last_good(out: Path) -> Path:
    html = out / "MINI-01.html"
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text("last good report")
    return html


class TestFailingNotebooks:
    """Notebooks that fail on purpose, in the style of papermill's own tests."""

    @pytest.mark.parametrize("notebook, message, ename", [
        ("broken_cell.ipynb", "notebook cell In [3]: ZeroDivisionError: division by zero",
         "ZeroDivisionError"),
        ("sys_exit.ipynb", "notebook cell In [3]: SystemExit: stopped on purpose by the fixture",
         "SystemExit"),
        ("input_error.ipynb", "gwp_set: expected AR5 or AR6, got 'AR4'", "InputError"),
    ])
    @pytest.mark.notebook
    def test_one_line_and_the_last_good_report_stays(self, tmp_path, notebook, message, ename):
        good = _last_good(tmp_path)
        run = report.check_parameters("MINI-01", FIXTURE_CASES)
        with pytest.raises(Exception) as err:
            report.run_report(run, tmp_path, notebook=NOTEBOOKS / notebook)
        assert report.one_line_error(err.value) == message
        assert good.read_text() == "last good report"
        left = sorted(p.name for p in (tmp_path / "notebooks").iterdir())
        assert left == ["MINI-01.failed.ipynb"]  # kept for debugging, no temporary file
        # The saved notebook says which cell failed; the cells after it were not executed.
        failed = nbformat.read(tmp_path / "notebooks" / "MINI-01.failed.ipynb", as_version=4)
        code = [c for c in failed.cells if c.cell_type == "code"]
        at = next(i for i, c in enumerate(code)
                  if any(o.get("output_type") == "error" for o in c.outputs))
        assert next(o for o in code[at].outputs if o["output_type"] == "error")["ename"] == ename
        assert all(c.execution_count is None and not c.outputs for c in code[at + 1:])
        if "In [" in message:
            assert f"In [{code[at].execution_count}]" in message

    @pytest.mark.notebook
    def test_broken_case_fails_in_the_first_cell_with_its_one_line(self, tmp_path, write_case):
        # The case is parsed once, in the kernel: a broken file stops the notebook's first cell.
        write_case("id: BAD-01\ncapex: [oops\n", name="BAD-01")
        run = report.check_parameters("BAD-01", write_case.folder)
        with pytest.raises(PapermillExecutionError) as err:
            report.run_report(run, tmp_path)
        assert re.match(r".*BAD-01.yaml: line \d+, column \d+: expected valid YAML",
                        report.one_line_error(err.value))
        paths = report.report_paths(tmp_path, "BAD-01")
        assert not paths["html"].exists() and not paths["notebook"].exists()
        failed = nbformat.read(paths["failed"], as_version=4)  # as papermill's own tests check
        code = [c for c in failed.cells if c.cell_type == "code"]
        first = next(i for i, c in enumerate(code) if "from_namespace(" in c.source)
        assert code[first].outputs[-1]["output_type"] == "error"
        assert code[first].outputs[-1]["ename"] == "InputError"
        assert all(c.execution_count is None and not c.outputs for c in code[first + 1:])
        assert not [p for p in (tmp_path / "notebooks").iterdir() if p.name.startswith(".")]


# -- in a real browser -------------------------------------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class _DevTools:
    """A minimal Chrome DevTools protocol client over one page's websocket."""

    def __init__(self, url: str) -> None:
        import websocket

        self.ws = websocket.create_connection(url, timeout=60)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str) -> None:
        while not any(e.get("method") == method for e in self.events):
            self.events.append(json.loads(self.ws.recv()))


@pytest.fixture
def browser_page(tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium installed (apt-get install chromium)")
    pytest.importorskip("websocket")
    profile = tmp_path / "profile"
    proc = subprocess.Popen([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                             "--remote-debugging-port=0", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60  # a guard against a hung browser, not an assertion
        while not port_file.exists() or not port_file.read_text().strip():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.skip("Chromium did not start here")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as r:
            page = next(t for t in json.load(r) if t["type"] == "page")
        client = _DevTools(page["webSocketDebuggerUrl"])
        yield client
        client.ws.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.notebook
def test_report_renders_in_headless_chromium_offline(executed, browser_page):
    page = browser_page
    for domain in ("Page", "Runtime", "Log", "Network"):
        page.call(f"{domain}.enable")
    page.call("Page.navigate", url=executed["html_path"].as_uri())
    page.wait_for("Page.loadEventFired")
    result = page.call("Runtime.evaluate", returnByValue=True, expression="""JSON.stringify({
        title: document.title,
        h1: document.querySelector('#report-title').textContent,
        rows: document.querySelectorAll('#key-figures tr').length,
        npv: document.querySelector('#key-figures td[data-key=npv]').textContent,
        images: Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)})""")
    shown = json.loads(result["result"]["value"])
    a = executed["appraisal"]
    assert shown["title"] == f"MINI-01: {a.case.title}"
    assert shown["h1"] == a.case.title
    assert shown["rows"] == len(report.key_figures(a))
    assert shown["npv"] == "USD 4,458"
    assert shown["images"] == [True] * 6  # every chart decoded
    errors = [e for e in page.events if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled"
                  and e["params"]["type"] in ("error", "assert"))
              or (e.get("method") == "Log.entryAdded"
                  and e["params"]["entry"]["level"] == "error")]
    assert errors == []
    requested = [e["params"]["request"]["url"] for e in page.events
                 if e.get("method") == "Network.requestWillBeSent"]
    assert requested and all(u.startswith(("file:", "data:")) for u in requested), requested

# -- the analysis sections (eip_analysis.report.sections) -----------------------------------------

LOAN_TERMS = {"inflation_rate": 0.0, "tax_rate": 0.20, "debt_share": 0.6,
              "loan_interest_rate": 0.08, "loan_tenor_years": 5, "loan_grace_years": 0,
              "loan_repayment": "equal_principal", "loan_upfront_fee": 0.01,
              "depreciation_years": 10}


class TestFinancingAndPartiesSections:
    def test_sections_have_tables_text_and_warnings(self, mini):
        s = sections.financing_section(appraise(mini.case, **LOAN_TERMS), figures=False)
        assert {"summary", "terms", "loan", "tax"} <= set(s.tables)
        assert s.warnings and s.text
        p = sections.parties_section(appraise(mini.case), figures=False)
        assert "transfer_price" in p.tables and "26.59" in p.text[0]

    def test_appraisal_run_overrides_carry_over(self, mini):
        s = sections.financing_section(appraise(mini.case, discount_rate=0.08), figures=False)
        terms = s.tables["terms"].set_index("term")
        assert terms.loc["discount_rate", "value"] == 0.08



class TestSectionFigures:
    def test_dscr_and_transfer_price_charts(self, mini):
        fig = sections.financing_section(appraise(mini.case, **LOAN_TERMS)).figures["dscr"]
        bars = [p for ax in fig.axes for p in ax.patches if p.get_gid() == "dscr"]
        assert len(bars) == 5  # one per year with debt service
        fig = sections.parties_section(appraise(mini.case)).figures["transfer_price"]
        assert any(p.get_gid() == "both-gain" for p in fig.axes[0].patches)
        assert sections.financing_section(appraise(mini.case, debt_share=0.0)).figures["dscr"].axes[0].texts


class TestRiskSections:
    def test_sections(self, mini):
        s = sections.sensitivity_section(appraise(mini.case), figures=False)
        assert {"scenarios", "scenario_inputs", "tornado"} <= set(s.tables)
        assert any("turns negative within the assessed range" in w for w in s.warnings)
        m = sections.monte_carlo_section(appraise(mini.case), n_draws=300, seed=1, figures=False)
        assert "Probability that the NPV is positive" in m.text[1]

    def test_report_sections_collect_every_warning_once(self, mini):
        secs = sections.report_sections(appraise(mini.case), n_draws=300, seed=1, figures=False)
        assert list(secs) == ["financing", "parties", "sensitivity", "monte_carlo", "warnings"]
        every = secs["warnings"].warnings
        assert len(every) == len(set(every))
        for name in ("financing", "parties", "sensitivity"):
            assert set(secs[name].warnings) <= set(every)

    def test_a_case_without_ranges_still_reports(self, write_case, mini_data):
        def strip(o):
            o.pop("low", None)
            o.pop("high", None)

        each_mapping(mini_data, strip)
        case = load(write_case(mini_data))
        assert risk.tornado(case, drivers_=[]).empty
        mc = risk.monte_carlo(case, n_draws=50, drivers_=[])
        assert mc.outputs["npv_usd"].shape == (50,)
        np.testing.assert_allclose(mc.outputs["npv_usd"], appraise(case).npv_usd)
        secs = sections.report_sections(appraise(case), n_draws=50, seed=1, figures=False)
        assert len(secs["sensitivity"].tables["tornado"]) == 1  # the discount rate only

    def test_figures(self, mini):
        s = sections.sensitivity_section(appraise(mini.case))
        ax = s.figures["tornado"].axes[0]
        assert {p.get_gid() for p in ax.patches} >= {"low", "high"}
        m = sections.monte_carlo_section(appraise(mini.case), n_draws=300, seed=1)
        gids = {line.get_gid() for a in m.figures["npv_distribution"].axes for line in a.lines}
        assert "cdf" in gids


# -- one vocabulary and one parameter model ------------------------------------------------------


class TestFieldRegistry:
    def test_every_column_of_every_section_table_is_registered(self):
        from eip_analysis import fields

        for cid in ("MINI-01",):
            a = appraise(load_case(cid, FIXTURE_CASES))
            secs = sections.report_sections(a, n_draws=100, seed=1, figures=False)
            for name, s in secs.items():
                for table_name, t in s.tables.items():
                    assert not fields.unregistered(t.columns), (name, table_name)
            for t in (a.cashflows, a.emissions, sections.assumptions_table(a)):
                assert not fields.unregistered(t.columns)
            assert not fields.unregistered(a.metrics_row())

    def test_a_column_without_a_field_is_an_error_not_a_guess(self):
        with pytest.raises(KeyError, match="register its label, unit and kind"):
            report.frame_html(pd.DataFrame({"widgets_usd": [1.0]}), table_id="t")

    def test_a_key_figure_added_to_the_registry_appears_in_the_report(self, mini, monkeypatch):
        from eip_analysis import fields

        monkeypatch.setitem(fields.KEY_FIGURES, "profitability", "profitability_index")
        monkeypatch.setitem(fields.FIELDS, "profitability_index", fields.Field(
            "profitability_index", "PI", "-", "ratio", "Profitability index of {lifetime} years"))
        table = report.key_figures(mini).set_index("key")
        assert table.loc["profitability", "label"] == "Profitability index of 10 years"
        assert table.loc["profitability", "value"] == mini.metrics.profitability_index
        assert 'data-key="profitability"' in report.key_figures_html(mini)

    def test_labels_are_read_from_the_registry(self, mini, monkeypatch):
        from eip_analysis import fields

        renamed = fields.Field("npv_usd", "Giá trị hiện tại ròng", "USD", "money",
                               "Giá trị hiện tại ròng (NPV) tại {discount_rate}")
        monkeypatch.setitem(fields.FIELDS, "npv_usd", renamed)
        assert report.key_figures(mini).set_index("key").loc["npv", "label"] == \
            "Giá trị hiện tại ròng (NPV) tại 10.0%"
        page = report.frame_html(pd.DataFrame({"npv_usd": [1.0]}), table_id="t")
        assert "Giá trị hiện tại ròng [USD]" in page

    def test_headers_carry_the_registered_unit(self):
        from eip_analysis.fields import FIELDS

        assert FIELDS["npv_usd"].header == "NPV [USD]"
        assert FIELDS["payback_years"].header == "Payback [years]"
        assert FIELDS["irr"].header == "IRR" and FIELDS["dscr"].header == "DSCR"
        assert FIELDS["co2e_avoided_t_per_year"].header == "Emissions avoided [tCO2e/yr]"


class TestRunParameterModel:
    def test_the_notebook_parameters_cell_is_the_model(self):
        nb = nbformat.read(report.NOTEBOOK, as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert cell.source == report.parameters_cell(), (
            "run `python -m eip_analysis.report.parameters` to rewrite the parameters cell")
        assert tuple(papermill.inspect_notebook(str(report.NOTEBOOK))) == \
            tuple(report.RunParameters.model_fields)

    def test_a_parameter_added_to_the_model_reaches_the_cell_and_the_command_line(self):
        from pydantic import Field

        class Extended(report.RunParameters):
            price_scenario: str | None = Field(default=None, description="a new parameter",
                                               json_schema_extra={"kind": "report"})

        cell = report.parameters_cell(Extended)
        assert "price_scenario: Optional[str] = None  # a new parameter" in cell
        assert "price_scenario" in Extended.names("override", "report")

    def test_constraints_are_those_of_the_project_parameters(self):
        from eip_analysis.parameters import coerce

        for name in report.APPRAISAL_OVERRIDES:
            assert name in report.RUN_PARAMETERS
        with pytest.raises(InputError) as mine:
            report.check_parameters("MINI-01", FIXTURE_CASES, grid_margin="wind")
        with pytest.raises(InputError) as theirs:
            coerce("grid_margin", "wind")
        assert str(mine.value) == str(theirs.value)

    @pytest.mark.notebook
    def test_the_run_context_records_the_overrides(self):
        run = report.check_parameters("MINI-01", FIXTURE_CASES, discount_rate="0.08",
                                      landfill_method="commitment", mc_draws=100)
        context = report.RunContext.build(run)
        assert context.overrides == {"discount_rate": 0.08, "landfill_method": "commitment"}
        assert context.parameters.origins["discount_rate"] == "run"
        assert context.financing is context.financing  # computed once
        assert context.cashflows is context.appraisal.base_flows


class TestSeveralIrrs:
    """Lorie and Savage's pump problem: -1,600, +10,000, -10,000 has IRRs of 25% and 400%."""

    def _pump(self, mini):
        from dataclasses import replace

        flows = pd.DataFrame({"net_cash_flow_usd": [-1600.0, 10_000.0, -10_000.0]})
        metrics = replace(mini.metrics, irr=0.25, sign_changes=2)
        return replace(mini, cashflows=flows, metrics=metrics, warnings=[])

    def test_every_root_is_listed_in_the_warnings(self, mini):
        a = self._pump(mini)
        assert sections.irr_roots(a) == pytest.approx([0.25, 4.0], rel=1e-9)
        sentence = sections.irr_roots_sentence(a)
        assert "2 internal rates of return: 25.0%, 400.0%" in sentence
        assert "spreadsheet's IRR may return another" in sentence
        from markupsafe import escape

        assert str(escape(sentence)) in report.warnings_html(a)

    def test_one_root_says_nothing(self, mini):
        assert sections.irr_roots(mini) == pytest.approx([mini.irr], rel=1e-9)
        assert sections.irr_roots_sentence(mini) == ""


class TestRunParameterEdges:
    @pytest.mark.parametrize("kwargs", [
        {"exchange_rate_vnd_per_usd": float("inf")}, {"exchange_rate_vnd_per_usd": "1e400"},
        {"discount_rate": float("nan")}, {"mc_draws": "٣٠٠"}, {"workbook_path": "out/HK-01"},
        {"cases_dir": ""}, {"mc_draws": True}, {"currency": 1}])
    def test_refused_in_one_line(self, kwargs):
        kwargs.setdefault("cases_dir", FIXTURE_CASES)
        with pytest.raises(InputError) as err:
            report.check_parameters("MINI-01", **kwargs)
        assert "\n" not in str(err.value) and "expected" in str(err.value)

    def test_numpy_integers_are_whole_numbers(self):
        run = report.check_parameters("MINI-01", FIXTURE_CASES, mc_draws=np.int64(1000),
                                      mc_seed=np.int32(3))
        assert (run.mc_draws, run.mc_seed) == (1000, 3)


def test_analyses_of_an_appraisal_with_values_start_from_the_case(mini):
    # appraise(values=...) changes the appraisal's own flows; the analyses vary the case's own
    # numbers, so they must not start from the changed flows (their base is the case's).
    changed = appraise(mini.case, values={"capex.dryer.amount": 1e7})
    mc = risk.monte_carlo(changed, n_draws=100, seed=1)
    assert mc.base["npv_usd"] == pytest.approx(mini.npv_usd)


def test_findings_across_cases_are_computed_once_per_state_of_the_folder(tmp_path):
    """A warm kernel runs many reports: the other cases of the folder are parsed once, and
    again only when a case file changes; the findings are those of ``eip-analysis check``."""
    from eip_analysis import checks, paths
    from eip_analysis.cases import valid_cases

    folder = tmp_path / "cases"
    folder.mkdir()
    for cid in ("TN-03", "TN-04"):  # they exclude each other and draw the same husk
        shutil.copy(paths.cases_dir() / f"{cid}.yaml", folder)
    sections._across_cases_of.cache_clear()
    a = appraise(load_case("TN-03", folder))
    first = report.check_findings(a)
    assert report.check_findings(appraise(load_case("TN-04", folder))) is not None
    info = sections._across_cases_of.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    expected = [f for f in checks.check_portfolio(valid_cases(folder)[0]) if f.case_id == "TN-03"]
    assert all(any(f.message in line for line in first[0] + first[1]) for f in expected)
    tn04 = folder / "TN-04.yaml"
    tn04.write_text(tn04.read_text() + "\n# changed\n")
    report.check_findings(a)
    assert sections._across_cases_of.cache_info().misses == 2
