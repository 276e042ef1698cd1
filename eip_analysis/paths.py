"""Where the project's data lives.

The package is installed in editable mode from the repository, so the default data root is the
repository's ``data/`` folder. Set ``EIP_DATA_DIR`` to point at another ``data/`` tree (tests do).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import InputError

REPO_ROOT = Path(__file__).resolve().parent.parent
#: A case id, and the stem of a file the commands take for one: letters, digits, ``-``, ``_``.
PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def data_dir() -> Path:
    """The ``data/`` folder: ``$EIP_DATA_DIR`` if set, else ``<repo>/data``."""
    return Path(os.environ.get("EIP_DATA_DIR", REPO_ROOT / "data"))


def raw_dir() -> Path:
    return data_dir() / "raw"


def cases_dir() -> Path:
    return raw_dir() / "cases"


def factors_dir() -> Path:
    """Published factor tables; always the repository's (they are reference data, not inputs)."""
    return REPO_ROOT / "data" / "raw" / "factors"


def parameters_dir() -> Path:
    return raw_dir() / "parameters"


def processed_dir() -> Path:
    return data_dir() / "processed"


def reports_dir() -> Path:
    return Path(os.environ.get("EIP_REPORTS_DIR", REPO_ROOT / "reports"))


def case_path(id_or_path: str | Path, cases_dir: str | Path | None = None) -> Path:
    """The file of a case given its id (looked up in ``cases_dir``) or a path to a YAML file."""
    text = str(id_or_path)
    if text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        p = Path(text)
        if p.suffix in (".yaml", ".yml") and p.exists():
            return p
        if not PLAIN_NAME.match(p.name.removesuffix(p.suffix)) or p.suffix not in (".yaml", ".yml"):
            raise InputError("a case id that is a plain name (letters, digits, '-', '_') or "
                             "the path of an existing .yaml file", field="case id", got=text)
        raise InputError("an existing case file", file=p)
    if not PLAIN_NAME.match(text):
        raise InputError("a plain name (letters, digits, '-' and '_')", field="case id", got=text)
    directory = Path(cases_dir) if cases_dir is not None else raw_dir() / "cases"
    p = directory / f"{text}.yaml"
    if not p.exists():
        known = sorted(q.stem for q in directory.glob("*.yaml"))
        raise InputError(f"one of the case ids in {directory} ({', '.join(known) or 'none'})",
                         field="case id", got=text)
    return p
