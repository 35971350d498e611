"""AGS and NRPS against the demo platform served on loopback (lti1p3platform), real tokens."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.lti.adapter import DatabaseToolConf, LearnpassServiceConnector
from lti_tool.lti.ags import GradeService, RosterService
from lti_tool.lti.grades import deliver_due, queue_score
from lti_tool.lti.services import PlatformInput, add_platform
from lti_tool.models import Course, GradeOutbox, KeyValue, Platform, ResourceLink, User

from .flows import launch


def _course(app):
    return db.session.scalars(select(Course)).one()


def test_line_items_scores_and_results_round_trip(app, live_server, http):
    assert launch(http, live_server.url, user="learner").status_code == 200
    with app.app_context():
        service = GradeService(db.session(), _course(app))
        item = service.find_or_create_line_item(
            label="Safety quiz", score_maximum=20, resource_id="quiz-1"
        )
        assert item["id"].startswith(live_server.url + "/demo/lineitems/")
        again = service.find_or_create_line_item(
            label="Safety quiz", score_maximum=20, resource_id="quiz-1"
        )
        assert again["id"] == item["id"]  # found, not created twice
        assert len(service.line_items()) == 1

        service.post_score(item["id"], user_sub="demo-learner-1", score_given=17, score_maximum=20)
        results = service.results(item["id"])
        assert [(r["userId"], r["resultScore"], r["resultMaximum"]) for r in results] == [
            ("demo-learner-1", 17, 20)
        ]

        updated = service.update_line_item(item["id"], {"label": "Safety quiz (v2)"})
        assert updated["label"] == "Safety quiz (v2)"
        assert service.line_items()[0]["label"] == "Safety quiz (v2)"
        service.delete_line_item(item["id"])
        assert service.line_items() == []


def test_roster_reads_every_page(app, live_server, http):
    assert launch(http, live_server.url, user="instructor").status_code == 200
    with app.app_context():
        course = _course(app)
        course.nrps_url = course.nrps_url + "?limit=1"  # force one member per page
        members = list(RosterService(db.session(), course).members())
        assert sorted(m["user_id"] for m in members) == sorted(
            u["sub"] for u in demo.USERS.values()
        )


def test_queued_score_is_delivered_and_survives_an_outage(app, live_server, http):
    assert launch(http, live_server.url, user="learner", link="").status_code == 200
    with app.app_context():
        session = db.session()
        link = session.scalars(select(ResourceLink)).one()
        user = session.scalars(select(User)).one()
        queue_score(
            session, resource_link_id=link.id, user_id=user.id, score_given=8, score_maximum=10
        )
        session.commit()
        course = _course(app)
        real_url = course.ags_lineitems_url
        # The platform is unreachable: nothing is lost, the row waits with its error.
        course.ags_lineitems_url = "http://127.0.0.1:9/nowhere/lineitems"
        session.commit()
        assert deliver_due(session) == (0, 1)
        row = session.scalars(select(GradeOutbox)).one()
        assert row.sent_at is None and row.attempts == 1 and row.last_error
        # Back online and due again: delivered exactly once.
        course.ags_lineitems_url = real_url
        row.next_attempt_at = row.timestamp
        session.commit()
        assert deliver_due(session) == (1, 0)
        assert deliver_due(session) == (0, 0)
        lineitem = session.get(ResourceLink, link.id).lineitem_url
        results = GradeService(session, course).results(lineitem)
        assert [(r["userId"], r["resultScore"]) for r in results] == [("demo-learner-1", 8)]


def test_access_tokens_are_cached_per_client_id(app, live_server, http):
    assert launch(http, live_server.url, user="learner").status_code == 200
    with app.app_context():
        session = db.session()
        first = session.scalars(select(Platform)).one()
        second = add_platform(
            session,
            PlatformInput(
                issuer=first.issuer,
                client_id="second-client",
                auth_login_url=first.auth_login_url,
                auth_token_url=first.auth_token_url,
                key_set_url=first.key_set_url,
                deployment_ids=("d2",),
            ),
        )
        conf = DatabaseToolConf(session)
        scopes = ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
        token_1 = LearnpassServiceConnector(conf.registration_for(first)).get_access_token(scopes)
        token_2 = LearnpassServiceConnector(conf.registration_for(second)).get_access_token(scopes)
        assert token_1 and token_2
        cached = session.scalars(
            select(KeyValue).where(KeyValue.key.startswith("lti-token:"))
        ).all()
        assert len(cached) == 2  # one per client id, never shared
        # A second call is served from the shared cache.
        assert (
            LearnpassServiceConnector(conf.registration_for(first)).get_access_token(scopes)
            == token_1
        )
