"""The completion grade of a submitted survey: 1 out of 1, "Completed" and "FullyGraded", queued in
the grade outbox in the submission's transaction (the grade worker delivers it; never sent from
here), so a rolled-back submission owes no grade and a delivered one is never lost.

Only an identified learner's response launched from a course link whose launch offered
Assignment and Grade Services gets one. An anonymous response gets none: a grade carries the
second it was given (in the outbox and in the platform's gradebook), and answer rows are written
in the order of submission, so the two sorted side by side would tell whose answers are whose;
the participation row keeps no time for the same reason (docs/surveys.md, "Completion grade").
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..lti.ags import SCOPE_SCORE
from ..lti.grades import queue_score
from ..models import Course, GradeOutbox, ResourceLink
from .models import SurveyResponse

COMMENT = "Survey submitted"


def gradebook_offered(link: ResourceLink, course: Course | None) -> bool:
    """The link's launch came with AGS: a line item of its own, or the course's line items and
    the right to post scores."""
    if course is None:
        return False
    if not (link.lineitem_url or course.ags_lineitems_url):
        return False
    scopes = list(course.ags_scopes or [])
    return not scopes or SCOPE_SCORE in scopes


def queue_completion_grade(session: Session, response: SurveyResponse) -> GradeOutbox | None:
    """Queue the grade a just-submitted response owes (not committed); None when it owes none."""
    if response.anonymous or response.kind != "learner":
        return None
    if response.respondent_id is None or response.resource_link_id is None:
        return None
    link = session.get(ResourceLink, response.resource_link_id)
    if link is None or not gradebook_offered(link, session.get(Course, link.course_id)):
        return None
    return queue_score(
        session,
        resource_link_id=link.id,
        user_id=response.respondent_id,
        score_given=1.0,
        score_maximum=1.0,
        completed=True,
        comment=COMMENT,
    )
