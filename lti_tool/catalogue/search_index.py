"""The search rows of offers, written by the service that changes an offer: a published offer
gets one row per page language, a draft or withdrawn one has none. SQLite's triggers then keep
the FTS5 table in step; on PostgreSQL the ``tsvector`` is computed here, in the same statement
batch, with the language's text-search configuration (titles weigh more: weight A)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..passports.models import Competence
from ..passports.names import local_name
from .models import (
    LANGUAGES,
    CatalogueOffer,
    CatalogueOfferCompetence,
    CatalogueOfferSearch,
    CatalogueProvider,
)
from .search_filters import filter_values
from .search_write import terms_tsvector, without_terms, write_rows
from .texts import in_language, stems


def search_rows(
    offer: CatalogueOffer,
    provider_name: str,
    competence_names: dict[str, list[str]],
    today: dt.date,
) -> list[dict[str, Any]]:
    """The search rows of one published offer, as plain values (the bench inserts them too)."""
    coming = [d.starts_on for d in offer.dates if d.starts_on is not None and d.starts_on >= today]
    places = " ".join(f"{d.place} {d.postcode} {d.city}" for d in offer.dates)
    filters = filter_values(offer)
    rows = []
    for language in LANGUAGES:
        title = in_language(offer.titles, language)
        own = [
            in_language(field, language)
            for field in (
                offer.descriptions,
                offer.target_groups,
                offer.prerequisites,
                offer.credentials,
            )
        ]
        others = [
            value
            for field in (offer.titles, offer.descriptions)
            for code, value in (field or {}).items()
            if code != language and value
        ]
        document = " ".join(
            [*own, *competence_names.get(language, []), provider_name, places, *others]
        )
        rows.append(
            {
                "offer_id": offer.id,
                "language": language,
                "title": title[:512],
                "document": document,
                "title_stems": " ".join(stems(title, language)),
                "stems": " ".join(stems(document, language)),
                "starts_on": min(coming) if coming else None,
                "published_at": offer.published_at,
                **filters,
            }
        )
    return rows


def write_search_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert search rows (Core, in batches); on PostgreSQL fill their ``tsvector`` and empty
    the texts it was made from (only SQLite's FTS5 table reads those)."""
    write_rows(
        session,
        CatalogueOfferSearch.__table__,  # type: ignore[arg-type]
        "offer_id",
        rows,
        blank_on_postgresql=("document", "stems", "title_stems"),
        terms="filter_terms",
    )


def reindex_offers(session: Session, offers: Iterable[CatalogueOffer], today: dt.date) -> None:
    """Replace the offers' search rows: published ones get theirs again, others none."""
    offers = list(offers)
    if not offers:
        return
    session.flush()
    session.execute(
        delete(CatalogueOfferSearch).where(
            CatalogueOfferSearch.offer_id.in_([o.id for o in offers])
        )
    )
    rows: list[dict[str, Any]] = []
    for offer in offers:
        if offer.status != "published":
            continue
        provider = session.get(CatalogueProvider, offer.provider_id)
        rows.extend(
            search_rows(
                offer, provider.name if provider else "", _competence_names(session, offer), today
            )
        )
    write_search_rows(session, rows)


def refresh_filters(session: Session, offer_ids: list[int]) -> None:
    """Write the filters' values of these offers' search rows again (their seats changed: the
    texts did not)."""
    if not offer_ids:
        return
    offers = session.scalars(
        select(CatalogueOffer).where(
            CatalogueOffer.id.in_(offer_ids), CatalogueOffer.status == "published"
        )
    )
    S = CatalogueOfferSearch
    postgresql = session.get_bind().dialect.name == "postgresql"
    for offer in offers:
        values = filter_values(offer)
        if postgresql:  # the reserved words in the ``tsv`` too (SQLite's trigger does its own)
            values["tsv"] = without_terms(S.tsv).op("||")(terms_tsvector(values["filter_terms"]))
        session.execute(
            update(S)
            .where(S.offer_id == offer.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _competence_names(session: Session, offer: CatalogueOffer) -> dict[str, list[str]]:
    ids = [link.competence_id for link in offer.competences]
    if not ids:
        return {}
    competences = list(session.scalars(select(Competence).where(Competence.id.in_(ids))))
    return {lang: [local_name(c, lang) for c in competences] for lang in LANGUAGES}


def offer_competence_ids(session: Session, offer_id: int) -> list[int]:
    return list(
        session.scalars(
            select(CatalogueOfferCompetence.competence_id).where(
                CatalogueOfferCompetence.offer_id == offer_id
            )
        )
    )
