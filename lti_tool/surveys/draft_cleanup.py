"""The jobs runner's clean-up of forgotten drafts: a response saved but never submitted, started
more than ``LEARNPASS_SURVEY_DRAFT_DAYS`` days ago (default 90), is deleted with its attributes
(by the foreign key's cascade).

Only drafts: a submitted response is never touched, and no running total counts a draft (totals
move at submission), so no figure changes. A draft keeps only the day it was started (a day, as
every date of a response), so its age is counted from that day.

Safe side by side: each turn deletes at most ``PER_TURN`` drafts in one DELETE whose own WHERE
says "a draft, started before the cut-off", so two instances deleting at once remove each draft
once (the second finds it gone), and a draft submitted while the job runs is no longer a draft
when the DELETE reaches its row (PostgreSQL checks the WHERE again on the row it locks).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..jobs import register_job
from .models import SurveyResponse

log = logging.getLogger(__name__)

PER_TURN = 1000  # drafts one instance deletes per turn; the rest wait for the next turn


def _old(cutoff: dt.date) -> tuple[Any, ...]:
    return (SurveyResponse.status == "draft", SurveyResponse.started_on < cutoff)


def old_draft_ids(session: Session, cutoff: dt.date, limit: int = PER_TURN) -> list[int]:
    """At most ``limit`` drafts started before ``cutoff``, oldest rows first."""
    query = select(SurveyResponse.id).where(*_old(cutoff)).order_by(SurveyResponse.id)
    return list(session.scalars(query.limit(limit)))


def delete_drafts(session: Session, ids: list[int], cutoff: dt.date) -> int:
    """Delete those of ``ids`` that are still drafts started before ``cutoff`` (a draft submitted
    since it was chosen, or deleted by another instance, is skipped); how many went. Commits."""
    if not ids:
        return 0
    # Its attributes go with it (ON DELETE CASCADE; SQLite runs with foreign keys on).
    result = session.execute(
        delete(SurveyResponse)
        .where(SurveyResponse.id.in_(ids), *_old(cutoff))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    gone = int(getattr(result, "rowcount", 0) or 0)
    if gone:
        log.info("deleted %s survey drafts started before %s", gone, cutoff.isoformat())
    return gone


def delete_old_drafts(session: Session, days: int, today: dt.date, limit: int = PER_TURN) -> int:
    """Delete at most ``limit`` drafts started more than ``days`` days before ``today``; how
    many went. Commits."""
    cutoff = today - dt.timedelta(days=days)
    return delete_drafts(session, old_draft_ids(session, cutoff, limit), cutoff)


def delete_due_drafts() -> int:
    """The job: this turn's share of the old drafts."""
    days = int(current_app.config["LEARNPASS"].survey_draft_days)
    return delete_old_drafts(db.session(), days, dt.date.today())


register_job("survey-drafts", delete_due_drafts, every_seconds=3600)
