"""The HR view in Chromium, in English, Dutch, French and German, with axe on every page: an HR
person (here Karim, a learner who is also his company's HR) finds his company from the passport
menu, sees what expires and downloads the spreadsheet."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import check_page

from .test_browser import open_passport_as
from .test_hr_company import company_with_hr

pytestmark = pytest.mark.browser

HEADINGS = {
    "nl": "Opleidingen van Bakker Bouw",
    "fr": "Formations de Bakker Bouw",
    "de": "Schulungen von Bakker Bouw",
}


def test_hr_person_finds_their_company_in_every_language(passport_app: Any, page: Any) -> None:
    from playwright.sync_api import expect

    company_with_hr(passport_app, "learner2", None)
    open_passport_as(page, "Open as learner (Karim Benali)")
    page.get_by_role("navigation", name="Passport").get_by_role("link", name="Our people").click()
    page.wait_for_url(re.compile(r"/passport/hr/companies/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Training of Bakker Bouw")
    expect(page.get_by_test_id("matrix-row")).to_have_count(1)
    expect(page.get_by_test_id("attention").first).to_contain_text("First aid (EHBO)")
    check_page(page, "passport-hr-company")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download Excel (XLSX)").click()
    sheet = load_workbook(io.BytesIO(download_info.value.path().read_bytes())).active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref

    for lang, heading in HEADINGS.items():
        page.goto(page.url.split("?")[0] + f"?lang={lang}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        check_page(page, f"passport-hr-company-{lang}")
