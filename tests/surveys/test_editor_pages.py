"""The survey editor's pages (SQLite and PostgreSQL): a trainer builds a survey from nothing,
every kind of question, conditions, moves and deletes; a refused save shows its problem beside
the field and writes nothing; a survey with answers gets a new version; others get 403 / 404."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, insert, select

from lti_tool.extensions import db
from lti_tool.models import Platform
from lti_tool.passports.models import Company, Competence, CompetenceFramework, company_hr
from lti_tool.surveys import editor
from lti_tool.surveys.models import Survey, SurveyQuestion, SurveyResponse, SurveyVersion
from tests.passports.conftest import OTHER_COURSE, OTHER_TRAINER, OUTSIDER

from .helpers import csrf_token, sign_in


def _new_survey(app: Any, client: Any, language: str = "en", **extra: str) -> tuple[int, str]:
    sign_in(app, client, "instructor")
    token = csrf_token(client, "/surveys/manage/new")
    response = client.post(
        "/surveys/manage/new",
        data={
            "csrf_token": token,
            "language": language,
            "title": "Team check",
            "section": "About you",
            "question": "What do you do?",
            **extra,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    survey_id = int(re.search(r"/surveys/(\d+)/edit", response.headers["Location"]).group(1))
    return survey_id, token


def _document(app: Any, survey_id: int) -> dict[str, Any]:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        version = db.session.scalar(
            select(SurveyVersion).where(
                SurveyVersion.survey_id == survey_id,
                SurveyVersion.number == survey.current_version,
            )
        )
        return dict(version.definition)


def _keys(document: dict[str, Any]) -> list[list[str]]:
    return [[q["key"] for q in s["questions"]] for s in document["sections"]]


def _add(client: Any, survey_id: int, token: str, kind: str, section: str = "s1", **fields: Any):
    return client.post(
        f"/surveys/{survey_id}/edit/sections/{section}/add/{kind}",
        data={"csrf_token": token, **fields},
    )


def _competence(app: Any) -> int:
    with app.app_context():
        framework = CompetenceFramework(idnumber="WELD", shortname="Welding")
        db.session.add(framework)
        db.session.flush()
        competence = Competence(
            framework_id=framework.id,
            idnumber="WELD-MIG",
            shortname="MIG welding",
            names={"nl": "MIG-lassen"},
        )
        db.session.add(competence)
        db.session.commit()
        return competence.id


def test_a_trainer_builds_a_survey_with_every_kind_of_question(app, client):
    competence_id = _competence(app)
    survey_id, token = _new_survey(app, client)
    page = client.get(f"/surveys/{survey_id}/edit")
    assert page.status_code == 200 and "What do you do?" in page.get_data(as_text=True)
    for kind in ("single", "likert", "competence"):
        assert client.get(f"/surveys/{survey_id}/edit/sections/s1/add/{kind}").status_code == 200
    ok = [
        _add(
            client,
            survey_id,
            token,
            "single",
            **{
                "text-en": "Do you lead a team?",
                "text-fr": "Dirigez-vous une équipe ?",
                "required": "1",
                "options-0-key": "",
                "options-0-en": "Yes",
                "options-1-key": "",
                "options-1-en": "No",
                "options-2-key": "",
            },
        ),
        _add(
            client,
            survey_id,
            token,
            "multiple",
            **{
                "text-en": "Which tools?",
                "options-0-key": "",
                "options-0-en": "Drill",
                "options-1-key": "",
                "options-1-en": "Saw",
                "max_choices": "2",
            },
        ),
        _add(
            client,
            survey_id,
            token,
            "likert",
            **{
                "text-en": "I like my work.",
                **{f"points-{i}-value": str(i + 1) for i in range(5)},
                **{
                    f"points-{i}-en": w
                    for i, w in enumerate(["No", "Hardly", "So-so", "Yes", "Very"])
                },
            },
        ),
        _add(
            client,
            survey_id,
            token,
            "numeric",
            **{"text-en": "Years?", "min": "0", "max": "50", "integer": "1"},
        ),
        _add(
            client,
            survey_id,
            token,
            "ranking",
            **{
                "text-en": "Order these",
                "options-0-key": "",
                "options-0-en": "A",
                "options-1-key": "",
                "options-1-en": "B",
            },
        ),
        _add(
            client,
            survey_id,
            token,
            "matrix",
            **{
                "text-en": "Rate each",
                "rows-0-key": "",
                "rows-0-en": "Tools",
                "columns-0-key": "",
                "columns-0-en": "Bad",
                "columns-1-key": "",
                "columns-1-en": "Good",
            },
        ),
        _add(
            client,
            survey_id,
            token,
            "competence",
            **{
                "competence_id": str(competence_id),
                "scale": "+standard",
                "importance": "1",
                "show_if": "q2=o:o1",
            },
        ),
        _add(
            client,
            survey_id,
            token,
            "text",
            **{"text-en": "Why?", "max_length": "500", "show_if": "q4=n:4"},
        ),
    ]
    assert [r.status_code for r in ok] == [303] * 8, [
        r.get_data(as_text=True)[:3000] for r in ok if r.status_code != 303
    ]
    document = _document(app, survey_id)
    assert _keys(document) == [["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"]]
    questions = {q["key"]: q for q in document["sections"][0]["questions"]}
    assert questions["q2"]["options"] == [
        {"key": "o1", "label": {"en": "Yes"}},
        {"key": "o2", "label": {"en": "No"}},
    ]
    assert questions["q2"]["text"] == {
        "en": "Do you lead a team?",
        "fr": "Dirigez-vous une équipe ?",
    }
    assert questions["q2"]["required"] is True
    assert [p["value"] for p in questions["q4"]["points"]] == [1, 2, 3, 4, 5]
    assert questions["q5"]["integer"] is True
    item = questions["q8"]
    assert (item["framework"], item["competence"], item["scale"]) == ("WELD", "WELD-MIG", "level")
    assert item["text"] == {"nl": "MIG-lassen", "en": "MIG welding"}  # the passport's names
    assert item["show_if"] == {"question": "q2", "equals": "o1"}
    assert questions["q9"]["show_if"] == {"question": "q4", "equals": 4}
    assert document["scales"][0]["levels"][0]["description"]["nl"]  # level descriptors
    with app.app_context():
        linked = db.session.scalar(select(SurveyQuestion).where(SurveyQuestion.key == "q8"))
        assert linked.competence_id == competence_id
    # The outline shows them; the competence form shows the scale's descriptions.
    page = client.get(f"/surveys/{survey_id}/edit/questions/q8").get_data(as_text=True)
    assert "Cannot do this yet" in page and f'value="{competence_id}" selected>MIG welding' in page


def test_edit_move_delete_and_a_new_page(app, client):
    survey_id, token = _new_survey(app, client)
    _add(client, survey_id, token, "text", **{"text-en": "Second"})
    base = f"/surveys/{survey_id}/edit"
    response = client.post(
        f"{base}/sections/new",
        data={"csrf_token": token, "title-en": "Part two", "question-en": "Third"},
    )
    assert response.status_code == 303
    assert _keys(_document(app, survey_id)) == [["q1", "q2"], ["q3"]]
    assert (
        client.post(
            f"{base}/questions/q2/move", data={"csrf_token": token, "step": "down"}
        ).status_code
        == 303
    )
    assert _keys(_document(app, survey_id)) == [["q1"], ["q2", "q3"]]
    assert (
        client.post(
            f"{base}/questions/q1/move", data={"csrf_token": token, "step": "up"}
        ).status_code
        == 303
    )
    assert _keys(_document(app, survey_id)) == [["q1"], ["q2", "q3"]]  # already first
    assert (
        client.post(
            f"{base}/sections/s2/move", data={"csrf_token": token, "step": "up"}
        ).status_code
        == 303
    )
    assert _keys(_document(app, survey_id)) == [["q2", "q3"], ["q1"]]
    response = client.post(
        f"{base}/questions/q3",
        data={
            "csrf_token": token,
            "text-en": "Third, changed",
            "help-en": "Help",
            "help-de": "Hilfe",
        },
    )
    assert response.status_code == 303
    q3 = _document(app, survey_id)["sections"][0]["questions"][1]
    assert q3 == {
        "key": "q3",
        "type": "text",
        "text": {"en": "Third, changed"},
        "help": {"en": "Help", "de": "Hilfe"},
        "max_length": 2000,
        "multiline": False,
    }
    assert client.post(f"{base}/questions/q3/delete", data={"csrf_token": token}).status_code == 303
    assert client.post(f"{base}/sections/s1/delete", data={"csrf_token": token}).status_code == 303
    assert _keys(_document(app, survey_id)) == [["q2"]]
    response = client.post(
        f"{base}/texts",
        data={
            "csrf_token": token,
            "title-en": "Renamed",
            "title-nl": "Hernoemd",
            "description-en": "Hello",
        },
    )
    assert response.status_code == 303
    document = _document(app, survey_id)
    assert document["title"] == {"en": "Renamed", "nl": "Hernoemd"}
    assert document["description"] == {"en": "Hello"}
    with app.app_context():
        assert db.session.get(Survey, survey_id).title == {"en": "Renamed", "nl": "Hernoemd"}
        assert db.session.scalar(select(func.count()).select_from(SurveyVersion)) == 1


def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(app, client):
    survey_id, token = _new_survey(app, client, language="nl")
    base = f"/surveys/{survey_id}/edit"
    before = _document(app, survey_id)
    # Missing the survey's main language (nl).
    response = client.post(
        f"{base}/questions/q1", data={"csrf_token": token, "text-en": "Only English"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'data-testid="error-text"' in page and "main language, is missing" in page
    assert _document(app, survey_id) == before
    # A condition on a later question.
    _add(
        client,
        survey_id,
        token,
        "single",
        **{
            "text-nl": "Ja?",
            "options-0-key": "",
            "options-0-nl": "Ja",
            "options-1-key": "",
            "options-1-nl": "Nee",
        },
    )
    before = _document(app, survey_id)
    response = client.post(
        f"{base}/questions/q1", data={"csrf_token": token, "text-nl": "Wat?", "show_if": "q2=o:o1"}
    )
    assert response.status_code == 400
    assert 'data-testid="error-show_if"' in response.get_data(as_text=True)
    assert "not a question before this one" in response.get_data(as_text=True)
    assert _document(app, survey_id) == before
    # An unknown kind of question, unknown keys, a tampered option key, a choice without options.
    assert _add(client, survey_id, token, "slider", **{"text-nl": "x"}).status_code == 404
    assert client.get(f"{base}/questions/nope").status_code == 404
    assert (
        client.post(f"{base}/questions/nope/delete", data={"csrf_token": token}).status_code == 404
    )
    assert (
        client.post(
            f"{base}/sections/s9/move", data={"csrf_token": token, "step": "up"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{base}/questions/q1/move", data={"csrf_token": token, "step": "sideways"}
        ).status_code
        == 400
    )
    tampered = client.post(
        f"{base}/questions/q2",
        data={
            "csrf_token": token,
            "text-nl": "Ja?",
            "options-0-key": "../x",
            "options-0-nl": "Ja",
            "options-1-key": "o1",
            "options-1-nl": "Nee",
        },
    )
    assert tampered.status_code == 400 and 'data-testid="error-options-0"' in tampered.get_data(
        as_text=True
    )
    empty = _add(client, survey_id, token, "single", **{"text-nl": "Leeg"})
    assert empty.status_code == 400 and "Give at least 2." in empty.get_data(as_text=True)
    numeric = _add(
        client, survey_id, token, "numeric", **{"text-nl": "Hoeveel?", "min": "veel", "max": "3"}
    )
    assert numeric.status_code == 400 and 'data-testid="error-min"' in numeric.get_data(
        as_text=True
    )
    # The last question of the last page cannot go: said in plain words.
    deleted = client.post(f"{base}/sections/s1/delete", data={"csrf_token": token})
    assert deleted.status_code == 400
    assert "A survey needs at least one page." in deleted.get_data(as_text=True)
    # Deleting a question another depends on: the list says which question is broken.
    _add(client, survey_id, token, "text", **{"text-nl": "Waarom?", "show_if": "q2=o:o1"})
    before = _document(app, survey_id)
    broken = client.post(f"{base}/questions/q2/delete", data={"csrf_token": token})
    assert broken.status_code == 400
    assert "Question “Waarom?”: The condition names 'q2'" in broken.get_data(as_text=True)
    assert _document(app, survey_id) == before


def test_a_competence_of_another_platform_is_refused(app, client):
    with app.app_context():
        other = Platform(
            issuer="https://other.example",
            client_id="x",
            name="Other",
            auth_login_url="https://other.example/login",
            auth_token_url="https://other.example/token",
        )
        db.session.add(other)
        db.session.flush()
        framework = CompetenceFramework(platform_id=other.id, idnumber="SECRET", shortname="Theirs")
        db.session.add(framework)
        db.session.flush()
        competence = Competence(framework_id=framework.id, idnumber="S1", shortname="Theirs")
        db.session.add(competence)
        db.session.commit()
        theirs = competence.id
    survey_id, token = _new_survey(app, client)
    response = _add(
        client,
        survey_id,
        token,
        "competence",
        **{"competence_id": str(theirs), "text-en": "x", "scale": "+standard"},
    )
    assert response.status_code == 400
    assert 'data-testid="error-framework"' in response.get_data(as_text=True)


def test_changing_a_survey_with_answers_makes_a_new_version(app, client):
    survey_id, token = _new_survey(app, client)
    with app.app_context():
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
    response = _add(client, survey_id, token, "text", **{"text-en": "More"})
    assert response.status_code == 303
    assert "stay with version 1" in client.get(response.headers["Location"]).get_data(as_text=True)
    response = _add(client, survey_id, token, "text", **{"text-en": "Even more"})
    with app.app_context():
        versions = db.session.scalars(select(SurveyVersion).order_by(SurveyVersion.number)).all()
        assert [v.number for v in versions] == [1, 2]  # the second edit changes version 2
        assert _keys(dict(versions[0].definition)) == [["q1"]]
        assert _keys(dict(versions[1].definition)) == [["q1", "q2", "q3"]]


def test_who_may_build(app, client):
    survey_id, token = _new_survey(app, client)
    sign_in(app, client, "learner")
    assert client.get("/surveys/manage/new").status_code == 403
    assert client.get(f"/surveys/{survey_id}/edit").status_code == 404
    sign_in(app, client, OTHER_TRAINER, OTHER_COURSE)
    assert client.get(f"/surveys/{survey_id}/edit").status_code == 404
    assert client.get(f"/surveys/{survey_id}/edit/questions/q1").status_code == 404
    other_token = csrf_token(client, "/surveys/manage/new")
    assert (
        client.post(
            f"/surveys/{survey_id}/edit/questions/q1/delete", data={"csrf_token": other_token}
        ).status_code
        == 404
    )
    refused = client.post(
        "/surveys/manage/new",
        data={
            "csrf_token": other_token,
            "scope": "platform",
            "title": "x",
            "section": "y",
            "question": "z",
            "language": "en",
        },
    )
    assert refused.status_code == 403  # a trainer is not HR: no platform-wide survey
    # HR of a company makes a platform survey and builds it; a trainer cannot open it.
    hr = app.test_client()
    ctx = sign_in(app, hr, OUTSIDER, OTHER_COURSE)
    with app.app_context():
        company = Company(platform_id=ctx.platform_id, name="Bakker")
        db.session.add(company)
        db.session.flush()
        db.session.execute(insert(company_hr).values(company_id=company.id, user_id=ctx.user_id))
        db.session.commit()
    hr_token = csrf_token(hr, "/surveys/manage/new")
    made = hr.post(
        "/surveys/manage/new",
        data={
            "csrf_token": hr_token,
            "title": "Scan",
            "section": "Jij",
            "question": "Wat?",
            "language": "nl",
        },
    )
    assert made.status_code == 303
    hr_survey = int(re.search(r"/surveys/(\d+)/edit", made.headers["Location"]).group(1))
    assert hr.get(f"/surveys/{hr_survey}/edit").status_code == 200
    with app.app_context():
        assert db.session.get(Survey, hr_survey).course_id is None
    sign_in(app, client, "instructor")
    assert client.get(f"/surveys/{hr_survey}/edit").status_code == 404


def test_a_new_survey_needs_its_texts(app, client):
    sign_in(app, client, "instructor")
    token = csrf_token(client, "/surveys/manage/new")
    response = client.post(
        "/surveys/manage/new",
        data={"csrf_token": token, "language": "fr", "title": "", "section": "A", "question": ""},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'data-testid="error-title"' in page and 'data-testid="error-question"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


def test_a_refused_competence_item_is_saved_once_corrected(app, client):
    """The form shown again offers the standard scale by its key, never saved yet."""
    competence_id = _competence(app)
    survey_id, token = _new_survey(app, client)
    refused = _add(client, survey_id, token, "competence", scale="+standard")
    assert refused.status_code == 400
    assert '<option value="level" selected>' in refused.get_data(as_text=True)
    fixed = _add(client, survey_id, token, "competence", scale="level", competence_id=competence_id)
    assert fixed.status_code == 303
    assert [s["key"] for s in _document(app, survey_id)["scales"]] == ["level"]


def test_a_condition_the_editor_cannot_make_is_kept_when_the_question_is_saved(app, client):
    survey_id, token = _new_survey(app, client)
    _add(
        client,
        survey_id,
        token,
        "single",
        **{
            "text-en": "Which?",
            "options-0-key": "a",
            "options-0-en": "A",
            "options-1-key": "b",
            "options-1-en": "B",
        },
    )
    _add(client, survey_id, token, "text", **{"text-en": "Why?", "show_if": "q2=o:a"})
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        document = editor.document_of(db.session(), survey)
        document["sections"][0]["questions"][2]["show_if"] = {
            "question": "q2",
            "any_of": ["a", "b"],
        }
        editor.save(db.session(), survey, document, None)
        db.session.commit()
    page = client.get(f"/surveys/{survey_id}/edit/questions/q3").get_data(as_text=True)
    assert '<option value="q2=any:a,b" selected>As now' in page
    saved = client.post(
        f"/surveys/{survey_id}/edit/questions/q3",
        data={"csrf_token": token, "text-en": "Why, then?", "show_if": "q2=any:a,b"},
    )
    assert saved.status_code == 303
    q3 = _document(app, survey_id)["sections"][0]["questions"][2]
    assert q3["show_if"] == {"question": "q2", "any_of": ["a", "b"]}
    assert q3["text"] == {"en": "Why, then?"}
    # The same value made up for a new question is refused by the check, never half-saved.
    made_up = _add(client, survey_id, token, "text", **{"text-en": "x", "show_if": "q2=any:a,b"})
    assert made_up.status_code == 400
