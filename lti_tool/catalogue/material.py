"""The knowledge base: material items that are a link, a video link, an uploaded file
(material_files.py) or one of the tool's SCORM / cmi5 packages (material_packages.py), owned by a
provider, with title and description per language, a language, framework competences, a licence
and a visibility (public; the network's members: anyone who came through a launch; or the people
who launched from one named platform).

Saving or withdrawing an item writes its search rows (``material_search_index``), which the list
page searches (``material_search``); the Deep Linking picker reads ``search_text`` (the titles,
lower-cased). No person is kept in these tables, so the erase has nothing to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from offer_formats.sanitise import plain_text

from ..models import Base, Platform, User, utcnow
from ..passports.errors import message
from ..passports.uploads import UploadRefused
from .material_files import CatalogueMaterialFile, read_upload
from .material_search_index import reindex_material
from .models import LANGUAGES, CatalogueProvider, CatalogueProviderMember, _in
from .texts import per_language

KINDS = ("link", "video", "file", "scorm")
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
VISIBILITIES = ("public", "network", "platform")
STATUSES = ("active", "withdrawn")
MAX_RESULTS = 200


class CatalogueMaterial(Base):
    """A link, a video link, a file or a package of a provider's, described per language. A link
    has its ``url``; a file its current ``file``; a package item the package's id (the library's
    tables are on their own metadata: no foreign key; a package removed later shows as gone)."""

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
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalogue_material_file.id", ondelete="SET NULL"), default=None, index=True
    )
    package_id: Mapped[int | None] = mapped_column(Integer, default=None)
    titles: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The titles of every language, lower-cased (the interim search's; the search rows replace it).
    search_text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="nl")
    licence: Mapped[str] = mapped_column(String(16), default="internal")
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    # The one platform whose people see the item (visibility "platform"), else None.
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform.id", ondelete="SET NULL"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    provider: Mapped[CatalogueProvider] = relationship()
    file: Mapped[CatalogueMaterialFile | None] = relationship()
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
    package_id: int | None = None
    # A file just uploaded (checked, not yet in a session); None keeps the item's current one.
    upload: CatalogueMaterialFile | None = None
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    language: str = "nl"
    licence: str = "internal"
    visibility: str = "public"
    platform_id: int | None = None
    competence_ids: list[int] = field(default_factory=list)


def safe_url(raw: str) -> str:
    """``raw`` if it is an http(s) address with a host, else ValueError (``javascript:``,
    ``data:``, relative addresses)."""
    raw = (raw or "").strip()
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(raw) > 1024:
        raise ValueError(raw)
    return raw


def _read_kind(
    form: Any,
    files: Any,
    provider_id: int,
    has_file: bool,
    package_ok: Callable[[int], bool],
    errors: dict[str, str],
) -> tuple[str, str, int | None, CatalogueMaterialFile | None]:
    """The kind and what it needs: a web address, a file (a new upload, or the item's current
    one), or a package the provider may use."""
    kind = form.get("kind") or ""
    url, package_id, upload = "", None, None
    if kind not in KINDS:
        errors["kind"] = str(
            _l("Choose what the material is: a link, a video link, a file or a package.")
        )
        return "link", url, package_id, upload
    if kind in ("link", "video"):
        try:
            url = safe_url(form.get("url") or "")
        except ValueError:
            errors["url"] = str(_l("Give a web address that starts with http:// or https://."))
    elif kind == "file":
        sent = files.get("file") if files is not None else None
        if sent is not None and sent.filename:
            try:
                upload = read_upload(sent.stream, sent.filename, provider_id)
            except UploadRefused as refused:
                errors["file"] = message(refused)
        elif not has_file:
            errors["file"] = str(_l("Choose the file to upload."))
    else:
        raw = (form.get("package") or "").strip()
        package_id = int(raw) if raw.isdigit() and len(raw) < 10 else None
        if package_id is None or not package_ok(package_id):
            errors["package"] = str(_l("Choose one of the tool's packages from the list."))
            package_id = None
    return kind, url, package_id, upload


def read_material_form(
    form: Any,
    competence_ids: set[int],
    *,
    files: Any = None,
    provider_id: int = 0,
    has_file: bool = False,
    package_ok: Callable[[int], bool] = lambda _package_id: False,
    platform_ids: frozenset[int] = frozenset(),
) -> tuple[MaterialInput, dict[str, str]]:
    """The form's item and its problems (field -> message), all found at once. ``has_file``:
    the item already has a file, kept when no new one is sent; ``platform_ids`` are the
    platforms the provider may show an item to alone."""
    errors: dict[str, str] = {}
    titles = {k: plain_text(v) for k, v in per_language(form, "title", 255).items()}
    titles = {k: v for k, v in titles.items() if v}
    if not titles:
        errors["title"] = str(_l("Give the material a title in at least one language."))
    descriptions = {
        k: plain_text(v, single_line=False)
        for k, v in per_language(form, "description", 5000).items()
    }
    kind, url, package_id, upload = _read_kind(
        form, files, provider_id, has_file, package_ok, errors
    )
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
    platform_id = None
    if visibility == "platform":
        raw = form.get("platform_id") or ""
        platform_id = int(raw) if raw.isdigit() else None
        if platform_id not in platform_ids:
            errors["platform_id"] = str(_l("Choose the platform whose people may see it."))
            platform_id = None
    chosen = [int(v) for v in form.getlist("competences") if v.isdigit()]
    if any(cid not in competence_ids for cid in chosen) or len(chosen) != len(
        form.getlist("competences")
    ):
        errors["competences"] = str(_l("Choose competences from the list."))
    data = MaterialInput(
        kind=kind,
        url=url,
        package_id=package_id,
        upload=upload,
        titles=titles,
        descriptions={k: v for k, v in descriptions.items() if v},
        language=language,
        licence=licence,
        visibility=visibility,
        platform_id=platform_id,
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
        "package": str(item.package_id or ""),
        "language": item.language,
        "licence": item.licence,
        "visibility": item.visibility,
        "platform_id": str(item.platform_id or ""),
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
    """Create or change an item (no commit: the caller's transaction holds it). A new upload
    replaces the item's file, and a file no longer used (replaced, or the item became a link or
    a package) is deleted: none is left behind."""
    if item is None:
        item = CatalogueMaterial(provider_id=provider_id, url=data.url)
        session.add(item)
    old_file = item.file
    if data.upload is not None:
        session.add(data.upload)
        item.file = data.upload
    elif data.kind != "file":
        item.file = None
    if old_file is not None and item.file is not old_file:
        session.delete(old_file)
    item.kind = data.kind
    item.url = data.url
    item.package_id = data.package_id
    item.titles = dict(data.titles)
    item.descriptions = dict(data.descriptions)
    item.search_text = " ".join(data.titles.values()).lower()
    item.language = data.language
    item.licence = data.licence
    item.visibility = data.visibility
    item.platform_id = data.platform_id if data.visibility == "platform" else None
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


def visible_to(member: bool, platform_id: int | None = None) -> ColumnElement[bool]:
    """Which active items a reader sees: public ones; network ones too for a member (someone
    who came through a launch); and the items shown to one platform, for that platform's people."""
    if not member:
        return and_(CatalogueMaterial.status == "active", CatalogueMaterial.visibility == "public")
    shown = CatalogueMaterial.visibility.in_(("public", "network"))
    if platform_id is not None:
        shown = or_(
            shown,
            and_(
                CatalogueMaterial.visibility == "platform",
                CatalogueMaterial.platform_id == platform_id,
            ),
        )
    return and_(CatalogueMaterial.status == "active", shown)


