"""The course roster comes from Names and Role Provisioning into the trainer's views."""

from __future__ import annotations

import time

from sqlalchemy import select, text

from lti_tool.extensions import db
from lti_tool.lti.roster import sync_roster
from lti_tool.models import Course, Enrolment, User

from .flows import launch


def _enrolled_subs(app) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(
            select(User.sub, Enrolment.role).join(Enrolment, Enrolment.user_id == User.id)
        ).all()
        return {sub: role for sub, role in rows}


def test_trainer_matrix_lists_learners_who_never_launched(app, live_server, http):
    assert launch(http, live_server.url, user="instructor").status_code == 200
    assert "demo-learner-2" not in _enrolled_subs(app)
    with app.app_context():
        course_id = db.session.scalars(select(Course)).one().id
    page = http.get(live_server.url + "/passport/trainer/matrix", params={"course": course_id})
    assert page.status_code == 200
    subs = _enrolled_subs(app)
    assert subs["demo-learner-2"] == "learner" and subs["demo-trainer-1"] == "instructor"
    # The enrolment says what the person is in the course (context roles); being the
    # platform's administrator (institution role) is no course role.
    assert subs["demo-admin-1"] == "instructor"
    assert "Karim Benali" in http.get(live_server.url + "/passport/trainer/").text  # never launched


def test_roster_sync_is_rate_limited_and_survives_an_outage(app, live_server, http):
    assert launch(http, live_server.url, user="instructor").status_code == 200
    with app.app_context():
        session = db.session()
        course = session.scalars(select(Course)).one()
        assert sync_roster(session, course) == 4
        assert sync_roster(session, course) is None  # within the interval: no second call
        course.nrps_url = "http://127.0.0.1:9/nowhere"
        session.commit()
        assert sync_roster(session, course, force=True) is None  # platform down: nothing lost
        assert len(session.scalars(select(Enrolment)).all()) == 4


def test_a_large_sync_refreshes_the_statistics_plans_are_made_from(
    app, live_server, http, monkeypatch
):
    import lti_tool.lti.roster as roster

    monkeypatch.setattr(roster, "BIG_SYNC", 3)  # the demo course adds three: "large" here
    assert launch(http, live_server.url, user="instructor").status_code == 200
    with app.app_context():
        session = db.session()
        course = session.scalars(select(Course)).one()
        postgres = session.get_bind().dialect.name == "postgresql"
        analysed = text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'enrolment'")
        if postgres:
            assert session.scalar(analysed) is None
        assert sync_roster(session, course) == 4
        if postgres:
            # The statistics collector reports with a delay: wait for the condition, not a time.
            for _ in range(600):
                session.execute(text("SELECT pg_stat_clear_snapshot()"))
                if session.scalar(analysed) is not None:
                    break
                session.commit()
                time.sleep(0.1)
            assert session.scalar(analysed) is not None
