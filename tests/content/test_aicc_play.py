"""AICC HACP over real HTTP: a trainer places an AICC course (Deep Linking offers it), a learner
launches its AU, and the AU's side is played here with ``requests`` posting GetParam / PutParam /
ExitAU to the ``aicc_url`` it was launched with. The LMS answers with the stored state (resume),
stores what the AU sends, grades through the outbox, writes statements, and refuses bad input with
an HACP error code, never an HTTP error (the browser test plays the AU's own script)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from lxml import html
from sqlalchemy import func, select, update

from learning_packages import aicc_runtime as hacp
from learning_packages import tables as t
from learning_packages.erasure import erase_learner
from lti_tool.demo import platform as demo
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox
from tests.lti.flows import launch
from tests.scorm.builders import SAMPLES
from tests.scorm.flows import enter_content, place_package

from .aicc_course import aicc_zip


def imported(runner: Any, path: Path) -> int:
    result = runner.invoke(args=["scorm", "import", str(path)])
    assert result.exit_code == 0, result.output
    return int(result.output.split("package ", 1)[1].split(" ", 1)[0])


class AicLearner:
    """A learner on the player page of a placed AICC course."""

    def __init__(self, app: Any, runner: Any, live_server: Any, http: Any, path: Path) -> None:
        self.app, self.base, self.http = app, live_server.url, http
        self.package_id = imported(runner, path)
        with app.app_context():
            place_package(http, self.base, self.package_id)  # asserts Deep Linking offers it
            self.link = demo.links()[-1]
        http.cookies.clear()
        self.page = launch(http, self.base, user="learner", link=self.link["id"])
        assert self.page.status_code == 200, self.page.text[:500]
        self.doc = html.fromstring(self.page.text)

    def open_au(self) -> Au:
        (link,) = self.doc.xpath('//a[contains(@class, "scorm-toc-item")]')
        r = self.http.get(self.base + link.get("href"), allow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        location, cookie = enter_content(r.headers["Location"])
        return Au(location, cookie)


class Au:
    """The AU's side: its launch URL's parameters and the HACP posts it makes."""

    def __init__(self, location: str, cookie: str) -> None:
        self.location, self.cookie = location, cookie
        query = parse_qs(urlsplit(location).query)
        self.sid = query["aicc_sid"][0]
        self.url = query["aicc_url"][0]
        self.query = query

    def post(self, command: str, aicc_data: str = "", sid: str | None = None) -> dict[str, str]:
        r = requests.post(
            self.url,
            data={
                "command": command,
                "version": "4.0",
                "session_id": self.sid if sid is None else sid,
                "aicc_data": aicc_data,
            },
            timeout=30,
        )
        assert r.status_code == 200, r.text[:300]
        assert r.headers["Content-Type"].startswith("text/plain")
        return parse_answer(r.text)


def parse_answer(text: str) -> dict[str, str]:
    head, _, data = text.partition("aicc_data=")
    answer = {}
    for line in head.split("\r\n"):
        key, sep, value = line.partition("=")
        if sep:
            answer[key.lower()] = value
    answer["aicc_data"] = data
    return answer


def core_value(answer: dict[str, str], key: str) -> str:
    for line in answer["aicc_data"].split("\r\n"):
        name, _, value = line.partition("=")
        if name.lower() == key.lower():
            return value
    raise KeyError(key)


def put(
    location: str, status: str, score: str = "", time: str = "00:01:00", lesson: str = ""
) -> str:
    return (
        f"[Core]\r\nLesson_Location={location}\r\nLesson_Status={status}\r\nScore={score}\r\n"
        f"Time={time}\r\n[Core_Lesson]\r\n{lesson}\r\n"
    )


def verbs(app: Any) -> list[str]:
    """The verbs of the attempt's statements (the registration), in order."""
    from xapi import tables as xt

    with app.app_context():
        registration = db.session.execute(select(t.attempts.c.registration)).scalar_one()
        return [
            json.loads(p)["verb"]["id"].rsplit("/", 1)[-1]
            for p in db.session.execute(
                select(xt.statements.c.payload)
                .where(xt.statements.c.registration == registration)
                .order_by(xt.statements.c.seq)
            ).scalars()
        ]


@pytest.fixture
def learner(app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path) -> AicLearner:
    return AicLearner(app, runner, live_server, http, aicc_zip(tmp_path / "geo.zip"))


