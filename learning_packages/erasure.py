"""Taking a learner out of the SCORM and cmi5 tables: their attempts and everything under them.

An attempt, its SCO states (the CMI data, which names the learner), its cmi5 sessions (which
hold the learner's actor), its AICC sessions and the blocks the LMS declared satisfied serve
only that learner, so they are deleted, not kept under a pseudonym; what the course's statistics
need stays in the LRS, where the erasure replaces the learner's account by a pseudonym.

Nothing here commits: the caller (an erasure) owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from .tables import aicc_sessions, attempts, cmi5_satisfied, cmi5_sessions, sco_states


@dataclass
class ErasedLearner:
    attempts: int
    cmi5_sessions: int
    # The LRS clients the cmi5 sessions were given: the caller revokes them in the LRS.
    client_keys: list[str] = field(default_factory=list)

    def as_counts(self) -> dict[str, int]:
        return {"scorm_attempts": self.attempts, "cmi5_sessions": self.cmi5_sessions}


def erase_learner(session: Session, learner: str) -> ErasedLearner:
    """Delete the attempts of ``learner`` (the caller's opaque key) and their rows, children first
    so it does not depend on the database enforcing ``ON DELETE CASCADE``."""
    ids = list(session.scalars(select(attempts.c.id).where(attempts.c.learner == learner)))
    mine = or_(cmi5_sessions.c.learner == learner, cmi5_sessions.c.attempt_id.in_(ids))
    client_keys = [
        key
        for key in session.scalars(select(cmi5_sessions.c.client_key).where(mine))
        if key is not None
    ]
    sessions = session.execute(delete(cmi5_sessions).where(mine))
    session.execute(
        delete(aicc_sessions).where(
            or_(aicc_sessions.c.learner == learner, aicc_sessions.c.attempt_id.in_(ids))
        )
    )
    if ids:
        session.execute(delete(cmi5_satisfied).where(cmi5_satisfied.c.attempt_id.in_(ids)))
        session.execute(delete(sco_states).where(sco_states.c.attempt_id.in_(ids)))
        session.execute(delete(attempts).where(attempts.c.id.in_(ids)))
    return ErasedLearner(
        attempts=len(ids),
        cmi5_sessions=int(getattr(sessions, "rowcount", 0) or 0),
        client_keys=client_keys,
    )
