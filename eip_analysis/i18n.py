"""Languages of the reports: gettext catalogs managed with Babel, and the report's language.

Every fixed text a report shows (templates, section sentences, field labels, chart titles,
the notebook's prose) is an English message id looked up in the catalog
``eip_analysis/locale/<language>/LC_MESSAGES/eip_analysis.po``; English is the source
language and needs no catalog. The catalog is compiled to ``.mo`` at set-up (``make
setup``: ``pybabel compile``); where the ``.mo`` is missing or older than its ``.po`` (a
fresh checkout opened in JupyterLab) it is compiled on first use, into the package folder
when it is writable, else in memory, so a report is never silently English.

One language is active per process (:func:`set_language`, :func:`use_language`); a report
kernel sets its run's language when it builds the run (:meth:`RunContext.build
<eip_analysis.report.context.RunContext.build>`), and the batch worker translates the
notebook's markdown cells with :func:`translator` of the report's language.

Messages::

    from eip_analysis.i18n import gettext as _, ngettext, pgettext, N_
    _("Key figures")                       # looked up now
    LABELS = {"npv": N_("Net present value")}  # marked for extraction, looked up at use

The library's sentences (warnings, plausibility findings, tornado notes, how a flow is counted)
are written in the active language when they are computed: a word of the case's fixed
vocabularies through :func:`word` (``"supplier"``), a number inside a sentence through
:func:`fmt` (``format(x, spec)`` in English, as always, :mod:`eip_analysis.formatting`
otherwise). Whatever caches such a sentence keys it by the language.

Updating the catalog after a change of the sources (then translate the new entries)::

    python -m eip_analysis.i18n extract   # writes the .pot and merges it into each .po
    python -m eip_analysis.i18n compile   # the .mo files (as make setup does)

``pybabel extract -F babel.cfg -o eip_analysis/locale/eip_analysis.pot .`` gives the same
template (the mapping of ``babel.cfg``: Python, the Jinja2 templates, the notebook's
markdown cells through :func:`extract_notebook`).
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import io
import json
import math
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from . import paths

#: Languages a report can be written in: English (the source language) and Vietnamese.
LANGUAGES = ("en", "vi")
#: The catalog domain.
DOMAIN = "eip_analysis"
#: Folder of the catalogs: ``<language>/LC_MESSAGES/eip_analysis.po`` and the template.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The message template (``pybabel extract``).
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
#: Babel's locale of each language (numbers, dates).
BABEL_LOCALES = {"en": "en", "vi": "vi"}
#: Keywords the extraction reads (``N_``: marked only, looked up where shown).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "N_": None}
#: What is extracted, and how (also written in ``babel.cfg``).
MAPPING = [("eip_analysis/**.py", "python"),
           ("eip_analysis/report/templates/**.j2", "jinja2.ext:babel_extract"),
           ("notebooks/opportunity_report.ipynb", "eip_analysis.i18n:extract_notebook")]
#: Options of the Jinja2 extraction: the templates' extensions (none besides i18n).
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "false"}

_state = {"language": "en"}


def po_path(language: str) -> Path:
    """``eip_analysis/locale/<language>/LC_MESSAGES/eip_analysis.po``."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def check_language(value: Any) -> str:
    """``"vi"`` -> ``"vi"``; anything but a language of :data:`LANGUAGES` is one line.

    >>> check_language("VI")
    'vi'
    """
    from .errors import InputError

    if not isinstance(value, str) or value.strip().lower() not in LANGUAGES:
        raise InputError(" or ".join(f'"{x}"' for x in LANGUAGES), field="language", got=value)
    return value.strip().lower()


def set_language(language: str) -> str:
    """Make ``language`` the active language of this process; returns the previous one."""
    previous = _state["language"]
    _state["language"] = check_language(language)
    return previous


def current_language() -> str:
    """The active language (``"en"`` unless set)."""
    return _state["language"]


@contextlib.contextmanager
def use_language(language: str) -> Iterator[str]:
    """``with use_language("vi"):`` ... the previous language again afterwards."""
    previous = set_language(language)
    try:
        yield language
    finally:
        _state["language"] = previous


def babel_locale(language: str | None = None) -> str:
    """Babel's locale name of ``language`` (default the active one)."""
    return BABEL_LOCALES[language or current_language()]


# -- catalogs ------------------------------------------------------------------------------------


def _compiled(language: str) -> bytes:
    """The ``.mo`` bytes of ``language``'s catalog: the file when it is as new as the ``.po``,
    else compiled now (and written beside the ``.po`` when the folder allows)."""
    po = po_path(language)
    mo = po.with_suffix(".mo")
    try:
        if mo.stat().st_mtime_ns >= po.stat().st_mtime_ns:
            return mo.read_bytes()
    except OSError:
        pass
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    data = buffer.getvalue()
    with contextlib.suppress(OSError):
        from .files import atomic_write_bytes

        atomic_write_bytes(mo, data)
    return data


