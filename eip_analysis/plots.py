"""Matplotlib figures shared by the notebooks, readable in print.

Every function takes tables or numbers the library computed (it does no finance) and returns a
:class:`matplotlib.figure.Figure` built without ``pyplot``, so it holds no global state and is safe
in worker processes; show it in a notebook with ``display(fig)`` or embed it with
:func:`eip_analysis.report.figure_html`.

Style: a title that says what is shown, axis labels with units in brackets, no chart junk (no top
and right spines, a light grid on the value axis only), colours that stay apart in grey print
(solid vs dashed lines, filled vs hatched bars).

Words: the titles, axis labels and legends of the opportunity report's charts are in the
active language of :mod:`eip_analysis.i18n` (its tick labels too, through
:mod:`eip_analysis.formatting`); DejaVu Sans, matplotlib's own font, has the Vietnamese
letters. The portfolio's charts are in English.

This is a flat module of functions; add new charts at the end.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import formatting
from .i18n import current_language
from .i18n import gettext as _

#: Colours: dark blue and orange stay distinct for colour-blind readers and in grey print.
COLOR_MAIN = "#1f4e79"
COLOR_SECOND = "#d9822b"
COLOR_MUTED = "#7f7f7f"
#: Width of a full-page figure [in]; height is set per chart.
FIGURE_WIDTH_IN = 8.0


#: Text is shown as written: no mathtext (a ``$`` in case text such as "$70k to $90k" would
#: turn italic or break the figure). Every chart is built under it, and
#: :func:`eip_analysis.report.figure_html` saves under it.
PLAIN_TEXT = {"text.parse_math": False}


def _plain_text(chart):
    """Build the chart with :data:`PLAIN_TEXT` (titles, labels, legends never mathtext)."""
    @functools.wraps(chart)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(PLAIN_TEXT):
            return chart(*args, **kwargs)
    return wrapper


def _figure(height_in: float) -> tuple[Figure, object]:
    fig = Figure(figsize=(FIGURE_WIDTH_IN, height_in), layout="constrained")
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _tick_formatter(divisor: float, decimals: int = 1) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: formatting.plain(round(v / divisor, 6),
                                                          max_decimals=decimals))


def _capital(text: str) -> str:
    """``"supplier"`` -> ``"Supplier"`` (the first letter only: ``"bên cung cấp"`` ->
    ``"Bên cung cấp"``)."""
    return text[:1].upper() + text[1:]


def _scaled_unit(unit: str, values: Sequence[float]) -> tuple[float, str]:
    finite = [abs(v) for v in values if math.isfinite(v)]
    divisor, word = formatting.scale(max(finite, default=0.0))
    return divisor, f"{unit} {word}".strip()


def _legend_below(fig: Figure, ax) -> None:
    """The legend under the axes, outside the data, so it never hides a line or a bar."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower left", ncols=2, frameon=False, fontsize=9)


def _mark_payback(ax, payback_years: float, label: str, color: str, gid: str) -> None:
    """A marker where a cumulative line crosses zero, labelled with the payback time."""
    if not math.isfinite(payback_years):
        return
    ax.plot([payback_years], [0.0], marker="o", markersize=8, color=color, linestyle="none",
            zorder=5, gid=gid, label=f"{label}: {formatting.years(payback_years)}")

    ax.axvline(payback_years, color=color, linewidth=0.8, linestyle=":", zorder=1)


