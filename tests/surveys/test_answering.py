"""A learner answers a survey placed in their course: page by page, save and continue later,
conditions enforced on the server, submitted once; bad input refused with a 4xx and a reason,
free text shown escaped. Identified and anonymous modes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.surveys.models import (
    SurveyAnswer,
    SurveyParticipation,
    SurveyResponse,
)
from tests.passports.conftest import OTHER_COURSE, OUTSIDER

from .helpers import csrf_for, csrf_token, documented_example, import_survey, sign_in

YOU = {"q:welds": "yes", "q:hours": "12", "q:confidence": "3", "a:department": "workshop"}
SKILLS = {
    "q:mig:current": "1",
    "q:mig:required": "3",
    "q:mig:importance": "5",
    "q:topics:safety": "2",
    "q:topics:quality": "1",
    "q:tools:grinder": "daily",
    "q:wish": "<script>alert('x')</script> more welding",
}


def identified() -> dict[str, Any]:
    data = documented_example()
    data["anonymous"] = False
    return data


def as_learner(app, client, survey_id: int, who: Any = "learner") -> str:
    sign_in(app, client, who)
    return csrf_token(client, f"/surveys/{survey_id}/answer/0")


def post(client, survey_id, n, token, fields, action="next"):
    return client.post(
        f"/surveys/{survey_id}/answer/{n}", data={"csrf_token": token, "action": action, **fields}
    )


def answer_all(client, survey_id, token):
    assert post(client, survey_id, 0, token, YOU).headers["Location"].endswith("/answer/1")
    assert post(client, survey_id, 1, token, SKILLS).headers["Location"].endswith("/answer/review")


def test_a_learner_answers_submits_once_and_sees_the_gap_profile(app, client):
    survey_id = import_survey(app, client, identified())
    token = as_learner(app, client, survey_id)
    start = client.get(f"/surveys/{survey_id}/answer")
    assert start.status_code == 303 and start.headers["Location"].endswith("/answer/0")
    answer_all(client, survey_id, token)
    review = client.get(f"/surveys/{survey_id}/answer/review").get_data(as_text=True)
    assert "&lt;script&gt;" in review and "<script>alert" not in review
    assert "Independent" not in review and "Expert" in review  # needed: level 3
    done = client.post(f"/surveys/{survey_id}/answer/submit", data={"csrf_token": token})
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert 'data-testid="gap-chart"' in page and "MIG welding" in page
    assert "<td>2</td>" in page  # gap 3 - 1

    again = client.post(f"/surveys/{survey_id}/answer/submit", data={"csrf_token": token})
    assert again.status_code == 409
    late = post(client, survey_id, 0, token, YOU)
    assert late.status_code == 409 and "already submitted" in late.get_data(as_text=True)
    assert client.get(f"/surveys/{survey_id}/answer").headers["Location"].endswith("/done")
    assert "gap-table" in client.get(f"/surveys/{survey_id}/answer/done").get_data(as_text=True)

    with app.app_context():
        response = db.session.scalars(select(SurveyResponse)).one()
        assert response.status == "submitted" and response.respondent_id is not None
        assert response.draft == {} and response.resume_hash is None
        rows = {
            (
                a.item_key,
                a.option_key,
                a.numeric_value,
                a.current_level,
                a.required_level,
                a.importance,
                a.text,
            )
            for a in db.session.scalars(select(SurveyAnswer))
        }
        assert rows == {
            ("", "yes", None, None, None, None, None),
            ("", None, 12.0, None, None, None, None),
            ("", None, 3.0, None, None, None, None),
            ("", None, None, 1, 3, 5, None),
            ("quality", None, 1.0, None, None, None, None),
            ("safety", None, 2.0, None, None, None, None),
            ("grinder", "daily", None, None, None, None, None),
            ("", None, None, None, None, None, "<script>alert('x')</script> more welding"),
        }
        attributes = {(a.name, a.value) for a in response.attributes}
        assert attributes == {("department", "workshop")}


def test_an_anonymous_response_names_nobody_and_is_still_answered_once(app, client):
    survey_id = import_survey(app, client)  # the documented example is anonymous
    token = as_learner(app, client, survey_id)
    answer_all(client, survey_id, token)
    assert (
        client.post(f"/surveys/{survey_id}/answer/submit", data={"csrf_token": token}).status_code
        == 200
    )
    with app.app_context():
        response = db.session.scalars(select(SurveyResponse)).one()
        assert (response.respondent_id, response.invitation_id, response.resource_link_id) == (
            None,
            None,
            None,
        )
        assert response.anonymous and response.resume_hash is None and response.draft == {}
        assert db.session.scalar(select(func.count()).select_from(SurveyParticipation)) == 1
    # The same learner in a new session: nothing finds their response, the participation row
    # refuses a second one.
    token = as_learner_anyway(app, client, survey_id)
    assert client.get(f"/surveys/{survey_id}/answer").headers["Location"].endswith("/done")
    refused = post(client, survey_id, 0, token, YOU)
    assert refused.status_code == 409


def test_save_and_continue_later_in_a_new_session(app, client):
    survey_id = import_survey(app, client, identified())
    token = as_learner(app, client, survey_id)
    saved = post(client, survey_id, 0, token, YOU, action="save")
    assert saved.status_code == 200 and "saved" in saved.get_data(as_text=True)
    token = as_learner(app, client, survey_id)  # another day, another session
    assert client.get(f"/surveys/{survey_id}/answer").headers["Location"].endswith("/answer/1")
    page = client.get(f"/surveys/{survey_id}/answer/0").get_data(as_text=True)
    assert 'value="12"' in page and 'value="workshop" selected' in page


def test_anonymous_save_and_continue_in_the_same_session(app, client):
    survey_id = import_survey(app, client)
    token = as_learner(app, client, survey_id)
    post(client, survey_id, 0, token, YOU, action="save")
    assert client.get(f"/surveys/{survey_id}/answer").headers["Location"].endswith("/answer/1")
    with app.app_context():
        response = db.session.scalars(select(SurveyResponse)).one()
        assert response.respondent_id is None and response.resume_hash is not None


@pytest.mark.parametrize(
    ("n", "fields", "reason"),
    [
        (0, {**YOU, "q:hours": "61"}, "give a number from 0 to 60"),
        (0, {**YOU, "q:hours": "2.5"}, "give a whole number"),
        (0, {**YOU, "q:hours": "many"}, "give a number"),
        (0, {**YOU, "q:welds": "maybe"}, "not one of its options"),
        (0, {**YOU, "q:confidence": "7"}, "not one of its points"),
        (0, {**YOU, "q:welds": "no"}, "is not asked with your other answers"),
        (0, {**YOU, "q:mig:current": "1"}, "does not ask"),  # another page's question
        (0, {**YOU, "q:nothing": "1"}, "does not ask"),
        (0, {**YOU, "q:hours:extra": "1"}, "does not ask"),
        (0, {**YOU, "a:department": "moon"}, "not one of its options"),
        (1, {**SKILLS, "q:mig:current": "9"}, "not one of the levels"),
        (1, {**SKILLS, "q:mig:importance": "6"}, "importance is from 1 to 5"),
        (1, {**SKILLS, "q:mig:required": ""}, "the level now and the level needed"),
        (1, {**SKILLS, "q:topics:safety": "1"}, "its own place"),
        (1, {**SKILLS, "q:tools:grinder": "hourly"}, "not one of its options"),
        (1, {**SKILLS, "q:wish": "x" * 501}, "longer than 500 characters"),
    ],
)
def test_bad_answers_are_refused_with_a_reason_and_nothing_saved(app, client, n, fields, reason):
    survey_id = import_survey(app, client, identified())
    token = as_learner(app, client, survey_id)
    if n == 1:
        post(client, survey_id, 0, token, YOU)
    response = post(client, survey_id, n, token, fields)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert reason in response.get_data(as_text=True)
    with app.app_context():
        drafts = db.session.scalars(select(SurveyResponse.draft)).all()
        assert all("mig" not in d for d in drafts)
        if n == 0:
            assert all(d == {} for d in drafts)


def test_a_hidden_question_is_not_asked_and_required_answers_are_needed(app, client):
    survey_id = import_survey(app, client, identified())
    token = as_learner(app, client, survey_id)
    no = {"q:welds": "no", "q:confidence": "2"}
    assert post(client, survey_id, 0, token, no).status_code == 303
    post(client, survey_id, 1, token, {"q:topics:safety": "1", "q:topics:quality": "2"})
    review = client.get(f"/surveys/{survey_id}/answer/review").get_data(as_text=True)
    assert "Hours of welding" not in review and "1 required question has no answer yet" in review
    refused = client.post(f"/surveys/{survey_id}/answer/submit", data={"csrf_token": token})
    assert refused.status_code == 400 and "mig" in refused.get_data(as_text=True)
    post(client, survey_id, 1, token, SKILLS)
    assert (
        client.post(f"/surveys/{survey_id}/answer/submit", data={"csrf_token": token}).status_code
        == 200
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 7


def test_a_changed_earlier_answer_drops_the_answer_it_now_hides(app, client):
    survey_id = import_survey(app, client, identified())
    token = as_learner(app, client, survey_id)
    post(client, survey_id, 0, token, YOU)
    post(client, survey_id, 0, token, {"q:welds": "no", "q:confidence": "3"})
    with app.app_context():
        draft = db.session.scalars(select(SurveyResponse.draft)).one()
        assert "hours" not in draft and draft["welds"] == "no"


def test_closed_and_foreign_surveys(app, client):
    survey_id = import_survey(app, client, identified())
    token = csrf_token(client, f"/surveys/{survey_id}/manage")
    client.post(f"/surveys/{survey_id}/status", data={"csrf_token": token, "status": "closed"})
    sign_in(app, client, "learner")
    assert client.get(f"/surveys/{survey_id}/answer/0").status_code == 403
    sign_in(app, client, OUTSIDER, OTHER_COURSE)
    assert client.get(f"/surveys/{survey_id}/answer/0").status_code == 404
    assert client.get(f"/surveys/{survey_id}/answer").status_code == 404


def test_a_response_started_on_a_survey_closed_later_cannot_be_submitted(app, client):
    survey_id = import_survey(app, client, identified())
    token = as_learner(app, client, survey_id)
    answer_all(client, survey_id, token)
    sign_in(app, client, "instructor")
    manage = csrf_token(client, f"/surveys/{survey_id}/manage")
    client.post(f"/surveys/{survey_id}/status", data={"csrf_token": manage, "status": "closed"})
    token = as_learner_anyway(app, client, survey_id)
    refused = client.post(f"/surveys/{survey_id}/answer/submit", data={"csrf_token": token})
    assert refused.status_code == 409 and "closed" in refused.get_data(as_text=True)


def as_learner_anyway(app, client, survey_id) -> str:
    """A CSRF token for a learner whose survey shows no form any more."""
    sign_in(app, client, "learner")
    return csrf_for(app, client)
