"""Batch runs: one case in, one status out; failures are rows, never crashes; the index page."""

from __future__ import annotations

import os
import pickle
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from eip_analysis import appraise, batch, load_case, paths, report
from eip_analysis.cli import main
from eip_analysis.errors import InputError

from .conftest import FIXTURE_CASES, MINI
from .test_report import XSS, external_references, key_figures_in

BROKEN = "id: BAD-01\ncapex: [oops\n"


def _cases_folder(tmp_path):
    """MINI-01, a copy whose case text is markup (XSS-01), and a broken file (BAD-01)."""
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(MINI, folder)
    data = yaml.safe_load(MINI.read_text())
    data.update(id="XSS-01", title=XSS, supplier_role="<b>supplier</b>",
                next_steps=["<img src=x onerror=alert(3)>"])
    data["survey"][0]["notes"] = "<iframe src='//evil.example'></iframe>"
    (folder / "XSS-01.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    (folder / "BAD-01.yaml").write_text(BROKEN)
    return folder


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    """``eip-analysis run --all --jobs 2`` over the three cases, once for the module."""
    tmp = tmp_path_factory.mktemp("batch")
    folder = _cases_folder(tmp)
    out = tmp / "reports"
    code = main(["run", "--all", "--cases", str(folder), "--output", str(out), "--jobs", "2"])
    return {"code": code, "folder": folder, "out": out}


class TestRunAll:
    @pytest.mark.notebook
    def test_exit_status_is_non_zero_when_a_case_failed(self, batch_run):
        assert batch_run["code"] == 1

    @pytest.mark.notebook
    def test_good_reports_are_written_despite_the_broken_case(self, batch_run):
        out = batch_run["out"]
        assert (out / "MINI-01.html").exists() and (out / "XSS-01.html").exists()
        assert not (out / "BAD-01.html").exists()
        # The case is parsed in the kernel only: a broken case file fails there and its notebook
        # is kept, like that of any failed report.
        assert sorted(p.name for p in (out / "notebooks").iterdir()) == [
            "BAD-01.failed.ipynb", "MINI-01.ipynb", "XSS-01.ipynb"]
        assert not [p for p in out.rglob(".*") if p.is_file()], "temporary files left behind"

    @pytest.mark.notebook
    def test_each_report_shows_the_library_figures(self, batch_run):
        for cid in ("MINI-01", "XSS-01"):
            html = (batch_run["out"] / f"{cid}.html").read_text(encoding="utf-8")
            a = appraise(load_case(cid, batch_run["folder"]))
            expected = report.key_figures(a).set_index("key")["text"].to_dict()
            assert key_figures_in(html) == expected, cid

    @pytest.mark.notebook
    def test_case_text_is_escaped_and_nothing_is_fetched(self, batch_run):
        html = (batch_run["out"] / "XSS-01.html").read_text(encoding="utf-8")
        assert "<script" not in html.lower() and "<iframe" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;b&gt;supplier&lt;/b&gt;" in html
        assert not external_references(html)
        index = (batch_run["out"] / "index.html").read_text(encoding="utf-8")
        assert "<script" not in index.lower() and not external_references(index)

    @pytest.mark.notebook
    def test_index_has_a_row_per_case_with_figures_status_and_link(self, batch_run):
        out = batch_run["out"]
        index = (out / "index.html").read_text(encoding="utf-8")
        assert index.count("<tr data-case=") == 3
        assert '<tr data-case="MINI-01" data-status="ok">' in index
        assert '<a href="MINI-01.html">MINI-01</a>' in index
        a = appraise(load_case(MINI))
        figures = report.key_figures(a).set_index("key")["text"]
        for key in batch.INDEX_FIGURES:
            assert f">{figures[key]}<" in index, key
        assert '<tr data-case="BAD-01" data-status="failed">' in index

    @pytest.mark.notebook
    def test_failure_is_listed_in_one_line_naming_the_file(self, batch_run):
        index = (batch_run["out"] / "index.html").read_text(encoding="utf-8")
        failures = index[index.index('<ul id="failures">'):]
        assert "BAD-01.yaml: line 3, column 1: expected valid YAML" in failures
        status = batch.read_statuses(batch_run["out"], ["BAD-01"])[0]
        assert not status.ok and "\n" not in status.error and status.report is None

    @pytest.mark.notebook
    def test_a_failed_rerun_keeps_the_last_good_report(self, batch_run, tmp_path):
        out = tmp_path / "reports"
        shutil.copytree(batch_run["out"], out)
        folder = batch_run["folder"]  # the same folder: statuses of another one are left out
        case_file = folder / "XSS-01.yaml"
        good = case_file.read_text()
        before = (out / "XSS-01.html").read_bytes()
        case_file.write_text(BROKEN.replace("BAD-01", "XSS-01"))
        try:
            assert main(["run", "XSS-01", "--cases", str(folder), "--output", str(out)]) == 1
        finally:
            case_file.write_text(good)
        assert (out / "XSS-01.html").read_bytes() == before
        index = (out / "index.html").read_text(encoding="utf-8")
        assert '<tr data-case="XSS-01" data-status="failed">' in index
        assert '(<a href="XSS-01.html">last good report</a>)' in index
        # the case failed before it loaded: its row keeps the title of its previous status
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index.split('data-case="XSS-01"')[1]
        # the other cases keep their rows although this run did not touch them
        assert '<tr data-case="MINI-01" data-status="ok">' in index


@pytest.mark.notebook
def test_every_project_case_gets_a_report_with_the_library_figures(tmp_path):
    """What ``make reports`` does, into a temporary folder: all cases, two processes."""
    out = tmp_path / "reports"
    code = main(["run", "--all", "--jobs", "2", "--output", str(out)])
    ids = sorted(p.stem for p in paths.cases_dir().glob("*.yaml"))
    statuses = batch.read_statuses(out, ids)
    assert code == 0, [s.error for s in statuses if not s.ok]
    assert [s.case_id for s in statuses] == ids
    index = (out / "index.html").read_text(encoding="utf-8")
    for cid in ids:
        html = (out / f"{cid}.html").read_text(encoding="utf-8")
        expected = report.key_figures(appraise(load_case(cid))).set_index("key")["text"]
        assert key_figures_in(html) == expected.to_dict(), cid
        assert not external_references(html) and len(html.encode()) < 1_500_000
        assert f'<a href="{cid}.html">{cid}</a>' in index


class TestCommandLine:
    def _run(self, capsys, *args):
        code = main(["run", *args])
        return code, capsys.readouterr()

    def test_unknown_id_is_one_line(self, capsys):
        code, out = self._run(capsys, "NOPE-01", "--cases", str(FIXTURE_CASES))
        assert code == 1
        assert out.err.count("\n") == 1 and "one of the case ids" in out.err
        assert "Traceback" not in out.err

    @pytest.mark.parametrize("value, message", [
        ("discount_rate=2", "discount_rate: expected a real discount rate"),
        ("currency=EUR", "currency: expected USD or VND"),
        ("nonsense", "-p: expected NAME=VALUE"),
        ("tax_rate=0.1", "-p: expected a report parameter"),
        ("discount_rate=0.08 discount_rate=0.12", "-p: expected each parameter at most once"),
    ])
    def test_bad_parameter_is_one_line_before_any_run(self, capsys, tmp_path, value, message):
        given = [a for v in value.split() for a in ("-p", v)]
        code, out = self._run(capsys, "MINI-01", "--cases", str(FIXTURE_CASES), "--output",
                              str(tmp_path), *given)
        assert code == 1 and out.err.count("\n") == 1 and message in out.err
        assert not any(tmp_path.iterdir())

    def test_ids_or_all(self, capsys):
        code, out = self._run(capsys, "--cases", str(FIXTURE_CASES))
        assert code == 1 and "case ids or --all" in out.err
        code, out = self._run(capsys, "MINI-01", "--all", "--cases", str(FIXTURE_CASES))
        assert code == 1 and "case ids or --all" in out.err

    def test_jobs_must_be_positive(self, capsys, tmp_path):
        code, out = self._run(capsys, "MINI-01", "--cases", str(FIXTURE_CASES), "--jobs", "0",
                              "--output", str(tmp_path))
        assert code == 1 and "--jobs: expected a number of jobs >= 1" in out.err

    @pytest.mark.notebook
    def test_run_is_registered(self, capsys):
        with pytest.raises(SystemExit):
            main(["run", "--help"])
        assert "--jobs" in capsys.readouterr().out


class TestUnitOfWork:
    def test_task_and_status_are_plain_values(self, tmp_path):
        task = batch.ReportTask("MINI-01", str(tmp_path), str(FIXTURE_CASES),
                                {"discount_rate": "0.08"})
        assert pickle.loads(pickle.dumps(task)) == task
        status = batch.CaseStatus("MINI-01", True, 4.2, report="x.html",
                                  figures={"npv": "USD 1"})
        assert batch.CaseStatus.from_json(status.to_json()) == status
        assert pickle.loads(pickle.dumps(status)) == status

    @pytest.mark.notebook
    def test_broken_case_is_a_failed_status_not_an_exception(self, write_case, tmp_path):
        write_case(BROKEN, name="BAD-01")
        status = batch.run_one(batch.ReportTask("BAD-01", str(tmp_path / "out"),
                                                str(write_case.folder)))
        assert not status.ok and status.case_id == "BAD-01" and status.seconds >= 0
        assert status.error.startswith(str(write_case.folder / "BAD-01.yaml"))

    @pytest.mark.notebook
    def test_bad_parameter_in_a_task_is_a_failed_status(self, tmp_path):
        status = batch.run_one(batch.ReportTask("MINI-01", str(tmp_path), str(FIXTURE_CASES),
                                                {"gwp_set": "AR4"}))
        assert not status.ok and status.error == "gwp_set: expected AR5 or AR6, got 'AR4'"

    @pytest.mark.notebook
    def test_jobs_below_one(self):
        with pytest.raises(InputError, match="--jobs"):
            batch.run_cases([], jobs=0)


STATUSES = (
    batch.CaseStatus("AA-01", True, 5.04, report="/r/AA-01.html", title="A & B",
                     park="Hoa Khanh", data_quality="surveyed",
                     figures={"npv": "USD 1,000", "irr": "12.0%"},
                     parameters={"discount_rate": 0.08}),
    batch.CaseStatus("BB-02", False, 0.3, error="BB-02.yaml: capex: expected <this>"),
)


class TestSummaryAndIndex:
    def test_summary_table(self):
        text = batch.summary_table(STATUSES)
        lines = text.splitlines()
        assert lines[0].split() == ["case", "status", "seconds", "report", "or", "error"]
        assert lines[2].split() == ["AA-01", "ok", "5.0", "/r/AA-01.html"]
        assert lines[3].split()[:3] == ["BB-02", "FAILED", "0.3"]
        assert lines[3].endswith("BB-02.yaml: capex: expected <this>")

    def test_index_escapes_and_lists_failures(self, tmp_path):
        page = report.index_html(STATUSES, tmp_path,
                                generated=datetime(2021, 5, 1, tzinfo=UTC))
        assert "A &amp; B" in page and "expected &lt;this&gt;" in page
        assert "1 report ok, 1 failed at their last run. Generated 2021-05-01 00:00 UTC" \
            in page
        assert "<th>Run parameters</th>" in page and "discount_rate = 0.08" in page
        assert "<script" not in page and not external_references(page)

    def test_run_parameters_shared_by_all_rows_go_in_the_summary(self, tmp_path):
        same = [batch.CaseStatus("AA-01", True, 1.0), batch.CaseStatus("BB-02", True, 1.0)]
        page = report.index_html(same, tmp_path)
        assert "Run parameters: defaults." in page and "<th>Run parameters</th>" not in page


@pytest.mark.notebook
def test_workbooks_are_written_and_linked_from_the_index(tmp_path):
    out = tmp_path / "reports"
    code = main(["run", "MINI-01", "--cases", str(FIXTURE_CASES), "--output", str(out),
                 "-p", "mc_draws=200", "--workbooks"])
    assert code == 0
    xlsx = out / "workbooks" / "MINI-01.xlsx"
    assert xlsx.read_bytes()[:2] == b"PK"  # a zip: the .xlsx container
    assert sorted(p.name for p in xlsx.parent.iterdir()) == ["MINI-01.xlsx"]
    status = batch.CaseStatus.from_json(batch.status_path(out, "MINI-01").read_text())
    assert status.ok and status.workbook == str(xlsx)
    assert status.parameters == {"mc_draws": 200}
    assert 'href="workbooks/MINI-01.xlsx"' in (out / "index.html").read_text()


@pytest.mark.notebook
def test_a_failing_workbook_fails_the_case_in_one_line(tmp_path):
    # The notebook writes the workbook from the report's own appraisal; a workbook that cannot
    # be written fails the case (no report, no "ok"), in one line.
    (tmp_path / "workbooks").write_text("a file where the folder should be")
    task = batch.ReportTask(case_id="MINI-01", output_dir=str(tmp_path),
                            cases_dir=str(FIXTURE_CASES), parameters={"mc_draws": 200},
                            workbooks=True)
    status = batch.run_one(task)
    assert not status.ok and status.workbook is None
    assert re.match(r"notebook cell In \[\d+\]: FileExistsError: .*workbooks", status.error)
    assert "\n" not in status.error and not (tmp_path / "MINI-01.html").exists()
    assert status.title and status.case_sha256  # from the summary the notebook glued first


@pytest.mark.notebook
def test_the_workbook_is_written_from_the_reports_own_run(tmp_path):
    task = batch.ReportTask(case_id="MINI-01", output_dir=str(tmp_path),
                            cases_dir=str(FIXTURE_CASES),
                            parameters={"mc_draws": 200, "discount_rate": "0.08"},
                            workbooks=True)
    status = batch.run_one(task)
    assert status.ok and status.workbook == str(tmp_path / "workbooks" / "MINI-01.xlsx")
    from openpyxl import load_workbook

    cells = load_workbook(status.workbook)["Summary"]
    assert cells["B5"].value == 0.08  # the run's discount rate, as in the report


# -- the run command: output folder, dead workers, several cases folders, the summary line --------


def _fake_status(task, ok=True, error=None):
    if ok:  # the report it links, with its run key, as run_one's report would be
        Path(task.output_dir).mkdir(parents=True, exist_ok=True)
        (Path(task.output_dir) / f"{task.case_id}.html").write_text(
            f'<meta name="eip-run-key" content="{FAKE_KEY}">\n'
            f'<meta name="eip-build-key" content="{task.build_key().key}">')
    return batch.CaseStatus(task.case_id, ok, 0.01, error=error, run_key=FAKE_KEY if ok else "",
                            report=None if not ok else f"{task.output_dir}/{task.case_id}.html",
                            title=f"title of {task.case_id}" if ok else "", park="Park" if ok else "",
                            cases_dir=batch.resolved_cases_dir(task.cases_dir),
                            figures={k: "x" for k in batch.INDEX_FIGURES} if ok else {},
                            build_key=task.build_key().key if ok else "",
                            build_parts=dict(task.build_parts) if ok else {})


FAKE_KEY = "00000000000000ff"


def dies_on_bad(task):
    """A unit of work whose worker process dies on BAD-01 (as if killed or out of memory),
    every time it is tried."""
    if task.case_id == "BAD-01":
        scratch = Path(task.scratch_dir) / "eip-nb-half"
        scratch.mkdir(parents=True, exist_ok=True)
        (scratch / "BAD-01.ipynb").write_text("")  # what papermill had begun to write
        os._exit(1)
    return _fake_status(task)


def fails_on_bad(task):
    """A fast unit of work: BAD-01 fails before its case loads, the others are ok."""
    if task.case_id == "BAD-01":
        return _fake_status(task, ok=False, error="BAD-01.yaml: expected valid YAML")
    return _fake_status(task)


class TestRunCommand:
    @pytest.mark.parametrize("kind", ["file", "under a file"])
    def test_unwritable_output_is_one_line_before_any_run(self, capsys, tmp_path, monkeypatch,
                                                          kind):
        def never(task):
            raise AssertionError("a case ran")

        monkeypatch.setattr(batch, "run_one", never)
        afile = tmp_path / "afile"
        afile.write_text("x")
        output = afile if kind == "file" else afile / "reports"
        code = main(["run", "MINI-01", "--cases", str(FIXTURE_CASES), "--output", str(output)])
        err = capsys.readouterr().err
        assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith(f"error: {output}: --output: expected a folder where the reports "
                              "can be written (")
        assert afile.read_text() == "x"

    def test_check_output_folder_creates_it_and_leaves_nothing(self, tmp_path):
        folder = batch.check_output_folder(tmp_path / "a" / "b")
        assert folder.is_dir() and not any(folder.iterdir())

    def test_a_dead_worker_fails_its_case_and_the_batch_goes_on(self, capsys, tmp_path,
                                                               monkeypatch):
        monkeypatch.setattr(batch, "run_one", dies_on_bad)
        folder = _cases_folder(tmp_path)
        out = tmp_path / "reports"
        code = main(["run", "--all", "--cases", str(folder), "--output", str(out),
                     "--jobs", "2"])
        printed = capsys.readouterr().out
        assert code == 1
        statuses = batch.read_statuses(out, ["BAD-01", "MINI-01", "XSS-01"])
        assert [s.case_id for s in statuses] == ["BAD-01", "MINI-01", "XSS-01"]
        bad = statuses[0]
        # tried twice (a retry), then failed with the reason; the other cases all ran
        assert not bad.ok and bad.error.startswith("worker process died (exit code 1")
        assert all(s.ok for s in statuses[1:])
        index = (out / "index.html").read_text(encoding="utf-8")
        assert '<tr data-case="BAD-01" data-status="failed">' in index
        assert "worker process died" in index
        assert "this run: 2 report(s) written, 1 failed" in printed
        assert "BrokenProcessPool" not in printed
        assert not [p for p in out.rglob(".*") if p.is_file()], "temporary file left behind"

    def test_each_status_is_written_as_its_case_finishes(self, tmp_path, monkeypatch):
        out = tmp_path / "reports"
        seen = []

        def work(task):
            seen.append(sorted(p.stem for p in (out / "status").glob("*.json"))
                        if (out / "status").exists() else [])
            return fails_on_bad(task)

        monkeypatch.setattr(batch, "run_one", work)
        folder = _cases_folder(tmp_path)
        main(["run", "--all", "--cases", str(folder), "--output", str(out)])
        assert seen == [[], ["BAD-01"], ["BAD-01", "MINI-01"]]

    def test_index_shows_only_statuses_of_the_runs_cases_folder(self, tmp_path, monkeypatch):
        monkeypatch.setattr(batch, "run_one", fails_on_bad)
        (tmp_path / "a").mkdir()
        first = _cases_folder(tmp_path / "a")
        second = tmp_path / "second"
        second.mkdir()
        for name in ("MINI-01.yaml", "XSS-01.yaml"):  # same ids, another folder
            shutil.copy(first / name, second)
        out = tmp_path / "reports"
        assert main(["run", "XSS-01", "--cases", str(first), "--output", str(out)]) == 0
        assert main(["run", "MINI-01", "--cases", str(second), "--output", str(out)]) == 0
        index = (out / "index.html").read_text(encoding="utf-8")
        assert 'data-case="XSS-01"' not in index  # run from the first folder
        assert '<tr data-case="MINI-01" data-status="ok">' in index
        assert f"Cases folder: {second.resolve()}." in index
        statuses = batch.index_statuses(out, second)
        assert [s.case_id for s in statuses] == ["MINI-01"]
        assert statuses[0].cases_dir == str(second.resolve())

    def test_summary_line_counts_this_run_only(self, capsys, tmp_path, monkeypatch):
        monkeypatch.setattr(batch, "run_one", fails_on_bad)
        folder = _cases_folder(tmp_path)
        out = tmp_path / "reports"
        assert main(["run", "--all", "--cases", str(folder), "--output", str(out)]) == 1
        last = capsys.readouterr().out.strip().splitlines()[-1]
        assert last.startswith("this run: 2 report(s) written, 1 failed; index: ")
        assert main(["run", "MINI-01", "--cases", str(folder), "--output", str(out)]) == 0
        last = capsys.readouterr().out.strip().splitlines()[-1]
        assert last.startswith("this run: 0 report(s) written, 0 failed, 1 skipped as "
                               "unchanged (--force rebuilds them); index: ")
        assert main(["run", "MINI-01", "--cases", str(folder), "--output", str(out),
                     "--force"]) == 0
        last = capsys.readouterr().out.strip().splitlines()[-1]
        assert last.startswith("this run: 1 report(s) written, 0 failed; index: ")
        assert last.endswith("(3 cases, 1 failed at their last run)")

    def test_failed_row_keeps_title_and_park_of_the_previous_status(self, tmp_path):
        folder = str(FIXTURE_CASES.resolve())
        old = batch.CaseStatus("MINI-01", True, 1.0, title="Old title", park="Hoa Khanh",
                               data_quality="surveyed", cases_dir=folder)
        batch.write_statuses([old], tmp_path)
        new = batch.CaseStatus("MINI-01", False, 0.1, error="e", cases_dir=folder)
        filled = batch.with_previous_details(new, tmp_path)
        assert (filled.title, filled.park, filled.data_quality) == (
            "Old title", "Hoa Khanh", "surveyed")
        elsewhere = batch.CaseStatus("MINI-01", False, 0.1, error="e", cases_dir="/elsewhere")
        assert batch.with_previous_details(elsewhere, tmp_path).title == ""


@pytest.mark.notebook
def test_the_index_shows_the_figures_of_the_executed_report_and_the_worker_parses_nothing(
        tmp_path, monkeypatch):
    from eip_analysis import cases

    def refuse(*args, **kwargs):  # the worker must not parse the case: the kernel does
        raise AssertionError("the batch worker parsed a case file")

    monkeypatch.setattr(cases, "read_yaml", refuse)
    task = batch.ReportTask(case_id="MINI-01", output_dir=str(tmp_path),
                            cases_dir=str(FIXTURE_CASES),
                            parameters={"mc_draws": 200, "currency": "VND"})
    status = batch.run_one(task)
    assert status.ok, status.error
    shown = key_figures_in((tmp_path / "MINI-01.html").read_text(encoding="utf-8"))
    assert status.figures == {k: shown[k] for k in batch.INDEX_FIGURES}
    monkeypatch.undo()
    assert status.case_sha256 == load_case("MINI-01", FIXTURE_CASES).sha256
    batch.write_statuses([status], tmp_path)
    index = batch.write_index(tmp_path, FIXTURE_CASES).read_text(encoding="utf-8")
    row = index[index.index('data-case="MINI-01"'):]
    row = row[:row.index("</tr>")]
    for key in batch.INDEX_FIGURES:
        assert f">{shown[key]}<" in row


# -- issue 10: the batch under faults ---------------------------------------------------------


def _minis(tmp_path, n=3):
    """A cases folder with ``n`` copies of MINI-01 (MINI-01, MINI-02...)."""
    folder = tmp_path / "cases"
    folder.mkdir()
    data = yaml.safe_load(MINI.read_text())
    for i in range(1, n + 1):
        data["id"] = f"MINI-{i:02d}"
        (folder / f"MINI-{i:02d}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


def _kernels() -> set[int]:
    """The pids of the ipykernel processes alive now."""
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if b"ipykernel" in (d / "cmdline").read_bytes():
                    out.add(int(d.name))
            except OSError:
                continue
    return out


class TestFaults:
    def test_a_second_run_into_a_locked_folder_stops_in_one_line(self, capsys, tmp_path,
                                                                 monkeypatch):
        monkeypatch.setattr(batch, "run_one", lambda task: pytest.fail("a case ran"))
        out = tmp_path / "reports"
        out.mkdir()
        with batch.output_lock(out):
            code = main(["run", "MINI-01", "--cases", str(FIXTURE_CASES), "--output", str(out)])
        err = capsys.readouterr().err
        assert code == 1 and err.count("\n") == 1
        assert f"--output: expected a folder no other run is writing to (pid {os.getpid()} " \
               "holds its lock" in err
        assert not (out / batch.LOCK_FILE).exists(), "the lock file outlives the run"

    def test_the_index_never_links_a_report_of_another_run(self, tmp_path):
        folder = _minis(tmp_path, 1)
        out = tmp_path / "reports"
        status = batch.CaseStatus("MINI-01", True, 1.0, report=str(out / "MINI-01.html"),
                                  run_key="aaaaaaaaaaaaaaaa",
                                  cases_dir=batch.resolved_cases_dir(folder))
        batch.write_statuses([status], out)
        (out / "MINI-01.html").write_text('<meta name="eip-run-key" content="bbbbbbbbbbbbbbbb">')
        (shown,) = batch.index_statuses(out, folder)
        assert not shown.ok and "comes from another run" in shown.error
        (out / "MINI-01.html").write_text('<meta name="eip-run-key" content="aaaaaaaaaaaaaaaa">')
        assert batch.index_statuses(out, folder)[0].ok

    def test_files_whose_names_are_not_ids_are_reported_failed(self, capsys, tmp_path,
                                                              monkeypatch):
        monkeypatch.setattr(batch, "run_one", _fake_status)
        folder = _minis(tmp_path, 1)
        shutil.copy(folder / "MINI-01.yaml", folder / "odd name;x.yaml")
        code = main(["run", "--all", "--cases", str(folder), "--output", str(tmp_path / "r")])
        printed = capsys.readouterr().out
        assert code == 1
        assert "odd name;x.yaml" in printed and "expected a file named <plain id>.yaml" in printed
        assert "1 report(s) written, 1 failed" in printed

    @pytest.mark.parametrize("given", ["../HK-01", "/tmp/x/HK-01.yaml", "HK 01"])
    def test_a_path_is_not_a_case_id(self, capsys, tmp_path, given):
        out = tmp_path / "r"
        assert main(["run", given, "--output", str(out)]) == 1
        assert "CASE_ID: expected a case id of the cases folder" in capsys.readouterr().err
        assert not (tmp_path / "status").exists() and not out.exists()

    @pytest.mark.notebook
    @pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
    def test_a_signal_mid_batch_leaves_reports_matching_statuses(self, tmp_path, signame):
        import signal
        import subprocess
        import sys
        import time

        folder, out = _minis(tmp_path, 4), tmp_path / "reports"
        before = _kernels()
        proc = subprocess.Popen([sys.executable, "-m", "eip_analysis.cli", "run", "--all",
                                 "--jobs", "2", "--cases", str(folder), "--output", str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 240
        while not list((out / "status").glob("*.json")) if (out / "status").exists() else True:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.2)
        proc.send_signal(getattr(signal, signame))
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert f"interrupted by {signame}" in err and "Traceback" not in err
        reports = sorted(p.stem for p in out.glob("MINI-*.html"))
        statuses = batch.index_statuses(out, folder)
        assert reports and [s.case_id for s in statuses] == reports
        assert all(s.ok for s in statuses), [s.error for s in statuses]
        deadline = time.monotonic() + 20
        while _kernels() - before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _kernels() - before, "a kernel outlived the run"
        assert not [p for p in out.rglob("*") if p.name.startswith(".")], "temporary file left"
        assert not [p for p in (out / "notebooks").iterdir() if "failed" in p.name]

    @pytest.mark.notebook
    def test_output_paths_are_taken_literally(self, tmp_path):
        out = tmp_path / "reports{case_id}{x}"
        assert main(["run", "MINI-01", "--cases", str(FIXTURE_CASES), "--output", str(out)]) == 0
        assert (out / "MINI-01.html").is_file() and (out / "notebooks" / "MINI-01.ipynb").stat(
        ).st_size > 1000
        assert batch.status_path(out, "MINI-01").is_file()

    @pytest.mark.notebook
    def test_a_full_disk_fails_the_cases_it_hits_with_a_summary(self, tmp_path, capsys):
        import subprocess

        disk = tmp_path / "small"
        disk.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(disk)],
                                 check=False, capture_output=True)
        if mounted.returncode != 0:
            pytest.skip("cannot mount a small tmpfs here (needs root): "
                        + mounted.stderr.decode().strip())
        try:
            code = main(["run", "MINI-01", "--cases", str(FIXTURE_CASES), "--output", str(disk)])
            printed = capsys.readouterr()
            assert code == 1
            assert "No space left on device" in printed.out + printed.err
            assert "this run: 0 report(s) written, 1 failed" in printed.out
            assert "Traceback" not in printed.err
            leftovers = [p for p in disk.rglob("*") if p.is_file() and (
                p.name.startswith(".") or p.suffix == ".tmp")]
            assert not leftovers, leftovers
            for nb in disk.rglob("*.ipynb"):  # any notebook kept is whole
                __import__("json").loads(nb.read_bytes())
        finally:
            subprocess.run(["umount", str(disk)], check=False)


def test_a_notebook_failure_leaves_nothing_half_written(tmp_path, monkeypatch):
    """papermill wrote its notebook, then the output folder refused the page (read-only)."""
    import json

    import papermill

    from eip_analysis.report import notebook as nbmod

    def fake_execute(inp, outp, **kwargs):
        import nbformat

        nb = nbformat.v4.new_notebook()
        nbformat.write(nb, outp)
        return nb

    def refuse(path, text):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    monkeypatch.setattr(nbmod, "atomic_write_text", refuse)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = report.report_paths(tmp_path / "reports", "MINI-01")
    with pytest.raises(PermissionError):
        nbmod.execute_notebook(report.NOTEBOOK, {}, out, title=lambda s: "t",
                               scratch_dir=scratch)
    assert not any(scratch.iterdir()), "papermill's temporary notebook left behind"
    assert not out["html"].exists()
    json.loads(out["failed"].read_bytes())  # the failed notebook kept is whole


# -- incremental rebuilds: a report whose inputs, code and parameters are unchanged is skipped ----


def _counting(monkeypatch):
    """Replace the unit of work by a fast fake that records the cases it ran."""
    ran: list[str] = []

    def work(task):
        ran.append(task.case_id)
        return fails_on_bad(task)

    monkeypatch.setattr(batch, "run_one", work)
    return ran


class TestIncremental:
    @pytest.fixture
    def setup(self, tmp_path, monkeypatch):
        """Two good cases, a private copy of the factor tables and of the parameter files."""
        folder = tmp_path / "raw" / "cases"
        folder.mkdir(parents=True)
        shutil.copy(MINI, folder)
        data = yaml.safe_load(MINI.read_text())
        data.update(id="MINI-02")
        (folder / "MINI-02.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
        factors = tmp_path / "factors"
        shutil.copytree(paths.factors_dir(), factors)
        parameters = tmp_path / "parameters"
        shutil.copytree(paths.parameters_dir(), parameters)
        monkeypatch.setattr(paths, "factors_dir", lambda: factors)
        monkeypatch.setattr(paths, "parameters_dir", lambda: parameters)
        out = tmp_path / "reports"
        ran = _counting(monkeypatch)

        def run(*extra: str) -> list[str]:
            ran.clear()
            assert main(["run", "--all", "--cases", str(folder), "--output", str(out),
                         *extra]) == 0
            return sorted(ran)

        assert run() == ["MINI-01", "MINI-02"]
        return {"run": run, "folder": folder, "out": out, "factors": factors,
                "parameters": parameters, "tmp": tmp_path}

    def test_unchanged_cases_are_skipped_and_the_summary_says_why(self, setup, capsys):
        capsys.readouterr()
        assert setup["run"]() == []
        printed = capsys.readouterr().out
        assert re.search(r"MINI-01\s+skipped\s+0\.0 .*\(unchanged inputs, code and parameters\)",
                         printed), printed
        assert "this run: 0 report(s) written, 0 failed, 2 skipped as unchanged" in printed
        # the index still lists both, as ok, with the figures of their last run
        index = (setup["out"] / "index.html").read_text(encoding="utf-8")
        assert index.count('data-status="ok"') == 2

    def test_force_rebuilds_everything(self, setup):
        assert setup["run"]("--force") == ["MINI-01", "MINI-02"]

    def test_a_changed_case_file_rebuilds_that_case_only(self, setup, capsys):
        path = setup["folder"] / "MINI-02.yaml"
        path.write_text(path.read_text() + "\n# a comment is a change of the file\n")
        capsys.readouterr()
        assert setup["run"]() == ["MINI-02"]
        assert re.search(r"MINI-02\s+ok .*\(changed: case file\)", capsys.readouterr().out)

    def test_a_changed_esmp_register_rebuilds_that_case_only(self, setup):
        esmp = setup["tmp"] / "raw" / "esmp"
        esmp.mkdir()
        (esmp / "MINI-01.yaml").write_text("case: MINI-01\n")
        assert setup["run"]() == ["MINI-01"]

    def test_a_changed_factor_table_rebuilds_all(self, setup, capsys):
        table = setup["factors"] / "gwp.csv"
        table.write_text(table.read_text() + "\n")
        capsys.readouterr()
        assert setup["run"]() == ["MINI-01", "MINI-02"]
        assert "(changed: factor tables)" in capsys.readouterr().out

    def test_a_changed_parameter_file_rebuilds_all(self, setup):
        defaults = setup["parameters"] / "defaults.yaml"
        defaults.write_text(defaults.read_text() + "\n")
        assert setup["run"]() == ["MINI-01", "MINI-02"]

    def test_the_shortlists_files_rebuild_the_portfolio_only(self, setup, tmp_path):
        from eip_analysis import freshness

        selection = setup["parameters"] / "selection.yaml"
        before = freshness.portfolio_key(setup["folder"], report.PORTFOLIO_NOTEBOOK, {})
        selection.write_text(selection.read_text() + "\n")
        assert setup["run"]() == []  # the opportunity reports do not read it
        after = freshness.portfolio_key(setup["folder"], report.PORTFOLIO_NOTEBOOK, {})
        assert after.changed(before.parts) == ["parameter files"]

    def test_changed_run_parameters_rebuild_and_the_same_ones_skip(self, setup):
        assert setup["run"]("-p", "discount_rate=0.09") == ["MINI-01", "MINI-02"]
        assert setup["run"]("-p", "discount_rate=0.09") == []
        assert setup["run"]() == ["MINI-01", "MINI-02"]

    def test_changed_code_rebuilds_all(self, setup, monkeypatch):
        from eip_analysis import freshness

        monkeypatch.setattr(freshness, "code_hash", lambda: "another version")
        assert setup["run"]() == ["MINI-01", "MINI-02"]

    def test_a_missing_report_or_a_failed_last_run_is_rebuilt(self, setup, capsys):
        (setup["out"] / "MINI-01.html").unlink()
        status = batch.read_statuses(setup["out"], ["MINI-02"])[0]
        batch.write_statuses([replace_status(status, ok=False, error="x")], setup["out"])
        capsys.readouterr()
        assert setup["run"]() == ["MINI-01", "MINI-02"]
        printed = capsys.readouterr().out
        assert "(its report is missing)" in printed and "(its last run failed)" in printed

    def test_asking_for_workbooks_rebuilds(self, setup):
        assert setup["run"]("--workbooks") == ["MINI-01", "MINI-02"]

    def test_a_changed_notebook_rebuilds(self, setup, tmp_path):
        notebook = tmp_path / report.NOTEBOOK.name  # (a file's name is part of its hash)
        shutil.copy(report.NOTEBOOK, notebook)
        task = batch.ReportTask("MINI-01", str(setup["out"]), str(setup["folder"]),
                                notebook=str(notebook))
        assert batch.plan([task])[0] == []  # same bytes as the notebook of the first run
        notebook.write_text(notebook.read_text() + " ")
        to_run, skipped, why = batch.plan([task])
        assert [t.case_id for t in to_run] == ["MINI-01"] and not skipped
        assert why["MINI-01"] == "changed: notebook"

    def test_the_report_records_its_build_key(self, tmp_path):
        page = report.page_html("t", "body", run_key="ab", build_key="cd")
        assert '<meta name="eip-build-key" content="cd">' in page


def replace_status(status, **changes):
    from dataclasses import replace

    return replace(status, **changes)


# -- the Dask executor: the same reports, statuses and summary as the local one ---------------


@pytest.mark.notebook
def test_the_dask_executor_gives_the_reports_of_the_local_one(tmp_path, capsys):
    from .test_report_kernels import _without_run_date

    folder = _cases_folder(tmp_path)  # MINI-01, XSS-01 and the broken BAD-01
    runs = {}
    for executor in ("local", "dask"):
        out = tmp_path / executor
        code = main(["run", "--all", "--cases", str(folder), "--output", str(out), "--jobs", "2",
                     "--executor", executor])
        printed = capsys.readouterr().out
        runs[executor] = {"code": code, "out": out, "printed": printed,
                          "statuses": batch.read_statuses(out, ["BAD-01", "MINI-01", "XSS-01"])}
    local, dask = runs["local"], runs["dask"]
    assert local["code"] == dask["code"] == 1
    for a, b in zip(local["statuses"], dask["statuses"], strict=True):
        assert (a.case_id, a.ok, a.error, a.figures, a.run_key, a.build_parts) == (
            b.case_id, b.ok, b.error, b.figures, b.run_key, b.build_parts)
    for cid in ("MINI-01", "XSS-01"):
        html = [_without_run_date((r["out"] / f"{cid}.html").read_text(encoding="utf-8"))
                for r in (local, dask)]
        assert html[0] == html[1], cid
    for r in (local, dask):
        assert "this run: 2 report(s) written, 1 failed; index: " in r["printed"]
        assert not [p for p in r["out"].rglob(".*") if p.is_file()], "temporary files left"


def test_dask_options_are_checked_in_one_line(capsys, tmp_path, monkeypatch):
    from eip_analysis import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)
    out = tmp_path / "reports"
    assert main(["run", "MINI-01", "--cases", str(FIXTURE_CASES), "--output", str(out),
                 "--scheduler", "tcp://127.0.0.1:1"]) != 0
    assert "--scheduler together with --executor dask" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", "MINI-01", "--executor", "spark"])
    capsys.readouterr()
    code = main(["run", "MINI-01", "--cases", str(FIXTURE_CASES), "--output", str(out),
                 "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1"])
    err = capsys.readouterr().err.strip()
    assert code != 0 and "\n" not in err and "--scheduler: expected the address of a running " \
        "Dask scheduler" in err, err


def test_a_case_that_changes_what_another_report_shows_rebuilds_that_report(tmp_path,
                                                                           monkeypatch):
    """TN-03 and TN-04 exclude each other and draw the same husk: TN-03's report shows the
    cross-case findings, so editing TN-04's husk demand rebuilds both, and TN-02 (unrelated)
    is skipped."""
    folder = tmp_path / "raw" / "cases"
    folder.mkdir(parents=True)
    for cid in ("TN-02", "TN-03", "TN-04"):
        shutil.copy(paths.cases_dir() / f"{cid}.yaml", folder)
    out = tmp_path / "reports"
    ran = _counting(monkeypatch)
    assert main(["run", "--all", "--cases", str(folder), "--output", str(out)]) == 0
    tn04 = folder / "TN-04.yaml"
    data = yaml.safe_load(tn04.read_text())
    data["excludes"] = []  # TN-03 still excludes TN-04: "does not exclude TN-03 in return"
    tn04.write_text(yaml.safe_dump(data, sort_keys=False))
    ran.clear()
    main(["run", "--all", "--cases", str(folder), "--output", str(out)])
    assert sorted(ran) == ["TN-03", "TN-04"]
    status = batch.read_statuses(out, ["TN-03"])[0]
    assert status.build_parts["case"] == batch.keyed(batch.ReportTask(
        "TN-03", str(out), str(folder))).build_parts["case"]  # its own file did not change


def test_a_report_replaced_by_another_run_is_rebuilt(tmp_path, monkeypatch):
    """Same case and parameters, so the same run key, but a report written elsewhere (an
    analyst's run with other code): its build key in the head does not match its status."""
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(MINI, folder)
    out = tmp_path / "reports"
    ran = _counting(monkeypatch)
    main(["run", "--all", "--cases", str(folder), "--output", str(out)])
    html = out / "MINI-01.html"
    html.write_text(html.read_text().replace("eip-build-key\" content=\"", "x\" content=\""))
    ran.clear()
    main(["run", "--all", "--cases", str(folder), "--output", str(out)])
    assert ran == ["MINI-01"]


def test_a_workbook_not_written_by_the_run_is_rebuilt(tmp_path, monkeypatch):
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(MINI, folder)
    out = tmp_path / "reports"

    def with_workbook(task):
        status = fails_on_bad(task)
        path = batch.workbook_path(task.output_dir, task.case_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"the run's workbook")
        return replace_status(status, workbook=str(path),
                              workbook_sha256=batch._sha256(path))

    ran: list[str] = []
    monkeypatch.setattr(batch, "run_one", lambda t: ran.append(t.case_id) or with_workbook(t))
    args = ["run", "--all", "--cases", str(folder), "--output", str(out), "--workbooks"]
    main(args)
    main(args)
    assert ran == ["MINI-01"]  # unchanged: skipped
    batch.workbook_path(out, "MINI-01").write_bytes(b"another command's workbook")
    main(args)
    assert ran == ["MINI-01", "MINI-01"]


def test_a_long_lived_dask_worker_with_other_code_or_data_says_so(tmp_path, monkeypatch):
    """A worker of a running cluster outlives the command: other code fails the case in one
    line; changed factor tables or parameter files give it a new kernel."""
    from eip_analysis import freshness
    from eip_analysis.report import kernels

    monkeypatch.setattr(batch, "_LOADED", {})
    monkeypatch.setattr(batch, "run_one", lambda task: fails_on_bad(task))
    monkeypatch.setattr(kernels, "keep_for_process", lambda: None)  # not in the test process
    discarded = []
    monkeypatch.setattr(kernels, "discard_all", lambda: discarded.append(True))
    task = batch.keyed(batch.ReportTask("MINI-01", str(tmp_path), str(FIXTURE_CASES)))
    assert batch.run_one_reusing_kernel(task).ok and not discarded
    other_data = replace_status(task, build_parts={**task.build_parts, "factors": "changed"})
    assert batch.run_one_reusing_kernel(other_data).ok and discarded == [True]
    other_code = replace_status(task, build_parts={**task.build_parts, "code": "other"})
    status = batch.run_one_reusing_kernel(other_code)
    assert not status.ok and "restart the workers" in status.error
    assert freshness.code_hash() == task.build_parts["code"]
