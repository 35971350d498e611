"""Bring a course's roster from Names and Role Provisioning into our users and enrolments.

Trainer views (the passport matrix) then show every learner of the course, also those who have
not opened learnpass yet. A sync runs at most once per ``min_interval`` per course (shared store),
and a platform that is down only means the list is as of the last sync.
"""

from __future__ import annotations

import logging

from pylti1p3.exception import LtiException
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..models import Course, Enrolment, Platform
from ..outgoing import RequestException
from ..shared_store import SharedStore
from ..upsert import insert_if_absent
from .ags import RosterService, ServiceUnavailable
from .identity import get_or_create_user
from .roles import map_roles

log = logging.getLogger(__name__)


def sync_roster(
    session: Session, course: Course, *, min_interval: int = 300, force: bool = False
) -> int | None:
    """Upsert the course's active members; returns how many, or None when nothing was fetched."""
    if not course.nrps_url:
        return None
    store = SharedStore(session)
    if not force and not store.add_once(f"roster-synced:{course.id}", True, min_interval):
        return None
    platform = session.get(Platform, course.platform_id)
    if platform is None:
        return None
    try:
        members = list(RosterService(session, course).members())
    except (ServiceUnavailable, LtiException, RequestException, ValueError) as exc:
        log.warning("roster of course %s not synced: %s", course.id, exc)
        store.delete(f"roster-synced:{course.id}")  # try again next time
        return None
    count = added = 0
    for member in members:
        sub = str(member.get("user_id") or "")
        if not sub or member.get("status", "Active") != "Active":
            continue
        user = get_or_create_user(session, platform, sub, course.deployment_id)
        # Names come from the platform; never overwrite what a launch told us with nothing.
        for field in ("name", "given_name", "family_name", "email"):
            if member.get(field):
                setattr(user, field, member[field])
        session.flush()
        roles = list(member.get("roles") or [])
        role = map_roles(roles).course_role
        values = {"course_id": course.id, "user_id": user.id, "role": role, "lti_roles": roles}
        # An upsert: the person's own launch may create the same enrolment at the same time.
        if insert_if_absent(session, Enrolment, values):
            added += 1
        else:
            enrolment = session.scalars(
                select(Enrolment).where(
                    Enrolment.course_id == course.id, Enrolment.user_id == user.id
                )
            ).one()
            enrolment.role, enrolment.lti_roles = role, roles
        count += 1
    session.commit()
    if added >= BIG_SYNC:
        refresh_statistics(session)
    return count


# A sync that adds this many enrolments changes the tables' sizes by more than PostgreSQL's plans
# expect until autovacuum next samples them (up to a minute later). A plan made for a course of a
# few learners, run on 40,000, nests loops over all of them: the matrix then took over 20 minutes.
BIG_SYNC = 1000


def refresh_statistics(session: Session) -> None:
    """Sample the user and enrolment tables now (PostgreSQL's ANALYZE: a bounded sample, well
    under a second), so the next queries are planned for the course's real size."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE lp_user, enrolment"))
        session.commit()
