"""Who a launch (or a roster line) is: a person of one registration, never of a whole issuer.

A registration is an issuer + a client id. Two registrations may share an issuer (Canvas and
Blackboard cloud use one issuer for all their customers; anyone who runs ``learnpass platform
add`` may name any issuer), and each signs its launches with its own key. If people were keyed
by issuer + ``sub`` only, the second registration could sign a launch with someone's ``sub`` and
become that person here. So a person is keyed by issuer + client id + ``sub`` (+ the deployment
when the platform says its ``sub`` is only unique per deployment); an explicit identity link
(``learnpass passport link-identities``) is the only way to join two of them.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Protocol

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ..models import User
from ..upsert import insert_if_absent


class PlatformKey(Protocol):
    """What keys a registration's people: a Platform, or its row as the launch read it."""

    id: int
    issuer: str
    client_id: str
    sub_per_deployment: bool


def deployment_scope(platform: PlatformKey, deployment_id: str) -> str:
    """The deployment part of the person's key: only where the platform says so."""
    return deployment_id if platform.sub_per_deployment else ""


def user_key(platform: PlatformKey, sub: str, deployment_id: str) -> list[ColumnElement[bool]]:
    """The conditions that find the registration's person with this ``sub``."""
    return [
        User.issuer == platform.issuer,
        User.client_id == platform.client_id,
        User.deployment_scope == deployment_scope(platform, deployment_id),
        User.sub == sub,
    ]


def find_user(session: Session, platform: PlatformKey, sub: str, deployment_id: str) -> User | None:
    return session.scalars(select(User).where(*user_key(platform, sub, deployment_id))).first()


def get_or_create_user(
    session: Session, platform: PlatformKey, sub: str, deployment_id: str, found: User | None = None
) -> User:
    """The registration's person with this ``sub``, created on first sight (``found``: the row,
    when the caller has already read it).

    Two first launches of one person at once both find no row: the insert is an upsert, so the
    second one reads the first one's row instead of failing on the unique key.
    """
    user = found or find_user(session, platform, sub, deployment_id)
    scope = deployment_scope(platform, deployment_id)
    for _ in range(3):
        if user is not None:
            break
        account_name = free_account_name(session, platform.issuer, sub, platform.client_id, scope)
        insert_if_absent(
            session,
            User,
            {
                "issuer": platform.issuer,
                "client_id": platform.client_id,
                "deployment_scope": scope,
                "sub": sub,
                "platform_id": platform.id,
                "account_name": account_name,
            },
        )
        # None only when another person took the account name meanwhile: pick another one.
        user = find_user(session, platform, sub, deployment_id)
    if user is None:  # pragma: no cover - three lost races for a fresh account name
        raise RuntimeError("could not create the person")
    # The same registration removed and added again is a new row with the same people.
    user.platform_id = platform.id
    return user


def free_account_name(session: Session, issuer: str, sub: str, client_id: str, scope: str) -> str:
    """The xAPI account name for a new person: the ``sub`` when no one of the issuer has it yet,
    else the ``sub`` with a mark of the registration (so statements never mix two people)."""
    mark = hashlib.sha256(f"{client_id}|{scope}".encode()).hexdigest()[:16]
    for candidate in (sub, f"{sub}#{mark}", f"{sub}#{uuid.uuid4().hex}"):
        taken = session.scalar(
            select(User.id).where(User.issuer == issuer, User.account_name == candidate)
        )
        if taken is None:
            return candidate
    raise RuntimeError("no free account name")  # pragma: no cover - a random uuid is free
