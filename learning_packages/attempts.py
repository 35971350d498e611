"""Attempts and the CMI data committed per SCO: start or resume, apply a commit, say what changed.

The run-time library in the browser owns the data model; this module stores what it commits,
rebuilds the starting data for a resume (on any device), enforces the per-edition size limits
(reporting, never truncating) and turns each commit into the events a statement or a grade needs.

The attempt's result (completion, success, score) is decided from what is stored, once, in
``attempt_result.py``.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from .attempt_result import (
    AttemptResult,
    RuntimeEvent,
    lock_attempt,
    sco_rollup,
    settle_attempt,
)
from .structure import EDITION_12, SUSPEND_DATA_LIMIT
from .tables import attempts, packages, sco_states, scos, utcnow, versions

MAX_CMI_JSON_BYTES = 2 * 1024 * 1024


class CommitRefused(ValueError):
    """A commit that cannot be stored at all (malformed); the page keeps it and shows the reason."""


class StaleSequencingState(ValueError):
    """A sequencing state save not built on the stored state (another tab or device saved since):
    refused, so the newer state stays."""

    def __init__(self, stored_revision: int) -> None:
        super().__init__(f"the stored sequencing state is at revision {stored_revision}")
        self.stored_revision = stored_revision


@dataclass
class CommitOutcome:
    applied: bool  # False when an older commit arrived after a newer one
    events: list[RuntimeEvent]
    overflow: list[str]  # elements refused for exceeding the edition's limits
    attempt_completed: bool
    attempt_score_scaled: float | None
    attempt_changed: bool  # the attempt's completion or score changed: a grade to send
    # Events of the whole attempt (the package as object): completed, passed, failed.
    attempt_events: list[RuntimeEvent] = field(default_factory=list)


# ---------------------------------------------------------------- attempts


def latest_version(session: Session, package_id: int) -> Row[Any] | None:
    return session.execute(
        select(versions)
        .join(packages, packages.c.id == versions.c.package_id)
        .where(versions.c.package_id == package_id, versions.c.version == packages.c.latest_version)
    ).first()


def current_attempt(
    session: Session, package_id: int, learner: str, context: str
) -> Row[Any] | None:
    """The learner's newest attempt at any version of the package in this context."""
    return session.execute(
        select(attempts)
        .join(versions, versions.c.id == attempts.c.version_id)
        .where(
            versions.c.package_id == package_id,
            attempts.c.learner == learner,
            attempts.c.context == context,
        )
        .order_by(attempts.c.id.desc())
    ).first()


def start_attempt(session: Session, package_id: int, learner: str, context: str) -> Row[Any]:
    """A new attempt on the package's newest version (numbered after the learner's earlier ones)."""
    version = latest_version(session, package_id)
    if version is None:
        raise LookupError(f"package {package_id} has no version")
    previous = current_attempt(session, package_id, learner, context)
    number = (previous.number + 1) if previous is not None else 1
    attempt_id = session.execute(
        insert(attempts)
        .values(
            version_id=version.id,
            learner=learner,
            context=context,
            number=number,
            registration=str(uuid.uuid4()),
        )
        .returning(attempts.c.id)
    ).scalar_one()
    session.commit()
    return session.execute(select(attempts).where(attempts.c.id == attempt_id)).one()


def resume_or_start(session: Session, package_id: int, learner: str, context: str) -> Row[Any]:
    """Resume the newest attempt, on the version it began with; start one when there is none."""
    found = current_attempt(session, package_id, learner, context)
    return found if found is not None else start_attempt(session, package_id, learner, context)


def states_by_sco(session: Session, attempt_id: int) -> dict[int, Row[Any]]:
    rows = session.execute(select(sco_states).where(sco_states.c.attempt_id == attempt_id))
    return {row.sco_id: row for row in rows}


# ---------------------------------------------------------------- starting data for a launch


