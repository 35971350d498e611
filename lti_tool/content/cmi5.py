"""cmi5 for the tool: launch an AU, answer its fetch URL, vet what its token writes to /xapi/,
and turn what it reports into satisfied statements, a grade and a passport entry.

The rules live in ``learning_packages.cmi5_runtime``; this module wires them to the LRS (xapi),
the grade outbox and the passport, as ``results`` does for SCORM.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from flask import current_app, g
from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learning_packages import cmi5_runtime as rt
from learning_packages import tables as t
from learning_packages.attempts import CommitOutcome, RuntimeEvent
from learning_packages.tables import utcnow
from xapi import auth, documents
from xapi.actor import account_actor, tool_authority
from xapi.auth import LrsClient
from xapi.models import agent_key
from xapi.store import StatementStore

from ..extensions import db
from ..jobs import register_job
from ..lrs.write_guards import WriteRefused, register_write_guard
from ..models import ResourceLink, User
from . import passport_feed, results, services

log = logging.getLogger(__name__)

# What the AU's token may do: write and read back its own statements, keep its state, and read or
# write the learner preferences agent profile (section 11; the cmi5 JS library stops without it).
TOKEN_SCOPES = ["statements/write", "statements/read/mine", "state", "profile"]


def _base_url() -> str:
    return str(current_app.config["LEARNPASS"].base_url)


def _store(session: Session) -> StatementStore:
    return StatementStore(session)


def actor_for(user: User) -> dict[str, Any]:
    """The launch actor: the LTI account, without the name (no personal data in URLs, 8.1.3)."""
    return account_actor(user.issuer, user.account_name)


# ---------------------------------------------------------------- launch


def launch_au(
    session: Session,
    *,
    user: User,
    package: Row[Any],
    version: Row[Any],
    attempt: Row[Any],
    sco: Row[Any],
    au_url: str,
    endpoint: str,
    fetch_url_for: Any,
    return_url: str,
    launch_mode: str = "Normal",
    languages: list[str] | None = None,
) -> str:
    """Start a session for the AU and return its launch URL (section 8.1); commits.

    Open sessions of the registration are abandoned first (9.3.6), then ``LMS.LaunchData`` is
    written and the ``launched`` statement stored, both before the AU can run (10.1, 9.3.1), and
    the learner's ``cmi5LearnerPreferences`` are there to read (11; ``languages`` in order of
    preference, used the first time only).
    """
    au = rt.find_au(version.structure, sco.identifier)
    if au is None:
        raise LookupError(f"AU {sco.identifier!r} is not in the course structure")
    abandon_open(session, attempt.registration)
    actor = actor_for(user)
    activity_id = rt.au_activity_id(_base_url(), package.id, sco.identifier)
    row = rt.start_session(
        session,
        attempt=attempt,
        sco=sco,
        au=au,
        activity_id=activity_id,
        actor=actor,
        launch_mode=launch_mode,
    )
    data = rt.launch_data(
        au,
        session_id=row.session_id,
        mastery_score=row.mastery_score,
        return_url=return_url,
        launch_mode=launch_mode,
    )
    key = documents.DocumentKey(
        documents.STATE,
        rt.LAUNCH_DATA_STATE,
        activity_id=activity_id,
        agent_key=agent_key(actor) or "",
        registration=attempt.registration.lower(),
    )
    documents.DocumentStore(session, tenant=user.issuer).put(
        key, "application/json", json.dumps(data).encode("utf-8")
    )
    provide_learner_preferences(session, tenant=user.issuer, actor=actor, languages=languages or [])
    launched = rt.launched_statement(row, au, launch_url_without_params=au_url)
    _store(session).save([launched], authority=tool_authority(_base_url()))
    session.commit()
    # moveOn is evaluated at registration too (9.6.1): NotApplicable AUs are satisfied at once,
    # outside any AU session, so those satisfied statements get a session id of their own.
    evaluate_move_on(session, attempt_id=attempt.id, session_id="", user=user)
    return rt.launch_url(
        au_url,
        {
            "endpoint": endpoint,
            "fetch": fetch_url_for(row.session_id),
            "actor": json.dumps(actor, separators=(",", ":")),
            "registration": attempt.registration,
            "activityId": activity_id,
        },
    )


def provide_learner_preferences(
    session: Session, *, tenant: str, actor: dict[str, Any], languages: list[str]
) -> None:
    """Section 11: an AU must read the ``cmi5LearnerPreferences`` agent profile on start-up, and
    some AUs stop when it is missing, so the LMS provides one. Written once per learner: what the
    learner or an AU changes later is kept. A launch of the same learner writing it at the same
    moment wins; this one keeps that document."""
    store = documents.DocumentStore(session, tenant=tenant)
    key = documents.DocumentKey(
        documents.AGENT_PROFILE, rt.LEARNER_PREFERENCES_PROFILE, agent_key=agent_key(actor) or ""
    )
    if store.get(key) is not None:
        return
    content = json.dumps(rt.learner_preferences(languages)).encode("utf-8")
    try:
        with session.begin_nested():
            store.put(key, "application/json", content)
    except IntegrityError:
        pass  # written by the other launch in between


def abandon_open(session: Session, registration: str) -> int:
    """End every open session of the registration with an ``abandoned`` statement (9.3.6)."""
    count = 0
    for row in rt.open_sessions(session, registration):
        count += _end(session, row, "abandoned")
    return count


def _end(session: Session, row: Row[Any], reason: str) -> int:
    if not rt.end_session(session, row.id, reason):
        return 0
    _store(session).save([rt.abandoned_statement(row)], authority=tool_authority(_base_url()))
    if row.client_key:
        auth.revoke_client(session, row.client_key)
    return 1


def expire_sessions() -> int:
    """The job: sessions past their lifetime are abandoned and their tokens revoked."""
    session = db.session()
    count = 0
    for row in rt.expired_sessions(session):
        count += _end(session, row, "expired")
    session.commit()
    return count


# ---------------------------------------------------------------- fetch URL (8.2)


def fetch_token(session: Session, session_id: str) -> dict[str, str]:
    """The auth-token the first time, the cmi5 error JSON after that (8.2.3); commits.

    The client is created here, so its secret exists only in this one response.
    """
    row = rt.claim_fetch(session, session_id)
    if row is None:
        session.rollback()
        return {
            "error-code": "1",
            "error-text": "The authorization token has already been returned, "
            "or the session has ended.",
        }
    # Bound to the learner's platform: the token sees that tenant's LRS data only.
    tenant = str((row.actor.get("account") or {}).get("homePage") or "") or None
    # ... and to the learner: state and agent profiles of other learners are out of its reach.
    key, secret = auth.add_client(
        session,
        f"cmi5 session {session_id}",
        TOKEN_SCOPES,
        tenant=tenant,
        agent_key=agent_key(row.actor),
    )
    session.execute(
        t.cmi5_sessions.update().where(t.cmi5_sessions.c.id == row.id).values(client_key=key)
    )
    session.commit()
    return {"auth-token": base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")}


# ---------------------------------------------------------------- the LRS write guard


def check_write(client: LrsClient, statements: list[dict[str, Any]]) -> None:
    """Statements through a session token follow the cmi5 rules, or the batch is refused."""
    session = db.session()
    row = rt.session_for_client(session, client.key, lock=True)
    if row is None:
        # Not a cmi5 session token: a token is bound to its session when it is made (fetch
        # URL), so after_write need not look again for this request.
        g.cmi5_not_a_session = client.key
        return
    now = utcnow()
    view = rt.SessionView.from_row(row, now)
    progress = rt.au_progress(session, row.attempt_id, row.sco_id)
    try:
        rt.check_batch(view, progress, statements)
    except rt.Cmi5Refusal as exc:
        raise WriteRefused(exc.rule, exc.message) from None
    rt.record_session(session, row, view, progress, now)
    if view.ended == "terminated" and row.client_key:
        # The token ends with the session (8.2.1); this batch is still stored with it.
        auth.revoke_client(session, row.client_key)


def after_write(client: LrsClient, statements: list[dict[str, Any]]) -> None:
    if g.get("cmi5_not_a_session") == client.key:
        return
    session = db.session()
    row = rt.session_for_client(session, client.key)
    if row is None:
        return
    attempt = session.execute(select(t.attempts).where(t.attempts.c.id == row.attempt_id)).one()
    user = session.get(User, int(attempt.learner.partition(":")[2]))
    if user is None:
        return
    evaluate_move_on(session, attempt_id=row.attempt_id, session_id=row.session_id, user=user)


# ---------------------------------------------------------------- moveOn, grade, passport


def evaluate_move_on(
    session: Session, *, attempt_id: int, session_id: str, user: User
) -> list[str]:
    """Write the ``satisfied`` statements now due (9.3.9), then grade and passport; commits.

    Idempotent: each block and the course are satisfied once per registration, so calling it
    again (every statement batch, every launch) only adds what became true since.
    """
    # One evaluation per registration at a time (until the commit below): an AU's statements,
    # another batch's follow-up and a trainer's waiver arriving together must not both write
    # the same satisfied statement.
    attempt = rt.lock_registration(session, attempt_id)
    # A trainer's preview: the registration gets its satisfied statements (the AU may read
    # them, the page says the course is done), but no result, grade or passport entry.
    preview = services.is_preview(attempt)
    version = services.get_version(session, attempt.version_id)
    assert version is not None
    package = services.get_package(session, version.package_id)
    assert package is not None
    structure = version.structure
    scos = services.version_scos(session, version.id, version.default_organization)
    aus = rt.aus_by_identifier(structure)
    by_sco = au_progress(session, attempt, package.id, scos)
    progress = {s.identifier: by_sco[s.id] for s in scos}
    satisfied_aus = {
        identifier
        for identifier, p in progress.items()
        if identifier in aus and p.satisfied(rt.move_on_of(aus[identifier]))
    }
    state = rt.satisfaction(structure, satisfied_aus)
    base = _base_url()
    already = rt.satisfied_objects(session, attempt.id)
    actor = actor_for(user)
    due: list[tuple[str, str, str, str]] = []  # object id, type, title, publisher id
    for block in state.blocks:
        due.append(
            (
                rt.block_activity_id(base, package.id, block["identifier"]),
                rt.TYPE_BLOCK,
                block["title"],
                block["identifier"],
            )
        )
    if state.course:
        due.append(
            (
                rt.course_activity_id(base, package.id),
                rt.TYPE_COURSE,
                package.title,
                structure.get("identifier") or package.identifier,
            )
        )
    statements = []
    for object_id, object_type, title, publisher_id in due:
        if object_id in already:
            continue
        statement = rt.satisfied_statement(
            actor=actor,
            object_id=object_id,
            object_type=object_type,
            title=title,
            publisher_id=publisher_id,
            registration=attempt.registration,
            session_id=session_id or str(uuid.uuid4()),
        )
        rt.record_satisfied(session, attempt.id, object_id, statement["id"])
        statements.append(statement)
    if statements:
        _store(session).save(statements, authority=tool_authority(base))
    course_newly = state.course and rt.course_activity_id(base, package.id) not in already
    scores = [p.score_scaled for p in progress.values() if p.score_scaled is not None]
    score = round(sum(scores) / len(scores), 6) if scores else None
    changed = not preview and (
        course_newly or (score is not None and score != attempt.score_scaled)
    )
    outcome = CommitOutcome(
        applied=True,
        events=[],
        overflow=[],
        attempt_completed=state.course,
        attempt_score_scaled=score if score is not None else (1.0 if state.course else None),
        attempt_changed=bool(changed),
        attempt_events=(
            [RuntimeEvent("completed", {"completion": True}), RuntimeEvent("passed")]
            if course_newly
            else []
        ),
    )
    if changed:
        session.execute(
            t.attempts.update()
            .where(t.attempts.c.id == attempt.id)
            .values(
                completed=state.course,
                success="passed" if state.course else attempt.success,
                score_scaled=score if score is not None else attempt.score_scaled,
                updated_at=utcnow(),
            )
        )
        # In the statements' transaction: a grade that cannot be queued fails the write.
        results.queue_grade(
            session, outcome=outcome, user=user, link=_link(session, attempt.context)
        )
    note = None
    if course_newly and not preview:
        refreshed = session.execute(select(t.attempts).where(t.attempts.c.id == attempt.id)).one()
        note = results.queue_passport_entry(
            session, outcome=outcome, user=user, package=package, attempt=refreshed
        )
    session.commit()
    if note:
        passport_feed.deliver_after_commit(session, note)
    if changed:
        results.notify_result_recorded(
            session,
            results.ResultRecorded(
                user=user,
                package_id=package.id,
                completed=bool(state.course),
                score_scaled=outcome.attempt_score_scaled,
            ),
        )
    return [s["id"] for s in statements]


def _link(session: Session, context: str) -> ResourceLink | None:
    kind, _, value = context.partition(":")
    if kind != "link" or not value.isdigit():
        return None
    return session.get(ResourceLink, int(value))


def au_progress(
    session: Session, attempt: Row[Any], package_id: int, scos: list[Row[Any]]
) -> dict[int, rt.AuProgress]:
    """Every AU's progress in the registration, by sco id, waivers included."""
    by_sco = rt.progress_by_sco(session, attempt.id)
    recorded = rt.satisfied_objects(session, attempt.id)
    base = _base_url()
    progress: dict[int, rt.AuProgress] = {}
    for sco in scos:
        p = by_sco.get(sco.id, rt.AuProgress())
        p.waived = rt.au_activity_id(base, package_id, sco.identifier) in recorded
        progress[sco.id] = p
    return progress


