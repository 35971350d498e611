"""A manager's rating of a named learner: the same dual-scale competences the learner rated
themselves on (current and required level), for the self vs manager comparison
(``analysis_manager``). Identified surveys only: an anonymous response names nobody to rate.

Who may rate whom: a trainer of a course (instructor role in the launch) the learners enrolled
in that course as learners; an HR person the learners whose response counts for one of their
companies. The learner must have submitted their own rating in the survey's current round; the
manager's rating is of that round and that version. Rating the same learner again replaces the
earlier rating (in one transaction). No Flask request here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from learning_packages.errors import N_

from ..models import Enrolment, User
from ..passports.errors import Refusal
from . import totals
from .definition import Question, SurveyDefinition, parse_definition
from .models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyVersion


class RatingRefused(Refusal):
    """Input or a survey that cannot take a manager's rating (400)."""


class NotYourLearner(Refusal):
    """A learner the manager may not rate (403)."""


@dataclass(frozen=True)
class Manager:
    user_id: int
    course_id: int | None = None  # a trainer: the course of their launch
    company_ids: frozenset[int] = field(default_factory=frozenset)  # HR of these companies

    @property
    def manages_anyone(self) -> bool:
        return self.course_id is not None or bool(self.company_ids)


@dataclass(frozen=True)
class Side:
    question: Question
    own: tuple[int, int] | None  # the learner's (current, required)
    manager: tuple[int, int] | None


def check_identified(survey: Survey) -> None:
    if survey.anonymous:
        raise RatingRefused(
            N_(
                "This survey is anonymous: its answers name nobody, so no manager can rate a "
                "named learner beside them."
            )
        )


def _own_responses(survey: Survey) -> Select[tuple[SurveyResponse, User]]:
    query = select(SurveyResponse, User).join(User, User.id == SurveyResponse.respondent_id)
    return query.where(
        SurveyResponse.survey_id == survey.id,
        SurveyResponse.round_number == survey.current_round,
        SurveyResponse.kind == "learner",
        SurveyResponse.status == "submitted",
        SurveyResponse.anonymous.is_(False),
    )


def _in_course(session: Session, manager: Manager, user_id: int | None) -> bool:
    if manager.course_id is None or user_id is None:
        return False
    return (
        session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == manager.course_id,
                Enrolment.user_id == user_id,
                Enrolment.role == "learner",
            )
        )
        is not None
    )


def _allowed(session: Session, manager: Manager, response: SurveyResponse) -> bool:
    if response.company_id is not None and response.company_id in manager.company_ids:
        return True
    return _in_course(session, manager, response.respondent_id)


def rateable(session: Session, survey: Survey, manager: Manager) -> list[tuple[User, bool]]:
    """The learners this manager may rate (they submitted the current round), by name, and
    whether the manager has rated them already."""
    check_identified(survey)
    rows = session.execute(_own_responses(survey).order_by(User.name, User.id)).all()
    enrolled: set[int] = set()
    if manager.course_id is not None:
        enrolled = set(
            session.scalars(
                select(Enrolment.user_id).where(
                    Enrolment.course_id == manager.course_id, Enrolment.role == "learner"
                )
            )
        )
    rated = set(
        session.scalars(
            select(SurveyResponse.subject_id).where(
                SurveyResponse.survey_id == survey.id,
                SurveyResponse.round_number == survey.current_round,
                SurveyResponse.kind == "manager",
                SurveyResponse.respondent_id == manager.user_id,
            )
        )
    )
    return [
        (user, user.id in rated)
        for response, user in rows
        if user.id != manager.user_id
        and (user.id in enrolled or response.company_id in manager.company_ids)
    ]


def learner_response(
    session: Session, survey: Survey, manager: Manager, learner_id: int
) -> SurveyResponse:
    """The learner's own submitted response of the current round, if the manager may rate them:
    ``RatingRefused`` (anonymous, not answered, oneself), ``NotYourLearner`` (another course's
    or company's learner)."""
    check_identified(survey)
    if learner_id == manager.user_id:
        raise RatingRefused(N_("Your own answers are not rated by yourself as manager."))
    found = session.execute(
        _own_responses(survey).where(SurveyResponse.respondent_id == learner_id)
    ).first()
    learner = session.get(User, learner_id)
    if learner is None or learner.platform_id != survey.platform_id:
        raise NotYourLearner(N_("This learner is not one you may rate."))
    if found is None:
        if not _in_course(session, manager, learner_id):
            raise NotYourLearner(N_("This learner is not one you may rate."))
        raise RatingRefused(
            N_(
                "This learner has not submitted this round of the survey: there is nothing to rate beside."
            )
        )
    response = found[0]
    if not _allowed(session, manager, response):
        raise NotYourLearner(N_("This learner is not one you may rate."))
    return response


