"""What follows when a learner's step gets done, and when their path is complete.

- A step done (a trainer's tick, the learner opening a document, the tool seeing a package
  completed) is kept as a mark; its xAPI ``completed`` statement (the path as
  ``contextActivities.parent``) and the path's ``progressed`` statement are written once per mark.
- All required steps done completes the path exactly once: a guarded UPDATE of
  ``blended_path_start.completed_at`` decides, then a grade goes to the grade outbox (the path's
  placement's line item), ``completed`` is stated for the path, and the passport's service records
  an entry. The claim, grade and statements share one transaction with the passport entry.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xapi import vocab
from xapi.actor import account_actor
from xapi.emitter import Emitter

from ..lti.grades import queue_score
from ..models import Course, Platform, User, utcnow
from ..passports.services import PassportError, record_completion
from .path_models import BlendedPath, BlendedPathStart, BlendedStep, BlendedStepMark
from .paths import localized
from .progress import LearnerProgress, learner_progress

log = logging.getLogger(__name__)
PASSPORT_SOURCE = "blended_path"


def path_activity(path: BlendedPath) -> str:
    return f"/blended/paths/{path.id}"


def step_activity(step: BlendedStep) -> str:
    return f"/blended/paths/{step.path_id}/steps/{step.id}"


def _grouping(session: Session, path: BlendedPath) -> list[str]:
    course = session.get(Course, path.course_id)
    platform = session.get(Platform, path.platform_id)
    if course is None or platform is None:
        return []
    return [f"{platform.issuer.rstrip('/')}/lti/context/{course.context_id}", platform.issuer]


def _actor(user: User) -> dict[str, object]:
    return account_actor(user.issuer, user.account_name, user.name or None)


def start_path(session: Session, path: BlendedPath, user_id: int) -> BlendedPathStart:
    """The learner's start (kept when they started before). Commits."""
    found = session.scalars(
        select(BlendedPathStart).where(
            BlendedPathStart.path_id == path.id, BlendedPathStart.user_id == user_id
        )
    ).first()
    if found is not None:
        return found
    start = BlendedPathStart(path_id=path.id, user_id=user_id, started_at=utcnow())
    session.add(start)
    try:
        session.commit()
    except IntegrityError:  # a second tab started it at the same moment
        session.rollback()
        return session.scalars(
            select(BlendedPathStart).where(
                BlendedPathStart.path_id == path.id, BlendedPathStart.user_id == user_id
            )
        ).one()
    return start


def set_mark(
    session: Session,
    step: BlendedStep,
    user_id: int,
    *,
    done: bool,
    source: str,
    note: str = "",
    actor_id: int | None = None,
) -> BlendedStepMark:
    """Keep the fact (one row per learner and step, updated in place). No commit."""
    mark = session.scalars(
        select(BlendedStepMark).where(
            BlendedStepMark.step_id == step.id, BlendedStepMark.user_id == user_id
        )
    ).first()
    if mark is None:
        mark = BlendedStepMark(step_id=step.id, user_id=user_id)
        session.add(mark)
    mark.done, mark.source, mark.note = done, source, note.strip()[:2000]
    mark.marked_by_id, mark.marked_at = actor_id, utcnow()
    session.flush()
    return mark