def starting_cmi(
    edition: str, sco: Row[Any], state: Row[Any] | None, learner_id: str, learner_name: str
) -> dict[str, Any]:
    """The CMI tree to load before ``Initialize``: saved data plus the values the LMS sets."""
    saved: dict[str, Any] = copy.deepcopy(state.cmi.get("cmi", {})) if state is not None else {}
    mastery = sco.mastery_score
    if edition == EDITION_12:
        core = saved.setdefault("core", {})
        last_exit = core.pop("exit", "")
        core.pop("session_time", None)
        core["entry"] = (
            "resume" if last_exit == "suspend" else ("" if state is not None else "ab-initio")
        )
        core["student_id"] = learner_id
        core["student_name"] = learner_name
        core["credit"] = "credit"
        core["lesson_mode"] = "normal"
        core.setdefault("lesson_status", "not attempted")
        saved["launch_data"] = sco.data_from_lms or ""
        student_data = saved.setdefault("student_data", {})
        student_data["mastery_score"] = "" if mastery is None else _number_text(mastery)
        student_data["max_time_allowed"] = sco.max_time_allowed or ""
        student_data["time_limit_action"] = sco.time_limit_action or ""
        return saved
    last_exit = saved.pop("exit", "")
    saved.pop("session_time", None)
    saved["entry"] = (
        "resume" if last_exit == "suspend" else ("" if state is not None else "ab-initio")
    )
    saved["learner_id"] = learner_id
    saved["learner_name"] = learner_name
    saved["credit"] = "credit"
    saved["mode"] = "normal"
    saved["launch_data"] = sco.data_from_lms or ""
    if sco.scaled_passing_score is not None:
        saved["scaled_passing_score"] = _number_text(sco.scaled_passing_score)
    if sco.completion_threshold is not None:
        saved["completion_threshold"] = _number_text(sco.completion_threshold)
    if sco.max_time_allowed:
        saved["max_time_allowed"] = sco.max_time_allowed
    if sco.time_limit_action:
        saved["time_limit_action"] = sco.time_limit_action
    return saved


def _number_text(value: float) -> str:
    return f"{value:g}"


# ---------------------------------------------------------------- applying a commit


@dataclass
class _Summary:
    completion: str
    success: str
    score_scaled: float | None
    score_raw: float | None
    location: str
    suspend_data: str
    total_time: str
    exit: str
    entry: str
    interactions: dict[str, dict[str, Any]]


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def summarize(edition: str, cmi: dict[str, Any]) -> _Summary:
    """The values learnpass reads from a committed CMI tree, in one shape for both editions."""
    if edition == EDITION_12:
        core = cmi.get("core") or {}
        status = str(core.get("lesson_status") or "")
        score = core.get("score") or {}
        raw = _float(score.get("raw"))
        high = _float(score.get("max")) or 100.0
        low = _float(score.get("min")) or 0.0
        scaled = (
            None if raw is None or high <= low else max(0.0, min(1.0, (raw - low) / (high - low)))
        )
        completion = (
            "completed"
            if status in ("completed", "passed", "failed")
            else ("incomplete" if status == "incomplete" else status)
        )
        success = status if status in ("passed", "failed") else ""
        # SCORM 1.2 names the answer student_response and has no description.
        interactions = _interactions(cmi, response_field="student_response", has_description=False)
        return _Summary(
            completion,
            success,
            scaled,
            raw,
            str(core.get("lesson_location") or ""),
            str(cmi.get("suspend_data") or ""),
            str(core.get("total_time") or ""),
            str(core.get("exit") or ""),
            str(core.get("entry") or ""),
            interactions,
        )
    score = cmi.get("score") or {}
    interactions = _interactions(cmi, response_field="learner_response", has_description=True)
    return _Summary(
        str(cmi.get("completion_status") or ""),
        str(cmi.get("success_status") or ""),
        _float(score.get("scaled")),
        _float(score.get("raw")),
        str(cmi.get("location") or ""),
        str(cmi.get("suspend_data") or ""),
        str(cmi.get("total_time") or ""),
        str(cmi.get("exit") or ""),
        str(cmi.get("entry") or ""),
        interactions,
    )


def _interactions(
    cmi: dict[str, Any], *, response_field: str, has_description: bool
) -> dict[str, dict[str, Any]]:
    """cmi.interactions in one shape for both editions, keyed by interaction id."""
    return {
        str(i.get("id") or key): {
            "id": str(i.get("id") or key),
            "type": i.get("type") or "",
            "response": i.get(response_field) or "",
            "result": i.get("result") or "",
            "patterns": [
                str((p or {}).get("pattern", "")) for p in _indexed(i.get("correct_responses"))
            ],
            "latency": i.get("latency") or "",
            "description": (i.get("description") or "") if has_description else "",
        }
        for key, i in _indexed_items(cmi.get("interactions"))
    }


def _indexed_items(value: Any) -> list[tuple[str, dict[str, Any]]]:
    """scorm-again renders CMI arrays as objects keyed "0", "1"...; accept lists too."""
    if isinstance(value, dict):
        pairs = [(k, v) for k, v in value.items() if k.isdigit() and isinstance(v, dict)]
        return sorted(pairs, key=lambda pair: int(pair[0]))
    if isinstance(value, list):
        return [(str(i), v) for i, v in enumerate(value) if isinstance(v, dict)]
    return []


def _indexed(value: Any) -> list[dict[str, Any]]:
    return [v for _, v in _indexed_items(value)]


