"""The administrator's pages: people, the platform's catalogue, competence frameworks,
identity links, the organisation export, credential revocation and erasure.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..lti.context import launch_required
from ..models import User
from . import (
    catalogue,
    credentials,
    erasure,
    errors,
    exports,
    frameworks,
    identities,
    names,
    overview,
    roster,
)
from .blueprint import base_url, bp, download, launch_ctx, limit_upload
from .forms import positive_int
from .models import CompetenceFramework, Credential, IdentityLink
from .people import people_page

FRAMEWORK_REQUEST_LIMIT = 5 * 1024 * 1024


# An administrator is the LMS administrator of one platform: the people, links, credentials and
# exports below are those of the launch's platform only. Training types and competence
# frameworks are the organisation's (read-only here: only the command line changes them) or the
# platform's own (see ``catalogue``). Identities of two platforms are linked
# by whoever runs the installation (`learnpass passport link-identities`).


def _own_person(user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or person.platform_id != launch_ctx().platform_id:
        abort(404)
    return person


@bp.get("/passport/admin/")
@launch_required(role="admin")
def admin_home() -> Any:
    return _admin_page()


def _admin_page(form: str = "", problems: list[str] | None = None) -> Any:
    """The administration page; after a refused ``form`` ("types", "frameworks", "links"), with
    all its ``problems`` beside that form, which shows what was typed (answered 400)."""
    session = db.session()
    platform_id = launch_ctx().platform_id
    query = request.args.get("q", "")[:200]
    page = people_page(
        session,
        launch_ctx().platform_id,
        request.args.get("page", 1, type=int) or 1,
        query=query,
    )
    return render_template(
        "passports/admin.html",
        ctx=launch_ctx(),
        page=page,
        training_types=catalogue.training_types(session, launch_ctx().platform_id),
        competences=catalogue.competences(session, launch_ctx().platform_id),
        frameworks=list(
            session.scalars(
                select(CompetenceFramework)
                .where(catalogue.visible_frameworks(launch_ctx().platform_id))
                .options(selectinload(CompetenceFramework.competences))
                .order_by(CompetenceFramework.shortname, CompetenceFramework.id)
            )
        ),
        people=page.people,
        query=query,
        links=list(
            session.scalars(
                select(IdentityLink)
                .where(
                    roster.on_platform(IdentityLink.primary_user_id, platform_id)
                    | roster.on_platform(IdentityLink.linked_user_id, platform_id)
                )
                .order_by(IdentityLink.id)
            )
        ),
        credentials=list(
            session.scalars(
                select(Credential)
                .where(roster.on_platform(Credential.user_id, platform_id))
                .order_by(Credential.id.desc())
                .limit(50)
            )
        ),
        refused_form=form,
        problems=problems or [],
        typed=request.form if problems else {},
    ), (400 if problems else 200)


def _refused(form: str, *problems: str) -> Any:
    db.session.rollback()
    return _admin_page(form, list(problems))


def _admin_back(message: str, category: str = "ok") -> Any:
    flash(message, category)
    return redirect(url_for("passports.admin_home"), code=303)


def _organisation_wide(exc: catalogue.OrganisationWide, kind: str) -> Any:
    """A platform's administrator named something of the whole organisation: refused, 403."""
    return render_template(
        "passports/catalogue_refused.html", ctx=launch_ctx(), kind=kind, name=exc.name
    ), 403


@bp.post("/passport/admin/training-types")
@launch_required(role="admin")
def add_training_type() -> Any:
    """Add a training type of this platform, or change one; a change is confirmed first."""
    session = db.session()
    code = request.form.get("code", "").strip()[:100]
    name = request.form.get("name", "").strip()[:255]
    problems = []
    if not code or not name:
        problems.append(_("Give the training type a code and a name."))
    months, months_problem = _validity_months()
    if months_problem:
        problems.append(months_problem)
    competence_id = positive_int(request.form.get("competence_id"), 0, 2**31) or None
    if competence_id is not None and not catalogue.visible_competence_ids(
        session, launch_ctx().platform_id, [competence_id]
    ):
        problems.append(_("Choose one of the competences in the list."))
        competence_id = None
    if problems:
        return _refused("types", *problems)
    try:
        plan = catalogue.plan_training_type(
            session,
            platform_id=launch_ctx().platform_id,
            code=code,
            name=name,
            months=months,
            competence_id=competence_id,
        )
    except catalogue.OrganisationWide as exc:
        return _organisation_wide(exc, "training_type")
    except catalogue.CatalogueError:
        return _refused("types", _("Choose one of the competences in the list."))
    if plan.existing is not None and not plan.changes:
        return _admin_back(_("Training type %(name)s already has these values.", name=name))
    if plan.needs_confirmation and request.form.get("confirm") != plan.confirmation:
        return render_template(
            "passports/training_type_confirm.html",
            ctx=launch_ctx(),
            plan=plan,
            competence_names={
                c.id: c.shortname for c in catalogue.competences(session, launch_ctx().platform_id)
            },
        )
    try:
        catalogue.apply_training_type(session, plan)
    except catalogue.CatalogueError as exc:
        return _refused("types", errors.message(exc))
    return _admin_back(_("Training type %(name)s saved.", name=name))


