"""Park inventories: the two illustrative files load; bad input is one line naming file and row."""

from __future__ import annotations

import copy

import pytest
import yaml

from eip_analysis.errors import InputError
from eip_analysis.inventory import inventories_dir, load_inventory


@pytest.fixture(scope="module")
def hk_data() -> dict:
    return yaml.safe_load((inventories_dir() / "hoa_khanh.yaml").read_text())


def _error(tmp_path, data: dict | str, name: str = "bad.yaml") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError) as info:
        load_inventory(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path)), message
    return message


@pytest.mark.parametrize("park", ["hoa_khanh", "tra_noc", "Tra Noc 1&2"])
def test_inventories_load_with_25_tenants(park):
    inv = load_inventory(park)
    assert inv.data_quality == "illustrative"
    assert len(inv.tenants) >= 25
    roles = {t.role for t in inv.tenants}
    assert len(roles) >= 15
    # every number has a source
    for t, s in inv.streams():
        assert len(t.location.source) > 3
        for q in [s.quantity, *s.quality.values(), *(x for x in (s.disposal_cost, s.sale_price,
                                                                  s.purchase_price) if x)]:
            assert q.source.strip()


def test_unknown_material(tmp_path, hk_data):
    data = copy.deepcopy(hk_data)
    data["tenants"][2]["streams"][1]["material"] = "unobtanium"
    msg = _error(tmp_path, data)
    assert "tenants[2].streams[1] (HK-T03-S2).material" in msg
    assert "controlled vocabulary" in msg and "unobtanium" in msg


def test_stream_without_direction(tmp_path, hk_data):
    data = copy.deepcopy(hk_data)
    del data["tenants"][0]["streams"][0]["direction"]
    msg = _error(tmp_path, data)
    assert "tenants[0].streams[0] (HK-T01-S1).direction: expected a direction" in msg


def test_negative_quantity(tmp_path, hk_data):
    data = copy.deepcopy(hk_data)
    data["tenants"][4]["streams"][0]["quantity"] = {"value": -5, "unit": "t/yr",
                                                    "source": "typo"}
    msg = _error(tmp_path, data)
    assert "(HK-T05-S1).quantity.value: expected a non-negative quantity, got -5" in msg


def test_tenant_twice_with_different_sectors(tmp_path, hk_data):
    data = copy.deepcopy(hk_data)
    again = copy.deepcopy(data["tenants"][0])
    again["sector"] = "chemicals"
    again["streams"] = [{**again["streams"][0], "id": "HK-T01-S9"}]
    data["tenants"].append(again)
    msg = _error(tmp_path, data)
    assert f"tenants[{len(data['tenants']) - 1}] (HK-T01).sector" in msg
    assert "the same sector" in msg and "chemicals" in msg


def test_tenant_twice_with_the_same_sector_merges(tmp_path, hk_data):
    data = copy.deepcopy(hk_data)
    again = copy.deepcopy(data["tenants"][0])
    again["streams"] = [{**again["streams"][0], "id": "HK-T01-S9"}]
    data["tenants"].append(again)
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(data))
    inv = load_inventory(path)
    assert [s.id for s in inv.tenants[0].streams][-1] == "HK-T01-S9"


def test_bad_unit_and_duplicate_stream(tmp_path, hk_data):
    data = copy.deepcopy(hk_data)
    data["tenants"][0]["streams"][0]["quantity"]["unit"] = "m3/yr"
    assert "quantity.unit: expected t/yr for biogas" in _error(tmp_path, data)
    data = copy.deepcopy(hk_data)
    data["tenants"][1]["streams"][0]["id"] = "HK-T01-S1"
    assert "expected a stream id not used before" in _error(tmp_path, data)



@pytest.mark.parametrize("change, words", [
    (lambda d: d["tenants"][1]["streams"][0].__setitem__("quantty", 1),
     "tenants[1].streams[0] (HK-T02-S1).quantty: expected no such field (check its spelling)"),
    (lambda d: d["tenants"][1]["streams"][0].__setitem__("direction", "out"),
     "tenants[1].streams[0] (HK-T02-S1).direction: expected 'output' or 'input', got 'out'"),
    (lambda d: d["tenants"][2].pop("role"), "tenants[2] (HK-T03).role: expected this required"),
    (lambda d: d["tenants"][2]["location"].__setitem__("source", "x"),
     "tenants[2] (HK-T03).location.source: expected text with at least 3 characters, got 'x'"),
    (lambda d: d["tenants"][1]["streams"][0].__setitem__("id", "HK T02"),
     "tenants[1].streams[0] (HK T02).id: expected a plain name"),
    (lambda d: d.__setitem__("park", "Da Nang"), "park: expected 'Hoa Khanh' or 'Tra Noc 1&2'"),
])
def test_a_field_pydantic_refuses_is_one_line_naming_file_and_row(tmp_path, hk_data, change,
                                                                  words):
    data = copy.deepcopy(hk_data)
    change(data)
    assert f"bad.yaml: {words}" in _error(tmp_path, data)


CSV = """# park: Hoa Khanh
# currency: VND
# data_quality: illustrative
tenant,role,sector,x_km,y_km,location_source,stream,direction,material,quantity,unit,low,high,source,variability,route,flare,fuel_stream,price_kind,price,price_unit,price_source,q_moisture,q_moisture_source
A,wood factory,wood,0,0,assumption: grid,A-S1,output,wood_waste,100,t/yr,,,assumption: x,steady,sale,,,sale_price,450000,VND/t,assumption: y,0.3,assumption: z
B,boiler house,energy,1,0,assumption: grid,B-S1,input,coal,100,t/yr,,,assumption: x,steady,purchase,,,purchase_price,3000000,VND/t,assumption: y,,
A,wood factory,wood,0,0,assumption: grid,A-S2,output,waste_paper,10,t/yr,,,assumption: x,steady,landfill,,,disposal_cost,450000,VND/t,assumption: y,,
"""


def test_csv_inventory(tmp_path):
    path = tmp_path / "park.csv"
    path.write_text(CSV)
    inv = load_inventory(path)
    assert [t.id for t in inv.tenants] == ["A", "B"]
    assert inv.stream("A-S1").attr("moisture") == 0.3
    bad = CSV.replace("B-S1,input,coal,100", "B-S1,input,coal,-100")
    path.write_text(bad)
    msg = _error(tmp_path, bad, "park.csv")
    assert "row 6 (B-S1).quantity.value: expected a non-negative quantity" in msg
    bad = CSV.replace(",wood,0,0,assumption: grid,A-S2", ",metals,0,0,assumption: grid,A-S2")
    msg = _error(tmp_path, bad, "park.csv")
    assert "row 7 (A).sector: expected the same sector" in msg
    bad = CSV.replace("A-S1,output,wood_waste", "A-S1,,wood_waste")
    assert "row 5 (A-S1).direction: expected a direction" in _error(tmp_path, bad, "park.csv")
    bad = CSV.replace("A-S1,output,wood_waste", "A-S1,out,wood_waste")
    assert "row 5 (A-S1).direction: expected 'output' or 'input', got 'out'" in _error(
        tmp_path, bad, "park.csv")
