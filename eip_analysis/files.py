"""Reading inputs safely and writing outputs without ever leaving a half-written file.

:func:`read_input_bytes` reads only a regular file of bounded size (never a folder, a FIFO or a
device such as ``/dev/zero``); :func:`atomic_write_bytes` writes a temporary file, then renames
it (or, never to overwrite, hard-links it).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

#: Largest input file read [bytes]: a case file is a few tens of kB; 2 MB leaves room and stops
#: a runaway file (or /dev/zero) from exhausting memory.
MAX_INPUT_BYTES = 2_000_000


def read_input_bytes(path: str | Path, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        In words: not a regular file (a folder, FIFO, device...), or larger than ``limit``.
        The FIFO is refused before it is opened, so the read never hangs.
    """
    path = Path(path)
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        mode = st.st_mode
        kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise ValueError(f"a regular file, not {kind.removeprefix('not ')}"
                         if kind.startswith("not") else f"a regular file, not {kind}")
    if st.st_size > limit:
        raise ValueError(f"a file of at most {limit:,} bytes ({st.st_size:,} bytes)")
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"a file of at most {limit:,} bytes")
    return data


def atomic_write_bytes(path: str | Path, data: bytes, *, overwrite: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically: a same-folder temporary file, then
    ``os.replace``; with ``overwrite=False`` the complete temporary file is hard-linked to
    ``path`` instead, which fails if ``path`` exists (even if it appeared during the write).

    Raises
    ------
    FileExistsError
        ``overwrite=False`` and ``path`` exists; it is left as it was.

    The temporary file is removed in every case, so a failed write leaves nothing behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)  # already gone after os.replace
    return path


def atomic_write_text(path: str | Path, text: str, *, overwrite: bool = True) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically, with ``\\n`` line ends on every platform
    (``overwrite`` as in :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode("utf-8"), overwrite=overwrite)
