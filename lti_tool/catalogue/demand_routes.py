"""The provider's demand page: per offer, how many people want it per region and quarter
(``demand_regions``). Only the provider's people see it (404 for anyone else, as its other pages);
rows below 3 people say "fewer than 3", and then the total is only "at least"."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import launch_required
from . import offers
from .blueprint import bp
from .demand_regions import NOT_GIVEN, regional_demand
from .interest_routes import quarter_name
from .provider_routes import _provider
from .public_routes import page_language
from .texts import in_language


def region_name(region: str) -> str:
    return region if region != NOT_GIVEN else _("region not given")


@bp.get("/provider/<int:provider_id>/demand")
@launch_required()
def provider_demand(provider_id: int) -> Any:
    provider = _provider(provider_id)
    session = db.session()
    language = page_language()
    theirs = offers.provider_offers(session, provider.id)
    found = regional_demand(session, [offer.id for offer in theirs])
    return render_template(
        "catalogue/provider_demand.html",
        provider=provider,
        wanted=[(offer, found[offer.id]) for offer in theirs if offer.id in found],
        title_of=lambda offer: in_language(offer.titles, language),
        region_name=region_name,
        quarter_name=quarter_name,
    )
