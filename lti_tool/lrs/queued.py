"""The job that stores queued statements (a launch's ``launched``) in the LRS: ``learnpass jobs
run`` (started by ``learnpass serve``) runs it every second; see xapi/queue.py."""

from __future__ import annotations

from xapi.queue import store_queued

from ..extensions import db
from ..jobs import register_job


def store_queued_statements() -> int:
    """Store what is queued, a batch per transaction; returns how many statements."""
    total = 0
    while stored := store_queued(db.session()):
        db.session.commit()
        total += stored
    return total


register_job("xapi-queued", store_queued_statements, every_seconds=1.0)
