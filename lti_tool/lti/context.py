"""The typed result of a launch, and the decorator every launched page declares its needs with."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from flask import abort, g, session
from sqlalchemy import BindParameter, ColumnElement, bindparam, select

from ..erasure import is_erased_sub
from ..extensions import db
from ..models import User

ROLE_RANK = {"learner": 0, "instructor": 1, "admin": 2}


@dataclass
class LaunchContext:
    """Who launched, from where, with what rights and services; kept in the server-side session."""

    launch_id: str
    user_id: int
    platform_id: int
    issuer: str
    client_id: str
    deployment_id: str
    sub: str
    role: str
    # The person's xAPI account name under the issuer (lti.identity); "" in older sessions.
    account_name: str = ""
    name: str = ""
    course_id: int | None = None
    context_id: str = ""
    course_title: str = ""
    resource_link_id: int | None = None
    lti_resource_link_id: str = ""
    target: str = ""
    message_type: str = "LtiResourceLinkRequest"
    locale: str = ""
    return_url: str = ""
    ags: dict[str, Any] = field(default_factory=dict)
    nrps: dict[str, Any] = field(default_factory=dict)
    deep_linking: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def is_instructor(self) -> bool:
        return self.has_role("instructor")

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")

    def to_dict(self) -> dict[str, Any]:
        """The fields as the session keeps them. The claim dicts are copied one level deep
        (``dataclasses.asdict`` walked and copied every nested value: some 0.1 ms a launch):
        their values are JSON from the token, replaced, never changed in place."""
        return {
            name: dict(value) if isinstance(value, dict) else value
            for name in _FIELD_NAMES
            for value in (getattr(self, name),)
        }


_FIELD_NAMES = tuple(f.name for f in fields(LaunchContext))


LAUNCH_VALUES = ("user_id", "platform_id", "course_id")
"""The launch's fields an SQL condition built once may name (``launch_value``)."""


def launch_value(name: str) -> BindParameter[Any]:
    """A bind parameter standing for a field of the launch (one of LAUNCH_VALUES), for a
    condition built once per process and bound at each request (``launch_values``)."""
    if name not in LAUNCH_VALUES:
        raise ValueError(f"not a launch value: {name!r}")
    return bindparam("launch_" + name)


def launch_values(ctx: LaunchContext) -> dict[str, Any]:
    """The values of ``launch_value`` parameters for this launch."""
    return {"launch_" + name: getattr(ctx, name) for name in LAUNCH_VALUES}


Conditions = Callable[[LaunchContext], tuple[ColumnElement[bool], ...]]
"""What a page asks of a launch in SQL: conditions built once per process (``launch_value``)."""

# The person's row under a name of its own: a condition that reads lp_user in a subquery is then
# never correlated to it. The erasure check of every launched request reads one column of it on
# the request's connection, not a User object through the ORM (a third of the cost).
_launch_user = User.__table__.alias("launch_user")
_selects: dict[tuple[bool, tuple[int, ...]], tuple[tuple[ColumnElement[bool], ...], Any]] = {}


def launch_select(conditions: tuple[ColumnElement[bool], ...], *, checked: bool) -> Any:
    """One select of these conditions, on ``launch_values``; ``checked``: the person's ``sub``
    first (the erasure check), in the same statement. Built once per set: building a select of
    a few EXISTS and hashing it for SQLAlchemy's statement cache cost more than running it. The
    conditions are kept with it (so their ids stay theirs), and a condition built afresh at
    every call is only not cached beyond a few sets."""
    key = (checked, tuple(map(id, conditions)))
    found = _selects.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], conditions, strict=True)):
        return found[1]
    if checked:
        statement = select(_launch_user.c.sub, *conditions).where(
            _launch_user.c.id == launch_value("user_id")
        )
    else:
        statement = select(*conditions)
    if len(_selects) < 32:
        _selects[key] = (conditions, statement)
    return statement


def current_launch(conditions: Conditions | None = None) -> LaunchContext | None:
    """The launch of this request's session, None without one or when its person was erased.

    ``conditions`` (a page's, through ``launch_required``): asked in the erasure check's own
    select, one statement instead of two; ``launch_answers`` gives them to the page."""
    if "launch_ctx" in g:
        return g.launch_ctx  # type: ignore[no-any-return]
    data = session.get("launch")
    # A session stored before people were keyed by registration (no account name) may carry
    # rights from the old role mapping: it counts as no launch, and the person launches again.
    ctx = LaunchContext(**data) if isinstance(data, dict) and data.get("account_name") else None
    if ctx is not None:
        asked = conditions(ctx) if conditions is not None else ()
        row = (
            db.session.connection()
            .execute(launch_select(asked, checked=True), launch_values(ctx))
            .first()
        )
        if row is None or is_erased_sub(row[0]):
            # An admin erased this person: every session they still had open ends with it.
            session.pop("launch", None)
            ctx = None
        elif conditions is not None:
            g.launch_answers = (asked, tuple(row[1:]))
    g.launch_ctx = ctx
    return ctx


def launch_answers(conditions: tuple[ColumnElement[bool], ...]) -> tuple[Any, ...]:
    """The answers to ``conditions`` for this request's launch: those read with the launch's
    check when the page's decorator asked these, else read now in one select."""
    found = g.get("launch_answers")
    if found is not None and len(found[0]) == len(conditions):
        if all(a is b for a, b in zip(found[0], conditions, strict=True)):
            return found[1]  # type: ignore[no-any-return]
    ctx = current_launch()
    if not conditions or ctx is None:
        return ()
    statement = launch_select(conditions, checked=False)
    return tuple(db.session.connection().execute(statement, launch_values(ctx)).one())


def remember_launch(ctx: LaunchContext) -> None:
    session["launch"] = ctx.to_dict()
    g.launch_ctx = ctx


F = TypeVar("F", bound=Callable[..., Any])


def launch_required(
    role: str = "learner", message_type: str | None = None, conditions: Conditions | None = None
) -> Callable[[F], F]:
    """The page needs a launch with at least ``role``; 401 without a launch, 403 below the role.
    ``conditions``: SQL conditions the page asks of the launch, read with its check
    (``launch_answers``)."""
    if role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}")

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            ctx = current_launch(conditions)
            if ctx is None:
                abort(401)
            if not ctx.has_role(role):
                abort(403)
            if message_type and ctx.message_type != message_type:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