def definition_of(session: Session, response: SurveyResponse) -> SurveyDefinition:
    version = session.get(SurveyVersion, response.version_id)
    assert version is not None
    return parse_definition(version.definition)


def competence_items(definition: SurveyDefinition) -> list[Question]:
    return [q for s in definition.sections for q in s.questions if q.type == "competence"]


def read_levels(
    definition: SurveyDefinition, form: Mapping[str, str]
) -> dict[str, tuple[int, int]]:
    """Current and required level per competence item, every one required and on its scale."""
    levels: dict[str, tuple[int, int]] = {}
    for q in competence_items(definition):
        scale = definition.scale(q.scale)
        allowed = {p.value for p in scale.levels} if scale else set()
        pair = []
        for part in ("current", "required"):
            raw = (form.get(f"m:{q.key}:{part}") or "").strip()
            if not raw.lstrip("-").isdigit() or len(raw) > 4 or int(raw) not in allowed:
                raise RatingRefused(
                    N_("Choose a level, current and required, for every competence: %(key)s."),
                    key=q.key,
                )
            pair.append(int(raw))
        levels[q.key] = (pair[0], pair[1])
    if not levels:
        raise RatingRefused(N_("This survey has no competences to rate."))
    return levels


def save_rating(
    session: Session,
    survey: Survey,
    own: SurveyResponse,
    manager: Manager,
    levels: dict[str, tuple[int, int]],
    today: dt.date,
) -> SurveyResponse:
    """The manager's rating of the learner (replacing an earlier one of theirs), counted in the
    report's running totals (``totals.py``) as any submission. Not committed."""
    earlier = list(
        session.scalars(
            select(SurveyResponse.id).where(
                SurveyResponse.survey_id == survey.id,
                SurveyResponse.round_number == own.round_number,
                SurveyResponse.kind == "manager",
                SurveyResponse.respondent_id == manager.user_id,
                SurveyResponse.subject_id == own.respondent_id,
            )
        )
    )
    if earlier:
        totals.remove_responses(session, earlier)
        session.execute(delete(SurveyResponse).where(SurveyResponse.id.in_(earlier)))
    rating = SurveyResponse(
        survey_id=survey.id,
        version_id=own.version_id,
        round_number=own.round_number,
        kind="manager",
        status="submitted",
        anonymous=False,
        respondent_id=manager.user_id,
        subject_id=own.respondent_id,
        company_id=own.company_id,
        started_on=today,
        submitted_on=today,
        draft={},
    )
    session.add(rating)
    session.flush()
    ids = dict(
        session.execute(
            select(SurveyQuestion.key, SurveyQuestion.id).where(
                SurveyQuestion.version_id == own.version_id
            )
        ).all()
    )
    for key, (current, required) in levels.items():
        session.add(
            SurveyAnswer(
                response_id=rating.id,
                question_id=ids[key],
                current_level=current,
                required_level=required,
            )
        )
    totals.add_response(session, rating.id)
    return rating


def side_by_side(session: Session, own: SurveyResponse, manager: Manager) -> list[Side]:
    """Per competence item: the learner's own levels and this manager's."""
    definition = definition_of(session, own)
    rating = session.scalar(
        select(SurveyResponse.id).where(
            SurveyResponse.survey_id == own.survey_id,
            SurveyResponse.round_number == own.round_number,
            SurveyResponse.kind == "manager",
            SurveyResponse.respondent_id == manager.user_id,
            SurveyResponse.subject_id == own.respondent_id,
        )
    )

    def levels(response_id: int | None) -> dict[str, tuple[int, int]]:
        if response_id is None:
            return {}
        rows = session.execute(
            select(SurveyQuestion.key, SurveyAnswer.current_level, SurveyAnswer.required_level)
            .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
            .where(SurveyAnswer.response_id == response_id, SurveyQuestion.kind == "competence")
        ).all()
        return {k: (c, r) for k, c, r in rows if c is not None and r is not None}

    mine, theirs = levels(own.id), levels(rating)
    return [Side(q, mine.get(q.key), theirs.get(q.key)) for q in competence_items(definition)]
