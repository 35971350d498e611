"""The passport in Chromium: the learner's page, the trainer's matrix, a PDF download rendered to
PNG, and credentials checked at /verify. Every page is checked with axe at phone and desktop size.
"""

from __future__ import annotations

import re
from typing import Any

import jwt
import pytest

from tests.browser.conftest import check_page

pytestmark = pytest.mark.browser


def open_passport_as(page: Any, label: str) -> None:
    page.goto("/demo/")
    card = page.locator(".choice-card").filter(has_text="My passport")
    card.get_by_role("link", name=label).click()
    page.wait_for_url(re.compile(r"/passport/$"))


def test_learner_sees_their_passport(passport_app, page):
    from playwright.sync_api import expect

    open_passport_as(page, "Open as learner (Lena de Vries)")
    expect(page.get_by_role("heading", level=1)).to_have_text("My training passport")
    expect(page.get_by_test_id("entry-count")).to_have_text("5")
    expect(page.get_by_test_id("expiring-item")).to_contain_text("First aid refresher expires on")
    expect(page.get_by_test_id("expired-item")).to_contain_text("Fire warden expired on")
    expect(page.get_by_role("heading", name="Hours per year")).to_be_visible()
    check_page(page, "passport-learner")
    page.get_by_role("link", name="First aid refresher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("First aid refresher")
    check_page(page, "passport-entry")
    page.get_by_role("navigation", name="Passport").get_by_role(
        "link", name="Add a training"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Add a training you followed elsewhere"
    )
    check_page(page, "passport-propose")
    page.get_by_label("Title of the training").fill("Toolbox talk: noise")
    page.get_by_label("Evidence or remarks").fill("Signed attendance list at the site office")
    page.get_by_role("button", name="Send to my trainer").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Your trainer will check your proposal."
    )
    expect(page.get_by_test_id("proposal")).to_contain_text("Toolbox talk: noise")


def test_trainer_filters_the_matrix(passport_app, page):
    from playwright.sync_api import expect

    open_passport_as(page, "Open as trainer (Tom Peeters)")
    page.get_by_role("navigation", name="Passport").get_by_role("link", name="Trainer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trainings of your learners")
    check_page(page, "passport-trainer-home")
    page.get_by_role("link", name="Training matrix").click()
    rows = page.get_by_test_id("matrix-row")
    expect(rows).to_have_count(2)
    check_page(page, "passport-matrix")
    page.get_by_label("Status").select_option("expired")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Karim Benali")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download Excel (XLSX)").click()
    assert download_info.value.suggested_filename == "training-matrix.xlsx"


