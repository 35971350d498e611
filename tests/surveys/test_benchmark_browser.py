"""The company's report with the network benchmark in Chromium (a phone and a laptop, axe and
overflow checks through check_page): HR of the company open it from a launch and read their
scores beside the network's, as a chart with words and as a table."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import insert, select

from lti_tool.extensions import db
from lti_tool.models import User
from lti_tool.passports.models import company_hr
from tests.browser.conftest import browser, check_page, page, viewport  # noqa: F401

from .benchmark_data import OTHERS, OWN, seed_scan

pytestmark = pytest.mark.browser


def test_hr_read_their_company_beside_the_network(app: Any, page: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    with app.app_context():
        ids = seed_scan([OWN, *OTHERS])
        db.session.remove()
    page.goto("/demo/")
    page.get_by_role("link", name="Open as trainer (Tom Peeters)").first.click()
    page.wait_for_url(re.compile(r"^(?!.*/demo/).*$"))
    with app.app_context():  # the trainer is also HR of the company
        tom = db.session.scalars(select(User).where(User.sub == "demo-trainer-1")).one()
        db.session.execute(insert(company_hr).values(company_id=ids["Own Company"], user_id=tom.id))
        db.session.commit()
        db.session.remove()
    page.goto(f"/surveys/{ids['survey']}/report")
    bench = page.get_by_test_id("benchmark")
    expect(bench.get_by_role("heading", level=2)).to_have_text("Your company beside the network")
    rows = page.get_by_test_id("benchmark-row")
    expect(rows).to_have_count(4)
    expect(rows.nth(3)).to_contain_text("Yearly budget")
    chart = page.get_by_test_id("benchmark-chart").nth(3)
    expect(chart).to_contain_text("Yearly budget")
    expect(chart.get_by_role("img")).to_have_accessible_name(
        "Your company: 17. Network of 5 companies: lower quartile 7.2, median 17, "
        "upper quartile 35.65."
    )
    expect(page.get_by_test_id("report-pdf")).to_be_visible()
    for other, _answers in OTHERS:
        expect(page.locator("main")).not_to_contain_text(other)
    check_page(page, "survey-report-benchmark")
