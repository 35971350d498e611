"""LTI 1.3 role URIs to learnpass rights, as the LTI specification reads them.

Three vocabularies (LTI 1.3 core, appendix A.2) mean different things:

- **context** roles (``.../membership#Instructor``, sub-roles ``.../membership/Instructor#Grader``,
  and the short forms ``Instructor``, ``Learner``...) say what the person is *in this course*:
  they alone give course rights (trainer or learner);
- **institution** roles (``.../institution/person#Faculty``) say what the person is in the
  organisation; only ``Administrator`` means something here (platform administrator), a
  ``Faculty`` or ``Instructor`` of the institution is no trainer of a course they follow;
- **system** roles (``.../system/person#SysAdmin``) say what the person is in the LMS software;
  only ``Administrator`` and ``SysAdmin`` make a platform administrator.

The table in docs/security.md lists every role URI and what it maps to; tests/lti/test_roles.py
checks each of them.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
CONTEXT_SUB = "http://purl.imsglobal.org/vocab/lis/v2/membership/"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
LTI_SYSTEM = "http://purl.imsglobal.org/vocab/lti/system/person#"

# The principal context roles of LTI 1.3 (sub-roles are read as their principal role).
CONTEXT_ROLES = frozenset(
    {
        "Administrator",
        "ContentDeveloper",
        "Instructor",
        "Learner",
        "Mentor",
        "Manager",
        "Member",
        "Officer",
    }
)
# Context roles that may change the course's learnpass content and its learners' records.
# Mentor (parents, observers, tutors), Manager (observers, coordinators), Member and Officer
# follow or watch a course; they do not teach it.
TRAINER_CONTEXT_ROLES = frozenset({"Administrator", "ContentDeveloper", "Instructor"})
INSTITUTION_ADMIN_ROLES = frozenset({"Administrator"})
SYSTEM_ADMIN_ROLES = frozenset({"Administrator", "SysAdmin"})

LEARNER = "learner"
INSTRUCTOR = "instructor"
ADMIN = "admin"


@dataclass(frozen=True)
class MappedRoles:
    """What a set of LTI roles gives: a role in the course, and maybe platform administration."""

    course_role: str
    platform_admin: bool

    @property
    def launch_role(self) -> str:
        """The rank the launch's pages are guarded with (learner < instructor < admin)."""
        return ADMIN if self.platform_admin else self.course_role


def context_role(uri: str) -> str | None:
    """The principal context role a role URI names (short forms included), else None."""
    if uri.startswith(CONTEXT):
        name = uri[len(CONTEXT) :]
    elif uri.startswith(CONTEXT_SUB):
        # ".../membership/Learner#Instructor" is a kind of Learner, not an Instructor.
        name = uri[len(CONTEXT_SUB) :].split("#", 1)[0]
    elif "://" not in uri and ":" not in uri and "#" not in uri and "/" not in uri:
        # The short form ("Instructor") is allowed for context roles only.
        name = uri
    else:
        return None
    return name if name in CONTEXT_ROLES else None


def is_platform_admin_role(uri: str) -> bool:
    if uri.startswith(SYSTEM):
        return uri[len(SYSTEM) :] in SYSTEM_ADMIN_ROLES
    if uri.startswith(INSTITUTION):
        return uri[len(INSTITUTION) :] in INSTITUTION_ADMIN_ROLES
    return False


def map_roles(lti_roles: list[str]) -> MappedRoles:
    """Course rights from context roles only; platform administration from system and
    institution Administrator only. Anything else (unknown URIs, LTI 1.1 URNs) gives nothing."""
    names = {context_role(str(uri)) for uri in lti_roles}
    trainer = bool(names & TRAINER_CONTEXT_ROLES)
    admin = any(is_platform_admin_role(str(uri)) for uri in lti_roles)
    return MappedRoles(course_role=INSTRUCTOR if trainer else LEARNER, platform_admin=admin)


def map_lti_roles(lti_roles: list[str]) -> str:
    """learner / instructor / admin: the launch's rank (see ``MappedRoles.launch_role``)."""
    return map_roles(lti_roles).launch_role
