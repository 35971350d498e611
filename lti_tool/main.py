"""The start page a launch lands on, and the health check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, jsonify, render_template, url_for
from sqlalchemy import ColumnElement, select, text

from .extensions import db
from .lti.context import current_launch, launch_required, launch_values
from .security_headers import add_security_headers

bp = Blueprint("main", __name__)
bp.after_app_request(add_security_headers)


@dataclass(frozen=True)
class HomeLink:
    """A big button on the start page: what a person with ``role`` can open from here."""

    endpoint: str
    title: Callable[[], str]
    description: Callable[[], str]
    role: str = "learner"
    # For rights that are no launch role (the HR of a company): shown only when this SQL
    # condition holds for the launch. The start page asks every link's condition in one select,
    # not a query per link. The condition is built once per process (the same object each
    # time, or one of a few, chosen by the launch) on the launch's values as parameters
    # (lti.context.launch_value): the select of a set of conditions is then built once too.
    shown_if: Callable[[Any], ColumnElement[bool]] | None = None


_home_links: list[HomeLink] = []


def register_home_link(link: HomeLink) -> None:
    """Features add their entry points; the start page shows those the user's role allows."""
    if all(existing.endpoint != link.endpoint for existing in _home_links):
        _home_links.append(link)


_selects: dict[tuple[int, ...], tuple[tuple[ColumnElement[bool], ...], Any]] = {}


def _select_of(conditions: tuple[ColumnElement[bool], ...]) -> Any:
    """One select of these conditions, built once per set: building a select of a few EXISTS
    and hashing it for SQLAlchemy's statement cache cost more than running it. The conditions
    are kept with it (so their ids stay theirs), and a condition built afresh at every call is
    only not cached beyond a few sets."""
    key = tuple(map(id, conditions))
    found = _selects.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], conditions, strict=True)):
        return found[1]
    statement = select(*conditions)
    if len(_selects) < 32:
        _selects[key] = (conditions, statement)
    return statement


@bp.get("/")
def index() -> Any:
    return render_template("index.html", ctx=current_launch())


@bp.get("/home")
@launch_required()
def home() -> Any:
    ctx = current_launch()
    assert ctx is not None
    allowed = [link for link in _home_links if ctx.has_role(link.role)]
    conditions = tuple(link.shown_if(ctx) for link in allowed if link.shown_if is not None)
    answers = iter(
        db.session.connection().execute(_select_of(conditions), launch_values(ctx)).one()
        if conditions
        else ()
    )
    links = [
        {"url": url_for(link.endpoint), "title": link.title(), "description": link.description()}
        for link in allowed
        if link.shown_if is None or next(answers)
    ]
    return render_template("home.html", ctx=ctx, links=links)


@bp.get("/healthz")
def healthz() -> Any:
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
