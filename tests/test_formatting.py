"""Numbers for people: separators, currency, rounding, percentages, words for undefined values."""

from __future__ import annotations

import math

import pytest

from eip_analysis import formatting


class TestMoneyPercentYears:
    @pytest.mark.parametrize("x, text", [
        (1234567.8, "USD 1,234,568"), (-1234.4, "-USD 1,234"), (0.0, "USD 0"),
        (float("nan"), "not defined"), (math.inf, "unbounded"),
    ])
    def test_money(self, x, text):
        assert formatting.money(x) == text

    def test_money_in_vnd_with_digits(self):
        assert formatting.money(2.5e9, "VND") == "VND 2,500,000,000"
        assert formatting.money(12.345, digits=2) == "USD 12.35"

    @pytest.mark.parametrize("x, text", [(0.0866, "8.7%"), (-0.0212, "-2.1%"),
                                         (float("nan"), "not defined"), (math.inf, "not defined")])
    def test_percent(self, x, text):
        assert formatting.percent(x) == text

    @pytest.mark.parametrize("x, text", [(2.6, "2.6 years"), (math.inf, "never"),
                                         (float("nan"), "not defined")])
    def test_years(self, x, text):
        assert formatting.years(x) == text

    def test_number_has_no_negative_zero(self):
        assert formatting.number(-0.2, "t") == "0 t"
        assert formatting.number(3186.3, "tCO2e") == "3,186 tCO2e"


class TestForReports:
    """Helpers the reports use for tables and quantities."""

    @pytest.mark.parametrize("x, text", [
        (1.6e9, "1,600,000,000"), (23159.78, "23,159.78"), (0.1, "0.1"), (-0.0, "0"),
        ("AR5", "AR5"), (float("nan"), ""), (math.inf, "unbounded"),
    ])
    def test_plain(self, x, text):
        assert formatting.plain(x) == text

    def test_plain_calendar_year(self):
        assert formatting.plain(2023, thousands=False) == "2023"

    @pytest.mark.parametrize("x, digits", [(1234.5, 0), (-150, 0), (12.3, 1), (-0.6, 2),
                                           (0.0, 0), (float("nan"), 0)])
    def test_sensible_digits(self, x, digits):
        assert formatting.sensible_digits(x) == digits

    @pytest.mark.parametrize("x, unit, text", [
        (1205.37, "tCO2e/yr", "1,205 tCO2e/yr"), (60.0, "MWh/yr", "60 MWh/yr"),
        (21.34, "", "21.3"), (0.6153, "", "0.62"), (-18.83, "t", "-18.8 t"),
        (float("nan"), "t", "not defined"),
    ])
    def test_quantity(self, x, unit, text):
        assert formatting.quantity(x, unit) == text

    @pytest.mark.parametrize("largest, expected", [
        (3.9e9, (1e6, "million")), (2.5e10, (1e9, "billion")), (35_000, (1e3, "thousand")),
        (8_000, (1.0, "")), (0.0, (1.0, "")), (-2e5, (1e3, "thousand"))])
    def test_scale(self, largest, expected):
        assert formatting.scale(largest) == expected

    def test_flow_label(self):
        assert formatting.flow_label("coal_bituminous") == "Bituminous coal"
        assert formatting.flow_label("new_fuel") == "New fuel"


def test_every_flow_has_a_label_for_people():
    from eip_analysis import emissions

    assert set(emissions.FLOW_UNITS) <= set(formatting.FLOW_LABELS)



def test_an_infinite_payback_reads_never_in_tables_too():
    from eip_analysis import formatting

    assert formatting.number(float("inf"), digits=1, inf="never") == "never"
    assert formatting.quantity(float("inf"), "yr", inf="never") == "never"
    assert formatting.number(float("inf")) == "unbounded"  # the default, for amounts