@_plain_text
def cumulative_cash_flow(
    cashflows: pd.DataFrame,
    *,
    payback_years: float,
    discounted_payback_years: float,
    currency: str = "USD",
    title: str | None = None,
) -> Figure:
    """Cumulative cash flow, undiscounted and discounted, with the payback points marked.

    Parameters
    ----------
    cashflows : pandas.DataFrame
        One row per year with columns ``year`` [yr], ``cumulative_cash_flow_<cur>`` and
        ``cumulative_discounted_<cur>`` [currency], ``<cur>`` being ``currency`` in lower case
        (``Appraisal.cashflows`` for USD, :func:`eip_analysis.report.cashflows_in` for VND).
    payback_years : float
        Simple payback [yr] from the appraisal (``Metrics.payback_years``); ``inf`` draws no
        marker and the legend says "never".
    discounted_payback_years : float
        Discounted payback [yr] (``Metrics.discounted_payback_years``).
    currency : str
        ``"USD"`` or ``"VND"``: selects the columns and labels the value axis.
    title : str, optional
        Figure title (default "Cumulative cash flow of the project (both parties)").

    Returns
    -------
    matplotlib.figure.Figure
        One axes: two lines over the years, a zero line, a marker (gid ``"payback"`` and
        ``"discounted-payback"``) at each finite payback point.

    Notes
    -----
    The library interpolates payback linearly within the crossing year, so each marker lies
    on the straight segment between the year-end points drawn here.
    """
    cur = currency.lower()
    years = cashflows["year"].to_numpy(dtype=float)
    cumulative = cashflows[f"cumulative_cash_flow_{cur}"].to_numpy(dtype=float)
    discounted = cashflows[f"cumulative_discounted_{cur}"].to_numpy(dtype=float)
    divisor, unit = _scaled_unit(currency, [*cumulative, *discounted])

    fig, ax = _figure(4.2)
    ax.axhline(0.0, color=COLOR_MUTED, linewidth=0.8, zorder=1)
    ax.plot(years, cumulative, color=COLOR_SECOND, linestyle="--", linewidth=1.8,
            marker=".", label=_("Cumulative cash flow"))
    ax.plot(years, discounted, color=COLOR_MAIN, linewidth=2.2, marker=".",
            label=_("Cumulative discounted cash flow"))
    _mark_payback(ax, payback_years, _("Payback"), COLOR_SECOND, "payback")
    _mark_payback(ax, discounted_payback_years, _("Discounted payback"), COLOR_MAIN,
                  "discounted-payback")
    if not math.isfinite(discounted_payback_years):
        ax.plot([], [], linestyle="none",
                label=f"{_('Discounted payback')}: "
                      f"{formatting.years(discounted_payback_years)}")
    ax.set_title(title or _("Cumulative cash flow of the project (both parties)"), loc="left",
                 fontsize=12)
    ax.set_xlabel(_("Project year [yr] (0 = investment decision)"))
    ax.set_ylabel(_("Cumulative cash flow [{unit}]").format(unit=unit))
    ax.yaxis.set_major_formatter(_tick_formatter(divisor))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(years.min() - 0.3, years.max() + 0.3)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    _legend_below(fig, ax)
    return fig


@_plain_text
def emissions_by_source(
    emissions: pd.DataFrame,
    *,
    title: str | None = None,
) -> Figure:
    """Horizontal bars of baseline and project emissions for each counted resource flow.

    Parameters
    ----------
    emissions : pandas.DataFrame
        ``Appraisal.emissions``: one row per resource flow with ``flow``, ``party``,
        ``baseline_co2e_t_per_year``, ``project_co2e_t_per_year`` [tCO2e/yr] and ``counted``.
        Flows not converted to tCO2e (water, and ``waste_landfill`` of unknown composition)
        are left out of the chart; typed ``landfill_<type>`` flows (IPCC 2006 methane
        commitment) and ``composting`` (CH4, N2O) are counted and shown.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes, one pair of bars per counted flow, each bar labelled with its value; a text
        in place of bars when no flow is counted.
    """
    counted = emissions[emissions["counted"].astype(bool)]
    n = len(counted)
    fig, ax = _figure(max(2.2, 1.0 + 0.75 * n))
    ax.set_title(title or _("Emissions by source: baseline and with the exchange"), loc="left",
                 fontsize=12)
    ax.set_xlabel(_("Emissions [tCO2e/yr]"))
    if n == 0:
        ax.text(0.5, 0.5, _("No resource flow of this case is converted to tCO2e."),
                ha="center", va="center", transform=ax.transAxes, color=COLOR_MUTED)
        ax.set_yticks([])
        return fig
    labels = [f"{formatting.flow_label(f)} ({_(p)})" for f, p in zip(counted["flow"],
                                                                       counted["party"])]
    pos = np.arange(n)[::-1].astype(float)
    height = 0.38
    baseline = counted["baseline_co2e_t_per_year"].to_numpy(dtype=float)
    project = counted["project_co2e_t_per_year"].to_numpy(dtype=float)
    bars_b = ax.barh(pos + height / 2, baseline, height, color=COLOR_MUTED,
                     label=_("Baseline (today)"))
    bars_p = ax.barh(pos - height / 2, project, height, color=COLOR_MAIN, hatch="//",
                     edgecolor="white", linewidth=0, label=_("With the exchange"))
    for bars, values in ((bars_b, baseline), (bars_p, project)):
        ax.bar_label(bars, labels=[formatting.quantity(v) for v in values], padding=3,
                     fontsize=8)
    ax.set_yticks(pos, labels)
    ax.xaxis.set_major_formatter(_tick_formatter(1.0))
    ax.margins(x=0.15)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    _legend_below(fig, ax)
    return fig


