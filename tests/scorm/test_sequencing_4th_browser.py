"""A learner in Chromium plays the golf forced-order course in its SCORM 2004 4th Edition form
(parts tied by completion maps): completing the first part makes the second available, Next opens
it, and a returning learner lands on the part the engine delivers, never on a blank frame."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learning_packages import tables as t
from lti_tool.extensions import db

from .builders import PAGE, manifest_2004, write_zip
from .flows import import_and_place
from .fourth_edition import FORCED_3RD, fourth_edition_forced
from .test_player_browser import (  # noqa: F401 (fixture)
    WAIT,
    chromium,
    open_as_learner,
    runtime_frame,
    sco_frame,
    sco_frame_element,
)
from .test_sequencing_browser import toc

pytestmark = pytest.mark.browser


def test_completing_the_first_part_opens_the_second(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    chromium: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    if not FORCED_3RD.is_file():
        pytest.skip(f"{FORCED_3RD} is absent")
    package = fourth_edition_forced(tmp_path / "golf-forced-4th.zip")
    link_id = import_and_place(app, runner, http, live_server.url, package).link_id
    context, page = open_as_learner(chromium, live_server.url, link_id)
    frame = sco_frame_element(page)
    expect(frame).to_have_attribute("src", re.compile(r"content=playing"), timeout=WAIT)
    expect(toc(page, "Etiquette")).to_be_disabled(timeout=WAIT)
    expect(toc(page, "Etiquette")).to_contain_text("Not available yet")

    # Next before the first part is completed: the engine refuses once the part has ended, and
    # the learner is back in it with a notice, not on a blank frame.
    sco = sco_frame(page)
    runtime_frame(page).wait_for_function(
        "() => API_1484_11.isInitialized() && API_1484_11.cmi.location !== ''", timeout=WAIT
    )
    page.locator("[data-nav=continue]").click()
    expect(page.locator("[data-testid=overflow]")).to_contain_text(
        "Not available yet", timeout=WAIT
    )
    expect(frame).to_have_attribute("src", re.compile(r"content=playing"), timeout=WAIT)
    runtime_frame(page).wait_for_function(
        "() => API_1484_11.isInitialized() && !API_1484_11.isTerminated()", timeout=WAIT
    )
    expect(toc(page, "Playing the Game")).to_have_attribute("aria-current", "true")

    # Page through the first part to its end: it sets itself completed.
    next_page = sco.locator("#butNext")
    for _ in range(4):
        next_page.click()
    expect(next_page).to_be_disabled(timeout=WAIT)
    runtime_frame(page).wait_for_function(
        "() => API_1484_11.cmi.completion_status === 'completed'", timeout=WAIT
    )
    page.locator("[data-nav=continue]").click()
    expect(frame).to_have_attribute("src", re.compile(r"content=etiquette"), timeout=WAIT)
    expect(toc(page, "Etiquette")).to_have_attribute("aria-current", "true", timeout=WAIT)
    expect(toc(page, "Etiquette")).to_be_enabled()
    expect(toc(page, "Handicapping")).to_be_disabled()
    # The second part runs: it initialized and set its first page.
    runtime_frame(page).wait_for_function(
        "() => API_1484_11.isInitialized() && API_1484_11.cmi.location !== ''", timeout=WAIT
    )
    assert page.errors == []

    # The engine's state is saved after the delivery: leave once the server holds it.
    def stored_state() -> str:
        with app.app_context():
            return db.session.execute(select(t.attempts.c.sequencing_state)).scalar_one() or ""

    deadline = time.monotonic() + WAIT / 1000
    while time.monotonic() < deadline and '"etiquette_item"' not in stored_state():
        page.wait_for_timeout(50)
    assert '"etiquette_item"' in stored_state()
    context.close()

    # Back later, on another device: the engine delivers the second part again.
    context, page = open_as_learner(chromium, live_server.url, link_id)
    frame = sco_frame_element(page)
    expect(frame).to_have_attribute("src", re.compile(r"content=(etiquette)"), timeout=WAIT)
    expect(toc(page, "Playing the Game")).to_be_enabled(timeout=WAIT)
    expect(toc(page, "Handicapping")).to_be_disabled()
    assert page.errors == []
    context.close()


LOCKED = (
    "<imsss:sequencing><imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>"
    '<imsss:ruleCondition condition="always"/></imsss:ruleConditions>'
    '<imsss:ruleAction action="disabled"/></imsss:preConditionRule></imsss:sequencingRules>'
    "</imsss:sequencing>"
)


def test_nothing_to_open_is_said_only_when_true_with_what_to_do(
    app: Any,
    runner: Any,
    live_server: Any,
    http: Any,
    chromium: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A course whose only part is always disabled: the engine delivers nothing, and the page
    says so and what the learner can do, instead of an empty frame and no word."""
    manifest = manifest_2004(
        f'<item identifier="a" identifierref="r1"><title>Locked part</title>{LOCKED}</item>',
        '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html"/>',
    )
    package = write_zip(tmp_path / "locked.zip", {"imsmanifest.xml": manifest, "index.html": PAGE})
    link_id = import_and_place(app, runner, http, live_server.url, package).link_id
    context, page = open_as_learner(chromium, live_server.url, link_id)
    notice = page.locator("[data-testid=overflow]")
    expect(notice).to_contain_text("nothing to open for you now", timeout=WAIT)
    expect(notice).to_contain_text("start again with a new attempt")
    expect(sco_frame_element(page)).to_have_attribute("src", "about:blank")
    assert page.errors == []
    context.close()
