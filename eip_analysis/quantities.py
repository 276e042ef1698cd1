"""The one sourced-quantity model: a number with its unit, its source and optionally a range.

Every figure of a case (:class:`Quantity`) and every project-wide parameter
(:class:`Parameter`, whose value may also be a word such as ``AR5``) is one of these, so a report
can print where each number comes from and a sensitivity analysis can read its range.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
#: Largest magnitude of any figure [in its unit]: 1e13 VND is USD 400 M, 1e13 t/yr more than
#: the world's cement; beyond it a figure is a typo, and products of such figures would
#: overflow to infinity.
MAX_MAGNITUDE = 1e13
#: Distributions a range may be drawn from (:mod:`eip_analysis.risk`).
DISTRIBUTIONS = ("triangular", "uniform", "normal", "lognormal")


class Quantity(BaseModel):
    """A number with its unit and its source (or the word *assumption*), optionally a range."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    value: FiniteFloat
    unit: str
    source: Annotated[str, Field(min_length=3)]
    low: FiniteFloat | None = None
    high: FiniteFloat | None = None
    distribution: Literal[DISTRIBUTIONS] | None = None

    @field_validator("value", "low", "high", mode="before")
    @classmethod
    def _not_bool(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("a number, not true/false")  # noqa: TRY004 (pydantic wants ValueError)
        try:
            number = float(v) if isinstance(v, int | float | str) else None
        except ValueError:
            number = None  # a word: the field's own type says what it must be
        if number is not None and abs(number) > MAX_MAGNITUDE:
            raise ValueError(f"a finite number of magnitude at most {MAX_MAGNITUDE:g}")
        return v

    @model_validator(mode="after")
    def _range(self) -> Quantity:
        if (self.low is None) != (self.high is None):
            raise ValueError("low and high given together")
        if self.low is not None:
            if isinstance(self.value, str):
                raise ValueError("a number as value when low and high are given")
            if not self.low <= self.value <= self.high:
                raise ValueError(f"low <= value <= high, got low={self.low:g}, "
                                 f"value={self.value:g}, high={self.high:g}")
        if self.distribution is not None and self.low is None:
            raise ValueError(f"low and high with distribution {self.distribution!r}")
        if self.distribution == "lognormal" and self.low is not None and self.low <= 0:
            raise ValueError("low > 0 for a lognormal distribution")
        return self

    @property
    def is_assumption(self) -> bool:
        return self.source.lower().startswith("assumption")

    @property
    def has_range(self) -> bool:
        return self.low is not None


class Parameter(Quantity):
    """A project-wide parameter: a :class:`Quantity` whose value may also be a word (``AR5``)."""

    value: FiniteFloat | str
    unit: str = ""