def course_satisfied(session: Session, attempt: Row[Any], package_id: int) -> bool:
    """Whether the registration has its course ``satisfied`` statement (every AU's moveOn met)."""
    return rt.course_activity_id(_base_url(), package_id) in rt.satisfied_objects(
        session, attempt.id
    )


def reviewable(progress: rt.AuProgress, au: dict[str, Any] | None) -> bool:
    """Review is offered once the AU is satisfied for the registration and something is on
    record to look back at (a NotApplicable AU is satisfied before it is ever opened)."""
    return au is not None and progress.recorded and progress.satisfied(rt.move_on_of(au))


class AlreadyWaived(Exception):
    """The AU has a waived statement in this registration already (9.3: at most one)."""


def waive_au(
    session: Session,
    *,
    user: User,
    package: Row[Any],
    version: Row[Any],
    attempt: Row[Any],
    sco: Row[Any],
    reason: str,
) -> str:
    """Write the LMS's ``waived`` statement for the learner's AU, then the satisfied statements
    it makes due, under the waiver's own session id (9.3.7); commits. Returns the statement id.

    The waiver is recorded in ``cmi5_satisfied`` under the AU's activity id: its unique key per
    registration and object keeps it to one per registration and AU, also when two trainers
    press the button at once."""
    au = rt.find_au(version.structure, sco.identifier)
    if au is None:
        raise LookupError(f"AU {sco.identifier!r} is not in the course structure")
    activity_id = rt.au_activity_id(_base_url(), package.id, sco.identifier)
    rt.lock_registration(session, attempt.id)
    if activity_id in rt.satisfied_objects(session, attempt.id):
        session.rollback()
        raise AlreadyWaived(sco.identifier)
    session_id = str(uuid.uuid4())
    statement = rt.waived_statement(
        actor=actor_for(user),
        activity_id=activity_id,
        title=au.get("title", ""),
        publisher_id=sco.identifier,
        registration=attempt.registration,
        session_id=session_id,
        reason=reason,
    )
    try:
        with session.begin_nested():
            rt.record_satisfied(session, attempt.id, activity_id, statement["id"])
    except IntegrityError:
        session.rollback()
        raise AlreadyWaived(sco.identifier) from None
    _store(session).save([statement], authority=tool_authority(_base_url()))
    session.commit()
    evaluate_move_on(session, attempt_id=attempt.id, session_id=session_id, user=user)
    return str(statement["id"])


