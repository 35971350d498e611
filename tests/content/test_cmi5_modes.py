"""cmi5 launch modes, waivers and the live table of contents, over real HTTP on loopback.

Review (10.2.2): offered once the AU is satisfied; the launch data says so and the write guard
lets only initialized and terminated through. Waived (9.3.7): a trainer's form writes the LMS's
waived statement, once per registration and AU, and it counts for moveOn. The player polls a
status endpoint that reflects both.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from lxml import html
from sqlalchemy import select

from learning_packages import cmi5_runtime as rt
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox
from tests.content.test_cmi5_play import (
    COMPLETED,
    TERMINATED,
    AuLaunch,
    Learner,
    categories,
    passed,
    refused,
    statements_with,
)
from tests.content.test_cmi5_play import learner as learner  # noqa: F401  # the fixture
from tests.content.test_cmi5_play import pytestmark as pytestmark  # noqa: F401  # skip w/o samples
from tests.lti.flows import launch
from tests.scorm.flows import enter_content

# ---------------------------------------------------------------- helpers


def review_block(learner: Learner) -> Any:
    page = learner.http.get(learner.page.url)
    assert page.status_code == 200
    doc = html.fromstring(page.text)
    (block,) = doc.xpath("//*[@data-review-for]")
    return block


def review_href(learner: Learner) -> str:
    (link,) = review_block(learner).xpath('.//a[@data-mode="review"]')
    return str(link.get("href"))


def complete(learner: Learner) -> AuLaunch:
    au = learner.open_au()
    au.start()
    assert au.send(
        au.statement(rt.INITIALIZED),
        au.statement(rt.COMPLETED, COMPLETED),
        au.statement(rt.TERMINATED, TERMINATED),
    ).ok
    return au


def status_json(learner: Learner) -> dict[str, Any]:
    config = json.loads(learner.doc.xpath('//script[@id="scorm-player-config"]')[0].text)
    response = learner.http.get(learner.base + config["statusUrl"])
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    (au,) = response.json()["aus"]
    return dict(au)


def launch_review(learner: Learner) -> AuLaunch:
    r = learner.http.get(learner.base + review_href(learner), allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    au = AuLaunch(learner.base, *enter_content(r.headers["Location"]))
    au.start()
    return au


# ---------------------------------------------------------------- Review


def test_review_is_offered_only_once_the_au_is_satisfied(learner: Learner) -> None:
    assert review_block(learner).get("hidden") is not None
    status = status_json(learner)
    assert (status["status"], status["reviewable"]) == ("not started", False)
    early = learner.http.get(learner.base + review_href(learner), allow_redirects=False)
    assert early.status_code == 409
    complete(learner)
    block = review_block(learner)
    assert block.get("hidden") is None
    labels = [a.text_content().strip() for a in block.xpath(".//a")]
    assert labels == ["Start again", "Open again to look back"]
    assert status_json(learner)["reviewable"] is True


def test_a_review_session_says_review_and_records_no_satisfaction(
    app: Any, learner: Learner
) -> None:
    complete(learner)
    au = launch_review(learner)
    assert au.launch_data["launchMode"] == "Review"
    session_id = au.launch_data["contextTemplate"]["extensions"][rt.EXT_SESSION]
    (launched,) = [
        s
        for s in statements_with(app, "launched")
        if s["context"]["extensions"][rt.EXT_SESSION] == session_id
    ]
    assert launched["context"]["extensions"][rt.EXT_LAUNCH_MODE] == "Review"
    assert au.send(au.statement(rt.INITIALIZED)).status_code == 200
    refused(au.send(au.statement(rt.PASSED, passed(0.9))), "cmi5-launch-mode")
    refused(au.send(au.statement(rt.FAILED, {**passed(0.1), "success": False})), "cmi5-launch-mode")
    refused(au.send(au.statement(rt.COMPLETED, COMPLETED)), "cmi5-launch-mode")
    # cmi5 allowed statements (no cmi5 category) are still recorded in Review.
    allowed = au.statement("http://adlnet.gov/expapi/verbs/experienced")
    allowed["context"]["contextActivities"].pop("category")
    assert au.send(allowed).status_code == 200
    assert au.send(au.statement(rt.TERMINATED, TERMINATED)).status_code == 200
    assert not statements_with(app, "passed")
    # A Normal launch afterwards is Normal again.
    again = learner.open_au()
    again.start()
    assert again.launch_data["launchMode"] == "Normal"


# ---------------------------------------------------------------- waived


def trainer(learner: Learner) -> requests.Session:
    http = requests.Session()
    page = launch(http, learner.base, user="instructor", link=learner.link["id"])
    assert page.status_code == 200, page.text[:300]
    (link,) = html.fromstring(page.text).xpath('//a[contains(@href, "/waivers")]')
    http.waivers_url = learner.base + link.get("href")  # type: ignore[attr-defined]
    return http


def waive(http: requests.Session, reason: str = "Tested Out", **over: str) -> requests.Response:
    url = http.waivers_url  # type: ignore[attr-defined]
    form = html.fromstring(http.get(url).text).xpath("//form")[0]
    data = {
        "csrf_token": form.xpath('.//input[@name="csrf_token"]')[0].get("value"),
        "learner": form.xpath('.//select[@name="learner"]/option')[0].get("value"),
        "au": form.xpath('.//select[@name="au"]/option')[0].get("value"),
        "reason": reason,
        **over,
    }
    return http.post(url, data=data)


def test_a_trainer_waives_an_au_which_satisfies_the_course(app: Any, learner: Learner) -> None:
    http = trainer(learner)
    page = html.fromstring(http.get(http.waivers_url).text)  # type: ignore[attr-defined]
    assert [o.text_content() for o in page.xpath('//select[@name="learner"]/option')]
    assert {i.get("value") for i in page.xpath('//input[@name="reason"]')} == set(rt.WAIVE_REASONS)

    response = waive(http, "Equivalent Outside Activity")
    assert response.status_code == 201, response.text[:500]
    (waived,) = statements_with(app, "waived")
    assert waived["result"]["success"] is True and waived["result"]["completion"] is True
    assert waived["result"]["extensions"][rt.EXT_REASON] == "Equivalent Outside Activity"
    assert rt.CATEGORY_MOVEON in [c["id"] for c in categories(waived)]
    session_id = waived["context"]["extensions"][rt.EXT_SESSION]
    # Satisfied follows under the waiver's own session id, which nothing else uses (9.3.7).
    (course,) = statements_with(app, "satisfied")
    assert course["context"]["extensions"][rt.EXT_SESSION] == session_id
    assert course["context"]["registration"] == waived["context"]["registration"]
    launched_sessions = {
        s["context"]["extensions"][rt.EXT_SESSION] for s in statements_with(app, "launched")
    }
    assert session_id not in launched_sessions
    with app.app_context():
        assert db.session.scalars(select(GradeOutbox)).first() is not None
    # Once per registration and AU.
    again = waive(http, "Administrative")
    assert again.status_code == 409
    assert len(statements_with(app, "waived")) == 1
    listed = html.fromstring(again.text).xpath('//*[@data-testid="waived"]')[0].text_content()
    assert "Introduction to Geology" in listed
    # The learner sees it as waived, and may look back at it; the waiver was in their name.
    status = status_json(learner)
    assert (status["status"], status["reviewable"]) == ("waived", True)
    assert learner.open_au().actor == waived["actor"]


def test_two_trainers_waiving_at_once_make_one_waiver(app: Any, learner: Learner) -> None:
    trainers = [trainer(learner), trainer(learner)]
    forms = []
    for http in trainers:
        url = http.waivers_url  # type: ignore[attr-defined]
        form = html.fromstring(http.get(url).text).xpath("//form")[0]
        forms.append(
            {
                "csrf_token": form.xpath('.//input[@name="csrf_token"]')[0].get("value"),
                "learner": form.xpath('.//select[@name="learner"]/option')[0].get("value"),
                "au": form.xpath('.//select[@name="au"]/option')[0].get("value"),
                "reason": "Administrative",
            }
        )
    with ThreadPoolExecutor(2) as pool:
        codes = sorted(
            pool.map(
                lambda pair: pair[0].post(pair[0].waivers_url, data=pair[1]).status_code,
                zip(trainers, forms, strict=True),
            )
        )
    assert codes == [201, 409]
    assert len(statements_with(app, "waived")) == 1
    assert len(statements_with(app, "satisfied")) == 1


def test_waivers_need_a_trainer_a_csrf_token_and_a_known_reason(learner: Learner) -> None:
    http = trainer(learner)
    url = http.waivers_url  # type: ignore[attr-defined]
    assert waive(http, "Because").status_code == 400
    assert waive(http, csrf_token="forged").status_code == 400
    assert waive(http, learner="999999").status_code == 400
    # The learner's own session may not open the page at all.
    assert learner.http.get(url).status_code == 403
    assert learner.http.post(url, data={"reason": "Administrative"}).status_code in (400, 403)


def test_an_au_may_not_send_waived(learner: Learner) -> None:
    au = learner.open_au()
    au.start()
    assert au.send(au.statement(rt.INITIALIZED)).ok
    result = {"success": True, "completion": True, "extensions": {rt.EXT_REASON: "Tested Out"}}
    refused(au.send(au.statement(rt.WAIVED, result)), "cmi5-verb")


# ---------------------------------------------------------------- the live table of contents


def test_status_endpoint_follows_the_aus_statements(learner: Learner) -> None:
    assert status_json(learner)["status"] == "not started"
    assert course_done(learner) is False
    au = learner.open_au()
    au.start()
    assert au.send(au.statement(rt.INITIALIZED)).ok
    assert status_json(learner)["status"] == "in progress"
    progressed = au.statement("http://adlnet.gov/expapi/verbs/experienced")
    progressed["context"]["contextActivities"].pop("category")
    progressed["result"] = {"extensions": {rt.EXT_PROGRESS: 40}}
    assert au.send(progressed).ok
    assert status_json(learner)["status"] == "in progress, 40%"
    assert au.send(au.statement(rt.COMPLETED, COMPLETED)).ok
    assert status_json(learner)["status"] == "completed"
    assert course_done(learner) is True  # CompletedOrPassed: the only AU, so the course
    assert au.send(au.statement(rt.PASSED, passed(0.9))).ok
    assert status_json(learner)["status"] == "passed"


def course_done(learner: Learner) -> bool:
    config = json.loads(learner.doc.xpath('//script[@id="scorm-player-config"]')[0].text)
    return bool(learner.http.get(learner.base + config["statusUrl"]).json()["courseDone"])


def test_status_endpoint_needs_the_learners_signed_link(learner: Learner) -> None:
    config = json.loads(learner.doc.xpath('//script[@id="scorm-player-config"]')[0].text)
    forged = config["statusUrl"].replace("t=", "t=x")
    assert learner.http.get(learner.base + forged).status_code == 403
    # Another user's session with this learner's link: refused too.
    other = requests.Session()
    launch(other, learner.base, user="learner2", link=learner.link["id"])
    assert other.get(learner.base + config["statusUrl"]).status_code == 403
