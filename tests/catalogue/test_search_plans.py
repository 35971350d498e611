"""A search's statements are planned for its own words each time (``search_plans``): on
PostgreSQL its connection prepares none of them, however often the same search runs, while the
statements of other pages on the same connection are still prepared after five runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from lti_tool.catalogue.models import CatalogueOfferSearch
from lti_tool.catalogue.search import OfferQuery, search_offers
from lti_tool.extensions import db

from .helpers import TODAY, offer, provider

QUERIES = (
    OfferQuery(today=TODAY, language="nl", text="lassen"),
    OfferQuery(today=TODAY, language="nl", text="lassen", sort="soonest"),
    OfferQuery(today=TODAY, language="nl", text="lassen", sort="title"),
    OfferQuery(today=TODAY, language="nl", text="", sort="newest"),
)


@pytest.fixture
def session(app: Any) -> Iterator[Any]:
    with app.app_context():
        s = db.session()
        owner = provider(s)
        for n in range(6):
            offer(s, owner, {"nl": f"Lassen {n}"}, descriptions={"nl": "Lassen in de praktijk"})
        s.commit()
        yield s


def _prepared(session: Any) -> list[str]:
    """The reads of the search rows the session's connection has prepared on the server (the
    fixture's writes are)."""
    found = session.scalars(text("SELECT statement FROM pg_prepared_statements"))
    return [s for s in found if s.startswith("SELECT") and "catalogue_offer_search" in s]


def _threshold(session: Any) -> Any:
    return session.connection().connection.driver_connection.prepare_threshold


def test_searches_prepare_nothing_other_statements_still_are(session: Any) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("statements are prepared on PostgreSQL's server only")
    kept = _threshold(session)
    assert kept == 5  # psycopg's, as the app makes its connections
    for _ in range(8):
        for query in QUERIES:
            assert [hit.title for hit in search_offers(session, query).hits]
    assert _threshold(session) == kept
    assert not _prepared(session)
    # Another page's statement, on the same connection in the same transaction, still is.
    for _ in range(6):
        session.scalars(select(CatalogueOfferSearch.id).where(CatalogueOfferSearch.id > 0)).all()
    assert _prepared(session)


def test_the_threshold_is_back_after_a_failed_search(session: Any) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("statements are prepared on PostgreSQL's server only")
    driver = session.connection().connection.driver_connection
    # The transaction aborted: the search's first statement fails.
    with pytest.raises(DBAPIError):
        session.execute(text("SELECT 1 / 0"))
    with pytest.raises(DBAPIError):
        search_offers(session, QUERIES[0])
    assert driver.prepare_threshold == 5
    session.rollback()


def test_the_same_hits_on_sqlite_and_postgresql(session: Any) -> None:
    """Whatever the database, the searches answer as before (the block is nothing on SQLite)."""
    titles = [[hit.title for hit in search_offers(session, q).hits] for q in QUERIES]
    assert titles[0] and sorted(titles[0]) == [f"Lassen {n}" for n in range(6)]
    assert titles[2] == [f"Lassen {n}" for n in range(6)]
