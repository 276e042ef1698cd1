"""One vocabulary: every field the package shows or writes, with its label, unit and kind.

The key figures of a report, the columns of its section tables, the index page, the bank
workbook, the Monte Carlo summary and the data dictionary of ``data/processed/`` all read
their words and units here, so a label is changed (or translated) in one place and a unit is
never guessed from a column name.

``kind`` says how a value is written for people (:mod:`eip_analysis.report.render`):

==============  =================================================================================
``money``       an amount in ``unit`` (``USD``, ``USD/yr``, ``USD/tCO2e``), converted to the
                reporting currency where a report is in VND
``rate``        a fraction or a rate per year, written as a percentage
``duration``    years with one decimal; infinite reads "never"
``ratio``       a dimensionless ratio with two decimals (DSCR)
``quantity``    a physical quantity in ``unit`` (tCO2e/yr, t/yr, m3/yr)
``number``      a plain number
``year``        a year index or calendar year, no separators
``row_unit``    a number in the unit of its row's ``unit`` column (``value``, ``low``, ``p50``...)
``unit_name``   the name of a unit
``bool``        yes or no
``text``        words, shown as they are
==============  =================================================================================

``description`` is the sentence a key figure shows; it may name run values in braces
(``{discount_rate}``, ``{lifetime}``, ``{supplier_role}``...), filled in by the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .i18n import N_
from .i18n import gettext as _

KINDS = ("money", "rate", "duration", "ratio", "quantity", "number", "year", "row_unit",
         "unit_name", "bool", "text")


@dataclass(frozen=True)
class Field:
    """One field: machine ``name``, ``label`` (a column header), ``unit``, ``kind``, and a
    ``description`` in a sentence."""

    name: str
    label: str
    unit: str
    kind: str
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind {self.kind!r} is not one of {KINDS}")

    @property
    def shown_label(self) -> str:
        """:attr:`label` in the report's language (:mod:`eip_analysis.i18n`)."""
        return _(self.label)

    @property
    def shown_description(self) -> str:
        """:attr:`description` in the report's language (its braces kept)."""
        return _(self.description) if self.description else ""

    @property
    def shown_header(self) -> str:
        """:attr:`header` in the report's language (``"NPV [USD]"``, ``"Thời gian hoàn vốn
        [năm]"``)."""
        from .formatting import unit_words

        label = self.shown_label
        if self.kind in ("money", "quantity") and self.unit:
            return f"{label} [{unit_words(self.unit)}]"
        if self.kind == "duration":
            return f"{label} [{_('years')}]"
        return label

    @property
    def header(self) -> str:
        """The column header: the label with its unit where the values do not show it
        (``"NPV [USD]"``, ``"Payback [years]"``; a percentage or ratio needs none)."""
        if self.kind == "money" and self.unit:
            return f"{self.label} [{self.unit}]"
        if self.kind == "duration":
            return f"{self.label} [years]"
        if self.kind == "quantity" and self.unit:
            return f"{self.label} [{self.unit}]"
        return self.label


def _f(name: str, label: str, unit: str, kind: str, description: str = "") -> Field:
    return Field(name, label, unit, kind, description)


