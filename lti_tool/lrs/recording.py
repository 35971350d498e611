"""``record(ctx, ...)``: what a feature route calls to turn a user's action into a statement.

The actor comes from the launch (platform issuer + LTI sub), the grouping from the course and
the platform; the statement joins the request's transaction and is committed with the action.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app

from xapi import vocab
from xapi.actor import account_actor
from xapi.emitter import Emitter

from ..extensions import db
from ..lti.context import LaunchContext

REGISTRATION_NAMESPACE = uuid.UUID("6f1c3b9e-61a4-4f3e-9a35-2d1a4e1f7c20")


def course_activity_id(ctx: LaunchContext) -> str | None:
    """The LMS course as an activity: the platform issuer + the LTI context id."""
    if not ctx.context_id:
        return None
    return f"{ctx.issuer.rstrip('/')}/lti/context/{ctx.context_id}"


def enrolment_registration(ctx: LaunchContext) -> str | None:
    """One registration per (platform, course, user): stable across launches, no table needed."""
    if not ctx.context_id:
        return None
    account = ctx.account_name or ctx.sub
    return str(uuid.uuid5(REGISTRATION_NAMESPACE, f"{ctx.issuer}|{ctx.context_id}|{account}"))


def actor_for(ctx: LaunchContext) -> dict[str, Any]:
    """The person's account: homePage the issuer, name their account name (lti.identity)."""
    return account_actor(ctx.issuer, ctx.account_name or ctx.sub, ctx.name or None)


def emitter() -> Emitter:
    settings = current_app.config["LEARNPASS"]
    return Emitter(db.session(), settings.base_url)


def record(ctx: LaunchContext, **kwargs: Any) -> str:
    """Emit a statement for the launched user; ``kwargs`` are ``Emitter.emit`` arguments.

    ``actor`` defaults to the launch's user; ``grouping`` gets the course and the platform
    added; ``registration`` defaults to the enrolment's; our LTI extensions are added to context.
    The statement belongs to the launch's platform: LRS clients bound to it see it.
    """
    kwargs.setdefault("actor", actor_for(ctx))
    kwargs.setdefault("tenant", ctx.issuer)
    grouping = list(kwargs.pop("grouping", None) or [])
    course = course_activity_id(ctx)
    for activity_id in (course, ctx.issuer):
        if activity_id and activity_id not in grouping:
            grouping.append(activity_id)
    kwargs["grouping"] = grouping
    if kwargs.get("registration") is None:
        kwargs["registration"] = enrolment_registration(ctx)
    extensions = {
        vocab.Extension.LTI_DEPLOYMENT: ctx.deployment_id,
        vocab.Extension.LTI_ROLE: ctx.role,
        vocab.Extension.SESSION_ID: ctx.launch_id,
    }
    if ctx.context_id:
        extensions[vocab.Extension.LTI_CONTEXT_ID] = ctx.context_id
    if ctx.lti_resource_link_id:
        extensions[vocab.Extension.LTI_RESOURCE_LINK_ID] = ctx.lti_resource_link_id
    extensions.update(kwargs.pop("extensions", None) or {})
    kwargs["extensions"] = extensions
    return emitter().emit(**kwargs)
