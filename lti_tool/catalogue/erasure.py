"""What the catalogue holds about a person, taken away when an admin erases them (see
``lti_tool.erasure``): their places among a provider's people go; offers they drafted and the
status changes they made stay, without the link to them; their marks of interest go
(demand counts drop with them), and so do the knowledge-base items they opened."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from ..erasure import register_eraser
from ..models import User
from .material_opens import CatalogueMaterialOpen
from .models import (
    CatalogueOffer,
    CatalogueOfferEvent,
    CatalogueOfferInterest,
    CatalogueProviderMember,
)


def erase_catalogue_data(session: Session, user: User) -> dict[str, Any]:
    members = session.execute(
        delete(CatalogueProviderMember).where(CatalogueProviderMember.user_id == user.id)
    )
    session.execute(
        update(CatalogueOffer)
        .where(CatalogueOffer.created_by_id == user.id)
        .values(created_by_id=None)
    )
    session.execute(
        update(CatalogueOfferEvent)
        .where(CatalogueOfferEvent.by_user_id == user.id)
        .values(by_user_id=None)
    )
    interest = session.execute(
        delete(CatalogueOfferInterest).where(CatalogueOfferInterest.user_id == user.id)
    )
    opened = session.execute(
        delete(CatalogueMaterialOpen).where(CatalogueMaterialOpen.user_id == user.id)
    )
    return {
        "catalogue_provider_members": members.rowcount,  # type: ignore[attr-defined]
        "catalogue_interest_marks": interest.rowcount,  # type: ignore[attr-defined]
        "catalogue_material_opened": opened.rowcount,  # type: ignore[attr-defined]
    }


register_eraser(erase_catalogue_data)