_FIELDS = [
    # -- identity and text columns -------------------------------------------------------------
    _f("case_id", N_("Case"), "", "text", "Case id, the name of the case file"),
    _f("park", N_("Park"), "", "text", "Eco-industrial park"),
    _f("title", N_("Opportunity"), "", "text", "Title of the opportunity"),
    _f("kind", N_("Kind of exchange"), "", "text", "Kind of symbiosis exchange"),
    _f("data_quality", N_("Data"), "", "text", "surveyed, estimated or illustrative"),
    _f("status", N_("Status"), "", "text", "Status at the latest survey round"),
    _f("currency", N_("Currency"), "", "text", "Currency of the case file's amounts"),
    _f("warnings", N_("Warnings"), "", "text", "Warnings of the appraisal, separated by |"),
    _f("warning", N_("Warning"), "", "text", "A warning in one sentence"),
    _f("case_sha256", N_("SHA-256 of the case file"), "", "text",
       "SHA-256 of the case file's bytes (which input the figures come from)"),
    _f("metric", N_("Metric"), "", "text", "Machine name of a metric"),
    _f("label", N_("Label"), "", "text", "What the row is, in words"),
    _f("in words", N_("In words"), "", "text", "The value as a reader at a bank writes it"),
    _f("value", N_("Value"), "", "row_unit", "The value, in the unit of its row"),
    _f("unit", N_("Unit"), "", "unit_name", "Unit of the row's values"),
    _f("source", N_("Source"), "", "text", "Where the figure comes from, or *assumption*"),
    _f("term", N_("Term"), "", "text", "A financing or tax term"),
    _f("phase", N_("Phase"), "", "text", "construction, operation or after life"),
    _f("party", N_("Party"), "", "text", "supplier, receiver or project"),
    _f("role", N_("Role"), "", "text", "Who the party is"),
    _f("payer", N_("Payer"), "", "text", "The party that pays the transfer"),
    _f("transfer", N_("Transfer"), "", "text", "A payment between the parties"),
    _f("description", N_("Description"), "", "text", "What the row is"),
    _f("scenario", N_("Scenario"), "", "text", "base, conservative or optimistic"),
    _f("path", N_("Path"), "", "text", "Address of an input (appraise(values={path: ...}))"),
    _f("favourable_end", N_("Favourable end"), "", "text", "The end of the range that raises NPV"),
    _f("note", N_("Note"), "", "text", "A sentence on the row"),
    _f("probability_of", N_("Probability of"), "", "text", "The event the probability is of"),
    _f("distribution", N_("Distribution"), "", "text", "Distribution the input is drawn from"),
    _f("parameters", N_("Parameters"), "", "text", "Parameters of the distribution"),
    _f("flow", N_("Source"), "", "text", "Resource flow"),
    _f("input", N_("Input"), "", "text", "An input of the appraisal"),
    _f("range", N_("Range (low to high)"), "", "text", "Assessed range of the input"),
    _f("is_assumption", N_("Assumption"), "", "bool", "The source starts with the word assumption"),
    _f("seconds", N_("Run time"), "s", "quantity", "Wall time of the report run"),
    _f("run_parameters", N_("Run parameters"), "", "text", "Run parameters given"),
    _f("method", N_("How it is counted"), "", "text", "Emission rule of the flow"),
    # -- headline metrics (eip_analysis.appraisal.Metrics) -------------------------------------
    _f("capex_usd", N_("Capex"), "USD", "money",
       N_("Investment (capex), both parties, all years, undiscounted")),
    _f("capex_pv_usd", N_("Capex, present value"), "USD", "money",
       "Investment (capex), both parties, discounted to year 0 at the discount rate"),
    _f("annual_net_benefit_usd", N_("Annual net benefit"), "USD/yr", "money",
       N_("Annual net benefit (benefits minus opex), first operating year")),
    _f("npv_usd", N_("NPV"), "USD", "money",
       N_("Net present value (NPV), before financing and tax, at a {discount_rate} real discount "
       "rate")),
    _f("irr", N_("IRR"), "1/yr", "rate",
       N_("Internal rate of return (IRR), real, before financing and tax")),
    _f("mirr", N_("MIRR"), "1/yr", "rate",
       N_("Modified IRR (MIRR): finance rate {mirr_finance_rate}, reinvestment rate "
       "{mirr_reinvest_rate}")),
    _f("payback_years", N_("Payback"), "yr", "duration", N_("Simple payback, counted from year 0")),
    _f("discounted_payback_years", N_("Discounted payback"), "yr", "duration",
       N_("Discounted payback at {discount_rate}, counted from year 0")),
    _f("co2e_avoided_t_per_year", N_("Emissions avoided"), "tCO2e/yr", "quantity",
       N_("Emissions avoided per year")),
    _f("co2e_avoided_t_lifetime", N_("Emissions avoided over the life"), "tCO2e", "quantity",
       N_("Emissions avoided over the {lifetime}-year life")),
    _f("abatement_cost_usd_per_tco2e", N_("Abatement cost"), "USD/tCO2e", "money",
       N_("Abatement cost (negative: the exchange saves money while it cuts emissions)")),
    _f("profitability_index", N_("Profitability index"), "-", "ratio",
       "1 + NPV / present value of the capex"),
    _f("supplier_npv_usd", N_("Supplier NPV"), "USD", "money",
       N_("NPV for the supplier ({supplier_role}), after transfers")),
    _f("receiver_npv_usd", N_("Receiver NPV"), "USD", "money",
       N_("NPV for the receiver ({receiver_role}), after transfers")),
    _f("waste_diverted_t_per_year", N_("Waste diverted"), "t/yr", "quantity",
       N_("Waste diverted from landfill")),
    _f("water_saved_m3_per_year", N_("Water saved"), "m3/yr", "quantity", N_("Water saved")),
    _f("sign_changes", N_("Sign changes"), "-", "number",
       "Sign changes of the project cash flow (more than one: several IRRs may exist)"),
    _f("irr_roots", N_("Every IRR"), "1/yr", "rate",
       "Every rate at which the NPV is zero (the cash flow changes sign more than once)"),
    _f("discount_rate", N_("Discount rate"), "1/yr", "rate", "Real discount rate of the run"),
    _f("lifetime_years", N_("Lifetime"), "yr", "duration", "Operating life"),
    # -- financing metrics (eip_analysis.financing.FinancingMetrics) ---------------------------
    _f("debt_usd", N_("Loan drawn"), "USD", "money", N_("Loan drawn (nominal)")),
    _f("equity_invested_usd", N_("Own funds invested"), "USD", "money",
       N_("Own funds invested, fees included (nominal)")),
    _f("project_npv_after_tax_usd", N_("After-tax project NPV"), "USD", "money",
       N_("After-tax project NPV (nominal flows at the nominal rate)")),
    _f("project_irr_after_tax", N_("After-tax project IRR"), "1/yr", "rate",
       N_("After-tax project IRR (real)")),
    _f("equity_npv_usd", N_("Equity NPV"), "USD", "money",
       N_("Equity NPV (nominal flows at the nominal rate)")),
    _f("equity_irr", N_("Equity IRR (real)"), "1/yr", "rate", N_("Equity IRR (real)")),
    _f("equity_irr_nominal", N_("Equity IRR (nominal)"), "1/yr", "rate", N_("Equity IRR (nominal)")),
    _f("equity_payback_years", N_("Equity payback"), "yr", "duration",
       N_("Payback of the nominal equity flows")),
    _f("min_dscr", N_("Minimum DSCR"), "-", "ratio", N_("Minimum DSCR")),
    _f("average_dscr", N_("Average DSCR"), "-", "ratio", N_("Average DSCR")),
    _f("debt_capacity_usd", N_("Debt capacity"), "USD", "money",
       N_("Largest loan at the lender's minimum DSCR (nominal)")),
    _f("debt_capacity_share", N_("Debt capacity share"), "fraction", "rate",
       "Debt capacity as a share of the eligible capex"),
    _f("tax_pv_usd", N_("Tax paid, present value"), "USD", "money", N_("Present value of tax paid")),
    # -- yearly cash flows (Appraisal.cashflows, FinancingAppraisal tables) --------------------
    _f("year", N_("Year"), "yr", "year", "Year from the decision (0: not discounted)"),
    _f("opex_usd", N_("Opex"), "USD", "money", "Operating costs of the year"),
    _f("benefits_usd", N_("Benefits"), "USD", "money", "Savings and revenues of the year"),
    _f("salvage_usd", N_("Salvage"), "USD", "money", "Residual value at the end of the life"),
    _f("net_cash_flow_usd", N_("Net cash flow"), "USD", "money", "Net cash flow of the year"),
    _f("discount_factor", N_("Discount factor"), "-", "number", "1 / (1 + rate) ^ year"),
    _f("discounted_cash_flow_usd", N_("Discounted cash flow"), "USD", "money",
       "Net cash flow times the discount factor"),
    _f("cumulative_cash_flow_usd", N_("Cumulative"), "USD", "money",
       "Net cash flow summed from year 0"),
    _f("cumulative_discounted_usd", N_("Cumulative discounted"), "USD", "money",
       "Discounted cash flow summed from year 0"),
    _f("supplier_net_usd", N_("Supplier, after transfers"), "USD", "money",
       "Supplier's net cash flow with the transfers"),
    _f("receiver_net_usd", N_("Receiver, after transfers"), "USD", "money",
       "Receiver's net cash flow with the transfers"),
    _f("opening_balance_usd", N_("Opening balance"), "USD", "money", "Loan balance at the start"),
    _f("drawdown_usd", N_("Drawdown"), "USD", "money", "Loan drawn in the year"),
    _f("interest_usd", N_("Interest"), "USD", "money", "Interest accrued"),
    _f("capitalised_interest_usd", N_("Capitalised interest"), "USD", "money",
       "Interest during construction added to the balance"),
    _f("interest_paid_usd", N_("Interest paid"), "USD", "money", "Interest paid in the year"),
    _f("principal_usd", N_("Principal"), "USD", "money", "Principal repaid in the year"),
    _f("debt_service_usd", N_("Debt service"), "USD", "money", "Interest paid plus principal"),
    _f("closing_balance_usd", N_("Closing balance"), "USD", "money", "Loan balance at the end"),
    _f("cfads_usd", N_("CFADS"), "USD", "money", "Cash flow available for debt service"),
    _f("dscr", N_("DSCR"), "-", "ratio", "Debt service coverage ratio, CFADS / debt service"),
    _f("operating_cash_flow_usd", N_("Operating cash flow"), "USD", "money",
       "Benefits minus opex (nominal)"),
    _f("depreciation_usd", N_("Depreciation"), "USD", "money", "Straight-line depreciation"),
    _f("upfront_fee_usd", N_("Upfront fee"), "USD", "money", "Loan fee paid at drawdown"),
    _f("assessable_income_usd", N_("Assessable income"), "USD", "money",
       "Income before losses carried forward"),
    _f("loss_used_usd", N_("Loss used"), "USD", "money", "Earlier losses set off this year"),
    _f("taxable_income_usd", N_("Taxable income"), "USD", "money", "Income the CIT rate applies to"),
    _f("cit_rate", N_("CIT rate"), "fraction", "rate", "Corporate income tax rate of the year"),
    _f("tax_usd", N_("Tax"), "USD", "money", "Corporate income tax paid"),
    # -- both parties --------------------------------------------------------------------------
    _f("annual_net_usd", N_("Annual net"), "USD", "money", "Net cash flow, first operating year"),
    _f("transfers_usd_per_year", N_("Transfers"), "USD/yr", "money",
       "Transfers received (+) or paid (-) per year"),
    _f("base_price", N_("Base price"), "", "row_unit", "The transfer price the case assumes"),
    _f("min_price", N_("Min price"), "", "row_unit", "Price at which the payee breaks even"),
    _f("max_price", N_("Max price"), "", "row_unit", "Price at which the payer breaks even"),
    _f("equal_split_price", N_("Equal split price"), "", "row_unit",
       "Price at which both parties get the same NPV"),
    _f("feasible", N_("Feasible"), "", "bool", "A price exists at which both parties gain"),
    _f("support_needed_usd", N_("Support needed"), "USD", "money",
       "Outside support (present value) for both parties to break even"),
    # -- sensitivity and Monte Carlo -----------------------------------------------------------
    _f("base", N_("Base"), "", "row_unit", "Value in the base case"),
    _f("low", N_("Low"), "", "row_unit", "Low end of the assessed range"),
    _f("high", N_("High"), "", "row_unit", "High end of the assessed range"),
    _f("conservative", N_("Conservative"), "", "row_unit", "Value in the conservative scenario"),
    _f("optimistic", N_("Optimistic"), "", "row_unit", "Value in the optimistic scenario"),
    _f("metric_base", N_("NPV at the base value"), "USD", "money", "NPV with every input at base"),
    _f("metric_at_low", N_("NPV at the low end"), "USD", "money", "NPV with the input at low"),
    _f("metric_at_high", N_("NPV at the high end"), "USD", "money", "NPV with the input at high"),
    _f("metric_at_switching", N_("Metric at switching"), "", "number",
       "The metric at the switching value (the target)"),
    _f("swing", N_("Swing of the NPV"), "USD", "money", "NPV at high minus NPV at low, absolute"),
    _f("switching_value", N_("Switching value"), "", "row_unit",
       "Value of the input at which the NPV turns zero"),
    _f("change_from_base", N_("Switching value, change from base"), "fraction", "rate",
       "Switching value relative to the base value"),
    _f("within_range", N_("Switching value within the range"), "", "bool",
       "The switching value lies inside the assessed range"),
    _f("mean", N_("Mean"), "", "row_unit", "Mean over the draws"),
    _f("p10", N_("P10"), "", "row_unit", "10% of the draws are below"),
    _f("p50", N_("P50"), "", "row_unit", "Median of the draws"),
    _f("p90", N_("P90"), "", "row_unit", "90% of the draws are below"),
    _f("probability", N_("Probability"), "fraction", "rate", "Share of the draws"),
    _f("share_undefined", N_("Draws where it is undefined"), "fraction", "rate",
       "Share of the draws where the metric is not defined"),
    # -- the portfolio (eip_analysis.portfolio) ------------------------------------------------
    _f("round", N_("Survey round"), "yr", "year", "Year of the survey round"),
    _f("barriers", N_("Barriers"), "", "text", "Barrier categories found by the round"),
    _f("barrier", N_("Barrier"), "", "text", "A barrier category"),
    # -- screening of new exchanges (eip_analysis.screening) -----------------------------------
    _f("rank_value", N_("Rank"), "", "number", "Rank by indicative value, 1 = best"),
    _f("candidate", N_("Candidate"), "", "text",
       "Supply stream and demand stream of the park's inventory"),
    _f("exchange", N_("Exchange"), "", "text", "What goes from which tenant to which"),
    _f("quantity_exchanged", N_("Quantity exchanged"), "", "text",
       "Allocated quantity per year, in the supply stream's unit"),
    _f("screening_value_usd_per_year", N_("Indicative value, both parties"), "USD/yr", "money",
       "Avoided disposal and purchase minus transport and treatment, before capex"),
    _f("screening_co2e_t_per_year", N_("Indicative emissions avoided"), "tCO2e/yr", "quantity",
       "With the package's emission rules, an average year"),
    _f("existing_case", N_("Case file"), "", "text",
       "The case that already appraises this exchange, or new"),
    _f("cases", N_("Cases"), "", "number", "Number of cases"),
    _f("case_ids", N_("Cases (ids)"), "", "text", "The cases, by id"),
    _f("npv_blocked_usd", N_("NPV of the cases"), "USD", "money",
       "Sum of the NPVs of the cases the barrier blocks"),
    _f("positive_npv_blocked_usd", N_("Positive NPV held back"), "USD", "money",
       "Sum of the positive NPVs of the cases the barrier blocks"),
    _f("from_round", N_("From round"), "yr", "year", "Earlier survey round"),
    _f("to_round", N_("To round"), "yr", "year", "Later survey round"),
    _f("from_status", N_("From status"), "", "text", "Status at the earlier round"),
    _f("to_status", N_("To status"), "", "text", "Status at the later round"),
    _f("direction", N_("Direction"), "", "text", "forward, back, unchanged or dropped"),
    _f("barriers_removed", N_("Barriers removed"), "", "text", "Barriers no longer found"),
    _f("barriers_added", N_("Barriers added"), "", "text", "Barriers newly found"),
    _f("crf", N_("Capital recovery factor"), "1/yr", "number",
       "CRF at the real discount rate over the operating life"),
    _f("annualised_capex_usd_per_year", N_("Annualised capex"), "USD/yr", "money",
       "Present value of the capex times the capital recovery factor"),
    _f("mac_usd_per_tco2e", N_("Marginal abatement cost"), "USD/tCO2e", "money",
       "(Annualised capex - annual net benefit) / tCO2e avoided per year"),
    _f("alternative_to", N_("Alternative to"), "", "text",
       "The better-ranked case this one excludes: not added to the curve"),
    _f("mac_p10_usd_per_tco2e", N_("MAC P10"), "USD/tCO2e", "money",
       "10% of the Monte Carlo draws have a lower MAC"),
    _f("mac_p90_usd_per_tco2e", N_("MAC P90"), "USD/tCO2e", "money",
       "90% of the Monte Carlo draws have a lower MAC"),
    # -- selection (eip_analysis.portfolio.selection) -------------------------------------------
    _f("score", N_("Score"), "-", "ratio", "Weighted mean of the criterion values, 0 (worst) to 1"),
    _f("rank", N_("Rank"), "", "number", "Rank by score, 1 = best"),
    _f("shortlisted", N_("Shortlisted"), "", "bool", "Implementable: meets every shortlist rule"),
    _f("reason", N_("Why not shortlisted"), "", "text", "The rules the case fails, in words"),
    _f("criterion", N_("Criterion"), "", "text", "A criterion of the score"),
    _f("weight_share", N_("Weight"), "fraction", "rate", "The criterion's share of the weights"),
    _f("normalisation", N_("Value from 0 to 1"), "", "text", "How the criterion becomes a value"),
    _f("parameter", N_("Parameter"), "", "text", "Name of a parameter"),
    _f("probability_npv_positive", N_("P(NPV > 0)"), "fraction", "rate",
       "Share of the Monte Carlo draws with NPV > 0"),
    _f("barrier_severity", N_("Barrier severity"), "points", "number",
       "Sum of the severities (1-3) of the case's barriers at its latest round"),
    _f("esmp_residual", N_("Highest ESMP residual rating"), "-", "number",
       "Highest residual rating of the case's ESMP register (1-25)"),
    _f("esmp_category", N_("Lender's E&S category"), "", "text",
       "Circular 17/2022 category A, B or C of the case's ESMP register"),
    *[_f(f"v_{name}", label, "-", "ratio", f"Value of the {label} criterion, 0 (worst) to 1")
      for name, label in (("npv_usd", "NPV"), ("mirr", "MIRR"), ("payback_years", "Payback"),
                          ("probability_npv_positive", "P(NPV > 0)"),
                          ("co2e_avoided_t_per_year", "tCO2e"),
                          ("water_saved_m3_per_year", "Water"),
                          ("waste_diverted_t_per_year", "Waste"),
                          ("barrier_severity", "Barriers"), ("status", "Status"),
                          ("esmp_residual", "ESMP"), ("data_quality", "Data quality"))],
    _f("share_shortlisted_dirichlet", N_("Shortlisted in the Dirichlet draws"), "fraction", "rate",
       "Share of the weight draws in which the case is shortlisted"),
    _f("one_at_a_time_shortlisted", N_("Shortlisted in the +-50% variations"), "", "number",
       "Number of one-at-a-time weight variations in which the case is shortlisted"),
    _f("one_at_a_time_variations", N_("Variations"), "", "number",
       "Number of one-at-a-time weight variations"),
    _f("rank_best", N_("Best rank"), "", "number", "Best rank over the Dirichlet draws"),
    _f("rank_worst", N_("Worst rank"), "", "number", "Worst rank over the Dirichlet draws"),
    _f("stable", N_("Stable"), "", "bool",
       "In the shortlist in >= 90% of the draws or in <= 10%: the weights do not decide it"),
    # -- work-plan (eip_analysis.portfolio.workplan) -------------------------------------------
    _f("step_name", N_("Step"), "", "text", "A step of the work-plan"),
    _f("owner", N_("Owner"), "", "text", "Who carries the step"),
    _f("duration_weeks", N_("Duration"), "weeks", "quantity", "Duration of the step"),
    _f("start_date", N_("Start"), "", "text", "Earliest start (ISO date)"),
    _f("finish_date", N_("Finish"), "", "text", "Earliest finish (ISO date)"),
    _f("slack_weeks", N_("Slack"), "weeks", "quantity",
       "Weeks the step can slip without delaying the decision"),
    _f("critical", N_("Critical"), "", "bool", "On the critical path (no slack)"),
    _f("gate", N_("Go/no-go gate"), "", "text", "The decision that closes the step"),
    # -- park totals (eip_analysis.portfolio.indicators) ---------------------------------------
    _f("set", N_("Cases counted"), "", "text", "all cases, or the shortlist"),
    _f("left_out", N_("Left out (overlaps)"), "", "text",
       "Cases not counted because they exclude a better-ranked case"),
    _f("shared_resources", N_("Shared resources drawn"), "", "text",
       "What the counted cases draw on each shared resource, against its supply"),
    _f("framework", N_("Framework"), "", "text", "IEIP 2.0, Decree 35/2022 or Circular 05/2025"),
    _f("text", N_("What it asks"), "", "text", "The criterion, paraphrased"),
    _f("informed_by", N_("Informed by"), "", "text", "The total that informs the criterion"),
    _f("how", N_("How the total informs it"), "", "text", "What the figure says, and does not"),
    *[_f(park, park, "", "row_unit", f"The total of {park} (shortlist), in the row's unit")
      for park in ("Hoa Khanh", "Tra Noc 1&2", "both parks")],
    _f("item", N_("Item"), "", "text", "What the row records"),
    # -- ESMP (eip_analysis.esmp) ----------------------------------------------------------------
    _f("area", N_("Area"), "", "text", "Area of the ESMP (IFC Performance Standard)"),
    _f("hazard", N_("Hazard"), "", "text", "What can go wrong"),
    _f("likelihood", N_("Likelihood (1-5)"), "-", "number", "How likely, 1 (rare) to 5 (almost certain)"),
    _f("severity", N_("Severity (1-5)"), "-", "number", "How severe, 1 (minor) to 5 (catastrophic)"),
    _f("rating", N_("Rating"), "-", "number", "Likelihood x severity, 1-25"),
    _f("level", N_("Level"), "", "text", "low, medium, high or very high"),
    _f("mitigation", N_("Mitigation"), "", "text", "What is done about it"),
    _f("responsible", N_("Responsible"), "", "text", "Who does it"),
    _f("indicator", N_("Monitoring indicator"), "", "text", "What is measured"),
    _f("frequency", N_("Frequency"), "", "text", "How often it is measured"),
    _f("requirement", N_("Requirement met"), "", "text", "The Vietnamese requirement it meets"),
    _f("residual_rating", N_("Residual rating"), "-", "number", "Rating once the mitigation works"),
    _f("residual_level", N_("Residual level"), "", "text", "Band of the residual rating"),
    _f("labour", N_("Labour (PS2)"), "-", "number", "Highest residual rating, labour"),
    _f("resource_pollution", N_("Resources and pollution (PS3)"), "-", "number",
       "Highest residual rating, resource efficiency and pollution"),
    _f("community", N_("Community (PS4)"), "-", "number", "Highest residual rating, community"),
    _f("category", N_("Lender's category"), "", "text", "Circular 17/2022 category A, B or C"),
    # -- emissions -----------------------------------------------------------------------------
    _f("baseline_quantity", N_("Baseline use"), "", "row_unit", "Resource use today"),
    _f("project_quantity", N_("Use with the exchange"), "", "row_unit", "Resource use with it"),
    _f("baseline_co2e_t_per_year", N_("Baseline"), "tCO2e/yr", "quantity",
       "Emissions today, average operating year"),
    _f("project_co2e_t_per_year", N_("With the exchange"), "tCO2e/yr", "quantity",
       "Emissions once the exchange runs, average operating year"),
    _f("avoided_co2e_t_per_year", N_("Avoided"), "tCO2e/yr", "quantity",
       "Baseline minus with the exchange; negative means more emissions"),
    _f("counted", N_("Counted in tCO2e"), "", "bool", "The flow is converted to tCO2e"),
]

