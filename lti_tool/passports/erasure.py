"""Erasing a person from the passport, and through the hooks of ``lti_tool.erasure`` from every
other feature: one transaction, so an erase happens entirely or not at all.

The person is every identity an admin linked into their passport (one passport, one person).
What only serves the person is deleted (entries, certificate files, identity links, group
memberships, SCORM attempts, sessions); what must stay for others is kept under a value that
cannot be linked back: credentials stay revoked and emptied (their verification page keeps
answering), xAPI statements keep counting under a random account, and the audit records about
the person (this erase included) carry one random reference instead of the hash of their id.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from lti_tool.erasure import erase_launch_traces, forget_identity, run_erasers
from lti_tool.models import User, utcnow

from . import matrix_cells
from .audit import subject_ref
from .errors import N_, PassportError
from .identities import identity_user_ids
from .models import (
    CertificateFile,
    Credential,
    IdentityLink,
    MatrixLearner,
    PassportAudit,
    PassportEntry,
    company_hr,
    group_member,
)
from .recording import VERB_VOIDED, statements_of

ERASED_REF_PREFIX = "erased:"


def erase_learner(session: Session, user_id: int, *, actor_id: int, base_url: str) -> PassportAudit:
    """Erase the person and their linked identities; commits. The returned audit record holds
    counts only, under a random reference (the same one now stands on the person's older audit
    records, so they stay together without leading back to anyone).

    The user rows stay, blanked (``lti_tool.erasure.forget_identity``), so other people's records
    keep their foreign keys, and a later launch of the same person starts a fresh user.
    """
    if session.get(User, user_id) is None:
        raise PassportError(N_("Unknown person."))
    people = [session.get(User, i) for i in identity_user_ids(session, user_id)]
    reference = ERASED_REF_PREFIX + secrets.token_hex(16)
    counts: dict[str, Any] = {"identities": 0}
    for person in people:
        if person is None:
            continue
        for key, value in _erase_one(session, person, actor_id, base_url, reference).items():
            both_numbers = isinstance(value, int) and isinstance(counts.get(key, 0), int)
            counts[key] = counts.get(key, 0) + value if both_numbers else value
        counts["identities"] += 1
    record = PassportAudit(action="erase", actor_id=actor_id, subject_ref=reference, details=counts)
    session.add(record)
    session.commit()
    return record


def _erase_one(
    session: Session, user: User, actor_id: int, base_url: str, reference: str
) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    counts.update(_erase_passport(session, user, actor_id))
    counts["audit_records_unlinked"] = _unlink_audit(session, user, reference)
    counts.update(run_erasers(session, user))
    counts.update(erase_launch_traces(session, user))
    counts["statements_voided"] = void_statements(session, base_url, user)
    # Voided rows stay in the LRS; with a pseudonym in their place they no longer say who it was.
    counts.update(pseudonymise_statements(session, base_url, user))
    forget_identity(user)
    return counts


def _unlink_audit(session: Session, user: User, reference: str) -> int:
    """The person's audit records keep what happened, under the random reference, without the
    free text an admin typed (a revocation reason may name the person)."""
    records = list(
        session.scalars(select(PassportAudit).where(PassportAudit.subject_ref == subject_ref(user)))
    )
    for record in records:
        record.subject_ref = reference
        if "reason" in (record.details or {}):
            record.details = {**record.details, "reason": ""}
    return len(records)


def _erase_passport(session: Session, user: User, actor_id: int) -> dict[str, Any]:
    credentials = list(session.scalars(select(Credential).where(Credential.user_id == user.id)))
    now = utcnow()
    for credential in credentials:
        if credential.revoked_at is None:
            credential.revoked_at = now
            credential.revoked_by_id = actor_id
        # An earlier reason is an admin's free text and may name the person.
        credential.revoke_reason = "erased"
        credential.user_id = None
        credential.achievement_name = ""
        credential.token = ""
    entries = list(session.scalars(select(PassportEntry).where(PassportEntry.user_id == user.id)))
    for entry in entries:
        session.delete(entry)
    files = list(
        session.scalars(select(CertificateFile).where(CertificateFile.owner_id == user.id))
    )
    for file in files:
        session.delete(file)
    session.execute(
        delete(IdentityLink).where(
            or_(IdentityLink.primary_user_id == user.id, IdentityLink.linked_user_id == user.id)
        )
    )
    # Bulk deletes pass no ORM event: the person's matrix cells are computed again (to none).
    matrix_cells.mark(session, [user.id])
    rows = session.execute(delete(MatrixLearner).where(MatrixLearner.user_id == user.id))
    left = session.execute(delete(group_member).where(group_member.c.user_id == user.id))
    hr = session.execute(delete(company_hr).where(company_hr.c.user_id == user.id))
    return {
        "credentials_revoked": len(credentials),
        "entries": len(entries),
        "files": len(files),
        "group_memberships": int(getattr(left, "rowcount", 0) or 0),
        "company_hr": int(getattr(hr, "rowcount", 0) or 0),
        "matrix_rows": int(getattr(rows, "rowcount", 0) or 0),
    }


def void_statements(session: Session, base_url: str, user: User) -> int:
    """Void every statement the person is the actor of, so the LRS no longer returns them.

    Voiding hides them from every query, but xAPI keeps voided rows: ``erase_learner`` then
    replaces the person's account in the stored payloads (``pseudonymise_statements``).
    """
    from xapi.actor import tool_authority
    from xapi.store import StatementStore

    store = StatementStore(session)
    targets = [
        s["id"] for s in statements_of(session, user) if s.get("verb", {}).get("id") != VERB_VOIDED
    ]
    authority = tool_authority(base_url)
    voiding = [
        {
            "actor": authority,
            "verb": {"id": VERB_VOIDED, "display": {"en": "voided"}},
            "object": {"objectType": "StatementRef", "id": statement_id},
        }
        for statement_id in targets
    ]
    if voiding:
        store.save(voiding, authority=authority)
    return len(voiding)


def pseudonymise_statements(session: Session, base_url: str, user: User) -> dict[str, Any]:
    """Replace the person's account, and their e-mail as a mailbox, in every stored statement by
    a random account (see docs)."""
    from xapi.privacy import pseudonymise_account

    return pseudonymise_account(
        session,
        home_page=user.issuer,
        name=user.account_name,
        pseudonym_home_page=base_url.rstrip("/") + "/erased",
        email=user.email,
    ).as_counts()
