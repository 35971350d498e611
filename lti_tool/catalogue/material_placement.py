"""The knowledge base in a course: a trainer in a Deep Linking launch searches the items their
platform may see (title words, language) and places one or more as ``material:<id>`` links; the
link opens the item on a page inside the course, where a learner's first opening is recorded
(``material_opens``).

The knowledge base is too large for the Deep Linking choice page, so it registers a picker there
(a page of its own that answers the platform, ``lti.routes.answer_deep_linking``) and a target
for the placed links; the launch layer never imports the catalogue.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _

from ..content import services as content_services
from ..extensions import db
from ..lti.context import current_launch, launch_required
from ..lti.placements import (
    Picker,
    Placement,
    content_item_for,
    register_picker,
    register_target,
)
from ..lti.routes import answer_deep_linking
from . import material
from .blueprint import bp
from .material import CatalogueMaterial
from .material_opens import record_open
from .material_packages import KIND_NAMES, package_row
from .material_routes import competence_names, kind_names, licence_names
from .models import LANGUAGES
from .public_routes import language_names, page_language
from .texts import in_language

TARGET = "material"
MAX_PICKED = 50


def material_target(item_id: int) -> str:
    return f"{TARGET}:{item_id}"


def _launch() -> Any:
    ctx = current_launch()
    assert ctx is not None  # launch_required
    return ctx


def _picker(words: str, language: str, error: str = "", status: int = 200) -> tuple[str, int]:
    ctx = _launch()
    items = material.visible_material(db.session(), words, True, ctx.platform_id, language or None)
    shown = page_language()
    accept_multiple = ctx.deep_linking.get("accept_multiple", True) is not False
    return (
        render_template(
            "catalogue/material_place.html",
            items=items,
            words=words,
            language=language,
            language_codes=LANGUAGES,
            languages=language_names(),
            text=lambda values: in_language(values, shown),
            kinds=kind_names(),
            licences=licence_names(),
            accept_multiple=accept_multiple,
            error=error,
        ),
        status,
    )


@bp.get("/material/place")
@launch_required(role="instructor", message_type="LtiDeepLinkingRequest")
def place_material() -> Any:
    words = (request.args.get("q") or "").strip()[:200]
    language = request.args.get("language") or ""
    if language not in LANGUAGES:
        language = ""
    return _picker(words, language)


@bp.post("/material/place")
@launch_required(role="instructor", message_type="LtiDeepLinkingRequest")
def place_material_answer() -> Any:
    ctx = _launch()
    chosen = request.form.getlist("item")[:MAX_PICKED]
    if not chosen:
        return _picker("", "", _("Choose at least one item to add to the course."), 400)
    if not all(value.isdigit() for value in chosen):
        abort(400)
    session = db.session()
    picked: list[CatalogueMaterial] = []
    for value in dict.fromkeys(chosen):
        item = material.visible_item(session, int(value), True, ctx.platform_id)
        if item is None:
            abort(404)  # withdrawn, or shown to another platform: as if it did not exist
        picked.append(item)
    if ctx.deep_linking.get("accept_multiple", True) is False:
        picked = picked[:1]
    locale = (ctx.locale or "en")[:2]
    kinds = kind_names()
    launch_url = current_app.config["LEARNPASS"].base_url + "/lti/launch"
    items = [
        content_item_for(
            Placement(
                target=material_target(item.id),
                title=in_language(item.titles, locale)[:255],
                description=_("Knowledge base: %(kind)s", kind=kinds.get(item.kind, item.kind)),
            ),
            launch_url,
        )
        for item in picked
    ]
    return answer_deep_linking(ctx, items)


@bp.get("/material/<int:item_id>/course")
@launch_required()
def course_material(item_id: int) -> Any:
    """The item inside the course: a placed link or a path step opens it here."""
    ctx = _launch()
    session = db.session()
    item = material.visible_item(session, item_id, True, ctx.platform_id)
    if item is None:
        abort(404)
    if not ctx.is_instructor:
        record_open(session, ctx, item)
        session.commit()
    language = page_language()
    package = package_row(session, item.package_id) if item.kind == "scorm" else None
    return render_template(
        "catalogue/material_course.html",
        item=item,
        package=package,
        # The player checks again; a package of another platform is not offered here.
        may_play=package is not None and content_services.package_visible(package, ctx.issuer),
        package_kinds=KIND_NAMES,
        text=lambda values: in_language(values, language),
        competences=competence_names(session, item, language),
        licences=licence_names(),
        kinds=kind_names(),
        languages=language_names(),
    )


def _to_course_page(rest: str) -> str:
    if not rest.isdigit():
        return url_for("catalogue.material_list")
    return url_for("catalogue.course_material", item_id=int(rest))


register_target(TARGET, _to_course_page)
register_picker(Picker("catalogue.place_material", lambda: _("An item of the knowledge base")))
