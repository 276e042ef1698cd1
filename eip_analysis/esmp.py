"""Environmental and social management plans (ESMP): one risk register per opportunity.

``data/raw/esmp/<case id>.yaml`` lists the environmental and social risks of an exchange in the
three areas of the follow-up assignment, after the IFC Performance Standards (2012):

==========================  ==========================================================
``labour``                  labour and working conditions (IFC PS2)
``resource_pollution``      resource efficiency and pollution prevention (IFC PS3)
``community``               community health, safety and security (IFC PS4)
==========================  ==========================================================

Each risk has a likelihood and a severity from 1 to 5; its rating is their product (1-25),
read on the usual 5 x 5 matrix as low (1-4), medium (5-9), high (10-16) or very high (20-25).
The mitigation, the party responsible, a monitoring indicator with its frequency and the
Vietnamese requirement it meets come with it, and the residual likelihood and severity once the
mitigation works.

**Lender's category.** Circular 17/2022/TT-NHNN (State Bank of Viet Nam, art. 3.1) makes banks
manage the environmental risk of the investment projects listed in Appendices III, IV and V of
Decree 08/2022/ND-CP (projects with significant, some or minimal adverse environmental impact).
The register states the Decree 08 appendix the project falls under (with its source or an
*assumption*), and :func:`lender_category` derives the category from it and from the register:

- **A (high)**: Appendix III, or a residual rating of 15 or more;
- **B (medium)**: Appendix IV, or a residual rating of 8 or more;
- **C (low)**: otherwise (Appendix V or not listed, residual ratings below 8).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from . import paths
from .errors import InputError

#: The three areas of the assignment and the IFC Performance Standard of each.
AREAS = {"labour": "Labour and working conditions (IFC PS2)",
         "resource_pollution": "Resource efficiency and pollution prevention (IFC PS3)",
         "community": "Community health, safety and security (IFC PS4)"}
FREQUENCIES = ("continuous", "daily", "weekly", "monthly", "quarterly", "yearly", "per_event")
RESPONSIBLE = ("supplier", "receiver", "both", "contractor", "park_management")
APPENDICES = ("III", "IV", "V", "not_listed")
#: Rating bands of the 5 x 5 matrix: (lowest rating, word), highest first.
RATING_BANDS = ((20, "very high"), (10, "high"), (5, "medium"), (1, "low"))
#: Residual ratings from which the lender's category rises to A and to B.
CATEGORY_A_RESIDUAL, CATEGORY_B_RESIDUAL = 15, 8

Score = Annotated[int, Field(ge=1, le=5, strict=True)]
Text = Annotated[str, Field(min_length=3)]


def rating_words(rating: int) -> str:
    """``rating_words(12)`` -> ``"high"`` (the band of a likelihood x severity product)."""
    return next(word for lowest, word in RATING_BANDS if rating >= lowest)


class Risk(BaseModel):
    """One environmental or social risk of an exchange, before and after its mitigation."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
    area: Literal[tuple(AREAS)]
    hazard: Text
    likelihood: Score
    severity: Score
    mitigation: Text
    responsible: Literal[RESPONSIBLE]
    indicator: Text
    frequency: Literal[FREQUENCIES]
    requirement: Text
    residual_likelihood: Score
    residual_severity: Score
    source: Text

    @model_validator(mode="after")
    def _mitigation_lowers_or_keeps(self) -> Risk:
        if self.residual_rating > self.rating:
            raise ValueError("a residual rating no higher than the rating before mitigation")
        return self

    @property
    def rating(self) -> int:
        return self.likelihood * self.severity

    @property
    def residual_rating(self) -> int:
        return self.residual_likelihood * self.residual_severity


