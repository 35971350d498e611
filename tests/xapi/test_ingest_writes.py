"""What a batch writes: an activity's definition only when it changed, and every row of a batch
whatever the database (PostgreSQL takes them as one JSON text per table)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, func, select

from lti_tool.extensions import db
from xapi import tables
from xapi.store import StatementQuery, StatementStore

from .builders import agent, statement

LESSON = "http://example.org/activities/lesson-1"
COURSE = "http://example.org/activities/course-1"


def about(name: dict[str, str], course: dict[str, str] | None = None) -> dict[str, Any]:
    context = {
        "contextActivities": {"parent": [{"id": COURSE, "definition": {"name": course or {}}}]}
    }
    return statement(
        id=str(uuid.uuid4()),
        object={"id": LESSON, "definition": {"name": name}},
        context=context,
    )


@contextmanager
def activity_writes() -> Iterator[list[str]]:
    seen: list[str] = []

    def remember(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if sql.lstrip().upper().startswith(("UPDATE XAPI_ACTIVITY", "INSERT INTO XAPI_ACTIVITY ")):
            seen.append(sql.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)


def test_a_known_definition_is_written_only_when_the_merge_changes_it(app: Any) -> None:
    with app.app_context():
        store = StatementStore(db.session())
        with activity_writes() as writes:
            store.save([about({"en-US": "Lesson"}, {"en-US": "Course"})], authority=None)
        assert writes == ["INSERT"]
        with activity_writes() as writes:
            store.save(
                [about({"en-US": "Lesson"}, {"en-US": "Course"}) for _ in range(3)], authority=None
            )
        assert writes == []
        with activity_writes() as writes:
            store.save([about({"nl": "Les"}), about({"en-US": "Lesson"})], authority=None)
        assert writes == ["UPDATE"]
        assert store.activity(LESSON)["definition"]["name"] == {"en-US": "Lesson", "nl": "Les"}
        assert store.activity(COURSE)["definition"]["name"] == {"en-US": "Course"}


def test_every_row_of_a_large_batch_is_stored_and_indexed(app: Any) -> None:
    with app.app_context():
        store = StatementStore(db.session())
        batch = [
            statement(
                id=str(uuid.uuid4()),
                actor=agent(f"p{n % 7}"),
                object={"id": f"http://example.org/activities/{n % 11}"},
                context={"registration": str(uuid.uuid4())},
            )
            for n in range(250)
        ]
        ids = store.save(batch, authority=None)
        db.session.commit()
        count = db.session.execute(select(func.count()).select_from(tables.statements)).scalar()
        assert count == 250
        page, _ = store.query(StatementQuery(activity="http://example.org/activities/3", limit=0))
        assert {s["id"] for s in page} == {i for n, i in enumerate(ids) if n % 11 == 3}
        registration = batch[17]["context"]["registration"]
        page, _ = store.query(StatementQuery(registration=registration))
        assert [s["id"] for s in page] == [ids[17]]


def test_a_changed_type_or_extension_is_written(app: Any) -> None:
    """Keys other than name and description are replaced, and a number of another type (1 vs
    1.0) is a change, as the stored JSON text would differ."""
    lesson = {"id": LESSON, "definition": {"type": "http://example.org/types/a"}}
    with app.app_context():
        store = StatementStore(db.session())
        store.save([statement(id=str(uuid.uuid4()), object=lesson)], authority=None)
        with activity_writes() as writes:
            store.save([statement(id=str(uuid.uuid4()), object=lesson)], authority=None)
        assert writes == []
        for definition in (
            {"type": "http://example.org/types/b"},
            {"extensions": {"http://example.org/x": 1}},
            {"extensions": {"http://example.org/x": 1.0}},
        ):
            changed = {"id": LESSON, "definition": definition}
            with activity_writes() as writes:
                store.save([statement(id=str(uuid.uuid4()), object=changed)], authority=None)
            assert writes == ["UPDATE"], definition
        held = store.activity(LESSON)["definition"]
        assert held["type"] == "http://example.org/types/b"
        assert held["extensions"] == {"http://example.org/x": 1.0}


def test_the_columns_read_back_as_they_were_written(app: Any) -> None:
    """Times, flags and text columns go in the way the SQLAlchemy types write them (SQLite
    takes a batch's rows without SQLAlchemy processing each one)."""
    with app.app_context():
        store = StatementStore(db.session())
        voided_id = str(uuid.uuid4())
        store.save(
            [
                statement(
                    id=str(uuid.uuid4()),
                    verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
                    object={"objectType": "StatementRef", "id": voided_id},
                ),
                statement(id=voided_id, timestamp="2026-03-04T05:06:07.891+02:00"),
            ],
            authority=None,
        )
        db.session.commit()
        s = tables.statements.c
        row = db.session.execute(
            select(s.stored, s.timestamp, s.voided, s.object_type).where(
                s.statement_id == voided_id
            )
        ).one()
        stored = store.get(voided_id, voided=True)
        assert stored is not None
        assert row.voided is True and row.object_type == "Activity"
        assert utc(row.timestamp) == datetime(2026, 3, 4, 3, 6, 7, 891000, tzinfo=UTC)
        assert utc(row.stored) == datetime.fromisoformat(stored["stored"].replace("Z", "+00:00"))
        page, _ = store.query(StatementQuery(since=row.stored - timedelta(seconds=1)))
        assert [st["id"] for st in page]  # the voiding statement, found by its stored time


def utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes (UTC), PostgreSQL aware ones in the session's zone.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
