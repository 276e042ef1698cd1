"""Tests for eip_analysis.emissions against published values.

Sources of the expected numbers:
- IPCC 2006 Guidelines, Vol. 2, Ch. 1 Tables 1.2 and 1.4, Ch. 2 Table 2.3 (manufacturing
  industries and construction);
- Vietnam grid emission factors 2014-2023, Department of Climate Change, MONRE (domain brief);
- GWP100: IPCC AR5 WG1 Ch. 8 Table 8.7; IPCC AR6 WG1 Ch. 7 Table 7.15;
- IPCC 2006 Guidelines, Vol. 5: Ch. 2 Table 2.4 (DOC), Ch. 3 Section 3.2.3 and Table 3.1 (DOCf,
  F, OX, MCF), Ch. 4 Table 4.1 (composting).
"""

from __future__ import annotations

import csv
import doctest
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eip_analysis import emissions, paths
from eip_analysis.emissions import (
    FLOW_UNITS,
    FLOWS,
    FUELS,
    LANDFILL_FLOWS,
    WASTE_TYPES,
    composting_emissions,
    electricity_emissions,
    factor_table_sources,
    flow_co2e_t,
    flow_note,
    fuel_combustion_emissions,
    fuel_factors,
    grid_emission_factor,
    grid_years,
    gwp,
    is_counted,
    landfill_emissions,
    waste_factors,
)
from eip_analysis.errors import InputError

# The brief's table: Department of Climate Change (MONRE), CDM tool method [tCO2/MWh].
PUBLISHED_GRID_EF = {
    2014: 0.6612,
    2015: 0.8154,
    2016: 0.9185,
    2017: 0.8649,
    2018: 0.9130,
    2019: 0.8458,
    2020: 0.8041,
    2021: 0.7221,
    2022: 0.6766,
    2023: 0.6592,
}

# IPCC 2006 Vol. 2: NCV [TJ/Gg] (Table 1.2), CO2 [kg/TJ] (Table 1.4), CH4 and N2O [kg/TJ]
# (Table 2.3, manufacturing industries and construction), biogenic CO2.
PUBLISHED_FUELS = {
    "diesel": (43.0, 74_100, 3, 0.6, False),
    "fuel_oil": (40.4, 77_400, 3, 0.6, False),
    "lpg": (47.3, 63_100, 1, 0.1, False),
    "natural_gas": (48.0, 56_100, 1, 0.1, False),
    "coal_bituminous": (25.8, 94_600, 10, 1.5, False),
    "anthracite": (26.7, 98_300, 10, 1.5, False),
    "wood": (15.6, 112_000, 30, 4, True),
    "rice_husk": (11.6, 100_000, 30, 4, True),
    "biogas": (50.4, 54_600, 1, 0.1, True),
}

FACTOR_FILES = ("grid_emission_factors.csv", "fuel_factors.csv", "gwp.csv", "waste_factors.csv")


