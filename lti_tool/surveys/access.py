"""Who may manage which survey. A course's survey: the course's trainers (in a launch from that
course). A platform's own survey (no course): the platform's administrators and the HR people
of its companies. Anyone else gets 404, whatever id the URL carries."""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, select, true

from ..extensions import db
from ..lti.context import LaunchContext, current_launch
from ..passports.companies import hr_companies, is_hr_somewhere
from .models import Survey


def launch() -> LaunchContext:
    ctx = current_launch()
    if ctx is None:
        abort(401)
    return ctx


def manages_platform_surveys(ctx: LaunchContext) -> bool:
    return ctx.is_admin or bool(hr_companies(db.session(), ctx.platform_id, ctx.user_id))


_ALWAYS = true()


def may_author_condition(ctx: LaunchContext) -> ColumnElement[bool]:
    """``may_author`` as an SQL condition, for the start page's one select of its links."""
    if ctx.is_admin or (ctx.is_instructor and ctx.course_id is not None):
        return _ALWAYS
    return is_hr_somewhere()


def may_manage(ctx: LaunchContext, survey: Survey) -> bool:
    if survey.platform_id != ctx.platform_id:
        return False
    if survey.course_id is None:
        return manages_platform_surveys(ctx)
    return ctx.is_instructor and ctx.course_id == survey.course_id


def managed_survey(survey_id: int) -> Survey:
    """The survey if the launch's person manages it, else 404."""
    ctx = launch()
    survey = db.session.scalar(select(Survey).where(Survey.id == survey_id))
    if survey is None or not may_manage(ctx, survey):
        abort(404)
    return survey


def may_author(ctx: LaunchContext) -> bool:
    """Whether the person may make surveys here at all (a course's trainer, or platform-wide)."""
    return (ctx.is_instructor and ctx.course_id is not None) or manages_platform_surveys(ctx)
