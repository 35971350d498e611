"""A survey repeated after training: its owner opens a new round, learners and invitees answer
once per round, anonymous answers stay unlinkable across rounds, and bad input is refused."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Base
from lti_tool.surveys.models import (
    Survey,
    SurveyInvitation,
    SurveyParticipation,
    SurveyResponse,
)
from tests.passports.conftest import OTHER_COURSE, OTHER_TRAINER

from .helpers import csrf_for, import_survey, sign_in
from .test_answering import SKILLS, YOU, answer_all, as_learner, identified, post
from .test_invitations import (
    answer,
    companies,
    make_links,
    open_code,
    platform_survey,
    submit,
)


def repeat(app, client, survey_id: int, who="instructor", course=None):
    sign_in(app, client, who, course)
    return client.post(f"/surveys/{survey_id}/repeat", data={"csrf_token": csrf_for(app, client)})


def answer_round(app, client, survey_id: int, who="learner") -> int:
    token = as_learner(app, client, survey_id, who)
    answer_all(client, survey_id, token)
    return client.post(
        f"/surveys/{survey_id}/answer/submit", data={"csrf_token": token}
    ).status_code


def test_a_learner_answers_once_per_round(app, client):
    survey_id = import_survey(app, client, identified())
    assert answer_round(app, client, survey_id) == 200
    token = csrf_for(app, client)
    again = client.post(f"/surveys/{survey_id}/answer/submit", data={"csrf_token": token})
    assert again.status_code == 409  # answering twice in one round is refused
    assert post(client, survey_id, 0, token, YOU).status_code == 409

    done = repeat(app, client, survey_id)
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Round 2 is open" in page and 'data-testid="rounds-link"' in page

    start = as_learner(app, client, survey_id)
    assert client.get(f"/surveys/{survey_id}/answer").headers["Location"].endswith("/answer/0")
    answer_all(client, survey_id, start)
    second = client.post(f"/surveys/{survey_id}/answer/submit", data={"csrf_token": start})
    assert second.status_code == 200
    assert (
        client.post(f"/surveys/{survey_id}/answer/submit", data={"csrf_token": start}).status_code
        == 409
    )
    with app.app_context():
        rounds = sorted(
            (r.round_number, r.status) for r in db.session.scalars(select(SurveyResponse))
        )
        assert rounds == [(1, "submitted"), (2, "submitted")]
        marks = sorted(p.round_number for p in db.session.scalars(select(SurveyParticipation)))
        assert marks == [1, 2]


def test_only_the_owner_repeats_and_only_after_answers(app, client):
    survey_id = import_survey(app, client, identified())
    refused = repeat(app, client, survey_id)  # nothing answered yet
    assert refused.status_code == 400 and "nothing to repeat" in refused.get_data(as_text=True)
    assert answer_round(app, client, survey_id) == 200
    assert repeat(app, client, survey_id, who="learner").status_code == 403
    assert repeat(app, client, survey_id, who=OTHER_TRAINER, course=OTHER_COURSE).status_code == 403
    assert repeat(app, client, 999_999).status_code == 404
    sign_in(app, client, "instructor")
    without_token = client.post(f"/surveys/{survey_id}/repeat")
    assert without_token.status_code in (400, 403)
    with app.app_context():
        assert db.session.get(Survey, survey_id).current_round == 1  # nothing half-written


def test_a_draft_of_the_ended_round_is_dropped_and_a_new_one_starts(app, client):
    survey_id = import_survey(app, client)  # anonymous
    assert answer_round(app, client, survey_id, "learner2") == 200
    token = as_learner(app, client, survey_id)
    assert post(client, survey_id, 0, token, YOU, action="save").status_code == 200
    assert repeat(app, client, survey_id).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(SurveyResponse.status)).all() == ["submitted"]
    # The same browser (its old draft key) answers round 2 from the start.
    assert answer_round(app, client, survey_id) == 200


def test_anonymous_answers_are_not_linkable_across_rounds(app, client):
    survey_id = import_survey(app, client)  # anonymous
    assert answer_round(app, client, survey_id) == 200
    assert repeat(app, client, survey_id).status_code == 303
    assert answer_round(app, client, survey_id) == 200
    with app.app_context():
        responses = list(db.session.scalars(select(SurveyResponse)))
        assert sorted(r.round_number for r in responses) == [1, 2]
        for r in responses:
            assert (r.respondent_id, r.subject_id, r.invitation_id, r.resource_link_id) == (
                None,
                None,
                None,
                None,
            )
            assert r.resume_hash is None and r.draft == {}
        # Only the answer and attribute rows point at a response: no table joins two responses
        # (nor a participation mark to one).
        pointing = {
            fk.parent.table.name
            for table in Base.metadata.tables.values()
            for fk in table.foreign_keys
            if fk.column.table.name == "survey_response"
        }
        assert pointing == {"survey_answer", "survey_response_attribute"}
        marks = [
            (p.survey_id, p.round_number) for p in db.session.scalars(select(SurveyParticipation))
        ]
        assert sorted(marks) == [(survey_id, 1), (survey_id, 2)]
        assert set(SurveyParticipation.__table__.columns.keys()) == {
            "survey_id",
            "user_id",
            "round_number",
        }


def test_invitees_answer_a_new_round_with_new_links(app, client):
    survey_id = platform_survey(app, client)
    bakker = companies(app)["Bakker BV"]
    old = make_links(app, client, survey_id, company=str(bakker), kind="single", number="2")
    invitee = app.test_client()
    open_code(invitee, old[0])
    answer(invitee, survey_id, 0, YOU)
    answer(invitee, survey_id, 1, SKILLS)
    assert submit(invitee, survey_id).status_code == 200

    # The platform's survey: its administrator repeats it (HR of one company may too).
    assert repeat(app, client, survey_id, who="admin").status_code == 303
    late = app.test_client()
    refused = open_code(late, old[1])  # an unused link of round 1
    assert refused.status_code == 403 and "earlier round" in refused.get_data(as_text=True)

    new = make_links(app, client, survey_id, company=str(bakker), kind="single", number="1")
    listed = client.get(f"/surveys/{survey_id}/invitations").get_data(as_text=True)
    assert listed.count('data-testid="invitation-round">1<') == 2
    assert listed.count('data-testid="invitation-round">2<') == 1
    fresh = app.test_client()
    assert open_code(fresh, new[0]).status_code == 303
    answer(fresh, survey_id, 0, YOU)
    answer(fresh, survey_id, 1, SKILLS)
    assert submit(fresh, survey_id).status_code == 200
    with app.app_context():
        rounds = sorted(
            (r.round_number, r.kind) for r in db.session.scalars(select(SurveyResponse))
        )
        assert rounds == [(1, "invitee"), (2, "invitee")]
        links = {i.round_number for i in db.session.scalars(select(SurveyInvitation))}
        assert links == {1, 2}


def test_a_round_1_link_opened_before_the_repeat_takes_no_answers_after_it(app, client):
    survey_id = platform_survey(app, client)
    bakker = companies(app)["Bakker BV"]
    codes = make_links(app, client, survey_id, company=str(bakker), kind="single", number="2")
    first = app.test_client()
    open_code(first, codes[0])
    answer(first, survey_id, 0, YOU)
    answer(first, survey_id, 1, SKILLS)
    assert submit(first, survey_id).status_code == 200
    slow = app.test_client()
    open_code(slow, codes[1])
    answer(slow, survey_id, 0, YOU)
    assert repeat(app, client, survey_id, who="admin").status_code == 303
    assert slow.get(f"/surveys/{survey_id}/invited").status_code == 403
