"""Where each learner stands on a path: per step done / next / late / locked, hours online and in
the classroom, completion; for one learner (their page) or a whole course (the trainer's view).

Everything is read in a fixed number of queries per path (steps, starts, marks, one per step's
kind status), whatever the number of learners, so the trainer's view stays fast for big courses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import User
from .path_models import BlendedPath, BlendedPathStart, BlendedStep, BlendedStepMark
from .paths import localized
from .steps import StepStatus, statuses_of, step_kind

# Why a learner is at risk, besides being late on a step: each check gets the path and the
# learners' progress so far (by user id), and answers {user id: [reasons in plain words]} in a
# fixed number of queries. Registered by the parts that know (session_risks: not booked for a required session
# step). "Absent twice" comes with attendance: it registers its check here, under that name.
RiskCheck = Callable[[Session, BlendedPath, "dict[int, LearnerProgress]"], dict[int, list[str]]]
_risk_checks: dict[str, RiskCheck] = {}


def register_risk_check(name: str, check: RiskCheck) -> None:
    """``name`` says what the check looks for: "not_booked", "absent_twice"..."""
    _risk_checks[name] = check


def risk_checks() -> dict[str, RiskCheck]:
    return dict(_risk_checks)


STATES = ("done", "next", "open", "late", "locked")


@dataclass
class StepProgress:
    step: BlendedStep
    state: str  # one of STATES
    done: bool
    late: bool  # past its due date and not done (also when still locked)
    due: dt.date | None
    hours: float  # hours earned on the step (0 until done)
    classroom: bool
    detail: str = ""
    note: str = ""
    waiting_for: list[BlendedStep] = field(default_factory=list)
    marked: BlendedStepMark | None = None
    tool_done: bool = False  # done from what the tool recorded (not from a mark)
    booking: str = ""  # for a session step: "booked", "waiting" or "" (not booked)


@dataclass
class LearnerProgress:
    user_id: int
    steps: list[StepProgress]
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    # Reasons from the registered risk checks (not booked, absent twice...), in plain words.
    risks: list[str] = field(default_factory=list)

    @property
    def online_hours(self) -> float:
        return round(sum(s.hours for s in self.steps if s.done and not s.classroom), 2)

    @property
    def classroom_hours(self) -> float:
        return round(sum(s.hours for s in self.steps if s.done and s.classroom), 2)

    @property
    def required(self) -> list[StepProgress]:
        return [s for s in self.steps if s.step.required]

    @property
    def percent(self) -> int:
        required = self.required
        if not required:
            return 100 if self.steps and all(s.done for s in self.steps) else 0
        return round(100 * sum(1 for s in required if s.done) / len(required))

    @property
    def all_required_done(self) -> bool:
        required = self.required
        return bool(required) and all(s.done for s in required)

    @property
    def at_risk(self) -> bool:
        return self.completed_at is None and (any(s.late for s in self.steps) or bool(self.risks))

    @property
    def risk_reasons(self) -> list[str]:
        """Plain words for the trainer: late on which steps, then the checks' reasons."""
        if self.completed_at is not None:
            return []
        late = [_late_words(s.step) for s in self.steps if s.late]
        return late + self.risks

    @property
    def late_steps(self) -> list[StepProgress]:
        return [s for s in self.steps if s.late]


def _late_words(step: BlendedStep) -> str:
    return _("Late on: %(step)s", step=localized(step.title, _locale()))


def _locale() -> str:
    return str(get_locale() or "en")[:2]


def _prerequisites(path: BlendedPath, step: BlendedStep) -> set[int]:
    """The step's own prerequisites, and in an ordered path every required step before it."""
    wanted = set(step.prerequisites or [])
    if path.ordered:
        wanted |= {s.id for s in path.steps if s.required and s.position < step.position}
    return wanted


