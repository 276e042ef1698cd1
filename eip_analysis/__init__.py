"""eip-analysis: investment cases for industrial symbiosis in eco-industrial parks.

Public API::

    from eip_analysis import load_case, load_cases, appraise
    case = load_case("HK-01")
    a = appraise(case, discount_rate=0.08)
    a.npv_usd, a.irr, a.cashflows, a.emissions, a.warnings
"""

__version__ = "0.1.0"

from .appraisal import Appraisal, Metrics, appraise, evaluate
from .cases import Case, load_case, load_cases, scan_cases
from .errors import InputError

__all__ = [
    "Appraisal", "Case", "InputError", "Metrics", "__version__", "appraise", "evaluate",
    "load_case", "load_cases", "scan_cases",
]
