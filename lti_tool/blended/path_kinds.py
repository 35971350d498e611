"""The step kinds paths own: a package of the tool, an activity of the LMS, a document, an
assignment. Each says how a learner's status is known from what the tool already records:

- ``package``: the player's attempts (``learning_packages`` tables): done once an attempt completed;
- ``lms_activity``: a score for that resource link went to the grade outbox (or a trainer ticks it);
- ``document`` and ``assignment``: only marks (the learner opened it, a trainer ticked it), which
  the path's own progress reads; the kind itself knows nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select

from learning_packages import tables as scorm

from ..content.access import register_play_grant
from ..extensions import db
from ..models import GradeOutbox, ResourceLink
from .path_models import BlendedPath, BlendedStep
from .steps import BIND_LEARNERS_UP_TO, StepKind, StepStatus, register_step_kind

LEARNER_PREFIX = "user:"  # how the player names a learner in its attempts (content.services)


def _package_statuses(user_ids: Sequence[int], ref: str) -> dict[int, StepStatus]:
    if not ref.isdigit() or not user_ids:
        return {}
    keys = {f"{LEARNER_PREFIX}{uid}": uid for uid in user_ids}
    query = (
        select(
            scorm.attempts.c.learner,
            func.max(scorm.attempts.c.score_scaled),
            func.count().filter(scorm.attempts.c.completed.is_(True)),
        )
        .join(scorm.versions, scorm.versions.c.id == scorm.attempts.c.version_id)
        .where(scorm.versions.c.package_id == int(ref))
        .group_by(scorm.attempts.c.learner)
    )
    if len(keys) <= BIND_LEARNERS_UP_TO:
        query = query.where(scorm.attempts.c.learner.in_(keys))
    found = {}
    words = {True: _("Completed"), False: _("Started, not finished yet")}
    for learner, score, completed in db.session.execute(query):
        if learner not in keys:
            continue
        done = bool(completed)
        found[keys[learner]] = StepStatus(done=done, score=score, detail=words[done])
    return found


def _lms_statuses(user_ids: Sequence[int], ref: str) -> dict[int, StepStatus]:
    """A score for the LMS's resource link ``ref`` that reached the grade outbox through the tool.

    People belong to one platform, and an LMS's resource link ids are unique within it, so the
    learner's own rows and the link id name one activity."""
    if not ref or not user_ids:
        return {}
    query = (
        select(
            GradeOutbox.user_id,
            func.max(GradeOutbox.score_given),
            func.max(GradeOutbox.score_maximum),
        )
        .join(ResourceLink, ResourceLink.id == GradeOutbox.resource_link_id)
        .where(ResourceLink.link_id == ref)
        .group_by(GradeOutbox.user_id)
    )
    wanted = set(user_ids)
    if len(wanted) <= BIND_LEARNERS_UP_TO:
        query = query.where(GradeOutbox.user_id.in_(wanted))
    found = {}
    arrived = _("A score arrived")
    for user_id, given, maximum in db.session.execute(query):
        if user_id not in wanted:
            continue
        score = (given / maximum) if given is not None and maximum else None
        found[int(user_id)] = StepStatus(done=True, score=score, detail=arrived)
    return found


def is_web_link(url: str) -> bool:
    """Documents open only over http(s): never javascript:, data: or a path on the tool."""
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _package_step_of_course(ctx: Any, package_id: int) -> bool:
    """A learner may play a package that is a step of a path of the course they launched from
    (the path page links to the player; the launch names the path, not the package)."""
    if not ctx.course_id:
        return False
    found = db.session.scalar(
        select(BlendedStep.id)
        .join(BlendedPath, BlendedPath.id == BlendedStep.path_id)
        .where(
            BlendedPath.course_id == ctx.course_id,
            BlendedStep.kind == "package",
            BlendedStep.ref == str(package_id),
        )
        .limit(1)
    )
    return found is not None


def register_path_kinds() -> None:
    register_play_grant(_package_step_of_course)
    register_step_kind(
        StepKind(
            "package",
            lambda: _("E-learning package of learnpass"),
            lambda uid, ref: _package_statuses([uid], ref).get(uid),
            statuses=_package_statuses,
            needs=lambda: _("Work through the e-learning package until it says it is complete."),
        )
    )
    register_step_kind(
        StepKind(
            "lms_activity",
            lambda: _("Activity in the learning platform"),
            lambda uid, ref: _lms_statuses([uid], ref).get(uid),
            statuses=_lms_statuses,
            needs=lambda: _(
                "Do the activity in the course; your trainer or its score marks it done."
            ),
        )
    )
    register_step_kind(
        StepKind(
            "document",
            lambda: _("Document to read"),
            lambda uid, ref: None,
            statuses=lambda uids, ref: {},
            needs=lambda: _("Open the document and read it."),
        )
    )
    register_step_kind(
        StepKind(
            "assignment",
            lambda: _("Assignment checked by the trainer"),
            lambda uid, ref: None,
            statuses=lambda uids, ref: {},
            needs=lambda: _("Do the assignment; your trainer marks it done."),
        )
    )
