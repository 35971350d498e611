"""A learner answers a survey in Chromium, at phone and desktop size, axe-checked on every page:
a condition shows a question as they answer, they save and continue later, answer the
competence items, check and submit, and see their gap profile."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.surveys.models import SurveyResponse
from tests.browser.conftest import browser, check_page, page, viewport  # noqa: F401

from .helpers import import_survey
from .test_answering import identified

pytestmark = pytest.mark.browser
WAIT = 30_000


def test_a_learner_answers_saves_continues_and_submits(app, live_server, page):  # noqa: F811
    from playwright.sync_api import expect

    page.set_default_timeout(WAIT)
    expect.set_options(timeout=WAIT)
    survey_id = import_survey(app, app.test_client(), identified())

    page.goto("/demo/")
    card = page.locator(".choice-card").filter(has_text="learnpass")
    card.get_by_role("link", name="Open as learner (Lena de Vries)").click()
    page.wait_for_url(re.compile(r"/home$"))
    page.goto(f"/surveys/{survey_id}/answer")
    expect(page.get_by_role("heading", level=2)).to_have_text("About your work")
    hours = page.get_by_test_id("question-hours")
    expect(hours).to_be_hidden()  # shown only to those who weld
    page.get_by_label("Yes", exact=True).check()
    expect(hours).to_be_visible()
    page.get_by_label("Number from 0 to 60 (hours)").fill("12")
    page.get_by_label("No", exact=True).check()
    expect(hours).to_be_hidden()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Agree", exact=True).check()
    page.get_by_label("Department").select_option("workshop")
    check_page(page, "survey-section")
    page.get_by_role("button", name="Save and continue later").click()
    expect(page.get_by_test_id("survey-message")).to_contain_text("Your answers are saved")
    check_page(page, "survey-saved")

    page.get_by_role("link", name="Go on answering").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Your skills")
    page.get_by_role("group", name="My level now").get_by_label("Basic", exact=True).check()
    page.get_by_role("group", name="The level my work needs").get_by_label(
        "Expert", exact=True
    ).check()
    page.get_by_role("group", name=re.compile("How important")).get_by_label(
        "5", exact=True
    ).check()
    page.get_by_label("Safety").select_option("2")
    page.get_by_label("Quality").select_option("1")
    page.get_by_role("group", name="a grinder").get_by_label("Daily", exact=True).check()
    page.get_by_label("Your answer (at most 500 characters)").fill("<b>More</b> welding")
    check_page(page, "survey-section-competences")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", level=2)).to_have_text("Check and submit")
    expect(page.get_by_text("<b>More</b> welding")).to_be_visible()  # escaped, shown as typed
    check_page(page, "survey-review")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_test_id("survey-done")).to_be_visible()
    expect(page.get_by_test_id("gap-table")).to_contain_text("MIG welding")
    expect(page.get_by_test_id("gap-chart")).to_be_visible()
    check_page(page, "survey-done")

    with app.app_context():
        response = db.session.scalars(select(SurveyResponse)).one()
        assert response.status == "submitted"
