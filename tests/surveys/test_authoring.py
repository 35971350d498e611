"""Trainers and HR make surveys from JSON: import (refused with every problem listed), list,
export, open / close, and a new version when a survey with answers changes. Others get 403/404."""

from __future__ import annotations

import datetime as dt
import io
import json

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.passports.models import Competence, CompetenceFramework
from lti_tool.surveys.models import Survey, SurveyQuestion, SurveyResponse, SurveyVersion
from tests.passports.conftest import OTHER_COURSE, OTHER_TRAINER

from .helpers import csrf_token, documented_example, import_survey, sign_in


def _post_json(client, url, token, data):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(body), "survey.json")},
        content_type="multipart/form-data",
    )


def test_a_trainer_imports_lists_exports_and_opens_a_survey(app, client):
    with app.app_context():
        framework = CompetenceFramework(idnumber="WELD", shortname="Welding")
        db.session.add(framework)
        db.session.flush()
        db.session.add(Competence(framework_id=framework.id, idnumber="WELD-MIG", shortname="MIG"))
        db.session.commit()
    survey_id = import_survey(app, client, open_it=False)
    page = client.get("/surveys/manage").get_data(as_text=True)
    assert "Welding skills check" in page and "Not open yet" in page
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert survey is not None and survey.course_id is not None and survey.anonymous
        questions = db.session.scalars(
            select(SurveyQuestion).order_by(SurveyQuestion.position)
        ).all()
        assert [q.key for q in questions] == [
            "welds",
            "hours",
            "confidence",
            "mig",
            "topics",
            "tools",
            "wish",
        ]
        mig = questions[3]
        assert (mig.kind, mig.competence_ref, mig.scale_min, mig.scale_max) == (
            "competence",
            "WELD-MIG",
            0.0,
            3.0,
        )
        assert mig.competence_id is not None  # the passport's competence, found by ID number
    exported = client.get(f"/surveys/{survey_id}/export.json")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].startswith("attachment")
    assert json.loads(exported.get_data()) == documented_example() | {
        "format": "learnpass-survey/1"
    }

    token = csrf_token(client, f"/surveys/{survey_id}/manage")
    assert (
        client.post(
            f"/surveys/{survey_id}/status", data={"csrf_token": token, "status": "open"}
        ).status_code
        == 303
    )
    assert "Open" in client.get(f"/surveys/{survey_id}/manage").get_data(as_text=True)
    again = client.post(
        f"/surveys/{survey_id}/status", data={"csrf_token": token, "status": "open"}
    )
    assert again.status_code == 400 and "cannot become open" in again.get_data(as_text=True)
    assert (
        client.post(
            f"/surveys/{survey_id}/status", data={"csrf_token": token, "status": "closed"}
        ).status_code
        == 303
    )


def test_a_bad_file_is_refused_with_every_problem_and_nothing_is_written(app, client):
    sign_in(app, client, "instructor")
    token = csrf_token(client, "/surveys/manage")
    data = documented_example()
    data["sections"][0]["questions"][0]["type"] = "slider"
    data["sections"][1]["questions"][0]["scale"] = "stars"
    response = _post_json(client, "/surveys/manage/import", token, data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "2 problems" in page
    assert "sections[0].questions[0].type: Unknown question type" in page
    assert "sections[1].questions[0].scale" in page
    for body in (b"{not json", b"\xff\xfe", b"[" * 100_000):
        refused = _post_json(client, "/surveys/manage/import", token, body)
        assert refused.status_code == 400, body[:10]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


def test_script_in_a_wording_is_shown_escaped(app, client):
    data = documented_example()
    data["title"] = {"en": "<script>alert(1)</script>"}
    survey_id = import_survey(app, client, data)
    page = client.get(f"/surveys/{survey_id}/manage").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_a_survey_with_answers_gets_a_new_version_when_changed(app, client):
    survey_id = import_survey(app, client)
    token = csrf_token(client, f"/surveys/{survey_id}/manage")
    data = documented_example()
    data["title"] = {"en": "Changed before answers"}
    assert _post_json(client, f"/surveys/{survey_id}/definition", token, data).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 1
        version = db.session.scalars(select(SurveyVersion)).one()
        db.session.add(
            SurveyResponse(
                survey_id=survey_id,
                version_id=version.id,
                anonymous=True,
                started_on=dt.date.today(),
            )
        )
        db.session.commit()
    data["title"] = {"en": "Changed after answers"}
    data["sections"][0]["questions"].pop(1)
    response = _post_json(client, f"/surveys/{survey_id}/definition", token, data)
    assert response.status_code == 303
    page = client.get(f"/surveys/{survey_id}/manage").get_data(as_text=True)
    assert "version 2" in page and "stay with version 1" in page
    with app.app_context():
        versions = db.session.scalars(select(SurveyVersion).order_by(SurveyVersion.number)).all()
        assert [v.number for v in versions] == [1, 2]
        assert versions[0].definition["title"] == {"en": "Changed before answers"}
        counts = [
            db.session.scalar(select(func.count()).where(SurveyQuestion.version_id == v.id))
            for v in versions
        ]
        assert counts == [7, 6]


def test_learners_and_other_courses_cannot_manage(app, client):
    survey_id = import_survey(app, client)
    sign_in(app, client, "learner")
    assert client.get("/surveys/manage").status_code == 403
    assert client.get(f"/surveys/{survey_id}/manage").status_code == 404
    assert client.get(f"/surveys/{survey_id}/export.json").status_code == 404
    sign_in(app, client, OTHER_TRAINER, OTHER_COURSE)
    assert client.get("/surveys/manage").status_code == 200
    assert client.get(f"/surveys/{survey_id}/manage").status_code == 404
    token = csrf_token(client, "/surveys/manage")
    refused = client.post(
        "/surveys/manage/import",
        data={
            "csrf_token": token,
            "scope": "platform",
            "definition": json.dumps(documented_example()),
        },
    )
    assert refused.status_code == 403  # a trainer is not HR: no platform-wide survey


def test_the_platform_admin_makes_platform_surveys(app, client):
    sign_in(app, client, "admin")
    token = csrf_token(client, "/surveys/manage")
    response = client.post(
        "/surveys/manage/import",
        data={
            "csrf_token": token,
            "scope": "platform",
            "definition": json.dumps(documented_example()),
        },
    )
    assert response.status_code == 303
    with app.app_context():
        survey = db.session.scalars(select(Survey)).one()
        assert survey.course_id is None
    sign_in(app, client, "instructor")
    assert client.get(f"/surveys/{survey.id}/manage").status_code == 404
