"""The verify page in Chromium at phone size, in the language of the employer's browser (nl, fr,
de, en), for a passport with an expired and an expiring training and for one training's
certificate; axe on each page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports import credentials, overview
from lti_tool.passports.issuer import issuer_for, save_issuer
from lti_tool.passports.models import PassportEntry
from tests.browser.conftest import VIEWPORTS, check_page, watch_csp

from .conftest import tiny_png

pytestmark = pytest.mark.browser

ISSUER = "Bouwbedrijf Jansen BV"

# What each language says: the headline, an expired and an expiring training, a month name.
WORDS = {
    "en-GB": ("Genuine.", "Expired on", "Expires soon, on", "has expired"),
    "nl-NL": ("Echt.", "Verlopen op", "Verloopt binnenkort, op", "is verlopen"),
    "fr-FR": ("Authentique.", "Expirée le", "Expire bientôt, le", "a expiré"),
    "de-DE": ("Echt.", "Abgelaufen am", "Läuft bald ab, am", "ist abgelaufen"),
}


@pytest.fixture
def documents(passport_app: Any, live_server: Any) -> dict[str, str]:
    """Lena's signed passport snapshot and her expired training's credential, issued by the
    platform's organisation with a logo."""
    with passport_app.app_context():
        session = db.session()
        lena = session.scalars(select(User).where(User.sub == "demo-learner-1")).one()
        save_issuer(
            session,
            lena.platform_id,
            name=ISSUER,
            address="Dorpsstraat 1\n8321 AB Urk",
            logo=tiny_png(),
        )
        issuer = issuer_for(session, lena.platform_id, "learnpass")
        summary = overview.passport_summary(session, lena.id)
        passport = credentials.issue_for_passport(
            session, summary, base_url=live_server.url, issuer_name=issuer.name
        )
        fire = session.scalars(
            select(PassportEntry).where(
                PassportEntry.user_id == lena.id, PassportEntry.title == "Fire warden"
            )
        ).one()
        entry = credentials.issue_for_entry(
            session, fire, base_url=live_server.url, issuer_name=issuer.name
        )
        return {"passport": passport.public_id, "entry": entry.public_id}


@pytest.fixture(params=list(WORDS))
def phone(request: pytest.FixtureRequest, browser: Any, live_server: Any) -> Iterator[Any]:
    """A phone whose browser asks for the language of the parameter."""
    locale = str(request.param)
    context = browser.new_context(base_url=live_server.url, locale=locale, **VIEWPORTS["phone"])
    context.set_default_timeout(30_000)
    watch_csp(context)
    page = context.new_page()
    page.viewport_name = f"phone-{locale}"
    page.locale = locale
    yield page
    context.close()


def test_verify_page_in_the_employers_language(documents, phone):
    from playwright.sync_api import expect

    genuine, expired_on, expiring_on, has_expired = WORDS[phone.locale]
    phone.goto(f"/verify/{documents['passport']}")
    status = phone.get_by_test_id("verify-status")
    expect(status).to_contain_text(genuine)
    expect(status).to_contain_text(has_expired)
    expect(phone.get_by_test_id("verify-issuer-name")).to_have_text(ISSUER)
    logo = phone.get_by_test_id("verify-issuer").get_by_role("img")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
    trainings = phone.get_by_test_id("verify-training")
    expect(trainings).to_have_count(5)
    expect(trainings.filter(has_text="Fire warden")).to_contain_text(expired_on)
    expect(trainings.filter(has_text="First aid refresher")).to_contain_text(expiring_on)
    if not phone.locale.startswith("en"):
        expect(phone.locator("main")).not_to_contain_text("Expired on")
        expect(phone.locator("main")).not_to_contain_text("Genuine")
    check_page(phone, "passport-verify-passport")

    phone.goto(f"/verify/{documents['entry']}")
    expect(phone.get_by_test_id("verify-status")).to_have_attribute("data-status", "expired")
    expect(phone.get_by_test_id("verify-status")).to_contain_text(expired_on)
    expect(phone.get_by_test_id("verify-name")).to_have_text("Fire warden")
    check_page(phone, "passport-verify-certificate")


def test_admin_sets_the_issuing_organisation(passport_app, page, tmp_path):
    from playwright.sync_api import expect

    from .test_browser import open_passport_as

    logo = tmp_path / "logo.png"
    logo.write_bytes(tiny_png())
    open_passport_as(page, "Open as administrator (Anna Schmidt)")
    page.get_by_role("navigation", name="Passport").get_by_role(
        "link", name="Administration"
    ).click()
    page.get_by_test_id("issuer-settings-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Issuing organisation")
    check_page(page, "passport-issuer-settings")
    page.get_by_label("Name of the organisation").fill(ISSUER)
    page.get_by_label("Postal address").fill("Dorpsstraat 1\n8321 AB Urk")
    page.get_by_label("Logo (PNG or JPEG, at most 2 MB)").set_input_files(str(logo))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("The issuing organisation is saved.")
    expect(page.get_by_test_id("issuer-name")).to_have_text(ISSUER)
    expect(page.get_by_test_id("issuer-preview").get_by_role("img")).to_be_visible()
    check_page(page, "passport-issuer-saved")