def check_limits(edition: str, cmi: dict[str, Any]) -> list[str]:
    """Elements over the edition's limit, described; the commit keeps the earlier value for them."""
    problems = []
    limit = SUSPEND_DATA_LIMIT.get(edition)
    suspend_data = cmi.get("suspend_data")
    if limit is not None and isinstance(suspend_data, str) and len(suspend_data) > limit:
        problems.append(
            f"cmi.suspend_data is {len(suspend_data):,} characters; "
            f"SCORM {edition} allows {limit:,}"
        )
    return problems


def apply_commit(
    session: Session,
    *,
    attempt_id: int,
    sco_id: int,
    edition: str,
    payload: dict[str, Any],
    sequenced: bool = False,
    results: bool = True,
) -> CommitOutcome:
    """Store one commit; ``payload`` = {"cmi": {...}, "session": str, "seq": int, "trigger": str}.

    Flushes without committing, so statements and grades the caller adds join the transaction.
    With ``sequenced`` (a SCORM 2004 package with sequencing) the attempt's completion, success
    and score are left alone: the sequencing engine's rollup sets them (:func:`apply_rollup`).
    Without ``results`` (a trainer's preview) only the CMI data is stored: the attempt gets no
    result, so no grade, statement or passport entry follows.

    The attempt's row is locked first (:func:`lock_attempt`), so a commit reads what the commits
    before it stored, and the attempt's result is settled from the stored SCO states.
    """
    cmi = payload.get("cmi")
    if not isinstance(cmi, dict):
        raise CommitRefused("the commit has no CMI data object")
    page_session = str(payload.get("session") or "")[:64]
    seq = payload.get("seq")
    if not isinstance(seq, int) or seq < 0:
        raise CommitRefused("the commit has no sequence number")
    trigger = str(payload.get("trigger") or "commit")
    attempt = lock_attempt(session, attempt_id)
    state = session.execute(
        select(sco_states).where(
            sco_states.c.attempt_id == attempt_id, sco_states.c.sco_id == sco_id
        )
    ).first()
    if (
        state is not None
        and state.last_commit_session == page_session
        and seq <= state.last_commit_seq
    ):
        # Sent again (its answer was lost) or overtaken by a newer one: applied once only.
        return CommitOutcome(False, [], [], attempt.completed, attempt.score_scaled, False)

    overflow = check_limits(edition, cmi)
    cmi = copy.deepcopy(cmi)
    if overflow:
        # Keep what the SCO stored before: a truncated value would restore the wrong place.
        cmi["suspend_data"] = state.suspend_data if state is not None else ""
    before = summarize(edition, (state.cmi.get("cmi", {}) if state is not None else {}))
    after = summarize(edition, cmi)
    events = _events(before, after, trigger, state is None)
    values = {
        "cmi": {"cmi": cmi},
        "completion_status": after.completion[:32],
        "success_status": after.success[:32],
        "score_scaled": after.score_scaled,
        "score_raw": after.score_raw,
        "location": after.location,
        "suspend_data": after.suspend_data,
        "total_time": after.total_time[:64],
        "last_commit_session": page_session,
        "last_commit_seq": seq,
        "updated_at": utcnow(),
    }
    if state is None:
        session.execute(
            insert(sco_states).values(
                attempt_id=attempt_id, sco_id=sco_id, commit_count=1, **values
            )
        )
    else:
        session.execute(
            update(sco_states)
            .where(sco_states.c.id == state.id)
            .values(commit_count=sco_states.c.commit_count + 1, **values)
        )
    session.execute(
        update(attempts)
        .where(attempts.c.id == attempt_id)
        .values(updated_at=utcnow(), current_sco=_sco_identifier(session, sco_id))
    )
    if sequenced or not results:
        # The sequencing engine's rollup decides a sequenced course (apply_rollup); a preview
        # has no result at all.
        session.flush()
        return CommitOutcome(True, events, overflow, attempt.completed, attempt.score_scaled, False)
    settled = settle_attempt(session, attempt, sco_rollup(session, attempt.version_id, attempt_id))
    return CommitOutcome(
        True,
        events,
        overflow,
        settled.result.completed,
        settled.result.score_scaled,
        settled.changed,
        settled.events,
    )


