"""LTI Dynamic Registration (IMS LTI-DR 1.0) on top of pylti1p3next's ``DynamicRegistration``."""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode, urlparse

from flask import current_app, url_for
from flask_babel import gettext as _
from pylti1p3.dynamic_registration import DynamicRegistration
from pylti1p3.exception import LtiException

from ..extensions import db
from ..models import Platform
from ..shared_store import SharedStore
from .adapter import http_session
from .services import PlatformInput, RegistrationError, add_deployment, add_platform

AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
NRPS_SCOPES = ["https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"]


class LearnpassDynamicRegistration(DynamicRegistration):
    client_name = "learnpass"
    description = "Training passports, blended learning paths, needs surveys, SCORM and xAPI."

    def __init__(self, openid_configuration: str, registration_token: str | None) -> None:
        self.openid_configuration_url = openid_configuration
        self.registration_token = registration_token
        self.base = current_app.config["LEARNPASS"].base_url
        self.platform: Platform | None = None

    def get_request_session(self) -> Any:
        return http_session()

    def get_openid_configuration_endpoint(self) -> str:
        return self.openid_configuration_url

    def get_registration_token(self) -> str:
        return self.registration_token  # type: ignore[return-value]

    def get_initiate_login_uri(self) -> str:
        return self.base + "/lti/login"

    def get_jwks_uri(self) -> str:
        return self.base + "/lti/jwks.json"

    def get_redirect_uris(self) -> list[str]:
        return [self.base + "/lti/launch"]

    def get_target_link_uri(self) -> str:
        return self.base + "/lti/launch"

    def get_domain(self) -> str:
        return urlparse(self.base).netloc

    def get_scopes(self) -> list[str]:
        return AGS_SCOPES + NRPS_SCOPES

    def get_claims(self) -> list[str]:
        return ["iss", "sub", "name", "given_name", "family_name", "email", "locale"]

    def get_messages(self) -> list[dict[str, Any]]:
        return [
            {
                "type": "LtiDeepLinkingRequest",
                "target_link_uri": self.base + "/lti/launch",
                "label": "learnpass",
                "placements": ["ContentArea"],
                "supported_types": ["ltiResourceLink"],
            }
        ]

    def get_logo_uri(self) -> str:
        return self.base + url_for("static", filename="logo.svg")

    def get_openid_configuration(self) -> dict[str, Any]:
        config = super().get_openid_configuration()
        issuer = str(config.get("issuer", ""))
        # The spec requires the configuration to be served from the issuer's own host; checking it
        # stops a crafted link from registering a platform that claims someone else's issuer.
        if urlparse(issuer).netloc != urlparse(self.openid_configuration_url).netloc:
            raise LtiException(
                _(
                    "The platform's issuer %(issuer)s does not match the address of its configuration.",
                    issuer=issuer,
                )
            )
        return config

    def complete_registration(
        self, openid_configuration: dict[str, Any], openid_registration: dict[str, Any]
    ) -> Platform:
        tool_conf = openid_registration["https://purl.imsglobal.org/spec/lti-tool-configuration"]
        session = db.session()
        data = PlatformInput(
            issuer=openid_configuration["issuer"],
            client_id=str(openid_registration["client_id"]),
            auth_login_url=openid_configuration["authorization_endpoint"],
            auth_token_url=openid_configuration["token_endpoint"],
            key_set_url=openid_configuration["jwks_uri"],
            auth_audience=openid_configuration.get("authorization_server"),
            name=openid_configuration.get(
                "https://purl.imsglobal.org/spec/lti-platform-configuration", {}
            ).get("product_family_code", ""),
        )
        existing = (
            session.query(Platform).filter_by(issuer=data.issuer, client_id=data.client_id).first()
        )
        platform = existing or add_platform(session, data)
        deployment_id = tool_conf.get("deployment_id")
        if deployment_id and not any(
            d.deployment_id == deployment_id for d in platform.deployments
        ):
            add_deployment(session, platform, str(deployment_id))
        self.platform = platform
        return platform


INVITE_PREFIX = "lti:registration-invite:"


def create_invite(hours: float | None = None) -> str:
    """A one-time registration invitation: Dynamic Registration only runs with one, so nobody
    but this tool's administrator decides which platforms (tenants) join. Kept in the shared
    store, so any instance accepts it."""
    settings = current_app.config["LEARNPASS"]
    token = secrets.token_urlsafe(24)
    ttl = 3600 * (hours if hours is not None else settings.registration_invite_hours)
    SharedStore(db.session()).set(INVITE_PREFIX + token, {"created": time.time()}, ttl)
    db.session.commit()
    return token


def invite_url(token: str) -> str:
    return (
        current_app.config["LEARNPASS"].base_url + "/lti/register?" + urlencode({"invite": token})
    )


def invite_is_valid(token: str) -> bool:
    return bool(token) and SharedStore(db.session()).get(INVITE_PREFIX + token) is not None


def register_with_platform(
    openid_configuration: str, registration_token: str | None, invite: str = ""
) -> tuple[Platform | None, str]:
    settings = current_app.config["LEARNPASS"]
    if not settings.open_registration and not invite_is_valid(invite):
        # Checked before anything is fetched: an uninvited link makes no outgoing request.
        raise RegistrationNotInvited()
    if not openid_configuration.startswith("https://") and not (settings.demo or settings.debug):
        return None, _("The platform's configuration address must use https.")
    registration = LearnpassDynamicRegistration(openid_configuration, registration_token)
    try:
        platform = registration.register()
    except (LtiException, RegistrationError, AssertionError, KeyError, ValueError, OSError) as exc:
        db.session.rollback()
        return None, str(exc) or exc.__class__.__name__
    if invite:
        # Used up only by a registration that worked, so a failed attempt can be retried.
        SharedStore(db.session()).delete(INVITE_PREFIX + invite)
        db.session.commit()
    return platform, ""


class RegistrationNotInvited(Exception):
    """Dynamic Registration was opened without a valid invitation."""