@dataclass
class Waiver:
    learner: str  # as attempts.learner ("user:<id>")
    attempt_number: int
    au_identifier: str  # the publisher's AU id
    waived_at: dt.datetime


def waivers(session: Session, package_id: int, context: str) -> list[Waiver]:
    """Every AU waived for the package in this course context, newest first (one query)."""
    prefix = rt.au_activity_id(_base_url(), package_id, "")
    rows = session.execute(
        select(
            t.attempts.c.learner,
            t.attempts.c.number,
            t.cmi5_satisfied.c.object_id,
            t.cmi5_satisfied.c.satisfied_at,
        )
        .join(t.attempts, t.attempts.c.id == t.cmi5_satisfied.c.attempt_id)
        .join(t.versions, t.versions.c.id == t.attempts.c.version_id)
        .where(
            t.versions.c.package_id == package_id,
            t.attempts.c.context == context,
            t.cmi5_satisfied.c.object_id.startswith(prefix, autoescape=True),
        )
        .order_by(t.cmi5_satisfied.c.id.desc())
    )
    return [
        Waiver(row.learner, row.number, unquote(row.object_id[len(prefix) :]), row.satisfied_at)
        for row in rows
    ]


def status_label(progress: rt.AuProgress) -> str:
    """The word the table of contents shows for an AU."""
    if progress.waived:
        return "waived"
    if progress.passed:
        return "passed"
    if progress.failed:
        return "failed"
    if progress.completed:
        return "completed"
    if progress.started:
        return "in progress"
    return "not attempted"


register_write_guard("cmi5", check_write, after_write)
register_job("cmi5-sessions", expire_sessions, every_seconds=60)
