"""A trainer's launch of a cmi5 or AICC course is a preview, over real HTTP: the trainer plays
the AU to passed, the page says it is a preview, and no grade is queued and no passport entry
is written; a learner of the same course link then plays it and gets their grade and entry.
Runs on SQLite and, with LEARNPASS_TEST_POSTGRES, on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import html
from sqlalchemy import select

from learning_packages import cmi5_runtime as rt
from learning_packages import tables as t
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox
from lti_tool.passports.models import PassportEntry
from tests.lti.flows import launch

from .aicc_course import aicc_zip
from .test_aicc_play import AicLearner, put
from .test_cmi5_play import COMPLETED, SINGLE, TERMINATED, Learner, passed, stored_verbs

PREVIEW = "Preview: you are looking at this course as a trainer"


def relaunch(player: Any, user: str) -> None:
    """The same course link's player page for another person of the course."""
    player.http.cookies.clear()
    player.page = launch(player.http, player.base, user=user, link=player.link["id"])
    assert player.page.status_code == 200, player.page.text[:500]
    player.doc = html.fromstring(player.page.text)


def grades_and_entries(app: Any) -> tuple[list[Any], list[Any]]:
    with app.app_context():
        return (
            list(db.session.scalars(select(GradeOutbox).order_by(GradeOutbox.id))),
            list(db.session.scalars(select(PassportEntry))),
        )


def attempt_of(app: Any, preview: bool) -> Any:
    with app.app_context():
        rows = db.session.execute(select(t.attempts).order_by(t.attempts.c.id)).all()
    return next(a for a in rows if a.context.startswith("preview:") == preview)


@pytest.mark.skipif(not SINGLE.is_file(), reason="shared/scorm-samples is not beside the checkout")
def test_a_trainers_cmi5_launch_is_a_preview(
    app: Any, runner: Any, live_server: Any, http: Any
) -> None:
    player = Learner(app, runner, live_server, http, SINGLE)
    assert PREVIEW not in player.page.text
    relaunch(player, "instructor")
    assert PREVIEW in player.page.text
    au = player.open_au()
    au.start()
    for statement in (
        au.statement(rt.INITIALIZED),
        au.statement(rt.COMPLETED, COMPLETED),
        au.statement(rt.PASSED, passed(0.8)),
        au.statement(rt.TERMINATED, TERMINATED),
    ):
        r = au.send(statement)
        assert r.status_code == 200, r.text  # the AU still has its LRS to talk to
    preview = attempt_of(app, preview=True)
    assert au.params["registration"] == preview.registration
    # The AU's statements are kept under the preview registration, but give no result.
    assert "passed" in stored_verbs(app, preview.registration)
    assert (preview.completed, preview.score_scaled) == (False, None)
    assert grades_and_entries(app) == ([], [])
    assert PREVIEW in player.http.get(player.page.url).text

    # A learner of the same link is not previewing: they get their grade and passport entry.
    relaunch(player, "learner")
    assert PREVIEW not in player.page.text
    au = player.open_au()
    au.start()
    assert au.params["registration"] != preview.registration
    for statement in (
        au.statement(rt.INITIALIZED),
        au.statement(rt.PASSED, passed(0.8)),
        au.statement(rt.TERMINATED, TERMINATED),
    ):
        assert au.send(statement).status_code == 200
    grades, entries = grades_and_entries(app)
    assert grades and grades[-1].score_given == 80.0
    (entry,) = entries
    assert entry.result.startswith("passed")
    assert attempt_of(app, preview=False).completed


def test_a_trainers_aicc_launch_is_a_preview(
    app: Any, runner: Any, live_server: Any, http: Any, tmp_path: Path
) -> None:
    player = AicLearner(app, runner, live_server, http, aicc_zip(tmp_path / "geo.zip"))
    relaunch(player, "instructor")
    assert PREVIEW in player.page.text
    au = player.open_au()
    assert au.post("GetParam")["error"] == "0"
    assert au.post("PutParam", put("end", "passed", "80"))["error"] == "0"
    assert au.post("ExitAU")["error"] == "0"
    preview = attempt_of(app, preview=True)
    assert (preview.completed, preview.success, preview.score_scaled) == (False, "", None)
    with app.app_context():
        kept = db.session.execute(
            select(t.sco_states.c.success_status).where(t.sco_states.c.attempt_id == preview.id)
        ).scalar_one()
    assert kept == "passed"  # the trainer's data is kept while they look
    assert stored_verbs(app, preview.registration) == []  # no statement for the trainer
    assert grades_and_entries(app) == ([], [])

    relaunch(player, "learner")
    assert PREVIEW not in player.page.text
    au = player.open_au()
    assert au.post("GetParam")["error"] == "0"
    assert au.post("PutParam", put("end", "passed", "80"))["error"] == "0"
    assert au.post("ExitAU")["error"] == "0"
    (grade,), entries = grades_and_entries(app)
    assert grade.score_given == 80.0 and grade.activity_progress == "Completed"
    assert len(entries) == 1
    learner_attempt = attempt_of(app, preview=False)
    assert learner_attempt.success == "passed" and learner_attempt.score_scaled == 0.8
