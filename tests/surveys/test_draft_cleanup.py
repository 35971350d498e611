"""The jobs runner deletes forgotten drafts (saved, never submitted) started more than
LEARNPASS_SURVEY_DRAFT_DAYS ago, and nothing else: not a recent draft, not a submitted response
however old; two runs side by side delete each draft once."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from lti_tool.extensions import db
from lti_tool.jobs import registered_jobs
from lti_tool.settings import Settings, SettingsError
from lti_tool.surveys import draft_cleanup
from lti_tool.surveys.models import SurveyResponse, SurveyResponseAttribute

from .rounds_data import seed_rounds

TODAY = dt.date.today()


def _draft(survey_id: int, version_id: int, age_days: int, key: str) -> int:
    r = SurveyResponse(
        survey_id=survey_id,
        version_id=version_id,
        kind="learner",
        status="draft",
        started_on=TODAY - dt.timedelta(days=age_days),
        draft={"c1": {"current": 1}},
        resume_hash=key * 64,
    )
    db.session.add(r)
    db.session.flush()
    db.session.add(SurveyResponseAttribute(response_id=r.id, name="department", value="office"))
    return r.id


def _statuses() -> dict[str, int]:
    rows = db.session.execute(
        select(SurveyResponse.status, func.count()).group_by(SurveyResponse.status)
    ).all()
    return {status: int(n) for status, n in rows}


def test_only_old_drafts_go(app: Any) -> None:
    with app.app_context():
        seeded = seed_rounds()  # twelve submitted responses, from 2026-03-02 (old enough)
        old = [_draft(seeded.survey_id, seeded.v1, age, k) for age, k in ((91, "a"), (400, "b"))]
        young = [_draft(seeded.survey_id, seeded.v1, age, k) for age, k in ((90, "c"), (3, "d"))]
        db.session.commit()
        submitted = db.session.scalars(
            select(SurveyResponse.id).where(SurveyResponse.status == "submitted")
        ).all()
        assert draft_cleanup.delete_old_drafts(db.session(), 90, TODAY) == 2
        assert _statuses() == {"submitted": len(submitted), "draft": 2}
        left = set(db.session.scalars(select(SurveyResponse.id)))
        assert left == set(submitted) | set(young) and not left & set(old)
        attrs = set(db.session.scalars(select(SurveyResponseAttribute.response_id)))
        assert not attrs & set(old)  # its attributes went with the draft
        assert attrs >= set(young)
        assert draft_cleanup.delete_old_drafts(db.session(), 90, TODAY) == 0


def test_submitted_responses_are_never_deleted_however_old(app: Any) -> None:
    with app.app_context():
        seed_rounds()
        before = _statuses()
        far = TODAY + dt.timedelta(days=10_000)  # every response is very old by then
        assert draft_cleanup.delete_old_drafts(db.session(), 1, far) == 0
        assert _statuses() == before


def test_side_by_side_runs_delete_each_draft_once(app: Any) -> None:
    with app.app_context():
        seeded = seed_rounds()
        keys = "abcdefghij"
        for k in keys:
            _draft(seeded.survey_id, seeded.v1, 200, k)
        db.session.commit()
        first = db.session()
        other = Session(db.engine)  # a second instance: its own connection
        try:
            gone_first = draft_cleanup.delete_old_drafts(first, 90, TODAY, limit=4)
            gone_other = draft_cleanup.delete_old_drafts(other, 90, TODAY, limit=100)
            gone_again = draft_cleanup.delete_old_drafts(first, 90, TODAY, limit=100)
        finally:
            other.close()
        assert (gone_first, gone_other, gone_again) == (4, 6, 0)
        assert _statuses().get("draft", 0) == 0


def test_a_draft_submitted_while_the_job_runs_stays(app: Any) -> None:
    """Between choosing the old drafts and deleting them, another instance (or the respondent)
    acts: the DELETE checks again, so a draft submitted meanwhile is kept, and one deleted by
    the other instance is not counted twice."""
    with app.app_context():
        seeded = seed_rounds()
        submitted, taken, plain = (_draft(seeded.survey_id, seeded.v1, 200, k) for k in "stp")
        db.session.commit()
        cutoff = TODAY - dt.timedelta(days=90)
        chosen = draft_cleanup.old_draft_ids(db.session(), cutoff)
        assert chosen == [submitted, taken, plain]
        other = Session(db.engine)
        try:
            other.execute(
                update(SurveyResponse)
                .where(SurveyResponse.id == submitted)
                .values(status="submitted", submitted_on=TODAY, draft={}, resume_hash=None)
            )
            other.commit()
            assert draft_cleanup.delete_drafts(other, [taken], cutoff) == 1
        finally:
            other.close()
        assert draft_cleanup.delete_drafts(db.session(), chosen, cutoff) == 1  # plain only
        left = set(db.session.scalars(select(SurveyResponse.id)))
        assert submitted in left and not {taken, plain} & left


def test_the_job_is_registered_and_reads_the_setting(app: Any) -> None:
    assert "survey-drafts" in {j.name for j in registered_jobs()}
    env = {"LEARNPASS_DEMO": "1"}
    assert Settings.from_env(env).survey_draft_days == 90
    days = Settings.from_env({**env, "LEARNPASS_SURVEY_DRAFT_DAYS": "30"}).survey_draft_days
    assert days == 30
    with pytest.raises(SettingsError, match="SURVEY_DRAFT_DAYS"):
        Settings.from_env({**env, "LEARNPASS_SURVEY_DRAFT_DAYS": "0"})
    with app.app_context():
        seeded = seed_rounds()
        young = _draft(seeded.survey_id, seeded.v1, 40, "y")
        _draft(seeded.survey_id, seeded.v1, 120, "z")
        db.session.commit()
        app.config["LEARNPASS"] = dataclasses.replace(app.config["LEARNPASS"], survey_draft_days=30)
        assert draft_cleanup.delete_due_drafts() == 2
        assert young not in set(db.session.scalars(select(SurveyResponse.id)))
