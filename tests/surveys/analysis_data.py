"""A small survey with answers whose report figures are worked out by hand (see the tests).

Version 1 of an anonymous survey of the demo platform, answered by six people of Bakker Bouw (five
in the workshop, one in the office) and three of Jansen Metaal; version 2 answered by five of
Bakker Bouw. An identified survey of the demo course with learners rated by their managers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lti_tool.demo.platform import COURSE
from lti_tool.extensions import db
from lti_tool.models import Course, Platform, User
from lti_tool.passports.models import Company
from lti_tool.surveys import totals
from lti_tool.surveys.definition import parse_definition
from lti_tool.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyResponseAttribute,
    SurveyVersion,
)

DAY = dt.date(2026, 11, 30)
HOSTILE = '=HYPERLINK("http://evil.example","click")'
SCRIPT = "<script>alert('x')</script> more welding"


def _w(en: str) -> dict[str, str]:
    return {"en": en, "nl": en + " (nl)"}


DEFINITION: dict[str, Any] = {
    "format": "learnpass-survey/1",
    "title": _w("Welding needs"),
    "anonymous": True,
    "attributes": [
        {
            "key": "department",
            "label": _w("Department"),
            "options": [
                {"key": "workshop", "label": _w("Workshop")},
                {"key": "office", "label": _w("Office")},
            ],
        }
    ],
    "scales": [
        {
            "key": "level",
            "levels": [{"value": v, "label": _w(f"Level {v}")} for v in range(5)],
        }
    ],
    "sections": [
        {
            "key": "skills",
            "title": _w("Skills"),
            "questions": [
                {
                    "key": "c1",
                    "type": "competence",
                    "text": _w("MIG welding"),
                    "framework": "WELD",
                    "competence": "MIG",
                    "scale": "level",
                    "importance": True,
                },
                {
                    "key": "c2",
                    "type": "competence",
                    "text": _w("Reading drawings"),
                    "framework": "WELD",
                    "competence": "DRAW",
                    "scale": "level",
                    "importance": True,
                },
                {
                    "key": "shift",
                    "type": "single",
                    "text": _w("Your shift"),
                    "options": [
                        {"key": "day", "label": _w("Day")},
                        {"key": "night", "label": _w("Night")},
                    ],
                },
                {
                    "key": "conf",
                    "type": "likert",
                    "text": _w("I feel confident"),
                    "points": [{"value": v, "label": _w(f"Point {v}")} for v in range(1, 6)],
                },
                {
                    "key": "hours",
                    "type": "numeric",
                    "text": _w("Hours a week"),
                    "min": 0,
                    "max": 60,
                },
                {"key": "wish", "type": "text", "text": _w("Which training would help?")},
            ],
        }
    ],
}
KINDS = {
    "c1": "competence",
    "c2": "competence",
    "shift": "single",
    "conf": "likert",
    "hours": "numeric",
    "wish": "text",
}

# (department, c1 (current, required, importance), c2 (...), shift, conf, hours, wish)
BAKKER_V1 = [
    ("workshop", (1, 3, 5), (3, 3, 2), "day", 3, 10, HOSTILE),
    ("workshop", (2, 3, 4), (2, 3, 2), "day", 4, 20, SCRIPT),
    ("workshop", (0, 2, 5), (3, 4, 1), "night", 4, 30, "Forklift"),
    ("workshop", (1, 1, 3), (2, 2, 2), "day", 5, 40, None),
    ("workshop", (2, 4, 4), (3, 3, 3), "night", 2, 50, None),
    ("office", (0, 4, 5), (1, 3, 3), "day", 4, 60, "Office secret"),
]
JANSEN_V1 = [("workshop", (4, 4, 1), (0, 4, 5), "night", 1, 5, "Jansen wish")] * 3
BAKKER_V2 = [("workshop", (0, 4, 5), (0, 4, 5), "day", 1, 1, "Version two")] * 5


@dataclass
class Seeded:
    platform_id: int
    course_id: int
    survey_id: int
    v1: int
    v2: int
    bakker: int
    jansen: int
    pairs_survey_id: int = 0
    pairs_version: int = 0


def _version(survey: Survey, number: int) -> SurveyVersion:
    version = SurveyVersion(survey=survey, number=number, definition=DEFINITION)
    parse_definition(DEFINITION)  # the data is a definition the tool itself accepts
    for position, (key, kind) in enumerate(KINDS.items()):
        question = SurveyQuestion(
            version=version,
            key=key,
            section_key="skills",
            position=position,
            kind=kind,
            text=_w(
                next(
                    q["text"]["en"]
                    for q in DEFINITION["sections"][0]["questions"]
                    if q["key"] == key
                )
            ),
        )
        db.session.add(question)
    db.session.add(version)
    db.session.flush()
    return version


def _answers(version: SurveyVersion, company_id: int, rows: list[Any], **response: Any) -> None:
    questions = {q.key: q for q in version.questions}
    for department, c1, c2, shift, conf, hours, wish in rows:
        r = SurveyResponse(
            survey_id=version.survey_id,
            version_id=version.id,
            kind="invitee",
            status="submitted",
            company_id=company_id,
            started_on=DAY,
            submitted_on=DAY,
            **response,
        )
        db.session.add(r)
        db.session.flush()
        db.session.add(
            SurveyResponseAttribute(response_id=r.id, name="department", value=department)
        )
        for key, (current, required, importance) in (("c1", c1), ("c2", c2)):
            db.session.add(
                SurveyAnswer(
                    response_id=r.id,
                    question_id=questions[key].id,
                    current_level=current,
                    required_level=required,
                    importance=importance,
                )
            )
        db.session.add(
            SurveyAnswer(response_id=r.id, question_id=questions["shift"].id, option_key=shift)
        )
        db.session.add(
            SurveyAnswer(response_id=r.id, question_id=questions["conf"].id, numeric_value=conf)
        )
        db.session.add(
            SurveyAnswer(response_id=r.id, question_id=questions["hours"].id, numeric_value=hours)
        )
        if wish is not None:
            db.session.add(
                SurveyAnswer(response_id=r.id, question_id=questions["wish"].id, text=wish)
            )


def seed_report_data() -> Seeded:
    """Call inside an app context of the seeded (demo) app."""
    platform = db.session.scalars(select(Platform).order_by(Platform.id)).first()
    assert platform is not None
    course = db.session.scalars(
        select(Course).where(Course.platform_id == platform.id, Course.context_id == COURSE["id"])
    ).first()
    if course is None:  # a launch into the demo course finds this one
        course = Course(platform_id=platform.id, context_id=COURSE["id"], title=COURSE["title"])
        db.session.add(course)
        db.session.flush()
    bakker = Company(platform_id=platform.id, name="Bakker Bouw")
    jansen = Company(platform_id=platform.id, name="=Jansen Metaal")  # a formula-like name
    survey = Survey(
        platform_id=platform.id,
        course_id=course.id,
        title=DEFINITION["title"],
        status="open",
        anonymous=True,
    )
    db.session.add_all([bakker, jansen, survey])
    db.session.flush()
    v1 = _version(survey, 1)
    v2 = _version(survey, 2)
    survey.current_version = 2
    _answers(v1, bakker.id, BAKKER_V1, anonymous=True)
    _answers(v1, jansen.id, JANSEN_V1, anonymous=True)
    _answers(v2, bakker.id, BAKKER_V2, anonymous=True)
    db.session.flush()
    totals.rebuild(db.session())  # rows written here, not through a submission
    db.session.commit()
    return Seeded(platform.id, course.id, survey.id, v1.id, v2.id, bakker.id, jansen.id)


# Self and manager ratings of c1 (current levels): learner's own, their manager's.
PAIRS = [(1, 2), (2, 2), (3, 1), (0, 2), (4, 3)]


def seed_manager_pairs(seeded: Seeded, pairs: list[tuple[int, int]] = PAIRS) -> None:
    """An identified survey of the course: each learner rated themselves, their manager too."""
    survey = Survey(
        platform_id=seeded.platform_id,
        course_id=seeded.course_id,
        title=_w("Rated twice"),
        status="open",
        anonymous=False,
    )
    db.session.add(survey)
    db.session.flush()
    version = _version(survey, 1)
    question = next(q for q in version.questions if q.key == "c1")
    manager = User(issuer="https://lms.example", sub="manager-1", platform_id=seeded.platform_id)
    db.session.add(manager)
    for n, (own, rated) in enumerate(pairs):
        learner = User(
            issuer="https://lms.example", sub=f"rated-{n}", platform_id=seeded.platform_id
        )
        db.session.add(learner)
        db.session.flush()
        for kind, who, subject, level in (
            ("learner", learner.id, None, own),
            ("manager", manager.id, learner.id, rated),
        ):
            r = SurveyResponse(
                survey_id=survey.id,
                version_id=version.id,
                kind=kind,
                status="submitted",
                respondent_id=who,
                subject_id=subject,
                company_id=seeded.bakker,
                started_on=DAY,
                submitted_on=DAY,
            )
            db.session.add(r)
            db.session.flush()
            db.session.add(
                SurveyAnswer(
                    response_id=r.id, question_id=question.id, current_level=level, required_level=3
                )
            )
    db.session.flush()
    totals.rebuild(db.session(), version.id)
    db.session.commit()
    seeded.pairs_survey_id, seeded.pairs_version = survey.id, version.id
