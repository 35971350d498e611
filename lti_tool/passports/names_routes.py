"""The administrator's pages for the catalogue's names in every language.

A training type or a framework of the administrator's own platform gets a name per language
(nl / fr / de / en); a framework's competences too, a page of them at a time (a Moodle framework
can hold thousands, more than one form may carry). Organisation-wide ones are read-only here,
as everywhere on the platform's pages (``catalogue``).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..lti.context import launch_required
from . import names
from .blueprint import bp, launch_ctx
from .models import Competence, CompetenceFramework, TrainingType

COMPETENCES_PER_PAGE = 40


def _own(item: TrainingType | CompetenceFramework | None) -> Any:
    """The item if the launch's platform may see it; 404 otherwise."""
    platform_id = launch_ctx().platform_id
    if item is None or item.platform_id not in (None, platform_id):
        abort(404)
    return item


def _refused(kind: str, name: str) -> Any:
    return render_template(
        "passports/catalogue_refused.html", ctx=launch_ctx(), kind=kind, name=name
    ), 403


@bp.route("/passport/admin/training-types/<int:type_id>/names", methods=["GET", "POST"])
@launch_required(role="admin")
def training_type_names(type_id: int) -> Any:
    training_type: TrainingType = _own(db.session.get(TrainingType, type_id))
    if request.method == "POST":
        if training_type.platform_id is None:
            return _refused("training_type", training_type.name)
        names.set_names(training_type, names.names_from_form(request.form))
        db.session.commit()
        flash(_("The names of %(name)s are saved.", name=names.local_name(training_type)), "ok")
        return redirect(url_for("passports.admin_home"), code=303)
    return render_template(
        "passports/names_type.html",
        ctx=launch_ctx(),
        item=training_type,
        languages=names.LANGUAGES,
        read_only=training_type.platform_id is None,
    )


@bp.route("/passport/admin/frameworks/<int:framework_id>/names", methods=["GET", "POST"])
@launch_required(role="admin")
def framework_names(framework_id: int) -> Any:
    framework: CompetenceFramework = _own(db.session.get(CompetenceFramework, framework_id))
    session = db.session()
    total = session.scalar(select(func.count()).where(Competence.framework_id == framework.id)) or 0
    pages = max(1, -(-total // COMPETENCES_PER_PAGE))
    page = min(max(request.values.get("page", 1, type=int) or 1, 1), pages)
    competences = list(
        session.scalars(
            select(Competence)
            .where(Competence.framework_id == framework.id)
            .order_by(Competence.area, Competence.shortname, Competence.id)
            .offset((page - 1) * COMPETENCES_PER_PAGE)
            .limit(COMPETENCES_PER_PAGE)
        )
    )
    if request.method == "POST":
        if framework.platform_id is None:
            return _refused("framework", framework.shortname)
        names.set_names(framework, names.names_from_form(request.form))
        for competence in competences:
            names.set_names(competence, names.names_from_form(request.form, f"c{competence.id}_"))
        session.flush()
        names.refresh_area_names(session, framework)
        session.commit()
        flash(_("The names are saved."), "ok")
        return redirect(
            url_for("passports.framework_names", framework_id=framework.id, page=page), code=303
        )
    return render_template(
        "passports/names_framework.html",
        ctx=launch_ctx(),
        item=framework,
        competences=competences,
        page=page,
        pages=pages,
        languages=names.LANGUAGES,
        read_only=framework.platform_id is None,
    )
