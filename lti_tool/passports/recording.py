"""The one place passport events become xAPI statements (earned, revoked, expired), and the
person's own statements for their data download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import User, utcnow
from xapi import vocab
from xapi.actor import account_actor
from xapi.emitter import Emitter
from xapi.models import agent_key
from xapi.store import StatementQuery, StatementStore

from .models import Credential

# Passport events: the profile's IRIs, from the one vocabulary (xapi/vocab.py).
VERB_EARNED = vocab.Verb.EARNED
VERB_EXPIRED = vocab.Verb.EXPIRED
VERB_REVOKED = vocab.Verb.REVOKED
VERB_VOIDED = vocab.Verb.VOIDED
ENTRY_ACTIVITY_TYPE = vocab.ActivityType.PASSPORT_ENTRY
CREDENTIAL_ACTIVITY_TYPE = vocab.ActivityType.CREDENTIAL


def record_statement(
    session: Session,
    base_url: str,
    *,
    user: User,
    verb: str,
    object_id: str,
    object_name: str,
    activity_type: str,
    instructor: User | None = None,
    extensions: dict[str, Any] | None = None,
) -> str:
    """The passport's only door to xAPI: writes in the caller's transaction, never commits.

    Returns the statement id.
    """
    return str(
        Emitter(session, base_url).emit(
            actor=account_actor(user.issuer, user.account_name, user.name or None),
            verb=verb,
            object_id=object_id,
            object_name=object_name,
            activity_type=activity_type,
            instructor=account_actor(
                instructor.issuer, instructor.account_name, instructor.name or None
            )
            if instructor
            else None,
            extensions=extensions,
        )
    )


def statements_of(session: Session, user: User) -> list[dict[str, Any]]:
    """The xAPI statements the person is the actor of (for their own data download)."""
    key = agent_key(account_actor(user.issuer, user.account_name))
    return list(StatementStore(session).iterate(StatementQuery(agent_key=key)))


def record_expiries(session: Session, base_url: str, *, today: dt.date | None = None) -> int:
    """Emit ``expired`` once per credential whose validity ended (run daily by the CLI)."""
    today = today or dt.date.today()
    now = dt.datetime.combine(today, dt.time())
    due = session.scalars(
        select(Credential).where(
            Credential.valid_until.is_not(None),
            Credential.valid_until < now,
            Credential.revoked_at.is_(None),
            Credential.expiry_recorded_at.is_(None),
            Credential.user_id.is_not(None),
        )
    )
    count = 0
    for credential in due:
        user = session.get(User, credential.user_id)
        if user is None:
            continue
        record_statement(
            session,
            base_url,
            user=user,
            verb=VERB_EXPIRED,
            object_id=f"{base_url}/verify/{credential.public_id}",
            object_name=credential.statement_name,
            activity_type=CREDENTIAL_ACTIVITY_TYPE,
        )
        credential.expiry_recorded_at = utcnow()
        count += 1
    session.commit()
    return count
