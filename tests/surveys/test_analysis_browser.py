"""The survey report in Chromium, on a phone and a laptop, with axe on every page: the trainer
opens it from a launch, compares companies in the heat map (the small company left out), reads
the figures as a table, and downloads the XLSX."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from lti_tool.extensions import db
from tests.browser.conftest import browser, check_page, page, viewport  # noqa: F401

from .analysis_data import SCRIPT, seed_report_data

pytestmark = pytest.mark.browser


def test_trainer_reads_the_gap_report_and_heat_map(app: Any, page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    with app.app_context():
        seeded = seed_report_data()
        db.session.remove()
    page.goto("/demo/")
    page.get_by_role("link", name="Open as trainer (Tom Peeters)").first.click()
    page.wait_for_url(re.compile(r"^(?!.*/demo/).*$"))
    # From the survey's page to its report, as a trainer finds it.
    page.goto(f"/surveys/{seeded.survey_id}/manage")
    page.get_by_role("link", name="Report and analysis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report: Welding needs")
    page.get_by_role("link", name="Back to the survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welding needs")
    check_page(page, "survey-manage")
    page.goto(f"/surveys/{seeded.survey_id}/report?version=1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report: Welding needs")
    expect(page.get_by_test_id("gap-row").first).to_contain_text("Reading drawings")
    expect(page.get_by_test_id("report-status")).to_contain_text("9 responses in this report.")
    expect(page.get_by_test_id("free-texts")).to_contain_text(SCRIPT)  # text, not a script
    check_page(page, "survey-report")

    page.get_by_label("Compare groups").select_option("company")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("hidden-groups")).to_have_text(
        "1 group with fewer than 5 responses is left out."
    )
    heat = page.get_by_test_id("heat-map")
    expect(heat.get_by_role("img")).to_be_visible()
    heat.get_by_text("The heat map as a table").click()
    expect(page.get_by_test_id("heat-table")).to_contain_text("Bakker Bouw (6)")
    expect(page.get_by_test_id("heat-table")).not_to_contain_text("Jansen")
    expect(page.get_by_test_id("gap-row").first).to_contain_text("MIG welding")
    check_page(page, "survey-report-heat-map")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download Excel (XLSX)").click()
    book = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    assert [c.value for c in book["Heat map"][1]] == ["Competence", "Bakker Bouw"]
