"""The work-plan of the shortlisted solutions: steps to a bank's decision, gates, critical path.

``data/raw/parameters/workplan.yaml`` (:func:`load_workplan`) lists the steps from
pre-feasibility to the bank's decision, each with its owner, duration [weeks], predecessors
(``after``), the go/no-go gate that closes it and the survey status from which it is already
done. :func:`work_plan` schedules the steps a case still needs, from its latest survey status,
with a step for each barrier still open at that round (a permit or legal opinion, a trial,
an agreement, a market test, a supply contract: ``barrier_steps``), by the critical path
method (CPM): a step starts when its last predecessor ends (earliest start
``ES = max EF`` of its predecessors, ``EF = ES + duration``); the latest finish that does not
delay the decision is ``LF = min LS`` of its successors; the slack is ``LF - EF``; the critical
path is the chain of steps without slack (Kelley and Walker, 1959). The ESMP takes the duration
of the case's lender's category.

Each case's plan runs from ``plan_start`` on its own: the plans do not share the programme's
staff (a resource-levelled plan is the programme manager's, not computed here).

References
----------
1. Kelley, J. E. and Walker, M. R. (1959). Critical-path planning and scheduling. *Proceedings
   of the Eastern Joint Computer Conference*, 160-173.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .. import paths
from ..cases import BARRIER_CATEGORIES, SURVEY_STATUSES, Case, read_yaml
from ..errors import InputError

WORKPLAN_FILE = "workplan.yaml"
#: The statuses along which a step is done, in order (``dropped`` has no plan).
PROGRESSION = tuple(s for s in SURVEY_STATUSES if s != "dropped")


class _Sourced(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    unit: str = ""
    source: Annotated[str, Field(min_length=3)]


class Weeks(_Sourced):
    value: Annotated[float, Field(gt=0, le=520, allow_inf_nan=False)]


class StartDate(_Sourced):
    value: datetime.date


class Step(BaseModel):
    """One step of the work-plan."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: Annotated[str, Field(min_length=1)]
    owner: Annotated[str, Field(min_length=1)]
    duration_weeks: Weeks
    duration_weeks_by_category: dict[Literal["A", "B", "C"], Weeks] = {}
    after: list[str] = []
    done_from_status: Literal[PROGRESSION]
    gate: str = ""

    def weeks(self, category: str) -> float:
        """The duration for a case of lender's category ``category`` [weeks]."""
        d = self.duration_weeks_by_category.get(category)
        return (d or self.duration_weeks).value


class BarrierStep(BaseModel):
    """The step that removes one barrier category (``barrier_steps:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    name: Annotated[str, Field(min_length=1)]
    owner: Annotated[str, Field(min_length=1)]
    duration_weeks: Weeks
    gate: str = ""


class Workplan(BaseModel):
    """The steps (``data/raw/parameters/workplan.yaml``), each after its predecessors, and
    the steps that remove the barriers still open."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    plan_start: StartDate
    steps: Annotated[list[Step], Field(min_length=1)]
    barrier_steps_after: str | None = None
    barrier_steps_before: str | None = None
    barrier_steps: dict[Literal[BARRIER_CATEGORIES], BarrierStep] = {}
    source_file: str | None = None

    @model_validator(mode="after")
    def _order(self) -> Workplan:
        seen: list[str] = []
        for i, s in enumerate(self.steps):
            if s.id in seen:
                raise ValueError(f"steps[{i}].id: each step id once (not {s.id})")
            for p in s.after:
                if p not in seen:
                    raise ValueError(f"steps[{i}].after: steps listed before this one "
                                     f"(not {p})")
            seen.append(s.id)
        if self.barrier_steps:
            for name in ("barrier_steps_after", "barrier_steps_before"):
                if getattr(self, name) not in seen:
                    raise ValueError(f"{name}: a step id ({', '.join(seen)})")
            if seen.index(self.barrier_steps_after) >= seen.index(self.barrier_steps_before):
                raise ValueError("barrier_steps_before: a step after barrier_steps_after")
        return self