def _rows(name: str) -> list[dict[str, str]]:
    with open(paths.factors_dir() / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class TestFuelCombustionEmissions:
    def test_ipcc_worked_check_diesel(self):
        # Brief / IPCC 2006: 1,000 t diesel = 1 Gg x 43.0 TJ/Gg = 43.0 TJ
        #   -> 43.0 TJ x 74,100 kg/TJ / 1000 = 3,186.3 t CO2.
        e = fuel_combustion_emissions("diesel", 1000.0)
        assert e["energy_tj"] == pytest.approx(43.0, abs=1e-9)
        assert e["co2_t"] == pytest.approx(3186.3, abs=0.1)
        assert e["biogenic_co2_t"] == 0.0

    def test_diesel_co2e_by_hand_ar5(self):
        # CH4 = 43.0 TJ x 3 kg/TJ / 1000 = 0.129 t; N2O = 43.0 x 0.6 / 1000 = 0.0258 t
        # co2e (AR5) = 3,186.3 + 0.129 x 28 + 0.0258 x 265
        #            = 3,186.3 + 3.612 + 6.837 = 3,196.749 t CO2e
        e = fuel_combustion_emissions("diesel", 1000.0)
        assert e["ch4_t"] == pytest.approx(0.129)
        assert e["n2o_t"] == pytest.approx(0.0258)
        assert e["co2e_t"] == pytest.approx(3196.749, abs=1e-6)

    def test_ar6_switch_changes_co2e_as_by_hand(self):
        # co2e (AR6) = 3,186.3 + 0.129 x 27.9 + 0.0258 x 273
        #            = 3,186.3 + 3.5991 + 7.0434 = 3,196.9425 t CO2e
        # difference AR6 - AR5 = 3,196.9425 - 3,196.749 = 0.1935 t CO2e
        ar5 = fuel_combustion_emissions("diesel", 1000.0)
        ar6 = fuel_combustion_emissions("diesel", 1000.0, gwp="AR6")
        assert ar6["co2e_t"] == pytest.approx(3196.9425, abs=1e-6)
        assert ar6["co2e_t"] - ar5["co2e_t"] == pytest.approx(0.1935, abs=1e-6)
        # gases themselves do not depend on the GWP set
        for key in ("energy_tj", "co2_t", "ch4_t", "n2o_t", "biogenic_co2_t"):
            assert ar6[key] == ar5[key]

    def test_rice_husk_counts_only_ch4_and_n2o(self):
        # 1,000 t rice husk (IPCC "other primary solid biomass") = 1 Gg x 11.6 TJ/Gg = 11.6 TJ
        # CH4 = 11.6 x 30 / 1000 = 0.348 t; N2O = 11.6 x 4 / 1000 = 0.0464 t
        # co2e (AR5) = 0.348 x 28 + 0.0464 x 265 = 9.744 + 12.296 = 22.04 t CO2e
        # biogenic CO2 memo = 11.6 x 100,000 / 1000 = 1,160 t, not in co2e
        e = fuel_combustion_emissions("rice_husk", 1000.0)
        assert e["energy_tj"] == pytest.approx(11.6)
        assert e["co2_t"] == 0.0
        assert e["ch4_t"] == pytest.approx(0.348)
        assert e["n2o_t"] == pytest.approx(0.0464)
        assert e["co2e_t"] == pytest.approx(22.04, abs=1e-9)
        assert e["biogenic_co2_t"] == pytest.approx(1160.0)

    def test_rice_husk_ar6_by_hand(self):
        # co2e (AR6) = 0.348 x 27.9 + 0.0464 x 273 = 9.7092 + 12.6672 = 22.3764 t CO2e
        e = fuel_combustion_emissions("rice_husk", 1000.0, gwp="AR6")
        assert e["co2e_t"] == pytest.approx(22.3764, abs=1e-9)

    def test_wood_and_biogas_are_biogenic(self):
        # wood: 15.6 TJ x 112,000 / 1000 = 1,747.2 t memo
        # biogas: 50.4 TJ x 54,600 / 1000 = 2,751.84 t memo; co2e = 0.0504 x 28 + 0.00504 x 265
        #       = 1.4112 + 1.3356 = 2.7468 t CO2e
        wood = fuel_combustion_emissions("wood", 1000.0)
        assert wood["co2_t"] == 0.0
        assert wood["biogenic_co2_t"] == pytest.approx(1747.2)
        biogas = fuel_combustion_emissions("biogas", 1000.0)
        assert biogas["co2_t"] == 0.0
        assert biogas["biogenic_co2_t"] == pytest.approx(2751.84)
        assert biogas["co2e_t"] == pytest.approx(2.7468, abs=1e-9)

    def test_coal_uses_manufacturing_ch4_factor(self):
        # Table 2.3 (manufacturing) gives coal CH4 10 kg/TJ (Table 2.2, energy industries: 1).
        # 1,000 t other bituminous coal = 25.8 TJ -> CH4 = 0.258 t, N2O = 0.0387 t,
        # CO2 = 25.8 x 94,600 / 1000 = 2,440.68 t
        e = fuel_combustion_emissions("coal_bituminous", 1000.0)
        assert e["co2_t"] == pytest.approx(2440.68)
        assert e["ch4_t"] == pytest.approx(0.258)
        assert e["n2o_t"] == pytest.approx(0.0387)

    def test_scalar_in_float_out(self):
        e = fuel_combustion_emissions("lpg", 10)
        assert all(type(v) is float for v in e.values())
        assert set(e) == {"energy_tj", "co2_t", "ch4_t", "n2o_t", "co2e_t", "biogenic_co2_t"}

    def test_negative_tonnes_are_a_change(self):
        plus = fuel_combustion_emissions("fuel_oil", 250.0)
        minus = fuel_combustion_emissions("fuel_oil", -250.0)
        for key in plus:
            assert minus[key] == pytest.approx(-plus[key])

    def test_nan_propagates(self):
        e = fuel_combustion_emissions("natural_gas", float("nan"))
        assert math.isnan(e["co2e_t"])
        assert math.isnan(e["co2_t"])

    def test_unknown_fuel_lists_the_keys(self):
        with pytest.raises(InputError) as info:
            fuel_combustion_emissions("fish_oil", 1.0)
        message = str(info.value)
        assert "fish_oil" in message
        for fuel in FUELS:
            assert fuel in message

    def test_unknown_gwp_set_lists_the_sets(self):
        with pytest.raises(InputError) as info:
            fuel_combustion_emissions("diesel", 1.0, gwp="AR4")
        message = str(info.value)
        assert "AR4" in message and "AR5" in message and "AR6" in message

    @pytest.mark.parametrize("bad", ["12", None, {"t": 1}, ["a", "b"]])
    def test_non_numeric_quantity_is_refused(self, bad):
        with pytest.raises(InputError, match=r"\[t\]"):
            fuel_combustion_emissions("diesel", bad)

    @settings(max_examples=50, deadline=None)
    @given(
        fuel=st.sampled_from(FUELS),
        a=st.floats(-1e6, 1e6, allow_nan=False),
        b=st.floats(-1e6, 1e6, allow_nan=False),
    )
    def test_linear_in_tonnes(self, fuel, a, b):
        total = fuel_combustion_emissions(fuel, a + b)["co2e_t"]
        parts = (
            fuel_combustion_emissions(fuel, a)["co2e_t"]
            + fuel_combustion_emissions(fuel, b)["co2e_t"]
        )
        assert total == pytest.approx(parts, rel=1e-9, abs=1e-6)


class TestGridEmissionFactor:
    def test_2020(self):
        assert grid_emission_factor(2020) == 0.8041

    @pytest.mark.parametrize(("year", "ef"), sorted(PUBLISHED_GRID_EF.items()))
    def test_every_published_year(self, year, ef):
        assert grid_emission_factor(year) == ef

    def test_years_available(self):
        assert grid_years() == tuple(sorted(PUBLISHED_GRID_EF))

    def test_numpy_integer_year(self):
        assert grid_emission_factor(np.int64(2022)) == 0.6766

    @pytest.mark.parametrize("year", [2031, 2013])
    def test_year_without_value_names_the_years(self, year):
        with pytest.raises(InputError) as info:
            grid_emission_factor(year)
        assert str(info.value) == (
            f"expected a year with a published grid factor (2014-2023), got {year}"
        )

    @pytest.mark.parametrize("year", [2020.0, "2020", True, None])
    def test_year_must_be_an_integer(self, year):
        with pytest.raises(InputError, match="2014-2023"):
            grid_emission_factor(year)


class TestGwp:
    @pytest.mark.parametrize(
        ("gas", "gwp_set", "value"),
        [
            ("CO2", "AR5", 1.0),
            ("CH4", "AR5", 28.0),
            ("N2O", "AR5", 265.0),
            ("CO2", "AR6", 1.0),
            ("CH4", "AR6", 27.9),
            ("N2O", "AR6", 273.0),
        ],
    )
    def test_published_values(self, gas, gwp_set, value):
        assert gwp(gas, gwp_set) == value

    def test_default_is_ar5(self):
        assert gwp("CH4") == 28.0

    def test_case_insensitive(self):
        assert gwp("ch4", "ar6") == 27.9

    def test_unknown_set_lists_known_sets(self):
        with pytest.raises(InputError) as info:
            gwp("CH4", "SAR")
        message = str(info.value)
        assert "SAR" in message and "AR5" in message and "AR6" in message

    def test_unknown_gas_lists_known_gases(self):
        with pytest.raises(InputError) as info:
            gwp("SF6")
        message = str(info.value)
        for gas in ("CO2", "CH4", "N2O"):
            assert gas in message

    def test_ar6_source_states_the_methane_choice(self):
        source = next(
            r["source"] for r in _rows("gwp.csv") if (r["gwp_set"], r["gas"]) == ("AR6", "CH4")
        )
        assert "29.8" in source and "27.0" in source and "27.9" in source
        assert "Table 7.15" in source


class TestElectricityEmissions:
    def test_1000_mwh_in_2020(self):
        # 1,000 MWh x 0.8041 tCO2/MWh = 804.1 tCO2
        assert electricity_emissions(1000.0, 2020) == pytest.approx(804.1)

    def test_every_year_is_mwh_times_factor(self):
        for year, ef in PUBLISHED_GRID_EF.items():
            assert electricity_emissions(2500.0, year) == pytest.approx(2500.0 * ef)

    def test_unknown_year(self):
        with pytest.raises(InputError, match="2014-2023"):
            electricity_emissions(1.0, 2031)

    def test_nan_and_negative(self):
        assert math.isnan(electricity_emissions(float("nan"), 2020))
        assert electricity_emissions(-10.0, 2020) == pytest.approx(-8.041)


class TestBroadcasting:
    QUANTITIES = np.array([[0.0, 1.5, 1000.0], [-20.0, 3.25e4, np.nan]])

    @pytest.mark.parametrize("fuel", FUELS)
    def test_fuel_2d_equals_elementwise(self, fuel):
        out = fuel_combustion_emissions(fuel, self.QUANTITIES, gwp="AR6")
        for key, array in out.items():
            assert isinstance(array, np.ndarray)
            assert array.shape == self.QUANTITIES.shape
            expected = [
                [fuel_combustion_emissions(fuel, q, gwp="AR6")[key] for q in row]
                for row in self.QUANTITIES.tolist()
            ]
            np.testing.assert_allclose(array, expected, rtol=1e-12, equal_nan=True)

    def test_electricity_2d_equals_elementwise(self):
        out = electricity_emissions(self.QUANTITIES, 2019)
        expected = [[electricity_emissions(q, 2019) for q in row] for row in self.QUANTITIES]
        np.testing.assert_allclose(out, expected, rtol=1e-12, equal_nan=True)

    @pytest.mark.parametrize("flow", FLOWS)
    def test_flow_2d_equals_elementwise(self, flow):
        out = flow_co2e_t(flow, self.QUANTITIES, grid_year=2021)
        assert out.shape == self.QUANTITIES.shape
        expected = [[flow_co2e_t(flow, q, grid_year=2021) for q in row] for row in self.QUANTITIES]
        np.testing.assert_allclose(out, expected, rtol=1e-12, equal_nan=True)

    def test_lists_are_accepted(self):
        out = fuel_combustion_emissions("diesel", [1000.0, 2000.0])
        np.testing.assert_allclose(out["co2_t"], [3186.3, 6372.6])


class TestFlows:
    def test_units_as_case_files_write_them(self):
        assert FLOW_UNITS["electricity"] == "MWh/yr"
        assert FLOW_UNITS["water"] == "m3/yr"
        assert FLOW_UNITS["waste_landfill"] == "t/yr"
        for fuel in FUELS:
            assert FLOW_UNITS[fuel] == "t/yr"
        for flow in (*LANDFILL_FLOWS, "composting"):
            assert FLOW_UNITS[flow] == "t/yr"
        assert set(FLOW_UNITS) == set(FLOWS)
        assert tuple(FLOW_UNITS) == FLOWS

    def test_electricity_flow(self):
        assert flow_co2e_t("electricity", 1000.0, grid_year=2020) == pytest.approx(804.1)

    def test_fuel_flow_is_co2e_excluding_biogenic(self):
        assert flow_co2e_t("diesel", 1000.0, grid_year=2020) == pytest.approx(3196.749)
        assert flow_co2e_t("rice_husk", 1000.0, grid_year=2020, gwp="AR6") == pytest.approx(22.3764)

    @pytest.mark.parametrize("flow", ["water", "waste_landfill"])
    def test_not_counted_flows_return_zeros(self, flow):
        assert not is_counted(flow)
        assert flow_co2e_t(flow, 1234.0, grid_year=2020) == 0.0
        zeros = flow_co2e_t(flow, np.ones((3, 2)), grid_year=2020)
        assert zeros.shape == (3, 2) and not zeros.any()

    @pytest.mark.parametrize("flow", ["electricity", *FUELS, *LANDFILL_FLOWS[1:], "composting"])
    def test_counted_flows(self, flow):
        assert is_counted(flow)

    def test_grid_year_is_checked_for_electricity(self):
        with pytest.raises(InputError, match="2014-2023"):
            flow_co2e_t("electricity", 1.0, grid_year=2031)

    def test_unknown_flow_lists_the_keys(self):
        for call in (
            lambda: flow_co2e_t("steam", 1.0, grid_year=2020),
            lambda: is_counted("steam"),
            lambda: flow_note("steam"),
        ):
            with pytest.raises(InputError) as info:
                call()
            message = str(info.value)
            assert "steam" in message
            for flow in FLOWS:
                assert flow in message

    def test_unknown_gwp_set_in_flow(self):
        with pytest.raises(InputError, match="AR5"):
            flow_co2e_t("water", 1.0, grid_year=2020, gwp="AR4")

    @pytest.mark.parametrize("flow", FLOWS)
    def test_note_is_one_sentence(self, flow):
        note = flow_note(flow)
        assert note.endswith(".") and not re.search(r"\.\s+[A-Z]", note)
        assert FLOW_UNITS[flow] in note

    def test_notes_explain_the_factor_or_the_omission(self):
        assert "0.8041" in flow_note("electricity", grid_year=2020)
        assert "CO2 only" in flow_note("electricity", grid_year=2020)
        assert "unknown composition" in flow_note("waste_landfill")
        assert "landfill_paper" in flow_note("waste_landfill")
        paper = flow_note("landfill_paper")
        assert "methane commitment" in paper and "upper bound" in paper
        assert "first-order-decay" in paper and "biogenic" in paper and "assumption" in paper
        assert "DOC 0.4 " in paper and "MCF 0.6" in paper
        assert "DOC 0" in flow_note("landfill_inert") and "no landfill CH4" in flow_note("landfill_inert")
        assert "Table 4.1" in flow_note("composting") and "0.3 g/kg" in flow_note("composting")
        assert "site-specific" in flow_note("water")
        assert "Table 2.3" in flow_note("diesel") and "74,100" in flow_note("diesel")
        assert "memo" in flow_note("rice_husk")
        assert "memo" not in flow_note("anthracite")


class TestFactorTables:
    @pytest.mark.parametrize("name", FACTOR_FILES)
    def test_every_row_has_a_source(self, name):
        rows = _rows(name)
        assert rows
        for row in rows:
            assert (row.get("source") or "").strip(), row

    def test_fuels_match_the_csv(self):
        csv_fuels = [row["fuel"] for row in _rows("fuel_factors.csv")]
        assert sorted(csv_fuels) == sorted(FUELS)
        assert len(csv_fuels) == len(set(csv_fuels))

    @pytest.mark.parametrize("fuel", FUELS)
    def test_fuel_factors_are_the_published_ones(self, fuel):
        ncv, co2, ch4, n2o, biogenic = PUBLISHED_FUELS[fuel]
        f = fuel_factors(fuel)
        assert (f["ncv_tj_per_gg"], f["co2_kg_per_tj"]) == (ncv, co2)
        assert (f["ch4_kg_per_tj"], f["n2o_kg_per_tj"], f["biogenic"]) == (ch4, n2o, biogenic)
        assert "2006 IPCC Guidelines" in f["source"] and "Table 2.3" in f["source"]

    def test_fuel_factors_returns_a_copy(self):
        fuel_factors("diesel")["ncv_tj_per_gg"] = 0.0
        assert fuel_factors("diesel")["ncv_tj_per_gg"] == 43.0

    def test_grid_csv_matches_the_brief(self):
        rows = _rows("grid_emission_factors.csv")
        assert {int(r["year"]): float(r["ef_tco2_per_mwh"]) for r in rows} == PUBLISHED_GRID_EF
        assert all("MONRE" in r["source"] for r in rows)

    def test_factor_table_sources_lists_every_row(self):
        listed = factor_table_sources()
        assert len(listed) == sum(len(_rows(name)) for name in FACTOR_FILES)
        assert {r["table"] for r in listed} == set(FACTOR_FILES)
        for row in listed:
            assert set(row) == {"table", "key", "value", "source", "note"}
            assert row["source"] and row["value"]


class TestTableValidation:
    """A broken factor table is an InputError naming the file, not a wrong number."""

    @pytest.fixture
    def factors_copy(self, tmp_path, monkeypatch):
        for name in FACTOR_FILES:
            (tmp_path / name).write_text(
                (paths.factors_dir() / name).read_text(encoding="utf-8"), encoding="utf-8"
            )
        monkeypatch.setattr(paths, "factors_dir", lambda: tmp_path)
        self._clear()
        yield tmp_path
        self._clear()

    @staticmethod
    def _clear():
        emissions._grid_table.cache_clear()
        emissions._fuel_table.cache_clear()
        emissions._gwp_table.cache_clear()
        emissions._waste_table.cache_clear()

    def test_missing_source(self, factors_copy):
        path = factors_copy / "grid_emission_factors.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[1] = "2014,0.6612,CO2,"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(InputError, match="grid_emission_factors.csv.*line 2.source"):
            grid_emission_factor(2020)

    def test_missing_fuel_row(self, factors_copy):
        path = factors_copy / "fuel_factors.csv"
        lines = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if not line.startswith("biogas,")
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with pytest.raises(InputError, match="fuel_factors.csv"):
            fuel_combustion_emissions("diesel", 1.0)

    def test_bad_number(self, factors_copy):
        path = factors_copy / "gwp.csv"
        path.write_text(
            path.read_text(encoding="utf-8").replace("AR5,CH4,28,", "AR5,CH4,twenty-eight,"),
            encoding="utf-8",
        )
        with pytest.raises(InputError, match="gwp.csv.*gwp100"):
            gwp("CH4")


# IPCC 2006 Vol. 5 defaults as the brief lists them (Ch. 2 Table 2.4, Ch. 3, Ch. 4 Table 4.1).
PUBLISHED_DOC = {
    "food": 0.15, "garden": 0.20, "paper": 0.40, "wood": 0.43, "textiles": 0.24,
    "sludge": 0.09, "inert": 0.0,
}


class TestWaste:
    def test_factors_are_the_published_ones(self):
        f = waste_factors()
        assert {w: f[f"doc_{w}"] for w in WASTE_TYPES} == PUBLISHED_DOC
        assert (f["docf"], f["f"], f["ox"]) == (0.5, 0.5, 0.0)
        assert (f["mcf_managed_anaerobic"], f["mcf_unmanaged_deep"]) == (1.0, 0.8)
        assert (f["mcf_unmanaged_shallow"], f["mcf_uncategorised"]) == (0.4, 0.6)
        assert f["mcf"] == f["mcf_uncategorised"]
        assert (f["composting_ch4_g_per_kg"], f["composting_n2o_g_per_kg"]) == (4.0, 0.3)

    def test_default_mcf_is_labelled_an_assumption(self):
        row = next(r for r in _rows("waste_factors.csv") if (r["factor"], r["key"]) == ("mcf", "default"))
        assert row["source"].startswith("assumption:")

    def test_paper_by_hand(self):
        # 1,000 t paper at MCF 0.8 (unmanaged deep):
        # DDOCm = 1000 x 0.40 x 0.5 x 0.8 = 160 t C; CH4 = 160 x 0.5 x 16/12 = 106.67 t;
        # x 28 (AR5) = 2,986.7 tCO2e.
        e = landfill_emissions("paper", 1000.0, mcf=0.8)
        assert e["ddocm_t"] == pytest.approx(160.0)
        assert e["ch4_t"] == pytest.approx(106.6667, rel=1e-6)
        assert e["co2e_t"] == pytest.approx(2986.667, rel=1e-6)

    def test_default_mcf_and_flow(self):
        # At the default MCF 0.6: 1000 x 0.40 x 0.5 x 0.6 x 0.5 x 16/12 = 80 t CH4 x 28 = 2,240.
        assert landfill_emissions("paper", 1000.0)["ch4_t"] == pytest.approx(80.0)
        assert flow_co2e_t("landfill_paper", 1000.0, grid_year=2020) == pytest.approx(2240.0)
        # Food, 3,000 t: 3000 x 0.15 x 0.5 x 0.6 x 0.5 x 16/12 = 90 t CH4; AR6 27.9 -> 2,511.
        assert flow_co2e_t("landfill_food", 3000.0, grid_year=2020, gwp="AR6") == pytest.approx(2511.0)
        # Industrial sludge, 3,600 t: 3600 x 0.09 x 0.5 x 0.6 x 0.5 x 16/12 = 64.8 t CH4 x 28.
        assert flow_co2e_t("landfill_sludge", 3600.0, grid_year=2020) == pytest.approx(1814.4)

    def test_inert_is_zero(self):
        assert landfill_emissions("inert", 2000.0, mcf=1.0)["co2e_t"] == 0.0
        assert flow_co2e_t("landfill_inert", np.full((2, 3), 500.0), grid_year=2020).shape == (2, 3)

    def test_composting_by_hand(self):
        # 3,600 t wet sludge: CH4 3600 x 4 kg/t = 14.4 t; N2O 3600 x 0.3 kg/t = 1.08 t;
        # AR5: 14.4 x 28 + 1.08 x 265 = 403.2 + 286.2 = 689.4 tCO2e.
        e = composting_emissions(3600.0)
        assert (e["ch4_t"], e["n2o_t"]) == (pytest.approx(14.4), pytest.approx(1.08))
        assert e["co2e_t"] == pytest.approx(689.4)
        # AR6: 14.4 x 27.9 + 1.08 x 273 = 401.76 + 294.84 = 696.6.
        assert flow_co2e_t("composting", 3600.0, grid_year=2020, gwp="AR6") == pytest.approx(696.6)

    def test_arrays_broadcast(self):
        q = np.array([[1000.0], [-500.0], [np.nan]])
        mcf_out = landfill_emissions("wood", q)["ch4_t"]
        assert mcf_out.shape == (3, 1)
        # 1000 x 0.43 x 0.5 x 0.6 x 0.5 x 16/12 = 86 t CH4
        np.testing.assert_allclose(mcf_out[:2, 0], [86.0, -43.0])
        assert np.isnan(mcf_out[2, 0])
        c = composting_emissions(q.T)["co2e_t"]
        assert c.shape == (1, 3)
        np.testing.assert_allclose(c[0, :2], [191.5, -95.75])

    def test_bad_inputs(self):
        with pytest.raises(InputError) as info:
            landfill_emissions("plastic", 1.0)
        for w in WASTE_TYPES:
            assert w in str(info.value)
        for bad in (1.2, -0.1, "0.6", True):
            with pytest.raises(InputError, match="MCF"):
                landfill_emissions("food", 1.0, mcf=bad)
        with pytest.raises(InputError, match="AR5"):
            composting_emissions(1.0, gwp="AR4")

    def test_waste_table_rows_checked(self, tmp_path, monkeypatch):
        text = (paths.factors_dir() / "waste_factors.csv").read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.startswith("docf,")]
        (tmp_path / "waste_factors.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        monkeypatch.setattr(paths, "factors_dir", lambda: tmp_path)
        emissions._waste_table.cache_clear()
        try:
            with pytest.raises(InputError, match="waste_factors.csv"):
                waste_factors()
        finally:
            monkeypatch.undo()
            emissions._waste_table.cache_clear()


def test_doctests_pass():
    result = doctest.testmod(emissions, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


class TestMoisture:
    """NCV as received = NCV_dry (1 - w) - 2.443 w (ISO 18125:2017)."""

    def test_published_rice_husk_measurement(self):
        # Vietnamese rice husk: dry NCV 16.15 MJ/kg, moisture 9.14%, as received 14.45 MJ/kg
        # (Agronomy 2021, 11, 169, Table 5).
        assert emissions.as_received_ncv(16.15, 0.0914) == pytest.approx(14.45, abs=0.005)

    def test_wet_wood_hand_computed(self):
        assert emissions.as_received_ncv(15.6, 0.35) == pytest.approx(
            15.6 * 0.65 - 2.443 * 0.35)
        assert emissions.fuel_ncv("wood", moisture=0.35) == pytest.approx(9.28495)

    def test_dry_basis_fuel_needs_its_moisture(self):
        with pytest.raises(InputError, match="moisture"):
            emissions.fuel_ncv("wood")
        with pytest.raises(InputError, match="ncv_as_received instead"):
            emissions.fuel_ncv("coal_bituminous", moisture=0.1)

    @pytest.mark.parametrize("w", [-0.1, 1.0, float("nan")])
    def test_bad_moisture(self, w):
        with pytest.raises(InputError, match="moisture"):
            emissions.as_received_ncv(15.6, w)

    def test_moisture_lowers_biomass_ch4_and_n2o(self):
        dry = emissions.fuel_combustion_emissions("wood", 1000.0, ncv_gj_per_t=15.6)["co2e_t"]
        wet = emissions.fuel_combustion_emissions("wood", 1000.0, ncv_gj_per_t=9.28495)["co2e_t"]
        assert wet / dry == pytest.approx(9.28495 / 15.6)


class TestMethaneDestruction:
    """CDM Tool 06 defaults: open flare 50%, enclosed flare 90%."""

    def test_cdm_defaults(self):
        assert emissions.flare_efficiency("open") == 0.5
        assert emissions.flare_efficiency("enclosed") == 0.9
        assert emissions.flare_efficiency("vented") == 0.0

    def test_slip_hand_computed(self):
        e = emissions.flared_methane_emissions(100.0, 0.9)
        assert e["ch4_t"] == pytest.approx(10.0)
        assert e["co2e_t"] == pytest.approx(280.0)  # AR5 CH4 28
        assert emissions.flow_co2e_t("biogas_flared", 100.0, grid_year=2023,
                                     destruction_efficiency=0.5) == pytest.approx(1400.0)

    def test_unknown_flare(self):
        with pytest.raises(InputError, match="flare type"):
            emissions.flare_efficiency("candle")


class TestWastewaterMethane:
    """IPCC 2006 Vol. 5 Ch. 6: CH4 = COD removed x Bo x MCF."""

    def test_cod_x_bo_x_mcf(self):
        # 350,000 m3 x 3.0 kg COD/m3 x 85% removed = 892.5 t COD; x 0.25 x 0.8 = 178.5 t CH4
        assert emissions.wastewater_methane_t(892.5, 0.25, 0.8) == pytest.approx(178.5)

    def test_table_6_8(self):
        assert emissions.wastewater_mcf("anaerobic_reactor") == 0.8
        assert emissions.wastewater_mcf("anaerobic_shallow_lagoon") == 0.2
        assert emissions.wastewater_mcf("aerobic_well_managed") == 0.0
        assert emissions.waste_factors()["bo_cod"] == 0.25

    def test_bo_above_the_ipcc_maximum_is_refused(self):
        with pytest.raises(InputError, match="Bo"):
            emissions.wastewater_methane_t(100.0, 0.35 * 0.717 + 0.01, 0.8)


class TestFirstOrderDecay:
    """CDM Tool 04 / IPCC 2006 Vol. 5 Ch. 3 Eq. 3.4-3.6 against hand computations."""

    def test_single_deposit(self):
        # 1,000 t paper, DOC 0.40, DOCf 0.5, MCF 0.8, F 0.5, 16/12, phi 0.85, k 0.07:
        # DDOCm x F x 16/12 x phi = 160 x 0.5 x 16/12 x 0.85 = 90.667 t CH4 over all time.
        ch4 = emissions.landfill_fod_ch4_t("paper", [1000.0, 0.0, 0.0, 0.0], mcf=0.8)
        total = 1000 * 0.40 * 0.5 * 0.8 * 0.5 * 16 / 12 * 0.85
        expected = [total * math.exp(-0.07 * t) * (1 - math.exp(-0.07)) for t in range(4)]
        assert ch4 == pytest.approx(expected)

    def test_sum_to_infinity_is_the_commitment_times_phi(self):
        deposits = np.zeros(600)
        deposits[0] = 1000.0
        ch4 = emissions.landfill_fod_ch4_t("food", deposits, phi=1.0)
        assert ch4.sum() == pytest.approx(emissions.landfill_emissions("food", 1000.0)["ch4_t"])

    def test_yearly_deposits_superpose_and_broadcast(self):
        one = emissions.landfill_fod_ch4_t("sludge", [[100.0, 0, 0], [0, 100.0, 0]])
        both = emissions.landfill_fod_ch4_t("sludge", [[100.0, 100.0, 0]])
        assert both[0] == pytest.approx(one.sum(axis=0))

    def test_tropical_wet_decay_rates(self):
        f = emissions.waste_factors()
        assert (f["k_paper"], f["k_wood"], f["k_garden"], f["k_food"]) == (0.07, 0.035, 0.17, 0.4)

    def test_site_mcf(self):
        assert emissions.landfill_site_mcf("managed_anaerobic") == 1.0
        with pytest.raises(InputError, match="landfill site"):
            emissions.landfill_site_mcf("backyard")


class TestOtherRules:
    def test_open_burning_hand_computed(self):
        e = emissions.open_burning_emissions(1000.0)
        assert e["co2e_t"] == pytest.approx(6.5 * 28 + 0.15 * 0.6 * 265)

    def test_materials(self):
        assert emissions.flow_co2e_t("cement", 500.0, grid_year=2023) == pytest.approx(359.0)
        assert emissions.material_factor("fired_clay_brick") > 0

    def test_grid_path(self):
        path = emissions.grid_factor_path(2023, 4, -0.05)
        assert path == pytest.approx([0.6592 * 0.95 ** t for t in range(4)])
        assert emissions.grid_factor_path(2018, 2)[1] == 0.9130
        with pytest.raises(InputError, match="operating and build margins"):
            emissions.grid_factor_path(2023, 3, margin="solar")

    def test_leakage_energy_for_energy(self):
        # 1,000 t husk x 11.6 GJ/t / 25.8 GJ/t = 449.6 t coal
        assert emissions.leakage_fuel_t("rice_husk", 1000.0, "coal_bituminous") == (
            pytest.approx(1000 * 11.6 / 25.8))
