from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.lti.adapter import forget_local_key_sets
from lti_tool.models import KeyValue, Platform
from lti_tool.settings import Settings, SettingsError

from .flows import launch


def test_dynamic_registration_registers_platform_and_closes(app, live_server, http):
    r = http.get(live_server.url + "/demo/register-tool")
    assert r.status_code == 200, r.text
    assert "org.imsglobal.lti.close" in r.text
    with app.app_context():
        registered = demo.store().get("demo:registered-tool")
        config = registered["config"]
        tool_conf = config["https://purl.imsglobal.org/spec/lti-tool-configuration"]
        assert config["initiate_login_uri"] == live_server.url + "/lti/login"
        assert config["jwks_uri"] == live_server.url + "/lti/jwks.json"
        assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in config["scope"]
        assert (
            "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
            in config["scope"]
        )
        assert (
            tool_conf["messages"][0]["type"] == "LtiDeepLinkingRequest"
            and tool_conf["messages"][0]["label"]
        )
        platform = db.session.scalars(
            select(Platform).where(Platform.client_id == registered["client_id"])
        ).one()
        assert platform.issuer == live_server.url + "/demo"
        assert [d.deployment_id for d in platform.deployments] == ["dr-deployment"]


def invite(runner) -> str:
    """A one-time registration address from the CLI, as an administrator makes one."""
    result = runner.invoke(args=["platform", "invite"])
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    assert "/lti/register?invite=" in url
    return url.split("invite=", 1)[1]


def test_dynamic_registration_with_a_bad_token_fails_plainly(app, runner, live_server, http):
    r = http.get(
        live_server.url + "/lti/register",
        params={
            "invite": invite(runner),
            "openid_configuration": live_server.url + "/demo/.well-known/openid-configuration",
            "registration_token": "wrong",
        },
    )
    assert r.status_code == 400
    assert "could not be registered" in r.text
    with app.app_context():
        assert (
            db.session.scalars(select(Platform)).all().__len__() == 1
        )  # only the seeded demo platform


def test_dynamic_registration_refuses_an_issuer_on_another_host(
    app, runner, live_server, http, caplog
):
    other = live_server.url.replace("127.0.0.1", "localhost")
    r = http.get(
        live_server.url + "/lti/register",
        params={
            "invite": invite(runner),
            "openid_configuration": other + "/demo/.well-known/openid-configuration",
        },
    )
    assert r.status_code == 400
    assert "could not be registered" in r.text
    # Why is for the administrator's log, not for the visitor.
    assert "not on the configuration's host" not in r.text
    assert "not on the configuration's host" in caplog.text


def platform_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Platform)).all())


def _register(http, base: str, **extra: str):
    with_token = {"registration_token": "good-token"}
    return http.get(
        base + "/lti/register",
        params={
            "openid_configuration": base + "/demo/.well-known/openid-configuration",
            **with_token,
            **extra,
        },
    )


def test_an_invitation_registers_one_platform_once(app, runner, live_server, http):
    with app.app_context():
        demo.store().set("demo:registration-token", "good-token", 600)
    token = invite(runner)
    r = _register(http, live_server.url, invite=token)
    assert r.status_code == 200 and "org.imsglobal.lti.close" in r.text
    assert platform_count(app) == 2
    again = _register(http, live_server.url, invite=token)  # used up
    assert again.status_code == 403
    assert "learnpass platform invite" in again.text


def test_registration_without_an_invitation_is_refused_before_any_fetch(app, live_server, http):
    # The configuration URL points at a port nobody listens on: had the tool fetched it, the
    # answer would be the 400 "could not be registered" page, not the 403.
    for extra in ({}, {"invite": "made-up"}):
        r = http.get(
            live_server.url + "/lti/register",
            params={"openid_configuration": "http://127.0.0.1:9/config", **extra},
        )
        assert r.status_code == 403, r.text
        assert "needs an invitation" in r.text
    assert platform_count(app) == 1  # only the seeded demo platform


def test_an_expired_invitation_is_refused(app, runner, live_server, http):
    result = runner.invoke(args=["platform", "invite", "--hours", "0.0000001"])
    token = result.output.strip().rsplit("invite=", 1)[1]
    with app.app_context():
        demo.store().set("demo:registration-token", "good-token", 600)
    assert _register(http, live_server.url, invite=token).status_code == 403
    assert platform_count(app) == 1