# -- Bankability charts (financing, parties, sensitivity, Monte Carlo) -------------------------


def _style(ax, value_axis: str = "y") -> None:
    """No top and right spines; a light grid on the value axis only (``"y"``, or ``"x"`` for
    horizontal bars)."""
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis=value_axis, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


@_plain_text
def dscr_chart(
    table: pd.DataFrame,
    *,
    target_min_dscr: float,
    title: str | None = None,
) -> Figure:
    """Cash flow available for debt service against debt service, and the DSCR, by year.

    Parameters
    ----------
    table : pandas.DataFrame
        ``FinancingAppraisal.table``: one row per year with ``year`` [yr], ``cfads_usd``,
        ``interest_paid_usd``, ``principal_usd`` [USD nominal] and ``dscr`` [-].
    target_min_dscr : float
        The lender's minimum DSCR [-], drawn as a dotted line beside the 1.0 line.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes sharing the years: stacked bars of interest and principal with CFADS as a
        line (top), DSCR bars (gid ``"dscr"``) with the 1.0 and target lines (bottom). Without
        debt service, one axes with a sentence.
    """
    rows = table[(table["interest_paid_usd"] + table["principal_usd"]) > 0]
    title = title or _("Debt service and its cover (DSCR)")
    if rows.empty:
        fig, ax = _figure(2.0)
        ax.set_title(title, loc="left", fontsize=12)
        ax.text(0.5, 0.5, _("No debt: nothing to cover."), ha="center", va="center",
                transform=ax.transAxes, color=COLOR_MUTED)
        ax.set_xticks([])
        ax.set_yticks([])
        return fig
    years = rows["year"].to_numpy(dtype=float)
    interest = rows["interest_paid_usd"].to_numpy(dtype=float)
    principal = rows["principal_usd"].to_numpy(dtype=float)
    cfads = rows["cfads_usd"].to_numpy(dtype=float)
    dscr = rows["dscr"].to_numpy(dtype=float)
    divisor, unit = _scaled_unit("USD", [*cfads, *(interest + principal)])

    fig = Figure(figsize=(FIGURE_WIDTH_IN, 5.6), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
    for ax in (top, bottom):
        _style(ax)
    top.bar(years, principal, 0.6, color=COLOR_MAIN, label=_("Principal"))
    top.bar(years, interest, 0.6, bottom=principal, color=COLOR_MUTED, hatch="//",
            edgecolor="white", linewidth=0, label=_("Interest"))
    top.plot(years, cfads, color=COLOR_SECOND, linewidth=2.0, marker="o",
             label=_("Cash flow available for debt service"))
    top.axhline(0.0, color=COLOR_MUTED, linewidth=0.8)
    top.set_title(title, loc="left", fontsize=12)
    top.set_ylabel(_("Nominal money [{unit}]").format(unit=unit))
    top.yaxis.set_major_formatter(_tick_formatter(divisor))
    top.set_ylim(top=max(float(np.max(cfads)), float(np.max(interest + principal)), 0.0) * 1.35)
    top.legend(loc="upper left", frameon=False, fontsize=8, ncols=3)

    colors = [COLOR_SECOND if v < target_min_dscr else COLOR_MAIN for v in dscr]
    bars = bottom.bar(years, dscr, 0.6, color=colors, gid="dscr")
    bottom.bar_label(bars, labels=[formatting.number(v, digits=2) for v in dscr], padding=2,
                     fontsize=8)
    bottom.axhline(1.0, color="black", linewidth=1.0, linestyle="--",
                   label=f"DSCR {formatting.number(1.0, digits=1)}")
    bottom.axhline(target_min_dscr, color=COLOR_SECOND, linewidth=1.2, linestyle=":",
                   label=_("Lender's minimum {dscr}").format(
                       dscr=formatting.number(target_min_dscr, digits=2)))
    bottom.set_ylabel("DSCR [-]")
    bottom.set_xlabel(_("Project year [yr]"))
    bottom.set_ylim(min(0.0, float(np.nanmin(dscr)) * 1.1),
                    max(float(np.nanmax(dscr)), target_min_dscr) * 1.45)
    bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
    if current_language() != "en":  # decimal commas (English keeps matplotlib's ticks)
        bottom.yaxis.set_major_formatter(_tick_formatter(1.0, decimals=2))
    bottom.legend(loc="upper right", frameon=False, fontsize=8, ncols=2)
    return fig


@_plain_text
def tornado_chart(
    tornado: pd.DataFrame,
    *,
    metric_label: str = "NPV",
    unit: str = "USD",
    max_drivers: int = 12,
    title: str | None = None,
) -> Figure:
    """Tornado chart: the metric with each driver at its low and at its high value.

    Parameters
    ----------
    tornado : pandas.DataFrame
        ``eip_analysis.risk.tornado(...)``: one row per driver, largest swing first, with
        ``label``, ``unit``, ``low``, ``high``, ``metric_base``, ``metric_at_low`` and
        ``metric_at_high``.
    metric_label, unit : str
        Name and unit of the metric (value axis).
    max_drivers : int
        Largest number of bars shown (the largest swings).
    title : str, optional
        Figure title (default "What moves the <metric> most").

    Returns
    -------
    matplotlib.figure.Figure
        One axes: for each driver a bar from the base value to the metric at the driver's low
        value (hatched, gid ``"low"``) and one to the metric at its high value (solid, gid
        ``"high"``), largest swing on top; a line at the base value and one at zero.
    """

    rows = tornado.head(max_drivers)
    n = len(rows)
    fig, ax = _figure(max(2.6, 1.4 + 0.5 * n))
    ax.set_title(title or _("What moves the {metric} most").format(metric=metric_label),
                 loc="left", fontsize=12)
    if n == 0:
        ax.text(0.5, 0.5, _("No input carries a range."), ha="center", va="center",
                transform=ax.transAxes, color=COLOR_MUTED)
        ax.set_yticks([])
        return fig
    base = float(rows["metric_base"].iloc[0])
    at_low = rows["metric_at_low"].to_numpy(dtype=float)
    at_high = rows["metric_at_high"].to_numpy(dtype=float)
    divisor, scaled = _scaled_unit(unit, [*at_low, *at_high, base])
    pos = np.arange(n)[::-1].astype(float)
    ax.barh(pos, at_low - base, 0.6, left=base, color="white", edgecolor=COLOR_MAIN,
            hatch="///", label=_("Input at its low value"), gid="low")
    ax.barh(pos, at_high - base, 0.6, left=base, color=COLOR_MAIN,
            label=_("Input at its high value"), gid="high")
    labels = [textwrap.fill(lab, 38) + f"\n({formatting.plain(lo, max_decimals=4)} - "
              f"{formatting.plain(hi, max_decimals=4)} {u})"
              for lab, lo, hi, u in zip(rows["label"], rows["low"], rows["high"], rows["unit"])]
    ax.set_yticks(pos, labels, fontsize=8)
    ax.axvline(base, color="black", linewidth=1.0,
               label=_("Base {metric}: {value} {unit}").format(
                   metric=metric_label, value=formatting.plain(round(base / divisor, 2)),
                   unit=scaled))
    ax.axvline(0.0, color=COLOR_SECOND, linewidth=1.0, linestyle="--")
    ax.set_xlabel(f"{metric_label} [{scaled}]")
    ax.xaxis.set_major_formatter(_tick_formatter(divisor))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    return fig


@_plain_text
def monte_carlo_chart(
    values: np.ndarray,
    *,
    metric_label: str = "NPV",
    unit: str = "USD",
    base_value: float | None = None,
    bins: int = 60,
    title: str | None = None,
) -> Figure:
    """Distribution of a Monte Carlo metric: histogram and cumulative distribution.

    Parameters
    ----------
    values : array_like
        One value per draw [unit]; nan and inf draws are left out (and counted in the title).
    metric_label, unit : str
        Name and unit of the metric.
    base_value : float, optional
        The base-case value, drawn as a solid line.
    bins : int
        Number of histogram bins.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with the histogram (share of draws per bin, left axis) and a twin axes with the
        cumulative share of draws (gid ``"cdf"``); dashed lines at P10, P50 and P90, a line at
        zero.
    """
    x = np.asarray(values, dtype=float)
    finite = x[np.isfinite(x)]
    fig, ax = _figure(4.0)
    left_out = x.size - finite.size
    ax.set_title(title or _("{metric}: distribution of {draws} Monte Carlo draws").format(
        metric=metric_label, draws=formatting.number(x.size))
        + (" (" + _("{n} not defined").format(n=formatting.number(left_out)) + ")"
           if left_out else ""), loc="left", fontsize=12)
    if finite.size == 0:
        ax.text(0.5, 0.5, _("No draw gives a defined value."), ha="center", va="center",
                transform=ax.transAxes, color=COLOR_MUTED)
        return fig
    divisor, scaled = _scaled_unit(unit, [*np.quantile(finite, [0.0, 1.0])])
    weights = np.full(finite.size, 1.0 / x.size)
    ax.hist(finite, bins=bins, weights=weights, color=COLOR_MUTED, alpha=0.7,
            label=_("Share of draws"))
    cdf = ax.twinx()
    cdf.spines[["top"]].set_visible(False)
    ordered = np.sort(finite)
    cdf.plot(ordered, np.arange(1, ordered.size + 1) / x.size, color=COLOR_MAIN, linewidth=2.0,
             gid="cdf", label=_("Cumulative share"))
    cdf.set_ylim(0, 1.02)
    cdf.set_ylabel(_("Cumulative share of draws [-]"))
    if current_language() != "en":  # decimal commas (English keeps matplotlib's ticks)
        cdf.yaxis.set_major_formatter(_tick_formatter(1.0, decimals=2))
    for q, style in ((0.1, ":"), (0.5, "--"), (0.9, ":")):
        v = float(np.quantile(finite, q))
        ax.axvline(v, color=COLOR_MAIN, linestyle=style, linewidth=1.0)
        ax.text(v, 1.0, f" P{int(q * 100)}", transform=ax.get_xaxis_transform(), fontsize=8,
                color=COLOR_MAIN, va="top")
    ax.axvline(0.0, color=COLOR_SECOND, linewidth=1.2, label=_("Zero"))
    if base_value is not None and math.isfinite(base_value):
        ax.axvline(base_value, color="black", linewidth=1.0, label=_("Base case"))
    ax.set_xlabel(f"{metric_label} [{scaled}]")
    ax.set_ylabel(_("Share of draws per bin [-]"))
    if current_language() != "en":
        ax.yaxis.set_major_formatter(_tick_formatter(1.0, decimals=3))
    ax.xaxis.set_major_formatter(_tick_formatter(divisor))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    handles = ax.get_legend_handles_labels()
    more = cdf.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left", frameon=False,
              fontsize=8)
    return fig


