"""``data/processed/``: the metrics table and per-case cash-flow tables, byte-reproducible.

Same inputs give byte-identical files: rows sorted by case id, fixed column order, fixed float
format, ``\\n`` line ends, atomic writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from . import paths
from .appraisal import Appraisal
from .files import atomic_write_text

FLOAT_FORMAT = "%.6g"


def metrics_table(appraisals: Iterable[Appraisal]) -> pd.DataFrame:
    """One row per case (sorted by id) with identity, metrics, warnings and input hash."""
    rows = [a.metrics_row() for a in sorted(appraisals, key=lambda a: a.case.id)]
    return pd.DataFrame(rows)


def _csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def write_processed(appraisals: Iterable[Appraisal], directory: str | Path | None = None) -> list[Path]:
    """Write ``metrics.csv`` and ``cashflows/<id>.csv``; returns the paths written."""
    directory = Path(directory) if directory is not None else paths.processed_dir()
    appraisals = list(appraisals)
    written = [atomic_write_text(directory / "metrics.csv", _csv(metrics_table(appraisals)))]
    for a in sorted(appraisals, key=lambda a: a.case.id):
        written.append(atomic_write_text(directory / "cashflows" / f"{a.case.id}.csv",
                                         _csv(a.cashflows)))
    return written