class Register(BaseModel):
    """The ESMP risk register of one opportunity (``data/raw/esmp/<case id>.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    case: Annotated[str, Field(min_length=1)]
    data_quality: Literal["surveyed", "estimated", "illustrative"]
    decree_08_appendix: Literal[APPENDICES]
    decree_08_source: Text
    risks: Annotated[list[Risk], Field(min_length=1)]
    source_file: str | None = None

    @field_validator("risks")
    @classmethod
    def _ids_once(cls, risks: list[Risk]) -> list[Risk]:
        ids = [r.id for r in risks]
        if len(set(ids)) != len(ids):
            raise ValueError("each risk id once")
        return risks

    @property
    def max_residual(self) -> int:
        return max(r.residual_rating for r in self.risks)


def lender_category(register: Register) -> tuple[str, str]:
    """The Circular 17/2022 category (``A``, ``B`` or ``C``) and the rule that gave it, in words.

    >>> from eip_analysis.esmp import load_register
    >>> lender_category(load_register("HK-01"))[0] in ("A", "B", "C")
    True
    """
    from .i18n import gettext as _  # the words in the report's language (English by default)

    appendix, worst = register.decree_08_appendix, register.max_residual
    if appendix == "III" or worst >= CATEGORY_A_RESIDUAL:
        why = (_("Appendix III of Decree 08/2022") if appendix == "III"
               else _("a residual rating of {worst} (>= {threshold})").format(
                   worst=worst, threshold=CATEGORY_A_RESIDUAL))
        return "A", _("A (high): {why}").format(why=why)
    if appendix == "IV" or worst >= CATEGORY_B_RESIDUAL:
        why = (_("Appendix IV of Decree 08/2022") if appendix == "IV"
               else _("a residual rating of {worst} (>= {threshold})").format(
                   worst=worst, threshold=CATEGORY_B_RESIDUAL))
        return "B", _("B (medium): {why}").format(why=why)
    listed = _("Appendix V") if appendix == "V" else _("not listed in Decree 08/2022's "
                                                       "appendices")
    return "C", _("C (low): {listed}, every residual rating below {threshold} (highest "
                  "{worst})").format(listed=listed, threshold=CATEGORY_B_RESIDUAL, worst=worst)


def esmp_dir() -> Path:
    """``data/raw/esmp`` (or ``$EIP_DATA_DIR/raw/esmp``)."""
    return paths.raw_dir() / "esmp"


def register_path(case_id: str, directory: str | Path | None = None) -> Path:
    return (Path(directory) if directory is not None else esmp_dir()) / f"{case_id}.yaml"


def load_register(case_id: str, directory: str | Path | None = None) -> Register:
    """Read and validate the register of ``case_id``.

    Raises
    ------
    InputError
        One line naming the file and the field: no register, bad YAML, an unknown area, a
        rating outside 1-5, a risk without mitigation, a residual rating above the rating, a
        register of another case.
    """
    from .cases import read_yaml, validation_error

    path = register_path(case_id, directory)
    if not path.exists():
        raise InputError("an ESMP register for the case", file=path)
    data, _ = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("a mapping with case, data_quality, decree_08_appendix and risks",
                         file=path)
    try:
        register = Register.model_validate({**data, "source_file": str(path)})
    except ValidationError as exc:
        raise validation_error(exc, path) from None
    if register.case != case_id:
        raise InputError(f"the register of {case_id}", file=path, field="case", got=register.case)
    return register


def register_for(case) -> Register | None:
    """The register of a loaded case: ``<cases folder>/../esmp/<id>.yaml`` (so
    ``data/raw/cases`` pairs with ``data/raw/esmp``); ``None`` when there is none."""
    folder = (Path(case.source_file).parent.parent / "esmp" if case.source_file
              else esmp_dir())
    if not register_path(case.id, folder).exists():
        return None
    return load_register(case.id, folder)


def risk_table(register: Register) -> pd.DataFrame:
    """One row per risk: area in words, hazard, likelihood, severity, rating and its band,
    mitigation, responsible, indicator, frequency, requirement, residual rating and band."""
    return pd.DataFrame([{
        "area": AREAS[r.area], "hazard": r.hazard, "likelihood": r.likelihood,
        "severity": r.severity, "rating": r.rating, "level": rating_words(r.rating),
        "mitigation": r.mitigation, "responsible": r.responsible.replace("_", " "),
        "indicator": r.indicator, "frequency": r.frequency.replace("_", " "),
        "requirement": r.requirement, "residual_rating": r.residual_rating,
        "residual_level": rating_words(r.residual_rating),
    } for r in register.risks])


def heat_map(registers: dict[str, Register]) -> pd.DataFrame:
    """Highest residual rating per case and area (cases x areas; nan: no risk in that area)."""
    rows = []
    for cid, reg in sorted(registers.items()):
        row = {"case_id": cid}
        for area in AREAS:
            ratings = [r.residual_rating for r in reg.risks if r.area == area]
            row[area] = max(ratings) if ratings else float("nan")
        row["category"] = lender_category(reg)[0]
        rows.append(row)
    return pd.DataFrame(rows, columns=["case_id", *AREAS, "category"])
