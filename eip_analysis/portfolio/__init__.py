"""The programme's questions across the opportunities (:mod:`eip_analysis.portfolio`).

- :mod:`~eip_analysis.portfolio.survey`: status and barriers by survey round;
- :mod:`~eip_analysis.portfolio.abatement`: the marginal abatement cost curve;
- :mod:`~eip_analysis.portfolio.selection`: the multi-criteria score, the shortlist of
  implementable solutions with the reason for each exclusion, and its stability;
"""

from .abatement import DEFAULT_MAC_DRAWS, abatement_curve, marginal_abatement_cost
from .selection import (
    CRITERIA,
    Selection,
    SelectionResult,
    load_selection,
    probabilities_npv_positive,
    shortlist,
    stability,
    with_overrides,
)
from .survey import barrier_frequency, progress, status_by_park, survey_table

__all__ = [
    "CRITERIA", "DEFAULT_MAC_DRAWS", "Selection", "SelectionResult", "abatement_curve",
    "barrier_frequency", "load_selection", "marginal_abatement_cost",
    "probabilities_npv_positive", "progress", "shortlist", "stability", "status_by_park",
    "survey_table", "with_overrides",
]
