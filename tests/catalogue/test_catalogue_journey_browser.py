"""The catalogue's journey in Chromium, axe-checked on every page (issue 13, "Done when"), first
part: two providers publish offers, one by the web form (a classroom date in Gent, 9000), the
other by a CSV file in the documented template's columns through the import page and by a
JSON-LD feed on its own web site (a real HTTP server on loopback, read by the jobs runner's feed
job; the test app allows loopback as LEARNPASS_OUTGOING_ALLOW_PRIVATE does). Then a visitor
without login, on a phone, searches in Dutch and in German, narrows the search with the postcode
filter and opens an offer, whose page holds its schema.org JSON-LD.

The second part (test_catalogue_journey2_browser.py) goes from a company's gap report to HR's
interest, the providers' demand and the coordinator's network view."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.browser.conftest import PROJECT_ROOT, browser, check_page  # noqa: F401

from .journey_helpers import (
    PROVIDER_A,
    PROVIDER_B,
    WAIT,
    WEBSITE_B,
    add_people,
    add_provider,
    feed_server,  # noqa: F401
    launch,
    new_page,
    offer_jsonld,
    run_feed_job,
    seed_competences,
)

pytestmark = pytest.mark.browser

TEMPLATE = PROJECT_ROOT / "offer_formats" / "template.csv"
# Provider B's file, in every column of the documented template (offer_formats/template.csv).
CSV_ROW = {
    "offer_ref": "TEK-1",
    "provider": PROVIDER_B[1],
    "status": "published",  # an upload makes drafts all the same: published on the page
    "format": "classroom",
    "self_paced": "no",
    "languages": "nl|de",
    "hours": "8",
    "price": "250",
    "currency": "EUR",
    "competences": "DRAW",
    "title_nl": "Technische tekeningen lezen",
    "title_de": "Technische Zeichnungen lesen",
    "description_nl": "<p>Maten en symbolen op een werktekening.</p>",
    "date_start": "2099-05-10T09:00",
    "date_end": "2099-05-10T16:00",
    "place": "Campus Noord",
    "postcode": "2000",
    "city": "Antwerpen",
    "country": "BE",
    "seats_left": "2",
}


def _course(code: str, names: dict[str, str], teaches: str, start: str, seats: int) -> Any:
    return {
        "@type": "Course",
        "courseCode": code,
        "name": [{"@value": v, "@language": k} for k, v in names.items()],
        "availableLanguage": list(names),
        "teaches": {"@type": "DefinedTerm", "termCode": teaches},
        "timeRequired": "PT8H",
        "hasCourseInstance": {
            "@type": "CourseInstance",
            "courseMode": "onsite",
            "startDate": start,
            "location": {
                "@type": "Place",
                "name": "Campus Noord",
                "address": {
                    "@type": "PostalAddress",
                    "postalCode": "2000",
                    "addressLocality": "Antwerpen",
                },
            },
            "remainingAttendeeCapacity": seats,
        },
    }


# The feed is provider B's whole list: the file's offer again and a new one.
FEED = {
    "@context": "https://schema.org",
    "@graph": [
        _course(
            "TEK-1",
            {"nl": CSV_ROW["title_nl"], "de": CSV_ROW["title_de"]},
            "DRAW",
            "2099-05-10T09:00+02:00",
            2,
        ),
        _course(
            "LAS-2",
            {"nl": "Lassen voor gevorderden", "de": "Schweißen für Fortgeschrittene"},
            "MIG",
            "2099-04-01T09:00+02:00",
            6,
        ),
    ],
}


def template_csv() -> str:
    """One offer in the template's own header, its columns in the template's order."""
    with TEMPLATE.open(encoding="utf-8") as template:
        header = template.readline().strip().split(",")
    assert set(CSV_ROW) <= set(header)
    return ",".join(header) + "\n" + ",".join(CSV_ROW.get(c, "") for c in header) + "\n"


def provider_a_publishes_by_form(tom: Any) -> None:
    from playwright.sync_api import expect

    tom.get_by_role("link", name=re.compile("Our offers in the catalogue")).click()
    expect(tom.get_by_role("heading", level=2)).to_have_text(PROVIDER_A[1])
    tom.get_by_role("link", name="New offer").click()
    expect(tom.get_by_role("heading", level=1)).to_have_text("New offer")
    tom.get_by_label("Title (Nederlands)").fill("Lastechniek voor beginners")
    tom.get_by_label("Description (Nederlands)").fill("Leren lassen met MIG en MAG.")
    tom.locator("summary", has_text="Deutsch").click()
    tom.get_by_label("Title (Deutsch)").fill("Schweißtechnik für Einsteiger")
    tom.get_by_label("In a classroom").check()
    tom.locator("#languages_nl").check()
    tom.locator("#languages_de").check()
    tom.get_by_label("Hours", exact=True).fill("16")
    tom.get_by_label("MIG welding", exact=True).check()
    tom.get_by_label("Date 1: first day").fill("2099-03-04")
    tom.locator("#date_0_city").fill("Gent")
    tom.locator("#date_0_postcode").fill("9000")
    tom.locator("#date_0_seats").fill("8")
    check_page(tom, "catalogue-journey-form")
    tom.get_by_role("button", name="Save the offer").click()
    expect(tom.get_by_test_id("offer-status")).to_have_text("Draft")
    tom.get_by_role("button", name="Publish").click()
    expect(tom.get_by_test_id("offer-status")).to_have_text("Published")
    check_page(tom, "catalogue-journey-form-published")


def provider_b_imports_a_file(marie: Any) -> None:
    from playwright.sync_api import expect

    marie.get_by_role("link", name=re.compile("Our offers in the catalogue")).click()
    expect(marie.get_by_role("heading", level=2)).to_have_text(PROVIDER_B[1])
    marie.get_by_role("link", name="Import offers from a file").click()
    marie.get_by_label(re.compile("CSV or JSON-LD file")).set_input_files(
        {"name": "offers.csv", "mimeType": "text/csv", "buffer": template_csv().encode()}
    )
    marie.get_by_role("button", name="Import", exact=True).click()
    expect(marie.get_by_test_id("import-result")).to_contain_text("New drafts: 1.")
    expect(marie.get_by_test_id("import-errors")).to_have_count(0)
    check_page(marie, "catalogue-journey-import")
    marie.goto("/catalogue/provider/")
    marie.get_by_role("link", name=CSV_ROW["title_nl"]).click()
    expect(marie.get_by_test_id("offer-status")).to_have_text("Draft")
    marie.get_by_role("button", name="Publish").click()
    expect(marie.get_by_test_id("offer-status")).to_have_text("Published")
    check_page(marie, "catalogue-journey-import-published")


def provider_b_gives_its_feed(app: Any, marie: Any, feed_server: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    url = feed_server.put("/courses.jsonld", json.dumps(FEED), "application/ld+json")
    marie.goto("/catalogue/provider/")
    marie.get_by_role("link", name="Offer feed").click()
    expect(marie.get_by_role("heading", level=1)).to_have_text("Offer feed")
    marie.get_by_label(re.compile("Address of the feed")).fill(url)
    marie.get_by_label("How often it is read").select_option(label="Once a day")
    marie.get_by_role("button", name="Save", exact=True).click()
    expect(marie.get_by_text("The feed has not been read yet.")).to_be_visible()
    check_page(marie, "catalogue-journey-feed-saved")
    run_feed_job(app)  # the jobs runner's next turn reads the new address
    assert feed_server.paths == ["/courses.jsonld"]
    marie.reload()
    # The file's offer is the feed's too: updated, not doubled; the feed's new offer published.
    expect(marie.get_by_test_id("feed-run")).to_have_count(1)
    expect(marie.get_by_test_id("feed-run")).to_contain_text(
        "2 offers read: 1 new, 1 updated, 0 withdrawn."
    )
    check_page(marie, "catalogue-journey-feed-read")
    marie.goto("/catalogue/provider/")
    expect(marie.locator(".offer-hit")).to_have_count(2)
    expect(marie.locator(".status-badge")).to_have_text(["Published", "Published"])


def search(page: Any, words: str, button: str) -> None:
    page.locator("#q").fill(words)
    page.get_by_role("button", name=button, exact=True).click()


def narrow_by_postcode(page: Any, postcode: str, summary: str, apply: str) -> None:
    page.locator("summary", has_text=summary).click()
    page.locator("#postcode").fill(postcode)
    page.get_by_role("button", name=apply).click()


def dutch_visitor(browser: Any, base: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    dutch = new_page(browser, base, "phone", "nl-BE")
    try:
        dutch.goto("/catalogue/?lang=nl")
        expect(dutch.get_by_role("heading", level=1)).to_have_text("Opleidingscatalogus")
        check_page(dutch, "catalogue-journey-search-nl")
        search(dutch, "lassen", "Zoeken")
        # The form's offer (Gent) and the feed's (Antwerpen) both teach welding.
        expect(dutch.locator("#results")).to_have_text("2 aanbiedingen gevonden")
        check_page(dutch, "catalogue-journey-results-nl")
        narrow_by_postcode(dutch, "90", "Filters", "Filters toepassen")
        expect(dutch.locator("#results")).to_have_text("1 aanbod gevonden")
        expect(dutch.get_by_test_id("offer-hit")).to_contain_text(PROVIDER_A[1])
        check_page(dutch, "catalogue-journey-filtered-nl")
        dutch.get_by_role("link", name="Lastechniek voor beginners").click()
        expect(dutch.get_by_role("heading", level=1)).to_have_text("Lastechniek voor beginners")
        expect(dutch.get_by_test_id("offer-date")).to_contain_text("nog 8 plaatsen vrij")
        data = offer_jsonld(dutch)
        assert (data["@type"], data["name"]) == ("Course", "Lastechniek voor beginners")
        assert data["provider"]["name"] == PROVIDER_A[1]
        # Provider A gave no website, e-mail or booking link: no empty "book or ask" part.
        expect(dutch.get_by_role("heading", name="Inschrijven of vragen")).to_have_count(0)
        check_page(dutch, "catalogue-journey-offer-nl")
    finally:
        dutch.context.close()


def german_visitor(browser: Any, base: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    german = new_page(browser, base, "phone", "de-DE")
    try:
        german.goto("/catalogue/?lang=de")
        search(german, "Schweißen", "Suchen")
        expect(german.locator("#results")).to_have_text("2 Angebote gefunden")
        check_page(german, "catalogue-journey-results-de")
        narrow_by_postcode(german, "20", "Filter", "Filter anwenden")
        expect(german.locator("#results")).to_have_text("1 Angebot gefunden")
        check_page(german, "catalogue-journey-filtered-de")
        german.get_by_role("link", name="Schweißen für Fortgeschrittene").click()
        expect(german.get_by_role("heading", level=1)).to_have_text(
            "Schweißen für Fortgeschrittene"
        )
        expect(german.get_by_test_id("offer-date")).to_contain_text("noch 6 Plätze frei")
        data = offer_jsonld(german)
        assert (data["@type"], data["name"]) == ("Course", "Schweißen für Fortgeschrittene")
        assert data["provider"]["name"] == PROVIDER_B[1]
        assert data["hasCourseInstance"], data
        expect(german.get_by_role("heading", name="Buchen oder anfragen")).to_be_visible()
        website = german.get_by_role("link", name=f"Website von {PROVIDER_B[1]}")
        expect(website).to_have_attribute("href", WEBSITE_B)
        check_page(german, "catalogue-journey-offer-de")
    finally:
        german.context.close()


def test_two_providers_publish_and_visitors_find_their_offers(
    app: Any,
    live_server: Any,
    browser: Any,  # noqa: F811
    runner: Any,
    monkeypatch: pytest.MonkeyPatch,
    feed_server: Any,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT)
    add_people(monkeypatch)
    with app.app_context():
        seed_competences()
    # The provider's web site is on loopback: the test app allows internal addresses, as the
    # administrator does with LEARNPASS_OUTGOING_ALLOW_PRIVATE (docs/configuration.md).
    assert app.config["LEARNPASS"].outgoing_allow_private

    tom = new_page(browser, live_server.url, "desktop")
    marie = new_page(browser, live_server.url, "desktop")
    try:
        launch(tom, "instructor")  # a person must have launched once to be named
        add_provider(runner, PROVIDER_A, "instructor")
        tom.reload()
        provider_a_publishes_by_form(tom)
        launch(marie, "provider-b")
        add_provider(runner, PROVIDER_B, "provider-b", "--website", WEBSITE_B)
        marie.reload()
        provider_b_imports_a_file(marie)
        provider_b_gives_its_feed(app, marie, feed_server)
    finally:
        tom.context.close()
        marie.context.close()

    dutch_visitor(browser, live_server.url)
    german_visitor(browser, live_server.url)
