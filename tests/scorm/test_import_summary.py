"""An import shows the whole package: every organization with its items (nested ones under their
parents), SCOs counted as launchable and assets listed but not counted; in the CLI and on the
admin page (Chromium, axe)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import browser, check_page, page, viewport  # noqa: F401 (fixtures)

from .builders import PAGE, manifest_12, write_zip
from .test_player_browser import WAIT

ITEMS = (
    '<item identifier="intro" identifierref="r_intro"><title>Welcome page</title></item>'
    '<item identifier="module"><title>Module one</title>'
    '<item identifier="lesson" identifierref="r_lesson"><title>Lesson one</title>'
    "<adlcp:masteryscore>80</adlcp:masteryscore></item></item>"
)
SECOND = (
    '<organization identifier="org2"><title>Short path</title>'
    '<item identifier="quick" identifierref="r_lesson"><title>Quick lesson</title></item>'
    '<item identifier="glossary" identifierref="r_intro"><title>Glossary</title></item>'
    "</organization>"
)
RESOURCES = (
    '<resource identifier="r_intro" type="webcontent" adlcp:scormtype="asset" href="intro.html"/>'
    '<resource identifier="r_lesson" type="webcontent" adlcp:scormtype="sco" href="lesson.html"/>'
)


def two_organizations(tmp_path: Path) -> Path:
    return write_zip(
        tmp_path / "two-orgs.zip",
        {
            "imsmanifest.xml": manifest_12(ITEMS, RESOURCES, extra_orgs=SECOND),
            "intro.html": PAGE,
            "lesson.html": PAGE,
        },
    )


def test_cli_lists_every_organization_with_its_items(runner: Any, app: Any, tmp_path: Path) -> None:
    result = runner.invoke(args=["scorm", "import", str(two_organizations(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("organization org1: Test course 1.2 (default)")
    assert lines[start : start + 9] == [
        "organization org1: Test course 1.2 (default)",
        "  items: 3; launchable: 1; assets: 1",
        "  [asset] Welcome page: intro.html",
        "  Module one",
        "    [sco] Lesson one: lesson.html  mastery 80",
        "organization org2: Short path",
        "  items: 2; launchable: 1; assets: 1",
        "  [sco] Quick lesson: lesson.html",
        "  [asset] Glossary: intro.html",
    ]


@pytest.mark.browser
def test_admin_page_shows_every_organization(
    app: Any,
    page: Any,  # noqa: F811 (fixture), at every screen size
    tmp_path: Path,
) -> None:
    page.goto("/demo/start?user=admin")
    page.wait_for_url(re.compile(r"/home"))
    page.goto("/content/admin")
    page.get_by_label("Package zip file").set_input_files(str(two_organizations(tmp_path)))
    page.get_by_role("button", name="Import").click()
    summary = page.get_by_test_id("import-summary")
    expect(summary).to_be_visible(timeout=WAIT)
    first = page.locator("[data-testid=organization][data-identifier=org1]")
    second = page.locator("[data-testid=organization][data-identifier=org2]")
    expect(first.locator("caption")).to_contain_text("(default)")
    expect(first.locator("caption")).to_contain_text("items: 3; launchable (SCO): 1; assets: 1")
    expect(first.locator("tbody tr")).to_have_count(3)
    expect(first.locator("tbody tr").nth(1)).to_contain_text("Module one")
    expect(first.locator("tbody tr").nth(1)).to_contain_text("group")
    expect(first.locator("tbody tr").nth(0)).to_contain_text("asset (not tracked)")
    expect(second.locator("caption")).to_contain_text("Short path")
    expect(second.locator("tbody tr")).to_have_count(2)
    expect(second.locator("tbody tr").nth(0)).to_contain_text("Quick lesson")
    expect(second.locator("tbody tr").nth(0)).to_contain_text("SCO")
    expect(second.locator("tbody tr").nth(1)).to_contain_text("Glossary")
    check_page(page, "scorm-admin-organizations")
