"""Invitation links: HR makes them (a printable sheet of QR codes, or one shared link with a
quota); an invitee opens one without an account and answers through the same pages as a learner.

The token is in the link's fragment; the code page posts it, so no address, access log line or
``Referer`` ever holds it. The invitee's server-side session keeps which invitation they opened
(and their draft's key) until they submit; the response row keeps neither in anonymous mode.
"""

from __future__ import annotations

import io
import secrets
from typing import Any

import segno
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ..extensions import db
from ..lti.context import launch_required
from ..passports.companies import hr_companies, platform_companies
from ..passports.errors import message
from ..passports.models import Company
from . import answer_flow, invitations
from .access import launch, managed_survey
from .blueprint import bp
from .display import reader_language
from .models import Survey, SurveyInvitation
from .responding import Respondent
from .survey_xapi import record_response

SESSION_INVITES = "survey_invites"
WAY = "surveys.invited"

# ---------------------------------------------------------------- HR: making links


def _companies() -> list[Company]:
    """The companies the person may invite for: all of the platform's for its administrator,
    their own for HR."""
    ctx = launch()
    if ctx.is_admin:
        return platform_companies(db.session(), ctx.platform_id)
    return hr_companies(db.session(), ctx.platform_id, ctx.user_id)


def _list_page(survey: Survey, status: int = 200, error: str = "") -> Any:
    companies = _companies()
    return (
        render_template(
            "surveys/invitations.html",
            ctx=launch(),
            survey=survey,
            invitations=invitations.invitations_of(db.session(), survey),
            companies=companies,
            company_names={
                c.id: c.name for c in platform_companies(db.session(), survey.platform_id)
            },
            error=error,
            max_tokens=invitations.MAX_TOKENS,
        ),
        status,
    )


@bp.get("/<int:survey_id>/invitations")
@launch_required()
def invitation_list(survey_id: int) -> Any:
    return _list_page(managed_survey(survey_id))


def _positive(name: str, default: int) -> int:
    raw = request.form.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 6:
        raise ValueError(name)
    return int(raw)


@bp.post("/<int:survey_id>/invitations")
@launch_required()
def make_invitations(survey_id: int) -> Any:
    survey = managed_survey(survey_id)
    raw_company = request.form.get("company", "")
    company_id = None
    if raw_company:
        allowed = {c.id for c in _companies()}
        if not raw_company.isdigit() or int(raw_company) not in allowed:
            abort(404)  # another company's, or none of the platform's
        company_id = int(raw_company)
    elif survey.course_id is None and not launch().is_admin:
        return _list_page(survey, 400, _("Choose the company the links are for."))
    shared = request.form.get("kind") == "shared"
    try:
        number = _positive("number", 1)
        issued = invitations.issue(
            db.session(),
            survey,
            company_id=company_id,
            count=number,
            shared_quota=number if shared else None,
            label=request.form.get("label", "").strip(),
            user_id=launch().user_id,
            today=answer_flow.today(),
        )
    except ValueError:
        db.session.rollback()
        return _list_page(survey, 400, _("Give the number as a whole number."))
    except invitations.InvitationRefused as exc:
        db.session.rollback()
        return _list_page(survey, 400, message(exc))
    db.session.commit()
    base = current_app.config["LEARNPASS"].base_url.rstrip("/") + url_for("surveys.invite_code")
    sheet = [
        {
            "code": item.token,
            "url": f"{base}#{item.token}",
            "qr": _qr_svg(f"{base}#{item.token}"),
        }
        for item in issued
    ]
    response = render_template(
        "surveys/invitation_sheet.html",
        ctx=launch(),
        survey=survey,
        sheet=sheet,
        shared=shared,
        quota=number if shared else None,
        company=next((c.name for c in _companies() if c.id == company_id), ""),
        code_url=base,
    )
    return response, 200, {"Cache-Control": "no-store"}


def _qr_svg(url: str) -> Markup:
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, svgclass="qr", omitsize=False
    )
    svg = out.getvalue().decode()
    # Decorative for screen readers: the code is printed beside it.
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))  # noqa: S704


