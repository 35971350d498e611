"""The start page a launch lands on, and the health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from .extensions import db
from .lti.context import current_launch, launch_required

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> Any:
    return render_template("index.html", ctx=current_launch())


@bp.get("/home")
@launch_required()
def home() -> Any:
    return render_template("home.html", ctx=current_launch())


@bp.get("/healthz")
def healthz() -> Any:
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