def load_workplan(path: str | Path | None = None) -> Workplan:
    """Read and validate the work-plan steps.

    Raises
    ------
    InputError
        One line naming the file and the field: bad YAML, a duration that is not a positive
        number of weeks, a predecessor not listed before its step (which also rules out cycles),
        an unknown status.
    """
    path = Path(path) if path is not None else paths.parameters_dir() / WORKPLAN_FILE
    if not path.exists():
        raise InputError("a work-plan file (plan_start, steps)", file=path)
    data, _ = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("a mapping with plan_start and steps", file=path)
    try:
        return Workplan.model_validate({**data, "source_file": str(path)})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        field = ".".join(f"[{x}]" if isinstance(x, int) else str(x) for x in err["loc"])
        field = field.replace(".[", "[")
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "value_error" and ": " in message:
            field, message = message.split(": ", 1)
        if err["type"] == "missing":
            message = "this field (required)"
        elif err["loc"][-2:-1] in (("duration_weeks",), ("A",), ("B",), ("C",)) and \
                err["loc"][-1:] == ("value",):
            message = "a duration in weeks, more than 0 and at most 520"
        elif err["loc"][-1:] == ("done_from_status",):
            message = f"one of {', '.join(PROGRESSION)}"
        elif err["loc"][:2] == ("plan_start", "value"):
            message = "a date YYYY-MM-DD"
        got = err.get("input") if err["type"] not in ("missing", "value_error") and not \
            isinstance(err.get("input"), dict | list) else None
        raise InputError(message, file=path, field=field or None, got=got) from None


def remaining_steps(plan: Workplan, status: str, barriers: Sequence[str] = ()) -> list[Step]:
    """The steps a case at survey ``status`` still needs (none when dropped or operating),
    with one step per open barrier of ``barriers`` that ``barrier_steps`` lists (after
    ``barrier_steps_after``; ``barrier_steps_before`` waits for them)."""
    if status not in PROGRESSION:
        return []
    at = PROGRESSION.index(status)
    extra = [Step(id=f"barrier_{b}", name=plan.barrier_steps[b].name,
                  owner=plan.barrier_steps[b].owner,
                  duration_weeks=plan.barrier_steps[b].duration_weeks,
                  after=[plan.barrier_steps_after], done_from_status="operating",
                  gate=plan.barrier_steps[b].gate)
             for b in barriers if b in plan.barrier_steps]
    out: list[Step] = []
    for s in plan.steps:
        if s.id == plan.barrier_steps_before and extra:
            s = s.model_copy(update={"after": [*s.after, *(e.id for e in extra)]})
            out += extra
        if PROGRESSION.index(s.done_from_status) > at:
            out.append(s)
    return out


def schedule(steps: Sequence[Step], category: str = "C") -> pd.DataFrame:
    """CPM schedule of ``steps`` (predecessors not among them count as done).

    Returns
    -------
    pandas.DataFrame
        One row per step in plan order: ``step``, ``name``, ``owner``, ``duration_weeks``,
        ``start_week``, ``finish_week`` (earliest), ``slack_weeks``, ``critical``, ``gate``.

    Examples
    --------
    Two steps side by side after a first one: the longer is critical, the other has slack.

    >>> from eip_analysis.portfolio.workplan import Step
    >>> def step(i, weeks, after=()):
    ...     return Step(id=i, name=i, owner="o", after=list(after), done_from_status="operating",
    ...                 duration_weeks={"value": weeks, "source": "example"})
    >>> s = schedule([step("a", 2), step("b", 5, ["a"]), step("c", 3, ["a"]),
    ...               step("d", 1, ["b", "c"])])
    >>> [(r.step, r.start_week, r.finish_week, r.slack_weeks, r.critical) for r in s.itertuples()]
    [('a', 0.0, 2.0, 0.0, True), ('b', 2.0, 7.0, 0.0, True), ('c', 2.0, 5.0, 2.0, False), ('d', 7.0, 8.0, 0.0, True)]
    """
    ids = {s.id for s in steps}
    start: dict[str, float] = {}
    finish: dict[str, float] = {}
    for s in steps:
        start[s.id] = max((finish[p] for p in s.after if p in ids), default=0.0)
        finish[s.id] = start[s.id] + s.weeks(category)
    end = max(finish.values(), default=0.0)
    latest_finish: dict[str, float] = {}
    for s in reversed(steps):
        successors = [t for t in steps if s.id in t.after]
        latest_finish[s.id] = min((latest_finish[t.id] - t.weeks(category) for t in successors),
                                  default=end)
    rows = []
    for s in steps:
        slack = latest_finish[s.id] - finish[s.id]
        rows.append({"step": s.id, "name": s.name, "owner": s.owner,
                     "duration_weeks": s.weeks(category), "start_week": start[s.id],
                     "finish_week": finish[s.id], "slack_weeks": slack,
                     "critical": abs(slack) < 1e-9, "gate": s.gate})
    return pd.DataFrame(rows, columns=["step", "name", "owner", "duration_weeks", "start_week",
                                       "finish_week", "slack_weeks", "critical", "gate"])


