"""PDF copies of the reports: A4, running header, illustrative banner and page numbers on every
page, rows not split; without Chromium one line says how to get it and nothing is written."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup
from pypdf import PdfReader

from eip_analysis.cli import main
from eip_analysis.report import pdf
from eip_analysis.report.notebook import PRINT_BANNER
from eip_analysis.report.render import css_string, page_html

needs_browser = pytest.mark.skipif(pdf.find_browser() is None,
                                   reason="no headless Chromium on this machine")

A4_PT = (595.3, 841.9)  # 210 x 297 mm in PostScript points


def _long_page(tmp_path, name="HK-99"):
    """A report page long enough for several A4 pages: a 150-row table."""
    rows = "".join(f"<tr><td>row {i} of the table</td><td>{i * 1000:,}</td></tr>"
                   for i in range(150))
    body = f"<main class='report'><h1>Title</h1><table><thead><tr><th>Input</th><th>Value</th>" \
           f"</tr></thead><tbody>{rows}</tbody></table></main>"
    from markupsafe import Markup

    html = tmp_path / f"{name}.html"
    html.write_text(page_html("t", Markup(body), print_header=f"{name} · Park · 2026-12-01",
                              print_banner=PRINT_BANNER), encoding="utf-8")
    return html


def test_css_strings_cannot_close_the_style_element():
    text = str(css_string('x"; } body { color: red } </style><script>'))
    assert "</style" not in text and "<" not in text and text.count('"') == 2


@needs_browser
def test_every_page_is_a4_with_header_banner_and_page_number(tmp_path):
    out = pdf.to_pdf(_long_page(tmp_path))
    reader = PdfReader(out)
    n = len(reader.pages)
    assert n >= 3
    texts = [page.extract_text() for page in reader.pages]
    for k, (page, text) in enumerate(zip(reader.pages, texts, strict=True), 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4_PT[0]) < 1 and abs(height - A4_PT[1]) < 1
        assert "HK-99 · Park · 2026-12-01" in text
        assert PRINT_BANNER in text
        assert f"Page {k} of {n}" in text
    # every row on one page, none cut in two; the header row repeats on every page
    whole = [sum(bool(re.search(rf"row {i} of the table\s+{i * 1000:,}\b", t)) for t in texts)
             for i in range(150)]
    assert whole == [1] * 150
    assert all("Input" in t and "Value" in t for t in texts)
    assert not list(tmp_path.glob(".*")), "temporary file left behind"


@needs_browser
def test_the_pdf_command_prints_stale_pages_and_the_index_links_them(tmp_path, capsys):
    _long_page(tmp_path, "HK-98")
    (tmp_path / "index.html").write_text("<p>index</p>")
    assert main(["pdf", "--output", str(tmp_path)]) == 0
    assert (tmp_path / "HK-98.pdf").is_file() and not (tmp_path / "index.pdf").exists()
    assert "1 PDF(s) written, 0 failed" in capsys.readouterr().out
    assert main(["pdf", "--output", str(tmp_path)]) == 0  # up to date: nothing to print
    assert "0 PDF(s) written, 0 failed, 1 in" in capsys.readouterr().out
    assert pdf.current_pdf(tmp_path / "HK-98.html") == tmp_path / "HK-98.pdf"


def test_without_chromium_one_line_says_how_to_get_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("EIP_CHROMIUM", str(tmp_path / "no-such-browser"))
    _long_page(tmp_path)
    assert pdf.find_browser() is None
    assert main(["pdf", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out.strip()
    assert out.count("\n") == 0 and "apt-get install chromium" in out
    assert not list(tmp_path.glob("*.pdf"))
    with pytest.raises(pdf.ReportError, match="no headless Chromium"):
        pdf.to_pdf(tmp_path / "HK-99.html")


@needs_browser
@pytest.mark.notebook
def test_a_real_report_prints_with_its_figures_and_banner_on_every_page(tmp_path):
    from eip_analysis import appraise, load_case, report

    from .conftest import FIXTURE_CASES

    run = report.check_parameters("MINI-01", str(FIXTURE_CASES))
    html, summary = report.execute_report(run, tmp_path)
    reader = PdfReader(pdf.to_pdf(html))
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) >= 5
    expected = report.key_figures(appraise(load_case("MINI-01", FIXTURE_CASES)))
    whole = " ".join(" ".join(texts).split())
    for text in expected["text"]:
        assert text in whole, text
    banner = "" if summary["data_quality"] == "surveyed" else PRINT_BANNER
    for k, text in enumerate(texts, 1):
        assert f"MINI-01 · {summary['park']} · " in text and banner in text
        assert f"Page {k} of {len(texts)}" in text


@needs_browser
def test_a_wide_table_prints_whole_on_landscape_pages(tmp_path):
    # A tornado-like table: 13 columns of VND amounts and a long note row. Portrait A4 cut its
    # last columns off at the right margin; it prints on a landscape page, every cell there.
    heads = "".join(f"<th>Column {j} header</th>" for j in range(12)) + "<th>Last column</th>"
    rows = "".join(
        "<tr>" + "".join(f'<td class="num">{13_000_000_000 + i * 1000 + j:,}</td>'
                         for j in range(12)) + f"<td>end of row {i}</td></tr>"
        f'<tr class="note"><td colspan="13">{"a long note " * 12}ends here {i}.</td></tr>'
        for i in range(6))
    body = (f'<main class="report"><h2>Before</h2><p>Portrait text.</p>'
            f'<div class="table-wrap"><table class="analysis wide"><thead><tr>{heads}</tr>'
            f"</thead><tbody>{rows}</tbody></table></div><h2>After</h2></main>")
    html = tmp_path / "wide.html"
    html.write_text(page_html("t", Markup(body), print_header="HK-99 · Park · 2026-12-01",
                              print_banner=PRINT_BANNER), encoding="utf-8")
    reader = PdfReader(pdf.to_pdf(html))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    table_pages = [k for k, t in enumerate(texts) if "end of row 0" in t]
    assert table_pages, texts
    for k in table_pages:
        assert abs(sizes[k][0] - A4_PT[1]) < 1 and abs(sizes[k][1] - A4_PT[0]) < 1  # landscape
        assert "Last column" in texts[k] and "HK-99 · Park · 2026-12-01" in texts[k]
    whole = " ".join(texts)
    for i in range(6):
        assert f"{13_000_000_000 + i * 1000 + 11:,} end of row {i}" in whole
        assert f"ends here {i}." in whole
    assert abs(sizes[0][0] - A4_PT[0]) < 1  # the text before it stays portrait
