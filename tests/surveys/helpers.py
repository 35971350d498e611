"""Helpers for survey tests: the documented example survey, importing it as a trainer."""

from __future__ import annotations

import io
import json
from typing import Any

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.surveys.models import Survey
from tests.passports.conftest import csrf_token, sign_in

from .test_definition import documented_example

__all__ = ["csrf_for", "csrf_token", "documented_example", "import_survey", "sign_in"]


def import_survey(
    app: Any, client: Any, data: dict[str, Any] | None = None, *, open_it: bool = True
) -> int:
    """Sign in as the demo trainer, import ``data`` (default: the documented example), open it."""
    sign_in(app, client, "instructor")
    token = csrf_token(client, "/surveys/manage")
    body = json.dumps(data or documented_example()).encode()
    response = client.post(
        "/surveys/manage/import",
        data={"csrf_token": token, "file": (io.BytesIO(body), "survey.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with app.app_context():
        survey_id = db.session.scalars(select(Survey.id).order_by(Survey.id.desc())).first()
    assert survey_id is not None
    if open_it:
        response = client.post(
            f"/surveys/{survey_id}/status", data={"csrf_token": token, "status": "open"}
        )
        assert response.status_code == 303
    return int(survey_id)


def csrf_for(app: Any, client: Any) -> str:
    """A valid CSRF token for the client's session, made as Flask-WTF makes one (for a page
    that shows no form, such as after a refusal)."""
    from itsdangerous import URLSafeTimedSerializer

    raw = "survey-test-csrf"
    with client.session_transaction() as sess:
        sess["csrf_token"] = raw
    return str(URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw))
