"""What learning paths hold about a person, taken away when an admin erases them (see
``lti_tool.erasure``): their step marks (with the trainer's notes about them) and their path
starts. Marks a trainer made about others, and files they uploaded, keep their rows; only the
link to the trainer goes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from ..erasure import register_eraser
from ..models import User
from .path_models import BlendedDocument, BlendedPathStart, BlendedStepMark


def erase_path_data(session: Session, user: User) -> dict[str, Any]:
    marks = session.execute(delete(BlendedStepMark).where(BlendedStepMark.user_id == user.id))
    starts = session.execute(delete(BlendedPathStart).where(BlendedPathStart.user_id == user.id))
    session.execute(
        update(BlendedStepMark)
        .where(BlendedStepMark.marked_by_id == user.id)
        .values(marked_by_id=None)
    )
    session.execute(
        update(BlendedDocument)
        .where(BlendedDocument.uploaded_by_id == user.id)
        .values(uploaded_by_id=None)
    )
    return {
        "path_step_marks": marks.rowcount,  # type: ignore[attr-defined]
        "path_starts": starts.rowcount,  # type: ignore[attr-defined]
    }


register_eraser(erase_path_data)
