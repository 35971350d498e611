"""The knowledge base, first slice: material items that are a link or a video link, owned by a
provider, with title and description per language, a language, framework competences, a licence
and a visibility (public, or the network's members: anyone who came through a launch).

Files and SCORM packages are a later slice. Saving or withdrawing an item writes its search rows
(``material_search_index``), which the list page searches (``material_search``). No person is kept
in these tables, so the erase has nothing to do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from offer_formats.sanitise import plain_text

from ..models import Base, utcnow
from .material_search_index import reindex_material
from .models import LANGUAGES, CatalogueProvider, _in
from .texts import per_language

KINDS = ("link", "video")
LICENCES = (
    "cc-by",
    "cc-by-sa",
    "cc-by-nc",
    "cc-by-nc-sa",
    "cc-by-nd",
    "cc-by-nc-nd",
    "cc0",
    "internal",
)
LICENCE_NAMES = {
    "cc-by": "CC BY",
    "cc-by-sa": "CC BY-SA",
    "cc-by-nc": "CC BY-NC",
    "cc-by-nc-sa": "CC BY-NC-SA",
    "cc-by-nd": "CC BY-ND",
    "cc-by-nc-nd": "CC BY-NC-ND",
    "cc0": "CC0",
}
VISIBILITIES = ("public", "network")
STATUSES = ("active", "withdrawn")
MAX_RESULTS = 200


class CatalogueMaterial(Base):
    """A link or a video link of a provider's, described per language."""

    __tablename__ = "catalogue_material"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="ck_catalogue_material_kind"),
        CheckConstraint(_in("licence", LICENCES), name="ck_catalogue_material_licence"),
        CheckConstraint(_in("visibility", VISIBILITIES), name="ck_catalogue_material_visibility"),
        CheckConstraint(_in("status", STATUSES), name="ck_catalogue_material_status"),
        Index("ix_catalogue_material_provider", "provider_id", "status"),
        Index("ix_catalogue_material_visible", "status", "visibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_provider.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16), default="link")
    url: Mapped[str] = mapped_column(String(1024))
    titles: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The titles of every language, lower-cased (the interim search's; the search rows replace it).
    search_text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="nl")
    licence: Mapped[str] = mapped_column(String(16), default="internal")
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    provider: Mapped[CatalogueProvider] = relationship()
    competences: Mapped[list[CatalogueMaterialCompetence]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class CatalogueMaterialCompetence(Base):
    """A framework competence the material serves."""

    __tablename__ = "catalogue_material_competence"

    material_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_material.id", ondelete="CASCADE"), primary_key=True
    )
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("passport_competence.id", ondelete="CASCADE"), primary_key=True, index=True
    )


@dataclass
class MaterialInput:
    kind: str = "link"
    url: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    language: str = "nl"
    licence: str = "internal"
    visibility: str = "public"
    competence_ids: list[int] = field(default_factory=list)


def safe_url(raw: str) -> str:
    """``raw`` if it is an http(s) address with a host, else ValueError (``javascript:``,
    ``data:``, relative addresses)."""
    raw = (raw or "").strip()
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(raw) > 1024:
        raise ValueError(raw)
    return raw


def read_material_form(form: Any, competence_ids: set[int]) -> tuple[MaterialInput, dict[str, str]]:
    """The form's item and its problems (field -> message), all found at once."""
    errors: dict[str, str] = {}
    titles = {k: plain_text(v) for k, v in per_language(form, "title", 255).items()}
    titles = {k: v for k, v in titles.items() if v}
    if not titles:
        errors["title"] = str(_l("Give the material a title in at least one language."))
    descriptions = {
        k: plain_text(v, single_line=False)
        for k, v in per_language(form, "description", 5000).items()
    }
    kind = form.get("kind") or ""
    if kind not in KINDS:
        errors["kind"] = str(_l("Choose a link or a video link."))
        kind = "link"
    url = ""
    try:
        url = safe_url(form.get("url") or "")
    except ValueError:
        errors["url"] = str(_l("Give a web address that starts with http:// or https://."))
    language = form.get("language") or ""
    if language not in LANGUAGES:
        errors["language"] = str(_l("Choose the material's language."))
        language = "nl"
    licence = form.get("licence") or ""
    if licence not in LICENCES:
        errors["licence"] = str(_l("Choose a licence from the list."))
        licence = "internal"
    visibility = form.get("visibility") or ""
    if visibility not in VISIBILITIES:
        errors["visibility"] = str(_l("Choose who may see the material."))
        visibility = "public"
    chosen = [int(v) for v in form.getlist("competences") if v.isdigit()]
    if any(cid not in competence_ids for cid in chosen) or len(chosen) != len(
        form.getlist("competences")
    ):
        errors["competences"] = str(_l("Choose competences from the list."))
    data = MaterialInput(
        kind=kind,
        url=url,
        titles=titles,
        descriptions={k: v for k, v in descriptions.items() if v},
        language=language,
        licence=licence,
        visibility=visibility,
        competence_ids=sorted(set(chosen)),
    )
    return data, errors


def material_values(item: CatalogueMaterial | None) -> dict[str, Any]:
    """The form's values of an item (or of a new one)."""
    if item is None:
        return {"kind": "link", "language": "nl", "licence": "cc-by", "visibility": "public"}
    values: dict[str, Any] = {
        "kind": item.kind,
        "url": item.url,
        "language": item.language,
        "licence": item.licence,
        "visibility": item.visibility,
        "competences": [str(link.competence_id) for link in item.competences],
    }
    for code in LANGUAGES:
        values[f"title_{code}"] = (item.titles or {}).get(code, "")
        values[f"description_{code}"] = (item.descriptions or {}).get(code, "")
    return values


def form_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {key: form.get(key, "") for key in form}
    values["competences"] = form.getlist("competences")
    return values


def save_material(
    session: Session, provider_id: int, item: CatalogueMaterial | None, data: MaterialInput
) -> CatalogueMaterial:
    """Create or change an item (no commit: the caller's transaction holds it)."""
    if item is None:
        item = CatalogueMaterial(provider_id=provider_id, url=data.url)
        session.add(item)
    item.kind = data.kind
    item.url = data.url
    item.titles = dict(data.titles)
    item.descriptions = dict(data.descriptions)
    item.search_text = " ".join(data.titles.values()).lower()
    item.language = data.language
    item.licence = data.licence
    item.visibility = data.visibility
    item.updated_at = utcnow()
    item.competences = [
        CatalogueMaterialCompetence(competence_id=cid) for cid in data.competence_ids
    ]
    session.flush()
    reindex_material(session, [item])
    return item


def withdraw_material(session: Session, item: CatalogueMaterial) -> bool:
    if item.status == "withdrawn":
        return False
    item.status = "withdrawn"
    item.updated_at = utcnow()
    session.flush()
    reindex_material(session, [item])
    return True


def provider_material(session: Session, provider_id: int) -> list[CatalogueMaterial]:
    return list(
        session.scalars(
            select(CatalogueMaterial)
            .where(CatalogueMaterial.provider_id == provider_id)
            .order_by(CatalogueMaterial.id)
        )
    )


def _visible(member: bool) -> tuple[str, ...]:
    return VISIBILITIES if member else ("public",)


def visible_item(session: Session, item_id: int, member: bool) -> CatalogueMaterial | None:
    item = session.get(CatalogueMaterial, item_id)
    if item is None or item.status != "active" or item.visibility not in _visible(member):
        return None
    return item
