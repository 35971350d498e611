"""At risk because absent twice: a learner marked absent (not excused) on two or more days of the
sessions the path's steps point at. One query per path for all learners shown."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .attendance_models import Attendance
from .path_models import BlendedPath
from .progress import LearnerProgress, register_risk_check
from .session_models import BlendedSessionDay

ABSENCES_AT_RISK = 2


def absent_twice(
    session: Session, path: BlendedPath, progress: dict[int, LearnerProgress]
) -> dict[int, list[str]]:
    session_ids = [
        int(step.ref) for step in path.steps if step.kind == "session" and step.ref.isdigit()
    ]
    if not session_ids or not progress:
        return {}
    rows = session.execute(
        select(Attendance.user_id, func.count())
        .join(BlendedSessionDay, BlendedSessionDay.id == Attendance.day_id)
        .where(
            BlendedSessionDay.session_id.in_(session_ids),
            Attendance.user_id.in_(list(progress)),
            Attendance.status == "absent",
        )
        .group_by(Attendance.user_id)
        .having(func.count() >= ABSENCES_AT_RISK)
    )
    return {
        int(user_id): [_("Absent on %(count)d days", count=int(count))]
        for user_id, count in rows
        if progress[int(user_id)].completed_at is None
    }


register_risk_check("absent_twice", absent_twice)
