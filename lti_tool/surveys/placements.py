"""Surveys in the course: Deep Linking places ``survey:<id>``; the launch opens the survey for a
learner (its manage page for the course's trainers); the start page links to the surveys."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..extensions import db
from ..lti.context import LaunchContext, current_launch
from ..lti.placements import Placement, register_provider, register_target
from ..main import HomeLink, register_home_link
from .access import may_author_condition
from .definition import wording
from .models import Survey


def survey_placements(ctx: LaunchContext) -> list[Placement]:
    """The course's surveys and the platform's own, not closed."""
    if not ctx.is_instructor or ctx.course_id is None:
        return []
    surveys = db.session.scalars(
        select(Survey)
        .where(
            Survey.platform_id == ctx.platform_id,
            or_(Survey.course_id == ctx.course_id, Survey.course_id.is_(None)),
            Survey.status != "closed",
        )
        .order_by(Survey.id)
    )
    locale = (ctx.locale or "en")[:2]
    return [
        Placement(
            target=f"survey:{survey.id}",
            title=wording(survey.title, locale) or _("Survey"),
            description=_("Survey: competences now and needed, and other questions"),
        )
        for survey in surveys
    ]


def _survey_url(rest: str) -> str:
    if not rest.isdigit():
        return url_for("main.home")
    ctx = current_launch()
    if ctx is not None and ctx.is_instructor:
        return url_for("surveys.manage_survey", survey_id=int(rest))
    return url_for("surveys.answer_start", survey_id=int(rest))


def register_survey_placements() -> None:
    register_provider(survey_placements)
    register_target("survey", _survey_url)
    register_home_link(
        HomeLink(
            "surveys.manage_list",
            lambda: _("Surveys"),
            lambda: _("Ask about competences and training needs, for a course or a company"),
            # HR people are rarely trainers: shown to whoever may make surveys here.
            shown_if=may_author_condition,
        )
    )
