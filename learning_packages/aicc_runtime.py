"""AICC HACP at run time: the sessions an AU is launched with, the ``aicc_data`` it reads and
writes, and how a PutParam becomes a commit of the attempt.

An AU is launched with an opaque session id (``aicc_sid``) and posts it back with each command.
The session row keeps only the id's SHA-256, is bound to one attempt and AU, and ends at ExitAU,
at the AU's next launch in the attempt, or when it expires.

What the AU stores is kept as SCORM 1.2 CMI data in the attempt's SCO state (an AICC AU is a SCO
of a one-level course), so :func:`learning_packages.attempts.apply_commit` decides completion,
score and events exactly as for SCORM, and a resume reads the same rows.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from . import attempts as runtime
from .structure import EDITION_12
from .tables import aicc_sessions, utcnow

SESSION_AGE = dt.timedelta(hours=12)
MAX_AICC_DATA_CHARS = 64 * 1024

# HACP error codes (CMI001, HACP): 0 successful, 1 invalid command, 3 invalid session id.
OK, INVALID_COMMAND, INVALID_SESSION = 0, 1, 3

STATUSES = {
    "p": "passed",
    "c": "completed",
    "f": "failed",
    "i": "incomplete",
    "b": "browsed",
    "n": "not attempted",
}
EXITS = {"s": "suspend", "l": "logout", "t": "time-out"}
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_TIME = re.compile(r"^(\d{1,4}):([0-5]?\d):([0-5]?\d(?:\.\d{1,2})?)$")


class HacpError(ValueError):
    """A command the LMS refuses, with its HACP error code and a reason the AU's author can read."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


# ---------------------------------------------------------------- sessions


def sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def start_session(session: Session, *, attempt: Row[Any], sco: Row[Any]) -> str:
    """A new session for ``sco`` in ``attempt``; returns the session id for the launch URL.

    An open session of the same AU in the attempt ends (relaunched): only the newest launch may
    write. Sessions of the AU that had ended or expired before are deleted, so the table keeps
    at most two rows per attempt and AU. Flushes without committing."""
    now = utcnow()
    session.execute(
        delete(aicc_sessions).where(
            aicc_sessions.c.attempt_id == attempt.id,
            aicc_sessions.c.sco_id == sco.id,
            or_(aicc_sessions.c.ended_at.is_not(None), aicc_sessions.c.expires_at <= now),
        )
    )
    session.execute(
        update(aicc_sessions)
        .where(
            aicc_sessions.c.attempt_id == attempt.id,
            aicc_sessions.c.sco_id == sco.id,
            aicc_sessions.c.ended_at.is_(None),
        )
        .values(ended_at=now, end_reason="relaunched")
    )
    state = runtime.states_by_sco(session, attempt.id).get(sco.id)
    sid = secrets.token_hex(24)  # letters and digits only: HACP ids are plain identifiers
    session.execute(
        insert(aicc_sessions).values(
            sid_hash=sid_hash(sid),
            attempt_id=attempt.id,
            sco_id=sco.id,
            learner=attempt.learner,
            entry="ab-initio" if state is None else "resume",
            base_seconds=runtime.duration_seconds(state.total_time) if state is not None else 0.0,
            put_count=0,
            launched_at=now,
            expires_at=now + SESSION_AGE,
        )
    )
    session.flush()
    return sid


def open_session(session: Session, sid: str, *, lock: bool = False) -> Row[Any]:
    """The open, unexpired session ``sid`` names; :class:`HacpError` (3) otherwise."""
    if not sid or len(sid) > 255:
        raise HacpError(INVALID_SESSION, "Invalid Session ID: session_id is missing")
    query = select(aicc_sessions).where(aicc_sessions.c.sid_hash == sid_hash(sid))
    row = session.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise HacpError(INVALID_SESSION, "Invalid Session ID: no such session")
    if row.ended_at is not None:
        raise HacpError(INVALID_SESSION, "Invalid Session ID: this session has ended")
    if row.expires_at <= utcnow():
        raise HacpError(INVALID_SESSION, "Invalid Session ID: this session has expired")
    return row


def end_session(session: Session, row: Row[Any], reason: str = "exited") -> None:
    session.execute(
        update(aicc_sessions)
        .where(aicc_sessions.c.id == row.id)
        .values(ended_at=utcnow(), end_reason=reason)
    )


def mark_initialized(session: Session, row: Row[Any]) -> bool:
    """Note the session's first GetParam; True only for the first (one initialized statement)."""
    claimed = session.execute(
        update(aicc_sessions)
        .where(aicc_sessions.c.id == row.id, aicc_sessions.c.initialized_at.is_(None))
        .values(initialized_at=utcnow())
    )
    return getattr(claimed, "rowcount", 0) == 1


