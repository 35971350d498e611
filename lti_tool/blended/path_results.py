"""Paths follow the player: a package finished in the player completes its step (and the path,
when it was the last required one) in the same request, without waiting for the learner to open
the path page. The player tells its listeners (content.results); paths register one here, so the
player never imports blended.

The player's listeners run after the result's own commit, and a listener that fails is only
logged there. So that a failure never costs a learner their path's completion, the listener first
writes a note per path (``kv_store``, no expiry, in its own commit), then settles the path and
drops the note in one commit. When settling fails, the note stays and the ``blended-path-results``
job settles it later. Settling is idempotent (path_completion claims each statement and the
completion with guarded UPDATEs), so a note settled twice still gives one grade, one passport
entry and one set of statements.
"""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..content.results import ResultRecorded, on_result_recorded
from ..extensions import db
from ..jobs import register_job
from ..models import KeyValue, User
from .path_completion import settle
from .path_models import BlendedPath, BlendedStep

log = logging.getLogger(__name__)

PREFIX = "blended-path-result:"
BATCH = 100


def paths_with_package(
    session: Session, package_id: int, platform_id: int | None
) -> list[BlendedPath]:
    """The paths of the learner's platform with a step for this package."""
    if platform_id is None:
        return []
    holding = select(BlendedStep.path_id).where(
        BlendedStep.kind == "package", BlendedStep.ref == str(package_id)
    )
    return list(
        session.scalars(
            select(BlendedPath)
            .where(BlendedPath.id.in_(holding), BlendedPath.platform_id == platform_id)
            .order_by(BlendedPath.id)
        )
    )


def note_key(path_id: int, user_id: int) -> str:
    return f"{PREFIX}path:{path_id}:user:{user_id}"


def note_value(user: User, path_id: int) -> dict[str, object]:
    # "issuer" + "user" let an erase find the note (lti_tool/erasure.py).
    return {"issuer": user.issuer, "user": user.id, "path": path_id}


def settle_noted(session: Session, key: str) -> bool:
    """Settle the noted path for the noted learner; the note's removal joins settling's commit.
    False when there was nothing to do (no note, another worker holds it, the path or the person
    is gone); failures propagate and the note stays for the job."""
    query = select(KeyValue).where(KeyValue.key == key)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # a worker at it already: leave it
    note = session.scalars(query).first()
    if note is None:
        return False
    value = dict(note.value)
    path = session.get(BlendedPath, int(value["path"]))
    user = session.get(User, int(value["user"]))
    session.execute(delete(KeyValue).where(KeyValue.key == key))
    if path is not None and user is not None:
        settings = current_app.config["LEARNPASS"]
        # The job runs outside any request, where no page chose a language: the progress view's
        # words are not kept anyway (the passport entry's title takes the person's own locale).
        with force_locale("en"):
            settle(session, settings.base_url, settings.tool_title, path, [user])
    session.commit()  # the note's removal, when settling had nothing to write
    return path is not None and user is not None


def follow_package_result(session: Session, event: ResultRecorded) -> None:
    """Settle each path holding the package for that learner: step statements once, and the
    path's completion (grade, passport entry, statements) exactly once (path_completion)."""
    if not event.completed:
        return
    user = event.user
    keys = []
    for path in paths_with_package(session, event.package_id, user.platform_id):
        key = note_key(path.id, user.id)
        session.merge(KeyValue(key=key, value=note_value(user, path.id), expires_at=None))
        keys.append(key)
    if not keys:
        return
    session.commit()
    for key in keys:
        try:
            settle_noted(session, key)
        except Exception:  # noqa: BLE001 - the note stays: the job settles it, never lost
            session.rollback()
            log.exception("%s: path not settled yet; the blended-path-results job retries", key)


def settle_due() -> int:
    """The ``blended-path-results`` job: every note still waiting. Several workers may run it:
    on PostgreSQL each settles notes no other holds (``SKIP LOCKED``)."""
    session = db.session()
    keys = list(
        session.scalars(select(KeyValue.key).where(KeyValue.key.startswith(PREFIX)).limit(BATCH))
    )
    settled = 0
    for key in keys:
        try:
            settled += settle_noted(session, key)
        except Exception:  # noqa: BLE001 - one bad note must not hold up the others
            session.rollback()
            log.exception("%s: path still not settled", key)
    return settled


def register_path_results() -> None:
    on_result_recorded(follow_package_result)
    register_job("blended-path-results", settle_due, every_seconds=30)
