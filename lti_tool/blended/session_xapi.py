"""xAPI statements of bookings: ``registered`` when a learner takes a seat or joins the waiting
list, ``unregistered`` when the booking ends. The session is the activity (ADL ``meeting``), its
first trainer the context's instructor; written in the caller's transaction, never committed.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from xapi import vocab
from xapi.actor import account_actor
from xapi.emitter import Emitter

from ..models import Course, User
from .session_models import BlendedBooking, BlendedSession


def activity_path(blended: BlendedSession) -> str:
    return f"/blended/sessions/{blended.id}"


def _agent(user: User) -> dict[str, Any]:
    return account_actor(user.issuer, user.account_name, user.name or None)


def _emit(
    session: Session, verb: str, blended: BlendedSession, booking: BlendedBooking, by_id: int
) -> str:
    learner = session.get(User, booking.user_id)
    assert learner is not None
    trainer_ids = list(blended.trainer_ids or [])
    instructor = session.get(User, trainer_ids[0]) if trainer_ids else None
    course = session.get(Course, blended.course_id)
    extensions: dict[str, Any] = {}
    if course is not None:
        extensions[vocab.Extension.LTI_CONTEXT_ID] = course.context_id
    result: dict[str, Any] = {"extensions": {vocab.Extension.BOOKING_STATUS: booking.status}}
    if by_id != booking.user_id:
        result["extensions"][vocab.Extension.BOOKED_BY_TRAINER] = True
    settings = current_app.config["LEARNPASS"]
    return Emitter(session, settings.base_url).emit(
        actor=_agent(learner),
        verb=verb,
        object_id=activity_path(blended),
        object_name=blended.title("en"),
        activity_type=vocab.ActivityType.MEETING,
        instructor=_agent(instructor) if instructor is not None else None,
        extensions=extensions or None,
        result=result,
    )


def registered(
    session: Session, blended: BlendedSession, booking: BlendedBooking, *, by_id: int
) -> str:
    return _emit(session, "registered", blended, booking, by_id)


def unregistered(
    session: Session, blended: BlendedSession, booking: BlendedBooking, *, by_id: int
) -> str:
    return _emit(session, "unregistered", blended, booking, by_id)
