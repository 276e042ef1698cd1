"""Where data lives: the repository's data/ by default, EIP_DATA_DIR to point elsewhere."""

from __future__ import annotations

from eip_analysis import paths


def test_defaults_are_inside_the_repository():
    assert paths.cases_dir() == paths.REPO_ROOT / "data" / "raw" / "cases"
    assert paths.processed_dir() == paths.REPO_ROOT / "data" / "processed"
    assert (paths.factors_dir() / "fuel_factors.csv").exists()


def test_environment_variable_moves_data_but_not_the_published_factors(tmp_path, monkeypatch):
    monkeypatch.setenv("EIP_DATA_DIR", str(tmp_path))
    assert paths.cases_dir() == tmp_path / "raw" / "cases"
    assert paths.factors_dir() == paths.REPO_ROOT / "data" / "raw" / "factors"
