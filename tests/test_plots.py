"""Charts: titles, axis labels with units, payback markers where the library puts payback."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from eip_analysis import appraise, load_case, plots
from eip_analysis.report import cashflows_in

from .conftest import MINI


@pytest.fixture(scope="module")
def mini():
    return appraise(load_case(MINI))


def _markers(ax, gid: str):
    return [line for line in ax.get_lines() if line.get_gid() == gid]


class TestCumulativeCashFlow:
    def test_title_and_axis_labels_with_units(self, mini):
        fig = plots.cumulative_cash_flow(mini.cashflows, payback_years=mini.payback_years,
                                         discounted_payback_years=mini.discounted_payback_years)
        assert isinstance(fig, Figure)
        (ax,) = fig.axes
        assert ax.get_title(loc="left").startswith("Cumulative cash flow")
        assert ax.get_ylabel() == "Cumulative cash flow [USD thousand]"
        assert "[yr]" in ax.get_xlabel()

    def test_payback_markers_sit_on_zero_at_the_library_payback(self, mini):
        fig = plots.cumulative_cash_flow(mini.cashflows, payback_years=mini.payback_years,
                                         discounted_payback_years=mini.discounted_payback_years)
        ax = fig.axes[0]
        for gid, years in (("payback", mini.payback_years),
                           ("discounted-payback", mini.discounted_payback_years)):
            (marker,) = _markers(ax, gid)
            assert marker.get_xdata()[0] == pytest.approx(years)
            assert marker.get_ydata()[0] == 0.0
        labels = ax.get_legend_handles_labels()[1]
        assert "Discounted payback: 9.3 years" in labels and "Payback: 5.9 years" in labels

    def test_markers_lie_on_the_drawn_cumulative_lines(self, mini):
        # the library interpolates payback linearly within the crossing year, as the lines do
        fig = plots.cumulative_cash_flow(mini.cashflows, payback_years=mini.payback_years,
                                         discounted_payback_years=mini.discounted_payback_years)
        ax = fig.axes[0]
        lines = {line.get_label(): line for line in ax.get_lines()}
        for label, gid in (("Cumulative cash flow", "payback"),
                           ("Cumulative discounted cash flow", "discounted-payback")):
            x = _markers(ax, gid)[0].get_xdata()[0]
            line = lines[label]
            assert np.interp(x, line.get_xdata(), line.get_ydata()) == pytest.approx(0.0,
                                                                                     abs=1e-6)

    def test_never_paid_back_draws_no_marker_and_says_never(self, mini):
        fig = plots.cumulative_cash_flow(mini.cashflows, payback_years=math.inf,
                                         discounted_payback_years=math.inf)
        ax = fig.axes[0]
        assert not _markers(ax, "payback") and not _markers(ax, "discounted-payback")
        assert "Discounted payback: never" in ax.get_legend_handles_labels()[1]

    def test_vnd_columns_and_scaled_axis(self, mini):
        table = cashflows_in(mini, "VND")
        fig = plots.cumulative_cash_flow(table, currency="VND", payback_years=mini.payback_years,
                                         discounted_payback_years=mini.discounted_payback_years)
        assert fig.axes[0].get_ylabel() == "Cumulative cash flow [VND million]"


class TestEmissionsBySource:
    def test_title_labels_and_one_bar_pair_per_counted_flow(self, mini):
        fig = plots.emissions_by_source(mini.emissions)
        (ax,) = fig.axes
        assert ax.get_title(loc="left").startswith("Emissions by source")
        assert ax.get_xlabel() == "Emissions [tCO2e/yr]"
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == ["Bituminous coal (receiver)", "Wood (receiver)"]
        widths = sorted(round(p.get_width(), 3) for p in ax.patches)
        expected = sorted(round(v, 3) for v in (
            *mini.emissions["baseline_co2e_t_per_year"], *mini.emissions["project_co2e_t_per_year"]))
        assert widths == expected

    def test_uncounted_flows_are_left_out(self, mini):
        extra = pd.DataFrame([{"flow": "water", "party": "receiver",
                               "baseline_co2e_t_per_year": 0.0, "project_co2e_t_per_year": 0.0,
                               "counted": False}])
        fig = plots.emissions_by_source(pd.concat([mini.emissions, extra], ignore_index=True))
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert not any("Water" in label for label in labels)

    def test_no_counted_flow_says_so(self, mini):
        only_water = mini.emissions.assign(counted=False)
        fig = plots.emissions_by_source(only_water)
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert any("No resource flow" in t for t in texts)


def test_case_text_is_never_mathtext():
    """A $ in case text is drawn as written: '$70k to $90k' stays, a broken one never fails."""
    import io

    from eip_analysis.report.render import figure_html

    rows = pd.DataFrame({"label": ["$70k to $90k", r"$\frac{broken$"], "low": [1.0, 1.0],
                         "high": [2.0, 2.0], "unit": ["USD", "USD"],
                         "npv_at_low": [-5.0, -3.0], "npv_at_high": [5.0, 3.0]})
    fig = Figure()
    ax = fig.add_subplot()
    for maker in (lambda: plots.stability_chart(pd.DataFrame({
            "case_id": ["$x$"], "shortlisted": [True], "share_shortlisted_dirichlet": [1.0],
            "one_at_a_time_shortlisted": [2], "one_at_a_time_variations": [2]})),):
        made = maker()
        labels = [t.get_text() for t in made.axes[0].get_yticklabels()]
        assert "$x$" in labels
        assert "data:image/png" in str(figure_html(made, alt="x"))
    del rows, ax
    chart = plots.npv_vs_abatement_chart(pd.DataFrame({
        "case_id": [r"$\frac{broken$"], "co2e_avoided_t_per_year": [1.0], "npv_usd": [1.0]}))
    buffer = io.BytesIO()
    with __import__("matplotlib").rc_context(plots.PLAIN_TEXT):
        chart.savefig(buffer, format="png")
    assert buffer.getvalue()
    assert "data:image/png" in str(figure_html(chart, alt="x"))
