"""Shared fixtures: the small hand-worked case MINI-01 and a way to write broken variants of it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from eip_analysis.cases import load_case
from eip_analysis.errors import InputError

TESTS = Path(__file__).resolve().parent
FIXTURE_CASES = TESTS / "data" / "cases"
MINI = FIXTURE_CASES / "MINI-01.yaml"


@pytest.fixture
def mini_data() -> dict:
    """MINI-01 as a plain dict, to mutate into bad variants."""
    return yaml.safe_load(MINI.read_text())


@pytest.fixture
def write_case(tmp_path):
    """Write a case dict (or raw text) as ``<tmp>/cases/<id>.yaml``; returns the path."""
    folder = tmp_path / "cases"
    folder.mkdir()

    def write(data: dict | str, name: str | None = None) -> Path:
        if isinstance(data, str):
            text = data
            name = name or "BAD-01"
        else:
            text = yaml.safe_dump(data, sort_keys=False)
            name = name or str(data.get("id", "BAD-01"))
        path = folder / f"{name}.yaml"
        path.write_text(text)
        return path

    write.folder = folder
    return write


def one_line_error(write_case, data: dict | str, name: str | None = None) -> str:
    """Write a bad case, load it, and return the error: one line that starts with the file."""
    path = write_case(data, name)
    with pytest.raises(InputError) as info:
        load_case(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path)), message
    return message


@pytest.fixture(autouse=True)
def _notebooks_only_where_marked(request, monkeypatch):
    """A test that executes a notebook must carry ``@pytest.mark.notebook``, so that
    ``pytest -m "not notebook"`` really is the fast suite (an unmarked one fails here)."""
    if request.node.get_closest_marker("notebook") is None:
        import papermill

        def refuse(*args, **kwargs):
            raise AssertionError("this test executes a notebook: mark it @pytest.mark.notebook")

        monkeypatch.setattr(papermill, "execute_notebook", refuse)


def each_mapping(node, visit) -> None:
    """Call ``visit(d)`` on every mapping nested in ``node`` (case data from YAML), parents
    first, so a test can rewrite the units, values or ranges of a case in place."""
    if isinstance(node, dict):
        visit(node)
        for v in node.values():
            each_mapping(v, visit)
    elif isinstance(node, list):
        for v in node:
            each_mapping(v, visit)
