"""Exceptions for user mistakes in inputs.

The library raises :class:`InputError` with the file, the field and what was expected; the command
line and the batch print ``str(error)`` as one line (no traceback) and carry on with the other cases.
"""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """An input (case file, parameter, factor table, argument) that is not what was expected.

    Parameters
    ----------
    expected : str
        What the field should be, in words a user can act on (``"a number >= 1 [years]"``).
    file : str or Path, optional
        The file the input came from.
    field : str, optional
        Dotted path of the field inside the file (``"capex[0].amount.value"``).
    got : object, optional
        The offending value, shown shortened.
    """

    def __init__(
        self,
        expected: str,
        *,
        file: str | Path | None = None,
        field: str | None = None,
        got: object = None,
    ) -> None:
        self.expected = expected
        self.file = str(file) if file is not None else None
        self.field = field
        self.got = got
        super().__init__(self._one_line())

    def _one_line(self) -> str:
        where = ": ".join(p for p in (self.file, self.field) if p)
        text = f"expected {self.expected}"
        if self.got is not None:
            got = repr(self.got)
            text += f", got {got[:60] + '...' if len(got) > 60 else got}"
        return f"{where}: {text}" if where else text

    def at(self, *, file: str | Path | None = None, field: str | None = None) -> InputError:
        """Return a copy located in ``file`` and/or prefixed by ``field``."""
        new_field = ".".join(p for p in (field, self.field) if p) or None
        return InputError(
            self.expected, file=file or self.file, field=new_field, got=self.got
        )


def unexpected(exc: BaseException, *, file: str | Path | None = None,
               field: str | None = None) -> InputError:
    """An error the library did not foresee (a RecursionError, MemoryError, a bug), as the one
    line of the case it hit, so the other cases still run: ``<file>: expected input the
    package can process (<Name>: <message>)``."""
    text = " ".join(str(exc).split())[:200]
    return InputError(f"input the package can process ({type(exc).__name__}"
                      + (f": {text})" if text else ")"), file=file, field=field)