def test_open_registration_setting_needs_no_invitation(database_url, tmp_path):
    from tests.conftest import make_app, reset_database

    open_app = make_app(database_url, tmp_path, open_registration=True)
    reset_database(open_app)
    r = open_app.test_client().get(
        "/lti/register", query_string={"openid_configuration": "http://127.0.0.1:9/config"}
    )
    # No invitation asked: the tool went on to fetch the configuration, which is not there.
    assert r.status_code == 400
    assert "could not be registered" in r.get_data(as_text=True)


def test_register_without_parameters_explains(client):
    r = client.get("/lti/register")
    assert r.status_code == 400 and "/lti/register" in r.get_data(as_text=True)


def test_key_rotation_keeps_old_key_published(app, runner, client):
    before = {k["kid"] for k in client.get("/lti/jwks.json").get_json()["keys"]}
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    after = {k["kid"] for k in client.get("/lti/jwks.json").get_json()["keys"]}
    assert before < after and len(after) == 2
    listing = runner.invoke(args=["keys", "list"]).output
    assert "current" in listing and "retired" in listing


def test_launch_still_works_after_key_rotation(app, runner, live_server, http):
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    assert launch(http, live_server.url).status_code == 200


def test_a_process_reuses_the_key_set_it_read_without_asking_the_store(app, live_server, http):
    assert launch(http, live_server.url).status_code == 200
    with app.app_context():
        # Emptied behind the process's back: its own short copy still verifies the next launch.
        db.session.execute(delete(KeyValue).where(KeyValue.key.startswith("jwks:")))
        db.session.commit()
    assert launch(http, live_server.url).status_code == 200
    with app.app_context():
        assert _cached_jwks(db.session) == []


def _cached_jwks(session) -> list[KeyValue]:
    return [
        r
        for r in session.scalars(select(KeyValue))
        if r.key.startswith("jwks:") and not r.key.endswith(":refetch")
    ]


def test_platform_jwks_is_cached_and_refetched_for_an_unknown_kid(app, live_server, http):
    assert launch(http, live_server.url).status_code == 200
    with app.app_context():
        cached = _cached_jwks(db.session)
        assert len(cached) == 1 and cached[0].value["keys"][0]["kid"] == "demo-platform-key"
        # The platform rotated its keys since we cached them: the cache only knows an old kid.
        cached[0].value = {"keys": [{**cached[0].value["keys"][0], "kid": "old-kid"}]}
        db.session.commit()
    # As in another process, or in this one once its short copy expired: only the shared cache.
    forget_local_key_sets()
    assert (
        launch(http, live_server.url).status_code == 200
    )  # unknown kid -> one refetch -> accepted
    with app.app_context():
        assert _cached_jwks(db.session)[0].value["keys"][0]["kid"] == "demo-platform-key"
        refetch_marks = [
            r for r in db.session.scalars(select(KeyValue)) if r.key.endswith(":refetch")
        ]
        assert (
            len(refetch_marks) == 1
        )  # the cool-down is recorded, so a flood of bad kids cannot hammer the platform


def test_a_new_platform_key_under_the_same_kid_is_not_verified_with_the_old_one(
    app, live_server, http
):
    """Each process keeps the key object made from a platform key: kept by the key's text, so a
    key replaced under the same kid is never checked with the old object."""
    from lti_tool.lti.keys import generate_rsa_private_pem
    from lti_tool.shared_store import SharedStore

    assert launch(http, live_server.url).status_code == 200
    with app.app_context():
        SharedStore(db.session()).set("demo:platform-key", generate_rsa_private_pem())
        db.session.execute(delete(KeyValue).where(KeyValue.key.startswith("jwks:")))
        db.session.commit()
    forget_local_key_sets()  # the key set is read again: same kid, other key
    assert launch(http, live_server.url).status_code == 200


