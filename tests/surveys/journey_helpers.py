"""Helpers of the end-to-end survey journey in Chromium (test_survey_journey_browser.py): the
demo platform's launches, the company the first learners work for, one learner's answers, and
reading the report's downloads back."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlalchemy import select

from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.lti.identity import get_or_create_user
from lti_tool.models import Course, Platform
from lti_tool.passports.models import (
    Company,
    Competence,
    CompetenceFramework,
    LearnerGroup,
    company_group,
    group_member,
)
from tests.browser.conftest import VIEWPORTS, check_page, watch_csp
from tests.passports.test_documents import flat, pdf_pages

TITLE = "Welding check"

# A third learner of the demo course (the demo platform names two): launched by its start URL.
THIRD = {
    "sub": "demo-learner-3",
    "name": "Sofie Janssens",
    "given_name": "Sofie",
    "family_name": "Janssens",
    "email": "sofie@example.org",
    "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
}


def seed_framework() -> None:
    """The passport's framework the trainer picks the dual-scale item from."""
    framework = CompetenceFramework(idnumber="WELD", shortname="Welding")
    db.session.add(framework)
    db.session.flush()
    db.session.add(
        Competence(framework_id=framework.id, idnumber="WELD-MIG", shortname="MIG welding")
    )
    db.session.commit()


def seed_company(name: str, users: list[str]) -> None:
    """The demo users ``users`` are a group of the demo course that belongs to company ``name``
    (made as the administrator does, before they answer: a response counts for their company)."""
    platform = db.session.scalars(select(Platform).order_by(Platform.id)).first()
    assert platform is not None
    course = db.session.scalars(
        select(Course).where(
            Course.platform_id == platform.id, Course.context_id == demo.COURSE["id"]
        )
    ).one()
    company = Company(platform_id=platform.id, name=name)
    group = LearnerGroup(course_id=course.id, name=f"{name} workshop")
    db.session.add_all([company, group])
    db.session.flush()
    db.session.execute(company_group.insert().values(company_id=company.id, group_id=group.id))
    for key in users:
        user = get_or_create_user(
            db.session(), platform, demo.USERS[key]["sub"], demo.DEPLOYMENT_ID
        )
        db.session.execute(group_member.insert().values(group_id=group.id, user_id=user.id))
    db.session.commit()


def open_as(page: Any, user: str, link: str) -> None:
    """Launch ``user`` from the demo platform into the placed link ``link``."""
    page.goto(f"/demo/start?user={user}&link={link}")
    page.wait_for_url(re.compile(r"^(?!.*/demo/).*$"))


def new_page(browser: Any, base_url: str, viewport: str) -> Any:
    """A fresh browser context (one person's browser) at the named screen size."""
    context = browser.new_context(base_url=base_url, locale="en-GB", **VIEWPORTS[viewport])
    context.set_default_timeout(30_000)
    watch_csp(context)
    page = context.new_page()
    page.viewport_name = viewport
    return page


def pick_levels(page: Any, now: str, needed: str) -> None:
    page.get_by_role("group", name="My level now").get_by_label(now, exact=True).check()
    page.get_by_role("group", name="The level my work needs").get_by_label(
        needed, exact=True
    ).check()
    page.get_by_role("group", name=re.compile("How important")).get_by_label(
        "4", exact=True
    ).check()


def answer(page: Any, link: str, user: str, now: str, needed: str, name: str) -> None:
    """One learner launched from the placed link answers the survey's one page and submits."""
    from playwright.sync_api import expect

    open_as(page, user, link)
    expect(page.get_by_test_id("question-q2")).to_be_visible()
    pick_levels(page, now, needed)
    page.get_by_label(re.compile(r"^Your answer")).fill(f"Frames ({user})")
    check_page(page, f"journey-{name}-answer")
    finish(page, name)


def finish(page: Any, name: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("button", name="Submit my answers")).to_be_visible()
    check_page(page, f"journey-{name}-review")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_test_id("survey-done")).to_be_visible()
    expect(page.get_by_test_id("gap-table")).to_contain_text("MIG welding")
    check_page(page, f"journey-{name}-done")


def download(page: Any, link_name: str) -> bytes:
    """Click a download link of the page and return the file's bytes."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return bytes(info.value.path().read_bytes())


def csv_rows(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;")
    return list(csv.reader(io.StringIO(text), dialect))


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF"), body[:20]
    return str(flat(" ".join(pdf_pages(body))))


def build_survey(page: Any) -> int:
    """The trainer makes the survey in the editor: an open question and a dual-scale item."""
    from playwright.sync_api import expect

    page.goto("/surveys/manage")
    page.get_by_test_id("new-survey").click()
    page.get_by_label("The language you write the survey in").select_option("en")
    page.get_by_label("Title of the survey").fill(TITLE)
    page.get_by_label("Title of the first page").fill("Your work")
    page.get_by_label("First question (an open question)").fill("What do you make?")
    check_page(page, "journey-editor-new")
    page.get_by_test_id("create-survey").click()
    expect(page.get_by_test_id("question-q1")).to_contain_text("What do you make?")
    page.get_by_test_id("add-question-s1").click()
    page.get_by_test_id("kind-competence").click()
    page.get_by_label("The competence (from the passport's frameworks)").select_option(
        label="MIG welding"
    )
    expect(page.get_by_test_id("scale-levels")).to_contain_text("Cannot do this yet")
    check_page(page, "journey-editor-competence")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("question-q2")).to_contain_text("MIG welding")
    check_page(page, "journey-editor-outline")
    page.get_by_test_id("edit-done").click()
    page.get_by_role("button", name="Open for answers").click()
    expect(page.get_by_test_id("survey-status")).to_contain_text("Open")
    check_page(page, "journey-survey-open")
    found = re.search(r"/surveys/(\d+)/", page.url)
    assert found is not None
    return int(found.group(1))


def place_survey(page: Any) -> str:
    """The trainer adds the survey to the course with Deep Linking; returns the new link's id."""
    from playwright.sync_api import expect

    page.goto("/demo/")
    page.get_by_role("link", name=re.compile("Add learnpass content to the course")).click()
    page.wait_for_url(re.compile(r"/lti/deep-linking"))
    page.get_by_label(re.compile(TITLE)).check()
    check_page(page, "journey-deep-linking")
    page.get_by_role("button", name="Add to course").click()
    page.wait_for_url(re.compile(r"/demo/\?added=1"))
    card = page.locator(".choice-card").last
    expect(card.locator(".choice-title")).to_have_text(TITLE)
    check_page(page, "journey-demo-placed")
    link = card.get_by_role("link").first.get_attribute("data-link")
    assert link
    return str(link)


def trainer_builds_and_places(page: Any) -> tuple[int, str]:
    """The demo trainer opens the tool, builds the survey and places it in the course; returns
    the survey's id and the new link's id."""
    page.goto("/demo/")
    page.get_by_role("link", name="Open as trainer (Tom Peeters)").first.click()
    page.wait_for_url(re.compile(r"/home$"))
    survey_id = build_survey(page)
    return survey_id, place_survey(page)
