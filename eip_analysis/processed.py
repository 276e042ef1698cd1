"""``data/processed/``: the metrics table and per-case cash-flow tables, byte-reproducible.

``portfolio.csv`` (written by ``eip-analysis portfolio``) has one row per case of the portfolio
report: score, rank, shortlisted, the reason of an exclusion and the criteria.

``fields.csv`` is their data dictionary: each column's label, unit and description, from the
field registry (:mod:`eip_analysis.fields`), so a reader of the CSV files never guesses a unit.

Same inputs give byte-identical files: rows sorted by case id, fixed column order, fixed float
format, ``\\n`` line ends, atomic writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from . import paths
from .appraisal import Appraisal
from .fields import data_dictionary
from .files import atomic_write_text
from .portfolio.selection import PORTFOLIO_COLUMNS, SelectionResult, portfolio_csv_frame

FLOAT_FORMAT = "%.6g"


def metrics_table(appraisals: Iterable[Appraisal]) -> pd.DataFrame:
    """One row per case (sorted by id) with identity, metrics, warnings and input hash."""
    rows = [a.metrics_row() for a in sorted(appraisals, key=lambda a: a.case.id)]
    return pd.DataFrame(rows)


def _csv(df: pd.DataFrame) -> str:
    """CSV text, every text cell that a spreadsheet would read as a formula made text."""
    text_columns = [c for c in df.columns
                    if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype)]
    if text_columns:
        df = df.assign(**{c: df[c].map(_text_cell) for c in text_columns})
    return df.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def write_processed(appraisals: Iterable[Appraisal], directory: str | Path | None = None) -> list[Path]:
    """Write ``metrics.csv``, ``cashflows/<id>.csv`` and ``fields.csv`` (their columns' labels,
    units and descriptions); returns the paths written, ``metrics.csv`` first."""
    directory = Path(directory) if directory is not None else paths.processed_dir()
    appraisals = sorted(appraisals, key=lambda a: a.case.id)
    metrics = metrics_table(appraisals)
    written = [atomic_write_text(directory / "metrics.csv", _csv(metrics))]
    columns = list(metrics.columns)
    for a in appraisals:
        written.append(atomic_write_text(directory / "cashflows" / f"{a.case.id}.csv",
                                         _csv(a.cashflows)))
        columns += [c for c in a.cashflows.columns if c not in columns]
    columns += [c for c in PORTFOLIO_COLUMNS if c not in columns]
    written.append(atomic_write_text(directory / "fields.csv",
                                     _csv(pd.DataFrame(data_dictionary(columns)))))
    return written


def _text_cell(value):
    """Text a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab or carriage
    return first) gets a leading apostrophe, so it stays text; numbers are left alone."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_portfolio(result: SelectionResult, path: str | Path | None = None) -> Path:
    """Write ``portfolio.csv`` (one row per case, by rank) atomically; returns its path."""
    path = Path(path) if path is not None else paths.processed_dir() / "portfolio.csv"
    return atomic_write_text(path, _csv(portfolio_csv_frame(result)))