def work_plan(cases: Sequence[Case], categories: Mapping[str, str],
              plan: Workplan | None = None) -> pd.DataFrame:
    """The schedule of each case from its latest survey status.

    Parameters
    ----------
    cases : sequence of Case
        The cases to plan (the shortlist).
    categories : mapping
        Case id -> lender's E&S category (sets the ESMP's duration).
    plan : Workplan, optional
        Default :func:`load_workplan`.

    Returns
    -------
    pandas.DataFrame
        :func:`schedule`'s columns with ``case_id``, ``status`` (the latest), ``start_date`` and
        ``finish_date`` (from ``plan_start``); cases with no step left have no rows.
    """
    plan = plan if plan is not None else load_workplan()
    frames = []
    origin = plan.plan_start.value
    for c in sorted(cases, key=lambda c: c.id):
        steps = remaining_steps(plan, c.latest_survey.status, c.latest_survey.barriers)
        if not steps:
            continue
        s = schedule(steps, categories.get(c.id, "C"))
        s.insert(0, "case_id", c.id)
        s.insert(1, "status", c.latest_survey.status)
        s["start_date"] = [origin + datetime.timedelta(weeks=w) for w in s["start_week"]]
        s["finish_date"] = [origin + datetime.timedelta(weeks=w) for w in s["finish_week"]]
        frames.append(s)
    columns = ["case_id", "status", "step", "name", "owner", "duration_weeks", "start_week",
               "finish_week", "slack_weeks", "critical", "gate", "start_date", "finish_date"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def critical_path_words(plan_table: pd.DataFrame, case_id: str) -> str:
    """The critical path of one case in words: steps, length, decision date, slack elsewhere.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"case_id": ["X"] * 2, "status": ["studied"] * 2,
    ...     "name": ["Feasibility study", "ESMP"], "duration_weeks": [10.0, 4.0],
    ...     "finish_week": [10.0, 4.0], "slack_weeks": [0.0, 6.0], "critical": [True, False],
    ...     "finish_date": [pd.Timestamp("2021-03-15").date()] * 2})
    >>> critical_path_words(t, "X")
    'X (studied): Feasibility study (10 wk): 10 weeks to the decision, 2021-03-15. ESMP has 6 weeks of slack.'
    """
    rows = plan_table[plan_table["case_id"] == case_id]
    if rows.empty:
        return f"{case_id}: no step left before a bank's decision"
    critical = rows[rows["critical"]]
    path = " -> ".join(f"{r.name} ({r.duration_weeks:g} wk)" for r in critical.itertuples())
    end = rows["finish_week"].max()
    last = rows.loc[rows["finish_week"].idxmax(), "finish_date"]
    text = (f"{case_id} ({rows['status'].iloc[0].replace('_', ' ')}): {path}: {end:g} weeks to "
            f"the decision, {last.isoformat()}.")
    slack = rows[~rows["critical"]]
    if not slack.empty:
        text += " " + "; ".join(f"{r.name} has {r.slack_weeks:g} weeks of slack"
                                for r in slack.itertuples()) + "."
    return text
