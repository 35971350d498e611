"""xAPI statements of attendance: ``attended`` (present, late, left early) with the hours as
``result.duration``, or ``absent`` (absent, excused), one per learner and session day for its
current state. A correction voids the statement of the earlier state and records the new one,
so a query without voided statements sees exactly one statement per learner and day.
Written in the caller's transaction, never committed.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from xapi import vocab
from xapi.actor import tool_authority
from xapi.store import StatementStore

from ..models import Course, User
from .attendance_models import ATTENDED_STATUSES, Attendance
from .session_models import BlendedSession, BlendedSessionDay
from .session_xapi import activity_path


def iso_duration(hours: float) -> str:
    """Hours as an ISO 8601 duration: 7.5 -> ``PT7H30M``."""
    minutes = round(hours * 60)
    h, m = divmod(minutes, 60)
    if not h and not m:
        return "PT0S"
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "")


def _agent(user: User) -> dict[str, Any]:
    from xapi.actor import account_actor

    return account_actor(user.issuer, user.account_name, user.name or None)


def _void(session: Session, statement_id: str, base_url: str) -> None:
    authority = tool_authority(base_url)
    StatementStore(session).save(
        [
            {
                "actor": authority,
                "verb": {"id": vocab.Verb.VOIDED, "display": {"en": "voided"}},
                "object": {"objectType": "StatementRef", "id": statement_id},
            }
        ],
        authority=authority,
    )


def record_state(
    session: Session, blended: BlendedSession, day: BlendedSessionDay, row: Attendance
) -> str:
    """Void the statement of the row's earlier state (if any) and record the current one."""
    from xapi.emitter import Emitter

    base_url = current_app.config["LEARNPASS"].base_url
    if row.statement_id:
        _void(session, row.statement_id, base_url)
    learner = session.get(User, row.user_id)
    assert learner is not None
    trainer = session.get(User, row.recorded_by_id) if row.recorded_by_id else None
    if trainer is None or trainer.id == learner.id:
        ids = list(blended.trainer_ids or [])
        trainer = session.get(User, ids[0]) if ids else None
    course = session.get(Course, blended.course_id)
    extensions: dict[str, Any] = {vocab.Extension.SESSION_DAY: day.day.isoformat()}
    if course is not None:
        extensions[vocab.Extension.LTI_CONTEXT_ID] = course.context_id
    attended = row.status in ATTENDED_STATUSES
    result: dict[str, Any] = {
        "extensions": {
            vocab.Extension.ATTENDANCE_STATUS: row.status,
            vocab.Extension.ATTENDANCE_SOURCE: row.source,
        }
    }
    if attended:
        result["duration"] = iso_duration(row.hours)
        result["extensions"][vocab.Extension.LATE] = row.status == "late"
        result["extensions"][vocab.Extension.LEFT_EARLY] = row.status == "left_early"
    statement_id = Emitter(session, base_url).emit(
        actor=_agent(learner),
        verb=vocab.Verb.ATTENDED if attended else vocab.Verb.ABSENT,
        object_id=activity_path(blended),
        object_name=blended.title("en"),
        activity_type=vocab.ActivityType.MEETING,
        instructor=_agent(trainer) if trainer is not None else None,
        extensions=extensions,
        result=result,
    )
    row.statement_id = statement_id
    return statement_id
