"""Two transactions that change one person's entries at once (a trainer's entry while a package's
result is recorded, on two instances) both commit, and the stored matrix cells end with both
entries. PostgreSQL only: SQLite lets one writer at a time in, so the two never overlap there."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from lti_tool.extensions import db
from lti_tool.models import Platform, User
from lti_tool.passports import matrix_cells
from lti_tool.passports.models import PassportEntry, StoredCell, TrainingType

DONE = dt.date(2026, 3, 1)


def _entry(user_id: int, training: TrainingType, until: dt.date) -> PassportEntry:
    return PassportEntry(
        user_id=user_id, title=training.name, provider="p", modality="classroom",
        completed_on=DONE, valid_until=until, hours=1, training_type_id=training.id,
        status="approved", source="trainer",
    )  # fmt: skip


def _cells(session: Session, user_id: int) -> dict[int, dt.date]:
    rows = session.execute(
        select(StoredCell.training_type_id, StoredCell.valid_until).where(
            StoredCell.user_id == user_id
        )
    )
    return {type_id: until for type_id, until in rows}


def _wait_until_blocked(engine: Any, deadline: float) -> None:
    """Until another connection waits for a lock (the second transaction reached the cells)."""
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
            if waiting:
                return
            conn.rollback()
            time.sleep(0.05)  # polling a condition, not waiting for time to pass
    raise AssertionError("the second transaction never reached the cells")


def test_two_transactions_changing_one_person_both_land_in_the_cells(passport_app: Any) -> None:
    engine = db.engine
    assert engine is not None
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: two transactions never overlap")
    with passport_app.app_context(), Session(engine) as setup:
        platform = setup.scalars(select(Platform).order_by(Platform.id)).first()
        assert platform is not None
        person = User(issuer=platform.issuer, client_id=platform.client_id,
                      platform_id=platform.id, sub="race-1", name="Race")  # fmt: skip
        first = TrainingType(code="RACE-A", name="Race A", platform_id=platform.id)
        second = TrainingType(code="RACE-B", name="Race B", platform_id=platform.id)
        setup.add_all([person, first, second])
        setup.flush()
        setup.add(_entry(person.id, first, dt.date(2027, 1, 1)))
        setup.commit()
        uid, first_id, second_id = person.id, first.id, second.id
        assert _cells(setup, uid) == {first_id: dt.date(2027, 1, 1)}

    failures: list[BaseException] = []

    def other_instance() -> None:
        try:
            with Session(engine) as other:
                training = other.get(TrainingType, second_id)
                assert training is not None
                other.add(_entry(uid, training, dt.date(2028, 1, 1)))
                other.commit()
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    with Session(engine) as one:
        training = one.get(TrainingType, first_id)
        assert training is not None
        one.add(_entry(uid, training, dt.date(2029, 1, 1)))
        one.flush()
        matrix_cells.refresh(one, [uid])  # what its commit does first: the cells are now its own
        thread = threading.Thread(target=other_instance)
        thread.start()
        _wait_until_blocked(engine, time.monotonic() + 240)
        one.commit()
    thread.join(240)
    assert not thread.is_alive()
    assert not failures, failures
    with Session(engine) as check:
        assert _cells(check, uid) == {first_id: dt.date(2029, 1, 1), second_id: dt.date(2028, 1, 1)}
