"""Every LTI 1.3 role URI (appendix A.2 of LTI 1.3 core), long and short, and what it gives.

The same table is in docs/security.md ("Roles and identities"). Course rights come from context
(membership) roles only; platform administration from the system and institution Administrator
roles only.
"""

from __future__ import annotations

import pytest

from lti_tool.lti.roles import map_lti_roles, map_roles

M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
SUB = "http://purl.imsglobal.org/vocab/lis/v2/membership/"
INST = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYS = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
LTI_SYS = "http://purl.imsglobal.org/vocab/lti/system/person#"

# (role URI, course role, platform admin)
SYSTEM_ROLES = [
    (SYS + "Administrator", "learner", True),
    (SYS + "None", "learner", False),
    (SYS + "AccountAdmin", "learner", False),
    (SYS + "Creator", "learner", False),
    (SYS + "SysAdmin", "learner", True),
    (SYS + "SysSupport", "learner", False),
    (SYS + "User", "learner", False),
    (LTI_SYS + "TestUser", "learner", False),
]
INSTITUTION_ROLES = [
    (INST + "Administrator", "learner", True),
    *[
        (INST + name, "learner", False)
        for name in (
            "Faculty",
            "Guest",
            "None",
            "Other",
            "Staff",
            "Student",
            "Alumni",
            "Instructor",
            "Learner",
            "Member",
            "Mentor",
            "Observer",
            "ProspectiveStudent",
        )
    ],
]
CONTEXT_ROLES = {
    "Administrator": "instructor",
    "ContentDeveloper": "instructor",
    "Instructor": "instructor",
    "Learner": "learner",
    "Mentor": "learner",
    "Manager": "learner",
    "Member": "learner",
    "Officer": "learner",
}
CONTEXT_SUB_ROLES = {
    "Administrator": [
        "Administrator",
        "Developer",
        "ExternalDeveloper",
        "ExternalSupport",
        "ExternalSystemAdministrator",
        "Support",
        "SystemAdministrator",
    ],
    "ContentDeveloper": ["ContentDeveloper", "ContentExpert", "ExternalContentExpert", "Librarian"],
    "Instructor": [
        "ExternalInstructor",
        "Grader",
        "GuestInstructor",
        "Lecturer",
        "PrimaryInstructor",
        "SecondaryInstructor",
        "TeachingAssistant",
        "TeachingAssistantGroup",
        "TeachingAssistantOffering",
        "TeachingAssistantSection",
        "TeachingAssistantSectionAssociation",
        "TeachingAssistantTemplate",
    ],
    # A Learner#Instructor is a kind of learner ("an instructor who is a learner here").
    "Learner": ["ExternalLearner", "GuestLearner", "Instructor", "Learner", "NonCreditLearner"],
    "Manager": ["AreaManager", "CourseCoordinator", "ExternalObserver", "Manager", "Observer"],
    "Member": ["Member"],
    "Mentor": [
        "Advisor",
        "Auditor",
        "ExternalAdvisor",
        "ExternalAuditor",
        "ExternalLearningFacilitator",
        "ExternalMentor",
        "ExternalReviewer",
        "ExternalTutor",
        "LearningFacilitator",
        "Mentor",
        "Reviewer",
        "Tutor",
    ],
    "Officer": ["Chair", "Communications", "Secretary", "Treasurer", "Vice-Chair"],
}
ALL_ROLES = [
    *SYSTEM_ROLES,
    *INSTITUTION_ROLES,
    *[(M + name, role, False) for name, role in CONTEXT_ROLES.items()],
    *[(name, role, False) for name, role in CONTEXT_ROLES.items()],  # short forms
    *[
        (f"{SUB}{principal}#{sub_role}", CONTEXT_ROLES[principal], False)
        for principal, sub_roles in CONTEXT_SUB_ROLES.items()
        for sub_role in sub_roles
    ],
]


@pytest.mark.parametrize(("uri", "course_role", "admin"), ALL_ROLES, ids=[r[0] for r in ALL_ROLES])
def test_each_lti_role_uri_maps_as_the_specification_says(uri, course_role, admin):
    mapped = map_roles([uri])
    assert (mapped.course_role, mapped.platform_admin) == (course_role, admin)


