"""The trainer home's first learners of a course are the same whether the course is sorted
(a small course) or read from the family-name index (a course over ``SORTED_UP_TO``), and the
proposals the home lists are those of the trainer's own learners only."""

from __future__ import annotations

from lti_tool.extensions import db
from lti_tool.models import Course, Enrolment, User
from lti_tool.passports import roster
from lti_tool.passports.models import PassportEntry

from .conftest import sign_in


def _course_with_learners(app, how_many: int) -> int:
    with app.app_context():
        session = db.session()
        course = session.query(Course).first()
        # Family names out of id order, some equal (then the name, then the id decide).
        users = [
            User(
                issuer="https://lms.example",
                client_id="c",
                sub=f"home-{i}",
                account_name=f"home-{i}",
                name=f"Home {i % 7}",
                family_name=f"F{(i * 37) % 11:02d}",
                platform_id=course.platform_id,
            )
            for i in range(how_many)
        ]
        session.add_all(users)
        session.flush()
        session.add_all(Enrolment(course_id=course.id, user_id=u.id, role="learner") for u in users)
        session.commit()
        return course.id


def test_index_and_sort_give_the_same_first_learners(passport_app, monkeypatch):
    course_id = _course_with_learners(passport_app, 60)
    with passport_app.app_context():
        session = db.session()
        count = roster.course_learner_count(session, course_id)
        sorted_ids = [u.id for u in roster.first_learners(session, course_id, 25, count)]
        monkeypatch.setattr(roster, "SORTED_UP_TO", 0)
        indexed_ids = [u.id for u in roster.first_learners(session, course_id, 25, count)]
        expected = [u.id for u in roster.course_learners(session, course_id, 25)]
    assert count > 60
    assert sorted_ids == indexed_ids == expected
    assert len(expected) == 25


def test_home_lists_only_the_trainers_own_proposals(passport_app):
    app = passport_app
    trainer = app.test_client()
    ctx = sign_in(app, trainer, "instructor")
    with app.app_context():
        session = db.session()
        course = session.get(Course, ctx.course_id)
        mine = User(issuer="i", client_id="c", sub="mine", name="Mine Learner")
        other = User(issuer="i", client_id="c", sub="other", name="Other Learner")
        session.add_all([mine, other])
        session.flush()
        session.add(Enrolment(course_id=course.id, user_id=mine.id, role="learner"))
        session.add_all(
            [
                PassportEntry(user_id=mine.id, title="Mine proposed", status="proposed"),
                PassportEntry(user_id=other.id, title="Other proposed", status="proposed"),
            ]
        )
        session.commit()
    page = trainer.get("/passport/trainer/").get_data(as_text=True)
    assert "Mine proposed" in page
    assert "Other proposed" not in page
