"""Project-wide parameters: defaults with sources, overrides, bad values."""

from __future__ import annotations

import pytest

from eip_analysis.errors import InputError
from eip_analysis.parameters import PARAMETER_FIELDS, coerce, load_defaults, resolve


class TestDefaults:
    def test_every_parameter_has_a_default_with_a_source(self):
        defaults = load_defaults()
        assert set(PARAMETER_FIELDS) <= set(defaults)
        for name, p in defaults.items():
            assert len(p.source) > 10, name

    def test_brief_values(self):
        values = resolve().values
        assert values["discount_rate"] == 0.10  # assumption: 10% real (brief)
        assert values["exchange_rate_vnd_per_usd"] == 23159.78  # IMF IFS 2021 (brief)
        assert values["tax_rate"] == 0.20  # CIT law (brief)
        assert values["gwp_set"] == "AR5"


class TestResolve:
    def test_run_override_wins_and_is_labelled(self):
        r = resolve(run_overrides={"discount_rate": "0.08"})
        assert r["discount_rate"] == 0.08
        assert "override" in r.sources["discount_rate"]

    @pytest.mark.parametrize(
        ("name", "value", "words"),
        [("discount_rate", 1.5, "[0, 1)"), ("gwp_set", "AR4", "AR5 or AR6"),
         ("grid_factor_year", 2031, "published grid"), ("price_year", 2021.5, "year"),
         ("discount_rat", 0.1, "known parameter")],
    )
    def test_bad_values(self, name, value, words):
        with pytest.raises(InputError) as info:
            coerce(name, value)
        assert words in str(info.value)

    def test_bool_is_not_a_number(self):
        with pytest.raises(InputError):
            coerce("discount_rate", True)

    def test_missing_folder(self, tmp_path):
        with pytest.raises(InputError, match="parameter files"):
            load_defaults(tmp_path)


class TestModel:
    def test_origins_record_the_overrides_of_a_run(self):
        r = resolve(run_overrides={"discount_rate": 0.08})
        assert r.origins["discount_rate"] == "run"
        assert r.origins["tax_rate"] == "default"
        assert r.run_overrides == {"discount_rate": 0.08}

    def test_run_overrides_do_not_depend_on_the_source_text(self):
        # A case override whose source happens to read like a run override is still "case".
        from eip_analysis.parameters import RUN_OVERRIDE_SOURCE, Parameter

        case = {"discount_rate": Parameter(value=0.12, unit="1/yr", source=RUN_OVERRIDE_SOURCE)}
        assert resolve(case).run_overrides == {}

    @pytest.mark.parametrize("value", [8.5, "8.5", float("nan"), float("inf")])
    def test_whole_years_must_be_whole(self, value):
        with pytest.raises(InputError, match="whole number of years"):
            coerce("loan_tenor_years", value)

    def test_every_parameter_declares_unit_and_words(self):
        from eip_analysis.parameters import parameter_expected, parameter_unit

        for name in PARAMETER_FIELDS:
            assert isinstance(parameter_unit(name), str)
            assert len(parameter_expected(name)) > 5, name
