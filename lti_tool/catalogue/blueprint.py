"""The catalogue's blueprint: public pages and API (no login), and the providers' pages (a
launch, and a place among the provider's people). Its templates and stylesheet live beside it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "catalogue",
    __name__,
    url_prefix="/catalogue",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
