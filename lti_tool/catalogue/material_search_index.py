"""The search rows of the knowledge base, written by the material service whenever an item is
saved or withdrawn: an active item gets one row per page language, a withdrawn one has none.
SQLite's triggers then keep the FTS5 table in step (``material_fts``); on PostgreSQL the
``tsvector`` is computed here with the language's text-search configuration (titles weigh A).

This module does not import ``material`` (which calls it): it reads the item it is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    select,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..models import Base
from ..passports.models import Competence
from ..passports.names import local_name
from .models import LANGUAGES, CatalogueProvider
from .search_write import write_rows
from .texts import in_language, stems

if TYPE_CHECKING:
    from .material import CatalogueMaterial


class CatalogueMaterialSearch(Base):
    """One active item as searched in one page language: its title and text, their Snowball
    stems (what SQLite's ``catalogue_material_fts`` indexes), the ``tsvector`` PostgreSQL
    searches, and what the filters read (who may see it, its licence and language)."""

    __tablename__ = "catalogue_material_search"
    __table_args__ = (
        UniqueConstraint("material_id", "language", name="uq_catalogue_material_search"),
        Index("ix_catalogue_material_search_language", "language", "material_id"),
        Index("ix_catalogue_material_search_tsv", "tsv", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_material.id", ondelete="CASCADE")
    )
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(512), default="")
    document: Mapped[str] = mapped_column(Text, default="")
    title_stems: Mapped[str] = mapped_column(Text, default="")
    stems: Mapped[str] = mapped_column(Text, default="")
    # The page language as a reserved word, for SQLite's FTS5 table (``material_fts``).
    language_term: Mapped[str] = mapped_column(String(16), default="", server_default="")
    tsv: Mapped[Any] = mapped_column(
        Text().with_variant(TSVECTOR(), "postgresql"), nullable=True, default=None
    )
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    # The one platform whose people see the item (visibility "platform"), else None.
    platform_id: Mapped[int | None] = mapped_column(Integer, default=None)
    licence: Mapped[str] = mapped_column(String(16), default="internal")
    material_language: Mapped[str] = mapped_column(String(8), default="nl")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


def material_search_rows(
    item: CatalogueMaterial, provider_name: str, competence_names: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The search rows of one active item, as plain values (the bench inserts them too)."""
    rows = []
    for language in LANGUAGES:
        title = in_language(item.titles, language)
        others = [
            value
            for field in (item.titles, item.descriptions)
            for code, value in (field or {}).items()
            if code != language and value
        ]
        document = " ".join(
            [
                in_language(item.descriptions, language),
                *competence_names.get(language, []),
                provider_name,
                *others,
            ]
        )
        rows.append(
            {
                "material_id": item.id,
                "language": language,
                "title": title[:512],
                "document": document,
                "title_stems": " ".join(stems(title, language)),
                "stems": " ".join(stems(document, language)),
                "language_term": language_term(language),
                "visibility": item.visibility,
                "platform_id": item.platform_id,
                "licence": item.licence,
                "material_language": item.language,
                "updated_at": item.updated_at,
            }
        )
    return rows


def language_term(language: str) -> str:
    """The page language as a word no text holds (``zz`` starts the reserved words)."""
    return f"zzlang{language}"


def write_material_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert search rows (Core, in one batch); on PostgreSQL fill their ``tsvector``."""
    write_rows(session, CatalogueMaterialSearch.__table__, "material_id", rows)  # type: ignore[arg-type]


def reindex_material(session: Session, items: Iterable[CatalogueMaterial]) -> None:
    """Replace the items' search rows: active ones get theirs again, withdrawn ones none."""
    items = list(items)
    if not items:
        return
    session.flush()
    session.execute(
        delete(CatalogueMaterialSearch).where(
            CatalogueMaterialSearch.material_id.in_([item.id for item in items])
        )
    )
    rows: list[dict[str, Any]] = []
    for item in items:
        if item.status != "active":
            continue
        provider = session.get(CatalogueProvider, item.provider_id)
        names = _competence_names(session, [link.competence_id for link in item.competences])
        rows.extend(material_search_rows(item, provider.name if provider else "", names))
    write_material_rows(session, rows)


def _competence_names(session: Session, ids: list[int]) -> dict[str, list[str]]:
    if not ids:
        return {}
    competences = list(session.scalars(select(Competence).where(Competence.id.in_(ids))))
    return {lang: [local_name(c, lang) for c in competences] for lang in LANGUAGES}
