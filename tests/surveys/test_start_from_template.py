"""Starting a survey from a shipped template on the survey list page (SQLite and PostgreSQL): one
button per template, titled in the reader's language; the button makes a new survey of the
course, not open yet; an unknown template is 404 and a post without a CSRF token is refused,
both with nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.passports.models import CompetenceFramework
from lti_tool.surveys import templates_catalog as catalog
from lti_tool.surveys.definition import wording
from lti_tool.surveys.models import Survey, SurveyQuestion, SurveyVersion

from .helpers import csrf_for, csrf_token, sign_in

KEYS = catalog.ORDER


def _buttons(client: Any, query: str = "") -> dict[str, str]:
    page = client.get("/surveys/manage" + query)
    assert page.status_code == 200
    doc = html.fromstring(page.get_data(as_text=True))
    return {
        b.get("value"): b.text_content().strip()
        for b in doc.xpath('//form[@data-testid="template-choices"]//button[@name="template"]')
    }


def _survey_count(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Survey)) or 0)


def test_the_list_page_offers_each_template_in_the_readers_language(app: Any, client: Any) -> None:
    sign_in(app, client, "instructor")
    for language in ("en", "nl", "fr", "de"):
        titles = {key: wording(catalog.load_template(key).title, language) for key in KEYS}
        assert _buttons(client, f"?lang={language}") == titles
    assert len(set(_buttons(client, "?lang=nl").values())) == len(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_the_demo_trainer_starts_a_survey_from_each_template(
    app: Any, client: Any, key: str
) -> None:
    sign_in(app, client, "instructor")
    token = csrf_token(client, "/surveys/manage")
    response = client.post("/surveys/manage/import", data={"csrf_token": token, "template": key})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    survey_id = int(response.headers["Location"].rstrip("/").split("/")[-2])
    definition = catalog.load_template(key)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert survey is not None
        assert survey.course_id is not None and survey.status == "draft"
        assert survey.title == definition.title and survey.anonymous == definition.anonymous
        keys = db.session.scalars(
            select(SurveyQuestion.key)
            .join(SurveyVersion)
            .where(SurveyVersion.survey_id == survey_id)
            .order_by(SurveyQuestion.position)
        ).all()
        assert keys == [q.key for q in definition.questions()]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "made from the template" in page
    assert wording(definition.title, "en") in page


def test_an_unknown_template_is_404_and_nothing_is_written(app: Any, client: Any) -> None:
    sign_in(app, client, "instructor")
    token = csrf_token(client, "/surveys/manage")
    for key in ("no_such_template", "", "../competence_self_assessment", "frameworks"):
        refused = client.post("/surveys/manage/import", data={"csrf_token": token, "template": key})
        assert refused.status_code == 404, key
    assert _survey_count(app) == 0


def test_a_template_without_a_csrf_token_is_refused(app: Any, client: Any) -> None:
    sign_in(app, client, "instructor")
    refused = client.post("/surveys/manage/import", data={"template": KEYS[0]})
    assert refused.status_code == 400
    forged = client.post(
        "/surveys/manage/import", data={"csrf_token": "forged", "template": KEYS[0]}
    )
    assert forged.status_code == 400
    assert _survey_count(app) == 0


def test_a_learner_cannot_start_one(app: Any, client: Any) -> None:
    sign_in(app, client, "learner")
    token = csrf_for(app, client)
    refused = client.post("/surveys/manage/import", data={"csrf_token": token, "template": KEYS[0]})
    assert refused.status_code == 403
    assert _survey_count(app) == 0


def _start(client: Any, key: str) -> str:
    token = csrf_token(client, "/surveys/manage")
    response = client.post("/surveys/manage/import", data={"csrf_token": token, "template": key})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return str(client.get(response.headers["Location"]).get_data(as_text=True))


def _frameworks(app: Any) -> list[int | None]:
    """The owner platform of each LP-WORKPLACE framework (None: organisation-wide)."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(CompetenceFramework.platform_id).where(
                    CompetenceFramework.idnumber == "LP-WORKPLACE"
                )
            )
        )


def _competence_items(app: Any) -> tuple[int, int]:
    """(competence items of every survey, those linked to a passport competence)."""
    with app.app_context():
        ids = list(
            db.session.scalars(
                select(SurveyQuestion.competence_id).where(SurveyQuestion.kind == "competence")
            )
        )
        return len(ids), len([i for i in ids if i is not None])


def test_the_self_assessment_installs_its_demo_framework_when_missing(
    app: Any, client: Any
) -> None:
    ctx = sign_in(app, client, "instructor")
    page = _start(client, "competence_self_assessment")
    assert "LP-WORKPLACE" in page and "now installed in the passport" in page
    assert _frameworks(app) == [ctx.platform_id]
    items, linked = _competence_items(app)
    assert items > 0 and linked == items

    # A second survey from the template finds it: nothing installed again, the usual message.
    page = _start(client, "competence_self_assessment")
    assert "made from the template" in page and "now installed" not in page
    assert _frameworks(app) == [ctx.platform_id]
    assert _competence_items(app) == (2 * items, 2 * items)


def test_an_organisation_wide_framework_is_used_not_installed_again(app: Any, client: Any) -> None:
    with app.app_context():
        catalog.install_demo_framework(db.session())  # organisation-wide, as an admin does
    sign_in(app, client, "instructor")
    page = _start(client, "competence_self_assessment")
    assert "made from the template" in page and "now installed" not in page
    assert _frameworks(app) == [None]
    items, linked = _competence_items(app)
    assert items > 0 and linked == items


@pytest.mark.parametrize("key", [k for k in KEYS if k != "competence_self_assessment"])
def test_other_templates_install_no_framework(app: Any, client: Any, key: str) -> None:
    sign_in(app, client, "instructor")
    assert "now installed" not in _start(client, key)
    assert _frameworks(app) == []
