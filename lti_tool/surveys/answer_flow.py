"""Answering a survey, page by page, whoever the respondent is (a learner from a launch, an
invitee through a link): one section per page, save and continue later, a review, submit once.

The routes of each way in (``answer_routes``, ``invitation_routes``) find the survey and the
``Respondent`` and call these; the pages and the rules are the same for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import utcnow
from ..passports.errors import message
from .answer_forms import attribute_values, field_name, section_answers
from .answers import AnswerRefused, Answers, check_answers, missing_required, visible_keys
from .definition import Section, SurveyDefinition
from .display import offer_kinds
from .gap_profile import gap_profile, with_offers
from .models import Survey, SurveyResponse, SurveyVersion
from .responding import (
    Respondent,
    ResponseClosed,
    attributes_of,
    find_response,
    has_participated,
    save_section,
    set_attributes,
    start_response,
    submit,
    version_definition,
)


@dataclass(frozen=True)
class Way:
    """How this respondent reached the survey: the endpoints of their pages, and what the page
    around the form shows (``ctx``: the launch, for the course's menu)."""

    endpoint: str  # "surveys.answer" or "surveys.invited"
    ctx: Any = None
    recorder: Any = None  # called at submission (xAPI)
    on_submitted: Any = None  # called at submission (an invitation's use)

    def url(self, page: str, survey: Survey, **values: Any) -> str:
        return url_for(f"{self.endpoint}_{page}", survey_id=survey.id, **values)


def today() -> Any:
    return utcnow().date()


def _definition(session: Session, response: SurveyResponse) -> SurveyDefinition:
    version = session.get(SurveyVersion, response.version_id)
    assert version is not None
    return version_definition(version)


def shown_sections(definition: SurveyDefinition, answers: Answers) -> list[int]:
    """Indexes of the sections with at least one question shown with these answers."""
    shown = visible_keys(definition, answers)
    return [
        i for i, s in enumerate(definition.sections) if any(q.key in shown for q in s.questions)
    ]


def _page(template: str, way: Way, status: int = 200, **context: Any) -> Any:
    return render_template(template, ctx=way.ctx, way=way, **context), status


def _closed_page(way: Way, survey: Survey, text: str, status: int) -> Any:
    return _page("surveys/answer_message.html", way, status, survey=survey, text=text)


def start(way: Way, survey: Survey, respondent: Respondent) -> Any:
    """Where the respondent goes: their first unanswered section, the review, or "done"."""
    session = db.session()
    response = find_response(session, survey, respondent)
    if (response is not None and response.status == "submitted") or (
        response is None and has_participated(session, survey, respondent.user_id)
    ):
        return redirect(way.url("done", survey), code=303)
    if survey.status != "open":
        return _closed_page(way, survey, _("This survey is not open for answers."), 403)
    if response is None:
        return redirect(way.url("section", survey, n=0), code=303)
    definition = _definition(session, response)
    draft = response.draft or {}
    for n in shown_sections(definition, draft):
        section = definition.sections[n]
        if not any(q.key in draft for q in section.questions):
            return redirect(way.url("section", survey, n=n), code=303)
    return redirect(way.url("review", survey), code=303)


def _question_views(
    section: Section, definition: SurveyDefinition, answers: Answers
) -> list[dict[str, Any]]:
    """What the page needs per question: its value, its field names, and whether its condition
    hides it now (a condition on this page is also followed by the page's script)."""
    shown = visible_keys(definition, answers)
    in_section = {q.key for q in section.questions}
    views = []
    for q in section.questions:
        cond = q.show_if
        views.append(
            {
                "q": q,
                "value": answers.get(q.key),
                "name": field_name(q),
                "hidden": q.key not in shown,
                # Decided on an earlier page: not sent at all when it hides the question.
                "skip": q.key not in shown and (cond is None or cond.question not in in_section),
                "condition": {
                    "field": field_name(definition.question(cond.question))  # type: ignore[arg-type]
                    if cond is not None and cond.question in in_section
                    else "",
                    "show_values": [
                        str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                        for v in cond.values
                    ]
                    if cond is not None
                    else [],
                },
                "scale": definition.scale(q.scale) if q.type == "competence" else None,
            }
        )
    return views


def _section_page(
    way: Way,
    survey: Survey,
    definition: SurveyDefinition,
    n: int,
    answers: Answers,
    attributes: dict[str, str],
    respondent: Respondent,
    *,
    status: int = 200,
    error: str = "",
    error_key: str = "",
) -> Any:
    order = shown_sections(definition, answers) or [0]
    section = definition.sections[n]
    ask_attributes = n == order[0] and [
        a for a in definition.attributes if a.key not in respondent.fixed_attributes
    ]
    return _page(
        "surveys/answer_section.html",
        way,
        status,
        survey=survey,
        definition=definition,
        section=section,
        n=n,
        step=order.index(n) + 1 if n in order else 1,
        steps=len(order),
        first=n == order[0],
        questions=_question_views(section, definition, answers),
        attributes=ask_attributes or [],
        chosen=attributes,
        error=error,
        error_key=error_key,
    )


def show_section(way: Way, survey: Survey, respondent: Respondent, n: int) -> Any:
    session = db.session()
    response = find_response(session, survey, respondent)
    if response is not None and response.status == "submitted":
        return redirect(way.url("done", survey), code=303)
    if survey.status != "open":
        return _closed_page(way, survey, _("This survey is not open for answers."), 403)
    if response is None:
        if has_participated(session, survey, respondent.user_id):
            return redirect(way.url("done", survey), code=303)
        version = (
            session.query(SurveyVersion)
            .filter_by(survey_id=survey.id, number=survey.current_version)
            .one()
        )
        definition = version_definition(version)
        answers: Answers = {}
        attributes: dict[str, str] = {}
    else:
        definition = _definition(session, response)
        answers = response.draft or {}
        attributes = attributes_of(session, response)
    if not 0 <= n < len(definition.sections):
        return _closed_page(way, survey, _("This survey has no such page."), 404)
    return _section_page(way, survey, definition, n, answers, attributes, respondent)


def save(way: Way, survey: Survey, respondent: Respondent, n: int) -> Any:
    """Save the page's answers (POST), then go where the respondent asked."""
    session = db.session()
    response = find_response(session, survey, respondent)
    if (
        response is not None
        and response.status == "submitted"
        or (response is None and has_participated(session, survey, respondent.user_id))
    ):
        return _closed_page(
            way, survey, _("You have already submitted your answers; they cannot change."), 409
        )
    if survey.status != "open":
        return _closed_page(way, survey, _("This survey is closed: it takes no more answers."), 403)
    if response is None:
        response = start_response(session, survey, respondent, today())
    definition = _definition(session, response)
    if not 0 <= n < len(definition.sections):
        session.rollback()
        return _closed_page(way, survey, _("This survey has no such page."), 404)
    section = definition.sections[n]
    try:
        values, sent = section_answers(section, request.form)
        chosen = attribute_values(definition.attributes, request.form) if n == 0 else {}
        chosen = {k: v for k, v in chosen.items() if k not in respondent.fixed_attributes}
        draft = save_section(survey, response, definition, values, sent)
        if chosen:
            set_attributes(session, response, chosen)
    except AnswerRefused as exc:
        session.rollback()
        # The page again, with what was sent, and the reason.
        return _refused_section(way, survey, respondent, n, exc)
    session.commit()
    action = request.form.get("action", "next")
    order = shown_sections(definition, draft)
    if action == "save":
        return _page(
            "surveys/answer_message.html",
            way,
            survey=survey,
            text=_("Your answers are saved. Come back with the same link to go on."),
            saved=True,
            resume_url=way.url("start", survey),
        )
    if action == "back":
        before = [i for i in order if i < n]
        return redirect(way.url("section", survey, n=before[-1] if before else n), code=303)
    after = [i for i in order if i > n]
    if after:
        return redirect(way.url("section", survey, n=after[0]), code=303)
    return redirect(way.url("review", survey), code=303)


def _refused_section(
    way: Way, survey: Survey, respondent: Respondent, n: int, exc: AnswerRefused
) -> Any:
    session = db.session()
    response = find_response(session, survey, respondent)
    if response is None:
        version = (
            session.query(SurveyVersion)
            .filter_by(survey_id=survey.id, number=survey.current_version)
            .one()
        )
        definition = version_definition(version)
        answers: Answers = {}
        attributes: dict[str, str] = {}
    else:
        definition = _definition(session, response)
        answers = dict(response.draft or {})
        attributes = attributes_of(session, response)
    if not 0 <= n < len(definition.sections):
        return _closed_page(way, survey, message(exc), 400)
    return _section_page(
        way,
        survey,
        definition,
        n,
        answers,
        attributes,
        respondent,
        status=400,
        error=message(exc),
        error_key=exc.question,
    )


def review(way: Way, survey: Survey, respondent: Respondent) -> Any:
    session = db.session()
    response = find_response(session, survey, respondent)
    if response is None or response.status == "submitted":
        return start(way, survey, respondent)
    definition = _definition(session, response)
    answers = check_answers(definition, dict(response.draft or {}))
    shown = visible_keys(definition, answers)
    return _page(
        "surveys/answer_review.html",
        way,
        survey=survey,
        sections=[
            (
                n,
                definition.sections[n],
                [q for q in definition.sections[n].questions if q.key in shown],
            )
            for n in shown_sections(definition, answers)
        ],
        answers=answers,
        definition=definition,
        missing={q.key for q in missing_required(definition, answers)},
    )


def do_submit(way: Way, survey: Survey, respondent: Respondent) -> Any:
    session = db.session()
    response = find_response(session, survey, respondent)
    if (response is not None and response.status == "submitted") or (
        response is None and has_participated(session, survey, respondent.user_id)
    ):
        return _closed_page(
            way, survey, _("You have already submitted your answers; they cannot change."), 409
        )
    if response is None:
        return _closed_page(way, survey, _("There are no answers to submit yet."), 400)
    definition = _definition(session, response)
    try:
        answers = submit(
            session,
            survey,
            response,
            respondent,
            today(),
            record=way.recorder,
            on_submitted=way.on_submitted,
        )
    except AnswerRefused as exc:
        session.rollback()
        status = 409 if isinstance(exc, ResponseClosed) else 400
        return _closed_page(way, survey, message(exc), status)
    session.commit()
    # Shown now, from the answers in hand: an anonymous response cannot be found again.
    return done_page(way, survey, definition, answers, response.version_id)


def done_page(
    way: Way,
    survey: Survey,
    definition: SurveyDefinition | None,
    answers: Answers | None,
    version_id: int | None = None,
) -> Any:
    profile = gap_profile(definition, answers) if definition and answers else None
    if profile is not None and version_id is not None:
        profile = with_offers(db.session(), profile, survey, version_id)
    return _page(
        "surveys/answer_done.html",
        way,
        survey=survey,
        profile=profile,
        offer_kinds=offer_kinds(),
    )


def show_done(way: Way, survey: Survey, respondent: Respondent) -> Any:
    """The "thank you" page again; an identified respondent sees their gap profile again."""
    session = db.session()
    response = find_response(session, survey, respondent)
    if response is not None and response.status == "submitted" and not response.anonymous:
        from .gap_profile import submitted_answers

        definition = _definition(session, response)
        return done_page(
            way, survey, definition, submitted_answers(session, response), response.version_id
        )
    return done_page(way, survey, None, None)
