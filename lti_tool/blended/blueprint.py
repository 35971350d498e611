"""The tool-origin blueprint of the blended-learning feature (paths, sessions, attendance).

Routes live in one module per concern and attach to this blueprint when the package is imported.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("blended", __name__, url_prefix="/blended")