def evaluate(
    session: Session, path: BlendedPath, user_ids: Sequence[int], today: dt.date | None = None
) -> dict[int, LearnerProgress]:
    today = today or dt.date.today()
    user_ids = list(dict.fromkeys(user_ids))
    steps = list(path.steps)
    starts = (
        {
            row.user_id: row
            for row in session.scalars(
                select(BlendedPathStart).where(
                    BlendedPathStart.path_id == path.id, BlendedPathStart.user_id.in_(user_ids)
                )
            )
        }
        if user_ids
        else {}
    )
    marks: dict[tuple[int, int], BlendedStepMark] = {}
    if user_ids and steps:
        for mark in session.scalars(
            select(BlendedStepMark).where(
                BlendedStepMark.step_id.in_([s.id for s in steps]),
                BlendedStepMark.user_id.in_(user_ids),
            )
        ):
            marks[(mark.user_id, mark.step_id)] = mark
    known: dict[int, dict[int, StepStatus]] = {}
    for step in steps:
        kind = step_kind(step.kind)
        known[step.id] = statuses_of(kind, user_ids, step.ref) if kind and user_ids else {}
    by_id = {s.id: s for s in steps}
    # What is the same for every learner is read once: each step's prerequisites and columns
    # (attribute access on ORM objects inside the learners x steps loop was most of the time).
    plan = [
        (
            step,
            step.id,
            _prerequisites(path, step),
            step.due_on,
            step.due_days,
            step.classroom,
            step.hours,
        )
        for step in steps
    ]
    result = {}
    for user_id in user_ids:
        start = starts.get(user_id)
        done_ids: set[int] = set()
        base: dict[int, tuple[bool, StepStatus | None, BlendedStepMark | None]] = {}
        for _step, step_id, *_same in plan:
            found_mark = marks.get((user_id, step_id))
            status = known[step_id].get(user_id)
            done = bool(
                (found_mark is not None and found_mark.done) or (status is not None and status.done)
            )
            base[step_id] = (done, status, found_mark)
            if done:
                done_ids.add(step_id)
        views = []
        next_given = False
        for step, step_id, wanted, due_on, due_days, in_classroom, step_hours in plan:
            done, status, step_mark = base[step_id]
            waiting = sorted(wanted - done_ids) if wanted else []
            due = due_on
            if due is None and due_days is not None and start is not None:
                due = start.started_at.date() + dt.timedelta(days=due_days)
            late = not done and due is not None and due < today
            if done:
                state = "done"
            elif waiting:
                state = "locked"
            elif late:
                state = "late"
            elif not next_given:
                state, next_given = "next", True
            else:
                state = "open"
            earned = 0.0
            classroom = in_classroom or bool(status and status.classroom)
            if done:
                earned = status.hours if status is not None and status.hours else step_hours
            views.append(
                StepProgress(
                    step=step,
                    state=state,
                    done=done,
                    late=late,
                    due=due,
                    hours=earned,
                    classroom=classroom,
                    detail=status.detail if status else "",
                    note=step_mark.note if step_mark is not None else "",
                    waiting_for=[by_id[i] for i in waiting if i in by_id],
                    marked=step_mark,
                    tool_done=bool(status and status.done),
                )
            )
        result[user_id] = LearnerProgress(
            user_id=user_id,
            steps=views,
            started_at=start.started_at if start else None,
            completed_at=start.completed_at if start else None,
        )
    if user_ids and steps:
        for check in _risk_checks.values():
            for user_id, reasons in check(session, path, result).items():
                if user_id in result:
                    result[user_id].risks.extend(reasons)
    return result


def learner_progress(
    session: Session, path: BlendedPath, user_id: int, today: dt.date | None = None
) -> LearnerProgress:
    return evaluate(session, path, [user_id], today)[user_id]


# ---------------------------------------------------------------- the trainer's view

FILTERS = ("at_risk", "completed", "in_progress", "not_started")


@dataclass
class ProgressRow:
    learner: User
    progress: LearnerProgress


@dataclass
class CourseProgress:
    path: BlendedPath
    rows: list[ProgressRow]
    today: dt.date

    def counts(self) -> dict[str, int]:
        return {
            "learners": len(self.rows),
            "completed": sum(1 for r in self.rows if r.progress.completed_at is not None),
            "at_risk": sum(1 for r in self.rows if r.progress.at_risk),
        }

    def hours(self) -> dict[str, float]:
        """Hours done by the learners shown, online and in the classroom."""
        return {
            "online": round(sum(r.progress.online_hours for r in self.rows), 2),
            "classroom": round(sum(r.progress.classroom_hours for r in self.rows), 2),
        }


def _keep(progress: LearnerProgress, wanted: str) -> bool:
    if wanted == "at_risk":
        return progress.at_risk
    if wanted == "completed":
        return progress.completed_at is not None
    if wanted == "in_progress":
        return progress.started_at is not None and progress.completed_at is None
    if wanted == "not_started":
        return progress.started_at is None
    return True


def course_progress(
    session: Session,
    path: BlendedPath,
    learners: Sequence[User],
    *,
    state: str = "",
    name_contains: str = "",
    today: dt.date | None = None,
) -> CourseProgress:
    today = today or dt.date.today()
    needle = name_contains.strip().lower()
    shown = [u for u in learners if not needle or needle in (u.name or u.sub).lower()]
    found = evaluate(session, path, [u.id for u in shown], today)
    rows = [
        ProgressRow(u, found[u.id])
        for u in shown
        if state not in FILTERS or _keep(found[u.id], state)
    ]
    return CourseProgress(path, rows, today)
