"""Build keys: is the report on disk made from today's inputs, code and parameters?

A report's build key hashes everything it is made from, in parts, so a rebuild can say why:

========== =================================================================================
part       what is hashed (file names and SHA-256 of their bytes)
========== =================================================================================
case       the case file (the portfolio: every case file of the folder)
across     what the report shows from the other cases of its folder: its findings on shared
           resources and exclusions (``eip-analysis check`` across cases)
esmp       the case's ESMP register ``<cases>/../esmp/<id>.yaml`` (the portfolio: all)
factors    every factor table of ``data/raw/factors/``
parameters the files of ``data/raw/parameters/`` a report reads (the portfolio also
           ``selection.yaml``, ``workplan.yaml`` and its ``--selection`` file) and
           ``data/raw/shared_resources.yaml``
notebook   the notebook executed
code       the package version, every module of the package, the report templates, the
           translation catalogs and the glossary (``locale/``), and the versions of the
           libraries that shape a report (:data:`LIBRARIES`)
run        the run parameters given (the ``language`` among them), the cases folder,
           whether a workbook is written
========== =================================================================================

``eip-analysis run`` skips a case whose report on disk has the key of this run (its status
says so and the report's head records it) unless ``--force``; ``eip-analysis portfolio`` does
the same for the portfolio report. So changing one case file rebuilds that case's report, the
reports of cases whose shared-resource or exclusion findings it changes, and the portfolio
report (the index is always rewritten); changing a factor table rebuilds all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__, paths
from .errors import InputError

#: The parts of a build key, in words (for "rebuilt: case file changed").
PART_WORDS = {"case": "case file",
              "across": "shared resources or exclusions with other cases",
              "esmp": "ESMP register", "factors": "factor tables",
              "parameters": "parameter files", "notebook": "notebook",
              "code": "package code or templates", "run": "run parameters"}

_PACKAGE = Path(__file__).resolve().parent


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_hash(files: Iterable[Path], root: Path | None = None) -> str:
    """SHA-256 (16 hex digits) over the names and contents of ``files`` (a missing file counts
    as missing, not as an error: its absence is part of the key)."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in files):
        name = str(path.relative_to(root)) if root is not None and path.is_relative_to(root) \
            else path.name
        try:
            content = _sha(path.read_bytes())
        except OSError:
            content = "missing"
        digest.update(f"{name}\0{content}\n".encode())
    return digest.hexdigest()[:16]


def _folder(folder: Path, pattern: str = "*") -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if p.is_file()) if folder.is_dir() else []


#: The libraries whose version can change what a report shows (numbers, charts, HTML).
LIBRARIES = ("numpy", "pandas", "matplotlib", "numba", "pydantic", "PyYAML", "Jinja2",
             "MarkupSafe", "nbconvert", "nbformat", "papermill", "openpyxl", "babel")
#: Files of the package a report is made from: modules, templates and styles, the catalogs
#: of the translations and the glossary (not the compiled ``.mo``: made from the ``.po``).
CODE_SUFFIXES = frozenset({".py", ".j2", ".css", ".po", ".yaml"})


