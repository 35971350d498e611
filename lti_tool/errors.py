"""One error layer: JSON for API routes, a readable page for people; never a stack trace."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, jsonify, render_template, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .lti.errors import LaunchRefused

API_PREFIXES = ("/xapi", "/api/", "/catalogue/api/")


def wants_json() -> bool:
    return request.path.startswith(API_PREFIXES)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(LaunchRefused)
    def _launch_refused(exc: LaunchRefused) -> Any:
        reason = exc.reason
        app.logger.warning("launch refused: %s %s", exc.code, exc.details.get("detail", ""))
        return (
            render_template(
                "errors/launch_refused.html",
                title=reason.title,
                explanation=str(reason.explanation) % exc.details,
                action=str(reason.action) % exc.details,
                code=exc.code,
                state=exc.details.get("state", ""),
            ),
            reason.status,
        )

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        message = _(
            "This form has expired or was not sent from learnpass. Reload the page and try again."
        )
        return _page(400, _("The form could not be accepted"), message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        code = exc.code or 500
        if wants_json():
            return jsonify({"error": exc.name, "message": exc.description, "status": code}), code
        messages = {
            401: (
                _("Please open learnpass from your course"),
                _(
                    "This page needs you to come from your learning platform. Go back to your course and open the activity again."
                ),
            ),
            403: (
                _("This page is not for you"),
                _(
                    "Your role in this course does not allow this page. If you think this is wrong, ask your trainer."
                ),
            ),
            404: (_("Page not found"), _("This page does not exist, or it has been removed.")),
            405: (
                _("This page cannot be opened this way"),
                _(
                    "Go back to the previous page and use its buttons, or open learnpass again from your course."
                ),
            ),
            413: (_("The file is too large"), _too_large_text()),
        }
        title, text = messages.get(code, (exc.name, exc.description or ""))
        return _page(code, title, text)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        app.logger.exception("unexpected error on %s", request.path)
        if wants_json():
            return jsonify(
                {
                    "error": "Internal Server Error",
                    "message": "Something went wrong on our side.",
                    "status": 500,
                }
            ), 500
        return _page(
            500,
            _("Something went wrong"),
            _(
                "Something went wrong on our side. Please try again in a moment; if it keeps happening, tell your administrator."
            ),
        )


def _too_large_text() -> str:
    limit = request.max_content_length
    if not limit:
        return _("The file you sent is larger than learnpass accepts.")
    # Whole megabytes, rounded down: the request's limit has room for the form around the file.
    megabytes = max(1, limit // (1024 * 1024))
    return _(
        "The file you sent is larger than learnpass accepts: at most %(size)s MB. "
        "Make it smaller (for example a PDF scanned at a lower resolution) and send it again.",
        size=megabytes,
    )


def _way_back() -> str | None:
    """The page the person came from, when it is one of learnpass's own (never another site)."""
    referrer = request.referrer or ""
    parsed = urlsplit(referrer)
    # A form's page is the way back from its refused POST; a GET would only load this error again.
    same_page = referrer == request.url and request.method == "GET"
    if parsed.netloc and parsed.netloc == request.host and not same_page:
        return referrer
    return None


def _page(status: int, title: str, text: str) -> Any:
    return render_template(
        "errors/page.html",
        title=title,
        text=text,
        status=status,
        back_url=_way_back(),
        # The session, not the database: an error page must render when the database is down.
        launched=isinstance(session.get("launch"), dict),
    ), status
