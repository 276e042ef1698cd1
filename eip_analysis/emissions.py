"""Greenhouse-gas emissions of resource flows: grid electricity, fuels burnt, waste.

The module turns the resource flows of an investment case (grid electricity bought, fuels burnt,
water, waste sent to landfill or composted) into tonnes of CO2-equivalent per year, so that the
appraisal can report *emissions avoided = baseline minus project*. It is pure in spirit: the four
published factor tables under ``data/raw/factors/`` are read once (and cached); after that every
function is numbers in, numbers out. Quantities may be floats or numpy arrays (a leading scenario axis for
Monte Carlo) and the results broadcast.

Factor tables (each row carries the full published citation in its ``source`` column):

- ``grid_emission_factors.csv``: Vietnam grid emission factor by year [tCO2/MWh] [1]_.
- ``fuel_factors.csv``: IPCC 2006 default net calorific values [TJ/Gg] and emission factors
  [kg/TJ] for stationary combustion in manufacturing industries and construction [2]_ [3]_.
- ``gwp.csv``: 100-year global warming potentials, AR5 [4]_ (default) and AR6 [5]_.
- ``waste_factors.csv``: IPCC 2006 Vol. 5 defaults for solid waste disposal (DOC by waste type,
  DOCf, F, MCF, OX) [6]_ [7]_ and composting (CH4 and N2O per kg of wet waste) [8]_; the MCF
  applied (0.6, uncategorised site) is an *assumption* for Vietnamese provincial landfills.

Conventions
-----------
- Biogenic CO2 (``wood``, ``rice_husk``, ``biogas``) is a memo item: it is reported in
  ``biogenic_co2_t`` and is **not** counted in ``co2e_t``; the CH4 and N2O of biomass combustion
  **are** counted [2]_.
- The Vietnamese grid emission factor is a CO2 factor; electricity is converted to CO2 only.
- Typed landfill flows (``landfill_food``, ``landfill_paper``, ...) are converted to CH4 by the
  *methane commitment* of each year's deposit (all the CH4 it will generate over decades, counted
  in the year it is landfilled; see :func:`landfill_emissions`). Landfill CO2 is biogenic and not
  counted. ``composting`` is converted with the IPCC default CH4 and N2O factors.
- ``water`` and ``waste_landfill`` (waste of unknown composition) are carried in the cases but
  not converted to tCO2e (see :func:`flow_note` for the reasons the report prints).

References
----------
.. [1] Department of Climate Change, Ministry of Natural Resources and Environment (MONRE) of
   Viet Nam, emission factors of the Vietnam power grid 2014-2023, CDM tool method; 2022 value by
   official letter No. 327/BĐKH-PTCBT; summary at climatechange.vn.
.. [2] IPCC 2006, 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Eggleston H.S.,
   Buendia L., Miwa K., Ngara T. and Tanabe K. (eds). IGES, Japan. Volume 2 Energy, Chapter 1
   (Introduction), Tables 1.2 and 1.4.
.. [3] IPCC 2006, op. cit., Volume 2 Energy, Chapter 2 (Stationary Combustion), Equation 2.1 and
   Table 2.3.
.. [4] Myhre, G., D. Shindell et al., 2013: Anthropogenic and Natural Radiative Forcing. In:
   Climate Change 2013: The Physical Science Basis, Contribution of Working Group I to the Fifth
   Assessment Report of the IPCC. Cambridge University Press, Chapter 8, Table 8.7.
.. [5] Forster, P., T. Storelvmo et al., 2021: The Earth's Energy Budget, Climate Feedbacks, and
   Climate Sensitivity. In: Climate Change 2021: The Physical Science Basis, Contribution of
   Working Group I to the Sixth Assessment Report of the IPCC. Cambridge University Press,
   Chapter 7, Table 7.15.
.. [6] IPCC 2006, op. cit., Volume 5 Waste, Chapter 2 (Waste Generation, Composition and
   Management Data), Tables 2.4 and 2.5 (DOC of waste components and industrial waste).
.. [7] IPCC 2006, op. cit., Volume 5 Waste, Chapter 3 (Solid Waste Disposal), Equations 3.1-3.3,
   Section 3.2.3 (DOCf, F, OX) and Table 3.1 (MCF).
.. [8] IPCC 2006, op. cit., Volume 5 Waste, Chapter 4 (Biological Treatment of Solid Waste),
   Table 4.1.

Examples
--------
>>> from eip_analysis import emissions
>>> round(emissions.fuel_combustion_emissions("diesel", 1000.0)["co2_t"], 1)
3186.3
>>> round(emissions.electricity_emissions(1000.0, 2020), 1)
804.1
"""

from __future__ import annotations

import csv
import functools
import math
from pathlib import Path
from typing import Any

import numpy as np

from eip_analysis import paths
from eip_analysis.errors import InputError
from eip_analysis.i18n import fmt
from eip_analysis.i18n import gettext as _

__all__ = [
    "FLOWS",
    "FLOW_UNITS",
    "FUELS",
    "GASES",
    "GWP_SETS",
    "LANDFILL_FLOWS",
    "WASTE_TYPES",
    "composting_emissions",
    "electricity_emissions",
    "factor_table_sources",
    "flow_co2e_t",
    "flow_note",
    "fuel_combustion_emissions",
    "fuel_factors",
    "grid_emission_factor",
    "grid_years",
    "gwp",
    "is_counted",
    "landfill_emissions",
    "waste_factors",
]

#: Known fuel keys, in the order of ``fuel_factors.csv``.
FUELS: tuple[str, ...] = (
    "diesel",
    "fuel_oil",
    "lpg",
    "natural_gas",
    "coal_bituminous",
    "anthracite",
    "wood",
    "rice_husk",
    "biogas",
)

#: Greenhouse gases carried in ``gwp.csv``.
GASES: tuple[str, ...] = ("CO2", "CH4", "N2O")

#: GWP100 sets carried in ``gwp.csv``; the first is the default.
GWP_SETS: tuple[str, ...] = ("AR5", "AR6")

#: Waste types with an IPCC default DOC, in the order of ``waste_factors.csv``.
WASTE_TYPES: tuple[str, ...] = ("food", "garden", "paper", "wood", "textiles", "sludge", "inert")

#: Flows of waste sent to landfill: ``waste_landfill`` (unknown composition, not converted) and
#: one ``landfill_<type>`` per :data:`WASTE_TYPES` (converted by methane commitment).
LANDFILL_FLOWS: tuple[str, ...] = ("waste_landfill", *(f"landfill_{w}" for w in WASTE_TYPES))

#: Materials with a cradle-to-gate factor in ``material_factors.csv`` [tCO2e/t].
MATERIALS: tuple[str, ...] = ("cement", "fired_clay_brick")

#: Waste flows other than landfill: incineration or waste-to-energy (no landfill CH4; counted
#: as diverted, not converted) and open burning (IPCC 2006 Vol. 5 Ch. 5 CH4 and N2O).
OTHER_DISPOSAL_FLOWS: tuple[str, ...] = ("incineration", "open_burning")

#: Every waste flow whose reduction counts as waste diverted [t/yr].
WASTE_FLOWS: tuple[str, ...] = (*LANDFILL_FLOWS, *OTHER_DISPOSAL_FLOWS)

#: Biomass residues whose use by a project may displace an existing user (leakage).
RESIDUE_FUELS: tuple[str, ...] = ("wood", "rice_husk")

#: Resource-flow keys a case may list: grid electricity, each fuel burnt, methane flared (or
#: vented), water, waste to landfill, to incineration or burnt in the open, waste composted,
#: materials.
FLOWS: tuple[str, ...] = ("electricity", *FUELS, "biogas_flared", "water", *LANDFILL_FLOWS,
                          *OTHER_DISPOSAL_FLOWS, "composting", *MATERIALS)

#: Unit of each flow, written exactly as case files write it.
FLOW_UNITS: dict[str, str] = {
    "electricity": "MWh/yr",
    **{fuel: "t/yr" for fuel in FUELS},
    "biogas_flared": "t/yr",
    "water": "m3/yr",
    **{flow: "t/yr" for flow in LANDFILL_FLOWS},
    **{flow: "t/yr" for flow in OTHER_DISPOSAL_FLOWS},
    "composting": "t/yr",
    **{m: "t/yr" for m in MATERIALS},
}

#: Flows carried in the cases but not converted to tCO2e.
_NOT_COUNTED = frozenset({"water", "waste_landfill", "incineration"})

#: Landfill site categories of IPCC 2006 Vol. 5 Table 3.1 (MCF rows of ``waste_factors.csv``).
LANDFILL_SITES: tuple[str, ...] = ("managed_anaerobic", "unmanaged_deep", "unmanaged_shallow",
                                   "uncategorised")

#: Industrial wastewater treatment types of IPCC 2006 Vol. 5 Table 6.8.
WASTEWATER_TREATMENTS: tuple[str, ...] = (
    "untreated_discharge", "aerobic_well_managed", "aerobic_not_well_managed",
    "anaerobic_digester_sludge", "anaerobic_reactor", "anaerobic_shallow_lagoon",
    "anaerobic_deep_lagoon",
)

#: How biogas that is not used is disposed of today (``flare_efficiency`` rows).
FLARE_TYPES: tuple[str, ...] = ("open", "enclosed", "vented")

#: Latent heat of vaporisation of water at 25 C [GJ/t] (ISO 18125:2017, NCV at constant
#: pressure: 0.02443 MJ/kg per percent of moisture).
LATENT_HEAT_WATER_GJ_PER_T = 2.443

GRID_FILE = "grid_emission_factors.csv"
FUEL_FILE = "fuel_factors.csv"
GWP_FILE = "gwp.csv"
WASTE_FILE = "waste_factors.csv"
MATERIAL_FILE = "material_factors.csv"

