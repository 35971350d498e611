"""Erasing a person: the hooks every feature registers, and what the core tables hold about them.

An erase runs in the caller's transaction (nothing here commits), so it happens entirely or not
at all. Each feature that keeps something about a person registers an ``Eraser``; the launch
layer's own traces (server-side sessions, pylti1p3 launch data, grades waiting for the platform,
enrolments) and the user row itself are handled here. Afterwards the user row stays, so foreign
keys of other people's records (an entry a trainer approved, an audit actor) keep pointing
somewhere, but it holds no name, e-mail or LTI user id: the ``sub`` becomes a random value that
nothing can lead back from, and a later launch of the same person creates a fresh, unlinked user.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .models import Enrolment, GradeOutbox, KeyValue, User

# The user id of an erased person: nothing a platform sends, and unique for the issuer+sub key.
ERASED_SUB_PREFIX = "erased:"

Eraser = Callable[[Session, User], dict[str, Any]]
_erasers: list[Eraser] = []


def register_eraser(eraser: Eraser) -> None:
    """A feature adds what it holds about a person (SCORM attempts, passport, xAPI...).

    The eraser receives the user row as it was (name, ``sub`` still there), deletes or
    pseudonymises its rows in the session without committing, and returns counts for the audit
    record (numbers only: never something that leads back to the person).
    """
    if eraser not in _erasers:
        _erasers.append(eraser)


def run_erasers(session: Session, user: User) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    for eraser in _erasers:
        counts.update(eraser(session, user))
    return counts


def is_erased_sub(sub: str | None) -> bool:
    """Whether the person with this ``sub`` (None: no such person) was erased."""
    return sub is None or sub.startswith(ERASED_SUB_PREFIX)


def _names_person(value: Any, user: User) -> bool:
    """Whether a stored JSON value is about this person: a launch context (issuer, sub, user id),
    an id_token's claims (iss, sub), or a grant the tool keeps for them by user id and issuer
    (the content origin's browser bindings and single-use tickets), at any depth."""
    if isinstance(value, list):
        return any(_names_person(item, user) for item in value)
    if not isinstance(value, dict):
        return False
    if value.get("sub") == user.sub and (
        value.get("iss") == user.issuer
        or value.get("issuer") == user.issuer
        or value.get("user_id") == user.id
    ):
        return True
    if value.get("issuer") == user.issuer and user.id in (value.get("user"), value.get("viewer")):
        return True
    return any(_names_person(item, user) for item in value.values())


def erase_launch_traces(session: Session, user: User) -> dict[str, int]:
    """The person's server-side sessions and stored launch data, grades still to send, and
    enrolments. The shared store is short-lived and small, so its values are read in Python: a
    session or launch-data key may be renamed later, the launch it holds is still recognised."""
    keys = [
        row.key
        for row in session.execute(select(KeyValue.key, KeyValue.value))
        if _names_person(row.value, user)
    ]
    if keys:
        session.execute(delete(KeyValue).where(KeyValue.key.in_(keys)))
    grades = session.execute(delete(GradeOutbox).where(GradeOutbox.user_id == user.id))
    enrolments = session.execute(delete(Enrolment).where(Enrolment.user_id == user.id))
    return {
        "sessions_and_launch_data": len(keys),
        "grade_outbox": int(getattr(grades, "rowcount", 0) or 0),
        "enrolments": int(getattr(enrolments, "rowcount", 0) or 0),
    }


def forget_identity(user: User) -> None:
    """Blank the user row: no name, e-mail, language or LTI user id stays."""
    user.name = user.given_name = user.family_name = user.email = ""
    user.locale = ""
    user.sub = ERASED_SUB_PREFIX + secrets.token_hex(16)
    user.account_name = user.sub  # the xAPI account name holds the sub too
    user.last_launch_at = None
