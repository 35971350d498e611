from __future__ import annotations

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import Course, Enrolment, User

from .flows import launch, start_launch


def test_jwks_publishes_the_current_key(client):
    body = client.get("/lti/jwks.json").get_json()
    assert len(body["keys"]) == 1
    key = body["keys"][0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["kid"]
    assert "d" not in key  # never the private part


def test_learner_launch_creates_user_course_and_enrolment(app, live_server, http):
    r = launch(http, live_server.url, user="learner")
    assert r.status_code == 200, r.text
    assert "Lena de Vries" in r.text
    assert 'data-testid="role">Learner<' in r.text
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert user.sub == "demo-learner-1"
        assert user.issuer == live_server.url + "/demo"
        course = db.session.scalars(select(Course)).one()
        assert course.context_id == "demo-course-1"
        enrolment = db.session.scalars(select(Enrolment)).one()
        assert enrolment.role == "learner"


def test_instructor_launch_maps_role(live_server, http):
    r = launch(http, live_server.url, user="instructor")
    assert r.status_code == 200
    assert 'data-testid="role">Trainer<' in r.text


def test_replayed_launch_is_refused_and_creates_nothing_more(app, live_server, http):
    form = start_launch(http, live_server.url, user="learner")
    first = http.post(form.action, data=form.fields)
    assert first.status_code == 200
    again = http.post(form.action, data=form.fields)
    assert again.status_code == 409
    assert "already used" in again.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_launch_is_recorded_as_an_xapi_statement(app, live_server, http):
    import json

    from lti_tool.lrs.queued import store_queued_statements
    from xapi.tables import statement_queue, statements

    assert launch(http, live_server.url, user="learner").status_code == 200
    with app.app_context():
        # Queued with the launch, stored in the LRS by the jobs runner's job.
        assert db.session.scalar(select(func.count()).select_from(statement_queue)) == 1
        assert not db.session.execute(select(statements.c.seq)).all()
        assert store_queued_statements() == 1
        assert store_queued_statements() == 0  # stored once
        assert db.session.scalar(select(func.count()).select_from(statement_queue)) == 0
        rows = db.session.execute(select(statements.c.verb_id, statements.c.payload)).all()
        launched = [
            json.loads(r.payload)
            for r in rows
            if r.verb_id == "http://adlnet.gov/expapi/verbs/launched"
        ]
        assert len(launched) == 1
        actor = launched[0]["actor"]
        assert actor["account"] == {"homePage": live_server.url + "/demo", "name": "demo-learner-1"}
        assert "mbox" not in actor  # never the e-mail
        assert launched[0]["context"]["registration"]


def test_start_page_offers_what_the_role_allows(live_server, http):
    learner = launch(http, live_server.url, user="learner").text
    assert "My training passport" in learner and "SCORM packages" not in learner
    http.cookies.clear()
    admin = launch(http, live_server.url, user="admin").text
    assert (
        "My training passport" in admin
        and "SCORM packages" in admin
        and "Passport settings" in admin
    )


def test_a_statement_that_cannot_be_recorded_does_not_undo_the_launch(
    app, live_server, http, monkeypatch
):
    """The launch commits once; the statement is in a savepoint of it, so its failure is alone."""
    from lti_tool.lrs import recording

    def broken(*args, **kwargs):
        raise RuntimeError("the LRS tables are unusable")

    monkeypatch.setattr(recording, "record", broken)
    r = launch(http, live_server.url, user="learner")
    assert r.status_code == 200 and "Lena de Vries" in r.text
    with app.app_context():
        assert db.session.scalars(select(User)).one().sub == "demo-learner-1"
        assert db.session.scalars(select(Enrolment)).one().role == "learner"
