"""The rows a launch names (person, course, enrolment, resource link), read as plain columns.

A person's next launch in a course finds all four rows as the platform described them last
time: then only the person's launch time is written, by one UPDATE, and no ORM object is made.
A row that is missing or differs from the launch goes the ORM way (lti.services), so whatever
features keep in step with these rows (the passport matrix, on a name or role change) sees it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import DateTime, Table, and_, bindparam, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from ..models import Course, Enrolment, ResourceLink, User, utcnow
from .identity import PlatformKey, deployment_scope

_user: Table = User.__table__  # type: ignore[assignment]
_course: Table = Course.__table__  # type: ignore[assignment]
_enrolment: Table = Enrolment.__table__  # type: ignore[assignment]
_link: Table = ResourceLink.__table__  # type: ignore[assignment]

_COLUMNS = {
    "user": (
        _user,
        ("id", "account_name", "platform_id", "name", "given_name", "family_name", "email"),
    ),
    "course": (
        _course,
        ("id", "title", "label", "deployment_id", "ags_lineitems_url", "ags_scopes", "nrps_url"),
    ),
    "enrolment": (_enrolment, ("id", "role", "lti_roles")),
    "link": (_link, ("id", "title", "target", "lineitem_url")),
}
_USER_EXTRA = ("locale",)


@dataclass
class KnownRows:
    """The columns of each row found (by name), or None for a row not there yet."""

    user: dict[str, Any] | None
    course: dict[str, Any] | None
    enrolment: dict[str, Any] | None
    link: dict[str, Any] | None


def known_rows(
    session: Session,
    platform: PlatformKey,
    sub: str,
    deployment_id: str,
    context_id: str,
    link_id: str,
) -> KnownRows:
    """The four rows in one select (outer joins from the person): a Core statement, built
    once, whose rows are plain values."""
    session.flush()  # as the ORM's select would: rows this session holds are read back
    params = {
        "issuer": platform.issuer,
        "client_id": platform.client_id,
        "scope": deployment_scope(platform, deployment_id),
        "sub": sub,
        "platform_id": platform.id,
        "context_id": context_id,
        "link_id": link_id,
    }
    wanted = _parts(bool(context_id))
    row = session.connection().execute(_query(bool(context_id)), params).mappings().first()
    parts = {part: _part(row, part) for part in wanted}
    return KnownRows(
        user=parts.get("user"),
        course=parts.get("course"),
        enrolment=parts.get("enrolment"),
        link=parts.get("link"),
    )


def _parts(in_course: bool) -> tuple[str, ...]:
    return ("user", "course", "enrolment", "link") if in_course else ("user",)


@functools.cache
def _query(in_course: bool) -> Any:
    """The select of ``known_rows``, built once per process (values bound at execution)."""
    columns = [
        table.c[name].label(f"{part}__{name}")
        for part in _parts(in_course)
        for table, names in [_COLUMNS[part]]
        for name in (*names, *(_USER_EXTRA if part == "user" else ()))
    ]
    query = select(*columns).select_from(_user)
    if in_course:
        course = and_(
            _course.c.platform_id == bindparam("platform_id"),
            _course.c.context_id == bindparam("context_id"),
        )
        query = (
            query.outerjoin(_course, course)
            .outerjoin(
                _enrolment,
                and_(_enrolment.c.course_id == _course.c.id, _enrolment.c.user_id == _user.c.id),
            )
            .outerjoin(
                _link,
                and_(_link.c.course_id == _course.c.id, _link.c.link_id == bindparam("link_id")),
            )
        )
    return query.where(
        _user.c.issuer == bindparam("issuer"),
        _user.c.client_id == bindparam("client_id"),
        _user.c.deployment_scope == bindparam("scope"),
        _user.c.sub == bindparam("sub"),
    )


_TOUCH = (
    update(_user)
    .where(_user.c.id == bindparam("user_id"))
    .values(last_launch_at=bindparam("now", type_=DateTime()))
)


def _part(row: RowMapping | None, part: str) -> dict[str, Any] | None:
    if row is None or row[f"{part}__id"] is None:
        return None
    prefix = part + "__"
    return {key[len(prefix) :]: value for key, value in row.items() if key.startswith(prefix)}


def unchanged(row: dict[str, Any] | None, values: dict[str, Any]) -> bool:
    """Whether a row found already holds these values (nothing to write but the launch time)."""
    return row is not None and all(row[name] == value for name, value in values.items())


def touch_user(session: Session, user_id: int) -> None:
    """The person's launch time, the only change of a returning person's launch."""
    session.connection().execute(_TOUCH, {"user_id": user_id, "now": utcnow()})
