"""The knowledge base as a step of a learning path: a ``material`` step kind whose reference is
an item's id. The trainer picks among the items the course's platform may see; the learner opens
the item on its page inside the course, and the step is done once they opened it
(``material_opens``)."""

from __future__ import annotations

from collections.abc import Sequence

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..blended.steps import ChoiceTexts, StepKind, StepStatus, register_step_kind
from ..extensions import db
from ..models import Course
from .material import CatalogueMaterial, visible_to
from .material_opens import opened_by
from .public_routes import page_language
from .texts import in_language

KIND = "material"


def material_choices(course_id: int) -> list[tuple[str, str]]:
    """The items the course's platform may see, newest first: (id, title)."""
    course = db.session.get(Course, course_id)
    if course is None:
        return []
    language = page_language()
    found = db.session.scalars(
        select(CatalogueMaterial)
        .where(visible_to(True, course.platform_id))
        .order_by(CatalogueMaterial.id.desc())
    )
    return [(str(item.id), in_language(item.titles, language)) for item in found]


def material_statuses(user_ids: Sequence[int], ref: str) -> dict[int, StepStatus]:
    if not ref.isdigit():
        return {}
    opened = _("Opened")
    return {
        uid: StepStatus(done=True, detail=opened)
        for uid in opened_by(db.session(), int(ref), user_ids)
    }


def _opens(ref: str) -> str | None:
    return url_for("catalogue.course_material", item_id=int(ref)) if ref.isdigit() else None


register_step_kind(
    StepKind(
        KIND,
        lambda: str(_l("Item of the knowledge base")),
        lambda uid, ref: material_statuses([uid], ref).get(uid),
        statuses=material_statuses,
        needs=lambda: _("Open the item of the knowledge base."),
        choices=material_choices,
        opens=_opens,
        choice_texts=ChoiceTexts(
            refused=lambda: _("Choose an item of the knowledge base that this platform may see."),
            none=lambda: _("The knowledge base has no item this platform may see yet."),
            unresolved=lambda: _(
                "This step points at an item of the knowledge base that was withdrawn or is no"
                " longer shown to this platform. Choose another item."
            ),
        ),
    )
)
