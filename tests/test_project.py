"""Project hygiene: dependency lists agree, notebooks carry no outputs, outputs are ignored."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for group in project["optional-dependencies"].values() for r in group}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == wanted


def test_lock_pins_every_dependency_exactly():
    lock = (ROOT / "requirements.lock").read_text().splitlines()
    pins = {_name(line): line for line in lock if line and not line.startswith("#")}
    assert all("==" in line for line in pins.values())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = {_name(r) for r in project["dependencies"]}
    needed |= {_name(r) for group in project["optional-dependencies"].values() for r in group}
    assert needed <= set(pins), sorted(needed - set(pins))


def test_notebooks_are_committed_without_outputs():
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(nb.read_text())["cells"]
        for cell in cells:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs"), f"{nb.name} has outputs"
                assert cell.get("execution_count") is None, f"{nb.name} has execution counts"


def test_generated_folders_are_ignored_by_git():
    probe = ["data/processed/metrics.csv", "reports/index.html"]
    result = subprocess.run(["git", "check-ignore", *probe], cwd=ROOT, capture_output=True, check=False,
                            text=True)
    if result.returncode == 128:  # not a git checkout (e.g. an sdist): nothing to check
        return
    assert result.stdout.split() == probe


def test_reference_and_lab_packages_are_extras_not_runtime_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    extras = project["optional-dependencies"]
    assert "numpy-financial" not in runtime and "jupyterlab" not in runtime
    assert "numpy-financial" in {_name(r) for r in extras["test"]}
    assert "jupyterlab" in {_name(r) for r in extras["lab"]}
    for module in (ROOT / "eip_analysis").rglob("*.py"):  # the package never imports them
        text = module.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+(numpy_financial|jupyterlab)\b", text, re.MULTILINE), \
            module
