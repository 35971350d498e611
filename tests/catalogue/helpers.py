"""Helpers of the catalogue tests: a provider and offers made through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lti_tool.catalogue import offers, providers
from lti_tool.catalogue.models import CatalogueOffer, CatalogueProvider

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
