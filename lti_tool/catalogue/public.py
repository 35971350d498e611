"""What the public pages read: a published offer with its provider and competences, and the
competences offers cover (the search's filter). Never a draft, a withdrawn offer or a person."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..passports.models import Competence
from .models import CatalogueOffer, CatalogueOfferCompetence, CatalogueProvider


def published_offer(
    session: Session, offer_id: int
) -> tuple[CatalogueOffer, CatalogueProvider] | None:
    offer = session.get(CatalogueOffer, offer_id)
    if offer is None or offer.status != "published":
        return None
    provider = session.get(CatalogueProvider, offer.provider_id)
    assert provider is not None  # a foreign key with ON DELETE CASCADE
    return offer, provider


def offer_competences(session: Session, offer: CatalogueOffer) -> list[Competence]:
    ids = [link.competence_id for link in offer.competences]
    if not ids:
        return []
    return list(
        session.scalars(select(Competence).where(Competence.id.in_(ids)).order_by(Competence.id))
    )


def offered_competences(session: Session) -> list[Competence]:
    """The competences at least one published offer covers."""
    covered = (
        select(CatalogueOfferCompetence.competence_id)
        .join(CatalogueOffer, CatalogueOffer.id == CatalogueOfferCompetence.offer_id)
        .where(CatalogueOffer.status == "published")
    )
    return list(
        session.scalars(
            select(Competence).where(Competence.id.in_(covered)).order_by(Competence.shortname)
        )
    )
