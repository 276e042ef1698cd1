"""The eip-analysis command: validate and metrics, one-line errors, exit codes."""

from __future__ import annotations

import shutil

from eip_analysis.cli import main

from .conftest import MINI


def _cases(tmp_path, *extra: tuple[str, str]):
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(MINI, folder)
    for name, text in extra:
        (folder / name).write_text(text)
    return folder


def test_validate_ok(tmp_path, capsys):
    assert main(["validate", "--cases", str(_cases(tmp_path))]) == 0
    assert "1 valid, 0 invalid" in capsys.readouterr().out


def test_validate_reports_bad_file_in_one_line_and_keeps_going(tmp_path, capsys):
    folder = _cases(tmp_path, ("BAD-01.yaml", "id: BAD-01\ncapex: [oops\n"))
    assert main(["validate", "--cases", str(folder)]) == 1
    out = capsys.readouterr()
    assert "ok    MINI-01" in out.out and "1 valid, 1 invalid" in out.out
    errors = [line for line in out.err.splitlines() if line]
    assert len(errors) == 1 and "BAD-01.yaml" in errors[0] and "Traceback" not in out.err


def test_metrics_writes_processed_for_good_cases_and_fails_for_bad(tmp_path, capsys):
    folder = _cases(tmp_path, ("BAD-01.yaml", "id: BAD-01\n"))
    out = tmp_path / "processed"
    assert main(["metrics", "--cases", str(folder), "--output", str(out)]) == 1
    assert (out / "metrics.csv").exists() and (out / "cashflows" / "MINI-01.csv").exists()
    text = capsys.readouterr()
    assert "MINI-01" in text.out and "USD 4,458" in text.out
    assert "BAD-01.yaml" in text.err


def test_missing_cases_folder_is_one_line(tmp_path, capsys):
    assert main(["validate", "--cases", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "existing folder" in err


def test_control_characters_are_shown_escaped(tmp_path, capsys):
    import yaml

    data = yaml.safe_load(MINI.read_text())
    data["title"] = "Clear \x1b[2J the screen \x07 and \x00 more"
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "MINI-01.yaml").write_text(yaml.safe_dump(data))
    assert main(["validate", "--cases", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\x00" not in out
    assert "Clear \\x1b[2J the screen \\x07 and \\x00 more" in out


def test_an_infinite_exchange_rate_is_refused_before_any_run(tmp_path, capsys):
    for value in ("inf", "1e400", "1e-300", "nan"):
        code = main(["run", "MINI-01", "--cases", str(MINI.parent), "--output",
                     str(tmp_path / "r"), "-p", f"exchange_rate_vnd_per_usd={value}"])
        err = capsys.readouterr().err
        assert code == 1 and "exchange_rate_vnd_per_usd: expected a rate from 1,000 to " \
                              "100,000 [VND/USD]" in err
    assert not (tmp_path / "r").exists()


def test_validate_lists_what_a_draft_still_lacks_one_line_per_field(tmp_path, capsys):
    # eip-analysis draft-case writes a draft; validate names each field still to be surveyed
    # (file, field, what is expected), and once a surveyor has filled them it is a case.
    import yaml

    from eip_analysis.screening import TO_BE_SURVEYED

    from .test_screening import _fill

    folder = tmp_path / "cases"
    folder.mkdir()
    assert main(["draft-case", "HK-T19-S1:HK-T04-S1", "--id", "HK-07",
                 "--cases", str(folder)]) == 0
    capsys.readouterr()
    assert main(["validate", "--cases", str(folder)]) == 1
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    path = folder / "HK-07.yaml"
    assert len(lines) >= 3 and all(line.startswith(f"error: {path}: ") for line in lines)
    assert all(f"({TO_BE_SURVEYED})" in line for line in lines)
    assert any("capex[0]" in line and "expected capex" in line for line in lines)
    assert "0 valid, 1 invalid (1 draft(s) with fields still to be surveyed)" in out
    data = yaml.safe_load(path.read_text())
    _fill(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert main(["validate", "--cases", str(folder)]) == 0
    assert "ok    HK-07" in capsys.readouterr().out
