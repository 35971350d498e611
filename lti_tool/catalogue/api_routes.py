"""``GET /catalogue/api/offers``: the public search as JSON, paged, with an ETag (a client that
sends ``If-None-Match`` with the same page gets 304 and no body). No login: published offers
only. The parameters are the search page's, plus ``lang`` (the language of texts and stemming)
and ``per_page`` (at most 50)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, request, url_for

from ..extensions import db
from .blueprint import bp
from .catalogue_xapi import emit_search, record_after
from .models import LANGUAGES
from .public_routes import page_language
from .query_args import query_from_args
from .search import QueryRefused, search_offers


def _error(parameter: str) -> Response:
    body = {
        "error": "bad_parameter",
        "parameter": parameter,
        "message": f"the parameter {parameter!r} could not be read; see docs/catalogue.md",
    }
    return Response(json.dumps(body), status=400, mimetype="application/json")


@bp.get("/api/offers")
def api_offers() -> Any:
    language = request.args.get("lang") or page_language()
    if language not in LANGUAGES:
        return _error("lang")
    session = db.session()
    try:
        query = query_from_args(request.args, language)
        page = search_offers(session, query)
    except QueryRefused as exc:
        return _error(str(exc))
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    body: dict[str, Any] = {
        "language": language,
        "total": page.shown_total,
        "more": page.more,  # more than "total" match: counting stops there
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "items": [
            {
                "id": hit.offer_id,
                "url": url_for("catalogue.offer_page", offer_id=hit.offer_id, _external=True),
                "title": hit.title,
                "summary": hit.summary,
                "provider": hit.provider,
                "format": hit.format,
                "hours": hit.hours,
                "price": None if hit.price_cents is None else hit.price_cents / 100,
                "funding_eligible": hit.funding_eligible,
                "starts_on": hit.starts_on.isoformat() if hit.starts_on else None,
            }
            for hit in page.hits
        ],
        "next": (
            url_for("catalogue.api_offers", **args, page=page.page + 1, _external=True)
            if page.page < page.pages
            else None
        ),
    }
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    response = Response(data, mimetype="application/json")
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Vary"] = "Accept-Language"
    if query.page == 1:  # a new search, not its next pages
        record_after(session, lambda: emit_search(session, query, page, "api"))
    return response.make_conditional(request)