def may_see(item: CatalogueMaterial, member: bool, platform_id: int | None = None) -> bool:
    """``visible_to`` for one item already read."""
    if item.status != "active":
        return False
    if item.visibility == "public":
        return True
    if not member:
        return False
    if item.visibility == "platform":
        return platform_id is not None and item.platform_id == platform_id
    return item.visibility == "network"


def visible_material(
    session: Session,
    words: str,
    member: bool,
    platform_id: int | None = None,
    language: str | None = None,
) -> list[CatalogueMaterial]:
    """Active items the reader may see (``visible_to``), in ``language`` when given, whose
    titles hold every word of ``words`` (interim LIKE search), newest first."""
    query = select(CatalogueMaterial).where(visible_to(member, platform_id))
    if language:
        query = query.where(CatalogueMaterial.language == language)
    for word in words.lower().split()[:10]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(CatalogueMaterial.search_text.like(f"%{escaped}%", escape="\\"))
    return list(session.scalars(query.order_by(CatalogueMaterial.id.desc()).limit(MAX_RESULTS)))


def visible_item(
    session: Session, item_id: int, member: bool, platform_id: int | None = None
) -> CatalogueMaterial | None:
    item = session.get(CatalogueMaterial, item_id)
    if item is None or not may_see(item, member, platform_id):
        return None
    return item


def provider_platforms(session: Session, provider: CatalogueProvider) -> list[Platform]:
    """The platforms a provider may show an item to alone: the one it is linked with and those
    its people launch from, by name."""
    ids = set(
        session.scalars(
            select(User.platform_id)
            .join(CatalogueProviderMember, CatalogueProviderMember.user_id == User.id)
            .where(
                CatalogueProviderMember.provider_id == provider.id, User.platform_id.is_not(None)
            )
        )
    )
    if provider.platform_id is not None:
        ids.add(provider.platform_id)
    if not ids:
        return []
    found = session.scalars(select(Platform).where(Platform.id.in_(ids)))
    return sorted(found, key=lambda p: ((p.name or p.issuer).lower(), p.id))
