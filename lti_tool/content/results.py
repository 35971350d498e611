"""Where a commit's events go: xAPI statements (ADL xAPI SCORM profile) and the LMS gradebook.

Both join the commit's transaction: a statement or a grade exists exactly when the CMI data
it describes was stored. The grade worker delivers scores later, with retries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from learning_packages import tables as t
from learning_packages.attempts import CommitOutcome, RuntimeEvent
from xapi import vocab
from xapi.actor import account_actor, tool_authority
from xapi.emitter import Emitter
from xapi.store import StatementStore

from ..extensions import db
from ..lti.grades import queue_score
from ..models import Course, Platform, ResourceLink, User
from . import passport_feed, services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResultRecorded:
    """What the player stored for a learner's attempt, told to the features that follow it."""

    user: User
    package_id: int
    completed: bool
    score_scaled: float | None


ResultListener = Callable[[Session, ResultRecorded], None]
# Features (blended paths...) register here; the player never imports them.
_result_listeners: list[ResultListener] = []


def on_result_recorded(listener: ResultListener) -> ResultListener:
    """Register ``listener`` (once) to run after the player stored and committed a result."""
    if listener not in _result_listeners:
        _result_listeners.append(listener)
    return listener


def notify_result_recorded(session: Session, event: ResultRecorded) -> None:
    """Run the listeners after the result's own commit; one failing never costs the learner
    their data nor stops the others (its work is rolled back and logged)."""
    for listener in list(_result_listeners):
        try:
            listener(session, event)
        except Exception:
            session.rollback()
            log.exception(
                "package %s, learner %s: a result listener failed", event.package_id, event.user.id
            )


# SCORM interaction types -> xAPI interactionType (cmi.interaction activity definitions).
INTERACTION_TYPES = {
    "true-false": "true-false",
    "choice": "choice",
    "fill-in": "fill-in",
    "long-fill-in": "long-fill-in",
    "matching": "matching",
    "performance": "performance",
    "sequencing": "sequencing",
    "likert": "likert",
    "numeric": "numeric",
    "other": "other",
}


def record_statements(
    session: Session,
    *,
    outcome: CommitOutcome,
    user: User,
    package: Row[Any],
    sco: Row[Any] | None,
    attempt: Row[Any],
    link: ResourceLink | None,
) -> list[str]:
    """One statement per runtime event; returns their ids."""
    if not (outcome.events or outcome.attempt_events):
        return []
    base_url = current_app.config["LEARNPASS"].base_url
    emitter = Emitter(session, base_url)
    actor = account_actor(user.issuer, user.account_name, user.name or None)
    package_activity = f"/content/packages/{package.id}"
    # A sequencing save names no SCO when none was running; it has only package-level events.
    sco_activity = f"{package_activity}/scos/{sco.identifier}" if sco is not None else ""
    grouping = _grouping(session, link)
    statements = []
    for event in outcome.events if sco is not None else []:
        common: dict[str, Any] = {
            "actor": actor,
            "registration": attempt.registration,
            "grouping": grouping,
            "extensions": {vocab.Extension.LTI_RESOURCE_LINK_ID: link.link_id} if link else None,
        }
        if event.verb == "responded" and event.interaction is not None:
            statements.append(_responded(emitter, event, sco_activity, common))
        else:
            statements.append(
                emitter.build(
                    verb=event.verb,
                    object_id=sco_activity,
                    object_name=sco.title,
                    activity_type=vocab.ActivityType.SCO,
                    parent=[package_activity],
                    result=event.result or None,
                    **common,
                )
            )
    for event in outcome.attempt_events:
        # The whole package: what a passport, a learning path or an analyst listens for.
        statements.append(
            emitter.build(
                verb=event.verb,
                object_id=package_activity,
                object_name=package.title,
                activity_type=vocab.ActivityType.SCORM_PACKAGE,
                result=event.result or None,
                actor=actor,
                registration=attempt.registration,
                grouping=grouping,
            )
        )
    store = StatementStore(session)
    return [str(i) for i in store.save(statements, authority=tool_authority(base_url))]