def test_platform_cli_add_list_deployment_remove(runner, tmp_path):
    key_set = tmp_path / "jwks.json"
    key_set.write_text(json.dumps({"keys": []}))
    r = runner.invoke(
        args=[
            "platform",
            "add",
            "--issuer",
            "https://moodle.example.org",
            "--client-id",
            "abc",
            "--deployment-id",
            "1",
            "--auth-login-url",
            "https://moodle.example.org/mod/lti/auth.php",
            "--auth-token-url",
            "https://moodle.example.org/mod/lti/token.php",
            "--key-set-url",
            "https://moodle.example.org/mod/lti/certs.php",
        ]
    )
    assert r.exit_code == 0, r.output
    duplicate = runner.invoke(
        args=[
            "platform",
            "add",
            "--issuer",
            "https://moodle.example.org",
            "--client-id",
            "abc",
            "--auth-login-url",
            "https://x",
            "--auth-token-url",
            "https://y",
            "--key-set-file",
            str(key_set),
        ]
    )
    assert duplicate.exit_code != 0 and "already registered" in duplicate.output
    assert (
        runner.invoke(
            args=[
                "platform",
                "add-deployment",
                "--issuer",
                "https://moodle.example.org",
                "--deployment-id",
                "2",
            ]
        ).exit_code
        == 0
    )
    listing = runner.invoke(args=["platform", "list"]).output
    assert "https://moodle.example.org" in listing and "deployments 1, 2" in listing
    assert (
        runner.invoke(
            args=["platform", "remove", "--issuer", "https://moodle.example.org", "--yes"]
        ).exit_code
        == 0
    )
    assert "moodle.example.org" not in runner.invoke(args=["platform", "list"]).output


def test_platform_add_refuses_bad_urls(runner):
    r = runner.invoke(
        args=[
            "platform",
            "add",
            "--issuer",
            "x",
            "--client-id",
            "y",
            "--auth-login-url",
            "ftp://nope",
            "--auth-token-url",
            "https://t",
            "--key-set-url",
            "https://k",
        ]
    )
    assert r.exit_code != 0 and "auth login URL" in r.output


def test_show_config_prints_the_urls(runner, app):
    out = runner.invoke(args=["platform", "show-config"]).output
    base = app.config["LEARNPASS"].base_url
    for path in ("/lti/launch", "/lti/login", "/lti/jwks.json"):
        assert base + path in out
    assert "learnpass platform invite" in out  # registration addresses are one-time


def test_bad_settings_stop_start_up_with_the_name(tmp_path):
    with pytest.raises(SettingsError, match="LEARNPASS_HTTP_TIMEOUT"):
        Settings.from_env(
            {
                "LEARNPASS_HTTP_TIMEOUT": "soon",
                "LEARNPASS_DEMO": "1",
                "LEARNPASS_DATA_DIR": str(tmp_path),
            }
        )
    with pytest.raises(SettingsError, match="LEARNPASS_SECRET_KEY"):
        Settings.from_env({"LEARNPASS_DATA_DIR": str(tmp_path)})
    with pytest.raises(SettingsError, match="LEARNPASS_DEMO"):
        Settings.from_env({"LEARNPASS_DEMO": "maybe"})


def test_production_defaults_are_safe(tmp_path):
    settings = Settings.from_env(
        {
            "LEARNPASS_SECRET_KEY": "s",
            "LEARNPASS_DATA_DIR": str(tmp_path),
            "LEARNPASS_CONTENT_URL": "https://content.example.org",
        }
    )
    assert settings.demo is False and settings.debug is False and settings.secure_cookies is True


def test_jobs_run_once_lists_the_jobs(runner):
    out = runner.invoke(args=["jobs", "run", "--once"]).output
    assert "grades" in out and "purge-expired" in out


def test_a_signing_key_is_parsed_once_per_pem_and_signs_what_its_public_key_verifies(app):
    import jwt
    from jwt.algorithms import RSAAlgorithm

    from lti_tool.lti import keys

    with app.app_context():
        first = keys.current_key(db.session())
        parsed = keys.signing_key(first.private_pem)
        assert keys.signing_key(first.private_pem) is parsed  # parsed once, found again
        token = jwt.encode({"sub": "x"}, parsed, algorithm="RS256", headers={"kid": first.kid})
        public = RSAAlgorithm.from_jwk(json.dumps(first.public_jwk))
        assert jwt.decode(token, public, algorithms=["RS256"]) == {"sub": "x"}
        # A rotated key is another PEM: another parsed key, never the old one.
        rotated = keys.generate_rsa_private_pem()
        assert keys.signing_key(rotated) is not parsed
        with pytest.raises(ValueError):
            keys.signing_key("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
