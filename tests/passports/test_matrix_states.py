"""The matrix's counts, filters and pages come from the database (matrix_states) and its cells
from the stored cells (matrix_cells); cell_reference.learner_cells computes the same rule from
the entries in Python. They agree: on a mixed course (linked identities in and outside the course, entries that carry the competence a
training asks for, month ends, unknown dates, entries never expiring, pending ones) they agree
for every filter, warning period and page."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import delete, func, insert, literal, select, text, union_all

from lti_tool.extensions import db
from lti_tool.models import Course, Enrolment, Platform, User
from lti_tool.passports import course_matrix, validity
from lti_tool.passports.matrix_states import add_months
from lti_tool.passports.models import (
    Competence,
    IdentityLink,
    PassportEntry,
    RequiredTraining,
    StoredCell,
    TrainingType,
    entry_competence,
)

from . import cell_reference

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
        platform = session.scalars(select(Platform).order_by(Platform.id)).first()
        course = session.scalars(select(Course).order_by(Course.id)).first()
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
    cells = cell_reference.learner_cells(session, learners, ids, trainings, TODAY, warn_days)
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


def _all_cells(session, today, warn_days=30):
    """Every person's stored and computed cells for every training type."""
    people = list(session.scalars(select(User).order_by(User.id)))
    ids = select(User.id)
    types = list(session.scalars(select(TrainingType).order_by(TrainingType.id)))
    stored = course_matrix.stored_cells(session, people, ids, types, today, warn_days)
    computed = cell_reference.learner_cells(session, people, ids, types, today, warn_days)

    def plain(cells):
        return {uid: [(c.state, c.valid_until) for c in row] for uid, row in cells.items()}

    return plain(stored), plain(computed)


def _assert_in_step(session, what, today=TODAY):
    session.expire_all()
    stored, computed = _all_cells(session, today)
    wrong = {
        uid: [(a, b) for a, b in zip(cells, computed[uid], strict=True) if a != b]
        for uid, cells in stored.items()
        if cells != computed[uid]
    }
    assert not wrong, (what, wrong)
    return stored


def test_stored_cells_follow_every_kind_of_change(passport_app):
    """The stored cells equal the cells computed from the entries after each kind of change."""
    from lti_tool.passports import erasure, identities, services

    course_id = _mixed_course(passport_app)
    with passport_app.app_context():
        session = db.session()
        _assert_in_step(session, "seeded")
        by_code = {t.code: t for t in course_matrix.required_trainings(session, course_id)}
        types = [by_code[code] for code in ("MX-A", "MX-B", "MX-C", "MX-D")]
        users = list(session.scalars(select(User).where(User.sub.like("mx-%")).order_by(User.id)))
        lone = users[40]  # in the course, no link
        # An entry written by a feed (and its competences), then corrected, rejected, deleted.
        done = TODAY - dt.timedelta(days=3)
        entry = services.record_completion(
            session, user_id=lone.id, title="New", provider="p", modality="online",
            started_on=done, completed_on=done, hours=1, result="", competences=[],
            source="feed", source_ref="mx-new", training_type="MX-D",
        )  # fmt: skip
        stored = _assert_in_step(session, "entry written")
        column = [t.id for t in _types(session)].index(types[3].id)
        assert stored[lone.id][column] == ("valid", dt.date(2028, 3, 28))
        entry.valid_until = TODAY - dt.timedelta(days=1)
        session.commit()
        _assert_in_step(session, "entry changed")
        competence = types[2].competence_id
        entry.competences = list(
            session.scalars(select(Competence).where(Competence.id == competence))
        )
        session.commit()
        _assert_in_step(session, "entry's competences changed")
        entry.status = "rejected"
        session.commit()
        _assert_in_step(session, "entry rejected")
        session.delete(entry)
        session.commit()
        _assert_in_step(session, "entry deleted")
        # Identity links made and undone.
        link = identities.link_identities(session, users[50].id, users[70].id, None)
        _assert_in_step(session, "identities linked")
        session.delete(link)
        session.commit()
        _assert_in_step(session, "link undone")
        # A training type's period and competence changed, then the type deleted.
        types[0].validity_months = 3
        session.commit()
        _assert_in_step(session, "period changed")
        types[1].competence_id = types[2].competence_id
        session.commit()
        _assert_in_step(session, "competence changed")
        types[2].competence_id = None
        session.commit()
        _assert_in_step(session, "competence removed")
        session.delete(types[3])
        session.commit()
        _assert_in_step(session, "type deleted")
        # The day passing: the stored dates give the state of another day.
        for later in (TODAY + dt.timedelta(days=40), TODAY + dt.timedelta(days=800)):
            _assert_in_step(session, f"on {later}", today=later)
        # The course's required trainings changed: the matrix still agrees with the rule.
        course_matrix.set_required_trainings(session, course_id, [types[0].id, types[1].id])
        for state in (None, *course_matrix.MATRIX_STATES):
            rows, counts = _expected(session, course_id, 30, state, None)
            got = course_matrix.training_matrix(
                session, course_id, today=TODAY, warn_days=30, state=state
            )
            assert [
                (r.learner.id, [(c.state, c.valid_until) for c in r.cells]) for r in got.rows
            ] == rows
            assert got.counts() == counts
        # The erase reaches the cells of the person and of every identity linked to them.
        linked = session.get(User, users[1].id)  # linked to users[0]
        assert session.scalar(
            select(func.count()).select_from(StoredCell).where(StoredCell.user_id == linked.id)
        )
        erasure.erase_learner(session, users[0].id, actor_id=None, base_url="https://tool.test")
        left = session.scalar(
            select(func.count())
            .select_from(StoredCell)
            .where(StoredCell.user_id.in_([users[0].id, users[1].id]))
        )
        assert left == 0
        _assert_in_step(session, "erased")


def _types(session):
    return list(session.scalars(select(TrainingType).order_by(TrainingType.id)))


def test_the_migration_fills_the_cells_as_the_app_keeps_them(passport_app):
    """The migration's SQL fill gives the rows matrix_cells keeps (same rule, same ties)."""
    import importlib.util
    from pathlib import Path

    path = next(Path("migrations/versions").glob("*_passport_matrix_cells.py"))
    spec = importlib.util.spec_from_file_location("matrix_cells_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    _mixed_course(passport_app)
    with passport_app.app_context():
        session = db.session()
        columns = (StoredCell.user_id, StoredCell.training_type_id, StoredCell.valid_until,
                   StoredCell.completed_on)  # fmt: skip
        kept = set(session.execute(select(*columns)).all())
        assert len(kept) > 100
        session.execute(delete(StoredCell))
        dialect = session.get_bind().dialect.name
        never = migration.NEVER if dialect == "sqlite" else f"DATE {migration.NEVER}"
        fill = migration.FILL.format(never=never, add_months=migration.ADD_MONTHS[dialect])
        session.execute(text(fill))
        assert set(session.execute(select(*columns)).all()) == kept
        session.rollback()
