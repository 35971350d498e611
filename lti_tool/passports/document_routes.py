"""Documents an employer can trust: the printable certificate of one training (learner and
trainer), the issuing organisation's settings page (the platform's administrator) and its logo
(public: the verify page and the Open Badges credentials show it).

Also the request-bound pieces the passport's documents share: the reader's words, dates and
numbers (Flask-Babel), and the issuer of the launch's platform.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from ..extensions import db
from ..lti.context import launch_required
from . import credentials, errors, names
from .blueprint import base_url, bp, download, launch_ctx, limit_upload, tool_title
from .certificate import certificate_pdf
from .display import day, day_pattern
from .entry_access import own_entry, visible_entry
from .issuer import MAX_LOGO_BYTES, Issuer, IssuerRefused, issuer_for, save_issuer
from .models import IssuingOrganisation, PassportEntry
from .pdf_layout import Reader
from .status_words import FormatDay, status_text
from .validity import DEFAULT_WARN_DAYS

ISSUER_REQUEST_LIMIT = MAX_LOGO_BYTES + 64 * 1024


def long_date(value: dt.date) -> str:
    """2 oktober 2026 / 2 octobre 2026 / 2. Oktober 2026 / October 2, 2026."""
    if isinstance(value, dt.datetime):  # in the reader's time zone
        return str(format_date(value, format="long"))
    return day(value)  # the locale's pattern parsed once


def long_dates() -> FormatDay:
    """``long_date`` for the request's language with its pattern looked up once (Flask-Babel
    finds the locale, time zone and pattern again for each day: a PDF of 1,000 trainings
    formats 3,000 days)."""
    locale = get_locale()
    if locale is None:
        return long_date
    pattern = day_pattern(locale, "long")
    return lambda value: str(pattern.apply(value, locale))


def locale_hours(value: Decimal | float) -> str:
    """7,5 in nl / fr / de, 7.5 in en; whole hours without decimals."""
    return str(format_decimal(value, format="#,##0.##"))


def current_reader() -> Reader:
    return Reader(
        _=_,
        day=long_dates(),
        hours=locale_hours,
        plural=ngettext,
        language=names.reader_language(),
    )


def issuer_of(platform_id: int | None) -> Issuer:
    return issuer_for(db.session(), platform_id, tool_title())


def issuer_image_url(issuer: Issuer) -> str | None:
    """The logo's public address (versioned, so a new logo is a new address), or None."""
    if issuer.platform_id is None or issuer.logo_version is None:
        return None
    return f"{base_url()}/passport/issuers/{issuer.platform_id}/logo.png?v={issuer.logo_version}"


@bp.app_template_global("training_status")
def training_status(state: str, valid_until: dt.date | None) -> str:
    """A training's status in the page's words: see ``status_words``."""
    return status_text(state, valid_until, long_date, _)


@bp.app_template_filter("long_date")
def long_date_filter(value: dt.date | dt.datetime) -> str:
    return long_date(value)


# ---------------------------------------------------------------- the certificate


def entry_credential(entry: PassportEntry, issuer: Issuer) -> Any:
    """The entry's Open Badges credential from ``issuer`` (the one issued before, if any). A
    revoked credential answers its 410 page, an entry that cannot have one 404."""
    try:
        return credentials.issue_for_entry(
            db.session(),
            entry,
            base_url=base_url(),
            issuer_name=issuer.name,
            issuer_image=issuer_image_url(issuer),
        )
    except credentials.CredentialRevoked as exc:
        page = render_template(
            "passports/credential_revoked.html",
            ctx=launch_ctx(),
            entry=entry,
            revoked=exc.credential,
        )
        abort(make_response(page, 410))
    except errors.PassportError:
        abort(404)


def _certificate(entry: PassportEntry) -> Any:
    issuer = issuer_of(entry.user.platform_id or launch_ctx().platform_id)
    credential = entry_credential(entry, issuer)
    body = certificate_pdf(
        entry,
        f"{base_url()}/verify/{credential.public_id}",
        issuer,
        current_reader(),
        today=dt.date.today(),
        warn_days=DEFAULT_WARN_DAYS,
    )
    return download(body, "application/pdf", f"certificate-{entry.id}.pdf")


@bp.get("/passport/entries/<int:entry_id>/certificate.pdf")
@launch_required()
def my_certificate_pdf(entry_id: int) -> Any:
    """The learner's printable certificate of one of their own trainings."""
    return _certificate(own_entry(entry_id))


@bp.get("/passport/trainer/entries/<int:entry_id>/certificate.pdf")
@launch_required(role="instructor")
def trainer_certificate_pdf(entry_id: int) -> Any:
    """The certificate of a learner's training, for a trainer who may see that learner."""
    return _certificate(visible_entry(entry_id))


# ---------------------------------------------------------------- the issuing organisation

REFUSALS = {
    "too_large": lambda: _(
        "The logo is larger than %(mb)s MB.", mb=MAX_LOGO_BYTES // (1024 * 1024)
    ),
    "not_an_image": lambda: _("Send the logo as a PNG or JPEG image."),
    "name_too_long": lambda: _("The name is longer than 255 characters."),
    "address_too_long": lambda: _("The address is longer than 1,000 characters."),
}


@bp.route("/passport/admin/issuer", methods=["GET", "POST"])
@launch_required(role="admin")
def issuer_settings() -> Any:
    """The platform's administrator says who issues its passports: name, address, logo."""
    ctx = launch_ctx()
    session = db.session()
    problems: list[str] = []
    if request.method == "POST":
        limit_upload(ISSUER_REQUEST_LIMIT)
        upload = request.files.get("logo")
        logo = upload.stream.read(MAX_LOGO_BYTES + 1) if upload and upload.filename else None
        try:
            save_issuer(
                session,
                ctx.platform_id,
                name=request.form.get("name", ""),
                address=request.form.get("address", ""),
                logo=logo,
                remove_logo=request.form.get("remove_logo") == "1",
            )
        except IssuerRefused as exc:
            session.rollback()
            problems = [REFUSALS[reason]() for reason in exc.reasons]
            if upload and upload.filename:
                problems.append(_("Choose the logo again: a browser does not keep a file."))
        else:
            flash(_("The issuing organisation is saved."), "ok")
            return redirect(url_for("passports.issuer_settings"), code=303)
    row = session.get(IssuingOrganisation, ctx.platform_id)
    issuer = issuer_of(ctx.platform_id)
    form = (
        request.form if problems else {"name": row.name if row else "", "address": issuer.address}
    )
    return render_template(
        "passports/issuer.html",
        ctx=ctx,
        issuer=issuer,
        form=form,
        problems=problems,
        max_logo_mb=MAX_LOGO_BYTES // (1024 * 1024),
    ), (400 if problems else 200)


@bp.get("/passport/issuers/<int:platform_id>/logo.png")
def issuer_logo(platform_id: int) -> Any:
    """Public: the logo is on every verify page and in the credentials the holders share."""
    row = db.session.get(IssuingOrganisation, platform_id)
    if row is None or not row.logo_png:
        abort(404)
    response = Response(row.logo_png, mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
