"""Learning paths: who may change which path, building a path and its steps, copying a path.

Services take a session and plain values (no Flask request); they flush or commit as each
function says, and check everything before they write, so a refusal leaves nothing behind.
Messages of ``PathError`` are for the person who sent the input (translated where shown).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Course
from ..passports import catalogue
from ..passports.roster import trainer_course_ids
from .path_files import FILE_REF, document_of
from .path_kinds import is_web_link
from .path_models import LOCALES, BlendedPath, BlendedStep
from .steps import step_kind, unresolved

MAX_TITLE = 255
MAX_DESCRIPTION = 5000
MAX_HOURS = 10000.0
MAX_STEPS = 200


class PathError(ValueError):
    """Input a path cannot accept; ``str()`` gives the reason in the reader's language."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def localized(texts: Mapping[str, Any] | None, locale: str) -> str:
    """The text in ``locale``, else English, else the first language that has one."""
    texts = texts or {}
    for code in (locale, "en", *LOCALES):
        value = texts.get(code)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def clean_texts(texts: Mapping[str, Any], limit: int) -> dict[str, str]:
    return {
        code: str(texts.get(code) or "").strip()[:limit]
        for code in LOCALES
        if str(texts.get(code) or "").strip()
    }


def _hours(value: float) -> float:
    if not 0 <= value <= MAX_HOURS:
        raise PathError(_l("Hours must be between 0 and 10,000."))
    return round(float(value), 2)


def _competences(session: Session, platform_id: int, wanted: Iterable[str]) -> list[str]:
    """Only competences of frameworks the platform sees (ID numbers or URIs)."""
    wanted = [str(w).strip() for w in wanted if str(w).strip()]
    if not wanted:
        return []
    known: set[str] = set()
    for competence in catalogue.competences(session, platform_id):
        known.add(competence.idnumber)
        if competence.uri:
            known.add(competence.uri)
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise PathError(_l("Unknown competence: %(name)s", name=unknown[0][:100]))
    return list(dict.fromkeys(wanted))


@dataclass
class PathInput:
    title: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    ordered: bool = True
    hours: float = 0.0
    competences: list[str] = field(default_factory=list)

    def checked(self, session: Session, platform_id: int) -> PathInput:
        title = clean_texts(self.title, MAX_TITLE)
        if not title:
            raise PathError(_l("Give the path a title in at least one language."))
        return PathInput(
            title=title,
            description=clean_texts(self.description, MAX_DESCRIPTION),
            ordered=bool(self.ordered),
            hours=_hours(self.hours),
            competences=_competences(session, platform_id, self.competences),
        )


@dataclass
class StepInput:
    kind: str
    ref: str = ""
    title: dict[str, str] = field(default_factory=dict)
    required: bool = True
    prerequisites: list[int] = field(default_factory=list)
    due_on: dt.date | None = None
    due_days: int | None = None
    hours: float = 0.0
    classroom: bool = False
    competences: list[str] = field(default_factory=list)


def check_ref(
    session: Session,
    kind: str,
    ref: str,
    tenant: str,
    platform_id: int,
    course_id: int | None = None,
) -> str:
    """The step's reference, checked for its kind; refused with a reason otherwise. With
    ``course_id`` (a trainer's form), a kind that offers choices takes only one of them; an
    import keeps another course's reference, which the builder then flags."""
    ref = (ref or "").strip()
    known = step_kind(kind)
    if known is None:
        raise PathError(_l("Choose a kind of step."))
    if known.choices is not None and course_id is not None:
        if unresolved(known, ref, course_id):
            if known.choice_texts is not None:
                raise PathError(known.choice_texts.refused())
            raise PathError(_l("Choose one of the course's sessions for this step."))
    elif known.choices is not None:
        if not ref or len(ref) > 255:
            raise PathError(_l("Say which activity this step is (its identifier)."))
    elif kind == "package":
        from ..content import services as content

        package = content.get_package(session, int(ref)) if ref.isdigit() else None
        if package is None or not content.package_visible(package, tenant):
            raise PathError(_l("Choose an e-learning package of this platform."))
    elif kind == "document" and ref.startswith(FILE_REF):
        if document_of(session, ref, platform_id) is None:
            raise PathError(_l("Choose a file uploaded for this platform."))
    elif kind == "document":
        if not is_web_link(ref) or len(ref) > 2048:
            raise PathError(
                _l("A document needs a web address that starts with http:// or https://.")
            )
    elif kind == "assignment":
        ref = ref[:2048]
    elif not ref or len(ref) > 255:
        raise PathError(_l("Say which activity this step is (its identifier)."))
    return ref


