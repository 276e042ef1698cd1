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
- :mod:`~eip_analysis.report.notebook`: the papermill run and the self-contained HTML export;
- :mod:`~eip_analysis.report.kernels`: warm kernels reused for many notebooks (the batch).

The portfolio report (``notebooks/portfolio_report.ipynb``) has its own parameters and run
(:mod:`~eip_analysis.report.portfolio`: :class:`PortfolioParameters`,
:class:`PortfolioContext`) and sections (:mod:`~eip_analysis.report.portfolio_sections`).
"""

import importlib

#: Public names -> the submodule defining them, imported on first use (PEP 562): importing
#: one submodule (the batch needs :mod:`.notebook`) does not import them all.
_PUBLIC = {
    "RunContext": "context",
    "reused_kernels": "kernels",
    "HIDDEN_TAGS": "notebook",
    "KERNEL_ARGUMENTS": "notebook",
    "NOTEBOOK": "notebook",
    "PORTFOLIO_NOTEBOOK": "notebook",
    "SUMMARY_MIME": "notebook",
    "ReportError": "notebook",
    "check_kernel": "notebook",
    "execute_notebook": "notebook",
    "execute_portfolio": "notebook",
    "execute_report": "notebook",
    "export_html": "notebook",
    "glue": "notebook",
    "kernel_executable": "notebook",
    "one_line_error": "notebook",
    "read_summary": "notebook",
    "report_paths": "notebook",
    "run_report": "notebook",
    "APPRAISAL_OVERRIDES": "parameters",
    "DEFAULT_MC_DRAWS": "parameters",
    "DEFAULT_MC_SEED": "parameters",
    "MC_DRAWS_RANGE": "parameters",
    "NOTEBOOK_PARAMETERS": "parameters",
    "REPORTING_CURRENCIES": "parameters",
    "RUN_PARAMETERS": "parameters",
    "RunParameters": "parameters",
    "check_parameters": "parameters",
    "describe_parameters": "parameters",
    "parameters_cell": "parameters",
    "parse_assignments": "parameters",
    "PortfolioContext": "portfolio",
    "PortfolioParameters": "portfolio",
    "check_portfolio_parameters": "portfolio",
    "portfolio_sections": "portfolio_sections",
    "Fragment": "render",
    "assumptions_html": "render",
    "barriers_html": "render",
    "cashflow_html": "render",
    "checks_html": "render",
    "emissions_html": "render",
    "figure_html": "render",
    "frame_html": "render",
    "glossary_html": "render",
    "index_html": "render",
    "key_figures_html": "render",
    "page_html": "render",
    "portfolio_title_html": "render",
    "provenance_html": "render",
    "section_html": "render",
    "title_block_html": "render",
    "warnings_html": "render",
    "warnings_list_html": "render",
    "Section": "sections",
    "assumptions_table": "sections",
    "cash_flow_figure": "sections",
    "cashflow_table": "sections",
    "cashflows_in": "sections",
    "check_findings": "sections",
    "convert_usd": "sections",
    "emissions_figure": "sections",
    "emissions_table": "sections",
    "esmp_section": "sections",
    "format_figure": "sections",
    "git_commit": "sections",
    "irr_roots": "sections",
    "key_figures": "sections",
    "key_figures_side_by_side": "sections",
    "provenance": "sections",
    "report_sections": "sections",
    "summary": "sections",
}
#: The submodules, also attributes of the package.
_SUBMODULES = ("context", "kernels", "notebook", "parameters", "portfolio", "portfolio_sections", "render", "sections")

__all__ = [
    "APPRAISAL_OVERRIDES",
    "DEFAULT_MC_DRAWS",
    "DEFAULT_MC_SEED",
    "HIDDEN_TAGS",
    "KERNEL_ARGUMENTS",
    "MC_DRAWS_RANGE",
    "NOTEBOOK",
    "NOTEBOOK_PARAMETERS",
    "PORTFOLIO_NOTEBOOK",
    "REPORTING_CURRENCIES",
    "RUN_PARAMETERS",
    "SUMMARY_MIME",
    "Fragment",
    "PortfolioContext",
    "PortfolioParameters",
    "ReportError",
    "RunContext",
    "RunParameters",
    "Section",
    "assumptions_html",
    "assumptions_table",
    "barriers_html",
    "cash_flow_figure",
    "cashflow_html",
    "cashflow_table",
    "cashflows_in",
    "check_findings",
    "check_kernel",
    "check_parameters",
    "check_portfolio_parameters",
    "checks_html",
    "convert_usd",
    "describe_parameters",
    "emissions_figure",
    "emissions_html",
    "emissions_table",
    "esmp_section",
    "execute_notebook",
    "execute_portfolio",
    "execute_report",
    "export_html",
    "figure_html",
    "format_figure",
    "frame_html",
    "git_commit",
    "glossary_html",
    "glue",
    "index_html",
    "irr_roots",
    "kernel_executable",
    "key_figures",
    "key_figures_html",
    "key_figures_side_by_side",
    "one_line_error",
    "page_html",
    "parameters_cell",
    "parse_assignments",
    "portfolio_sections",
    "portfolio_title_html",
    "provenance",
    "provenance_html",
    "read_summary",
    "report_paths",
    "report_sections",
    "reused_kernels",
    "run_report",
    "section_html",
    "summary",
    "title_block_html",
    "warnings_html",
    "warnings_list_html",
]


def __getattr__(name: str):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC, *_SUBMODULES})
