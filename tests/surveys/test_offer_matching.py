"""From needs to offer (SQLite and PostgreSQL): trainers link competences to paths, packages and
training types; the gap report lists, per top gap, the offers covering it (catalogue offers by
their own competences) and how many respondents need it ("fewer than N" in anonymous mode); one
action makes a passport group of the learners who need it, for a path, in identified mode only;
a respondent's gap profile lists the offers closing their largest gaps. Bad input is refused
with a reason and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html
from sqlalchemy import func, insert, select

from lti_tool.erasure import run_erasers
from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.models import (
    LearnerGroup,
    company_hr,
)
from lti_tool.surveys.definition import parse_definition
from lti_tool.surveys.gap_profile import gap_profile, with_offers
from lti_tool.surveys.models import Survey, SurveyOfferLink, SurveyQuestion
from tests.passports.conftest import OTHER_COURSE, OUTSIDER, csrf_token, sign_in

from .analysis_data import DEFINITION
from .helpers import csrf_for
from .matching_data import seed_matching


@pytest.fixture
def seeded(app: Any) -> Any:
    with app.app_context():
        return seed_matching()


def _trainer(app: Any) -> Any:
    client = app.test_client()
    sign_in(app, client, "instructor")
    return client


def _texts(page: Any, testid: str) -> list[str]:
    doc = html.fromstring(page.get_data(as_text=True))
    return [" ".join(e.text_content().split()) for e in doc.xpath(f'//*[@data-testid="{testid}"]')]


def _link_count(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(SurveyOfferLink)) or 0)


def test_trainer_links_a_path_and_bad_links_are_refused(app: Any, seeded: Any) -> None:
    client = _trainer(app)
    token = csrf_token(client, "/surveys/offers")
    good = {"csrf_token": token, "competence": seeded.mig, "offer": f"path:{seeded.path}"}
    assert client.post("/surveys/offers", data=good).status_code == 303
    page = client.get("/surveys/offers")
    assert _texts(page, "offer-link") == ["MIG weldingLearning pathWelding path Remove"]
    bad = [
        {**good},  # the same link again
        {**good, "offer": "course:1"},
        {**good, "offer": f"path:{seeded.path + 999}"},
        {**good, "offer": "package:999999"},
        {**good, "offer": "path:abc"},
        {**good, "competence": "999999"},
        {**good, "competence": "<script>"},
        {**good, "offer": ""},
    ]
    for data in bad:
        response = client.post("/surveys/offers", data=data)
        assert response.status_code == 400, data
        assert _texts(response, "link-problem"), data
    assert _link_count(app) == 1
    # A learner may not link; a link of another platform cannot be reached.
    learner = app.test_client()
    sign_in(app, learner, "learner")
    assert learner.get("/surveys/offers").status_code == 403
    learner_token = csrf_for(app, learner)
    assert (
        learner.post("/surveys/offers", data={**good, "csrf_token": learner_token}).status_code
        == 403
    )
    response = learner.post(
        f"/surveys/{seeded.pairs_survey_id}/report/group",
        data={"csrf_token": learner_token, "question": 1, "path": seeded.path, "name": "G"},
    )
    assert response.status_code == 403
    with app.app_context():
        link_id = db.session.scalar(select(SurveyOfferLink.id))
    other = app.test_client()
    from tests.security.conftest import launch_as
    from tests.security.conftest import sign_in as sign_in_ctx

    sign_in_ctx(other, launch_as(app, platform="other", role="instructor", sub="other-t"))
    other_token = csrf_token(other, "/surveys/offers")
    assert (
        client.post(f"/surveys/offers/{link_id}/remove", data={"csrf_token": token}).status_code
        == 303
    )
    assert _link_count(app) == 0
    assert client.post("/surveys/offers", data=good).status_code == 303
    with app.app_context():
        link_id = db.session.scalar(select(SurveyOfferLink.id))
    response = other.post(f"/surveys/offers/{link_id}/remove", data={"csrf_token": other_token})
    assert response.status_code == 404 and _link_count(app) == 1


def test_anonymous_report_lists_offers_and_needs_without_small_figures(
    app: Any, seeded: Any
) -> None:
    client = _trainer(app)
    token = csrf_token(client, "/surveys/offers")
    client.post(
        "/surveys/offers",
        data={"csrf_token": token, "competence": seeded.mig, "offer": f"path:{seeded.path}"},
    )
    page = client.get(f"/surveys/{seeded.survey_id}/report?version=1")
    assert page.status_code == 200
    blocks = _texts(page, "gap-offer")
    # Reading drawings first (largest Borich score): 6 of 9 need it, no offer covers it.
    assert blocks[0].startswith("Reading drawings Needed by 6 respondents.")
    assert "No offer covers this competence yet." in blocks[0]
    mig = blocks[1]
    assert "Needed by 5 respondents." in mig
    assert "Learning path: Welding path" in mig and "Training type: MIG basics" in mig
    assert "Catalogue offer: MIG course" in mig and "Draft MIG" not in mig
    # The same offers ranked, each once, with the reason: all cover 1 of the 2 largest gaps.
    # No dates, no languages here: the title breaks the tie.
    assert _texts(page, "ranked-offer") == [
        "Training type: MIG basics (covers 1 of your 2 largest gaps)",
        "Catalogue offer: MIG course (covers 1 of your 2 largest gaps)",
        "Learning path: Welding path (covers 1 of your 2 largest gaps)",
    ]
    assert _texts(page, "group-form") == []  # anonymous: no group action
    assert _texts(page, "group-anonymous")
    # One company: 3 of Bakker's 6 need Reading drawings, below the minimum of 5: not shown.
    page = client.get(f"/surveys/{seeded.survey_id}/report?version=1&company={seeded.bakker}")
    needs = _texts(page, "need-count")
    assert "Needed by fewer than 5 respondents." in needs
    assert not any("Needed by 3 " in n for n in needs)
    # The action is refused with the reason, nothing made.
    response = client.post(
        f"/surveys/{seeded.survey_id}/report/group?version=1",
        data={"csrf_token": token, "question": 1, "path": seeded.path, "name": "G"},
    )
    assert response.status_code == 400
    assert "anonymous" in _texts(response, "group-problem")[0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LearnerGroup)) == 0


def test_identified_report_makes_a_group_for_a_path(app: Any, seeded: Any) -> None:
    client = _trainer(app)
    token = csrf_token(client, "/surveys/offers")
    client.post(
        "/surveys/offers",
        data={"csrf_token": token, "competence": seeded.mig, "offer": f"path:{seeded.path}"},
    )
    url = f"/surveys/{seeded.pairs_survey_id}/report"
    page = client.get(url)
    assert "Needed by 3 respondents." in _texts(page, "need-count")
    assert len(_texts(page, "group-form")) == 1
    with app.app_context():
        question = db.session.scalar(
            select(SurveyQuestion.id).where(
                SurveyQuestion.version_id == seeded.pairs_version, SurveyQuestion.key == "c1"
            )
        )
        wrong_version = db.session.scalar(
            select(SurveyQuestion.id).where(
                SurveyQuestion.version_id == seeded.v1, SurveyQuestion.key == "c1"
            )
        )
    form = {"csrf_token": token, "question": question, "path": seeded.path, "name": "MIG group"}
    for bad in (
        {**form, "question": wrong_version},
        {**form, "question": "x"},
        {**form, "path": seeded.path + 999},
        {**form, "name": "   "},
        {**form, "name": "x" * 300},
    ):
        response = client.post(f"{url}/group", data=bad)
        assert response.status_code == 400, bad
        assert _texts(response, "group-problem")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LearnerGroup)) == 0
    # HR of a company sees the report but makes no group.
    hr = app.test_client()
    ctx = sign_in(app, hr, OUTSIDER, OTHER_COURSE)
    with app.app_context():
        db.session.execute(insert(company_hr).values(company_id=seeded.bakker, user_id=ctx.user_id))
        db.session.commit()
    hr_form = {**form, "csrf_token": csrf_for(app, hr)}
    assert hr.post(f"{url}/group", data=hr_form).status_code in (403, 404)
    response = client.post(f"{url}/group", data=form)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    body = page.get_data(as_text=True)
    assert "made with 2 learners" in body and "1 learner who needs it is not" in body
    with app.app_context():
        group = db.session.scalars(select(LearnerGroup)).one()
        assert group.name == "MIG group" and group.course_id == seeded.course_id
        assert sorted(u.sub for u in group.members) == ["rated-0", "rated-1"]


def test_gap_profile_lists_offers_for_the_largest_gaps(app: Any, seeded: Any) -> None:
    with app.test_request_context("/"):
        survey = db.session.get(Survey, seeded.survey_id)
        answers = {"c1": {"current": 0, "required": 4}, "c2": {"current": 2, "required": 2}}
        profile = gap_profile(parse_definition(DEFINITION), answers)
        assert profile is not None
        profile = with_offers(db.session(), profile, survey, seeded.v1)
        titles = {k: [o.title for o in v] for k, v in profile.offers.items()}
        assert titles == {"c1": ["MIG basics", "MIG course"]}
        assert profile.offers["c1"][1].url == f"/catalogue/offers/{seeded.published}"


def test_erasing_a_trainer_keeps_their_links(app: Any, seeded: Any) -> None:
    client = _trainer(app)
    token = csrf_token(client, "/surveys/offers")
    client.post(
        "/surveys/offers",
        data={"csrf_token": token, "competence": seeded.mig, "offer": f"path:{seeded.path}"},
    )
    with app.app_context():
        link = db.session.scalars(select(SurveyOfferLink)).one()
        run_erasers(db.session(), db.session.get(User, link.created_by_id))
        db.session.commit()
        assert db.session.scalars(select(SurveyOfferLink)).one().created_by_id is None
