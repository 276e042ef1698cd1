"""One investment-case report: its parameters, what it shows, one notebook run and the HTML.

The report notebook ``notebooks/opportunity_report.ipynb`` only presents; the package does the
rest, in one module per reason to change:

- :mod:`~eip_analysis.report.parameters`: :class:`RunParameters`, the one pydantic model of a
  run's parameters (the notebook's ``parameters`` cell is written from it);
- :mod:`~eip_analysis.report.context`: :class:`RunContext`, the run computed once (case parsed
  once, base case appraised once) that every section reads;
- :mod:`~eip_analysis.report.sections`: what the report shows, as data (frames, numbers,
  sentences, :class:`Section`), never HTML;
- :mod:`~eip_analysis.report.render`: HTML from the Jinja2 templates in ``templates/`` with
  autoescape; every fragment is a :class:`Fragment` that also displays in JupyterLab;
- :mod:`~eip_analysis.report.notebook`: the papermill run and the self-contained HTML export.

The portfolio report (``notebooks/portfolio_report.ipynb``) has its own parameters and run
(:mod:`~eip_analysis.report.portfolio`: :class:`PortfolioParameters`,
:class:`PortfolioContext`) and sections (:mod:`~eip_analysis.report.portfolio_sections`).
"""

import sys

from .context import RunContext
from .notebook import (
    HIDDEN_TAGS,
    KERNEL_ARGUMENTS,
    NOTEBOOK,
    PORTFOLIO_NOTEBOOK,
    SUMMARY_MIME,
    ReportError,
    check_kernel,
    execute_notebook,
    execute_portfolio,
    execute_report,
    export_html,
    glue,
    kernel_executable,
    one_line_error,
    read_summary,
    report_paths,
    run_report,
)
from .parameters import (
    APPRAISAL_OVERRIDES,
    DEFAULT_MC_DRAWS,
    DEFAULT_MC_SEED,
    MC_DRAWS_RANGE,
    NOTEBOOK_PARAMETERS,
    REPORTING_CURRENCIES,
    RUN_PARAMETERS,
    RunParameters,
    check_parameters,
    describe_parameters,
    parameters_cell,
    parse_assignments,
)
from .portfolio import PortfolioContext, PortfolioParameters, check_portfolio_parameters
from .portfolio_sections import portfolio_sections
from .render import (
    Fragment,
    assumptions_html,
    barriers_html,
    cashflow_html,
    checks_html,
    emissions_html,
    figure_html,
    frame_html,
    index_html,
    key_figures_html,
    page_html,
    portfolio_title_html,
    provenance_html,
    section_html,
    title_block_html,
    warnings_html,
    warnings_list_html,
)
from .sections import (
    Section,
    assumptions_table,
    cash_flow_figure,
    cashflow_table,
    cashflows_in,
    check_findings,
    convert_usd,
    emissions_figure,
    emissions_table,
    esmp_section,
    format_figure,
    git_commit,
    irr_roots,
    key_figures,
    key_figures_side_by_side,
    provenance,
    report_sections,
    summary,
)

__all__ = [name for name, value in dict(globals()).items()
           if not name.startswith("_") and not isinstance(value, type(sys))]
