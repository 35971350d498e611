"""Helpers of the session tests: people launched into the demo course, a session built through
the real service, and the clock moved by passing ``now`` (never by patching)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from lti_tool.blended import sessions
from lti_tool.blended.session_models import BlendedSession
from lti_tool.demo import platform as demo
from lti_tool.models import Course, User
from tests.passports.conftest import OTHER_COURSE, OTHER_TRAINER, OUTSIDER, launch_context

LEARNER3 = {
    **OUTSIDER,
    "sub": "demo-learner-3",
    "name": "Sofie Janssens",
    "given_name": "Sofie",
    "family_name": "Janssens",
    "email": "sofie@example.org",
}
NO_MAIL = {**LEARNER3, "sub": "demo-learner-4", "name": "Nina Nomail", "email": ""}


def people(app: Any) -> dict[str, int]:
    """Launch the demo course's trainer and learners (and an outsider elsewhere); their ids."""
    ids = {}
    for key, who, course in (
        ("trainer", "instructor", None),
        ("a", "learner", None),
        ("b", "learner2", None),
        ("c", LEARNER3, None),
        ("nomail", NO_MAIL, None),
        ("outsider", OUTSIDER, OTHER_COURSE),
        ("other_trainer", OTHER_TRAINER, OTHER_COURSE),
    ):
        ids[key] = launch_context(app, who, course).user_id
    return ids


def course(session: Any, context_id: str = demo.COURSE["id"]) -> Course:
    found = session.scalar(select(Course).where(Course.context_id == context_id))
    assert found is not None
    return found


def user(session: Any, user_id: int) -> User:
    found = session.get(User, user_id)
    assert found is not None
    return found


def make_session(
    session: Any,
    trainer_id: int,
    *,
    days: list[tuple[dt.date, str, str]] | None = None,
    capacity: int = 2,
    zone: str = "Europe/Brussels",
    **extra: Any,
) -> BlendedSession:
    days = days or [(dt.date(2030, 3, 5), "09:00", "17:00")]
    data = sessions.SessionInput(
        titles={"en": "Scaffolding safety", "nl": "Veilig steigerbouw"},
        place_name="Training centre Gent",
        place_address="Kortrijksesteenweg 1, 9000 Gent",
        time_zone=zone,
        capacity=capacity,
        trainer_ids=[trainer_id],
        days=[
            sessions.DayInput(d, dt.time.fromisoformat(s), dt.time.fromisoformat(e))
            for d, s, e in days
        ],
        **extra,
    )
    blended = sessions.create_session(session, course(session), trainer_id, data)
    session.commit()
    return blended