#: Every field by name.
FIELDS: dict[str, Field] = {f.name: f for f in _FIELDS}
if len(FIELDS) != len(_FIELDS):  # pragma: no cover - a developer's mistake, caught on import
    raise ValueError("a field is registered twice")

#: The headline figures of a report, in the order a bank reads them: ``key`` (stable id, also
#: the HTML ``data-key`` and the index's key) -> field name. Where the value is zero, the
#: indicators after ``receiver_npv`` are left out.
KEY_FIGURES: dict[str, str] = {
    "capex": "capex_usd",
    "annual_net_benefit": "annual_net_benefit_usd",
    "npv": "npv_usd",
    "irr": "irr",
    "mirr": "mirr",
    "payback": "payback_years",
    "discounted_payback": "discounted_payback_years",
    "co2e_avoided_per_year": "co2e_avoided_t_per_year",
    "co2e_avoided_lifetime": "co2e_avoided_t_lifetime",
    "abatement_cost": "abatement_cost_usd_per_tco2e",
    "supplier_npv": "supplier_npv_usd",
    "receiver_npv": "receiver_npv_usd",
    "waste_diverted": "waste_diverted_t_per_year",
    "water_saved": "water_saved_m3_per_year",
}
#: Key figures shown only where they are not zero.
OPTIONAL_KEY_FIGURES = frozenset({"waste_diverted", "water_saved"})
#: Key figures repeated in the index page, by :data:`KEY_FIGURES` key.
INDEX_FIGURES = ("npv", "irr", "discounted_payback", "co2e_avoided_per_year", "abatement_cost")


def field(name: str) -> Field:
    """The registered field ``name``.

    Raises
    ------
    KeyError
        With a sentence naming the field, so a new column is registered here, not guessed.
    """
    try:
        return FIELDS[name]
    except KeyError:
        raise KeyError(f"field {name!r} is not in eip_analysis.fields.FIELDS: register its "
                       "label, unit and kind there") from None


def unregistered(names: Iterable[str]) -> list[str]:
    """The names among ``names`` that have no field (for tests of every table's columns)."""
    return [n for n in names if n not in FIELDS]


def data_dictionary(names: Iterable[str]) -> list[Mapping[str, str]]:
    """Rows ``column, label, unit, description`` for the columns ``names`` of a CSV file."""
    return [{"column": n, "label": field(n).label, "unit": field(n).unit,
             "description": field(n).description} for n in names]
