"""Park inventories: what each tenant puts out and takes in, validated like the case files.

An inventory (``data/raw/inventories/<park>.yaml``, or a ``.csv`` with one row per stream)
lists tenants by role and sector (no company names), their location on a park grid [km], and
their streams::

    tenants:
      - id: HK-T01
        role: brewery
        sector: beverages
        location: {x_km: 0.4, y_km: 0.3, source: "assumption: ..."}
        streams:
          - id: HK-T01-S1
            direction: output            # output (waste, by-product, surplus) or input (a need)
            material: biogas             # data/raw/screening/materials.yaml
            quantity: {value: 178.5, unit: t/yr, low: 140, high: 210, source: "HK-01 case file"}
            route: flare                 # today's route (output) or supply (input)
            flare: open
            disposal_cost: {value: 0, unit: VND/t, source: "..."}  # or sale_price / purchase_price
            quality: {moisture: {value: 0.35, unit: fraction, source: "..."}}

Every number is a :class:`~eip_analysis.quantities.Quantity` (value, unit, source or
``assumption: <basis>``). Top-level keys starting with ``x-`` are ignored (YAML anchors for
repeated sources). A tenant may appear more than once (its streams are merged) only with the
same role, sector and location.

CSV inventories have one row per stream with the columns ``tenant, role, sector, x_km, y_km,
location_source, stream, direction, material, quantity, unit, low, high, source, variability,
route, flare, fuel_stream, price_kind, price, price_unit, price_source`` and, per quality
attribute ``a``, ``q_a`` and ``q_a_source`` (its unit is the attribute's); the park, currency
and data quality come from the ``# park:``, ``# currency:``, ``# data_quality:`` comment lines
at the top.

Bad input raises :class:`~eip_analysis.errors.InputError`: one line naming the file, the row
(``tenants[3].streams[1] (HK-T04-S2)`` or ``row 7 (HK-T04-S2)`` in a CSV) and what was expected.
"""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError

from . import paths
from .cases import _Strict, read_yaml, validation_error
from .emissions import FLARE_TYPES
from .errors import InputError
from .files import read_input_bytes
from .paths import PLAIN_NAME
from .quantities import Quantity

#: Today's route of an output stream.
OUTPUT_ROUTES = ("landfill", "incineration", "open_burning", "flare", "discharge", "sale",
                 "stockpile", "none")
#: How an input stream is met today.
INPUT_ROUTES = ("purchase", "own_production")
DIRECTIONS = ("output", "input")
VARIABILITY = ("steady", "seasonal", "batch")
PRICE_KINDS = ("disposal_cost", "sale_price", "purchase_price")
PARKS = {"Hoa Khanh": "hoa_khanh", "Tra Noc 1&2": "tra_noc"}

Name = Annotated[str, Field(pattern=PLAIN_NAME.pattern, max_length=64)]
Text = Annotated[str, Field(min_length=1)]


def screening_dir() -> Path:
    """``data/raw/screening``: the vocabulary, compatibility and barrier tables."""
    return paths.raw_dir() / "screening"


def inventories_dir() -> Path:
    return paths.raw_dir() / "inventories"


@functools.lru_cache(maxsize=4)
def _vocabulary(path: str) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    data, _ = read_yaml(Path(path))
    if not isinstance(data, dict) or not isinstance(data.get("materials"), dict):
        raise InputError("a mapping 'materials:' of material -> {unit, category}", file=path)
    for name, m in data["materials"].items():
        if not isinstance(m, dict) or "unit" not in m or "category" not in m:
            raise InputError("a unit and a category", file=path, field=f"materials.{name}")
    return data["materials"], dict(data.get("attributes") or {})


def materials() -> dict[str, dict[str, Any]]:
    """The controlled vocabulary: material -> ``{unit, category, fuel?, landfill?, ...}``."""
    return _vocabulary(str(screening_dir() / "materials.yaml"))[0]


def attributes() -> dict[str, str]:
    """Quality attributes a stream may state -> their unit."""
    return _vocabulary(str(screening_dir() / "materials.yaml"))[1]


class Location(_Strict):
    """Position on the park grid [km] (illustrative, not a real plot)."""

    x_km: float
    y_km: float
    source: Annotated[str, Field(min_length=3)]


