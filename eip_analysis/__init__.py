"""eip-analysis: investment cases for industrial symbiosis in eco-industrial parks.

Public API::

    from eip_analysis import load_case, load_cases, appraise
    case = load_case("HK-01")
    a = appraise(case, discount_rate=0.08)
    a.npv_usd, a.irr, a.cashflows, a.emissions, a.warnings
"""

__version__ = "0.1.0"

import importlib

#: Public names and the module each comes from, imported on first use (PEP 562), so that a
#: command that needs none of them (``eip-analysis run`` with nothing to rebuild) starts fast.
_PUBLIC = {"Appraisal": "appraisal", "Metrics": "appraisal", "appraise": "appraisal",
           "evaluate": "appraisal", "Case": "cases", "load_case": "cases",
           "load_cases": "cases", "scan_cases": "cases", "InputError": "errors"}

__all__ = ["Appraisal", "Case", "InputError", "Metrics", "__version__", "appraise", "evaluate",
           "load_case", "load_cases", "scan_cases"]


def __getattr__(name: str):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
