"""A path as a JSON file, to keep or to bring into another course or tool.

The file names steps by their place (``"key": 1``...), so prerequisites survive the trip; refs
are kept as they are (a package id means the same package only on the same tool). Import checks
the whole file before it writes anything: a bad file is refused with the reason, and nothing of
it stays behind.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from xapi import safe_json

from ..models import Course
from .path_models import BlendedPath, BlendedStep
from .paths import (
    MAX_STEPS,
    PathError,
    PathInput,
    StepInput,
    check_ref,
    clean_texts,
    has_cycle,
)

FORMAT = "learnpass-path"
VERSION = 1
MAX_FILE_BYTES = 1024 * 1024


def export_path(path: BlendedPath) -> dict[str, Any]:
    keys = {step.id: n for n, step in enumerate(path.steps, start=1)}
    return {
        "format": FORMAT,
        "version": VERSION,
        "title": dict(path.title),
        "description": dict(path.description),
        "ordered": path.ordered,
        "hours": path.hours,
        "competences": list(path.competences),
        "steps": [
            {
                "key": keys[step.id],
                "kind": step.kind,
                "ref": step.ref,
                "title": dict(step.title),
                "required": step.required,
                "prerequisites": [keys[p] for p in step.prerequisites or [] if p in keys],
                "due_on": step.due_on.isoformat() if step.due_on else None,
                "due_days": step.due_days,
                "hours": step.hours,
                "classroom": step.classroom,
                "competences": list(step.competences),
            }
            for step in path.steps
        ],
    }


def _texts(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise PathError(_l("%(what)s must be texts per language.", what=what))
    return value


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PathError(_l("%(what)s must be a number.", what=what))
    return float(value)


def _flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise PathError(_l("%(what)s must be true or false.", what=what))
    return value


def _strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PathError(_l("%(what)s must be a list of texts.", what=what))
    return value


def parse_file(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_FILE_BYTES:
        raise PathError(_l("The file is larger than 1 MB."))
    try:
        safe_json.check_depth(raw)
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise PathError(_l("The file is not JSON.")) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PathError(_l("The file is not a learning path exported from learnpass."))
    if data.get("version") != VERSION:
        raise PathError(_l("This version of the file is not supported."))
    return data


def import_path(
    session: Session, course: Course, raw: bytes, *, tenant: str, actor_id: int | None
) -> BlendedPath:
    """Check the whole file, then write the path and its steps in one commit."""
    data = parse_file(raw)
    path_input = PathInput(
        title=_texts(data.get("title"), "title"),
        description=_texts(data.get("description", {}), "description"),
        ordered=_flag(data.get("ordered", True), "ordered"),
        hours=_number(data.get("hours", 0), "hours"),
        competences=_strings(data.get("competences", []), "competences"),
    ).checked(session, course.platform_id)
    raw_steps = data.get("steps", [])
    if not isinstance(raw_steps, list) or len(raw_steps) > MAX_STEPS:
        raise PathError(_l("The steps must be a list of at most 200 steps."))
    steps: list[tuple[Any, StepInput, list[Any]]] = []
    keys: set[Any] = set()
    for number, item in enumerate(raw_steps, start=1):
        try:
            steps.append(_step(session, course, item, tenant, keys))
        except PathError as exc:
            raise PathError(
                _l("Step %(number)s: %(reason)s", number=number, reason=str(exc))
            ) from None
    graph = {key: set(prereqs) for key, _step_input, prereqs in steps}
    if has_cycle(graph):
        raise PathError(_l("These steps would wait for each other forever."))
    path = BlendedPath(
        platform_id=course.platform_id,
        course_id=course.id,
        title=path_input.title,
        description=path_input.description,
        ordered=path_input.ordered,
        hours=path_input.hours,
        competences=path_input.competences,
        created_by_id=actor_id,
    )
    session.add(path)
    made: dict[Any, BlendedStep] = {}
    for position, (key, item, _prereqs) in enumerate(steps, start=1):
        step = BlendedStep(
            position=position,
            kind=item.kind,
            ref=item.ref,
            title=item.title,
            required=item.required,
            prerequisites=[],
            due_on=item.due_on,
            due_days=item.due_days,
            hours=item.hours,
            classroom=item.classroom,
            competences=item.competences,
        )
        path.steps.append(step)
        made[key] = step
    session.flush()
    for key, _item, prereqs in steps:
        made[key].prerequisites = sorted(made[p].id for p in prereqs)
    session.commit()
    return path


def _step(
    session: Session, course: Course, item: Any, tenant: str, keys: set[Any]
) -> tuple[Any, StepInput, list[Any]]:
    if not isinstance(item, dict):
        raise PathError(_l("each step must be an object."))
    key = item.get("key")
    if not isinstance(key, int | str) or isinstance(key, bool) or key in keys:
        raise PathError(_l("each step needs its own key."))
    prereqs = item.get("prerequisites", [])
    if not isinstance(prereqs, list) or any(
        isinstance(p, bool) or not isinstance(p, int | str) or p not in keys for p in prereqs
    ):
        raise PathError(_l("a step can only wait for steps listed before it."))
    keys.add(key)
    kind = item.get("kind")
    ref = item.get("ref", "")
    if not isinstance(kind, str) or not isinstance(ref, str):
        raise PathError(_l("kind and ref must be texts."))
    due_on = item.get("due_on")
    due_days = item.get("due_days")
    try:
        due_date = dt.date.fromisoformat(due_on) if due_on is not None else None
    except (TypeError, ValueError):
        raise PathError(_l("due_on must be a date like 2026-03-31.")) from None
    if due_days is not None and (isinstance(due_days, bool) or not isinstance(due_days, int)):
        raise PathError(_l("due_days must be a whole number."))
    if due_date is not None and due_days is not None:
        raise PathError(_l("Give a due date or a number of days, not both."))
    if due_days is not None and not 0 <= due_days <= 3650:
        raise PathError(_l("The number of days must be between 0 and 3650."))
    title = clean_texts(_texts(item.get("title"), "title"), 255)
    if not title:
        raise PathError(_l("Give the step a title in at least one language."))
    hours = _number(item.get("hours", 0), "hours")
    if not 0 <= hours <= 10000:
        raise PathError(_l("Hours must be between 0 and 10,000."))
    checked = StepInput(
        kind=kind,
        ref=check_ref(session, kind, ref, tenant, course.platform_id),
        title=title,
        required=_flag(item.get("required", True), "required"),
        due_on=due_date,
        due_days=due_days,
        hours=round(hours, 2),
        classroom=_flag(item.get("classroom", False), "classroom"),
        competences=PathInput(
            title={"en": "x"}, competences=_strings(item.get("competences", []), "competences")
        )
        .checked(session, course.platform_id)
        .competences,
    )
    return key, checked, list(prereqs)
