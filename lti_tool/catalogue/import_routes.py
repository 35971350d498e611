"""The provider's import of a CSV or JSON-LD file (upload, report on the page) and export.

Only the provider's people reach them (404 for anyone else, as on the other provider pages);
the provider is the one of the page, never the one named in the file."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, render_template, request
from flask_babel import gettext as _

from ..catalogue_feed import reason_text
from ..extensions import db
from ..lti.context import launch_required
from .blueprint import bp
from .offer_import import IMPORT_MAX_BYTES, export_csv, export_jsonld, import_file
from .provider_routes import _ctx, _provider


def _page(provider: Any, status: int = 200, **values: Any) -> Any:
    return (
        render_template(
            "catalogue/offer_import.html",
            provider=provider,
            max_mb=IMPORT_MAX_BYTES // (1024 * 1024),
            reason_text=reason_text,
            **values,
        ),
        status,
    )


@bp.get("/provider/<int:provider_id>/import")
@launch_required()
def import_form(provider_id: int) -> Any:
    return _page(_provider(provider_id))


@bp.post("/provider/<int:provider_id>/import")
@launch_required()
def import_offers(provider_id: int) -> Any:
    provider = _provider(provider_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(provider, 400, problem=_("Choose a CSV or JSON-LD file to import."))
    data = upload.stream.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        problem = _("The file is larger than %(mb)d MB; split it.", mb=IMPORT_MAX_BYTES // 2**20)
        return _page(provider, 413, problem=problem)
    session = db.session()
    report = import_file(session, provider, data, _ctx().user_id)
    session.commit()
    nothing = not (report.created or report.updated) and report.errors
    return _page(provider, 400 if nothing else 200, report=report)


@bp.get("/provider/<int:provider_id>/offers.csv")
@launch_required()
def export_offers(provider_id: int) -> Any:
    provider = _provider(provider_id)
    # With a byte order mark, so spreadsheets read the file as UTF-8.
    body = "\ufeff" + export_csv(db.session(), provider)
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="offers-{provider.code}.csv"'},
    )


@bp.get("/provider/<int:provider_id>/offers.jsonld")
@launch_required()
def export_offers_jsonld(provider_id: int) -> Any:
    provider = _provider(provider_id)
    body = json.dumps(export_jsonld(db.session(), provider), ensure_ascii=False, indent=2)
    return Response(
        body.encode("utf-8"),
        mimetype="application/ld+json",
        headers={"Content-Disposition": f'attachment; filename="offers-{provider.code}.jsonld"'},
    )