@_plain_text
def transfer_price_chart(tpr, *, title: str | None = None) -> Figure:
    """Each party's NPV against the transfer price, with the range where both gain shaded.

    Parameters
    ----------
    tpr : eip_analysis.parties.TransferPriceRange
        The result of :func:`eip_analysis.parties.transfer_price_range` (prices in the case
        currency per unit, NPVs in USD; ``tpr.npv_at(price)`` gives both lines).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: the payer's and the payee's NPV lines, a shaded band (gid ``"both-gain"``)
        where both are >= 0 (none when the range is empty), a marker at the assumed price.
    """
    points = [tpr.base_price, tpr.min_price, tpr.max_price, tpr.equal_split_price]
    finite = [p for p in points if math.isfinite(p)]
    lo, hi = min(finite), max(finite)
    pad = 0.3 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.5
    prices = np.linspace(lo - pad, hi + pad, 200)
    payer, payee = tpr.npv_at(prices)
    divisor, scaled = _scaled_unit("USD", [*payer, *payee])
    fig, ax = _figure(4.0)
    ax.set_title(title or _("Who gains at which price: {transfer}").format(
        transfer=tpr.transfer), loc="left", fontsize=12)
    ax.axhline(0.0, color=COLOR_MUTED, linewidth=0.8)
    ax.plot(prices, payee, color=COLOR_MAIN, linewidth=2.2,
            label=_("{party} (is paid)").format(party=_capital(_(tpr.payee))))
    ax.plot(prices, payer, color=COLOR_SECOND, linewidth=2.0, linestyle="--",
            label=_("{party} (pays)").format(party=_capital(_(tpr.payer))))
    if tpr.feasible and tpr.npv_slope_usd_per_price > 0:
        ax.axvspan(tpr.min_price, tpr.max_price, color=COLOR_MAIN, alpha=0.12, gid="both-gain",
                   label=_("Both NPV >= 0"))
    base_payer, base_payee = tpr.npv_at(tpr.base_price)
    ax.plot([tpr.base_price] * 2, [float(base_payer), float(base_payee)], linestyle="none",
            marker="o", color="black",
            label=_("Assumed price {price}").format(price=tpr.price_text(tpr.base_price)))
    ax.set_xlabel(_("Transfer price [{unit}]").format(unit=tpr.unit))
    ax.set_ylabel(_("NPV of each party [{unit}]").format(unit=scaled))
    ax.yaxis.set_major_formatter(_tick_formatter(divisor))
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _pos: formatting.plain(v, max_decimals=2)))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="best", frameon=False, fontsize=8)
    return fig


