"""A manager rates a named learner on the same competences (identified surveys only): a trainer
of the course or HR of the learner's company; the learner's own rating is shown beside, and the
report's self vs manager view counts it, and its running totals hold the latest rating only.
Refusals: anonymous (400), strangers (403)."""

from __future__ import annotations

import dataclasses
from typing import Any

from lxml import html
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.surveys import analysis
from lti_tool.surveys.models import Survey, SurveyAnswer, SurveyResponse
from tests.passports.conftest import OTHER_COURSE, OTHER_TRAINER

from .helpers import csrf_for, import_survey, sign_in
from .test_analysis_pages import _hr_of
from .test_answering import identified
from .test_rounds import answer_round
from .test_totals import assert_totals_as_rebuilt


def _learner_id(app: Any, sub: str = "demo-learner-1") -> int:
    with app.app_context():
        return int(db.session.scalars(select(User.id).where(User.sub == sub)).one())


def _rate(app: Any, client: Any, survey_id: int, learner: int, **levels: str) -> Any:
    data = {"csrf_token": csrf_for(app, client)}
    data |= {f"m:mig:{k}": v for k, v in levels.items()}
    return client.post(f"/surveys/{survey_id}/rate/{learner}", data=data)


def _manager_ratings(app: Any) -> int:
    with app.app_context():
        return int(
            db.session.scalar(select(func.count()).where(SurveyResponse.kind == "manager")) or 0
        )


def test_a_trainer_rates_a_learner_and_sees_both_ratings(app: Any, client: Any) -> None:
    survey_id = import_survey(app, client, identified())
    assert answer_round(app, client, survey_id) == 200  # Lena: MIG now 1, needed 3
    learner = _learner_id(app)
    sign_in(app, client, "instructor")
    listing = client.get(f"/surveys/{survey_id}/rate")
    assert listing.status_code == 200 and "Lena de Vries" in listing.get_data(as_text=True)
    form = client.get(f"/surveys/{survey_id}/rate/{learner}")
    assert form.status_code == 200 and 'data-testid="rate-both"' not in form.get_data(as_text=True)

    saved = _rate(app, client, survey_id, learner, current="2", required="3")
    assert saved.status_code == 303
    page = client.get(saved.headers["Location"])
    doc = html.fromstring(page.get_data(as_text=True))
    rows = [
        [c.text_content().strip() for c in r.xpath("./th|./td")]
        for r in doc.xpath('//table[@data-testid="rate-both"]/tbody/tr')
    ]
    assert rows == [["MIG welding", "1", "3", "2", "3"]]
    # Rated again: replaced, not added.
    assert _rate(app, client, survey_id, learner, current="3", required="3").status_code == 303
    with app.app_context():
        rating = db.session.scalars(
            select(SurveyResponse).where(SurveyResponse.kind == "manager")
        ).one()
        assert rating.subject_id == learner and rating.status == "submitted"
        levels = db.session.execute(
            select(SurveyAnswer.current_level, SurveyAnswer.required_level).where(
                SurveyAnswer.response_id == rating.id
            )
        ).all()
        assert [tuple(r) for r in levels] == [(3, 3)]
        # The report's running totals count the new rating only (the earlier one taken out).
        managers = analysis.Scope(rating.version_id, 1, kinds=("manager",), round_number=1)
        gaps = analysis.gap_table(db.session(), managers)
        assert [(g.responses, g.current, g.required) for g in gaps] == [(1, 3.0, 3.0)]
        assert_totals_as_rebuilt()

    # The report's self vs manager view (the minimum lowered to one pair for this test).
    with app.app_context():
        db.session.get(Survey, survey_id).min_group_size = 1
        db.session.commit()
    settings = app.config["LEARNPASS"]
    app.config["LEARNPASS"] = dataclasses.replace(settings, survey_min_group=1)
    try:
        report = client.get(f"/surveys/{survey_id}/report").get_data(as_text=True)
    finally:
        app.config["LEARNPASS"] = settings
    section = html.fromstring(report).xpath('//section[@data-testid="self-manager"]//tbody/tr')
    assert [[c.text_content().strip() for c in r.xpath("./th|./td")] for r in section] == [
        ["MIG welding", "1", "1", "3", "-2"]
    ]


def test_bad_levels_are_refused_and_nothing_is_written(app: Any, client: Any) -> None:
    survey_id = import_survey(app, client, identified())
    assert answer_round(app, client, survey_id) == 200
    learner = _learner_id(app)
    sign_in(app, client, "instructor")
    for levels in (
        {"current": "9", "required": "3"},
        {"current": "1"},
        {"current": "x", "required": "1"},
    ):
        refused = _rate(app, client, survey_id, learner, **levels)
        assert refused.status_code == 400
        assert 'data-testid="rate-error"' in refused.get_data(as_text=True)
    assert _manager_ratings(app) == 0


def test_an_anonymous_survey_takes_no_manager_rating(app: Any, client: Any) -> None:
    survey_id = import_survey(app, client)  # anonymous
    assert answer_round(app, client, survey_id) == 200
    sign_in(app, client, "instructor")
    listing = client.get(f"/surveys/{survey_id}/rate")
    assert listing.status_code == 400 and "anonymous" in listing.get_data(as_text=True)
    learner = _learner_id(app)
    assert client.get(f"/surveys/{survey_id}/rate/{learner}").status_code == 400
    assert _rate(app, client, survey_id, learner, current="1", required="1").status_code == 400
    assert _manager_ratings(app) == 0


def test_strangers_and_other_companies_learners_are_refused(app: Any, client: Any) -> None:
    survey_id = import_survey(app, client, identified())
    assert answer_round(app, client, survey_id) == 200
    learner = _learner_id(app)
    # A learner is no manager; a trainer of another course (no HR) neither.
    sign_in(app, client, "learner2")
    assert client.get(f"/surveys/{survey_id}/rate").status_code == 403
    other = app.test_client()
    sign_in(app, other, OTHER_TRAINER, OTHER_COURSE)
    assert _rate(app, other, survey_id, learner, current="1", required="1").status_code == 403
    # HR of a company Lena's answers do not count for: 403 for her.
    from lti_tool.passports.models import Company

    with app.app_context():
        platform_id = db.session.scalars(select(User.platform_id).where(User.id == learner)).one()
        company = Company(platform_id=platform_id, name="Elsewhere BV")
        db.session.add(company)
        db.session.commit()
        company_id = company.id
    hr = _hr_of(app, company_id)
    assert hr.get(f"/surveys/{survey_id}/rate").status_code == 200
    assert "Lena" not in hr.get(f"/surveys/{survey_id}/rate").get_data(as_text=True)
    assert hr.get(f"/surveys/{survey_id}/rate/{learner}").status_code == 403
    assert _rate(app, hr, survey_id, learner, current="1", required="1").status_code == 403
    # A learner who has not answered: nothing to rate beside (400); an unknown id: 403.
    sign_in(app, client, "learner2")
    sign_in(app, client, "instructor")
    assert (
        client.get(f"/surveys/{survey_id}/rate/{_learner_id(app, 'demo-learner-2')}").status_code
        == 400
    )
    assert client.get(f"/surveys/{survey_id}/rate/999999").status_code == 403
    assert client.get("/surveys/999999/rate").status_code == 404
    assert _manager_ratings(app) == 0
