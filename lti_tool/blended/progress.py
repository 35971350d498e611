"""Where each learner stands on a path: per step done / next / late / locked, hours online and in
the classroom, completion; for one learner (their page) or a whole course (the trainer's view).

Everything is read in a fixed number of queries per path (steps, starts, marks, one per step's
kind status), whatever the number of learners, so the trainer's view stays fast for big courses.
The view is read-only and built from plain rows. For each learner it keeps only each step's
state and the totals; a step's full view (``StepProgress``: the mark's facts ``mark_done``,
``note``, ``stated`` copied, never the mark itself) is built when a page of that one learner asks
for it. What writes marks (``path_completion``: ticks, statements) reads the rows it changes on
its own, for one learner at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

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
    """One learner's standing on one step, for the pages that show one learner's steps (built on
    demand by ``LearnerProgress.steps``, never for a whole course at once). The mark's facts are
    copied here (``mark_done``, ``stated``...), never the mark itself; writing marks goes through
    ``path_completion``, which reads the rows it changes on its own."""

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


# A learner's mark on a step, as read: its facts as bits of one small int (no object per mark;
# a course's view reads tens of thousands). Its note, when it has one, is kept apart.
MARK_DONE, MARK_STATED = 1, 2  # it says done; its xAPI ``completed`` statement was written


class _Planned(NamedTuple):
    """What is the same for every learner on one step, read once per view."""

    step: BlendedStep
    id: int
    explicit: tuple[int, ...]  # explicit prerequisites (step ids)
    required: bool
    due_on: dt.date | None
    due_days: int | None
    classroom: bool
    hours: float
    known: dict[int, StepStatus]  # the step kind's statuses, by user id


@dataclass(slots=True)
class _PathPlan:
    """One view's shared part: the steps' plan, and words translated once for all learners."""

    steps: list[_Planned]
    by_id: dict[int, BlendedStep]
    ordered: bool
    today: dt.date
    known_by_id: dict[int, dict[int, StepStatus]] = field(init=False)
    required_count: int = field(init=False)
    late_words: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.known_by_id = {p.id: p.known for p in self.steps}
        self.required_count = sum(1 for p in self.steps if p.required)

    def late_on(self, step: BlendedStep) -> str:
        words = self.late_words.get(step.id)
        if words is None:
            words = _("Late on: %(step)s", step=localized(step.title, _locale()))
            self.late_words[step.id] = words
        return words


@dataclass(slots=True, eq=False)
class LearnerProgress:
    """Where one learner stands on a path. Compact for a whole course: per step only its state
    (a shared string), the late steps' positions, and the totals summed while the states are
    decided. ``steps`` gives each step's full view on demand, for the pages of one learner (the
    trainer's table never asks for it)."""

    user_id: int
    plan: _PathPlan = field(repr=False)
    marks: dict[int, int] = field(repr=False)  # the learner's marks (MARK_ bits), by step id
    notes: dict[int, str] = field(repr=False)  # the notes of the learner's marks, by step id
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    states: list[str]  # each step's state, in the path's order (the trainer's table shows these)
    # from ``_walk``, in its order:
    late_positions: tuple[int, ...]  # the steps that are late, by position
    online_hours: float
    classroom_hours: float
    percent: int
    all_required_done: bool
    unstated_steps: bool  # a step is done and its statement not written yet (when read)
    # Reasons from the registered risk checks (not booked, absent twice...), in plain words.
    risks: list[str] = field(default_factory=list)
    _steps: list[StepProgress] | None = field(default=None, init=False, repr=False)

    @property
    def steps(self) -> list[StepProgress]:
        if self._steps is None:
            self._steps = self._build_steps()
        return self._steps

    def _build_steps(self) -> list[StepProgress]:
        start_day = self.started_at.date() if self.started_at is not None else None
        late = set(self.late_positions)
        facts: list[_Facts] = []
        _walk(self.plan, self.user_id, self.marks, start_day, facts)
        views = []
        for position, planned in enumerate(self.plan.steps):
            mark = self.marks.get(planned.id)
            marked = mark is not None
            status = planned.known.get(self.user_id)
            done = self.states[position] == "done"
            waiting, due, earned = facts[position]
            views.append(
                StepProgress(
                    planned.step,
                    self.states[position],
                    done,
                    position in late,
                    due,
                    earned,
                    planned.classroom or (status is not None and status.classroom),
                    planned.required,
                    status.detail if status is not None else "",
                    self.notes.get(planned.id, ""),
                    waiting,
                    marked,
                    marked and bool(mark & MARK_DONE),
                    marked and bool(mark & MARK_STATED),
                    status is not None and status.done,
                    status.booking if status is not None else "",
                    self.plan.by_id,
                )
            )
        return views

    def done_at(self, position: int) -> bool:
        """Whether the step at ``position`` (in the path's order) is done."""
        return self.states[position] == "done"

    def booking_at(self, position: int) -> str:
        """The learner's seat on the step at ``position``, as its kind read it: "booked",
        "waiting" or "" (no seat, or not a step with seats)."""
        status = self.plan.steps[position].known.get(self.user_id)
        return status.booking if status is not None else ""

    @property
    def unstated(self) -> bool:
        """A step is done and its xAPI ``completed`` statement is not written yet."""
        if self._steps is not None:  # ``path_completion`` writes them through the step views
            return any(v.done and not v.stated for v in self._steps)
        return self.unstated_steps

    @property
    def required(self) -> list[StepProgress]:
        return [s for s in self.steps if s.required]

    @property
    def reopened(self) -> bool:
        """Completed, then a required step was marked not done again. The completion stays: its
        grade and passport entry were sent; the pages say so."""
        return self.completed_at is not None and not self.all_required_done

    @property
    def at_risk(self) -> bool:
        return self.completed_at is None and (bool(self.late_positions) or bool(self.risks))

    @property
    def risk_reasons(self) -> list[str]:
        """Plain words for the trainer: late on which steps, then the checks' reasons."""
        if self.completed_at is not None:
            return []
        late = [self.plan.late_on(self.plan.steps[i].step) for i in self.late_positions]
        return late + self.risks

    @property
    def late_steps(self) -> list[StepProgress]:
        return [s for s in self.steps if s.late]