def test_au_launch_resume_and_grade(app: Any, learner: AicLearner) -> None:
    au = learner.open_au()
    # The AU's own file on the content origin, with its own query kept, and the HACP URL there.
    assert urlsplit(au.location).path.endswith("/quiz/index.html")
    assert au.query["lang"] == ["en"]
    assert au.url.startswith(app.config["LEARNPASS"].content_url + "/")
    assert len(au.sid) >= 32 and au.sid.isalnum()

    first = au.post("GetParam")
    assert (first["error"], first["error_text"]) == ("0", "Successful")
    assert first["aicc_data"].startswith("[Core]\r\n")
    assert core_value(first, "Lesson_Status") == "not attempted,ab-initio"
    assert core_value(first, "Lesson_Location") == ""
    assert core_value(first, "Student_ID")  # the LTI subject
    assert "[Core_Vendor]\r\nvendor-data" in first["aicc_data"]

    assert (
        au.post("PutParam", put("page-3", "incomplete, S", lesson="answer=quartz"))["error"] == "0"
    )
    assert au.post("ExitAU")["error"] == "0"
    # The session ended: the same id writes no more.
    late = au.post("PutParam", put("page-9", "passed", "100"))
    assert (late["error"], late["error_text"]) == (
        "3",
        "Invalid Session ID: this session has ended",
    )

    again = learner.open_au()
    assert again.sid != au.sid
    resumed = again.post("GetParam")
    assert core_value(resumed, "Lesson_Location") == "page-3"
    assert core_value(resumed, "Lesson_Status") == "incomplete,resume"
    assert core_value(resumed, "Time") == "0000:01:00.00"
    assert "[Core_Lesson]\r\nanswer=quartz\r\n" in resumed["aicc_data"]

    # Time is this session's: sent twice in the session, it is not counted twice.
    assert again.post("PutParam", put("page-4", "incomplete", time="00:00:30"))["error"] == "0"
    assert again.post("PutParam", put("end", "passed", "80", time="00:02:00"))["error"] == "0"
    assert again.post("ExitAU")["error"] == "0"
    with app.app_context():
        attempt = db.session.execute(select(t.attempts)).one()
        assert attempt.completed and attempt.success == "passed" and attempt.score_scaled == 0.8
        state = db.session.execute(select(t.sco_states)).one()
        assert state.total_time == "0000:03:00.00" and state.location == "end"
        (grade,) = db.session.scalars(select(GradeOutbox)).all()
        assert grade.score_given == 80.0 and grade.activity_progress == "Completed"
    assert verbs(app) == [
        "initialized",
        "suspended",
        "resumed",
        "completed",
        "passed",
        "scored",
        "completed",  # the course (the package activity)
        "passed",
        "terminated",
    ]


def test_relaunch_and_expiry_end_a_session(app: Any, learner: AicLearner) -> None:
    old = learner.open_au()
    assert old.post("GetParam")["error"] == "0"
    new = learner.open_au()
    assert old.post("GetParam")["error"] == "3"  # only the newest launch may write
    assert new.post("GetParam")["error"] == "0"
    with app.app_context():
        db.session.execute(update(t.aicc_sessions).values(expires_at=dt.datetime(2000, 1, 1)))
        db.session.commit()
    answer = new.post("PutParam", put("x", "passed", "90"))
    assert answer["error_text"] == "Invalid Session ID: this session has expired"
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(t.sco_states)).scalar() == 0
        # Only hashes of the session ids are stored.
        stored = db.session.execute(select(t.aicc_sessions.c.sid_hash)).scalars().all()
        assert old.sid not in stored and hacp.sid_hash(old.sid) in stored
    # The next launch clears the sessions that had ended or expired: the table does not grow.
    newest = learner.open_au()
    with app.app_context():
        stored = db.session.execute(select(t.aicc_sessions.c.sid_hash)).scalars().all()
        assert stored == [hacp.sid_hash(newest.sid)]


@pytest.mark.parametrize(
    ("sid", "command", "error"),
    [
        ("", "GetParam", "3"),
        ("0" * 48, "GetParam", "3"),
        ("x" * 300, "PutParam", "3"),
        (None, "FetchEverything", "1"),
        (None, "", "1"),
    ],
)
def test_bad_session_or_command(
    learner: AicLearner, sid: str | None, command: str, error: str
) -> None:
    au = learner.open_au()
    answer = au.post(command, put("x", "passed", "90"), sid=sid)
    assert answer["error"] == error and answer["error_text"]
    assert answer["aicc_data"] == ""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("", "no [Core] section"),
        ("Lesson_Status=passed", "text before its first [section]"),
        ("[Core]\r\nLesson_Location=x\r\n", "no Lesson_Status"),
        (put("x", "perfect"), "is not an AICC status"),
        (put("x", "passed, Z"), "is not an AICC flag"),
        (put("x", "passed", "ninety"), "is not a number"),
        (put("x", "passed", "1,2,3,4"), "is not a number"),
        (put("x", "passed", time="an hour"), "is not HH:MM:SS"),
        ("[Core]\r\nLesson_Status\r\n", "has no '='"),
        ("[Core]\r\nLesson_Status=p\r\n[Core_Lesson]\r\n" + "x" * 70_000, "over 65536"),
    ],
)
def test_malformed_aicc_data_is_refused_and_nothing_stored(
    app: Any, learner: AicLearner, data: str, reason: str
) -> None:
    au = learner.open_au()
    assert au.post("GetParam")["error"] == "0"
    answer = au.post("PutParam", data)
    assert answer["error"] == "1" and reason in answer["error_text"], answer
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(t.sco_states)).scalar() == 0
        assert db.session.scalars(select(GradeOutbox)).all() == []
    # The session still works after a refusal.
    assert au.post("PutParam", put("ok", "i"))["error"] == "0"


