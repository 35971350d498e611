"""The tool-origin blueprint of the training-needs surveys.

Routes live in one module per concern and attach to this blueprint when the package is imported.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "surveys",
    __name__,
    url_prefix="/surveys",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
