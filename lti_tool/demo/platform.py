"""The demo platform's configuration and its small data store (in the shared database store)."""

from __future__ import annotations

import functools
import json
import typing as t
import uuid
from urllib.parse import urlencode

from flask import current_app, render_template_string
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration

from ..extensions import db
from ..lti import keys as tool_keys
from ..shared_store import SharedStore

CLIENT_ID = "learnpass-demo"
DEPLOYMENT_ID = "demo-deployment"
COURSE = {"id": "demo-course-1", "title": "Veilig werken op de bouwplaats", "label": "VCA-1"}

USERS: dict[str, dict[str, t.Any]] = {
    "learner": {
        "sub": "demo-learner-1",
        "name": "Lena de Vries",
        "given_name": "Lena",
        "family_name": "de Vries",
        "email": "lena@example.org",
        "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    },
    "learner2": {
        "sub": "demo-learner-2",
        "name": "Karim Benali",
        "given_name": "Karim",
        "family_name": "Benali",
        "email": "karim@example.org",
        "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    },
    "instructor": {
        "sub": "demo-trainer-1",
        "name": "Tom Peeters",
        "given_name": "Tom",
        "family_name": "Peeters",
        "email": "tom@example.org",
        "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
    },
    "admin": {
        "sub": "demo-admin-1",
        "name": "Anna Schmidt",
        "given_name": "Anna",
        "family_name": "Schmidt",
        "email": "anna@example.org",
        "roles": [
            "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
            "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
        ],
    },
}


def issuer() -> str:
    # The demo platform may live on another host name than the tool (e.g. localhost vs 127.0.0.1),
    # which makes the tool a third-party site in the course frame, as with a real LMS.
    return current_app.config["LEARNPASS"].demo_platform_url + "/demo"


def store() -> SharedStore:
    return SharedStore(db.session())


def platform_private_key() -> str:
    s = store()
    pem = s.get("demo:platform-key")
    if not pem:
        pem = tool_keys.generate_rsa_private_pem()
        if not s.add_once("demo:platform-key", pem):
            pem = s.get("demo:platform-key")
    return str(pem)


def platform_public_jwk() -> dict[str, t.Any]:
    return dict(_public_jwk_of(platform_private_key()))


@functools.lru_cache(maxsize=8)
def _public_jwk_of(private_pem: str) -> dict[str, t.Any]:
    return tool_keys.public_jwk_from_private_pem(private_pem, kid="demo-platform-key")


def platform_public_pem() -> str:
    return _public_pem_of(platform_private_key())


@functools.lru_cache(maxsize=8)
def _public_pem_of(private_pem: str) -> str:
    # Parsing an RSA key costs ~90 ms; the key only changes when the demo data is reset.
    from jwcrypto.jwk import JWK

    return JWK.from_pem(private_pem.encode()).export_to_pem().decode()


class DemoRegistration(Registration):
    def get_kid(self) -> str:
        return "demo-platform-key"


class DemoPlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: t.Any) -> None:
        pass

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        base = current_app.config["LEARNPASS"].base_url
        reg = DemoRegistration()
        reg.set_iss(issuer()).set_client_id(CLIENT_ID).set_deployment_id(DEPLOYMENT_ID)
        reg.set_launch_url(base + "/lti/launch").set_deeplink_launch_url(base + "/lti/launch")
        reg.set_oidc_login_url(base + "/lti/login")
        # A parsed key: lti1p3platform hands it to PyJWT, which would parse a PEM per token.
        reg.set_platform_private_key(tool_keys.signing_key(platform_private_key()))  # type: ignore[arg-type]
        reg.set_platform_public_key(platform_public_pem())
        # The tool's key set is handed over inline: lti1p3platform refuses plain-http JWKS URLs.
        reg.set_tool_key_set({"keys": tool_keys.published_keys(db.session())})  # type: ignore[typeddict-item]
        return reg


class DemoOIDCLogin(OIDCLoginAbstract):
    storage_target: str = ""

    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = json.dumps(kwargs)

    def prepare_preflight_url(self, user_id: str) -> str:
        url = super().prepare_preflight_url(user_id)
        if self.storage_target:
            url += "&" + urlencode({"lti_storage_target": self.storage_target})
        return url

    def get_redirect(self, url: str) -> t.Any:
        from flask import redirect

        return redirect(url)


LAUNCH_FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Launching</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>
<form id="launch" method="post" action="{{ launch_url }}">
<input type="hidden" name="id_token" value="{{ id_token }}"><input type="hidden" name="state" value="{{ state }}">
<p>Opening learnpass…</p><button type="submit">Continue</button></form>
<script nonce="{{ csp_nonce() }}">document.getElementById("launch").submit();</script></main></body></html>"""


class DemoMessageLaunch(LTIAdvantageMessageLaunchAbstract):
    def __init__(
        self, preflight: dict[str, t.Any], platform_config: LTI1P3PlatformConfAbstract
    ) -> None:
        super().__init__(None, platform_config)  # type: ignore[arg-type]
        self._preflight = preflight

    def get_preflight_response(self) -> dict[str, t.Any]:
        return self._preflight

    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> t.Any:
        return render_template_string(LAUNCH_FORM, **launch_data)


def links() -> list[dict[str, t.Any]]:
    return list(store().get("demo:links") or [])


def save_links(items: list[dict[str, t.Any]]) -> None:
    store().set("demo:links", items)


def add_link(
    title: str, custom: dict[str, t.Any], line_item: dict[str, t.Any] | None
) -> dict[str, t.Any]:
    items = links()
    link = {"id": "link-" + uuid.uuid4().hex[:8], "title": title, "custom": custom}
    if line_item is not None:
        li = create_line_item({**line_item, "resourceLinkId": link["id"]})
        link["lineitem"] = li["id"]
    items.append(link)
    save_links(items)
    return link


def line_items() -> list[dict[str, t.Any]]:
    return list(store().get("demo:lineitems") or [])


def create_line_item(data: dict[str, t.Any]) -> dict[str, t.Any]:
    items = line_items()
    item_id = uuid.uuid4().hex[:10]
    item = {
        k: v
        for k, v in data.items()
        if k
        in (
            "scoreMaximum",
            "label",
            "resourceId",
            "tag",
            "resourceLinkId",
            "startDateTime",
            "endDateTime",
        )
    }
    item["id"] = issuer() + "/lineitems/" + item_id
    items.append(item)
    store().set("demo:lineitems", items)
    return item


def scores() -> list[dict[str, t.Any]]:
    return list(store().get("demo:scores") or [])


def add_score(lineitem_id: str, score: dict[str, t.Any]) -> None:
    rows = scores()
    rows.append({"lineitem": lineitem_id, **score})
    store().set("demo:scores", rows)
