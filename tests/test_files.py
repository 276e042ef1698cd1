"""Atomic writes: the target is either the old file or the complete new one, never a partial."""

from __future__ import annotations

import pytest

from eip_analysis import files


def test_writes_and_replaces(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    files.atomic_write_text(target, "first\n")
    files.atomic_write_text(target, "second\n")
    assert target.read_text() == "second\n"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    files.atomic_write_text(target, "good\n")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        files.atomic_write_text(target, "half")
    assert target.read_text() == "good\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