def code_hash() -> str:
    """The package version, its modules and report templates, and the versions of
    :data:`LIBRARIES` installed."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "none"

    files = [p for p in _PACKAGE.rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES
             and "__pycache__" not in p.parts]
    libraries = ",".join(f"{name}={installed(name)}" for name in LIBRARIES)
    return _sha((__version__ + files_hash(files, _PACKAGE) + libraries).encode())[:16]


def _shared_parts(extra_parameter_files: Iterable[Path] = (), *,
                  portfolio: bool = False) -> dict[str, str]:
    """Factor tables, parameter files and code. The portfolio's parameter files include
    ``selection.yaml`` and ``workplan.yaml``, which an opportunity report does not read
    (:data:`eip_analysis.parameters.OTHER_FILES`): tuning the shortlist rebuilds the
    portfolio report only."""
    from .parameters import OTHER_FILES

    parameter_files = [p for p in _folder(paths.parameters_dir())
                       if portfolio or p.name not in OTHER_FILES]
    parameter_files += [paths.raw_dir() / "shared_resources.yaml", *extra_parameter_files]
    return {"factors": files_hash(_folder(paths.factors_dir())),
            "parameters": files_hash(parameter_files), "code": code_hash()}


def _run_hash(run: Mapping[str, Any]) -> str:
    text = json.dumps(run, sort_keys=True, default=str)
    return _sha(text.encode())[:16]


@dataclass(frozen=True)
class BuildKey:
    """The parts of a build key (part -> hash) and the key over them."""

    parts: dict[str, str]

    @property
    def key(self) -> str:
        return _run_hash(self.parts)

    def changed(self, old: Mapping[str, str] | None) -> list[str]:
        """The parts, in words, that differ from ``old`` (all when there is none)."""
        old = old or {}
        return [PART_WORDS[k] for k in PART_WORDS if self.parts.get(k) != old.get(k)]


def esmp_folder(cases_dir: Path) -> Path:
    """The ESMP registers that go with a cases folder: ``<cases folder>/../esmp``
    (:func:`eip_analysis.esmp.register_for`)."""
    return Path(cases_dir).parent / "esmp"


def across_cases(cases_dir: Path) -> dict[str, str]:
    """Case id -> hash of its findings across the valid cases of ``cases_dir`` (shared
    resources over-drawn, exclusions that do not match), as its report shows them."""
    from . import checks
    from .cases import scan_cases

    try:
        cases = [c for _, c in scan_cases(cases_dir) if not isinstance(c, InputError)]
    except InputError:
        return {}
    findings: dict[str, list[tuple[str, ...]]] = {c.id: [] for c in cases}
    for f in checks.check_portfolio(cases):
        findings.setdefault(f.case_id, []).append((f.check, f.field, f.message, f.accepted))
    return {cid: _run_hash(sorted(rows)) for cid, rows in findings.items()}


def report_key(case_file: Path, notebook: Path, run: Mapping[str, Any],
               shared: Mapping[str, str] | None = None,
               across: Mapping[str, str] | None = None) -> BuildKey:
    """The build key of one opportunity report (``shared``: :func:`shared_parts`; ``across``:
    :func:`across_cases`; both computed once for many cases)."""
    case_file = Path(case_file)
    esmp_file = esmp_folder(case_file.parent) / f"{case_file.stem}.yaml"
    if across is None:
        across = across_cases(case_file.parent)
    return BuildKey({"case": files_hash([case_file]),
                     "across": across.get(case_file.stem, "none"),
                     "esmp": files_hash([esmp_file]),
                     **(shared if shared is not None else shared_parts()),
                     "notebook": files_hash([notebook]), "run": _run_hash(run)})


def shared_parts() -> dict[str, str]:
    """The parts every report shares: factor tables, parameter files, package code."""
    return _shared_parts()


def portfolio_key(cases_dir: Path, notebook: Path, run: Mapping[str, Any],
                  selection_file: Path | None = None) -> BuildKey:
    """The build key of the portfolio report: every case and ESMP file, the shared parts
    (with the ``--selection`` file), the park inventories and screening tables of the
    screening section, the notebook and the run parameters."""
    extra = [selection_file] if selection_file is not None else []
    from .inventory import inventories_dir, screening_dir

    return BuildKey({"case": files_hash(_folder(cases_dir, "*.yaml")),
                     "esmp": files_hash(_folder(esmp_folder(cases_dir), "*.yaml")),
                     **_shared_parts(extra, portfolio=True),
                     "screening": files_hash([*_folder(inventories_dir()),
                                              *_folder(screening_dir())]),
                     "notebook": files_hash([notebook]), "run": _run_hash(run)})
