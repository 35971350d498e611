"""A trainer un-ticks a step after the learner completed the path: the completion stays (its grade
and passport entry were sent), both pages say so, and ticking the step again sends nothing twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from lti_tool.blended.path_models import BlendedPath, BlendedPathStart, BlendedStepMark
from lti_tool.extensions import db
from lti_tool.models import GradeOutbox
from lti_tool.passports.models import PassportEntry
from tests.blended.test_paths import _user_id, trainer_with_path
from tests.passports.conftest import csrf_token, launch_context
from xapi.tables import statements as statement_table


def _outcomes(app: Any, path_id: int, learner_id: int) -> tuple[Any, int, int, int]:
    with app.app_context():
        completed_at = db.session.scalar(
            select(BlendedPathStart.completed_at).where(
                BlendedPathStart.path_id == path_id, BlendedPathStart.user_id == learner_id
            )
        )
        grades = db.session.scalar(
            select(func.count())
            .select_from(GradeOutbox)
            .where(
                GradeOutbox.user_id == learner_id, GradeOutbox.comment == "Learning path completed"
            )
        )
        entries = db.session.scalar(
            select(func.count())
            .select_from(PassportEntry)
            .where(PassportEntry.user_id == learner_id, PassportEntry.source == "blended_path")
        )
        statements = db.session.scalar(
            select(func.count())
            .select_from(statement_table)
            .where(
                statement_table.c.verb_id == "http://adlnet.gov/expapi/verbs/completed",
                statement_table.c.object_id.like(f"%/blended/paths/{path_id}"),
            )
        )
        return completed_at, int(grades or 0), int(entries or 0), int(statements or 0)


def test_unticking_after_completion_keeps_the_completion_and_says_so(app: Any) -> None:
    trainer, path_id = trainer_with_path(app)
    with app.app_context():
        document, assignment = db.session.get(BlendedPath, path_id).steps
    learner = app.test_client()
    ctx = launch_context(app, "learner", target=f"path:{path_id}")
    with learner.session_transaction() as sess:
        sess["launch"] = ctx.to_dict()
    assert learner.get(f"/blended/my/paths/{path_id}").status_code == 200
    assert learner.get(f"/blended/my/steps/{document.id}/open").status_code == 303
    learner_id = _user_id(app, "demo-learner-1")
    url = f"/blended/paths/{path_id}/learners/{learner_id}"

    def mark(done: str, note: str = "") -> str:
        token = csrf_token(trainer, url)
        r = trainer.post(
            f"{url}/steps/{assignment.id}/mark",
            data={"csrf_token": token, "done": done, "note": note},
            follow_redirects=True,
        )
        assert r.status_code == 200
        return r.get_data(as_text=True)

    page = mark("1", "Checklist signed")
    assert "stays completed" not in page
    completed_at, *sent = _outcomes(app, path_id, learner_id)
    assert completed_at is not None and sent == [1, 1, 1]

    # Un-ticked: the tick is undone, the completion and what it sent are not.
    page = mark("0", "The checklist misses a signature")
    assert "The path stays completed" in page and 'data-testid="learner-reopened"' in page
    assert "Mark as done" in page
    assert _outcomes(app, path_id, learner_id) == (completed_at, 1, 1, 1)
    with app.app_context():
        tick = db.session.scalars(
            select(BlendedStepMark).where(
                BlendedStepMark.step_id == assignment.id, BlendedStepMark.user_id == learner_id
            )
        ).one()
        assert tick.done is False and tick.note == "The checklist misses a signature"
    mine = learner.get(f"/blended/my/paths/{path_id}").get_data(as_text=True)
    assert 'data-testid="path-completed"' in mine and 'data-testid="path-reopened"' in mine
    assert "The checklist misses a signature" in mine
    progress = trainer.get(f"/blended/paths/{path_id}/progress").get_data(as_text=True)
    assert "1 learners shown: 1 completed, 0 at risk." in progress

    # Ticked again: the notice goes, and nothing is sent a second time.
    page = mark("1", "Signature added")
    assert 'data-testid="learner-reopened"' not in page
    assert _outcomes(app, path_id, learner_id) == (completed_at, 1, 1, 1)
    mine = learner.get(f"/blended/my/paths/{path_id}").get_data(as_text=True)
    assert 'data-testid="path-reopened"' not in mine