def apply_rollup(
    session: Session,
    *,
    attempt_id: int,
    state: str,
    revision: int,
    completed: bool,
    success: str,
    score_scaled: float | None,
    results: bool = True,
) -> CommitOutcome:
    """Store the sequencing engine's state and its rollup of the course (the activity tree's
    root): completion, success ("passed", "failed" or "") and the scaled score.

    ``revision`` must be the stored ``sequencing_revision`` + 1: a save builds on the state the
    page loaded or last saved, so one built on an older state (another tab or device saved since)
    raises :class:`StaleSequencingState` and changes nothing. The same save sent twice (its
    answer lost) is taken as stored.

    Like :func:`apply_commit`, flushes without committing and returns the attempt events, so the
    caller records statements, the grade and the passport on the same path as a commit."""
    attempt = lock_attempt(session, attempt_id)
    # The revision check and the write are one conditional UPDATE, so a save can only ever build
    # on the state it was made from, even if the lock above were not held.
    claimed = session.execute(
        update(attempts)
        .where(attempts.c.id == attempt_id, attempts.c.sequencing_revision == revision - 1)
        .values(sequencing_revision=revision, sequencing_state=state)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        stored = session.execute(
            select(attempts.c.sequencing_revision, attempts.c.sequencing_state).where(
                attempts.c.id == attempt_id
            )
        ).one()
        if stored.sequencing_revision == revision and stored.sequencing_state == state:
            # The same save again (its answer was lost on the way): already stored.
            return CommitOutcome(False, [], [], attempt.completed, attempt.score_scaled, False, [])
        raise StaleSequencingState(int(stored.sequencing_revision))
    if score_scaled is not None:
        score_scaled = round(max(-1.0, min(1.0, float(score_scaled))), 6)
    if not results:
        session.flush()
        return CommitOutcome(True, [], [], attempt.completed, attempt.score_scaled, False, [])
    settled = settle_attempt(
        session,
        attempt,
        AttemptResult(completed, success if success in ("passed", "failed") else "", score_scaled),
    )
    return CommitOutcome(
        True,
        [],
        [],
        settled.result.completed,
        settled.result.score_scaled,
        settled.changed,
        settled.events,
    )


def _sco_identifier(session: Session, sco_id: int) -> str:
    return str(session.execute(select(scos.c.identifier).where(scos.c.id == sco_id)).scalar_one())


def _events(
    before: _Summary, after: _Summary, trigger: str, first_commit: bool
) -> list[RuntimeEvent]:
    events: list[RuntimeEvent] = []
    if trigger == "initialize":
        events.append(RuntimeEvent("resumed" if after.entry == "resume" else "initialized"))
    if after.completion == "completed" and before.completion != "completed":
        events.append(RuntimeEvent("completed", {"completion": True}))
    if after.success in ("passed", "failed") and after.success != before.success:
        result: dict[str, Any] = {"success": after.success == "passed"}
        if after.score_scaled is not None:
            result["score"] = _score(after)
        events.append(RuntimeEvent(after.success, result))
    if after.score_scaled is not None and (after.score_scaled, after.score_raw) != (
        before.score_scaled,
        before.score_raw,
    ):
        events.append(RuntimeEvent("scored", {"score": _score(after)}))
    for key, interaction in after.interactions.items():
        old = before.interactions.get(key)
        if interaction["response"] and (old is None or old["response"] != interaction["response"]):
            result = {"response": str(interaction["response"])}
            if interaction["result"] in ("correct", "incorrect", "wrong"):
                result["success"] = interaction["result"] == "correct"
            events.append(RuntimeEvent("responded", result, interaction))
    if trigger == "terminate":
        events.append(RuntimeEvent("suspended" if after.exit == "suspend" else "terminated"))
    return events


_CLOCK = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
_ISO = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def duration_seconds(text: str) -> float:
    """A CMI time span in seconds: 1.2 ``HHHH:MM:SS.SS``, 2004 ISO 8601 ``PT1H5M``; else 0."""
    text = (text or "").strip()
    clock = _CLOCK.match(text)
    if clock:
        return int(clock[1]) * 3600 + int(clock[2]) * 60 + float(clock[3])
    iso = _ISO.match(text)
    if iso and text != "P":
        years, months, days, hours, minutes, seconds = (
            float(v) if v else 0.0 for v in iso.groups()
        )
        return ((years * 365 + months * 30 + days) * 24 + hours) * 3600 + minutes * 60 + seconds
    return 0.0


def attempt_seconds(session: Session, attempt_id: int) -> float:
    """Time spent in the attempt: the sum of its SCOs' total times."""
    return sum(
        duration_seconds(state.total_time) for state in states_by_sco(session, attempt_id).values()
    )


def _score(summary: _Summary) -> dict[str, float]:
    score: dict[str, float] = {}
    if summary.score_scaled is not None:
        score["scaled"] = round(max(-1.0, min(1.0, summary.score_scaled)), 4)
    if summary.score_raw is not None:
        score["raw"] = summary.score_raw
    return score
