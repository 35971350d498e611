"""Helpers of the catalogue tests: a provider and offers made through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, text

from lti_tool.catalogue import offers, providers
from lti_tool.catalogue.models import CatalogueOffer, CatalogueProvider
from lti_tool.extensions import db

TODAY = dt.date(2030, 1, 6)


def provider(session: Any, code: str = "ocg", name: str = "Opleidingscentrum Gent") -> Any:
    found, _created = providers.add_provider(session, providers.ProviderInput(code, name))
    return found


def offer(
    session: Any,
    owner: CatalogueProvider,
    titles: dict[str, str],
    *,
    publish: bool = True,
    **fields: Any,
) -> CatalogueOffer:
    data = offers.OfferInput(titles=titles, **fields)
    made = offers.create_offer(session, owner.id, data, user_id=None)
    if publish:
        offers.publish_offer(session, made, user_id=None, today=TODAY)
    return made


def own_date(
    day: dt.date, postcode: str = "9000", city: str = "Gent", seats: int | None = 5
) -> Any:
    return offers.DateInput(
        kind="own",
        starts_on=day,
        ends_on=day,
        place="Campus",
        postcode=postcode,
        city=city,
        seats_left=seats,
    )


def reads_with(marker: str, run: Any) -> tuple[Any, int]:
    """``run()``'s result, and how many of the statements it sent hold ``marker``."""
    sent: list[str] = []

    def capture(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        result = run()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return result, sum(marker in statement for statement in sent)


def analyze_search_rows() -> None:
    """On PostgreSQL, the search rows' statistics, as autovacuum makes them after a load: with
    them the usual read goes by the word index or reads every row, in the table's order, as on a
    large table (without, the planner may take the date index, in date order: the first matches
    past a cap are then others, whichever way they are read)."""
    if db.engine.dialect.name == "postgresql":  # type: ignore[union-attr]
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE catalogue_offer_search"))
