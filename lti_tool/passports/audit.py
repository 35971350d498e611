"""The passport's audit records, which name a person by a pseudonym so that they outlive an
erasure of the person's data."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from lti_tool.models import User

from .models import PassportAudit


def subject_ref(user: User) -> str:
    """A stable pseudonym of a person for audit records that must outlive their data."""
    return "sha256:" + hashlib.sha256(f"{user.issuer}|{user.account_name}".encode()).hexdigest()


def audit(
    session: Session, action: str, actor_id: int | None, subject: User, details: dict[str, Any]
) -> PassportAudit:
    record = PassportAudit(
        action=action, actor_id=actor_id, subject_ref=subject_ref(subject), details=details
    )
    session.add(record)
    return record
