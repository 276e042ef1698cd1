"""Project-wide parameters: defaults with sources, overrides, bad values."""

from __future__ import annotations

import pytest

from eip_analysis.errors import InputError
from eip_analysis.parameters import SPECS, coerce, load_defaults, resolve


class TestDefaults:
    def test_every_parameter_has_a_default_with_a_source(self):
        defaults = load_defaults()
        assert set(SPECS) <= set(defaults)
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
