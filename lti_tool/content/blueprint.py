"""The tool-origin blueprint of the content feature; its routes live in one module per concern
(routes: admin, player and cmi5 pages; runtime_api: the run-time's JSON endpoints)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("content", __name__, static_folder="static", static_url_path="/content/static")
