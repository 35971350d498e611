"""In Chromium at phone size, with axe on every page: a provider's person uploads a file to the
knowledge base (a web page named .pdf is refused with the reason first), and a visitor without
login downloads it, from the content origin, as a download."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import browser, check_page  # noqa: F401

from .browser_helpers import make_member, phone_context

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_provider_uploads_a_file_and_visitors_download_it(browser, live_server, app, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    fake = tmp_path / "lasprocedure.pdf"
    fake.write_bytes(b"<!doctype html><script>alert(1)</script>")
    real = tmp_path / "Lasprocedure.pdf"
    real.write_bytes(PDF)

    provider = phone_context(browser, live_server, "en-GB").new_page()
    provider.viewport_name = "phone"
    provider.goto("/demo/")
    card = provider.locator(".choice-card").filter(has_text="learnpass")
    card.get_by_role("link", name=re.compile(r"^Open as \w+ \(Tom Peeters\)$")).click()
    provider.wait_for_url(re.compile(r"/home$"))
    make_member(app)
    provider.goto("/catalogue/provider/")
    provider.get_by_role("link", name="Our material").click()
    provider.get_by_role("link", name="New material").click()
    provider.get_by_label("Title (Nederlands)").fill("Lasprocedure")
    provider.get_by_label("File", exact=True).check()
    provider.get_by_label(re.compile(r"^File, for a file item")).set_input_files(str(fake))
    provider.get_by_role("button", name="Save").click()
    problems = provider.get_by_test_id("form-problems")
    expect(problems).to_contain_text("Send a PDF, a Word, Excel, PowerPoint or OpenDocument file")
    check_page(provider, "catalogue-material-file-refused")
    provider.get_by_label(re.compile(r"^File, for a file item")).set_input_files(str(real))
    provider.get_by_role("button", name="Save").click()
    expect(provider.get_by_role("status").first).to_contain_text("The material is saved.")
    expect(provider.locator("#file-hint")).to_contain_text("Now: Lasprocedure.pdf")
    check_page(provider, "catalogue-material-file-form")

    visitor = phone_context(browser, live_server, "nl-BE").new_page()
    visitor.viewport_name = "phone"
    visitor.goto("/catalogue/material/")
    visitor.get_by_role("link", name="Lasprocedure").click()
    button = visitor.get_by_test_id("material-file")
    expect(button).to_have_text("Het bestand downloaden")
    check_page(visitor, "catalogue-material-file-item")
    with visitor.expect_download() as waiting:
        button.click()
    download = waiting.value
    assert download.url.startswith(live_server.content_url + "/files/material/")
    assert download.suggested_filename == "Lasprocedure.pdf"
    assert Path(download.path()).read_bytes() == PDF
