"""The learner's and the trainer's passport pages at phone size in Dutch, French, German and
English: the page's language, the catalogue's names, days and hours in that language, no sentence
of the English catalogue on a non-English page, and axe on every page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from babel.dates import format_date
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.passports.demo import TRAINING_TYPE_NAMES
from lti_tool.passports.models import PassportEntry
from tests.browser.conftest import check_page
from tests.passports.test_browser import open_passport_as
from tests.passports.test_no_english import english_in, english_sentences

pytestmark = pytest.mark.browser

LANGUAGES = ("nl", "fr", "de", "en")
HOURS_35 = {"nl": "3,5", "fr": "3,5", "de": "3,5", "en": "3.5"}


@pytest.fixture
def viewport() -> str:
    """These run at phone size only: the factory worker's screen."""
    return "phone"


def _expired_day(app: Any, lang: str) -> str:
    with app.app_context():
        entry = db.session.scalars(
            select(PassportEntry).where(PassportEntry.title == "Fire warden")
        ).one()
        assert entry.valid_until is not None
        return format_date(entry.valid_until, format="long", locale=lang)


def _no_english(page: Any, lang: str) -> None:
    if lang == "en":
        return
    text = " ".join(page.locator("body").inner_text().split())
    found = english_in(text, english_sentences(lang))
    assert not found, f"English on the {lang} page {page.url}: {found}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_learner_passport_in_each_language(passport_app: Any, page: Any, lang: str) -> None:
    from playwright.sync_api import expect

    open_passport_as(page, "Open as learner (Lena de Vries)")
    page.goto(f"/passport/?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_test_id("expired-item")).to_contain_text(_expired_day(passport_app, lang))
    expect(page.locator("main")).to_contain_text(HOURS_35[lang])
    _no_english(page, lang)
    check_page(page, f"passport-learner-{lang}")
    page.goto(f"/passport/propose?lang={lang}")
    option = TRAINING_TYPE_NAMES["FIRST-AID"].get(lang, "First aid (EHBO)")
    expect(page.locator("select#training_type_id")).to_contain_text(option)
    _no_english(page, lang)
    check_page(page, f"passport-propose-{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_trainer_pages_in_each_language(passport_app: Any, page: Any, lang: str) -> None:
    from playwright.sync_api import expect

    open_passport_as(page, "Open as trainer (Tom Peeters)")
    page.goto(f"/passport/trainer/?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    _no_english(page, lang)
    check_page(page, f"passport-trainer-home-{lang}")
    page.goto(f"/passport/trainer/matrix?lang={lang}")
    header = TRAINING_TYPE_NAMES["HEIGHT"].get(lang, "Working at height")
    expect(page.get_by_role("columnheader", name=header)).to_be_visible()
    expect(page.get_by_test_id("matrix-row")).to_have_count(2)
    _no_english(page, lang)
    check_page(page, f"passport-matrix-{lang}")
    # A day in a matrix cell is written the reader's way too (no 2026-10-02 on a Dutch page).
    if lang != "en":
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", page.locator("main").inner_text())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_admin_and_hr_pages_in_each_language(passport_app: Any, page: Any, lang: str) -> None:
    """The administrator's pages (the catalogue, a refused training type, the names page, the
    issuing organisation, the companies) and an HR person's company page, at phone size: no
    English sentence on a nl / fr / de page, axe on each."""
    from playwright.sync_api import expect

    from tests.passports.test_hr_company import company_with_hr

    company_id, _hr = company_with_hr(passport_app, "admin", None)
    open_passport_as(page, "Open as administrator (Anna Schmidt)")
    page.goto(f"/passport/admin/?lang={lang}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    # A training type's name in the reader's language in the catalogue's list.
    vca = TRAINING_TYPE_NAMES["VCA-BASIC"].get(lang, "VCA basic safety")
    expect(page.get_by_test_id("training-type").filter(has_text=vca)).to_have_count(1)
    _no_english(page, lang)
    check_page(page, f"passport-admin-{lang}")

    # A refused training type: every problem beside the form, what was typed kept.
    page.locator("#tt-code").fill("CRANE")
    page.locator("#tt-months").fill("12")
    page.locator("input[name=never_expires]").check()
    page.locator("#tt-code").evaluate("el => el.form.noValidate = true")
    page.locator("#tt-code").evaluate("el => el.form.requestSubmit()")
    problems = page.get_by_test_id("form-problems")
    expect(problems.get_by_role("listitem")).to_have_count(2)
    expect(page.locator("#tt-code")).to_have_value("CRANE")
    expect(page.locator("#tt-months")).to_have_value("12")
    _no_english(page, lang)
    check_page(page, f"passport-admin-type-refused-{lang}")

    page.goto(f"/passport/admin/?lang={lang}")
    page.get_by_test_id("training-type").filter(has_text=vca).get_by_role("link").click()
    expect(page.locator("input[name=name_nl]")).to_have_value(
        TRAINING_TYPE_NAMES["VCA-BASIC"]["nl"]
    )
    _no_english(page, lang)
    check_page(page, f"passport-admin-names-{lang}")
    for path, name in (
        ("/passport/admin/issuer", "issuer"),
        ("/passport/admin/companies", "companies"),
        (f"/passport/admin/companies/{company_id}", "company"),
        (f"/passport/hr/companies/{company_id}", "hr-company"),
    ):
        page.goto(f"{path}?lang={lang}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _no_english(page, lang)
        check_page(page, f"passport-admin-{name}-{lang}")
