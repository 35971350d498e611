"""Invitation links for people in no LMS: HR makes single-use codes (a printable QR sheet) or a
shared link with a quota for its own company only; an invitee answers without an account, saves
and continues from the same link on another device, and submits once. Anonymous: the response
row names no invitation, and the token is stored only as a fingerprint."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.models import Company, company_hr
from lti_tool.surveys import invitations
from lti_tool.surveys.models import Survey, SurveyInvitation, SurveyResponse
from tests.passports.conftest import launch_context

from .helpers import csrf_token, documented_example, sign_in
from .test_answering import SKILLS, YOU

TODAY = dt.date(2026, 12, 2)


def platform_survey(app, client, data: dict[str, Any] | None = None) -> int:
    """An open platform-wide survey and two companies; the demo trainer is HR of the first."""
    launch_context(app, "instructor")  # the trainer exists on the platform
    sign_in(app, client, "admin")
    token = csrf_token(client, "/surveys/manage")

    client.post(
        "/surveys/manage/import",
        data={
            "csrf_token": token,
            "scope": "platform",
            "definition": json.dumps(data or documented_example()),
        },
    )
    with app.app_context():
        survey = db.session.scalars(select(Survey)).one()
        survey.status = "open"
        trainer = db.session.scalars(select(User).where(User.sub == "demo-trainer-1")).one()
        bakker = Company(platform_id=survey.platform_id, name="Bakker BV")
        smit = Company(platform_id=survey.platform_id, name="Smit NV")
        db.session.add_all([bakker, smit])
        db.session.flush()
        db.session.execute(company_hr.insert().values(company_id=bakker.id, user_id=trainer.id))
        db.session.commit()
        return survey.id


def companies(app) -> dict[str, int]:
    with app.app_context():
        return {c.name: c.id for c in db.session.scalars(select(Company))}


def make_links(app, client, survey_id, **form) -> list[str]:
    sign_in(app, client, "instructor")  # HR of Bakker BV
    token = csrf_token(client, f"/surveys/{survey_id}/invitations")
    page = client.post(f"/surveys/{survey_id}/invitations", data={"csrf_token": token, **form})
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    assert page.headers["Cache-Control"] == "no-store"
    return re.findall(r'data-testid="invite-code">([A-Z0-9-]+)<', page.get_data(as_text=True))


def open_code(client: FlaskClient, code: str) -> Any:
    token = csrf_token(client, "/surveys/i")
    return client.post("/surveys/i", data={"csrf_token": token, "code": code})


def answer(client, survey_id, n, fields, action="next"):
    token = csrf_token(client, f"/surveys/{survey_id}/invited/{n}")
    return client.post(
        f"/surveys/{survey_id}/invited/{n}", data={"csrf_token": token, "action": action, **fields}
    )


def submit(client, survey_id):
    token = csrf_token(client, f"/surveys/{survey_id}/invited/review")
    return client.post(f"/surveys/{survey_id}/invited/submit", data={"csrf_token": token})


def test_single_use_codes_on_a_qr_sheet_answered_without_an_account(app, client):
    survey_id = platform_survey(app, client)
    bakker = companies(app)["Bakker BV"]
    codes = make_links(app, client, survey_id, company=str(bakker), kind="single", number="3")
    assert len(codes) == 3 and len(set(codes)) == 3
    sheet = client.get(f"/surveys/{survey_id}/invitations").get_data(as_text=True)
    assert sheet.count('data-testid="invitation-row"') == 3
    with app.app_context():
        stored = {i.token_hash for i in db.session.scalars(select(SurveyInvitation))}
        assert stored == {invitations.token_hash(c) for c in codes}
        assert all(c not in str(stored) for c in codes)

    invitee = app.test_client()
    opened = open_code(invitee, codes[0].lower().replace("-", " "))  # typed from paper
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/invited")
    assert answer(invitee, survey_id, 0, YOU, action="save").status_code == 200
    # Another device, the same link: the draft is there.
    phone = app.test_client()
    open_code(phone, codes[0])
    assert phone.get(f"/surveys/{survey_id}/invited").headers["Location"].endswith("/invited/1")
    assert answer(phone, survey_id, 1, SKILLS).status_code == 303
    done = submit(phone, survey_id)
    assert done.status_code == 200 and 'data-testid="gap-table"' in done.get_data(as_text=True)

    with app.app_context():
        response = db.session.scalars(select(SurveyResponse)).one()
        assert response.kind == "invitee" and response.company_id == bakker
        assert (response.respondent_id, response.invitation_id, response.resume_hash) == (
            None,
            None,
            None,
        )
        used = db.session.scalars(select(SurveyInvitation).where(SurveyInvitation.uses == 1)).one()
        assert used.token_hash == invitations.token_hash(codes[0])
    # The code is used: it opens nothing any more, and the first device cannot submit again.
    assert open_code(app.test_client(), codes[0]).status_code == 403
    assert submit_again(invitee, survey_id) in (403, 409)


def submit_again(client, survey_id) -> int:
    from .helpers import csrf_for

    token = csrf_for(client.application, client)
    return client.post(
        f"/surveys/{survey_id}/invited/submit", data={"csrf_token": token}
    ).status_code


def test_a_shared_link_takes_answers_up_to_its_quota(app, client):
    survey_id = platform_survey(app, client)
    bakker = companies(app)["Bakker BV"]
    (code,) = make_links(app, client, survey_id, company=str(bakker), kind="shared", number="2")
    for n in range(2):
        person = app.test_client()
        assert open_code(person, code).status_code == 303
        answer(person, survey_id, 0, YOU)
        answer(person, survey_id, 1, SKILLS)
        assert submit(person, survey_id).status_code == 200, n
    third = app.test_client()
    refused = open_code(third, code)
    assert refused.status_code == 403 and "used as often as it may" in refused.get_data(
        as_text=True
    )


def test_two_drafts_on_a_quota_of_one_submit_once(app, client):
    survey_id = platform_survey(app, client)
    bakker = companies(app)["Bakker BV"]
    (code,) = make_links(app, client, survey_id, company=str(bakker), kind="shared", number="1")
    first, second = app.test_client(), app.test_client()
    for person in (first, second):
        open_code(person, code)
        answer(person, survey_id, 0, YOU)
        answer(person, survey_id, 1, SKILLS)
    token = csrf_token(second, f"/surveys/{survey_id}/invited/review")
    assert submit(first, survey_id).status_code == 200
    late = second.post(f"/surveys/{survey_id}/invited/submit", data={"csrf_token": token})
    assert late.status_code == 409
    with app.app_context():
        statuses = sorted(db.session.scalars(select(SurveyResponse.status)))
        assert statuses == ["draft", "submitted"]


def test_hr_invites_only_for_its_own_company_and_others_get_nothing(app, client):
    survey_id = platform_survey(app, client)
    smit = companies(app)["Smit NV"]
    sign_in(app, client, "instructor")
    token = csrf_token(client, f"/surveys/{survey_id}/invitations")
    other = client.post(
        f"/surveys/{survey_id}/invitations",
        data={"csrf_token": token, "company": str(smit), "kind": "single", "number": "1"},
    )
    assert other.status_code == 404
    for number in ("0", "501", "-1", "many"):
        bad = client.post(
            f"/surveys/{survey_id}/invitations",
            data={
                "csrf_token": token,
                "company": str(companies(app)["Bakker BV"]),
                "kind": "single",
                "number": number,
            },
        )
        assert bad.status_code == 400, number
    sign_in(app, client, "learner")
    assert client.get(f"/surveys/{survey_id}/invitations").status_code == 404
    with app.app_context():
        assert db.session.scalars(select(SurveyInvitation)).all() == []


@pytest.mark.parametrize("code", ["", "AAAA-BBBB-CCCC-DDDD", "x" * 5000])
def test_a_forged_code_opens_nothing(app, client, code):
    platform_survey(app, client)
    refused = open_code(app.test_client(), code)
    assert refused.status_code == 403 and "opens no survey" in refused.get_data(as_text=True)


def test_without_an_opened_invitation_the_pages_are_refused(app, client):
    survey_id = platform_survey(app, client)
    stranger = app.test_client()
    assert stranger.get(f"/surveys/{survey_id}/invited").status_code == 403
    assert stranger.get(f"/surveys/{survey_id}/invited/0").status_code == 403


def test_a_withdrawn_link_opens_nothing(app, client):
    survey_id = platform_survey(app, client)
    (code,) = make_links(
        app, client, survey_id, company=str(companies(app)["Bakker BV"]), kind="single", number="1"
    )
    person = app.test_client()
    open_code(person, code)
    with app.app_context():
        invitation_id = db.session.scalars(select(SurveyInvitation.id)).one()
    token = csrf_token(client, f"/surveys/{survey_id}/invitations")
    assert (
        client.post(
            f"/surveys/{survey_id}/invitations/{invitation_id}/revoke", data={"csrf_token": token}
        ).status_code
        == 303
    )
    assert open_code(app.test_client(), code).status_code == 403
    assert person.get(f"/surveys/{survey_id}/invited/0").status_code == 403


def test_an_identified_survey_keeps_the_invitation_of_the_response(app, client):
    data = documented_example()
    data["anonymous"] = False
    survey_id = platform_survey(app, client, data)
    (code,) = make_links(
        app, client, survey_id, company=str(companies(app)["Bakker BV"]), kind="single", number="1"
    )
    person = app.test_client()
    open_code(person, code)
    answer(person, survey_id, 0, YOU)
    answer(person, survey_id, 1, SKILLS)
    assert submit(person, survey_id).status_code == 200
    with app.app_context():
        response = db.session.scalars(select(SurveyResponse)).one()
        assert response.invitation_id is not None and not response.anonymous


def test_a_use_is_counted_never_above_the_quota(app, client):
    survey_id = platform_survey(app, client)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        (issued,) = invitations.issue(
            db.session(), survey, company_id=None, shared_quota=1, user_id=None, today=TODAY
        )
        invitations.count_use(db.session(), issued.invitation.id, TODAY)
        with pytest.raises(invitations.InvitationRefused):
            invitations.count_use(db.session(), issued.invitation.id, TODAY)
        db.session.commit()
        db.session.refresh(issued.invitation)
        assert (issued.invitation.uses, issued.invitation.last_used_on) == (1, TODAY)