def test_the_table_covers_every_vocabulary():
    assert len(SYSTEM_ROLES) == 8 and len(INSTITUTION_ROLES) == 14
    assert len(CONTEXT_ROLES) == 8
    assert sum(len(v) for v in CONTEXT_SUB_ROLES.values()) == 51


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([M + "Learner"], "learner"),
        ([], "learner"),
        ([M + "Instructor"], "instructor"),
        ([SUB + "Instructor#TeachingAssistant"], "instructor"),
        ([M + "ContentDeveloper"], "instructor"),
        ([INST + "Administrator", M + "Learner"], "admin"),
        ([SYS + "SysAdmin"], "admin"),
        (["Instructor"], "instructor"),  # short form, as some platforms send
        ([INST + "Student", M + "Mentor"], "learner"),  # mentors observe; they do not teach
        (["http://example.org/custom#Guest"], "learner"),
        # A course's administrator manages that course; it is no platform administrator.
        ([M + "Administrator"], "instructor"),
        # What the institution says someone is gives no rights in a course they follow.
        ([INST + "Instructor", M + "Learner"], "learner"),
        ([INST + "Faculty", M + "Learner"], "learner"),
        ([INST + "Faculty"], "learner"),
        ([SUB + "Learner#Instructor"], "learner"),
        # Short forms are context roles only; other vocabularies are never guessed at.
        (["Faculty"], "learner"),
        (["SysAdmin"], "learner"),
        (["TeachingAssistant"], "learner"),
        # LTI 1.1 role URNs are not LTI 1.3 roles.
        (["urn:lti:instrole:ims/lis/Administrator"], "learner"),
        (["urn:lti:role:ims/lis/Instructor"], "learner"),
        # Look-alikes of the vocabularies' prefixes count for nothing.
        ([M.replace("http:", "https:") + "Instructor"], "learner"),
        ([SYS + "Administrator#x"], "learner"),
        ([M + "instructor"], "learner"),
    ],
)
def test_lti_roles_map_to_three_levels(roles, expected):
    assert map_lti_roles(roles) == expected


def test_an_administrator_following_a_course_is_its_learner():
    mapped = map_roles([INST + "Administrator", M + "Learner"])
    assert mapped.course_role == "learner" and mapped.platform_admin
    assert mapped.launch_role == "admin"


# ---------------------------------------------------------------- in a real launch


def _launch(app, client, sub: str, roles: list[str]):
    """The real ``record_launch`` of the demo platform, signed into a test client."""
    import time

    from sqlalchemy import select

    from lti_tool.demo import platform as demo
    from lti_tool.extensions import db
    from lti_tool.lti.services import CLAIM, record_launch
    from lti_tool.models import Enrolment, Platform

    with app.app_context():
        session = db.session()
        platform = session.scalars(select(Platform).where(Platform.issuer == demo.issuer())).one()
        claims = {
            "iss": platform.issuer,
            "aud": platform.client_id,
            "sub": sub,
            "name": sub,
            "exp": int(time.time()) + 60,
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "deployment_id": demo.DEPLOYMENT_ID,
            CLAIM + "roles": roles,
            CLAIM + "context": {"id": "course-1", "title": "Course"},
            CLAIM + "resource_link": {"id": "link-1"},
        }
        ctx = record_launch(session, platform.id, claims)
        enrolment = session.scalars(select(Enrolment).where(Enrolment.user_id == ctx.user_id)).one()
    with client.session_transaction() as sess:
        sess.clear()
        sess["launch"] = ctx.to_dict()
    return ctx, enrolment.role


def test_a_faculty_member_following_a_course_is_no_trainer_of_it(app, client):
    ctx, enrolment_role = _launch(app, client, "faculty-1", [INST + "Faculty", M + "Learner"])
    assert (ctx.role, enrolment_role) == ("learner", "learner")
    assert client.get("/passport/trainer/").status_code == 403
    assert client.get("/passport/").status_code == 200


def test_a_course_administrator_is_no_platform_administrator(app, client):
    ctx, enrolment_role = _launch(app, client, "course-admin-1", [M + "Administrator"])
    assert (ctx.role, enrolment_role) == ("instructor", "instructor")
    assert client.get("/passport/admin/").status_code == 403
    assert client.get("/passport/trainer/").status_code == 200


def test_a_platform_administrator_learning_in_a_course_keeps_admin_pages(app, client):
    ctx, enrolment_role = _launch(app, client, "admin-1", [INST + "Administrator", M + "Learner"])
    # Administration from the institution role; in this course's lists the person is a learner.
    assert (ctx.role, enrolment_role) == ("admin", "learner")
    assert client.get("/passport/admin/").status_code == 200


def test_a_session_from_before_the_role_mapping_counts_as_no_launch(app, client):
    ctx, _ = _launch(app, client, "old-admin", [M + "Administrator"])
    old = ctx.to_dict()
    old["role"] = "admin"  # what the old mapping gave a course administrator
    del old["account_name"]
    with client.session_transaction() as sess:
        sess["launch"] = old
    assert client.get("/passport/admin/").status_code == 401
