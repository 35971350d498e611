"""In Chromium at phone size, with axe on every page: the demo trainer places a knowledge-base
item in the course with Deep Linking (search by title, filter by language), and a learner opens
the placed link inside the course and sees the item with its safe link."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import browser, check_page  # noqa: F401
from tests.surveys.journey_helpers import open_as

from .browser_helpers import phone_context
from .test_material_placement import make_items

pytestmark = pytest.mark.browser


def test_trainer_places_an_item_and_a_learner_opens_it(browser, live_server, app):  # noqa: F811
    from playwright.sync_api import expect

    make_items(app)
    trainer = phone_context(browser, live_server, "en-GB").new_page()
    trainer.viewport_name = "phone"
    trainer.goto("/demo/")
    trainer.get_by_role("link", name=re.compile("Add learnpass content to the course")).click()
    trainer.wait_for_url(re.compile(r"/lti/deep-linking"))
    trainer.get_by_role("link", name="An item of the knowledge base").click()
    expect(trainer.get_by_role("heading", level=1)).to_have_text(
        "Add an item of the knowledge base"
    )
    choices = trainer.get_by_test_id("material-choices")
    expect(choices).to_contain_text("Welding rules of the demo school")
    expect(choices).not_to_contain_text("other school")
    trainer.get_by_label("Words in the title").fill("welding")
    trainer.get_by_label("Language of the material").select_option("en")
    trainer.get_by_role("button", name="Search").click()
    expect(choices.get_by_role("listitem")).to_have_count(1)
    check_page(trainer, "catalogue-material-place")
    trainer.get_by_label(re.compile("Welding rules of the demo school")).check()
    trainer.get_by_role("button", name="Add to course").click()
    trainer.wait_for_url(re.compile(r"/demo/\?added=1"))
    card = trainer.locator(".choice-card").last
    expect(card.locator(".choice-title")).to_have_text("Welding rules of the demo school")
    link = card.get_by_role("link").first.get_attribute("data-link")
    assert link

    learner = phone_context(browser, live_server, "en-GB").new_page()
    learner.viewport_name = "phone"
    open_as(learner, "learner", link)
    expect(learner.get_by_role("heading", level=1)).to_have_text("Welding rules of the demo school")
    opens = learner.get_by_test_id("material-link")
    expect(opens).to_have_attribute("rel", "noopener noreferrer")
    expect(opens).to_have_attribute("target", "_blank")
    expect(opens).to_have_attribute("href", "https://example.org/material")
    check_page(learner, "catalogue-material-course")
