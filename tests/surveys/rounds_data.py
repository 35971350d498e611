"""A course's identified survey answered twice (round 1, training, round 2), figures by hand.

Five learners of Bakker Bouw answer both rounds; a sixth (office, alone in its group) too. The
MIG competence is linked to the passport; learner 0 completed a MIG course between the rounds,
learner 1 one before round 1 (not between). Round 2 may be read on a second version whose
drawing competence is another one (then only MIG is compared).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from lti_tool.demo.platform import COURSE
from lti_tool.extensions import db
from lti_tool.models import Course, Enrolment, Platform, User
from lti_tool.passports.models import (
    Company,
    Competence,
    CompetenceFramework,
    PassportEntry,
)
from lti_tool.surveys import authoring, totals
from lti_tool.surveys.definition import parse_definition
from lti_tool.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyResponse,
    SurveyResponseAttribute,
    SurveyVersion,
)

from .analysis_data import DEFINITION

BEFORE = dt.date(2026, 3, 2)
AFTER = dt.date(2026, 9, 1)
# (current, required) of MIG and of drawings, per learner: round 1, round 2.
ROUND_1 = [((1, 3), (2, 3)), ((2, 3), (2, 4)), ((0, 2), (3, 3)), ((3, 3), (1, 3)), ((1, 3), (2, 2))]
ROUND_2 = [((3, 3), (2, 3)), ((2, 3), (3, 4)), ((1, 2), (3, 3)), ((3, 3), (2, 3)), ((2, 3), (2, 2))]
# Mean MIG gap: round 1 (2+1+2+0+2)/5 = 1.4, round 2 (0+1+1+0+1)/5 = 0.6, change -0.8.
# Mean drawing gap: round 1 (1+2+0+2+0)/5 = 1.0, round 2 (1+1+0+1+0)/5 = 0.6, change -0.4.


@dataclass
class Rounds:
    survey_id: int
    bakker: int
    learners: list[int] = field(default_factory=list)
    v1: int = 0
    v2: int = 0


def definition(anonymous: bool = False, drawing: str = "DRAW") -> dict[str, Any]:
    data = copy.deepcopy(DEFINITION)
    data["anonymous"] = anonymous
    data["sections"][0]["questions"][1]["competence"] = drawing
    return data


def _course(platform: Platform) -> Course:
    course = db.session.scalars(
        select(Course).where(Course.platform_id == platform.id, Course.context_id == COURSE["id"])
    ).first()
    if course is None:
        course = Course(platform_id=platform.id, context_id=COURSE["id"], title=COURSE["title"])
        db.session.add(course)
        db.session.flush()
    return course


def _respond(
    survey: Survey,
    version: SurveyVersion,
    number: int,
    learner: int | None,
    company: int,
    department: str,
    levels: tuple[tuple[int, int], tuple[int, int]],
    day: dt.date,
) -> None:
    questions = {q.key: q for q in version.questions}
    r = SurveyResponse(
        survey_id=survey.id,
        version_id=version.id,
        round_number=number,
        kind="learner",
        status="submitted",
        anonymous=learner is None,
        respondent_id=learner,
        company_id=company,
        started_on=day,
        submitted_on=day,
    )
    db.session.add(r)
    db.session.flush()
    db.session.add(SurveyResponseAttribute(response_id=r.id, name="department", value=department))
    for key, (current, required) in zip(("c1", "c2"), levels, strict=True):
        db.session.add(
            SurveyAnswer(
                response_id=r.id,
                question_id=questions[key].id,
                current_level=current,
                required_level=required,
                importance=3,
            )
        )


def seed_rounds(*, anonymous: bool = False, second_version: bool = False) -> Rounds:
    """Call inside an app context of the seeded (demo) app."""
    platform = db.session.scalars(select(Platform).order_by(Platform.id)).first()
    assert platform is not None
    course = _course(platform)
    framework = CompetenceFramework(platform_id=platform.id, idnumber="WELD", shortname="Welding")
    db.session.add(framework)
    db.session.flush()
    mig = Competence(framework_id=framework.id, idnumber="MIG", shortname="MIG welding")
    db.session.add(mig)
    bakker = Company(platform_id=platform.id, name="Bakker Bouw")
    db.session.add(bakker)
    db.session.flush()
    survey = authoring.create_survey(
        db.session(),
        parse_definition(definition(anonymous)),
        platform_id=platform.id,
        course_id=course.id,
        user_id=None,
    )
    survey.status = "open"
    survey.current_round = 2
    v1 = authoring.current_version(db.session(), survey)
    v2 = v1
    if second_version:
        v2 = authoring._add_version(
            db.session(), survey, parse_definition(definition(anonymous, "DRAW-2")), 2, None
        )
        survey.current_version = 2
    seeded = Rounds(survey.id, bakker.id, v1=v1.id, v2=v2.id)
    names = ["Anna", "Bram", "Cor", "Dirk", "Eva", "Olga Office"]
    for n, name in enumerate(names):
        user = User(
            issuer="https://lms.example", sub=f"round-{n}", name=name, platform_id=platform.id
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(Enrolment(course_id=course.id, user_id=user.id, role="learner"))
        seeded.learners.append(user.id)
    for n, uid in enumerate(seeded.learners):
        who = None if anonymous else uid
        department = "office" if n == 5 else "workshop"
        first = ROUND_1[n] if n < 5 else ((0, 4), (0, 4))
        second = ROUND_2[n] if n < 5 else ((4, 4), (4, 4))
        _respond(survey, v1, 1, who, bakker.id, department, first, BEFORE)
        _respond(survey, v2, 2, who, bakker.id, department, second, AFTER)
    between = PassportEntry(
        user_id=seeded.learners[0],
        title="MIG welding course",
        completed_on=dt.date(2026, 5, 4),
        hours=16,
        status="approved",
    )
    between.competences = [mig]
    earlier = PassportEntry(
        user_id=seeded.learners[1],
        title="Old course",
        completed_on=dt.date(2025, 5, 4),
        hours=8,
        status="approved",
    )
    proposed = PassportEntry(
        user_id=seeded.learners[2],
        title="Not approved yet",
        completed_on=dt.date(2026, 6, 4),
        hours=8,
        status="proposed",
    )
    db.session.add_all([between, earlier, proposed])
    db.session.flush()
    totals.rebuild(db.session())  # rows written here, not through a submission
    db.session.commit()
    return seeded
