"""Every way a launch can be bad is refused with 4xx, a page saying why, and nothing stored."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from sqlalchemy import func, select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.lti.keys import generate_rsa_private_pem
from lti_tool.models import Course, Platform, User

from .flows import start_launch

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _platform_key(app) -> str:
    with app.app_context():
        return demo.platform_private_key()


def _sign(claims: dict, key: str, kid: str = "demo-platform-key", alg: str = "RS256") -> str:
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


def _unsigned(claims: dict) -> str:
    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': 'demo-platform-key'})}.{b64(claims)}."


def _nothing_created(app) -> None:
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def _post(http, form, token: str):
    return http.post(form.action, data={**form.fields, "id_token": token})


def test_forged_signature_is_refused(app, live_server, http):
    form = start_launch(http, live_server.url)
    claims = _claims(form.fields["id_token"])
    claims["sub"] = "someone-else"
    r = _post(http, form, _sign(claims, generate_rsa_private_pem()))
    assert r.status_code == 401
    assert 'data-reason="bad_signature"' in r.text
    assert "could not be verified" in r.text
    _nothing_created(app)


def test_tampered_payload_with_original_signature_is_refused(app, live_server, http):
    form = start_launch(http, live_server.url)
    header, payload, signature = form.fields["id_token"].split(".")
    claims = _claims(form.fields["id_token"])
    claims[CLAIM + "roles"] = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    r = _post(http, form, f"{header}.{forged_payload}.{signature}")
    assert r.status_code == 401
    _nothing_created(app)


def test_alg_none_is_refused(app, live_server, http):
    form = start_launch(http, live_server.url)
    r = _post(http, form, _unsigned(_claims(form.fields["id_token"])))
    assert r.status_code == 401
    assert 'data-reason="bad_signature"' in r.text
    _nothing_created(app)


def test_a_token_signed_with_a_secret_from_the_key_set_is_refused(app, live_server, http):
    """A symmetric key in the platform's (public) key set is no secret: HS256 with it is refused."""
    secret = b"published-for-everyone-to-read-0123456789"
    k = base64.urlsafe_b64encode(secret).rstrip(b"=").decode()
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        platform.key_set = {"keys": [{"kty": "oct", "k": k, "alg": "HS256", "kid": "shared"}]}
        db.session.commit()
    form = start_launch(http, live_server.url)
    r = _post(
        http, form, _sign(_claims(form.fields["id_token"]), secret.decode(), "shared", "HS256")
    )
    assert r.status_code == 401
    assert 'data-reason="bad_signature"' in r.text
    _nothing_created(app)


def test_wrong_audience_is_refused(app, live_server, http):
    form = start_launch(http, live_server.url)
    claims = _claims(form.fields["id_token"])
    claims["aud"] = "some-other-tool"
    claims["azp"] = "some-other-tool"
    r = _post(http, form, _sign(claims, _platform_key(app)))
    assert r.status_code == 403
    assert 'data-reason="unknown_platform"' in r.text
    assert "learnpass platform add" in r.text  # tells the admin what to do
    _nothing_created(app)


def test_expired_token_is_refused(app, live_server, http):
    form = start_launch(http, live_server.url)
    claims = _claims(form.fields["id_token"])
    claims["iat"] = int(time.time()) - 7200
    claims["exp"] = int(time.time()) - 3600
    r = _post(http, form, _sign(claims, _platform_key(app)))
    assert r.status_code == 401
    assert 'data-reason="expired"' in r.text
    _nothing_created(app)


def test_missing_state_is_refused(app, live_server, http):
    form = start_launch(http, live_server.url)
    fields = dict(form.fields)
    del fields["state"]
    r = http.post(form.action, data=fields)
    assert r.status_code == 400
    assert 'data-reason="state"' in r.text
    _nothing_created(app)


def test_mismatched_state_is_refused(app, live_server, http):
    form = start_launch(http, live_server.url)
    r = http.post(form.action, data={**form.fields, "state": "state-not-issued-here"})
    assert r.status_code == 400
    assert 'data-reason="state"' in r.text
    _nothing_created(app)


def test_state_from_another_login_is_refused(app, live_server, http):
    """A token issued for one login cannot be paired with another login's state."""
    first = start_launch(http, live_server.url)
    second = start_launch(http, live_server.url)
    r = http.post(
        first.action, data={"id_token": first.fields["id_token"], "state": second.fields["state"]}
    )
    assert r.status_code == 400
    assert 'data-reason="state"' in r.text
    _nothing_created(app)
    # Both logins are still usable with their own tokens.
    assert http.post(first.action, data=first.fields).status_code == 200
    assert http.post(second.action, data=second.fields).status_code == 200


def test_replayed_nonce_with_fresh_state_is_refused(app, live_server, http):
    used = start_launch(http, live_server.url)
    assert http.post(used.action, data=used.fields).status_code == 200
    fresh = start_launch(http, live_server.url)
    r = http.post(
        fresh.action, data={"id_token": used.fields["id_token"], "state": fresh.fields["state"]}
    )
    assert r.status_code == 409
    assert 'data-reason="replayed"' in r.text


def test_unknown_issuer_is_refused_with_the_registration_command(app, live_server, http):
    form = start_launch(http, live_server.url)
    claims = _claims(form.fields["id_token"])
    claims["iss"] = "https://moodle.example.org"
    r = _post(http, form, _sign(claims, _platform_key(app)))
    assert r.status_code == 403
    assert "https://moodle.example.org" in r.text
    assert "learnpass platform add --issuer https://moodle.example.org" in r.text
    _nothing_created(app)


def test_unknown_login_issuer_is_refused(app, live_server, http):
    r = http.get(
        live_server.url + "/lti/login",
        params={
            "iss": "https://unknown.example",
            "login_hint": "x",
            "target_link_uri": live_server.url + "/lti/launch",
        },
    )
    assert r.status_code == 403
    assert "not registered" in r.text


def test_unknown_deployment_is_refused(app, live_server, http):
    form = start_launch(http, live_server.url)
    claims = _claims(form.fields["id_token"])
    claims[CLAIM + "deployment_id"] = "deployment-nobody-registered"
    r = _post(http, form, _sign(claims, _platform_key(app)))
    assert r.status_code == 403
    assert 'data-reason="unknown_deployment"' in r.text
    assert "add-deployment" in r.text
    _nothing_created(app)


@pytest.mark.parametrize("message_type", ["LtiSomethingElse", ""])
def test_wrong_message_type_is_refused(app, live_server, http, message_type):
    form = start_launch(http, live_server.url)
    claims = _claims(form.fields["id_token"])
    claims[CLAIM + "message_type"] = message_type
    r = _post(http, form, _sign(claims, _platform_key(app)))
    assert r.status_code == 400
    assert 'data-reason="bad_message"' in r.text
    _nothing_created(app)


def test_launch_without_token_is_refused(client):
    r = client.post("/lti/launch", data={})
    assert r.status_code == 400
    assert "No launch message" in r.get_data(as_text=True)


def test_refused_launch_can_be_retried_normally(app, live_server, http):
    """A refusal does not burn the real launch: the genuine token still works afterwards."""
    form = start_launch(http, live_server.url)
    claims = _claims(form.fields["id_token"])
    claims["sub"] = "attacker"
    assert _post(http, form, _sign(claims, generate_rsa_private_pem())).status_code == 401
    assert http.post(form.action, data=form.fields).status_code == 200