def _locale() -> str:
    return str(get_locale() or "en")[:2]


_NO_MARKS: dict[int, int] = {}
_NO_NOTES: dict[int, str] = {}
_NO_IDS: frozenset[int] = frozenset()
# What the pages of one learner show besides the state: the ids of the steps a step waits for,
# its due date, the hours earned on it.
_Facts = tuple[tuple[int, ...], dt.date | None, float]


def _starts(
    session: Session, path: BlendedPath, user_ids: list[int]
) -> dict[int, tuple[dt.datetime, dt.datetime | None]]:
    query = select(
        BlendedPathStart.user_id, BlendedPathStart.started_at, BlendedPathStart.completed_at
    ).where(BlendedPathStart.path_id == path.id)
    if len(user_ids) <= BIND_LEARNERS_UP_TO:
        query = query.where(BlendedPathStart.user_id.in_(user_ids))
    rows = session.connection().execute(query).all()  # Core: no ORM result layer per row
    return {user_id: (started, completed) for user_id, started, completed in rows}


def _marks(
    session: Session, step_ids: list[int], user_ids: list[int]
) -> tuple[dict[int, dict[int, int]], dict[int, dict[int, str]]]:
    """{user id: {step id: MARK_ bits}} and {user id: {step id: note}} (marks with a note only),
    from plain rows."""
    query = select(
        BlendedStepMark.user_id,
        BlendedStepMark.step_id,
        BlendedStepMark.done,
        BlendedStepMark.note,
        BlendedStepMark.stated_at.is_not(None),
    ).where(BlendedStepMark.step_id.in_(step_ids))
    if len(user_ids) <= BIND_LEARNERS_UP_TO:
        query = query.where(BlendedStepMark.user_id.in_(user_ids))
    marks: dict[int, dict[int, int]] = {}
    notes: dict[int, dict[int, str]] = {}
    # Core execution (no ORM result layer), fetched in chunks: a fetch per row is slow, and all
    # rows at once live long enough to make the garbage collector walk the whole process.
    for chunk in session.connection().execute(query).partitions(1000):
        for user_id, step_id, done, note, stated in chunk:
            mine = marks.get(user_id)
            if mine is None:
                mine = marks[user_id] = {}
            mine[step_id] = (MARK_DONE if done else 0) | (MARK_STATED if stated else 0)
            if note:
                notes.setdefault(user_id, {})[step_id] = note
    return marks, notes