def test_get_and_other_methods_are_not_a_500(learner: AicLearner) -> None:
    au = learner.open_au()
    assert requests.get(au.url, timeout=30).status_code in (404, 405)
    # A body that is not a form: no command, refused as such.
    r = requests.post(au.url, data=b"\xff\xfe{", timeout=30)
    assert r.status_code == 200 and parse_answer(r.text)["error"] == "1"


def test_mastery_score_decides_passed_or_failed(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    learner = AicLearner(app, runner, live_server, http, aicc_zip(tmp_path / "m.zip", mastery="85"))
    au = learner.open_au()
    assert core_value(au.post("GetParam"), "Mastery_Score") == "85"
    assert au.post("PutParam", put("end", "completed", "80"))["error"] == "0"
    with app.app_context():
        attempt = db.session.execute(select(t.attempts)).one()
        assert attempt.success == "failed" and attempt.completed
        (grade,) = db.session.scalars(select(GradeOutbox)).all()
        assert grade.score_given == 80.0
    assert core_value(au.post("GetParam"), "Lesson_Status").startswith("failed,")


def test_erasure_removes_the_aicc_sessions(app: Any, learner: AicLearner) -> None:
    au = learner.open_au()
    assert au.post("PutParam", put("x", "incomplete"))["error"] == "0"
    with app.app_context():
        (row,) = db.session.execute(select(t.aicc_sessions)).all()
        erase_learner(db.session(), row.learner)
        db.session.commit()
        assert db.session.execute(select(func.count()).select_from(t.aicc_sessions)).scalar() == 0
    assert au.post("GetParam")["error"] == "3"


@pytest.mark.skipif(
    not (SAMPLES / "jcputney-aicc-package.zip").is_file(), reason="shared/scorm-samples is absent"
)
def test_public_aicc_sample_is_offered_and_launches(
    app: Any, runner: Any, live_server: Any, http: Any
) -> None:
    learner = AicLearner(app, runner, live_server, http, SAMPLES / "jcputney-aicc-package.zip")
    au = learner.open_au()
    assert urlsplit(au.location).path.endswith("/default.htm")
    # Its Api.js posts commands in capitals, version 3.5, and this aicc_data (empty Time and
    # Score at first, sections learnpass does not keep).
    assert au.post("GETPARAM")["error"] == "0"
    sample_put = (
        "[Core]\r\nLesson_Location=slide-2\r\nLesson_Status=p\r\nScore=\r\nTime=\r\n"
        "[Comments]\r\n\r\n[Objectives_Status]\r\n\r\n[Student_Preferences]\r\nAudio=0\r\n"
        "Language=\r\nSpeed=100\r\nText=0\r\n[Core_Lesson]\r\n"
    )
    assert au.post("PUTPARAM", sample_put)["error"] == "0"
    assert au.post("EXITAU")["error"] == "0"
    with app.app_context():
        attempt = db.session.execute(select(t.attempts)).one()
        assert attempt.completed and attempt.success == "passed" and attempt.score_scaled is None
        (grade,) = db.session.scalars(select(GradeOutbox)).all()
        assert grade.score_given is None and grade.activity_progress == "Completed"


def test_deep_linking_offers_only_kinds_the_player_plays(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from learning_packages.tables import KINDS
    from lti_tool.content import placements

    # Every kind that imports plays now, AICC included (test_au_launch_resume_and_grade places one).
    assert placements.PLAYABLE_KINDS == set(KINDS)
    package_id = imported(runner, aicc_zip(tmp_path / "geo.zip"))
    offered = launch(http, live_server.url, user="instructor", dl=True)
    assert f'value="scorm:{package_id}"' in offered.text
    # A kind the player could not play would not be offered.
    monkeypatch.setattr(placements, "PLAYABLE_KINDS", placements.PLAYABLE_KINDS - {"aicc"})
    http.cookies.clear()
    hidden = launch(http, live_server.url, user="instructor", dl=True)
    assert hidden.status_code == 200 and f'value="scorm:{package_id}"' not in hidden.text


def test_puts_at_once_store_one_state_and_never_fail_over_http(
    app: Any, learner: AicLearner
) -> None:
    """An AU that fires its PutParams without waiting (as on unload): each gets an HACP answer,
    one state row holds the result, and what was answered as stored is stored."""
    from concurrent.futures import ThreadPoolExecutor

    au = learner.open_au()
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(
                lambda n: au.post("PutParam", put(f"page-{n}", "incomplete", str(n * 10))),
                range(6),
            )
        )
    assert {a["error"] for a in answers} <= {"0", "1"} and "0" in {a["error"] for a in answers}
    stored = {f"page-{n}" for n, a in enumerate(answers) if a["error"] == "0"}
    with app.app_context():
        (state,) = db.session.execute(select(t.sco_states)).all()
        assert state.location in stored
        session_row = db.session.execute(select(t.aicc_sessions)).one()
        assert state.last_commit_seq == session_row.put_count
