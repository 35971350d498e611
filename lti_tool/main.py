"""The start page a launch lands on, and the health check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, jsonify, render_template, url_for
from sqlalchemy import ColumnElement, text

from .extensions import db
from .lti.context import LaunchContext, current_launch, launch_answers, launch_required
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
    # not a query per link: the launch's own erasure check's (lti.context.launch_select). The
    # condition is built once per process (the same object each time, or one of a few, chosen
    # by the launch) on the launch's values as parameters (lti.context.launch_value): the select
    # of a set of conditions is then built once too.
    shown_if: Callable[[Any], ColumnElement[bool]] | None = None


_home_links: list[HomeLink] = []


def register_home_link(link: HomeLink) -> None:
    """Features add their entry points; the start page shows those the user's role allows."""
    if all(existing.endpoint != link.endpoint for existing in _home_links):
        _home_links.append(link)


@bp.get("/")
def index() -> Any:
    return render_template("index.html", ctx=current_launch())


def _allowed(ctx: LaunchContext) -> list[HomeLink]:
    return [link for link in _home_links if ctx.has_role(link.role)]


def _conditions(ctx: LaunchContext) -> tuple[ColumnElement[bool], ...]:
    """The start page asks every link's condition in one select, with the launch's own check."""
    return tuple(link.shown_if(ctx) for link in _allowed(ctx) if link.shown_if is not None)


@bp.get("/home")
@launch_required(conditions=_conditions)
def home() -> Any:
    ctx = current_launch()
    assert ctx is not None
    answers = iter(launch_answers(_conditions(ctx)))
    links = [
        {"url": url_for(link.endpoint), "title": link.title(), "description": link.description()}
        for link in _allowed(ctx)
        if link.shown_if is None or next(answers)
    ]
    return render_template("home.html", ctx=ctx, links=links)


@bp.get("/healthz")
def healthz() -> Any:
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
