"""An attempt's one result: completion, success and score, decided on the server from what is
stored, once.

Every commit and sequencing save locks the attempt's row first (:func:`lock_attempt`) and keeps
it until the caller commits the statements, grade and passport note the result calls for; then
:func:`settle_attempt` records the result derived from the stored state (the SCO states, or the
sequencing engine's rollup of the course) and gives events only for what changed since the
result recorded before. So two commits or saves arriving at once are applied one after the
other, the same state never gives a second result (a second grade, a second ``passed``), and a
rollup that arrives after every commit still gives its result, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from .tables import attempts, sco_states, scos, utcnow, versions


@dataclass
class RuntimeEvent:
    """Something a commit showed happening, in the ADL xAPI SCORM profile's terms."""

    # initialized, resumed, suspended, terminated, completed, passed, failed, scored, responded
    verb: str
    result: dict[str, Any] = field(default_factory=dict)
    interaction: dict[str, Any] | None = (
        None  # for "responded": id, type, correct patterns, response
    )


@dataclass(frozen=True)
class AttemptResult:
    completed: bool
    success: str  # "", "passed" or "failed"
    score_scaled: float | None


@dataclass
class Settled:
    result: AttemptResult  # what the attempt now records
    changed: bool  # completion or score changed: a grade to send
    events: list[RuntimeEvent]  # completed, passed, failed: each once per change


def lock_attempt(session: Session, attempt_id: int) -> Row[Any]:
    """The attempt's row, locked until the caller's transaction ends, read after the lock.

    PostgreSQL: ``SELECT ... FOR UPDATE``; a second writer waits, then reads what the first
    committed. SQLite has no row locks but serialises writers: a write first takes the database's
    write lock (waiting out the other writer's transaction), so every read after it is fresh."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(attempts)
            .where(attempts.c.id == attempt_id)
            .values(updated_at=attempts.c.updated_at)
        )
    return session.execute(
        select(attempts).where(attempts.c.id == attempt_id).with_for_update()
    ).one()


def settle_attempt(session: Session, attempt: Row[Any], derived: AttemptResult) -> Settled:
    """Record the result ``derived`` from the stored state on the locked ``attempt`` and say what
    it changed, once: the events (and the grade) come from the difference with what the attempt
    recorded before, so the same state settled twice gives nothing the second time.

    Completion is never taken back (retries start new attempts); a verdict or score a later
    state no longer gives keeps the one recorded."""
    result = AttemptResult(
        completed=derived.completed or bool(attempt.completed),
        success=derived.success or attempt.success or "",
        score_scaled=(
            derived.score_scaled if derived.score_scaled is not None else attempt.score_scaled
        ),
    )
    events = _attempt_events(attempt, result.completed, result.score_scaled, result.success)
    changed = result.completed != attempt.completed or result.score_scaled != attempt.score_scaled
    if changed or result.success != attempt.success:
        session.execute(
            update(attempts)
            .where(attempts.c.id == attempt.id)
            .values(
                completed=result.completed,
                success=result.success,
                score_scaled=result.score_scaled,
                updated_at=utcnow(),
            )
        )
    session.flush()
    return Settled(result, changed, events)


def _attempt_events(
    attempt: Any, completed: bool, score: float | None, success: str
) -> list[RuntimeEvent]:
    """The package-level events (completed, passed/failed) a new attempt result gives, whether it
    came from the SCOs' commits or from the sequencing engine's rollup."""
    result: dict[str, Any] = {}
    if score is not None:
        result["score"] = {"scaled": round(max(-1.0, min(1.0, score)), 4)}
    events = []
    if completed and not attempt.completed:
        events.append(RuntimeEvent("completed", {**result, "completion": True}))
    if success and success != attempt.success:
        events.append(RuntimeEvent(success, {**result, "success": success == "passed"}))
    return events


def sco_rollup(session: Session, version_id: int, attempt_id: int) -> AttemptResult:
    """The attempt is complete when every SCO of the default organization is; its score is the
    mean of the SCOs that report one (a one-SCO package: that SCO's score); it is failed when a
    SCO failed, passed when it is complete and every SCO that reports success passed."""
    version = session.execute(
        select(versions.c.default_organization).where(versions.c.id == version_id)
    ).one()
    sco_rows = list(
        session.execute(
            select(scos.c.id).where(
                scos.c.version_id == version_id,
                scos.c.organization == version.default_organization,
                scos.c.scorm_type.in_(("sco", "au")),
            )
        ).scalars()
    )
    states = {
        row.sco_id: row
        for row in session.execute(select(sco_states).where(sco_states.c.attempt_id == attempt_id))
    }
    done = bool(sco_rows) and all(
        (s := states.get(sco_id)) is not None
        and (s.completion_status == "completed" or s.success_status == "passed")
        for sco_id in sco_rows
    )
    scores = [s.score_scaled for s in states.values() if s.score_scaled is not None]
    verdicts = [
        s.success_status for s in states.values() if s.success_status in ("passed", "failed")
    ]
    success = "failed" if "failed" in verdicts else ("passed" if verdicts and done else "")
    return AttemptResult(done, success, round(sum(scores) / len(scores), 6) if scores else None)