@cache
def _translations(language: str, po_mtime_ns: int) -> _gettext.NullTranslations:
    if language == "en":
        return _gettext.NullTranslations()
    return _gettext.GNUTranslations(io.BytesIO(_compiled(language)))


def translator(language: str | None = None) -> _gettext.NullTranslations:
    """The translations of ``language`` (default the active one); English: none needed.

    Raises
    ------
    InputError
        A language not in :data:`LANGUAGES`.
    """
    language = check_language(language or current_language())
    if language == "en":
        return _translations("en", 0)
    try:
        stamp = po_path(language).stat().st_mtime_ns
    except OSError:
        from .errors import InputError

        raise InputError("a catalog of the language (python -m eip_analysis.i18n extract)",
                         file=po_path(language)) from None
    return _translations(language, stamp)


def gettext(message: str) -> str:
    """``message`` in the active language (itself in English or where not translated)."""
    return translator().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the active language."""
    return translator().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in ``context`` (the same English word translated differently)."""
    return translator().pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without looking it up (it is looked up where shown)."""
    return message


_ = gettext


# -- the fixed vocabularies and numbers inside sentences ---------------------------------------

#: Words of the case schema's fixed vocabularies (kinds, statuses, barriers, data quality,
#: parties, phases...), marked for the catalog: :func:`word` translates them.
WORDS = (N_("by-product energy"), N_("by-product material"), N_("shared infrastructure"),
         N_("shared service"), N_("water"), N_("not started"), N_("studied"), N_("negotiating"),
         N_("in implementation"), N_("operating"), N_("dropped"), N_("technical"),
         N_("financial"), N_("regulatory/permits"), N_("organisational"),
         N_("information/trust"), N_("market"), N_("logistics"), N_("illustrative"),
         N_("surveyed"), N_("estimated"), N_("supplier"), N_("receiver"), N_("project"),
         N_("construction"), N_("operation"), N_("after life"), N_("base"),
         N_("conservative"), N_("optimistic"), N_("low"), N_("medium"), N_("high"),
         N_("very high"), N_("yes"), N_("no"), N_("both parties"), N_("equal payments"),
         N_("annuity"), N_("sculpted"), N_("straight line"), N_("interest only"),
         N_("equal principal"), N_("lender"), N_("borrower"),
         # the project-wide parameters (eip_analysis.parameters), by their names in words
         N_("discount rate"), N_("exchange rate vnd per usd"), N_("price year"),
         N_("grid factor year"), N_("gwp set"), N_("grid factor change per year"),
         N_("grid margin"), N_("landfill method"), N_("tax rate"), N_("mirr finance rate"),
         N_("mirr reinvest rate"), N_("inflation rate"), N_("debt share"),
         N_("loan interest rate"), N_("loan tenor years"), N_("loan grace years"),
         N_("loan repayment"), N_("loan upfront fee"), N_("target min dscr"),
         N_("depreciation years"), N_("loss carryforward years"),
         # the ESMP areas (eip_analysis.esmp.AREAS)
         N_("Labour and working conditions (IFC PS2)"),
         N_("Resource efficiency and pollution prevention (IFC PS3)"),
         N_("Community health, safety and security (IFC PS4)"),
         # the distributions of the uncertain inputs (eip_analysis.risk.distribution_parameters)
         N_("triangular"), N_("uniform"), N_("normal"), N_("lognormal"))


def word(text: str) -> str:
    """A word of a fixed vocabulary (``"negotiating"``, ``"in_implementation"``) in the
    active language; other text unchanged.

    >>> word("in_implementation"), word("Coal price")
    ('in implementation', 'Coal price')
    """
    plain = text.replace("_", " ")
    return gettext(plain) if plain in _WORD_SET else text


_WORD_SET = frozenset(WORDS)


_FORMAT_SPEC = re.compile(r"(?P<sign>[+]?)(?P<comma>,?)(?:\.(?P<precision>\d+))?(?P<type>[fg%])")


def fmt(x: float, spec: str) -> str:
    """A number inside a sentence: ``format(x, spec)`` in English (as the sentences always
    wrote it), through :mod:`eip_analysis.formatting` in another language (``8,7%``,
    ``1.234,5``). ``spec`` is one of ``[+][,][.N](f|g|%)``.

    >>> fmt(0.0866, ".0%"), fmt(1234.5, ",.0f"), fmt(0.8041, "g"), fmt(0.123, "+.1%")
    ('9%', '1,234', '0.8041', '+12.3%')
    >>> with use_language("vi"):
    ...     fmt(0.0866, ".0%"), fmt(1234.5, ",.0f"), fmt(0.8041, "g"), fmt(0.123, "+.1%")
    ('9%', '1.234', '0,8041', '+12,3%')
    """
    if current_language() == "en":
        return format(x, spec)
    from . import formatting

    found = _FORMAT_SPEC.fullmatch(spec)
    if found is None:
        raise ValueError(f"fmt(): unsupported format {spec!r}")
    kind, precision = found["type"], found["precision"]
    if kind == "%":
        text = formatting.percent(x, digits=int(precision or 6))
    elif kind == "f":
        text = formatting.number(x, digits=int(precision or 6))
    else:  # "g": significant figures (6 by default, as Python's), trailing zeros dropped
        text = formatting.significant(x, figures=int(precision or 6))
    if found["sign"] and not text.startswith("-") and not math.isnan(x) and x >= 0:
        text = "+" + text
    return text


# -- dates ---------------------------------------------------------------------------------------


def format_run_date(moment, *, with_time: bool = True) -> str:
    """A run date as the report shows it: ``2026-05-03 14:05 UTC`` in English (unchanged),
    ``14:05 UTC, ngày 03/05/2026`` in Vietnamese (Babel's ``dd/MM/y``)."""
    if current_language() == "en":
        return moment.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
    from babel.dates import format_date, format_time

    day = format_date(moment, "dd/MM/y", locale=babel_locale())
    if not with_time:
        return day
    return f"{format_time(moment, 'HH:mm', locale=babel_locale())} UTC, " + gettext(
        "on {date}").format(date=day)


# -- extraction ----------------------------------------------------------------------------------


def extract_notebook(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor of a notebook: each markdown cell's source is one message (the report
    translates it whole when it exports the page, :func:`translate_markdown`), with every
    ``%`` written ``%%`` (prose such as "90% of the draws" is not a format string)."""
    nb = json.load(fileobj)
    for n, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "markdown":
            continue
        source = "".join(cell.get("source", []))
        if source.strip():
            yield n + 1, None, _markdown_id(source), [f"markdown cell {n + 1}"]


def _markdown_id(source: str) -> str:
    return source.replace("%", "%%")


def translate_markdown(source: str, language: str) -> str:
    """A markdown cell's source in ``language`` (the whole cell is the message id, its ``%``
    doubled); the source itself where the catalog has no translation."""
    key = _markdown_id(source)
    found = translator(language).gettext(key)
    return source if found == key else found.replace("%%", "%")


def extract_catalog():
    """The catalog of every message of the sources (:data:`MAPPING`), as ``pybabel extract``
    with ``babel.cfg`` gives it (a :class:`babel.messages.catalog.Catalog`)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    from . import __version__

    method_map = [(pattern, method) for pattern, method in MAPPING]
    options_map = {pattern: (JINJA_OPTIONS if "jinja2" in method else {})
                   for pattern, method in MAPPING}
    catalog = Catalog(project="eip-analysis", version=__version__, domain=DOMAIN,
                      charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(paths.REPO_ROOT), method_map, options_map, keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    for entry in catalog:  # only the templates' messages are %-formatted (jinja2.ext.i18n);
        if entry.id and not any(f.endswith(".j2") for f, _ in entry.locations):  # the others
            entry.flags.discard("python-format")  # are str.format() or plain text ("10%")
    return catalog


def write_template() -> Path:
    """Write :data:`TEMPLATE` from :func:`extract_catalog`."""
    from babel.messages.pofile import write_po

    catalog = extract_catalog()
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    with TEMPLATE.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=False)
    return TEMPLATE