#: ``(factor, key)`` rows ``waste_factors.csv`` must hold, each exactly once.
_WASTE_ROWS: tuple[tuple[str, str], ...] = (
    *(("doc", w) for w in WASTE_TYPES),
    ("docf", "all"),
    ("f", "all"),
    ("ox", "all"),
    ("mcf", "managed_anaerobic"),
    ("mcf", "unmanaged_deep"),
    ("mcf", "unmanaged_shallow"),
    ("mcf", "uncategorised"),
    ("mcf", "default"),
    ("composting", "CH4"),
    ("composting", "N2O"),
    *(("k", w) for w in WASTE_TYPES),
    ("phi", "all"),
    ("bo", "cod"),
    *(("mcf_wastewater", t) for t in WASTEWATER_TREATMENTS),
    ("open_burning", "CH4"),
    ("open_burning", "N2O"),
    ("open_burning", "dry_matter"),
    *(("flare_efficiency", t) for t in FLARE_TYPES),
)
_FRACTIONS = frozenset({"doc", "docf", "f", "ox", "mcf", "phi", "mcf_wastewater",
                        "flare_efficiency"})
_CH4_PER_C = 16.0 / 12.0  # [t CH4/t C], molecular weight ratio

_T_PER_GG = 1000.0  # [t/Gg]
_KG_PER_T = 1000.0  # [kg/t]


# --------------------------------------------------------------------------------------------
# Reading the factor tables (once)
# --------------------------------------------------------------------------------------------