def check_step(
    session: Session, path: BlendedPath, data: StepInput, tenant: str, step_id: int | None = None
) -> StepInput:
    title = clean_texts(data.title, MAX_TITLE)
    if not title:
        raise PathError(_l("Give the step a title in at least one language."))
    if data.due_on is not None and data.due_days is not None:
        raise PathError(_l("Give a due date or a number of days, not both."))
    if data.due_days is not None and not 0 <= data.due_days <= 3650:
        raise PathError(_l("The number of days must be between 0 and 3650."))
    siblings = {s.id for s in path.steps if s.id != step_id}
    prerequisites = sorted({int(p) for p in data.prerequisites})
    if any(p not in siblings for p in prerequisites):
        raise PathError(_l("A step can only wait for other steps of the same path."))
    checked = StepInput(
        kind=data.kind,
        ref=check_ref(session, data.kind, data.ref, tenant, path.platform_id, path.course_id),
        title=title,
        required=bool(data.required),
        prerequisites=prerequisites,
        due_on=data.due_on,
        due_days=data.due_days,
        hours=_hours(data.hours),
        classroom=bool(data.classroom),
        competences=_competences(session, path.platform_id, data.competences),
    )
    if step_id is not None:
        graph = {s.id: set(s.prerequisites or []) for s in path.steps}
        graph[step_id] = set(prerequisites)
        if has_cycle(graph):
            raise PathError(_l("These steps would wait for each other forever."))
    return checked


def has_cycle(graph: Mapping[Any, set[Any]]) -> bool:
    state: dict[Any, int] = {}

    def visit(node: Any) -> bool:
        if state.get(node) == 1:
            return True
        if state.get(node) == 2:
            return False
        state[node] = 1
        if any(visit(n) for n in graph.get(node, ()) if n in graph):
            return True
        state[node] = 2
        return False

    return any(visit(node) for node in graph)


# ---------------------------------------------------------------- who may change what


def may_teach(
    session: Session, user_id: int, course: Course, *, platform_id: int, is_admin: bool
) -> bool:
    """Trainers of this course (by their enrolment), or an administrator of its platform."""
    if course.platform_id != platform_id:
        return False
    return is_admin or course.id in trainer_course_ids(session, user_id)


def teaching_courses(session: Session, user_id: int, platform_id: int) -> list[Course]:
    ids = trainer_course_ids(session, user_id)
    if not ids:
        return []
    return list(
        session.scalars(
            select(Course)
            .where(Course.id.in_(ids), Course.platform_id == platform_id)
            .order_by(Course.title, Course.id)
        )
    )


def paths_of_course(session: Session, course_id: int) -> list[BlendedPath]:
    return list(
        session.scalars(
            select(BlendedPath).where(BlendedPath.course_id == course_id).order_by(BlendedPath.id)
        )
    )


# ---------------------------------------------------------------- building


def create_path(
    session: Session, course: Course, data: PathInput, *, actor_id: int | None
) -> BlendedPath:
    """A new path in the course. Commits."""
    checked = data.checked(session, course.platform_id)
    path = BlendedPath(
        platform_id=course.platform_id,
        course_id=course.id,
        title=checked.title,
        description=checked.description,
        ordered=checked.ordered,
        hours=checked.hours,
        competences=checked.competences,
        created_by_id=actor_id,
    )
    session.add(path)
    session.commit()
    return path


