"""One platform's people and courses never mix with another's, even with equal ids."""

from __future__ import annotations

import time

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lti.services import PlatformInput, add_platform, record_launch
from lti_tool.models import Course, Platform, User

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def _claims(iss: str, client_id: str) -> dict:
    return {
        "iss": iss,
        "aud": client_id,
        "sub": "user-1",
        "name": "Same Sub",
        "exp": int(time.time()) + 60,
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "deployment_id": "1",
        CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        CLAIM + "context": {"id": "course-1", "title": "Course"},
        CLAIM + "resource_link": {"id": "link-1"},
    }


def test_same_sub_and_context_on_two_platforms_stay_apart(app):
    with app.app_context():
        session = db.session()
        a = add_platform(
            session,
            PlatformInput(
                "https://a.example",
                "ca",
                "https://a.example/auth",
                "https://a.example/token",
                "https://a.example/jwks",
                deployment_ids=("1",),
            ),
        )
        b = add_platform(
            session,
            PlatformInput(
                "https://b.example",
                "cb",
                "https://b.example/auth",
                "https://b.example/token",
                "https://b.example/jwks",
                deployment_ids=("1",),
            ),
        )
        ctx_a = record_launch(session, a.id, _claims(a.issuer, a.client_id))
        ctx_b = record_launch(session, b.id, _claims(b.issuer, b.client_id))
        assert ctx_a.user_id != ctx_b.user_id
        assert ctx_a.course_id != ctx_b.course_id
        assert len(session.scalars(select(User)).all()) == 2
        assert {c.platform_id for c in session.scalars(select(Course))} == {a.id, b.id}
        # A second launch on platform A finds A's user again, never B's.
        assert record_launch(session, a.id, _claims(a.issuer, a.client_id)).user_id == ctx_a.user_id


def _platform(session, client_id: str, *, per_deployment: bool = False):
    return add_platform(
        session,
        PlatformInput(
            "https://shared.example",
            client_id,
            "https://shared.example/auth",
            "https://shared.example/token",
            "https://shared.example/jwks",
            deployment_ids=("1", "2"),
            sub_per_deployment=per_deployment,
        ),
    )


def test_two_registrations_of_one_issuer_keep_their_people_apart(app):
    with app.app_context():
        session = db.session()
        a, b = _platform(session, "client-a"), _platform(session, "client-b")
        ctx_a = record_launch(session, a.id, _claims(a.issuer, a.client_id))
        ctx_b = record_launch(session, b.id, _claims(b.issuer, b.client_id))
        assert ctx_a.user_id != ctx_b.user_id
        assert ctx_a.account_name == "user-1" and ctx_b.account_name.startswith("user-1#")
        people = {u.client_id: u for u in session.scalars(select(User))}
        assert set(people) == {"client-a", "client-b"}
        assert people["client-a"].account_name != people["client-b"].account_name
        # Each registration finds its own person again.
        assert record_launch(session, b.id, _claims(b.issuer, b.client_id)).user_id == ctx_b.user_id
        assert record_launch(session, a.id, _claims(a.issuer, a.client_id)).user_id == ctx_a.user_id


def test_a_sub_per_deployment_platform_keeps_deployments_apart(app):
    with app.app_context():
        session = db.session()
        per = _platform(session, "per-deployment", per_deployment=True)
        plain = _platform(session, "platform-wide")
        ids = {}
        for platform in (per, plain):
            for deployment in ("1", "2"):
                claims = _claims(platform.issuer, platform.client_id)
                claims[CLAIM + "deployment_id"] = deployment
                ids[platform.client_id, deployment] = record_launch(
                    session, platform.id, claims
                ).user_id
        assert ids["per-deployment", "1"] != ids["per-deployment", "2"]
        assert ids["platform-wide", "1"] == ids["platform-wide", "2"]
        scopes = {(u.client_id, u.deployment_scope) for u in session.scalars(select(User))}
        assert scopes == {("per-deployment", "1"), ("per-deployment", "2"), ("platform-wide", "")}


def test_a_registration_added_again_finds_its_people_again(app):
    from lti_tool.lti.services import remove_platform

    with app.app_context():
        session = db.session()
        first = _platform(session, "client-a")
        user_id = record_launch(session, first.id, _claims(first.issuer, "client-a")).user_id
        remove_platform(session, first)
        again = _platform(session, "client-a")
        ctx = record_launch(session, again.id, _claims(again.issuer, "client-a"))
        assert ctx.user_id == user_id
        assert session.get(User, user_id).platform_id == again.id


def _add_args(client_id: str, *extra: str) -> list[str]:
    return [
        "platform",
        "add",
        "--issuer",
        "https://shared.example",
        "--client-id",
        client_id,
        "--auth-login-url",
        "https://shared.example/auth",
        "--auth-token-url",
        "https://shared.example/token",
        "--key-set-url",
        "https://shared.example/jwks",
        *extra,
    ]


def test_platform_add_warns_when_the_issuer_is_already_registered(app, runner):
    first = runner.invoke(args=_add_args("client-a"))
    assert first.exit_code == 0, first.output
    assert "Warning" not in first.output
    second = runner.invoke(args=_add_args("client-b", "--sub-per-deployment"))
    assert second.exit_code == 0, second.output  # allowed: Canvas has many client ids
    assert "Warning: issuer https://shared.example was already registered" in second.output
    assert "client id client-a" in second.output
    assert "do not share people" in second.output
    assert "learnpass passport link-identities" in second.output
    assert "--linked-client-id client-b" in second.output
    listing = runner.invoke(args=["platform", "list"]).output
    assert "client id client-b" in listing and "user ids per deployment" in listing
    with app.app_context():
        platforms = db.session.scalars(
            select(Platform).where(Platform.issuer == "https://shared.example")
        ).all()
        assert {p.client_id: p.sub_per_deployment for p in platforms} == {
            "client-a": False,
            "client-b": True,
        }


def test_people_of_two_registrations_are_joined_only_by_an_explicit_link(app, runner):
    from lti_tool.passports.identities import identity_user_ids
    from lti_tool.passports.models import IdentityLink

    with app.app_context():
        session = db.session()
        a, b = _platform(session, "client-a"), _platform(session, "client-b")
        a_id = record_launch(session, a.id, _claims(a.issuer, "client-a")).user_id
        b_id = record_launch(session, b.id, _claims(b.issuer, "client-b")).user_id
        assert set(identity_user_ids(session, b_id)) == {b_id}
    base = [
        "passport",
        "link-identities",
        "--issuer",
        "https://shared.example",
        "--sub",
        "user-1",
        "--linked-issuer",
        "https://shared.example",
        "--linked-sub",
        "user-1",
    ]
    ambiguous = runner.invoke(args=base)
    assert ambiguous.exit_code != 0 and "--client-id" in ambiguous.output
    linked = runner.invoke(
        args=[*base, "--client-id", "client-a", "--linked-client-id", "client-b"]
    )
    assert linked.exit_code == 0, linked.output
    with app.app_context():
        session = db.session()
        link = session.scalars(select(IdentityLink)).one()
        assert (link.primary_user_id, link.linked_user_id) == (a_id, b_id)
