"""A trainer builds a small survey in Chromium at phone size, axe-checked on every page: a new
survey, a question with two answers, a competence item of the passport shown only after "Yes",
then a learner answers it (the condition shows the item as they answer)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.passports.models import Competence, CompetenceFramework
from lti_tool.surveys.models import SurveyResponse
from tests.browser.conftest import browser, check_page, page  # noqa: F401

pytestmark = pytest.mark.browser
WAIT = 30_000


@pytest.fixture
def viewport() -> str:
    return "phone"  # the editor is made for a phone; one size keeps this slow test to one run


def test_a_trainer_builds_a_survey_on_a_phone_and_a_learner_answers_it(app, live_server, page):  # noqa: F811
    from playwright.sync_api import expect

    page.set_default_timeout(WAIT)
    expect.set_options(timeout=WAIT)
    with app.app_context():
        framework = CompetenceFramework(idnumber="WELD", shortname="Welding")
        db.session.add(framework)
        db.session.flush()
        db.session.add(
            Competence(framework_id=framework.id, idnumber="WELD-MIG", shortname="MIG welding")
        )
        db.session.commit()

    page.goto("/demo/")
    card = page.locator(".choice-card").filter(has_text="learnpass")
    card.get_by_role("link", name="Open as trainer (Tom Peeters)").click()
    page.wait_for_url(re.compile(r"/home$"))
    page.goto("/surveys/manage")
    page.get_by_test_id("new-survey").click()
    page.get_by_label("The language you write the survey in").select_option("en")
    page.get_by_label("Title of the survey").fill("Welding check")
    page.get_by_label("Title of the first page").fill("Your work")
    page.get_by_label("First question (an open question)").fill("What do you make?")
    check_page(page, "survey-editor-new")
    page.get_by_test_id("create-survey").click()

    expect(page.get_by_test_id("question-q1")).to_contain_text("What do you make?")
    check_page(page, "survey-editor-outline")
    page.get_by_test_id("add-question-s1").click()
    check_page(page, "survey-editor-kinds")
    page.get_by_test_id("kind-single").click()
    page.get_by_label("The question (English)").fill("Do you weld?")
    page.get_by_label("An answer is required").check()
    page.get_by_label("Line 1 (English)").fill("Yes")
    page.get_by_label("Line 2 (English)").fill("No")
    check_page(page, "survey-editor-single")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("question-q2")).to_contain_text("Do you weld?")

    page.get_by_test_id("add-question-s1").click()
    page.get_by_test_id("kind-competence").click()
    page.get_by_test_id("save").click()  # nothing chosen: refused, said beside the field
    expect(page.get_by_test_id("error-framework")).to_be_visible()
    check_page(page, "survey-editor-competence-refused")
    page.get_by_label("The competence (from the passport's frameworks)").select_option(
        label="MIG welding"
    )
    page.get_by_label("When to show this question").select_option(
        label="Only when “Do you weld?” is answered “Yes”"
    )
    expect(page.get_by_test_id("scale-levels")).to_contain_text("Cannot do this yet")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("question-q3")).to_contain_text("MIG welding")
    expect(page.get_by_test_id("question-q3")).to_contain_text("shown only after")
    page.get_by_test_id("edit-done").click()
    page.get_by_role("button", name="Open for answers").click()
    expect(page.get_by_test_id("survey-status")).to_contain_text("Open")
    survey_id = int(re.search(r"/surveys/(\d+)/", page.url).group(1))

    page.goto("/demo/")
    card = page.locator(".choice-card").filter(has_text="learnpass")
    card.get_by_role("link", name="Open as learner (Lena de Vries)").click()
    page.wait_for_url(re.compile(r"/home$"))
    page.goto(f"/surveys/{survey_id}/answer")
    item = page.get_by_test_id("question-q3")
    expect(item).to_be_hidden()
    page.get_by_label("Yes", exact=True).check()
    expect(item).to_be_visible()
    page.get_by_role("group", name="My level now").get_by_label("With help", exact=True).check()
    page.get_by_role("group", name="The level my work needs").get_by_label(
        "Independent", exact=True
    ).check()
    page.get_by_label("Your answer (at most 2000 characters)").fill("Frames")
    check_page(page, "survey-editor-answer")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_test_id("survey-done")).to_be_visible()
    expect(page.get_by_test_id("gap-table")).to_contain_text("MIG welding")
    with app.app_context():
        response = db.session.scalars(select(SurveyResponse)).one()
        assert response.status == "submitted"