@_plain_text
def abatement_curve_chart(curve: pd.DataFrame, *, title: str | None = None) -> Figure:
    """The marginal abatement cost curve: one bar per case that avoids emissions.

    Parameters
    ----------
    curve : pandas.DataFrame
        :func:`eip_analysis.portfolio.abatement_curve` (counted cases sorted by MAC).

    Returns
    -------
    matplotlib.figure.Figure
        Bar width = tCO2e avoided per year, height = MAC [USD/tCO2e], cheapest first, so
        negative costs lie left and below zero; P10-P90 whiskers where drawn. Bars carry
        ``gid="mac-<case id>"``; cases without abatement are named under the chart.
    """
    fig, ax = _figure(4.2)
    counted = curve[curve["counted"]] if len(curve) else curve
    x = 0.0
    for r in counted.itertuples(index=False):
        width, height = float(r.co2e_avoided_t_per_year), float(r.mac_usd_per_tco2e)
        colour = COLOR_MAIN if height < 0 else COLOR_SECOND
        ax.bar(x, height, width=width, align="edge", color=colour, edgecolor="white",
               linewidth=0.8, gid=f"mac-{r.case_id}")
        if np.isfinite(r.mac_p10_usd_per_tco2e):
            ax.errorbar(x + width / 2, height, yerr=[[height - r.mac_p10_usd_per_tco2e],
                                                     [r.mac_p90_usd_per_tco2e - height]],
                        color=COLOR_MUTED, capsize=3, linewidth=0.8, gid=f"p10-p90-{r.case_id}")
        ax.annotate(r.case_id, (x + width / 2, 0), textcoords="offset points",
                    xytext=(0, 4 if height < 0 else -12), ha="center", fontsize=8,
                    parse_math=False)
        x += width
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xlim(0, max(x, 1.0))
    left_out = curve[~curve["counted"]] if len(curve) else curve
    words = [f"{r.case_id} (alternative to {r.alternative_to})"
             if getattr(r, "alternative_to", "") else f"{r.case_id} (no emissions avoided)"
             for r in left_out.itertuples(index=False)]
    ax.set_xlabel("Emissions avoided, cumulative [tCO2e/yr]"
                  + ("\nNot on the curve: " + ", ".join(words) if words else ""))
    ax.set_ylabel("Marginal abatement cost [USD/tCO2e]")
    ax.xaxis.set_major_formatter(_tick_formatter(1.0))
    _style(ax)
    ax.set_title(title or "Marginal abatement cost curve (whiskers: P10 to P90)", fontsize=11,
                 loc="left")
    return fig