def _done(
    marks: dict[int, int],
    known: dict[int, StepStatus] | None,
    step_id: int,
    user_id: int,
) -> bool:
    """Whether another step of the learner is done (for explicit prerequisites, which may come
    later in the path)."""
    if marks.get(step_id, 0) & MARK_DONE:
        return True
    status = known.get(user_id) if known is not None else None
    return status is not None and status.done


class _Walked(NamedTuple):
    states: list[str]
    late_positions: tuple[int, ...]
    online_hours: float
    classroom_hours: float
    percent: int
    all_required_done: bool
    unstated_steps: bool


def _walk(
    plan: _PathPlan,
    user_id: int,
    mine: dict[int, int],
    start_day: dt.date | None,
    facts: list[_Facts] | None = None,
) -> _Walked:
    """One learner's way through the path's steps: each step's state, the late ones, the totals.
    Only shared values are kept per step (a state string): a course's view has tens of thousands
    of cells, and an object per cell was most of its time (making them, then the garbage
    collector walking them). What each step waits for and its due date are given only when
    asked (``facts``, for the pages of one learner)."""
    today, ordered, known_by_id = plan.today, plan.ordered, plan.known_by_id
    states: list[str] = []
    late_positions: list[int] = []
    online = classroom = 0.0
    done_count = required_done = 0
    unstated = False
    next_given = False
    # In an ordered path, the required steps not done so far: every later step waits for them.
    before: list[int] = []
    for position, (
        _step,
        step_id,
        explicit,
        required,
        due_on,
        due_days,
        in_classroom,
        step_hours,
        known,
    ) in enumerate(plan.steps):
        # Most cells have no mark or no status: an empty dict is not asked.
        mark = mine.get(step_id, 0) if mine else 0
        status = known.get(user_id) if known else None
        done = bool(mark & MARK_DONE) or (status is not None and status.done)
        due = due_on
        if due is None and due_days is not None and start_day is not None:
            due = start_day + dt.timedelta(days=due_days)
        if done:
            state = "done"
            done_count += 1
            if required:
                required_done += 1
            if not mark & MARK_STATED:
                unstated = True
            earned = status.hours if status is not None and status.hours else step_hours
            if in_classroom or (status is not None and status.classroom):
                classroom += earned
            else:
                online += earned
            if facts is not None:
                facts.append(((), due, earned))
        else:
            extra: frozenset[int] | set[int] = _NO_IDS
            if explicit:
                extra = {i for i in explicit if not _done(mine, known_by_id.get(i), i, user_id)}
            waiting = bool(before or extra)
            if facts is not None:
                ids = tuple(sorted(extra.union(before))) if extra else tuple(before)
                facts.append((ids, due, 0.0))
            if ordered and required:
                before.append(step_id)
            late = due is not None and due < today
            if late:
                late_positions.append(position)
            if waiting:
                state = "locked"
            elif late:
                state = "late"
            elif not next_given:
                state, next_given = "next", True
            else:
                state = "open"
        states.append(state)
    if plan.required_count:
        percent = round(100 * required_done / plan.required_count)
    else:
        percent = 100 if plan.steps and done_count == len(plan.steps) else 0
    return _Walked(
        states,
        tuple(late_positions),
        round(online, 2),
        round(classroom, 2),
        percent,
        bool(plan.required_count) and required_done == plan.required_count,
        unstated,
    )


def evaluate(
    session: Session, path: BlendedPath, user_ids: Sequence[int], today: dt.date | None = None
) -> dict[int, LearnerProgress]:
    today = today or dt.date.today()
    user_ids = list(dict.fromkeys(user_ids))
    if not user_ids:
        return {}
    steps = list(path.steps)
    starts = _starts(session, path, user_ids)
    marks, notes = _marks(session, [s.id for s in steps], user_ids) if steps else ({}, {})
    # What is the same for every learner is read once: each step's columns, its explicit
    # prerequisites and the statuses its kind knows (attribute access on ORM objects inside the
    # learners x steps loop was most of the time).
    planned = []
    for step in steps:
        kind = step_kind(step.kind)
        planned.append(
            _Planned(
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
    plan = _PathPlan(planned, {s.id: s for s in steps}, path.ordered, today)
    result = {}
    for user_id in user_ids:
        started, completed = starts.get(user_id, (None, None))
        mine = marks.get(user_id, _NO_MARKS)
        walked = _walk(plan, user_id, mine, started.date() if started is not None else None)
        result[user_id] = LearnerProgress(
            user_id, plan, mine, notes.get(user_id, _NO_NOTES), started, completed, *walked
        )
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
