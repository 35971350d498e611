"""One result per attempt, over real HTTP on the threaded live server: two commits or sequencing
saves at the same moment, a course rollup that arrives after the commits, the same save sent
twice, and a trainer's preview (no result at all). Runs on SQLite and, with
LEARNPASS_TEST_POSTGRES, on PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from learning_packages import attempts as runtime
from learning_packages import tables as t
from lti_tool.content import services
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox, KeyValue, User
from tests.lti.flows import launch
from xapi.tables import statements

from .builders import manifest_12, manifest_2004, single_sco_12, write_zip
from .flows import commit
from .test_content import CMI_12, learner_on_player

PASSED_12 = {
    **CMI_12,
    "core": {**CMI_12["core"], "lesson_status": "passed", "score": {"raw": "90", "max": "100"}},
}


def package_verbs(app: Any, package_id: int) -> list[str]:
    """The verbs of the statements about the whole package (not its SCOs), sorted."""
    with app.app_context():
        rows = db.session.execute(
            select(statements.c.verb_id, statements.c.object_id).where(
                statements.c.object_id.like(f"%/content/packages/{package_id}")
            )
        ).all()
    return sorted(row.verb_id.rsplit("/", 1)[-1] for row in rows)


def grades(app: Any) -> list[tuple[float | None, str]]:
    with app.app_context():
        rows = db.session.scalars(select(GradeOutbox).order_by(GradeOutbox.id)).all()
        return [(g.score_given, g.activity_progress) for g in rows]


def at_once(send: Any, names: list[str]) -> list[requests.Response]:
    """Each name's request from its own thread, released together."""
    barrier = threading.Barrier(len(names))

    def one(name: str) -> requests.Response:
        with requests.Session() as http:
            barrier.wait()
            return send(http, name)  # type: ignore[no-any-return]

    with ThreadPoolExecutor(len(names)) as pool:
        return list(pool.map(one, names))


def new_attempt_token(app: Any, package_id: int, attempt: Any) -> tuple[int, str]:
    """A new attempt of the same learner in the same context, and its token."""
    with app.app_context():
        user = db.session.get(User, int(attempt.learner.split(":")[1]))
        assert user is not None
        started = runtime.start_attempt(db.session(), package_id, attempt.learner, attempt.context)
        return started.id, services.attempt_token(started.id, user.id, user.issuer)