def _validity_months() -> tuple[int | None, str | None]:
    """The months a type stays valid: a whole number from 1 to 1200, or "never expires" ticked on
    purpose (an empty or zero box is no silent "forever")."""
    raw = request.form.get("validity_months", "").strip()
    if request.form.get("never_expires") == "1":
        if raw and raw != "0":
            return None, _("Either give the months or tick never expires, not both.")
        return None, None
    if not raw.isdigit() or not 1 <= int(raw) <= 1200:
        return None, _(
            "Valid for must be a whole number of months from 1 to 1200, or tick never expires."
        )
    return int(raw), None


@bp.post("/passport/admin/frameworks")
@launch_required(role="admin")
def import_framework() -> Any:
    limit_upload(FRAMEWORK_REQUEST_LIMIT)
    upload = request.files.get("framework")
    if upload is None or not upload.filename:
        return _refused("frameworks", _("Choose the CSV file Moodle exported."))
    try:
        text = upload.stream.read(FRAMEWORK_REQUEST_LIMIT).decode("utf-8")
        framework = frameworks.import_moodle_csv(
            db.session(), text, platform_id=launch_ctx().platform_id
        )
    except UnicodeDecodeError:
        return _refused("frameworks", _("The file is not UTF-8 text; export it again from Moodle."))
    except catalogue.OrganisationWide as exc:
        db.session.rollback()
        return _organisation_wide(exc, "framework")
    except frameworks.FrameworkImportError as exc:
        return _refused("frameworks", errors.message(exc))
    except IntegrityError:
        # Another import of the same ID number at the same moment; the unique constraints kept one.
        return _refused("frameworks", _(catalogue.SAVED_MEANWHILE))
    return _admin_back(
        ngettext(
            "Framework %(name)s imported with %(num)d competence.",
            "Framework %(name)s imported with %(num)d competences.",
            len(framework.competences),
            name=names.local_name(framework),
        )
    )


@bp.post("/passport/admin/identity-links")
@launch_required(role="admin")
def add_identity_link() -> Any:
    primary = positive_int(request.form.get("primary_user_id"), 0, 2**31)
    linked = positive_int(request.form.get("linked_user_id"), 0, 2**31)
    try:
        identities.link_identities(
            db.session(),
            primary,
            linked,
            launch_ctx().user_id,
            platform_id=launch_ctx().platform_id,
        )
    except errors.PassportError as exc:
        return _refused("links", errors.message(exc))
    return _admin_back(_("The two identities now share one passport."))


@bp.get("/passport/admin/export.csv")
@launch_required(role="admin")
def organisation_csv() -> Any:
    return download(
        exports.organisation_csv(db.session(), platform_id=launch_ctx().platform_id),
        "text/csv; charset=utf-8",
        "passports.csv",
    )


@bp.post("/passport/admin/credentials/<public_id>/revoke")
@launch_required(role="admin")
def revoke_credential(public_id: str) -> Any:
    session = db.session()
    credential = session.scalars(
        select(Credential).where(Credential.public_id == public_id[:64])
    ).first()
    if credential is None or credential.user_id is None:
        abort(404)
    holder = _own_person(credential.user_id)
    reason = " ".join(request.form.get("reason", "").split())[:1000]
    error = (
        None if reason else _("Say why the credential is revoked: the verification page shows it.")
    )
    if error or request.form.get("confirm") != "yes":
        # Nothing is revoked yet: the administrator sees whose credential it is and confirms.
        return render_template(
            "passports/credential_revoke_confirm.html",
            ctx=launch_ctx(),
            credential=credential,
            holder=holder,
            reason=reason,
            error=error,
        ), (400 if error else 200)
    actor = session.get(User, launch_ctx().user_id)
    assert actor is not None
    try:
        credentials.revoke(
            session,
            credential,
            actor=actor,
            reason=reason,
            base_url=base_url(),
        )
    except errors.PassportError as exc:
        return _admin_back(errors.message(exc), "error")
    if credential.kind == "entry":
        return _admin_back(
            _(
                "The credential is revoked, with every earlier copy; their verification pages "
                "now say so. The learner gets no new one unless a trainer issues it again."
            )
        )
    return _admin_back(_("The credential is revoked; its verification page now says so."))


@bp.route("/passport/admin/people/<int:user_id>/erase", methods=["GET", "POST"])
@launch_required(role="admin")
def erase(user_id: int) -> Any:
    ctx = launch_ctx()
    session = db.session()
    person = _own_person(user_id)
    error = None
    word = erase_word()
    if request.method == "POST":
        if not is_erase_word(request.form.get("confirm", ""), word):
            error = _("Type the word %(word)s in the box to confirm.", word=word)
        else:
            erasure.erase_learner(session, person.id, actor_id=ctx.user_id, base_url=base_url())
            return _admin_back(
                _("The person's passport and personal details are erased. An audit record is kept.")
            )
    summary = overview.passport_summary(session, person.id)
    return render_template(
        "passports/erase.html", ctx=ctx, person=person, summary=summary, error=error, word=word
    ), (400 if error else 200)


def erase_word() -> str:
    """The word an admin types to confirm an erasure, in the language of the page."""
    return pgettext("the word typed to confirm erasing a person; one word, in capitals", "ERASE")


def is_erase_word(typed: str, word: str) -> bool:
    """Any letter case and stray spaces will do: typing the word at all is the deliberate step.

    The English word is accepted too, so instructions written in English still work.
    """
    given = " ".join(typed.split()).casefold()
    return bool(given) and given in (word.casefold(), "erase")
