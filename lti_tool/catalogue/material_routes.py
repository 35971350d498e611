"""The knowledge base's pages: the public list (full-text search and filters) and an item's
page, and the provider's pages to add, change and withdraw its material.

Provider pages are guarded as the offers' are (a launch, and a place among the provider's people;
anyone else gets 404 for the provider). An item of another provider, asked for under one's own
provider, is refused with 403. Public pages show active public items; someone who came through
a launch also sees the items for the network's members."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..lti.context import current_launch, launch_required
from ..passports import catalogue as passport_catalogue
from ..passports.models import Competence
from ..passports.names import local_name
from . import material
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
    return {"public": _("Public"), "network": _("Network members only")}


def kind_names() -> dict[str, str]:
    return {"link": _("Link"), "video": _("Video link")}


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
            languages=language_names(),
            language_codes=LANGUAGES,
            licences=licence_names(),
            licence_codes=LICENCES,
            visibilities=visibility_names(),
            visibility_codes=VISIBILITIES,
            kinds=kind_names(),
        ),
        status,
    )


def _save(provider: CatalogueProvider, item: CatalogueMaterial | None) -> Any:
    allowed = {cid for cid, _name in _competences(provider)}
    data, errors = material.read_material_form(request.form, allowed)
    if errors:
        return _form(provider, item, material.form_values(request.form), errors, 400)
    session = db.session()
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


@bp.get("/material/")
def material_list() -> Any:
    language = page_language()
    session = db.session()
    member = current_launch() is not None
    status, problem, page = 200, "", None
    try:
        query = material_query_from_args(request.args, language, member)
        page = search_material(session, query)
    except QueryRefused as exc:
        status, problem = 400, refusal_text(str(exc))
        query = MaterialQuery(language=language, member=member)
    ids = material_competences(session, member)
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
    item = material.visible_item(session, item_id, current_launch() is not None)
    if item is None:
        abort(404)
    ids = [link.competence_id for link in item.competences]
    competences = (
        list(session.scalars(select(Competence).where(Competence.id.in_(ids)))) if ids else []
    )
    return render_template(
        "catalogue/material_item.html",
        item=item,
        text=lambda values: in_language(values, language),
        competences=[local_name(c, language) for c in competences],
        licences=licence_names(),
        kinds=kind_names(),
        languages=language_names(),
        visibilities=visibility_names(),
    )