class Stream(_Strict):
    """One output or input of a tenant, per year."""

    id: Name
    direction: Literal[DIRECTIONS]
    material: str
    quantity: Quantity
    variability: Literal[VARIABILITY] = "steady"
    route: Literal[OUTPUT_ROUTES + INPUT_ROUTES]
    flare: Literal[FLARE_TYPES] | None = None
    fuel_stream: Name | None = None
    disposal_cost: Quantity | None = None
    sale_price: Quantity | None = None
    purchase_price: Quantity | None = None
    quality: dict[str, Quantity] = Field(default_factory=dict)
    note: str = ""

    def attr(self, name: str) -> float | None:
        q = self.quality.get(name)
        return None if q is None else float(q.value)


class Tenant(_Strict):
    id: Name
    role: Text
    sector: Text
    location: Location
    streams: list[Stream] = Field(default_factory=list)


class Inventory(_Strict):
    """A park's validated inventory; :meth:`stream` and :meth:`tenant_of` look streams up."""

    park: Literal[tuple(PARKS)]
    data_quality: Literal["illustrative", "surveyed"]
    data_note: str = ""
    currency: Literal["VND", "USD"]
    tenants: list[Tenant]
    source_file: str | None = None

    @property
    def key(self) -> str:
        """``hoa_khanh`` or ``tra_noc``."""
        return PARKS[self.park]

    def streams(self):
        """Every ``(tenant, stream)``."""
        for t in self.tenants:
            for s in t.streams:
                yield t, s

    def stream(self, stream_id: str) -> Stream:
        for _, s in self.streams():
            if s.id == stream_id:
                return s
        raise InputError(f"a stream id of {self.source_file or self.park}", field="stream",
                         got=stream_id)

    def tenant_of(self, stream_id: str) -> Tenant:
        for t, s in self.streams():
            if s.id == stream_id:
                return t
        raise InputError(f"a stream id of {self.source_file or self.park}", field="stream",
                         got=stream_id)


# -- validation -------------------------------------------------------------------------------


def _where(ti: int, si: int | None, tenant: dict, stream: dict | None, rows: dict | None) -> str:
    """The row of a problem: ``tenants[3].streams[1] (HK-T04-S2)`` or ``row 7 (HK-T04-S2)``."""
    if rows is not None and stream is not None:
        return f"row {rows[(ti, si)]} ({stream.get('id', '?')})"
    if rows is not None:
        return f"row {rows[(ti, 0)]} ({tenant.get('id', '?')})"
    if stream is None:
        return f"tenants[{ti}] ({tenant.get('id', '?')})"
    return f"tenants[{ti}].streams[{si}] ({stream.get('id', '?')})"


def _check_stream(s: Stream, tenant: Tenant, ids: dict[str, Stream], path: str, where: str
                  ) -> None:
    vocab, attrs = materials(), attributes()

    def fail(field: str, expected: str, got: Any = None) -> None:
        raise InputError(expected, file=path, field=f"{where}.{field}", got=got)

    if s.material not in vocab:
        fail("material", f"a material of the controlled vocabulary ({', '.join(vocab)})",
             s.material)
    unit = vocab[s.material]["unit"]
    if s.quantity.unit != unit:
        fail("quantity.unit", f"{unit} for {s.material}", s.quantity.unit)
    for attr in ("value", "low"):
        x = getattr(s.quantity, attr)
        if x is not None and x < 0:
            fail(f"quantity.{attr}", "a non-negative quantity", x)
    routes = OUTPUT_ROUTES if s.direction == "output" else INPUT_ROUTES
    if s.route not in routes:
        fail("route", f"a route of an {s.direction} stream ({', '.join(routes)})", s.route)
    if (s.route == "flare") != (s.flare is not None):
        fail("flare", "a flare type (open, enclosed, vented) with route flare, and only then",
             s.flare)
    if s.direction == "output" and s.purchase_price is not None:
        fail("purchase_price", "disposal_cost or sale_price on an output stream")
    if s.direction == "input" and (s.disposal_cost or s.sale_price):
        fail("sale_price" if s.sale_price else "disposal_cost",
             "purchase_price on an input stream")
    given = [k for k in PRICE_KINDS if getattr(s, k) is not None]
    if len(given) > 1:
        fail(given[1], f"one price per stream (it has {given[0]} already)")
    per = unit.removesuffix("/yr")
    for kind in given:
        q = getattr(s, kind)
        currency, _, rest = q.unit.partition("/")
        if currency not in ("VND", "USD") or rest != per:
            fail(f"{kind}.unit", f"<currency>/{per} (VND or USD)", q.unit)
        if q.value < 0:
            fail(f"{kind}.value", "a non-negative price (the field's name gives its sign)",
                 q.value)
    for name, q in s.quality.items():
        if name not in attrs:
            fail(f"quality.{name}", f"a quality attribute ({', '.join(attrs)})", name)
        if q.unit != attrs[name]:
            fail(f"quality.{name}.unit", attrs[name], q.unit)
        if attrs[name] == "fraction" and not 0 <= q.value <= 1:
            fail(f"quality.{name}.value", "a fraction in [0, 1]", q.value)
        if q.value < 0:
            fail(f"quality.{name}.value", "a non-negative number", q.value)
    if s.fuel_stream is not None:
        ref = next((x for x in tenant.streams if x.id == s.fuel_stream), None)
        if ref is None or ref.direction != "input" or vocab.get(ref.material, {}).get(
                "category") != "fuel":
            fail("fuel_stream", "the id of a fuel input stream of the same tenant",
                 s.fuel_stream)
    elif s.material == "boiler_operation" or (s.material == "steam"):
        fail("fuel_stream", f"the id of the fuel input stream the {s.material} draws on "
             "(same tenant)")
    if vocab[s.material].get("fuel") == "wood" and s.direction == "output" and \
            s.attr("moisture") is None and s.attr("ncv_as_received") is None:
        fail("quality.moisture", "the moisture (wet basis) or ncv_as_received of wood "
             "(its IPCC NCV is on a dry basis)")
    if s.id in ids:
        fail("id", "a stream id not used before in the inventory", s.id)


