"""cmi5 over real HTTP: a trainer places a real cmi5 course, a learner launches it, the AU is
opened with its launch parameters, fetches its token once, reads ``LMS.LaunchData`` from /xapi/
and writes the statements an AU writes; the LMS answers with satisfied statements, a grade and a
passport entry, and refuses what the cmi5 rules forbid.

The AU side is played by this test with ``requests`` (the browser test plays the real AU).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from lxml import html
from sqlalchemy import func, select, update

from learning_packages import cmi5_runtime as rt
from learning_packages import tables as t
from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox
from tests.lti.flows import launch
from tests.scorm.builders import SAMPLES
from tests.scorm.flows import content_get, enter_content, place_package

SINGLE = SAMPLES / "catapult-single_au_basic_framed.zip"
MASTERY = SAMPLES / "catapult-masteryscore_framed.zip"
MULTI = SAMPLES / "catapult-multi_au_framed.zip"

pytestmark = pytest.mark.skipif(
    not SINGLE.is_file(), reason="shared/scorm-samples is not beside the checkout"
)

XAPI = {"X-Experience-API-Version": "1.0.3"}


# ---------------------------------------------------------------- helpers


def imported(runner: Any, path: Path) -> int:
    result = runner.invoke(args=["scorm", "import", str(path)])
    assert result.exit_code == 0, result.output
    return int(result.output.split("package ", 1)[1].split(" ", 1)[0])


class Learner:
    """A learner on the player page of a placed cmi5 course."""

    def __init__(self, app: Any, runner: Any, live_server: Any, http: Any, path: Path) -> None:
        self.app, self.base, self.http = app, live_server.url, http
        self.package_id = imported(runner, path)
        with app.app_context():
            place_package(http, self.base, self.package_id)
            self.link = demo.links()[-1]
        http.cookies.clear()
        self.page = launch(http, self.base, user="learner", link=self.link["id"])
        assert self.page.status_code == 200, self.page.text[:500]
        self.doc = html.fromstring(self.page.text)

    def au_links(self) -> list[Any]:
        return self.doc.xpath('//a[contains(@class, "scorm-toc-item")]')

    def open_au(self, index: int = 0) -> AuLaunch:
        href = self.au_links()[index].get("href")
        r = self.http.get(self.base + href, allow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        # Through the content origin's single-use entry, which binds this browser (its cookie).
        location, cookie = r.headers["Location"], ""
        if "/content/enter/" in location:
            location, cookie = enter_content(location)
        return AuLaunch(self.base, location, cookie)


class AuLaunch:
    """What the AU sees: its URL with the cmi5 launch parameters; then its xAPI calls."""

    def __init__(self, base: str, url: str, cookie: str = "") -> None:
        self.base, self.url, self.cookie = base, url, cookie
        query = parse_qs(urlsplit(url).query)
        self.params = {k: v[0] for k, v in query.items()}
        self.actor = json.loads(self.params["actor"])
        self.http = requests.Session()
        self.auth: str | None = None
        self.launch_data: dict[str, Any] = {}

    def fetch(self) -> requests.Response:
        return self.http.post(self.params["fetch"])

    def start(self) -> None:
        answer = self.fetch()
        assert answer.status_code == 200
        self.auth = "Basic " + answer.json()["auth-token"]
        r = self.xapi("GET", "activities/state", params=self.state_params())
        assert r.status_code == 200, r.text
        self.launch_data = r.json()

    def state_params(self) -> dict[str, str]:
        return {
            "activityId": self.params["activityId"],
            "agent": json.dumps(self.actor),
            "registration": self.params["registration"],
            "stateId": "LMS.LaunchData",
        }

    def xapi(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**XAPI, "Authorization": self.auth or "", **kwargs.pop("headers", {})}
        return self.http.request(
            method, self.params["endpoint"] + path, headers=headers, timeout=30, **kwargs
        )

    def statement(
        self, verb: str, result: dict[str, Any] | None = None, **over: Any
    ) -> dict[str, Any]:
        """A cmi5 defined statement the way an AU builds it from the context template."""
        template = json.loads(json.dumps(self.launch_data["contextTemplate"]))
        context = {**template, "registration": self.params["registration"]}
        categories = [{"id": rt.CATEGORY_CMI5}]
        if result and ("success" in result or "completion" in result):
            categories.append({"id": rt.CATEGORY_MOVEON})
        context["contextActivities"]["category"] = categories
        statement = {
            "id": str(uuid.uuid4()),
            "actor": self.actor,
            "verb": {"id": verb},
            "object": {"id": self.params["activityId"], "objectType": "Activity"},
            "context": context,
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        }
        if result:
            statement["result"] = result
        statement.update(over)
        return statement

    def send(self, *statements: dict[str, Any]) -> requests.Response:
        return self.xapi("POST", "statements", json=list(statements))


COMPLETED = {"completion": True, "duration": "PT30S"}


def passed(scaled: float = 0.9) -> dict[str, Any]:
    return {"success": True, "score": {"scaled": scaled}, "duration": "PT40S"}


TERMINATED = {"duration": "PT1M"}


def stored_verbs(app: Any, registration: str) -> list[str]:
    from xapi import tables as xt

    with app.app_context():
        rows = db.session.execute(
            select(xt.statements.c.payload)
            .where(xt.statements.c.registration == registration)
            .order_by(xt.statements.c.seq)
        ).scalars()
        return [json.loads(p)["verb"]["id"].rsplit("/", 1)[-1] for p in rows]


def statements_with(app: Any, verb_suffix: str) -> list[dict[str, Any]]:
    from xapi import tables as xt

    with app.app_context():
        rows = db.session.execute(select(xt.statements.c.payload)).scalars()
        return [
            s
            for s in map(json.loads, rows)
            if s["verb"]["id"].endswith("/" + verb_suffix)
            and rt.CATEGORY_CMI5 in [a["id"] for a in categories(s)]
        ]


def categories(statement: dict[str, Any]) -> list[dict[str, Any]]:
    """The cmi5 defined statements carry the cmi5 category (the tool also records LTI launches)."""
    context = statement.get("context") or {}
    return list((context.get("contextActivities") or {}).get("category") or [])


@pytest.fixture
def learner(app: Any, runner: Any, live_server: Any, http: Any) -> Iterator[Learner]:
    yield Learner(app, runner, live_server, http, SINGLE)


# ---------------------------------------------------------------- launch


def test_player_page_frames_the_au_through_a_cmi5_launch(app: Any, learner: Learner) -> None:
    assert "cannot play" not in learner.page.text
    (frame,) = learner.doc.xpath('//iframe[@id="sco-frame"]')
    (link,) = learner.au_links()
    assert frame.get("src") == link.get("href") and link.get("target") == "sco-frame"
    assert "Introduction to Geology" in link.text_content()
    au = learner.open_au()
    base = learner.base
    # The AU runs on the content origin; it calls the tool's origin for the token and the LRS.
    content = app.config["LEARNPASS"].content_url
    assert au.url.startswith(content + "/content/files/") and "/index.html?" in au.url
    assert set(au.params) == {"endpoint", "fetch", "actor", "registration", "activityId"}
    assert au.params["endpoint"] == base + "/xapi/"
    assert au.params["fetch"].startswith(base + "/api/cmi5/fetch/")
    assert set(au.actor) == {"objectType", "account"}  # no name: no personal data in the URL
    assert au.actor["objectType"] == "Agent"
    assert au.params["activityId"] == (
        f"{base}/content/packages/{learner.package_id}/aus/"
        "https%3A%2F%2Fw3id.org%2Fxapi%2Fcmi5%2Fcatapult%2Flts%2Fcourse%2F"
        "geology-intro-single-au-basic%2F1"
    )
    uuid.UUID(au.params["registration"])
    # The file itself is served at that URL.
    assert b"cmi5" in content_get({"contentCookie": au.cookie}, au.url).content
    # Not in another browser (without the cookie the entry set).
    assert requests.get(au.url, timeout=30).status_code == 403
    with app.app_context():
        from lti_tool.models import User

        user = db.session.scalars(select(User).where(User.sub == au.actor["account"]["name"])).one()
        assert au.actor["account"]["homePage"] == user.issuer


def test_registration_is_stable_and_relaunch_abandons_the_open_session(
    app: Any, learner: Learner
) -> None:
    first = learner.open_au()
    first.start()
    assert first.send(first.statement(rt.INITIALIZED)).status_code == 200
    second = learner.open_au()
    assert second.params["registration"] == first.params["registration"]
    assert second.params["activityId"] == first.params["activityId"]
    assert second.params["fetch"] != first.params["fetch"]
    verbs = stored_verbs(app, first.params["registration"])
    assert verbs == ["launched", "initialized", "abandoned", "launched"]
    (abandoned,) = statements_with(app, "abandoned")
    assert abandoned["result"]["duration"].startswith("PT")
    # The abandoned session's token is revoked.
    r = first.send(first.statement("http://adlnet.gov/expapi/verbs/experienced"))
    assert r.status_code == 401


def test_launch_data_and_launched_statement(app: Any, learner: Learner) -> None:
    au = learner.open_au()
    au.start()
    data = au.launch_data
    session_id = data["contextTemplate"]["extensions"][rt.EXT_SESSION]
    assert data["contextTemplate"]["contextActivities"]["grouping"] == [
        {
            "objectType": "Activity",
            "id": "https://w3id.org/xapi/cmi5/catapult/lts/course/geology-intro-single-au-basic/1",
        }
    ]
    assert data["launchMode"] == "Normal"
    assert data["moveOn"] == "CompletedOrPassed"
    assert "masteryScore" not in data  # none in this course structure
    assert data["returnURL"].startswith(learner.base + "/content/cmi5/returned")
    assert requests.get(data["returnURL"], timeout=30).status_code == 200
    (launched,) = statements_with(app, "launched")
    assert launched["object"]["id"] == au.params["activityId"]
    assert launched["actor"]["account"] == au.actor["account"]
    context = launched["context"]
    assert context["registration"] == au.params["registration"]
    assert {"id": rt.CATEGORY_CMI5, "objectType": "Activity"} in context["contextActivities"][
        "category"
    ]
    ext = context["extensions"]
    assert ext[rt.EXT_SESSION] == session_id
    assert ext[rt.EXT_LAUNCH_MODE] == "Normal"
    assert ext[rt.EXT_MOVE_ON] == "CompletedOrPassed"
    assert ext[rt.EXT_LAUNCH_URL] == au.url.split("?", 1)[0]  # without the launch parameters


def test_fetch_answers_once_then_the_cmi5_error(learner: Learner) -> None:
    au = learner.open_au()
    first = au.fetch()
    assert first.status_code == 200 and first.headers["Content-Type"] == "application/json"
    token = first.json()["auth-token"]
    key, _, secret = base64.b64decode(token).decode().partition(":")
    assert key and secret
    second = au.fetch()
    assert second.status_code == 200
    assert second.json()["error-code"] == "1" and "auth-token" not in second.json()
    forged = requests.post(au.params["fetch"] + "x", timeout=30)
    assert forged.status_code == 200 and forged.json()["error-code"] == "2"
    assert requests.get(au.params["fetch"], timeout=30).status_code == 405


def test_au_session_satisfies_the_course_grades_and_feeds_the_passport(
    app: Any, learner: Learner
) -> None:
    au = learner.open_au()
    au.start()
    r = au.send(au.statement(rt.INITIALIZED))
    assert r.status_code == 200, r.text
    # cmi5 allowed statements (no cmi5 category) between initialized and terminated are fine.
    allowed = au.statement("http://adlnet.gov/expapi/verbs/experienced")
    allowed["context"]["contextActivities"].pop("category")
    assert au.send(allowed).status_code == 200
    assert au.send(au.statement(rt.COMPLETED, COMPLETED)).status_code == 200
    registration = au.params["registration"]
    # CompletedOrPassed: completed is enough; the only AU satisfied -> the course.
    satisfied = statements_with(app, "satisfied")
    assert len(satisfied) == 1
    course = satisfied[0]
    assert course["object"]["id"] == f"{learner.base}/content/packages/{learner.package_id}"
    assert course["object"]["definition"]["type"] == rt.TYPE_COURSE
    assert course["context"]["registration"] == registration
    assert (
        course["context"]["extensions"][rt.EXT_SESSION]
        == au.launch_data["contextTemplate"]["extensions"][rt.EXT_SESSION]
    )
    assert au.send(au.statement(rt.PASSED, passed(0.8))).status_code == 200
    assert au.send(au.statement(rt.TERMINATED, TERMINATED)).status_code == 200
    assert len(statements_with(app, "satisfied")) == 1  # once per registration
    assert stored_verbs(app, registration) == [
        "launched",
        "initialized",
        "experienced",
        "completed",
        "satisfied",
        "passed",
        "terminated",
    ]
    with app.app_context():
        grades = db.session.scalars(select(GradeOutbox).order_by(GradeOutbox.id)).all()
        assert grades, "no grade queued"
        assert grades[0].activity_progress == "Completed" and grades[0].score_given == 100.0
        assert grades[-1].score_given == 80.0  # the passed score, once it arrived
        from lti_tool.passports.models import PassportEntry

        (entry,) = db.session.scalars(select(PassportEntry)).all()
        assert entry.title == "Introduction to Geology - Framed Style"
        assert entry.result.startswith("passed") and entry.source == "scorm"
    # The token is revoked on terminated.
    assert au.send(au.statement("http://adlnet.gov/expapi/verbs/experienced")).status_code == 401
    # The table of contents shows the AU's status on the next visit.
    page = learner.http.get(learner.page.url)
    assert "passed" in html.fromstring(page.text).xpath("//*[@data-status-for]")[0].text_content()


def test_token_reads_launch_data_and_only_its_own_statements(app: Any, learner: Learner) -> None:
    au = learner.open_au()
    au.start()
    au.send(au.statement(rt.INITIALIZED))
    listing = au.xapi("GET", "statements", params={"registration": au.params["registration"]})
    assert listing.status_code == 200
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in listing.json()["statements"]]
    assert verbs == ["initialized"]  # the LMS's launched statement is not the token's own
    prefs = au.xapi(
        "GET",
        "agents/profile",
        params={"agent": json.dumps(au.actor), "profileId": "cmi5LearnerPreferences"},
    )
    # Section 11: the LMS provides the learner preferences the AU must read on start-up.
    assert prefs.status_code == 200, prefs.text
    assert prefs.json()["languagePreference"].split(",")[0] in ("en", "en-US", "en-GB")
    assert "audioPreference" not in prefs.json()  # unknown to the LMS: the AU's own default


def test_learner_preferences_an_au_writes_are_kept_on_the_next_launch(learner: Learner) -> None:
    au = learner.open_au()
    au.start()
    params = {"agent": json.dumps(au.actor), "profileId": "cmi5LearnerPreferences"}
    current = au.xapi("GET", "agents/profile", params=params)
    assert current.status_code == 200
    mine = {"languagePreference": "fr-BE,fr-FR", "audioPreference": "off"}
    written = au.xapi(
        "PUT",
        "agents/profile",
        params=params,
        json=mine,
        headers={"If-Match": current.headers["ETag"]},
    )
    assert written.status_code == 204, written.text
    again = learner.open_au()
    again.start()
    assert again.xapi("GET", "agents/profile", params=params).json() == mine


def test_token_cannot_touch_another_learners_documents(app: Any, learner: Learner) -> None:
    au = learner.open_au()
    au.start()
    other = {**au.actor, "account": {**au.actor["account"], "name": "someone-else"}}
    state = {**au.state_params(), "agent": json.dumps(other)}
    assert au.xapi("GET", "activities/state", params=state).status_code == 403
    put = au.xapi("PUT", "activities/state", params={**state, "stateId": "x"}, json={"a": 1})
    assert put.status_code == 403
    profile = {"agent": json.dumps(other), "profileId": "cmi5LearnerPreferences"}
    assert au.xapi("GET", "agents/profile", params=profile).status_code == 403
    # Its own learner's state stays writable, and activity profiles are read-only to it.
    own = au.xapi(
        "PUT",
        "activities/state",
        params={**au.state_params(), "stateId": "bookmark"},
        json={"page": 2},
    )
    assert own.status_code == 204, own.text
    activity = {"activityId": au.params["activityId"], "profileId": "p"}
    written = au.xapi("PUT", "activities/profile", params=activity, json={"b": 1})
    assert written.status_code == 403


# ---------------------------------------------------------------- guard refusals (6.3, 9)


@pytest.fixture
def running(learner: Learner) -> AuLaunch:
    au = learner.open_au()
    au.start()
    assert au.send(au.statement(rt.INITIALIZED)).status_code == 200
    return au


def refused(response: requests.Response, rule: str) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["field"] == rule, body


def test_refuses_another_actor(running: AuLaunch) -> None:
    other = {"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "eve"}}
    refused(running.send(running.statement(rt.COMPLETED, COMPLETED, actor=other)), "cmi5-actor")


def test_refuses_another_registration(running: AuLaunch) -> None:
    statement = running.statement(rt.COMPLETED, COMPLETED)
    statement["context"]["registration"] = str(uuid.uuid4())
    refused(running.send(statement), "cmi5-registration")


def test_refuses_statements_after_terminated(app: Any, running: AuLaunch) -> None:
    assert running.send(running.statement(rt.TERMINATED, TERMINATED)).status_code == 200
    # The token is revoked with the session; were it not, the guard would refuse (tested below).
    assert running.send(running.statement(rt.COMPLETED, COMPLETED)).status_code == 401


def test_refuses_a_batch_with_a_statement_after_terminated(app: Any, learner: Learner) -> None:
    au = learner.open_au()
    au.start()
    r = au.send(
        au.statement(rt.INITIALIZED),
        au.statement(rt.TERMINATED, TERMINATED),
        au.statement(rt.COMPLETED, COMPLETED),
    )
    refused(r, "cmi5-session-ended")
    assert "statement 2" in r.json()["message"]
    assert stored_verbs(app, au.params["registration"]) == ["launched"]  # all or nothing


def test_refuses_an_expired_session_then_the_job_revokes_it(app: Any, running: AuLaunch) -> None:
    with app.app_context():
        db.session.execute(update(t.cmi5_sessions).values(expires_at=dt.datetime(2000, 1, 1)))
        db.session.commit()
    refused(running.send(running.statement(rt.COMPLETED, COMPLETED)), "cmi5-session-expired")
    with app.app_context():
        from lti_tool.content.cmi5 import expire_sessions

        assert expire_sessions() == 1
    assert running.send(running.statement(rt.COMPLETED, COMPLETED)).status_code == 401
    assert len(statements_with(app, "abandoned")) == 1


def test_refuses_a_first_statement_that_is_not_initialized(learner: Learner) -> None:
    au = learner.open_au()
    au.start()
    refused(au.send(au.statement(rt.COMPLETED, COMPLETED)), "cmi5-initialized-first")


def test_refuses_completed_twice_in_a_registration(learner: Learner) -> None:
    au = learner.open_au()
    au.start()
    assert au.send(au.statement(rt.INITIALIZED), au.statement(rt.COMPLETED, COMPLETED)).ok
    again = learner.open_au()  # a new session, the same registration
    again.start()
    assert again.send(again.statement(rt.INITIALIZED)).ok
    refused(again.send(again.statement(rt.COMPLETED, COMPLETED)), "cmi5-completed-once")


def test_refuses_passed_twice_and_failed_after_passed(learner: Learner) -> None:
    au = learner.open_au()
    au.start()
    assert au.send(au.statement(rt.INITIALIZED), au.statement(rt.PASSED, passed())).ok
    refused(au.send(au.statement(rt.PASSED, passed())), "cmi5-duplicate-verb")
    again = learner.open_au()
    again.start()
    assert again.send(again.statement(rt.INITIALIZED)).ok
    refused(again.send(again.statement(rt.PASSED, passed())), "cmi5-passed-once")
    failed = {"success": False, "score": {"scaled": 0.1}, "duration": "PT5S"}
    refused(again.send(again.statement(rt.FAILED, failed)), "cmi5-failed-after-passed")


def test_refuses_passed_and_failed_in_one_session(running: AuLaunch) -> None:
    failed = {"success": False, "duration": "PT5S"}
    assert running.send(running.statement(rt.FAILED, failed)).ok
    refused(running.send(running.statement(rt.PASSED, passed())), "cmi5-passed-or-failed")


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda s: s["context"]["extensions"].update({rt.EXT_SESSION: "other"}), "cmi5-session-id"),
        (lambda s: s["object"].update({"id": "https://example.org/au"}), "cmi5-object"),
        (lambda s: s["context"]["contextActivities"].pop("grouping"), "cmi5-context-template"),
        (lambda s: s["result"].pop("duration"), "cmi5-duration"),
        (lambda s: s["result"].update({"success": True}), "cmi5-result"),
        (
            lambda s: s["context"]["contextActivities"].update(
                {"category": [{"id": rt.CATEGORY_CMI5}]}
            ),
            "cmi5-moveon-category",
        ),
        (lambda s: s.update({"verb": {"id": rt.SATISFIED}}), "cmi5-verb"),
    ],
)
def test_refuses_statements_that_break_the_statement_rules(
    running: AuLaunch, change: Any, rule: str
) -> None:
    statement = running.statement(rt.COMPLETED, dict(COMPLETED))
    change(statement)
    refused(running.send(statement), rule)


def test_refuses_voiding(running: AuLaunch) -> None:
    voiding = running.statement(rt.VOIDED)
    voiding["object"] = {"objectType": "StatementRef", "id": str(uuid.uuid4())}
    voiding["context"]["contextActivities"].pop("category")
    refused(running.send(voiding), "cmi5-voiding")


def test_ordinary_lrs_clients_are_not_guarded(app: Any, learner: Learner) -> None:
    from xapi import auth

    with app.app_context():
        key, secret = auth.add_client(db.session(), "reporting", ["all"])
        db.session.commit()
    statement = {
        "actor": {"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "a"}},
        "verb": {"id": rt.COMPLETED},
        "object": {"id": "https://example.org/anything"},
    }
    r = requests.post(
        learner.base + "/xapi/statements",
        json=statement,
        auth=(key, secret),
        headers=XAPI,
        timeout=30,
    )
    assert r.status_code == 200, r.text


# ---------------------------------------------------------------- masteryScore, OwnWindow, blocks


def test_mastery_score_and_own_window(app: Any, runner: Any, live_server: Any, http: Any) -> None:
    learner = Learner(app, runner, live_server, http, MASTERY)
    (link,) = learner.au_links()
    assert link.get("target") == "_blank"
    assert "opens in a new window" in link.text_content()
    (notice,) = learner.doc.xpath('//*[@data-testid="own-window"]')
    assert notice.xpath(".//a")[0].get("href") == link.get("href")
    (frame,) = learner.doc.xpath('//iframe[@id="sco-frame"]')
    assert frame.get("src") == "about:blank"
    au = learner.open_au()
    au.start()
    assert au.launch_data["masteryScore"] == 0.3
    assert "own=1" in au.launch_data["returnURL"]
    (launched,) = statements_with(app, "launched")
    assert launched["context"]["extensions"][rt.EXT_MASTERY] == 0.3
    assert au.send(au.statement(rt.INITIALIZED)).ok
    refused(au.send(au.statement(rt.PASSED, passed(0.2))), "cmi5-mastery-score")
    failed = {"success": False, "score": {"scaled": 0.5}, "duration": "PT5S"}
    refused(au.send(au.statement(rt.FAILED, failed)), "cmi5-mastery-score")
    assert au.send(au.statement(rt.PASSED, passed(0.3))).ok
    assert len(statements_with(app, "satisfied")) == 1


def test_multi_au_course_is_satisfied_when_every_au_is(
    app: Any, runner: Any, live_server: Any, http: Any
) -> None:
    learner = Learner(app, runner, live_server, http, MULTI)
    links = learner.au_links()
    assert len(links) == 8
    for index in range(8):
        au = learner.open_au(index)
        assert "pages=" in au.url and "complete=" in au.url  # the AU's own query string is kept
        au.start()
        batch = [au.statement(rt.INITIALIZED), au.statement(rt.COMPLETED, COMPLETED)]
        if index == 7:  # the quiz: CompletedAndPassed
            batch.append(au.statement(rt.PASSED, passed(0.75)))
        batch.append(au.statement(rt.TERMINATED, TERMINATED))
        assert au.send(*batch).ok
        satisfied = statements_with(app, "satisfied")
        assert len(satisfied) == (1 if index == 7 else 0)
    with app.app_context():
        attempt = db.session.execute(select(t.attempts)).one()
        assert attempt.completed and attempt.score_scaled == 0.75
        assert (
            db.session.execute(
                select(func.count())
                .select_from(t.cmi5_sessions)
                .where(t.cmi5_sessions.c.end_reason == "terminated")
            ).scalar_one()
            == 8
        )


def test_au_hosted_elsewhere_is_launched_at_its_own_url(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    from tests.scorm.builders import write_zip

    course = """<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
      <course id="https://example.org/remote"><title><langstring>Remote</langstring></title>
      </course>
      <au id="https://example.org/remote/au1" moveOn="Passed">
        <title><langstring>Hosted elsewhere</langstring></title>
        <url>https://content.example.org/au1/start.html?lang=en</url></au>
    </courseStructure>"""
    path = write_zip(tmp_path / "remote.zip", {"cmi5.xml": course})
    learner = Learner(app, runner, live_server, http, path)
    au = learner.open_au()
    assert au.url.startswith("https://content.example.org/au1/start.html?lang=en&endpoint=")
    assert au.params["endpoint"] == learner.base + "/xapi/"
    (launched,) = statements_with(app, "launched")
    assert launched["context"]["extensions"][rt.EXT_LAUNCH_URL] == (
        "https://content.example.org/au1/start.html?lang=en"
    )
    # The fetch URL answers AUs on other origins.
    assert au.fetch().headers["Access-Control-Allow-Origin"] == "*"


def test_batches_sent_at_once_lose_nothing(app: Any, learner: Learner) -> None:
    """An AU may send batches together (Catapult's sends ``passed`` and ``experienced`` at
    once); each is applied on what the other stored, so neither result is written back over."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    def together(au: AuLaunch, result_statement: dict[str, Any]) -> None:
        allowed = au.statement("http://adlnet.gov/expapi/verbs/experienced")
        allowed["context"]["contextActivities"].pop("category")
        allowed["result"] = {"extensions": {rt.EXT_PROGRESS: 60}}
        barrier = Barrier(2)

        def send(statement: dict[str, Any]) -> int:
            barrier.wait()
            return au.send(statement).status_code

        with ThreadPoolExecutor(2) as pool:
            codes = list(pool.map(send, [result_statement, allowed]))
        assert codes == [200, 200]

    first = learner.open_au()
    first.start()
    assert first.send(first.statement(rt.INITIALIZED)).ok
    together(first, first.statement(rt.COMPLETED, COMPLETED))
    second = learner.open_au()
    second.start()
    assert second.send(second.statement(rt.INITIALIZED)).ok
    together(second, second.statement(rt.PASSED, passed(0.9)))
    with app.app_context():
        (state,) = db.session.execute(select(t.sco_states)).all()
    assert (state.completion_status, state.success_status) == ("completed", "passed")
    assert state.score_scaled == 0.9
