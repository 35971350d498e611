"""Companies answering one scan, for the network benchmark (figures worked out by hand).

A survey of the demo platform with one dimension (section ``people``: two likert statements, 1 to
5) and one number (``budget``). Each company answers once (as the SME scan's owner does), except
where a test gives it more. The company under test is "Own Company"; the others are named so a
test can check their names never appear.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select

from lti_tool.extensions import db
from lti_tool.models import Platform
from lti_tool.passports.models import Company, company_hr
from lti_tool.surveys.definition import parse_definition
from lti_tool.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyVersion,
)
from tests.passports.conftest import OTHER_COURSE, OUTSIDER, sign_in

DAY = dt.date(2026, 12, 1)


def _w(en: str) -> dict[str, str]:
    return {"en": en, "nl": en + " (nl)"}


POINTS = [{"value": v, "label": _w(f"Point {v}")} for v in range(1, 6)]
DEFINITION: dict[str, Any] = {
    "format": "learnpass-survey/1",
    "title": _w("Company scan"),
    "sections": [
        {
            "key": "people",
            "title": _w("Colleagues"),
            "questions": [
                {"key": "help", "type": "likert", "text": _w("Help when stuck"), "points": POINTS},
                {
                    "key": "say",
                    "type": "likert",
                    "text": _w("A say in decisions"),
                    "points": POINTS,
                },
            ],
        },
        {
            "key": "money",
            "title": _w("Money"),
            "questions": [
                {
                    "key": "budget",
                    "type": "numeric",
                    "text": _w("Yearly budget"),
                    "min": 0,
                    "max": 100,
                },
                {"key": "wish", "type": "text", "text": _w("Wish")},
            ],
        },
    ],
}
SCALES = {"help": (1.0, 5.0), "say": (1.0, 5.0), "budget": (0.0, 100.0), "wish": (None, None)}
KINDS = {"help": "likert", "say": "likert", "budget": "numeric", "wish": "text"}
TEXTS = {
    "help": "Help when stuck",
    "say": "A say in decisions",
    "budget": "Yearly budget",
    "wish": "Wish",
}
SECTIONS = {"help": "people", "say": "people", "budget": "money", "wish": "money"}

# Company name -> its responses: (help, say, budget). The own company sits at the median.
OWN = ("Own Company", [(4, 4, 17.0)])
OTHERS = [
    ("Alpha Secret", [(1, 2, 3.3)]),
    ("Beta Secret", [(2, 3, 11.1)]),
    ("Gamma Secret", [(5, 4, 29.9)]),
    ("Delta Secret", [(5, 5, 41.4)]),
]
OTHER_VALUES = ("3.3", "11.1", "29.9", "41.4")  # budgets: no quartile falls on one


def seed_scan(
    companies: list[tuple[str, list[tuple[int, int, float]]]], *, anonymous: bool = False
) -> dict[str, Any]:
    """The survey and its answers; returns the survey's id and each company's id by name."""
    platform = db.session.scalars(select(Platform).order_by(Platform.id)).first()
    assert platform is not None
    parse_definition({**DEFINITION, "anonymous": anonymous})
    survey = Survey(
        platform_id=platform.id,
        course_id=None,
        title=DEFINITION["title"],
        status="open",
        anonymous=anonymous,
    )
    db.session.add(survey)
    db.session.flush()
    version = SurveyVersion(
        survey=survey, number=1, definition={**DEFINITION, "anonymous": anonymous}
    )
    db.session.add(version)
    questions = {}
    for position, (key, kind) in enumerate(KINDS.items()):
        low, high = SCALES[key]
        questions[key] = SurveyQuestion(
            version=version,
            key=key,
            section_key=SECTIONS[key],
            position=position,
            kind=kind,
            text=_w(TEXTS[key]),
            scale_min=low,
            scale_max=high,
        )
        db.session.add(questions[key])
    db.session.flush()
    ids = {}
    for name, answers in companies:
        company = Company(platform_id=platform.id, name=name)
        db.session.add(company)
        db.session.flush()
        ids[name] = company.id
        for help_level, say, budget in answers:
            response = SurveyResponse(
                survey_id=survey.id,
                version_id=version.id,
                kind="invitee",
                status="submitted",
                company_id=company.id,
                anonymous=anonymous,
                started_on=DAY,
                submitted_on=DAY,
            )
            db.session.add(response)
            db.session.flush()
            for key, value in (("help", help_level), ("say", say), ("budget", budget)):
                db.session.add(
                    SurveyAnswer(
                        response_id=response.id,
                        question_id=questions[key].id,
                        numeric_value=value,
                    )
                )
            db.session.add(
                SurveyAnswer(
                    response_id=response.id, question_id=questions["wish"].id, text=f"{name} wish"
                )
            )
    db.session.commit()
    return {"survey": survey.id, "version": version.id, **ids}


def hr_client(app: Any, company_id: int, sub: str = OUTSIDER["sub"]) -> Any:
    """A client signed in as HR of the company (a learner of another course)."""
    client = app.test_client()
    ctx = sign_in(app, client, {**OUTSIDER, "sub": sub}, OTHER_COURSE)
    with app.app_context():
        db.session.execute(insert(company_hr).values(company_id=company_id, user_id=ctx.user_id))
        db.session.commit()
    return client