def parse_inventory(data: Any, path: str | Path, rows: dict | None = None) -> Inventory:
    """Validate already-parsed inventory ``data`` read from ``path`` into an :class:`Inventory`.

    ``rows`` maps ``(tenant index, stream index)`` to a CSV row number, for the messages.
    """
    path = str(path)
    if not isinstance(data, dict):
        raise InputError("a mapping of inventory fields at the top level", file=path)
    data = {k: v for k, v in data.items() if not str(k).startswith("x-")}
    raw_tenants = data.get("tenants")
    if not isinstance(raw_tenants, list) or not raw_tenants:
        raise InputError("a non-empty list of tenants", file=path, field="tenants")
    merged: dict[str, Tenant] = {}
    order: list[str] = []
    seen_streams: dict[str, Stream] = {}
    for ti, t in enumerate(raw_tenants):
        if not isinstance(t, dict):
            raise InputError("a mapping (id, role, sector, location, streams)", file=path,
                             field=f"tenants[{ti}]")
        raw_streams = t.get("streams") or []
        if not isinstance(raw_streams, list):
            raise InputError("a list of streams", file=path, field=_where(ti, None, t, None, rows)
                             + ".streams")
        head = {k: v for k, v in t.items() if k != "streams"}
        try:
            tenant = Tenant.model_validate(head)
        except ValidationError as exc:
            raise validation_error(exc, Path(path), where=_where(ti, None, t, None, rows)
                                   ) from None
        streams = []
        for si, s in enumerate(raw_streams):
            where = _where(ti, si, t, s if isinstance(s, dict) else {}, rows)
            if not isinstance(s, dict):
                raise InputError("a mapping of stream fields", file=path, field=where)
            if s.get("direction") in (None, ""):
                raise InputError("a direction (output or input)", file=path,
                                 field=f"{where}.direction")
            try:
                streams.append((where, Stream.model_validate(s)))
            except ValidationError as exc:
                raise validation_error(exc, Path(path), where=where) from None
        previous = merged.get(tenant.id)
        if previous is not None:
            for name in ("role", "sector", "location"):
                if getattr(previous, name) != getattr(tenant, name):
                    raise InputError(
                        f"the same {name} as the tenant's first mention "
                        f"({getattr(previous, name)!s:.40})", file=path,
                        field=f"{_where(ti, None, t, None, rows)}.{name}",
                        got=str(getattr(tenant, name)))
        base = previous or tenant
        all_streams = [*base.streams, *(s for _, s in streams)]
        probe = base.model_copy(update={"streams": all_streams})
        for where, s in streams:
            _check_stream(s, probe, seen_streams, path, where)
            seen_streams[s.id] = s
        merged[tenant.id] = probe
        if previous is None:
            order.append(tenant.id)
    head = {k: v for k, v in data.items() if k != "tenants"}
    try:
        inv = Inventory.model_validate({**head, "tenants": []})
    except ValidationError as exc:
        raise validation_error(exc, Path(path)) from None
    return inv.model_copy(update={"tenants": [merged[i] for i in order], "source_file": path})


