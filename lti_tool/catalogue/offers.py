"""Offers: drafted, changed, published and withdrawn by their provider's people, with every
status change kept in the offer's history. Nothing here commits: the caller's transaction holds
the offer, its dates and languages, its history and its search rows together."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..blended.session_models import BlendedSession
from ..blended.sessions import seats_taken
from ..models import utcnow
from .models import (
    CatalogueOffer,
    CatalogueOfferCompetence,
    CatalogueOfferDate,
    CatalogueOfferEvent,
    CatalogueOfferLanguage,
)
from .search_index import reindex_offers


class OfferRefused(ValueError):
    """A change that cannot be made (the message says why)."""


@dataclass
class DateInput:
    kind: str = "own"  # "own", "session" or "self_paced"
    session_id: int | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    place: str = ""
    postcode: str = ""
    city: str = ""
    seats_left: int | None = None


@dataclass
class OfferInput:
    titles: dict[str, str]
    descriptions: dict[str, str] = field(default_factory=dict)
    target_groups: dict[str, str] = field(default_factory=dict)
    prerequisites: dict[str, str] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)
    funding_notes: dict[str, str] = field(default_factory=dict)
    format: str = "classroom"
    languages: list[str] = field(default_factory=list)
    hours: float = 0.0
    price_cents: int | None = None
    funding_eligible: bool = False
    contact_url: str = ""
    competence_ids: list[int] = field(default_factory=list)
    path_id: int | None = None
    package_id: int | None = None
    dates: list[DateInput] = field(default_factory=list)


def _history(session: Session, offer: CatalogueOffer, status: str, user_id: int | None) -> None:
    session.add(CatalogueOfferEvent(offer_id=offer.id, status=status, by_user_id=user_id))


def _session_date(session: Session, date: DateInput, platform_id: int | None) -> DateInput:
    """A blended session's own date, place and free seats, read (never changed) when linked."""
    blended = session.get(BlendedSession, date.session_id) if date.session_id else None
    if blended is None or platform_id is None or blended.platform_id != platform_id:
        raise OfferRefused("session")
    booked = seats_taken(session, blended.id)
    days = blended.days
    return DateInput(
        kind="session",
        session_id=blended.id,
        starts_on=days[0].day if days else None,
        ends_on=days[-1].day if days else None,
        place=blended.place_name[:255],
        city=date.city,
        postcode=date.postcode,
        seats_left=max(blended.capacity - booked, 0),
    )


def _apply(
    session: Session, offer: CatalogueOffer, data: OfferInput, platform_id: int | None
) -> None:
    offer.titles = dict(data.titles)
    offer.descriptions = dict(data.descriptions)
    offer.target_groups = dict(data.target_groups)
    offer.prerequisites = dict(data.prerequisites)
    offer.credentials = dict(data.credentials)
    offer.funding_notes = dict(data.funding_notes)
    offer.format = data.format
    offer.hours = data.hours
    offer.price_cents = data.price_cents
    offer.funding_eligible = data.funding_eligible
    offer.contact_url = data.contact_url
    offer.path_id = data.path_id
    offer.package_id = data.package_id
    offer.updated_at = utcnow()
    offer.languages = [
        CatalogueOfferLanguage(language=code) for code in dict.fromkeys(data.languages)
    ]
    offer.competences = [
        CatalogueOfferCompetence(competence_id=cid) for cid in dict.fromkeys(data.competence_ids)
    ]
    dates = [
        _session_date(session, d, platform_id) if d.kind == "session" else d for d in data.dates
    ]
    offer.dates = [
        CatalogueOfferDate(
            kind=d.kind,
            session_id=d.session_id,
            starts_on=d.starts_on,
            ends_on=d.ends_on,
            place=d.place,
            postcode=d.postcode,
            city=d.city,
            seats_left=d.seats_left,
        )
        for d in dates
    ]


def create_offer(
    session: Session,
    provider_id: int,
    data: OfferInput,
    user_id: int | None,
    platform_id: int | None = None,
) -> CatalogueOffer:
    """A new draft of the provider."""
    offer = CatalogueOffer(provider_id=provider_id, status="draft", created_by_id=user_id)
    session.add(offer)
    _apply(session, offer, data, platform_id)
    session.flush()
    _history(session, offer, "draft", user_id)
    return offer


def update_offer(
    session: Session,
    offer: CatalogueOffer,
    data: OfferInput,
    user_id: int | None,
    platform_id: int | None = None,
    today: dt.date | None = None,
) -> None:
    """Change the offer; a published one is searched with its new texts at once."""
    _apply(session, offer, data, platform_id)
    session.flush()
    reindex_offers(session, [offer], today or dt.date.today())


def publish_offer(
    session: Session, offer: CatalogueOffer, user_id: int | None, today: dt.date | None = None
) -> bool:
    """Publish (a draft, or a withdrawn offer again); False when it already was."""
    if offer.status == "published":
        return False
    if not offer.titles:
        raise OfferRefused("title")
    offer.status = "published"
    offer.published_at = utcnow()
    _history(session, offer, "published", user_id)
    reindex_offers(session, [offer], today or dt.date.today())
    return True


def withdraw_offer(session: Session, offer: CatalogueOffer, user_id: int | None) -> bool:
    """Take the offer out of the public catalogue; it and its history stay."""
    if offer.status == "withdrawn":
        return False
    offer.status = "withdrawn"
    _history(session, offer, "withdrawn", user_id)
    reindex_offers(session, [offer], dt.date.today())
    return True


def history(session: Session, offer_id: int) -> list[CatalogueOfferEvent]:
    return list(
        session.scalars(
            select(CatalogueOfferEvent)
            .where(CatalogueOfferEvent.offer_id == offer_id)
            .order_by(CatalogueOfferEvent.at, CatalogueOfferEvent.id)
        )
    )


def provider_offers(session: Session, provider_id: int) -> list[CatalogueOffer]:
    return list(
        session.scalars(
            select(CatalogueOffer)
            .where(CatalogueOffer.provider_id == provider_id)
            .order_by(CatalogueOffer.updated_at.desc(), CatalogueOffer.id.desc())
        )
    )
