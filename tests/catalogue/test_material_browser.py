"""In Chromium at phone size, with axe on every page: a provider's person adds a video link to
the knowledge base by form, and a visitor without login finds it and sees its safe link."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import browser, check_page  # noqa: F401

from .browser_helpers import make_member, phone_context

pytestmark = pytest.mark.browser


def test_provider_adds_material_and_visitors_find_it(browser, live_server, app):  # noqa: F811
    from playwright.sync_api import expect

    provider = phone_context(browser, live_server, "en-GB").new_page()
    provider.viewport_name = "phone"
    provider.goto("/demo/")
    card = provider.locator(".choice-card").filter(has_text="learnpass")
    card.get_by_role("link", name=re.compile(r"^Open as \w+ \(Tom Peeters\)$")).click()
    provider.wait_for_url(re.compile(r"/home$"))
    make_member(app)
    provider.goto("/catalogue/provider/")
    provider.get_by_role("link", name="Our material").click()
    expect(provider.get_by_role("heading", level=1)).to_have_text("Our material")
    check_page(provider, "catalogue-provider-material")
    provider.get_by_role("link", name="New material").click()
    expect(provider.get_by_role("heading", level=1)).to_have_text("New material")
    provider.get_by_label("Title (Nederlands)").fill("Veilig lassen in de praktijk")
    provider.get_by_label("Description (Nederlands)").fill("Een korte film over lassen.")
    provider.get_by_label("Video link").check()
    provider.get_by_label("Web address (http:// or https://)").fill("https://video.example/l")
    provider.get_by_label("Licence").select_option("cc-by-sa")
    check_page(provider, "catalogue-material-form")
    provider.get_by_role("button", name="Save").click()
    expect(provider.get_by_role("status").first).to_contain_text("The material is saved.")
    expect(provider.get_by_role("heading", level=1)).to_have_text("Change the material")

    visitor = phone_context(browser, live_server, "nl-BE").new_page()
    visitor.viewport_name = "phone"
    visitor.goto("/catalogue/material/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Kennisbank")
    visitor.get_by_label("Wat zoekt u?").fill("lassen")
    visitor.get_by_role("button", name="Zoeken").click()
    check_page(visitor, "catalogue-material-list")
    visitor.get_by_role("link", name="Veilig lassen in de praktijk").click()
    link = visitor.get_by_test_id("material-link")
    expect(link).to_have_text("De video bekijken")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("href", "https://video.example/l")
    check_page(visitor, "catalogue-material-item")
