"""cmi5 launch sessions and what a registration has recorded per AU, in the database
(tables ``cmi5_session``, ``scorm_sco_state``, ``cmi5_satisfied``). The registration is the SCORM
attempt's: one per learner and course enrolment, kept across launch sessions so an AU can resume,
and renewed only when the learner starts a new attempt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from .cmi5_course import AuProgress, move_on_of
from .cmi5_rules import SessionView
from .cmi5_vocab import INITIALIZED, LAUNCH_MODES, SESSION_LIFETIME
from .tables import attempts, cmi5_satisfied, cmi5_sessions, sco_states, utcnow

# ---------------------------------------------------------------- sessions (table cmi5_session)


def start_session(
    session: Session,
    *,
    attempt: Row[Any],
    sco: Row[Any],
    au: dict[str, Any],
    activity_id: str,
    actor: dict[str, Any],
    launch_mode: str = "Normal",
    now: dt.datetime | None = None,
) -> Row[Any]:
    """A new launch session for the AU (no commit). The caller abandons open ones first (9.3.6)."""
    if launch_mode not in LAUNCH_MODES:
        raise ValueError(f"{launch_mode!r} is not a cmi5 launch mode")
    now = now or utcnow()
    row_id = session.execute(
        insert(cmi5_sessions)
        .values(
            session_id=str(uuid.uuid4()),
            attempt_id=attempt.id,
            sco_id=sco.id,
            registration=attempt.registration,
            au_identifier=au["identifier"],
            activity_id=activity_id,
            learner=attempt.learner,
            actor=actor,
            launch_mode=launch_mode,
            mastery_score=sco.scaled_passing_score,
            move_on=move_on_of(au),
            verbs=[],
            launched_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
        .returning(cmi5_sessions.c.id)
    ).scalar_one()
    return session.execute(select(cmi5_sessions).where(cmi5_sessions.c.id == row_id)).one()


def open_sessions(session: Session, registration: str) -> list[Row[Any]]:
    return list(
        session.execute(
            select(cmi5_sessions).where(
                cmi5_sessions.c.registration == registration, cmi5_sessions.c.ended_at.is_(None)
            )
        )
    )


def expired_sessions(session: Session, now: dt.datetime | None = None) -> list[Row[Any]]:
    now = now or utcnow()
    return list(
        session.execute(
            select(cmi5_sessions)
            .where(cmi5_sessions.c.ended_at.is_(None), cmi5_sessions.c.expires_at < now)
            .with_for_update(skip_locked=True)
            .limit(200)
        )
    )


def end_session(session: Session, row_id: int, reason: str) -> bool:
    """Mark a session ended once (terminated, abandoned or expired); False if it already was."""
    result = session.execute(
        update(cmi5_sessions)
        .where(cmi5_sessions.c.id == row_id, cmi5_sessions.c.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    return bool(getattr(result, "rowcount", 0))


def claim_fetch(session: Session, session_id: str) -> Row[Any] | None:
    """The one allowed fetch (8.2): the session row when this call is the first, else None."""
    result = session.execute(
        update(cmi5_sessions)
        .where(
            cmi5_sessions.c.session_id == session_id,
            cmi5_sessions.c.fetched_at.is_(None),
            cmi5_sessions.c.ended_at.is_(None),
            cmi5_sessions.c.expires_at > utcnow(),
        )
        .values(fetched_at=utcnow())
    )
    if not getattr(result, "rowcount", 0):
        return None
    return session.execute(
        select(cmi5_sessions).where(cmi5_sessions.c.session_id == session_id)
    ).one()


def session_for_client(session: Session, client_key: str, *, lock: bool = False) -> Row[Any] | None:
    """The session a token belongs to. With ``lock``, batches of the same session are applied
    one after the other, each reading what the one before stored: an AU may send several at
    once (Catapult's sends ``passed`` and an ``experienced`` together), and a batch that read
    the AU's progress before the other's commit would write its old value back (a ``passed``
    lost, the AU left "completed"). PostgreSQL locks the row. SQLite reads outside a
    transaction until the first write, so a write comes first: it takes SQLite's one write
    lock, and what is read after it is current."""
    query = select(cmi5_sessions).where(cmi5_sessions.c.client_key == client_key)
    if lock and session.get_bind().dialect.name == "sqlite":
        # Only an AU's own client takes the lock: any other client's statements (an analyst's,
        # the tool's) must not hold SQLite's one write lock for the rest of their request.
        if session.execute(query).first() is None:
            return None
        session.execute(
            update(cmi5_sessions)
            .where(cmi5_sessions.c.client_key == client_key)
            .values(client_key=cmi5_sessions.c.client_key)
        )
    elif lock:
        query = query.with_for_update()
    return session.execute(query).first()


def lock_registration(session: Session, attempt_id: int) -> Row[Any]:
    """The attempt (registration) row, held until the caller commits, so that one evaluation of
    moveOn runs at a time per registration: two at once would both find a block newly satisfied
    and both write its statement (the second then fails on the unique key and its own findings
    are lost). PostgreSQL: FOR NO KEY UPDATE, which still lets rows referring to the attempt be
    written meanwhile. SQLite: a write first, which takes its one write lock (see
    ``session_for_client``)."""
    query = select(attempts).where(attempts.c.id == attempt_id)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(attempts).where(attempts.c.id == attempt_id).values(id=attempts.c.id)
        )
    else:
        query = query.with_for_update(key_share=True)
    return session.execute(query).one()


# ---------------------------------------------------------------- AU progress per registration


def progress_by_sco(session: Session, attempt_id: int) -> dict[int, AuProgress]:
    rows = session.execute(select(sco_states).where(sco_states.c.attempt_id == attempt_id))
    return {row.sco_id: AuProgress.from_row(row) for row in rows}


def au_progress(session: Session, attempt_id: int, sco_id: int) -> AuProgress:
    row = session.execute(
        select(sco_states).where(
            sco_states.c.attempt_id == attempt_id, sco_states.c.sco_id == sco_id
        )
    ).first()
    return AuProgress.from_row(row)


def save_progress(session: Session, attempt_id: int, sco_id: int, progress: AuProgress) -> None:
    values = {
        "completion_status": "completed" if progress.completed else "incomplete",
        "success_status": "passed" if progress.passed else ("failed" if progress.failed else ""),
        "score_scaled": progress.score_scaled,
        "total_time": f"PT{progress.seconds:.2f}S",
        "cmi": {"cmi5": True, "progress": progress.percent},
        "updated_at": utcnow(),
    }
    found = session.execute(
        update(sco_states)
        .where(sco_states.c.attempt_id == attempt_id, sco_states.c.sco_id == sco_id)
        .values(commit_count=sco_states.c.commit_count + 1, **values)
    )
    if not getattr(found, "rowcount", 0):
        session.execute(
            insert(sco_states).values(
                attempt_id=attempt_id, sco_id=sco_id, commit_count=1, **values
            )
        )


def satisfied_objects(session: Session, attempt_id: int) -> set[str]:
    return set(
        session.execute(
            select(cmi5_satisfied.c.object_id).where(cmi5_satisfied.c.attempt_id == attempt_id)
        ).scalars()
    )


def record_satisfied(session: Session, attempt_id: int, object_id: str, statement_id: str) -> None:
    session.execute(
        insert(cmi5_satisfied).values(
            attempt_id=attempt_id,
            object_id=object_id,
            object_key=hashlib.sha256(object_id.encode()).hexdigest(),
            statement_id=statement_id,
        )
    )


def record_session(
    session: Session, row: Row[Any], view: SessionView, progress: AuProgress, now: dt.datetime
) -> None:
    """Store what an accepted batch changed: the verbs seen, the session end, the AU progress."""
    values: dict[str, Any] = {
        "verbs": [v for v in view.verbs if v != "*"],
        "last_statement_at": now,
    }
    if row.initialized_at is None and INITIALIZED in view.verbs:
        values["initialized_at"] = now
    if view.ended == "terminated" and row.ended_at is None:
        values["ended_at"], values["end_reason"] = now, "terminated"
    session.execute(update(cmi5_sessions).where(cmi5_sessions.c.id == row.id).values(**values))
    save_progress(session, row.attempt_id, row.sco_id, progress)