def update_path(session: Session, path: BlendedPath, data: PathInput) -> None:
    checked = data.checked(session, path.platform_id)
    path.title, path.description = checked.title, checked.description
    path.ordered, path.hours, path.competences = checked.ordered, checked.hours, checked.competences
    session.commit()


def _apply_step(step: BlendedStep, data: StepInput) -> None:
    step.kind, step.ref, step.title = data.kind, data.ref, data.title
    step.required, step.prerequisites = data.required, data.prerequisites
    step.due_on, step.due_days = data.due_on, data.due_days
    step.hours, step.classroom, step.competences = data.hours, data.classroom, data.competences


def add_step(session: Session, path: BlendedPath, data: StepInput, tenant: str) -> BlendedStep:
    if len(path.steps) >= MAX_STEPS:
        raise PathError(_l("A path has at most 200 steps."))
    checked = check_step(session, path, data, tenant)
    last = session.scalar(
        select(func.max(BlendedStep.position)).where(BlendedStep.path_id == path.id)
    )
    step = BlendedStep(path_id=path.id, position=(last or 0) + 1)
    _apply_step(step, checked)
    path.steps.append(step)
    session.commit()
    return step


def update_step(session: Session, step: BlendedStep, data: StepInput, tenant: str) -> None:
    checked = check_step(session, step.path, data, tenant, step_id=step.id)
    _apply_step(step, checked)
    session.commit()


def remove_step(session: Session, step: BlendedStep) -> None:
    """Remove the step; steps that waited for it no longer do."""
    path = step.path
    for other in path.steps:
        if step.id in (other.prerequisites or []):
            other.prerequisites = [p for p in other.prerequisites if p != step.id]
    path.steps.remove(step)
    session.delete(step)
    _renumber(path)
    session.commit()


def move_step(session: Session, step: BlendedStep, offset: int) -> None:
    steps = list(step.path.steps)
    index = steps.index(step)
    target = max(0, min(len(steps) - 1, index + offset))
    steps.insert(target, steps.pop(index))
    for position, each in enumerate(steps, start=1):
        each.position = position
    session.commit()


def _renumber(path: BlendedPath) -> None:
    for position, each in enumerate(sorted(path.steps, key=lambda s: s.position), start=1):
        each.position = position


def copy_path(
    session: Session, path: BlendedPath, course: Course, *, actor_id: int | None
) -> BlendedPath:
    """A copy in another course of the same platform, its prerequisites pointing at the copies.

    The placement (and so the line item) is not copied: the copy is placed in its own course."""
    if course.platform_id != path.platform_id:
        raise PathError(_l("A path can only be copied within the same platform."))
    copy = BlendedPath(
        platform_id=path.platform_id,
        course_id=course.id,
        title=dict(path.title),
        description=dict(path.description),
        ordered=path.ordered,
        hours=path.hours,
        competences=list(path.competences),
        created_by_id=actor_id,
    )
    session.add(copy)
    pairs = []
    for step in path.steps:
        new = BlendedStep(position=step.position)
        _apply_step(
            new,
            StepInput(
                kind=step.kind,
                ref=step.ref,
                title=dict(step.title),
                required=step.required,
                prerequisites=[],
                due_on=step.due_on,
                due_days=step.due_days,
                hours=step.hours,
                classroom=step.classroom,
                competences=list(step.competences),
            ),
        )
        copy.steps.append(new)
        pairs.append((step, new))
    session.flush()
    new_ids = {old.id: new.id for old, new in pairs}
    for old, new in pairs:
        new.prerequisites = [new_ids[p] for p in old.prerequisites or [] if p in new_ids]
    session.commit()
    return copy
