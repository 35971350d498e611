"""Helpers for passport tests: sign a person in the way a launch does, read CSRF tokens, files.

``sign_in`` runs the real ``record_launch`` on claims shaped as the demo platform sends them and
puts the resulting LaunchContext into the server-side session; tests that must prove the whole
LTI path use ``tests.lti.flows.launch`` over HTTP instead.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from sqlalchemy import insert, select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.lti.context import LaunchContext
from lti_tool.lti.services import CLAIM, record_launch
from lti_tool.models import Course, Enrolment, Platform, User

# The browser fixtures (Debian chromium through Playwright) for test_browser.py.
from tests.browser.conftest import browser, page, viewport  # noqa: F401

OTHER_COURSE = {"id": "other-course-9", "title": "Forklift course elsewhere", "label": "FL-9"}
OUTSIDER = {
    "sub": "other-learner-9",
    "name": "Olga Outsider",
    "given_name": "Olga",
    "family_name": "Outsider",
    "email": "olga@example.org",
    "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
}
OTHER_TRAINER = {
    **OUTSIDER,
    "sub": "other-trainer-9",
    "name": "Otto Other",
    "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
}


def launch_context(
    app: Any,
    who: str | dict[str, Any],
    course: dict[str, str] | None = None,
    target: str = "passport",
) -> LaunchContext:
    person = demo.USERS[who] if isinstance(who, str) else who
    course = course or demo.COURSE
    with app.app_context():
        platform = db.session.scalars(select(Platform).order_by(Platform.id)).first()
        claims = {
            "iss": demo.issuer(),
            "aud": demo.CLIENT_ID,
            "sub": person["sub"],
            "name": person["name"],
            "given_name": person["given_name"],
            "family_name": person["family_name"],
            "email": person["email"],
            CLAIM + "roles": person["roles"],
            CLAIM + "deployment_id": demo.DEPLOYMENT_ID,
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "context": {
                "id": course["id"],
                "title": course["title"],
                "label": course["label"],
            },
            CLAIM + "resource_link": {"id": "link-" + course["id"], "title": "My passport"},
            CLAIM + "custom": {"target": target},
        }
        return record_launch(db.session(), platform.id, claims)


def sign_in(
    app: Any, client: Any, who: str | dict[str, Any], course: dict[str, str] | None = None
) -> LaunchContext:
    ctx = launch_context(app, who, course)
    with client.session_transaction() as sess:
        sess.clear()
        sess["launch"] = ctx.to_dict()
    return ctx


def csrf_token(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token on " + path
    return match.group(1)


def tiny_pdf(text: str = "certificate") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


def tiny_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


# The start of a Windows executable (the "MZ" header and DOS stub), as a forger would rename it.
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"This program cannot be run in DOS mode.\r\n"
    + b"\x00" * 512
)


@pytest.fixture
def passport_app(app: Any) -> Any:
    """The app with the passport's demo data: training types, framework, Lena's entries."""
    with app.app_context():
        from lti_tool.passports.demo import seed_demo_passport

        seed_demo_passport(people=True)
    return app


def enrol_learners(app: Any, prefix: str, people: list[tuple[str, str]]) -> int:
    """Learners (name, family name) enrolled in the demo course, added in bulk as a roster sync
    would, with subs ``<prefix>-<n>``; the course's id."""
    with app.app_context():
        session = db.session()
        platform = session.scalars(select(Platform).order_by(Platform.id)).first()
        course = session.scalars(select(Course).order_by(Course.id)).first()
        assert platform is not None and course is not None
        session.execute(
            insert(User),
            [
                {
                    "issuer": platform.issuer,
                    "client_id": platform.client_id,
                    "platform_id": platform.id,
                    "sub": f"{prefix}-{i}",
                    "account_name": f"{prefix}-{i}",
                    "name": name,
                    "family_name": family_name,
                }
                for i, (name, family_name) in enumerate(people)
            ],
        )
        ids = session.scalars(select(User.id).where(User.sub.like(f"{prefix}-%"))).all()
        session.execute(
            insert(Enrolment),
            [
                {"course_id": course.id, "user_id": uid, "role": "learner", "lti_roles": []}
                for uid in ids
            ],
        )
        session.commit()
        return int(course.id)
