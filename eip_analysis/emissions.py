"""Greenhouse-gas emissions of resource flows: grid electricity and fuels burnt.

The module turns the resource flows of an investment case (grid electricity bought, fuels burnt,
water, waste sent to landfill) into tonnes of CO2-equivalent per year, so that the appraisal can
report *emissions avoided = baseline minus project*. It is pure in spirit: the three published
factor tables under ``data/raw/factors/`` are read once (and cached); after that every function is
numbers in, numbers out. Quantities may be floats or numpy arrays (a leading scenario axis for
Monte Carlo) and the results broadcast.

Factor tables (each row carries the full published citation in its ``source`` column):

- ``grid_emission_factors.csv``: Vietnam grid emission factor by year [tCO2/MWh] [1]_.
- ``fuel_factors.csv``: IPCC 2006 default net calorific values [TJ/Gg] and emission factors
  [kg/TJ] for stationary combustion in manufacturing industries and construction [2]_ [3]_.
- ``gwp.csv``: 100-year global warming potentials, AR5 [4]_ (default) and AR6 [5]_.

Conventions
-----------
- Biogenic CO2 (``wood``, ``rice_husk``, ``biogas``) is a memo item: it is reported in
  ``biogenic_co2_t`` and is **not** counted in ``co2e_t``; the CH4 and N2O of biomass combustion
  **are** counted [2]_.
- The Vietnamese grid emission factor is a CO2 factor; electricity is converted to CO2 only.
- ``water`` and ``waste_landfill`` flows are carried in the cases but not converted to tCO2e
  (see :func:`flow_note` for the reasons the report prints).

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

__all__ = [
    "FLOWS",
    "FLOW_UNITS",
    "FUELS",
    "GASES",
    "GWP_SETS",
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

#: Resource-flow keys a case may list: grid electricity, each fuel, water, waste to landfill.
FLOWS: tuple[str, ...] = ("electricity", *FUELS, "water", "waste_landfill")

#: Unit of each flow, written exactly as case files write it.
FLOW_UNITS: dict[str, str] = {
    "electricity": "MWh/yr",
    **{fuel: "t/yr" for fuel in FUELS},
    "water": "m3/yr",
    "waste_landfill": "t/yr",
}

#: Flows carried in the cases but not converted to tCO2e.
_NOT_COUNTED = frozenset({"water", "waste_landfill"})

GRID_FILE = "grid_emission_factors.csv"
FUEL_FILE = "fuel_factors.csv"
GWP_FILE = "gwp.csv"

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
        table[fuel] = {
            "ipcc_fuel": row["ipcc_fuel"].strip(),
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
    return f"{value:,.0f}" if float(value).is_integer() and value >= 1000 else f"{value:g}"


def _fmt_ncv(value: float) -> str:
    """Net calorific values with their published decimal (``43.0``, ``2.47``)."""
    return f"{value:.1f}" if round(value, 1) == value else f"{value:g}"


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


def fuel_combustion_emissions(fuel: str, tonnes: Any, gwp: str = "AR5") -> dict[str, Any]:
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
    energy_tj = mass_t / _T_PER_GG * row["ncv_tj_per_gg"]
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
        ``True`` for ``electricity`` and every fuel; ``False`` for ``water`` and
        ``waste_landfill`` (see :func:`flow_note`).

    Raises
    ------
    InputError
        For an unknown flow key; the message lists the known keys.

    Examples
    --------
    >>> is_counted("electricity"), is_counted("water")
    (True, False)
    """
    return _check_flow(flow) not in _NOT_COUNTED


def flow_co2e_t(flow: str, quantity: Any, *, grid_year: int, gwp: str = "AR5") -> Any:
    """Emissions of one resource flow [tCO2e/yr].

    The appraisal calls this for the baseline and the project flows of a case; emissions
    avoided are baseline minus project.

    Parameters
    ----------
    flow : str
        One of :data:`FLOWS`: ``electricity`` [MWh/yr], a fuel key [t/yr], ``water`` [m3/yr] or
        ``waste_landfill`` [t/yr] (units in :data:`FLOW_UNITS`).
    quantity : float or array_like
        Flow in the unit of :data:`FLOW_UNITS`; negative values and NaN allowed; arrays
        broadcast.
    grid_year : int
        Year of the grid emission factor; used (and checked) for ``electricity`` only.
    gwp : str, default "AR5"
        GWP100 set for fuels, see :func:`gwp`.

    Returns
    -------
    co2e_t : float or numpy.ndarray
        Emissions [tCO2e/yr]: :func:`electricity_emissions` for electricity, ``co2e_t`` of
        :func:`fuel_combustion_emissions` for fuels (biogenic CO2 excluded), and zeros of the
        quantity's shape for ``water`` and ``waste_landfill``, which are not converted.

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
    """
    _check_flow(flow)
    _gwp_set_values(gwp)
    if flow == "electricity":
        return electricity_emissions(quantity, grid_year)
    if flow in _NOT_COUNTED:
        return _out(np.zeros_like(_as_array(quantity, FLOW_UNITS[flow])))
    return fuel_combustion_emissions(flow, quantity, gwp)["co2e_t"]


def flow_note(flow: str, *, grid_year: int | None = None) -> str:
    """One sentence on how a resource flow is counted, for the report's emissions section.

    Parameters
    ----------
    flow : str
        One of :data:`FLOWS`.
    grid_year : int, optional
        For ``electricity``: name the factor of that year in the sentence.

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
    (CDM tool method).
    """
    _check_flow(flow)
    if flow == "electricity":
        which = "of the case's grid year"
        if grid_year is not None:
            which = f"of {int(grid_year)} ({grid_emission_factor(grid_year):g} tCO2/MWh; CO2 only)"
        return (
            f"Grid electricity bought [MWh/yr] is converted to CO2 with the Vietnam grid emission"
            f" factor {which} published by the Department of Climate Change, MONRE (CDM tool"
            f" method)."
        )
    if flow == "water":
        return (
            "Water [m3/yr] is not converted to tCO2e: the energy to pump and treat it is"
            " site-specific and the cases do not report it."
        )
    if flow == "waste_landfill":
        return (
            "Waste sent to landfill [t/yr] is not converted to tCO2e: landfill CH4 needs the IPCC"
            " 2006 first-order-decay model (Vol. 5, Ch. 3) with waste composition and site data,"
            " which the cases do not have."
        )
    row = _fuel_row(flow)
    factors = (
        f"NCV {_fmt_ncv(row['ncv_tj_per_gg'])} TJ/Gg; CO2 {_fmt(row['co2_kg_per_tj'])},"
        f" CH4 {_fmt(row['ch4_kg_per_tj'])}, N2O {_fmt(row['n2o_kg_per_tj'])} kg/TJ"
    )
    biogenic = (
        ", its CO2 being biogenic and reported as a memo item, not counted"
        if row["biogenic"]
        else ""
    )
    return (
        f"Fuel '{flow}' burnt [t/yr] is converted with the IPCC 2006 default factors for"
        f" '{row['ipcc_fuel']}' ({factors}; Vol. 2 Ch. 1 Tables 1.2 and 1.4, Ch. 2 Table 2.3,"
        f" manufacturing industries and construction){biogenic}."
    )


def factor_table_sources() -> list[dict[str, str]]:
    """Every factor the module uses, with its value and published source, for a report.

    Returns
    -------
    rows : list of dict
        One dict per factor-table row with keys ``table`` (CSV file name), ``key`` (year, fuel
        key, or ``"<set> <gas>"``), ``value`` (the factors with units, as text), ``note`` (how
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
    return rows
