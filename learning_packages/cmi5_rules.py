"""The rules an AU's statements must follow (sections 6.3, 7.1, 9): a batch that breaks one is
refused whole, and an accepted one updates the session's record and the AU's progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row

from .attempts import duration_seconds
from .cmi5_course import AuProgress
from .cmi5_vocab import (
    AU_VERBS,
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    COMPLETED,
    EXT_PROGRESS,
    EXT_SESSION,
    FAILED,
    INITIALIZED,
    LMS_VERBS,
    PASSED,
    TERMINATED,
    VOIDED,
)
from .tables import utcnow

# ---------------------------------------------------------------- the AU's statements (7.1, 9)


class Cmi5Refusal(Exception):
    """A statement the LMS rejects (6.3); ``rule`` names the rule, ``message`` explains."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule, self.message = rule, message


@dataclass
class SessionView:
    """What the checks need of a session, updated statement by statement within a batch."""

    session_id: str
    registration: str
    activity_id: str
    publisher_id: str
    actor: dict[str, Any]
    mastery_score: float | None
    launch_mode: str
    verbs: list[str] = field(default_factory=list)
    ended: str = ""  # the end reason, "" while open
    expired: bool = False

    @classmethod
    def from_row(cls, row: Row[Any], now: dt.datetime | None = None) -> SessionView:
        return cls(
            session_id=row.session_id,
            registration=row.registration,
            activity_id=row.activity_id,
            publisher_id=row.au_identifier,
            actor=row.actor,
            mastery_score=row.mastery_score,
            launch_mode=row.launch_mode,
            verbs=list(row.verbs or []),
            ended=row.end_reason if row.ended_at is not None else "",
            expired=row.expires_at < (now or utcnow()),
        )


def _ids(context: dict[str, Any], kind: str) -> list[str]:
    activities = context.get("contextActivities") or {}
    found = activities.get(kind) or []
    if isinstance(found, dict):
        found = [found]
    return [str(a.get("id")) for a in found if isinstance(a, dict)]


def _same_account(actor: Any, expected: dict[str, Any]) -> bool:
    if not isinstance(actor, dict) or actor.get("objectType", "Agent") != "Agent":
        return False
    account, wanted = actor.get("account") or {}, expected.get("account") or {}
    return bool(
        isinstance(account, dict)
        and account.get("homePage") == wanted.get("homePage")
        and account.get("name") == wanted.get("name")
    )


