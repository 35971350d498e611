"""The grade-passback service features use: queue a score now, the worker delivers it.

``queue_score`` writes to the outbox in the caller's transaction (no commit), so a score is never
lost when the platform is down, and never sent for an action that was rolled back.
``deliver_due`` is safe to run in several processes at once (``SKIP LOCKED`` on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import logging

from pylti1p3.exception import LtiException
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Course, GradeOutbox, ResourceLink, User, utcnow
from ..outgoing import RequestException
from .ags import GradeService, ServiceUnavailable

log = logging.getLogger(__name__)
MAX_BACKOFF = dt.timedelta(hours=1)


def queue_score(
    session: Session,
    *,
    resource_link_id: int,
    user_id: int,
    score_given: float | None,
    score_maximum: float = 100.0,
    completed: bool = True,
    comment: str | None = None,
) -> GradeOutbox:
    row = GradeOutbox(
        resource_link_id=resource_link_id,
        user_id=user_id,
        score_given=score_given,
        score_maximum=score_maximum,
        activity_progress="Completed" if completed else "InProgress",
        grading_progress="FullyGraded" if score_given is not None else "NotReady",
        comment=comment,
        timestamp=utcnow(),
    )
    session.add(row)
    return row


LEASE = dt.timedelta(minutes=5)


def _claim_due(session: Session, limit: int) -> list[int]:
    """Take a lease on due rows and commit it, so other workers skip them while we send.

    The lease (a later ``next_attempt_at``) outlives the row lock: sending makes HTTP calls and
    token-cache writes that commit, and a crashed worker's rows simply become due again.
    """
    query = (
        select(GradeOutbox)
        .where(GradeOutbox.sent_at.is_(None), GradeOutbox.next_attempt_at <= utcnow())
        .order_by(GradeOutbox.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.scalars(query))
    for row in rows:
        row.next_attempt_at = utcnow() + LEASE
    session.commit()
    return [row.id for row in rows]


def deliver_due(session: Session, limit: int = 50) -> tuple[int, int]:
    """Send due scores; returns (sent, failed). Failures are retried later with backoff."""
    sent = failed = 0
    for row_id in _claim_due(session, limit):
        row = session.get(GradeOutbox, row_id)
        if row is None or row.sent_at is not None:
            continue
        link = session.get(ResourceLink, row.resource_link_id)
        user = session.get(User, row.user_id)
        course = session.get(Course, link.course_id) if link else None
        try:
            if link is None or user is None or course is None:
                raise ServiceUnavailable("the link, user or course is gone")
            service = GradeService(session, course)
            lineitem = link.lineitem_url
            if not lineitem:
                item = service.find_or_create_line_item(
                    label=link.title or "learnpass",
                    score_maximum=row.score_maximum,
                    resource_id=f"learnpass-link-{link.id}",
                    resource_link_id=link.link_id,
                )
                lineitem = link.lineitem_url = item["id"]
            service.post_score(
                lineitem,
                user_sub=user.sub,
                score_given=row.score_given,
                score_maximum=row.score_maximum,
                activity_progress=row.activity_progress,
                grading_progress=row.grading_progress,
                comment=row.comment,
                timestamp=row.timestamp,
            )
            row.sent_at = utcnow()
            row.last_error = None
            sent += 1
        except ServiceUnavailable as exc:
            # Nothing to retry: the platform never offered a gradebook here.
            row.sent_at = utcnow()
            row.last_error = f"not sent: {exc}"
            failed += 1
        except (LtiException, RequestException, KeyError, ValueError) as exc:
            row.attempts += 1
            row.last_error = str(exc)[:2000]
            row.next_attempt_at = utcnow() + min(
                dt.timedelta(seconds=30 * 2 ** min(row.attempts, 10)), MAX_BACKOFF
            )
            failed += 1
            log.warning("grade %s not delivered (attempt %s): %s", row.id, row.attempts, exc)
        session.commit()
    return sent, failed
