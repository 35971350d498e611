"""Linked dates kept in step with their blended sessions, by the ``catalogue-seats`` job.

A date linked to a blended session copies the session's first and last day, place and free seats
when the provider saves the offer (``offers._session_date``). Learners book and cancel, and the
trainer moves the session, after that; this job brings every linked date of a published offer
back in step. It reads the blended tables and never changes them. A date whose session was
deleted (``session_id`` set to NULL) keeps what it last showed.

Several instances may run the job at once: each value is computed inside the UPDATE that writes
it (correlated subqueries, no read-then-write), and a row is only written when a value differs, so
a second run finds nothing to do. On PostgreSQL a turn first takes a transaction advisory lock
(an instance that finds it taken skips its turn): an UPDATE that waits for another's row lock
re-checks the row but keeps its own, older, view of the bookings, so two turns overlapping could
write an older count over a newer one; one turn at a time, each reading after the last one's
commit, cannot. On SQLite the UPDATE holds the database's write lock. Offers whose
first day or place changed get their search rows again (those rows keep the next date and the
places' words); the free-seats filter reads the date rows themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, exists, func, or_, select, text, update
from sqlalchemy.orm import Session

from ..blended.session_models import BlendedBooking, BlendedSession, BlendedSessionDay
from ..extensions import db
from ..jobs import register_job
from .models import CatalogueOffer, CatalogueOfferDate
from .search_index import refresh_filters, reindex_offers

log = logging.getLogger(__name__)

D = CatalogueOfferDate
# The job's PostgreSQL advisory lock: "lpseats" in ASCII, a key no other lock of learnpass uses.
LOCK_KEY = 0x6C70_7365_6174_73


@dataclass(frozen=True)
class Refreshed:
    """What one turn changed: date rows moved or re-placed, rows with new seats, offers reindexed."""

    moved: int
    seats: int
    reindexed: int
    skipped: bool = False  # another instance was taking its turn (PostgreSQL)

    @property
    def changed(self) -> int:
        return self.moved + self.seats


def _linked() -> tuple[Any, ...]:
    """Dates linked to a session that still exists, of published offers."""
    return (
        D.kind == "session",
        D.session_id.is_not(None),
        exists().where(BlendedSession.id == D.session_id),
        D.offer_id.in_(select(CatalogueOffer.id).where(CatalogueOffer.status == "published")),
    )


def _first_day() -> Any:
    return (
        select(func.min(BlendedSessionDay.day))
        .where(BlendedSessionDay.session_id == D.session_id)
        .scalar_subquery()
    )


def _last_day() -> Any:
    return (
        select(func.max(BlendedSessionDay.day))
        .where(BlendedSessionDay.session_id == D.session_id)
        .scalar_subquery()
    )


def _place() -> Any:
    return select(BlendedSession.place_name).where(BlendedSession.id == D.session_id)


def _seats_left() -> Any:
    booked = (
        select(func.count(BlendedBooking.id))
        .where(BlendedBooking.session_id == BlendedSession.id, BlendedBooking.status == "booked")
        .correlate(BlendedSession)
        .scalar_subquery()
    )
    free = BlendedSession.capacity - booked
    return (
        select(case((free < 0, 0), else_=free))
        .where(BlendedSession.id == D.session_id)
        .scalar_subquery()
    )


def _one_at_a_time(session: Session) -> bool:
    """On PostgreSQL, this transaction's hold on the job's advisory lock (False: taken)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY}))


def refresh_linked_dates(session: Session, today: dt.date) -> Refreshed:
    """Bring every linked date of published offers in step with its session; commits."""
    if not _one_at_a_time(session):
        session.rollback()
        return Refreshed(moved=0, seats=0, reindexed=0, skipped=True)
    first, last, place = _first_day(), _last_day(), _place().scalar_subquery()
    moved = session.execute(
        update(D)
        .where(
            *_linked(),
            or_(
                D.starts_on.is_distinct_from(first),
                D.ends_on.is_distinct_from(last),
                D.place.is_distinct_from(place),
            ),
        )
        .values(starts_on=first, ends_on=last, place=place)
        .returning(D.offer_id)
        .execution_options(synchronize_session=False)
    )
    moved_rows = list(moved.scalars())
    seats = _seats_left()
    seated = session.execute(
        update(D)
        .where(*_linked(), D.seats_left.is_distinct_from(seats))
        .values(seats_left=seats)
        .returning(D.offer_id)
        .execution_options(synchronize_session=False)
    )
    seated_rows = list(seated.scalars())
    seat_rows = len(seated_rows)
    offer_ids = sorted(set(moved_rows))
    if offer_ids or seated_rows:
        session.expire_all()
    if offer_ids:
        offers = session.scalars(select(CatalogueOffer).where(CatalogueOffer.id.in_(offer_ids)))
        reindex_offers(session, list(offers), today)
    # New seats alone: only what the filters read changes on the search rows.
    refresh_filters(session, sorted(set(seated_rows) - set(offer_ids)))
    session.commit()
    done = Refreshed(moved=len(moved_rows), seats=seat_rows, reindexed=len(offer_ids))
    if done.changed:
        log.info("catalogue dates refreshed: %s", done)
    return done


def refresh_due_dates() -> Refreshed:
    """The job: one turn over every linked date."""
    return refresh_linked_dates(db.session(), dt.date.today())


register_job("catalogue-seats", refresh_due_dates, every_seconds=300)
