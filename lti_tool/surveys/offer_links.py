"""Links from competences to the tool's offers, made by a platform's trainers: a learning path,
a SCORM package or a passport training type covers a competence. The gap report and a
respondent's gap profile list them (through ``competence_offers``) beside the gaps.

A training type that names a competence itself (the passport's ``TrainingType.competence_id``)
counts as covering it without a link. Catalogue offers carry their own competences and answer
through the catalogue's finder. Everything here stays within one platform: its paths, the
packages it sees, the training types it sees, the competences of frameworks it sees.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning_packages import tables as package_tables
from learning_packages.listing import list_packages, visible_to

from ..blended.path_models import BlendedPath
from ..blended.paths import localized
from ..competence_offers import OfferRef, Where, register_finder
from ..passports import catalogue as passport_catalogue
from ..passports.errors import N_, Refusal
from ..passports.models import Competence, TrainingType
from ..passports.names import local_name
from .models import LINK_KINDS, SurveyOfferLink


class LinkRefused(Refusal):
    """A link that cannot be made; the message says why."""


@dataclass(frozen=True)
class LinkRow:
    id: int
    competence: str
    offer: OfferRef


def targets(session: Session, where: Where) -> dict[str, list[tuple[int, str]]]:
    """What the platform's trainers may link, per kind: (id, title)."""
    paths = session.scalars(
        select(BlendedPath)
        .where(BlendedPath.platform_id == where.platform_id)
        .order_by(BlendedPath.id)
    )
    return {
        "path": [(p.id, localized(p.title, where.language) or f"#{p.id}") for p in paths],
        "package": [(p.id, p.title) for p in list_packages(session, tenant=where.issuer)],
        "training_type": [
            (t.id, local_name(t, where.language))
            for t in passport_catalogue.training_types(session, where.platform_id)
        ],
    }


def _titles(session: Session, where: Where, kind: str, ids: Collection[int]) -> dict[int, str]:
    """The titles of the targets of ``kind`` that the platform sees, by id (others absent)."""
    if not ids:
        return {}
    if kind == "path":
        return {
            p.id: localized(p.title, where.language) or f"#{p.id}"
            for p in session.scalars(
                select(BlendedPath).where(
                    BlendedPath.id.in_(ids), BlendedPath.platform_id == where.platform_id
                )
            )
        }
    if kind == "package":
        packages = package_tables.packages
        return {
            row.id: row.title
            for row in session.execute(
                select(packages.c.id, packages.c.title).where(
                    packages.c.id.in_(ids), visible_to(where.issuer)
                )
            )
        }
    return {
        t.id: local_name(t, where.language)
        for t in session.scalars(
            select(TrainingType).where(
                TrainingType.id.in_(ids), passport_catalogue.visible_types(where.platform_id)
            )
        )
    }


def add_link(
    session: Session, where: Where, competence_id: int, kind: str, target_id: int, actor_id: int
) -> SurveyOfferLink:
    """Link (not committed); refused for a competence, kind or target the platform does not see,
    or a link that exists already."""
    if kind not in LINK_KINDS:
        raise LinkRefused(N_("Choose a learning path, a package or a training type."))
    if not passport_catalogue.visible_competence_ids(session, where.platform_id, [competence_id]):
        raise LinkRefused(N_("Choose a competence from the list."))
    if target_id not in _titles(session, where, kind, [target_id]):
        raise LinkRefused(N_("Choose an offer from the list."))
    exists = session.scalar(
        select(SurveyOfferLink.id).where(
            SurveyOfferLink.platform_id == where.platform_id,
            SurveyOfferLink.competence_id == competence_id,
            SurveyOfferLink.kind == kind,
            SurveyOfferLink.target_id == target_id,
        )
    )
    if exists:
        raise LinkRefused(N_("This offer is already linked to this competence."))
    link = SurveyOfferLink(
        platform_id=where.platform_id,
        competence_id=competence_id,
        kind=kind,
        target_id=target_id,
        created_by_id=actor_id,
    )
    session.add(link)
    session.flush()
    return link


def platform_link(session: Session, platform_id: int, link_id: int) -> SurveyOfferLink | None:
    link = session.get(SurveyOfferLink, link_id)
    return link if link is not None and link.platform_id == platform_id else None


def links(session: Session, where: Where) -> list[LinkRow]:
    """The platform's links, by competence name then offer title (targets gone are left out)."""
    rows = list(
        session.execute(
            select(SurveyOfferLink, Competence)
            .join(Competence, Competence.id == SurveyOfferLink.competence_id)
            .where(SurveyOfferLink.platform_id == where.platform_id)
        ).all()
    )
    titles = {
        kind: _titles(
            session, where, kind, [link.target_id for link, _c in rows if link.kind == kind]
        )
        for kind in LINK_KINDS
    }
    found = [
        LinkRow(
            link.id,
            local_name(competence, where.language),
            OfferRef(link.kind, link.target_id, titles[link.kind][link.target_id]),
        )
        for link, competence in rows
        if link.target_id in titles[link.kind]
    ]
    return sorted(found, key=lambda r: (r.competence.lower(), r.offer.kind, r.offer.title.lower()))


def tool_offers(
    session: Session, where: Where, competence_ids: Collection[int]
) -> dict[int, list[OfferRef]]:
    """The finder of the tool's own offers: linked paths, packages and training types, and
    training types that name the competence themselves."""
    found: dict[int, list[OfferRef]] = {}
    rows = list(
        session.execute(
            select(
                SurveyOfferLink.competence_id, SurveyOfferLink.kind, SurveyOfferLink.target_id
            ).where(
                SurveyOfferLink.platform_id == where.platform_id,
                SurveyOfferLink.competence_id.in_(competence_ids),
            )
        ).all()
    )
    own_types = list(
        session.scalars(
            select(TrainingType).where(
                TrainingType.competence_id.in_(competence_ids),
                passport_catalogue.visible_types(where.platform_id),
            )
        )
    )
    type_ids = [t for _c, kind, t in rows if kind == "training_type"] + [t.id for t in own_types]
    titles = {
        kind: _titles(
            session,
            where,
            kind,
            type_ids if kind == "training_type" else [t for _c, k, t in rows if k == kind],
        )
        for kind in LINK_KINDS
    }
    pairs = [(c, kind, t) for c, kind, t in rows] + [
        (t.competence_id, "training_type", t.id) for t in own_types if t.competence_id
    ]
    for competence_id, kind, target_id in pairs:
        title = titles[kind].get(target_id)
        if title is not None:
            found.setdefault(competence_id, []).append(OfferRef(kind, target_id, title))
    return found


def paths_covering(session: Session, where: Where, competence_id: int) -> list[OfferRef]:
    """The platform's paths linked to the competence (what a group can be made for)."""
    return [
        ref
        for ref in tool_offers(session, where, [competence_id]).get(competence_id, [])
        if ref.kind == "path"
    ]


register_finder(tool_offers)
