"""Numbers formatted for people: thousands separators, currency, sensible rounding, percentages.

Undefined values read as words, never as ``nan`` or ``inf``. In the active language of
:mod:`eip_analysis.i18n`: English as written here (``1,234,567.8``, ``USD 1,235``); Vietnamese
through Babel's ``vi`` locale (``1.234.567,8``, ``1.235 US$``, ``1.234.568 ₫``, ``8,7%``) and
the words of the catalog.
"""

from __future__ import annotations

import math
import re

from .i18n import N_, current_language
from .i18n import gettext as _


def _vi() -> bool:
    return current_language() != "en"


def _decimal(x: float, digits: int, *, thousands: bool = True, trim: bool = False) -> str:
    """``x`` with ``digits`` decimals in the active (non-English) locale; ``trim`` drops
    trailing zeros (``plain``)."""
    from babel.numbers import format_decimal

    from .i18n import babel_locale

    group = "#,##0" if thousands else "0"
    pattern = group + ("." + ("#" if trim else "0") * digits if digits else "")
    return format_decimal(x, format=pattern, locale=babel_locale(), decimal_quantization=True,
                          group_separator=thousands)


def _bad(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def money(x: float | None, currency: str = "USD", *, digits: int = 0) -> str:
    """``money(1234567.8)`` -> ``'USD 1,234,568'``; negatives as ``'-USD 1,234'``."""
    if _bad(x):
        return _("not defined")
    if math.isinf(x):
        return _("unbounded")
    if _vi():
        from babel.numbers import format_currency

        from .i18n import babel_locale

        pattern = "#,##0" + ("." + "0" * digits if digits else "") + "\u00a0\u00a4"
        return format_currency(x, currency, format=pattern, locale=babel_locale(),
                               currency_digits=False)
    sign = "-" if x < 0 else ""
    return f"{sign}{currency} {abs(x):,.{digits}f}"


def percent(x: float | None, *, digits: int = 1) -> str:
    """``percent(0.0866)`` -> ``'8.7%'``; nan -> ``'not defined'``."""
    if _bad(x) or math.isinf(x):
        return _("not defined")
    if _vi():
        return _decimal(x * 100, digits) + "%"
    return f"{x * 100:,.{digits}f}%"


def years(x: float | None, *, digits: int = 1) -> str:
    """``years(2.6)`` -> ``'2.6 years'``; inf -> ``'never'``."""
    if _bad(x):
        return _("not defined")
    if math.isinf(x):
        return _("never")
    if _vi():
        return _("{years} years").format(years=_decimal(x, digits))
    return f"{x:,.{digits}f} years"


def unit_words(unit: str) -> str:
    """A unit as the report's language writes it: ``"tCO2e/yr"`` in English, ``"tCO2e/năm"``
    in Vietnamese (``yr`` is the one abbreviation that differs)."""
    if not unit or not _vi():
        return unit
    return re.sub(r"(?<![A-Za-z])yr(?![A-Za-z])", _("yr"), unit)


def number(x: float | None, unit: str = "", *, digits: int = 0, inf: str = "unbounded") -> str:
    """``number(3186.3, 'tCO2e')`` -> ``'3,186 tCO2e'``; an infinite value reads ``inf``.

    Pass ``inf="never"`` for a payback (a duration that never ends), as :func:`years` does.
    """
    if _bad(x):
        return _("not defined")
    if math.isinf(x):
        return _(inf)
    if _vi():
        text = _decimal(x, digits)
        if text.startswith("-") and round(x, digits) == 0:
            text = text[1:]
        return f"{text} {unit_words(unit)}".strip()
    text = f"{x:,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return f"{text} {unit}".strip()


def sensible_digits(x: float | None) -> int:
    """Decimals worth showing for ``x``: 0 from 100 up, 1 from 10, else 2.

    ``sensible_digits(1234.5)`` -> ``0``; ``sensible_digits(-0.6019)`` -> ``2`` (so a small
    abatement cost reads ``-USD 0.60``, not ``-USD 1``).
    """
    if _bad(x) or math.isinf(x) or abs(x) >= 100 or x == 0:
        return 0
    return 1 if abs(x) >= 10 else 2


def significant(x: float | None, unit: str = "", *, figures: int = 4) -> str:
    """``x`` with ``figures`` significant digits (whole numbers keep all theirs) and ``unit``.

    ``significant(1234.567)`` -> ``'1,235'``; ``significant(0.012345, 'USD/t')`` ->
    ``'0.01235 USD/t'``; ``significant(520000.0)`` -> ``'520,000'``; nan -> ``'not defined'``.
    """
    if _bad(x) or math.isinf(x):
        return number(x, unit)
    digits = max(0, figures - 1 - math.floor(math.log10(abs(x)))) if x else 0
    return f"{plain(round(x, digits), max_decimals=min(digits, 6))} {unit_words(unit)}".strip()


def plain(x: float | str | None, *, max_decimals: int = 6, thousands: bool = True) -> str:
    """A number as entered, with thousands separators and no trailing zeros.

    ``plain(1.6e9)`` -> ``'1,600,000,000'``; ``plain(23159.78)`` -> ``'23,159.78'``;
    ``plain(0.1)`` -> ``'0.1'``; ``plain(2023, thousands=False)`` -> ``'2023'`` (calendar years);
    text (``'AR5'``) is returned unchanged; nan -> ``''``.
    """
    if isinstance(x, str):
        return x
    if _bad(x):
        return ""
    if math.isinf(x):
        return _("unbounded")
    if _vi():
        text = _decimal(x, max_decimals, thousands=thousands, trim=True)
        return "0" if text in ("-0", "") else text
    text = f"{x:{',' if thousands else ''}.{max_decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


#: Scale words for chart axes, largest first: (divisor, word).
_SCALES = ((1e9, N_("billion")), (1e6, N_("million")), (1e3, N_("thousand")))


def scale(largest_abs: float) -> tuple[float, str]:
    """Divisor and word to show values up to ``largest_abs`` with at most 4 digits.

    ``scale(3.9e9)`` -> ``(1e6, 'million')`` (ticks up to 3,900); ``scale(35_000)`` ->
    ``(1e3, 'thousand')``; ``scale(8_000)`` -> ``(1.0, '')``. For chart axes: ``"Cash flow [USD thousand]"``.
    """
    for divisor, word in _SCALES:
        if abs(largest_abs) >= 10 * divisor:
            return divisor, _(word)
    return 1.0, ""


#: Names of resource flows for people (tables, chart axes).
FLOW_LABELS = {  # marked for the catalog; flow_label() translates
    "electricity": N_("Grid electricity"),
    "diesel": N_("Diesel"),
    "fuel_oil": N_("Fuel oil"),
    "lpg": N_("LPG"),
    "natural_gas": N_("Natural gas"),
    "coal_bituminous": N_("Bituminous coal"),
    "anthracite": N_("Anthracite"),
    "wood": N_("Wood"),
    "rice_husk": N_("Rice husk"),
    "biogas": N_("Biogas"),
    "water": N_("Water"),
    "waste_landfill": N_("Waste to landfill (composition unknown)"),
    "landfill_food": N_("Food waste to landfill"),
    "landfill_paper": N_("Paper waste to landfill"),
    "landfill_wood": N_("Wood waste to landfill"),
    "landfill_textiles": N_("Textile waste to landfill"),
    "landfill_garden": N_("Garden waste to landfill"),
    "landfill_sludge": N_("Sludge to landfill"),
    "landfill_inert": N_("Inert waste (ash) to landfill"),
    "composting": N_("Composting"),
    "biogas_flared": N_("Biogas flared (methane slip)"),
    "incineration": N_("Waste to incineration / waste-to-energy"),
    "open_burning": N_("Waste burnt in the open"),
    "cement": N_("Cement"),
    "fired_clay_brick": N_("Fired clay bricks"),
    "leakage.wood": N_("Leakage (wood users)"),
    "leakage.rice_husk": N_("Leakage (rice husk users)"),
    "leakage.fuel_oil": N_("Leakage (fuel oil users)"),
}


def flow_label(flow: str) -> str:
    """``flow_label('coal_bituminous')`` -> ``'Bituminous coal'``; unknown names pass through."""
    if flow in FLOW_LABELS:
        return _(FLOW_LABELS[flow])
    return flow.replace("_", " ").capitalize()


def quantity(x: float | None, unit: str = "", *, inf: str = "unbounded") -> str:
    """A physical quantity rounded sensibly, without trailing zeros.

    ``quantity(1205.37, 'tCO2e/yr')`` -> ``'1,205 tCO2e/yr'``; ``quantity(60.0, 'MWh/yr')`` ->
    ``'60 MWh/yr'``; ``quantity(21.34)`` -> ``'21.3'``; ``quantity(0.6153)`` -> ``'0.62'``.
    """
    if _bad(x) or math.isinf(x):
        return number(x, unit, inf=inf)
    text = plain(round(x, sensible_digits(x)), max_decimals=sensible_digits(x))
    return f"{text} {unit_words(unit)}".strip()


#: Control characters shown escaped on a terminal: C0 (but tab and newline), DEL and C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with control characters escaped (``\\x1b``), so case text can never move
    the cursor, clear the screen or ring the bell of the terminal that prints it.

    >>> terminal_safe("ok\\x1b[2J\\x07 done\\n")
    'ok\\\\x1b[2J\\\\x07 done\\n'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
