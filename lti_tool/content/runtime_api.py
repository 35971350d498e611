"""The SCORM run-time's JSON endpoints on the tool's origin: starting data for a SCO, commits and
the sequencing state. The run-time frame calls them from the content origin with the attempt
token in a header; CORS lets exactly that origin read the answers, never with credentials
(no cookie is needed or read here). The same header lets ``pagehide`` commits through with
``keepalive``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, jsonify, request
from sqlalchemy import select

from learning_packages import attempts as runtime
from learning_packages import tables as t
from learning_packages.sequencing_settings import has_sequencing
from learning_packages.structure import SCORM_2004

from ..content_origin import content_origin
from ..extensions import csrf, db
from ..models import User
from . import results, services
from .blueprint import bp

MAX_COMMIT_BYTES = runtime.MAX_CMI_JSON_BYTES
API_ENDPOINTS = {"content.sco_state", "content.commit", "content.sequencing_state"}
# A commit whose statements or grade could not be written is not stored at all; the run-time
# page keeps its data and sends the commit again until it gets a 2xx.
NOT_STORED = "Your progress could not be saved just now. It is sent again in a moment."


@bp.after_request
def _cors(response: Response) -> Response:
    """Only the content origin may read these answers (and send the token header)."""
    if request.endpoint in API_ENDPOINTS and request.headers.get("Origin") == content_origin():
        response.headers["Access-Control-Allow-Origin"] = content_origin()
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Attempt-Token"
        response.headers["Access-Control-Max-Age"] = "600"
    if request.endpoint in API_ENDPOINTS:
        response.headers.add("Vary", "Origin")
    return response


def _attempt_for_request(attempt_id: int) -> tuple[Any, User]:
    grant = services.read_attempt_token(request.headers.get("X-Attempt-Token", ""))
    if grant is None or grant.attempt_id != attempt_id:
        abort(
            403,
            description="The attempt token is missing, expired or for another attempt; "
            "reload the page.",
        )
    found = services.granted_attempt(db.session(), grant)
    if found is None:
        abort(403, description="This attempt is not yours.")
    return found


def sco_of(attempt: Any, sco_id: int) -> Any:
    sco = db.session.execute(
        select(t.scos).where(t.scos.c.id == sco_id, t.scos.c.version_id == attempt.version_id)
    ).first()
    if sco is None:
        abort(404, description="No such SCO in this attempt's package version.")
    return sco


@bp.get("/api/scorm/attempts/<int:attempt_id>/scos/<int:sco_id>")
def sco_state(attempt_id: int, sco_id: int) -> Any:
    """The starting CMI data for one SCO of the attempt (when the learner switches SCOs)."""
    attempt, user = _attempt_for_request(attempt_id)
    sco = sco_of(attempt, sco_id)
    version = services.get_version(db.session(), attempt.version_id)
    assert version is not None
    state = runtime.states_by_sco(db.session(), attempt.id).get(sco.id)
    return jsonify({"cmi": runtime.starting_cmi(version.edition, sco, state, user.sub, user.name)})


@bp.post("/api/scorm/attempts/<int:attempt_id>/scos/<int:sco_id>/commit")
@csrf.exempt
def commit(attempt_id: int, sco_id: int) -> Any:
    """Store CMI data the run-time committed; the page retries until it gets a 2xx."""
    if (request.content_length or 0) > MAX_COMMIT_BYTES:
        abort(413, description=f"A commit may be at most {MAX_COMMIT_BYTES:,} bytes.")
    attempt, user = _attempt_for_request(attempt_id)
    sco = sco_of(attempt, sco_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        abort(400, description="The commit body must be a JSON object.")
    session = db.session()
    version = services.get_version(session, attempt.version_id)
    assert version is not None
    try:
        outcome = runtime.apply_commit(
            session,
            attempt_id=attempt.id,
            sco_id=sco.id,
            edition=version.edition,
            payload=payload,
            sequenced=version.kind == SCORM_2004
            and has_sequencing(version.structure, version.default_organization),
            results=not services.is_preview(attempt),
        )
    except runtime.CommitRefused as exc:
        session.rollback()
        abort(400, description=str(exc))
    for problem in (
        outcome.overflow + [str(p) for p in payload.get("overflow", []) if isinstance(p, str)][:5]
    ):
        current_app.logger.warning(
            "SCORM attempt %s, SCO %s: %s", attempt.id, sco.identifier, problem
        )
    statement_ids = _record_results(session, outcome, attempt, user, version, sco)
    return jsonify(
        {
            "stored": outcome.applied,
            "overflow": outcome.overflow,
            "completed": outcome.attempt_completed,
            "score_scaled": outcome.attempt_score_scaled,
            "statements": len(statement_ids),
        }
    )


MAX_SEQUENCING_STATE_CHARS = 1_000_000


@bp.post("/api/scorm/attempts/<int:attempt_id>/sequencing")
@csrf.exempt
def sequencing_state(attempt_id: int) -> Any:
    """Store scorm-again's sequencing state for the attempt and its rollup of the course, which
    then goes the way of a commit's result (statements, grade, passport)."""
    if (request.content_length or 0) > MAX_SEQUENCING_STATE_CHARS + 4096:
        abort(413, description="The sequencing state is too large.")
    attempt, user = _attempt_for_request(attempt_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("state"), str):
        abort(400, description="The body must be a JSON object with the state as a string.")
    revision = payload.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
        abort(400, description="The body must carry the state's revision, a whole number from 1.")
    rollup = payload.get("rollup") if isinstance(payload.get("rollup"), dict) else {}
    score = rollup.get("score_scaled")
    if not isinstance(score, int | float) or isinstance(score, bool):
        score = None
    sco = sco_of(attempt, payload.get("sco")) if isinstance(payload.get("sco"), int) else None
    session = db.session()
    version = services.get_version(session, attempt.version_id)
    assert version is not None
    try:
        outcome = runtime.apply_rollup(
            session,
            attempt_id=attempt.id,
            state=payload["state"][:MAX_SEQUENCING_STATE_CHARS],
            revision=revision,
            completed=rollup.get("completed") is True,
            success=str(rollup.get("success") or ""),
            score_scaled=score,
            results=not services.is_preview(attempt),
        )
    except runtime.StaleSequencingState as exc:
        session.rollback()
        # The page says so and offers a reload; the newer state stays.
        message = "A newer sequencing state was saved from another window or device."
        body = {"error": "Conflict", "message": message, "status": 409}
        return jsonify({**body, "revision": exc.stored_revision}), 409
    _record_results(session, outcome, attempt, user, version, sco)
    return jsonify(
        {
            "stored": True,
            "revision": revision,
            "completed": outcome.attempt_completed,
            "score_scaled": outcome.attempt_score_scaled,
        }
    )


def _record_results(
    session: Any, outcome: Any, attempt: Any, user: User, version: Any, sco: Any
) -> list[str]:
    """Commit the CMI data with the statements, the grade and the passport note it calls for,
    all or nothing, while the attempt's row is still locked (``runtime.lock_attempt``): the
    result settled from the stored state is recorded once. Then record the passport entry (the
    passport-feed job retries it). A trainer's preview records nothing but its CMI data."""
    try:
        statement_ids, note = results.record_outcome(
            session, outcome=outcome, attempt=attempt, user=user, version=version, sco=sco
        )
        session.commit()
    except Exception:  # noqa: BLE001 - nothing half-stored: the page is told and sends again
        session.rollback()
        current_app.logger.exception("SCORM attempt %s: the commit was not stored", attempt.id)
        abort(503, description=NOT_STORED)
    results.after_commit(
        session, outcome=outcome, attempt=attempt, user=user, version=version, note=note
    )
    return statement_ids
