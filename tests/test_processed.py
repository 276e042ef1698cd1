"""data/processed/: byte-identical output for the same inputs, atomic writes."""

from __future__ import annotations

import pandas as pd

from eip_analysis import appraise, load_case
from eip_analysis.processed import write_processed

from .conftest import MINI


def test_same_inputs_give_byte_identical_files(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_processed([appraise(load_case(MINI))], first)
    write_processed([appraise(load_case(MINI))], second)
    for name in ("metrics.csv", "cashflows/MINI-01.csv", "fields.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_metrics_row_and_cashflows_content(tmp_path):
    write_processed([appraise(load_case(MINI))], tmp_path)
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    assert metrics.loc[0, "case_id"] == "MINI-01"
    assert abs(metrics.loc[0, "npv_usd"] - 4457.64) < 0.01
    assert len(metrics.loc[0, "case_sha256"]) == 64
    flows = pd.read_csv(tmp_path / "cashflows" / "MINI-01.csv")
    assert flows["net_cash_flow_usd"].tolist() == [-100000] + [17000] * 10


def test_no_temporary_files_left(tmp_path):
    write_processed([appraise(load_case(MINI))], tmp_path)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_the_data_dictionary_describes_every_column_with_its_unit(tmp_path):
    write_processed([appraise(load_case(MINI))], tmp_path)
    fields = pd.read_csv(tmp_path / "fields.csv", keep_default_na=False).set_index("column")
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    flows = pd.read_csv(tmp_path / "cashflows" / "MINI-01.csv")
    from eip_analysis.portfolio.selection import PORTFOLIO_COLUMNS

    assert set(metrics.columns) | set(flows.columns) | set(PORTFOLIO_COLUMNS) == set(fields.index)
    assert fields.loc["npv_usd", "unit"] == "USD" and fields.loc["irr", "unit"] == "1/yr"
    assert fields.loc["co2e_avoided_t_per_year", "unit"] == "tCO2e/yr"
    assert all(fields["label"].str.len() > 0) and all(fields["description"].str.len() > 0)


def test_text_cells_never_start_a_formula(tmp_path):
    """OWASP CSV injection: a text cell starting with = + - @ is prefixed with '."""
    import yaml

    from .test_workbook import _every_text_field

    data = yaml.safe_load(MINI.read_text())
    path = tmp_path / "MINI-01.yaml"
    assert _every_text_field(data, "=1+1", path) >= 10
    write_processed([appraise(load_case(path))], tmp_path / "out")
    for csv in (tmp_path / "out").rglob("*.csv"):
        text = csv.read_text()
        for line in text.splitlines():
            for cell in line.split(","):
                assert not cell.strip('"').startswith("="), (csv.name, cell)
    metrics = pd.read_csv(tmp_path / "out" / "metrics.csv")
    assert metrics.loc[0, "title"] == "'=1+1"
