"""The ``catalogue-seats`` job: dates linked to a blended session follow its bookings, days and
place; a turn with nothing new writes nothing; a deleted session leaves the date as it was; the
public search's filters follow."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text

from lti_tool.blended import booking
from lti_tool.blended.session_models import BlendedSession, BlendedSessionDay
from lti_tool.catalogue import offers
from lti_tool.catalogue.models import (
    LANGUAGES,
    CatalogueOffer,
    CatalogueOfferDate,
    CatalogueOfferSearch,
)
from lti_tool.catalogue.search import OfferQuery, search_offers
from lti_tool.catalogue.seat_refresh import LOCK_KEY, Refreshed, refresh_linked_dates
from lti_tool.extensions import db
from lti_tool.jobs import registered_jobs
from tests.blended.session_helpers import make_session, people, user

from .helpers import TODAY, provider

NOW = dt.datetime(2030, 1, 1, 12, 0)


@pytest.fixture
def linked(app: Any) -> dict[str, int]:
    """A session of 2 seats on 5 March 2030, and a published offer with a date linked to it."""
    ids = people(app)
    with app.app_context():
        s = db.session()
        blended = make_session(s, ids["trainer"], capacity=2)
        owner = provider(s)
        data = offers.OfferInput(
            titles={"nl": "Veilig steigerbouw"},
            format="classroom",
            languages=["nl"],
            dates=[offers.DateInput(kind="session", session_id=blended.id, city="Gent")],
        )
        made = offers.create_offer(s, owner.id, data, None, platform_id=blended.platform_id)
        offers.publish_offer(s, made, user_id=None, today=TODAY)
        s.commit()
        return {**ids, "session": blended.id, "offer": made.id}


def _date(offer_id: int) -> CatalogueOfferDate:
    found = db.session().scalar(
        select(CatalogueOfferDate).where(CatalogueOfferDate.offer_id == offer_id)
    )
    assert found is not None
    return found


def _turn() -> Any:
    done = refresh_linked_dates(db.session(), TODAY)
    db.session.remove()
    return done


def _found(**fields: Any) -> list[int]:
    page = search_offers(db.session(), OfferQuery(today=TODAY, language="nl", **fields))
    return [hit.offer_id for hit in page.hits]


def test_the_job_is_registered_every_five_minutes() -> None:
    job = next(j for j in registered_jobs() if j.name == "catalogue-seats")
    assert job.every_seconds == 300


def test_unchanged_data_writes_nothing(app: Any, linked: dict[str, int]) -> None:
    with app.app_context():
        assert _date(linked["offer"]).seats_left == 2
        assert _turn().changed == 0


def test_a_booking_lowers_the_seats_and_the_filter_follows(
    app: Any, linked: dict[str, int]
) -> None:
    with app.app_context():
        s = db.session()
        blended = s.get(BlendedSession, linked["session"])
        assert booking.book(s, blended, user(s, linked["a"]), now=NOW).kind == "booked"
        s.commit()
        assert _date(linked["offer"]).seats_left == 2  # copied at save: stale until a turn
        done = _turn()
        assert (done.seats, done.moved, done.reindexed) == (1, 0, 0)
        assert _date(linked["offer"]).seats_left == 1
        assert _found(free_seats=True) == [linked["offer"]]

        s = db.session()
        blended = s.get(BlendedSession, linked["session"])
        assert booking.book(s, blended, user(s, linked["b"]), now=NOW).kind == "booked"
        s.commit()
        assert _turn().seats == 1
        assert _date(linked["offer"]).seats_left == 0
        assert _found(free_seats=True) == []
        assert _found() == [linked["offer"]]
        assert _turn().changed == 0  # a second instance's turn finds nothing to write

        s = db.session()
        blended = s.get(BlendedSession, linked["session"])
        booking.cancel(s, blended, user(s, linked["a"]), now=NOW)
        s.commit()
        assert _turn().seats == 1
        assert _date(linked["offer"]).seats_left == 1
        assert _found(free_seats=True) == [linked["offer"]]


def test_a_moved_session_moves_the_date_and_the_search_rows(
    app: Any, linked: dict[str, int]
) -> None:
    with app.app_context():
        s = db.session()
        blended = s.get(BlendedSession, linked["session"])
        assert blended is not None
        old = blended.days[0]
        for day in (dt.date(2030, 4, 8), dt.date(2030, 4, 9)):
            shift = dt.datetime.combine(day, dt.time()) - dt.datetime.combine(old.day, dt.time())
            s.add(
                BlendedSessionDay(
                    session_id=blended.id,
                    day=day,
                    start_local=old.start_local,
                    end_local=old.end_local,
                    starts_at=old.starts_at + shift,
                    ends_at=old.ends_at + shift,
                )
            )
        s.delete(old)
        blended.place_name = "Campus Kortrijk"
        s.commit()
        assert _found(date_from=dt.date(2030, 4, 1)) == []

        done = _turn()
        assert (done.moved, done.seats, done.reindexed) == (1, 0, 1)
        date = _date(linked["offer"])
        assert (date.starts_on, date.ends_on, date.place, date.city) == (
            dt.date(2030, 4, 8),
            dt.date(2030, 4, 9),
            "Campus Kortrijk",
            "Gent",
        )
        starts = set(
            db.session().scalars(
                select(CatalogueOfferSearch.starts_on).where(
                    CatalogueOfferSearch.offer_id == linked["offer"]
                )
            )
        )
        assert starts == {dt.date(2030, 4, 8)}
        assert _found(date_from=dt.date(2030, 4, 1)) == [linked["offer"]]
        assert _found(text="Kortrijk") == [linked["offer"]]
        assert _turn().changed == 0


def test_a_deleted_session_leaves_the_date(app: Any, linked: dict[str, int]) -> None:
    with app.app_context():
        s = db.session()
        blended = s.get(BlendedSession, linked["session"])
        assert booking.book(s, blended, user(s, linked["a"]), now=NOW).kind == "booked"
        s.commit()
        s.execute(delete(BlendedSession).where(BlendedSession.id == linked["session"]))
        s.commit()
        db.session.remove()
        date = _date(linked["offer"])
        assert date.session_id is None
        assert _turn().changed == 0
        date = _date(linked["offer"])
        assert (date.starts_on, date.place, date.seats_left) == (
            dt.date(2030, 3, 5),
            "Training centre Gent",
            2,
        )


def test_a_withdrawn_offer_is_left_alone(app: Any, linked: dict[str, int]) -> None:
    with app.app_context():
        s = db.session()
        offer = s.get(CatalogueOffer, linked["offer"])
        assert offer is not None
        offers.withdraw_offer(s, offer, user_id=None)
        blended = s.get(BlendedSession, linked["session"])
        booking.book(s, blended, user(s, linked["a"]), now=NOW)
        s.commit()
        assert _turn().changed == 0
        assert _date(linked["offer"]).seats_left == 2


def _book_a(linked: dict[str, int]) -> None:
    s = db.session()
    blended = s.get(BlendedSession, linked["session"])
    assert booking.book(s, blended, user(s, linked["a"]), now=NOW).kind == "booked"
    blended.place_name = "Campus Kortrijk"
    s.commit()
    db.session.remove()


def test_turns_at_once_write_each_change_once(app: Any, linked: dict[str, int]) -> None:
    with app.app_context():
        _book_a(linked)
    count = 3
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[i] = refresh_linked_dates(db.session(), TODAY)
            except Exception as exc:  # reported below, with the others' results
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, Refreshed) for r in results), results
    assert sum(r.seats for r in results) == 1
    assert sum(r.moved for r in results) == 1
    with app.app_context():
        date = _date(linked["offer"])
        assert (date.seats_left, date.place) == (1, "Campus Kortrijk")
        rows = db.session().scalar(
            select(func.count(CatalogueOfferSearch.id)).where(
                CatalogueOfferSearch.offer_id == linked["offer"]
            )
        )
        assert rows == len(LANGUAGES)
        assert _found(text="Kortrijk") == [linked["offer"]]


def test_an_instance_skips_while_another_takes_its_turn(app: Any, linked: dict[str, int]) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite's write lock serialises turns")
    with app.app_context():
        _book_a(linked)
        with db.engine.connect() as other:
            assert other.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
            done = _turn()
            assert done.skipped and done.changed == 0
            assert _date(linked["offer"]).seats_left == 2
            other.rollback()  # the other instance's turn ends
        done = _turn()
        assert not done.skipped and done.seats == 1
        assert _date(linked["offer"]).seats_left == 1
