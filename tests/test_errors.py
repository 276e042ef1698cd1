"""InputError: one line naming the file, the field and what was expected."""

from __future__ import annotations

from eip_analysis.errors import InputError


def test_one_line_with_file_field_expected_and_got():
    err = InputError("a number >= 1 [yr]", file="cases/X.yaml", field="lifetime_years", got=-5)
    assert str(err) == "cases/X.yaml: lifetime_years: expected a number >= 1 [yr], got -5"
    assert "\n" not in str(err)


def test_long_values_are_shortened():
    err = InputError("a plain name", got="x" * 500)
    assert len(str(err)) < 120 and str(err).endswith("...")


def test_at_adds_location():
    err = InputError("a rate", field="value").at(file="p.yaml", field="discount_rate")
    assert str(err) == "p.yaml: discount_rate.value: expected a rate"