@_plain_text
def npv_vs_abatement_chart(curve: pd.DataFrame,
                           shortlisted: Sequence[str] | None = None) -> Figure:
    """NPV against tCO2e avoided per year, one labelled point per case (a Pareto view).

    Ranking negative-cost options by their MAC alone misleads (a small saving on few tonnes
    has a very negative ratio); this view shows both axes. Blue: NPV >= 0, orange: NPV < 0;
    with ``shortlisted``, those cases are filled and the others hollow (a legend says so).
    Points carry ``gid="case-<id>"``.
    """
    fig, ax = _figure(4.2)
    divisor, unit = _scaled_unit("USD", curve["npv_usd"].tolist() if len(curve) else [])
    chosen = set(shortlisted or [])
    for r in curve.itertuples(index=False):
        colour = COLOR_MAIN if r.npv_usd >= 0 else COLOR_SECOND
        filled = shortlisted is None or r.case_id in chosen
        ax.plot(r.co2e_avoided_t_per_year, r.npv_usd, marker="o", linestyle="none",
                color=colour, markerfacecolor=colour if filled else "white",
                gid=f"case-{r.case_id}")
        ax.annotate(r.case_id, (r.co2e_avoided_t_per_year, r.npv_usd),
                    textcoords="offset points", xytext=(4, 4), fontsize=8, parse_math=False)
    handles = [ax.plot([], [], marker="o", linestyle="none", color=COLOR_MAIN,
                       label="NPV >= 0")[0],
               ax.plot([], [], marker="o", linestyle="none", color=COLOR_SECOND,
                       label="NPV < 0")[0]]
    if shortlisted is not None:
        handles += [ax.plot([], [], marker="o", linestyle="none", color=COLOR_MUTED,
                            label="shortlisted")[0],
                    ax.plot([], [], marker="o", linestyle="none", color=COLOR_MUTED,
                            markerfacecolor="white", label="not shortlisted")[0]]
    ax.legend(handles=handles, loc="best", frameon=False, fontsize=8)
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.yaxis.set_major_formatter(_tick_formatter(divisor))
    ax.set_xlabel("Emissions avoided [tCO2e/yr]")
    ax.set_ylabel(f"NPV [{unit}]")
    ax.set_title("NPV and emissions avoided: the best cases lie top right", fontsize=11,
                 loc="left")
    _style(ax)
    return fig


