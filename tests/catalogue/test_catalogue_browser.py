"""In Chromium at phone size, with axe on every page: a provider's person publishes an offer by
form and imports one from CSV, then a visitor without login searches the catalogue in Dutch and in German and opens it."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import browser, check_page  # noqa: F401

from .browser_helpers import make_member, phone_context

pytestmark = pytest.mark.browser


def test_provider_publishes_and_visitors_find_it(browser, live_server, app):  # noqa: F811
    from playwright.sync_api import expect

    provider = phone_context(browser, live_server, "en-GB").new_page()
    provider.viewport_name = "phone"
    provider.goto("/demo/")
    card = provider.locator(".choice-card").filter(has_text="learnpass")
    card.get_by_role("link", name=re.compile(r"^Open as \w+ \(Tom Peeters\)$")).click()
    provider.wait_for_url(re.compile(r"/home$"))
    make_member(app)
    provider.reload()
    provider.get_by_role("link", name=re.compile("Our offers in the catalogue")).click()
    expect(provider.get_by_role("heading", level=1)).to_have_text("Our offers")
    check_page(provider, "catalogue-provider-home")
    provider.get_by_role("link", name="New offer").click()
    expect(provider.get_by_role("heading", level=1)).to_have_text("New offer")
    check_page(provider, "catalogue-offer-form")
    provider.get_by_label("Title (Nederlands)").fill("Lastechniek voor beginners")
    provider.get_by_label("Description (Nederlands)").fill("Leren lassen met MIG en MAG.")
    provider.locator("summary", has_text="Deutsch").click()
    provider.get_by_label("Title (Deutsch)").fill("Schweißtechnik für Einsteiger")
    provider.get_by_label("In a classroom").check()
    provider.locator("#languages_nl").check()
    provider.locator("#languages_de").check()
    provider.get_by_label("Hours", exact=True).fill("16")
    provider.get_by_label("Date 1: first day").fill("2099-03-04")
    provider.locator("#date_0_city").fill("Gent")
    provider.locator("#date_0_postcode").fill("9000")
    provider.locator("#date_0_seats").fill("8")
    provider.get_by_role("button", name="Save the offer").click()
    expect(provider.get_by_role("status").first).to_contain_text("The offer is saved.")
    expect(provider.get_by_test_id("offer-status")).to_have_text("Draft")
    provider.get_by_role("button", name="Publish").click()
    expect(provider.get_by_role("status").first).to_contain_text("The offer is published")
    expect(provider.get_by_test_id("offer-status")).to_have_text("Published")
    check_page(provider, "catalogue-offer-published")

    # The same provider imports offers from a CSV file: one good, one refused with its reason.
    provider.goto("/catalogue/provider/")
    provider.get_by_role("link", name="Import offers from a file").click()
    expect(provider.get_by_role("heading", level=1)).to_have_text("Import offers from a file")
    check_page(provider, "catalogue-import")
    csv_file = (
        "offer_ref,provider,format,title_nl,languages\n"
        "HEF-1,Anyone,online,Heftruck veilig besturen,nl\n"
        "BAD-2,Anyone,spaceship,Ruimtevaart,nl\n"
    )
    provider.get_by_label(re.compile("CSV or JSON-LD file")).set_input_files(
        {"name": "offers.csv", "mimeType": "text/csv", "buffer": csv_file.encode()}
    )
    provider.get_by_role("button", name="Import", exact=True).click()
    expect(provider.get_by_test_id("import-result")).to_contain_text("New drafts: 1.")
    expect(provider.get_by_test_id("import-errors")).to_contain_text("Row 3 (BAD-2)")
    check_page(provider, "catalogue-import-report")

    dutch = phone_context(browser, live_server, "nl-BE").new_page()
    dutch.viewport_name = "phone"
    dutch.goto("/catalogue/?lang=nl")
    expect(dutch.get_by_role("heading", level=1)).to_have_text("Opleidingscatalogus")
    check_page(dutch, "catalogue-search-nl")
    dutch.get_by_label("Wat wilt u leren?").fill("lassen")
    dutch.get_by_role("button", name="Zoeken").click()
    expect(dutch.locator("#results")).to_have_text("1 aanbod gevonden")
    check_page(dutch, "catalogue-results-nl")
    dutch.get_by_role("link", name="Lastechniek voor beginners").click()
    expect(dutch.get_by_role("heading", level=1)).to_have_text("Lastechniek voor beginners")
    expect(dutch.get_by_test_id("offer-date")).to_contain_text("nog 8 plaatsen vrij")
    check_page(dutch, "catalogue-offer-nl")

    german = phone_context(browser, live_server, "de-DE").new_page()
    german.viewport_name = "phone"
    german.goto("/catalogue/?lang=de")
    german.get_by_label("Was möchten Sie lernen?").fill("Schweißen")
    german.get_by_role("button", name="Suchen").click()
    expect(german.locator("#results")).to_have_text("1 Angebot gefunden")
    check_page(german, "catalogue-results-de")
    german.get_by_role("link", name="Schweißtechnik für Einsteiger").click()
    expect(german.get_by_role("heading", level=1)).to_have_text("Schweißtechnik für Einsteiger")
    expect(german.get_by_test_id("offer-date")).to_contain_text("noch 8 Plätze frei")
    check_page(german, "catalogue-offer-de")
