"""The matrix's learner rows (matrix_learners) equal a rebuild from the cells after each kind of
change (entries, identity links, training types, required trainings, enrolments, names, the
erase); the
matrix read from them shows what it shows from the cells; ``learnpass passport refresh-matrix``
repairs a damaged table; the migration fills it by the same rule."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, event, func, literal, select, update

from lti_tool.extensions import db
from lti_tool.jobs import registered_jobs
from lti_tool.models import Enrolment, User
from lti_tool.passports import course_matrix, matrix_learners
from lti_tool.passports.models import MatrixLearner, RequiredTraining, TrainingType
from lti_tool.upsert import insert_if_absent

from .test_matrix_states import TODAY, _mixed_course

COLUMNS = (MatrixLearner.course_id, MatrixLearner.user_id, MatrixLearner.family_name,
           MatrixLearner.name, MatrixLearner.found,
           MatrixLearner.valid, MatrixLearner.expiring, MatrixLearner.expired,
           MatrixLearner.next_expiry, MatrixLearner.next_expiring, MatrixLearner.as_of,
           MatrixLearner.warn_days)  # fmt: skip


def _table(session):
    return set(session.execute(select(*COLUMNS)).all())


def _rebuilt(session, today=None):
    """The rows as a rebuild from scratch writes them (the rule, read without writing)."""
    computed = matrix_learners.rows_from_cells(literal(True), today or dt.date.today()).subquery()
    names = [c.key for c in COLUMNS]
    return set(session.execute(select(*(computed.c[n] for n in names))).all())


def _assert_in_step(session, what):
    session.expire_all()
    table, rebuilt = _table(session), _rebuilt(session)
    assert table == rebuilt, (what, table ^ rebuilt)
    return table


def _learner_rows(session, course_id):
    return {
        row.user_id: row
        for row in session.scalars(
            select(MatrixLearner).where(MatrixLearner.course_id == course_id)
        )
    }


def test_rows_follow_every_kind_of_change(passport_app):
    from lti_tool.passports import erasure, identities, services

    course_id = _mixed_course(passport_app)
    with passport_app.app_context():
        session = db.session()
        table = _assert_in_step(session, "seeded")
        assert len({row[1] for row in table if row[0] == course_id}) >= 60
        assert any(row[5] and row[7] for row in table)  # valid and expired cells both counted
        by_code = {t.code: t for t in course_matrix.required_trainings(session, course_id)}
        users = list(session.scalars(select(User).where(User.sub.like("mx-%")).order_by(User.id)))
        lone = users[40]
        before = _learner_rows(session, course_id)[lone.id].found
        today = dt.date.today()
        entry = services.record_completion(
            session, user_id=lone.id, title="New", provider="p", modality="online",
            started_on=today, completed_on=today, hours=1, result="", competences=[],
            source="feed", source_ref="ml-new", training_type="MX-D",
        )  # fmt: skip
        _assert_in_step(session, "entry written")
        row = _learner_rows(session, course_id)[lone.id]
        assert row.valid >= 1 and row.found >= before
        entry.valid_until = today - dt.timedelta(days=1)
        session.commit()
        _assert_in_step(session, "entry changed")
        assert _learner_rows(session, course_id)[lone.id].expired >= 1
        session.delete(entry)
        session.commit()
        _assert_in_step(session, "entry deleted")
        # A link to someone outside the course gives the learner that person's entries.
        link = identities.link_identities(session, users[70].id, users[41].id, None)
        _assert_in_step(session, "identities linked")
        session.delete(link)
        session.commit()
        _assert_in_step(session, "link undone")
        by_code["MX-A"].validity_months = 3
        session.commit()
        _assert_in_step(session, "period changed")
        # A name changed (a launch, the roster): the matrix's order follows.
        lone.family_name = "Aaaa"
        session.commit()
        assert _learner_rows(session, course_id)[lone.id].family_name == "Aaaa"
        _assert_in_step(session, "name changed")
        # Required trainings: through the trainer's form (a bulk delete), one added by the ORM.
        course_matrix.set_required_trainings(
            session, course_id, [by_code["MX-A"].id, by_code["MX-B"].id]
        )
        _assert_in_step(session, "required trainings set")
        session.add(RequiredTraining(course_id=course_id, training_type_id=by_code["MX-C"].id))
        session.commit()
        _assert_in_step(session, "required training added")
        session.delete(session.get(TrainingType, by_code["MX-C"].id))
        session.commit()
        _assert_in_step(session, "required type deleted")
        # Enrolments: by a launch or roster (the upsert), by the ORM, a role changed, deleted.
        outsider, another = users[75], users[76]
        values = {"course_id": course_id, "user_id": outsider.id, "role": "learner"}
        assert insert_if_absent(session, Enrolment, {**values, "lti_roles": []})
        session.commit()
        assert outsider.id in _learner_rows(session, course_id)
        _assert_in_step(session, "enrolled by upsert")
        session.add(Enrolment(course_id=course_id, user_id=another.id, role="learner",
                              lti_roles=[]))  # fmt: skip
        session.commit()
        _assert_in_step(session, "enrolled by the ORM")
        enrolment = session.scalars(select(Enrolment).where(Enrolment.user_id == another.id)).one()
        enrolment.role = "instructor"
        session.commit()
        assert another.id not in _learner_rows(session, course_id)
        _assert_in_step(session, "role changed")
        session.delete(enrolment)
        session.commit()
        _assert_in_step(session, "enrolment deleted")
        # The erase deletes the rows of the person and of the identity linked to them.
        assert session.scalar(
            select(func.count())
            .select_from(MatrixLearner)
            .where(MatrixLearner.user_id == users[0].id)
        )
        erasure.erase_learner(session, users[0].id, actor_id=None, base_url="https://tool.test")
        left = session.scalar(
            select(func.count())
            .select_from(MatrixLearner)
            .where(MatrixLearner.user_id.in_([users[0].id, users[1].id]))
        )
        assert left == 0
        _assert_in_step(session, "erased")


def _shown(matrix):
    return (
        [(r.learner.id, [(c.state, c.valid_until) for c in r.cells]) for r in matrix.rows],
        matrix.counts(),
        matrix.total,
        matrix.first,
    )


def test_the_matrix_reads_the_rows_as_it_reads_the_cells(passport_app):
    course_id = _mixed_course(passport_app)
    with passport_app.app_context():
        session = db.session()
        type_ids = [t.id for t in course_matrix.required_trainings(session, course_id)]
        matrix_learners.refresh_all(session, today=TODAY)
        session.commit()
        asks = [
            {"state": state, "training_type_id": type_id, "page": page, "page_size": 7}
            for state in (None, *course_matrix.MATRIX_STATES)
            for type_id in (None, type_ids[0], 999_999)
            for page in (None, 1, 3)
        ]
        # Some rows hold on TODAY, others (a cell changing state soon after) do not.
        days = (TODAY, TODAY + dt.timedelta(days=20))
        read = {
            (day, i): _shown(course_matrix.training_matrix(session, course_id, today=day, **ask))
            for day in days
            for i, ask in enumerate(asks)
        }
        rows = _learner_rows(session, course_id)
        held = session.scalar(
            select(func.count())
            .select_from(MatrixLearner)
            .where(MatrixLearner.course_id == course_id, matrix_learners.fresh(days[1], 60))
        )
        assert 0 < held < len(rows)
        session.execute(delete(MatrixLearner))
        for (day, i), shown in read.items():
            from_cells = course_matrix.training_matrix(session, course_id, today=day, **asks[i])
            assert _shown(from_cells) == shown, (day, asks[i])
        session.rollback()
        # The rows are what is read: a damaged one shows (the repair below puts it right).
        session.execute(update(MatrixLearner).values(expired=0, valid=0, expiring=0, found=0))
        damaged = course_matrix.training_matrix(session, course_id, today=TODAY)
        assert damaged.counts()["missing"] == damaged.total * len(type_ids)
        session.rollback()


def test_the_command_repairs_a_damaged_table(passport_app):
    course_id = _mixed_course(passport_app)
    with passport_app.app_context():
        session = db.session()
        kept = _assert_in_step(session, "seeded")
        some = sorted(_learner_rows(session, course_id))[:10]
        session.execute(delete(MatrixLearner).where(MatrixLearner.user_id.in_(some[:5])))
        session.execute(
            update(MatrixLearner).where(MatrixLearner.user_id.in_(some[5:])).values(valid=99)
        )
        session.execute(
            MatrixLearner.__table__.insert().values(
                course_id=course_id, user_id=session.scalar(select(func.max(User.id))),
                found=1, valid=1, expiring=0, expired=0, as_of=TODAY, warn_days=60,
            )
        )  # fmt: skip
        session.commit()
        assert _table(session) != kept
    result = passport_app.test_cli_runner().invoke(args=["passport", "refresh-matrix"])
    assert result.exit_code == 0, result.output
    assert f"{len(kept)} matrix row(s) written" in result.output
    with passport_app.app_context():
        assert _assert_in_step(db.session(), "repaired") == kept
    assert "passport-matrix" in [job.name for job in registered_jobs()]


def test_the_daily_repair_commits_a_slice_of_courses_at_a_time(passport_app, monkeypatch):
    """The repair never holds every course's lock at once: one transaction per slice."""
    from lti_tool.models import Course

    course_id = _mixed_course(passport_app)
    monkeypatch.setattr(matrix_learners, "COURSES_PER_TRANSACTION", 1)
    with passport_app.app_context():
        session = db.session()
        platform_id = session.get(Course, course_id).platform_id
        session.add_all(
            Course(platform_id=platform_id, context_id=f"other-{n}", title=f"Other {n}")
            for n in range(2)
        )
        session.commit()
        kept = _assert_in_step(session, "seeded")
        courses = session.scalar(select(func.count()).select_from(Course))
        session.execute(delete(MatrixLearner))
        session.commit()
        commits = []

        def count(_connection):
            commits.append(1)

        event.listen(db.engine, "commit", count)
        try:
            matrix_learners.refresh_all(session, today=dt.date.today())
        finally:
            event.remove(db.engine, "commit", count)
        assert courses >= 3 and len(commits) >= courses
        assert _assert_in_step(session, "rebuilt") == kept


def test_the_migration_fills_the_rows_as_the_app_keeps_them(passport_app):
    import importlib.util
    from pathlib import Path

    path = next(Path("migrations/versions").glob("*_passport_matrix_learners.py"))
    spec = importlib.util.spec_from_file_location("matrix_learners_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    _mixed_course(passport_app)
    with passport_app.app_context():
        session = db.session()
        kept = _assert_in_step(session, "seeded")
        session.execute(delete(MatrixLearner))
        migration.fill(session.connection(), dt.date.today())
        assert _table(session) == kept
        session.rollback()
