"""The LRS blueprint, ``/xapi/``: request_handling.py prepares every request and answers errors;
statement_routes.py and document_routes.py hold the resources; routes.py puts them together."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lrs", __name__, url_prefix="/xapi")
bp.csrf_exempt = True  # type: ignore[attr-defined]  # API clients authenticate with HTTP Basic, not cookies