def check_statement(view: SessionView, progress: AuProgress, statement: dict[str, Any]) -> None:
    """Refuse a statement the cmi5 rules forbid, then record it in ``view`` and ``progress``.

    Only rules that one statement and the session's record can decide are checked here;
    ordering is by arrival, which for one AU session is the order it sent them in.
    """
    verb = str((statement.get("verb") or {}).get("id", ""))
    context = statement.get("context") or {}
    result = statement.get("result") or {}
    defined = CATEGORY_CMI5 in _ids(context, "category")
    short = verb.rsplit("/", 1)[-1]

    def refuse(rule: str, message: str) -> None:
        raise Cmi5Refusal(rule, message)

    if view.ended:
        refuse(
            "cmi5-session-ended", f"the cmi5 session was {view.ended}; no more statements (9.3.8)"
        )
    if view.expired:
        refuse("cmi5-session-expired", "the cmi5 session expired; launch the AU again (8.2.1)")
    if not _same_account(statement.get("actor"), view.actor):
        refuse("cmi5-actor", "the actor must be the Agent given in the launch URL (9.2)")
    if str(context.get("registration", "")).lower() != view.registration.lower():
        refuse(
            "cmi5-registration", "context.registration must be the launch's registration (9.6.1)"
        )
    if (context.get("extensions") or {}).get(EXT_SESSION) != view.session_id:
        refuse("cmi5-session-id", "context.extensions must carry this session's ID (9.6.3.1)")
    if verb == VOIDED:
        refuse("cmi5-voiding", "an AU may not void statements (6.3)")
    if not view.verbs and not (defined and verb == INITIALIZED):
        refuse(
            "cmi5-initialized-first", "the first statement of a session must be initialized (9.3.2)"
        )
    if not defined:
        view.verbs.append("*")  # a cmi5 allowed statement: it only counts as "not the first"
        if view.launch_mode == "Normal":  # Review and Browse record nothing (10.2.2)
            progress.note_progress((result.get("extensions") or {}).get(EXT_PROGRESS))
        return
    if verb in LMS_VERBS or verb not in AU_VERBS:
        refuse("cmi5-verb", f"an AU may not send a cmi5 defined {short!r} statement (9.3)")
    if view.launch_mode != "Normal" and verb not in (INITIALIZED, TERMINATED):
        refuse(
            "cmi5-launch-mode",
            f"in {view.launch_mode} mode only initialized and terminated (10.2.2)",
        )
    obj = statement.get("object") or {}
    if obj.get("id") != view.activity_id:
        refuse("cmi5-object", "the object of a cmi5 defined statement must be the activityId (9.4)")
    if view.publisher_id not in _ids(context, "grouping"):
        refuse(
            "cmi5-context-template", "contextActivities.grouping must keep the publisher id (9.6.2)"
        )
    if verb in view.verbs:
        refuse("cmi5-duplicate-verb", f"{short!r} was already sent in this session (9.3)")
    if verb in (PASSED, FAILED) and ({PASSED, FAILED} & set(view.verbs)):
        refuse("cmi5-passed-or-failed", "a session has at most one of passed and failed (9.3)")
    if verb == COMPLETED and progress.completed:
        refuse("cmi5-completed-once", "this registration already completed the AU (9.3.3)")
    if verb == PASSED and progress.passed:
        refuse("cmi5-passed-once", "this registration already passed the AU (9.3.4)")
    if verb == FAILED and progress.passed:
        refuse("cmi5-failed-after-passed", "failed may not follow passed in a registration (9.3)")
    _check_result(verb, short, result, context, view, refuse)
    # Accepted: record it.
    view.verbs.append(verb)
    score = (result.get("score") or {}).get("scaled")
    progress.note_progress((result.get("extensions") or {}).get(EXT_PROGRESS))
    if verb == COMPLETED:
        progress.completed, progress.percent = True, 100
    elif verb == PASSED:
        progress.passed, progress.failed = True, False
    elif verb == FAILED:
        progress.failed = True
    if verb in (PASSED, FAILED) and isinstance(score, (int, float)):
        progress.score_scaled = float(score)
    if verb == TERMINATED:
        progress.seconds += duration_seconds(str(result.get("duration", "")))
        view.ended = "terminated"


def _check_result(
    verb: str,
    short: str,
    result: dict[str, Any],
    context: dict[str, Any],
    view: SessionView,
    refuse: Any,
) -> None:
    if "score" in result and verb not in (PASSED, FAILED):
        refuse("cmi5-result", f"a {short!r} statement may not carry a score (9.5.1)")
    if verb == PASSED and result.get("success") is not True:
        refuse("cmi5-result", "passed needs result.success true (9.5.2)")
    if verb == FAILED and result.get("success") is not False:
        refuse("cmi5-result", "failed needs result.success false (9.5.2)")
    if verb not in (PASSED, FAILED) and "success" in result:
        refuse("cmi5-result", f"a {short!r} statement may not carry result.success (9.5.2)")
    if verb == COMPLETED and result.get("completion") is not True:
        refuse("cmi5-result", "completed needs result.completion true (9.5.3)")
    if verb != COMPLETED and "completion" in result:
        refuse("cmi5-result", f"a {short!r} statement may not carry result.completion (9.5.3)")
    if verb in (COMPLETED, PASSED, FAILED, TERMINATED) and not result.get("duration"):
        refuse("cmi5-duration", f"a {short!r} statement needs result.duration (9.5.4)")
    has_moveon = CATEGORY_MOVEON in _ids(context, "category")
    if ("success" in result or "completion" in result) != has_moveon:
        refuse(
            "cmi5-moveon-category",
            "the moveon category goes with, and only with, result success or completion (9.6.2.2)",
        )
    scaled = (result.get("score") or {}).get("scaled")
    if view.mastery_score is not None and isinstance(scaled, (int, float)):
        if verb == PASSED and scaled < view.mastery_score:
            refuse(
                "cmi5-mastery-score", "passed with a scaled score below the masteryScore (9.3.4)"
            )
        if verb == FAILED and scaled >= view.mastery_score:
            refuse(
                "cmi5-mastery-score",
                "failed with a scaled score at or above the masteryScore (9.3.5)",
            )


def check_batch(
    view: SessionView, progress: AuProgress, statements: Iterable[dict[str, Any]]
) -> None:
    for index, statement in enumerate(statements):
        try:
            check_statement(view, progress, statement)
        except Cmi5Refusal as exc:
            raise Cmi5Refusal(exc.rule, f"statement {index}: {exc.message}") from None
