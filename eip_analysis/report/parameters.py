"""The parameters of one report run: one pydantic model, the one list of notebook parameters.

:class:`RunParameters` is what papermill injects into ``notebooks/opportunity_report.ipynb``
and what ``eip-analysis run -p NAME=VALUE`` may set. Its fields, in order, are the notebook's
``parameters`` cell (:func:`parameters_cell` writes that cell; a test checks the committed
notebook against it), the ``-p`` names (:data:`RUN_PARAMETERS`) and the parameters
:func:`run_report` passes to papermill. The constraints of the project-wide parameters a run
may override (discount rate, exchange rate...) are those of
:class:`eip_analysis.parameters.ParameterValues`: declared once.
"""

from __future__ import annotations

import json
import numbers
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from ..cases import case_path
from ..errors import InputError
from ..i18n import LANGUAGES, check_language
from ..parameters import PARAMETER_FIELDS, coerce, parameter_unit
from ..risk import DEFAULT_DRAWS, DEFAULT_SEED

#: Currencies a report can be written in.
REPORTING_CURRENCIES = ("USD", "VND")
#: Languages a report can be written in (:mod:`eip_analysis.i18n`).
REPORT_LANGUAGES = LANGUAGES
#: The reporting currency of a language when the run sets none: VND in a Vietnamese report.
DEFAULT_CURRENCY = {"en": "USD", "vi": "VND"}
#: Default number of Monte Carlo draws and their seed: those of :mod:`eip_analysis.risk`.
DEFAULT_MC_DRAWS = DEFAULT_DRAWS
DEFAULT_MC_SEED = DEFAULT_SEED
#: Fewest and most Monte Carlo draws a report accepts: fewer give P10/P90 that jump from seed to
#: seed; more take minutes and gigabytes without changing a figure shown to one decimal.
MC_DRAWS_RANGE = (100, 200_000)


def _override(name: str, description: str) -> Any:
    """A run override of project-wide parameter ``name``: ``None`` keeps the parameters file's
    value; else checked by :func:`eip_analysis.parameters.coerce` (its words in the error)."""
    def check(value: Any) -> Any:
        return None if value is None else coerce(name, value, field=name)

    kind = PARAMETER_FIELDS[name].annotation
    python = kind if kind in (int, float) else str  # a Literal of words is text
    return Annotated[python | None, BeforeValidator(check),
                     Field(default=None, description=description,
                           json_schema_extra={"kind": "override", "unit": parameter_unit(name)})]


def _whole(name: str, smallest: int, largest: int | None = None):
    expected = (f"an integer >= {smallest}" if largest is None
                else f"an integer from {smallest:,} to {largest:,}")

    def check(value: Any) -> int:
        number: Any = value
        if isinstance(value, str):
            try:
                text = value.strip().replace("_", "")
                if not text.lstrip("+-").isascii():
                    raise ValueError
                number = int(text)
            except ValueError:
                raise InputError(expected, field=name, got=value) from None
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        if (isinstance(number, bool) or not isinstance(number, numbers.Integral)
                or number < smallest
                or (largest is not None and number > largest)):
            raise InputError(expected, field=name, got=value)
        return int(number)

    return BeforeValidator(check)


def _case_id(value: Any) -> str:
    if not isinstance(value, str):
        raise InputError("a case id (text)", field="case_id", got=value)
    return value


def _cases_dir(value: Any) -> str | None:
    if value is None:
        return None
    if (not isinstance(value, str | os.PathLike) or not str(value).strip()
            or not Path(value).is_dir()):
        raise InputError("an existing folder of case files", field="cases_dir", got=value)
    return str(Path(value).resolve())