def test_two_commits_at_the_same_moment_give_one_grade_and_one_statement_set(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    with app.app_context():
        state = learner_on_player(runner, live_server, http, single_sco_12(tmp_path / "p.zip"))
    config, base, package_id = state["config"], live_server.url, state["package_id"]
    sco = config["scos"][0]["id"]
    commit_url = config["commitUrl"]
    with app.app_context():
        first = db.session.execute(select(t.attempts)).one()
    tokens = [(first.id, config["attemptToken"])]
    # Three attempts, so a race has three chances to show.
    for _ in range(2):
        tokens.append(new_attempt_token(app, package_id, first))
    for attempt_id, token in tokens:
        url = base + commit_url.replace(f"/attempts/{first.id}/", f"/attempts/{attempt_id}/")
        started = http.post(
            url.replace("{sco}", str(sco)),
            json={"cmi": CMI_12, "session": "tab-a", "seq": 0, "trigger": "initialize"},
            headers={"X-Attempt-Token": token},
        )
        assert started.status_code == 200, started.text

        def send(client: requests.Session, tab: str, url: str = url, token: str = token) -> Any:
            # Two tabs (two page sessions) commit the passed quiz in the same instant.
            return client.post(
                url.replace("{sco}", str(sco)),
                json={"cmi": PASSED_12, "session": tab, "seq": 1, "trigger": "commit"},
                headers={"X-Attempt-Token": token},
                timeout=60,
            )

        answers = at_once(send, ["tab-a", "tab-b"])
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        assert all(a.json()["completed"] is True for a in answers)
    # One grade per attempt, one package-level completed + passed per attempt.
    assert grades(app) == [(90.0, "Completed")] * 3
    assert package_verbs(app, package_id) == ["completed"] * 3 + ["passed"] * 3
    with app.app_context():
        done = db.session.execute(select(t.attempts.c.completed, t.attempts.c.success)).all()
        assert [tuple(row) for row in done] == [(True, "passed")] * 3
        # The passport notes were each written once and delivered (no unique-key error).
        left = db.session.scalar(
            select(func.count())
            .select_from(KeyValue)
            .where(KeyValue.key.startswith("passport-feed:"))
        )
        assert left == 0


def two_scos_12(path: Path) -> Path:
    items = "".join(
        f'<item identifier="i{n}" identifierref="r{n}"><title>Lesson {n}</title></item>'
        for n in (1, 2)
    )
    resources = "".join(
        f'<resource identifier="r{n}" type="webcontent" adlcp:scormtype="sco" href="{n}.html">'
        f'<file href="{n}.html"/></resource>'
        for n in (1, 2)
    )
    page = "<!doctype html><title>Lesson</title><p>Lesson</p>"
    files = {"imsmanifest.xml": manifest_12(items, resources), "1.html": page, "2.html": page}
    return write_zip(path, files)


def test_the_last_two_parts_finished_at_the_same_moment_complete_the_attempt_once(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    # Each commit alone leaves the other part unfinished: read side by side, neither would see
    # the attempt complete; one after the other, the second does, once.
    with app.app_context():
        state = learner_on_player(runner, live_server, http, two_scos_12(tmp_path / "two.zip"))
    config, base, package_id = state["config"], live_server.url, state["package_id"]
    scos = {f"part-{s['id']}": s["id"] for s in config["scos"]}

    def send(client: requests.Session, name: str) -> requests.Response:
        return commit(client, base, config, scos[name], PASSED_12, seq=1, session=name)

    answers = at_once(send, list(scos))
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert sorted(a.json()["completed"] for a in answers) == [False, True]
    # The first part's score goes to the gradebook in progress; completion goes once.
    assert grades(app) == [(90.0, "InProgress"), (90.0, "Completed")]
    assert package_verbs(app, package_id) == ["completed", "passed"]


SEQUENCED_SCO = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Part</title>
</head><body><main><h1>Part</h1></main></body></html>"""


def sequenced_course(tmp_path: Path) -> Path:
    items = (
        '<item identifier="a" identifierref="ra"><title>Part A</title></item>'
        '<item identifier="b" identifierref="rb"><title>Part B</title></item>'
    )
    resources = "".join(
        f'<resource identifier="r{n}" type="webcontent" adlcp:scormType="sco" href="{n}.html">'
        f'<file href="{n}.html"/></resource>'
        for n in ("a", "b")
    )
    manifest = manifest_2004(
        items,
        resources,
        org_extra='<imsss:sequencing><imsss:controlMode choice="true" flow="true"/>'
        "</imsss:sequencing>",
    )
    files = {"imsmanifest.xml": manifest, "a.html": SEQUENCED_SCO, "b.html": SEQUENCED_SCO}
    return write_zip(tmp_path / "course.zip", files)


DONE_2004 = {"completion_status": "completed", "success_status": "passed", "score": {"scaled": "1"}}
ROLLUP = {"completed": True, "success": "passed", "score_scaled": 1.0}


def test_a_late_course_rollup_gives_one_result_and_the_same_save_again_none(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    with app.app_context():
        state = learner_on_player(runner, live_server, http, sequenced_course(tmp_path))
    config, base, package_id = state["config"], live_server.url, state["package_id"]
    assert "sequencingUrl" in config
    headers = {"X-Attempt-Token": config["attemptToken"]}
    sequencing_url = base + config["sequencingUrl"]
    # Both parts commit their results; the engine's rollup of the course has not arrived.
    for n, sco in enumerate(config["scos"], start=1):
        r = commit(http, base, config, sco["id"], DONE_2004, seq=n, trigger="terminate")
        assert r.status_code == 200 and r.json()["completed"] is False
    assert grades(app) == [] and package_verbs(app, package_id) == []
    # It arrives late, after every commit: the course result is recorded then, once.
    r = http.post(
        sequencing_url, json={"state": "s1", "revision": 1, "rollup": ROLLUP}, headers=headers
    )
    assert r.status_code == 200 and r.json()["completed"] is True
    assert grades(app) == [(100.0, "Completed")]
    assert package_verbs(app, package_id) == ["completed", "passed"]
    # The same save sent again (its answer was lost) and a newer save with the same rollup
    # (the page's keepalive on leaving): nothing new.
    again = http.post(
        sequencing_url, json={"state": "s1", "revision": 1, "rollup": ROLLUP}, headers=headers
    )
    assert again.status_code == 200
    newer = http.post(
        sequencing_url, json={"state": "s2", "revision": 2, "rollup": ROLLUP}, headers=headers
    )
    assert newer.status_code == 200
    # Two saves at the same moment from two tabs (one of them built on an older state).
    with app.app_context():
        first = db.session.execute(select(t.attempts)).one()
    attempt_id, token = new_attempt_token(app, package_id, first)
    url = sequencing_url.replace(f"/attempts/{first.id}/", f"/attempts/{attempt_id}/")

    def send(client: requests.Session, revision: str) -> requests.Response:
        return client.post(
            url,
            json={"state": f"t{revision}", "revision": int(revision), "rollup": ROLLUP},
            headers={"X-Attempt-Token": token},
            timeout=60,
        )

    answers = at_once(send, ["1", "2"])
    assert sorted(a.status_code for a in answers) in ([200, 200], [200, 409])
    assert grades(app) == [(100.0, "Completed")] * 2
    assert package_verbs(app, package_id) == ["completed"] * 2 + ["passed"] * 2


def test_a_trainers_launch_is_a_preview_without_a_result(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    with app.app_context():
        state = learner_on_player(
            runner, live_server, http, single_sco_12(tmp_path / "p.zip"), user="instructor"
        )
    config, base, page = state["config"], live_server.url, state["page"]
    assert "Preview: you are looking at this course as a trainer" in page.text
    sco = config["scos"][0]["id"]
    r = commit(http, base, config, sco, PASSED_12, seq=1, trigger="terminate")
    assert r.status_code == 200 and r.json()["stored"] is True
    assert r.json()["statements"] == 0
    with app.app_context():
        attempt = db.session.execute(select(t.attempts)).one()
        assert attempt.context.startswith("preview:")
        assert (attempt.completed, attempt.success, attempt.score_scaled) == (False, "", None)
        kept = db.session.execute(select(t.sco_states.c.success_status)).scalar_one()
        assert kept == "passed"  # the trainer's CMI data is kept while they look
    assert grades(app) == []
    assert package_verbs(app, state["package_id"]) == []
    # A learner of the same link is not previewing: their attempt is a real one.
    http.cookies.clear()
    learner_page = launch(http, base, user="learner", link=state["link"]["id"])
    assert "Preview:" not in learner_page.text
    with app.app_context():
        contexts = db.session.scalars(select(t.attempts.c.context).order_by(t.attempts.c.id)).all()
    assert contexts[0].startswith("preview:") and contexts[1] == contexts[0][len("preview:") :]
