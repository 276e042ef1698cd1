"""Where the project's data lives.

The package is installed in editable mode from the repository, so the default data root is the
repository's ``data/`` folder. Set ``EIP_DATA_DIR`` to point at another ``data/`` tree (tests do).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


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