def _read_rows(name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a factor CSV as dicts; checks the columns and that every source is filled in."""
    path = paths.factors_dir() / name
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = tuple(reader.fieldnames or ())
            rows = list(reader)
    except FileNotFoundError:
        raise InputError("a published factor table at this path", file=path) from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(f"columns {', '.join(columns)}", file=path, field="header", got=header)
    for i, row in enumerate(rows, start=2):  # line 1 is the header
        if not (row.get("source") or "").strip():
            raise InputError("a non-empty published source", file=path, field=f"line {i}.source")
    return rows


def _number(row: dict[str, str], column: str, path: Path, line: int) -> float:
    text = (row.get(column) or "").strip()
    try:
        value = float(text)
    except ValueError:
        raise InputError("a number", file=path, field=f"line {line}.{column}", got=text) from None
    if not math.isfinite(value) or value < 0:
        raise InputError("a finite number >= 0", file=path, field=f"line {line}.{column}", got=text)
    return value


@functools.lru_cache(maxsize=1)
def _grid_table() -> dict[int, tuple[float, str]]:
    """``{year: (ef [tCO2/MWh], source)}`` from ``grid_emission_factors.csv``."""
    path = paths.factors_dir() / GRID_FILE
    table: dict[int, tuple[float, str]] = {}
    rows = _read_rows(GRID_FILE, ("year", "ef_tco2_per_mwh", "gas", "source"))
    for line, row in enumerate(rows, start=2):
        try:
            year = int(row["year"])
        except ValueError:
            raise InputError(
                "an integer year", file=path, field=f"line {line}.year", got=row["year"]
            ) from None
        if row["gas"].strip() != "CO2":
            raise InputError("CO2", file=path, field=f"line {line}.gas", got=row["gas"])
        if year in table:
            raise InputError("one row per year", file=path, field=f"line {line}.year", got=year)
        table[year] = (_number(row, "ef_tco2_per_mwh", path, line), row["source"].strip())
    return dict(sorted(table.items()))


@functools.lru_cache(maxsize=1)
def _fuel_table() -> dict[str, dict[str, Any]]:
    """``{fuel: {ipcc_fuel, ncv, co2, ch4, n2o, biogenic, note, source}}``."""
    path = paths.factors_dir() / FUEL_FILE
    columns = (
        "fuel",
        "ipcc_fuel",
        "ncv_tj_per_gg",
        "co2_kg_per_tj",
        "ch4_kg_per_tj",
        "n2o_kg_per_tj",
        "ncv_basis",
        "biogenic",
        "note",
        "source",
    )
    table: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(_read_rows(FUEL_FILE, columns), start=2):
        fuel = row["fuel"].strip()
        if fuel in table:
            raise InputError("one row per fuel", file=path, field=f"line {line}.fuel", got=fuel)
        flag = row["biogenic"].strip().lower()
        if flag not in ("true", "false"):
            raise InputError(
                "true or false", file=path, field=f"line {line}.biogenic", got=row["biogenic"]
            )
        basis = row["ncv_basis"].strip()
        if basis not in ("dry", "as_received"):
            raise InputError("dry or as_received", file=path, field=f"line {line}.ncv_basis",
                             got=basis)
        table[fuel] = {
            "ipcc_fuel": row["ipcc_fuel"].strip(),
            "ncv_basis": basis,
            "ncv_tj_per_gg": _number(row, "ncv_tj_per_gg", path, line),
            "co2_kg_per_tj": _number(row, "co2_kg_per_tj", path, line),
            "ch4_kg_per_tj": _number(row, "ch4_kg_per_tj", path, line),
            "n2o_kg_per_tj": _number(row, "n2o_kg_per_tj", path, line),
            "biogenic": flag == "true",
            "note": (row.get("note") or "").strip(),
            "source": row["source"].strip(),
        }
    if set(table) != set(FUELS):
        raise InputError(
            f"exactly the fuels {', '.join(FUELS)}", file=path, field="fuel", got=sorted(table)
        )
    return table


@functools.lru_cache(maxsize=1)
def _gwp_table() -> dict[str, dict[str, tuple[float, str]]]:
    """``{gwp_set: {gas: (gwp100 [-], source)}}`` from ``gwp.csv``."""
    path = paths.factors_dir() / GWP_FILE
    table: dict[str, dict[str, tuple[float, str]]] = {}
    for line, row in enumerate(_read_rows(GWP_FILE, ("gwp_set", "gas", "gwp100", "source")), 2):
        gwp_set, gas = row["gwp_set"].strip(), row["gas"].strip()
        if gas not in GASES:
            raise InputError(
                f"a gas among {', '.join(GASES)}", file=path, field=f"line {line}.gas", got=gas
            )
        values = table.setdefault(gwp_set, {})
        if gas in values:
            raise InputError(
                "one row per set and gas", file=path, field=f"line {line}.gas", got=gas
            )
        values[gas] = (_number(row, "gwp100", path, line), row["source"].strip())
    for gwp_set, values in table.items():
        if set(values) != set(GASES):
            raise InputError(
                f"a value for each of {', '.join(GASES)}",
                file=path,
                field=gwp_set,
                got=sorted(values),
            )
    if set(table) != set(GWP_SETS):
        raise InputError(
            f"exactly the sets {', '.join(GWP_SETS)}",
            file=path,
            field="gwp_set",
            got=sorted(table),
        )
    return table


@functools.lru_cache(maxsize=1)
def _waste_table() -> dict[tuple[str, str], dict[str, Any]]:
    """``{(factor, key): {value, unit, note, source}}`` from ``waste_factors.csv``."""
    path = paths.factors_dir() / WASTE_FILE
    columns = ("factor", "key", "value", "unit", "note", "source")
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for line, row in enumerate(_read_rows(WASTE_FILE, columns), start=2):
        pair = (row["factor"].strip(), row["key"].strip())
        if pair not in _WASTE_ROWS:
            raise InputError(
                "a factor and key listed in the module", file=path, field=f"line {line}.key",
                got=" ".join(pair),
            )
        if pair in table:
            raise InputError(
                "one row per factor and key", file=path, field=f"line {line}.key", got=" ".join(pair)
            )
        value = _number(row, "value", path, line)
        if pair[0] in _FRACTIONS and value > 1:
            raise InputError("a fraction <= 1", file=path, field=f"line {line}.value", got=value)
        table[pair] = {
            "value": value,
            "unit": row["unit"].strip(),
            "note": (row.get("note") or "").strip(),
            "source": row["source"].strip(),
        }
    missing = [" ".join(p) for p in _WASTE_ROWS if p not in table]
    if missing:
        raise InputError(
            f"a row for each of {', '.join(' '.join(p) for p in _WASTE_ROWS)}",
            file=path, field="factor", got=missing,
        )
    return {pair: table[pair] for pair in _WASTE_ROWS}


def _waste(factor: str, key: str = "all") -> float:
    return _waste_table()[(factor, key)]["value"]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _as_array(value: Any, unit: str) -> np.ndarray:
    """``value`` as a float array (0-d for a scalar); strings and non-numbers are refused."""
    if value is None or isinstance(value, str | bytes):
        raise InputError(f"a number or an array of numbers [{unit}]", got=value)
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"a number or an array of numbers [{unit}]", got=value) from None


def _out(array: np.ndarray) -> float | np.ndarray:
    """A Python float for 0-d results, the array otherwise."""
    return float(array) if array.ndim == 0 else array


def _year_range(years: list[int]) -> str:
    if years and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


def _fuel_row(fuel: str) -> dict[str, Any]:
    table = _fuel_table()
    if not isinstance(fuel, str) or fuel not in table:
        raise InputError(f"a fuel key among {', '.join(FUELS)}", got=fuel)
    return table[fuel]


def _gwp_set_values(gwp_set: str) -> dict[str, tuple[float, str]]:
    table = _gwp_table()
    key = gwp_set.upper() if isinstance(gwp_set, str) else gwp_set
    if key not in table:
        raise InputError(f"a GWP set among {', '.join(GWP_SETS)}", got=gwp_set)
    return table[key]


def _fmt(value: float) -> str:
    """Emission factors and GWPs as printed in the IPCC tables (``74,100``, ``0.6``)."""
    return fmt(value, ",.0f") if float(value).is_integer() and value >= 1000 else fmt(value, "g")


def _fmt_ncv(value: float) -> str:
    """Net calorific values with their published decimal (``43.0``, ``2.47``)."""
    return fmt(value, ".1f") if round(value, 1) == value else fmt(value, "g")


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def grid_years() -> tuple[int, ...]:
    """Years that have a published Vietnam grid emission factor.

    Returns
    -------
    years : tuple of int
        Sorted years present in ``grid_emission_factors.csv``.

    Examples
    --------
    >>> grid_years()[0], grid_years()[-1]
    (2014, 2023)
    """
    return tuple(_grid_table())


def grid_emission_factor(year: int) -> float:
    """Vietnam grid emission factor of one year [tCO2/MWh].

    Parameters
    ----------
    year : int
        Calendar year of the published factor.

    Returns
    -------
    ef : float
        Grid emission factor [tCO2/MWh] as published by MONRE's Department of Climate
        Change [1]_.

    Raises
    ------
    InputError
        If ``year`` is not an integer with a published value; the message names the years
        available.

    Warnings
    --------
    The factor is a CO2 factor for the national grid computed by the CDM tool method [1]_; it
    carries no CH4 or N2O and no transmission and distribution losses. There is no value for
    future years: pick the latest published year (or a scenario of your own) explicitly.

    References
    ----------
    .. [1] Department of Climate Change, MONRE of Viet Nam, emission factors of the Vietnam power
       grid 2014-2023 (CDM tool method); 2022 value by letter No. 327/BĐKH-PTCBT; summary at
       climatechange.vn.

    Examples
    --------
    >>> grid_emission_factor(2020)
    0.8041
    >>> grid_emission_factor(2031)
    Traceback (most recent call last):
    ...
    eip_analysis.errors.InputError: expected a year with a published grid factor (2014-2023), got 2031
    """
    table = _grid_table()
    years = list(table)
    valid = isinstance(year, int | np.integer) and not isinstance(year, bool)
    if not valid or int(year) not in table:
        got = int(year) if valid else year
        raise InputError(f"a year with a published grid factor ({_year_range(years)})", got=got)
    return table[int(year)][0]


def gwp(gas: str, gwp_set: str = "AR5") -> float:
    """100-year global warming potential of a gas [tCO2e/t].

    Parameters
    ----------
    gas : str
        ``"CO2"``, ``"CH4"`` or ``"N2O"`` (case-insensitive).
    gwp_set : str, default "AR5"
        ``"AR5"`` [1]_ or ``"AR6"`` [2]_ (case-insensitive).

    Returns
    -------
    gwp100 : float
        Global warming potential over 100 years [tCO2e/t of gas].

    Raises
    ------
    InputError
        For an unknown set or gas; the message lists the known ones.

    Notes
    -----
    AR5 values are those without climate-carbon feedbacks (CH4 28, N2O 265) [1]_. AR6 gives
    CH4 27.9 without distinction of origin, 29.8 for fossil and 27.0 for non-fossil CH4, and
    N2O 273 [2]_; the AR6 set here uses 27.9 for all CH4.

    References
    ----------
    .. [1] Myhre, G., D. Shindell et al., 2013, in Climate Change 2013: The Physical Science
       Basis (IPCC AR5 WG1), Chapter 8, Table 8.7.
    .. [2] Forster, P., T. Storelvmo et al., 2021, in Climate Change 2021: The Physical Science
       Basis (IPCC AR6 WG1), Chapter 7, Table 7.15.

    Examples
    --------
    >>> gwp("CH4")
    28.0
    >>> gwp("n2o", "AR6")
    273.0
    """
    values = _gwp_set_values(gwp_set)
    key = gas.upper() if isinstance(gas, str) else gas
    if key not in values:
        raise InputError(f"a gas among {', '.join(GASES)}", got=gas)
    return values[key][0]


def fuel_factors(fuel: str) -> dict[str, Any]:
    """IPCC 2006 default factors of one fuel.

    Parameters
    ----------
    fuel : str
        One of :data:`FUELS`.

    Returns
    -------
    factors : dict
        ``ipcc_fuel`` (the IPCC row name), ``ncv_tj_per_gg`` [TJ/Gg], ``co2_kg_per_tj``,
        ``ch4_kg_per_tj``, ``n2o_kg_per_tj`` [kg/TJ], ``biogenic`` (bool), ``note`` and
        ``source``. A copy: changing it changes nothing else.

    Raises
    ------
    InputError
        For an unknown fuel key; the message lists the known keys.

    References
    ----------
    .. [1] IPCC 2006, 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 2,
       Ch. 1 Tables 1.2 and 1.4; Ch. 2 Table 2.3.

    Examples
    --------
    >>> f = fuel_factors("rice_husk")
    >>> f["ipcc_fuel"], f["ncv_tj_per_gg"], f["biogenic"]
    ('Other Primary Solid Biomass', 11.6, True)
    """
    return dict(_fuel_row(fuel))


def fuel_combustion_emissions(fuel: str, tonnes: Any, gwp: str = "AR5", *,
                              ncv_gj_per_t: Any = None) -> dict[str, Any]:
    """Greenhouse-gas emissions of burning a mass of fuel in a stationary boiler or furnace.

    Tier 1 method of the IPCC 2006 Guidelines [1]_ with the default factors for manufacturing
    industries and construction [2]_.

    Parameters
    ----------
    fuel : str
        One of :data:`FUELS`.
    tonnes : float or array_like
        Mass of fuel burnt [t] (or [t/yr] for yearly results). May be negative (a change, e.g.
        project minus baseline); NaN propagates. Arrays broadcast, e.g. a leading scenario axis.
    gwp : str, default "AR5"
        GWP100 set used for CO2e: ``"AR5"`` or ``"AR6"``, see :func:`gwp`.
    ncv_gj_per_t : float or array_like, optional
        Net calorific value the fuel is burnt at [GJ/t]: :func:`fuel_ncv` for a biomass flow
        with its moisture. Default: the table NCV.

    Returns
    -------
    emissions : dict
        Same shape as ``tonnes`` (a float for a scalar):

        - ``energy_tj``: fuel energy on a net calorific basis [TJ]
        - ``co2_t``: fossil CO2 [t]; 0 for biomass fuels
        - ``ch4_t``: CH4 [t]
        - ``n2o_t``: N2O [t]
        - ``co2e_t``: ``co2_t + ch4_t * GWP_CH4 + n2o_t * GWP_N2O`` [tCO2e]
        - ``biogenic_co2_t``: CO2 of biomass fuels, a memo item not in ``co2e_t`` [t]

    Raises
    ------
    InputError
        For an unknown fuel key (the message lists the known keys), an unknown GWP set, or a
        quantity that is not numeric.

    Warnings
    --------
    Biogenic CO2 (``wood``, ``rice_husk``, ``biogas``) is reported separately and **not**
    counted in ``co2e_t``, as the IPCC Guidelines require for the energy sector [1]_; the CH4
    and N2O of biomass combustion are counted. There is no IPCC default for fish oil used as
    a fuel: model it by the fuel-oil tonnes it replaces.

    Notes
    -----
    .. math::

        E = \\frac{m}{1000} \\cdot NCV, \\qquad
        m_{gas} = \\frac{E \\cdot EF_{gas}}{1000}

    with :math:`m` the fuel mass [t], 1000 [t/Gg], :math:`NCV` the net calorific value
    [TJ/Gg] (Table 1.2), :math:`E` the energy [TJ], :math:`EF_{gas}` the emission factor
    [kg/TJ] (Table 1.4 for CO2, Table 2.3 for CH4 and N2O) and 1000 [kg/t]; this is
    Equation 2.1 of [2]_ with the fuel consumption expressed in TJ.

    References
    ----------
    .. [1] IPCC 2006, 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Eggleston
       H.S. et al. (eds), IGES, Japan. Vol. 2 Energy, Ch. 1, Tables 1.2 and 1.4.
    .. [2] IPCC 2006, op. cit., Vol. 2 Energy, Ch. 2 Stationary Combustion, Equation 2.1 and
       Table 2.3.

    Examples
    --------
    1,000 t of gas/diesel oil is 43.0 TJ and 3,186.3 t of CO2:

    >>> e = fuel_combustion_emissions("diesel", 1000.0)
    >>> round(e["energy_tj"], 1), round(e["co2_t"], 1), round(e["co2e_t"], 2)
    (43.0, 3186.3, 3196.75)

    Rice husk: the CO2 is a memo item; only CH4 and N2O count.

    >>> e = fuel_combustion_emissions("rice_husk", [1000.0, -500.0])
    >>> print(e["co2_t"], e["biogenic_co2_t"], e["co2e_t"].round(2))
    [0. 0.] [1160. -580.] [ 22.04 -11.02]
    """
    row = _fuel_row(fuel)
    values = _gwp_set_values(gwp)
    mass_t = _as_array(tonnes, "t")
    ncv = row["ncv_tj_per_gg"] if ncv_gj_per_t is None else _as_array(ncv_gj_per_t, "GJ/t")
    energy_tj = mass_t / _T_PER_GG * ncv
    co2_all_t = energy_tj * row["co2_kg_per_tj"] / _KG_PER_T
    ch4_t = energy_tj * row["ch4_kg_per_tj"] / _KG_PER_T
    n2o_t = energy_tj * row["n2o_kg_per_tj"] / _KG_PER_T
    zeros = np.zeros_like(co2_all_t)
    if row["biogenic"]:
        co2_t, biogenic_t = zeros, co2_all_t
    else:
        co2_t, biogenic_t = co2_all_t, zeros
    co2e_t = co2_t + ch4_t * values["CH4"][0] + n2o_t * values["N2O"][0]
    return {
        "energy_tj": _out(energy_tj),
        "co2_t": _out(co2_t),
        "ch4_t": _out(ch4_t),
        "n2o_t": _out(n2o_t),
        "co2e_t": _out(co2e_t),
        "biogenic_co2_t": _out(biogenic_t),
    }


def electricity_emissions(mwh: Any, year: int) -> float | np.ndarray:
    """CO2 emissions of grid electricity bought in Viet Nam [tCO2e].

    Parameters
    ----------
    mwh : float or array_like
        Grid electricity [MWh] (or [MWh/yr] for yearly results). May be negative (a change);
        NaN propagates; arrays broadcast.
    year : int
        Year of the grid emission factor, see :func:`grid_emission_factor`.

    Returns
    -------
    co2e_t : float or numpy.ndarray
        ``mwh * EF_grid(year)`` [tCO2e], CO2 only.

    Raises
    ------
    InputError
        For a year without a published factor or a quantity that is not numeric.

    Warnings
    --------
    The Vietnamese grid emission factor is a CO2 factor [1]_: CH4 and N2O of power generation
    are not included, so the result is CO2 reported as CO2e.

    References
    ----------
    .. [1] Department of Climate Change, MONRE of Viet Nam, emission factors of the Vietnam power
       grid (CDM tool method); summary at climatechange.vn.

    Examples
    --------
    >>> round(electricity_emissions(1000.0, 2020), 1)
    804.1
    >>> print(electricity_emissions([[100.0, 200.0]], 2022).round(2))
    [[ 67.66 135.32]]
    """
    ef = grid_emission_factor(year)
    return _out(_as_array(mwh, "MWh") * ef)


def waste_factors() -> dict[str, float]:
    """IPCC 2006 Vol. 5 defaults used for landfill and composting, by name.

    Returns
    -------
    factors : dict
        ``doc_<type>`` for each of :data:`WASTE_TYPES` [t C/t wet waste], ``docf``, ``f``,
        ``ox`` and ``mcf`` (the MCF applied, an *assumption*, see ``waste_factors.csv``)
        [fraction], ``mcf_<category>`` for the four categories of Table 3.1 [fraction], and
        ``composting_ch4_g_per_kg``, ``composting_n2o_g_per_kg`` [g/kg wet waste]. A new dict.

    References
    ----------
    .. [1] IPCC 2006, 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 5 Waste,
       Ch. 2 Table 2.4; Ch. 3 Section 3.2.3 and Table 3.1; Ch. 4 Table 4.1.

    Examples
    --------
    >>> f = waste_factors()
    >>> f["doc_paper"], f["docf"], f["f"], f["mcf"], f["ox"]
    (0.4, 0.5, 0.5, 0.6, 0.0)
    >>> f["composting_ch4_g_per_kg"], f["composting_n2o_g_per_kg"]
    (4.0, 0.3)
    """
    out: dict[str, float] = {}
    for (factor, key), row in _waste_table().items():
        if factor == "composting":
            out[f"composting_{key.lower()}_g_per_kg"] = row["value"]
        elif key == "all" or (factor, key) == ("mcf", "default"):
            out[factor] = row["value"]
        else:
            out[f"{factor}_{key}"] = row["value"]
    return out


def _waste_type(waste: str) -> str:
    if not isinstance(waste, str) or waste not in WASTE_TYPES:
        raise InputError(f"a waste type among {', '.join(WASTE_TYPES)}", got=waste)
    return waste


def landfill_emissions(
    waste: str, tonnes: Any, gwp: str = "AR5", *, mcf: float | None = None
) -> dict[str, Any]:
    """Methane commitment of a mass of waste sent to landfill (IPCC 2006 Tier 1 defaults).

    All the CH4 that a deposit will generate over the decades it takes to decay is counted in
    the year it is landfilled: the mass of decomposable degradable organic carbon deposited
    (DDOCm, Eq. 3.2 of [2]_) times the CH4 it can generate (Eq. 3.3 and 3.1 of [2]_), without
    the first-order-decay timing of the IPCC model.

    Parameters
    ----------
    waste : str
        One of :data:`WASTE_TYPES` (``"food"``, ``"garden"``, ``"paper"``, ``"wood"``,
        ``"textiles"``, ``"sludge"`` for industrial wastewater sludge, ``"inert"`` for ash and
        other inert waste).
    tonnes : float or array_like
        Wet mass landfilled [t] (or [t/yr] for yearly results). May be negative (a change);
        NaN propagates; arrays broadcast.
    gwp : str, default "AR5"
        GWP100 set for CO2e, see :func:`gwp`.
    mcf : float, optional
        Methane correction factor [-] of the site, in [0, 1]; default the ``mcf default`` row of
        ``waste_factors.csv`` (0.6, IPCC "uncategorised SWDS", an *assumption* for Vietnamese
        provincial landfills). Table 3.1 of [2]_: managed anaerobic 1.0, unmanaged deep 0.8,
        unmanaged shallow 0.4.

    Returns
    -------
    emissions : dict
        Same shape as ``tonnes`` (a float for a scalar):

        - ``ddocm_t``: decomposable degradable organic carbon deposited [t C]
        - ``ch4_t``: CH4 generated over the life of the deposit, less the oxidised share [t]
        - ``co2e_t``: ``ch4_t * GWP_CH4`` [tCO2e]

    Raises
    ------
    InputError
        For an unknown waste type (the message lists the known ones), an unknown GWP set, an
        ``mcf`` outside [0, 1] or a quantity that is not numeric.

    Warnings
    --------
    This is an **upper bound** of what the deposit emits within a 10-15 year project life: the
    IPCC first-order-decay model [2]_ spreads the same CH4 over decades (half-lives of a few
    years for food waste and sludge in a wet tropical climate, longer for paper and wood), and
    part of it may be captured or oxidised at a managed site. Landfill CO2 is biogenic and not
    counted. The DOC values are IPCC defaults for wet waste, not measurements of the cases'
    waste.

    Notes
    -----
    .. math::

        DDOC_m = W \\cdot DOC \\cdot DOC_f \\cdot MCF, \\qquad
        CH_4 = DDOC_m \\cdot F \\cdot \\frac{16}{12} \\cdot (1 - OX)

    with :math:`W` the wet waste [t], :math:`DOC` its degradable organic carbon [t C/t]
    (Table 2.4 of [1]_), :math:`DOC_f` the fraction that decomposes (0.5), :math:`MCF` the
    methane correction factor, :math:`F` the CH4 fraction of landfill gas (0.5), 16/12 the
    CH4/C mass ratio and :math:`OX` the oxidation factor (0; 0.1 only for well-managed sites
    covered with oxidising material) [2]_.

    References
    ----------
    .. [1] IPCC 2006, 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Eggleston
       H.S. et al. (eds), IGES, Japan. Vol. 5 Waste, Ch. 2, Tables 2.4 and 2.5.
    .. [2] IPCC 2006, op. cit., Vol. 5 Waste, Ch. 3 Solid Waste Disposal, Equations 3.1-3.3,
       Section 3.2.3 and Table 3.1.

    Examples
    --------
    1,000 t of paper at an unmanaged deep site: 1000 x 0.40 x 0.5 x 0.8 x 0.5 x 16/12 = 106.67 t
    CH4, 2,986.7 tCO2e with AR5:

    >>> e = landfill_emissions("paper", 1000.0, mcf=0.8)
    >>> round(e["ddocm_t"], 2), round(e["ch4_t"], 2), round(e["co2e_t"], 1)
    (160.0, 106.67, 2986.7)
    >>> print(landfill_emissions("food", [1000.0, 0.0])["ch4_t"].round(2))
    [30.  0.]
    >>> landfill_emissions("inert", 2000.0)["co2e_t"]
    0.0
    """
    doc = _waste("doc", _waste_type(waste))
    values = _gwp_set_values(gwp)
    site_mcf = _waste("mcf", "default") if mcf is None else mcf
    if isinstance(site_mcf, bool) or not isinstance(site_mcf, int | float) or not (
        0.0 <= site_mcf <= 1.0
    ):
        raise InputError("an MCF between 0 and 1", got=mcf)
    mass_t = _as_array(tonnes, "t")
    ddocm_t = mass_t * doc * _waste("docf") * float(site_mcf)
    ch4_t = ddocm_t * _waste("f") * _CH4_PER_C * (1.0 - _waste("ox"))
    return {
        "ddocm_t": _out(ddocm_t),
        "ch4_t": _out(ch4_t),
        "co2e_t": _out(ch4_t * values["CH4"][0]),
    }


def composting_emissions(tonnes: Any, gwp: str = "AR5") -> dict[str, Any]:
    """CH4 and N2O of composting a mass of wet organic waste (IPCC 2006 Tier 1 defaults).

    Parameters
    ----------
    tonnes : float or array_like
        Wet mass of waste composted [t] (or [t/yr]). May be negative (a change); NaN
        propagates; arrays broadcast.
    gwp : str, default "AR5"
        GWP100 set for CO2e, see :func:`gwp`.

    Returns
    -------
    emissions : dict
        Same shape as ``tonnes`` (a float for a scalar): ``ch4_t`` [t], ``n2o_t`` [t] and
        ``co2e_t = ch4_t * GWP_CH4 + n2o_t * GWP_N2O`` [tCO2e].

    Raises
    ------
    InputError
        For an unknown GWP set or a quantity that is not numeric.

    Warnings
    --------
    The factors are defaults for waste of 25-50% DOC in dry matter, 2% N and 60% moisture [1]_;
    a wetter, nitrogen-rich sludge may emit more N2O. The biogenic CO2 of composting is not
    counted; nor is the carbon the compost may store in soil.

    Notes
    -----
    ``ch4_t = tonnes x 4 g/kg / 1000`` and ``n2o_t = tonnes x 0.3 g/kg / 1000`` (Table 4.1 of
    [1]_, wet weight basis; 10 and 0.6 g/kg on a dry weight basis); 1 g/kg = 1 kg/t.

    References
    ----------
    .. [1] IPCC 2006, 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Eggleston
       H.S. et al. (eds), IGES, Japan. Vol. 5 Waste, Ch. 4 Biological Treatment of Solid Waste,
       Table 4.1.

    Examples
    --------
    1,000 t of wet waste: 4 t CH4 x 28 + 0.3 t N2O x 265 = 191.5 tCO2e (AR5):

    >>> e = composting_emissions(1000.0)
    >>> round(e["ch4_t"], 3), round(e["n2o_t"], 3), round(e["co2e_t"], 1)
    (4.0, 0.3, 191.5)
    """
    return _ch4_n2o(tonnes, _waste("composting", "CH4"), _waste("composting", "N2O"), gwp)


def _ch4_n2o(tonnes: Any, ch4_kg_per_t: float, n2o_kg_per_t: float, gwp: str) -> dict[str, Any]:
    """CH4 and N2O [t] and their CO2e [tCO2e] of a mass treated at per-tonne factors [kg/t]."""
    values = _gwp_set_values(gwp)
    mass_t = _as_array(tonnes, "t")
    ch4_t = mass_t * ch4_kg_per_t / _KG_PER_T
    n2o_t = mass_t * n2o_kg_per_t / _KG_PER_T
    return {
        "ch4_t": _out(ch4_t),
        "n2o_t": _out(n2o_t),
        "co2e_t": _out(ch4_t * values["CH4"][0] + n2o_t * values["N2O"][0]),
    }


def _check_flow(flow: str) -> str:
    if not isinstance(flow, str) or flow not in FLOW_UNITS:
        raise InputError(f"a flow key among {', '.join(FLOWS)}", got=flow)
    return flow


def is_counted(flow: str) -> bool:
    """Whether a resource flow is converted to tCO2e.

    Parameters
    ----------
    flow : str
        One of :data:`FLOWS`.

    Returns
    -------
    counted : bool
        ``True`` for ``electricity``, every fuel, the typed ``landfill_<type>`` flows and
        ``composting``; ``False`` for ``water`` and ``waste_landfill`` (waste of unknown
        composition; see :func:`flow_note`).

    Raises
    ------
    InputError
        For an unknown flow key; the message lists the known keys.

    Examples
    --------
    >>> is_counted("electricity"), is_counted("water")
    (True, False)
    >>> is_counted("landfill_paper"), is_counted("waste_landfill")
    (True, False)
    """
    return _check_flow(flow) not in _NOT_COUNTED


def flow_co2e_t(flow: str, quantity: Any, *, grid_year: int, gwp: str = "AR5",
                ncv_gj_per_t: Any = None, mcf: float | None = None,
                destruction_efficiency: Any = None) -> Any:
    """Emissions of one resource flow [tCO2e/yr].

    The appraisal calls this for the baseline and the project flows of a case; emissions
    avoided are baseline minus project.

    Parameters
    ----------
    flow : str
        One of :data:`FLOWS`: ``electricity`` [MWh/yr], a fuel key [t/yr], ``water`` [m3/yr],
        one of :data:`LANDFILL_FLOWS` [t/yr] or ``composting`` [t/yr] (units in
        :data:`FLOW_UNITS`).
    quantity : float or array_like
        Flow in the unit of :data:`FLOW_UNITS`; negative values and NaN allowed; arrays
        broadcast.
    grid_year : int
        Year of the grid emission factor; used (and checked) for ``electricity`` only.
    gwp : str, default "AR5"
        GWP100 set for fuels and waste, see :func:`gwp`.

    Returns
    -------
    co2e_t : float or numpy.ndarray
        Emissions [tCO2e/yr]: :func:`electricity_emissions` for electricity, ``co2e_t`` of
        :func:`fuel_combustion_emissions` for fuels (biogenic CO2 excluded), of
        :func:`landfill_emissions` for ``landfill_<type>`` (the methane commitment of the
        year's deposit at the default MCF) and of :func:`composting_emissions` for
        ``composting``; zeros of the quantity's shape for ``water`` and ``waste_landfill``,
        which are not converted.

    Raises
    ------
    InputError
        For an unknown flow key (the message lists the known keys), an unknown GWP set, a grid
        year without a published factor, or a quantity that is not numeric.

    Warnings
    --------
    A zero for ``water`` or ``waste_landfill`` means *not counted*, not *no emissions*; say so
    in the report with :func:`flow_note`.

    Examples
    --------
    >>> round(flow_co2e_t("electricity", 1000.0, grid_year=2020), 1)
    804.1
    >>> round(flow_co2e_t("diesel", 1000.0, grid_year=2020), 2)
    3196.75
    >>> flow_co2e_t("waste_landfill", 250.0, grid_year=2020)
    0.0
    >>> round(flow_co2e_t("landfill_paper", 1000.0, grid_year=2020), 1)
    2240.0
    >>> round(flow_co2e_t("composting", 1000.0, grid_year=2020), 1)
    191.5
    """
    _check_flow(flow)
    _gwp_set_values(gwp)
    if flow == "electricity":
        return electricity_emissions(quantity, grid_year)
    if flow in _NOT_COUNTED:
        return _out(np.zeros_like(_as_array(quantity, FLOW_UNITS[flow])))
    if flow in LANDFILL_FLOWS:
        return landfill_emissions(flow.removeprefix("landfill_"), quantity, gwp,
                                  mcf=mcf)["co2e_t"]
    if flow == "composting":
        return composting_emissions(quantity, gwp)["co2e_t"]
    if flow == "open_burning":
        return open_burning_emissions(quantity, gwp)["co2e_t"]
    if flow in MATERIALS:
        return _out(_as_array(quantity, "t") * material_factor(flow))
    if flow == "biogas_flared":
        eta = flare_efficiency("open") if destruction_efficiency is None else destruction_efficiency
        return flared_methane_emissions(quantity, eta, gwp)["co2e_t"]
    return fuel_combustion_emissions(flow, quantity, gwp, ncv_gj_per_t=ncv_gj_per_t)["co2e_t"]


def flow_note(flow: str, *, grid_year: int | None = None, grid_change_per_year: float = 0.0,
              grid_margin: str = "combined", landfill_method: str = "commitment",
              site: str | None = None, flare: str | None = None,
              ncv_gj_per_t: float | None = None, moisture: float | None = None) -> str:
    """One sentence on how a resource flow is counted, for the report's emissions section.

    Parameters
    ----------
    flow : str
        One of :data:`FLOWS`.
    grid_year : int, optional
        For ``electricity``: name the factor of that year in the sentence.
    grid_change_per_year, grid_margin : optional
        For ``electricity``: the path and margin used (see :func:`grid_factor_path`).
    landfill_method : {"commitment", "fod"}
        For ``landfill_<type>``: which model counts the methane; ``site`` its MCF category.
    flare : str, optional
        For ``biogas_flared``: the flare type.
    ncv_gj_per_t, moisture : float, optional
        For fuels: the as-received NCV used and the moisture it was converted at.

    Returns
    -------
    note : str
        The factor used and its source, or why the flow is left out.

    Raises
    ------
    InputError
        For an unknown flow key, or a ``grid_year`` without a published factor.

    Examples
    --------
    >>> print(flow_note("electricity", grid_year=2020))  # doctest: +NORMALIZE_WHITESPACE
    Grid electricity bought [MWh/yr] is converted to CO2 with the Vietnam grid emission factor
    of 2020 (0.8041 tCO2/MWh; CO2 only) published by the Department of Climate Change, MONRE
    (CDM tool method); held constant over the life (the CDM ex-ante fixed option).
    """
    _check_flow(flow)
    if flow == "electricity":
        if grid_year is not None:
            text = _("Grid electricity bought [MWh/yr] is converted to CO2 with the Vietnam grid "
                     "emission factor of {year} ({factor} tCO2/MWh; CO2 only) published by the "
                     "Department of Climate Change, MONRE (CDM tool method)").format(
                year=int(grid_year), factor=fmt(grid_emission_factor(grid_year), "g"))
        else:
            text = _("Grid electricity bought [MWh/yr] is converted to CO2 with the Vietnam grid "
                     "emission factor of the case's grid year published by the Department of "
                     "Climate Change, MONRE (CDM tool method)")
        if grid_margin == "solar":
            text += _("; solar weighting {operating} x operating margin + {build} x build margin "
                      "(CDM Tool 07 weights for wind and solar)").format(
                operating=fmt(0.75, "g"), build=fmt(0.25, "g"))
        if grid_change_per_year:
            text += _("; the factor changes by {change} a year over the life (parameter "
                      "grid_factor_change_per_year).").format(
                change=fmt(grid_change_per_year, "+.1%"))
        else:
            text += _("; held constant over the life (the CDM ex-ante fixed option).")
        return text
    if flow == "water":
        return _("Water [m3/yr] is not converted to tCO2e: the energy to pump and treat it is "
                 "site-specific and the cases do not report it.")
    if flow == "waste_landfill":
        return _("Waste of unknown composition sent to landfill [t/yr] is not converted to "
                 "tCO2e: its degradable organic carbon is unknown, so list it as a typed flow "
                 "(landfill_food, landfill_paper, ...) to count its CH4 by the IPCC 2006 Vol. 5 "
                 "defaults (a full first-order-decay model would also need site data).")
    if flow in LANDFILL_FLOWS and landfill_method == "fod":
        waste = flow.removeprefix("landfill_")
        f = waste_factors()
        mcf = landfill_site_mcf(site)
        where = site.replace("_", " ") if site else _("uncategorised (an assumption)")
        if f[f"doc_{waste}"] == 0:
            return _("Inert waste ('{waste}') sent to landfill [t/yr] has no degradable organic "
                     "carbon (DOC 0, IPCC 2006 Vol. 5 Ch. 2 Table 2.4) and so no landfill "
                     "CH4.").format(waste=waste)
        return _(
            "Waste '{waste}' sent to landfill [t/yr] is counted by the first-order-decay model "
            "(CDM Tool 04; IPCC 2006 Vol. 5 Ch. 3 Eq. 3.4-3.6): the CH4 that each year's "
            "deposits emit in each project year, DOC {doc} x DOCf {docf} x MCF {mcf} (site "
            "{site}, Table 3.1) x F {f} x 16/12 x (1 - OX {ox}) x phi {phi} x e^(-k(y-x)) "
            "(1 - e^-k), k {k}/yr (Table 3.3, tropical moist and wet); methane emitted after "
            "the life is not counted; landfill CO2 is biogenic.").format(
            waste=waste, doc=fmt(f[f"doc_{waste}"], "g"), docf=fmt(f["docf"], "g"),
            mcf=fmt(mcf, "g"), site=where, f=fmt(f["f"], "g"), ox=fmt(f["ox"], "g"),
            phi=fmt(f["phi"], "g"), k=fmt(f[f"k_{waste}"], "g"))
    if flow in LANDFILL_FLOWS:
        waste = flow.removeprefix("landfill_")
        f = waste_factors()
        if f[f"doc_{waste}"] == 0:
            return _("Inert waste ('{waste}', e.g. boiler ash) sent to landfill [t/yr] has no "
                     "degradable organic carbon (DOC 0, IPCC 2006 Vol. 5 Ch. 2 Table 2.4) and so "
                     "no landfill CH4.").format(waste=waste)
        return _(
            "Waste '{waste}' sent to landfill [t/yr] is converted to CH4 by the methane "
            "commitment of each year's deposit, W x DOC {doc} x DOCf {docf} x MCF {mcf} x F {f} "
            "x 16/12 x (1 - OX {ox}) (IPCC 2006 Vol. 5 Ch. 2 Table 2.4, Ch. 3 Eq. 3.2-3.3 and "
            "Table 3.1; MCF {mcf} for an uncategorised site is an assumption for Vietnamese "
            "provincial landfills), i.e. all the CH4 the deposit will generate over decades, an "
            "upper bound of what is emitted within the project life since the IPCC "
            "first-order-decay model spreads it over time; landfill CO2 is biogenic and not "
            "counted.").format(
            waste=waste, doc=fmt(f[f"doc_{waste}"], "g"), docf=fmt(f["docf"], "g"),
            mcf=fmt(f["mcf"], "g"), f=fmt(f["f"], "g"), ox=fmt(f["ox"], "g"))
    if flow == "biogas_flared":
        f = waste_factors()
        which = (_(" (this flow: {flare}, {share} destroyed)").format(
            flare=flare, share=fmt(flare_efficiency(flare), "g")) if flare is not None else "")
        return _(
            "Biogas flared or vented [t/yr of CH4] counts the methane the flare lets through, "
            "CH4 x (1 - destruction efficiency) x GWP (CDM Tool 06 'Project emissions from "
            "flaring': default {open} for an open flare, {enclosed} for an enclosed flare, "
            "unless measured){this_flow}; the CO2 of the burnt share is biogenic and not "
            "counted; burnt in a boiler instead, the methane slip is the IPCC 2006 combustion "
            "factor of biogas (1 kg CH4/TJ, Vol. 2 Ch. 2 Table 2.3).").format(
            open=fmt(f["flare_efficiency_open"], "g"),
            enclosed=fmt(f["flare_efficiency_enclosed"], "g"), this_flow=which)
    if flow == "incineration":
        return _("Waste sent to incineration or waste-to-energy [t/yr] (such as Can Tho's Thoi "
                 "Lai plant) has no landfill methane; its CO2 is biogenic for organic waste and "
                 "the plant's power is not credited, so it counts as waste diverted, not in "
                 "tCO2e.")
    if flow == "open_burning":
        f = waste_factors()
        return _("Waste burnt in the open [t/yr, wet] emits CH4 {ch4} kg/t and N2O {n2o} kg/t "
                 "of dry matter (dry-matter fraction {dry}, an assumption) by IPCC 2006 Vol. 5 "
                 "Ch. 5; the CO2 of organic waste is biogenic and not counted.").format(
            ch4=fmt(f["open_burning_CH4"], "g"), n2o=fmt(f["open_burning_N2O"], "g"),
            dry=fmt(f["open_burning_dry_matter"], "g"))
    if flow in MATERIALS:
        ef, _unit, source = _material_table()[flow]
        return _("Material '{material}' [t/yr] is converted with {factor} tCO2e/t cradle to "
                 "gate ({source}).").format(material=flow, factor=fmt(ef, "g"), source=source)
    if flow == "composting":
        f = waste_factors()
        return _("Waste composted [t/yr, wet weight] is converted with the IPCC 2006 default "
                 "factors CH4 {ch4} g/kg and N2O {n2o} g/kg (Vol. 5 Ch. 4 Table 4.1, wet weight "
                 "basis) and the run's GWP set; the biogenic CO2 of composting is not "
                 "counted.").format(ch4=fmt(f["composting_ch4_g_per_kg"], "g"),
                                    n2o=fmt(f["composting_n2o_g_per_kg"], "g"))
    row = _fuel_row(flow)
    numbers = {"fuel": flow, "ipcc_fuel": row["ipcc_fuel"], "ncv": _fmt_ncv(row["ncv_tj_per_gg"]),
               "co2": _fmt(row["co2_kg_per_tj"]), "ch4": _fmt(row["ch4_kg_per_tj"]),
               "n2o": _fmt(row["n2o_kg_per_tj"])}
    if row["biogenic"]:
        text = _("Fuel '{fuel}' burnt [t/yr] is converted with the IPCC 2006 default factors for "
                 "'{ipcc_fuel}' (NCV {ncv} TJ/Gg; CO2 {co2}, CH4 {ch4}, N2O {n2o} kg/TJ; Vol. 2 "
                 "Ch. 1 Tables 1.2 and 1.4, Ch. 2 Table 2.3, manufacturing industries and "
                 "construction), its CO2 being biogenic and reported as a memo item, not "
                 "counted.").format(**numbers)
    else:
        text = _("Fuel '{fuel}' burnt [t/yr] is converted with the IPCC 2006 default factors for "
                 "'{ipcc_fuel}' (NCV {ncv} TJ/Gg; CO2 {co2}, CH4 {ch4}, N2O {n2o} kg/TJ; Vol. 2 "
                 "Ch. 1 Tables 1.2 and 1.4, Ch. 2 Table 2.3, manufacturing industries and "
                 "construction).").format(**numbers)
    if moisture is not None and ncv_gj_per_t is not None:
        text += " " + _("Burnt as received at {moisture} moisture: NCV {ncv} GJ/t = {dry} x "
                        "(1 - {fraction}) - {latent} x {fraction} (dry basis converted, ISO "
                        "18125).").format(
            moisture=fmt(moisture, ".0%"), ncv=fmt(ncv_gj_per_t, ".2f"),
            dry=fmt(row["ncv_tj_per_gg"], "g"), fraction=fmt(moisture, "g"),
            latent=fmt(2.443, "g"))
    elif ncv_gj_per_t is not None and ncv_gj_per_t != row["ncv_tj_per_gg"]:
        text += " " + _("Burnt at the case's as-received NCV {ncv} GJ/t.").format(
            ncv=fmt(ncv_gj_per_t, ".2f"))
    return text


def leakage_note(flow: str, leakage: Any) -> str:
    """One sentence on the leakage of a residue flow, for the report's emissions section, in
    the active language (the case's own words, ``displaced_use`` and ``basis``, as written)."""
    residue = flow.replace("_", " ")
    if leakage.assessment == "displaced":
        fuel = _fuel_row(leakage.replacement_fuel)["ipcc_fuel"].lower()
        return _("Leakage (CDM Tool 16): {share} of the extra {residue} is taken from its "
                 "present users ({use}), who are assumed to burn {fuel} instead, energy for "
                 "energy; counted on the project side. Basis: {basis}").format(
            share=fmt(leakage.share_displaced.value, ".0%"), residue=residue,
            use=leakage.displaced_use, fuel=fuel, basis=leakage.basis)
    if leakage.assessment == "surplus":
        return _("No leakage counted: the {residue} is surplus (CDM Tool 16 test). Basis: "
                 "{basis}").format(residue=residue, basis=leakage.basis)
    return _("Leakage not assessed ({use}). {basis}").format(use=leakage.displaced_use,
                                                             basis=leakage.basis)


def factor_table_sources() -> list[dict[str, str]]:
    """Every factor the module uses, with its value and published source, for a report.

    Returns
    -------
    rows : list of dict
        One dict per factor-table row with keys ``table`` (CSV file name), ``key`` (year, fuel
        key, ``"<set> <gas>"`` or ``"<factor> <key>"`` for waste), ``value`` (the factors with units, as text), ``note`` (how
        the row maps to the published table, or ``""``) and ``source`` (the full citation from
        the CSV).

    Examples
    --------
    >>> rows = factor_table_sources()
    >>> rows[0]["table"], rows[0]["key"], rows[0]["value"]
    ('grid_emission_factors.csv', '2014', '0.6612 tCO2/MWh (CO2 only)')
    >>> all(r["source"] for r in rows)
    True
    """
    rows: list[dict[str, str]] = []
    for year, (ef, source) in _grid_table().items():
        rows.append(
            {
                "table": GRID_FILE,
                "key": str(year),
                "value": f"{ef:g} tCO2/MWh (CO2 only)",
                "note": "",
                "source": source,
            }
        )
    for fuel in FUELS:
        row = _fuel_table()[fuel]
        kind = "biogenic CO2 (memo)" if row["biogenic"] else "fossil CO2"
        rows.append(
            {
                "table": FUEL_FILE,
                "key": fuel,
                "value": (
                    f"{row['ipcc_fuel']}: NCV {_fmt_ncv(row['ncv_tj_per_gg'])} TJ/Gg;"
                    f" CO2 {_fmt(row['co2_kg_per_tj'])} kg/TJ ({kind});"
                    f" CH4 {_fmt(row['ch4_kg_per_tj'])} kg/TJ;"
                    f" N2O {_fmt(row['n2o_kg_per_tj'])} kg/TJ"
                ),
                "note": row["note"],
                "source": row["source"],
            }
        )
    for gwp_set in GWP_SETS:
        for gas in GASES:
            value, source = _gwp_table()[gwp_set][gas]
            rows.append(
                {
                    "table": GWP_FILE,
                    "key": f"{gwp_set} {gas}",
                    "value": f"GWP100 {value:g} tCO2e/t",
                    "note": "",
                    "source": source,
                }
            )
    for (factor, key), row in _waste_table().items():
        rows.append(
            {
                "table": WASTE_FILE,
                "key": f"{factor} {key}",
                "value": f"{row['value']:g} {row['unit']}",
                "note": row["note"],
                "source": row["source"],
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# Rules the cases need beyond Tier 1 fuel factors: moisture, methane destruction, wastewater
# methane, first-order decay, open burning, materials, grid-factor paths, leakage.
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _material_table() -> dict[str, tuple[float, str, str]]:
    """``{material: (ef [tCO2e/t], note, source)}`` from ``material_factors.csv``."""
    path = paths.factors_dir() / MATERIAL_FILE
    table: dict[str, tuple[float, str, str]] = {}
    rows = _read_rows(MATERIAL_FILE, ("material", "ef_tco2e_per_t", "note", "source"))
    for line, row in enumerate(rows, start=2):
        material = row["material"].strip()
        if material in table:
            raise InputError("one row per material", file=path, field=f"line {line}.material",
                             got=material)
        table[material] = (_number(row, "ef_tco2e_per_t", path, line),
                           (row.get("note") or "").strip(), row["source"].strip())
    if set(table) != set(MATERIALS):
        raise InputError(f"exactly the materials {', '.join(MATERIALS)}", file=path,
                         field="material", got=sorted(table))
    return table


def material_factor(material: str) -> float:
    """Cradle-to-gate emission factor of a material [tCO2e/t] (``material_factors.csv``).

    Examples
    --------
    >>> material_factor("cement")
    0.718
    """
    table = _material_table()
    if material not in table:
        raise InputError(f"a material among {', '.join(MATERIALS)}", got=material)
    return table[material][0]


def as_received_ncv(ncv_dry_gj_per_t: Any, moisture: Any) -> float | np.ndarray:
    """Net calorific value as received from the dry-basis value and the moisture [GJ/t].

    Parameters
    ----------
    ncv_dry_gj_per_t : float or array_like
        Net calorific value of the dry fuel [GJ/t] (= [TJ/Gg]).
    moisture : float or array_like
        Moisture content on a wet basis, mass of water / mass of wet fuel [fraction], in [0, 1).

    Returns
    -------
    ncv_ar : float or numpy.ndarray
        ``ncv_dry * (1 - moisture) - 2.443 * moisture`` [GJ/t of fuel as received].

    Raises
    ------
    InputError
        For a moisture outside [0, 1) or a result that is not positive (too wet to burn).

    Notes
    -----
    The water in the fuel adds mass and takes the latent heat of its evaporation,
    2.443 GJ/t at 25 C [1]_ [2]_.

    References
    ----------
    .. [1] ISO 18125:2017, Solid biofuels - Determination of calorific value, net calorific
       value as received: q_net,ar = q_net,d x (1 - M_ar/100) - 0.02443 x M_ar [MJ/kg].
    .. [2] ISO 16559:2022, Solid biofuels - Terminology, definitions and descriptions (wet basis).

    Examples
    --------
    Wood at the IPCC 15.6 GJ/t taken as dry, delivered at 35% moisture:

    >>> round(as_received_ncv(15.6, 0.35), 3)
    9.285
    >>> as_received_ncv(18.0, 0.0)
    18.0
    """
    w = _as_array(moisture, "fraction")
    if np.any(~np.isfinite(w)) or np.any((w < 0) | (w >= 1)):
        raise InputError("a moisture on a wet basis in [0, 1) [fraction]", got=moisture)
    ncv = _as_array(ncv_dry_gj_per_t, "GJ/t") * (1.0 - w) - LATENT_HEAT_WATER_GJ_PER_T * w
    if np.any(ncv <= 0):
        raise InputError("a moisture low enough for a positive heating value", got=moisture)
    return _out(ncv)


def fuel_ncv(fuel: str, *, moisture: Any = None, ncv_as_received: Any = None
             ) -> float | np.ndarray:
    """The net calorific value [GJ/t] a flow of ``fuel`` burns at, on the as-received basis.

    ``ncv_as_received`` (measured) wins; else a fuel whose table NCV is on a dry basis
    (``ncv_basis`` column: wood) needs its ``moisture`` and is converted by
    :func:`as_received_ncv`; else the table NCV (as received).

    Raises
    ------
    InputError
        For a dry-basis fuel without moisture or as-received NCV, or a moisture given for a
        fuel whose table NCV is already as received.

    Examples
    --------
    >>> fuel_ncv("coal_bituminous")
    25.8
    >>> round(fuel_ncv("wood", moisture=0.35), 3)
    9.285
    >>> fuel_ncv("wood", ncv_as_received=10.5)
    10.5
    """
    row = _fuel_row(fuel)
    if ncv_as_received is not None:
        return _out(_as_array(ncv_as_received, "GJ/t"))
    if moisture is not None:
        if row["ncv_basis"] != "dry":
            raise InputError(f"no moisture for {fuel} (its IPCC NCV is as received; give "
                             "ncv_as_received instead)", got=moisture)
        return as_received_ncv(row["ncv_tj_per_gg"], moisture)
    if row["ncv_basis"] == "dry":
        raise InputError(f"the moisture (wet basis) or ncv_as_received of the {fuel} flow: its "
                         f"IPCC NCV {row['ncv_tj_per_gg']:g} GJ/t is on a dry basis")
    return row["ncv_tj_per_gg"]


def flare_efficiency(flare: str) -> float:
    """Default methane destruction efficiency of a flare type [fraction] (CDM Tool 06).

    Examples
    --------
    >>> flare_efficiency("open"), flare_efficiency("enclosed"), flare_efficiency("vented")
    (0.5, 0.9, 0.0)
    """
    if flare not in FLARE_TYPES:
        raise InputError(f"a flare type among {', '.join(FLARE_TYPES)}", got=flare)
    return _waste("flare_efficiency", flare)


def flared_methane_emissions(ch4_t: Any, destruction_efficiency: Any, gwp: str = "AR5"
                             ) -> dict[str, Any]:
    """Methane that passes a flare unburnt, and its CO2e (CDM Tool 06).

    Parameters
    ----------
    ch4_t : float or array_like
        Methane sent to the flare [t CH4] (or [t CH4/yr]).
    destruction_efficiency : float or array_like
        Share of that methane the flare destroys [fraction]: :func:`flare_efficiency` defaults
        (open 0.5, enclosed 0.9, vented 0) or a measured value.
    gwp : str, default "AR5"
        GWP100 set, see :func:`gwp`.

    Returns
    -------
    emissions : dict
        ``ch4_t`` (methane emitted) [t] and ``co2e_t`` [tCO2e]; the CO2 of the burnt share is
        biogenic and not counted.

    Notes
    -----
    :math:`PE_{flare} = TM_{RG} \\cdot (1 - \\eta_{flare}) \\cdot GWP_{CH4}` [1]_: the project
    emissions from flaring of the CDM tool, applied to today's flare as the baseline.

    References
    ----------
    .. [1] UNFCCC CDM, Methodological tool 06, "Project emissions from flaring" (Tool to
       determine project emissions from flaring gases containing methane): default efficiency
       50% for open flares and 90% for enclosed flares unless measured.

    Examples
    --------
    192 t CH4/yr in an open flare: 96 t slip, 2,688 tCO2e/yr (AR5):

    >>> e = flared_methane_emissions(192.0, flare_efficiency("open"))
    >>> round(e["ch4_t"], 1), round(e["co2e_t"], 1)
    (96.0, 2688.0)
    """
    eta = _as_array(destruction_efficiency, "fraction")
    if np.any((eta < 0) | (eta > 1)):
        raise InputError("a destruction efficiency in [0, 1] [fraction]",
                         got=destruction_efficiency)
    ch4 = _as_array(ch4_t, "t") * (1.0 - eta)
    return {"ch4_t": _out(ch4), "co2e_t": _out(ch4 * _gwp_set_values(gwp)["CH4"][0])}


def wastewater_mcf(treatment: str) -> float:
    """Methane correction factor of an industrial wastewater treatment type (IPCC Table 6.8).

    Examples
    --------
    >>> wastewater_mcf("anaerobic_reactor"), wastewater_mcf("aerobic_not_well_managed")
    (0.8, 0.3)
    """
    if treatment not in WASTEWATER_TREATMENTS:
        raise InputError(f"a treatment among {', '.join(WASTEWATER_TREATMENTS)}", got=treatment)
    return _waste("mcf_wastewater", treatment)


def wastewater_methane_t(cod_removed_t: Any, bo_t_ch4_per_t_cod: Any = 0.25, mcf: Any = 0.8
                         ) -> float | np.ndarray:
    """Methane generated by treating industrial wastewater [t CH4] (IPCC 2006 Vol. 5 Ch. 6).

    Parameters
    ----------
    cod_removed_t : float or array_like
        Organic load removed by the treatment, as COD [t COD] (or [t COD/yr]): flow [m3] x COD
        removed [kg/m3] / 1000.
    bo_t_ch4_per_t_cod : float or array_like, default 0.25
        Maximum methane producing capacity [t CH4/t COD]; IPCC default 0.25.
    mcf : float or array_like, default 0.8
        Methane correction factor of the treatment [fraction]; :func:`wastewater_mcf` gives the
        Table 6.8 values (anaerobic reactor 0.8).

    Returns
    -------
    ch4_t : float or numpy.ndarray
        ``cod_removed_t * bo * mcf`` [t CH4].

    Notes
    -----
    Equations 6.4-6.6 of [1]_: :math:`CH_4 = (TOW_i - S_i) \\cdot EF_i - R_i` with
    :math:`EF_i = B_o \\cdot MCF`; the methane recovered (R) is what a biogas project captures.

    References
    ----------
    .. [1] IPCC 2006, 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 5
       Waste, Ch. 6 Wastewater Treatment and Discharge, Section 6.2.3.2 and Table 6.8.

    Examples
    --------
    1,000 t COD removed in an anaerobic reactor: 1000 x 0.25 x 0.8 = 200 t CH4:

    >>> wastewater_methane_t(1000.0, 0.25, 0.8)
    200.0
    >>> round(wastewater_methane_t(1000.0, 0.25, wastewater_mcf("anaerobic_shallow_lagoon")), 1)
    50.0
    """
    cod = _as_array(cod_removed_t, "t COD")
    bo = _as_array(bo_t_ch4_per_t_cod, "t CH4/t COD")
    m = _as_array(mcf, "fraction")
    if np.any((bo < 0) | (bo > 0.25 + 1e-12)):
        raise InputError("a Bo in [0, 0.25] [t CH4/t COD] (0.25 is the IPCC maximum)",
                         got=bo_t_ch4_per_t_cod)
    if np.any((m < 0) | (m > 1)):
        raise InputError("an MCF in [0, 1] [fraction]", got=mcf)
    return _out(cod * bo * m)


def landfill_site_mcf(site: str | None) -> float:
    """MCF of a landfill site category (IPCC 2006 Vol. 5 Table 3.1); ``None``: the default.

    Examples
    --------
    >>> landfill_site_mcf("unmanaged_deep"), landfill_site_mcf(None)
    (0.8, 0.6)
    """
    if site is None:
        return _waste("mcf", "default")
    if site not in LANDFILL_SITES:
        raise InputError(f"a landfill site among {', '.join(LANDFILL_SITES)}", got=site)
    return _waste("mcf", site)


def landfill_fod_ch4_t(waste: str, deposits_t: Any, *, mcf: float | None = None,
                       phi: float | None = None) -> np.ndarray:
    """Methane emitted each year by yearly deposits of waste, first-order decay [t CH4/yr].

    Parameters
    ----------
    waste : str
        One of :data:`WASTE_TYPES`; its DOC and decay rate k (tropical, moist and wet) come
        from ``waste_factors.csv``.
    deposits_t : array_like
        Wet mass deposited in each year [t], last axis = years 0, 1, ... (a leading scenario
        axis broadcasts).
    mcf : float, optional
        Methane correction factor of the site; default the ``mcf default`` row (0.6).
    phi : float, optional
        Model correction factor; default the ``phi`` row (CDM Tool 04, 0.85 humid/wet). Use
        1.0 for an inventory estimate.

    Returns
    -------
    ch4_t : numpy.ndarray
        Same shape as ``deposits_t``: CH4 emitted in each year by the deposits of that year and
        the years before [t CH4/yr]; deposits decay only within the years given.

    Notes
    -----
    CDM Tool 04 [1]_ (IPCC 2006 Vol. 5 Ch. 3 Eq. 3.4-3.6 [2]_):

    .. math::

        CH_{4,y} = \\varphi (1 - OX) \\frac{16}{12} F \\, DOC_f \\, MCF
        \\sum_{x \\le y} W_x \\, DOC \\, e^{-k (y - x)} (1 - e^{-k})

    Summed over all years to infinity this equals the methane commitment
    (:func:`landfill_emissions`) times phi; within a 10-15 year life it is much less for
    slowly decaying paper and wood.

    References
    ----------
    .. [1] UNFCCC CDM, Methodological tool 04, "Emissions from solid waste disposal sites",
       version 08.0, equation (1).
    .. [2] IPCC 2006, 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 5
       Waste, Ch. 3, Equations 3.4-3.6 and Table 3.3.

    Examples
    --------
    One deposit of 1,000 t of food waste in year 0 (k 0.40, DOC 0.15, MCF 0.6, phi 1): year 0
    emits 30 x (1 - e^-0.4) = 9.89 t CH4, year 1 that times e^-0.4:

    >>> ch4 = landfill_fod_ch4_t("food", [1000.0, 0.0, 0.0], phi=1.0)
    >>> print(ch4.round(3))
    [9.89  6.63  4.444]
    """
    w = _waste_type(waste)
    deposits = _as_array(deposits_t, "t")
    if deposits.ndim == 0:
        deposits = deposits.reshape(1)
    site_mcf = _waste("mcf", "default") if mcf is None else float(mcf)
    model = _waste("phi") if phi is None else float(phi)
    k = _waste("k", w)
    per_t = (model * (1.0 - _waste("ox")) * _CH4_PER_C * _waste("f") * _waste("docf")
             * site_mcf * _waste("doc", w))
    n_years = deposits.shape[-1]
    lag = np.arange(n_years)[None, :] - np.arange(n_years)[:, None]  # y - x
    kernel = np.where(lag >= 0, np.exp(-k * np.maximum(lag, 0)) * (1.0 - np.exp(-k)), 0.0)
    return deposits @ kernel * per_t


def open_burning_emissions(tonnes: Any, gwp: str = "AR5") -> dict[str, Any]:
    """CH4 and N2O of burning waste in the open (IPCC 2006 Vol. 5 Ch. 5) [t].

    Examples
    --------
    1,000 t wet: 6.5 t CH4 x 28 + 0.15 x 0.6 t N2O x 265 = 205.85 tCO2e (AR5):

    >>> e = open_burning_emissions(1000.0)
    >>> round(e["ch4_t"], 2), round(e["n2o_t"], 3), round(e["co2e_t"], 2)
    (6.5, 0.09, 205.85)
    """
    return _ch4_n2o(tonnes, _waste("open_burning", "CH4"),
                    _waste("open_burning", "dry_matter") * _waste("open_burning", "N2O"), gwp)


def grid_factor_path(year: int, n_years: int, change_per_year: float = 0.0, *,
                     margin: str = "combined") -> np.ndarray:
    """Grid emission factor for each of ``n_years`` project years [tCO2/MWh].

    Parameters
    ----------
    year : int
        The published year the path starts from (year 0 of the project uses it).
    n_years : int
        Length of the path (years 0 .. n_years - 1 of the cash-flow table).
    change_per_year : float, default 0.0
        Relative change per year after ``year`` [1/yr], e.g. -0.03 for a grid that
        decarbonises by 3% a year; 0 keeps the published value (the CDM ex-ante fixed option).
    margin : {"combined", "solar"}
        ``"combined"``: the combined margin MONRE publishes (the default; the CDM tool weights
        OM/BM 0.5/0.5 for most projects); ``"solar"``: 0.75 x OM + 0.25 x BM, the CDM tool's
        weights for wind and solar, from the OM and BM columns of the grid table.

    Returns
    -------
    ef : numpy.ndarray
        Shape ``(n_years,)``: published years from the table where they exist after ``year``
        are not used; the path is ``EF(year) x (1 + change)^t`` [tCO2/MWh].

    Raises
    ------
    InputError
        For a year without a factor, a change outside (-0.5, 0.5), an unknown margin, or the
        solar weighting where the table has no OM and BM for that year.

    References
    ----------
    .. [1] UNFCCC CDM, Methodological tool 07, "Tool to calculate the emission factor for an
       electricity system", combined margin weights w_OM/w_BM: 0.75/0.25 for wind and solar,
       0.5/0.5 for other project types (first crediting period).

    Examples
    --------
    >>> print(grid_factor_path(2023, 3, -0.03).round(4))
    [0.6592 0.6394 0.6202]
    """
    if not (isinstance(change_per_year, int | float) and -0.5 < change_per_year < 0.5):
        raise InputError("a change of the grid factor in (-0.5, 0.5) [1/yr]",
                         got=change_per_year)
    if margin == "combined":
        ef = grid_emission_factor(year)
    elif margin == "solar":
        om, bm = grid_margins(year)
        ef = 0.75 * om + 0.25 * bm
    else:
        raise InputError("a grid margin: combined or solar", got=margin)
    return ef * (1.0 + change_per_year) ** np.arange(n_years)


def grid_margins(year: int) -> tuple[float, float]:
    """Operating and build margins (OM, BM) of the Vietnam grid in ``year`` [tCO2/MWh].

    Raises
    ------
    InputError
        Where ``grid_emission_factors.csv`` gives no OM and BM for the year.
    """
    grid_emission_factor(year)
    om, bm = _grid_margin_table().get(int(year), (None, None))
    if om is None or bm is None:
        have = sorted(_grid_margin_table())
        raise InputError("a year with published operating and build margins "
                         f"({_year_range(have) if have else 'none in the table'})", got=year)
    return om, bm


@functools.lru_cache(maxsize=1)
def _grid_margin_table() -> dict[int, tuple[float, float]]:
    path = paths.factors_dir() / GRID_FILE
    out: dict[int, tuple[float, float]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            om, bm = (row.get("om_tco2_per_mwh") or "").strip(), (row.get("bm_tco2_per_mwh")
                                                                  or "").strip()
            if om and bm:
                out[int(row["year"])] = (_number(row, "om_tco2_per_mwh", path, line),
                                         _number(row, "bm_tco2_per_mwh", path, line))
    return out


def leakage_fuel_t(residue: str, residue_t: Any, replacement_fuel: str, *,
                   residue_ncv_gj_per_t: Any = None) -> float | np.ndarray:
    """Tonnes of ``replacement_fuel`` a displaced user of a residue burns instead [t].

    The CDM leakage rule for biomass [1]_: where the residue is not shown to be surplus, its
    former user is assumed to replace it energy-for-energy with the most carbon-intensive fuel
    available (here, the fuel the case names), at the same efficiency.

    References
    ----------
    .. [1] UNFCCC CDM, Methodological tool 16, "Project and leakage emissions from biomass"
       (leakage from the diversion of biomass residues; surplus test: the residue is surplus
       where the quantity available in the region is at least 25% larger than the quantity
       used); formerly EB 47 Annex 28 "General guidance on leakage in biomass project
       activities".

    Examples
    --------
    1,000 t of husk (11.6 GJ/t) replaced with coal (25.8 GJ/t): 449.6 t coal:

    >>> round(leakage_fuel_t("rice_husk", 1000.0, "coal_bituminous"), 1)
    449.6
    """
    ncv = fuel_ncv(residue) if residue_ncv_gj_per_t is None else residue_ncv_gj_per_t
    return _out(_as_array(residue_t, "t") * _as_array(ncv, "GJ/t")
                / fuel_ncv(replacement_fuel))
