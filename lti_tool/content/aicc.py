"""The AICC HACP endpoint (``aicc_url``) on the content origin, where the AU's pages run.

The AU posts ``command`` (GetParam, PutParam, ExitAU), ``version``, ``session_id`` (the
``aicc_sid`` it was launched with) and ``aicc_data``, form-encoded, and reads the answer
``error=...\\r\\nerror_text=...\\r\\naicc_data=...``. No cookie is read: the session id is the
credential (the specification puts it in the launch URL), opaque, bound to one attempt and AU,
and ending at ExitAU, at the next launch or after some hours (learning_packages/aicc_runtime.py).

Every answer is HTTP 200 with an HACP error code, as AUs expect: 1 for an unknown command or
malformed aicc_data, 3 for a missing, ended or expired session id. What a PutParam stores goes the
way of a SCORM commit: the attempt's SCO state, statements, the grade outbox and the passport.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from sqlalchemy import select

from learning_packages import aicc_runtime as hacp
from learning_packages import attempts as runtime
from learning_packages import tables as t

from ..content_origin import set_content_policy
from ..extensions import csrf, db
from ..models import User
from . import results, services
from .files import bp as files_bp

MAX_BODY_BYTES = hacp.MAX_AICC_DATA_CHARS * 4 + 4096  # percent-encoding at most triples a byte
COMMANDS = ("getparam", "putparam", "exitau")
NOT_STORED = "Invalid Command: the data could not be stored just now; send it again"


def answer(code: int, text: str, aicc_data: str | None = None) -> Response:
    lines = [f"error={code}", f"error_text={text}"]
    if aicc_data is not None:
        lines += ["version=4.0", f"aicc_data={aicc_data}"]
    set_content_policy(hacp_policy())
    response = Response("\r\n".join(lines) + "\r\n", mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    # An AU hosted elsewhere posts from its own origin; no cookie is sent or read here.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def hacp_policy() -> str:
    return "default-src 'none'; sandbox; frame-ancestors 'none'"


@files_bp.post("/content/aicc/hacp")
@csrf.exempt
def aicc_hacp() -> Any:
    """One HACP command for the session its ``session_id`` names."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return answer(hacp.INVALID_COMMAND, "Invalid Command: the request is too large")
    form = request.form
    command = (form.get("command") or "").strip().lower()
    if command not in COMMANDS:
        return answer(
            hacp.INVALID_COMMAND,
            "Invalid Command: command must be GetParam, PutParam or ExitAU",
        )
    session = db.session()
    try:
        row = hacp.open_session(
            session, (form.get("session_id") or "").strip(), lock=command != "getparam"
        )
        found = _attempt_of(session, row)
        if found is None:
            raise hacp.HacpError(hacp.INVALID_SESSION, "Invalid Session ID: no such session")
        attempt, sco, user = found
        preview = services.is_preview(attempt)  # a trainer's: only the CMI data is kept
        if command == "getparam":
            return _get_param(session, row, attempt, sco, user)
        if command == "putparam":
            data = hacp.parse_put(form.get("aicc_data") or "")
            state = runtime.states_by_sco(session, attempt.id).get(sco.id)
            cmi = hacp.put_cmi(row, sco, state, data, user.sub)
            outcome = hacp.commit(
                session, row=row, sco=sco, cmi=cmi, trigger="commit", results=not preview
            )
            for problem in outcome.overflow:
                current_app.logger.warning(
                    "AICC attempt %s, AU %s: %s", attempt.id, sco.id, problem
                )
        else:
            state = runtime.states_by_sco(session, attempt.id).get(sco.id)
            cmi = dict(state.cmi.get("cmi", {})) if state is not None else {}
            outcome = hacp.commit(
                session, row=row, sco=sco, cmi=cmi, trigger="terminate", results=not preview
            )
            hacp.end_session(session, row)
    except hacp.HacpError as exc:
        session.rollback()
        return answer(exc.code, exc.text)
    except Exception:  # noqa: BLE001 - e.g. two first PutParams at once: the AU may send again
        session.rollback()
        current_app.logger.exception("AICC %s: the command was not stored", command)
        return answer(hacp.INVALID_COMMAND, NOT_STORED)
    if not _record(session, outcome, attempt, user, sco):
        return answer(hacp.INVALID_COMMAND, NOT_STORED)
    return answer(hacp.OK, "Successful")


def _attempt_of(session: Any, row: Any) -> tuple[Any, Any, User] | None:
    attempt = session.execute(select(t.attempts).where(t.attempts.c.id == row.attempt_id)).first()
    sco = session.execute(select(t.scos).where(t.scos.c.id == row.sco_id)).first()
    kind, _, user_id = row.learner.partition(":")
    user = session.get(User, int(user_id)) if kind == "user" and user_id.isdigit() else None
    if attempt is None or sco is None or user is None or attempt.learner != row.learner:
        return None
    return attempt, sco, user


def _get_param(session: Any, row: Any, attempt: Any, sco: Any, user: User) -> Response:
    """The learner and the stored state; the session's first GetParam is its start
    (an initialized or resumed statement, as SCORM's Initialize)."""
    state = runtime.states_by_sco(session, attempt.id).get(sco.id)
    data = hacp.get_param(row, sco, state, user.sub, _aicc_name(user))
    if hacp.mark_initialized(session, row):
        verb = "resumed" if row.entry == "resume" else "initialized"
        outcome = runtime.CommitOutcome(
            applied=True,
            events=[runtime.RuntimeEvent(verb)],
            overflow=[],
            attempt_completed=bool(attempt.completed),
            attempt_score_scaled=attempt.score_scaled,
            attempt_changed=False,
        )
        if not _record(session, outcome, attempt, user, sco):
            return answer(hacp.INVALID_COMMAND, NOT_STORED)
    else:
        session.commit()
    return answer(hacp.OK, "Successful", data)


def _aicc_name(user: User) -> str:
    """AICC's ``Last, First`` when the platform sent both parts, else the name as it is."""
    if user.family_name and user.given_name:
        return f"{user.family_name}, {user.given_name}"
    return user.name or user.sub


def _record(session: Any, outcome: Any, attempt: Any, user: User, sco: Any) -> bool:
    """Commit the AU's data with the statements, the grade and the passport note it calls for,
    all or nothing (as the SCORM commit does); then the passport entry and the listeners. A
    trainer's preview records nothing but its CMI data."""
    version = services.get_version(session, attempt.version_id)
    assert version is not None
    try:
        _ids, note = results.record_outcome(
            session, outcome=outcome, attempt=attempt, user=user, version=version, sco=sco
        )
        session.commit()
    except Exception:  # noqa: BLE001 - nothing half-stored: the AU is told and may send again
        session.rollback()
        current_app.logger.exception("AICC attempt %s: the command was not stored", attempt.id)
        return False
    results.after_commit(
        session, outcome=outcome, attempt=attempt, user=user, version=version, note=note
    )
    return True
