"""Identities an administrator linked into one passport: one person launched from two
platforms or under two accounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lti_tool.models import User

from .audit import audit
from .errors import N_, PassportError
from .models import IdentityLink


def identity_user_ids(session: Session, user_id: int) -> list[int]:
    """The user and every identity an admin linked to the same person (one passport)."""
    primary = session.scalar(
        select(IdentityLink.primary_user_id).where(IdentityLink.linked_user_id == user_id)
    )
    primary = primary or user_id
    linked = session.scalars(
        select(IdentityLink.linked_user_id).where(IdentityLink.primary_user_id == primary)
    )
    return [primary, *linked]


ID_SLICE = 5000


def identity_groups(session: Session, user_ids: Iterable[int]) -> dict[int, list[int]]:
    """``identity_user_ids`` for many users in two queries (for the matrix)."""
    ids = list(user_ids)
    links = []
    # In slices: a course of 100,000 learners would pass more bound values than PostgreSQL
    # (65,535) or SQLite (32,766) take in one statement.
    for start in range(0, len(ids), ID_SLICE):
        part = ids[start : start + ID_SLICE]
        links += session.execute(
            select(IdentityLink.primary_user_id, IdentityLink.linked_user_id).where(
                or_(IdentityLink.primary_user_id.in_(part), IdentityLink.linked_user_id.in_(part))
            )
        ).all()
    links = list(dict.fromkeys(links))  # a link within one slice's reach is found once
    primary_of = {linked: primary for primary, linked in links}
    members: dict[int, list[int]] = defaultdict(list)
    for primary, linked in links:
        members[primary].append(linked)
    groups = {}
    for uid in ids:
        primary = primary_of.get(uid, uid)
        groups[uid] = [primary, *members.get(primary, [])]
    return groups


def link_identities(
    session: Session,
    primary_id: int,
    linked_id: int,
    actor_id: int | None,
    *,
    platform_id: int | None = None,
) -> IdentityLink:
    """Join ``linked_id``'s passport to ``primary_id``'s; refuses chains and self-links.

    ``platform_id``: both people must be of this platform (an LMS administrator's reach);
    None links across platforms (the installation's command line)."""
    if primary_id == linked_id:
        raise PassportError(N_("An identity cannot be linked to itself."))
    primary = session.get(User, primary_id)
    linked = session.get(User, linked_id)
    if primary is None or linked is None:
        raise PassportError(N_("Both people must exist."))
    if platform_id is not None and {primary.platform_id, linked.platform_id} != {platform_id}:
        raise PassportError(
            N_(
                "Both people must be of this platform; people of two platforms are linked with "
                "the command learnpass passport link-identities."
            )
        )
    if session.scalar(select(IdentityLink.id).where(IdentityLink.linked_user_id == primary_id)):
        raise PassportError(
            N_("The first person is itself linked to someone else; link to that person.")
        )
    if session.scalar(select(IdentityLink.id).where(IdentityLink.linked_user_id == linked_id)):
        raise PassportError(N_("The second person is already linked."))
    if session.scalar(select(IdentityLink.id).where(IdentityLink.primary_user_id == linked_id)):
        raise PassportError(
            N_("The second person has linked identities of their own; link the other way round.")
        )
    link = IdentityLink(primary_user_id=primary_id, linked_user_id=linked_id, linked_by_id=actor_id)
    session.add(link)
    audit(session, "link_identities", actor_id, linked, {"primary_user_id": primary_id})
    session.commit()
    return link
