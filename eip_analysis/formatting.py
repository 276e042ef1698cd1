"""Numbers formatted for people: thousands separators, currency, sensible rounding, percentages.

Undefined values read as words, never as ``nan`` or ``inf``.
"""

from __future__ import annotations

import math


def _bad(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def money(x: float | None, currency: str = "USD", *, digits: int = 0) -> str:
    """``money(1234567.8)`` -> ``'USD 1,234,568'``; negatives as ``'-USD 1,234'``."""
    if _bad(x):
        return "not defined"
    if math.isinf(x):
        return "unbounded"
    sign = "-" if x < 0 else ""
    return f"{sign}{currency} {abs(x):,.{digits}f}"


def percent(x: float | None, *, digits: int = 1) -> str:
    """``percent(0.0866)`` -> ``'8.7%'``; nan -> ``'not defined'``."""
    if _bad(x) or math.isinf(x):
        return "not defined"
    return f"{x * 100:,.{digits}f}%"


def years(x: float | None, *, digits: int = 1) -> str:
    """``years(2.6)`` -> ``'2.6 years'``; inf -> ``'never'``."""
    if _bad(x):
        return "not defined"
    if math.isinf(x):
        return "never"
    return f"{x:,.{digits}f} years"


def number(x: float | None, unit: str = "", *, digits: int = 0) -> str:
    """``number(3186.3, 'tCO2e')`` -> ``'3,186 tCO2e'``."""
    if _bad(x):
        return "not defined"
    if math.isinf(x):
        return "unbounded"
    text = f"{x:,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return f"{text} {unit}".strip()
