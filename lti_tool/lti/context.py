"""The typed result of a launch, and the decorator every launched page declares its needs with."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from flask import abort, g, session
from sqlalchemy import BindParameter, bindparam, select

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


# Built once: the erasure check of every launched request reads one column on the request's
# connection, not a User object through the ORM (a third of the cost).
_USER_SUB = select(User.sub).where(User.id == bindparam("id"))


def current_launch() -> LaunchContext | None:
    if "launch_ctx" in g:
        return g.launch_ctx  # type: ignore[no-any-return]
    data = session.get("launch")
    # A session stored before people were keyed by registration (no account name) may carry
    # rights from the old role mapping: it counts as no launch, and the person launches again.
    ctx = LaunchContext(**data) if isinstance(data, dict) and data.get("account_name") else None
    if ctx is not None and is_erased_sub(
        db.session.connection().execute(_USER_SUB, {"id": ctx.user_id}).scalar()
    ):
        # An admin erased this person: every session they still had open ends with it.
        session.pop("launch", None)
        ctx = None
    g.launch_ctx = ctx
    return ctx


def remember_launch(ctx: LaunchContext) -> None:
    session["launch"] = ctx.to_dict()
    g.launch_ctx = ctx


F = TypeVar("F", bound=Callable[..., Any])


def launch_required(role: str = "learner", message_type: str | None = None) -> Callable[[F], F]:
    """The page needs a launch with at least ``role``; 401 without a launch, 403 below the role."""
    if role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}")

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            ctx = current_launch()
            if ctx is None:
                abort(401)
            if not ctx.has_role(role):
                abort(403)
            if message_type and ctx.message_type != message_type:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