def _responded(
    emitter: Any, event: RuntimeEvent, sco_activity: str, common: dict[str, Any]
) -> dict[str, Any]:
    from xapi import vocab

    interaction = event.interaction or {}
    statement: dict[str, Any] = emitter.build(
        verb="responded",
        object_id=f"{sco_activity}/interactions/{interaction['id']}",
        activity_type=vocab.ActivityType.INTERACTION,
        parent=[sco_activity],
        result=event.result,
        **common,
    )
    definition = statement["object"].setdefault("definition", {})
    kind = INTERACTION_TYPES.get(str(interaction.get("type") or ""), "other")
    definition["interactionType"] = kind
    patterns = [p for p in interaction.get("patterns", []) if p]
    if patterns:
        definition["correctResponsesPattern"] = patterns
    if interaction.get("description"):
        definition["description"] = {"en": str(interaction["description"])}
    return statement


def _grouping(session: Session, link: ResourceLink | None) -> list[str]:
    if link is None:
        return []
    course = session.get(Course, link.course_id)
    if course is None:
        return []
    platform = session.get(Platform, course.platform_id)
    if platform is None:
        return []
    return [f"{platform.issuer.rstrip('/')}/lti/context/{course.context_id}", platform.issuer]


def queue_grade(
    session: Session, *, outcome: CommitOutcome, user: User, link: ResourceLink | None
) -> bool:
    """Queue the attempt's score for the gradebook when it changed and the link has a line item."""
    if link is None or not outcome.attempt_changed:
        return False
    if outcome.attempt_score_scaled is None and not outcome.attempt_completed:
        return False
    score = (
        None
        if outcome.attempt_score_scaled is None
        else round(outcome.attempt_score_scaled * 100, 2)
    )
    queue_score(
        session,
        resource_link_id=link.id,
        user_id=user.id,
        score_given=score,
        score_maximum=100.0,
        completed=outcome.attempt_completed,
    )
    return True


def queue_passport_entry(
    session: Session, *, outcome: CommitOutcome, user: User, package: Row[Any], attempt: Row[Any]
) -> str | None:
    """A completed attempt owes the person a training passport entry (one per attempt, updated
    in place): noted in the commit's transaction, recorded right after it or by the job
    (passport_feed.py). Returns the note's key, or None when the attempt did not complete."""
    if not any(e.verb == "completed" for e in outcome.attempt_events):
        return None
    score = (
        ""
        if outcome.attempt_score_scaled is None
        else f" ({outcome.attempt_score_scaled * 100:.0f}%)"
    )
    verdict = next(
        (e.verb for e in outcome.attempt_events if e.verb in ("passed", "failed")), "completed"
    )
    return passport_feed.queue_entry(
        session,
        user=user,
        attempt_id=attempt.id,
        title=package.title,
        result=verdict + score,
        started_on=attempt.started_at.date(),
    )


def record_outcome(
    session: Session, *, outcome: CommitOutcome, attempt: Any, user: User, version: Any, sco: Any
) -> tuple[list[str], str | None]:
    """What an applied commit calls for, in its transaction (the caller commits): the
    statements, the grade and the passport note. Returns the statements' ids and the note's key.
    A trainer's preview records nothing but its CMI data."""
    if not outcome.applied or services.is_preview(attempt):
        return [], None
    link = _link(attempt.context)
    package = services.get_package(session, version.package_id)
    refreshed = session.execute(select(t.attempts).where(t.attempts.c.id == attempt.id)).one()
    statement_ids = record_statements(
        session,
        outcome=outcome,
        user=user,
        package=package,
        sco=sco,
        attempt=refreshed,
        link=link,
    )
    queue_grade(session, outcome=outcome, user=user, link=link)
    note = queue_passport_entry(
        session, outcome=outcome, user=user, package=package, attempt=refreshed
    )
    return statement_ids, note


def after_commit(
    session: Session,
    *,
    outcome: CommitOutcome,
    attempt: Any,
    user: User,
    version: Any,
    note: str | None,
) -> None:
    """Once ``record_outcome``'s transaction is committed: the passport entry (the
    passport-feed job retries it), then the listeners of a changed result."""
    if note:
        passport_feed.deliver_after_commit(session, note)
    if outcome.applied and outcome.attempt_changed and not services.is_preview(attempt):
        notify_result_recorded(
            session,
            ResultRecorded(
                user=user,
                package_id=version.package_id,
                completed=bool(outcome.attempt_completed),
                score_scaled=outcome.attempt_score_scaled,
            ),
        )


def _link(context: str) -> ResourceLink | None:
    kind, _, value = context.partition(":")
    if kind != "link" or not value.isdigit():
        return None
    return db.session.get(ResourceLink, int(value))
