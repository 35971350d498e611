"""LTI logic without Flask request objects: registrations, and turning a launch into rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Course, Deployment, Enrolment, Platform, ResourceLink, User, utcnow
from ..upsert import insert_if_absent
from .context import LaunchContext
from .identity import PlatformKey, get_or_create_user
from .launch_rows import known_rows, touch_user, unchanged
from .roles import map_roles

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


class RegistrationError(ValueError):
    pass


@dataclass
class PlatformInput:
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str | None = None
    key_set: dict[str, Any] | None = None
    auth_audience: str | None = None
    name: str = ""
    deployment_ids: tuple[str, ...] = ()
    sub_per_deployment: bool = False


def add_platform(session: Session, data: PlatformInput) -> Platform:
    for label, url in (
        ("auth login URL", data.auth_login_url),
        ("auth token URL", data.auth_token_url),
    ):
        if not url.startswith(("https://", "http://")):
            raise RegistrationError(f"The {label} must be an http(s) URL, not {url!r}")
    if not data.key_set_url and not data.key_set:
        raise RegistrationError("Give the platform's key set URL (or its key set)")
    existing = registration_of(session, data.issuer, data.client_id)
    if existing:
        differing = differences(existing, data)
        if not differing:
            return existing  # the same command run again: nothing to do
        raise RegistrationError(
            f"A platform with issuer {data.issuer} and client id {data.client_id} is already "
            f"registered with another {', '.join(differing)}. To change it, remove it first "
            "(learnpass platform remove); to add a deployment, use learnpass platform "
            "add-deployment."
        )
    platform = Platform(
        issuer=data.issuer,
        client_id=data.client_id,
        name=data.name or data.issuer,
        auth_login_url=data.auth_login_url,
        auth_token_url=data.auth_token_url,
        auth_audience=data.auth_audience,
        key_set_url=data.key_set_url,
        key_set=data.key_set,
        sub_per_deployment=data.sub_per_deployment,
    )
    platform.deployments = [Deployment(deployment_id=d) for d in data.deployment_ids]
    session.add(platform)
    session.commit()
    return platform


def registration_of(session: Session, issuer: str, client_id: str) -> Platform | None:
    return session.scalars(
        select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id)
    ).first()


def differences(platform: Platform, data: PlatformInput) -> list[str]:
    """What ``data`` would change in an existing registration (empty: the same values)."""
    wanted: list[tuple[str, Any, Any]] = [
        ("auth login URL", platform.auth_login_url, data.auth_login_url),
        ("auth token URL", platform.auth_token_url, data.auth_token_url),
        ("key set URL", platform.key_set_url, data.key_set_url),
        ("key set", platform.key_set, data.key_set),
        ("auth audience", platform.auth_audience, data.auth_audience),
        ("user ids per deployment", platform.sub_per_deployment, data.sub_per_deployment),
    ]
    if data.name:
        wanted.append(("name", platform.name, data.name))
    known = {d.deployment_id for d in platform.deployments}
    if not set(data.deployment_ids) <= known:
        wanted.append(("deployment list", sorted(known), sorted(set(data.deployment_ids) | known)))
    return [label for label, have, want in wanted if have != want]


def other_registrations(session: Session, platform: Platform) -> list[Platform]:
    """The other registrations with the same issuer (their people are kept apart from these)."""
    return list(
        session.scalars(
            select(Platform)
            .where(Platform.issuer == platform.issuer, Platform.id != platform.id)
            .order_by(Platform.id)
        )
    )


def find_platform(session: Session, issuer: str, client_id: str | None = None) -> Platform:
    query = select(Platform).where(Platform.issuer == issuer)
    if client_id:
        query = query.where(Platform.client_id == client_id)
    rows = list(session.scalars(query))
    if not rows:
        raise RegistrationError(
            f"No platform with issuer {issuer}"
            + (f" and client id {client_id}" if client_id else "")
        )
    if len(rows) > 1:
        raise RegistrationError(
            f"Issuer {issuer} has several client ids; name one with --client-id"
        )
    return rows[0]


def add_deployment(session: Session, platform: Platform, deployment_id: str) -> None:
    if any(d.deployment_id == deployment_id for d in platform.deployments):
        raise RegistrationError(f"Deployment {deployment_id} is already registered")
    platform.deployments.append(Deployment(deployment_id=deployment_id))
    session.commit()


def remove_platform(session: Session, platform: Platform) -> None:
    session.delete(platform)
    session.commit()


def list_platforms(session: Session) -> list[Platform]:
    return list(session.scalars(select(Platform).order_by(Platform.id)))


def _get_or_create(
    session: Session, model: Any, defaults: dict[str, Any], found: Any = None, **keys: Any
) -> Any:
    """The row with these unique ``keys`` (its ``defaults`` updated), inserted when absent; a
    concurrent launch inserting the same row at the same time is no error (see upsert.py).
    ``found``: the row, when the caller has already read it."""
    query = select(model).filter_by(**keys)
    row = found if found is not None else session.scalars(query).first()
    if row is None:
        insert_if_absent(session, model, {**keys, **defaults})
        row = session.scalars(query).one()
    for name, value in defaults.items():
        setattr(row, name, value)
    return row


def _row_id(
    session: Session, model: Any, values: dict[str, Any], found: dict[str, Any] | None, **keys: Any
) -> int:
    """The id of the row with these unique ``keys``: as found (``found``, its columns) when it
    already holds ``values``, else created or updated the ORM way (``_get_or_create``)."""
    if unchanged(found, values):
        assert found is not None
        return int(found["id"])
    row = session.get(model, found["id"]) if found else None
    return int(_get_or_create(session, model, values, row, **keys).id)


def record_launch(
    session: Session,
    platform_id: int,
    claims: dict[str, Any],
    launch_id: str | None = None,
    *,
    commit: bool = True,
    platform: PlatformKey | None = None,
) -> LaunchContext:
    """Create or update the user, course, enrolment and resource link a validated launch names.

    ``commit=False``: flushed only, for a caller that commits them with the rest of its work.
    ``platform``: the registration as the launch read it (else it is read here)."""
    issuer = claims["iss"]
    if platform is None or platform.id != platform_id:
        platform = session.get(Platform, platform_id)
    if platform is None or platform.issuer != issuer:
        raise RegistrationError(f"No platform {platform_id} with issuer {issuer}")
    lti_roles = list(claims.get(CLAIM + "roles", []))
    roles = map_roles(lti_roles)
    role = roles.launch_role
    message_type = claims.get(CLAIM + "message_type", "LtiResourceLinkRequest")
    deployment_id = claims.get(CLAIM + "deployment_id", "")
    context = claims.get(CLAIM + "context") or {}
    link_claim = claims.get(CLAIM + "resource_link") or {}
    sub = str(claims["sub"])
    known = known_rows(
        session,
        platform,
        sub,
        deployment_id,
        str(context.get("id") or ""),
        str(link_claim.get("id") or ""),
    )
    user_values = {
        "name": claims.get("name")
        or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")])),
        "given_name": claims.get("given_name", ""),
        "family_name": claims.get("family_name", ""),
        "email": claims.get("email", ""),
        "locale": claims.get("locale", ""),
    }
    if unchanged(known.user, {**user_values, "platform_id": platform.id}):
        assert known.user is not None
        touch_user(session, known.user["id"])
        user_id, account_name = known.user["id"], known.user["account_name"]
    else:
        found = session.get(User, known.user["id"]) if known.user else None
        user = get_or_create_user(session, platform, sub, deployment_id, found)
        for name, value in user_values.items():
            setattr(user, name, value)
        user.last_launch_at = utcnow()
        user_id, account_name = user.id, user.account_name
    course_id = None
    same_course = False
    ags = claims.get(AGS_CLAIM) or {}
    nrps = claims.get(NRPS_CLAIM) or {}
    if context.get("id"):
        course_fields: dict[str, Any] = {
            "title": context.get("title", ""),
            "label": context.get("label", ""),
            "deployment_id": deployment_id,
        }
        if ags.get("lineitems"):
            course_fields["ags_lineitems_url"] = ags["lineitems"]
            course_fields["ags_scopes"] = list(ags.get("scope", []))
        if nrps.get("context_memberships_url"):
            course_fields["nrps_url"] = nrps["context_memberships_url"]
        course_id = _row_id(
            session,
            Course,
            course_fields,
            known.course,
            platform_id=platform_id,
            context_id=str(context["id"]),
        )
        # The enrolment and link read with the course belong to it only if it is this one.
        same_course = known.course is not None and known.course["id"] == course_id
        _row_id(
            session,
            Enrolment,
            {"role": roles.course_role, "lti_roles": lti_roles},
            known.enrolment if same_course else None,
            course_id=course_id,
            user_id=user_id,
        )
    custom = claims.get(CLAIM + "custom") or {}
    target = str(custom.get("target") or "")
    link_id = None
    if course_id is not None and link_claim.get("id"):
        defaults: dict[str, Any] = {"title": link_claim.get("title", "")}
        if target:
            defaults["target"] = target
        if ags.get("lineitem"):
            defaults["lineitem_url"] = ags["lineitem"]
        link_found = known.link if same_course else None
        link_id = _row_id(
            session,
            ResourceLink,
            defaults,
            link_found,
            course_id=course_id,
            link_id=str(link_claim["id"]),
        )
        if not target:
            # The target the link keeps (``defaults`` has none): as read, or the new row's.
            target = (
                link_found["target"] if link_found else session.get(ResourceLink, link_id).target
            )
    if commit:
        session.commit()
    else:
        session.flush()
    presentation = claims.get(CLAIM + "launch_presentation") or {}
    return LaunchContext(
        launch_id=launch_id or uuid.uuid4().hex,
        user_id=user_id,
        platform_id=platform_id,
        issuer=issuer,
        client_id=claims["aud"][0] if isinstance(claims["aud"], list) else claims["aud"],
        deployment_id=deployment_id,
        sub=str(claims["sub"]),
        account_name=account_name,
        role=role,
        name=user_values["name"],
        course_id=course_id,
        context_id=str(context.get("id", "")),
        course_title=context.get("title", ""),
        resource_link_id=link_id,
        lti_resource_link_id=str(link_claim.get("id", "")),
        target=target,
        message_type=message_type,
        locale=(claims.get("locale") or presentation.get("locale") or "")[:2],
        return_url=presentation.get("return_url", ""),
        ags=ags,
        nrps=nrps,
        deep_linking=claims.get(DL_CLAIM) or {},
        custom=custom,
    )