@_plain_text
def stability_chart(stability: pd.DataFrame) -> Figure:
    """How often each case is shortlisted when the weights vary: one bar per case.

    Parameters
    ----------
    stability : pandas.DataFrame
        :func:`eip_analysis.portfolio.stability` (rank order).

    Returns
    -------
    matplotlib.figure.Figure
        Horizontal bars: share of the Dirichlet weight draws in which the case is shortlisted
        [%]; a diamond: share of the one-at-a-time +-50% variations. Filled bars: shortlisted
        with the file's weights. Bars carry ``gid="stability-<case id>"``.
    """
    n = len(stability)
    fig, ax = _figure(max(2.0, 0.32 * n + 1.2))
    y = np.arange(n)[::-1]
    for yi, r in zip(y, stability.itertuples(index=False), strict=True):
        share = 0.0 if not np.isfinite(r.share_shortlisted_dirichlet) else \
            100 * r.share_shortlisted_dirichlet
        ax.barh(yi, share, color=COLOR_MAIN if r.shortlisted else "white",
                edgecolor=COLOR_MAIN, hatch=None if r.shortlisted else "//", height=0.6,
                gid=f"stability-{r.case_id}")
        if r.one_at_a_time_variations:
            ax.plot(100 * r.one_at_a_time_shortlisted / r.one_at_a_time_variations, yi,
                    marker="D", color=COLOR_SECOND, linestyle="none", markersize=5)
    ax.set_yticks(y, [str(c) for c in stability["case_id"]])
    ax.set_xlim(0, 105)
    ax.set_xlabel("Shortlisted [% of the weight variations]")
    ax.set_title("Stability of the shortlist: bars Dirichlet draws, diamonds each weight "
                 "+-50%", fontsize=11, loc="left")
    _style(ax, "x")
    return fig


@_plain_text
def gantt_chart(plan: pd.DataFrame) -> Figure:
    """The work-plan: one row per case and step, bars from start to finish [weeks].

    Parameters
    ----------
    plan : pandas.DataFrame
        :func:`eip_analysis.portfolio.work_plan`.

    Returns
    -------
    matplotlib.figure.Figure
        Critical steps filled, others hatched; a diamond at the end of a step with a go/no-go
        gate. Bars carry ``gid="step-<case id>-<step>"``.
    """
    n = len(plan)
    fig, ax = _figure(max(2.0, 0.24 * n + 1.2))
    y = np.arange(n)[::-1]
    labels = []
    for yi, r in zip(y, plan.itertuples(index=False), strict=True):
        ax.barh(yi, r.duration_weeks, left=r.start_week, height=0.6,
                color=COLOR_MAIN if r.critical else "white", edgecolor=COLOR_MAIN,
                hatch=None if r.critical else "//", gid=f"step-{r.case_id}-{r.step}")
        if r.gate:
            ax.plot(r.finish_week, yi, marker="D", color=COLOR_SECOND, markersize=5,
                    linestyle="none")
        labels.append(f"{r.case_id}  {r.name}")
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlabel("Weeks from the plan's start")
    ax.set_title("Work-plan to the bank's decision (filled: critical path; diamond: "
                 "go/no-go gate)", fontsize=11, loc="left")
    _style(ax, "x")
    return fig


