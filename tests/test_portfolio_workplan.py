"""The work-plan: steps left by status, the critical path method against a hand schedule,
the plan file validated in one line."""

from __future__ import annotations

import copy
import datetime

import pytest
import yaml

from eip_analysis import load_case
from eip_analysis.errors import InputError
from eip_analysis.portfolio.workplan import (
    PROGRESSION,
    Step,
    critical_path_words,
    load_workplan,
    remaining_steps,
    schedule,
    work_plan,
)

from .conftest import MINI


def _step(i, weeks, after=(), by_category=None):
    return Step(id=i, name=i.upper(), owner="o", after=list(after), done_from_status="operating",
                duration_weeks={"value": weeks, "source": "test"},
                duration_weeks_by_category=by_category or {}, gate=f"gate {i}")


@pytest.fixture(scope="module")
def plan():
    return load_workplan()


class TestCriticalPath:
    def test_hand_schedule(self):
        # a(3) -> b(4) -> d(2); a -> c(6) -> d: c is on the critical path (3 + 6 + 2 = 11
        # weeks), b has 6 - 4 = 2 weeks of slack
        s = schedule([_step("a", 3), _step("b", 4, ["a"]), _step("c", 6, ["a"]),
                      _step("d", 2, ["b", "c"])]).set_index("step")
        assert s["start_week"].to_dict() == {"a": 0, "b": 3, "c": 3, "d": 9}
        assert s["finish_week"].max() == 11
        assert s["slack_weeks"].to_dict() == {"a": 0, "b": 2, "c": 0, "d": 0}
        assert s["critical"].to_dict() == {"a": True, "b": False, "c": True, "d": True}

    def test_done_predecessors_count_as_done(self):
        s = schedule([_step("b", 4, ["a"]), _step("d", 2, ["b"])]).set_index("step")
        assert s.loc["b", "start_week"] == 0 and s.loc["d", "finish_week"] == 6

    def test_duration_by_lender_category(self):
        step = _step("esmp", 4, by_category={"B": {"value": 8, "source": "test"}})
        assert schedule([step], "B")["duration_weeks"].iloc[0] == 8
        assert schedule([step], "C")["duration_weeks"].iloc[0] == 4


class TestThePlanFile:
    def test_steps_and_gates(self, plan):
        ids = [s.id for s in plan.steps]
        assert ids == ["pre_feasibility", "feasibility", "esmp", "financing_structure",
                       "investment_proposal", "submission", "decision"]
        assert all(s.owner and s.duration_weeks.source for s in plan.steps)
        assert sum(bool(s.gate) for s in plan.steps) >= 4

    @pytest.mark.parametrize("status, first", [
        ("not_started", "pre_feasibility"), ("studied", "feasibility"),
        ("negotiating", "esmp"), ("in_implementation", "esmp")])
    def test_steps_start_after_the_status(self, plan, status, first):
        assert remaining_steps(plan, status)[0].id == first

    def test_a_case_in_implementation_still_needs_a_financing_structure(self, plan):
        ids = [s.id for s in remaining_steps(plan, "in_implementation")]
        assert ids == ["esmp", "financing_structure", "investment_proposal", "submission",
                       "decision"]

    def test_each_open_barrier_adds_its_step_before_the_proposal(self, plan):
        steps = remaining_steps(plan, "in_implementation",
                                ["regulatory_permits", "financial", "logistics"])
        by_id = {s.id: s for s in steps}
        # a financial barrier is the financing structure's: no step of its own
        assert {"barrier_regulatory_permits", "barrier_logistics"} <= set(by_id)
        assert "barrier_financial" not in by_id
        assert {"barrier_regulatory_permits", "barrier_logistics"} <= set(
            by_id["investment_proposal"].after)
        # 12 weeks for the permit, then proposal 3, submission 2, decision 8 = 25 weeks
        s = schedule(steps).set_index("step")
        assert s["finish_week"].max() == 25
        assert s.loc["barrier_regulatory_permits", "critical"]
        assert s.loc["barrier_logistics", "slack_weeks"] == 6

    def test_nothing_left_when_operating_or_dropped(self, plan):
        assert remaining_steps(plan, "operating") == []
        assert remaining_steps(plan, "dropped") == []
        assert PROGRESSION[-1] == "operating"

    def test_a_not_started_case_from_the_file(self, plan):
        # 6 + 10 + 4 + 3 + 2 + 8 = 33 weeks along pre-feasibility, feasibility, financing,
        # proposal, submission, decision; the ESMP (4 weeks, C) runs beside feasibility
        case = load_case(MINI).model_copy(update={"survey": [
            load_case(MINI).survey[0].model_copy(update={"status": "not_started"})]})
        t = work_plan([case], {"MINI-01": "C"}, plan)
        assert t["finish_week"].max() == 33
        esmp = t.set_index("step").loc["esmp"]
        assert esmp["slack_weeks"] == 10 and not esmp["critical"]
        assert t["finish_date"].max() == plan.plan_start.value + datetime.timedelta(weeks=33)
        words = critical_path_words(t, "MINI-01")
        assert words.startswith("MINI-01 (not started): Pre-feasibility study (6 wk) -> "
                                "Feasibility study (10 wk) -> Financing structure (4 wk)")
        assert "33 weeks to the decision" in words and "ESMP has 10 weeks of slack" in words

    @pytest.mark.parametrize("change, message", [
        (lambda d: d["steps"][1].update(after=["nope"]),
         "steps[1].after: expected steps listed before this one (not nope)"),
        (lambda d: d["steps"][0]["duration_weeks"].update(value=-2),
         ("steps[0].duration_weeks.value: expected a duration in weeks, more than 0 and at "
         "most 520, got -2")),
        (lambda d: d["steps"][0].update(done_from_status="finished"),
         "steps[0].done_from_status: expected one of not_started, studied"),
        (lambda d: d["plan_start"].update(value="soon"),
         "plan_start.value: expected a date YYYY-MM-DD, got 'soon'"),
    ])
    def test_bad_files_in_one_line(self, tmp_path, plan, change, message):
        from eip_analysis import paths

        data = yaml.safe_load((paths.parameters_dir() / "workplan.yaml").read_text())
        data = copy.deepcopy(data)
        change(data)
        path = tmp_path / "workplan.yaml"
        path.write_text(yaml.safe_dump(data))
        with pytest.raises(InputError) as err:
            load_workplan(path)
        assert str(err.value).startswith(f"{path}: ") and message in str(err.value)
        assert "\n" not in str(err.value)