# -- CSV --------------------------------------------------------------------------------------

CSV_COLUMNS = ("tenant", "role", "sector", "x_km", "y_km", "location_source", "stream",
               "direction", "material", "quantity", "unit", "low", "high", "source",
               "variability", "route", "flare", "fuel_stream", "price_kind", "price",
               "price_unit", "price_source")


def _csv_to_data(text: str, path: str) -> tuple[dict, dict]:
    head: dict[str, str] = {}
    body = []
    for line in text.splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            if value:
                head[key.strip()] = value.strip()
        else:
            body.append(line)
    reader = csv.DictReader(io.StringIO("\n".join(body)))
    missing = [c for c in ("tenant", "stream", "direction", "material", "quantity", "unit",
                           "source") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"a header with the columns {', '.join(CSV_COLUMNS)}", file=path,
                         field="header", got=missing[0])
    tenants: list[dict] = []
    rows: dict[tuple[int, int], int] = {}

    def num(row: dict, col: str, line: int) -> Any:
        text = (row.get(col) or "").strip()
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise InputError("a number", file=path, field=f"row {line} "
                             f"({row.get('stream') or '?'}).{col}", got=text) from None

    first = 2 + sum(1 for line in text.splitlines() if line.startswith("#"))
    for line, row in enumerate(reader, start=first):  # the file's own line numbers
        qty = {"value": num(row, "quantity", line), "unit": row.get("unit", ""),
               "source": row.get("source", "")}
        if qty["value"] is None:
            qty["value"] = row.get("quantity")
        for col in ("low", "high"):
            if num(row, col, line) is not None:
                qty[col] = num(row, col, line)
        stream: dict[str, Any] = {"id": row.get("stream"), "direction": row.get("direction"),
                                  "material": row.get("material"), "quantity": qty,
                                  "route": row.get("route")}
        for col in ("variability", "flare", "fuel_stream"):
            if (row.get(col) or "").strip():
                stream[col] = row[col].strip()
        if (row.get("price_kind") or "").strip():
            stream[row["price_kind"].strip()] = {"value": num(row, "price", line),
                                                 "unit": row.get("price_unit", ""),
                                                 "source": row.get("price_source", "")}
        quality = {}
        for col in row:
            if col and col.startswith("q_") and not col.endswith("_source") and \
                    (row[col] or "").strip():
                name = col[2:]
                quality[name] = {"value": num(row, col, line),
                                 "unit": attributes().get(name, ""),
                                 "source": row.get(f"{col}_source", "")}
        if quality:
            stream["quality"] = quality
        tenant = {"id": row.get("tenant"), "role": row.get("role"), "sector": row.get("sector"),
                  "location": {"x_km": num(row, "x_km", line), "y_km": num(row, "y_km", line),
                               "source": row.get("location_source", "")},
                  "streams": [stream]}
        tenants.append(tenant)
        rows[(len(tenants) - 1, 0)] = line
    head["tenants"] = tenants
    return head, rows


def load_inventory(park_or_path: str | Path) -> Inventory:
    """Load and validate a park's inventory: ``"hoa_khanh"``, ``"Tra Noc 1&2"`` or a path.

    Raises
    ------
    InputError
        One line naming the file, the row (tenant and stream) and what was expected.
    """
    text = str(park_or_path)
    key = PARKS.get(text, text)
    if text.endswith((".yaml", ".yml", ".csv")) or "/" in text:
        path = Path(text)
    else:
        folder = inventories_dir()
        path = next((folder / f"{key}{ext}" for ext in (".yaml", ".csv")
                     if (folder / f"{key}{ext}").exists()), None)
        if path is None:
            known = sorted({p.stem for p in folder.glob("*.yaml")} |
                           {p.stem for p in folder.glob("*.csv")})
            raise InputError(f"a park with an inventory in {folder} ({', '.join(known)})",
                             field="park", got=text)
    if path.suffix == ".csv":
        try:
            raw = read_input_bytes(path)
        except FileNotFoundError:
            raise InputError("an existing inventory file", file=path) from None
        except ValueError as exc:
            raise InputError(str(exc), file=path) from None
        data, rows = _csv_to_data(raw.decode("utf-8", errors="replace"), str(path))
        return parse_inventory(data, path, rows)
    if not path.exists():
        raise InputError("an existing inventory file", file=path)
    data, _ = read_yaml(path)
    return parse_inventory(data, path)
