"""Admin papercuts met on a real Moodle: http lab platforms, `platform add` twice, the trainer's
learner list on the first visit."""

from __future__ import annotations

import pytest
from pylti1p3.exception import LtiException
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.lti.registration import check_platform_address
from lti_tool.models import Enrolment, Platform, User
from lti_tool.settings import Settings

from .flows import launch


def _add(runner, *extra: str, login: str = "https://moodle.example.org/mod/lti/auth.php"):
    return runner.invoke(
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
            login,
            "--auth-token-url",
            "https://moodle.example.org/mod/lti/token.php",
            "--key-set-url",
            "https://moodle.example.org/mod/lti/certs.php",
            *extra,
        ]
    )


def test_platform_add_twice_with_the_same_values_succeeds(app, runner):
    first = _add(runner)
    assert first.exit_code == 0, first.output
    again = _add(runner)
    assert again.exit_code == 0, again.output
    assert "already registered with these values; nothing changed" in again.output
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(Platform).where(Platform.client_id == "abc")
        )
        assert count == 1


def test_platform_add_with_other_values_says_what_differs(app, runner):
    assert _add(runner).exit_code == 0
    other = _add(runner, login="https://moodle.example.org/other/auth.php")
    assert other.exit_code != 0
    assert "already registered with another auth login URL" in other.output
    assert "learnpass platform remove" in other.output
    more = _add(runner, "--deployment-id", "2")
    assert more.exit_code != 0 and "add-deployment" in more.output


@pytest.mark.parametrize(
    ("overrides", "allowed"),
    [
        ({}, False),
        ({"debug": True}, False),  # no longer the switch for this
        ({"allow_http_platforms": True}, True),
    ],
)
def test_http_platform_registration_needs_its_own_setting(
    database_url, tmp_path, overrides, allowed
):
    from tests.conftest import make_app

    lab = make_app(
        database_url,
        tmp_path,
        demo=False,
        outgoing_allow_private=False,
        **overrides,
    )
    with lab.app_context():
        check_platform_address("https://moodle.lab.example/", "issuer")  # https always
        if allowed:
            check_platform_address("http://moodle.lab.example/", "issuer")
        else:
            with pytest.raises(LtiException, match="does not use https"):
                check_platform_address("http://moodle.lab.example/", "issuer")


def test_allow_http_platforms_is_read_from_the_environment(tmp_path):
    config = tmp_path / "learnpass.toml"
    config.write_text("")
    settings = Settings.from_env(
        {
            "LEARNPASS_CONFIG_FILE": str(config),
            "LEARNPASS_ALLOW_HTTP_PLATFORMS": "true",
            "LEARNPASS_SECRET_KEY": "x" * 32,
            "LEARNPASS_DATA_DIR": str(tmp_path),
            "LEARNPASS_BASE_URL": "https://tool.example",
            "LEARNPASS_CONTENT_URL": "https://content.example",
        }
    )
    assert settings.allow_http_platforms is True


def test_trainer_learner_list_reads_the_roster_on_the_first_visit(app, live_server, http):
    assert launch(http, live_server.url, user="instructor").status_code == 200
    home = http.get(live_server.url + "/passport/trainer/")
    assert home.status_code == 200
    # Karim never opened learnpass: only the LMS roster knows him.
    assert "Karim Benali" in home.text
    with app.app_context():
        karim = db.session.scalars(select(User).where(User.sub == "demo-learner-2")).one()
        roles = db.session.scalars(select(Enrolment.role).where(Enrolment.user_id == karim.id))
        assert list(roles) == ["learner"]