def next_seq(session: Session, row: Row[Any]) -> int:
    """The next commit sequence number of the session (its PutParams and its ExitAU, in order)."""
    session.execute(
        update(aicc_sessions)
        .where(aicc_sessions.c.id == row.id)
        .values(put_count=aicc_sessions.c.put_count + 1)
    )
    return int(
        session.execute(
            select(aicc_sessions.c.put_count).where(aicc_sessions.c.id == row.id)
        ).scalar_one()
    )


# ---------------------------------------------------------------- aicc_data


@dataclass
class AiccData:
    """The parts of a PutParam's aicc_data learnpass keeps."""

    lesson_location: str
    status: str  # a SCORM 1.2 lesson_status word
    exit: str  # "", "suspend", "logout" or "time-out"
    score_raw: float | None
    score_max: float | None
    score_min: float | None
    session_seconds: float
    core_lesson: str
    comments: str


def parse_sections(text: str) -> dict[str, list[str]]:
    """aicc_data's ``[Section]`` groups as their raw lines (section names lower-cased)."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = raw.strip()
        if stripped.startswith("[") and stripped.endswith("]") and len(stripped) > 2:
            current = sections.setdefault(stripped[1:-1].strip().lower(), [])
        elif current is not None:
            current.append(raw)
        elif stripped and not stripped.startswith(";"):
            raise HacpError(
                INVALID_COMMAND, "Invalid Command: aicc_data has text before its first [section]"
            )
    return sections


def _keywords(lines: list[str]) -> dict[str, str]:
    values = {}
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            continue
        key, sep, value = stripped.partition("=")
        if not sep:
            raise HacpError(
                INVALID_COMMAND, f"Invalid Command: the [Core] line {stripped[:40]!r} has no '='"
            )
        values[key.strip().lower()] = value.strip()
    return values


def parse_put(text: str) -> AiccData:
    """A PutParam's aicc_data; :class:`HacpError` (1) says what is wrong with it."""
    if len(text) > MAX_AICC_DATA_CHARS:
        raise HacpError(
            INVALID_COMMAND, f"Invalid Command: aicc_data is over {MAX_AICC_DATA_CHARS} characters"
        )
    sections = parse_sections(text)
    if "core" not in sections:
        raise HacpError(INVALID_COMMAND, "Invalid Command: aicc_data has no [Core] section")
    core = _keywords(sections["core"])
    status, exit_ = _status(core.get("lesson_status", ""))
    raw, high, low = _score(core.get("score", ""))
    return AiccData(
        lesson_location=core.get("lesson_location", "")[:255],
        status=status,
        exit=exit_,
        score_raw=raw,
        score_max=high,
        score_min=low,
        session_seconds=_time(core.get("time", "")),
        core_lesson="\n".join(sections.get("core_lesson", [])).strip("\n"),
        comments="\n".join(sections.get("comments", [])).strip("\n")[:4096],
    )


def _status(value: str) -> tuple[str, str]:
    """``incomplete``, ``i``, ``Incomplete, S``... as (SCORM 1.2 status, exit)."""
    word, _, flag = value.partition(",")
    word, flag = word.strip().lower(), flag.strip().lower()
    if not word:
        raise HacpError(INVALID_COMMAND, "Invalid Command: [Core] has no Lesson_Status")
    status = STATUSES.get(word[0])
    if status is None or (len(word) > 1 and word != status):
        raise HacpError(
            INVALID_COMMAND, f"Invalid Command: Lesson_Status {value[:40]!r} is not an AICC status"
        )
    exit_ = EXITS.get(flag[:1], "") if flag else ""
    if flag and not exit_ and flag[:1] not in ("a", "r"):
        raise HacpError(
            INVALID_COMMAND,
            f"Invalid Command: Lesson_Status flag {flag[:20]!r} is not an AICC flag",
        )
    return status, exit_


def _score(value: str) -> tuple[float | None, float | None, float | None]:
    """``85`` or ``85,100,0`` (raw, max, min); empty is no score."""
    parts = [p.strip() for p in value.split(",")] if value.strip() else []
    if len(parts) > 3 or any(p and not _NUMBER.match(p) for p in parts):
        raise HacpError(INVALID_COMMAND, f"Invalid Command: Score {value[:40]!r} is not a number")
    numbers = [float(p) if p else None for p in parts] + [None, None, None]
    return numbers[0], numbers[1], numbers[2]


