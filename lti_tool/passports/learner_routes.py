"""The learner's pages: their own passport, entries, certificates, credentials, exports and
proposals.

A learner's pages always use the launch's user id, never an id from the URL.
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import launch_required
from . import credentials, entries, errors, exports, overview
from .blueprint import (
    UPLOAD_REQUEST_LIMIT,
    base_url,
    bp,
    download,
    entry_and_certificate,
    evidence_download,
    form_choices,
    launch_ctx,
    limit_upload,
    warn_days_asked,
)
from .document_routes import current_reader, entry_credential, issuer_image_url, issuer_of
from .entry_access import own_entry
from .passport_pdf import passport_pdf
from .uploads import UploadRefused


@bp.get("/passport/")
@launch_required()
def my_passport() -> Any:
    ctx = launch_ctx()
    summary = overview.passport_summary(db.session(), ctx.user_id, warn_days=warn_days_asked())
    return render_template("passports/passport.html", ctx=ctx, summary=summary)


@bp.get("/passport/entries/<int:entry_id>")
@launch_required()
def my_entry(entry_id: int) -> Any:
    ctx = launch_ctx()
    entry = own_entry(entry_id)
    return render_template("passports/entry.html", ctx=ctx, entry=entry, trainer_view=False)


@bp.get("/passport/entries/<int:entry_id>/certificate")
@launch_required()
def my_certificate(entry_id: int) -> Any:
    ctx = launch_ctx()
    entry = entries.entry_for_user(db.session(), entry_id, ctx.user_id)
    if entry is None or entry.certificate is None:
        abort(404)
    return evidence_download(entry.certificate, ctx.user_id)


@bp.get("/passport/entries/<int:entry_id>/credential")
@launch_required()
def my_credential(entry_id: int) -> Any:
    """The entry's Open Badges 3.0 credential as a VC-JWT file."""
    credential = entry_credential(own_entry(entry_id), issuer_of(launch_ctx().platform_id))
    return download(
        credential.token, "application/vc+jwt", f"open-badge-{credential.public_id}.jwt"
    )


@bp.get("/passport/export.json")
@launch_required()
def export_json() -> Any:
    ctx = launch_ctx()
    summary = overview.passport_summary(db.session(), ctx.user_id)
    body = json.dumps(exports.passport_json(summary), ensure_ascii=False, indent=2)
    return download(body, "application/json", "passport.json")


@bp.get("/passport/export.pdf")
@launch_required()
def export_pdf() -> Any:
    ctx = launch_ctx()
    session = db.session()
    summary = overview.passport_summary(session, ctx.user_id)
    # The PDF shows what its signed snapshot vouches for: no training whose credential was revoked.
    vouched = credentials.passport_entries(summary)
    summary = dataclasses.replace(
        summary,
        entries=vouched,
        hours_total=sum((v.entry.hours for v in vouched), Decimal("0")),
    )
    issuer = issuer_of(ctx.platform_id)
    credential = credentials.issue_for_passport(
        session,
        summary,
        base_url=base_url(),
        issuer_name=issuer.name,
        issuer_image=issuer_image_url(issuer),
    )
    verify_url = f"{base_url()}/verify/{credential.public_id}"
    body = passport_pdf(summary, verify_url, issuer, current_reader())
    return download(body, "application/pdf", "passport.pdf")


@bp.get("/passport/my-data.json")
@launch_required()
def my_data() -> Any:
    ctx = launch_ctx()
    body = json.dumps(
        exports.personal_data(db.session(), ctx.user_id), ensure_ascii=False, indent=2
    )
    return download(body, "application/json", "my-learnpass-data.json")


@bp.route("/passport/propose", methods=["GET", "POST"])
@launch_required()
def propose() -> Any:
    ctx = launch_ctx()
    error = None
    if request.method == "POST":
        limit_upload(UPLOAD_REQUEST_LIMIT)
        session = db.session()
        try:
            data, certificate = entry_and_certificate(
                owner_id=ctx.user_id, uploaded_by_id=ctx.user_id, proposal=True
            )
            entries.propose_entry(
                session,
                user_id=ctx.user_id,
                data=data,
                certificate=certificate,
                course_id=ctx.course_id,
                platform_id=ctx.platform_id,
            )
        except (errors.PassportError, UploadRefused) as exc:
            session.rollback()
            error = errors.message(exc)
        else:
            flash(_("Thank you. Your trainer will check your proposal."), "ok")
            return redirect(url_for("passports.my_passport"), code=303)
    return render_template(
        "passports/entry_form.html",
        ctx=ctx,
        error=error,
        form=request.form,
        mode="propose",
        **form_choices(),
    ), (400 if error else 200)
