"""One platform's people and courses never mix with another's, even with equal ids."""

from __future__ import annotations

import time

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lti.services import PlatformInput, add_platform, record_launch
from lti_tool.models import Course, User

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
