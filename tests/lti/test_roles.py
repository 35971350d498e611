import pytest

from lti_tool.lti.context import map_lti_roles

M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INST = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
S = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([M + "Learner"], "learner"),
        ([], "learner"),
        ([M + "Instructor"], "instructor"),
        ([M + "Instructor#TeachingAssistant"], "instructor"),
        ([M + "ContentDeveloper"], "instructor"),
        ([INST + "Administrator", M + "Learner"], "admin"),
        ([S + "SysAdmin"], "admin"),
        ([M + "Administrator"], "admin"),
        (["Instructor"], "instructor"),  # short form, as some platforms send
        ([INST + "Student", M + "Mentor"], "learner"),  # mentors observe; they do not teach
        (["http://example.org/custom#Guest"], "learner"),
    ],
)
def test_lti_roles_map_to_three_levels(roles, expected):
    assert map_lti_roles(roles) == expected