def _claim_statement(session: Session, mark_id: int) -> bool:
    """True for exactly one caller: the one whose UPDATE set the mark's ``stated_at``."""
    claimed = session.execute(
        update(BlendedStepMark)
        .where(BlendedStepMark.id == mark_id, BlendedStepMark.stated_at.is_(None))
        .values(stated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _state_steps(
    session: Session, base_url: str, path: BlendedPath, user: User, progress: LearnerProgress
) -> None:
    """``completed`` for each newly done step, then ``progressed`` for the path. No commit.

    The progress view carries plain facts, not marks: the marks to write are read here, for
    this learner's steps only."""
    pending = [view for view in progress.steps if view.done and not view.stated]
    if not pending:
        return
    marks = {
        mark.step_id: mark
        for mark in session.scalars(
            select(BlendedStepMark).where(
                BlendedStepMark.step_id.in_([view.step.id for view in pending]),
                BlendedStepMark.user_id == user.id,
            )
        )
    }
    emitter = Emitter(session, base_url)
    grouping = _grouping(session, path)
    newly = []
    for view in pending:
        mark = marks.get(view.step.id)
        if mark is None:  # done from what the tool recorded: keep it as a fact of ours
            mark = set_mark(session, view.step, user.id, done=True, source="tool")
        view.marked = True
        view.stated = True
        if not _claim_statement(session, mark.id):  # stated by another request meanwhile
            continue
        newly.append(view)
        result: dict[str, object] = {"completion": True}
        if view.hours:
            result["duration"] = _iso_hours(view.hours)
        emitter.emit(
            actor=_actor(user),
            verb="completed",
            object_id=step_activity(view.step),
            object_name=localized(view.step.title, "en"),
            activity_type=vocab.ActivityType.PATH_STEP,
            parent=[path_activity(path)],
            grouping=grouping,
            result=result,
        )
    if newly:
        emitter.emit(
            actor=_actor(user),
            verb="progressed",
            object_id=path_activity(path),
            object_name=localized(path.title, "en"),
            activity_type=vocab.ActivityType.LEARNING_PATH,
            grouping=grouping,
            result={"extensions": {vocab.Extension.PROGRESS: progress.percent}},
        )


def _iso_hours(hours: float) -> str:
    minutes = round(hours * 60)
    return f"PT{minutes // 60}H{minutes % 60}M"


def completed_on(session: Session, path: BlendedPath, user_id: int) -> dt.datetime | None:
    """When the learner completed the path (None when not yet)."""
    return session.scalar(
        select(BlendedPathStart.completed_at).where(
            BlendedPathStart.path_id == path.id, BlendedPathStart.user_id == user_id
        )
    )


def _claim_completion(session: Session, path: BlendedPath, user_id: int) -> bool:
    """True for exactly one caller: the one whose UPDATE set ``completed_at``."""
    now = utcnow()
    claimed = session.execute(
        update(BlendedPathStart)
        .where(
            BlendedPathStart.path_id == path.id,
            BlendedPathStart.user_id == user_id,
            BlendedPathStart.completed_at.is_(None),
        )
        .values(completed_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount:  # type: ignore[attr-defined]
        return True
    exists = session.scalar(
        select(BlendedPathStart.id).where(
            BlendedPathStart.path_id == path.id, BlendedPathStart.user_id == user_id
        )
    )
    if exists is not None:
        return False
    # Finished without ever opening the path (a trainer ticked every step): start and end now.
    session.add(
        BlendedPathStart(path_id=path.id, user_id=user_id, started_at=now, completed_at=now)
    )
    session.flush()
    return True


def _complete(
    session: Session,
    base_url: str,
    tool_title: str,
    path: BlendedPath,
    user: User,
    progress: LearnerProgress,
) -> bool:
    if not _claim_completion(session, path, user.id):
        return False
    if path.resource_link_id is not None:
        queue_score(
            session,
            resource_link_id=path.resource_link_id,
            user_id=user.id,
            score_given=100.0,
            score_maximum=100.0,
            completed=True,
            comment="Learning path completed",
        )
    Emitter(session, base_url).emit(
        actor=_actor(user),
        verb="completed",
        object_id=path_activity(path),
        object_name=localized(path.title, "en"),
        activity_type=vocab.ActivityType.LEARNING_PATH,
        grouping=_grouping(session, path),
        result={
            "completion": True,
            "duration": _iso_hours(progress.online_hours + progress.classroom_hours),
        },
    )
    online, classroom = progress.online_hours, progress.classroom_hours
    modality = "blended" if online and classroom else ("classroom" if classroom else "online")
    competences = list(path.competences or [])
    for view in progress.steps:
        if view.done:
            competences += [c for c in view.step.competences or [] if c not in competences]
    started = progress.started_at.date() if progress.started_at else dt.date.today()
    try:
        # Commits, with the claim, the grade and the statements above.
        record_completion(
            session,
            user_id=user.id,
            title=localized(path.title, user.locale[:2] if user.locale else "en"),
            provider=tool_title,
            modality=modality,
            started_on=started,
            completed_on=dt.date.today(),
            hours=round(online + classroom, 2),
            result=f"completed: {online:g} h online, {classroom:g} h classroom",
            competences=competences,
            source=PASSPORT_SOURCE,
            source_ref=f"path:{path.id}:user:{user.id}",
        )
    except PassportError as exc:
        log.warning("path %s, learner %s: no passport entry: %s", path.id, user.id, exc)
        session.commit()
    return True


def settle(
    session: Session,
    base_url: str,
    tool_title: str,
    path: BlendedPath,
    users: Iterable[User],
    found: dict[int, LearnerProgress] | None = None,
) -> int:
    """Write what the learners' progress implies and nobody wrote yet: step statements, and the
    completion of paths whose required steps are all done. Returns how many completed now."""
    completed = 0
    for user in users:
        progress = (
            found[user.id]
            if found and user.id in found
            else learner_progress(session, path, user.id)
        )
        pending = progress.unstated
        if pending:
            _state_steps(session, base_url, path, user, progress)
        if (
            progress.all_required_done
            and progress.completed_at is None
            and _complete(session, base_url, tool_title, path, user, progress)
        ):
            completed += 1
            progress.completed_at = utcnow()
        elif pending:
            session.commit()
    return completed
