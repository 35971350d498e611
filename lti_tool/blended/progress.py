"""Where each learner stands on a path: per step done / next / late / locked, hours online and in
the classroom, completion; for one learner (their page) or a whole course (the trainer's view).

Everything is read in a fixed number of queries per path (steps, starts, marks, one per step's
kind status), whatever the number of learners, so the trainer's view stays fast for big courses.
The view is read-only and built from plain rows: a mark's facts are copied into the step's view
(``mark_done``, ``note``, ``stated``), never the mark itself. What writes marks (``path_completion``:
ticks, statements) reads the rows it changes on its own, for one learner at a time.
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
from .steps import BIND_LEARNERS_UP_TO, StepStatus, statuses_of, step_kind

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


@dataclass(slots=True)
class StepProgress:
    """One learner's standing on one step. Built from plain rows for a whole course at once: the
    mark's facts are copied here (``mark_done``, ``stated``...), never the mark itself; writing
    marks goes through ``path_completion``, which reads the rows it changes on its own."""

    step: BlendedStep
    state: str  # one of STATES
    done: bool
    late: bool  # past its due date and not done (also when still locked)
    due: dt.date | None
    hours: float  # hours earned on the step (0 until done)
    classroom: bool
    required: bool
    detail: str = ""
    note: str = ""
    # ids of the steps this one waits for (``waiting_for`` gives the steps themselves)
    waiting_ids: tuple[int, ...] = ()
    marked: bool = False  # a mark row exists for the learner's step
    mark_done: bool = False  # ... and it says done (a trainer's tick, an opened document)
    stated: bool = False  # its xAPI ``completed`` statement was written
    tool_done: bool = False  # done from what the tool recorded (not from a mark)
    booking: str = ""  # for a session step: "booked", "waiting" or "" (not booked)
    steps_by_id: dict[int, BlendedStep] = field(default_factory=dict, repr=False)

    @property
    def waiting_for(self) -> list[BlendedStep]:
        return [self.steps_by_id[i] for i in self.waiting_ids if i in self.steps_by_id]


@dataclass
class LearnerProgress:
    user_id: int
    steps: list[StepProgress]
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    # Reasons from the registered risk checks (not booked, absent twice...), in plain words.
    risks: list[str] = field(default_factory=list)
    # "Late on: <step>" by step id, translated once for all the learners of one view.
    late_words: dict[int, str] = field(default_factory=dict, repr=False)

    @property
    def online_hours(self) -> float:
        return round(sum(s.hours for s in self.steps if s.done and not s.classroom), 2)

    @property
    def classroom_hours(self) -> float:
        return round(sum(s.hours for s in self.steps if s.done and s.classroom), 2)

    @property
    def required(self) -> list[StepProgress]:
        return [s for s in self.steps if s.required]

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
    def reopened(self) -> bool:
        """Completed, then a required step was marked not done again. The completion stays: its
        grade and passport entry were sent; the pages say so."""
        return self.completed_at is not None and not self.all_required_done

    @property
    def states(self) -> list[str]:
        """Each step's state, in the path's order (the trainer's table shows only these)."""
        return [s.state for s in self.steps]

    @property
    def at_risk(self) -> bool:
        return self.completed_at is None and (any(s.late for s in self.steps) or bool(self.risks))

    @property
    def risk_reasons(self) -> list[str]:
        """Plain words for the trainer: late on which steps, then the checks' reasons."""
        if self.completed_at is not None:
            return []
        late = [_late_words(s.step, self.late_words) for s in self.steps if s.late]
        return late + self.risks

    @property
    def late_steps(self) -> list[StepProgress]:
        return [s for s in self.steps if s.late]


def _late_words(step: BlendedStep, known: dict[int, str]) -> str:
    words = known.get(step.id)
    if words is None:
        words = known[step.id] = _("Late on: %(step)s", step=localized(step.title, _locale()))
    return words


def _locale() -> str:
    return str(get_locale() or "en")[:2]


_NO_MARKS: dict[int, tuple[bool, str, bool]] = {}


def _starts(
    session: Session, path: BlendedPath, user_ids: list[int]
) -> dict[int, tuple[dt.datetime, dt.datetime | None]]:
    query = select(
        BlendedPathStart.user_id, BlendedPathStart.started_at, BlendedPathStart.completed_at
    ).where(BlendedPathStart.path_id == path.id)
    if len(user_ids) <= BIND_LEARNERS_UP_TO:
        query = query.where(BlendedPathStart.user_id.in_(user_ids))
    return {user_id: (started, completed) for user_id, started, completed in session.execute(query)}


def _marks(
    session: Session, step_ids: list[int], user_ids: list[int]
) -> dict[int, dict[int, tuple[bool, str, bool]]]:
    """{user id: {step id: (done, note, stated)}}, from plain rows (no ORM objects: a course's
    view reads tens of thousands of them)."""
    query = select(
        BlendedStepMark.user_id,
        BlendedStepMark.step_id,
        BlendedStepMark.done,
        BlendedStepMark.note,
        BlendedStepMark.stated_at.is_not(None),
    ).where(BlendedStepMark.step_id.in_(step_ids))
    if len(user_ids) <= BIND_LEARNERS_UP_TO:
        query = query.where(BlendedStepMark.user_id.in_(user_ids))
    found: dict[int, dict[int, tuple[bool, str, bool]]] = {}
    # Core execution: rows come straight from the driver, without the ORM's result layer.
    for user_id, step_id, done, note, stated in session.connection().execute(query):
        found.setdefault(user_id, {})[step_id] = (bool(done), note or "", bool(stated))
    return found


def _done(
    marks: dict[int, tuple[bool, str, bool]],
    known: dict[int, StepStatus] | None,
    step_id: int,
    user_id: int,
) -> bool:
    """Whether another step of the learner is done (for explicit prerequisites, which may come
    later in the path)."""
    mark = marks.get(step_id)
    if mark is not None and mark[0]:
        return True
    status = known.get(user_id) if known is not None else None
    return status is not None and status.done


def evaluate(
    session: Session, path: BlendedPath, user_ids: Sequence[int], today: dt.date | None = None
) -> dict[int, LearnerProgress]:
    today = today or dt.date.today()
    user_ids = list(dict.fromkeys(user_ids))
    if not user_ids:
        return {}
    steps = list(path.steps)
    starts = _starts(session, path, user_ids)
    marks = _marks(session, [s.id for s in steps], user_ids) if steps else {}
    by_id = {s.id: s for s in steps}
    ordered = path.ordered
    # What is the same for every learner is read once: each step's columns, its explicit
    # prerequisites and the statuses its kind knows (attribute access on ORM objects inside the
    # learners x steps loop was most of the time).
    plan = []
    for step in steps:
        kind = step_kind(step.kind)
        plan.append(
            (
                step,
                step.id,
                tuple(step.prerequisites or ()),
                step.required,
                step.due_on,
                step.due_days,
                step.classroom,
                step.hours,
                statuses_of(kind, user_ids, step.ref) if kind else {},
            )
        )
    known_by_id = {step_id: known for _step, step_id, *_same, known in plan}
    late_words: dict[int, str] = {}
    result = {}
    for user_id in user_ids:
        started, completed = starts.get(user_id, (None, None))
        start_day = started.date() if started is not None else None
        mine = marks.get(user_id, _NO_MARKS)
        views = []
        next_given = False
        # In an ordered path, the required steps not done so far: every later step waits for them.
        before: tuple[int, ...] = ()
        for (
            step,
            step_id,
            explicit,
            required,
            due_on,
            due_days,
            in_classroom,
            step_hours,
            known,
        ) in plan:
            # Most cells have no mark or no status: an empty dict is not asked.
            step_mark = mine.get(step_id) if mine else None
            status = known.get(user_id) if known else None
            done = (step_mark is not None and step_mark[0]) or (status is not None and status.done)
            waiting: tuple[int, ...] = ()
            if not done:
                waiting = before
                if explicit:
                    extra = {i for i in explicit if not _done(mine, known_by_id.get(i), i, user_id)}
                    if extra:
                        waiting = tuple(sorted(extra.union(before)))
                if ordered and required:
                    before = (*before, step_id)
            due = due_on
            if due is None and due_days is not None and start_day is not None:
                due = start_day + dt.timedelta(days=due_days)
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
            if done:
                earned = status.hours if status is not None and status.hours else step_hours
            views.append(
                StepProgress(
                    step,
                    state,
                    done,
                    late,
                    due,
                    earned,
                    in_classroom or (status is not None and status.classroom),
                    required,
                    status.detail if status is not None else "",
                    step_mark[1] if step_mark is not None else "",
                    waiting,
                    step_mark is not None,
                    step_mark is not None and step_mark[0],
                    step_mark is not None and step_mark[2],
                    status is not None and status.done,
                    "",
                    by_id,
                )
            )
        result[user_id] = LearnerProgress(user_id, views, started, completed, [], late_words)
    if steps:
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
