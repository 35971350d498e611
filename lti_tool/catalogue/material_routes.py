"""The knowledge base's pages: the public list (full-text search and filters) and an item's
page, and the provider's pages to add, change and withdraw its material.

Provider pages are guarded as the offers' are (a launch, and a place among the provider's people;
anyone else gets 404 for the provider). An item of another provider, asked for under one's own
provider, is refused with 403. Public pages show active public items; someone who came through
a launch also sees the items for the network's members.

A file item's download goes through the tool's route, which checks who may see the item, to the
content origin (material_files.py); the tool's origin never serves the file's bytes."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..content import services as content_services
from ..extensions import db
from ..lti.context import current_launch, launch_required
from ..models import User
from ..passports import catalogue as passport_catalogue
from ..passports.blueprint import limit_upload
from ..passports.models import Competence
from ..passports.names import local_name
from . import material, material_files, material_packages
from .blueprint import bp
from .material import LICENCE_NAMES, LICENCES, VISIBILITIES, CatalogueMaterial
from .material_search import (
    MaterialQuery,
    material_competences,
    material_query_from_args,
    search_material,
)
from .models import LANGUAGES, CatalogueProvider
from .provider_routes import _provider
from .public_routes import language_names, page_language, refusal_text
from .search import QueryRefused
from .texts import in_language


def licence_names() -> dict[str, str]:
    return {**LICENCE_NAMES, "internal": _("Internal (not for reuse)")}


def visibility_names() -> dict[str, str]:
    return {
        "public": _("Public"),
        "network": _("Network members only"),
        "platform": _("People of one platform only"),
    }


def kind_names() -> dict[str, str]:
    return {
        "link": _("Link"),
        "video": _("Video link"),
        "file": _("File"),
        "scorm": _("Package of the tool (SCORM, cmi5)"),
    }


UPLOAD_REQUEST_LIMIT = material_files.MAX_FILE_BYTES + 256 * 1024


def _package_choices(provider: CatalogueProvider) -> list[tuple[int, str]]:
    found = material_packages.usable_packages(db.session(), provider)
    names = material_packages.KIND_NAMES
    return [(p.id, f"{p.title} ({names.get(p.kind, p.kind)})") for p in found]


def _item(provider: CatalogueProvider, item_id: int) -> CatalogueMaterial:
    item = db.session.get(CatalogueMaterial, item_id)
    if item is None:
        abort(404)
    if item.provider_id != provider.id:
        abort(403)
    return item


def _competences(provider: CatalogueProvider) -> list[tuple[int, str]]:
    language = page_language()
    found = passport_catalogue.competences(db.session(), provider.platform_id)
    return [(c.id, local_name(c, language)) for c in found]


def _form(
    provider: CatalogueProvider,
    item: CatalogueMaterial | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Any:
    return (
        render_template(
            "catalogue/material_form.html",
            provider=provider,
            item=item,
            values=values,
            errors=errors,
            competences=_competences(provider),
            platforms=material.provider_platforms(db.session(), provider),
            languages=language_names(),
            language_codes=LANGUAGES,
            licences=licence_names(),
            licence_codes=LICENCES,
            visibilities=visibility_names(),
            visibility_codes=VISIBILITIES,
            kinds=kind_names(),
            packages=_package_choices(provider),
            max_mb=material_files.MAX_FILE_BYTES // (1024 * 1024),
        ),
        status,
    )


def _save(provider: CatalogueProvider, item: CatalogueMaterial | None) -> Any:
    limit_upload(UPLOAD_REQUEST_LIMIT)
    allowed = {cid for cid, _name in _competences(provider)}
    session = db.session()
    platforms = frozenset(p.id for p in material.provider_platforms(session, provider))
    data, errors = material.read_material_form(
        request.form,
        allowed,
        files=request.files,
        provider_id=provider.id,
        has_file=item is not None and item.file is not None,
        package_ok=lambda package_id: material_packages.usable_package(
            session, provider, package_id
        ),
        platform_ids=platforms,
    )
    if errors:
        return _form(provider, item, material.form_values(request.form), errors, 400)
    item = material.save_material(session, provider.id, item, data)
    session.commit()
    flash(_("The material is saved."), "ok")
    return redirect(
        url_for("catalogue.edit_material", provider_id=provider.id, item_id=item.id), 303
    )


@bp.get("/provider/<int:provider_id>/material/")
@launch_required()
def provider_material(provider_id: int) -> Any:
    provider = _provider(provider_id)
    language = page_language()
    return render_template(
        "catalogue/provider_material.html",
        provider=provider,
        items=material.provider_material(db.session(), provider.id),
        title_of=lambda item: in_language(item.titles, language),
        visibilities=visibility_names(),
    )


@bp.route("/provider/<int:provider_id>/material/new", methods=["GET", "POST"])
@launch_required()
def new_material(provider_id: int) -> Any:
    provider = _provider(provider_id)
    if request.method == "POST":
        return _save(provider, None)
    return _form(provider, None, material.material_values(None), {})


@bp.route("/provider/<int:provider_id>/material/<int:item_id>", methods=["GET", "POST"])
@launch_required()
def edit_material(provider_id: int, item_id: int) -> Any:
    provider = _provider(provider_id)
    item = _item(provider, item_id)
    if request.method == "POST":
        return _save(provider, item)
    return _form(provider, item, material.material_values(item), {})


@bp.post("/provider/<int:provider_id>/material/<int:item_id>/withdraw")
@launch_required()
def withdraw_material(provider_id: int, item_id: int) -> Any:
    provider = _provider(provider_id)
    item = _item(provider, item_id)
    if material.withdraw_material(db.session(), item):
        flash(_("The material is withdrawn: nobody sees it any more."), "ok")
    db.session.commit()
    return redirect(url_for("catalogue.provider_material", provider_id=provider.id), 303)


@bp.get("/provider/<int:provider_id>/material/<int:item_id>/file")
@launch_required()
def provider_material_file(provider_id: int, item_id: int) -> Any:
    """The provider's own people download the item's file, withdrawn or not."""
    provider = _provider(provider_id)
    item = _item(provider, item_id)
    launch = current_launch()
    viewer = db.session.get(User, launch.user_id) if launch is not None else None
    if item.file is None or viewer is None:
        abort(404)
    return redirect(material_files.ticket_for(item.file.id, viewer), 303)


@bp.get("/material/<int:item_id>/file")
def material_file(item_id: int) -> Any:
    """A visible file item's download: on to the content origin (a public item's by its
    numbers; a members' item's through a single-use ticket for the person of the launch)."""
    launch = current_launch()
    platform_id = launch.platform_id if launch is not None else None
    item = material.visible_item(db.session(), item_id, launch is not None, platform_id)
    if item is None or item.kind != "file" or item.file is None:
        abort(404)
    viewer = db.session.get(User, launch.user_id) if launch is not None else None
    return material_files.send_to_file(item, viewer)


def competence_names(session: Any, item: CatalogueMaterial, language: str) -> list[str]:
    """The names of the competences an item serves, in ``language`` (its public page and its
    page inside a course both show them)."""
    ids = [link.competence_id for link in item.competences]
    if not ids:
        return []
    found = session.scalars(select(Competence).where(Competence.id.in_(ids)))
    return [local_name(c, language) for c in found]


def _may_preview(package: Any) -> bool:
    """A trainer of a platform that sees the package may open it in the player (which checks
    again); learners open it where their course places it."""
    launch = current_launch()
    return bool(
        package is not None
        and launch is not None
        and launch.is_instructor
        and content_services.package_visible(package, launch.issuer)
    )


@bp.get("/material/")
def material_list() -> Any:
    language = page_language()
    session = db.session()
    ctx = current_launch()
    member = ctx is not None
    platform_id = ctx.platform_id if ctx is not None else None
    status, problem, page = 200, "", None
    try:
        query = material_query_from_args(request.args, language, member, platform_id)
        page = search_material(session, query)
    except QueryRefused as exc:
        status, problem = 400, refusal_text(str(exc))
        query = MaterialQuery(language=language, member=member, platform_id=platform_id)
    ids = material_competences(session, member, platform_id)
    offered = list(session.scalars(select(Competence).where(Competence.id.in_(ids)))) if ids else []
    args = {k: v for k, v in request.args.items() if k not in ("page", "lang")}
    body = render_template(
        "catalogue/material_list.html",
        query=query,
        page=page,
        problem=problem,
        competences=sorted((local_name(c, language), c.id) for c in offered),
        language_codes=LANGUAGES,
        licence_codes=LICENCES,
        page_url=lambda number: url_for("catalogue.material_list", **args, page=number),
        text=lambda values: in_language(values, language),
        licences=licence_names(),
        kinds=kind_names(),
        languages=language_names(),
    )
    return body, status


@bp.get("/material/<int:item_id>")
def material_page(item_id: int) -> Any:
    language = page_language()
    session = db.session()
    ctx = current_launch()
    platform_id = ctx.platform_id if ctx is not None else None
    item = material.visible_item(session, item_id, ctx is not None, platform_id)
    if item is None:
        abort(404)
    package = material_packages.package_row(session, item.package_id)
    return render_template(
        "catalogue/material_item.html",
        item=item,
        package=package,
        may_preview=_may_preview(package),
        package_kinds=material_packages.KIND_NAMES,
        member=current_launch() is not None,
        text=lambda values: in_language(values, language),
        competences=competence_names(session, item, language),
        licences=licence_names(),
        kinds=kind_names(),
        languages=language_names(),
        visibilities=visibility_names(),
    )