def _currency(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in REPORTING_CURRENCIES:
        raise InputError(" or ".join(REPORTING_CURRENCIES), field="currency", got=value)
    return value.upper()


def _optional_path(name: str, suffix: str):
    def check(value: Any) -> str | None:
        if value is None:
            return None
        if (not isinstance(value, str | os.PathLike) or not str(value).strip()
                or Path(value).suffix.lower() != suffix):
            raise InputError(f"a file path ending in {suffix}", field=name, got=value)
        return str(Path(value).resolve())

    return BeforeValidator(check)


class RunParameters(BaseModel):
    """The validated parameters of one report run.

    ``None`` means "the value of the parameters file" (or of the case's ``parameters:`` block).
    Each field's ``description`` is the comment of its line in the notebook's ``parameters``
    cell; ``json_schema_extra["kind"]`` says what it is: ``case`` (which case), ``override`` (a
    project-wide parameter of :class:`~eip_analysis.parameters.ParameterValues`), ``report``
    (how the report is written) or ``output`` (a file the run writes besides the report).

    Examples
    --------
    >>> from eip_analysis.report import RunParameters
    >>> RunParameters(case_id="HK-01", discount_rate="0.08").discount_rate
    0.08
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False)

    case_id: Annotated[str, BeforeValidator(_case_id), Field(
        description="case id: the file <cases_dir>/<case_id>.yaml",
        json_schema_extra={"kind": "case", "default": "HK-01"})]
    cases_dir: Annotated[str | None, BeforeValidator(_cases_dir), Field(
        default=None, description="folder of case files; None: data/raw/cases",
        json_schema_extra={"kind": "case"})]
    discount_rate: _override("discount_rate",
                             "real discount rate [1/yr], e.g. 0.08; None: file (10%)")
    currency: Annotated[Literal["USD", "VND"], BeforeValidator(_currency), Field(
        default="USD", description='reporting currency, "USD" or "VND"; None: USD, VND in a '
                                   'Vietnamese report',
        json_schema_extra={"kind": "report", "default": None})]
    language: Annotated[Literal[LANGUAGES], BeforeValidator(check_language), Field(
        default="en", description='language of the report, "en" or "vi" (Vietnamese)',
        json_schema_extra={"kind": "report"})]
    exchange_rate_vnd_per_usd: _override("exchange_rate_vnd_per_usd",
                                         "[VND/USD]; None: file (IMF 2021 average)")
    grid_factor_year: _override("grid_factor_year",
                                "year of the Viet Nam grid emission factor; None: file")
    gwp_set: _override("gwp_set", 'GWP100 set, "AR5" or "AR6"; None: file')
    grid_factor_change_per_year: _override(
        "grid_factor_change_per_year",
        "relative change of the grid factor per year [1/yr]; None: file (0)")
    grid_margin: _override("grid_margin", 'grid factor margin, "combined" or "solar"; None: file')
    landfill_method: _override("landfill_method",
                               'landfill methane, "fod" (first-order decay) or "commitment"; '
                               "None: file")
    mc_draws: Annotated[int, _whole("mc_draws", *MC_DRAWS_RANGE), Field(
        default=DEFAULT_MC_DRAWS,
        description="Monte Carlo draws of the risk analysis, an integer from 100 to 200,000",
        json_schema_extra={"kind": "report"})]
    mc_seed: Annotated[int, _whole("mc_seed", 0), Field(
        default=DEFAULT_MC_SEED,
        description="seed of the Monte Carlo draws: same seed, same figures",
        json_schema_extra={"kind": "report"})]
    workbook_path: Annotated[str | None, _optional_path("workbook_path", ".xlsx"), Field(
        default=None, description="write the bank workbook (.xlsx) of the same run here; "
                                  "None: no workbook", json_schema_extra={"kind": "output"})]

    @model_validator(mode="before")
    @classmethod
    def _currency_of_the_language(cls, data: Any) -> Any:
        """No currency given (or ``None``): USD, VND in a Vietnamese report."""
        if isinstance(data, dict) and data.get("currency") is None:
            data = {k: v for k, v in data.items() if k != "currency"}
            language = data.get("language", "en")
            if isinstance(language, str) and language.strip().lower() == "vi":
                data["currency"] = DEFAULT_CURRENCY["vi"]
        return data

    @classmethod
    def kind_of(cls, name: str) -> str:
        return cls.model_fields[name].json_schema_extra["kind"]

    @classmethod
    def names(cls, *kinds: str) -> tuple[str, ...]:
        """Field names (all, or those of the given kinds), in order."""
        return tuple(n for n in cls.model_fields if not kinds or cls.kind_of(n) in kinds)

    @property
    def overrides(self) -> dict[str, Any]:
        """Keyword overrides for :func:`eip_analysis.appraise` (only those given)."""
        return {k: getattr(self, k) for k in self.names("override")
                if getattr(self, k) is not None}

    @property
    def given(self) -> dict[str, Any]:
        """The run parameters set for this run, away from their defaults (outputs left out)."""
        return {k: getattr(self, k) for k in self.names("override", "report")
                if getattr(self, k) != type(self).model_fields[k].default}

    def notebook_parameters(self) -> dict[str, Any]:
        """Every field, for papermill."""
        return self.model_dump()

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> RunParameters:
        """The run parameters from the variables of the notebook's ``parameters`` cell."""
        return check_parameters(**{n: namespace[n] for n in cls.model_fields if n in namespace})


#: Names of the report notebook's ``parameters`` cell, in order.
NOTEBOOK_PARAMETERS = RunParameters.names()
#: Parameters ``eip-analysis run -p NAME=VALUE`` may set (the case and outputs come from
#: other options).
RUN_PARAMETERS = RunParameters.names("override", "report")
#: Run parameters passed on to :func:`eip_analysis.appraise` as overrides.
APPRAISAL_OVERRIDES = RunParameters.names("override")


def run_key(case_id: str, case_sha256: str | None, parameters: Mapping[str, Any],
            cases_dir: str | None = None) -> str:
    """The key of one report run: SHA-256 (16 hex digits) of the package version, the case,
    its file's SHA-256, the run parameters given and the cases folder. A report records it
    and so does its status; the index shows a report only when the two agree.

    >>> run_key("HK-01", "ab", {"currency": "VND"}) == run_key("HK-01", "ab", {"currency": "VND"})
    True
    >>> run_key("HK-01", "ab", {}) == run_key("HK-01", "ab", {"currency": "VND"})
    False
    """
    import hashlib

    from .. import __version__

    text = json.dumps({"version": __version__, "case_id": case_id, "case_sha256": case_sha256,
                       "parameters": {k: parameters[k] for k in sorted(parameters)},
                       "cases_dir": cases_dir or ""}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def describe_parameters(parameters: Mapping[str, Any], empty: str = "defaults") -> str:
    """``{"currency": "VND"}`` -> ``"currency = VND"``; nothing given -> ``empty``."""
    return ", ".join(f"{k} = {v}" for k, v in parameters.items()) or empty


def check_parameters(case_id: Any, cases_dir: Any = None, **parameters: Any) -> RunParameters:
    """Validate the report notebook's parameters and return them typed.

    Papermill injects parameters without checking them; the notebook's first cell calls this
    (through :meth:`RunParameters.from_namespace`), so a wrong parameter stops the run there
    with one line naming it.

    Parameters
    ----------
    case_id : str
        Case id, a plain name with a file ``<cases_dir>/<case_id>.yaml``.
    cases_dir : str or path, optional
        Folder of case files (default ``data/raw/cases``, or ``$EIP_DATA_DIR/raw/cases``).
    **parameters
        The other fields of :class:`RunParameters`, typed or as text from the command line.

    Raises
    ------
    InputError
        One line: ``discount_rate: expected a real discount rate in [0, 1) [1/yr], got 1.5``.

    Examples
    --------
    >>> from eip_analysis.report import check_parameters
    >>> check_parameters("HK-01", discount_rate="0.08").discount_rate
    0.08
    """
    unknown = [k for k in parameters if k not in RunParameters.model_fields]
    if unknown:
        raise InputError(f"a report parameter ({', '.join(NOTEBOOK_PARAMETERS)})",
                         field=unknown[0])
    try:
        run = RunParameters(case_id=case_id, cases_dir=cases_dir, **parameters)
    except ValidationError as exc:
        cause = exc.errors(include_url=False)[0].get("ctx", {}).get("error")
        if isinstance(cause, InputError):
            raise cause from None
        err = exc.errors(include_url=False)[0]
        raise InputError(err["msg"], field=".".join(map(str, err["loc"]))) from None
    case_path(run.case_id, run.cases_dir)  # a plain name with a case file, or one line
    return run


def parse_assignments(assignments: Sequence[str]) -> dict[str, str]:
    """``["discount_rate=0.08", ...]`` (command line ``-p``) -> ``{"discount_rate": "0.08"}``.

    Only names are checked here (:data:`RUN_PARAMETERS`); :func:`check_parameters` checks values.

    Raises
    ------
    InputError
        ``-p: expected NAME=VALUE, got 'x'``, an unknown name, or a name given twice.
    """
    out: dict[str, str] = {}
    for text in assignments:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError("NAME=VALUE", field="-p", got=text)
        if name not in RUN_PARAMETERS:
            raise InputError(f"a report parameter ({', '.join(RUN_PARAMETERS)})", field="-p",
                             got=name)
        if name in out:
            raise InputError("each parameter at most once", field="-p", got=name)
        out[name] = value.strip()
    return out


_CELL_HEAD = (
    "# Parameters: papermill replaces this cell's values (`eip-analysis run -p NAME=VALUE`).\n"
    "# None stands for the value in data/raw/parameters/defaults.yaml (or in the case's "
    "parameters:).\n"
    "# Written by eip_analysis.report.parameters.parameters_cell() from RunParameters: change "
    "the model, not this cell.\n"
    "from typing import Optional  # papermill reads `Optional[...]` annotations, not "
    "`... | None`\n\n"
)


def _type_name(annotation: Any) -> str:
    """``int | None`` -> ``"Optional[int]"``; ``Literal["USD", "VND"]`` -> ``"str"``."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    optional = type(None) in get_args(annotation)
    base = args[0] if optional else annotation
    if getattr(base, "__origin__", base) is dict:
        return "dict"
    name = {int: "int", float: "float"}.get(base, "str")
    return f"Optional[{name}]" if optional else name


_PORTFOLIO_CELL_HEAD = (
    "# Parameters: papermill replaces this cell's values (`eip-analysis portfolio --park P "
    "-p weights.NAME=VALUE`).\n"
    "# None stands for the value in data/raw/parameters/ (selection.yaml, workplan.yaml).\n"
    "# Written by eip_analysis.report.parameters.parameters_cell(PortfolioParameters): change "
    "the model, not this cell.\n"
    "from typing import Optional  # papermill reads `Optional[...]` annotations, not "
    "`... | None`\n\n"
)


def parameters_cell(model: type[BaseModel] = RunParameters) -> str:
    """The source of a notebook's ``parameters`` cell: one annotated line per field of
    ``model`` (:class:`RunParameters`, or the portfolio report's ``PortfolioParameters``).

    ``python -m eip_analysis.report.parameters`` writes it into both report notebooks.
    """
    lines = []
    for name, f in model.model_fields.items():
        default = (f.json_schema_extra or {}).get("default", f.get_default(
            call_default_factory=True))
        value = json.dumps(default) if isinstance(default, str) else repr(default)
        kind = _type_name(f.annotation)
        if default is None and not kind.startswith("Optional["):
            kind = f"Optional[{kind}]"  # None: the model's rule (currency of the language)
        lines.append(f"{name}: {kind} = {value}  # {f.description}")
    head = _CELL_HEAD if model is RunParameters else _PORTFOLIO_CELL_HEAD
    return head + "\n".join(lines) + "\n"


def write_parameters_cell(notebook: str | Path, model: type[BaseModel] = RunParameters) -> None:
    """Replace the ``parameters`` cell of ``notebook`` by :func:`parameters_cell`."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = parameters_cell(model)
    nbformat.write(nb, str(notebook))


if __name__ == "__main__":  # python -m eip_analysis.report.parameters
    from .notebook import NOTEBOOK, PORTFOLIO_NOTEBOOK
    from .portfolio import PortfolioParameters

    write_parameters_cell(NOTEBOOK)
    write_parameters_cell(PORTFOLIO_NOTEBOOK, PortfolioParameters)
    print(f"wrote the parameters cells of {NOTEBOOK} and {PORTFOLIO_NOTEBOOK}")