def test_pdf_download_names_the_learner_and_its_link_verifies(passport_app, page, tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    from playwright.sync_api import expect

    open_passport_as(page, "Open as learner (Lena de Vries)")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as PDF").click()
    pdf_path = tmp_path / "passport.pdf"
    download_info.value.save_as(pdf_path)
    body = pdf_path.read_bytes()
    document = pdfium.PdfDocument(body)
    try:
        first = document[0]
        first.render(scale=2).to_pil().save(tmp_path / "passport.png")
        text = first.get_textpage().get_text_range()
    finally:
        document.close()
    assert "Lena de Vries" in text
    verify_url = re.search(r"http\S+/verify/[0-9a-f]+", text).group(0)
    page.goto(verify_url)
    # Genuine, but not "valid" as a whole: Lena's Fire warden training has expired.
    expect(page.get_by_test_id("verify-status")).to_contain_text("Genuine.")
    expect(page.get_by_test_id("verify-status")).to_contain_text("1 of the trainings listed has")
    expect(page.get_by_test_id("verify-holder")).to_have_text("Lena de Vries")
    check_page(page, "passport-verify-pdf")


def test_open_badge_download_verifies_and_shows_revocation(passport_app, page, tmp_path):
    from playwright.sync_api import expect

    open_passport_as(page, "Open as learner (Lena de Vries)")
    page.get_by_role("link", name="VCA basic safety").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Open Badges file")).click()
    token_path = tmp_path / "credential.jwt"
    download_info.value.save_as(token_path)
    claims = jwt.decode(token_path.read_text(), options={"verify_signature": False})
    page.goto(claims["vc"]["id"])
    expect(page.get_by_test_id("verify-status")).to_contain_text("Genuine and valid.")
    expect(page.get_by_test_id("verify-name")).to_have_text("VCA basic safety")
    check_page(page, "passport-verify-badge")

    open_passport_as(page, "Open as administrator (Anna Schmidt)")
    nav = page.get_by_role("navigation", name="Passport")
    nav.get_by_role("link", name="Administration").click()
    check_page(page, "passport-admin")
    page.get_by_label("Reason").first.fill("Exam result withdrawn")
    page.get_by_role("button", name="Revoke").first.click()
    # Nothing is revoked before the administrator has seen whose credential it is and confirmed.
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke this credential?")
    expect(page.get_by_test_id("revoke-holder")).to_contain_text("Lena de Vries")
    expect(page.get_by_label("Reason (shown on the verification page)")).to_have_value(
        "Exam result withdrawn"
    )
    check_page(page, "passport-revoke-confirm")
    page.get_by_role("button", name="Yes, revoke it").click()
    expect(page.get_by_role("status").first).to_contain_text("revoked")
    page.goto(claims["vc"]["id"])
    expect(page.get_by_test_id("verify-status")).to_contain_text("Revoked.")
    expect(page.get_by_test_id("verify-status")).to_contain_text("Exam result withdrawn")


def _same_session_url(page: Any, path: str) -> str:
    """``path`` on the tool, keeping the address's query (the launch session travels there)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(page.url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def test_revoked_credential_and_catalogue_pages(passport_app, page):
    from playwright.sync_api import expect
    from sqlalchemy import select

    from lti_tool.extensions import db
    from lti_tool.models import User
    from lti_tool.passports.models import PassportEntry

    with passport_app.app_context():
        entry_id = db.session.scalars(
            select(PassportEntry.id)
            .join(User, User.id == PassportEntry.user_id)
            .where(User.sub == "demo-learner-1", PassportEntry.title == "VCA basic safety")
        ).one()
    open_passport_as(page, "Open as learner (Lena de Vries)")
    page.get_by_role("link", name="VCA basic safety").click()
    with page.expect_download():
        page.get_by_role("link", name=re.compile("Open Badges file")).click()

    open_passport_as(page, "Open as administrator (Anna Schmidt)")
    page.get_by_role("navigation", name="Passport").get_by_role(
        "link", name="Administration"
    ).click()
    page.get_by_label("Reason").first.fill("Exam result withdrawn")
    page.get_by_role("button", name="Revoke").first.click()
    # Nothing is revoked before the administrator has seen whose credential it is and confirmed.
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke this credential?")
    expect(page.get_by_test_id("revoke-holder")).to_contain_text("Lena de Vries")
    expect(page.get_by_label("Reason (shown on the verification page)")).to_have_value(
        "Exam result withdrawn"
    )
    check_page(page, "passport-revoke-confirm")
    page.get_by_role("button", name="Yes, revoke it").click()
    expect(page.get_by_role("status").first).to_contain_text("revoked")
    # An organisation-wide code is refused; an own type's change is confirmed first.
    page.get_by_label("Code").fill("FORKLIFT")
    page.get_by_label("Name", exact=True).fill("Forklift (renamed)")
    page.get_by_label("Never expires (leave the months empty)").check()
    page.get_by_role("button", name="Save training type").click()
    expect(page.get_by_test_id("catalogue-refused")).to_contain_text("Forklift driver")
    check_page(page, "passport-catalogue-refused")
    page.get_by_role("link", name="Back to passport administration").click()
    page.get_by_label("Code").fill("CRANE")
    page.get_by_label("Name", exact=True).fill("Crane operator")
    page.get_by_label("Never expires (leave the months empty)").check()
    page.get_by_role("button", name="Save training type").click()
    expect(page.get_by_role("status").first).to_contain_text("Crane operator saved")
    page.get_by_label("Code").fill("CRANE")
    page.get_by_label("Name", exact=True).fill("Mobile crane operator")
    page.get_by_label("Never expires (leave the months empty)").check()
    page.get_by_role("button", name="Save training type").click()
    expect(page.get_by_test_id("type-changes")).to_contain_text("Mobile crane operator")
    check_page(page, "passport-type-confirm")
    page.get_by_role("button", name="Yes, change it").click()
    expect(page.get_by_role("status").first).to_contain_text("Mobile crane operator saved")

    open_passport_as(page, "Open as learner (Lena de Vries)")
    page.get_by_role("link", name="VCA basic safety").click()
    expect(page.get_by_test_id("entry-credential-revoked")).to_be_visible()
    check_page(page, "passport-entry-revoked")
    response = page.goto(_same_session_url(page, f"/passport/entries/{entry_id}/credential"))
    assert response.status == 410
    expect(page.get_by_test_id("credential-revoked")).to_contain_text("Exam result withdrawn")
    check_page(page, "passport-credential-revoked")

    open_passport_as(page, "Open as trainer (Tom Peeters)")
    page.goto(_same_session_url(page, f"/passport/trainer/entries/{entry_id}"))
    check_page(page, "passport-trainer-entry-revoked")
    page.get_by_label("Why is it issued again?").fill("The exam result was confirmed")
    page.get_by_role("button", name="Issue a new credential").click()
    expect(page.get_by_role("status").first).to_contain_text("A new credential is issued")