@_plain_text
def esmp_heat_map_chart(heat: pd.DataFrame, areas: dict[str, str]) -> Figure:
    """Cases x ESMP areas, each cell the highest residual rating (1-25), with its number.

    Parameters
    ----------
    heat : pandas.DataFrame
        :func:`eip_analysis.esmp.heat_map`.
    areas : dict
        Area key -> words (:data:`eip_analysis.esmp.AREAS`), the column labels.
    """
    keys = list(areas)
    values = heat[keys].to_numpy(dtype=float) if len(heat) else np.zeros((0, len(keys)))
    fig, ax = _figure(max(2.0, 0.35 * len(heat) + 1.4))
    shown = np.ma.masked_invalid(values)
    image = ax.imshow(shown, cmap="YlOrRd", vmin=1, vmax=25, aspect="auto")
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            text = "-" if not np.isfinite(values[i, j]) else f"{values[i, j]:.0f}"
            ax.text(j, i, text, ha="center", va="center", fontsize=8, parse_math=False,
                    color="black" if not np.isfinite(values[i, j]) or values[i, j] < 15
                    else "white")
    ax.set_xticks(range(len(keys)), [textwrap.fill(areas[k], 24) for k in keys],
                  fontsize=7)
    ax.set_yticks(range(len(heat)), [f"{c} ({k})" for c, k in zip(
        heat["case_id"], heat["category"], strict=True)], fontsize=8)
    ax.spines[:].set_visible(False)
    fig.colorbar(image, ax=ax, label="Highest residual rating [1-25]", shrink=0.8)
    ax.set_title("ESMP: highest residual rating by area (lender's category in brackets)",
                 fontsize=11, loc="left")
    return fig


@_plain_text
def screening_network_chart(nodes: pd.DataFrame, edges: pd.DataFrame, *,
                            title: str | None = None) -> Figure:
    """A park's candidate exchanges: tenants at their positions, exchanges as arrows.

    Parameters
    ----------
    nodes, edges : pandas.DataFrame
        :func:`eip_analysis.screening.network`.

    Returns
    -------
    matplotlib.figure.Figure
        One dot per tenant (grey: no allocated exchange), one arrow supplier -> receiver per
        allocated candidate, its width proportional to the indicative value [USD/yr]; dark
        blue: the exchange already has a case, orange: a new candidate. An exchange within
        one tenant (its own roof) is a ring around its dot. Arrows carry
        ``gid="edge-<candidate>"``.
    """
    fig, ax = _figure(5.2)
    where = {r.tenant: (float(r.x_km), float(r.y_km)) for r in nodes.itertuples(index=False)}
    top = float(edges["value_usd"].max()) if len(edges) else 1.0
    linked = set(edges["supplier"]) | set(edges["receiver"]) if len(edges) else set()
    for r in edges.sort_values("value_usd").itertuples(index=False):
        colour = COLOR_MAIN if r.has_case else COLOR_SECOND
        width = 0.8 + 5.0 * max(float(r.value_usd), 0.0) / top
        (x0, y0), (x1, y1) = where[r.supplier], where[r.receiver]
        if r.supplier == r.receiver:
            ax.scatter([x0], [y0], s=260, facecolors="none", edgecolors=colour,
                       linewidths=width, zorder=2, gid=f"edge-{r.candidate}")
            continue
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), gid=f"edge-{r.candidate}",
                    arrowprops={"arrowstyle": "-|>", "color": colour, "lw": width,
                                "alpha": 0.75, "shrinkA": 6, "shrinkB": 6,
                                "connectionstyle": "arc3,rad=0.12"})
    for r in nodes.itertuples(index=False):
        x, y = where[r.tenant]
        on = r.tenant in linked
        ax.scatter([x], [y], s=28 if on else 12, color="black" if on else COLOR_MUTED,
                   zorder=3)
        if on:
            ax.annotate(textwrap.shorten(str(r.role), 24, placeholder="..."), (x, y),
                        textcoords="offset points", xytext=(4, 4), fontsize=7,
                        color="black", parse_math=False)
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], color=COLOR_MAIN, lw=3, label=_("has a case")),
                       Line2D([], [], color=COLOR_SECOND, lw=3, label=_("new candidate")),
                       Line2D([], [], color=COLOR_MUTED, marker="o", lw=0,
                              label=_("tenant without an allocated exchange"))],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_xlabel(_("Position on the park grid [km] (illustrative)"))
    ax.set_ylabel(_("[km]"))
    ax.set_aspect("equal", adjustable="datalim")
    _style(ax)
    ax.set_title(title or _("Candidate exchanges (arrow width: indicative value)"),
                 fontsize=11, loc="left")
    return fig
