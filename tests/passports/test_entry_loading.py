"""A passport's entries come with their training type and competences, the competences in the
order they were linked (as the pages have always shown them), and reading them again issues no
statement per entry; the records hold every column of the table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, insert, select

from lti_tool.extensions import db
from lti_tool.passports.entry_loading import ENTRY_COLUMNS, EntryRecord, person_entries
from lti_tool.passports.models import Competence, PassportEntry, TrainingType, entry_competence

from .conftest import launch_context, sign_in


def test_competences_in_the_order_they_were_linked(passport_app):
    user_id = launch_context(passport_app, "learner").user_id
    with passport_app.app_context():
        session = db.session()
        competences = list(session.scalars(select(Competence.id).order_by(Competence.id).limit(3)))
        kind = session.scalars(select(TrainingType).order_by(TrainingType.id)).first()
        entry = PassportEntry(
            user_id=user_id,
            title="Linked backwards",
            completed_on=dt.date(2026, 1, 2),
            training_type_id=kind.id,
        )
        session.add(entry)
        session.flush()
        linked = [competences[2], competences[0], competences[1]]  # not in id order
        for competence_id in linked:
            session.execute(
                insert(entry_competence), {"entry_id": entry.id, "competence_id": competence_id}
            )
        session.commit()
        entry_id, kind_name = entry.id, kind.name
        session.expunge_all()
        rows = {e.id: e for e in person_entries(session, [user_id])}
        loaded = rows[entry_id]
        assert [c.id for c in loaded.competences] == linked
        assert loaded.training_type is not None and loaded.training_type.name == kind_name
        assert loaded.certificate is None
    with passport_app.test_client() as client:
        sign_in(passport_app, client, "learner")
        with passport_app.app_context():
            names = {
                c.id: c.shortname
                for c in db.session.scalars(select(Competence).where(Competence.id.in_(linked)))
            }
        page = client.get("/passport/?all=1").get_data(as_text=True)
    assert ", ".join(names[c] for c in linked) in page


def test_an_entry_without_a_type_or_certificate_reads_none_without_a_statement(passport_app):
    """Nothing of a record is loaded when it is read: no statement per entry."""
    user_id = launch_context(passport_app, "learner").user_id
    with passport_app.app_context():
        session = db.session()
        session.add_all(
            PassportEntry(user_id=user_id, title=f"Untyped {i}", completed_on=dt.date(2026, 1, i))
            for i in range(1, 4)
        )
        session.commit()
        session.expunge_all()
        untyped = [e for e in person_entries(session, [user_id]) if e.training_type_id is None]
        assert len(untyped) >= 3
        statements: list[str] = []

        def keep(_conn, _cursor, statement, *_rest) -> None:
            statements.append(statement)

        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", keep)
        try:
            assert all(e.training_type is None and e.certificate is None for e in untyped)
            assert all(isinstance(e.competences, list) for e in untyped)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        assert statements == []


def test_a_record_holds_every_column_of_the_table_with_its_value(passport_app):
    """A column added to passport_entry must be added to EntryRecord too (pages read records)."""
    assert sorted(ENTRY_COLUMNS) == sorted(c.key for c in PassportEntry.__table__.columns)
    user_id = launch_context(passport_app, "learner").user_id
    with passport_app.app_context():
        session = db.session()
        entries = {e.id: e for e in session.scalars(select(PassportEntry))}
        records = person_entries(session, [user_id])
        assert records and all(isinstance(r, EntryRecord) for r in records)
        for record in records:
            entry = entries[record.id]
            for name in ENTRY_COLUMNS:
                assert getattr(record, name) == getattr(entry, name), name
            assert record.training_type is entry.training_type
            assert [c.id for c in record.competences] == [c.id for c in entry.competences]


def test_an_entry_added_in_the_session_is_read_before_the_commit(passport_app):
    """The records are read with the session's pending changes flushed, as an ORM query reads."""
    user_id = launch_context(passport_app, "learner").user_id
    with passport_app.app_context():
        session = db.session()
        session.add(PassportEntry(user_id=user_id, title="Not yet committed"))
        assert "Not yet committed" in [r.title for r in person_entries(session, [user_id])]
        session.rollback()
