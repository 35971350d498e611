"""Who may add a platform (a tenant) to learnpass."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.lti.registration import create_invite
from lti_tool.models import Platform

from ..conftest import LiveServer, free_port, make_app, reset_database
from .conftest import ConfigPeer


def _platforms(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Platform)) or 0)


def test_a_registration_nobody_invited_adds_no_platform(app: Any, live_server: Any) -> None:
    before = _platforms(app)
    # Any party runs its own platform (here the demo platform stands in for it) and accepts its
    # own registration token; the tool only ever sees that party's token, never one of its own.
    with app.app_context():
        demo.store().set("demo:registration-token", "attacker-token", 600)
    r = requests.get(
        live_server.url + "/lti/register",
        params={
            "openid_configuration": live_server.url + "/demo/.well-known/openid-configuration",
            "registration_token": "attacker-token",
        },
    )
    assert _platforms(app) == before, "a platform was added by an uninvited registration"
    assert r.status_code in (400, 403)


# ---------------------------------------------------------------- outgoing requests (issue 10.6)


def platform_config(issuer: str, **endpoints: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + "/authorize",
        "token_endpoint": issuer + "/token",
        "jwks_uri": issuer + "/jwks.json",
        "registration_endpoint": issuer + "/registration",
        "https://purl.imsglobal.org/spec/lti-platform-configuration": {},
        **endpoints,
    }


@pytest.fixture
def guarded_app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    """The tool as in production: internal addresses refused, except the one test peer address
    (127.0.0.1) that the different kinds of failure need; a short timeout."""
    app = make_app(
        database_url,
        tmp_path,
        outgoing_allow_private=False,
        outgoing_allow_networks="127.0.0.1/32",
        http_timeout=1,
    )
    reset_database(app)
    server = LiveServer(app).start()
    yield app
    server.stop()
    with app.app_context():
        db.session.remove()
    assert db.engine is not None
    db.engine.dispose()


def _invite(app: Any) -> str:
    result = app.test_cli_runner().invoke(args=["platform", "invite"])
    assert result.exit_code == 0, result.output
    return str(result.output.strip().rsplit("invite=", 1)[1])


def _register(app: Any, config_url: str, invite: str) -> requests.Response:
    return requests.get(
        f"http://127.0.0.1:{app.config['TEST_PORT']}/lti/register",
        params={"openid_configuration": config_url, "invite": invite, "registration_token": "t"},
        timeout=30,
    )


def test_failures_of_every_kind_look_the_same(guarded_app: Any, caplog: Any) -> None:
    tool = f"http://127.0.0.1:{guarded_app.config['TEST_PORT']}"
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        targets = {
            "closed port": f"http://127.0.0.1:{free_port()}/config",
            "open port, not a configuration": tool + "/",
            "no answer": f"http://127.0.0.1:{silent.getsockname()[1]}/config",
            "cloud metadata": "http://169.254.169.254/latest/meta-data/",
            "private network": "http://10.0.0.1/config",
            "other loopback address": f"http://127.0.0.2:{guarded_app.config['TEST_PORT']}/",
            "IPv4-mapped loopback": f"http://[::ffff:127.0.0.2]:{guarded_app.config['TEST_PORT']}/",
        }
        answers = {
            kind: _register(guarded_app, url, _invite(guarded_app)) for kind, url in targets.items()
        }
    assert {r.status_code for r in answers.values()} == {400}
    bodies = {r.text for r in answers.values()}
    assert len(bodies) == 1, "a visitor can tell the failures apart"
    body = bodies.pop()
    assert "could not be registered" in body and "169.254" not in body and "10.0.0.1" not in body
    # The administrator can: each reason is in the server log.
    assert "169.254.169.254, a link-local address" in caplog.text
    assert "10.0.0.1, a private address" in caplog.text
    assert "ConnectionError" in caplog.text and "Timeout" in caplog.text
    assert _platforms(guarded_app) == 0


def test_an_invitation_is_used_up_by_a_failed_attempt(guarded_app: Any) -> None:
    invite = _invite(guarded_app)
    assert _register(guarded_app, "http://10.0.0.1/config", invite).status_code == 400
    peer = ConfigPeer()
    try:
        peer.config = platform_config(peer.url)
        again = _register(guarded_app, peer.url + "/config", invite)
    finally:
        peer.stop()
    assert again.status_code == 403 and "needs an invitation" in again.text
    assert peer.hits == [], "a used-up invitation still made the tool fetch something"


def test_the_registration_token_goes_only_to_the_issuers_host(app: Any, runner: Any) -> None:
    # Loopback is allowed here (the default test settings): only the host rule can stop the post.
    receiver = ConfigPeer()
    platform = ConfigPeer()
    try:
        elsewhere = f"http://localhost:{receiver.port}"
        for endpoint in ("registration_endpoint", "token_endpoint", "jwks_uri"):
            platform.config = platform_config(
                platform.url, **{endpoint: elsewhere + "/" + endpoint}
            )
            with app.app_context():
                invite = create_invite()
            r = app.test_client().get(
                "/lti/register",
                query_string={
                    "openid_configuration": platform.url + "/.well-known/openid-configuration",
                    "registration_token": "secret-registration-token",
                    "invite": invite,
                },
            )
            assert r.status_code == 400
        assert platform.hits == ["GET /.well-known/openid-configuration"] * 3
        assert receiver.hits == [], "the registration went to a host that is not the issuer's"
    finally:
        receiver.stop()
        platform.stop()
    assert _platforms(app) == 1  # only the seeded demo platform


def test_registration_needs_https_outside_labs(database_url: str, tmp_path: Any) -> None:
    # The peer's address is allowed, so only the missing https can stop the fetch.
    prod = make_app(
        database_url,
        tmp_path,
        demo=False,
        outgoing_allow_private=False,
        outgoing_allow_networks="127.0.0.1/32",
    )
    reset_database(prod)
    peer = ConfigPeer()
    try:
        peer.config = platform_config(peer.url)
        with prod.app_context():
            invite = create_invite()
        r = prod.test_client().get(
            "/lti/register",
            query_string={"openid_configuration": peer.url + "/config", "invite": invite},
        )
    finally:
        peer.stop()
    assert r.status_code == 400 and peer.hits == []
