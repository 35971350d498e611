"""LTI Dynamic Registration (IMS LTI-DR 1.0) on top of pylti1p3next's ``DynamicRegistration``.

The configuration address comes from whoever opens ``/lti/register``, so: nothing is fetched
without an invitation, the invitation is used up by the first attempt (whatever its outcome),
every request goes through the guarded session of ``lti_tool.outgoing``, the endpoints the
configuration names must be on the issuer's own host (the registration token is never posted
elsewhere), and every failure looks the same to the visitor; the details go to the server log.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any
from urllib.parse import urlencode, urlparse

from flask import current_app, url_for
from pylti1p3.dynamic_registration import DynamicRegistration
from pylti1p3.exception import LtiException

from ..extensions import db
from ..models import Platform
from ..outgoing import http_session
from ..shared_store import SharedStore
from .services import PlatformInput, add_deployment, add_platform

log = logging.getLogger(__name__)

AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
NRPS_SCOPES = ["https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"]
# Addresses in the platform's configuration: each must be on the issuer's host.
ENDPOINTS = ("registration_endpoint", "authorization_endpoint", "token_endpoint", "jwks_uri")


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
        if not isinstance(config, dict):
            raise LtiException("the OpenID configuration is not a JSON object")
        issuer = str(config.get("issuer", ""))
        # The spec requires the configuration to be served from the issuer's own host; checking it
        # stops a crafted link from registering a platform that claims someone else's issuer.
        if _host(issuer) != _host(self.openid_configuration_url):
            raise LtiException(f"issuer {issuer!r} is not on the configuration's host")
        check_platform_address(issuer, "issuer")
        # The registration token is posted to registration_endpoint and the other endpoints are
        # called later: none may point anywhere but the platform itself.
        for name in ENDPOINTS:
            value = config.get(name)
            if not isinstance(value, str):
                raise LtiException(f"{name} is missing from the OpenID configuration")
            check_platform_address(value, name)
            if _host(value) != _host(issuer):
                raise LtiException(f"{name} {value!r} is not on the issuer's host {issuer!r}")
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


def take_invite(token: str) -> bool:
    """Use the invitation up; True when it was valid. Only one request can take it."""
    return bool(token) and SharedStore(db.session()).take(INVITE_PREFIX + token) is not None


def _host(url: str) -> str:
    """Host name and port (the scheme's default when none is written)."""
    parts = urlparse(url)
    try:
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:  # a port that is not a number
        port = None
    return f"{(parts.hostname or '').lower()}:{port}"


def check_platform_address(url: str, what: str) -> None:
    """https (unless LEARNPASS_ALLOW_HTTP_PLATFORMS or a lab setting allows http), a host, no
    user name or password."""
    settings = current_app.config["LEARNPASS"]
    lab = settings.allow_http_platforms or settings.demo or settings.outgoing_allow_private
    parts = urlparse(url)
    if parts.scheme != "https" and not (lab and parts.scheme == "http"):
        raise LtiException(f"{what} {url!r} does not use https")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise LtiException(f"{what} {url!r} is not a plain web address")


def register_with_platform(
    openid_configuration: str, registration_token: str | None, invite: str = ""
) -> Platform:
    """Register the platform, or raise RegistrationNotInvited / RegistrationFailed."""
    settings = current_app.config["LEARNPASS"]
    # Checked, and used up, before anything is fetched: an uninvited link makes no outgoing
    # request, and one invitation allows one attempt (a failed one needs a new invitation).
    if not settings.open_registration and not take_invite(invite):
        raise RegistrationNotInvited()
    registration = LearnpassDynamicRegistration(openid_configuration, registration_token)
    try:
        check_platform_address(openid_configuration, "openid_configuration")
        platform = registration.register()
    except Exception as exc:  # noqa: BLE001 - every failure gets the same answer; details to the log
        db.session.rollback()
        log.warning(
            "Dynamic Registration from %s failed: %s: %s",
            openid_configuration,
            type(exc).__name__,
            exc,
        )
        raise RegistrationFailed() from exc
    return platform


class RegistrationNotInvited(Exception):
    """Dynamic Registration was opened without a valid invitation."""


class RegistrationFailed(Exception):
    """Dynamic Registration did not complete; why is in the server log only."""
