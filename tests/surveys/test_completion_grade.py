"""The completion grade of a survey (SQLite and PostgreSQL), with the demo platform as the real
peer over HTTP: a learner launched from a course link with Assignment and Grade Services submits
an identified survey, one grade of 1/1 (Completed, FullyGraded) goes to the grade outbox, a second
submission adds none, and the grade worker delivers it to the platform's gradebook. An anonymous
survey, and a launch without AGS, queue no grade."""

from __future__ import annotations

import re
from typing import Any

import requests
from sqlalchemy import func, select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.lti.grades import deliver_due
from lti_tool.models import GradeOutbox, ResourceLink, User
from lti_tool.surveys.models import SurveyParticipation, SurveyResponse
from tests.lti.flows import launch

from .helpers import import_survey
from .test_answering import SKILLS, YOU, answer_all, as_learner, identified


def _token(http: requests.Session, url: str) -> str:
    page = http.get(url)
    assert page.status_code == 200, page.text[:500]
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "no CSRF token on " + url
    return match.group(1)


def _submit_over_http(base: str, survey_id: int) -> tuple[int, int]:
    """The demo learner launches from the platform (its launch carries AGS), answers every page
    and submits twice; the two status codes."""
    with requests.Session() as http:
        assert launch(http, base, user="learner").status_code == 200
        url = f"{base}/surveys/{survey_id}/answer"
        token = _token(http, f"{url}/0")
        for n, fields in ((0, YOU), (1, SKILLS)):
            saved = http.post(
                f"{url}/{n}",
                data={"csrf_token": token, "action": "next", **fields},
                allow_redirects=False,
            )
            assert saved.status_code == 303, saved.text[:1000]
        first = http.post(f"{url}/submit", data={"csrf_token": token})
        second = http.post(f"{url}/submit", data={"csrf_token": token})
        return first.status_code, second.status_code


def _grades(app: Any) -> list[GradeOutbox]:
    with app.app_context():
        rows = list(db.session.scalars(select(GradeOutbox).order_by(GradeOutbox.id)))
        db.session.expunge_all()
        return rows


def test_an_identified_survey_posts_one_completion_grade(app, client, live_server):
    survey_id = import_survey(app, client, identified())
    assert _submit_over_http(live_server.url, survey_id) == (200, 409)
    (row,) = _grades(app)
    with app.app_context():
        learner = db.session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        response = db.session.scalars(select(SurveyResponse)).one()
        link = db.session.get(ResourceLink, response.resource_link_id)
        assert link is not None and link.link_id == "demo-home"
        assert (row.user_id, row.resource_link_id) == (learner.id, link.id)
        assert (row.score_given, row.score_maximum) == (1.0, 1.0)
        assert (row.activity_progress, row.grading_progress) == ("Completed", "FullyGraded")
        assert row.sent_at is None  # queued, not sent by the submission
        assert deliver_due(db.session()) == (1, 0)
        assert deliver_due(db.session()) == (0, 0)
    scores = [s for s in demo.scores() if s.get("userId") == "demo-learner-1"]
    assert len(scores) == 1
    (score,) = scores
    assert (score["scoreGiven"], score["scoreMaximum"]) == (1.0, 1.0)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")


def test_an_anonymous_survey_posts_no_grade(app, client, live_server):
    survey_id = import_survey(app, client)  # the documented example is anonymous
    assert _submit_over_http(live_server.url, survey_id) == (200, 409)
    assert _grades(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyParticipation)) == 1
        response = db.session.scalars(select(SurveyResponse)).one()
        assert response.status == "submitted" and response.resource_link_id is None


def test_a_launch_without_grade_services_posts_no_grade(app, client):
    survey_id = import_survey(app, client, identified())
    token = as_learner(app, client, survey_id)  # a launch whose claims carry no AGS
    answer_all(client, survey_id, token)
    done = client.post(f"/surveys/{survey_id}/answer/submit", data={"csrf_token": token})
    assert done.status_code == 200
    with app.app_context():
        response = db.session.scalars(select(SurveyResponse)).one()
        assert response.status == "submitted" and response.resource_link_id is not None
    assert _grades(app) == []