@bp.post("/<int:survey_id>/invitations/<int:invitation_id>/revoke")
@launch_required()
def revoke_invitation(survey_id: int, invitation_id: int) -> Any:
    survey = managed_survey(survey_id)
    invitation = db.session.get(SurveyInvitation, invitation_id)
    if invitation is None or invitation.survey_id != survey.id:
        abort(404)
    allowed = {c.id for c in _companies()}
    if invitation.company_id is not None and invitation.company_id not in allowed:
        abort(404)
    invitation.revoked = True
    db.session.commit()
    flash(_("The link is withdrawn: it opens nothing any more."), "ok")
    return redirect(url_for("surveys.invitation_list", survey_id=survey.id), code=303)


# ---------------------------------------------------------------- the invitee


@bp.get("/i")
def invite_code() -> Any:
    """The page an invitation link opens; its script posts the code from the fragment."""
    return render_template("surveys/invite_code.html", ctx=None, error="")


@bp.post("/i")
def invite_open() -> Any:
    code = request.form.get("code", "")
    try:
        invitation = invitations.open_invitation(db.session(), code)
    except invitations.InvitationRefused as exc:
        return render_template("surveys/invite_code.html", ctx=None, error=message(exc)), 403
    secret = current_app.config["SECRET_KEY"]
    key = (
        secrets.token_urlsafe(32)
        if invitation.shared
        else invitations.resume_key(str(secret), code)
    )
    invites = dict(session.get(SESSION_INVITES) or {})
    invites[str(invitation.survey_id)] = {"invitation": invitation.id, "key": key}
    session[SESSION_INVITES] = invites
    return redirect(url_for("surveys.invited_start", survey_id=invitation.survey_id), code=303)


def _invited(survey_id: int) -> tuple[Survey, Respondent, answer_flow.Way]:
    held = (session.get(SESSION_INVITES) or {}).get(str(survey_id))
    if not held:
        abort(403)
    invitation = db.session.get(SurveyInvitation, held["invitation"])
    survey = db.session.get(Survey, survey_id)
    if invitation is None or survey is None or invitation.survey_id != survey_id:
        abort(403)
    if invitation.revoked or invitation.round_number != survey.current_round:
        abort(403)  # withdrawn, or a link of an earlier round
    if invitation.uses >= invitation.max_uses:
        abort(409)  # used as often as it may: nothing more is taken through it
    respondent = Respondent(
        kind="invitee",
        resume_key=held["key"],
        company_id=invitation.company_id,
        invitation_id=invitation.id,
        language=reader_language(),
        fixed_attributes=dict(invitation.attributes or {}),
    )
    today = answer_flow.today()

    def count_use() -> None:
        invitations.count_use(db.session(), invitation.id, today)

    return (
        survey,
        respondent,
        answer_flow.Way(WAY, recorder=record_response, on_submitted=count_use),
    )


@bp.get("/<int:survey_id>/invited")
def invited_start(survey_id: int) -> Any:
    survey, respondent, way = _invited(survey_id)
    return answer_flow.start(way, survey, respondent)


@bp.get("/<int:survey_id>/invited/<int:n>")
def invited_section(survey_id: int, n: int) -> Any:
    survey, respondent, way = _invited(survey_id)
    return answer_flow.show_section(way, survey, respondent, n)


@bp.post("/<int:survey_id>/invited/<int:n>")
def invited_save(survey_id: int, n: int) -> Any:
    survey, respondent, way = _invited(survey_id)
    return answer_flow.save(way, survey, respondent, n)


@bp.get("/<int:survey_id>/invited/review")
def invited_review(survey_id: int) -> Any:
    survey, respondent, way = _invited(survey_id)
    return answer_flow.review(way, survey, respondent)


@bp.post("/<int:survey_id>/invited/submit")
def invited_submit(survey_id: int) -> Any:
    survey, respondent, way = _invited(survey_id)
    body, status = answer_flow.do_submit(way, survey, respondent)
    if status == 200:
        # Submitted: the session forgets the invitation and the draft's key.
        invites = dict(session.get(SESSION_INVITES) or {})
        invites.pop(str(survey_id), None)
        session[SESSION_INVITES] = invites
        session.setdefault("survey_done", [])
        session["survey_done"] = [*session["survey_done"], survey_id][-50:]
    return body, status


@bp.get("/<int:survey_id>/invited/done")
def invited_done(survey_id: int) -> Any:
    if survey_id in (session.get("survey_done") or []):
        survey = db.session.get(Survey, survey_id)
        if survey is not None:
            return answer_flow.done_page(answer_flow.Way(WAY), survey, None, None)
    survey, respondent, way = _invited(survey_id)
    return answer_flow.show_done(way, survey, respondent)