def update_catalogs() -> list[Path]:
    """Merge the template into each language's ``.po`` (new messages empty, gone ones
    dropped), as ``pybabel update`` does, without fuzzy guesses."""
    from babel.messages.pofile import read_po, write_po

    with TEMPLATE.open("rb") as handle:
        template = read_po(handle)
    written = []
    for language in LANGUAGES[1:]:
        path = po_path(language)
        if path.is_file():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            from babel.messages.catalog import Catalog

            catalog = Catalog(locale=language, domain=DOMAIN, project="eip-analysis")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False  # the header: translated entries are complete, never guessed
        for entry in catalog:  # the template's flags (python-format where it applies)
            if entry.id and entry.id in template:
                entry.flags = set(template[entry.id].flags) | (
                    {"fuzzy"} if "fuzzy" in entry.flags else set())
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, ignore_obsolete=True)
        written.append(path)
    return written


def compile_catalogs() -> list[Path]:
    """Compile each ``.po`` to its ``.mo`` (as ``make setup`` does with ``pybabel compile``)."""
    out = []
    for language in LANGUAGES[1:]:
        mo = po_path(language).with_suffix(".mo")
        mo.unlink(missing_ok=True)
        _compiled(language)
        out.append(mo)
    return out


if __name__ == "__main__":  # python -m eip_analysis.i18n extract|compile
    import sys

    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "extract":
        print(f"wrote {write_template()}; updated {', '.join(map(str, update_catalogs()))}")
    elif what == "compile":
        print(f"compiled {', '.join(map(str, compile_catalogs()))}")
    else:
        print("usage: python -m eip_analysis.i18n extract|compile", file=sys.stderr)
        sys.exit(2)
