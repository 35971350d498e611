"""The matrix's counts, filters and pages come from the database (matrix_states); the cells of
the rows shown come from course_matrix.learner_cells in Python. Both follow one rule: on a mixed
course (linked identities in and outside the course, entries that carry the competence a
training asks for, month ends, unknown dates, entries never expiring, pending ones) they agree
for every filter, warning period and page."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, literal, select, union_all

from lti_tool.extensions import db
from lti_tool.models import Course, Enrolment, Platform, User
from lti_tool.passports import course_matrix, validity
from lti_tool.passports.matrix_states import add_months
from lti_tool.passports.models import (
    Competence,
    IdentityLink,
    PassportEntry,
    RequiredTraining,
    TrainingType,
    entry_competence,
)

TODAY = dt.date(2026, 3, 31)


def test_months_are_added_as_validity_add_months_does(passport_app):
    days = [dt.date(year, month, 1) - dt.timedelta(days=back)
            for year in (2023, 2024, 2025) for month in range(1, 13) for back in (1, 2, 3, 4)]  # fmt: skip
    cases = [(day, months) for day in days for months in (1, 11, 12, 13, 24, 36)]
    with passport_app.app_context():
        session = db.session()
        for start in range(0, len(cases), 100):
            part = cases[start : start + 100]
            found = session.execute(
                union_all(
                    *(
                        select(literal(i), add_months(literal(day), literal(months)))
                        for i, (day, months) in enumerate(part)
                    )
                )
            ).all()
            got = {i: value for i, value in found}
            for i, (day, months) in enumerate(part):
                assert got[i] == validity.add_months(day, months), (day, months)


def _mixed_course(app) -> int:
    """Sixty learners with random entries in the demo course; returns the course id."""
    rng = random.Random(17)
    with app.app_context():
        session = db.session()
        platform = session.scalars(select(Platform)).first()
        course = session.scalars(select(Course)).first()
        competences = list(session.scalars(select(Competence.id).limit(2)))
        types = [
            TrainingType(code="MX-A", name="Mx A", validity_months=12, platform_id=platform.id,
                         competence_id=competences[0]),
            TrainingType(code="MX-B", name="Mx B", validity_months=None, platform_id=platform.id,
                         competence_id=competences[0]),
            TrainingType(code="MX-C", name="Mx C", validity_months=1, platform_id=platform.id,
                         competence_id=competences[1]),
            TrainingType(code="MX-D", name="Mx D", validity_months=24, platform_id=platform.id),
        ]  # fmt: skip
        session.add_all(types)
        session.flush()
        session.execute(
            insert(RequiredTraining),
            [{"course_id": course.id, "training_type_id": t.id} for t in types],
        )
        person = {"issuer": platform.issuer, "client_id": platform.client_id,
                  "platform_id": platform.id}  # fmt: skip
        users = [
            User(**person, sub=f"mx-{i}", name=f"Mixed {i:02d}", family_name=rng.choice("ABC"))
            for i in range(80)
        ]
        session.add_all(users)
        session.flush()
        enrolled = users[:60]  # the last 20 are people outside the course
        session.add_all(
            Enrolment(course_id=course.id, user_id=u.id, role="learner", lti_roles=[])
            for u in enrolled
        )
        # Links: within the course, from the course to people outside it, and to a primary
        # outside the course.
        for primary, linked in [(0, 1), (2, 60), (3, 61), (62, 4), (62, 5), (63, 6)]:
            session.add(IdentityLink(primary_user_id=users[primary].id,
                                     linked_user_id=users[linked].id))  # fmt: skip
        dates = [dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2024, 2, 29),
                 dt.date(2026, 3, 31), dt.date(2025, 4, 30), None]  # fmt: skip
        for user in users:
            for _ in range(rng.randint(0, 5)):
                done = rng.choice(dates)
                if done is not None and rng.random() < 0.7:
                    done -= dt.timedelta(days=rng.randint(0, 400))
                kind = rng.choice([*types, None])
                until = rng.choice([None, TODAY, TODAY + dt.timedelta(days=rng.randint(-400, 400))])
                entry = PassportEntry(
                    user_id=user.id, title="x", provider="p", modality="online",
                    completed_on=done, started_on=done, training_type_id=kind and kind.id,
                    valid_until=until,
                    status=rng.choice(["approved", "approved", "approved", "proposed"]),
                    source="manual",
                )  # fmt: skip
                session.add(entry)
                session.flush()
                for competence in rng.sample(competences, rng.randint(0, 2)):
                    session.execute(
                        insert(entry_competence),
                        {"entry_id": entry.id, "competence_id": competence},
                    )
        session.commit()
        return course.id


def _expected(session, course_id, warn_days, state, type_id):
    """Rows and counts as the matrix computed them in Python before matrix_states."""
    trainings = course_matrix.required_trainings(session, course_id)
    shown = (
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
    )
    learners = list(session.scalars(shown.order_by(*course_matrix.LEARNER_ORDER)))
    ids = shown.with_only_columns(User.id).order_by(None)
    cells = course_matrix.learner_cells(session, learners, ids, trainings, TODAY, warn_days)
    columns = [i for i, t in enumerate(trainings) if not type_id or t.id == type_id]
    rows = [
        learner
        for learner in learners
        if not (state or type_id)
        or any(not state or cells[learner.id][i].state == state for i in columns)
    ]
    counts = dict.fromkeys(course_matrix.MATRIX_STATES, 0)
    for learner in rows:
        for cell in cells[learner.id]:
            counts[cell.state] += 1
    return [(r.id, [(c.state, c.valid_until) for c in cells[r.id]]) for r in rows], counts


def test_database_counts_filters_and_pages_agree_with_the_cells(passport_app):
    course_id = _mixed_course(passport_app)
    with passport_app.app_context():
        session = db.session()
        type_ids = [t.id for t in course_matrix.required_trainings(session, course_id)]
        assert len(type_ids) >= 4
        for warn_days in (30, 400):
            for state in (None, *course_matrix.MATRIX_STATES):
                for type_id in (None, *type_ids, 999_999):
                    rows, counts = _expected(session, course_id, warn_days, state, type_id)
                    asked = {"today": TODAY, "warn_days": warn_days, "state": state,
                             "training_type_id": type_id}  # fmt: skip
                    whole = course_matrix.training_matrix(session, course_id, **asked)
                    got = [
                        (r.learner.id, [(c.state, c.valid_until) for c in r.cells])
                        for r in whole.rows
                    ]
                    where = (warn_days, state, type_id)
                    assert got == rows, where
                    assert whole.counts() == counts, where
                    assert whole.total == len(rows), where
                    paged = course_matrix.training_matrix(
                        session, course_id, page=2, page_size=7, **asked
                    )
                    expected_page = rows[7:14] if len(rows) > 7 else rows[:7]
                    assert [r.learner.id for r in paged.rows] == [r[0] for r in expected_page]
                    assert paged.counts() == counts and paged.total == len(rows), where
        # Every state occurs, so the comparison above covered each.
        assert all(
            course_matrix.training_matrix(session, course_id, today=TODAY, state=s).rows
            for s in course_matrix.MATRIX_STATES
        )
