"""The filters' values kept on the search rows (``search_filters``) follow every change of an
offer and its dates: an edit, new dates, a withdrawal, the seat job; and an offer with several
dates is still filtered date by date (the row's summary alone would let wrong ones through)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, text, update

from lti_tool.blended import booking
from lti_tool.blended.session_models import BlendedSession
from lti_tool.catalogue import offers
from lti_tool.catalogue.models import (
    LANGUAGES,
    SEARCH_FILTER_COLUMNS,
    CatalogueOffer,
    CatalogueOfferSearch,
)
from lti_tool.catalogue.search import OfferQuery, search_offers
from lti_tool.catalogue.search_filters import filter_values
from lti_tool.catalogue.seat_refresh import refresh_linked_dates
from lti_tool.extensions import db
from tests.blended.session_helpers import user
from tests.migration_fill import run_migration_function

from .helpers import TODAY, offer, own_date, provider
from .test_seat_refresh import NOW, linked  # noqa: F401  (the fixture)

COLUMNS = (
    "format",
    "funding",
    "postcodes",
    "first_on",
    "last_on",
    "self_paced",
    "free_until",
    "free_undated",
    "dates_exact",
)
MARCH, APRIL, MAY = dt.date(2030, 3, 2), dt.date(2030, 4, 1), dt.date(2030, 5, 4)


def _rows(offer_id: int) -> list[dict[str, Any]]:
    found = db.session().scalars(
        select(CatalogueOfferSearch).where(CatalogueOfferSearch.offer_id == offer_id)
    )
    return [{name: getattr(row, name) for name in COLUMNS} for row in found]


def _in_step(offer_id: int) -> dict[str, Any]:
    """The rows' values, checked equal in every language and to the offer's own."""
    db.session.expire_all()
    made = db.session().get(CatalogueOffer, offer_id)
    assert made is not None
    rows = _rows(offer_id)
    assert len(rows) == len(LANGUAGES)
    expected = {name: filter_values(made)[name] for name in COLUMNS}
    assert all(row == expected for row in rows)
    return expected


def _found(**fields: Any) -> list[int]:
    page = search_offers(db.session(), OfferQuery(today=TODAY, language="nl", **fields))
    return [hit.offer_id for hit in page.hits]


def _data(**fields: Any) -> offers.OfferInput:
    return offers.OfferInput(titles={"nl": "Heftruck rijden"}, languages=["nl"], **fields)


def test_an_edit_writes_the_new_format_and_funding(app: Any) -> None:
    with app.app_context():
        s = db.session()
        made = offer(s, provider(s), {"nl": "Heftruck rijden"}, dates=[own_date(MARCH)])
        s.commit()
        assert _in_step(made.id)["format"] == "classroom"
        assert _found(text="heftruck", format="online") == []

        offers.update_offer(
            s, made, _data(format="online", funding_eligible=True, dates=[own_date(MARCH)]), None
        )
        s.commit()
        values = _in_step(made.id)
        assert (values["format"], values["funding"]) == ("online", True)
        assert _found(text="heftruck", format="online", funding=True) == [made.id]
        assert _found(text="heftruck", format="classroom") == []


def test_new_dates_give_new_values_and_are_checked_date_by_date(app: Any) -> None:
    with app.app_context():
        s = db.session()
        made = offer(s, provider(s), {"nl": "Heftruck rijden"}, dates=[own_date(MARCH)])
        s.commit()
        assert _in_step(made.id)["postcodes"] == "|9000"
        assert _found(postcode="20") == []

        # Two dates: Gent in March (full), Antwerpen in May (seats).
        dates = [own_date(MARCH, seats=0), own_date(MAY, postcode="2000", city="Antwerpen")]
        offers.update_offer(s, made, _data(dates=dates), None)
        s.commit()
        values = _in_step(made.id)
        assert values["postcodes"] in ("|9000|2000", "|2000|9000")
        assert (values["first_on"], values["last_on"]) == (MARCH, MAY)
        assert (values["free_until"], values["dates_exact"]) == (MAY, False)
        assert _found(postcode="20") == [made.id]
        assert _found(postcode="90", date_from=MARCH, date_to=MARCH) == [made.id]
        # Each holds for one of the dates, never both for the same one.
        assert _found(postcode="20", date_to=MARCH) == []
        assert _found(postcode="90", free_seats=True) == []
        assert _found(postcode="20", free_seats=True) == [made.id]

        # Back to one self-paced date: the row alone answers again.
        offers.update_offer(s, made, _data(dates=[offers.DateInput(kind="self_paced")]), None)
        s.commit()
        values = _in_step(made.id)
        assert (values["self_paced"], values["free_undated"], values["dates_exact"]) == (
            True,
            True,
            True,
        )
        assert (values["postcodes"], values["first_on"], values["free_until"]) == ("|", None, None)
        assert _found(date_from=MAY, free_seats=True) == [made.id]
        assert _found(postcode="90") == []


def test_withdrawing_removes_the_rows_and_publishing_writes_them(app: Any) -> None:
    with app.app_context():
        s = db.session()
        made = offer(s, provider(s), {"nl": "Heftruck rijden"}, dates=[own_date(MARCH)])
        s.commit()
        offers.withdraw_offer(s, made, None)
        s.commit()
        assert _rows(made.id) == []
        assert _found(postcode="90") == []

        offers.publish_offer(s, made, None, today=TODAY)
        s.commit()
        assert _in_step(made.id)["postcodes"] == "|9000"
        assert _found(postcode="90") == [made.id]


def test_the_seat_job_keeps_the_free_seats_in_step(app: Any, linked: dict[str, int]) -> None:  # noqa: F811
    with app.app_context():
        first = _in_step(linked["offer"])["free_until"]
        assert first is not None
        for person in ("a", "b"):  # the session's two seats
            s = db.session()
            blended = s.get(BlendedSession, linked["session"])
            assert booking.book(s, blended, user(s, linked[person]), now=NOW).kind == "booked"
            s.commit()
        assert _rows(linked["offer"])[0]["free_until"] == first  # stale until the job's turn
        done = refresh_linked_dates(db.session(), TODAY)
        assert (done.seats, done.reindexed) == (1, 0)
        values = _in_step(linked["offer"])
        assert (values["free_until"], values["free_undated"]) == (None, False)
        assert _found(free_seats=True) == []


MIGRATION = "f2b6d8a4c3e1_catalogue_search_filter_values.py"


def test_the_migration_fills_the_values_of_published_offers(app: Any) -> None:
    with app.app_context():
        s = db.session()
        owner = provider(s)
        dates = [own_date(MARCH, seats=0), own_date(MAY, postcode="2000", city="Antwerpen")]
        two = offer(s, owner, {"nl": "Heftruck"}, dates=dates, funding_eligible=True)
        one = offer(s, owner, {"nl": "Steiger"}, format="online", dates=[own_date(MAY)])
        s.commit()
        expected = {made: _in_step(made) for made in (two.id, one.id)}
        s.execute(
            update(CatalogueOfferSearch).values(
                format="",
                funding=False,
                postcodes="",
                first_on=None,
                last_on=None,
                free_until=None,
                dates_exact=True,
            )
        )
        s.commit()
        assert _rows(one.id)[0]["format"] == ""
        run_migration_function(MIGRATION)
        assert {made: _in_step(made) for made in (two.id, one.id)} == expected
        assert _found(postcode="20", date_to=MARCH) == []
        assert _found(postcode="20", free_seats=True) == [two.id]


COVERING = "a9d3f6c2e8b4_catalogue_search_covering_index.py"


def _definition() -> str:
    return db.session().scalar(
        text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_catalogue_offer_search_language'"
        )
    )


def _included() -> list[str]:
    """The columns PostgreSQL's date index of the search rows carries beside its key."""
    definition = _definition()
    assert " INCLUDE (" in definition
    return definition.split(" INCLUDE (", 1)[1].rstrip(")").split(", ")


def test_the_date_index_carries_every_filter_value(app: Any) -> None:
    """On PostgreSQL the index of a language's rows by date holds the row's id and every
    filter's value (a search with filters and no words reads it alone), as the models and the
    migration ``a9d3f6c2e8b4`` make it; SQLite's index has no such columns."""
    assert set(SEARCH_FILTER_COLUMNS) == {"id", *COLUMNS}
    with app.app_context():
        s = db.session()
        owner = provider(s)
        online = offer(s, owner, {"nl": "Heftruck"}, format="online", dates=[own_date(MAY)])
        offer(s, owner, {"nl": "Steiger"}, dates=[own_date(MARCH)])
        s.commit()
        postgresql = db.engine.dialect.name == "postgresql"  # type: ignore[union-attr]
        if postgresql:
            assert _included() == SEARCH_FILTER_COLUMNS
        s.commit()  # the migration takes the table's lock
        for step in ("downgrade", "upgrade"):
            run_migration_function(COVERING, step)
            if postgresql:
                assert ("INCLUDE" in _definition()) == (step == "upgrade")
            assert _found(format="online", date_from=APRIL) == [online.id]
            s.commit()
        if postgresql:
            assert _included() == SEARCH_FILTER_COLUMNS