def _time(value: str) -> float:
    """``HH:MM:SS`` (or ``HHHH:MM:SS.SS``): this session's time; empty is none."""
    if not value.strip():
        return 0.0
    match = _TIME.match(value.strip())
    if match is None:
        raise HacpError(INVALID_COMMAND, f"Invalid Command: Time {value[:40]!r} is not HH:MM:SS")
    return int(match[1]) * 3600 + int(match[2]) * 60 + float(match[3])


def clock(seconds: float) -> str:
    """Seconds as CMI time, ``HHHH:MM:SS.SS``."""
    hundredths = round(seconds * 100)
    hours, rest = divmod(hundredths, 360000)
    minutes, rest = divmod(rest, 6000)
    return f"{hours:04d}:{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"


# ---------------------------------------------------------------- commands


def get_param(
    row: Row[Any], sco: Row[Any], state: Row[Any] | None, learner_id: str, learner_name: str
) -> str:
    """GetParam's aicc_data: who the learner is and what the AU stored last (the resume)."""
    cmi: dict[str, Any] = copy.deepcopy(state.cmi.get("cmi", {})) if state is not None else {}
    core = cmi.get("core") or {}
    status = str(core.get("lesson_status") or "not attempted")
    score = core.get("score") or {}
    score_text = ",".join(
        str(score.get(k, "")) for k in ("raw", "max", "min") if score.get(k) not in (None, "")
    )
    mastery = "" if sco.mastery_score is None else f"{sco.mastery_score:g}"
    lines = [
        "[Core]",
        f"Student_ID={_one_line(learner_id)}",
        f"Student_Name={_one_line(learner_name)}",
        f"Lesson_Location={_one_line(str(core.get('lesson_location') or ''))}",
        "Credit=credit",
        f"Lesson_Status={status},{row.entry}",
        f"Score={score_text}",
        f"Time={clock(runtime.duration_seconds(str(core.get('total_time') or '')))}",
        "Lesson_Mode=normal",
        "[Core_Lesson]",
        str(cmi.get("suspend_data") or ""),
        "[Core_Vendor]",
        sco.data_from_lms or "",
        "[Student_Data]",
        f"Mastery_Score={mastery}",
        f"Max_Time_Allowed={sco.max_time_allowed or ''}",
        f"Time_Limit_Action={sco.time_limit_action or ''}",
    ]
    return "\r\n".join(lines)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def put_cmi(
    row: Row[Any], sco: Row[Any], state: Row[Any] | None, data: AiccData, learner_id: str
) -> dict[str, Any]:
    """The SCORM 1.2 CMI tree a PutParam leaves: the stored one with the AU's new values, the
    total time the stored time before the session plus the session's, and a completed AU with a
    score judged against the course's mastery score (CMI001: the LMS decides passed/failed)."""
    cmi: dict[str, Any] = copy.deepcopy(state.cmi.get("cmi", {})) if state is not None else {}
    core = cmi.setdefault("core", {})
    status = data.status
    mastery = sco.mastery_score
    if mastery is not None and data.score_raw is not None and status in ("completed", "passed"):
        status = "passed" if data.score_raw >= mastery else "failed"
    elif mastery is not None and data.score_raw is not None and status == "failed":
        status = "failed"
    core.update(
        {
            "student_id": learner_id,
            "lesson_location": data.lesson_location,
            "lesson_status": status,
            "exit": data.exit,
            "session_time": clock(data.session_seconds),
            "total_time": clock(row.base_seconds + data.session_seconds),
            "entry": row.entry,
        }
    )
    if data.score_raw is not None:
        score = {"raw": _number(data.score_raw)}
        if data.score_max is not None:
            score["max"] = _number(data.score_max)
        if data.score_min is not None:
            score["min"] = _number(data.score_min)
        core["score"] = score
    cmi["suspend_data"] = data.core_lesson
    if data.comments:
        cmi["comments"] = data.comments
    return cmi


def _number(value: float) -> str:
    return f"{value:g}"


def commit(
    session: Session,
    *,
    row: Row[Any],
    sco: Row[Any],
    cmi: dict[str, Any],
    trigger: str,
    results: bool = True,
) -> runtime.CommitOutcome:
    """Store ``cmi`` for the session's AU as one commit of the attempt (``apply_commit``, the
    SCORM path): flushes, the caller adds statements and the grade and commits. Without
    ``results`` (a trainer's preview) only the CMI data is stored."""
    return runtime.apply_commit(
        session,
        attempt_id=row.attempt_id,
        sco_id=sco.id,
        edition=EDITION_12,
        payload={
            "cmi": cmi,
            # Unique per session for good (a row id can come back once old rows are deleted).
            "session": f"aicc:{row.sid_hash[:48]}",
            "seq": next_seq(session, row),
            "trigger": trigger,
        },
        results=results,
    )
