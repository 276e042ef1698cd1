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


def test_no_overwrite_writes_a_new_file_and_refuses_an_existing_one(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    files.atomic_write_text(target, "first\n", overwrite=False)
    assert target.read_text() == "first\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    with pytest.raises(FileExistsError):
        files.atomic_write_bytes(target, b"second\n", overwrite=False)
    assert target.read_text() == "first\n"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]  # no temporary left


def test_no_overwrite_refuses_a_file_that_appears_during_the_write(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    real_link = files.os.link

    def other_writer_first(src, dst):
        target.write_text("theirs\n")
        real_link(src, dst)

    monkeypatch.setattr(files.os, "link", other_writer_first)
    with pytest.raises(FileExistsError):
        files.atomic_write_text(target, "mine\n", overwrite=False)
    assert target.read_text() == "theirs\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
